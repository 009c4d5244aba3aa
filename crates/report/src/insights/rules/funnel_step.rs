//! [`Rule::FunnelStep`]: the step of a funnel that loses the most visits, and the device class
//! or channel group that drops out there far more than the other visits.

use super::percent;
use super::segment_gap::a_device;
use crate::insights::discoveries::Tests;
use crate::insights::stats::{two_proportion_z, Confidence, Test};
use crate::insights::{
    Counts, Evidence, Finding, InsightCard, Rule, MIN_DIFFERENCE, MIN_LEVEL, MIN_VISITORS,
};
use crate::privacy::OTHER;
use crate::summary::{DropRow, FunnelSummary, Funnels, MergedRange, SummaryOptions};
use tacit_aggregate::segments::Segment;
use tacit_beacon::funnel::GOAL_PREFIX;

/// One card per funnel at most: at the step after which most visits leave (see
/// [`FunnelSummary::biggest_drop`]), the device class or channel group whose visits drop out
/// there most in excess of the other visits, by a two-proportion z-test (one test per segment
/// shown), when the difference is at least [`MIN_DIFFERENCE`] at [`MIN_LEVEL`].
///
/// Minimum: [`MIN_VISITORS`] visits of the segment and as many of the rest reached the step, and
/// the segment has k visitors there (a folded row is never named).
pub(in crate::insights) fn funnel_steps(
    current: &MergedRange,
    options: &SummaryOptions,
    tests: &Tests,
) -> Vec<InsightCard> {
    let funnels = Funnels::new(current, &options.funnels, options.k);
    funnels.funnels.iter().filter_map(|funnel| funnel_step(funnel, current, tests)).collect()
}

fn funnel_step(
    funnel: &FunnelSummary,
    current: &MergedRange,
    tests: &Tests,
) -> Option<InsightCard> {
    let drop = funnel.biggest_drop.as_ref()?;
    let reached = funnel.steps[drop.after_step - 1].visits?;
    let step = &funnel.steps[drop.after_step - 1].step;
    let next = &funnel.steps.get(drop.after_step)?.step;
    // The segment whose drop rate is most in excess of the rest of its dimension's.
    let tested = drop.devices.iter().chain(&drop.channels).filter_map(|row| {
        if row.segment == OTHER || row.reached < MIN_VISITORS {
            return None;
        }
        let rest = Counts {
            count: drop.visits.saturating_sub(row.visits),
            of: reached.saturating_sub(row.reached),
        };
        if rest.of < MIN_VISITORS {
            return None;
        }
        tests.run();
        let z = two_proportion_z(row.visits, row.reached, rest.count, rest.of)?;
        let rate = row.drop_rate?;
        let difference = rate - rest.share()?;
        let confidence = Confidence::of(Test::TwoProportionZ, z)?;
        (z > 0.0 && confidence.level >= MIN_LEVEL && difference >= MIN_DIFFERENCE)
            .then_some((row, rest, confidence, difference))
    });
    let (row, rest, confidence, difference) =
        tested.max_by(|a, b| a.2.statistic.total_cmp(&b.2.statistic))?;
    let segment_counts = Counts { count: row.visits, of: row.reached };
    let statement = format!(
        "In the funnel \"{name}\", {lost} of the {reached} visits that reached {step} went no \
         further; {label} visits dropped out there {rate} of the time ({count} of {of}), \
         against {rest_rate} of the others.",
        name = funnel.name,
        lost = drop.visits,
        step = step_name(step),
        label = segment_label(row),
        rate = percent(row.drop_rate?),
        count = row.visits,
        of = row.reached,
        rest_rate = percent(rest.share()?),
    );
    let action = if let Ok(Segment::Device(device)) = Segment::parse(&row.segment) {
        format!(
            "Go from {} to {} on {} yourself: the next step may be hard to find, reach or use \
             there.",
            step_name(step),
            step_name(next),
            a_device(device),
        )
    } else {
        format!(
            "Compare what {} visitors were promised with what {} asks of them, and whether \
             they still need a step the others have already taken.",
            row.label,
            step_name(next),
        )
    };
    let evidence = vec![
        Evidence::share(
            &format!("{} visits lost after {}", row.label, step_name(step)),
            segment_counts,
        )
        .against_share(rest, "other visits"),
        Evidence::share(
            &format!("visits lost after {}", step_name(step)),
            Counts { count: drop.visits, of: reached },
        ),
    ];
    let finding = Finding { statement, evidence, confidence, action, effect_size: difference };
    Some(InsightCard::new(Rule::FunnelStep, None, current, row.visits, finding))
}

/// A step as a sentence names it: a path, or "the goal …".
fn step_name(step: &str) -> String {
    match step.strip_prefix(GOAL_PREFIX) {
        Some(goal) => format!("the goal \"{goal}\""),
        None => step.to_owned(),
    }
}

fn segment_label(row: &DropRow) -> String {
    if row.segment.starts_with("device:") {
        row.label.to_lowercase()
    } else {
        row.label.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::find_insights;
    use crate::insights::InsightKind;
    use crate::summary::testing::{day, Site};
    use tacit_aggregate::segments::SegmentKey;
    use tacit_aggregate::settings::Funnel;
    use tacit_aggregate::VisitorHash;
    use tacit_beacon::agent::DeviceClass;
    use tacit_beacon::funnel::VisitEntry;

    fn signup() -> Funnel {
        let steps = ["/pricing", "/signup", "goal:Signed up"].map(String::from).to_vec();
        Funnel { name: "Signup".into(), steps, since: day("2026-11-01") }
    }

    /// A site whose visits went through `signup`: per group, how many visits, on what device,
    /// from where, and how many steps each reached.
    fn site(groups: &[(u64, DeviceClass, Option<&str>, u8)]) -> Site {
        let mut site = Site::default();
        let mut n = 0u64;
        for &(visits, device, referrer, steps) in groups {
            for _ in 0..visits {
                n += 1;
                let entry =
                    VisitEntry { referrer: referrer.map(Into::into), ..VisitEntry::default() };
                let key = SegmentKey::of_funnel(&entry, device, None);
                let visitor = VisitorHash::from_u64(n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
                for step in 1..=steps {
                    site.site.record_funnel_step(signup().id(), step, visitor, key);
                }
            }
        }
        site
    }

    fn funnel_cards(site: &Site, k: u64) -> Vec<InsightCard> {
        let options = SummaryOptions { k, funnels: vec![signup()], ..SummaryOptions::default() };
        let mut cards = find_insights(&site.range(day("2026-11-23")), None, &options);
        cards.retain(|card| card.rule == Rule::FunnelStep);
        cards
    }

    const MOBILE: DeviceClass = DeviceClass::Mobile;
    const DESKTOP: DeviceClass = DeviceClass::Desktop;

    #[test]
    fn the_segment_that_drops_out_most_at_the_biggest_drop_is_a_funnel_card() {
        // At /signup: mobile visits drop 54 of 60, desktop 20 of 80.
        let found = funnel_cards(
            &site(&[
                (54, MOBILE, None, 2),
                (6, MOBILE, None, 3),
                (20, DESKTOP, None, 2),
                (60, DESKTOP, None, 3),
                (30, DESKTOP, None, 1),
            ]),
            5,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        let card = &found[0];
        assert_eq!(card.kind, InsightKind::Journey);
        assert!(
            card.statement.contains("74 of the 140 visits that reached /signup"),
            "{}",
            card.statement
        );
        assert!(
            card.statement.contains("mobile visits dropped out there 90 % of the time (54 of 60)"),
            "{}",
            card.statement
        );
        assert!(card.action.contains("on a phone"), "{}", card.action);
        assert_eq!(card.evidence[0].counts, Some(Counts { count: 54, of: 60 }));
        assert_eq!(card.evidence[0].baseline_counts, Some(Counts { count: 20, of: 80 }));
        assert_eq!(card.view.link, "summary?from=2026-11-23&to=2026-11-23");
    }

    #[test]
    fn a_drop_shared_alike_by_every_segment_makes_no_funnel_card() {
        let found = funnel_cards(
            &site(&[
                (30, MOBILE, None, 2),
                (30, MOBILE, None, 3),
                (40, DESKTOP, None, 2),
                (40, DESKTOP, None, 3),
            ]),
            5,
        );
        assert_eq!(found, vec![]);
    }

    #[test]
    fn a_segment_under_the_minimum_visits_makes_no_funnel_card() {
        let found = funnel_cards(
            &site(&[
                (MIN_VISITORS - 1, MOBILE, None, 2),
                (60, DESKTOP, None, 2),
                (60, DESKTOP, None, 3),
            ]),
            5,
        );
        assert_eq!(found, vec![]);
    }

    #[test]
    fn a_segment_folded_under_k_is_never_named() {
        // The mobile visits (60 of 160 visitors) are folded with k = 80; so is the step.
        let groups = [
            (54, MOBILE, Some("t.co"), 2),
            (6, MOBILE, Some("t.co"), 3),
            (20, DESKTOP, None, 2),
            (80, DESKTOP, None, 3),
        ];
        assert_eq!(funnel_cards(&site(&groups), 5).len(), 1);
        assert_eq!(funnel_cards(&site(&groups), 80), vec![]);
    }
}
