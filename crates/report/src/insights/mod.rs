//! Insight cards: findings built from more than one signal, each with its evidence, a
//! statistical test and a suggested action (DESIGN, "Insights").
//!
//! [`find_insights`] runs every rule over a [`MergedRange`] (and the previous period, for the
//! rules that compare periods), keeps the cards that survive the control of false discoveries,
//! and returns them ranked by expected impact: visitors affected × effect size.
//! [`page_insights`] gives the same cards for one page.
//!
//! # The rules
//!
//! | rule | kind | fires when | minimum sample |
//! |---|---|---|---|
//! | [`Rule::AnswersThenLeaves`] | behavioural | a page's exit rate is far above the rest of the site's *and* its engaged time is long | [`MIN_LEAVES`] leaves, [`MIN_VISITORS`] visitors |
//! | [`Rule::Mismatch`] | need | a landing page's bounce rate is far above the rest of the site's *and* its engaged time is short; names the channel whose bounces most exceed its share of visits | [`MIN_VISITS`] ended visits, [`MIN_VISITORS`] visitors |
//! | [`Rule::SlowPage`] | behavioural | a page's LCP or INP p75 is "needs improvement" or "poor" (web.dev) *and* its bounce rate (or exit rate, for a page few visits land on) is far above the rest of the site's; replaces the mismatch card on that page | 30 views with the vital; [`MIN_VISITS`] ended visits or [`MIN_LEAVES`] leaves |
//! | [`Rule::Frustration`] | emotional | a page's share of views with rage or dead clicks is at least twice the rest of the site's | [`MIN_LEAVES`] leaves, [`MIN_VISITORS`] visitors |
//! | [`Rule::UnhappyButEngaged`] | emotional | a page's unhappy feedback is far above the rest of the site's while its engaged time is at least the site's | [`MIN_ANSWERS`] answers, [`MIN_VISITORS`] visitors |
//! | [`Rule::HappyButBrief`] | emotional | a page's happy feedback is far above the rest of the site's while its engaged time is below the site's | [`MIN_ANSWERS`] answers, [`MIN_VISITORS`] visitors |
//! | [`Rule::ChannelEngagement`] | channel | a channel's engagement is far above (invest) or below (check its promise) the site's | [`MIN_VISITS`] entries, k visitors |
//! | [`Rule::DropOff`] | journey | a page that a third or more of its same-site arrivals reach from one page ends far more visits than the rest of the site | [`MIN_LEAVES`] leaves, [`MIN_VISITORS`] visitors |
//! | [`Rule::SearchExits`] | need | a page with site-search terms ends far more visits than the rest of the site: unmet needs | [`MIN_SEARCHES`] searches, [`MIN_LEAVES`] leaves |
//! | [`Rule::ConversionChange`] | value | a goal's conversion per visit changed by [`MIN_RELATIVE_CHANGE`] of its previous value since the previous period; names the step (a page where the goal is reached, or one leading there) whose exit rate moved with it | [`MIN_VISITS`] visits in each period |
//! | [`Rule::Loyalty`] | value | the share of returning visits among visits with journey consent changed by at least [`MIN_DIFFERENCE`]; states the coverage | [`MIN_VISITS`] known visits in each period, k returning and k first |
//! | [`Rule::ChannelTrafficChange`] | channel | a channel's share of the site's visits grew or shrank [`TRAFFIC_FACTOR`] times since the previous period: beyond the site's own change | [`MIN_VISITS`] visits in the larger period; shown under k in both |
//! | [`Rule::PageTrafficChange`] | behavioural | a page's share of the site's views grew or shrank [`TRAFFIC_FACTOR`] times since the previous period | [`MIN_LEAVES`] views in the larger period; k visitors in both |
//! | [`Rule::SegmentGap`] | behavioural | one segment of a page's visits (a device class, channel group, new or returning visitors, a country) bounces [`MIN_SEGMENT_RATIO`] times as often as the rest of its dimension, or that much less; links to the page's report for the segment | [`MIN_VISITS`] ended visits in the segment and in the rest; [`MIN_VISITORS`] visitors, at least k, in the segment (and in the rest when it is one value) |
//! | [`Rule::FunnelStep`] | journey | at the step after which a funnel loses the most visits, a device class or channel group drops out far more than the other visits (at least [`MIN_DIFFERENCE`]) | [`MIN_VISITORS`] visits of the segment and of the rest at the step; k visitors in the segment |
//! | [`Rule::ChannelValue`] | value | a channel group's visits reach goals at least twice (or half) as often as the other groups'; states goal value per visit and the share of goals traced to a channel | [`MIN_VISITS`] visits and k visitors in the group, [`MIN_VISITS`] in the rest, 20 goals in all |
//! | [`Rule::GoalGap`] | value | a device class, new or returning visitors, or a country reach goals at least twice (or half) as often as the rest of the dimension; links to the summary for the segment | [`MIN_VISITS`] visits and k visitors in the segment, [`MIN_VISITS`] in the rest, 20 goals in the dimension |
//!
//! Each rule has its own file under `rules/`; the tests they share are in `stats.rs`.
//!
//! # What "far" means
//!
//! A card needs a practical effect (a difference of at least [`MIN_DIFFERENCE`], ten
//! percentage points, and for exit rates and channels a ratio too: [`MIN_EXIT_RATIO`],
//! [`MIN_CHANNEL_RATIO`]), its own test rejecting "no difference" at [`MIN_LEVEL`] (99 %,
//! two-sided critical value |z| ≥ 2.576), and it must survive the control of false discoveries
//! over *every* test the range runs.
//!
//! # False discoveries controlled
//!
//! A site with a thousand pages runs thousands of tests per range: at 99 % each, about one in a
//! hundred tests that find nothing would still make a card. The engine therefore keeps the
//! cards whose tests pass the Benjamini–Hochberg procedure at q = [`FALSE_DISCOVERY_RATE`]
//! (5 %) over all of them (docs/decisions/2026-12-insight-fdr.md): every rule counts one test
//! for each page, channel or goal that meets its minimum sample, whatever the outcome, and the
//! cards' p-values are ranked against q · i / m. So at most 5 % of the cards a range shows are
//! expected to be chance, and a site where nothing stands out shows any card at all in at most
//! one range in twenty. A finding that needs two tests (a high exit rate *and* a long time)
//! takes the larger p-value of the two (an intersection–union test). The synthetic ranges of
//! `synthetic` module (with the `synthetic` feature) measure it: `insight_recall` and
//! `insight_false_cards_per_null_site` in `make bench`.
//!
//! The tests are two-proportion z-tests (pooled) between a page or channel and *the rest of the
//! site* (site minus it, so the two groups are disjoint; a channel's effect floors are measured
//! against the whole site, so that one channel far off does not make the others "far" the
//! other way), a one-proportion z-test for "longer
//! or shorter than the site's median", and a two-proportion z-test between periods. The normal
//! approximation is only used when both groups expect at least five successes and five
//! failures under the pooled rate; below that no card is made.
//!
//! # The sketches' own error
//!
//! - Views, leaves, exits, entries, bounces, engaged visits, frustrated views and feedback
//!   answers are exact counters: the tests use them as they are.
//! - Top-k counts (channels, previous pages) may be too high by their `max_error`: a rule takes
//!   the end of that interval that works *against* its finding (the lower count of engaged
//!   visits for "above", the higher for "below").
//! - Engaged-time quantiles are within 1 % of a true value: the rules compare them with a
//!   factor of 1.5, far outside that error, and the share of views above the site's median is
//!   read from the sketch at bucket resolution, then tested against one half.
//! - Unique visitors come from HyperLogLog++ (0.81 % relative standard error for a page):
//!   minimum-visitor checks use the estimate less three standard errors
//!   ([`visitors_lower_bound`]); the impact uses the estimate.
//!
//! # Every card checkable
//!
//! Each share in a card's evidence carries the counts it is computed from ([`Counts`]: exits
//! of leaves, bounces of ended visits, visits of the site's visits…), and its baseline too, so
//! that a reader can recompute every percentage; and each card names the view that shows its
//! evidence ([`EvidenceView`]): the page's report, or the site summary, over the card's range
//! and compared with the previous period, with a link to its JSON answer.
//!
//! # Privacy
//!
//! A card names a page (its own, or the previous page of a drop-off) only if that page's
//! visitors reach k, as the page tables do, and names a channel, a goal or a search term only
//! if the matching folded breakdown of the summary shows it, and a segment (or the one segment
//! it compares with) only if k visitors came in it, as the segment table shows it.
//! Statements are plain text; the edge escapes them.

use serde::{Deserialize, Serialize};

use crate::summary::{previous_period, MergedRange, SummaryOptions};
use tacit_aggregate::segments::Segment;
use tacit_aggregate::Day;

mod discoveries;
mod rules;
mod stats;
#[cfg(any(test, feature = "synthetic"))]
pub mod synthetic;
#[cfg(test)]
mod testing;

pub use rules::{page_segments_testable, MIN_SEGMENT_RATIO};
pub use stats::{
    one_proportion_z, two_proportion_z, two_sided_p, visitors_lower_bound, Confidence,
    ConfidenceLevel, Test,
};

/// Leaves a page needs before an exit-rate or frustration rule looks at it.
pub const MIN_LEAVES: u64 = 100;
/// Visits (ended visits for bounce rates, entries for channels, visits per period for goals)
/// a rule needs.
pub const MIN_VISITS: u64 = 50;
/// Unique visitors (lower bound) a page needs before any rule names it.
pub const MIN_VISITORS: u64 = 30;
/// Feedback answers a page needs before the feedback rule looks at it.
pub const MIN_ANSWERS: u64 = 30;
/// Searches a page needs before the search rule looks at it.
pub const MIN_SEARCHES: u64 = 30;
/// The smallest difference between two rates that makes a card (ten percentage points).
pub const MIN_DIFFERENCE: f64 = 0.10;
/// How much longer (or shorter) than the site's median a page's median engaged time must be to
/// count as long (or short).
pub const TIME_FACTOR: f64 = 1.5;
/// How many times the rest of the site's exit rate a page's must be for the exit-rate rules
/// ([`Rule::AnswersThenLeaves`], [`Rule::DropOff`], [`Rule::SearchExits`]): exits are common
/// (every visit has one), so ten points above the rest is ordinary on its own.
pub const MIN_EXIT_RATIO: f64 = 1.5;
/// How many times the site's engagement a channel's must be (or the site's, its) to be far
/// from it.
pub const MIN_CHANNEL_RATIO: f64 = 1.25;
/// How many times larger (or smaller) a channel's share of visits, or a page's share of views,
/// must be than in the previous period for the traffic rules: a change of the site's traffic
/// moves every share alike, so a share that moves this far moved beyond it.
pub const TRAFFIC_FACTOR: f64 = 1.5;
/// How far a goal's conversion per visit must move between periods, as a share of its previous
/// value ([`Rule::ConversionChange`]): conversions are rare, so ten points would be too far.
pub const MIN_RELATIVE_CHANGE: f64 = 0.2;
/// The confidence a card's own test needs.
pub const MIN_LEVEL: ConfidenceLevel = ConfidenceLevel::Strong;
/// The false-discovery rate q the cards of a range are held to, by Benjamini–Hochberg over
/// every test the range runs: on a site where nothing stands out, the chance of any card.
pub const FALSE_DISCOVERY_RATE: f64 = 0.05;

/// What a card is about (DESIGN, "Insights").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InsightKind {
    /// How visitors behave on a page.
    Behavioural,
    /// How they feel: frustration, satisfaction.
    Emotional,
    /// What they need and do not find.
    Need,
    /// What they are worth: goals and their value.
    Value,
    /// Where they go between pages.
    Journey,
    /// Where they come from.
    Channel,
}

/// The rule that made a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// High exit rate and long engaged time: the page answers the question.
    AnswersThenLeaves,
    /// High bounce rate and short engaged time: what brought them is not what they found.
    Mismatch,
    /// Rage and dead clicks concentrated on a page.
    Frustration,
    /// Unhappy feedback on a page visitors spend time on.
    UnhappyButEngaged,
    /// Happy feedback on a page visitors leave quickly.
    HappyButBrief,
    /// A channel engaging far above or below the rest of the site.
    ChannelEngagement,
    /// A page that ends the journey coming mostly from one page.
    DropOff,
    /// Site searches that end the visit.
    SearchExits,
    /// A goal's conversion changing between periods.
    ConversionChange,
    /// A channel's visits changing between periods beyond the site's.
    ChannelTrafficChange,
    /// A page's views changing between periods beyond the site's.
    PageTrafficChange,
    /// A slow page (LCP or INP) whose visits bounce or exit more than the site's.
    SlowPage,
    /// The share of returning visits changing between periods.
    Loyalty,
    /// The funnel step that loses the most visits, and the segment that drops there most.
    FunnelStep,
    /// A channel group whose visits reach goals far more or less often than the others'.
    ChannelValue,
    /// One segment of a page's visits bouncing far more, or far less, than the rest of its
    /// dimension.
    SegmentGap,
    /// One segment of the site's visits reaching goals far less, or far more, often than the
    /// rest of its dimension.
    GoalGap,
}

impl Rule {
    /// The kind of card the rule makes.
    pub fn kind(self) -> InsightKind {
        match self {
            Rule::AnswersThenLeaves
            | Rule::PageTrafficChange
            | Rule::SlowPage
            | Rule::SegmentGap => InsightKind::Behavioural,
            Rule::Mismatch | Rule::SearchExits => InsightKind::Need,
            Rule::Frustration | Rule::UnhappyButEngaged | Rule::HappyButBrief => {
                InsightKind::Emotional
            }
            Rule::ChannelEngagement | Rule::ChannelTrafficChange => InsightKind::Channel,
            Rule::DropOff | Rule::FunnelStep => InsightKind::Journey,
            Rule::ConversionChange | Rule::Loyalty | Rule::ChannelValue | Rule::GoalGap => {
                InsightKind::Value
            }
        }
    }
}

/// The unit of an evidence figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A proportion from 0 to 1.
    Share,
    /// Milliseconds.
    Milliseconds,
    /// A count.
    Count,
    /// A feedback score from 1 to 3.
    Score,
    /// A goal value, such as revenue: a sum or a value per visit, with cents.
    Value,
}

/// The raw counts behind a share: `count` of `of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counts {
    /// What was counted, such as exits.
    pub count: u64,
    /// What it is counted out of, such as leaves.
    pub of: u64,
}

impl Counts {
    /// `count / of`; `None` when `of` is zero.
    pub fn share(self) -> Option<f64> {
        crate::summary::ratio(self.count, self.of)
    }
}

/// One figure of a card's evidence and the baseline it is compared with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evidence {
    /// What is measured, such as "exit rate".
    pub measure: String,
    /// The finding's value.
    pub value: f64,
    /// The value it is compared with, if any.
    pub baseline: Option<f64>,
    /// What the baseline is: "rest of site", "site median", "previous period".
    pub baseline_label: Option<String>,
    /// The unit of both values.
    pub unit: Unit,
    /// How many observations the value rests on.
    pub sample: u64,
    /// For a share: the counts it is computed from (`value = count / of`).
    pub counts: Option<Counts>,
    /// For a share baseline: the counts it is computed from.
    pub baseline_counts: Option<Counts>,
}

impl Evidence {
    /// A figure that is not a share: a time, a count, a score.
    fn new(measure: &str, value: f64, unit: Unit, sample: u64) -> Evidence {
        Evidence {
            measure: measure.to_owned(),
            value,
            baseline: None,
            baseline_label: None,
            unit,
            sample,
            counts: None,
            baseline_counts: None,
        }
    }

    /// A share with the counts behind it (0 when nothing was counted out of).
    fn share(measure: &str, counts: Counts) -> Evidence {
        let value = counts.share().unwrap_or(0.0);
        Evidence { counts: Some(counts), ..Evidence::new(measure, value, Unit::Share, counts.of) }
    }

    fn against(mut self, baseline: f64, label: &str) -> Evidence {
        self.baseline = Some(baseline);
        self.baseline_label = Some(label.to_owned());
        self
    }

    /// Against a share baseline, with the counts behind it.
    fn against_share(mut self, counts: Counts, label: &str) -> Evidence {
        self.baseline_counts = Some(counts);
        self.against(counts.share().unwrap_or(0.0), label)
    }
}

/// The view that shows a card's evidence: a page's report (or, for a card about no page, the
/// site summary) over the card's range, compared with the previous period of equal length as
/// every report is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidenceView {
    /// The page whose report shows the evidence; `None` for the site summary.
    pub page: Option<String>,
    /// The range's first day.
    pub from: Day,
    /// The range's last day.
    pub to: Day,
    /// The first day of the period it is compared with.
    pub compared_from: Day,
    /// The last day of that period.
    pub compared_to: Day,
    /// The segment the view is read for, as `?segment=` names it (`device:mobile`); `None`:
    /// every visitor.
    pub segment: Option<String>,
    /// The JSON answer that shows it, relative to the API answer the card is in:
    /// `page?path=…&from=…&to=…` or `summary?from=…&to=…` (and `&segment=…`), which resolve to
    /// `/api/v1/sites/<site>/page?…` and `/api/v1/sites/<site>/summary?…`. The HTML pages link
    /// to `/s/<site>/p?…` and `/s/<site>?…` with the same parameters.
    pub link: String,
}

impl EvidenceView {
    /// The view of `page` (or the site) over `from..=to`.
    fn new(page: Option<&str>, from: Day, to: Day) -> EvidenceView {
        let (compared_from, compared_to) = previous_period(from, to);
        let range = format!("from={from}&to={to}");
        let link = match page {
            Some(path) => format!("page?path={}&{range}", query_value(path)),
            None => format!("summary?{range}"),
        };
        EvidenceView {
            page: page.map(str::to_owned),
            from,
            to,
            compared_from,
            compared_to,
            segment: None,
            link,
        }
    }

    /// The same view read for `segment` alone.
    fn of_segment(self, segment: Segment) -> EvidenceView {
        let name = segment.to_string();
        let link = format!("{}&segment={}", self.link, query_value(&name));
        EvidenceView { segment: Some(name), link, ..self }
    }
}

/// `value` percent-encoded for a query string: every byte but the unreserved characters and
/// `/` (which a query may hold as it is, and which keeps a path readable).
fn query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(byte))
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A finding with its evidence, its test and what to do about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InsightCard {
    /// What it is about.
    pub kind: InsightKind,
    /// The rule that made it.
    pub rule: Rule,
    /// One plain-text sentence (or two); escape it before putting it in HTML.
    pub statement: String,
    /// The numbers and the baselines they are compared with.
    pub evidence: Vec<Evidence>,
    /// The test that decided "far from the baseline".
    pub confidence: Confidence,
    /// A suggested action.
    pub action: String,
    /// The page it is about, if it is about one.
    pub page: Option<String>,
    /// Estimated visitors the finding concerns.
    pub visitors_affected: u64,
    /// The size of the effect: a difference of rates (0.25 is 25 points).
    pub effect_size: f64,
    /// `visitors_affected × effect_size`: what cards are ranked by.
    pub impact: f64,
    /// Where to check it: the view that shows its evidence.
    pub view: EvidenceView,
}

/// What a rule found, in its words; [`InsightCard::new`] makes the card.
struct Finding {
    statement: String,
    evidence: Vec<Evidence>,
    confidence: Confidence,
    action: String,
    effect_size: f64,
}

impl InsightCard {
    /// The card of `rule`'s finding about `page` (or the site) over `range`, which concerns
    /// `visitors_affected` visitors.
    fn new(
        rule: Rule,
        page: Option<String>,
        range: &MergedRange,
        visitors_affected: u64,
        finding: Finding,
    ) -> InsightCard {
        let Finding { statement, evidence, confidence, action, effect_size } = finding;
        InsightCard {
            view: EvidenceView::new(page.as_deref(), range.from(), range.to()),
            kind: rule.kind(),
            rule,
            statement,
            evidence,
            confidence,
            action,
            page,
            visitors_affected,
            effect_size,
            impact: visitors_affected as f64 * effect_size,
        }
    }
}

/// Every card the rules find over `current` that survives the false-discovery control over
/// all their tests, highest impact first. `previous` (the period of equal length before it) is
/// used by the rules that compare periods. `options.k` decides which pages, channels, previous
/// pages and terms a card may name.
pub fn find_insights(
    current: &MergedRange,
    previous: Option<&MergedRange>,
    options: &SummaryOptions,
) -> Vec<InsightCard> {
    let tests = discoveries::Tests::default();
    let mut candidates = Vec::new();
    for page in current.pages() {
        candidates.extend(rules::page_cards(page, current, options, &tests));
    }
    candidates.extend(rules::channel_engagement(current, options, &tests));
    candidates.extend(rules::funnel_steps(current, options, &tests));
    candidates.extend(rules::channel_value(current, options, &tests));
    candidates.extend(rules::goal_gap(current, options, &tests));
    if let Some(previous) = previous {
        candidates.extend(rules::conversion_change(current, previous, options, &tests));
        candidates.extend(rules::channel_traffic_change(current, previous, options, &tests));
        candidates.extend(rules::page_traffic_change(current, previous, options, &tests));
        candidates.extend(rules::loyalty(current, previous, options, &tests));
    }
    let mut cards = discoveries::discoveries(candidates, tests.count(), FALSE_DISCOVERY_RATE);
    rank(&mut cards);
    cards
}

/// The cards about `path`, highest impact first: those of [`find_insights`] that name it, so
/// that a page shows the cards the site shows, under the same control of false discoveries.
pub fn page_insights(
    path: &str,
    current: &MergedRange,
    previous: Option<&MergedRange>,
    options: &SummaryOptions,
) -> Vec<InsightCard> {
    let mut cards = find_insights(current, previous, options);
    cards.retain(|card| card.page.as_deref() == Some(path));
    cards
}

/// Highest impact first; ties by statement, so the order is deterministic.
fn rank(cards: &mut [InsightCard]) {
    cards.sort_by(|a, b| b.impact.total_cmp(&a.impact).then_with(|| a.statement.cmp(&b.statement)));
}

#[cfg(test)]
mod tests {
    use super::testing::{background, cards, frustrated, pages_of, views};
    use super::*;
    use crate::summary::testing::{day, exit_after, onward};
    use tacit_beacon::signal::{Leave, View};

    #[test]
    fn the_background_site_makes_no_card() {
        let range = background().range(day("2026-11-23"));
        assert_eq!(find_insights(&range, None, &SummaryOptions::default()), vec![]);
    }

    #[test]
    fn cards_are_ranked_by_visitors_affected_times_effect_size() {
        let mut site = background();
        site.visits("/guide", 0, 150, None, &exit_after(90_000));
        views(&mut site, "/form", 1_000, 40, Some("/"), &frustrated());
        views(&mut site, "/form", 1_040, 80, Some("/docs"), &onward("/"));
        let range = site.range(day("2026-11-23"));
        let found = find_insights(&range, None, &SummaryOptions::default());
        assert!(found.len() >= 2, "{found:?}");
        assert!(found.windows(2).all(|w| w[0].impact >= w[1].impact));
        for card in &found {
            let expected = card.visitors_affected as f64 * card.effect_size;
            assert!((card.impact - expected).abs() < 1e-9);
        }
        let form = page_insights("/form", &range, None, &SummaryOptions::default());
        assert_eq!(pages_of(&form), vec![Some("/form")]);
    }

    #[test]
    fn a_page_with_fewer_visitors_than_k_is_never_named() {
        let mut site = background();
        // 150 views of /guide by only 20 distinct visitors: k = 25 hides it.
        let view = View::sample();
        for v in 0..150 {
            site.view("/guide", v % 20, &view);
            site.leave(
                "/guide",
                &Leave { entry: tacit_beacon::signal::Entry::Entry, ..exit_after(90_000) },
            );
        }
        let range = site.range(day("2026-11-23"));
        let options = SummaryOptions { k: 25, ..SummaryOptions::default() };
        let found = find_insights(&range, None, &options);
        assert!(found.iter().all(|c| c.page.as_deref() != Some("/guide")), "{found:?}");
    }

    #[test]
    fn every_share_on_a_card_carries_the_counts_it_is_computed_from() {
        let mut checked = 0;
        for effect in synthetic::Effect::ALL {
            let (current, previous) = synthetic::range(1, Some(effect));
            for card in find_insights(&current, Some(&previous), &SummaryOptions::default()) {
                for evidence in card.evidence.iter().filter(|e| e.unit == Unit::Share) {
                    let counts = evidence.counts.expect("a share's counts");
                    assert_eq!(counts.share(), Some(evidence.value), "{evidence:?}");
                    assert_eq!(counts.of, evidence.sample, "{evidence:?}");
                    if evidence.baseline.is_some() {
                        let baseline = evidence.baseline_counts.expect("a baseline's counts");
                        assert_eq!(baseline.share(), evidence.baseline, "{evidence:?}");
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked >= synthetic::Effect::ALL.len(), "{checked}");
    }

    #[test]
    fn a_card_links_to_the_view_of_its_page_or_the_site_over_its_range() {
        let mut site = background();
        site.visits("/guide", 0, 150, None, &exit_after(90_000));
        let card = &cards(&site, Rule::AnswersThenLeaves)[0];
        let view = &card.view;
        assert_eq!(view.link, "page?path=/guide&from=2026-11-23&to=2026-11-23");
        assert_eq!((view.from, view.to), (day("2026-11-23"), day("2026-11-23")));
        assert_eq!((view.compared_from, view.compared_to), (day("2026-11-22"), day("2026-11-22")));
        let site_view = EvidenceView::new(None, day("2026-11-01"), day("2026-11-30"));
        assert_eq!(site_view.link, "summary?from=2026-11-01&to=2026-11-30");
        assert_eq!(site_view.compared_from, day("2026-10-02"));
    }

    #[test]
    fn a_path_in_a_link_is_percent_encoded_but_for_its_slashes() {
        assert_eq!(query_value("/a b/c?d&e=ü"), "/a%20b/c%3Fd%26e%3D%C3%BC");
    }

    #[test]
    fn cards_serialize_with_snake_case_kinds_and_levels() {
        let mut site = background();
        site.visits("/guide", 0, 150, None, &exit_after(90_000));
        let card = &cards(&site, Rule::AnswersThenLeaves)[0];
        let json = serde_json::to_string(card).unwrap();
        assert!(json.contains(r#""kind":"behavioural""#), "{json}");
        assert!(json.contains(r#""rule":"answers_then_leaves""#), "{json}");
        assert!(json.contains(r#""test":"two_proportion_z""#) || json.contains("one_proportion_z"));
    }
}
