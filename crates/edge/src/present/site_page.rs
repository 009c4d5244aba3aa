//! `GET /s/<site>`: what a marketer opens every morning — the headline metrics against the
//! previous period, the top insight cards, the daily chart, pages, channels with their
//! engagement, audience, goals and searches. Rendered at the edge, no script.

use maud::{html, Markup};
use tacit_report::summary::{ChannelRow, Count, CountRow, Measure, Rate};
use worker::Response;

use super::cards::cards;
use super::charts::{daily_chart, sparkline};
use super::format;
use super::layout::{page, PageContext};
use crate::error::AppResult;
use tacit_report::SiteReport;

/// Renders the site summary.
pub fn site_page(context: &PageContext, report: &SiteReport) -> AppResult<Response> {
    let summary = &report.summary;
    let metrics = &summary.metrics;
    let series = |f: fn(&tacit_report::summary::DailyPoint) -> f64| -> Vec<f64> {
        summary.daily.iter().map(f).collect()
    };
    let body = html! {
        section.metrics aria-label="Headline metrics" {
            (count_metric("Unique visitors", &metrics.visitors, &series(|d| d.visitors as f64)))
            (count_metric("Visits", &metrics.visits, &series(|d| d.visits as f64)))
            (count_metric("Page views", &metrics.views, &series(|d| d.views as f64)))
            (measure_metric("Views per visit", &metrics.views_per_visit, |v| format!("{v:.2}")))
            (rate_metric("Bounce rate", &metrics.bounce_rate, Some(&series(|d| d.bounce_rate.unwrap_or(0.0))), false))
            (rate_metric("Engagement rate", &metrics.engagement_rate, Some(&series(|d| d.engagement_rate.unwrap_or(0.0))), true))
            (rate_metric("Returning visits", &metrics.returning_rate, None, true))
            (measure_metric("Median engaged time", &metrics.median_engaged_ms, |v| format::duration_ms(Some(v))))
            (measure_metric("Median scroll depth", &metrics.median_scroll_pct, |v| format!("{v:.0} %")))
        }
        section aria-labelledby="insights" {
            h2 #insights { "Insights" }
            (cards(context, &report.insights, "No finding passes its minimum sample and significance test in this range yet."))
        }
        section aria-labelledby="daily" {
            h2 #daily { "Visitors per day" }
            (daily_chart(
                &summary.daily.iter().map(|d| (d.day.to_string(), d.visitors as f64)).collect::<Vec<_>>(),
                &summary.previous_daily.iter().map(|d| d.visitors as f64).collect::<Vec<_>>(),
                "Unique visitors per day; the dashed line is the previous period",
            ))
        }
        div.grid {
            section aria-labelledby="pages" {
                h2 #pages { "Top pages" }
                (table(&["Page", "Views", "Unique visitors"], summary.top_pages.iter().map(|p| {
                    vec![page_cell(context, &p.label), text(format::count(p.figures.views)), text(format::count(p.visitors))]
                })))
            }
            section aria-labelledby="entries" {
                h2 #entries { "Entry pages" }
                (table(&["Page", "Visits", "Bounce rate", "Engagement"], summary.entry_pages.iter().map(|p| {
                    vec![page_cell(context, &p.label), text(format::count(p.figures.entries)), text(format::percent(p.figures.bounce_rate)), text(format::percent(p.figures.engagement_rate))]
                })))
            }
            section aria-labelledby="exits" {
                h2 #exits { "Exit pages" }
                (table(&["Page", "Exits", "Exit rate"], summary.exit_pages.iter().map(|p| {
                    vec![page_cell(context, &p.label), text(format::count(p.figures.exits)), text(format::percent(p.figures.exit_rate))]
                })))
            }
            section aria-labelledby="channels" {
                h2 #channels { "Channels" }
                p.note { "Engagement per channel against the site's " (format::percent(summary.channel_baseline)) "." }
                (channels(&summary.channels))
            }
            (count_section("referrers", "Referrers", "Views", &summary.referrers))
            (count_section("campaigns", "Campaigns (source / medium / campaign)", "Views", &summary.campaigns))
            section aria-labelledby="goals" {
                h2 #goals { "Goals" }
                (table(&["Goal", "Completions", "Conversion", "Value"], summary.goals.iter().map(|g| {
                    vec![text(g.label.clone()), text(format::count(g.figures.completions)), text(format::percent(g.figures.conversion_rate)), text(format!("{:.2}", g.figures.value))]
                })))
            }
            (count_section("search", "Site search", "Searches", &summary.search_terms))
            (count_section("events", "Outbound links, downloads, forms", "Count", &summary.events))
            (count_section("devices", "Devices", "Views", &summary.audience.devices))
            (count_section("browsers", "Browsers", "Views", &summary.audience.browsers))
            (count_section("countries", "Countries", "Views", &summary.audience.countries))
            (count_section("languages", "Languages", "Views", &summary.audience.languages))
        }
        p.note {
            @if summary.k > 1 {
                "Rows seen by fewer than " (summary.k) " visitors are folded into “(other)”. "
            }
            (format::count(metrics.bots_dropped.current)) " bot page views were dropped. "
            @if metrics.bare_views.current > 0 {
                (format::count(metrics.bare_views.current)) " page views were counted by their "
                "path only: the page's Content-Security-Policy blocked tacit's WebAssembly (add "
                code { "'wasm-unsafe-eval'" } " to its " code { "script-src" } "). "
            }
            "Returning visits are counted only for visitors who agreed to journey linking (only "
            "they keep a last-visit day): "
            @match metrics.known_visits.current {
                0 => { "none in this range." }
                known => {
                    (format::count(known)) " visits"
                    @if metrics.returning_rate.current.is_none() { ", shown from " (summary.k) " on" }
                    "."
                }
            }
        }
    };
    page(context, "Site summary", &format!("/s/{}", context.site), &[], body)
}

/// A table cell: markup, already escaped by maud.
type Cell = Markup;

fn text(value: String) -> Cell {
    html! { (value) }
}

fn page_cell(context: &PageContext, path: &str) -> Cell {
    html! { a href=(context.page_link(path)) { (path) } }
}

/// A table whose first column is a row header and the others are numbers.
pub fn table(headers: &[&str], rows: impl Iterator<Item = Vec<Cell>>) -> Markup {
    let rows: Vec<Vec<Cell>> = rows.collect();
    html! {
        @if rows.is_empty() {
            p.empty { "Nothing in this range." }
        } @else {
            table {
                thead { tr { @for (i, header) in headers.iter().enumerate() {
                    @if i == 0 { th scope="col" { (header) } } @else { th.num scope="col" { (header) } }
                } } }
                tbody { @for row in &rows { tr { @for (i, cell) in row.iter().enumerate() {
                    @if i == 0 { th.label scope="row" { (cell) } } @else { td.num { (cell) } }
                } } } }
            }
        }
    }
}

fn count_section(id: &str, title: &str, what: &str, rows: &[CountRow]) -> Markup {
    html! {
        section aria-labelledby=(id) {
            h2 id=(id) { (title) }
            (table(&[title, what], rows.iter().map(|r| vec![text(r.label.clone()), text(format::count(r.figures.count))])))
        }
    }
}

fn channels(rows: &[ChannelRow]) -> Markup {
    table(
        &["Channel", "Visits", "Engaged", "Engagement"],
        rows.iter().map(|c| {
            vec![
                text(c.label.clone()),
                text(format::count(c.figures.entries)),
                text(format::count(c.figures.engaged_visits)),
                text(format::percent(c.figures.engagement_rate)),
            ]
        }),
    )
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
    let change = rate.difference.map_or("–".into(), |d| {
        let points = d * 100.0;
        format!("{}{:.1} pts", if points >= 0.0 { "+" } else { "\u{2212}" }, points.abs())
    });
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
