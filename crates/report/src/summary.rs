//! Summaries: the records of a date range merged into what the pages and the API show.
//!
//! One code path serves the HTML pages and the JSON API: the edge reads a range's page records
//! and site rollups, merges them once into a [`MergedRange`] (and the previous period of equal
//! length, from [`previous_period`], into another), and builds from them
//!
//! - a [`SiteSummary`]: headline metrics with their previous-period values, a daily series,
//!   page tables, channels with their engagement, breakdowns, goals, search terms;
//! - a [`PageSummary`] for one path: its metrics against the site's, distributions, journeys in
//!   and out, frustration, vitals against Google's thresholds, feedback;
//! - a [`RangeSummary`]: the per-page table of `GET /api/v1/sites/<site>/pages`;
//! - and, in [`crate::insights`], the insight cards.
//!
//! # Rates
//!
//! Every rate is an `Option<f64>`: `None` when its denominator is zero, never NaN.
//!
//! - *bounce rate* and *engagement rate* are bounces and engaged visits over the visits whose
//!   leave signal arrived (bounces + engaged visits), so they add up to one; a visit whose page
//!   was closed before its leave beacon was sent is in neither.
//! - *exit rate* is exits over the views whose leave signal arrived.
//! - a *channel's engagement* is its engaged visits over its entries. Entries are counted at
//!   the view and engaged visits at the leave, so lost leave beacons lower every channel's rate
//!   alike; the site baseline it is compared with ([`SiteSummary::channel_baseline`]) is
//!   computed the same way for that reason.
//! - a goal's *conversion rate* is its completions over the site's visits: a visit that
//!   completes a goal twice counts twice, so it is completions per visit, not a share of
//!   visitors.
//!
//! # k-anonymity in every breakdown
//!
//! Every breakdown goes through [`fold_small_rows`] with the site's k ([`SummaryOptions::k`],
//! default [`DEFAULT_K`]; k = 1 disables folding). What "visitors" a row has for that test
//! depends on what the breakdown counts:
//!
//! - **Page tables** (top, entry and exit pages, [`RangeSummary`]): each page's own visitor
//!   sketch. The three tables fold by the same figure, so a path is shown in all of them or
//!   in none.
//! - **Top-k lists and count maps** (referrers, campaigns, channels, previous and next pages,
//!   search terms, goals, events, devices, browsers, countries, languages, feedback scores)
//!   count views, entries or events, not visitors, and have no sketch per row. A row's visitors
//!   are at most its count, so testing the count against k would only fold the rows that
//!   surely have fewer than k visitors, and would show a row that one visitor produced many
//!   times. The core therefore tests an estimate: the row's guaranteed count (`count −
//!   max_error`) times the scope's visitors per view (the page's or the site's unique visitors
//!   over its views, at most 1), rounded down, and at least 1 for a row that counted anything
//!   so that k = 1 still folds nothing. It assumes that the row's visitors repeat it as often
//!   as the scope's average visitor repeats a view; entries and goal completions repeat less
//!   often than views, so for those rows the estimate is low and folds more. It is an estimate,
//!   not a bound: a row that a single visitor repeats far more than average can still pass.
//!   A guarantee would need a visitor sketch per row. The estimate is not published
//!   (`serde(skip)`); rows show what was counted.
//!
//! Besides the k test, two folds keep breakdowns honest: a top-k entry whose possible
//! over-count is more than half its count (`2 · max_error > count`) says little about its key
//! and is folded, and the weight a top-k list counted for keys it no longer tracks is added to
//! [`OTHER`], so that a breakdown's rows add up to what was counted. Rows past
//! [`SummaryOptions::max_rows`] are folded too. Daily series and headline totals are not
//! breakdowns by label and are not folded.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::privacy::{fold_small_rows, Breakdown, DEFAULT_K, OTHER};
use tacit_aggregate::quantiles::QuantileSketch;
use tacit_aggregate::record::Activity;
use tacit_aggregate::top_k::TopK;
use tacit_aggregate::{Day, PageDay, SiteDay};

/// Rows a breakdown shows by default before the rest folds into [`OTHER`].
pub const DEFAULT_MAX_ROWS: usize = 50;

/// The quantiles a [`Distribution`] reports.
pub const DISTRIBUTION_QUANTILES: [f64; 5] = [0.1, 0.25, 0.5, 0.75, 0.9];

/// Google's Core Web Vitals thresholds at the 75th percentile: up to the first value is good,
/// up to the second needs improvement, above it is poor. LCP in milliseconds.
pub const LCP_THRESHOLDS_MS: (f64, f64) = (2500.0, 4000.0);
/// INP thresholds in milliseconds (see [`LCP_THRESHOLDS_MS`]).
pub const INP_THRESHOLDS_MS: (f64, f64) = (200.0, 500.0);
/// CLS thresholds, unitless (see [`LCP_THRESHOLDS_MS`]).
pub const CLS_THRESHOLDS: (f64, f64) = (0.1, 0.25);

/// How a site's summaries are built: its privacy threshold and how long breakdowns may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryOptions {
    /// Breakdown rows with fewer estimated visitors than k are folded into [`OTHER`] (see the
    /// [module documentation](self)). A site setting; 1 (or 0) disables folding.
    pub k: u64,
    /// Rows a breakdown shows at most; the rest is folded into [`OTHER`]. At least 1.
    pub max_rows: usize,
}

impl Default for SummaryOptions {
    fn default() -> SummaryOptions {
        SummaryOptions { k: DEFAULT_K, max_rows: DEFAULT_MAX_ROWS }
    }
}

/// The period of equal length that ends the day before `from`: what a range is compared with.
pub fn previous_period(from: Day, to: Day) -> (Day, Day) {
    let length = to.days_after(from) + 1;
    (from.add_days(-length), from.add_days(-1))
}

/// `numerator / denominator`, `None` when the denominator is zero.
pub fn ratio(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

// ---------------------------------------------------------------------------------------------
// Merging
// ---------------------------------------------------------------------------------------------

/// `(path, record)` pairs merged into one record per path, sorted by path. Merging is
/// associative, so pairs that are themselves merges of several days (a range kept merged) merge
/// with single days into the same records as the days one by one.
pub fn merge_by_path(pages: impl IntoIterator<Item = (String, PageDay)>) -> Vec<(String, PageDay)> {
    let mut by_path: HashMap<String, PageDay> = HashMap::new();
    for (path, record) in pages {
        match by_path.get_mut(&path) {
            Some(merged) => merged.merge(&record),
            None => {
                by_path.insert(path, record);
            }
        }
    }
    let mut merged: Vec<(String, PageDay)> = by_path.into_iter().collect();
    merged.sort_by(|a, b| a.0.cmp(&b.0));
    merged
}

/// One page's records over a range, merged, with its unique visitors estimated once.
#[derive(Debug, Clone)]
pub struct MergedPage {
    /// The scrubbed path (or [`tacit_aggregate::record::OTHER_PAGE`]).
    pub path: String,
    /// Everything counted on the page over the range.
    pub record: PageDay,
    /// Unique visitors of the page over the range, from its sketch (a union across days).
    pub visitors: u64,
}

impl MergedPage {
    /// What happened on the page.
    pub fn activity(&self) -> &Activity {
        self.record.activity()
    }
}

/// One day of the site, for the daily chart and the sparklines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyPoint {
    /// The day.
    pub day: Day,
    /// Unique visitors that day, from the site's sketch.
    pub visitors: u64,
    /// Visits (entries).
    pub visits: u64,
    /// Page views.
    pub views: u64,
    /// Bounces over visits whose leave arrived.
    pub bounce_rate: Option<f64>,
    /// Engaged visits over visits whose leave arrived.
    pub engagement_rate: Option<f64>,
}

/// The records of a date range merged once, for every summary and insight of that range.
///
/// Merging is the expensive part of a read; build one per range and pass it to
/// [`SiteSummary::new`], [`PageSummary::new`], [`RangeSummary::from_merged`] and
/// [`crate::insights::find_insights`].
#[derive(Debug, Clone)]
pub struct MergedRange {
    from: Day,
    to: Day,
    pages: Vec<MergedPage>,
    site: SiteDay,
    site_visitors: u64,
    daily: Vec<DailyPoint>,
}

impl MergedRange {
    /// Merges `(path, record)` pairs, one per page and day, and `(day, rollup)` pairs, one per
    /// day, of the range `from..=to`. Rollups of days outside the range are ignored; days
    /// without a rollup are zero in the daily series.
    ///
    /// The site's unique visitors come from the merged rollups (the site's precision, 0.41 %
    /// relative standard error).
    pub fn new(
        from: Day,
        to: Day,
        pages: impl IntoIterator<Item = (String, PageDay)>,
        site_days: impl IntoIterator<Item = (Day, SiteDay)>,
    ) -> MergedRange {
        let pages: Vec<MergedPage> = merge_by_path(pages)
            .into_iter()
            .map(|(path, mut record)| {
                let visitors = record.unique_visitors();
                MergedPage { path, record, visitors }
            })
            .collect();

        let mut by_day: BTreeMap<Day, SiteDay> = BTreeMap::new();
        for (day, record) in site_days {
            if day < from || day > to {
                continue;
            }
            match by_day.get_mut(&day) {
                Some(merged) => merged.merge(&record),
                None => {
                    by_day.insert(day, record);
                }
            }
        }
        let mut site = SiteDay::default();
        let mut daily = Vec::with_capacity(to.days_after(from).max(0) as usize + 1);
        let mut day = from;
        while day <= to {
            match by_day.get_mut(&day) {
                Some(record) => {
                    site.merge(record);
                    let activity = record.activity();
                    let (views, visits) = (activity.views, activity.entries);
                    let (bounce_rate, engagement_rate) = visit_rates(activity);
                    daily.push(DailyPoint {
                        day,
                        visitors: record.unique_visitors(),
                        visits,
                        views,
                        bounce_rate,
                        engagement_rate,
                    });
                }
                None => daily.push(DailyPoint {
                    day,
                    visitors: 0,
                    visits: 0,
                    views: 0,
                    bounce_rate: None,
                    engagement_rate: None,
                }),
            }
            day = day.add_days(1);
        }

        let site_visitors = site.unique_visitors();
        MergedRange { from, to, pages, site, site_visitors, daily }
    }

    /// First day of the range.
    pub fn from(&self) -> Day {
        self.from
    }

    /// Last day of the range, included.
    pub fn to(&self) -> Day {
        self.to
    }

    /// Every page with a record in the range, by path.
    pub fn pages(&self) -> &[MergedPage] {
        &self.pages
    }

    /// The page at `path`, if it has a record in the range.
    pub fn page(&self, path: &str) -> Option<&MergedPage> {
        self.pages
            .binary_search_by(|page| page.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.pages[i])
    }

    /// What happened on the whole site, from the rollups.
    pub fn site(&self) -> &Activity {
        self.site.activity()
    }

    /// Unique visitors of the site over the range.
    pub fn site_visitors(&self) -> u64 {
        self.site_visitors
    }

    /// Page views dropped as bots'.
    pub fn bots_dropped(&self) -> u64 {
        self.site.bots_dropped()
    }

    /// Page views counted bare, without the snippet's WebAssembly.
    pub fn bare_views(&self) -> u64 {
        self.site.bare_views()
    }

    /// One point per day of the range, in order.
    pub fn daily(&self) -> &[DailyPoint] {
        &self.daily
    }

    /// The site's visitors per view, at most 1: the scale of the k estimate of site rows.
    pub(crate) fn site_visitors_per_view(&self) -> f64 {
        visitors_per_view(self.site_visitors, self.site().views)
    }
}

/// A scope's unique visitors per view, at most 1 (1 without views): the scale of the k
/// estimate of its rows.
pub(crate) fn visitors_per_view(visitors: u64, views: u64) -> f64 {
    ratio(visitors, views).map_or(1.0, |r| r.min(1.0))
}

/// Bounce rate and engagement rate of an activity.
fn visit_rates(activity: &Activity) -> (Option<f64>, Option<f64>) {
    let ended = activity.bounces + activity.engaged_visits;
    (ratio(activity.bounces, ended), ratio(activity.engaged_visits, ended))
}

/// Bounces over visits whose leave arrived.
pub fn bounce_rate(activity: &Activity) -> Option<f64> {
    visit_rates(activity).0
}

/// Engaged visits over visits whose leave arrived.
pub fn engagement_rate(activity: &Activity) -> Option<f64> {
    visit_rates(activity).1
}

/// Exits over views whose leave arrived.
pub fn exit_rate(activity: &Activity) -> Option<f64> {
    ratio(activity.exits, activity.leaves)
}

// ---------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------

/// A count with its previous-period value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Count {
    /// This period.
    pub current: u64,
    /// The previous period of equal length, when it was asked for.
    pub previous: Option<u64>,
    /// Relative change, `(current − previous) / previous`; `None` without a previous value or
    /// when it is zero.
    pub change: Option<f64>,
}

impl Count {
    fn new(current: u64, previous: Option<u64>) -> Count {
        let change = previous.filter(|&p| p > 0).map(|p| (current as f64 - p as f64) / p as f64);
        Count { current, previous, change }
    }
}

/// A measure that is not a proportion (views per visit, a median time) with its previous value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    /// This period; `None` when undefined (no data, or a zero denominator).
    pub current: Option<f64>,
    /// The previous period, when asked for and defined.
    pub previous: Option<f64>,
    /// Relative change; `None` when either value is missing or the previous one is zero.
    pub change: Option<f64>,
}

impl Measure {
    fn new(current: Option<f64>, previous: Option<f64>) -> Measure {
        let change = match (current, previous) {
            (Some(c), Some(p)) if p != 0.0 => Some((c - p) / p),
            _ => None,
        };
        Measure { current, previous, change }
    }
}

/// A proportion (bounce rate, engagement rate) with its previous value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    /// This period, from 0 to 1; `None` when the denominator is zero.
    pub current: Option<f64>,
    /// The previous period, when asked for and defined.
    pub previous: Option<f64>,
    /// `current − previous`, in the same unit (0.05 is five percentage points); `None` when
    /// either is missing.
    pub difference: Option<f64>,
}

impl Rate {
    fn new(current: Option<f64>, previous: Option<f64>) -> Rate {
        let difference = current.zip(previous).map(|(c, p)| c - p);
        Rate { current, previous, difference }
    }
}

/// A page's figure against the site's over the same range, and its own previous value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Compared {
    /// The page, this period.
    pub page: Option<f64>,
    /// The whole site, this period: the baseline.
    pub site: Option<f64>,
    /// The page, previous period.
    pub previous: Option<f64>,
}

/// The headline metrics of a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteMetrics {
    /// Unique visitors of the site (a union over the range, site precision).
    pub visitors: Count,
    /// Visits (entries).
    pub visits: Count,
    /// Page views.
    pub views: Count,
    /// Views per visit.
    pub views_per_visit: Measure,
    /// Bounces over visits whose leave arrived.
    pub bounce_rate: Rate,
    /// Engaged visits over visits whose leave arrived.
    pub engagement_rate: Rate,
    /// Median engaged time per view, in milliseconds (1 % relative error).
    pub median_engaged_ms: Measure,
    /// Median deepest scroll per view, in percent (1 % relative error).
    pub median_scroll_pct: Measure,
    /// Page views dropped as bots'.
    pub bots_dropped: Count,
    /// Page views the loader sent bare, its path only, because the page's
    /// Content-Security-Policy blocked the snippet's WebAssembly (counted in `views` too).
    pub bare_views: Count,
    /// Visits of visitors who agreed to journey linking: those whose first or returning visit
    /// the snippet could tell.
    pub known_visits: Count,
    /// Returning visitors' share of [`SiteMetrics::known_visits`] (see [`returning_rate`]).
    pub returning_rate: Rate,
}

impl SiteMetrics {
    fn new(current: &MergedRange, previous: Option<&MergedRange>, k: u64) -> SiteMetrics {
        let (now, before) = (current.site(), previous.map(MergedRange::site));
        let count = |f: fn(&Activity) -> u64| Count::new(f(now), before.map(f));
        let measure = |f: fn(&Activity) -> Option<f64>| Measure::new(f(now), before.and_then(f));
        let rate = |f: fn(&Activity) -> Option<f64>| Rate::new(f(now), before.and_then(f));
        SiteMetrics {
            visitors: Count::new(current.site_visitors(), previous.map(MergedRange::site_visitors)),
            visits: count(|a| a.entries),
            views: count(|a| a.views),
            views_per_visit: measure(|a| ratio(a.views, a.entries)),
            bounce_rate: rate(bounce_rate),
            engagement_rate: rate(engagement_rate),
            median_engaged_ms: measure(|a| a.engaged_time_ms.quantile(0.5)),
            median_scroll_pct: measure(|a| a.scroll_depth_pct.quantile(0.5)),
            bots_dropped: Count::new(
                current.bots_dropped(),
                previous.map(MergedRange::bots_dropped),
            ),
            bare_views: Count::new(current.bare_views(), previous.map(MergedRange::bare_views)),
            known_visits: count(|a| a.known_visits.total()),
            returning_rate: Rate::new(
                returning_rate(now, k),
                before.and_then(|a| returning_rate(a, k)),
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------

/// One page's figures over a date range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRow {
    /// The scrubbed page path.
    pub path: String,
    /// Page views.
    pub views: u64,
    /// Estimated unique visitors over the whole range (a union across days).
    pub visitors: u64,
}

impl Breakdown for PageRow {
    fn label(&self) -> &str {
        &self.path
    }
    fn visitors(&self) -> u64 {
        self.visitors
    }
    fn absorb(&mut self, other: PageRow) {
        self.views += other.views;
        self.visitors += other.visitors;
    }
    fn relabel(&mut self, label: &str) {
        label.clone_into(&mut self.path);
    }
}

/// A page as a landing page: its visits and how they went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryPageRow {
    /// The page path.
    pub path: String,
    /// The page's unique visitors (all its views, not only entries).
    pub visitors: u64,
    /// Visits that started on the page.
    pub entries: u64,
    /// Of those whose leave arrived, the bounces.
    pub bounces: u64,
    /// Of those whose leave arrived, the engaged visits.
    pub engaged_visits: u64,
    /// Bounces over bounces + engaged visits.
    pub bounce_rate: Option<f64>,
    /// Engaged visits over bounces + engaged visits.
    pub engagement_rate: Option<f64>,
}

impl Breakdown for EntryPageRow {
    fn label(&self) -> &str {
        &self.path
    }
    fn visitors(&self) -> u64 {
        self.visitors
    }
    fn absorb(&mut self, other: EntryPageRow) {
        self.visitors += other.visitors;
        self.entries += other.entries;
        self.bounces += other.bounces;
        self.engaged_visits += other.engaged_visits;
        let ended = self.bounces + self.engaged_visits;
        self.bounce_rate = ratio(self.bounces, ended);
        self.engagement_rate = ratio(self.engaged_visits, ended);
    }
    fn relabel(&mut self, label: &str) {
        label.clone_into(&mut self.path);
    }
}

/// A page as a last page: the views that ended the visit there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExitPageRow {
    /// The page path.
    pub path: String,
    /// The page's unique visitors.
    pub visitors: u64,
    /// Views whose leave arrived.
    pub leaves: u64,
    /// Views that ended the visit.
    pub exits: u64,
    /// Exits over leaves.
    pub exit_rate: Option<f64>,
}

impl Breakdown for ExitPageRow {
    fn label(&self) -> &str {
        &self.path
    }
    fn visitors(&self) -> u64 {
        self.visitors
    }
    fn absorb(&mut self, other: ExitPageRow) {
        self.visitors += other.visitors;
        self.leaves += other.leaves;
        self.exits += other.exits;
        self.exit_rate = ratio(self.exits, self.leaves);
    }
    fn relabel(&mut self, label: &str) {
        label.clone_into(&mut self.path);
    }
}

/// A label and what was counted for it: views, entries or events, as the breakdown says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountRow {
    /// The referrer host, campaign, page, term, device...
    pub label: String,
    /// Views, entries or events counted for the label (a top-k count may be slightly high).
    pub count: u64,
    /// The k-test estimate of the row's visitors (see the [module documentation](self)).
    #[serde(skip)]
    estimated_visitors: u64,
}

impl CountRow {
    /// A row as folding leaves it, for comparisons in tests and callers.
    pub fn new(label: &str, count: u64) -> CountRow {
        CountRow { label: label.to_owned(), count, estimated_visitors: 0 }
    }
}

impl Breakdown for CountRow {
    fn label(&self) -> &str {
        &self.label
    }
    fn visitors(&self) -> u64 {
        self.estimated_visitors
    }
    fn absorb(&mut self, other: CountRow) {
        self.count += other.count;
        self.estimated_visitors += other.estimated_visitors;
    }
    fn relabel(&mut self, label: &str) {
        label.clone_into(&mut self.label);
    }
}

/// A channel (campaign source, referrer host or `(direct)`) with its volume and engagement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelRow {
    /// The channel.
    pub channel: String,
    /// Visits it brought.
    pub entries: u64,
    /// Of those, the engaged visits.
    pub engaged_visits: u64,
    /// Engaged visits over entries.
    pub engagement_rate: Option<f64>,
    #[serde(skip)]
    estimated_visitors: u64,
}

impl Breakdown for ChannelRow {
    fn label(&self) -> &str {
        &self.channel
    }
    fn visitors(&self) -> u64 {
        self.estimated_visitors
    }
    fn absorb(&mut self, other: ChannelRow) {
        self.entries += other.entries;
        self.engaged_visits += other.engaged_visits;
        self.engagement_rate = ratio(self.engaged_visits, self.entries);
        self.estimated_visitors += other.estimated_visitors;
    }
    fn relabel(&mut self, label: &str) {
        label.clone_into(&mut self.channel);
    }
}

/// A goal with its completions, conversion rate and value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalRow {
    /// The goal's name.
    pub goal: String,
    /// Times it was reached.
    pub completions: u64,
    /// Completions per visit of the site.
    pub conversion_rate: Option<f64>,
    /// Sum of the values sent with it (revenue); may miss values of a goal the top-k list
    /// evicted for a while.
    pub value: f64,
    #[serde(skip)]
    estimated_visitors: u64,
}

impl Breakdown for GoalRow {
    fn label(&self) -> &str {
        &self.goal
    }
    fn visitors(&self) -> u64 {
        self.estimated_visitors
    }
    fn absorb(&mut self, other: GoalRow) {
        self.completions += other.completions;
        self.value += other.value;
        // Both rates share the site's visits as denominator, so they add.
        self.conversion_rate = match (self.conversion_rate, other.conversion_rate) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        self.estimated_visitors += other.estimated_visitors;
    }
    fn relabel(&mut self, label: &str) {
        label.clone_into(&mut self.goal);
    }
}

/// The k-test estimate of a row's visitors (see the module documentation).
fn estimate_visitors(count: u64, max_error: u64, visitors_per_view: f64) -> u64 {
    if count == 0 {
        return 0;
    }
    let guaranteed = count.saturating_sub(max_error);
    ((guaranteed as f64 * visitors_per_view).floor() as u64).max(1)
}

/// Sorts `rows` (already in order), folds those past `max_rows`, then folds under k.
fn finish<R: Breakdown>(mut rows: Vec<R>, options: &SummaryOptions) -> Vec<R> {
    let max_rows = options.max_rows.max(1);
    for row in rows.iter_mut().skip(max_rows) {
        row.relabel(OTHER);
    }
    fold_small_rows(rows, options.k)
}

/// A top-k list as count rows (see the module documentation for what is folded and why).
pub(crate) fn top_k_rows(
    list: &TopK,
    visitors_per_view: f64,
    options: &SummaryOptions,
) -> Vec<CountRow> {
    let entries = list.top(usize::MAX);
    let listed: u64 = entries.iter().map(|e| e.count).sum();
    let mut rows: Vec<CountRow> = entries
        .into_iter()
        .map(|e| {
            let unreliable = e.max_error.saturating_mul(2) > e.count;
            CountRow {
                label: if unreliable { OTHER.to_owned() } else { e.key },
                count: e.count,
                estimated_visitors: estimate_visitors(e.count, e.max_error, visitors_per_view),
            }
        })
        .collect();
    let untracked = list.total().saturating_sub(listed);
    if untracked > 0 {
        rows.push(CountRow {
            label: OTHER.to_owned(),
            count: untracked,
            estimated_visitors: estimate_visitors(untracked, 0, visitors_per_view),
        });
    }
    sort_rows(&mut rows);
    finish(rows, options)
}

/// Largest count first, ties by label, with [`OTHER`] rows last.
fn sort_rows(rows: &mut [CountRow]) {
    rows.sort_by(|a, b| {
        (a.label == OTHER)
            .cmp(&(b.label == OTHER))
            .then(b.count.cmp(&a.count))
            .then_with(|| a.label.cmp(&b.label))
    });
}

/// A map of counts (devices, browsers, countries) as count rows.
fn map_rows<'a>(
    counts: impl IntoIterator<Item = (&'a str, u64)>,
    visitors_per_view: f64,
    options: &SummaryOptions,
) -> Vec<CountRow> {
    let mut rows: Vec<CountRow> = counts
        .into_iter()
        .filter(|&(_, count)| count > 0)
        .map(|(label, count)| CountRow {
            label: label.to_owned(),
            count,
            estimated_visitors: estimate_visitors(count, 0, visitors_per_view),
        })
        .collect();
    sort_rows(&mut rows);
    finish(rows, options)
}

/// Channels with engagement, from a scope's entry and engaged channel lists.
///
/// Engaged counts are looked up in the engaged list and capped at the entries (both lists are
/// approximate once full, and a channel's engaged count must not exceed its entries).
pub(crate) fn channel_rows(
    activity: &Activity,
    visitors_per_view: f64,
    options: &SummaryOptions,
) -> Vec<ChannelRow> {
    let engaged: HashMap<String, u64> =
        activity.engaged_channels.top(usize::MAX).into_iter().map(|e| (e.key, e.count)).collect();
    let entries = activity.entry_channels.top(usize::MAX);
    let listed: u64 = entries.iter().map(|e| e.count).sum();
    let listed_engaged: u64 =
        entries.iter().map(|e| engaged.get(&e.key).copied().unwrap_or(0).min(e.count)).sum();
    let mut rows: Vec<ChannelRow> = entries
        .into_iter()
        .map(|e| {
            let engaged_visits = engaged.get(&e.key).copied().unwrap_or(0).min(e.count);
            let unreliable = e.max_error.saturating_mul(2) > e.count;
            ChannelRow {
                channel: if unreliable { OTHER.to_owned() } else { e.key },
                entries: e.count,
                engaged_visits,
                engagement_rate: ratio(engaged_visits, e.count),
                estimated_visitors: estimate_visitors(e.count, e.max_error, visitors_per_view),
            }
        })
        .collect();
    let untracked = activity.entry_channels.total().saturating_sub(listed);
    if untracked > 0 {
        let engaged_visits =
            activity.engaged_channels.total().saturating_sub(listed_engaged).min(untracked);
        rows.push(ChannelRow {
            channel: OTHER.to_owned(),
            entries: untracked,
            engaged_visits,
            engagement_rate: ratio(engaged_visits, untracked),
            estimated_visitors: estimate_visitors(untracked, 0, visitors_per_view),
        });
    }
    rows.sort_by(|a, b| {
        (a.channel == OTHER)
            .cmp(&(b.channel == OTHER))
            .then(b.entries.cmp(&a.entries))
            .then_with(|| a.channel.cmp(&b.channel))
    });
    finish(rows, options)
}

/// Goals with conversion per visit and value.
pub(crate) fn goal_rows(
    activity: &Activity,
    visitors_per_view: f64,
    options: &SummaryOptions,
) -> Vec<GoalRow> {
    let visits = activity.entries;
    let entries = activity.goals.top(usize::MAX);
    let listed: u64 = entries.iter().map(|e| e.count).sum();
    let mut rows: Vec<GoalRow> = entries
        .into_iter()
        .map(|e| {
            let unreliable = e.max_error.saturating_mul(2) > e.count;
            GoalRow {
                goal: if unreliable { OTHER.to_owned() } else { e.key },
                completions: e.count,
                conversion_rate: ratio(e.count, visits),
                value: e.value_sum,
                estimated_visitors: estimate_visitors(e.count, e.max_error, visitors_per_view),
            }
        })
        .collect();
    let untracked = activity.goals.total().saturating_sub(listed);
    if untracked > 0 {
        rows.push(GoalRow {
            goal: OTHER.to_owned(),
            completions: untracked,
            conversion_rate: ratio(untracked, visits),
            value: 0.0,
            estimated_visitors: estimate_visitors(untracked, 0, visitors_per_view),
        });
    }
    rows.sort_by(|a, b| {
        (a.goal == OTHER)
            .cmp(&(b.goal == OTHER))
            .then(b.completions.cmp(&a.completions))
            .then_with(|| a.goal.cmp(&b.goal))
    });
    finish(rows, options)
}

/// Device, browser, country and language rows of an activity.
fn audience_rows(
    activity: &Activity,
    visitors_per_view: f64,
    options: &SummaryOptions,
) -> Audience {
    Audience {
        devices: map_rows(
            activity.devices.iter().map(|(d, &n)| (d.as_str(), n)),
            visitors_per_view,
            options,
        ),
        browsers: map_rows(
            activity.browsers.iter().map(|(b, &n)| (b.as_str(), n)),
            visitors_per_view,
            options,
        ),
        countries: map_rows(
            activity.countries.iter().map(|(c, &n)| (c.as_str(), n)),
            visitors_per_view,
            options,
        ),
        languages: top_k_rows(&activity.languages, visitors_per_view, options),
    }
}

/// Who the visitors were: views per device class, browser family, country and language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Audience {
    /// Views per device class.
    pub devices: Vec<CountRow>,
    /// Views per browser family.
    pub browsers: Vec<CountRow>,
    /// Views per country (views whose country was known).
    pub countries: Vec<CountRow>,
    /// Views per primary language.
    pub languages: Vec<CountRow>,
}

/// One-tap feedback (CSAT 1–3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    /// Answers given.
    pub answers: u64,
    /// Mean score, from 1 (unhappy) to 3 (happy).
    pub mean_score: f64,
    /// The site's mean score over the same range, the baseline (`None` in a site summary).
    pub site_mean_score: Option<f64>,
    /// Answers per score (`"1"`, `"2"`, `"3"`), folded under k like any breakdown.
    pub scores: Vec<CountRow>,
}

/// Returning visits over the visits whose visitor agreed to journey linking (the others cannot
/// be told apart); `None` with fewer than `k` such visits, where a share would say too much
/// about each visitor.
pub fn returning_rate(activity: &Activity, k: u64) -> Option<f64> {
    let known = activity.known_visits.total();
    (known >= k.max(1)).then(|| ratio(activity.known_visits.returning, known)).flatten()
}

/// Mean feedback score, `None` without answers.
pub fn mean_feedback(activity: &Activity) -> Option<f64> {
    let answers: u64 = activity.feedback.values().sum();
    let total: u64 = activity.feedback.iter().map(|(s, &n)| u64::from(s.get()) * n).sum();
    ratio(total, answers)
}

/// The feedback of a scope, `None` when fewer than k answered (the estimate of answering
/// visitors, as for any row, is below k) or nobody did.
fn feedback(
    activity: &Activity,
    site: Option<&Activity>,
    visitors_per_view: f64,
    options: &SummaryOptions,
) -> Option<Feedback> {
    let answers: u64 = activity.feedback.values().sum();
    if answers == 0 || estimate_visitors(answers, 0, visitors_per_view) < options.k {
        return None;
    }
    let labels = ["1", "2", "3"];
    let scores = map_rows(
        activity.feedback.iter().map(|(s, &n)| (labels[usize::from(s.get() - 1)], n)),
        visitors_per_view,
        options,
    );
    Some(Feedback {
        answers,
        mean_score: mean_feedback(activity)?,
        site_mean_score: site.and_then(mean_feedback),
        scores,
    })
}

// ---------------------------------------------------------------------------------------------
// The site summary
// ---------------------------------------------------------------------------------------------

/// A date range, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// First day.
    pub from: Day,
    /// Last day, included.
    pub to: Day,
}

/// Everything the site page and `GET /api/v1/sites/<site>/summary` show for a range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteSummary {
    /// First day of the range.
    pub from: Day,
    /// Last day of the range, included.
    pub to: Day,
    /// The range it is compared with, when one was given.
    pub previous: Option<Period>,
    /// The k that breakdowns were folded with.
    pub k: u64,
    /// Headline metrics with their previous values.
    pub metrics: SiteMetrics,
    /// One point per day of the range.
    pub daily: Vec<DailyPoint>,
    /// One point per day of the previous range, for a comparison line (empty without one).
    pub previous_daily: Vec<DailyPoint>,
    /// Pages by views.
    pub top_pages: Vec<PageRow>,
    /// Pages by visits started on them.
    pub entry_pages: Vec<EntryPageRow>,
    /// Pages by visits ended on them.
    pub exit_pages: Vec<ExitPageRow>,
    /// Channels by visits, with their engagement.
    pub channels: Vec<ChannelRow>,
    /// The site's engaged visits over its entries: the baseline of a channel's engagement.
    pub channel_baseline: Option<f64>,
    /// External referrer hosts by views.
    pub referrers: Vec<CountRow>,
    /// UTM campaigns (`source / medium / campaign`) by views.
    pub campaigns: Vec<CountRow>,
    /// Devices, browsers, countries and languages.
    pub audience: Audience,
    /// Goals with conversion rate and value.
    pub goals: Vec<GoalRow>,
    /// Site-search terms by searches.
    pub search_terms: Vec<CountRow>,
    /// Outbound links, downloads and form submissions (`outbound:<host>`, ...) by count.
    pub events: Vec<CountRow>,
    /// Feedback over the whole site, when at least k answered.
    pub feedback: Option<Feedback>,
}

impl SiteSummary {
    /// The summary of `current`, compared with `previous` when given (usually the range of
    /// [`previous_period`]).
    pub fn new(
        current: &MergedRange,
        previous: Option<&MergedRange>,
        options: &SummaryOptions,
    ) -> SiteSummary {
        let site = current.site();
        let per_view = current.site_visitors_per_view();
        SiteSummary {
            from: current.from,
            to: current.to,
            previous: previous.map(|p| Period { from: p.from, to: p.to }),
            k: options.k,
            metrics: SiteMetrics::new(current, previous, options.k),
            daily: current.daily.clone(),
            previous_daily: previous.map(|p| p.daily.clone()).unwrap_or_default(),
            top_pages: page_rows(current, options),
            entry_pages: entry_page_rows(current, options),
            exit_pages: exit_page_rows(current, options),
            channels: channel_rows(site, per_view, options),
            channel_baseline: ratio(site.engaged_visits, site.entries),
            referrers: top_k_rows(&site.referrers, per_view, options),
            campaigns: top_k_rows(&site.campaigns, per_view, options),
            audience: audience_rows(site, per_view, options),
            goals: goal_rows(site, per_view, options),
            search_terms: top_k_rows(&site.search_terms, per_view, options),
            events: top_k_rows(&site.events, per_view, options),
            feedback: feedback(site, None, per_view, options),
        }
    }
}

fn page_rows(range: &MergedRange, options: &SummaryOptions) -> Vec<PageRow> {
    let mut rows: Vec<PageRow> = range
        .pages
        .iter()
        .map(|p| PageRow { path: p.path.clone(), views: p.activity().views, visitors: p.visitors })
        .collect();
    rows.sort_by(|a, b| b.views.cmp(&a.views).then_with(|| a.path.cmp(&b.path)));
    finish(rows, options)
}

fn entry_page_rows(range: &MergedRange, options: &SummaryOptions) -> Vec<EntryPageRow> {
    let mut rows: Vec<EntryPageRow> = range
        .pages
        .iter()
        .filter(|p| p.activity().entries > 0)
        .map(|p| {
            let a = p.activity();
            let (bounce_rate, engagement_rate) = visit_rates(a);
            EntryPageRow {
                path: p.path.clone(),
                visitors: p.visitors,
                entries: a.entries,
                bounces: a.bounces,
                engaged_visits: a.engaged_visits,
                bounce_rate,
                engagement_rate,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.entries.cmp(&a.entries).then_with(|| a.path.cmp(&b.path)));
    finish(rows, options)
}

fn exit_page_rows(range: &MergedRange, options: &SummaryOptions) -> Vec<ExitPageRow> {
    let mut rows: Vec<ExitPageRow> = range
        .pages
        .iter()
        .filter(|p| p.activity().exits > 0)
        .map(|p| {
            let a = p.activity();
            ExitPageRow {
                path: p.path.clone(),
                visitors: p.visitors,
                leaves: a.leaves,
                exits: a.exits,
                exit_rate: exit_rate(a),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.exits.cmp(&a.exits).then_with(|| a.path.cmp(&b.path)));
    finish(rows, options)
}

// ---------------------------------------------------------------------------------------------
// The page summary
// ---------------------------------------------------------------------------------------------

/// One quantile of a distribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct QuantilePoint {
    /// The quantile, such as 0.75.
    pub q: f64,
    /// The value at it (1 % relative error).
    pub value: f64,
}

/// A distribution as a few quantiles ([`DISTRIBUTION_QUANTILES`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// Values counted.
    pub count: u64,
    /// The quantiles, lowest first; empty when nothing was counted.
    pub quantiles: Vec<QuantilePoint>,
}

impl Distribution {
    fn of(sketch: &QuantileSketch) -> Distribution {
        Distribution {
            count: sketch.count(),
            quantiles: DISTRIBUTION_QUANTILES
                .iter()
                .filter_map(|&q| sketch.quantile(q).map(|value| QuantilePoint { q, value }))
                .collect(),
        }
    }
}

/// Frustration signals per view whose leave arrived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Frustration {
    /// Rage clicks per view.
    pub rage_clicks_per_view: Compared,
    /// Dead clicks per view.
    pub dead_clicks_per_view: Compared,
    /// Share of views with at least one rage or dead click.
    pub frustrated_view_rate: Compared,
    /// Share of views left within 5 s back to the previous page.
    pub quick_back_rate: Compared,
}

/// Google's rating of a Core Web Vital at the 75th percentile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VitalRating {
    /// At or below the first threshold.
    Good,
    /// Between the thresholds.
    NeedsImprovement,
    /// Above the second threshold.
    Poor,
}

impl VitalRating {
    /// The rating of a 75th percentile against `(good, poor)` thresholds.
    pub fn of(p75: f64, (good, poor): (f64, f64)) -> VitalRating {
        if p75 <= good {
            VitalRating::Good
        } else if p75 <= poor {
            VitalRating::NeedsImprovement
        } else {
            VitalRating::Poor
        }
    }
}

/// One Core Web Vital of a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vital {
    /// Views that reported it.
    pub samples: u64,
    /// The page's 75th percentile (milliseconds for LCP and INP, unitless for CLS).
    pub p75: Option<f64>,
    /// Its rating against Google's thresholds.
    pub rating: Option<VitalRating>,
    /// The site's 75th percentile, the baseline.
    pub site_p75: Option<f64>,
}

impl Vital {
    fn new(
        page: &QuantileSketch,
        site: &QuantileSketch,
        scale: f64,
        thresholds: (f64, f64),
    ) -> Vital {
        let p75 = page.quantile(0.75).map(|v| v * scale);
        Vital {
            samples: page.count(),
            p75,
            rating: p75.map(|v| VitalRating::of(v, thresholds)),
            site_p75: site.quantile(0.75).map(|v| v * scale),
        }
    }
}

/// Core Web Vitals of a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vitals {
    /// Largest Contentful Paint, milliseconds.
    pub lcp_ms: Vital,
    /// Interaction to Next Paint, milliseconds.
    pub inp_ms: Vital,
    /// Cumulative Layout Shift.
    pub cls: Vital,
}

/// A page's metrics against the site's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageMetrics {
    /// Unique visitors of the page.
    pub visitors: Count,
    /// Views of the page.
    pub views: Count,
    /// Visits that started on the page.
    pub entries: Count,
    /// Bounces over the page's visits whose leave arrived.
    pub bounce_rate: Compared,
    /// Engaged visits over the page's visits whose leave arrived.
    pub engagement_rate: Compared,
    /// Views that ended the visit over views whose leave arrived.
    pub exit_rate: Compared,
    /// Median engaged time per view, in milliseconds.
    pub median_engaged_ms: Compared,
    /// Median deepest scroll per view, in percent.
    pub median_scroll_pct: Compared,
    /// Returning visitors' share of the visits started here with journey consent (see
    /// [`returning_rate`]).
    pub returning_rate: Compared,
}

/// Why a page has no summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageUnavailable {
    /// The page has no record in the range.
    NoRecord,
    /// The page has fewer than k unique visitors in the range: its figures are not shown.
    FewerThanK,
}

/// Everything the page insight summary and `GET /api/v1/sites/<site>/page` show for one path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageSummary {
    /// The page path.
    pub path: String,
    /// First day of the range.
    pub from: Day,
    /// Last day of the range, included.
    pub to: Day,
    /// The k that breakdowns were folded with.
    pub k: u64,
    /// Metrics against the site and the previous period.
    pub metrics: PageMetrics,
    /// Engaged time per view, in milliseconds.
    pub engaged_time_ms: Distribution,
    /// Deepest scroll per view, in percent.
    pub scroll_depth_pct: Distribution,
    /// Same-site pages visitors came from.
    pub previous_pages: Vec<CountRow>,
    /// Channels of the visits that started on the page, with their engagement.
    pub channels: Vec<ChannelRow>,
    /// The page's engaged visits over its entries: the baseline of its channels' engagement.
    pub channel_baseline: Option<f64>,
    /// Same-site pages visitors went on to.
    pub next_pages: Vec<CountRow>,
    /// Rage and dead clicks, quick backs.
    pub frustration: Frustration,
    /// LCP, INP and CLS at the 75th percentile.
    pub vitals: Vitals,
    /// Feedback on the page, when at least k answered.
    pub feedback: Option<Feedback>,
}

impl PageSummary {
    /// The summary of `path` over `current`, against the site over the same range and the
    /// page over `previous` when given.
    ///
    /// A page with fewer than k unique visitors has none: its path would be folded into
    /// [`OTHER`] in every table, and its own page must not show it either.
    pub fn new(
        path: &str,
        current: &MergedRange,
        previous: Option<&MergedRange>,
        options: &SummaryOptions,
    ) -> Result<PageSummary, PageUnavailable> {
        let page = current.page(path).ok_or(PageUnavailable::NoRecord)?;
        if page.visitors < options.k {
            return Err(PageUnavailable::FewerThanK);
        }
        let before = previous.and_then(|p| p.page(path));
        let (a, site) = (page.activity(), current.site());
        let compared = |f: &dyn Fn(&Activity) -> Option<f64>| Compared {
            page: f(a),
            site: f(site),
            previous: before.and_then(|b| f(b.activity())),
        };
        let count = |f: fn(&Activity) -> u64| {
            Count::new(f(a), previous.map(|_| before.map_or(0, |b| f(b.activity()))))
        };
        let per_view = visitors_per_view(page.visitors, a.views);
        let metrics = PageMetrics {
            visitors: Count::new(page.visitors, previous.map(|_| before.map_or(0, |b| b.visitors))),
            views: count(|a| a.views),
            entries: count(|a| a.entries),
            bounce_rate: compared(&bounce_rate),
            engagement_rate: compared(&engagement_rate),
            exit_rate: compared(&exit_rate),
            median_engaged_ms: compared(&|a| a.engaged_time_ms.quantile(0.5)),
            median_scroll_pct: compared(&|a| a.scroll_depth_pct.quantile(0.5)),
            returning_rate: compared(&|a| returning_rate(a, options.k)),
        };
        let frustration = Frustration {
            rage_clicks_per_view: compared(&|a| ratio(a.rage_clicks, a.leaves)),
            dead_clicks_per_view: compared(&|a| ratio(a.dead_clicks, a.leaves)),
            frustrated_view_rate: compared(&|a| ratio(a.frustrated_views, a.leaves)),
            quick_back_rate: compared(&|a| ratio(a.quick_backs, a.leaves)),
        };
        let vitals = Vitals {
            lcp_ms: Vital::new(&a.lcp_ms, &site.lcp_ms, 1.0, LCP_THRESHOLDS_MS),
            inp_ms: Vital::new(&a.inp_ms, &site.inp_ms, 1.0, INP_THRESHOLDS_MS),
            cls: Vital::new(&a.cls_milli, &site.cls_milli, 0.001, CLS_THRESHOLDS),
        };
        Ok(PageSummary {
            path: page.path.clone(),
            from: current.from,
            to: current.to,
            k: options.k,
            metrics,
            engaged_time_ms: Distribution::of(&a.engaged_time_ms),
            scroll_depth_pct: Distribution::of(&a.scroll_depth_pct),
            previous_pages: top_k_rows(&a.previous_pages, per_view, options),
            channels: channel_rows(a, per_view, options),
            channel_baseline: ratio(a.engaged_visits, a.entries),
            next_pages: top_k_rows(&a.next_pages, per_view, options),
            frustration,
            vitals,
            feedback: feedback(a, Some(site), per_view, options),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The pages table of the API
// ---------------------------------------------------------------------------------------------

/// A site's figures over a date range, pages ordered by views (most first), folded under k.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeSummary {
    /// First day of the range.
    pub from: Day,
    /// Last day of the range, included.
    pub to: Day,
    /// Views of all pages.
    pub views: u64,
    /// Estimated unique visitors of the site over the range, from the site rollups.
    pub visitors: u64,
    /// Per-page rows; pages with fewer than k visitors are folded into [`OTHER`].
    pub pages: Vec<PageRow>,
    /// Page views dropped because they came from bots.
    pub bots_dropped: u64,
}

impl RangeSummary {
    /// The per-page table of an already merged range (every page, no row limit).
    pub fn from_merged(range: &MergedRange, k: u64) -> RangeSummary {
        let options = SummaryOptions { k, max_rows: usize::MAX };
        let pages = page_rows(range, &options);
        RangeSummary {
            from: range.from,
            to: range.to,
            views: pages.iter().map(|p| p.views).sum(),
            visitors: range.site_visitors,
            pages,
            bots_dropped: range.bots_dropped(),
        }
    }
}

/// A synthetic site for tests of summaries and insights.
#[cfg(test)]
pub(crate) mod testing {
    use std::collections::BTreeMap;

    use tacit_aggregate::{Day, PageDay, SiteDay, VisitorHash};
    use tacit_beacon::signal::{Event, Leave, View};

    use super::MergedRange;

    /// One day of a site, page records and rollup kept together as the edge keeps them.
    #[derive(Default)]
    pub(crate) struct Site {
        pub(crate) pages: BTreeMap<String, PageDay>,
        pub(crate) site: SiteDay,
    }

    /// A spread-out visitor hash for visitor number `n`.
    pub(crate) fn visitor(n: u64) -> VisitorHash {
        VisitorHash::from_u64(n.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    impl Site {
        pub(crate) fn view(&mut self, path: &str, visitor_n: u64, view: &View) {
            let visitor = visitor(visitor_n);
            self.pages.entry(path.to_owned()).or_default().record_view(visitor, view);
            self.site.record_view(visitor, view);
        }

        pub(crate) fn leave(&mut self, path: &str, leave: &Leave) {
            self.pages.entry(path.to_owned()).or_default().record_leave(leave);
            self.site.record_leave(leave);
        }

        pub(crate) fn event(&mut self, path: &str, event: &Event) {
            self.pages.entry(path.to_owned()).or_default().record_event(event);
            self.site.record_event(event);
        }

        /// `n` visits by new visitors numbered from `first`, each a view of `path` through
        /// `channel` (a referrer host, `None` for direct) and the leave `leave`.
        pub(crate) fn visits(
            &mut self,
            path: &str,
            first: u64,
            n: u64,
            channel: Option<&str>,
            leave: &Leave,
        ) {
            let view = View { referrer: channel.map(str::to_owned), ..View::sample() };
            let leave =
                Leave { entry: true, channel: view.channel().map(str::to_owned), ..leave.clone() };
            for v in first..first + n {
                self.view(path, v, &view);
                self.leave(path, &leave);
            }
        }

        /// The site's day as a one-day range.
        pub(crate) fn range(&self, day: Day) -> MergedRange {
            MergedRange::new(
                day,
                day,
                self.pages.iter().map(|(p, r)| (p.clone(), r.clone())),
                [(day, self.site.clone())],
            )
        }
    }

    pub(crate) fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    /// A leave that bounces: no next page, 2 s engaged, 20 % scrolled.
    pub(crate) fn bounce() -> Leave {
        Leave { engaged_ms: 2_000, scroll_pct: 20, ..Leave::default() }
    }

    /// A leave that goes on to `next` after 30 s and 60 % scrolled.
    pub(crate) fn onward(next: &str) -> Leave {
        Leave {
            next: Some(next.to_owned()),
            engaged_ms: 30_000,
            scroll_pct: 60,
            ..Leave::default()
        }
    }

    /// A leave that exits after `engaged_ms` and a full scroll.
    pub(crate) fn exit_after(engaged_ms: u32) -> Leave {
        Leave { engaged_ms, scroll_pct: 100, ..Leave::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{bounce, day, exit_after, onward, Site};
    use super::*;
    use tacit_aggregate::VisitorHash;
    use tacit_beacon::signal::{Entry, Event, FeedbackScore, Leave, View};

    fn record(visitors: &[u64]) -> PageDay {
        let mut record = PageDay::default();
        let view = View::sample();
        for &v in visitors {
            record.record_view(VisitorHash::from_u64(v.wrapping_mul(0x9E37_79B9_7F4A_7C15)), &view);
        }
        record
    }

    fn unfolded() -> SummaryOptions {
        SummaryOptions { k: 1, max_rows: DEFAULT_MAX_ROWS }
    }

    #[test]
    fn a_range_kept_merged_merges_with_further_days_as_the_days_one_by_one() {
        let days = [
            ("/".to_string(), record(&[1, 2])),
            ("/a".to_string(), record(&[3])),
            ("/".to_string(), record(&[2, 4])),
            ("/".to_string(), record(&[5, 1])),
        ];
        let one_by_one = merge_by_path(days.clone());
        let kept = merge_by_path(days[..3].to_vec());
        let kept_then_last = merge_by_path(kept.into_iter().chain([days[3].clone()]));
        let encoded = |pages: &[(String, PageDay)]| -> Vec<(String, Vec<u8>)> {
            pages
                .iter()
                .map(|(path, r)| (path.clone(), tacit_aggregate::codec::encode_page_day(r)))
                .collect()
        };
        assert_eq!(encoded(&one_by_one), encoded(&kept_then_last));
        let paths: Vec<&str> = one_by_one.iter().map(|(path, _)| path.as_str()).collect();
        assert_eq!(paths, ["/", "/a"]);
        let mut home = one_by_one[0].1.clone();
        assert_eq!(home.activity().views, 6);
        assert_eq!(home.unique_visitors(), 4);
    }

    #[test]
    fn the_pages_table_merges_days_per_page_and_counts_the_sites_visitors_once() {
        let (mut monday, mut tuesday) = (Site::default(), Site::default());
        for (path, visitor) in [("/", 1), ("/", 2), ("/pricing", 1)] {
            monday.view(path, visitor, &View::sample());
        }
        for visitor in [1, 3, 3] {
            tuesday.view("/", visitor, &View::sample());
        }
        (0..4).for_each(|_| monday.site.record_bot_dropped());
        let range = MergedRange::new(
            day("2026-11-22"),
            day("2026-11-23"),
            monday.pages.into_iter().chain(tuesday.pages),
            [(day("2026-11-22"), monday.site), (day("2026-11-23"), tuesday.site)],
        );
        let summary = RangeSummary::from_merged(&range, 1);
        assert_eq!(summary.views, 6);
        assert_eq!(summary.bots_dropped, 4);
        // Visitor 1 came on both days: a union, not a sum.
        assert_eq!(summary.visitors, 3);
        assert_eq!(
            summary.pages,
            vec![
                PageRow { path: "/".into(), views: 5, visitors: 3 },
                PageRow { path: "/pricing".into(), views: 1, visitors: 1 },
            ]
        );
    }

    #[test]
    fn an_empty_range_has_no_pages() {
        let empty = MergedRange::new(day("2026-11-23"), day("2026-11-23"), [], []);
        let summary = RangeSummary::from_merged(&empty, 5);
        assert_eq!((summary.views, summary.visitors, summary.pages.len()), (0, 0, 0));
    }

    #[test]
    fn the_pages_table_folds_pages_seen_by_fewer_than_k_visitors() {
        let visitors: Vec<u64> = (0..20).collect();
        let pages = [
            ("/".to_string(), record(&visitors)),
            ("/blog".to_string(), record(&visitors[..6])),
            ("/invoice/acme".to_string(), record(&[1])),
            ("/team".to_string(), record(&[2, 3])),
        ];
        let range = MergedRange::new(day("2026-11-23"), day("2026-11-23"), pages, []);
        // "/invoice/acme" and "/team" fold into 3 visitors, under k, so "(other)" takes the
        // smallest shown row, "/blog", along (see `fold_small_rows`).
        assert_eq!(
            RangeSummary::from_merged(&range, DEFAULT_K).pages,
            vec![
                PageRow { path: "/".into(), views: 20, visitors: 20 },
                PageRow { path: OTHER.into(), views: 9, visitors: 9 },
            ]
        );
    }

    #[test]
    fn the_previous_period_has_the_same_length_and_ends_the_day_before() {
        assert_eq!(
            previous_period(day("2026-11-17"), day("2026-11-23")),
            (day("2026-11-10"), day("2026-11-16"))
        );
        assert_eq!(
            previous_period(day("2026-11-23"), day("2026-11-23")),
            (day("2026-11-22"), day("2026-11-22"))
        );
    }

    #[test]
    fn headline_metrics_come_with_their_previous_value_and_change() {
        let mut now = Site::default();
        now.visits("/", 0, 30, None, &bounce());
        now.visits("/", 30, 10, Some("news.example"), &onward("/pricing"));
        now.view("/pricing", 30, &View { entry: Entry::NotEntry, ..View::sample() });
        let mut before = Site::default();
        before.visits("/", 100, 20, None, &bounce());
        let (current, previous) = (now.range(day("2026-11-23")), before.range(day("2026-11-22")));

        let summary = SiteSummary::new(&current, Some(&previous), &unfolded());
        let m = &summary.metrics;
        assert_eq!(m.visitors, Count { current: 40, previous: Some(20), change: Some(1.0) });
        assert_eq!((m.visits.current, m.views.current), (40, 41));
        assert_eq!(m.views_per_visit.current, Some(41.0 / 40.0));
        assert_eq!(m.bounce_rate.current, Some(0.75));
        assert_eq!(m.bounce_rate.previous, Some(1.0));
        assert_eq!(m.bounce_rate.difference, Some(-0.25));
        assert_eq!(m.engagement_rate.current, Some(0.25));
        // The median of 40 engaged times, 30 of them 2 s: 2 s within the sketch's 1 %.
        let median = m.median_engaged_ms.current.unwrap();
        assert!((median - 2_000.0).abs() <= 20.0, "{median}");
        let compared_with = Period { from: day("2026-11-22"), to: day("2026-11-22") };
        assert_eq!(summary.previous, Some(compared_with));
    }

    #[test]
    fn rates_over_nothing_are_none_and_serialize_as_null() {
        let empty = MergedRange::new(day("2026-11-23"), day("2026-11-23"), [], []);
        let summary = SiteSummary::new(&empty, Some(&empty), &SummaryOptions::default());
        let m = &summary.metrics;
        assert_eq!((m.bounce_rate.current, m.views_per_visit.current), (None, None));
        assert_eq!((m.visitors.change, m.bounce_rate.difference), (None, None));
        assert_eq!(summary.channel_baseline, None);
        let json = serde_json::to_string(&summary).unwrap();
        assert!(json.contains(r#""bounce_rate":{"current":null"#), "{json}");
        assert!(!json.contains("NaN"));
    }

    #[test]
    fn the_daily_series_has_one_point_per_day_and_zeros_for_days_without_data() {
        let mut monday = Site::default();
        monday.visits("/", 0, 3, None, &bounce());
        let mut wednesday = Site::default();
        wednesday.visits("/", 0, 2, None, &onward("/a"));
        let range = MergedRange::new(
            day("2026-11-23"),
            day("2026-11-25"),
            [],
            [
                (day("2026-11-23"), monday.site.clone()),
                (day("2026-11-25"), wednesday.site.clone()),
                (day("2026-11-30"), wednesday.site.clone()),
            ],
        );
        let points: Vec<(String, u64, Option<f64>)> =
            range.daily().iter().map(|p| (p.day.to_string(), p.visitors, p.bounce_rate)).collect();
        assert_eq!(
            points,
            vec![
                ("2026-11-23".into(), 3, Some(1.0)),
                ("2026-11-24".into(), 0, None),
                ("2026-11-25".into(), 2, Some(0.0)),
            ]
        );
        // Visitor 0 and 1 came on both days: a union, not a sum.
        assert_eq!(range.site_visitors(), 3);
    }

    #[test]
    fn channels_show_their_engagement_and_fold_rare_channels() {
        let mut site = Site::default();
        site.visits("/", 0, 25, Some("news.example"), &onward("/a"));
        site.visits("/", 25, 20, None, &bounce());
        site.visits("/", 45, 2, Some("friend.example"), &bounce());
        let summary = SiteSummary::new(&site.range(day("2026-11-23")), None, &Default::default());
        let channels: Vec<(&str, u64, u64, Option<f64>)> = summary
            .channels
            .iter()
            .map(|c| (c.channel.as_str(), c.entries, c.engaged_visits, c.engagement_rate))
            .collect();
        // "friend.example" (2 visits) folds and takes the smallest shown row, "(direct)", along.
        assert_eq!(channels, vec![("news.example", 25, 25, Some(1.0)), (OTHER, 22, 0, Some(0.0))]);
        assert_eq!(summary.channel_baseline, Some(25.0 / 47.0));
    }

    #[test]
    fn returning_visits_are_a_share_of_the_visits_with_journey_consent_from_k_on() {
        let mut site = Site::default();
        // 6 visits with journey consent (2 returning), 10 without: those count in no share.
        for (v, entry) in [Entry::FirstVisit; 4]
            .into_iter()
            .chain([Entry::Returning; 2])
            .chain([Entry::Entry; 10])
            .enumerate()
        {
            site.view("/", v as u64, &View { entry, ..View::sample() });
        }
        let range = site.range(day("2026-11-23"));
        let metrics =
            |k| SiteSummary::new(&range, None, &SummaryOptions { k, ..unfolded() }).metrics;
        assert_eq!(metrics(5).visits.current, 16);
        assert_eq!(metrics(5).known_visits.current, 6);
        assert_eq!(metrics(5).returning_rate.current, Some(2.0 / 6.0));
        assert_eq!(metrics(7).returning_rate.current, None, "fewer than k visits tell apart");
        let page = PageSummary::new("/", &range, None, &SummaryOptions { k: 5, ..unfolded() });
        let share = page.unwrap().metrics.returning_rate;
        assert_eq!((share.page, share.site), (Some(2.0 / 6.0), Some(2.0 / 6.0)));
    }

    #[test]
    fn a_referrer_that_few_visitors_repeat_is_folded_despite_its_count() {
        let mut site = Site::default();
        // 20 visitors, each seen on 4 pages.
        for v in 0..20 {
            for path in ["/", "/a", "/b", "/c"] {
                let entry = if path == "/" { Entry::Entry } else { Entry::NotEntry };
                site.view(path, v, &View { entry, ..View::sample() });
            }
        }
        // One visitor comes 8 times from a private referrer; 20 visitors twice from each of
        // two public ones.
        for _ in 0..8 {
            site.view("/", 0, &View { referrer: Some("intranet.acme".into()), ..View::sample() });
        }
        for referrer in ["news.example", "search.example"] {
            for v in 0..40 {
                let view = View { referrer: Some(referrer.into()), ..View::sample() };
                site.view("/", v % 20, &view);
            }
        }
        let range = site.range(day("2026-11-23"));
        let rows = |options| -> Vec<(String, u64, u64)> {
            SiteSummary::new(&range, None, &options)
                .referrers
                .into_iter()
                .map(|r| (r.label, r.count, r.estimated_visitors))
                .collect()
        };
        // 20 visitors over 168 views: 40 × 20/168 = 4.8 and 8 × 20/168 = 0.95, rounded down
        // (and at least 1).
        assert_eq!(
            rows(unfolded()),
            vec![
                ("news.example".into(), 40, 4),
                ("search.example".into(), 40, 4),
                ("intranet.acme".into(), 8, 1)
            ]
        );
        // At k = 4 the 8 views of one visitor fold, although 8 ≥ k; "(other)" then takes the
        // last smallest shown row along, since 1 < k.
        assert_eq!(
            rows(SummaryOptions { k: 4, ..unfolded() }),
            vec![("news.example".into(), 40, 4), (OTHER.into(), 48, 5)]
        );
    }

    #[test]
    fn weight_a_top_k_list_no_longer_tracks_is_counted_in_other() {
        // Two days of 30 distinct terms each: the merged list keeps 32 of the 60.
        let (mut monday, mut tuesday) = (Site::default(), Site::default());
        for v in 0..30 {
            let term = |n| View { search_term: Some(format!("term {n}")), ..View::sample() };
            monday.view("/search", v, &term(v));
            tuesday.view("/search", v, &term(v + 30));
        }
        let range = MergedRange::new(
            day("2026-11-23"),
            day("2026-11-24"),
            [],
            [(day("2026-11-23"), monday.site), (day("2026-11-24"), tuesday.site)],
        );
        let summary = SiteSummary::new(&range, None, &unfolded());
        let total: u64 = summary.search_terms.iter().map(|r| r.count).sum();
        assert_eq!(total, 60, "rows add up to what was counted");
        assert_eq!(summary.search_terms.last().unwrap().label, OTHER);
    }

    #[test]
    fn rows_past_the_row_limit_fold_into_other() {
        let mut site = Site::default();
        for (n, referrer) in ["a.example", "b.example", "c.example"].iter().enumerate() {
            site.visits("/", n as u64 * 10, 10, Some(referrer), &bounce());
        }
        let options = SummaryOptions { k: 1, max_rows: 2 };
        let summary = SiteSummary::new(&site.range(day("2026-11-23")), None, &options);
        let labels: Vec<&str> = summary.referrers.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, vec!["a.example", "b.example", OTHER]);
    }

    #[test]
    fn goals_have_a_conversion_rate_per_visit_and_a_value() {
        let mut site = Site::default();
        site.visits("/", 0, 40, None, &onward("/buy"));
        for _ in 0..10 {
            site.event("/buy", &Event::Goal { name: "purchase".into(), value: Some(20.0) });
        }
        let summary = SiteSummary::new(&site.range(day("2026-11-23")), None, &unfolded());
        let goal = &summary.goals[0];
        assert_eq!((goal.goal.as_str(), goal.completions, goal.value), ("purchase", 10, 200.0));
        assert_eq!(goal.conversion_rate, Some(0.25));
    }

    #[test]
    fn audience_breakdowns_count_views_per_device_browser_and_country() {
        let mut site = Site::default();
        site.visits("/", 0, 10, None, &bounce());
        let summary = SiteSummary::new(&site.range(day("2026-11-23")), None, &Default::default());
        assert_eq!(summary.audience.devices[0].label, "desktop");
        assert_eq!(summary.audience.browsers[0].label, "firefox");
        assert_eq!(summary.audience.devices[0].count, 10);
    }

    #[test]
    fn a_page_is_compared_with_the_site_and_its_vitals_rated() {
        let mut site = Site::default();
        site.visits("/", 0, 30, None, &onward("/slow"));
        let slow = Leave { lcp_ms: Some(4_500), inp_ms: Some(150), cls: Some(0.2), ..bounce() };
        site.visits("/slow", 30, 10, None, &slow);
        for v in 0..30 {
            site.view(
                "/slow",
                v,
                &View { entry: Entry::NotEntry, previous: Some("/".into()), ..View::sample() },
            );
            site.leave("/slow", &Leave { rage_clicks: 1, ..slow.clone() });
        }
        let range = site.range(day("2026-11-23"));
        let page = PageSummary::new("/slow", &range, None, &Default::default()).unwrap();
        assert_eq!(page.metrics.visitors.current, 40);
        assert_eq!(page.metrics.exit_rate.page, Some(1.0));
        assert_eq!(page.metrics.exit_rate.site, Some(40.0 / 70.0));
        assert_eq!(page.frustration.rage_clicks_per_view.page, Some(0.75));
        assert_eq!(page.vitals.lcp_ms.rating, Some(VitalRating::Poor));
        assert_eq!(page.vitals.inp_ms.rating, Some(VitalRating::Good));
        assert_eq!(page.vitals.cls.rating, Some(VitalRating::NeedsImprovement));
        // CLS is kept × 1000 and shown unitless: 0.2 within the sketch's 1 %.
        assert!((page.vitals.cls.p75.unwrap() - 0.2).abs() < 0.002);
        assert_eq!(
            page.previous_pages,
            vec![CountRow { estimated_visitors: 30, ..CountRow::new("/", 30) }]
        );
        assert_eq!(page.engaged_time_ms.quantiles.len(), DISTRIBUTION_QUANTILES.len());
    }

    #[test]
    fn vitals_are_rated_against_googles_thresholds_inclusive_of_good() {
        assert_eq!(VitalRating::of(2_500.0, LCP_THRESHOLDS_MS), VitalRating::Good);
        assert_eq!(VitalRating::of(2_501.0, LCP_THRESHOLDS_MS), VitalRating::NeedsImprovement);
        assert_eq!(VitalRating::of(4_000.0, LCP_THRESHOLDS_MS), VitalRating::NeedsImprovement);
        assert_eq!(VitalRating::of(501.0, INP_THRESHOLDS_MS), VitalRating::Poor);
        assert_eq!(VitalRating::of(0.1, CLS_THRESHOLDS), VitalRating::Good);
    }

    #[test]
    fn a_page_seen_by_fewer_than_k_visitors_has_no_summary() {
        let mut site = Site::default();
        site.visits("/", 0, 20, None, &bounce());
        site.visits("/invoice/acme", 50, 1, None, &bounce());
        let range = site.range(day("2026-11-23"));
        let options = SummaryOptions::default();
        assert_eq!(
            PageSummary::new("/invoice/acme", &range, None, &options),
            Err(PageUnavailable::FewerThanK)
        );
        assert_eq!(
            PageSummary::new("/nope", &range, None, &options),
            Err(PageUnavailable::NoRecord)
        );
        assert!(PageSummary::new("/invoice/acme", &range, None, &unfolded()).is_ok());
    }

    #[test]
    fn feedback_is_shown_only_once_k_visitors_answered() {
        let mut site = Site::default();
        site.visits("/", 0, 20, None, &exit_after(20_000));
        let happy = Event::Feedback { score: FeedbackScore::new(3).unwrap() };
        let unhappy = Event::Feedback { score: FeedbackScore::new(1).unwrap() };
        for _ in 0..4 {
            site.event("/", &happy);
        }
        let range = site.range(day("2026-11-23"));
        let options = SummaryOptions::default();
        assert_eq!(PageSummary::new("/", &range, None, &options).unwrap().feedback, None);
        site.event("/", &happy);
        site.event("/", &unhappy);
        let range = site.range(day("2026-11-23"));
        let feedback = PageSummary::new("/", &range, None, &options).unwrap().feedback.unwrap();
        assert_eq!(feedback.answers, 6);
        assert!((feedback.mean_score - 16.0 / 6.0).abs() < 1e-12);
        // One unhappy answer is a row under k: it folds, with the happy row, into "(other)".
        assert_eq!(
            feedback.scores,
            vec![CountRow { estimated_visitors: 6, ..CountRow::new(OTHER, 6) }]
        );
    }

    /// A day where every breakdown has a few large rows and many small ones.
    fn many_small_rows() -> Site {
        let mut site = Site::default();
        let mut n = 0;
        for (rows, visitors_each) in [(3u64, 12u64), (12, 1), (6, 2)] {
            for row in 0..rows {
                let label = format!("{visitors_each}-{row}");
                for _ in 0..visitors_each {
                    let view = View {
                        referrer: Some(format!("{label}.example")),
                        utm: tacit_beacon::scrub::Utm {
                            source: Some(label.clone()),
                            medium: None,
                            campaign: Some(label.clone()),
                        },
                        search_term: Some(label.clone()),
                        country: tacit_beacon::signal::CountryCode::parse(&format!(
                            "{}{}",
                            char::from(b'A' + (n % 26) as u8),
                            char::from(b'A' + (row % 26) as u8)
                        )),
                        language: tacit_beacon::signal::Language::from_tag(&format!(
                            "{}{}",
                            char::from(b'a' + (row % 26) as u8),
                            char::from(b'a' + (visitors_each % 26) as u8)
                        )),
                        ..View::sample()
                    };
                    let path = format!("/{label}");
                    site.view(&path, n, &view);
                    site.leave(
                        &path,
                        &Leave {
                            entry: true,
                            channel: view.channel().map(str::to_owned),
                            ..exit_after(12_000)
                        },
                    );
                    site.event(&path, &Event::Goal { name: label.clone(), value: Some(1.0) });
                    site.event(&path, &Event::Outbound { host: format!("{label}.example") });
                    n += 1;
                }
            }
        }
        site
    }

    // DESIGN, "Privacy model": rows under k are folded "in every output". Every breakdown of
    // both summaries is checked, by the estimate each was folded with.
    #[test]
    fn every_breakdown_of_the_site_and_page_summaries_shows_no_row_under_k() {
        let site = many_small_rows();
        let range = site.range(day("2026-11-23"));
        let options = SummaryOptions::default();
        let summary = SiteSummary::new(&range, None, &options);

        fn check<R: Breakdown>(name: &str, rows: &[R], k: u64) {
            let lone_other = rows.len() == 1 && rows[0].label() == OTHER;
            assert!(!rows.is_empty(), "{name} is empty");
            if !lone_other {
                for row in rows {
                    assert!(row.visitors() >= k, "{name}: {} has {}", row.label(), row.visitors());
                }
            }
        }
        let k = options.k;
        check("top pages", &summary.top_pages, k);
        check("entry pages", &summary.entry_pages, k);
        check("exit pages", &summary.exit_pages, k);
        check("channels", &summary.channels, k);
        check("referrers", &summary.referrers, k);
        check("campaigns", &summary.campaigns, k);
        check("devices", &summary.audience.devices, k);
        check("browsers", &summary.audience.browsers, k);
        check("countries", &summary.audience.countries, k);
        check("languages", &summary.audience.languages, k);
        check("goals", &summary.goals, k);
        check("search terms", &summary.search_terms, k);
        check("events", &summary.events, k);
        check("pages API", &RangeSummary::from_merged(&range, k).pages, k);
        // Small rows existed and were folded: every breakdown ends in "(other)".
        assert_eq!(summary.referrers.last().unwrap().label, OTHER);
        assert_eq!(summary.top_pages.last().unwrap().path, OTHER);
        assert!(summary.referrers.iter().any(|r| r.label == "12-0.example"));

        let page = PageSummary::new("/12-0", &range, None, &options).unwrap();
        check("page channels", &page.channels, k);
    }
}
