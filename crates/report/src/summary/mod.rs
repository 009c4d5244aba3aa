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
//! - [`Funnels`]: each of the site's funnels, step by step, with where visits drop and who
//!   they are;
//! - a [`RangeSummary`]: the per-page table of `GET /api/v1/sites/<site>/pages`;
//! - and, in [`crate::insights`], the insight cards.
//!
//! A figure is shown against a baseline by the types of [`Count`], [`Measure`], [`Rate`] (this
//! period against the previous one) and [`Compared`] (a page against the site). Every breakdown
//! is a list of [`Row`]s: a label, its visitors and its [`Figures`].
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
//!   visitors. A custom event has none: it is no conversion.
//!
//! # k-anonymity in every breakdown
//!
//! Every breakdown goes through [`fold_small_rows`](crate::privacy::fold_small_rows) with the
//! site's k ([`SummaryOptions::k`], default [`DEFAULT_K`]; k = 1 disables folding). What
//! "visitors" a row has for that test depends on what the breakdown counts:
//!
//! - **Page tables** (top, entry and exit pages, [`RangeSummary`]): each page's own visitor
//!   sketch. The three tables fold by the same figure, so a path is shown in all of them or
//!   in none.
//! - **Top-k lists and count maps** (referrers, campaigns, channels, previous and next pages,
//!   search terms, goals and custom events and their properties' values, events, devices,
//!   browsers, countries, languages, feedback scores)
//!   count views, entries or events, not visitors, and have no sketch per row. A row's visitors
//!   are at most its count, so testing the count against k would only fold the rows that
//!   surely have fewer than k visitors, and would show a row that one visitor produced many
//!   times. The report therefore tests an estimate: the row's guaranteed count (`count −
//!   max_error`) times the scope's visitors per view (the page's or the site's unique visitors
//!   over its views, at most 1), rounded down, and at least 1 for a row that counted anything
//!   so that k = 1 still folds nothing. It assumes that the row's visitors repeat it as often
//!   as the scope's average visitor repeats a view; entries and goal completions repeat less
//!   often than views, so for those rows the estimate is low and folds more. It is an estimate,
//!   not a bound: a row that a single visitor repeats far more than average can still pass.
//!   A guarantee would need a visitor sketch per row. The estimate is not published
//!   ([`RowLabel::Path`]); rows show what was counted.
//!
//! Besides the k test, two folds keep breakdowns honest: a top-k entry whose possible
//! over-count is more than half its count (`2 · max_error > count`) says little about its key
//! and is folded, and the weight a top-k list counted for keys it no longer tracks is added to
//! [`OTHER`], so that a breakdown's rows add up to what was counted. Rows past
//! [`SummaryOptions::max_rows`] are folded too. Daily series and headline totals are not
//! breakdowns by label and are not folded.
//!
//! [`OTHER`]: crate::privacy::OTHER

use serde::{Deserialize, Serialize};

use crate::privacy::DEFAULT_K;
use tacit_aggregate::segments::Segment;
use tacit_aggregate::settings::Funnel;

mod compared;
mod funnels;
mod merged_range;
mod page;
mod rates;
mod rows;
mod segments;
mod site;
#[cfg(test)]
pub(crate) mod testing;

pub use compared::{Compared, Count, Measure, Rate};
pub use funnels::{DropRow, FunnelDrop, FunnelStepRow, FunnelSummary, Funnels};
pub use merged_range::{
    merge_by_path, previous_period, DailyPoint, MergedPage, MergedRange, VISITORS_COUNTED_PER_DAY,
};
pub use page::{
    Distribution, Frustration, PageMetrics, PageSummary, PageUnavailable, QuantilePoint, Reached,
    Vital, VitalRating, Vitals, CLS_THRESHOLDS, DISTRIBUTION_QUANTILES, ENGAGED_MARKS_MS,
    INP_THRESHOLDS_MS, LCP_THRESHOLDS_MS, SCROLL_MARKS_PCT,
};
pub use rates::{bounce_rate, engagement_rate, exit_rate, mean_feedback, ratio, returning_rate};
pub(crate) use rows::{channel_rows, goal_rows, top_k_rows};
pub use rows::{
    Audience, ChannelRow, ChannelVisits, CountRow, Counted, CustomEventCounts, CustomEventRow,
    EntryPageRow, ExitPageRow, Exits, Feedback, Figures, GoalCompletions, GoalRow, Landings,
    PageRow, PageViews, PropertyBreakdown, PropertyCounts, PropertyRow, Row, RowLabel,
};
pub use segments::{SegmentRow, SegmentTable, MAX_COUNTRY_ROWS};
pub use site::{Period, RangeSummary, SiteMetrics, SiteSummary};

/// Rows a breakdown shows by default before the rest folds into
/// [`OTHER`](crate::privacy::OTHER).
pub const DEFAULT_MAX_ROWS: usize = 50;

/// How a site's summaries are built: its privacy threshold, how long breakdowns may be, the
/// segment read, and the site's funnels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryOptions {
    /// Breakdown rows with fewer estimated visitors than k are folded into
    /// [`OTHER`](crate::privacy::OTHER) (see the [module documentation](self)). A site
    /// setting; 1 (or 0) disables folding.
    pub k: u64,
    /// Rows a breakdown shows at most; the rest is folded into
    /// [`OTHER`](crate::privacy::OTHER). At least 1.
    pub max_rows: usize,
    /// The segment every figure is read for (`?segment=`); `None` for every visitor.
    pub segment: Option<Segment>,
    /// The site's funnels (a site setting), whose steps the site summary shows.
    pub funnels: Vec<Funnel>,
}

impl Default for SummaryOptions {
    fn default() -> SummaryOptions {
        SummaryOptions {
            k: DEFAULT_K,
            max_rows: DEFAULT_MAX_ROWS,
            segment: None,
            funnels: Vec::new(),
        }
    }
}
