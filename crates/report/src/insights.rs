//! Insight cards: findings built from more than one signal, each with its evidence, a
//! statistical test and a suggested action (DESIGN, "Insights").
//!
//! [`find_insights`] runs every rule over a [`MergedRange`] (and the previous period, for the
//! rules that compare periods) and returns the cards ranked by expected impact: visitors
//! affected × effect size. [`page_insights`] runs the page rules for one page.
//!
//! # The rules
//!
//! | rule | kind | fires when | minimum sample |
//! |---|---|---|---|
//! | [`Rule::AnswersThenLeaves`] | behavioural | a page's exit rate is far above the rest of the site's *and* its engaged time is long | [`MIN_LEAVES`] leaves, [`MIN_VISITORS`] visitors |
//! | [`Rule::Mismatch`] | need | a landing page's bounce rate is far above the rest of the site's *and* its engaged time is short; names the channel that brings the most bounces | [`MIN_VISITS`] ended visits, [`MIN_VISITORS`] visitors |
//! | [`Rule::Frustration`] | emotional | a page's share of views with rage or dead clicks is at least twice the rest of the site's | [`MIN_LEAVES`] leaves, [`MIN_VISITORS`] visitors |
//! | [`Rule::UnhappyButEngaged`] | emotional | a page's unhappy feedback is far above the rest of the site's while its engaged time is at least the site's | [`MIN_ANSWERS`] answers, [`MIN_VISITORS`] visitors |
//! | [`Rule::HappyButBrief`] | emotional | a page's happy feedback is far above the rest of the site's while its engaged time is below the site's | [`MIN_ANSWERS`] answers, [`MIN_VISITORS`] visitors |
//! | [`Rule::ChannelEngagement`] | channel | a channel's engagement is far above (invest) or below (check its promise) the site's | [`MIN_VISITS`] entries, k visitors |
//! | [`Rule::DropOff`] | journey | a page that a third or more of its same-site arrivals reach from one page ends far more visits than the rest of the site | [`MIN_LEAVES`] leaves, [`MIN_VISITORS`] visitors |
//! | [`Rule::SearchExits`] | need | a page with site-search terms ends far more visits than the rest of the site: unmet needs | [`MIN_SEARCHES`] searches, [`MIN_LEAVES`] leaves |
//! | [`Rule::ConversionChange`] | value | a goal's conversion per visit changed far beyond chance since the previous period | [`MIN_VISITS`] visits in each period |
//!
//! # What "far" means
//!
//! A card needs both a practical effect (a difference of at least [`MIN_DIFFERENCE`], ten
//! percentage points, and for exit rates and channels a ratio too: [`MIN_EXIT_RATIO`],
//! [`MIN_CHANNEL_RATIO`]) and a statistical test that rejects "no
//! difference" at [`MIN_LEVEL`] (99 %, two-sided critical value |z| ≥ 2.576). A site with a
//! thousand pages runs thousands of tests per range, so the usual 95 % would show about one
//! false card in twenty tests that find nothing; 99 % and the effect floor keep chance findings
//! rare, though not impossible.
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
//! # Privacy
//!
//! A card names a page (its own, or the previous page of a drop-off) only if that page's
//! visitors reach k, as the page tables do, and names a channel, a goal or a search term only
//! if the matching folded breakdown of the summary shows it.
//! Statements are plain text; the edge escapes them.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::privacy::OTHER;
use crate::summary::{
    channel_rows, goal_rows, ratio, top_k_rows, MergedPage, MergedRange, SummaryOptions,
    INP_THRESHOLDS_MS,
};
use tacit_aggregate::quantiles::QuantileSketch;
use tacit_aggregate::record::Activity;

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
/// The confidence a card needs.
pub const MIN_LEVEL: ConfidenceLevel = ConfidenceLevel::Strong;

/// The relative standard error of a page's visitor sketch (see [`tacit_aggregate::PAGE_PRECISION`]).
const PAGE_VISITORS_RSE: f64 = 0.0081;

/// What a card is about (DESIGN, "Insights").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
}

impl Rule {
    /// The kind of card the rule makes.
    pub fn kind(self) -> InsightKind {
        match self {
            Rule::AnswersThenLeaves => InsightKind::Behavioural,
            Rule::Mismatch | Rule::SearchExits => InsightKind::Need,
            Rule::Frustration | Rule::UnhappyButEngaged | Rule::HappyButBrief => {
                InsightKind::Emotional
            }
            Rule::ChannelEngagement => InsightKind::Channel,
            Rule::DropOff => InsightKind::Journey,
            Rule::ConversionChange => InsightKind::Value,
        }
    }
}

/// How sure a test is that a difference is not chance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfidenceLevel {
    /// 95 %: |z| ≥ 1.960 (two-sided).
    Likely,
    /// 99 %: |z| ≥ 2.576.
    Strong,
    /// 99.9 %: |z| ≥ 3.291.
    VeryStrong,
}

impl ConfidenceLevel {
    /// The level a z statistic reaches, `None` below 95 %.
    pub fn of_z(z: f64) -> Option<ConfidenceLevel> {
        let z = z.abs();
        if z >= 3.291 {
            Some(ConfidenceLevel::VeryStrong)
        } else if z >= 2.576 {
            Some(ConfidenceLevel::Strong)
        } else if z >= 1.960 {
            Some(ConfidenceLevel::Likely)
        } else {
            None
        }
    }
}

/// The statistical test behind a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Test {
    /// Pooled two-proportion z-test between two disjoint groups.
    TwoProportionZ,
    /// One-proportion z-test against a fixed rate.
    OneProportionZ,
}

/// A test result: which test, its statistic, and the level it reaches.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Confidence {
    /// The test.
    pub test: Test,
    /// Its z statistic (positive when the finding's group is higher).
    pub statistic: f64,
    /// The level |z| reaches.
    pub level: ConfidenceLevel,
}

impl Confidence {
    fn of(test: Test, z: f64) -> Option<Confidence> {
        let level = ConfidenceLevel::of_z(z)?;
        Some(Confidence { test, statistic: z, level })
    }

    /// The weaker of two tests a finding needs both of.
    fn weaker(self, other: Confidence) -> Confidence {
        if other.statistic.abs() < self.statistic.abs() {
            other
        } else {
            self
        }
    }
}

/// The unit of an evidence figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
}

/// One figure of a card's evidence and the baseline it is compared with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
}

impl Evidence {
    fn new(measure: &str, value: f64, unit: Unit, sample: u64) -> Evidence {
        Evidence {
            measure: measure.to_owned(),
            value,
            baseline: None,
            baseline_label: None,
            unit,
            sample,
        }
    }

    fn against(mut self, baseline: f64, label: &str) -> Evidence {
        self.baseline = Some(baseline);
        self.baseline_label = Some(label.to_owned());
        self
    }
}

/// A finding with its evidence, its test and what to do about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
}

/// Every card the rules find over `current`, highest impact first. `previous` (the period of
/// equal length before it) is only used by [`Rule::ConversionChange`]. `options.k` decides
/// which pages, channels, previous pages and terms a card may name.
pub fn find_insights(
    current: &MergedRange,
    previous: Option<&MergedRange>,
    options: &SummaryOptions,
) -> Vec<InsightCard> {
    let mut cards = Vec::new();
    for page in current.pages() {
        cards.extend(page_cards(page, current, options));
    }
    cards.extend(channel_engagement(current, options));
    if let Some(previous) = previous {
        cards.extend(conversion_change(current, previous, options));
    }
    rank(&mut cards);
    cards
}

/// The cards about `path` over `current`, highest impact first: the page rules only, so this
/// costs one page's worth of work, not the site's.
pub fn page_insights(
    path: &str,
    current: &MergedRange,
    options: &SummaryOptions,
) -> Vec<InsightCard> {
    let mut cards =
        current.page(path).map(|page| page_cards(page, current, options)).unwrap_or_default();
    rank(&mut cards);
    cards
}

/// Highest impact first; ties by statement, so the order is deterministic.
fn rank(cards: &mut [InsightCard]) {
    cards.sort_by(|a, b| b.impact.total_cmp(&a.impact).then_with(|| a.statement.cmp(&b.statement)));
}

/// The page rules' cards for one page; none for [`OTHER`] or a page under the minimum visitors
/// or under k.
fn page_cards(
    page: &MergedPage,
    range: &MergedRange,
    options: &SummaryOptions,
) -> Vec<InsightCard> {
    if page.path == OTHER || visitors_lower_bound(page.visitors) < MIN_VISITORS.max(options.k) {
        return Vec::new();
    }
    let site = range.site();
    let site_median = site.engaged_time_ms.quantile(0.5);
    let context = PageContext { page, site, site_median, range, options };
    [
        answers_then_leaves(&context),
        mismatch(&context),
        frustration(&context),
        unhappy_but_engaged(&context),
        happy_but_brief(&context),
        drop_off(&context),
        search_exits(&context),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A visitor estimate less three relative standard errors of a page sketch: the count a
/// minimum-visitor check can rely on (99.7 % of estimates are above it).
pub fn visitors_lower_bound(estimate: u64) -> u64 {
    (estimate as f64 * (1.0 - 3.0 * PAGE_VISITORS_RSE)).floor() as u64
}

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

/// The pooled two-proportion z statistic of `x1 / n1` against `x2 / n2`, positive when the
/// first is higher. `None` when the normal approximation does not hold: either group expects
/// fewer than five successes or five failures under the pooled rate.
pub fn two_proportion_z(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<f64> {
    if n1 == 0 || n2 == 0 || x1 > n1 || x2 > n2 {
        return None;
    }
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let pooled = (x1 + x2) as f64 / (n1f + n2f);
    let smaller = pooled.min(1.0 - pooled);
    if n1f.min(n2f) * smaller < 5.0 {
        return None;
    }
    let standard_error = (pooled * (1.0 - pooled) * (1.0 / n1f + 1.0 / n2f)).sqrt();
    Some((x1 as f64 / n1f - x2 as f64 / n2f) / standard_error)
}

/// The one-proportion z statistic of `x / n` against a rate `p0`, positive when above. `None`
/// when `n·p0` or `n·(1 − p0)` is under five.
pub fn one_proportion_z(x: u64, n: u64, p0: f64) -> Option<f64> {
    let nf = n as f64;
    if x > n || !(0.0..=1.0).contains(&p0) || nf * p0.min(1.0 - p0) < 5.0 {
        return None;
    }
    Some((x as f64 / nf - p0) / (p0 * (1.0 - p0) / nf).sqrt())
}

/// How many values of `sketch` are above `threshold`, at the sketch's bucket resolution: the
/// values from the first rank whose estimate exceeds `threshold`.
fn count_above(sketch: &QuantileSketch, threshold: f64) -> u64 {
    let n = sketch.count();
    if n == 0 {
        return 0;
    }
    let value_at = |rank: u64| {
        let q = if n == 1 { 0.0 } else { ((rank as f64 + 0.5) / (n - 1) as f64).min(1.0) };
        sketch.quantile(q).unwrap_or(0.0)
    };
    // The first rank whose value exceeds the threshold, by binary search over 0..n.
    let (mut low, mut high) = (0u64, n);
    while low < high {
        let mid = low + (high - low) / 2;
        if value_at(mid) > threshold {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    n - low
}

/// Whether a page's engaged time is long or short against the site's median, with the test.
enum Time {
    Long(Confidence),
    Short(Confidence),
    Neither,
}

/// Long: the page's median is at least [`TIME_FACTOR`] times the site's, and significantly
/// more than half its views are above the site's median. Short: the mirror image.
fn engaged_time(page: &Activity, site_median: Option<f64>) -> Time {
    let (Some(site_median), Some(page_median)) = (site_median, page.engaged_time_ms.quantile(0.5))
    else {
        return Time::Neither;
    };
    let n = page.engaged_time_ms.count();
    let above = count_above(&page.engaged_time_ms, site_median);
    let Some(z) = one_proportion_z(above, n, 0.5) else {
        return Time::Neither;
    };
    let confidence = Confidence::of(Test::OneProportionZ, z).filter(|c| c.level >= MIN_LEVEL);
    match confidence {
        Some(c) if z > 0.0 && page_median >= site_median * TIME_FACTOR => Time::Long(c),
        Some(c) if z < 0.0 && page_median * TIME_FACTOR <= site_median => Time::Short(c),
        _ => Time::Neither,
    }
}

/// A page's rate `x / n` against the rest of the site's, when it is higher by at least
/// [`MIN_DIFFERENCE`] at [`MIN_LEVEL`]: the test and the difference.
fn higher_than_rest(x: u64, n: u64, site_x: u64, site_n: u64) -> Option<(Confidence, f64, f64)> {
    higher_than_rest_by(x, n, site_x, site_n, 1.0)
}

/// [`higher_than_rest`], also at least `min_ratio` times the rest's rate.
fn higher_than_rest_by(
    x: u64,
    n: u64,
    site_x: u64,
    site_n: u64,
    min_ratio: f64,
) -> Option<(Confidence, f64, f64)> {
    let (rest_x, rest_n) = (site_x.saturating_sub(x), site_n.saturating_sub(n));
    let z = two_proportion_z(x, n, rest_x, rest_n)?;
    let (rate, rest) = (ratio(x, n)?, ratio(rest_x, rest_n)?);
    let confidence = Confidence::of(Test::TwoProportionZ, z)?;
    (z > 0.0
        && rate - rest >= MIN_DIFFERENCE
        && rate >= rest * min_ratio
        && confidence.level >= MIN_LEVEL)
        .then_some((confidence, rate, rest))
}

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

fn percent(share: f64) -> String {
    format!("{:.0} %", share * 100.0)
}

fn duration(ms: f64) -> String {
    let seconds = (ms / 1000.0).round() as u64;
    if seconds < 60 {
        format!("{seconds} s")
    } else if seconds.is_multiple_of(60) {
        format!("{} min", seconds / 60)
    } else {
        format!("{} min {} s", seconds / 60, seconds % 60)
    }
}

fn quoted_list(items: &[String]) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "\"{item}\"");
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Page rules
// ---------------------------------------------------------------------------------------------

struct PageContext<'a> {
    page: &'a MergedPage,
    site: &'a Activity,
    site_median: Option<f64>,
    range: &'a MergedRange,
    options: &'a SummaryOptions,
}

impl PageContext<'_> {
    fn card(
        &self,
        rule: Rule,
        statement: String,
        evidence: Vec<Evidence>,
        confidence: Confidence,
        action: String,
        effect_size: f64,
    ) -> InsightCard {
        let visitors_affected = self.page.visitors;
        InsightCard {
            kind: rule.kind(),
            rule,
            statement,
            evidence,
            confidence,
            action,
            page: Some(self.page.path.clone()),
            visitors_affected,
            effect_size,
            impact: visitors_affected as f64 * effect_size,
        }
    }

    fn median_evidence(&self) -> Option<Evidence> {
        let a = self.page.activity();
        let median = a.engaged_time_ms.quantile(0.5)?;
        Some(
            Evidence::new(
                "median engaged time",
                median,
                Unit::Milliseconds,
                a.engaged_time_ms.count(),
            )
            .against(self.site_median?, "site median"),
        )
    }
}

/// High exit rate + long engaged time: the page answers the question; add a next step.
///
/// DESIGN's example says "high bounce + long engaged time", but a bounce here is GA4's: an
/// entry that does not continue *and* has under 10 s engaged, so a page cannot bounce with
/// long engaged time. The rule reads the example in its older sense, visits that end on the
/// page, and tests the page's exit rate.
///
/// Minimum: [`MIN_LEAVES`] leaves on the page and [`MIN_VISITORS`] visitors.
fn answers_then_leaves(c: &PageContext) -> Option<InsightCard> {
    let a = c.page.activity();
    if a.leaves < MIN_LEAVES {
        return None;
    }
    let (exit_test, rate, rest) =
        higher_than_rest_by(a.exits, a.leaves, c.site.exits, c.site.leaves, MIN_EXIT_RATIO)?;
    let Time::Long(time_test) = engaged_time(a, c.site_median) else {
        return None;
    };
    let median = a.engaged_time_ms.quantile(0.5)?;
    let path = &c.page.path;
    Some(
        c.card(
            Rule::AnswersThenLeaves,
            format!(
            "Visitors read {path} closely (median {} engaged, site {}) and then leave: {} of its \
             views end the visit, against {} elsewhere. It seems to answer their question.",
            duration(median),
            duration(c.site_median?),
            percent(rate),
            percent(rest),
        ),
            vec![
                Evidence::new("exit rate", rate, Unit::Share, a.leaves)
                    .against(rest, "rest of site"),
                c.median_evidence()?,
            ],
            exit_test.weaker(time_test),
            "Add a next step where readers finish: a related page, a sign-up or a contact link."
                .to_owned(),
            rate - rest,
        ),
    )
}

/// High bounce rate + short engaged time on a landing page: what brought visitors is not what
/// they found; names the channel that brings the most bounces.
///
/// Minimum: [`MIN_VISITS`] visits that ended (bounced or engaged) and [`MIN_VISITORS`]
/// visitors. The channel is named only if it is shown in the page's folded channel breakdown.
fn mismatch(c: &PageContext) -> Option<InsightCard> {
    let a = c.page.activity();
    let ended = a.bounces + a.engaged_visits;
    if ended < MIN_VISITS {
        return None;
    }
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
    Some(c.card(
        Rule::Mismatch,
        statement,
        evidence,
        bounce_test.weaker(time_test),
        action,
        rate - rest,
    ))
}

/// Rage and dead clicks concentrated on a page: its share of views with rage or dead clicks is
/// at least twice the rest of the site's and five points above it (frustrated views are rare,
/// so this rule's effect floor is half of [`MIN_DIFFERENCE`]).
///
/// Minimum: [`MIN_LEAVES`] leaves and [`MIN_VISITORS`] visitors.
fn frustration(c: &PageContext) -> Option<InsightCard> {
    const MIN_FRUSTRATION_DIFFERENCE: f64 = 0.05;
    let a = c.page.activity();
    if a.leaves < MIN_LEAVES {
        return None;
    }
    let (rest_x, rest_n) = (
        c.site.frustrated_views.saturating_sub(a.frustrated_views),
        c.site.leaves.saturating_sub(a.leaves),
    );
    let z = two_proportion_z(a.frustrated_views, a.leaves, rest_x, rest_n)?;
    let (rate, rest) = (ratio(a.frustrated_views, a.leaves)?, ratio(rest_x, rest_n)?);
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
        Evidence::new("views with rage or dead clicks", rate, Unit::Share, a.leaves)
            .against(rest, "rest of site"),
        Evidence::new("rage clicks", a.rage_clicks as f64, Unit::Count, a.leaves),
        Evidence::new("dead clicks", a.dead_clicks as f64, Unit::Count, a.leaves),
        Evidence::new("quick backs", ratio(a.quick_backs, a.leaves)?, Unit::Share, a.leaves)
            .against(ratio(c.site.quick_backs, c.site.leaves)?, "site"),
    ];
    let inp = a.inp_ms.quantile(0.75);
    if let Some(inp) = inp {
        evidence.push(
            Evidence::new("INP p75", inp, Unit::Milliseconds, a.inp_ms.count())
                .against(INP_THRESHOLDS_MS.0, "good threshold"),
        );
    }
    let kind_of_click = if a.rage_clicks >= a.dead_clicks { "rage" } else { "dead" };
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
    Some(c.card(
        Rule::Frustration,
        format!(
            "Visitors struggle on {path}: {} of its views have rage or dead clicks, against {} \
             elsewhere, mostly {kind_of_click} clicks.",
            percent(rate),
            percent(rest),
        ),
        evidence,
        confidence,
        action,
        rate - rest,
    ))
}

/// Unhappy feedback on a page visitors spend time on: the time may be effort, not interest.
///
/// Minimum: [`MIN_ANSWERS`] feedback answers on the page and [`MIN_VISITORS`] visitors.
fn unhappy_but_engaged(c: &PageContext) -> Option<InsightCard> {
    let share = FeedbackShare::above_rest(c, UNHAPPY)?;
    let (median, site_median) = (c.page.activity().engaged_time_ms.quantile(0.5)?, c.site_median?);
    if median < site_median {
        return None;
    }
    let path = &c.page.path;
    Some(c.card(
        Rule::UnhappyButEngaged,
        format!(
            "Visitors spend time on {path} (median {} engaged, site {}) but rate it poorly: {} \
             of its {} answers are unhappy, against {} elsewhere. The time may be \
             effort, not interest.",
            duration(median),
            duration(site_median),
            percent(share.rate),
            share.answers,
            percent(share.rest),
        ),
        vec![share.evidence("unhappy answers"), c.median_evidence()?],
        share.test,
        format!(
            "Look for what is hard to find or to understand on {path}; its time on page alone \
             would have hidden this."
        ),
        share.rate - share.rest,
    ))
}

/// Happy feedback on a page visitors leave quickly: it answers fast, so a short time on it is
/// not a lack of interest — the reverse of [`unhappy_but_engaged`].
///
/// Minimum: [`MIN_ANSWERS`] feedback answers on the page and [`MIN_VISITORS`] visitors.
fn happy_but_brief(c: &PageContext) -> Option<InsightCard> {
    let share = FeedbackShare::above_rest(c, HAPPY)?;
    let (median, site_median) = (c.page.activity().engaged_time_ms.quantile(0.5)?, c.site_median?);
    if median >= site_median {
        return None;
    }
    let path = &c.page.path;
    Some(c.card(
        Rule::HappyButBrief,
        format!(
            "Visitors leave {path} quickly (median {} engaged, site {}) yet rate it well: {} \
             of its {} answers are happy, against {} elsewhere. It answers fast.",
            duration(median),
            duration(site_median),
            percent(share.rate),
            share.answers,
            percent(share.rest),
        ),
        vec![share.evidence("happy answers"), c.median_evidence()?],
        share.test,
        format!(
            "Keep {path} short; take it as the model for pages rated poorly, and put the next \
             step where a quick reader sees it."
        ),
        share.rate - share.rest,
    ))
}

/// The lowest and highest feedback scores.
const UNHAPPY: u8 = 1;
const HAPPY: u8 = 3;

/// A page's share of feedback answers with one score, far above the rest of the site's.
struct FeedbackShare {
    answers: u64,
    test: Confidence,
    rate: f64,
    rest: f64,
}

impl FeedbackShare {
    /// The page's share of answers `score`, when it has [`MIN_ANSWERS`] answers and the share is
    /// far above the rest of the site's.
    fn above_rest(c: &PageContext, score: u8) -> Option<FeedbackShare> {
        let a = c.page.activity();
        let answers: u64 = a.feedback.values().sum();
        if answers < MIN_ANSWERS {
            return None;
        }
        let with_score = |activity: &Activity| {
            activity.feedback.iter().filter(|(s, _)| s.get() == score).map(|(_, &n)| n).sum()
        };
        let site_answers: u64 = c.site.feedback.values().sum();
        let (test, rate, rest) =
            higher_than_rest(with_score(a), answers, with_score(c.site), site_answers)?;
        Some(FeedbackShare { answers, test, rate, rest })
    }

    fn evidence(&self, what: &str) -> Evidence {
        Evidence::new(what, self.rate, Unit::Share, self.answers).against(self.rest, "rest of site")
    }
}

/// A page most of its same-site arrivals reach from one page, ending far more visits than the
/// rest of the site: the step from that page is where the journey drops off.
///
/// Not made for a page where goals are reached (a thank-you page ends visits by design) nor
/// for a page with long engaged time (that is [`Rule::AnswersThenLeaves`]). Minimum:
/// [`MIN_LEAVES`] leaves, [`MIN_VISITORS`] visitors, and the previous page must bring at least
/// a third of the page's arrivals from other pages (at the lower end of its top-k count) and
/// have k visitors itself.
fn drop_off(c: &PageContext) -> Option<InsightCard> {
    let a = c.page.activity();
    if a.leaves < MIN_LEAVES || a.goals.total() > 0 {
        return None;
    }
    let (test, rate, rest) =
        higher_than_rest_by(a.exits, a.leaves, c.site.exits, c.site.leaves, MIN_EXIT_RATIO)?;
    if matches!(engaged_time(a, c.site_median), Time::Long(_)) {
        return None;
    }
    let top = a.previous_pages.top(1).into_iter().next()?;
    let arrivals = a.previous_pages.total();
    let share = top.count.saturating_sub(top.max_error) as f64 / arrivals as f64;
    let from = c.range.page(&top.key)?;
    if share < 1.0 / 3.0 || from.visitors < c.options.k || top.key == OTHER {
        return None;
    }
    let (path, from) = (&c.page.path, &top.key);
    Some(c.card(
        Rule::DropOff,
        format!(
            "The journey drops off at {path}: visitors reach it from another page most often \
             from {from} ({} of those arrivals), and {} of its views end the visit, against {} \
             elsewhere.",
            percent(share),
            percent(rate),
            percent(rest),
        ),
        vec![
            Evidence::new("exit rate", rate, Unit::Share, a.leaves).against(rest, "rest of site"),
            Evidence::new(&format!("arrivals from {from}"), share, Unit::Share, arrivals),
        ],
        test,
        format!(
            "Check that {path} delivers what {from} promises, and that it offers an obvious next \
             step."
        ),
        rate - rest,
    ))
}

/// Site searches that end the visit: a page with search terms whose exit rate is far above the
/// rest of the site's; names its top terms that pass k.
///
/// Minimum: [`MIN_SEARCHES`] searches and [`MIN_LEAVES`] leaves on the page.
fn search_exits(c: &PageContext) -> Option<InsightCard> {
    let a = c.page.activity();
    if a.search_terms.total() < MIN_SEARCHES || a.leaves < MIN_LEAVES {
        return None;
    }
    let (test, rate, rest) =
        higher_than_rest_by(a.exits, a.leaves, c.site.exits, c.site.leaves, MIN_EXIT_RATIO)?;
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
    Some(c.card(
        Rule::SearchExits,
        format!(
            "Site searches often end the visit: {} of the views of {path} end there, against {} \
             elsewhere.{named}",
            percent(rate),
            percent(rest),
        ),
        vec![
            Evidence::new("exit rate", rate, Unit::Share, a.leaves).against(rest, "rest of site"),
            Evidence::new("searches", a.search_terms.total() as f64, Unit::Count, a.views),
        ],
        test,
        "Check what these searches return; add the content they look for, or synonyms that lead \
         to it."
            .to_owned(),
        rate - rest,
    ))
}

// ---------------------------------------------------------------------------------------------
// Site rules
// ---------------------------------------------------------------------------------------------

/// A channel whose engagement (engaged visits over entries) is far above the site's (invest
/// here) or far below (check what it promises).
///
/// Far: [`MIN_DIFFERENCE`] and a factor of [`MIN_CHANNEL_RATIO`] from the site's rate, and a
/// test against the rest of the site at [`MIN_LEVEL`], with the channel's top-k counts taken at the end of their error interval
/// that works against the finding. Minimum: [`MIN_VISITS`] entries, and the channel must be
/// shown in the site's folded channel breakdown.
fn channel_engagement(range: &MergedRange, options: &SummaryOptions) -> Vec<InsightCard> {
    let site = range.site();
    let shown: Vec<String> = channel_rows(site, range.site_visitors_per_view(), options)
        .into_iter()
        .map(|row| row.label)
        .filter(|c| c != OTHER)
        .collect();
    let engaged: Vec<_> = site.engaged_channels.top(usize::MAX);
    let visitors_per_entry = ratio(range.site_visitors(), site.entries).map_or(1.0, |r| r.min(1.0));
    let site_rate = ratio(site.engaged_visits, site.entries);
    let mut cards = Vec::new();
    for entry in site.entry_channels.top(usize::MAX) {
        if !shown.contains(&entry.key) || entry.count.saturating_sub(entry.max_error) < MIN_VISITS {
            continue;
        }
        let (engaged_count, engaged_error) =
            engaged.iter().find(|e| e.key == entry.key).map_or((0, 0), |e| (e.count, e.max_error));
        // The test is against the rest of the site (disjoint groups); the effect floors are
        // against the whole site, so that one channel far off the others does not make all
        // the others "far" the other way.
        let baseline_of = |x: u64, n: u64| {
            let (rest_x, rest_n) =
                (site.engaged_visits.saturating_sub(x), site.entries.saturating_sub(n));
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
        let (statement, action) = if is_above {
            (
                format!(
                    "Visitors from {channel} engage far more than the rest: {} of their visits \
                     are engaged, against {} site-wide.",
                    percent(rate),
                    percent(rest)
                ),
                format!(
                    "Invest in {channel}: more of the same content, placement or campaign, and \
                     look at what its visitors find that others do not."
                ),
            )
        } else {
            (
                format!(
                    "Visitors from {channel} engage far less than the rest: {} of their visits \
                     are engaged, against {} site-wide.",
                    percent(rate),
                    percent(rest)
                ),
                format!(
                    "Check what {channel} promises and where it lands visitors; fix the landing \
                     page or the targeting before spending more on it."
                ),
            )
        };
        let visitors_affected = (entries_high as f64 * visitors_per_entry).round() as u64;
        let effect_size = (rate - rest).abs();
        cards.push(InsightCard {
            kind: Rule::ChannelEngagement.kind(),
            rule: Rule::ChannelEngagement,
            statement,
            evidence: vec![Evidence::new(
                "engagement rate",
                rate,
                Unit::Share,
                if is_above { entries_high } else { entries_low },
            )
            .against(rest, "site")],
            confidence,
            action,
            page: None,
            visitors_affected,
            effect_size,
            impact: visitors_affected as f64 * effect_size,
        });
    }
    cards
}

/// A goal whose conversion per visit changed far beyond chance since the previous period.
///
/// Far: at least a fifth of the previous rate apart at [`MIN_LEVEL`]. Minimum: [`MIN_VISITS`]
/// visits in each period, and the goal shown in the current period's folded goal breakdown.
/// Completions above visits (a goal reached several times per visit) are capped at the visits
/// for the test.
fn conversion_change(
    current: &MergedRange,
    previous: &MergedRange,
    options: &SummaryOptions,
) -> Vec<InsightCard> {
    let (now, before) = (current.site(), previous.site());
    if now.entries < MIN_VISITS || before.entries < MIN_VISITS {
        return Vec::new();
    }
    let goals = goal_rows(now, current.site_visitors_per_view(), options);
    let previous_goals = before.goals.top(usize::MAX);
    let mut cards = Vec::new();
    for goal in goals.iter().filter(|g| g.label != OTHER) {
        let (name, completions) = (&goal.label, &goal.figures);
        let earlier = previous_goals.iter().find(|g| g.key == *name);
        let earlier_count = earlier.map_or(0, |g| g.count);
        let x1 = completions.completions.min(now.entries);
        let x2 = earlier_count.min(before.entries);
        let Some(z) = two_proportion_z(x1, now.entries, x2, before.entries) else { continue };
        let (Some(rate), Some(old)) = (ratio(x1, now.entries), ratio(x2, before.entries)) else {
            continue;
        };
        let Some(confidence) = Confidence::of(Test::TwoProportionZ, z) else { continue };
        if confidence.level < MIN_LEVEL || (rate - old).abs() < old * 0.2 {
            continue;
        }
        let per_completion = completions.value / completions.completions.max(1) as f64;
        let worth = if per_completion > 0.0 {
            format!(", worth {per_completion:.2} per completion")
        } else {
            String::new()
        };
        let (verb, action) = if rate > old {
            ("rose", "Find what drove the rise (a campaign, a page, a price) and do more of it.")
        } else {
            (
                "fell",
                "Check what changed on the way to this goal since the previous period: pages, \
                 prices, forms, campaigns.",
            )
        };
        let effect_size = (rate - old).abs();
        let visitors_affected = current.site_visitors();
        cards.push(InsightCard {
            kind: Rule::ConversionChange.kind(),
            rule: Rule::ConversionChange,
            statement: format!(
                "Conversions to \"{name}\" {verb} from {} to {} of visits since the previous \
                 period{worth}.",
                percent_precise(old),
                percent_precise(rate),
            ),
            evidence: vec![
                Evidence::new("conversions per visit", rate, Unit::Share, now.entries)
                    .against(old, "previous period"),
                Evidence::new("value", completions.value, Unit::Count, completions.completions),
            ],
            confidence,
            action: action.to_owned(),
            page: None,
            visitors_affected,
            effect_size,
            impact: visitors_affected as f64 * effect_size,
        });
    }
    cards
}

fn percent_precise(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::testing::{bounce, day, exit_after, onward, Site};
    use tacit_beacon::signal::{Entry, Event, FeedbackScore, Leave, View};

    /// Visitor numbers of the background traffic; each test's page uses lower ones.
    const BACKGROUND: u64 = 100_000;

    /// A site where nothing stands out: 300 direct visits to `/` (100 go on to `/docs`, 100
    /// stay 15 s and leave, 100 bounce) and 100 views of `/docs` (half go back, half leave
    /// after 20 s). Exit rate 250/400, engagement 200/300, median engaged time 15 s.
    fn background() -> Site {
        let mut site = Site::default();
        site.visits("/", BACKGROUND, 100, None, &onward("/docs"));
        site.visits("/", BACKGROUND + 100, 100, None, &exit_after(15_000));
        site.visits("/", BACKGROUND + 200, 100, None, &bounce());
        views(&mut site, "/docs", BACKGROUND, 50, Some("/"), &onward("/"));
        views(&mut site, "/docs", BACKGROUND + 50, 50, Some("/"), &exit_after(20_000));
        site
    }

    /// `n` views of `path` inside visits, by visitors numbered from `first`, each followed by
    /// `leave`.
    fn views(
        site: &mut Site,
        path: &str,
        first: u64,
        n: u64,
        previous: Option<&str>,
        leave: &Leave,
    ) {
        let view = View {
            entry: Entry::NotEntry,
            previous: previous.map(str::to_owned),
            ..View::sample()
        };
        for v in first..first + n {
            site.view(path, v, &view);
            site.leave(path, leave);
        }
    }

    fn cards(site: &Site, rule: Rule) -> Vec<InsightCard> {
        let range = site.range(day("2026-11-23"));
        let mut cards = find_insights(&range, None, &SummaryOptions::default());
        cards.retain(|card| card.rule == rule);
        cards
    }

    fn pages_of(cards: &[InsightCard]) -> Vec<Option<&str>> {
        cards.iter().map(|c| c.page.as_deref()).collect()
    }

    // ---- statistics ----

    // 60/100 against 40/100: pooled 0.5, standard error √(0.25 · 0.02) = 0.0707, z = 2.828.
    #[test]
    fn the_two_proportion_z_test_matches_a_worked_example() {
        let z = two_proportion_z(60, 100, 40, 100).unwrap();
        assert!((z - 2.828).abs() < 0.001, "{z}");
        assert_eq!(ConfidenceLevel::of_z(z), Some(ConfidenceLevel::Strong));
        assert!(two_proportion_z(40, 100, 60, 100).unwrap() < 0.0);
    }

    #[test]
    fn the_z_tests_refuse_samples_too_small_for_the_normal_approximation() {
        // Pooled rate 0.04: 100 · 0.04 = 4 expected successes, under 5.
        assert_eq!(two_proportion_z(6, 100, 2, 100), None);
        assert!(two_proportion_z(6, 150, 4, 150).is_some());
        assert_eq!(one_proportion_z(3, 9, 0.5), None);
        assert_eq!(two_proportion_z(1, 0, 1, 10), None);
        // 60/100 against 0.5: (0.6 − 0.5) / √(0.25 / 100) = 2.
        assert!((one_proportion_z(60, 100, 0.5).unwrap() - 2.0).abs() < 1e-12);
    }

    #[test]
    fn confidence_levels_follow_the_two_sided_normal_critical_values() {
        assert_eq!(ConfidenceLevel::of_z(1.95), None);
        assert_eq!(ConfidenceLevel::of_z(-1.96), Some(ConfidenceLevel::Likely));
        assert_eq!(ConfidenceLevel::of_z(2.6), Some(ConfidenceLevel::Strong));
        assert_eq!(ConfidenceLevel::of_z(3.3), Some(ConfidenceLevel::VeryStrong));
    }

    // Values 1..=100: 50 are above 50.4 (the sketch's buckets are 2 % wide, so the threshold is
    // placed between two buckets to make the answer exact).
    #[test]
    fn count_above_reads_the_share_above_a_threshold_from_the_sketch() {
        let mut sketch = QuantileSketch::new();
        (1..=100).for_each(|v| sketch.insert(f64::from(v)));
        assert_eq!(count_above(&sketch, 50.4), 50);
        assert_eq!(count_above(&sketch, 0.0), 100);
        assert_eq!(count_above(&sketch, 100.0), 0);
        assert_eq!(count_above(&QuantileSketch::new(), 1.0), 0);
    }

    #[test]
    fn the_minimum_visitor_check_allows_for_three_standard_errors_of_the_sketch() {
        assert_eq!(visitors_lower_bound(1_000), 975);
        assert_eq!(visitors_lower_bound(31), 30);
    }

    #[test]
    fn durations_read_as_seconds_and_minutes() {
        assert_eq!(duration(9_600.0), "10 s");
        assert_eq!(duration(100_000.0), "1 min 40 s");
        assert_eq!(duration(120_000.0), "2 min");
    }

    #[test]
    fn the_background_site_makes_no_card() {
        let range = background().range(day("2026-11-23"));
        assert_eq!(find_insights(&range, None, &SummaryOptions::default()), vec![]);
    }

    // ---- behavioural: answers then leaves ----

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

    // ---- need: mismatch ----

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

    // ---- emotional: frustration ----

    fn frustrated() -> Leave {
        Leave { rage_clicks: 2, inp_ms: Some(650), ..exit_after(15_000) }
    }

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

    // ---- emotional: feedback against engagement ----

    fn feedback(site: &mut Site, path: &str, unhappy: u64, happy: u64) {
        let score = |s| Event::Feedback { score: FeedbackScore::new(s).unwrap() };
        (0..unhappy).for_each(|_| site.event(path, &score(1)));
        (0..happy).for_each(|_| site.event(path, &score(3)));
    }

    fn engaged_article() -> Site {
        let mut site = background();
        feedback(&mut site, "/", 5, 95);
        site.visits("/article", 0, 120, None, &exit_after(60_000));
        site
    }

    #[test]
    fn unhappy_feedback_on_a_page_visitors_spend_time_on_is_an_emotional_card() {
        let mut site = engaged_article();
        feedback(&mut site, "/article", 20, 20);
        let found = cards(&site, Rule::UnhappyButEngaged);
        assert_eq!(pages_of(&found), vec![Some("/article")]);
        assert!(found[0].statement.contains("50 %"), "{}", found[0].statement);
    }

    #[test]
    fn happy_feedback_on_an_engaging_page_makes_no_unhappy_card() {
        let mut site = engaged_article();
        feedback(&mut site, "/article", 2, 38);
        assert_eq!(cards(&site, Rule::UnhappyButEngaged), vec![]);
    }

    #[test]
    fn unhappy_feedback_on_a_page_left_quickly_makes_no_unhappy_but_engaged_card() {
        let mut site = background();
        feedback(&mut site, "/", 5, 95);
        site.visits("/article", 0, 120, None, &bounce());
        feedback(&mut site, "/article", 20, 20);
        assert_eq!(cards(&site, Rule::UnhappyButEngaged), vec![]);
    }

    #[test]
    fn a_page_just_under_the_minimum_answers_makes_no_unhappy_card() {
        let mut site = engaged_article();
        feedback(&mut site, "/article", MIN_ANSWERS - 1, 0);
        assert_eq!(cards(&site, Rule::UnhappyButEngaged), vec![]);
    }

    #[test]
    fn happy_feedback_on_a_page_left_quickly_is_an_emotional_card() {
        let mut site = background();
        feedback(&mut site, "/", 50, 50);
        site.visits("/answer", 0, 120, None, &bounce());
        feedback(&mut site, "/answer", 2, 38);
        let found = cards(&site, Rule::HappyButBrief);
        assert_eq!(pages_of(&found), vec![Some("/answer")]);
        assert!(found[0].statement.contains("95 %"), "{}", found[0].statement);
    }

    #[test]
    fn happy_feedback_on_an_engaging_page_makes_no_happy_but_brief_card() {
        let mut site = background();
        feedback(&mut site, "/", 50, 50);
        site.visits("/answer", 0, 120, None, &exit_after(60_000));
        feedback(&mut site, "/answer", 2, 38);
        assert_eq!(cards(&site, Rule::HappyButBrief), vec![]);
    }

    #[test]
    fn unhappy_feedback_on_a_page_left_quickly_makes_no_happy_but_brief_card() {
        let mut site = background();
        feedback(&mut site, "/", 50, 50);
        site.visits("/answer", 0, 120, None, &bounce());
        feedback(&mut site, "/answer", 38, 2);
        assert_eq!(cards(&site, Rule::HappyButBrief), vec![]);
    }

    // ---- channel ----

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

    // ---- journey: drop-off ----

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
        site.event("/signup", &Event::Goal { name: "signup".into(), value: None });
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

    // ---- need: searches that end the visit ----

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
        // "(other)" would hold only the 4 views of the small term, under k, so it also takes
        // the smallest shown term, "api keys", along (see `fold_small_rows`).
        let mut terms = vec!["refund"; 60];
        terms.extend(["api keys"; 56]);
        terms.extend(["my invoice 4711"; 4]);
        searches(&mut site, 120, &terms, &exit_after(5_000));
        let found = cards(&site, Rule::SearchExits);
        assert_eq!(pages_of(&found), vec![Some("/search")]);
        assert!(found[0].statement.contains("\"refund\""), "{}", found[0].statement);
        assert!(!found[0].statement.contains("4711"), "{}", found[0].statement);
        assert!(!found[0].statement.contains("api keys"), "{}", found[0].statement);
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

    // ---- value: conversion change ----

    fn with_purchases(n: u64) -> Site {
        let mut site = background();
        for _ in 0..n {
            site.event("/docs", &Event::Goal { name: "purchase".into(), value: Some(40.0) });
        }
        site
    }

    fn conversion_cards(now: &Site, before: &Site) -> Vec<InsightCard> {
        let (current, previous) = (now.range(day("2026-11-23")), before.range(day("2026-11-22")));
        let mut cards = find_insights(&current, Some(&previous), &SummaryOptions::default());
        cards.retain(|card| card.rule == Rule::ConversionChange);
        cards
    }

    // 10/300 against 40/300 visits: pooled 0.083, z = −4.4.
    #[test]
    fn a_goal_converting_far_less_than_in_the_previous_period_is_a_value_card() {
        let found = conversion_cards(&with_purchases(10), &with_purchases(40));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].statement.contains("fell from 13.3 % to 3.3 %"), "{}", found[0].statement);
        assert!(found[0].statement.contains("40.00 per completion"));
        assert_eq!(found[0].kind, InsightKind::Value);
    }

    #[test]
    fn a_goal_converting_as_before_makes_no_value_card() {
        assert_eq!(conversion_cards(&with_purchases(38), &with_purchases(40)), vec![]);
        let only_now = background().range(day("2026-11-23"));
        let cards = find_insights(&only_now, None, &SummaryOptions::default());
        assert!(cards.iter().all(|c| c.rule != Rule::ConversionChange));
    }

    #[test]
    fn periods_just_under_the_minimum_visits_make_no_value_card() {
        let tiny = |purchases: u64| {
            let mut site = Site::default();
            site.visits("/", 0, MIN_VISITS - 1, None, &onward("/buy"));
            for _ in 0..purchases {
                site.event("/buy", &Event::Goal { name: "purchase".into(), value: None });
            }
            site
        };
        assert_eq!(conversion_cards(&tiny(2), &tiny(40)), vec![]);
    }

    // ---- ranking and privacy ----

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
        let form = page_insights("/form", &range, &SummaryOptions::default());
        assert_eq!(pages_of(&form), vec![Some("/form")]);
    }

    #[test]
    fn a_page_with_fewer_visitors_than_k_is_never_named() {
        let mut site = background();
        // 150 views of /guide by only 20 distinct visitors: k = 25 hides it.
        let view = View::sample();
        for v in 0..150 {
            site.view("/guide", v % 20, &view);
            site.leave("/guide", &Leave { entry: true, ..exit_after(90_000) });
        }
        let range = site.range(day("2026-11-23"));
        let options = SummaryOptions { k: 25, ..SummaryOptions::default() };
        let found = find_insights(&range, None, &options);
        assert!(found.iter().all(|c| c.page.as_deref() != Some("/guide")), "{found:?}");
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
