//! The site's summaries: [`SiteSummary`] for the site page and the summary API, and
//! [`RangeSummary`], the pages table of the pages API.

use serde::{Deserialize, Serialize};

use super::compared::{Count, Measure, Rate};
use super::rates::{bounce_rate, engagement_rate, ratio, returning_rate};
use super::rows::{
    channel_rows, custom_event_rows, entry_page_rows, exit_page_rows, goal_rows,
    property_breakdowns, top_k_rows, top_page_rows, Audience, ChannelRow, CountRow, CustomEventRow,
    EntryPageRow, ExitPageRow, Feedback, GoalRow, PageRow, PropertyBreakdown,
};
use super::{DailyPoint, Funnels, MergedRange, SegmentTable, SummaryOptions};
use tacit_aggregate::record::Activity;
use tacit_aggregate::segments::Segment;
use tacit_aggregate::Day;
use tacit_beacon::signal::BareCause;

/// A date range, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    /// First day.
    pub from: Day,
    /// Last day, included.
    pub to: Day,
}

/// The headline metrics of a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Page views the loader sent bare, its path only, without the snippet's WebAssembly
    /// (counted in `views` too), whatever the cause.
    pub bare_views: Count,
    /// Bare page views whose WebAssembly the browser refused to compile: the page's
    /// Content-Security-Policy has no `'wasm-unsafe-eval'` (see [`BareCause::WasmRefused`]).
    pub bare_views_wasm_refused: Count,
    /// Bare page views whose snippet files did not load: the page broke `window.fetch`, or the
    /// request failed (see [`BareCause::NotLoaded`]).
    pub bare_views_not_loaded: Count,
    /// Visits of visitors who agreed to journey linking: those whose first or returning visit
    /// the snippet could tell.
    pub known_visits: Count,
    /// Returning visitors' share of [`SiteMetrics::known_visits`] (see [`returning_rate`]).
    pub returning_rate: Rate,
}

impl SiteMetrics {
    /// The bare page views of `cause`.
    pub fn bare_views_of(&self, cause: BareCause) -> &Count {
        match cause {
            BareCause::WasmRefused => &self.bare_views_wasm_refused,
            BareCause::NotLoaded => &self.bare_views_not_loaded,
        }
    }

    fn new(current: &MergedRange, previous: Option<&MergedRange>, k: u64) -> SiteMetrics {
        let (now, before) = (current.site(), previous.map(MergedRange::site));
        let count = |f: fn(&Activity) -> u64| Count::new(f(now), before.map(f));
        let of_range = |f: fn(&MergedRange) -> u64| Count::new(f(current), previous.map(f));
        let measure = |f: fn(&Activity) -> Option<f64>| Measure::new(f(now), before.and_then(f));
        let rate = |f: fn(&Activity) -> Option<f64>| Rate::new(f(now), before.and_then(f));
        SiteMetrics {
            visitors: of_range(MergedRange::site_visitors),
            visits: count(|a| a.engagement.entries),
            views: count(|a| a.engagement.views),
            views_per_visit: measure(|a| ratio(a.engagement.views, a.engagement.entries)),
            bounce_rate: rate(bounce_rate),
            engagement_rate: rate(engagement_rate),
            median_engaged_ms: measure(|a| a.engagement.engaged_time_ms.quantile(0.5)),
            median_scroll_pct: measure(|a| a.engagement.scroll_depth_pct.quantile(0.5)),
            bots_dropped: of_range(MergedRange::bots_dropped),
            bare_views: of_range(MergedRange::bare_views),
            bare_views_wasm_refused: of_range(|r| r.bare_views_of(BareCause::WasmRefused)),
            bare_views_not_loaded: of_range(|r| r.bare_views_of(BareCause::NotLoaded)),
            known_visits: count(|a| a.engagement.known_visits.total()),
            returning_rate: Rate::new(
                returning_rate(now, k),
                before.and_then(|a| returning_rate(a, k)),
            ),
        }
    }
}

/// Everything the site page and `GET /api/v1/sites/<site>/summary` show for a range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteSummary {
    /// First day of the range.
    pub from: Day,
    /// Last day of the range, included.
    pub to: Day,
    /// Whether the range spans more than one day: its visitors are then counted per day, and a
    /// person returning on another day counts again (each day has its own salt).
    pub visitors_counted_per_day: bool,
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
    /// `utm_term` values (paid keywords) by views.
    pub campaign_terms: Vec<CountRow>,
    /// `utm_content` values (which ad or link) by views.
    pub campaign_contents: Vec<CountRow>,
    /// Devices, browsers, countries and languages.
    pub audience: Audience,
    /// Goals with conversion rate and value.
    pub goals: Vec<GoalRow>,
    /// The custom properties of the goals listed in `goals` (not of those folded), per key.
    pub goal_properties: Vec<PropertyBreakdown>,
    /// Custom events with count and value.
    pub custom_events: Vec<CustomEventRow>,
    /// The custom properties of the events listed in `custom_events`, per key.
    pub event_properties: Vec<PropertyBreakdown>,
    /// Site-search terms by searches.
    pub search_terms: Vec<CountRow>,
    /// Outbound links, downloads and form submissions (`outbound:<host>`, ...) by count.
    pub events: Vec<CountRow>,
    /// Feedback over the whole site, when at least k answered.
    pub feedback: Option<Feedback>,
    /// The segment every figure above is read for (`device:mobile`); none for every visitor.
    /// Lists and breakdowns are not kept per segment: a segment's are empty.
    pub segment: Option<String>,
    /// The site's segments side by side, always over every visitor of the range: the channel
    /// groups, devices, new and returning visitors and top countries.
    pub segments: SegmentTable,
    /// The site's funnels, for the segment when one is read.
    pub funnels: Funnels,
}

impl SiteSummary {
    /// The summary of `current`, compared with `previous` when given (usually the range of
    /// [`previous_period`](super::previous_period)).
    pub fn new(
        current: &MergedRange,
        previous: Option<&MergedRange>,
        options: &SummaryOptions,
    ) -> SiteSummary {
        let site = current.site();
        let per_view = current.site_visitors_per_view();
        let goals = goal_rows(site, per_view, options);
        let custom_events = custom_event_rows(site, per_view, options);
        let properties =
            |table, names: Vec<&str>| property_breakdowns(table, names, per_view, options);
        SiteSummary {
            goal_properties: properties(
                current.goal_properties(),
                goals.iter().map(|row| row.label.as_str()).collect(),
            ),
            event_properties: properties(
                current.event_properties(),
                custom_events.iter().map(|row| row.label.as_str()).collect(),
            ),
            goals,
            custom_events,
            from: current.from(),
            to: current.to(),
            visitors_counted_per_day: current.visitors_counted_per_day(),
            previous: previous.map(|p| Period { from: p.from(), to: p.to() }),
            k: options.k,
            metrics: SiteMetrics::new(current, previous, options.k),
            daily: current.daily().to_vec(),
            previous_daily: previous.map(|p| p.daily().to_vec()).unwrap_or_default(),
            top_pages: top_page_rows(current, options),
            entry_pages: entry_page_rows(current, options),
            exit_pages: exit_page_rows(current, options),
            channels: channel_rows(site, per_view, options),
            channel_baseline: ratio(site.engagement.engaged_visits, site.engagement.entries),
            referrers: top_k_rows(&site.referrers, per_view, options),
            campaigns: top_k_rows(&site.campaigns, per_view, options),
            campaign_terms: top_k_rows(&site.campaign_terms, per_view, options),
            campaign_contents: top_k_rows(&site.campaign_contents, per_view, options),
            audience: Audience::of(site, per_view, options),
            search_terms: top_k_rows(&site.search_terms, per_view, options),
            events: top_k_rows(&site.events, per_view, options),
            feedback: Feedback::of(site, None, per_view, options),
            segment: options.segment.map(|segment| segment.to_string()),
            segments: SegmentTable::new(current.site_segments(), options.k),
            funnels: Funnels::new(current, &options.funnels, options.k),
        }
    }
}

/// A site's figures over a date range, pages ordered by views (most first), folded under k.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeSummary {
    /// First day of the range.
    pub from: Day,
    /// Last day of the range, included.
    pub to: Day,
    /// Whether the range spans more than one day: its visitors are then counted per day, and a
    /// person returning on another day counts again (each day has its own salt).
    pub visitors_counted_per_day: bool,
    /// Views of all pages.
    pub views: u64,
    /// Estimated unique visitors of the site over the range, from the site rollups.
    pub visitors: u64,
    /// Per-page rows; pages with fewer than k visitors are folded into
    /// [`OTHER`](crate::privacy::OTHER).
    pub pages: Vec<PageRow>,
    /// Page views dropped because they came from bots.
    pub bots_dropped: u64,
    /// The segment the table is read for (`device:mobile`); none for every visitor.
    pub segment: Option<String>,
}

impl RangeSummary {
    /// The per-page table of a merged range (every page, no row limit), folded under `k`, of
    /// `segment` when the range is one's (see [`MergedRange::of_segment`]).
    pub fn from_merged(range: &MergedRange, k: u64, segment: Option<Segment>) -> RangeSummary {
        let options = SummaryOptions { k, max_rows: usize::MAX, segment, funnels: Vec::new() };
        let pages = top_page_rows(range, &options);
        RangeSummary {
            from: range.from(),
            to: range.to(),
            visitors_counted_per_day: range.visitors_counted_per_day(),
            views: pages.iter().map(|p| p.figures.views).sum(),
            visitors: range.site_visitors(),
            pages,
            bots_dropped: range.bots_dropped(),
            segment: segment.map(|segment| segment.to_string()),
        }
    }
}

#[cfg(test)]
mod tests;
