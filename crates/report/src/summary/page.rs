//! One page's summary: its metrics against the site's, distributions, journeys in and out,
//! frustration, Core Web Vitals against Google's thresholds, and feedback.

use serde::{Deserialize, Serialize};

use super::compared::{Compared, Count};
use super::rates::{bounce_rate, engagement_rate, exit_rate, ratio, returning_rate};
use super::rows::{channel_rows, top_k_rows, ChannelRow, CountRow, Feedback};
use super::{MergedRange, SegmentTable, SummaryOptions};
use tacit_aggregate::quantiles::{QuantileSketch, RELATIVE_ACCURACY};
use tacit_aggregate::record::{Activity, DayRecord};
use tacit_aggregate::Day;

/// The quantiles a [`Distribution`] reports.
pub const DISTRIBUTION_QUANTILES: [f64; 5] = [0.1, 0.25, 0.5, 0.75, 0.9];

/// The scroll depths, in percent, whose share of views a page's summary reports: the marks of
/// "how far they read".
pub const SCROLL_MARKS_PCT: [f64; 5] = [25.0, 50.0, 75.0, 90.0, 100.0];

/// The engaged times, in milliseconds, whose share of views a page's summary reports: 5 s,
/// 10 s (an engaged visit's threshold), 30 s, 1 min and 3 min.
pub const ENGAGED_MARKS_MS: [f64; 5] = [5_000.0, 10_000.0, 30_000.0, 60_000.0, 180_000.0];

/// Google's Core Web Vitals thresholds at the 75th percentile: up to the first value is good,
/// up to the second needs improvement, above it is poor. LCP in milliseconds.
pub const LCP_THRESHOLDS_MS: (f64, f64) = (2500.0, 4000.0);
/// INP thresholds in milliseconds (see [`LCP_THRESHOLDS_MS`]).
pub const INP_THRESHOLDS_MS: (f64, f64) = (200.0, 500.0);
/// CLS thresholds, unitless (see [`LCP_THRESHOLDS_MS`]).
pub const CLS_THRESHOLDS: (f64, f64) = (0.1, 0.25);

/// One quantile of a distribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuantilePoint {
    /// The quantile, such as 0.75.
    pub q: f64,
    /// The value at it (1 % relative error).
    pub value: f64,
}

/// The share of a distribution's values that reached a mark.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reached {
    /// The mark, in the distribution's unit.
    pub at_least: f64,
    /// The share of the values at or above it, from 0 to 1.
    pub share: f64,
}

/// A distribution as a few quantiles ([`DISTRIBUTION_QUANTILES`]) and the share of its values
/// that reached each of a few marks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Distribution {
    /// Values counted.
    pub count: u64,
    /// The quantiles, lowest first; empty when nothing was counted.
    pub quantiles: Vec<QuantilePoint>,
    /// The share of the values at or above each mark, lowest mark first; empty when nothing
    /// was counted. Within the sketch's 1 %: a value up to 2 % below a mark may count as
    /// reaching it (a scroll of 99 % as 100 %).
    pub reached: Vec<Reached>,
}

impl Distribution {
    fn of(sketch: &QuantileSketch, marks: &[f64]) -> Distribution {
        let reached = if sketch.is_empty() {
            Vec::new()
        } else {
            marks
                .iter()
                .map(|&mark| Reached { at_least: mark, share: share_at_least(sketch, mark) })
                .collect()
        };
        Distribution {
            count: sketch.count(),
            quantiles: DISTRIBUTION_QUANTILES
                .iter()
                .filter_map(|&q| sketch.quantile(q).map(|value| QuantilePoint { q, value }))
                .collect(),
            reached,
        }
    }
}

/// The share of a non-empty sketch's values at or above `mark`: the values from the lowest
/// rank whose estimate reaches `mark` within the sketch's accuracy, found by bisection, since
/// estimates never fall as the rank rises.
fn share_at_least(sketch: &QuantileSketch, mark: f64) -> f64 {
    let count = sketch.count();
    // The estimate of 0-based rank `rank`: the quantile whose `⌊q·(n − 1)⌋` is that rank, with
    // half a rank of margin against rounding.
    let value_at = |rank: u64| {
        let q = if rank + 1 >= count { 1.0 } else { (rank as f64 + 0.5) / (count - 1) as f64 };
        sketch.quantile(q).unwrap_or(0.0)
    };
    // An estimate is within α of its value, so a value at the mark reads at least this.
    let reaches = |rank: u64| value_at(rank) >= mark * (1.0 - RELATIVE_ACCURACY);
    let (mut low, mut high) = (0, count);
    while low < high {
        let middle = low + (high - low) / 2;
        if reaches(middle) {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    (count - low) as f64 / count as f64
}

/// Frustration signals per view whose leave arrived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageSummary {
    /// The page path.
    pub path: String,
    /// First day of the range.
    pub from: Day,
    /// Last day of the range, included.
    pub to: Day,
    /// Whether the range spans more than one day: its visitors are then counted per day, and a
    /// person returning on another day counts again (each day has its own salt).
    pub visitors_counted_per_day: bool,
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
    /// The segment every figure above is read for (`device:mobile`); none for every visitor.
    pub segment: Option<String>,
    /// The page's segments side by side ("mobile against desktop"), always over every visitor
    /// of the page.
    pub segments: SegmentTable,
}

impl PageSummary {
    /// The summary of `path` over `current`, against the site over the same range and the
    /// page over `previous` when given.
    ///
    /// A page with fewer than k unique visitors has none: its path would be folded into
    /// [`OTHER`](crate::privacy::OTHER) in every table, and its own page must not show it
    /// either.
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
        let per_view = page.visitors_per_view();
        let metrics = PageMetrics {
            visitors: Count::new(page.visitors, previous.map(|_| before.map_or(0, |b| b.visitors))),
            views: count(|a| a.engagement.views),
            entries: count(|a| a.engagement.entries),
            bounce_rate: compared(&bounce_rate),
            engagement_rate: compared(&engagement_rate),
            exit_rate: compared(&exit_rate),
            median_engaged_ms: compared(&|a| a.engagement.engaged_time_ms.quantile(0.5)),
            median_scroll_pct: compared(&|a| a.engagement.scroll_depth_pct.quantile(0.5)),
            returning_rate: compared(&|a| returning_rate(a, options.k)),
        };
        let frustration = Frustration {
            rage_clicks_per_view: compared(&|a| {
                ratio(a.engagement.rage_clicks, a.engagement.leaves)
            }),
            dead_clicks_per_view: compared(&|a| {
                ratio(a.engagement.dead_clicks, a.engagement.leaves)
            }),
            frustrated_view_rate: compared(&|a| {
                ratio(a.engagement.frustrated_views, a.engagement.leaves)
            }),
            quick_back_rate: compared(&|a| ratio(a.engagement.quick_backs, a.engagement.leaves)),
        };
        let vitals = Vitals {
            lcp_ms: Vital::new(
                &a.engagement.lcp_ms,
                &site.engagement.lcp_ms,
                1.0,
                LCP_THRESHOLDS_MS,
            ),
            inp_ms: Vital::new(
                &a.engagement.inp_ms,
                &site.engagement.inp_ms,
                1.0,
                INP_THRESHOLDS_MS,
            ),
            cls: Vital::new(
                &a.engagement.cls_milli,
                &site.engagement.cls_milli,
                0.001,
                CLS_THRESHOLDS,
            ),
        };
        Ok(PageSummary {
            path: page.path.clone(),
            from: current.from(),
            to: current.to(),
            visitors_counted_per_day: current.visitors_counted_per_day(),
            k: options.k,
            metrics,
            engaged_time_ms: Distribution::of(&a.engagement.engaged_time_ms, &ENGAGED_MARKS_MS),
            scroll_depth_pct: Distribution::of(&a.engagement.scroll_depth_pct, &SCROLL_MARKS_PCT),
            previous_pages: top_k_rows(&a.previous_pages, per_view, options),
            channels: channel_rows(a, per_view, options),
            channel_baseline: ratio(a.engagement.engaged_visits, a.engagement.entries),
            next_pages: top_k_rows(&a.next_pages, per_view, options),
            frustration,
            vitals,
            feedback: Feedback::of(a, Some(site), per_view, options),
            segment: options.segment.map(|segment| segment.to_string()),
            segments: SegmentTable::new(page.record.segments(), options.k),
        })
    }
}

#[cfg(test)]
mod tests;
