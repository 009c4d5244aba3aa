//! `GET /s/<site>`: what a marketer opens every morning — the headline metrics against the
//! previous period, the top insight cards, the daily chart, pages, channels with their
//! engagement, audience, goals and custom events with their properties, and searches. Rendered at the edge, no script.

use maud::{html, Markup};
use tacit_report::summary::{
    ChannelRow, Count, CountRow, Measure, PropertyBreakdown, Rate, VISITORS_COUNTED_PER_DAY,
};
use worker::Response;

use super::cards::top_cards;
use super::charts::{daily_chart, sparkline};
use super::format;
use super::funnels::funnels;
use super::layout::{page, PageContext};
use super::segments::{segment_bar, segment_tables};
use super::tables::{breakdown, page_cell, Cell};
use crate::error::AppResult;
use tacit_beacon::signal::BareCause;
use tacit_report::{SiteReport, TOP_SITE_INSIGHTS};

/// Renders the site summary.
pub fn site_page(context: &PageContext, report: &SiteReport) -> AppResult<Response> {
    let summary = &report.summary;
    let metrics = &summary.metrics;
    let k = summary.k;
    let series = |f: fn(&tacit_report::summary::DailyPoint) -> f64| -> Vec<f64> {
        summary.daily.iter().map(f).collect()
    };
    let current_path = format!("/s/{}", context.site);
    let body = html! {
        (segment_bar(context, &current_path, &[], &summary.segments))
        section.metrics aria-label="Headline metrics" {
            (count_metric("Unique visitors", &metrics.visitors, &series(|d| d.visitors as f64)))
            (count_metric("Visits", &metrics.visits, &series(|d| d.visits as f64)))
            (count_metric("Page views", &metrics.views, &series(|d| d.views as f64)))
            (measure_metric("Views per visit", &metrics.views_per_visit, |v| format!("{v:.2}")))
            (rate_metric("Bounce rate", &metrics.bounce_rate, Some(&series(|d| d.bounce_rate.unwrap_or(0.0))), false))
            (rate_metric("Engagement rate", &metrics.engagement_rate, Some(&series(|d| d.engagement_rate.unwrap_or(0.0))), true))
            (rate_metric("Returning visits", &metrics.returning_rate, None, true))
            (measure_metric("Median engaged time", &metrics.median_engaged_ms, |v| format::duration_ms(Some(v))))
            (measure_metric("Median scroll depth", &metrics.median_scroll_pct, |v| format::percent_value(Some(v))))
        }
        section aria-labelledby="insights" {
            h2 #insights { "Insights" }
            (top_cards(context, &report.insights, "No finding passes its minimum sample and significance test in this range yet.", TOP_SITE_INSIGHTS))
        }
        section aria-labelledby="daily" {
            h2 #daily { "Visitors per day" }
            (daily_chart(
                &summary.daily.iter().map(|d| (d.day, d.visitors as f64)).collect::<Vec<_>>(),
                &summary.previous_daily.iter().map(|d| d.visitors as f64).collect::<Vec<_>>(),
                "Unique visitors per day",
            ))
        }
        div.grid {
            section aria-labelledby="pages" {
                h2 #pages { "Top pages" }
                (breakdown(&["Page", "Views", "Unique visitors"], &summary.top_pages, k, "pages", |p| {
                    vec![page_cell(context, &p.label), text(format::count(p.figures.views)), text(format::count(p.visitors))]
                }))
            }
            section aria-labelledby="entries" {
                h2 #entries { "Entry pages" }
                (breakdown(&["Page", "Visits", "Bounce rate", "Engagement"], &summary.entry_pages, k, "entry pages", |p| {
                    vec![page_cell(context, &p.label), text(format::count(p.figures.entries)), text(format::percent(p.figures.bounce_rate)), text(format::percent(p.figures.engagement_rate))]
                }))
            }
            section aria-labelledby="exits" {
                h2 #exits { "Exit pages" }
                (breakdown(&["Page", "Exits", "Exit rate"], &summary.exit_pages, k, "exit pages", |p| {
                    vec![page_cell(context, &p.label), text(format::count(p.figures.exits)), text(format::percent(p.figures.exit_rate))]
                }))
            }
            section.full aria-labelledby="funnels" {
                h2 #funnels { "Funnels" }
                (funnels(&summary.funnels, k, context.segment))
            }
            section.wide aria-labelledby="segments" {
                h2 #segments { "Segments side by side" }
                p.note { "Each segment over every visitor of the range; open one to read every figure for it alone." }
                (segment_tables(context, &current_path, &[], &summary.segments, k))
            }
            section aria-labelledby="channels" {
                h2 #channels { "Channels" }
                p.note { "Engagement per channel against the site's " (format::percent(summary.channel_baseline)) "." }
                (channels(&summary.channels, k))
            }
            (count_section("referrers", "Referrers", "referrers", "Views", &summary.referrers, k))
            (count_section("campaigns", "Campaigns (source / medium / campaign)", "campaigns", "Views", &summary.campaigns, k))
            (count_section("campaign-terms", "Campaign terms (utm_term)", "campaign terms", "Views", &summary.campaign_terms, k))
            (count_section("campaign-contents", "Campaign contents (utm_content)", "campaign contents", "Views", &summary.campaign_contents, k))
            section aria-labelledby="goals" {
                h2 #goals { "Goals" }
                (breakdown(&["Goal", "Completions", "Conversion", "Value"], &summary.goals, k, "goals", |g| {
                    vec![text(g.label.clone()), text(format::count(g.figures.completions)), text(format::percent(g.figures.conversion_rate)), text(format!("{:.2}", g.figures.value))]
                }))
                (properties(&summary.goal_properties, k))
            }
            section aria-labelledby="custom-events" {
                h2 #custom-events { "Custom events" }
                (breakdown(&["Event", "Count", "Value"], &summary.custom_events, k, "custom events", |e| {
                    vec![text(e.label.clone()), text(format::count(e.figures.count)), text(format!("{:.2}", e.figures.value))]
                }))
                (properties(&summary.event_properties, k))
            }
            (count_section("search", "Site search", "search terms", "Searches", &summary.search_terms, k))
            (count_section("events", "Outbound links, downloads, forms", "links, downloads and forms", "Count", &summary.events, k))
            (count_section("devices", "Devices", "devices", "Views", &summary.audience.devices, k))
            (count_section("browsers", "Browsers", "browsers", "Views", &summary.audience.browsers, k))
            (count_section("countries", "Countries", "countries", "Views", &summary.audience.countries, k))
            (count_section("languages", "Languages", "languages", "Views", &summary.audience.languages, k))
        }
        p.note {
            @if summary.visitors_counted_per_day {
                (VISITORS_COUNTED_PER_DAY) " "
            }
            @if k > 1 {
                "Rows seen by fewer than " (k) " visitors are folded into “(other)”. "
            }
            (format::count(metrics.bots_dropped.current)) " bot page views were dropped. "
            @for cause in BareCause::ALL {
                @let bare = metrics.bare_views_of(cause).current;
                @if bare > 0 {
                    (format::count(bare)) " page views were counted by their path only: "
                    (bare_cause(cause))
                }
            }
            "Returning visits are counted only for visitors who agreed to journey linking (only "
            "they keep a last-visit day): "
            @match metrics.known_visits.current {
                0 => { "none in this range." }
                known => {
                    (format::count(known)) " visits"
                    @if metrics.returning_rate.current.is_none() { ", shown from " (k) " on" }
                    "."
                }
            }
        }
    };
    page(context, "Site summary", &current_path, &[], body)
}

fn text(value: String) -> Cell {
    html! { (value) }
}

/// A section with a count breakdown: `title`, and a table of `rows` by `what` they count.
fn count_section(
    id: &str,
    title: &str,
    noun: &str,
    what: &str,
    rows: &[CountRow],
    k: u64,
) -> Markup {
    html! {
        section aria-labelledby=(id) {
            h2 id=(id) { (title) }
            (breakdown(&[title, what], rows, k, noun, |r| vec![text(r.label.clone()), text(format::count(r.figures.count))]))
        }
    }
}

/// Each goal's or custom event's properties: a table of values per key, under its name.
fn properties(breakdowns: &[PropertyBreakdown], k: u64) -> Markup {
    html! {
        @for b in breakdowns {
            h3.property { (b.name) " · " (b.key) }
            (breakdown(&[&b.key, "Count", "Value sum"], &b.values, k, "values", |v| {
                vec![text(v.label.clone()), text(format::count(v.figures.count)), text(format!("{:.2}", v.figures.value_sum))]
            }))
        }
    }
}

fn channels(rows: &[ChannelRow], k: u64) -> Markup {
    breakdown(&["Channel", "Visits", "Engaged", "Engagement"], rows, k, "channels", |c| {
        vec![
            text(c.label.clone()),
            text(format::count(c.figures.entries)),
            text(format::count(c.figures.engaged_visits)),
            text(format::percent(c.figures.engagement_rate)),
        ]
    })
}

fn count_metric(label: &str, count: &Count, series: &[f64]) -> Markup {
    metric(
        label,
        format::count(count.current),
        format::change(Some(count.current as f64), count.previous.map(|p| p as f64)),
        count.change.map(|c| c >= 0.0),
        Some(sparkline(series, &format!("{label} per day"))),
    )
}

fn measure_metric(label: &str, measure: &Measure, show: impl Fn(f64) -> String) -> Markup {
    metric(
        label,
        measure.current.map_or("–".into(), &show),
        format::change(measure.current, measure.previous),
        measure.change.map(|c| c >= 0.0),
        None,
    )
}

/// `higher_is_better` colours the change: a falling bounce rate is good news.
fn rate_metric(label: &str, rate: &Rate, series: Option<&[f64]>, higher_is_better: bool) -> Markup {
    let change = rate.difference.map_or("–".into(), format::points);
    metric(
        label,
        format::percent(rate.current),
        change,
        rate.difference.map(|d| (d >= 0.0) == higher_is_better),
        series.map(|series| sparkline(series, &format!("{label} per day"))),
    )
}

fn metric(
    label: &str,
    value: String,
    change: String,
    good: Option<bool>,
    spark: Option<Markup>,
) -> Markup {
    let tone = match good {
        Some(true) => "change up",
        Some(false) => "change down",
        None => "change",
    };
    html! {
        div.metric {
            p.label { (label) }
            p.value { (value) }
            p class=(tone) { (change) span.visually-hidden { " against the previous period" } }
            @if let Some(spark) = spark { (spark) }
        }
    }
}

/// Why bare page views came without tacit's WebAssembly, and what the site owner can do: one
/// sentence per cause the loader reports.
fn bare_cause(cause: BareCause) -> Markup {
    match cause {
        BareCause::WasmRefused => html! {
            "the browser refused to run tacit's WebAssembly, as a page's Content-Security-Policy "
            "without " code { "'wasm-unsafe-eval'" } " makes it do (add it to the policy's "
            code { "script-src" } "). "
        },
        BareCause::NotLoaded => html! {
            "tacit's WebAssembly could not be fetched, because a script of the page replaced "
            code { "window.fetch" } " with something that is no function, or the request failed "
            "(keep " code { "window.fetch" } " a function: a wrapper around the browser's own "
            "works). "
        },
    }
}
