//! [`Rule::ChannelValue`]: a channel group whose visits reach goals, and bring goal value, far
//! more or far less often than the visits of the other channel groups.

use super::percent;
use crate::insights::discoveries::Tests;
use crate::insights::stats::{two_proportion_z, Confidence, Test};
use crate::insights::{Counts, Evidence, Finding, InsightCard, Rule, Unit, MIN_LEVEL, MIN_VISITS};
use crate::summary::{ratio, MergedRange, SummaryOptions};
use tacit_aggregate::goals::GoalCount;
use tacit_aggregate::segments::Segment;

/// How many times more (or less) often a channel's visits must reach a goal than the others'.
pub const MIN_VALUE_RATIO: f64 = 2.0;
/// Goals a channel and the rest must reach between them for a comparison.
pub const MIN_GOALS: u64 = 20;

/// A channel group whose goal conversion (goals over visits) is at least [`MIN_VALUE_RATIO`]
/// times the other groups' or at most its inverse, by a two-proportion z-test at [`MIN_LEVEL`]
/// against the other groups' visits. Only goals whose visit's entry is known count (see
/// [`tacit_aggregate::goals`]); the card says what share of goals that is.
///
/// Minimum: [`MIN_VISITS`] visits and k visitors in the group, [`MIN_VISITS`] visits in the
/// rest, [`MIN_GOALS`] goals in all; a group reaching more goals than it has visits (goals
/// repeated within visits) is not tested.
pub(in crate::insights) fn channel_value(
    range: &MergedRange,
    options: &SummaryOptions,
    tests: &Tests,
) -> Vec<InsightCard> {
    let goals = range.goal_segments();
    let channels = GoalGroup::all(range, |segment| matches!(segment, Segment::Channel(Some(_))));
    let attributed: u64 = channels.iter().map(|c| c.goals.completions).sum();
    let unattributed = goals.get(Segment::Channel(None)).completions;
    let all = GoalGroup::goals_per_visit(&channels);
    let all_value: f64 = channels.iter().map(|c| c.goals.value).sum();
    if attributed < MIN_GOALS {
        return Vec::new();
    }
    let mut cards = Vec::new();
    for channel in &channels {
        let Some(gap) = GoalGap::test(channel, all, options, tests) else { continue };
        let label = channel.segment.label();
        let visits = channel.visits;
        let value_per_visit = channel.goals.value / visits as f64;
        let rest_value_per_visit = (all_value - channel.goals.value) / gap.rest.of as f64;
        let worth = if all_value > 0.0 {
            format!(
                " Each of its visits brings {value_per_visit:.2} of goal value, against \
                 {rest_value_per_visit:.2}."
            )
        } else {
            String::new()
        };
        let statement = format!(
            "Visits from {label} reach a goal far {} often than the other channels': {} of them \
             ({} goals in {} visits), against {}.{worth} ({} of goals could be traced to their \
             channel.)",
            if gap.more() { "more" } else { "less" },
            percent(gap.rate),
            gap.own.count,
            gap.own.of,
            percent(gap.rest_rate),
            percent(ratio(attributed, attributed + unattributed).unwrap_or(0.0)),
        );
        let action = if gap.more() {
            format!(
                "{label} brings the visits that convert: give it more of the budget or the \
                 content it responds to, and find what its visitors see first."
            )
        } else {
            format!(
                "{label} brings visits that rarely convert: check where it lands them and what \
                 it promises, or weigh what it costs against what it brings."
            )
        };
        let evidence = vec![
            Evidence::share("goals per visit", gap.own).against_share(gap.rest, "other channels"),
            Evidence::new("goal value per visit", value_per_visit, Unit::Value, visits)
                .against(rest_value_per_visit, "other channels"),
        ];
        let effect_size = (gap.rate - gap.rest_rate).abs();
        let finding =
            Finding { statement, evidence, confidence: gap.confidence, action, effect_size };
        cards.push(InsightCard::new(Rule::ChannelValue, None, range, channel.visitors, finding));
    }
    cards
}

/// One segment's visits (entries), visitors and goals over a range.
pub(super) struct GoalGroup {
    pub segment: Segment,
    pub visits: u64,
    pub visitors: u64,
    pub goals: GoalCount,
}

impl GoalGroup {
    /// The site's segments that `keep` keeps, with their goals.
    pub fn all(range: &MergedRange, keep: impl Fn(Segment) -> bool) -> Vec<GoalGroup> {
        let goals = range.goal_segments();
        range
            .site_segments()
            .iter()
            .filter(|(segment, _)| keep(*segment))
            .map(|(segment, traffic)| GoalGroup {
                segment,
                visits: traffic.engagement.entries,
                visitors: traffic.visitors.clone().estimate(),
                goals: goals.get(segment),
            })
            .collect()
    }

    /// The goals of `groups` over their visits, together.
    pub fn goals_per_visit(groups: &[GoalGroup]) -> Counts {
        Counts {
            count: groups.iter().map(|group| group.goals.completions).sum(),
            of: groups.iter().map(|group| group.visits).sum(),
        }
    }
}

/// A group's goals per visit far from the rest's of its dimension: [`MIN_VALUE_RATIO`] times
/// as many or fewer, by a two-proportion z-test at [`MIN_LEVEL`].
pub(super) struct GoalGap {
    pub own: Counts,
    pub rest: Counts,
    pub rate: f64,
    pub rest_rate: f64,
    pub z: f64,
    pub confidence: Confidence,
}

impl GoalGap {
    /// `group`'s gap against the rest of `all` (goals over visits), if far, counted in `tests`.
    /// Minimum:
    /// [`MIN_VISITS`] visits and k visitors in the group, [`MIN_VISITS`] visits in the rest; a
    /// group reaching more goals than it has visits (goals repeated within visits) is not
    /// tested.
    pub fn test(
        group: &GoalGroup,
        all: Counts,
        options: &SummaryOptions,
        tests: &Tests,
    ) -> Option<GoalGap> {
        let rest = Counts {
            count: all.count - group.goals.completions,
            of: all.of.saturating_sub(group.visits),
        };
        if group.visits < MIN_VISITS || group.visitors < options.k.max(1) || rest.of < MIN_VISITS {
            return None;
        }
        let own = Counts { count: group.goals.completions, of: group.visits };
        tests.run();
        let z = two_proportion_z(own.count, own.of, rest.count, rest.of)?;
        let (rate, rest_rate) = (own.share()?, rest.share()?);
        let far = if z > 0.0 {
            rate >= rest_rate * MIN_VALUE_RATIO
        } else {
            rate * MIN_VALUE_RATIO <= rest_rate
        };
        let confidence = Confidence::of(Test::TwoProportionZ, z)?;
        (far && confidence.level >= MIN_LEVEL).then_some(GoalGap {
            own,
            rest,
            rate,
            rest_rate,
            z,
            confidence,
        })
    }

    /// The same gap seen from the rest: when the rest is one segment, its gap against the group.
    pub fn mirror(self) -> Option<GoalGap> {
        Some(GoalGap {
            own: self.rest,
            rest: self.own,
            rate: self.rest_rate,
            rest_rate: self.rate,
            z: -self.z,
            confidence: Confidence::of(Test::TwoProportionZ, -self.z)?,
        })
    }

    /// Whether the group reaches goals more often than the rest.
    pub fn more(&self) -> bool {
        self.z > 0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::find_insights;
    use crate::insights::InsightKind;
    use crate::summary::testing::{day, leave_of, onward, Site};
    use tacit_aggregate::segments::SegmentKey;
    use tacit_beacon::agent::DeviceClass;
    use tacit_beacon::funnel::VisitEntry;
    use tacit_beacon::signal::{Entry, Event, View};
    use tacit_beacon::GoalContext;

    /// `visits` entries from `referrer` of which `goals` reach a goal worth `value`.
    fn channel(site: &mut Site, first: u64, referrer: &str, visits: u64, goals: u64, value: f64) {
        let view = View { referrer: Some(referrer.into()), entry: Entry::Entry, ..View::sample() };
        let leave = leave_of(&view, &onward("/signup"));
        let entry = VisitEntry { referrer: Some(referrer.into()), ..VisitEntry::default() };
        let context = GoalContext { entry: Some(entry), viewport: None };
        let key = SegmentKey::of_goal(&context, DeviceClass::Desktop, None);
        for n in first..first + visits {
            site.view("/", n, &view);
            site.leave("/", &leave);
            if n - first < goals {
                let goal = Event::Goal { name: "signup".into(), value: Some(value), props: vec![] };
                site.event("/signup", &goal);
                site.site.record_goal_segments(Some(value), key);
            }
        }
    }

    fn value_cards(site: &Site, k: u64) -> Vec<InsightCard> {
        let options = SummaryOptions { k, ..SummaryOptions::default() };
        let mut cards = find_insights(&site.range(day("2026-11-23")), None, &options);
        cards.retain(|card| card.rule == Rule::ChannelValue);
        cards
    }

    #[test]
    fn a_channel_whose_visits_convert_far_more_often_is_a_value_card() {
        let mut site = Site::default();
        channel(&mut site, 0, "news.example.com", 200, 40, 30.0);
        channel(&mut site, 1_000, "www.google.com", 400, 16, 30.0);
        let found = value_cards(&site, 5);
        assert_eq!(found.len(), 2, "the one far above, and the one far below: {found:?}");
        let card = found.iter().find(|c| c.statement.contains("Referral")).unwrap();
        assert_eq!(card.kind, InsightKind::Value);
        assert!(card.statement.contains("far more often than the other channels': 20 % of them (40 goals in 200 visits), against 4 %"), "{}", card.statement);
        assert!(
            card.statement.contains("brings 6.00 of goal value, against 1.20"),
            "{}",
            card.statement
        );
        assert_eq!(card.evidence[0].counts, Some(Counts { count: 40, of: 200 }));
        assert_eq!(card.evidence[0].baseline_counts, Some(Counts { count: 16, of: 400 }));
    }

    #[test]
    fn channels_that_convert_alike_make_no_value_card() {
        let mut site = Site::default();
        channel(&mut site, 0, "news.example.com", 200, 12, 30.0);
        channel(&mut site, 1_000, "www.google.com", 400, 20, 30.0);
        assert_eq!(value_cards(&site, 5), vec![]);
    }

    #[test]
    fn too_few_goals_or_visits_make_no_value_card() {
        let mut site = Site::default();
        channel(&mut site, 0, "news.example.com", 200, 15, 30.0);
        channel(&mut site, 1_000, "www.google.com", 400, 0, 30.0);
        assert_eq!(value_cards(&site, 5), vec![], "15 goals in all");
        let mut site = Site::default();
        channel(&mut site, 0, "news.example.com", MIN_VISITS - 1, 30, 30.0);
        channel(&mut site, 1_000, "www.google.com", 400, 10, 30.0);
        assert!(value_cards(&site, 5).iter().all(|c| !c.statement.contains("Referral")));
    }

    #[test]
    fn a_channel_with_fewer_visitors_than_k_is_never_named() {
        let mut site = Site::default();
        channel(&mut site, 0, "news.example.com", 200, 40, 30.0);
        channel(&mut site, 1_000, "www.google.com", 400, 16, 30.0);
        let found = value_cards(&site, 300);
        assert!(found.iter().all(|c| !c.statement.contains("Referral")), "{found:?}");
    }
}
