//! [`Rule::ChannelEngagement`]: a channel whose visits engage far more or far less than the
//! site's.

use super::percent;
use crate::insights::discoveries::Tests;
use crate::insights::stats::{two_proportion_z, Confidence, Test};
use crate::insights::{
    Counts, Evidence, Finding, InsightCard, Rule, MIN_CHANNEL_RATIO, MIN_DIFFERENCE, MIN_LEVEL,
    MIN_VISITS,
};
use crate::privacy::OTHER;
use crate::summary::{channel_rows, ratio, MergedRange, SummaryOptions};

/// A channel whose engagement (engaged visits over entries) is far above the site's (invest
/// here) or far below (check what it promises).
///
/// Far: [`MIN_DIFFERENCE`] and a factor of [`MIN_CHANNEL_RATIO`] from the site's rate, and a
/// test against the rest of the site at [`MIN_LEVEL`], with the channel's top-k counts taken at
/// the end of their error interval that works against the finding. Minimum: [`MIN_VISITS`]
/// entries, and the channel must be shown in the site's folded channel breakdown.
pub(in crate::insights) fn channel_engagement(
    range: &MergedRange,
    options: &SummaryOptions,
    tests: &Tests,
) -> Vec<InsightCard> {
    let site = range.site();
    let shown: Vec<String> = channel_rows(site, range.site_visitors_per_view(), options)
        .into_iter()
        .map(|row| row.label)
        .filter(|c| c != OTHER)
        .collect();
    let engaged: Vec<_> = site.engaged_channels.top(usize::MAX);
    let visitors_per_entry =
        ratio(range.site_visitors(), site.engagement.entries).map_or(1.0, |r| r.min(1.0));
    let site_rate = ratio(site.engagement.engaged_visits, site.engagement.entries);
    let mut cards = Vec::new();
    for entry in site.entry_channels.top(usize::MAX) {
        if !shown.contains(&entry.key) || entry.count.saturating_sub(entry.max_error) < MIN_VISITS {
            continue;
        }
        tests.run();
        let (engaged_count, engaged_error) =
            engaged.iter().find(|e| e.key == entry.key).map_or((0, 0), |e| (e.count, e.max_error));
        // The test is against the rest of the site (disjoint groups); the effect floors are
        // against the whole site, so that one channel far off the others does not make all
        // the others "far" the other way.
        let baseline_of = |x: u64, n: u64| {
            let (rest_x, rest_n) = (
                site.engagement.engaged_visits.saturating_sub(x),
                site.engagement.entries.saturating_sub(n),
            );
            Some((two_proportion_z(x, n, rest_x, rest_n)?, ratio(x, n)?, site_rate?))
        };
        // Above: fewest engaged visits, most entries. Below: the opposite.
        let entries_high = entry.count;
        let entries_low = entry.count.saturating_sub(entry.max_error);
        let engaged_low = engaged_count.saturating_sub(engaged_error).min(entries_high);
        let engaged_high = engaged_count.min(entries_low);
        let above = baseline_of(engaged_low, entries_high).filter(|&(z, rate, rest)| {
            z > 0.0 && rate - rest >= MIN_DIFFERENCE && rate >= rest * MIN_CHANNEL_RATIO
        });
        let below = baseline_of(engaged_high, entries_low).filter(|&(z, rate, rest)| {
            z < 0.0 && rest - rate >= MIN_DIFFERENCE && rate * MIN_CHANNEL_RATIO <= rest
        });
        let Some(((z, rate, rest), is_above)) =
            above.map(|a| (a, true)).or_else(|| below.map(|b| (b, false)))
        else {
            continue;
        };
        let Some(confidence) = Confidence::of(Test::TwoProportionZ, z) else { continue };
        if confidence.level < MIN_LEVEL {
            continue;
        }
        let channel = &entry.key;
        let statement = format!(
            "Visitors from {channel} engage far {} than the rest: {} of their visits are \
             engaged, against {} site-wide.",
            if is_above { "more" } else { "less" },
            percent(rate),
            percent(rest),
        );
        let action = if is_above {
            format!(
                "Invest in {channel}: more of the same content, placement or campaign, and look \
                 at what its visitors find that others do not."
            )
        } else {
            format!(
                "Check what {channel} promises and where it lands visitors; fix the landing page \
                 or the targeting before spending more on it."
            )
        };
        let counts = if is_above {
            Counts { count: engaged_low, of: entries_high }
        } else {
            Counts { count: engaged_high, of: entries_low }
        };
        let site_counts =
            Counts { count: site.engagement.engaged_visits, of: site.engagement.entries };
        let evidence =
            vec![Evidence::share("engagement rate", counts).against_share(site_counts, "site")];
        let visitors_affected = (entries_high as f64 * visitors_per_entry).round() as u64;
        let effect_size = (rate - rest).abs();
        let finding = Finding { statement, evidence, confidence, action, effect_size };
        cards.push(InsightCard::new(
            Rule::ChannelEngagement,
            None,
            range,
            visitors_affected,
            finding,
        ));
    }
    cards
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::testing::{background, cards};
    use crate::summary::testing::{bounce, onward};

    #[test]
    fn a_channel_engaging_far_above_the_site_is_worth_investing_in() {
        let mut site = background();
        site.visits("/", 0, 100, Some("partner.example"), &onward("/docs"));
        let found = cards(&site, Rule::ChannelEngagement);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].statement.contains("partner.example"));
        assert!(found[0].action.starts_with("Invest"), "{}", found[0].action);
        assert_eq!(found[0].page, None);
    }

    #[test]
    fn a_channel_engaging_far_below_the_site_is_worth_checking() {
        let mut site = background();
        site.visits("/", 0, 60, Some("spam.example"), &bounce());
        let found = cards(&site, Rule::ChannelEngagement);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].statement.contains("spam.example"));
        assert!(found[0].action.starts_with("Check"), "{}", found[0].action);
    }

    #[test]
    fn a_channel_engaging_like_the_site_makes_no_card() {
        let mut site = background();
        site.visits("/", 0, 70, Some("partner.example"), &onward("/docs"));
        site.visits("/", 70, 30, Some("partner.example"), &bounce());
        assert_eq!(cards(&site, Rule::ChannelEngagement), vec![]);
    }

    #[test]
    fn a_channel_just_under_the_minimum_entries_makes_no_card() {
        let mut site = background();
        site.visits("/", 0, MIN_VISITS - 1, Some("partner.example"), &onward("/docs"));
        assert_eq!(cards(&site, Rule::ChannelEngagement), vec![]);
    }
}
