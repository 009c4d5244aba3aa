//! The frame every page shares: head, header, range picker and footer, and the headers that
//! keep the page script-free and its `?key=` from leaking.

use maud::{html, Markup, PreEscaped, DOCTYPE};
use tacit_aggregate::Day;
use worker::{Response, Url};

use crate::error::AppResult;

const STYLE: &str = include_str!("page.css");

/// No scripts, no external loads, and no `Referer` that could carry a `?key=` elsewhere.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Where a page is and how it was opened: enough to link to its neighbours.
pub struct Place<'a> {
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
}

impl Place<'_> {
    /// A link to `path` on this edge for `from..=to`, with the key and `extra` parameters.
    pub fn link_for(&self, path: &str, from: Day, to: Day, extra: &[(&str, &str)]) -> String {
        let mut url = Url::parse("https://tacit.invalid/").expect("a valid base URL");
        url.set_path(path);
        {
            let mut query = url.query_pairs_mut();
            for (name, value) in extra {
                query.append_pair(name, value);
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

    /// The page insight summary of `path` for the range shown.
    pub fn page_link(&self, path: &str) -> String {
        self.link(&format!("/s/{}/p", self.site), &[("path", path)])
    }
}

/// A whole marketer's page with `title`, the range picker for `current_path` (which keeps
/// `extra` parameters), and `body`.
pub fn page(
    place: &Place,
    title: &str,
    current_path: &str,
    extra: &[(&str, &str)],
    body: Markup,
) -> AppResult<Response> {
    let brand = html! { a href=(place.site_link()) { "tacit" } };
    let footer = "Unique visitors are HyperLogLog++ estimates (about ±0.8 % on large counts, \
                  near exact on small ones) and a union over the range, not a sum of days. \
                  No cookies; no IP address, user agent or visitor id is stored.";
    let subtitle = range_label(place.from, place.to);
    let picker = range_picker(place, current_path, extra);
    document(place, title, brand, &subtitle, picker, body, footer)
}

/// A privacy officer's page: no link to the marketers' pages (the auditor token does not open
/// them), and a range for the consent rates.
pub fn audit_page(
    place: &Place,
    title: &str,
    current_path: &str,
    body: Markup,
) -> AppResult<Response> {
    let subtitle = if place.from == place.to {
        format!("Consent rates of {}", place.from)
    } else {
        format!("Consent rates of {} – {}", place.from, place.to)
    };
    let footer = "Generated from the running code's own definitions and this site's storage, \
                  at the time of the request. Print this page, or download the JSON export, \
                  for your records.";
    let picker = range_picker(place, current_path, &[]);
    document(place, title, html! { "tacit" }, &subtitle, picker, body, footer)
}

fn document(
    place: &Place,
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
                title { (title) " · " (place.site) " · tacit" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    p.brand { (brand) " · " (place.site) }
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
    headers.set("X-Content-Type-Options", "nosniff")?;
    Ok(response)
}

fn range_picker(place: &Place, current_path: &str, extra: &[(&str, &str)]) -> Markup {
    let today = place.today;
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
                        @if (from, to) == (place.from, place.to) {
                            a aria-current="page" href=(place.link_for(current_path, from, to, extra)) { (label) }
                        } @else {
                            a href=(place.link_for(current_path, from, to, extra)) { (label) }
                        }
                    }
                }
            }
            form method="get" action=(current_path) {
                @for (name, value) in extra {
                    input type="hidden" name=(name) value=(value);
                }
                @if let Some(key) = place.key {
                    input type="hidden" name="key" value=(key);
                }
                label { "From " input type="date" name="from" value=(place.from) required; }
                label { "To " input type="date" name="to" value=(place.to) required; }
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
