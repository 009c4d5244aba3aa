//! [`Rule::Mismatch`]: visitors who land on a page leave it quickly.

use std::fmt::Write;

use super::{duration, percent, PageContext};
use crate::insights::stats::{engaged_time, higher_than_rest, Time};
use crate::insights::{Counts, Evidence, Finding, InsightCard, Rule, MIN_VISITS};
use crate::privacy::OTHER;
use crate::summary::{channel_rows, ratio, ChannelVisits, Row};
use tacit_beacon::signal::DIRECT_CHANNEL;

/// High bounce rate + short engaged time on a landing page: what brought visitors is not what
/// they found; names the channel whose bounces most exceed what its share of the page's visits
/// would give ([`excess_bouncer`]), and advises about links and ads only for a channel that
/// has them (never for direct visits).
///
/// Minimum: [`MIN_VISITS`] visits that ended (bounced or engaged) and
/// [`MIN_VISITORS`](crate::insights::MIN_VISITORS) visitors. The channel is named only if it is
/// shown in the page's folded channel breakdown.
pub(super) fn mismatch(c: &PageContext) -> Option<InsightCard> {
    let a = c.page.activity();
    let ended = a.engagement.bounces + a.engagement.engaged_visits;
    if ended < MIN_VISITS {
        return None;
    }
    c.tests.run();
    let site_ended = c.site.engagement.bounces + c.site.engagement.engaged_visits;
    let (bounce_test, bounces, rest_bounces) =
        higher_than_rest(a.engagement.bounces, ended, c.site.engagement.bounces, site_ended)?;
    let (rate, rest) = (bounces.share()?, rest_bounces.share()?);
    let Time::Short(time_test) = engaged_time(a, c.site_median) else {
        return None;
    };
    let median = a.engagement.engaged_time_ms.quantile(0.5)?;
    let path = &c.page.path;
    let channels = channel_rows(a, c.page.visitors_per_view(), c.options);
    let driver = excess_bouncer(&channels, a.engagement.entries, a.engagement.engaged_visits);
    let mut statement = format!(
        "Visitors who land on {path} leave quickly: {} of its visits bounce, against {} \
         elsewhere, after a median {} engaged (site {}).",
        percent(rate),
        percent(rest),
        duration(median),
        duration(c.site_median?),
    );
    let mut evidence = vec![
        Evidence::share("bounce rate", bounces).against_share(rest_bounces, "rest of site"),
        c.median_evidence()?,
    ];
    let action = match driver {
        Some(row) => {
            let (channel, visits) = (&row.label, &row.figures);
            let share = visits.entries as f64 / a.engagement.entries as f64;
            let engaged = Counts { count: visits.engaged_visits, of: visits.entries };
            let page_engaged =
                Counts { count: a.engagement.engaged_visits, of: a.engagement.entries };
            let (engagement, page_engagement) = (engaged.share()?, page_engaged.share()?);
            let _ = write!(
                statement,
                " Bounces come from {channel} beyond its share: {} of the visits, {} of them \
                 engaged against {} of all the page's.",
                percent(share),
                percent(engagement),
                percent(page_engagement),
            );
            evidence.push(
                Evidence::share(&format!("engagement from {channel}"), engaged)
                    .against_share(page_engaged, "all visits to the page"),
            );
            if channel == DIRECT_CHANNEL {
                // Direct visits come with no link or ad to compare with: typed addresses,
                // bookmarks, apps and mail clients that send no referrer.
                format!(
                    "Check what {path} shows first against what people who type its address or \
                     keep it bookmarked come back for; its direct visitors leave it quickly."
                )
            } else {
                format!(
                    "Compare what {channel} promises (the link, the ad, the snippet) with what \
                     {path} shows first, and make them match."
                )
            }
        }
        None => {
            statement.push_str(" What brought them is not what they found.");
            format!("Check what {path} shows first against what brings its visitors to it.")
        }
    };
    let confidence = bounce_test.weaker(time_test);
    Some(c.card(
        Rule::Mismatch,
        Finding { statement, evidence, confidence, action, effect_size: rate - rest },
    ))
}

/// The channel whose bounces (entries not engaged) most exceed what its share of the page's
/// `entries` would give at the page's own rate; `None` when no channel bounces more than that.
/// The channel that brings the most bounces is usually just the biggest one.
fn excess_bouncer(
    channels: &[Row<ChannelVisits>],
    entries: u64,
    engaged_visits: u64,
) -> Option<&Row<ChannelVisits>> {
    let bounce_share = ratio(entries.saturating_sub(engaged_visits), entries)?;
    let excess = |row: &Row<ChannelVisits>| {
        let bounced = row.figures.entries.saturating_sub(row.figures.engaged_visits) as f64;
        bounced - row.figures.entries as f64 * bounce_share
    };
    channels
        .iter()
        .filter(|row| row.label != OTHER && excess(row) > 0.0)
        .max_by(|a, b| excess(a).total_cmp(&excess(b)).then_with(|| b.label.cmp(&a.label)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::testing::{background, cards, pages_of};
    use crate::insights::InsightKind;
    use crate::summary::testing::{bounce, exit_after, onward};

    #[test]
    fn a_landing_page_left_quickly_is_a_mismatch_and_names_the_channel() {
        let mut site = background();
        site.visits("/offer", 0, 150, Some("ads.example"), &bounce());
        site.visits("/offer", 150, 20, None, &exit_after(15_000));
        let found = cards(&site, Rule::Mismatch);
        assert_eq!(pages_of(&found), vec![Some("/offer")]);
        assert!(found[0].statement.contains("ads.example"), "{}", found[0].statement);
        assert_eq!(found[0].kind, InsightKind::Need);
    }

    #[test]
    fn a_landing_page_that_engages_like_the_site_is_no_mismatch() {
        let mut site = background();
        site.visits("/offer", 0, 100, Some("ads.example"), &onward("/docs"));
        site.visits("/offer", 100, 50, None, &bounce());
        assert_eq!(cards(&site, Rule::Mismatch), vec![]);
    }

    #[test]
    fn a_landing_page_just_under_the_minimum_visits_makes_no_mismatch_card() {
        let mut site = background();
        site.visits("/offer", 0, MIN_VISITS - 1, Some("ads.example"), &bounce());
        assert_eq!(cards(&site, Rule::Mismatch), vec![]);
    }

    // Regression: the card named the channel with the most bounces, the biggest one, here
    // (direct), which engaged better than the page's average, and advised about its "link" and
    // "ad".
    #[test]
    fn regression_mismatch_named_the_biggest_channel_instead_of_the_one_bouncing_in_excess() {
        let mut site = background();
        site.visits("/offer", 0, 120, None, &bounce());
        site.visits("/offer", 120, 80, None, &onward("/docs"));
        site.visits("/offer", 200, 78, Some("ads.example"), &bounce());
        site.visits("/offer", 278, 2, Some("ads.example"), &onward("/docs"));
        let found = cards(&site, Rule::Mismatch);
        assert_eq!(pages_of(&found), vec![Some("/offer")]);
        assert!(found[0].statement.contains("from ads.example"), "{}", found[0].statement);
        assert!(!found[0].statement.contains("(direct)"), "{}", found[0].statement);
        assert!(found[0].action.contains("ads.example"), "{}", found[0].action);
    }

    #[test]
    fn a_mismatch_driven_by_direct_visits_never_advises_about_a_link_or_an_ad() {
        let mut site = background();
        site.visits("/offer", 0, 150, None, &bounce());
        site.visits("/offer", 150, 100, Some("search.example"), &onward("/docs"));
        let found = cards(&site, Rule::Mismatch);
        assert_eq!(pages_of(&found), vec![Some("/offer")]);
        assert!(found[0].statement.contains("from (direct)"), "{}", found[0].statement);
        let action = found[0].action.to_lowercase();
        let words: Vec<&str> = action.split(|c: char| !c.is_alphanumeric()).collect();
        assert!(!words.iter().any(|w| ["link", "links", "ad", "ads"].contains(w)), "{action}");
    }

    #[test]
    fn a_mismatch_names_no_channel_when_none_bounces_beyond_its_share() {
        let mut site = background();
        site.visits("/offer", 0, 150, None, &bounce());
        site.visits("/offer", 150, 30, None, &onward("/docs"));
        let found = cards(&site, Rule::Mismatch);
        assert_eq!(pages_of(&found), vec![Some("/offer")]);
        assert!(!found[0].statement.contains("(direct)"), "{}", found[0].statement);
        assert!(!found[0].action.to_lowercase().contains("link"), "{}", found[0].action);
    }

    #[test]
    fn a_mismatch_does_not_name_a_channel_seen_by_fewer_than_k_visitors() {
        let mut site = background();
        site.visits("/offer", 0, 146, None, &bounce());
        site.visits("/offer", 146, 4, Some("intranet.acme"), &bounce());
        let found = cards(&site, Rule::Mismatch);
        assert_eq!(pages_of(&found), vec![Some("/offer")]);
        assert!(!found[0].statement.contains("intranet.acme"), "{}", found[0].statement);
    }
}
