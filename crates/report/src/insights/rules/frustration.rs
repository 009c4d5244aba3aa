//! [`Rule::Frustration`]: rage and dead clicks concentrated on a page.

use super::{percent, PageContext};
use crate::insights::stats::{two_proportion_z, Confidence, Test};
use crate::insights::{Counts, Evidence, Finding, InsightCard, Rule, Unit, MIN_LEAVES, MIN_LEVEL};
use crate::summary::{ratio, INP_THRESHOLDS_MS};

/// Frustrated views are rare, so this rule's effect floor is half of
/// [`MIN_DIFFERENCE`](crate::insights::MIN_DIFFERENCE).
const MIN_FRUSTRATION_DIFFERENCE: f64 = 0.05;

/// Rage and dead clicks concentrated on a page: its share of views with rage or dead clicks is
/// at least twice the rest of the site's and [`MIN_FRUSTRATION_DIFFERENCE`] above it.
///
/// Minimum: [`MIN_LEAVES`] leaves and [`MIN_VISITORS`](crate::insights::MIN_VISITORS)
/// visitors.
pub(super) fn frustration(c: &PageContext) -> Option<InsightCard> {
    let a = c.page.activity();
    if a.engagement.leaves < MIN_LEAVES {
        return None;
    }
    c.tests.run();
    let (rest_x, rest_n) = (
        c.site.engagement.frustrated_views.saturating_sub(a.engagement.frustrated_views),
        c.site.engagement.leaves.saturating_sub(a.engagement.leaves),
    );
    let z = two_proportion_z(a.engagement.frustrated_views, a.engagement.leaves, rest_x, rest_n)?;
    let (rate, rest) =
        (ratio(a.engagement.frustrated_views, a.engagement.leaves)?, ratio(rest_x, rest_n)?);
    let confidence = Confidence::of(Test::TwoProportionZ, z)?;
    if z <= 0.0
        || confidence.level < MIN_LEVEL
        || rate < 2.0 * rest
        || rate - rest < MIN_FRUSTRATION_DIFFERENCE
    {
        return None;
    }
    let path = &c.page.path;
    let mut evidence = vec![
        Evidence::share(
            "views with rage or dead clicks",
            Counts { count: a.engagement.frustrated_views, of: a.engagement.leaves },
        )
        .against_share(Counts { count: rest_x, of: rest_n }, "rest of site"),
        Evidence::new(
            "rage clicks",
            a.engagement.rage_clicks as f64,
            Unit::Count,
            a.engagement.leaves,
        ),
        Evidence::new(
            "dead clicks",
            a.engagement.dead_clicks as f64,
            Unit::Count,
            a.engagement.leaves,
        ),
        Evidence::share(
            "quick backs",
            Counts { count: a.engagement.quick_backs, of: a.engagement.leaves },
        )
        .against_share(
            Counts { count: c.site.engagement.quick_backs, of: c.site.engagement.leaves },
            "site",
        ),
    ];
    let inp = a.engagement.inp_ms.quantile(0.75);
    if let Some(inp) = inp {
        evidence.push(
            Evidence::new("INP p75", inp, Unit::Milliseconds, a.engagement.inp_ms.count())
                .against(INP_THRESHOLDS_MS.0, "good threshold"),
        );
    }
    let kind_of_click =
        if a.engagement.rage_clicks >= a.engagement.dead_clicks { "rage" } else { "dead" };
    let slow = inp.filter(|&v| v > INP_THRESHOLDS_MS.0);
    let action = match slow {
        Some(inp) => format!(
            "Find what visitors click on {path} that does not respond, or responds slowly \
             (INP p75 {inp:.0} ms): make it respond at once, or make it look less clickable."
        ),
        None => format!(
            "Find what visitors click on {path} that does not respond: make it a link or a \
             button, or make it look less clickable."
        ),
    };
    let statement = format!(
        "Visitors struggle on {path}: {} of its views have rage or dead clicks, against {} \
         elsewhere, mostly {kind_of_click} clicks.",
        percent(rate),
        percent(rest),
    );
    Some(c.card(
        Rule::Frustration,
        Finding { statement, evidence, confidence, action, effect_size: rate - rest },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::testing::{background, cards, frustrated, pages_of, views};
    use crate::summary::testing::onward;

    #[test]
    fn rage_clicks_concentrated_on_a_page_are_frustration() {
        let mut site = background();
        views(&mut site, "/form", 0, 40, Some("/"), &frustrated());
        views(&mut site, "/form", 40, 80, Some("/docs"), &onward("/"));
        let found = cards(&site, Rule::Frustration);
        assert_eq!(pages_of(&found), vec![Some("/form")]);
        assert!(found[0].statement.contains("rage"), "{}", found[0].statement);
        assert!(found[0].action.contains("650 ms"), "{}", found[0].action);
    }

    #[test]
    fn a_few_rage_clicks_are_not_frustration() {
        let mut site = background();
        views(&mut site, "/form", 0, 2, Some("/"), &frustrated());
        views(&mut site, "/form", 2, 118, Some("/docs"), &onward("/"));
        assert_eq!(cards(&site, Rule::Frustration), vec![]);
    }

    #[test]
    fn a_page_just_under_the_minimum_leaves_makes_no_frustration_card() {
        let mut site = background();
        views(&mut site, "/form", 0, MIN_LEAVES - 1, Some("/"), &frustrated());
        assert_eq!(cards(&site, Rule::Frustration), vec![]);
    }
}
