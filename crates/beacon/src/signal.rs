//! Signals: what the aggregate learns from one beacon, validated and reduced.
//!
//! The edge builds these from a beacon and the request (the user agent becomes a browser
//! family and a device class, the IP address a country). Nothing in them identifies a visitor.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::agent::{BrowserFamily, DeviceClass};
use crate::channel::ChannelGroup;
use crate::scrub::{until_any, Utm};

/// A page view. Serializable because the edge hands it to the site's Durable Object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct View {
    /// The host of an external referrer.
    pub referrer: Option<String>,
    /// The same-site page the visitor came from (a journey edge).
    pub previous: Option<String>,
    /// Campaign parameters of the page's URL.
    pub utm: Utm,
    /// The site-search term in the page's URL.
    pub search_term: Option<String>,
    /// The visitor's browser family.
    pub browser: BrowserFamily,
    /// The visitor's device class.
    pub device: DeviceClass,
    /// The country of the visitor's IP address.
    pub country: Option<CountryCode>,
    /// The primary language tag of the browser, such as `en`.
    pub language: Option<Language>,
    /// Whether the view starts a visit (its referrer is not this site), and of whom.
    pub entry: Entry,
}

/// Why the loader sent a page view bare, its path only, without the snippet's WebAssembly: what
/// the site owner can do about it differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BareCause {
    /// The browser refused to compile the WebAssembly: the page's Content-Security-Policy has
    /// no `'wasm-unsafe-eval'` (or the browser runs without WebAssembly).
    WasmRefused,
    /// The snippet's files did not load: the page's script replaced `window.fetch` with
    /// something that is no function, or the request failed.
    NotLoaded,
}

impl BareCause {
    /// Every cause, in order.
    pub const ALL: [BareCause; 2] = [BareCause::WasmRefused, BareCause::NotLoaded];

    /// The cause's name on the wire and in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            BareCause::WasmRefused => "wasm_refused",
            BareCause::NotLoaded => "not_loaded",
        }
    }
}

/// Whether a page view starts a visit and, when the visitor agreed to journey linking, whether
/// they had visited the site before (from the snippet's last-visit-day marker).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Entry {
    /// The view continues a visit.
    #[default]
    NotEntry,
    /// The view starts a visit; whether the visitor came before is not known (no journey
    /// consent).
    Entry,
    /// The view starts the visitor's first visit (journey consent, no earlier visit marked).
    FirstVisit,
    /// The view starts a visit of a visitor who came before (journey consent).
    Returning,
}

impl Entry {
    /// The entry of a view that did (`previous`) or did not come from another page of the
    /// site, with `returning` as the snippet reported it under journey consent.
    pub fn of(previous: bool, returning: Option<bool>) -> Entry {
        match (previous, returning) {
            (true, _) => Entry::NotEntry,
            (false, None) => Entry::Entry,
            (false, Some(false)) => Entry::FirstVisit,
            (false, Some(true)) => Entry::Returning,
        }
    }

    /// Whether the view starts a visit.
    pub fn is_entry(self) -> bool {
        self != Entry::NotEntry
    }

    /// For an entry whose visitor agreed to journey linking: whether they came before.
    pub fn returning(self) -> Option<bool> {
        match self {
            Entry::FirstVisit => Some(false),
            Entry::Returning => Some(true),
            Entry::NotEntry | Entry::Entry => None,
        }
    }
}

impl View {
    /// The channel that brought an entry: the campaign source when tagged, else the referrer
    /// host, else `(direct)`. Views inside a visit have no channel.
    pub fn channel(&self) -> Option<&str> {
        channel(self.entry, self.referrer.as_deref(), &self.utm)
    }

    /// The channel group of an entry (see [`ChannelGroup::of`]); `None` inside a visit.
    pub fn channel_group(&self) -> Option<ChannelGroup> {
        self.entry.is_entry().then(|| ChannelGroup::of(self.referrer.as_deref(), &self.utm))
    }
}

/// The channel of a view that is `entry`, came from `referrer` and carries `utm`: the campaign
/// source when tagged, else the referrer host, else `(direct)`; none inside a visit.
fn channel<'a>(entry: Entry, referrer: Option<&'a str>, utm: &'a Utm) -> Option<&'a str> {
    entry.is_entry().then(|| utm.source.as_deref().or(referrer).unwrap_or(DIRECT_CHANNEL))
}

/// The channel of entries with neither a campaign source nor a referrer.
pub const DIRECT_CHANNEL: &str = "(direct)";

/// What the visitor did on a page, sent when they leave it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Leave {
    /// Whether the view this leave ends was an entry, and of whom, as the view said.
    pub entry: Entry,
    /// For an entry: the external referrer host its view came from (see [`View::referrer`]).
    pub referrer: Option<String>,
    /// For an entry: its view's campaign tags.
    pub utm: Utm,
    /// The viewport's class, as the view reported it; the edge reads the user agent's when
    /// the snippet sent none.
    pub viewport: Option<DeviceClass>,
    /// The same-site page the visitor went on to: the view *continued*. `None` is an exit.
    pub next: Option<String>,
    /// Time visible, focused and not idle, in milliseconds.
    pub engaged_ms: u32,
    /// Deepest scroll position reached, in percent of the page.
    pub scroll_pct: u8,
    /// Clicks, key presses and taps.
    pub interactions: u32,
    /// Bursts of three or more clicks within a second and 30 px.
    pub rage_clicks: u32,
    /// Clicks on non-interactive elements that changed nothing.
    pub dead_clicks: u32,
    /// Left within 5 s back to the previous page.
    pub quick_back: bool,
    /// A goal was reached during the view.
    pub reached_goal: bool,
    /// Largest Contentful Paint, in milliseconds.
    pub lcp_ms: Option<u32>,
    /// Interaction to Next Paint, in milliseconds.
    pub inp_ms: Option<u32>,
    /// Cumulative Layout Shift.
    pub cls: Option<f32>,
}

/// Engaged time from which an entry is an engaged visit even when it does not continue
/// (GA4's definition, DESIGN: "The aggregate").
pub const ENGAGED_VISIT_MS: u32 = 10_000;

impl Leave {
    /// The channel of the entry this leave ends (see [`View::channel`]).
    pub fn channel(&self) -> Option<&str> {
        channel(self.entry, self.referrer.as_deref(), &self.utm)
    }

    /// The channel group of the entry this leave ends (see [`View::channel_group`]).
    pub fn channel_group(&self) -> Option<ChannelGroup> {
        self.entry.is_entry().then(|| ChannelGroup::of(self.referrer.as_deref(), &self.utm))
    }

    /// Whether the view continued to another page of the site.
    pub fn continued(&self) -> bool {
        self.next.is_some()
    }

    /// Whether the view, as an entry, makes an engaged visit: it continues, or was engaged for
    /// 10 s, or reached a goal.
    pub fn is_engaged_visit(&self) -> bool {
        self.continued() || self.engaged_ms >= ENGAGED_VISIT_MS || self.reached_goal
    }
}

/// Something the visitor did that the page reports on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// A click on a link to another site.
    Outbound {
        /// The link's host.
        host: String,
    },
    /// A click on a link to a file.
    Download {
        /// The file's scrubbed path.
        file: String,
    },
    /// A form was submitted (never with any field's value).
    FormSubmit {
        /// The form's `id` or `name`, or `(unnamed)`.
        form: String,
    },
    /// A goal from `tacit('goal', name, {value, props})`: a conversion. Reaching one makes the
    /// visit engaged (see [`Leave::reached_goal`]), and goals have conversion rates.
    Goal {
        /// The goal's name.
        name: String,
        /// Its value, such as revenue.
        value: Option<f64>,
        /// Its custom properties.
        props: Properties,
    },
    /// A custom event from `tacit('event', name, {value, props})`: counted as a goal is, with
    /// its value and properties, but no conversion. It does not make a visit engaged and has
    /// no conversion rate: `video_play` or `filter_used` say what visitors did, not what the
    /// site wanted of them. This is the one difference between the two.
    Custom {
        /// The event's name.
        name: String,
        /// Its value.
        value: Option<f64>,
        /// Its custom properties.
        props: Properties,
    },
    /// One-tap page feedback.
    Feedback {
        /// 1 (unhappy) to 3 (happy).
        score: FeedbackScore,
    },
}

/// A goal's or custom event's custom properties: at most [`MAX_PROPERTIES`] pairs of a key and
/// a value, each cleaned by [`clean_property`](crate::scrub::clean_property), with distinct
/// keys.
pub type Properties = Vec<(String, String)>;

/// The most custom properties a goal or custom event carries.
pub const MAX_PROPERTIES: usize = 8;

impl Event {
    /// A goal's or custom event's name, value and properties; `None` for other events.
    pub fn named(&self) -> Option<(&str, Option<f64>, &Properties)> {
        match self {
            Event::Goal { name, value, props } | Event::Custom { name, value, props } => {
                Some((name, *value, props))
            }
            _ => None,
        }
    }
}

/// A CSAT score from 1 to 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FeedbackScore(u8);

impl FeedbackScore {
    /// The score, when it is 1, 2 or 3.
    pub fn new(score: u8) -> Option<FeedbackScore> {
        (1..=3).contains(&score).then_some(FeedbackScore(score))
    }

    /// 1, 2 or 3.
    pub fn get(self) -> u8 {
        self.0
    }
}

/// An ISO 3166-1 alpha-2 country code, such as `DE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// The code when `code` is two ASCII letters (upper-cased); `None` otherwise, which
    /// includes Cloudflare's `XX` (unknown) and `T1` (Tor).
    pub fn parse(code: &str) -> Option<CountryCode> {
        let bytes: [u8; 2] = code.as_bytes().try_into().ok()?;
        let upper = bytes.map(|b| b.to_ascii_uppercase());
        (upper.iter().all(u8::is_ascii_uppercase) && upper != *b"XX").then_some(CountryCode(upper))
    }

    /// The two letters.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        core::str::from_utf8(&self.0).unwrap_or("??")
    }
}

/// A primary language subtag (ISO 639), two or three lower-case letters, such as `en`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Language([u8; 3]);

impl Language {
    /// The primary subtag of a BCP 47 tag such as `en-GB` or `pt_BR`; `None` when it is not
    /// two or three letters.
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = &tag[..until_any(tag, b"-_")];
        if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
            return None;
        }
        let mut bytes = [b' '; 3];
        for (slot, b) in bytes.iter_mut().zip(primary.bytes()) {
            *slot = b.to_ascii_lowercase();
        }
        Some(Language(bytes))
    }

    /// The subtag.
    pub fn as_str(&self) -> &str {
        let len = if self.0[2] == b' ' { 2 } else { 3 };
        core::str::from_utf8(&self.0[..len]).unwrap_or("??")
    }
}

#[cfg(any(test, feature = "test-support"))]
impl View {
    /// A direct visit's first view, from Firefox on a desktop, for tests.
    #[doc(hidden)]
    pub fn sample() -> View {
        View {
            referrer: None,
            previous: None,
            utm: Utm::default(),
            search_term: None,
            browser: BrowserFamily::Firefox,
            device: DeviceClass::Desktop,
            country: None,
            language: None,
            entry: Entry::Entry,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engaged_visits_follow_ga4() {
        let leave = |next: Option<&str>, engaged_ms, reached_goal| Leave {
            entry: Entry::Entry,
            next: next.map(str::to_owned),
            engaged_ms,
            reached_goal,
            ..Leave::default()
        };
        assert!(leave(Some("/next"), 0, false).is_engaged_visit());
        assert!(leave(None, 10_000, false).is_engaged_visit());
        assert!(leave(None, 0, true).is_engaged_visit());
        assert!(!leave(None, 9_999, false).is_engaged_visit());
    }

    #[test]
    fn countries_and_languages_are_validated() {
        assert_eq!(CountryCode::parse("de").map(|c| c.as_str().to_owned()), Some("DE".into()));
        for bad in ["XX", "D", "DEU", "1A", ""] {
            assert_eq!(CountryCode::parse(bad), None, "{bad}");
        }
        assert_eq!(Language::from_tag("en-GB").unwrap().as_str(), "en");
        assert_eq!(Language::from_tag("PT_br").unwrap().as_str(), "pt");
        assert_eq!(Language::from_tag("fil").unwrap().as_str(), "fil");
        for bad in ["e", "engl", "e1", "", "-en"] {
            assert_eq!(Language::from_tag(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_entries_have_a_channel() {
        let mut view = View { referrer: Some("news.example".into()), ..View::sample() };
        assert_eq!(view.channel(), Some("news.example"));
        view.utm.source = Some("newsletter".into());
        assert_eq!(view.channel(), Some("newsletter"));
        view.utm.source = None;
        view.referrer = None;
        assert_eq!(view.channel(), Some(DIRECT_CHANNEL));
        view.entry = Entry::NotEntry;
        assert_eq!(view.channel(), None);
    }

    #[test]
    fn only_views_from_outside_the_site_are_entries() {
        assert_eq!(Entry::of(true, Some(true)), Entry::NotEntry);
        assert_eq!(Entry::of(false, None), Entry::Entry);
        assert_eq!(Entry::of(false, Some(false)), Entry::FirstVisit);
        assert_eq!(Entry::of(false, Some(true)), Entry::Returning);
        assert!(Entry::Returning.is_entry() && !Entry::NotEntry.is_entry());
    }
}
