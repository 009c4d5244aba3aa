//! [`Rule::ConversionChange`]: a goal's conversion per visit changed since the previous period.

use super::percent_precise;
use crate::insights::discoveries::Tests;
use crate::insights::stats::{two_proportion_z, Confidence, Test};
use crate::insights::{
    Evidence, Finding, InsightCard, Rule, Unit, MIN_LEVEL, MIN_RELATIVE_CHANGE, MIN_VISITS,
};
use crate::privacy::OTHER;
use crate::summary::{goal_rows, ratio, MergedRange, SummaryOptions};

/// A goal whose conversion per visit changed far beyond chance since the previous period.
///
/// Far: at least [`MIN_RELATIVE_CHANGE`] of the previous rate apart at [`MIN_LEVEL`]. Minimum: [`MIN_VISITS`]
/// visits in each period, and the goal shown in the current period's folded goal breakdown.
/// Completions above visits (a goal reached several times per visit) are capped at the visits
/// for the test.
pub(in crate::insights) fn conversion_change(
    current: &MergedRange,
    previous: &MergedRange,
    options: &SummaryOptions,
    tests: &Tests,
) -> Vec<InsightCard> {
    let (now, before) = (current.site(), previous.site());
    if now.entries < MIN_VISITS || before.entries < MIN_VISITS {
        return Vec::new();
    }
    let goals = goal_rows(now, current.site_visitors_per_view(), options);
    let previous_goals = before.goals.top(usize::MAX);
    let mut cards = Vec::new();
    for goal in goals.iter().filter(|g| g.label != OTHER) {
        tests.run();
        let (name, completions) = (&goal.label, &goal.figures);
        let earlier = previous_goals.iter().find(|g| g.key == *name);
        let earlier_count = earlier.map_or(0, |g| g.count);
        let x1 = completions.completions.min(now.entries);
        let x2 = earlier_count.min(before.entries);
        let Some(z) = two_proportion_z(x1, now.entries, x2, before.entries) else { continue };
        let (Some(rate), Some(old)) = (ratio(x1, now.entries), ratio(x2, before.entries)) else {
            continue;
        };
        let Some(confidence) = Confidence::of(Test::TwoProportionZ, z) else { continue };
        if confidence.level < MIN_LEVEL || (rate - old).abs() < old * MIN_RELATIVE_CHANGE {
            continue;
        }
        let per_completion = completions.value / completions.completions.max(1) as f64;
        let worth = if per_completion > 0.0 {
            format!(", worth {per_completion:.2} per completion")
        } else {
            String::new()
        };
        let (verb, action) = if rate > old {
            ("rose", "Find what drove the rise (a campaign, a page, a price) and do more of it.")
        } else {
            (
                "fell",
                "Check what changed on the way to this goal since the previous period: pages, \
                 prices, forms, campaigns.",
            )
        };
        let statement = format!(
            "Conversions to \"{name}\" {verb} from {} to {} of visits since the previous \
             period{worth}.",
            percent_precise(old),
            percent_precise(rate),
        );
        let evidence = vec![
            Evidence::new("conversions per visit", rate, Unit::Share, now.entries)
                .against(old, "previous period"),
            Evidence::new("value", completions.value, Unit::Count, completions.completions),
        ];
        let action = action.to_owned();
        let finding =
            Finding { statement, evidence, confidence, action, effect_size: (rate - old).abs() };
        cards.push(InsightCard::new(
            Rule::ConversionChange,
            None,
            current.site_visitors(),
            finding,
        ));
    }
    cards
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::find_insights;
    use crate::insights::testing::background;
    use crate::insights::InsightKind;
    use crate::summary::testing::{day, onward, Site};
    use tacit_beacon::signal::Event;

    fn with_purchases(n: u64) -> Site {
        let mut site = background();
        for _ in 0..n {
            site.event(
                "/docs",
                &Event::Goal { name: "purchase".into(), value: Some(40.0), props: vec![] },
            );
        }
        site
    }

    fn conversion_cards(now: &Site, before: &Site) -> Vec<InsightCard> {
        let (current, previous) = (now.range(day("2026-11-23")), before.range(day("2026-11-22")));
        let mut cards = find_insights(&current, Some(&previous), &SummaryOptions::default());
        cards.retain(|card| card.rule == Rule::ConversionChange);
        cards
    }

    // 10/300 against 40/300 visits: pooled 0.083, z = −4.4.
    #[test]
    fn a_goal_converting_far_less_than_in_the_previous_period_is_a_value_card() {
        let found = conversion_cards(&with_purchases(10), &with_purchases(40));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].statement.contains("fell from 13.3 % to 3.3 %"), "{}", found[0].statement);
        assert!(found[0].statement.contains("40.00 per completion"));
        assert_eq!(found[0].kind, InsightKind::Value);
    }

    #[test]
    fn a_goal_converting_as_before_makes_no_value_card() {
        assert_eq!(conversion_cards(&with_purchases(38), &with_purchases(40)), vec![]);
        let only_now = background().range(day("2026-11-23"));
        let cards = find_insights(&only_now, None, &SummaryOptions::default());
        assert!(cards.iter().all(|c| c.rule != Rule::ConversionChange));
    }

    #[test]
    fn periods_just_under_the_minimum_visits_make_no_value_card() {
        let tiny = |purchases: u64| {
            let mut site = Site::default();
            site.visits("/", 0, MIN_VISITS - 1, None, &onward("/buy"));
            for _ in 0..purchases {
                site.event(
                    "/buy",
                    &Event::Goal { name: "purchase".into(), value: None, props: vec![] },
                );
            }
            site
        };
        assert_eq!(conversion_cards(&tiny(2), &tiny(40)), vec![]);
    }
}
