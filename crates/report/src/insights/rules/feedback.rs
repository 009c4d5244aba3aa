//! [`Rule::UnhappyButEngaged`] and [`Rule::HappyButBrief`]: a page's feedback against the time
//! visitors spend on it, each the other's mirror.

use super::{duration, percent, PageContext};
use crate::insights::stats::{higher_than_rest, Confidence};
use crate::insights::{Counts, Evidence, Finding, InsightCard, Rule, MIN_ANSWERS};
use tacit_aggregate::record::Activity;

/// The lowest and highest feedback scores, with their names.
const UNHAPPY: (u8, &str) = (1, "unhappy");
const HAPPY: (u8, &str) = (3, "happy");

/// Unhappy feedback on a page visitors spend time on: the time may be effort, not interest.
///
/// Minimum: [`MIN_ANSWERS`] feedback answers on the page and
/// [`MIN_VISITORS`](crate::insights::MIN_VISITORS) visitors.
pub(super) fn unhappy_but_engaged(c: &PageContext) -> Option<InsightCard> {
    let share = FeedbackShare::above_rest(c, UNHAPPY)?;
    if share.median < share.site_median {
        return None;
    }
    let path = &c.page.path;
    let statement = share.statement(
        &format!("spend time on {path}"),
        "but rate it poorly",
        "The time may be effort, not interest.",
    );
    let action = format!(
        "Look for what is hard to find or to understand on {path}; its time on page alone would \
         have hidden this."
    );
    share.card(c, Rule::UnhappyButEngaged, statement, action)
}

/// Happy feedback on a page visitors leave quickly: it answers fast, so a short time on it is
/// not a lack of interest — the reverse of [`unhappy_but_engaged`].
///
/// Minimum: [`MIN_ANSWERS`] feedback answers on the page and
/// [`MIN_VISITORS`](crate::insights::MIN_VISITORS) visitors.
pub(super) fn happy_but_brief(c: &PageContext) -> Option<InsightCard> {
    let share = FeedbackShare::above_rest(c, HAPPY)?;
    if share.median >= share.site_median {
        return None;
    }
    let path = &c.page.path;
    let statement =
        share.statement(&format!("leave {path} quickly"), "yet rate it well", "It answers fast.");
    let action = format!(
        "Keep {path} short; take it as the model for pages rated poorly, and put the next step \
         where a quick reader sees it."
    );
    share.card(c, Rule::HappyButBrief, statement, action)
}

/// A page's share of feedback answers with one score, far above the rest of the site's, and
/// the page's and the site's median engaged time it is set against.
struct FeedbackShare {
    score_name: &'static str,
    answers: u64,
    test: Confidence,
    counts: Counts,
    rest_counts: Counts,
    rate: f64,
    rest: f64,
    median: f64,
    site_median: f64,
}

impl FeedbackShare {
    /// The page's share of answers `score`, when it has [`MIN_ANSWERS`] answers and the share is
    /// far above the rest of the site's.
    fn above_rest(
        c: &PageContext,
        (score, score_name): (u8, &'static str),
    ) -> Option<FeedbackShare> {
        let a = c.page.activity();
        let answers: u64 = a.feedback.values().sum();
        if answers < MIN_ANSWERS {
            return None;
        }
        c.tests.run();
        let with_score = |activity: &Activity| {
            activity.feedback.iter().filter(|(s, _)| s.get() == score).map(|(_, &n)| n).sum()
        };
        let site_answers: u64 = c.site.feedback.values().sum();
        let (test, counts, rest_counts) =
            higher_than_rest(with_score(a), answers, with_score(c.site), site_answers)?;
        let (rate, rest) = (counts.share()?, rest_counts.share()?);
        let (median, site_median) = (a.engagement.engaged_time_ms.quantile(0.5)?, c.site_median?);
        Some(FeedbackShare {
            score_name,
            answers,
            test,
            counts,
            rest_counts,
            rate,
            rest,
            median,
            site_median,
        })
    }

    /// "Visitors `did` (their median time against the site's) `rated`: the share against the
    /// rest's. `meaning`"
    fn statement(&self, did: &str, rated: &str, meaning: &str) -> String {
        format!(
            "Visitors {did} (median {} engaged, site {}) {rated}: {} of its {} answers are {}, \
             against {} elsewhere. {meaning}",
            duration(self.median),
            duration(self.site_median),
            percent(self.rate),
            self.answers,
            self.score_name,
            percent(self.rest),
        )
    }

    /// The card of `rule`, whose evidence is the share and the median engaged time.
    fn card(
        &self,
        c: &PageContext,
        rule: Rule,
        statement: String,
        action: String,
    ) -> Option<InsightCard> {
        let evidence = vec![
            Evidence::share(&format!("{} answers", self.score_name), self.counts)
                .against_share(self.rest_counts, "rest of site"),
            c.median_evidence()?,
        ];
        let (confidence, effect_size) = (self.test, self.rate - self.rest);
        Some(c.card(rule, Finding { statement, evidence, confidence, action, effect_size }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::testing::{background, cards, pages_of};
    use crate::summary::testing::{bounce, exit_after, Site};
    use tacit_beacon::signal::{Event, FeedbackScore, Leave};

    /// The background site with `site_answers` (unhappy, happy) on `/`, and 120 visits to
    /// `path` that end with `leave`, answered `answers` (unhappy, happy).
    fn rated(site_answers: (u64, u64), path: &str, leave: &Leave, answers: (u64, u64)) -> Site {
        let mut site = background();
        let mut answer = |path: &str, (unhappy, happy): (u64, u64)| {
            let score = |s| Event::Feedback { score: FeedbackScore::new(s).unwrap() };
            (0..unhappy).for_each(|_| site.event(path, &score(UNHAPPY.0)));
            (0..happy).for_each(|_| site.event(path, &score(HAPPY.0)));
        };
        answer("/", site_answers);
        answer(path, answers);
        site.visits(path, 0, 120, None, leave);
        site
    }

    /// A site rated well whose `/article` visitors read for a minute.
    fn engaged_article(answers: (u64, u64)) -> Site {
        rated((5, 95), "/article", &exit_after(60_000), answers)
    }

    #[test]
    fn unhappy_feedback_on_a_page_visitors_spend_time_on_is_an_emotional_card() {
        let found = cards(&engaged_article((20, 20)), Rule::UnhappyButEngaged);
        assert_eq!(pages_of(&found), vec![Some("/article")]);
        assert!(found[0].statement.contains("50 %"), "{}", found[0].statement);
    }

    #[test]
    fn happy_feedback_on_an_engaging_page_makes_no_unhappy_card() {
        assert_eq!(cards(&engaged_article((2, 38)), Rule::UnhappyButEngaged), vec![]);
    }

    #[test]
    fn unhappy_feedback_on_a_page_left_quickly_makes_no_unhappy_but_engaged_card() {
        let site = rated((5, 95), "/article", &bounce(), (20, 20));
        assert_eq!(cards(&site, Rule::UnhappyButEngaged), vec![]);
    }

    #[test]
    fn a_page_just_under_the_minimum_answers_makes_no_unhappy_card() {
        let site = engaged_article((MIN_ANSWERS - 1, 0));
        assert_eq!(cards(&site, Rule::UnhappyButEngaged), vec![]);
    }

    #[test]
    fn happy_feedback_on_a_page_left_quickly_is_an_emotional_card() {
        let found = cards(&rated((50, 50), "/answer", &bounce(), (2, 38)), Rule::HappyButBrief);
        assert_eq!(pages_of(&found), vec![Some("/answer")]);
        assert!(found[0].statement.contains("95 %"), "{}", found[0].statement);
    }

    #[test]
    fn happy_feedback_on_an_engaging_page_makes_no_happy_but_brief_card() {
        let site = rated((50, 50), "/answer", &exit_after(60_000), (2, 38));
        assert_eq!(cards(&site, Rule::HappyButBrief), vec![]);
    }

    #[test]
    fn unhappy_feedback_on_a_page_left_quickly_makes_no_happy_but_brief_card() {
        let site = rated((50, 50), "/answer", &bounce(), (38, 2));
        assert_eq!(cards(&site, Rule::HappyButBrief), vec![]);
    }
}
