//! One page view: what is known about it when it starts, and what the visitor did by the time
//! they leave it.

use alloc::borrow::ToOwned;
use alloc::string::String;

use tacit_beacon::agent::DeviceClass;
use tacit_beacon::consent::ConsentState;
use tacit_beacon::funnel::VisitEntry;
use tacit_beacon::scrub::{
    external_referrer_host, may_send_text, same_site_previous_path, scrub_path, split_once_ascii,
    until_any, Utm, MAX_PARAM_LEN,
};
use tacit_beacon::signal::{Language, Leave};
use tacit_beacon::{BeaconId, ViewBeacon};

use crate::engagement::Engagement;

/// A visitor who leaves within this time back to the page they came from is a quick back.
const QUICK_BACK_MS: f64 = 5_000.0;

/// Viewport widths, in CSS pixels, below which a device is a phone, then a tablet.
const MOBILE_BELOW_PX: f64 = 768.0;
const TABLET_BELOW_PX: f64 = 1_024.0;

/// The viewport class of a window `width` CSS pixels wide.
pub fn viewport_class(width: f64) -> DeviceClass {
    if width < MOBILE_BELOW_PX {
        DeviceClass::Mobile
    } else if width < TABLET_BELOW_PX {
        DeviceClass::Tablet
    } else {
        DeviceClass::Desktop
    }
}

/// The URL without its fragment: a change of fragment only is not a new page view.
pub fn without_fragment(url: &str) -> &str {
    &url[..until_any(url, b"#")]
}

/// What this tab kept of its visit, with journey consent, when a new view begins: the view
/// it makes (DESIGN: "The aggregate") exact across pages. Nothing of it leaves the browser but
/// the `previous` path of a view.
pub enum TabVisit {
    /// Nothing kept (the tab's first view of the site, no consent, no storage): the referrer
    /// decides whether the view starts a visit.
    Unknown,
    /// The tab's last view of the site was more than 30 minutes ago: this view starts a new
    /// visit, whatever its referrer (the usual session timeout: GA4, Plausible).
    Lapsed,
    /// The visit goes on from this page of the tab: a reload, a page reached back through the
    /// history, or one typed in, is no new visit.
    Live(String),
}

/// The current page view.
pub struct Page {
    /// The page's URL without fragment, to tell a new route from a fragment change.
    pub url: String,
    pub view: ViewBeacon,
    /// When the view started.
    pub start: f64,
    pub engagement: Engagement,
    /// The same-site path the visitor went on to; none yet is an exit.
    pub next: Option<String>,
    pub quick_back: bool,
    pub reached_goal: bool,
    /// Whether the view's beacon has been sent (the visitor may have opted in since it began).
    pub counted: bool,
    /// The consent state the page view is tallied under at the edge: that of its view or of its
    /// last consent beacon. A later one names it, so that the page view moves, not doubles.
    pub tallied: Option<ConsentState>,
    /// The leave beacon last written for the view, once it was hidden or left: the visitor
    /// may come back to it and do more, and an update then replaces it.
    pub sent: Option<SentLeave>,
}

/// A leave beacon written for the current view.
pub struct SentLeave {
    /// Its figures.
    pub leave: Leave,
    /// Its id, which an update names.
    pub id: Option<BeaconId>,
    /// When it was written, by the wall clock (`Date.now()`): an update says how long after
    /// it came, so that the edge can tell whether both fall on one day.
    pub at_ms: f64,
    /// Its body, to recognise it among the beacons that failed and wait for a retry.
    pub body: String,
}

impl Page {
    /// A view of `url`, reached from `referrer` (a full URL, or empty) on a site whose host name
    /// is `host`. `previous` overrides the referrer for a route change inside a single-page app.
    /// `params` is the URL's `utm_source`, `utm_medium` and `utm_campaign` values and its
    /// site-search term, decoded, one per line (see [`params`]).
    pub fn new(
        url: &str,
        params: &str,
        referrer: &str,
        host: &str,
        previous: Option<String>,
        now: f64,
        engagement: Engagement,
    ) -> Page {
        let (referrer, previous) = match previous {
            Some(previous) => (None, Some(previous)),
            None => {
                (external_referrer_host(referrer, host), same_site_previous_path(referrer, host))
            }
        };
        let (utm, search_term) = self::params(params);
        Page {
            url: without_fragment(url).into(),
            view: ViewBeacon {
                path: scrub_path(url),
                referrer,
                previous,
                utm,
                search_term,
                viewport: None,
                language: None,
                returning: None,
                bare: None,
            },
            start: now,
            engagement,
            next: None,
            quick_back: false,
            reached_goal: false,
            counted: false,
            tallied: None,
            sent: None,
        }
    }

    /// Places the view in this tab's visit (see [`TabVisit`]): a view that continues the visit
    /// comes from the tab's last page unless it came from a page of the site anyway; one after
    /// a lapse comes from nowhere, which makes it an entry.
    pub fn join_visit(&mut self, tab: TabVisit) {
        match tab {
            // Coming from a page of the site, the view has no referral (core's wire rule).
            TabVisit::Live(last) if self.view.previous.is_none() => {
                self.view.previous = Some(last);
                self.view.referrer = None;
            }
            TabVisit::Live(_) => {}
            TabVisit::Lapsed => self.view.previous = None,
            TabVisit::Unknown => {}
        }
    }

    /// The visitor goes on to `path` of this site at `now`: that is where the view led, and a
    /// quick back when it is the page they came from, within 5 s.
    pub fn continue_to(&mut self, path: String, now: f64) {
        self.quick_back |=
            self.view.previous.as_deref() == Some(&*path) && now - self.start < QUICK_BACK_MS;
        self.next = Some(path);
    }

    /// The view as the entry of its visit: what a funnel step or a goal repeats of it.
    pub fn visit_entry(&self) -> VisitEntry {
        let view = &self.view;
        VisitEntry {
            referrer: view.referrer.clone(),
            utm: view.utm.clone(),
            returning: view.returning,
            viewport: None,
        }
    }

    /// What the visitor did, as of `now`, with what the leave repeats of its view.
    pub fn leave(&mut self, now: f64) -> Leave {
        let view = &self.view;
        let entry = view.entry();
        let e = &mut self.engagement;
        Leave {
            entry,
            referrer: view.referrer.clone().filter(|_| entry.is_entry()),
            utm: if entry.is_entry() { view.utm.clone() } else { Utm::default() },
            viewport: view.viewport,
            next: self.next.clone(),
            engaged_ms: e.engaged_ms(now),
            scroll_pct: e.scroll_pct,
            interactions: e.interactions,
            rage_clicks: e.rage_clicks,
            dead_clicks: e.dead_clicks,
            quick_back: self.quick_back,
            reached_goal: self.reached_goal,
            lcp_ms: e.lcp_ms,
            inp_ms: e.inp_ms(),
            cls: e.cls(),
        }
    }
}

/// Query parameters from the loader, which reads them with the browser's own URL parser, one
/// per line: `utm_source`, `utm_medium`, `utm_campaign`, `utm_term` and `utm_content`, each cut
/// to the length the edge keeps, and the value of the site's search parameter (the script tag's `data-search`), which
/// the loader has lower-cased with its whitespace collapsed. The edge cleans all of them again as
/// it does for any client; a search term that looks like personal data is not even sent.
pub fn params(lines: &str) -> (Utm, Option<String>) {
    let first_line = |text| split_once_ascii(text, b'\n').unwrap_or((text, ""));
    let (source, rest) = first_line(lines);
    let (medium, rest) = first_line(rest);
    // The term is all the rest: a line break in it is a control character, which is not sent.
    let (campaign, rest) = first_line(rest);
    let (term, rest) = first_line(rest);
    let (content, search) = first_line(rest);
    let value = |line: &str| {
        let value = crate::cut(line.trim_ascii(), MAX_PARAM_LEN);
        (!value.is_empty()).then(|| value.to_owned())
    };
    let utm = Utm {
        source: value(source),
        medium: value(medium),
        campaign: value(campaign),
        term: value(term),
        content: value(content),
    };
    let search_term = value(search).filter(|term| may_send_text(term));
    (utm, search_term)
}

/// The primary language of a browser language tag.
pub fn language(tag: &str) -> Option<Language> {
    Language::from_tag(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view_of(url: &str, referrer: &str) -> Page {
        Page::new(url, "", referrer, "example.com", None, 0.0, Engagement::new(0.0, true, true))
    }

    #[test]
    fn a_live_tab_visit_makes_a_reload_or_a_typed_page_no_entry() {
        // A reload keeps the document's first referrer: by it alone, the view is another entry.
        let mut reload = view_of("https://example.com/pricing", "https://search.example/");
        assert!(reload.view.entry().is_entry());
        reload.join_visit(TabVisit::Live("/pricing".into()));
        assert!(!reload.view.entry().is_entry());
        assert_eq!(reload.view.previous.as_deref(), Some("/pricing"));
        assert_eq!(reload.view.referrer, None);

        // A page reached by a link of the site keeps that link as its previous page.
        let mut linked = view_of("https://example.com/b", "https://example.com/a");
        linked.join_visit(TabVisit::Live("/c".into()));
        assert_eq!(linked.view.previous.as_deref(), Some("/a"));

        // Nothing kept: the referrer decides, as without journey consent.
        let mut first = view_of("https://example.com/", "https://search.example/");
        first.join_visit(TabVisit::Unknown);
        assert!(first.view.entry().is_entry());
        assert_eq!(first.view.referrer.as_deref(), Some("search.example"));
    }

    #[test]
    fn a_view_after_half_an_hour_without_one_starts_a_new_visit() {
        let mut late = view_of("https://example.com/b", "https://example.com/a");
        assert!(!late.view.entry().is_entry());
        late.join_visit(TabVisit::Lapsed);
        assert!(late.view.entry().is_entry());
        assert_eq!(late.leave(1.0).channel(), Some("(direct)"));
    }

    #[test]
    fn reads_the_campaign_tags_and_a_cleaned_search_term_from_the_loaders_lines() {
        let (utm, search) = params("news\nemail\nSpring Sale\nanalytics\nbanner\n refund policy ");
        assert_eq!(utm.source.as_deref(), Some("news"));
        assert_eq!(utm.campaign.as_deref(), Some("Spring Sale"));
        assert_eq!(
            (utm.term.as_deref(), utm.content.as_deref()),
            (Some("analytics"), Some("banner"))
        );
        assert_eq!(search.as_deref(), Some("refund policy"));
        // Personal data is never sent, nor a control character.
        assert_eq!(params("\n\n\n\n\njane@example.com").1, None);
        assert_eq!(params("\n\n\n\n\nred\nshoes").1, None);
        assert_eq!(params("news").1, None);
    }
}
