//! [`Rule::Mismatch`]: visitors who land on a page leave it quickly.

use std::fmt::Write;

use super::{duration, percent, PageContext};
use crate::insights::stats::{engaged_time, higher_than_rest, Time};
use crate::insights::{Evidence, Finding, InsightCard, Rule, Unit, MIN_VISITS};
use crate::privacy::OTHER;
use crate::summary::{channel_rows, ratio};

/// High bounce rate + short engaged time on a landing page: what brought visitors is not what
/// they found; names the channel that brings the most bounces.
///
/// Minimum: [`MIN_VISITS`] visits that ended (bounced or engaged) and
/// [`MIN_VISITORS`](crate::insights::MIN_VISITORS) visitors. The channel is named only if it is
/// shown in the page's folded channel breakdown.
pub(super) fn mismatch(c: &PageContext) -> Option<InsightCard> {
    let a = c.page.activity();
    let ended = a.bounces + a.engaged_visits;
    if ended < MIN_VISITS {
        return None;
    }
    c.tests.run();
    let site_ended = c.site.bounces + c.site.engaged_visits;
    let (bounce_test, rate, rest) = higher_than_rest(a.bounces, ended, c.site.bounces, site_ended)?;
    let Time::Short(time_test) = engaged_time(a, c.site_median) else {
        return None;
    };
    let median = a.engaged_time_ms.quantile(0.5)?;
    let path = &c.page.path;
    let channels = channel_rows(a, c.page.visitors_per_view(), c.options);
    let channel_baseline = ratio(a.engaged_visits, a.entries).unwrap_or(0.0);
    let driver = channels.iter().filter(|row| row.label != OTHER).max_by_key(|row| {
        let bounced = row.figures.entries - row.figures.engaged_visits;
        (bounced, std::cmp::Reverse(row.label.clone()))
    });
    let mut statement = format!(
        "Visitors who land on {path} leave quickly: {} of its visits bounce, against {} \
         elsewhere, after a median {} engaged (site {}).",
        percent(rate),
        percent(rest),
        duration(median),
        duration(c.site_median?),
    );
    let mut evidence = vec![
        Evidence::new("bounce rate", rate, Unit::Share, ended).against(rest, "rest of site"),
        c.median_evidence()?,
    ];
    let action = match driver {
        Some(row) if a.entries > 0 => {
            let (channel, visits) = (&row.label, &row.figures);
            let share = visits.entries as f64 / a.entries as f64;
            let engagement = visits.engagement_rate.unwrap_or(0.0);
            let _ = write!(
                statement,
                " The most bounces come from {channel} ({} of its visits, {} of them engaged): \
                 what brought them is not what they found.",
                percent(share),
                percent(engagement),
            );
            evidence.push(
                Evidence::new(
                    &format!("engagement from {channel}"),
                    engagement,
                    Unit::Share,
                    visits.entries,
                )
                .against(channel_baseline, "all visits to the page"),
            );
            format!(
                "Compare what {channel} promises (the link, the ad, the snippet) with what {path} \
                 shows first, and make them match."
            )
        }
        _ => {
            statement.push_str(" What brought them is not what they found.");
            format!("Check what the links to {path} promise against what it shows first.")
        }
    };
    let confidence = bounce_test.weaker(time_test);
    Some(c.card(
        Rule::Mismatch,
        Finding { statement, evidence, confidence, action, effect_size: rate - rest },
    ))
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
