//! [`Rule::DropOff`]: the journey ends at a page that most arrivals reach from one page.

use super::{percent, PageContext};
use crate::insights::stats::{engaged_time, higher_than_rest_by, Time};
use crate::insights::{Counts, Evidence, Finding, InsightCard, Rule, MIN_EXIT_RATIO, MIN_LEAVES};
use crate::privacy::OTHER;

/// A page most of its same-site arrivals reach from one page, ending far more visits than the
/// rest of the site: the step from that page is where the journey drops off.
///
/// Not made for a page where goals are reached (a thank-you page ends visits by design) nor
/// for a page with long engaged time (that is [`Rule::AnswersThenLeaves`]). Minimum:
/// [`MIN_LEAVES`] leaves, [`MIN_VISITORS`](crate::insights::MIN_VISITORS) visitors, and the
/// previous page must bring at least a third of the page's arrivals from other pages (at the
/// lower end of its top-k count) and have k visitors itself.
pub(super) fn drop_off(c: &PageContext) -> Option<InsightCard> {
    let a = c.page.activity();
    if a.engagement.leaves < MIN_LEAVES || a.goals.total() > 0 {
        return None;
    }
    c.tests.run();
    let (confidence, exits, rest_exits) = higher_than_rest_by(
        a.engagement.exits,
        a.engagement.leaves,
        c.site.engagement.exits,
        c.site.engagement.leaves,
        MIN_EXIT_RATIO,
    )?;
    let (rate, rest) = (exits.share()?, rest_exits.share()?);
    if matches!(engaged_time(a, c.site_median), Time::Long(_)) {
        return None;
    }
    let top = a.previous_pages.top(1).into_iter().next()?;
    let arrivals = a.previous_pages.total();
    let from_top = Counts { count: top.count.saturating_sub(top.max_error), of: arrivals };
    let share = from_top.share()?;
    let from = c.range.page(&top.key)?;
    if share < 1.0 / 3.0 || from.visitors < c.options.k || top.key == OTHER {
        return None;
    }
    let (path, from) = (&c.page.path, &top.key);
    let statement = format!(
        "The journey drops off at {path}: visitors reach it from another page most often from \
         {from} ({} of those arrivals), and {} of its views end the visit, against {} \
         elsewhere.",
        percent(share),
        percent(rate),
        percent(rest),
    );
    let evidence = vec![
        Evidence::share("exit rate", exits).against_share(rest_exits, "rest of site"),
        Evidence::share(&format!("arrivals from {from}"), from_top),
    ];
    let action = format!(
        "Check that {path} delivers what {from} promises, and that it offers an obvious next step."
    );
    Some(c.card(
        Rule::DropOff,
        Finding { statement, evidence, confidence, action, effect_size: rate - rest },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::testing::{background, cards, pages_of, views};
    use crate::insights::InsightKind;
    use crate::summary::testing::{exit_after, onward, Site};
    use tacit_beacon::signal::Event;

    fn pricing() -> Site {
        let mut site = background();
        views(&mut site, "/pricing", 0, 150, Some("/"), &onward("/signup"));
        site
    }

    #[test]
    fn a_page_reached_mostly_from_one_page_that_ends_visits_is_a_drop_off() {
        let mut site = pricing();
        views(&mut site, "/signup", 0, 120, Some("/pricing"), &exit_after(3_000));
        let found = cards(&site, Rule::DropOff);
        assert_eq!(pages_of(&found), vec![Some("/signup")]);
        assert!(found[0].statement.contains("from /pricing"), "{}", found[0].statement);
        assert_eq!(found[0].kind, InsightKind::Journey);
    }

    #[test]
    fn a_page_where_goals_are_reached_is_no_drop_off() {
        let mut site = pricing();
        views(&mut site, "/signup", 0, 120, Some("/pricing"), &exit_after(3_000));
        site.event("/signup", &Event::Goal { name: "signup".into(), value: None, props: vec![] });
        assert_eq!(cards(&site, Rule::DropOff), vec![]);
    }

    #[test]
    fn a_page_that_visitors_continue_from_is_no_drop_off() {
        let mut site = pricing();
        views(&mut site, "/signup", 0, 120, Some("/pricing"), &onward("/"));
        assert_eq!(cards(&site, Rule::DropOff), vec![]);
    }

    #[test]
    fn a_page_just_under_the_minimum_leaves_makes_no_drop_off_card() {
        let mut site = pricing();
        views(&mut site, "/signup", 0, MIN_LEAVES - 1, Some("/pricing"), &exit_after(3_000));
        assert_eq!(cards(&site, Rule::DropOff), vec![]);
    }
}
