//! [`Rule::ConversionChange`]: a goal's conversion per visit changed since the previous period.

use std::fmt::Write;

use super::{percent, percent_precise};
use crate::insights::discoveries::Tests;
use crate::insights::stats::{two_proportion_z, Confidence, Test};
use crate::insights::{
    Counts, Evidence, Finding, InsightCard, Rule, Unit, MIN_LEAVES, MIN_LEVEL, MIN_RELATIVE_CHANGE,
    MIN_VISITS,
};
use crate::privacy::OTHER;
use crate::summary::{goal_rows, ratio, MergedPage, MergedRange, SummaryOptions};

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
    if now.engagement.entries < MIN_VISITS || before.engagement.entries < MIN_VISITS {
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
        let x1 = completions.completions.min(now.engagement.entries);
        let x2 = earlier_count.min(before.engagement.entries);
        let Some(z) = two_proportion_z(x1, now.engagement.entries, x2, before.engagement.entries)
        else {
            continue;
        };
        let (Some(rate), Some(old)) =
            (ratio(x1, now.engagement.entries), ratio(x2, before.engagement.entries))
        else {
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
        let fell = rate < old;
        let verb = if fell { "fell" } else { "rose" };
        let mut statement = format!(
            "Conversions to \"{name}\" {verb} from {} to {} of visits since the previous \
             period{worth}.",
            percent_precise(old),
            percent_precise(rate),
        );
        let mut evidence = vec![
            Evidence::share(
                "conversions per visit",
                Counts { count: x1, of: now.engagement.entries },
            )
            .against_share(Counts { count: x2, of: before.engagement.entries }, "previous period"),
            Evidence::new("value", completions.value, Unit::Value, completions.completions),
        ];
        let action = match exit_trace(current, previous, name, fell, options) {
            Some(step) => {
                // A step has MIN_LEAVES leaves in each period: its shares are defined.
                let exits = format!(
                    "the exit rate of {} went from {} to {}",
                    step.path,
                    percent(step.before.share().unwrap_or(0.0)),
                    percent(step.now.share().unwrap_or(0.0))
                );
                let _ = write!(statement, " With it, {exits}.");
                evidence.push(
                    Evidence::share(&format!("exit rate of {}", step.path), step.now)
                        .against_share(step.before, "previous period"),
                );
                if fell {
                    format!(
                        "Start with {}: {exits}. Check what changed on it since the previous \
                         period: its form, its prices, its speed, what links to it.",
                        step.path
                    )
                } else {
                    format!(
                        "Find what changed on {} since the previous period ({exits}) and keep \
                         it.",
                        step.path
                    )
                }
            }
            None if fell => "Check what changed on the way to this goal since the previous \
                             period: pages, prices, forms, campaigns."
                .to_owned(),
            None => "Find what drove the rise (a campaign, a page, a price) and do more of it."
                .to_owned(),
        };
        let finding =
            Finding { statement, evidence, confidence, action, effect_size: (rate - old).abs() };
        cards.push(InsightCard::new(
            Rule::ConversionChange,
            None,
            current,
            current.site_visitors(),
            finding,
        ));
    }
    cards
}

/// A page on the way to a goal whose exit rate moved with the goal's conversion.
struct Step {
    path: String,
    before: Counts,
    now: Counts,
}

/// The step whose figures changed with a goal's conversion: of the pages where `goal` is
/// reached in either period and the pages visitors most often reach those from, the one whose
/// exit rate rose (the conversion `fell`) or fell (it rose) the most at [`MIN_LEVEL`]. Each
/// needs [`MIN_LEAVES`] leaves and k visitors in both periods.
fn exit_trace(
    current: &MergedRange,
    previous: &MergedRange,
    goal: &str,
    fell: bool,
    options: &SummaryOptions,
) -> Option<Step> {
    let reached = |range: &MergedRange| -> Vec<String> {
        range
            .pages()
            .iter()
            .filter(|p| p.activity().goals.top(usize::MAX).iter().any(|g| g.key == goal))
            .flat_map(|p| {
                let before = p.activity().previous_pages.top(3).into_iter().map(|e| e.key);
                std::iter::once(p.path.clone()).chain(before)
            })
            .collect()
    };
    let mut paths = reached(current);
    paths.extend(reached(previous));
    paths.sort();
    paths.dedup();
    let shown = |page: &MergedPage| {
        page.path != OTHER
            && page.visitors >= options.k
            && page.activity().engagement.leaves >= MIN_LEAVES
    };
    paths
        .into_iter()
        .filter_map(|path| {
            let now = current.page(&path).filter(|p| shown(p))?.activity();
            let before = previous.page(&path).filter(|p| shown(p))?.activity();
            let z = two_proportion_z(
                now.engagement.exits,
                now.engagement.leaves,
                before.engagement.exits,
                before.engagement.leaves,
            )?;
            let level = Confidence::of(Test::TwoProportionZ, z)?.level;
            let toward = if fell { z > 0.0 } else { z < 0.0 };
            let step = Step {
                before: Counts { count: before.engagement.exits, of: before.engagement.leaves },
                now: Counts { count: now.engagement.exits, of: now.engagement.leaves },
                path,
            };
            (toward && level >= MIN_LEVEL).then_some((z.abs(), step))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, step)| step)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::find_insights;
    use crate::insights::testing::{background, views};
    use crate::insights::InsightKind;
    use crate::summary::testing::{day, exit_after, onward, Site};
    use tacit_beacon::signal::{Entry, Event, View};

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

    /// The background with 150 views of /signup from /pricing, `exits` of which end the visit,
    /// and `signups` goals reached there.
    fn signup(exits: u64, signups: u64) -> Site {
        let mut site = background();
        views(&mut site, "/signup", 0, exits, Some("/pricing"), &exit_after(5_000));
        views(&mut site, "/signup", exits, 150 - exits, Some("/pricing"), &onward("/"));
        let goal = Event::Goal { name: "signup".into(), value: None, props: vec![] };
        (0..signups).for_each(|_| site.event("/signup", &goal));
        site
    }

    #[test]
    fn a_conversion_fall_is_traced_to_the_step_whose_exit_rate_rose_with_it() {
        let found = conversion_cards(&signup(126, 10), &signup(70, 40));
        assert_eq!(found.len(), 1, "{found:?}");
        let card = &found[0];
        let traced = "the exit rate of /signup went from 47 % to 84 %";
        assert!(card.statement.contains(traced), "{}", card.statement);
        assert!(card.action.starts_with("Start with /signup"), "{}", card.action);
        assert_eq!(card.evidence.last().unwrap().measure, "exit rate of /signup");
    }

    #[test]
    fn a_conversion_fall_whose_steps_held_steady_names_no_step() {
        let found = conversion_cards(&signup(72, 10), &signup(70, 40));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(!found[0].statement.contains("exit rate"), "{}", found[0].statement);
        assert!(found[0].action.starts_with("Check what changed"), "{}", found[0].action);
    }

    #[test]
    fn a_step_seen_by_fewer_than_k_visitors_is_not_named() {
        // The same views of /signup, by four visitors only: under the default k of 5.
        let few = |exits: u64, signups: u64| {
            let mut site = background();
            let view = View {
                entry: Entry::NotEntry,
                previous: Some("/pricing".into()),
                ..View::sample()
            };
            for v in 0..150 {
                site.view("/signup", v % 4, &view);
                site.leave("/signup", &if v < exits { exit_after(5_000) } else { onward("/") });
            }
            let goal = Event::Goal { name: "signup".into(), value: None, props: vec![] };
            (0..signups).for_each(|_| site.event("/signup", &goal));
            site
        };
        let found = conversion_cards(&few(126, 10), &few(70, 40));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(!found[0].statement.contains("/signup"), "{}", found[0].statement);
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
