//! `GET /s/<site>/p?path=/x`: one page's insight summary — its cards first, then its figures
//! against the site's, how far and how long people read, where they came from and went,
//! what frustrated them, and how fast the page was for them.

use maud::{html, Markup};
use tacit_report::summary::{Compared, Distribution, Vital, VitalRating, VISITORS_COUNTED_PER_DAY};
use worker::Response;

use super::cards::cards;
use super::charts::share_bars;
use super::format;
use super::layout::{page, PageContext};
use super::segments::{segment_bar, segment_tables};
use super::tables::{breakable, breakdown, table};
use crate::error::AppResult;
use tacit_report::PageReport;

/// Renders the insight summary of one page.
pub fn page_report(context: &PageContext, report: &PageReport) -> AppResult<Response> {
    let summary = &report.summary;
    let metrics = &summary.metrics;
    let k = summary.k;
    let percent = |v: f64| format::percent(Some(v));
    let duration = |v: f64| format::duration_ms(Some(v));
    let scroll = |v: f64| format::percent_value(Some(v));
    let path = |label: &str| html! { (breakable(label, '/')) };
    let current_path = format!("/s/{}/p", context.site);
    let extra = [("path", summary.path.as_str())];
    let body = html! {
        (segment_bar(context, &current_path, &extra, &summary.segments))
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
                @if summary.visitors_counted_per_day {
                    " " (VISITORS_COUNTED_PER_DAY)
                }
            }
            (table(&["Measure", "This page", "Site", "Previous period"], [
                compared_row("Bounce rate", &metrics.bounce_rate, percent),
                compared_row("Engagement rate", &metrics.engagement_rate, percent),
                compared_row("Exit rate", &metrics.exit_rate, percent),
                compared_row("Median engaged time", &metrics.median_engaged_ms, duration),
                compared_row("Median scroll depth", &metrics.median_scroll_pct, scroll),
                compared_row("Returning visits (journey consent)", &metrics.returning_rate, percent),
                compared_row("Rage clicks per view", &summary.frustration.rage_clicks_per_view, |v| format!("{v:.2}")),
                compared_row("Dead clicks per view", &summary.frustration.dead_clicks_per_view, |v| format!("{v:.2}")),
                compared_row("Views with frustration", &summary.frustration.frustrated_view_rate, percent),
                compared_row("Quick backs", &summary.frustration.quick_back_rate, percent),
            ].into_iter()))
        }
        section aria-labelledby="segments" {
            h2 #segments { "Segments side by side" }
            p.note { "This page's figures for each segment, over every visitor of the page." }
            (segment_tables(context, &current_path, &extra, &summary.segments, k))
        }
        div.grid {
            section aria-labelledby="reading" {
                h2 #reading { "How far they read" }
                (distribution(&summary.scroll_depth_pct, scroll, "scrolled"))
            }
            section aria-labelledby="time" {
                h2 #time { "How long they stayed" }
                (distribution(&summary.engaged_time_ms, duration, "engaged"))
            }
            section aria-labelledby="from" {
                h2 #from { "Where they came from" }
                (breakdown(&["Previous page", "Views"], &summary.previous_pages, k, "previous pages", |r| vec![path(&r.label), html! { (format::count(r.figures.count)) }]))
                (breakdown(&["Channel", "Visits", "Engagement"], &summary.channels, k, "channels", |c| vec![
                    html! { (c.label) }, html! { (format::count(c.figures.entries)) }, html! { (format::percent(c.figures.engagement_rate)) },
                ]))
            }
            section aria-labelledby="to" {
                h2 #to { "Where they went" }
                (breakdown(&["Next page", "Views"], &summary.next_pages, k, "next pages", |r| vec![path(&r.label), html! { (format::count(r.figures.count)) }]))
            }
        }
        section.wide aria-labelledby="vitals" {
                h2 #vitals { "Speed (p75, Core Web Vitals)" }
                (table(&["Vital", "This page", "Rating", "Site"], [
                    vital_row("Largest Contentful Paint", &summary.vitals.lcp_ms, duration),
                    vital_row("Interaction to Next Paint", &summary.vitals.inp_ms, |v| format::milliseconds(Some(v))),
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
                    None => p.empty { (no_feedback(k)) },
                }
        }
    };
    page(context, &summary.path, &current_path, &extra, body)
}

/// `GET /s/<site>/p?path=` for a page without a report in the range (no views, or fewer than
/// k visitors in the page or the segment): the reason the edge gave, `why`, and the ways on, on
/// a page of the same frame as a report, with status 404.
pub fn page_not_shown(context: &PageContext, path: &str, why: &str) -> AppResult<Response> {
    let current_path = format!("/s/{}/p", context.site);
    not_shown(context, path, &current_path, &[("path", path)], "No report for this page", why)
}

/// `GET /s/<site>?segment=` for a segment that fewer than k visitors came in: as
/// [`page_not_shown`], for the site summary.
pub fn site_not_shown(context: &PageContext, why: &str) -> AppResult<Response> {
    let current_path = format!("/s/{}", context.site);
    not_shown(context, "Site summary", &current_path, &[], "No figures for this segment", why)
}

fn not_shown(
    context: &PageContext,
    title: &str,
    current_path: &str,
    extra: &[(&str, &str)],
    heading: &str,
    why: &str,
) -> AppResult<Response> {
    let site_summary = context.segment_link(&format!("/s/{}", context.site), &[], None);
    let body = html! {
        section aria-labelledby="not-shown" {
            h2 #not-shown { (heading) }
            p.why { (sentence(why)) }
            p {
                "Choose a longer range above, "
                @if context.segment.is_some() {
                    "read it for " a href=(context.segment_link(current_path, extra, None)) { "all visitors" } ", "
                }
                "or go back to " a href=(site_summary) { "the site summary" } "."
            }
        }
    };
    let response = page(context, title, current_path, extra, body)?;
    Ok(response.with_status(404))
}

/// `text` as a sentence: a capital first letter and a full stop.
fn sentence(text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let mut chars = text.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
    let end = if text.ends_with('.') { "" } else { "." };
    format!("{first}{}{end}", chars.as_str())
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

/// A distribution as one bar per mark: the share of views that `reached` (a verb: "scrolled")
/// at least that mark, the bar and its label saying the same share.
fn distribution(
    distribution: &Distribution,
    show: impl Fn(f64) -> String,
    reached: &str,
) -> Markup {
    let rows: Vec<(String, f64)> = distribution
        .reached
        .iter()
        .map(|mark| (format!("{reached} {} or more", show(mark.at_least)), mark.share))
        .collect();
    html! {
        @if rows.is_empty() {
            p.empty { "No leave signals in this range." }
        } @else {
            p.note { "Share of the " (format::count(distribution.count)) " views whose leave arrived." }
            (share_bars(&rows, &format!("Share of the {} views that {reached} each mark or more", distribution.count)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sentence;

    #[test]
    fn a_reason_reads_as_a_sentence() {
        assert_eq!(
            sentence("no page views of '/x' in this range"),
            "No page views of '/x' in this range."
        );
        assert_eq!(sentence("'/x' had fewer than 5 visitors."), "'/x' had fewer than 5 visitors.");
        assert_eq!(sentence(""), "");
    }
}
