//! tacit's browser plugin: the state machine behind `www/loader.js` (served as `/t.js`).
//!
//! The loader is the snippet's senses and hands: it listens to the page (clicks, keys, scrolls,
//! visibility, focus, history, `PerformanceObserver`, the consent sources), reads the few
//! browser values a page view needs, and sends what this crate gives back. This crate is the
//! judgement: it scrubs and classifies with `tacit_beacon`, keeps each page view's running
//! figures ([`engagement`]), applies consent ([`consent`]), decides which beacon is due, and
//! writes it with [`Beacon::to_json`]. [`start`] makes the [`Tracker`]; each of its methods
//! takes numbers, strings, or the page's own objects as they are (its `tacit(...)` calls, a TCF
//! CMP's `TCData`, the `dataLayer`'s entries, each read field by field in [`calls`]), and
//! answers with the beacon bodies to send, one per line ([`Answer`]); a line that starts with
//! `~` is a retry, to be sent once more and then forgotten, and a `?` line asks for the site's
//! funnels.
//!
//! The boundary is wasm-bindgen's, both ways: the exports are `#[wasm_bindgen]` functions and
//! methods, and its generated glue (`wasm-bindgen --target web`, an ES module the loader imports
//! beside the WebAssembly) passes the strings and values. Where the tracker itself touches the
//! browser, it does so through `web-sys`: what journey linking keeps in `localStorage` and
//! `sessionStorage` ([`journey`]). Every rule stays testable with `cargo test` and made-up
//! times.
//!
//! ```text
//! loader ── start(site, page, browser) ─▶ Tracker ── beacons ─▶ loader ── fetch / sendBeacon ─▶ edge
//!        ── consent / signal / tcf / consent_mode ─▶  (view, leave, event, funnel, consent, dropped)
//!        ── go() once consent is known ─▶
//!        ── on(kind, time, a, b), link, submit, nav, goal, feedback ─▶
//!        ── funnels(text) after a `?` line, from GET /f/<site> ─▶
//! ```
//!
//! Not here: anything that touches the DOM or the network, and any clock but the wall clock that
//! dates what journey linking keeps. Times are `performance.now()` milliseconds passed in with
//! each call. No export can throw or panic into the host page: inputs that make no sense are
//! ignored, and a malformed call of the page's is refused with a console warning.
//!
//! The build (`make build`): `no_std` + alloc, with its own `core` and `alloc` whose panics
//! abort at once, `wasm-bindgen --target web` and `wasm-opt -Oz`; the loader imports the glue
//! and compiles the WebAssembly itself, so the glue's `initSync` is all of its start-up that
//! ships. What each part costs, measured step by step, is in
//! `docs/decisions/2026-12-snippet-on-wasm-bindgen.md`.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

mod calls;
mod consent;
mod engagement;
mod events;
mod journey;
mod page;

use alloc::string::String;
use alloc::vec::Vec;

use wasm_bindgen::prelude::*;

use tacit_beacon::admission::{admit, stands_for_page_view, Adds, HeaderSignals};
use tacit_beacon::agent::is_evident_bot;
use tacit_beacon::consent::{ConsentMode, ConsentState, ConsentValue};
use tacit_beacon::funnel::{FunnelStep, Reached, VisitEntry};
use tacit_beacon::scrub::{same_site_previous_path, scrub_path, split_ascii, url_host};
use tacit_beacon::signal::{Entry, Event, FeedbackScore, Language, Leave};
use tacit_beacon::{Beacon, BeaconBody, BeaconId, GoalContext, SiteId};

use crate::consent::Consent;
use crate::engagement::Engagement;
use crate::events::Link;
use crate::page::{Page, SentLeave};

/// A panic (a bug: no input should cause one) ends the call with a trap, which reaches the
/// loader as an exception that it catches. Nothing is formatted, so no formatting code ships.
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// A free list: the snippet allocates a few short strings per event. Its lock is never
/// contended (WebAssembly without threads); it is what lets the allocator be a plain `static`.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

/// What a method of [`Tracker`] answers: the beacon bodies to send, one per line, or nothing.
/// To the loader it is a string or `undefined`, made as a JavaScript value here: as a Rust
/// `Option<String>`, wasm-bindgen's glue would copy it out of the module's memory and free it in
/// every method, some 650 B more of glue and WebAssembly, gzipped.
#[cfg(target_arch = "wasm32")]
pub type Answer = JsValue;
/// Outside a browser (the native build, for tests) the lines are a Rust string.
#[cfg(not(target_arch = "wasm32"))]
pub type Answer = Option<String>;

/// What [`start`] answers: the tracker, or the only beacon to send instead. To the loader it is
/// a `Tracker` or a string.
#[cfg(target_arch = "wasm32")]
pub type Started = JsValue;
/// Outside a browser (the native build, for tests), a Rust result.
#[cfg(not(target_arch = "wasm32"))]
pub type Started = Result<Tracker, String>;

/// The answer's line that asks the loader for the site's funnels ([`Tracker::funnels`]).
const FUNNELS_WANTED: &str = "?";
/// The longest goal name the edge accepts, in bytes.
const MAX_NAME_BYTES: usize = 100;
/// Failed beacons kept for a retry; older ones are dropped first.
const MAX_QUEUED: usize = 10;
/// Engaged time that alone makes a leave worth updating: a glance at a tab on the way through
/// the others is not.
const UPDATE_ENGAGED_MS: u32 = 1_000;

/// Everything the snippet knows about this tab's current page view. The loader holds the one
/// [`start`] made, and calls its methods as the page and the consent sources change.
#[wasm_bindgen]
pub struct Tracker {
    site: SiteId,
    opt_in: bool,
    downloads: String,
    host: String,
    referrer: String,
    viewport: tacit_beacon::agent::DeviceClass,
    language: Option<Language>,
    consent: Consent,
    /// Whether `go()` was called: consent is known well enough to send beacons.
    live: bool,
    /// Whether journey consent stood refused at the last change of consent: what journey
    /// linking kept is removed each time it becomes so.
    journey_refused: bool,
    page: Page,
    queue: Vec<String>,
    rng: u64,
    /// The beacon bodies to hand back to the loader, one per line.
    out: String,
}

/// Starts the snippet for `site` on the page at `url` (with its campaign tags and search term
/// `params`, see [`page::params`]): answers with the tracker, or with the only beacon to send
/// when the snippet stops here ([`Started`]): a `dropped` tally for a bot (`webdriver`, or a bot
/// `user_agent`), nothing (an empty line) for an invalid site.
///
/// `opt_in` is the site's policy (`data-consent="opt-in"`), `downloads` the download extensions
/// (`data-downloads`, empty for the default list), `width` the viewport width, `seed` 53 random
/// bits for beacon ids, `now` the time; `visible` and `focused` describe the page.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn start(
    site: &str,
    opt_in: bool,
    downloads: &str,
    url: &str,
    params: &str,
    referrer: &str,
    user_agent: &str,
    webdriver: bool,
    language: &str,
    width: f64,
    seed: f64,
    now: f64,
    visible: bool,
    focused: bool,
) -> Started {
    let started = (|| {
        let Ok(site) = SiteId::parse(site) else { return Err(String::new()) };
        if webdriver || is_evident_bot(user_agent) {
            let consent = ConsentState::default();
            let beacon = Beacon {
                site,
                id: None,
                consent,
                replaces_consent: None,
                body: BeaconBody::Dropped,
            };
            return Err(beacon.to_json());
        }
        let host = url_host(url).unwrap_or("").to_ascii_lowercase();
        let engagement = Engagement::new(now, visible, focused);
        let page = Page::new(url, params, referrer, &host, None, now, engagement);
        Ok(Tracker {
            site,
            opt_in,
            downloads: if downloads.trim_ascii().is_empty() {
                events::DEFAULT_DOWNLOADS.into()
            } else {
                downloads.into()
            },
            host,
            referrer: referrer.into(),
            viewport: page::viewport_class(width),
            language: page::language(language),
            consent: Consent::default(),
            live: false,
            journey_refused: false,
            page,
            queue: Vec::new(),
            rng: (seed as u64) ^ (now.to_bits() << 1) | 1,
            out: String::new(),
        })
    })();
    #[cfg(target_arch = "wasm32")]
    let started = started.map_or_else(JsValue::from, JsValue::from);
    started
}

#[wasm_bindgen]
impl Tracker {
    /// Consent is known as far as it will be at load: sends the page view (or, for a visitor who
    /// has not consented, the consent tally) and starts reporting. With journey consent, the
    /// beacons the tab's previous page could not deliver go with the view.
    pub fn go(&mut self) -> Answer {
        self.live = true;
        if self.linked() {
            let retries = journey::take_retries().unwrap_or_default();
            for line in split_ascii(&retries, b'\n').filter(|line| !line.is_empty()) {
                self.failed(line.strip_prefix("~").unwrap_or(line).into());
            }
        }
        self.consent_changed();
        self.answer()
    }

    /// `tacit('consent', {measurement, journey})`, the page's own API (see
    /// [`calls::api_consent`]); a malformed call is refused with a warning in the console.
    pub fn consent(&mut self, options: &JsValue) -> Answer {
        match calls::api_consent(options) {
            Ok((measurement, journey)) => self.consent.set(0, measurement, journey),
            Err(problem) => warn(problem),
        }
        self.consent_changed();
        self.answer()
    }

    /// The browser's own refusal: Global Privacy Control (`source` 3) or Do Not Track (4).
    pub fn signal(&mut self, source: u32) -> Answer {
        if matches!(source, 3 | 4) {
            self.consent.set(source as usize, 2, 2);
        }
        self.consent_changed();
        self.answer()
    }

    /// A TCF CMP's `addEventListener` callback, with its `TCData` and `success` (see
    /// [`calls::tcf`]).
    pub fn tcf(&mut self, data: &JsValue, success: bool) -> Answer {
        match calls::tcf(data, success) {
            Ok(Some((purposes, gdpr_applies))) => self.consent.tcf(purposes, gdpr_applies),
            Ok(None) => {}
            Err(problem) => warn(problem),
        }
        self.consent_changed();
        self.answer()
    }

    /// A `dataLayer` entry, which may be a Consent Mode command (see [`calls::consent_mode`]).
    pub fn consent_mode(&mut self, entry: &JsValue) -> Answer {
        match calls::consent_mode(entry) {
            Ok(Some((update, analytics_storage))) => {
                self.consent.consent_mode(update, analytics_storage)
            }
            Ok(None) => {}
            Err(problem) => warn(problem),
        }
        self.consent_changed();
        self.answer()
    }

    /// Whether the visitor is counted now. The loader shows the feedback widget only then: an
    /// opted-out visitor sends nothing but the consent tally, so their answer would go nowhere.
    pub fn measuring(&self) -> bool {
        self.live && self.adds().counts()
    }

    /// Something happened on the page at `now` (see [`Kind`] for what `a` and `b` are).
    pub fn on(&mut self, kind: u32, now: f64, a: f64, b: f64) -> Answer {
        self.event_on_page(kind, now, a, b);
        self.answer()
    }

    /// A click on a link to `href` (`kind` 0), one with a `download` attribute (1), or a
    /// navigation to `href` that no click on a link started (2: a traversal of the session
    /// history, or a page load the page's script started), at `now`. Only a link click is an
    /// outbound link or a download; any of them to the same site continues the visit.
    pub fn link(&mut self, href: &str, kind: u32, now: f64) -> Answer {
        match events::link(href, &self.host, &self.page.url, kind == 1, &self.downloads) {
            Link::Event(event) if kind != 2 => self.event(event),
            Link::Next(path) => self.page.continue_to(path, now),
            _ => {}
        }
        self.answer()
    }

    /// A form named `name` (its id or name attribute) was submitted to `action` at `now`.
    pub fn submit(&mut self, name: &str, action: &str, now: f64) -> Answer {
        self.page.engagement.reaction(now);
        self.event(Event::FormSubmit { form: events::form_name(name) });
        if let Some(path) = same_site_previous_path(action, &self.host) {
            self.page.continue_to(path, now);
        }
        self.answer()
    }

    /// The page's URL changed to `url` without loading a document (`history.pushState`,
    /// `replaceState`, `popstate`), or the page came back from the back-forward cache
    /// (`restore`), at `now` (`wall_ms` by the wall clock). A change of fragment only is not a
    /// new page view.
    pub fn nav(
        &mut self,
        url: &str,
        params: &str,
        now: f64,
        wall_ms: f64,
        restore: bool,
    ) -> Answer {
        if restore || page::without_fragment(url) != self.page.url {
            let previous = if restore {
                None
            } else {
                self.page.continue_to(scrub_path(url), now);
                self.leave(now, wall_ms);
                Some(core::mem::take(&mut self.page.view.path))
            };
            let engagement = self.page.engagement.carry_on(now);
            self.page =
                Page::new(url, params, &self.referrer, &self.host, previous, now, engagement);
            self.view();
        }
        self.answer()
    }

    /// `tacit('goal', name, {value, props})`, or with `custom` `tacit('event', ...)` (see
    /// [`calls::goal`]); a malformed call is refused with a warning in the console.
    pub fn goal(&mut self, name: &JsValue, options: &JsValue, custom: bool) -> Answer {
        match calls::goal(name, options) {
            Ok(goal) => self.reach_goal(goal, custom),
            Err(problem) => warn(problem),
        }
        self.answer()
    }

    /// One-tap feedback: `score` 1 (unhappy) to 3 (happy).
    pub fn feedback(&mut self, score: u32) -> Answer {
        if let Some(score) = FeedbackScore::new(score.min(255) as u8) {
            self.event(Event::Feedback { score });
        }
        self.answer()
    }

    /// The site's funnels, as `GET /f/<site>` lists them, which the loader fetches when an
    /// answer asks for them ([`FUNNELS_WANTED`]): kept for the visit, and the current page
    /// checked against them.
    pub fn funnels(&mut self, definitions: &str) -> Answer {
        if self.linked() && journey::funnels().is_none() {
            journey::keep_funnels(definitions);
            self.funnel_steps(Reached::Page(&self.page.view.path.clone()));
        }
        self.answer()
    }

    /// A beacon the loader could not deliver: it is sent again, once, with the next page view.
    pub fn failed(&mut self, body: String) {
        if self.queue.len() >= MAX_QUEUED {
            self.queue.remove(0);
        }
        self.queue.push(body);
    }

    /// The page is left, its leave beacon sent: with journey consent, keeps what the tab's next
    /// page needs (the tab's visit, and the beacons waiting for a retry).
    pub fn stash(&mut self) {
        if self.linked() {
            journey::leave(&retry_lines(core::mem::take(&mut self.queue)));
        }
    }
}

/// Whether the figures of `leave` say more than those `sent` before: any figure changed but
/// engaged time, or engaged time by [`UPDATE_ENGAGED_MS`] or more.
fn says_more(sent: &Leave, leave: &Leave) -> bool {
    leave.engaged_ms >= sent.engaged_ms.saturating_add(UPDATE_ENGAGED_MS)
        || Leave { engaged_ms: sent.engaged_ms, ..leave.clone() } != *sent
}

/// Tells the page's developer, in the console, why a call of theirs was refused.
fn warn(problem: calls::Malformed) {
    #[cfg(target_arch = "wasm32")]
    web_sys::console::warn_2(&JsValue::from_str("tacit:"), &JsValue::from_str(problem));
    #[cfg(not(target_arch = "wasm32"))]
    let _ = problem;
}

/// The beacon bodies `queue` as retry lines: each starts with `~`, to be sent once more and then
/// forgotten.
fn retry_lines(queue: Vec<String>) -> String {
    let mut lines = String::new();
    for body in queue {
        lines.push_str(if lines.is_empty() { "~" } else { "\n~" });
        lines.push_str(&body);
    }
    lines
}

/// The first bytes of `text`, at most `max`, cut at a character boundary.
pub(crate) fn cut(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or("")
}

/// What the numbers of [`Tracker::on`] mean.
struct Kind;
impl Kind {
    /// Pointer, wheel or touch input.
    const INPUT: u32 = 0;
    /// A key press.
    const KEY: u32 = 1;
    /// Visibility: `a` is 1 for visible, 0 for hidden; `b` is the wall clock (`Date.now()`).
    /// Hidden, the page may never be shown again (a phone's browser closed from the app
    /// switcher fires nothing else): the leave beacon is due.
    const VISIBLE: u32 = 2;
    /// Window focus: `a` is 1 for focused, 0 for blurred.
    const FOCUS: u32 = 3;
    /// A scroll: `a` is the bottom of the viewport and `b` the page height, in CSS pixels.
    const SCROLL: u32 = 4;
    /// A click at (`a`, `b`) on something that does not look clickable...
    const CLICK: u32 = 5;
    /// ...or on something that does (a button, `cursor: pointer`) and is no link or field.
    const CLICK_CLICKABLE: u32 = 6;
    /// The page reacted: the DOM changed.
    const REACTION: u32 = 7;
    /// A second after a click on something clickable: time to call it dead if nothing reacted.
    const TICK: u32 = 8;
    /// The page is being left (`pagehide`), `a` being the wall clock: the leave beacon is due.
    const LEAVE: u32 = 9;
    /// A Largest Contentful Paint candidate at `a` ms.
    const LCP: u32 = 10;
    /// A layout shift of `a` at `b` ms.
    const LAYOUT_SHIFT: u32 = 11;
    /// An event timing entry: `a` ms long, of interaction id `b`.
    const EVENT_TIMING: u32 = 12;
}

impl Tracker {
    /// The beacons written since the last answer.
    fn answer(&mut self) -> Answer {
        let lines = (!self.out.is_empty()).then(|| core::mem::take(&mut self.out));
        #[cfg(target_arch = "wasm32")]
        let lines = lines.map_or(JsValue::UNDEFINED, |lines| JsValue::from_str(&lines));
        lines
    }

    fn state(&self) -> ConsentState {
        self.consent.state()
    }

    /// What a beacon of the visitor may add under the page's consent, by the rule the edge
    /// applies too (the snippet sees no request headers: GPC reaches it through `navigator`).
    fn adds(&self) -> Adds {
        let mode = if self.opt_in { ConsentMode::OptIn } else { ConsentMode::Exempt };
        admit(self.state(), HeaderSignals::NONE, mode).adds
    }

    /// Whether the visitor agreed to journey linking: then, and only then, the tracker keeps
    /// anything in the browser's storage (see [`journey`]).
    fn linked(&self) -> bool {
        self.live && self.adds() == Adds::CountedWithJourney
    }

    /// A goal (or a `custom` event) was reached, named by its first 100 bytes; nothing without
    /// a name. Only a goal makes the visit engaged ([`Event::Custom`] says why).
    fn reach_goal(&mut self, goal: calls::Goal, custom: bool) {
        let calls::Goal { name, value, props } = goal;
        let name = cut(name.trim_ascii(), MAX_NAME_BYTES);
        if name.is_empty() {
            return;
        }
        let name: String = name.into();
        self.page.reached_goal |= !custom;
        if custom {
            self.event(Event::Custom { name, value, props });
        } else {
            self.event(Event::Goal { name: name.clone(), value, props });
            if self.page.counted && self.measuring() {
                self.funnel_steps(Reached::Goal(&name));
            }
        }
    }

    /// Writes a beacon, and returns its id and body; all but consent tallies carry a random id.
    /// A beacon that stands for the page view in the consent tally names the state the page view
    /// was tallied under before, if any, so that the edge tallies each page view once.
    fn emit(&mut self, body: BeaconBody) -> (Option<BeaconId>, String) {
        let id = (!matches!(body, BeaconBody::Consent)).then(|| {
            // xorshift64*: ids need to be distinct, not secret.
            self.rng ^= self.rng >> 12;
            self.rng ^= self.rng << 25;
            self.rng ^= self.rng >> 27;
            BeaconId::from_u64(self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d))
        });
        let consent = self.state();
        let replaces_consent =
            if stands_for_page_view(&body) { self.page.tallied.replace(consent) } else { None };
        let beacon = Beacon { site: self.site.clone(), id, consent, replaces_consent, body };
        let json = beacon.to_json();
        self.line(&json);
        (id, json)
    }

    fn line(&mut self, line: &str) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out.push_str(line);
    }

    /// After any change of consent: the view that could not be counted is counted once allowed,
    /// and a visitor who is not (or no longer) counted sends the consent tally, once per page
    /// view and state.
    fn consent_changed(&mut self) {
        if !self.live {
            return;
        }
        // A refusal of journey linking (an API call, a CMP, GPC or DNT) removes what it kept.
        let refused = self.state().journey == ConsentValue::Denied;
        if refused && !self.journey_refused {
            journey::forget();
        }
        self.journey_refused = refused;
        if self.measuring() {
            if !self.page.counted {
                self.view();
            }
        } else if self.page.tallied != Some(self.state()) {
            self.emit(BeaconBody::Consent);
        }
    }

    /// The current page's view beacon, when it may be counted, and the retries it carries.
    fn view(&mut self) {
        if !self.measuring() {
            self.consent_changed();
            return;
        }
        self.page.counted = true;
        // Only journey consent lets the loader read and renew what the tab and the browser
        // keep: every counted view continues the tab's visit and renews the last-visit day; an
        // entry also reports that day.
        let returning = if self.linked() {
            self.page.join_visit(journey::tab_visit(&self.page.view.path));
            journey::visited_before()
        } else {
            None
        };
        if self.page.view.entry().is_entry() {
            // Kept with the page, so that its leave repeats it (the visitor segments).
            self.page.view.returning = returning;
            if self.linked() {
                journey::start_visit(&self.page.visit_entry());
            }
        }
        let mut view = self.page.view.clone();
        view.viewport = Some(self.viewport);
        view.language = self.language;
        self.emit(BeaconBody::View(view));
        self.flush_queue();
        self.funnel_steps(Reached::Page(&self.page.view.path.clone()));
    }

    /// The visit `reached` a page or a goal: with journey consent, a funnel beacon for each of
    /// the site's funnels whose next step it is. Nothing before the visit read the funnels, and
    /// nothing for a visit that began before journey consent (its entry is not known).
    fn funnel_steps(&mut self, reached: Reached) {
        if !self.linked() || !self.page.counted {
            return;
        }
        let Some(entry) = journey::visit_entry() else { return };
        let Some(funnels) = journey::funnels() else {
            // Read once per visit: a visit's funnels hold for the whole visit.
            self.line(FUNNELS_WANTED);
            return;
        };
        let entry = VisitEntry { viewport: Some(self.viewport), ..entry };
        let mut progress = journey::funnel_progress();
        progress.advance(&funnels, reached, |funnel, step| {
            self.emit(BeaconBody::Funnel(FunnelStep { funnel, step, entry: entry.clone() }));
        });
        journey::keep_funnel_progress(progress);
    }

    fn flush_queue(&mut self) {
        let retries = retry_lines(core::mem::take(&mut self.queue));
        if !retries.is_empty() {
            self.line(&retries);
        }
    }

    /// The current page's leave beacon, for a view that was counted, when the page is hidden
    /// or left at `now` (`wall_ms` by the wall clock): once, and then again as an update each
    /// time the visitor came back and did more, replacing the leave sent before.
    fn leave(&mut self, now: f64, wall_ms: f64) {
        self.page.engagement.reaction(now);
        if !self.page.counted || !self.measuring() {
            return;
        }
        let mut leave = self.page.leave(now);
        if !self.linked() && leave.entry.is_entry() {
            // Journey consent withdrawn on the page takes the returning flag with it.
            leave.entry = Entry::Entry;
        }
        let path = self.page.view.path.clone();
        let body = match self.page.sent.take() {
            Some(sent) if !says_more(&sent.leave, &leave) => {
                self.page.sent = Some(sent);
                return;
            }
            Some(sent) => {
                // A leave whose request failed is not retried: the update stands for it. The
                // browser may have failed a request that got through all the same, so the
                // edge decides by its id whether there is anything to replace.
                self.queue.retain(|body| *body != sent.body);
                BeaconBody::LeaveUpdate {
                    path,
                    leave: leave.clone(),
                    replaced: alloc::boxed::Box::new(sent.leave),
                    replaced_id: sent.id,
                    after_ms: (wall_ms - sent.at_ms).clamp(0.0, f64::from(u32::MAX)) as u32,
                }
            }
            None => BeaconBody::Leave { path, leave: leave.clone() },
        };
        let (id, body) = self.emit(body);
        self.page.sent = Some(SentLeave { leave, id, at_ms: wall_ms, body });
    }

    fn event(&mut self, event: Event) {
        if self.page.counted && self.measuring() {
            let path = self.page.view.path.clone();
            let context = match event {
                Event::Goal { .. } => self.goal_context(),
                _ => GoalContext::default(),
            };
            self.emit(BeaconBody::Event { path, event, context });
        }
    }

    /// What a goal repeats of its page view and visit: the visit's entry when the tab knows it
    /// (this page is the entry, or journey consent kept the visit's), and the viewport.
    fn goal_context(&self) -> GoalContext {
        let entry = if self.page.view.entry().is_entry() {
            let mut entry = self.page.visit_entry();
            // Journey consent withdrawn on the page takes the returning flag with it.
            entry.returning = entry.returning.filter(|_| self.linked());
            Some(entry)
        } else if self.linked() {
            journey::visit_entry()
        } else {
            None
        };
        GoalContext { entry, viewport: Some(self.viewport) }
    }

    /// See [`Tracker::on`].
    fn event_on_page(&mut self, kind: u32, now: f64, a: f64, b: f64) {
        let e = &mut self.page.engagement;
        match kind {
            Kind::INPUT => e.input(now),
            Kind::KEY => e.key(now),
            Kind::VISIBLE => {
                e.visible(now, a > 0.0);
                if a <= 0.0 {
                    self.leave(now, b);
                }
            }
            Kind::FOCUS => e.focused(now, a > 0.0),
            Kind::SCROLL => {
                e.input(now);
                e.scroll(a, b);
            }
            Kind::CLICK | Kind::CLICK_CLICKABLE => {
                e.click(now, a, b, kind == Kind::CLICK_CLICKABLE)
            }
            Kind::REACTION => e.reaction(now),
            Kind::TICK => e.tick(now),
            Kind::LEAVE => self.leave(now, a),
            Kind::LCP => e.lcp(a),
            Kind::LAYOUT_SHIFT => e.layout_shift(a, b),
            Kind::EVENT_TIMING => e.event_timing(a, b),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tacit_beacon::consent::ConsentSource;

    /// The beacons of one answer, parsed as the edge parses them (a retry as any other).
    fn beacons(lines: Option<String>) -> Vec<BeaconBody> {
        let lines = lines.unwrap_or_default();
        let parse =
            |line: &str| Beacon::parse(line.trim_start_matches('~').as_bytes()).expect(line);
        lines.lines().filter(|line| *line != FUNNELS_WANTED).map(|line| parse(line).body).collect()
    }

    #[test]
    fn a_hidden_page_sends_its_leave_and_an_update_when_the_visitor_comes_back_and_reads_on() {
        let ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36";
        let url = "https://example.com/article";
        let t = &mut start(
            "demo", false, "", url, "", "", ua, false, "en", 1280.0, 7.0, 0.0, true, true,
        )
        .unwrap_or_else(|line| panic!("stopped: {line}"));
        assert!(matches!(beacons(t.go())[..], [BeaconBody::View(_)]));
        let wall = 1_764_000_000_000.0;

        t.on(Kind::SCROLL, 3_000.0, 800.0, 2_000.0);
        let hidden = beacons(t.on(Kind::VISIBLE, 5_000.0, 0.0, wall + 5_000.0));
        let [BeaconBody::Leave { leave: first, .. }] = &hidden[..] else { panic!("{hidden:?}") };
        assert_eq!((first.engaged_ms, first.scroll_pct, first.next.as_deref()), (5_000, 40, None));
        // A glance on the way through the tabs, half a second: not worth an update.
        assert_eq!(t.on(Kind::VISIBLE, 60_000.0, 1.0, wall + 60_000.0), None);
        assert_eq!(t.on(Kind::VISIBLE, 60_500.0, 0.0, wall + 60_500.0), None);

        // Back a minute later, reading on, then off to another page of the site.
        t.on(Kind::VISIBLE, 120_000.0, 1.0, wall + 120_000.0);
        t.on(Kind::SCROLL, 130_000.0, 1_800.0, 2_000.0);
        t.link("https://example.com/pricing", 0, 135_000.0);
        let left = beacons(t.on(Kind::LEAVE, 135_000.0, wall + 135_000.0, 0.0));
        let [BeaconBody::LeaveUpdate { leave, replaced, after_ms, .. }] = &left[..] else {
            panic!("{left:?}")
        };
        assert_eq!(**replaced, *first, "the update replaces what the first leave said");
        assert_eq!(*after_ms, 130_000);
        assert_eq!((leave.engaged_ms, leave.scroll_pct), (5_500 + 15_000, 90));
        assert_eq!(leave.next.as_deref(), Some("/pricing"));
        assert_eq!(t.on(Kind::LEAVE, 135_100.0, wall + 135_100.0, 0.0), None, "nothing new");

        // Back from the back-forward cache: a new view, whose leave fails (the edge is down).
        assert!(matches!(
            beacons(t.nav(url, "", 200_000.0, wall + 200_000.0, true))[..],
            [BeaconBody::View(_)]
        ));
        let lost = t.on(Kind::VISIBLE, 202_000.0, 0.0, wall + 202_000.0).expect("the leave");
        t.failed(lost.clone());
        // The visitor comes back before its retry: the update stands for the failed leave (the
        // edge, by its id, tells whether it got through all the same), which is not retried.
        t.on(Kind::VISIBLE, 300_000.0, 1.0, wall + 300_000.0);
        let again = beacons(t.on(Kind::VISIBLE, 304_000.0, 0.0, wall + 304_000.0));
        let [BeaconBody::LeaveUpdate { leave, replaced_id: Some(_), .. }] = &again[..] else {
            panic!("{again:?}")
        };
        assert_eq!(leave.engaged_ms, 6_000);
        let next_route = t.nav("https://example.com/faq", "", 310_000.0, wall + 310_000.0, false);
        assert!(!next_route.unwrap_or_default().contains(&lost), "the failed leave is not retried");
    }

    #[test]
    fn a_goal_makes_the_visit_engaged_and_a_custom_event_does_not() {
        let ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36";
        let url = "https://example.com/video";
        let leave_after = |custom: bool| {
            let t = &mut start(
                "demo", false, "", url, "", "", ua, false, "en", 1280.0, 7.0, 0.0, true, true,
            )
            .unwrap_or_else(|line| panic!("stopped: {line}"));
            t.go();
            let props = vec![("title".into(), "intro".into())];
            t.reach_goal(calls::Goal { name: " play ".into(), value: Some(2.0), props }, custom);
            let sent = beacons(t.answer());
            let left = beacons(t.on(Kind::LEAVE, 1_000.0, 1_764_000_000_000.0, 0.0));
            let [BeaconBody::Leave { leave, .. }] = &left[..] else { panic!("{left:?}") };
            (sent, leave.reached_goal)
        };
        let props = vec![("title".to_owned(), "intro".to_owned())];
        let (goal, engaged) = leave_after(false);
        let reached = Event::Goal { name: "play".into(), value: Some(2.0), props: props.clone() };
        // The goal's page is the visit's entry (direct), on a desktop's viewport.
        let context = GoalContext {
            entry: Some(tacit_beacon::funnel::VisitEntry::default()),
            viewport: Some(tacit_beacon::agent::DeviceClass::Desktop),
        };
        assert_eq!(
            (&goal[..], engaged),
            (&[BeaconBody::Event { path: "/video".into(), event: reached, context }][..], true)
        );
        let (custom, engaged) = leave_after(true);
        let happened = Event::Custom { name: "play".into(), value: Some(2.0), props };
        assert_eq!(
            (&custom[..], engaged),
            (
                &[BeaconBody::Event {
                    path: "/video".into(),
                    event: happened,
                    context: GoalContext::default()
                }][..],
                false,
            )
        );
    }

    #[test]
    fn a_bot_or_an_invalid_site_stops_the_snippet_with_the_one_beacon_to_send() {
        let start = |site, ua, webdriver| {
            start(
                site,
                false,
                "",
                "https://example.com/",
                "",
                "",
                ua,
                webdriver,
                "en",
                1280.0,
                7.0,
                0.0,
                true,
                true,
            )
            .err()
        };
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36";
        assert_eq!(start("demo", chrome, false), None);
        assert_eq!(start("not a site!", chrome, false).as_deref(), Some(""));
        let dropped = |line: Option<String>| beacons(line).into_iter().next();
        assert!(matches!(dropped(start("demo", chrome, true)), Some(BeaconBody::Dropped)));
        assert!(matches!(
            dropped(start("demo", "Googlebot/2.1", false)),
            Some(BeaconBody::Dropped)
        ));
    }

    /// Each beacon of one answer with the consent state it was sent under and the one it
    /// replaces in the consent tally.
    fn tallies(lines: Option<String>) -> Vec<(BeaconBody, ConsentState, Option<ConsentState>)> {
        let lines = lines.unwrap_or_default();
        let parse = |line: &str| Beacon::parse(line.as_bytes()).expect(line);
        let beacon = |line| parse(line);
        lines
            .lines()
            .map(beacon)
            .map(|Beacon { body, consent, replaces_consent, .. }| (body, consent, replaces_consent))
            .collect()
    }

    #[test]
    fn each_page_view_is_tallied_once_and_moved_when_consent_changes_on_the_page() {
        let ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36";
        let url = "https://example.com/";
        let start = |opt_in| {
            start("demo", opt_in, "", url, "", "", ua, false, "en", 1280.0, 7.0, 0.0, true, true)
                .unwrap_or_else(|line| panic!("stopped: {line}"))
        };
        let unset = ConsentState::default();
        let by = |source| ConsentState {
            measurement: ConsentValue::Denied,
            journey: ConsentValue::Denied,
            source,
        };
        let (dnt, gpc) = (by(ConsentSource::Dnt), by(ConsentSource::Gpc));

        // Opt-in without consent: the consent beacon stands for the page view; a refusal on
        // the page moves it, and the same refusal again sends nothing.
        let t = &mut start(true);
        assert_eq!(tallies(t.go()), [(BeaconBody::Consent, unset, None)]);
        assert_eq!(tallies(t.signal(4)), [(BeaconBody::Consent, dnt, Some(unset))]);
        assert_eq!(t.signal(4), None);
        // The next page of a single-page app is a page view of its own, tallied once more.
        let wall = 1_764_000_000_000.0;
        let next = tallies(t.nav("https://example.com/next", "", 9_000.0, wall, false));
        assert_eq!(next, [(BeaconBody::Consent, dnt, None)]);

        // Exempt: the view stands for the page view; a later opt-out moves it, and the leave
        // that a counted visitor would send is not sent, nor tallied.
        let t = &mut start(false);
        let [(BeaconBody::View(_), consent, None)] = &tallies(t.go())[..] else { panic!() };
        assert_eq!(*consent, unset);
        assert_eq!(tallies(t.signal(3)), [(BeaconBody::Consent, gpc, Some(unset))]);
        assert_eq!(t.on(Kind::LEAVE, 5_000.0, wall, 0.0), None);
    }

    #[test]
    fn cut_keeps_whole_characters_within_the_limit() {
        assert_eq!(cut("signup", 100), "signup");
        assert_eq!(cut("signup", 4), "sign");
        assert_eq!(cut("héllo", 2), "h", "é is two bytes: it does not fit in 2");
        assert_eq!(cut("héllo", 3), "hé");
        assert_eq!(cut("🦀🦀", 7), "🦀");
        assert_eq!(cut("", 3), "");
    }
}
