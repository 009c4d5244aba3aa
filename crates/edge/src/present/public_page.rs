//! `GET /s/<site>` without a token, for a site that publishes its summary: unique visitors per
//! day, in total and per page, with the noise and its margins said in words. No page links:
//! a page's insight summary needs the viewer token.

use maud::html;
use tacit_report::public::PublicSummary;
use worker::Response;

use super::charts::daily_chart;
use super::format;
use super::layout::{page, PageContext};
use super::tables::{breakable, table};
use crate::error::AppResult;

/// Renders the public summary.
pub fn public_page(context: &PageContext, summary: &PublicSummary) -> AppResult<Response> {
    let body = html! {
        section.metrics aria-label="Headline metrics" {
            div.metric {
                p.label { "Unique visitors" }
                p.value { (format::count(summary.visitors)) }
                p.change { "± " (format::count(summary.visitors_margin)) " at 95 %" }
            }
        }
        p.note #noise {
            "These figures are public, so they carry differential-privacy noise (ε = "
            (summary.epsilon) "): each day's count is within ± " (summary.daily_margin)
            " of the true count 95 times in 100, the total within ± " (summary.visitors_margin)
            ", each page's within ± " (summary.page_margin) ". The same range always shows the same figures. "
            "Only unique visitors are published: a person adds at most one a day to them, which "
            "is what the noise hides; page views have no such bound."
        }
        section aria-labelledby="daily" {
            h2 #daily { "Visitors per day" }
            (daily_chart(
                &summary.daily.iter().map(|d| (d.day, d.visitors as f64)).collect::<Vec<_>>(),
                &[],
                "Unique visitors per day, with noise",
            ))
        }
        section aria-labelledby="pages" {
            h2 #pages { "Top pages" }
            (table(&["Page", "Unique visitors"], summary.pages.iter().map(|p| {
                vec![breakable(&p.path, '/'), html! { (format::count(p.visitors)) }]
            })))
            p.note {
                "Pages are listed from " (summary.page_threshold) " visitors (after noise), so "
                "that whether a page appears at all does not give a visitor away."
            }
        }
    };
    page(context, "Public summary", &format!("/s/{}", context.site), &[], body)
}
