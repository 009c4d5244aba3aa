//! [`Rule::Loyalty`]: the share of returning visits changed since the previous period.

use super::percent;
use crate::insights::discoveries::Tests;
use crate::insights::stats::{two_proportion_z, Confidence, Test};
use crate::insights::{
    Counts, Evidence, Finding, InsightCard, Rule, Unit, MIN_DIFFERENCE, MIN_LEVEL, MIN_VISITS,
};
use crate::summary::{ratio, MergedRange, SummaryOptions};
use tacit_aggregate::engagement::KnownVisits;
use tacit_aggregate::segments::Segment;

/// The share of returning visits among the visits whose visitor agreed to journey linking
/// (the only ones whose first or returning visit is known), when it changed by at least
/// [`MIN_DIFFERENCE`] at [`MIN_LEVEL`]. The card states the coverage: the share of all visits
/// those known visits are.
///
/// Minimum: [`MIN_VISITS`] known visits in each period, and k returning and k first visits in
/// each (a smaller group is not described). The card also names the channel group whose known
/// visits return most, among those with [`MIN_VISITS`] known visits and k returning ones (the
/// channel segments keep their known visits).
pub(in crate::insights) fn loyalty(
    current: &MergedRange,
    previous: &MergedRange,
    options: &SummaryOptions,
    tests: &Tests,
) -> Option<InsightCard> {
    let (now, before) =
        (current.site().engagement.known_visits, previous.site().engagement.known_visits);
    let large_enough = |known: KnownVisits| {
        known.total() >= MIN_VISITS && known.returning.min(known.first) >= options.k
    };
    if !large_enough(now) || !large_enough(before) {
        return None;
    }
    tests.run();
    let counts = |known: KnownVisits| Counts { count: known.returning, of: known.total() };
    let z = two_proportion_z(now.returning, now.total(), before.returning, before.total())?;
    let (share, was) =
        (ratio(now.returning, now.total())?, ratio(before.returning, before.total())?);
    let confidence = Confidence::of(Test::TwoProportionZ, z)?;
    if confidence.level < MIN_LEVEL || (share - was).abs() < MIN_DIFFERENCE {
        return None;
    }
    let entries = current.site().engagement.entries;
    let coverage = ratio(now.total(), entries)?;
    let verb = if share < was { "fell" } else { "rose" };
    let statement = format!(
        "The share of returning visits {verb} from {} to {} since the previous period, among \
         the {} of visits ({} of {}) whose visitors agreed to journey linking.",
        percent(was),
        percent(share),
        percent(coverage),
        now.total(),
        entries,
    );
    let action = if share < was {
        "Fewer visitors come back: check what used to bring them back (a newsletter, new \
         content, an account area, reminders) and whether it still reaches them."
    } else {
        "More visitors come back: find what brings them (new content, a newsletter, a \
         feature they use) and keep it up."
    }
    .to_owned();
    let evidence = vec![
        Evidence::share("returning share of known visits", counts(now))
            .against_share(counts(before), "previous period"),
        Evidence::new("returning visits", now.returning as f64, Unit::Count, now.total())
            .against(before.returning as f64, "previous period"),
        Evidence::share("journey-consent coverage", Counts { count: now.total(), of: entries }),
    ];
    let mut statement = statement;
    let mut evidence = evidence;
    if let Some((segment, known)) = most_returning_channel(current, options.k) {
        let channel_share = ratio(known.returning, known.total())?;
        statement.push_str(&format!(
            " {} visitors return most: {} of their known visits.",
            segment.label(),
            percent(channel_share)
        ));
        evidence.push(
            Evidence::share(
                &format!("returning share of {} visits", segment.label()),
                counts(known),
            )
            .against_share(counts(now), "all known visits"),
        );
    }
    let visitors_affected = (current.site_visitors() as f64 * coverage).round() as u64;
    let finding =
        Finding { statement, evidence, confidence, action, effect_size: (share - was).abs() };
    Some(InsightCard::new(Rule::Loyalty, None, current, visitors_affected, finding))
}

/// The channel group whose entries under journey consent return most, with enough of them.
fn most_returning_channel(range: &MergedRange, k: u64) -> Option<(Segment, KnownVisits)> {
    range
        .site_segments()
        .iter()
        .filter(|(segment, _)| matches!(segment, Segment::Channel(Some(_))))
        .map(|(segment, traffic)| (segment, traffic.engagement.known_visits))
        .filter(|(_, known)| known.total() >= MIN_VISITS && known.returning >= k.max(1))
        .max_by(|(_, a), (_, b)| {
            let share = |known: &KnownVisits| known.returning as f64 / known.total() as f64;
            share(a).total_cmp(&share(b))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::find_insights;
    use crate::insights::testing::{background, BACKGROUND};
    use crate::insights::InsightKind;
    use crate::summary::testing::{day, leave_of, onward, Site};
    use tacit_beacon::signal::{Entry, Leave, View};

    /// The background site with `first` and `returning` known visits to `/`.
    fn site(first: u64, returning: u64) -> Site {
        let mut site = background();
        let leave = Leave { entry: Entry::Entry, ..onward("/docs") };
        let mut visit = |n: u64, entry: Entry| {
            site.view("/", n, &View { entry, ..View::sample() });
            site.leave("/", &leave);
        };
        (0..first).for_each(|n| visit(2 * BACKGROUND + n, Entry::FirstVisit));
        (0..returning).for_each(|n| visit(3 * BACKGROUND + n, Entry::Returning));
        site
    }

    fn loyalty_cards(now: &Site, before: &Site, options: &SummaryOptions) -> Vec<InsightCard> {
        let (current, previous) = (now.range(day("2026-11-23")), before.range(day("2026-11-22")));
        let mut cards = find_insights(&current, Some(&previous), options);
        cards.retain(|card| card.rule == Rule::Loyalty);
        cards
    }

    // 30/200 against 70/200 known visits: pooled 0.25, z = −4.6.
    #[test]
    fn fewer_returning_visits_than_in_the_previous_period_is_a_loyalty_card() {
        let found = loyalty_cards(&site(170, 30), &site(130, 70), &SummaryOptions::default());
        assert_eq!(found.len(), 1, "{found:?}");
        let card = &found[0];
        assert_eq!(card.kind, InsightKind::Value);
        assert!(card.statement.contains("fell from 35 % to 15 %"), "{}", card.statement);
        // 200 known visits of 500: the background's 300 have no journey consent.
        assert!(card.statement.contains("the 40 % of visits (200 of 500)"), "{}", card.statement);
        assert!(card.action.starts_with("Fewer"), "{}", card.action);
    }

    #[test]
    fn the_loyalty_card_names_the_channel_whose_visitors_return_most() {
        let mut now = site(170, 30);
        let social = View { referrer: Some("t.co".into()), ..View::sample() };
        let leave = Leave { entry: Entry::Entry, ..onward("/docs") };
        for (n, entry) in
            (0..60).map(|n| (n, if n < 45 { Entry::Returning } else { Entry::FirstVisit }))
        {
            now.view("/", 5 * BACKGROUND + n, &View { entry, ..social.clone() });
            now.leave("/", &leave_of(&View { entry, ..social.clone() }, &leave));
        }
        let found = loyalty_cards(&now, &site(130, 170), &SummaryOptions::default());
        assert_eq!(found.len(), 1, "{found:?}");
        let card = &found[0];
        assert!(
            card.statement.contains("Social visitors return most: 75 % of their known visits"),
            "{}",
            card.statement
        );
        let channel = card.evidence.last().unwrap();
        assert_eq!(channel.counts, Some(Counts { count: 45, of: 60 }));
    }

    // 600/2,000 against 780/2,000: z = −6.0, but 9 points apart.
    #[test]
    fn a_returning_share_under_ten_points_from_the_previous_periods_makes_no_loyalty_card() {
        let found = loyalty_cards(&site(1_400, 600), &site(1_220, 780), &SummaryOptions::default());
        assert_eq!(found, vec![]);
    }

    #[test]
    fn a_returning_share_like_the_previous_periods_makes_no_loyalty_card() {
        let found = loyalty_cards(&site(130, 70), &site(135, 65), &SummaryOptions::default());
        assert_eq!(found, vec![]);
    }

    #[test]
    fn too_few_known_visits_make_no_loyalty_card() {
        let found = loyalty_cards(&site(40, 9), &site(30, 19), &SummaryOptions::default());
        assert_eq!(found, vec![]);
    }

    #[test]
    fn a_returning_group_smaller_than_k_is_not_described() {
        let options = SummaryOptions { k: 40, ..SummaryOptions::default() };
        let found = loyalty_cards(&site(170, 30), &site(130, 70), &options);
        assert_eq!(found, vec![]);
    }
}
