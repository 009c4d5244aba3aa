//! The site's goal completions and their value per segment, so that the summary can say what a
//! visit of each channel group (or device, kind of visitor, country) is worth. A goal counts in
//! the segments of its page view and, where the tab knew it, its visit's entry (see
//! [`tacit_beacon::GoalContext`]); a goal whose visit's entry was not known counts under
//! `channel:none`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::segments::{Segment, SegmentKey};

/// One segment's goal completions and the sum of their values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GoalCount {
    /// Goals reached.
    pub completions: u64,
    /// The sum of their values (a goal without one adds nothing).
    pub value: f64,
}

/// Goal completions per segment; a segment without any is absent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GoalSegments(BTreeMap<Segment, GoalCount>);

impl GoalSegments {
    /// Counts a goal of `value` in the segments `key`.
    pub fn record(&mut self, value: Option<f64>, key: SegmentKey) {
        for segment in key.segments() {
            let count = self.0.entry(segment).or_default();
            count.completions += 1;
            count.value += value.unwrap_or(0.0);
        }
    }

    /// Adds everything `other` counted.
    pub fn merge(&mut self, other: &GoalSegments) {
        for (segment, theirs) in &other.0 {
            let mine = self.0.entry(*segment).or_default();
            mine.completions += theirs.completions;
            mine.value += theirs.value;
        }
    }

    /// `segment`'s goals alone.
    pub fn of_segment(&self, segment: Segment) -> GoalSegments {
        GoalSegments(self.0.get(&segment).map(|count| (segment, *count)).into_iter().collect())
    }

    /// The goals of `segment`; none counted is zero.
    pub fn get(&self, segment: Segment) -> GoalCount {
        self.0.get(&segment).copied().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tacit_beacon::agent::DeviceClass;
    use tacit_beacon::channel::ChannelGroup;
    use tacit_beacon::funnel::VisitEntry;
    use tacit_beacon::GoalContext;

    #[test]
    fn counts_goals_and_values_per_segment_and_merges_them() {
        let social = VisitEntry { referrer: Some("t.co".into()), ..VisitEntry::default() };
        let known = GoalContext { entry: Some(social), viewport: Some(DeviceClass::Mobile) };
        let unknown = GoalContext { entry: None, viewport: None };
        let mut monday = GoalSegments::default();
        monday.record(Some(12.5), SegmentKey::of_goal(&known, DeviceClass::Desktop, None));
        let mut tuesday = GoalSegments::default();
        tuesday.record(None, SegmentKey::of_goal(&known, DeviceClass::Desktop, None));
        tuesday.record(Some(4.0), SegmentKey::of_goal(&unknown, DeviceClass::Desktop, None));
        monday.merge(&tuesday);
        let social = monday.get(Segment::Channel(Some(ChannelGroup::Social)));
        assert_eq!((social.completions, social.value), (2, 12.5));
        assert_eq!(monday.get(Segment::Channel(None)).completions, 1, "the entry was not known");
        assert_eq!(monday.get(Segment::Device(DeviceClass::Mobile)).completions, 2);
        assert_eq!(monday.get(Segment::Device(DeviceClass::Desktop)).value, 4.0);
        let mobile = monday.of_segment(Segment::Device(DeviceClass::Mobile));
        assert_eq!(mobile.get(Segment::Device(DeviceClass::Mobile)).completions, 2);
        assert_eq!(mobile.get(Segment::Channel(None)).completions, 0);
    }
}
