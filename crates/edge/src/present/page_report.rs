//! `GET /s/<site>/p?path=/x`: one page's insight summary — its cards first, then its figures
//! against the site's, how far and how long people read, where they came from and went,
//! what frustrated them, and how fast the page was for them.

use maud::{html, Markup};
use tacit_report::summary::{Compared, Distribution, Vital, VitalRating};
use worker::Response;

use super::cards::cards;
use super::charts::share_bars;
use super::format;
use super::layout::{page, PageContext};
use super::site_page::table;
use crate::error::AppResult;
use tacit_report::PageReport;

/// Renders the insight summary of one page.
pub fn page_report(context: &PageContext, report: &PageReport) -> AppResult<Response> {
    let summary = &report.summary;
    let metrics = &summary.metrics;
    let percent = |v: f64| format::percent(Some(v));
    let duration = |v: f64| format::duration_ms(Some(v));
    let body = html! {
        section aria-labelledby="insights" {
            h2 #insights { "Insights" }
            (cards(context, &report.insights, "No finding about this page passes its minimum sample and significance test in this range."))
        }
        section aria-labelledby="against" {
            h2 #against { "Against the site" }
            p.note {
                (format::count(metrics.visitors.current)) " unique visitors, "
                (format::count(metrics.views.current)) " views, "
                (format::count(metrics.entries.current)) " visits started here."
            }
            (table(&["Measure", "This page", "Site", "Previous period"], [
                compared_row("Bounce rate", &metrics.bounce_rate, percent),
                compared_row("Engagement rate", &metrics.engagement_rate, percent),
                compared_row("Exit rate", &metrics.exit_rate, percent),
                compared_row("Median engaged time", &metrics.median_engaged_ms, duration),
                compared_row("Median scroll depth", &metrics.median_scroll_pct, |v| format!("{v:.0} %")),
                compared_row("Returning visits (journey consent)", &metrics.returning_rate, percent),
                compared_row("Rage clicks per view", &summary.frustration.rage_clicks_per_view, |v| format!("{v:.2}")),
                compared_row("Dead clicks per view", &summary.frustration.dead_clicks_per_view, |v| format!("{v:.2}")),
                compared_row("Views with frustration", &summary.frustration.frustrated_view_rate, percent),
                compared_row("Quick backs", &summary.frustration.quick_back_rate, percent),
            ].into_iter()))
        }
        div.grid {
            section aria-labelledby="reading" {
                h2 #reading { "How far they read" }
                (distribution(&summary.scroll_depth_pct, |v| format!("{v:.0} %"), "scrolled at least"))
            }
            section aria-labelledby="time" {
                h2 #time { "How long they stayed" }
                (distribution(&summary.engaged_time_ms, |v| format::duration_ms(Some(v)), "engaged at least"))
            }
            section aria-labelledby="from" {
                h2 #from { "Where they came from" }
                (table(&["Previous page", "Views"], summary.previous_pages.iter().map(|r| vec![html! { (r.label) }, html! { (format::count(r.figures.count)) }])))
                (table(&["Channel", "Visits", "Engagement"], summary.channels.iter().map(|c| vec![
                    html! { (c.label) }, html! { (format::count(c.figures.entries)) }, html! { (format::percent(c.figures.engagement_rate)) },
                ])))
            }
            section aria-labelledby="to" {
                h2 #to { "Where they went" }
                (table(&["Next page", "Views"], summary.next_pages.iter().map(|r| vec![html! { (r.label) }, html! { (format::count(r.figures.count)) }])))
            }
        }
        section.wide aria-labelledby="vitals" {
                h2 #vitals { "Speed (p75, Core Web Vitals)" }
                (table(&["Vital", "This page", "Rating", "Site"], [
                    vital_row("Largest Contentful Paint", &summary.vitals.lcp_ms, duration),
                    vital_row("Interaction to Next Paint", &summary.vitals.inp_ms, duration),
                    vital_row("Cumulative Layout Shift", &summary.vitals.cls, |v| format!("{v:.2}")),
                ].into_iter()))
        }
        section aria-labelledby="feedback" {
                h2 #feedback { "Feedback" }
                @match &summary.feedback {
                    Some(feedback) => p {
                        (format::count(feedback.answers)) " answers, mean " (format!("{:.2}", feedback.mean_score)) " of 3"
                        @if let Some(site) = feedback.site_mean_score { " (site: " (format!("{site:.2}")) ")" }
                    },
                    None => p.empty { (no_feedback(summary.k)) },
                }
        }
    };
    let extra = [("path", summary.path.as_str())];
    page(context, &summary.path, &format!("/s/{}/p", context.site), &extra, body)
}

fn no_feedback(k: u64) -> String {
    if k > 1 {
        format!("No feedback shown: none was given, or fewer than {k} visitors answered.")
    } else {
        "No feedback was given in this range.".into()
    }
}

fn compared_row(label: &str, compared: &Compared, show: impl Fn(f64) -> String) -> Vec<Markup> {
    let cell = |value: Option<f64>| html! { (value.map_or("–".into(), &show)) };
    vec![html! { (label) }, cell(compared.page), cell(compared.site), cell(compared.previous)]
}

fn vital_row(label: &str, vital: &Vital, show: impl Fn(f64) -> String) -> Vec<Markup> {
    let rating = match vital.rating {
        Some(VitalRating::Good) => "good",
        Some(VitalRating::NeedsImprovement) => "needs improvement",
        Some(VitalRating::Poor) => "poor",
        None => "–",
    };
    vec![
        html! { (label) },
        html! { (vital.p75.map_or("–".into(), &show)) " (" (format::count(vital.samples)) " views)" },
        html! { span class={ "rating " (rating.replace(' ', "-")) } { (rating) } },
        html! { (vital.site_p75.map_or("–".into(), &show)) },
    ]
}

/// A distribution as "share of views that reached at least …" bars, from its quantiles.
fn distribution(
    distribution: &Distribution,
    show: impl Fn(f64) -> String,
    reached: &str,
) -> Markup {
    let rows: Vec<(String, f64)> = distribution
        .quantiles
        .iter()
        .map(|point| (format!("{reached} {}", show(point.value)), 1.0 - point.q))
        .collect();
    html! {
        @if rows.is_empty() {
            p.empty { "No leave signals in this range." }
        } @else {
            (share_bars(&rows, &format!("Share of {} views that {reached} a value", distribution.count)))
        }
    }
}
