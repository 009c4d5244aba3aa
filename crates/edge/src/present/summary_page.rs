//! `GET /s/<site>`: the site summary page, rendered at the edge.
//!
//! Every string that came from a beacon goes through maud, which escapes by default. The page
//! runs no script; its Content-Security-Policy forbids any.

use maud::{html, Markup, PreEscaped, DOCTYPE};
use tacit_core::{Day, RangeSummary};
use worker::{Response, Url};

use crate::error::AppResult;

const STYLE: &str = include_str!("summary_page.css");

/// No scripts, no external loads, and no `Referer` that could carry a `?key=` elsewhere.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Renders the summary of `site`. `key` is the token the page was opened with, kept in its links.
pub fn summary_page(
    site: &str,
    summary: &RangeSummary,
    key: Option<&str>,
    today: Day,
) -> AppResult<Response> {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (site) " · tacit" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    p.brand { "tacit" }
                    h1 { (site) }
                    p.range { (range_label(summary.from, summary.to)) }
                }
                main {
                    (range_picker(summary, key, today))
                    section.totals aria-label="Totals" {
                        (metric("Unique visitors", summary.visitors))
                        (metric("Page views", summary.views))
                        (metric("Pages", summary.pages.len() as u64))
                    }
                    section aria-labelledby="pages-heading" {
                        h2 #pages-heading { "Pages" }
                        @if summary.pages.is_empty() {
                            p.empty { "No page views in this range yet." }
                        } @else {
                            (pages_table(summary))
                        }
                    }
                }
                footer {
                    p {
                        "Unique visitors are estimated with a HyperLogLog++ sketch (about ±0.8 % on "
                        "large counts, near exact on small ones) and are a union over the range, not a "
                        "sum of days. No cookies; no IP address or user agent is stored."
                    }
                }
            }
        }
    };
    let response = Response::from_html(markup.into_string())?;
    let headers = response.headers();
    headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY)?;
    headers.set("Referrer-Policy", "no-referrer")?;
    headers.set("Cache-Control", "no-store")?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    Ok(response)
}

fn metric(label: &str, value: u64) -> Markup {
    html! {
        div.metric {
            p.label { (label) }
            p.value { (value) }
        }
    }
}

fn pages_table(summary: &RangeSummary) -> Markup {
    html! {
        table {
            caption.visually-hidden { "Views and unique visitors per page" }
            thead {
                tr {
                    th scope="col" { "Page" }
                    th.num scope="col" { "Views" }
                    th.num scope="col" { "Unique visitors" }
                }
            }
            tbody {
                @for page in &summary.pages {
                    tr {
                        th.path scope="row" { (page.path) }
                        td.num { (page.views) }
                        td.num { (page.visitors) }
                    }
                }
            }
        }
    }
}

fn range_picker(summary: &RangeSummary, key: Option<&str>, today: Day) -> Markup {
    let presets = [
        ("Today", today, today),
        ("7 days", today.add_days(-6), today),
        ("30 days", today.add_days(-29), today),
    ];
    html! {
        nav.picker aria-label="Date range" {
            ul {
                @for (label, from, to) in presets {
                    li {
                        @if (from, to) == (summary.from, summary.to) {
                            a aria-current="page" href=(range_link(key, from, to)) { (label) }
                        } @else {
                            a href=(range_link(key, from, to)) { (label) }
                        }
                    }
                }
            }
            form method="get" {
                @if let Some(key) = key {
                    input type="hidden" name="key" value=(key);
                }
                label { "From " input type="date" name="from" value=(summary.from) required; }
                label { "To " input type="date" name="to" value=(summary.to) required; }
                button type="submit" { "Show" }
            }
        }
    }
}

fn range_label(from: Day, to: Day) -> String {
    if from == to {
        from.to_string()
    } else {
        format!("{from} – {to}")
    }
}

/// A relative link to this page for another range, query parameters encoded.
fn range_link(key: Option<&str>, from: Day, to: Day) -> String {
    let mut url = Url::parse("https://tacit.invalid/").expect("a valid base URL");
    {
        let mut query = url.query_pairs_mut();
        if let Some(key) = key {
            query.append_pair("key", key);
        }
        query.append_pair("from", &from.to_string()).append_pair("to", &to.to_string());
    }
    format!("?{}", url.query().unwrap_or_default())
}
