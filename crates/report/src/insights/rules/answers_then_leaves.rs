//! [`Rule::AnswersThenLeaves`]: visitors read a page closely and then leave.

use super::{duration, percent, PageContext};
use crate::insights::stats::{engaged_time, higher_than_rest_by, Time};
use crate::insights::{Evidence, Finding, InsightCard, Rule, MIN_EXIT_RATIO, MIN_LEAVES};

/// High exit rate + long engaged time: the page answers the question; add a next step.
///
/// DESIGN's example says "high bounce + long engaged time", but a bounce here is GA4's: an
/// entry that does not continue *and* has under 10 s engaged, so a page cannot bounce with
/// long engaged time. The rule reads the example in its older sense, visits that end on the
/// page, and tests the page's exit rate.
///
/// Minimum: [`MIN_LEAVES`] leaves on the page and
/// [`MIN_VISITORS`](crate::insights::MIN_VISITORS) visitors.
pub(super) fn answers_then_leaves(c: &PageContext) -> Option<InsightCard> {
    let a = c.page.activity();
    if a.engagement.leaves < MIN_LEAVES {
        return None;
    }
    c.tests.run();
    let (exit_test, exits, rest_exits) = higher_than_rest_by(
        a.engagement.exits,
        a.engagement.leaves,
        c.site.engagement.exits,
        c.site.engagement.leaves,
        MIN_EXIT_RATIO,
    )?;
    let (rate, rest) = (exits.share()?, rest_exits.share()?);
    let Time::Long(time_test) = engaged_time(a, c.site_median) else {
        return None;
    };
    let median = a.engagement.engaged_time_ms.quantile(0.5)?;
    let path = &c.page.path;
    Some(
        c.card(
            Rule::AnswersThenLeaves,
            Finding {
                statement: format!(
                "Visitors read {path} closely (median {} engaged, site {}) and then leave: {} of \
                 its views end the visit, against {} elsewhere. It seems to answer their \
                 question.",
                duration(median),
                duration(c.site_median?),
                percent(rate),
                percent(rest),
            ),
                evidence: vec![
                    Evidence::share("exit rate", exits).against_share(rest_exits, "rest of site"),
                    c.median_evidence()?,
                ],
                confidence: exit_test.weaker(time_test),
                action: "Add a next step where readers finish: a related page, a sign-up or a \
                     contact link."
                    .to_owned(),
                effect_size: rate - rest,
            },
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::testing::{background, cards, pages_of};
    use crate::insights::{InsightKind, MIN_LEVEL};
    use crate::summary::testing::{exit_after, onward};
    use tacit_beacon::signal::Leave;

    #[test]
    fn a_page_read_long_and_then_left_answers_the_question() {
        let mut site = background();
        site.visits("/guide", 0, 150, None, &exit_after(90_000));
        let found = cards(&site, Rule::AnswersThenLeaves);
        assert_eq!(pages_of(&found), vec![Some("/guide")]);
        let card = &found[0];
        assert_eq!(card.kind, InsightKind::Behavioural);
        assert!(card.statement.contains("/guide"), "{}", card.statement);
        assert!(card.confidence.level >= MIN_LEVEL);
        assert_eq!(card.evidence[0].value, 1.0);
        assert!(card.action.contains("next step"));
    }

    #[test]
    fn a_page_read_long_that_visitors_continue_from_is_no_answer_then_leave() {
        let mut site = background();
        site.visits("/guide", 0, 150, None, &Leave { engaged_ms: 90_000, ..onward("/docs") });
        assert_eq!(cards(&site, Rule::AnswersThenLeaves), vec![]);
    }

    #[test]
    fn a_page_just_under_the_minimum_leaves_makes_no_answer_then_leave_card() {
        let mut site = background();
        site.visits("/guide", 0, MIN_LEAVES - 1, None, &exit_after(90_000));
        assert_eq!(cards(&site, Rule::AnswersThenLeaves), vec![]);
    }
}
