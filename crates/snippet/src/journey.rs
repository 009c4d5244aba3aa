//! What journey linking keeps in the browser, read and written here through `web_sys::Storage`,
//! and only with journey consent (the tracker asks nothing of it otherwise, and removes it all
//! when that consent is refused): the day of this browser's last visit to the site in
//! `localStorage` (a day number, never an id), and in `sessionStorage` this tab's visit (the time
//! of its last view and that view's path), the beacons that wait for a retry on its next page,
//! the visit's entry ([`visit_entry`]), the site's funnels as the edge lists them, and how far
//! the visit got in them.
//!
//! Whatever is kept there is the page's to change, so every value read is checked: a value that
//! makes no sense counts as none. Storage the browser refuses (blocked cookies, a sandboxed
//! frame) counts as none too, and nothing is kept.

use alloc::string::String;

use web_sys::{Storage, Window};

use tacit_beacon::funnel::{Progress, VisitEntry};
use tacit_beacon::push_decimal;
use tacit_beacon::scrub::{scrub_path, split_ascii, split_once_ascii, Utm};

use crate::page::TabVisit;

/// The `localStorage` key of the last-visit day.
const LAST_VISIT: &str = "tacit:day";
/// The `sessionStorage` key of this tab's visit: `<time> <path>`.
const TAB_VISIT: &str = "tacit:tab";
/// The `sessionStorage` key of the beacons that wait for a retry.
const RETRIES: &str = "tacit:q";
/// The `sessionStorage` key of the site's funnels, as `GET /f/<site>` lists them.
const FUNNELS: &str = "tacit:f";
/// The `sessionStorage` key of the visit's entry ([`visit_entry`]).
const VISIT_ENTRY: &str = "tacit:fe";
/// The `sessionStorage` key of how far the visit got in the site's funnels.
const FUNNEL_PROGRESS: &str = "tacit:fp";

/// A last visit within this many days makes a returning visitor: 13 months.
const RETURNING_DAYS: u64 = 395;
/// A tab's visit goes on while its views come at most this far apart: 30 minutes.
const VISIT_GAP_MS: u64 = 1_800_000;
const DAY_MS: u64 = 86_400_000;

/// The page's window; none outside a browser (the native build, for tests), so that nothing is
/// kept there.
#[cfg(target_arch = "wasm32")]
fn window() -> Option<Window> {
    WINDOW.with(Clone::clone)
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The page's `window`, where the snippet always runs. (`web_sys::window()` looks for the
    /// global object among `globalThis`, `self`, `window` and `global`, and checks that it is a
    /// `Window`: 330 B more, gzipped, for a question the snippet never has.)
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    static WINDOW: Option<Window>;
}

#[cfg(not(target_arch = "wasm32"))]
fn window() -> Option<Window> {
    None
}

/// The browser's `localStorage`, unless it refuses it.
fn local() -> Option<Storage> {
    window()?.local_storage().ok().flatten()
}

/// The tab's `sessionStorage`, unless the browser refuses it.
fn session() -> Option<Storage> {
    window()?.session_storage().ok().flatten()
}

/// The time by the wall clock, in milliseconds since the epoch (`Date.now()`).
fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Whether this browser visited the site before, by the last-visit day, which becomes today;
/// `None` when it cannot tell (no storage).
pub fn visited_before() -> Option<bool> {
    let local = local()?;
    let today = now_ms() / DAY_MS;
    let last = local.get_item(LAST_VISIT).ok()?;
    local.set_item(LAST_VISIT, &decimal(today)).ok()?;
    Some(returning(last.as_deref(), today))
}

/// Whether a last-visit day `last` (as kept) makes a visitor returning on day `today`.
fn returning(last: Option<&str>, today: u64) -> bool {
    last.and_then(whole_number)
        .is_some_and(|last| today.checked_sub(last).is_some_and(|days| days <= RETURNING_DAYS))
}

/// Continues this tab's visit with a view of `path`, which becomes the tab's last page, now.
pub fn tab_visit(path: &str) -> TabVisit {
    let Some(session) = session() else { return TabVisit::Unknown };
    let now = now_ms();
    let Ok(kept) = session.get_item(TAB_VISIT) else { return TabVisit::Unknown };
    keep_tab(&session, now, path);
    continued(kept.as_deref(), now)
}

/// What a tab's visit `kept` as `<time> <path>` means for a view at `now`.
fn continued(kept: Option<&str>, now: u64) -> TabVisit {
    let Some(kept) = kept else { return TabVisit::Unknown };
    match split_once_ascii(kept, b' ') {
        // A time that is not a number (the page wrote it) is no visit to continue; one to come
        // (the clock was put back) is.
        Some((at, path))
            if whole_number(at).is_some_and(|at| now.saturating_sub(at) <= VISIT_GAP_MS) =>
        {
            // The path is scrubbed again like any URL: the page may have changed it.
            TabVisit::Live(scrub_path(path))
        }
        _ => TabVisit::Lapsed,
    }
}

fn keep_tab(session: &Storage, now: u64, path: &str) {
    let mut visit = decimal(now);
    visit.push(' ');
    visit.push_str(path);
    // Storage that is full keeps the older visit: the next view then starts a new one.
    let _ = session.set_item(TAB_VISIT, &visit);
}

/// Keeps what the tab's next page needs as this one is left: the tab's visit, renewed to now,
/// and `retries`, the lines of the beacons to send once more from there (none: nothing to keep).
pub fn leave(retries: &str) {
    let Some(session) = session() else { return };
    if let Ok(Some(kept)) = session.get_item(TAB_VISIT) {
        let path = split_once_ascii(&kept, b' ').map_or("", |(_, path)| path);
        keep_tab(&session, now_ms(), path);
    }
    if !retries.is_empty() {
        let _ = session.set_item(RETRIES, retries);
    }
}

/// The lines of the beacons the tab's previous page kept for a retry (see [`leave`]), which are
/// then no longer kept.
pub fn take_retries() -> Option<String> {
    let session = session()?;
    let retries = session.get_item(RETRIES).ok().flatten();
    let _ = session.remove_item(RETRIES);
    retries
}

/// Removes all that journey linking kept: the last-visit day, the tab's visit, its retries, its
/// entry and its funnels.
pub fn forget() {
    if let Some(local) = local() {
        let _ = local.remove_item(LAST_VISIT);
    }
    if let Some(session) = session() {
        for key in [TAB_VISIT, RETRIES, VISIT_ENTRY, FUNNELS, FUNNEL_PROGRESS] {
            let _ = session.remove_item(key);
        }
    }
}

/// The tab's visit's entry, as [`entry_text`] wrote it: one value per line (the viewport is the
/// page's, not kept). The edge checks what it is sent again, so a value the page changed costs
/// at most that beacon.
fn parse_entry(text: &str) -> VisitEntry {
    let mut lines = split_ascii(text, b'\n');
    let mut next = || lines.next().filter(|line| !line.is_empty()).map(String::from);
    let referrer = next();
    let utm = Utm { source: next(), medium: next(), campaign: next(), ..Utm::default() };
    let returning = next().map(|flag| flag == "1");
    VisitEntry { referrer, utm, returning, viewport: None }
}

fn entry_text(entry: &VisitEntry) -> String {
    let returning = entry.returning.map(|returning| if returning { "1" } else { "0" });
    let lines = [
        entry.referrer.as_deref(),
        entry.utm.source.as_deref(),
        entry.utm.medium.as_deref(),
        entry.utm.campaign.as_deref(),
        returning,
    ];
    let mut text = String::new();
    for line in lines {
        text.push_str(line.unwrap_or(""));
        text.push('\n');
    }
    text
}

/// A new visit begins with `entry`: nothing reached yet, and the site's funnels read afresh
/// (they may have changed since the last visit).
pub fn start_visit(entry: &VisitEntry) {
    if let Some(session) = session() {
        let _ = session.remove_item(FUNNELS);
        let _ = session.remove_item(FUNNEL_PROGRESS);
        let _ = session.set_item(VISIT_ENTRY, &entry_text(entry));
    }
}

/// The entry of the tab's visit; none when the visit began before journey consent. A goal and
/// a funnel beacon repeat it, as a leave repeats its view, so that the edge can tell who
/// reaches them (the entry's channel group and kind of visitor).
pub fn visit_entry() -> Option<VisitEntry> {
    Some(parse_entry(&session()?.get_item(VISIT_ENTRY).ok()??))
}

/// How far the tab's visit got in the site's funnels.
pub fn funnel_progress() -> Progress {
    let kept = session().and_then(|session| session.get_item(FUNNEL_PROGRESS).ok()?);
    Progress(kept.as_deref().and_then(whole_number).unwrap_or(0))
}

pub fn keep_funnel_progress(progress: Progress) {
    if let Some(session) = session() {
        let _ = session.set_item(FUNNEL_PROGRESS, &decimal(progress.0));
    }
}

/// The site's funnels, when this visit read them.
pub fn funnels() -> Option<String> {
    session()?.get_item(FUNNELS).ok()?
}

pub fn keep_funnels(definitions: &str) {
    if let Some(session) = session() {
        let _ = session.set_item(FUNNELS, definitions);
    }
}

/// The number `text` writes in decimal digits, if that is all it is. (Not `str::parse`, whose
/// signs and overflow checks cost a few hundred bytes; a float's would cost some 17 KB.)
fn whole_number(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 19 {
        return None;
    }
    text.bytes().try_fold(0, |number: u64, byte| {
        byte.is_ascii_digit().then(|| number * 10 + u64::from(byte - b'0'))
    })
}

/// A number of days or milliseconds, as its decimal digits.
fn decimal(value: u64) -> String {
    let mut text = String::new();
    push_decimal(&mut text, value);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_last_visit_within_13_months_makes_a_returning_visitor() {
        assert!(returning(Some("20000"), 20_000), "earlier today");
        assert!(returning(Some("19605"), 20_000), "395 days ago");
        assert!(!returning(Some("19604"), 20_000), "396 days ago");
        assert!(!returning(Some("20001"), 20_000), "a day to come is the page's invention");
        assert!(!returning(Some("soon"), 20_000));
        assert!(!returning(None, 20_000), "never");
    }

    #[test]
    fn a_tabs_visit_goes_on_within_30_minutes_of_its_last_view() {
        let now = 1_764_000_000_000;
        let live = |kept| match continued(Some(kept), now) {
            TabVisit::Live(path) => Some(path),
            _ => None,
        };
        assert_eq!(live("1763999000000 /pricing").as_deref(), Some("/pricing"));
        assert_eq!(live("1763998200000 /a?x=1").as_deref(), Some("/a"), "scrubbed again");
        assert!(matches!(continued(Some("1763998199999 /pricing"), now), TabVisit::Lapsed));
        assert!(matches!(continued(Some("later /pricing"), now), TabVisit::Lapsed));
        assert!(matches!(continued(Some("1763999000000"), now), TabVisit::Lapsed));
        assert!(matches!(continued(Some("1764000600000 /a"), now), TabVisit::Live(_)));
        assert!(matches!(continued(None, now), TabVisit::Unknown));
    }

    #[test]
    fn a_visit_entry_reads_back_what_it_kept() {
        let entry = VisitEntry {
            referrer: Some("t.co".into()),
            utm: Utm {
                source: None,
                medium: Some("social".into()),
                campaign: None,
                ..Utm::default()
            },
            returning: Some(false),
            viewport: None,
        };
        assert_eq!(parse_entry(&entry_text(&entry)), entry);
        assert_eq!(parse_entry(""), VisitEntry::default());
        assert_eq!(parse_entry("t.co").referrer.as_deref(), Some("t.co"));
        assert_eq!(parse_entry("\n\n\n\n1").returning, Some(true));
    }

    #[test]
    fn whole_numbers_are_read_from_decimal_digits_only() {
        assert_eq!(whole_number("0"), Some(0));
        assert_eq!(whole_number("1764000000123"), Some(1_764_000_000_123));
        assert_eq!(whole_number("9999999999999999999"), Some(9_999_999_999_999_999_999));
        for text in ["", "-1", "+1", "1.5", " 1", "1e3", "12345678901234567890"] {
            assert_eq!(whole_number(text), None, "{text}");
        }
    }

    #[test]
    fn whole_numbers_are_written_in_decimal() {
        assert_eq!(decimal(0), "0");
        assert_eq!(decimal(20_427), "20427");
        assert_eq!(decimal(1_764_000_000_123), "1764000000123");
    }
}
