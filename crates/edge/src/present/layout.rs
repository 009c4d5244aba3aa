//! The frame every page shares: head, header, range picker and footer, and the headers that
//! keep the page script-free and its `?key=` from leaking.

use maud::{html, Markup, PreEscaped, DOCTYPE};
use tacit_aggregate::Day;
use worker::{Response, Url};

use crate::error::AppResult;

const STYLE: &str = include_str!("page.css");

/// No scripts, no external loads, and no `Referer` that could carry a `?key=` elsewhere.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// What every marketer's page says about its unique visitors. Visitors are told apart by a
/// hash with a salt of the day, so the same person on two days is two visitors of a range.
const VISITORS_FOOTNOTE: &str = "Unique visitors are HyperLogLog++ estimates (about ±0.8 % on \
    large counts, near exact on small ones). Visitors are counted per day: a person returning \
    on another day counts again in a range of several days. No cookies; no IP address, user \
    agent or visitor id is stored.";

/// What an HTML page shows and how it was opened (its site, token, range and segment, and
/// today): what its frame and links need.
#[derive(Clone, Copy)]
pub struct PageContext<'a> {
    /// The site's id.
    pub site: &'a str,
    /// The token the page was opened with (`?key=`), kept in its links.
    pub key: Option<&'a str>,
    /// The range shown.
    pub from: Day,
    /// Its last day.
    pub to: Day,
    /// Today, for the range presets.
    pub today: Day,
    /// The segment shown (`device:mobile`), kept in its links; none for every visitor.
    pub segment: Option<&'a str>,
}

impl PageContext<'_> {
    /// A link to `path` on this edge for `from..=to`, with the key and `extra` parameters.
    pub fn link_for(&self, path: &str, from: Day, to: Day, extra: &[(&str, &str)]) -> String {
        let mut url = Url::parse("https://tacit.invalid/").expect("a valid base URL");
        url.set_path(path);
        {
            let mut query = url.query_pairs_mut();
            for (name, value) in extra {
                query.append_pair(name, value);
            }
            if let Some(segment) = self.segment {
                query.append_pair("segment", segment);
            }
            if let Some(key) = self.key {
                query.append_pair("key", key);
            }
            query.append_pair("from", &from.to_string()).append_pair("to", &to.to_string());
        }
        format!("{}?{}", url.path(), url.query().unwrap_or_default())
    }

    /// A link to `path` for the range shown.
    pub fn link(&self, path: &str, extra: &[(&str, &str)]) -> String {
        self.link_for(path, self.from, self.to, extra)
    }

    /// The site page for the range shown.
    pub fn site_link(&self) -> String {
        self.link(&format!("/s/{}", self.site), &[])
    }

    /// The same page (`current_path` with `extra` parameters) for `segment` instead, or for
    /// every visitor.
    pub fn segment_link(
        &self,
        current_path: &str,
        extra: &[(&str, &str)],
        segment: Option<&str>,
    ) -> String {
        PageContext { segment, ..*self }.link(current_path, extra)
    }

    /// The page insight summary of `path` for the range shown.
    pub fn page_link(&self, path: &str) -> String {
        self.link(&format!("/s/{}/p", self.site), &[("path", path)])
    }
}

/// A whole marketer's page with `title`, the range picker for `current_path` (which keeps
/// `extra` parameters), and `body`.
pub fn page(
    context: &PageContext,
    title: &str,
    current_path: &str,
    extra: &[(&str, &str)],
    body: Markup,
) -> AppResult<Response> {
    let brand = html! { a href=(context.site_link()) { "tacit" } };
    let subtitle = range_label(context.from, context.to);
    let picker = range_picker(context, current_path, extra);
    document(context, title, brand, &subtitle, picker, body, VISITORS_FOOTNOTE)
}

/// A privacy officer's page: no link to the marketers' pages (the auditor token does not open
/// them), and a range for the consent rates.
pub fn audit_page(
    context: &PageContext,
    title: &str,
    current_path: &str,
    body: Markup,
) -> AppResult<Response> {
    let subtitle = if context.from == context.to {
        format!("Consent rates of {}", context.from)
    } else {
        format!("Consent rates of {} – {}", context.from, context.to)
    };
    let footer = "Generated from the running code's own definitions and this site's storage, \
                  at the time of the request. Print this page, or download the JSON export, \
                  for your records.";
    let picker = range_picker(context, current_path, &[]);
    document(context, title, html! { "tacit" }, &subtitle, picker, body, footer)
}

fn document(
    context: &PageContext,
    title: &str,
    brand: Markup,
    subtitle: &str,
    picker: Markup,
    body: Markup,
    footer: &str,
) -> AppResult<Response> {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                // No icon: the browser would otherwise ask the edge for /favicon.ico.
                link rel="icon" href="data:,";
                title { (title) " · " (context.site) " · tacit" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    p.brand { (brand) " · " (context.site) }
                    h1 { (title) }
                    p.range { (subtitle) }
                    (picker)
                }
                main { (body) }
                footer { p { (footer) } }
            }
        }
    };
    let response = Response::from_html(markup.into_string())?;
    let headers = response.headers();
    headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY)?;
    headers.set("Referrer-Policy", "no-referrer")?;
    headers.set("Cache-Control", "no-store")?;
    Ok(response)
}

fn range_picker(context: &PageContext, current_path: &str, extra: &[(&str, &str)]) -> Markup {
    let today = context.today;
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
                        @if (from, to) == (context.from, context.to) {
                            a aria-current="page" href=(context.link_for(current_path, from, to, extra)) { (label) }
                        } @else {
                            a href=(context.link_for(current_path, from, to, extra)) { (label) }
                        }
                    }
                }
            }
            form method="get" action=(current_path) {
                @for (name, value) in extra {
                    input type="hidden" name=(name) value=(value);
                }
                @if let Some(segment) = context.segment {
                    input type="hidden" name="segment" value=(segment);
                }
                @if let Some(key) = context.key {
                    input type="hidden" name="key" value=(key);
                }
                label { "From " input type="date" name="from" value=(context.from) required; }
                label { "To " input type="date" name="to" value=(context.to) required; }
                button type="submit" { "Show" }
            }
        }
    }
}

fn range_label(from: Day, to: Day) -> String {
    if from == to {
        from.to_string()
    } else {
        format!("{from} – {to}, compared with the {} days before", to.days_after(from) + 1)
    }
}
