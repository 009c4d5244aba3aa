//! A site-day's funnel counts: for each funnel step, the visits that reached it (one `funnel`
//! beacon each, see [`tacit_beacon::funnel`]), the visitors among them, and the same for each
//! segment, so that the report can say who drops out where, and read a funnel for one segment.
//!
//! A funnel's figures are its steps' counts: the visits that entered are those that reached
//! step 1, and the visits that left after step `n` are step `n`'s minus step `n + 1`'s.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::segments::{Segment, SegmentKey};
use crate::{VisitorHash, VisitorSketch};

/// The visits that reached one step, and their visitors (at a page's precision).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StepCount {
    /// Visits that reached the step.
    pub visits: u64,
    /// Their visitors.
    pub visitors: VisitorSketch,
}

impl Default for StepCount {
    fn default() -> StepCount {
        StepCount { visits: 0, visitors: VisitorSketch::for_page() }
    }
}

impl StepCount {
    fn record(&mut self, visitor: VisitorHash) {
        self.visits += 1;
        self.visitors.insert(visitor);
    }

    fn merge(&mut self, other: &StepCount) {
        self.visits += other.visits;
        self.visitors.merge(&other.visitors);
    }
}

/// One step's counts, in all and by segment.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct StepTally {
    /// Every visit that reached the step.
    pub all: StepCount,
    /// The visits of each segment (one of each dimension per visit); a segment with none is
    /// absent.
    pub segments: BTreeMap<Segment, StepCount>,
}

/// The funnel counts of a site-day, by funnel id and step (from 1).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FunnelTallies(BTreeMap<(u32, u8), StepTally>);

impl FunnelTallies {
    /// Counts a visit of `visitor`, in the segments `key`, that reached `step` of `funnel`.
    pub fn record(&mut self, funnel: u32, step: u8, visitor: VisitorHash, key: SegmentKey) {
        let tally = self.0.entry((funnel, step)).or_default();
        tally.all.record(visitor);
        for segment in key.segments() {
            tally.segments.entry(segment).or_default().record(visitor);
        }
    }

    /// Adds everything `other` counted.
    pub fn merge(&mut self, other: &FunnelTallies) {
        for (step, theirs) in &other.0 {
            let mine = self.0.entry(*step).or_default();
            mine.all.merge(&theirs.all);
            for (segment, count) in &theirs.segments {
                mine.segments.entry(*segment).or_default().merge(count);
            }
        }
    }

    /// The counts of `segment`'s visits alone, as a whole with no segments of its own.
    pub fn of_segment(&self, segment: Segment) -> FunnelTallies {
        let steps = self.0.iter().filter_map(|(step, tally)| {
            let all = tally.segments.get(&segment)?.clone();
            Some((*step, StepTally { all, segments: BTreeMap::new() }))
        });
        FunnelTallies(steps.collect())
    }

    /// Step `step` (from 1) of `funnel`; `None` when no visit reached it.
    pub fn step(&self, funnel: u32, step: u8) -> Option<&StepTally> {
        self.0.get(&(funnel, step))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tacit_beacon::agent::DeviceClass;
    use tacit_beacon::channel::ChannelGroup;
    use tacit_beacon::funnel::VisitEntry;

    fn key(device: DeviceClass, referrer: Option<&str>) -> SegmentKey {
        let entry = VisitEntry { referrer: referrer.map(Into::into), ..VisitEntry::default() };
        SegmentKey::of_funnel(&entry, device, None)
    }

    #[test]
    fn counts_visits_and_visitors_per_step_in_all_and_per_segment_and_merges_them() {
        let (mobile, desktop) = (DeviceClass::Mobile, DeviceClass::Desktop);
        let mut monday = FunnelTallies::default();
        for (visitor, device, step) in
            [(1, mobile, 1), (1, mobile, 2), (2, desktop, 1), (2, desktop, 1)]
        {
            monday.record(7, step, VisitorHash::from_u64(visitor << 40), key(device, Some("t.co")));
        }
        let mut tuesday = FunnelTallies::default();
        tuesday.record(7, 1, VisitorHash::from_u64(3 << 40), key(mobile, None));
        monday.merge(&tuesday);

        let first = monday.step(7, 1).unwrap();
        assert_eq!(first.all.visits, 4);
        assert_eq!(first.all.visitors.clone().estimate(), 3);
        assert_eq!(first.segments[&Segment::Device(mobile)].visits, 2);
        assert_eq!(first.segments[&Segment::Channel(Some(ChannelGroup::Social))].visits, 3);
        assert_eq!(first.segments[&Segment::Channel(Some(ChannelGroup::Direct))].visits, 1);
        assert!(monday.step(7, 3).is_none() && monday.step(8, 1).is_none());

        let mobile_only = monday.of_segment(Segment::Device(mobile));
        assert_eq!(mobile_only.step(7, 1).unwrap().all.visits, 2);
        assert_eq!(mobile_only.step(7, 2).unwrap().all.visits, 1);
        assert!(mobile_only.step(7, 1).unwrap().segments.is_empty());
        assert!(monday.of_segment(Segment::Device(DeviceClass::Tablet)).step(7, 1).is_none());
    }
}
