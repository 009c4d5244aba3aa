//! [`Rule::SearchExits`]: site searches that end the visit.

use super::{percent, quoted_list, PageContext};
use crate::insights::stats::higher_than_rest_by;
use crate::insights::{
    Evidence, Finding, InsightCard, Rule, Unit, MIN_EXIT_RATIO, MIN_LEAVES, MIN_SEARCHES,
};
use crate::privacy::OTHER;
use crate::summary::top_k_rows;

/// Site searches that end the visit: a page with search terms whose exit rate is far above the
/// rest of the site's; names its top terms that pass k.
///
/// Minimum: [`MIN_SEARCHES`] searches and [`MIN_LEAVES`] leaves on the page.
pub(super) fn search_exits(c: &PageContext) -> Option<InsightCard> {
    let a = c.page.activity();
    if a.search_terms.total() < MIN_SEARCHES || a.engagement.leaves < MIN_LEAVES {
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
    let terms: Vec<String> = top_k_rows(&a.search_terms, c.page.visitors_per_view(), c.options)
        .into_iter()
        .map(|row| row.label)
        .filter(|label| label != OTHER)
        .take(3)
        .collect();
    let path = &c.page.path;
    let named = if terms.is_empty() {
        String::new()
    } else {
        format!(" The most frequent searches: {}.", quoted_list(&terms))
    };
    let statement = format!(
        "Site searches often end the visit: {} of the views of {path} end there, against {} \
         elsewhere.{named}",
        percent(rate),
        percent(rest),
    );
    let evidence = vec![
        Evidence::share("exit rate", exits).against_share(rest_exits, "rest of site"),
        Evidence::new("searches", a.search_terms.total() as f64, Unit::Count, a.engagement.views),
    ];
    let action = "Check what these searches return; add the content they look for, or synonyms \
                  that lead to it."
        .to_owned();
    Some(c.card(
        Rule::SearchExits,
        Finding { statement, evidence, confidence, action, effect_size: rate - rest },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::testing::{background, cards, pages_of};
    use crate::summary::testing::{day, exit_after, onward, Site};
    use tacit_beacon::signal::{Entry, Leave, View};

    fn searches(site: &mut Site, n: u64, terms: &[&str], leave: &Leave) {
        for v in 0..n {
            let term = terms.get(v as usize % terms.len().max(1)).map(|t| t.to_string());
            let view = View {
                entry: Entry::NotEntry,
                search_term: term.filter(|_| !terms.is_empty()),
                ..View::sample()
            };
            site.view("/search", v, &view);
            site.leave("/search", leave);
        }
    }

    #[test]
    fn searches_that_end_the_visit_are_an_unmet_need_and_name_the_terms() {
        let mut site = background();
        searches(&mut site, 120, &["refund", "api keys"], &exit_after(5_000));
        let found = cards(&site, Rule::SearchExits);
        assert_eq!(pages_of(&found), vec![Some("/search")]);
        let statement = &found[0].statement;
        assert!(statement.contains("\"api keys\", \"refund\""), "{statement}");
    }

    #[test]
    fn a_search_term_seen_by_fewer_than_k_visitors_is_not_named() {
        let mut site = background();
        // The small term folds into "(other)"; the two terms of k visitors or more stay.
        let mut terms = vec!["refund"; 60];
        terms.extend(["api keys"; 56]);
        terms.extend(["my invoice 4711"; 4]);
        searches(&mut site, 120, &terms, &exit_after(5_000));
        let found = cards(&site, Rule::SearchExits);
        assert_eq!(pages_of(&found), vec![Some("/search")]);
        assert!(found[0].statement.contains("\"refund\""), "{}", found[0].statement);
        assert!(!found[0].statement.contains("4711"), "{}", found[0].statement);
        assert!(found[0].statement.contains("\"api keys\""), "{}", found[0].statement);
    }

    #[test]
    fn searches_that_lead_on_are_no_unmet_need() {
        let mut site = background();
        searches(&mut site, 120, &["refund", "api keys"], &onward("/docs"));
        assert_eq!(cards(&site, Rule::SearchExits), vec![]);
    }

    #[test]
    fn a_page_just_under_the_minimum_searches_makes_no_search_card() {
        let mut site = background();
        searches(&mut site, MIN_SEARCHES - 1, &["refund"], &exit_after(5_000));
        searches(&mut site, 120, &[], &exit_after(5_000));
        let range = site.range(day("2026-11-23"));
        assert_eq!(range.page("/search").unwrap().activity().search_terms.total(), 29);
        assert_eq!(cards(&site, Rule::SearchExits), vec![]);
    }
}
