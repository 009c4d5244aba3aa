//! [`Rule::GoalGap`]: one segment of the site's visits (a device class, new or returning
//! visitors, a country) reaches goals far less, or far more, often than the rest of its
//! dimension. Channel groups have their own card, which weighs goal value too
//! ([`Rule::ChannelValue`]).

use super::channel_value::{GoalGap, GoalGroup, MIN_GOALS};
use super::percent;
use super::segment_gap::{a_device, lower_first, others, who};
use crate::insights::discoveries::Tests;
use crate::insights::{Evidence, Finding, InsightCard, Rule};
use crate::summary::{MergedRange, SummaryOptions};
use tacit_aggregate::segments::{Segment, VisitorKind};

/// The dimensions, each tested on its own.
const DIMENSIONS: [&str; 3] = ["device", "visitor", "country"];

/// For each dimension, the segment whose visits reach goals (goals over visits) far from the
/// rest of its dimension's (see [`GoalGap`]): of several, the one that reaches fewer with the
/// smallest p-value, one that reaches far more only when none reaches far fewer. A dimension of
/// two values is one test, about the one that reaches fewer, with k visitors in each. The values segments cannot tell
/// apart ([`Segment::is_told_apart`]) are neither tested nor in the rest.
///
/// Minimum: [`MIN_GOALS`] goals in the dimension; [`crate::insights::MIN_VISITS`] visits and k
/// visitors in the segment, [`crate::insights::MIN_VISITS`] visits in the rest.
pub(in crate::insights) fn goal_gap(
    range: &MergedRange,
    options: &SummaryOptions,
    tests: &Tests,
) -> Vec<InsightCard> {
    DIMENSIONS
        .into_iter()
        .filter_map(|dimension| dimension_gap(range, options, tests, dimension))
        .collect()
}

fn dimension_gap(
    range: &MergedRange,
    options: &SummaryOptions,
    tests: &Tests,
    dimension: &str,
) -> Option<InsightCard> {
    let groups = GoalGroup::all(range, |segment| {
        segment.dimension() == dimension && segment.is_told_apart()
    });
    let all = GoalGroup::goals_per_visit(&groups);
    if all.count < MIN_GOALS {
        return None;
    }
    let gaps: Vec<(&GoalGroup, GoalGap)> = match groups.as_slice() {
        // One test, whose mirror is the other value's; the card names both, so each must be
        // seen by k visitors.
        [first, second] => {
            if second.visitors < options.k.max(1) {
                return None;
            }
            let gap = GoalGap::test(first, all, options, tests)?;
            vec![if gap.more() { (second, gap.mirror()?) } else { (first, gap) }]
        }
        _ => groups
            .iter()
            .filter_map(|group| Some((group, GoalGap::test(group, all, options, tests)?)))
            .collect(),
    };
    gaps.into_iter()
        .min_by(|(_, a), (_, b)| {
            a.more().cmp(&b.more()).then(a.confidence.p_value.total_cmp(&b.confidence.p_value))
        })
        .map(|(group, gap)| card(range, group, gap))
}

fn card(range: &MergedRange, group: &GoalGroup, gap: GoalGap) -> InsightCard {
    let segment = group.segment;
    let (who, others) = (who(segment), others(segment));
    let how = if gap.more() { "far more often than" } else { "far less often than" };
    let statement = format!(
        "{who} reach a goal {how} {others}: {} of their visits ({} goals in {} visits) against \
         {}.",
        percent(gap.rate),
        gap.own.count,
        gap.own.of,
        percent(gap.rest_rate),
    );
    let evidence =
        vec![Evidence::share(&format!("goals per visit of {}", lower_first(&who)), gap.own)
            .against_share(gap.rest, &others)];
    let action = if gap.more() {
        format!(
            "Find what {} see on the way to a goal that others do not, and bring more of them \
             to the site: their visits convert.",
            lower_first(&who)
        )
    } else {
        fewer_action(segment)
    };
    let effect_size = (gap.rate - gap.rest_rate).abs();
    let finding = Finding { statement, evidence, confidence: gap.confidence, action, effect_size };
    let card = InsightCard::new(Rule::GoalGap, None, range, group.visitors, finding);
    InsightCard { view: card.view.of_segment(segment), ..card }
}

/// What to do about a segment that reaches goals far less often than the rest.
fn fewer_action(segment: Segment) -> String {
    match segment {
        Segment::Device(device) => {
            let on = a_device(device);
            format!(
                "Go the way to each goal on {on}: the forms, the buttons, the steps of sign-up \
                 or checkout, and how fast each loads."
            )
        }
        Segment::Visitor(VisitorKind::New) => "Make the next step clear to first-time \
            visitors: what the site offers, why to act, and where to do it."
            .to_owned(),
        Segment::Visitor(_) => "Find what returning visitors come back for, and offer the next \
            step there: they know the site but do not act."
            .to_owned(),
        Segment::Country(_) => format!(
            "Check the way to each goal for visitors from {}: the language, prices and currency, \
             payment and delivery.",
            segment.label()
        ),
        Segment::Channel(_) => format!(
            "Check where {} visits land and what they are promised.",
            segment.label().to_lowercase()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::testing::pages_of;
    use crate::insights::{find_insights, InsightKind};
    use crate::summary::testing::{day, leave_of, onward, Site};
    use tacit_aggregate::segments::SegmentKey;
    use tacit_beacon::agent::DeviceClass;
    use tacit_beacon::signal::{Entry, Event, View};
    use tacit_beacon::GoalContext;

    /// `visits` entries on `device` by visitors numbered from `first`, of which `goals` reach a
    /// goal.
    fn visits(site: &mut Site, first: u64, device: DeviceClass, visits: u64, goals: u64) {
        let view = View { device, entry: Entry::Entry, ..View::sample() };
        let leave = leave_of(&view, &onward("/signup"));
        let context = GoalContext { entry: None, viewport: Some(device) };
        let key = SegmentKey::of_goal(&context, device, None);
        for n in first..first + visits {
            site.view("/", n, &view);
            site.leave("/", &leave);
            if n - first < goals {
                let goal = Event::Goal { name: "signup".into(), value: None, props: vec![] };
                site.event("/signup", &goal);
                site.site.record_goal_segments(None, key);
            }
        }
    }

    fn gap_cards(site: &Site, k: u64) -> Vec<InsightCard> {
        let options = SummaryOptions { k, ..SummaryOptions::default() };
        let mut found = find_insights(&site.range(day("2026-11-23")), None, &options);
        found.retain(|card| card.rule == Rule::GoalGap);
        found
    }

    #[test]
    fn phones_that_reach_goals_far_less_often_are_a_goal_gap_card_linked_to_their_segment() {
        let mut site = Site::default();
        visits(&mut site, 0, DeviceClass::Mobile, 300, 6);
        visits(&mut site, 1_000, DeviceClass::Desktop, 300, 30);
        let found = gap_cards(&site, 5);
        assert_eq!(pages_of(&found), vec![None], "one card, about the site: {found:?}");
        let card = &found[0];
        assert_eq!(card.kind, InsightKind::Value);
        assert_eq!(
            card.statement,
            "Mobile visitors reach a goal far less often than visitors on other devices: 2 % of \
             their visits (6 goals in 300 visits) against 10 %."
        );
        assert!(card.action.contains("on a phone"), "{}", card.action);
        assert_eq!(card.view.segment.as_deref(), Some("device:mobile"));
        assert_eq!(card.evidence[0].counts.map(|c| (c.count, c.of)), Some((6, 300)));
        assert_eq!(card.evidence[0].baseline_counts.map(|c| (c.count, c.of)), Some((30, 300)));
    }

    #[test]
    fn devices_that_reach_goals_alike_make_no_card() {
        let mut site = Site::default();
        visits(&mut site, 0, DeviceClass::Mobile, 300, 25);
        visits(&mut site, 1_000, DeviceClass::Desktop, 300, 30);
        assert_eq!(gap_cards(&site, 5), vec![]);
    }

    #[test]
    fn too_few_goals_or_visits_make_no_card() {
        let mut site = Site::default();
        visits(&mut site, 0, DeviceClass::Mobile, 300, 1);
        visits(&mut site, 1_000, DeviceClass::Desktop, 300, MIN_GOALS - 2);
        assert_eq!(gap_cards(&site, 5), vec![], "{} goals in all", MIN_GOALS - 1);
        let mut site = Site::default();
        visits(&mut site, 0, DeviceClass::Mobile, crate::insights::MIN_VISITS - 1, 0);
        visits(&mut site, 1_000, DeviceClass::Desktop, 300, 40);
        assert_eq!(gap_cards(&site, 5), vec![]);
    }

    #[test]
    fn a_segment_or_its_named_rest_below_k_visitors_is_never_named() {
        let mut site = Site::default();
        visits(&mut site, 0, DeviceClass::Mobile, 300, 6);
        visits(&mut site, 1_000, DeviceClass::Desktop, 300, 30);
        assert_eq!(gap_cards(&site, 301), vec![], "300 visitors of each");
        let mut site = Site::default();
        visits(&mut site, 0, DeviceClass::Mobile, 300, 6);
        visits(&mut site, 1_000, DeviceClass::Desktop, 300, 30);
        visits(&mut site, 2_000, DeviceClass::Tablet, 40, 4);
        let found = gap_cards(&site, 50);
        assert!(found.iter().all(|c| !c.statement.contains("Tablet")), "{found:?}");
        assert_eq!(found.len(), 1, "{found:?}");
    }
}
