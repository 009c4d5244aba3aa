//! The funnel view: each of the site's funnels over the range, from its step counts (see
//! [`tacit_aggregate::funnels`]): the visits that reached each step, the conversion from the
//! step before and from the start, the step that loses the most visits, and the devices and
//! channel groups of the visits lost there.
//!
//! A step reached by fewer than k visitors shows no count (nor any rate that needs it), like
//! every breakdown row; so does a device or channel among those who drop.

use serde::{Deserialize, Serialize};

use super::merged_range::MergedRange;
use super::rates::ratio;
use crate::privacy::OTHER;
use tacit_aggregate::funnels::{FunnelTallies, StepCount, StepTally};
use tacit_aggregate::segments::Segment;
use tacit_aggregate::settings::Funnel;
use tacit_aggregate::Day;
use tacit_beacon::consent::{Category, ConsentValue};

/// The site's funnels over a range.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Funnels {
    /// Each funnel, in the site's order.
    pub funnels: Vec<FunnelSummary>,
    /// The share of the range's page views with journey consent: only those visits can move
    /// through a funnel (the tab keeps how far it got), so the counts cover about this share of
    /// visits. `None` without page views.
    pub journey_coverage: Option<f64>,
}

/// One funnel over the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FunnelSummary {
    /// The funnel's name.
    pub name: String,
    /// The day its steps were set: nothing before it is counted.
    pub since: Day,
    /// Its steps, in order.
    pub steps: Vec<FunnelStepRow>,
    /// The step after which the most visits left; none when no shown step lost any.
    pub biggest_drop: Option<FunnelDrop>,
}

/// One step of a funnel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FunnelStepRow {
    /// The step as the site set it: a path pattern, or `goal:` and a goal's name.
    pub step: String,
    /// Visits that reached it, in order; `None` when fewer than k visitors did.
    pub visits: Option<u64>,
    /// Its visits over the previous step's.
    pub from_previous: Option<f64>,
    /// Its visits over the first step's: the funnel's conversion so far.
    pub from_start: Option<f64>,
}

/// Where a funnel loses the most visits, and who they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FunnelDrop {
    /// The step (from 1) the visits reached and did not go on from.
    pub after_step: usize,
    /// The visits lost there.
    pub visits: u64,
    /// Those visits over the step's.
    pub share: Option<f64>,
    /// The visits lost by device class (empty when the funnel is read for one segment).
    pub devices: Vec<DropRow>,
    /// The visits lost by the channel group that brought them.
    pub channels: Vec<DropRow>,
}

/// The visits of one segment lost at a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DropRow {
    /// The segment as `?segment=` names it; `(other)` for those folded.
    pub segment: String,
    /// Its name for people.
    pub label: String,
    /// Its visits lost at the step.
    pub visits: u64,
    /// Its visits that reached the step.
    pub reached: u64,
    /// Its visits lost over its visits that reached the step: how often it drops there.
    pub drop_rate: Option<f64>,
}

impl Funnels {
    /// The `funnels` of a site over `range`, hiding counts of fewer than `k` visitors.
    pub fn new(range: &MergedRange, funnels: &[Funnel], k: u64) -> Funnels {
        let consent = range.consent();
        let journey = |value| consent.count(Category::Journey, value);
        let tallied = ConsentValue::ALL.into_iter().map(journey).sum::<u64>();
        Funnels {
            funnels: funnels
                .iter()
                .map(|funnel| FunnelSummary::new(range.funnels(), funnel, k.max(1)))
                .collect(),
            journey_coverage: ratio(journey(ConsentValue::Granted), tallied),
        }
    }
}

impl FunnelSummary {
    fn new(tallies: &FunnelTallies, funnel: &Funnel, k: u64) -> FunnelSummary {
        let id = funnel.id();
        let tally = |step: usize| tallies.step(id, step as u8);
        // A step's count, when at least k visitors reached it (an absent step: none did).
        let shown = |step: usize| match tally(step) {
            Some(tally) if visitors(&tally.all) >= k => Some(tally.all.visits),
            Some(_) => None,
            None => Some(0),
        };
        let counts: Vec<Option<u64>> = (1..=funnel.steps.len()).map(shown).collect();
        let first = counts[0];
        let steps = funnel
            .steps
            .iter()
            .zip(&counts)
            .enumerate()
            .map(|(i, (step, visits))| FunnelStepRow {
                step: step.clone(),
                visits: *visits,
                from_previous: match (i.checked_sub(1).map(|p| counts[p]), visits) {
                    (Some(Some(before)), Some(now)) => ratio(*now, before),
                    _ => None,
                },
                from_start: first.zip(*visits).and_then(|(first, now)| ratio(now, first)),
            })
            .collect();
        let biggest_drop = counts
            .windows(2)
            .enumerate()
            .filter_map(|(i, pair)| Some((i + 1, pair[0]?.checked_sub(pair[1]?)?)))
            .filter(|(_, lost)| *lost > 0)
            .max_by_key(|(step, lost)| (*lost, std::cmp::Reverse(*step)))
            .map(|(step, visits)| FunnelDrop {
                after_step: step,
                visits,
                share: counts[step - 1].and_then(|reached| ratio(visits, reached)),
                devices: drop_rows(tally(step), tally(step + 1), k, |s| {
                    matches!(s, Segment::Device(_))
                }),
                channels: drop_rows(tally(step), tally(step + 1), k, |s| {
                    matches!(s, Segment::Channel(_))
                }),
            });
        FunnelSummary { name: funnel.name.clone(), since: funnel.since, steps, biggest_drop }
    }
}

/// The visits of each segment of one dimension (`of`) that reached a step (`reached`) and not
/// the next (`next`), largest first; segments with fewer than k visitors at the step fold into
/// [`OTHER`].
fn drop_rows(
    reached: Option<&StepTally>,
    next: Option<&StepTally>,
    k: u64,
    of: impl Fn(Segment) -> bool,
) -> Vec<DropRow> {
    let Some(reached) = reached else { return Vec::new() };
    let went_on =
        |segment| next.and_then(|next| next.segments.get(&segment)).map_or(0, |c| c.visits);
    let (mut rows, mut other) = (Vec::new(), (0, 0));
    for (segment, count) in reached.segments.iter().filter(|(segment, _)| of(**segment)) {
        let lost = count.visits.saturating_sub(went_on(*segment));
        if visitors(count) >= k {
            rows.push(DropRow {
                segment: segment.to_string(),
                label: segment.label(),
                visits: lost,
                reached: count.visits,
                drop_rate: ratio(lost, count.visits),
            });
        } else {
            other = (other.0 + lost, other.1 + count.visits);
        }
    }
    rows.retain(|row| row.visits > 0);
    rows.sort_by(|a, b| b.visits.cmp(&a.visits).then_with(|| a.label.cmp(&b.label)));
    if other.0 > 0 {
        rows.push(DropRow {
            segment: OTHER.into(),
            label: OTHER.into(),
            visits: other.0,
            reached: other.1,
            drop_rate: ratio(other.0, other.1),
        });
    }
    rows
}

fn visitors(count: &StepCount) -> u64 {
    count.visitors.clone().estimate()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tacit_aggregate::segments::SegmentKey;
    use tacit_aggregate::{SiteDay, VisitorHash};
    use tacit_beacon::agent::DeviceClass;
    use tacit_beacon::funnel::VisitEntry;

    fn signup(since: Day) -> Funnel {
        let steps = ["/pricing", "/signup", "goal:Signed up"].map(String::from).to_vec();
        Funnel { name: "Signup".into(), steps, since }
    }

    /// A day where `visits` visits, each of its own visitor, reached the first `steps` steps of
    /// `funnel`, on `device`, brought by `referrer`.
    fn day_with(
        site: &mut SiteDay,
        funnel: &Funnel,
        visits: &[(usize, DeviceClass, Option<&str>)],
    ) {
        for (n, (steps, device, referrer)) in visits.iter().enumerate() {
            let entry = VisitEntry { referrer: referrer.map(Into::into), ..VisitEntry::default() };
            let key = SegmentKey::of_funnel(&entry, *device, None);
            let visitor = VisitorHash::from_u64((n as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            for step in 1..=*steps {
                site.record_funnel_step(funnel.id(), step as u8, visitor, key);
            }
        }
    }

    fn range(site: SiteDay, day: Day) -> MergedRange {
        MergedRange::new(day, day, Vec::new(), [(day, site)])
    }

    #[test]
    fn counts_each_step_converts_from_the_one_before_and_names_the_biggest_drop_and_who_drops() {
        let day = Day::parse("2026-12-07").unwrap();
        let funnel = signup(day);
        let (mobile, desktop) = (DeviceClass::Mobile, DeviceClass::Desktop);
        let mut visits = vec![(1, desktop, None); 10];
        visits.extend(vec![(2, desktop, Some("www.google.com")); 10]);
        visits.extend(vec![(3, desktop, Some("www.google.com")); 10]);
        visits.extend(vec![(2, mobile, Some("t.co")); 20]);
        visits.extend(vec![(3, mobile, Some("t.co")); 2]);
        let mut site = SiteDay::default();
        day_with(&mut site, &funnel, &visits);
        let funnels = Funnels::new(&range(site, day), &[funnel], 5);
        let summary = &funnels.funnels[0];
        let counts: Vec<_> = summary.steps.iter().map(|s| s.visits).collect();
        assert_eq!(counts, [Some(52), Some(42), Some(12)]);
        assert_eq!(summary.steps[1].from_previous, Some(42.0 / 52.0));
        assert_eq!(summary.steps[2].from_start, Some(12.0 / 52.0));
        let drop = summary.biggest_drop.as_ref().unwrap();
        assert_eq!((drop.after_step, drop.visits), (2, 30));
        // Mobile visits, all from social, are 20 of the 30 lost at /signup.
        assert_eq!(drop.devices[0].segment, "device:mobile");
        assert_eq!((drop.devices[0].visits, drop.devices[0].drop_rate), (20, Some(20.0 / 22.0)));
        assert_eq!(drop.channels[0].segment, "channel:social");
        assert_eq!(drop.channels[1].segment, "channel:organic_search");
    }

    #[test]
    fn hides_a_step_and_a_segment_with_fewer_than_k_visitors() {
        let day = Day::parse("2026-12-07").unwrap();
        let funnel = signup(day);
        let mut visits = vec![(1, DeviceClass::Desktop, None); 8];
        visits.extend(vec![(1, DeviceClass::Tablet, None); 3]);
        visits.extend(vec![(2, DeviceClass::Desktop, None); 10]);
        visits.extend(vec![(3, DeviceClass::Desktop, None); 2]);
        let mut site = SiteDay::default();
        day_with(&mut site, &funnel, &visits);
        let summary = &Funnels::new(&range(site, day), std::slice::from_ref(&funnel), 5).funnels[0];
        assert_eq!(summary.steps[2].visits, None, "2 visitors reached the goal");
        assert_eq!((summary.steps[2].from_previous, summary.steps[2].from_start), (None, None));
        let drop = summary.biggest_drop.as_ref().unwrap();
        assert_eq!((drop.after_step, drop.visits), (1, 11), "the drop after /signup is hidden");
        let devices: Vec<_> = drop.devices.iter().map(|row| (&*row.segment, row.visits)).collect();
        assert_eq!(devices, [("device:desktop", 8), (OTHER, 3)], "3 tablet visitors are folded");
        let none = Funnels::new(&range(SiteDay::default(), day), &[funnel], 5);
        assert_eq!(none.funnels[0].steps[0].visits, Some(0));
        assert_eq!(none.funnels[0].biggest_drop, None);
        assert_eq!(none.journey_coverage, None);
    }
}
