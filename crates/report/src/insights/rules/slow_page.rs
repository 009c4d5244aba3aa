//! [`Rule::SlowPage`]: a page whose speed costs visitors.

use super::{percent, PageContext};
use crate::insights::stats::higher_than_rest;
use crate::insights::{
    Evidence, Finding, InsightCard, Rule, Unit, MIN_LEAVES, MIN_VISITS, TIME_FACTOR,
};
use crate::summary::{VitalRating, INP_THRESHOLDS_MS, LCP_THRESHOLDS_MS};
use tacit_aggregate::quantiles::QuantileSketch;

/// Views with a vital a page needs before its 75th percentile is rated.
pub const MIN_VITALS: u64 = 30;

/// A page whose LCP or INP 75th percentile is rated "needs improvement" or "poor" (web.dev's
/// thresholds, [`LCP_THRESHOLDS_MS`] and [`INP_THRESHOLDS_MS`]) and at least [`TIME_FACTOR`]
/// times the site's (so that speed is what sets the page apart, not a site slow all over), and
/// whose visits bounce (or, for a page few visits land on, whose views exit) far more than the
/// rest of the site's.
///
/// On such a page this card replaces [`Rule::Mismatch`]: a slow page's bounces are first a
/// matter of speed, not of what the channel promised. The records keep vitals and engagement
/// apart, so the slow and the fast views' engagement cannot be compared.
///
/// Minimum: [`MIN_VITALS`] views with the vital, and [`MIN_VISITS`] ended visits for the
/// bounce rate or else [`MIN_LEAVES`] leaves for the exit rate.
pub(super) fn slow_page(c: &PageContext) -> Option<InsightCard> {
    let a = c.page.activity();
    let slow: Vec<Vital> = [
        Vital::of("LCP", &a.engagement.lcp_ms, &c.site.engagement.lcp_ms, LCP_THRESHOLDS_MS),
        Vital::of("INP", &a.engagement.inp_ms, &c.site.engagement.inp_ms, INP_THRESHOLDS_MS),
    ]
    .into_iter()
    .flatten()
    .filter(|v| v.rating != VitalRating::Good && v.p75 >= v.site_p75 * TIME_FACTOR)
    .collect();
    if slow.is_empty() {
        return None;
    }
    let ended = a.engagement.bounces + a.engagement.engaged_visits;
    let site_ended = c.site.engagement.bounces + c.site.engagement.engaged_visits;
    let (measure, x, n, site_x, site_n) = if ended >= MIN_VISITS {
        ("bounce rate", a.engagement.bounces, ended, c.site.engagement.bounces, site_ended)
    } else if a.engagement.leaves >= MIN_LEAVES {
        (
            "exit rate",
            a.engagement.exits,
            a.engagement.leaves,
            c.site.engagement.exits,
            c.site.engagement.leaves,
        )
    } else {
        return None;
    };
    c.tests.run();
    let (confidence, counts, rest_counts) = higher_than_rest(x, n, site_x, site_n)?;
    let (rate, rest) = (counts.share()?, rest_counts.share()?);
    let path = &c.page.path;
    let vitals: Vec<String> = slow.iter().map(Vital::describe).collect();
    let statement = format!(
        "{path} is slow and it costs visitors: {}, and its {measure} is {}, against {} \
         elsewhere.",
        vitals.join(" and "),
        percent(rate),
        percent(rest),
    );
    let mut evidence: Vec<Evidence> = slow.iter().flat_map(Vital::evidence).collect();
    evidence.push(Evidence::share(measure, counts).against_share(rest_counts, "rest of site"));
    let advice: Vec<&str> = slow.iter().map(|v| v.advice()).collect();
    let action = format!(
        "Make {path} faster: {}. Then compare its {measure} with the rest of the site's again.",
        advice.join("; ")
    );
    Some(c.card(
        Rule::SlowPage,
        Finding { statement, evidence, confidence, action, effect_size: rate - rest },
    ))
}

/// A vital's 75th percentile on a page and its rating.
struct Vital {
    name: &'static str,
    p75: f64,
    site_p75: f64,
    samples: u64,
    good: f64,
    rating: VitalRating,
}

impl Vital {
    /// The vital of a page's `sketch` against the `site`'s, when it has [`MIN_VITALS`] values.
    fn of(
        name: &'static str,
        sketch: &QuantileSketch,
        site: &QuantileSketch,
        thresholds: (f64, f64),
    ) -> Option<Vital> {
        let samples = sketch.count();
        if samples < MIN_VITALS {
            return None;
        }
        let (p75, site_p75) = (sketch.quantile(0.75)?, site.quantile(0.75)?);
        let rating = VitalRating::of(p75, thresholds);
        Some(Vital { name, p75, site_p75, samples, good: thresholds.0, rating })
    }

    /// "LCP p75 4.8 s (poor; good is at most 2.5 s)".
    fn describe(&self) -> String {
        let rating = match self.rating {
            VitalRating::Good => "good",
            VitalRating::NeedsImprovement => "needs improvement",
            VitalRating::Poor => "poor",
        };
        format!(
            "its {} p75 is {} ({rating}; good is at most {})",
            self.name,
            milliseconds(self.p75),
            milliseconds(self.good)
        )
    }

    /// The page's p75 against the site's, and against the good threshold.
    fn evidence(&self) -> [Evidence; 2] {
        let measure = format!("{} p75", self.name);
        let evidence = Evidence::new(&measure, self.p75, Unit::Milliseconds, self.samples);
        [
            evidence.clone().against(self.site_p75, "site"),
            evidence.against(self.good, "good threshold"),
        ]
    }

    fn advice(&self) -> &'static str {
        if self.name == "LCP" {
            "show its main content sooner (the largest image or text block: its size, its \
             priority, what blocks it)"
        } else {
            "answer clicks and taps at once (split the long tasks that run after them)"
        }
    }
}

/// `850 ms` under a second, `4.8 s` above.
fn milliseconds(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::testing::{background, cards, pages_of, BACKGROUND};
    use crate::insights::{find_insights, InsightKind};
    use crate::summary::testing::{bounce, day, onward, Site};
    use crate::summary::SummaryOptions;
    use tacit_beacon::signal::Leave;

    fn slow(leave: Leave) -> Leave {
        Leave { lcp_ms: Some(5_000), inp_ms: Some(600), ..leave }
    }

    /// The background site with 500 fast visits to `/`: the site's p75 stays fast.
    fn fast_background() -> Site {
        let mut site = background();
        let fast = Leave { lcp_ms: Some(1_200), inp_ms: Some(80), ..onward("/docs") };
        site.visits("/", 2 * BACKGROUND, 500, None, &fast);
        site
    }

    /// The fast background with `/slow`: `bounced` slow visits that bounce and 40 that go on.
    fn site(bounced: u64) -> Site {
        let mut site = fast_background();
        site.visits("/slow", 0, bounced, None, &slow(bounce()));
        site.visits("/slow", bounced, 40, None, &slow(onward("/docs")));
        site
    }

    #[test]
    fn a_slow_page_that_visitors_bounce_from_is_a_speed_card() {
        let found = cards(&site(110), Rule::SlowPage);
        assert_eq!(pages_of(&found), vec![Some("/slow")]);
        let card = &found[0];
        assert_eq!(card.kind, InsightKind::Behavioural);
        assert!(card.statement.contains("LCP p75 is 5.0 s (poor"), "{}", card.statement);
        assert!(card.statement.contains("INP p75 is 600 ms (poor"), "{}", card.statement);
        assert!(card.action.contains("faster"), "{}", card.action);
    }

    #[test]
    fn the_speed_card_wins_over_the_mismatch_card_on_a_slow_page() {
        let site = site(110);
        assert_eq!(pages_of(&cards(&site, Rule::SlowPage)), vec![Some("/slow")]);
        assert_eq!(cards(&site, Rule::Mismatch), vec![]);
        // The same traffic on a fast page is a mismatch.
        let mut fast = fast_background();
        fast.visits("/slow", 0, 110, None, &bounce());
        fast.visits("/slow", 110, 40, None, &onward("/docs"));
        assert_eq!(pages_of(&cards(&fast, Rule::Mismatch)), vec![Some("/slow")]);
        assert_eq!(cards(&fast, Rule::SlowPage), vec![]);
    }

    #[test]
    fn a_slow_page_that_engages_like_the_site_makes_no_speed_card() {
        let mut site = fast_background();
        // 18 of 150 bounce: 12 %, as the rest of the site.
        site.visits("/slow", 0, 18, None, &slow(bounce()));
        site.visits("/slow", 18, 132, None, &slow(onward("/docs")));
        assert_eq!(cards(&site, Rule::SlowPage), vec![]);
    }

    #[test]
    fn a_site_slow_all_over_makes_no_speed_card() {
        let mut site = background();
        site.visits("/", 2 * BACKGROUND, 100, None, &slow(onward("/docs")));
        site.visits("/slow", 0, 110, None, &slow(bounce()));
        site.visits("/slow", 110, 40, None, &slow(onward("/docs")));
        assert_eq!(cards(&site, Rule::SlowPage), vec![]);
    }

    #[test]
    fn a_page_just_under_the_minimum_vitals_makes_no_speed_card() {
        let mut site = fast_background();
        site.visits("/slow", 0, MIN_VITALS - 1, None, &slow(bounce()));
        site.visits("/slow", MIN_VITALS - 1, 100, None, &bounce());
        assert_eq!(cards(&site, Rule::SlowPage), vec![]);
    }

    #[test]
    fn a_slow_page_seen_by_fewer_than_k_visitors_is_not_named() {
        let range = site(110).range(day("2026-11-23"));
        let options = SummaryOptions { k: 200, ..SummaryOptions::default() };
        let found = find_insights(&range, None, &options);
        assert!(found.iter().all(|c| c.page.as_deref() != Some("/slow")), "{found:?}");
    }
}
