//! The beacon: what the snippet sends to `POST /e`, and the strict checks it passes at the edge.
//!
//! A beacon is one of six kinds, named by its `type` field (absent means `view`):
//!
//! | type      | carries                                                                  |
//! |-----------|--------------------------------------------------------------------------|
//! | `view`    | `path`, and `referrer` or `previous`, `utm`, `search`, `viewport`, `language`, `returning`; `bare` (its [`BareCause`]) from the loader alone |
//! | `leave`   | `path` and what the visitor did there ([`Leave`]'s fields), with its view's `viewport` and, for an entry, its view's `referrer`, `utm` and `returning`; an update also `replaces` |
//! | `event`   | `path` and `event`: outbound link, download, form, goal, custom event or feedback |
//! | `funnel`  | `funnel` and `step`: the tab's visit reached that step of that funnel (journey consent only), with its entry's `referrer`, `utm` and `returning`, and the `viewport` |
//! | `consent` | nothing but its consent state: the whole beacon of a visitor who opted out |
//! | `dropped` | nothing: a bot the snippet recognised, counted as dropped                |
//!
//! A page's leave is sent when the page is first hidden or left. A visitor may come back to it
//! and do more: at the next hide or leave, the snippet sends the new figures as a `leave` whose
//! `replaces` object holds the earlier leave's `id` and the figures it sent (all of [`Leave`]'s
//! fields but `entry` and the view's, which stay the same), and
//! `after_ms`, how long after the earlier leave this one was sent. The edge takes the earlier
//! figures back and counts the new ones, when the earlier leave was counted on the same day;
//! when it never arrived, the update counts as a leave of its own.
//!
//! Every beacon carries `site`, and all but `dropped` their `consent` state (absent means no
//! signal). A `view` or `consent` beacon stands for a page view in the day's consent tally; when
//! consent changed on the page after an earlier such beacon (a grant after a refusal, an opt-out
//! after the view), it carries `replaces_consent`, the state the earlier one was sent under,
//! and the edge moves the page view from that state to its own (see [`crate::admission`]). A beacon may carry a random `id` (16 hex digits) so that a retried beacon is
//! counted once; a `consent` beacon carries no id, so that it cannot be linked to anything.
//! Fields that do not belong to a beacon's type are refused, so a client cannot smuggle in
//! data the edge would silently drop today and store tomorrow. Numbers that are fractions
//! travel as integers in thousandths (`cls_milli`, `value_milli`): the snippet then needs no
//! float formatting.

use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use core::fmt;

use serde::Deserialize;

use crate::admission::stands_for_page_view;
use crate::agent::DeviceClass;
use crate::consent::{ConsentState, ConsentValue};
use crate::funnel::{FunnelStep, VisitEntry, MAX_STEPS};
use crate::scrub::{
    clean_property, scrub_path, search_term, Utm, MAX_PROPERTY_KEY_LEN, MAX_PROPERTY_VALUE_LEN,
};
use crate::signal::{
    BareCause, Entry, Event, FeedbackScore, Language, Leave, Properties, MAX_PROPERTIES,
};
use crate::SiteId;

/// The largest beacon body accepted, in bytes.
pub const MAX_BEACON_BYTES: usize = 4096;

/// The longest referrer or link host accepted (the DNS limit).
const MAX_HOST_LEN: usize = 253;
/// The longest goal name, form name or channel accepted, in bytes.
const MAX_NAME_LEN: usize = 100;
/// The largest timing accepted (engaged time, LCP, INP), in milliseconds: a day.
const MAX_MS: u32 = 86_400_000;
/// The largest goal value accepted, in absolute value, in thousandths.
const MAX_VALUE_MILLI: i64 = 1_000_000_000_000_000;

/// A validated beacon.
#[derive(Debug, Clone, PartialEq)]
pub struct Beacon {
    /// The site the beacon belongs to.
    pub site: SiteId,
    /// A random id that makes retries of one beacon recognisable.
    pub id: Option<BeaconId>,
    /// The consent the beacon was sent under.
    pub consent: ConsentState,
    /// For a beacon that stands for a page view (see [`crate::admission::stands_for_page_view`]):
    /// the consent state an earlier beacon of the same page view was sent under, when consent
    /// changed on the page since. The edge moves the page view's tally from that state to this
    /// one, so that each page view is tallied once.
    pub replaces_consent: Option<ConsentState>,
    /// What the beacon reports.
    pub body: BeaconBody,
}

/// Appends `value` to `text` in decimal digits: the beacon writer's numbers, and the snippet's
/// stored days and times. Not `core::fmt`, whose machinery would ship in the snippet.
pub fn push_decimal(text: &mut String, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    digits[start..].iter().for_each(|&digit| text.push(char::from(digit)));
}

/// A beacon's random id: 64 bits, 16 hex digits on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BeaconId(u64);

impl BeaconId {
    /// An id from 64 random bits.
    pub fn from_u64(bits: u64) -> BeaconId {
        BeaconId(bits)
    }

    /// The id's bits.
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

/// What a beacon reports.
#[derive(Debug, Clone, PartialEq)]
pub enum BeaconBody {
    /// A page view.
    View(ViewBeacon),
    /// What the visitor did on a page before leaving it.
    Leave {
        /// The page's scrubbed path.
        path: String,
        /// What happened there.
        leave: Leave,
    },
    /// What the visitor did on a page, updated: they came back to it after its leave was
    /// sent, and did more.
    LeaveUpdate {
        /// The page's scrubbed path.
        path: String,
        /// What happened there, in all.
        leave: Leave,
        /// What the earlier leave reported, which this one replaces (boxed: an update is rare,
        /// and two leaves would double every beacon's size).
        replaced: Box<Leave>,
        /// The earlier leave's id, by which the edge knows whether it arrived.
        replaced_id: Option<BeaconId>,
        /// How long after the earlier leave this one was sent, in milliseconds.
        after_ms: u32,
    },
    /// The tab's visit reached the next step of a funnel (see [`crate::funnel`]).
    Funnel(FunnelStep),
    /// Something the visitor did on a page.
    Event {
        /// The page's scrubbed path.
        path: String,
        /// What happened.
        event: Event,
    },
    /// Only the consent state: the visitor opted out (or has not opted in).
    Consent,
    /// A bot the snippet recognised.
    Dropped,
}

/// What a `view` beacon carries: a page view as the snippet reports it, before the edge reduces
/// it to a [`crate::signal::View`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ViewBeacon {
    /// The page's scrubbed path.
    pub path: String,
    /// The host of the referring page, when the visitor came from another site.
    pub referrer: Option<String>,
    /// The scrubbed path of the referring page, when the visitor came from this site.
    pub previous: Option<String>,
    /// The page URL's campaign tags.
    pub utm: Utm,
    /// The site-search term of the page URL, when the snippet was told the site's search
    /// parameter (cleaned as [`search_term`] does; the edge keeps it only for a site with a
    /// search parameter, see the site setting `search_param`).
    pub search_term: Option<String>,
    /// The viewport's class, a better device class than the user agent's (an iPad says it is a
    /// Mac).
    pub viewport: Option<DeviceClass>,
    /// The browser's primary language.
    pub language: Option<Language>,
    /// For an entry whose visitor agreed to journey linking: whether this browser had visited
    /// the site before (the snippet's last-visit-day marker). `None` without journey consent.
    pub returning: Option<bool>,
    /// Sent by the loader alone, without the snippet's WebAssembly, for the cause it saw: the
    /// path is all there is (DESIGN: "marked as such").
    pub bare: Option<BareCause>,
}

impl ViewBeacon {
    /// Whether the view starts a visit (it did not come from another page of the site), and
    /// whether its visitor came before, when known.
    pub fn entry(&self) -> Entry {
        Entry::of(self.previous.is_some(), self.returning)
    }
}

/// Why a request body is not a valid beacon. Each variant says what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BeaconError {
    /// The body is larger than [`MAX_BEACON_BYTES`].
    TooLarge {
        /// The body's length in bytes.
        len: usize,
    },
    /// The body is not JSON of the beacon's shape: syntax, types or an unknown field.
    Malformed(String),
    /// A required field is absent.
    MissingField(&'static str),
    /// A field is present but its value is not acceptable, or it does not belong to the
    /// beacon's type.
    InvalidField {
        /// The field's name.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The site is well-formed but not registered with this edge.
    UnknownSite(SiteId),
}

/// The wire shape, before validation: every field optional so that a missing one is reported
/// by name, unknown ones refused. It is also the beacon's schema in the edge's OpenAPI document
/// ([`BeaconSchema`]), whose defaults are written with `Serialize`.
#[derive(Deserialize, Default)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema, serde::Serialize),
    schema(
        as = Beacon,
        description = "One of five kinds, by `type` (absent: `view`); a field of another kind is \
            refused with 400. `crates/beacon/src/beacon.rs` is the reference."
    )
)]
#[serde(deny_unknown_fields, default)]
struct WireBeacon {
    /// Required: the site id.
    site: Option<String>,
    /// `view` (the default), `leave`, `event`, `funnel`, `consent` or `dropped`.
    #[serde(rename = "type")]
    kind: Option<String>,
    /// 16 hex digits, random per beacon, for the de-duplication of retries; not on consent
    /// beacons.
    id: Option<String>,
    consent: Option<ConsentState>,
    /// view or consent: the consent state the page view was sent under before, which the
    /// edge moves its tally from.
    replaces_consent: Option<ConsentState>,
    /// The page's path; scrubbed again at the edge.
    path: Option<String>,
    // view
    /// view: the external referrer's host.
    referrer: Option<String>,
    /// view: the path of the page before, on the same site.
    previous: Option<String>,
    utm: Option<Utm>,
    /// view: the site-search term, kept only when the site names its search parameter.
    search: Option<String>,
    viewport: Option<DeviceClass>,
    /// view: a BCP 47 tag; only its primary subtag is kept.
    language: Option<String>,
    /// view, entries only, and only with journey consent granted: whether this browser visited
    /// the site before.
    returning: Option<bool>,
    /// view: sent by the loader alone, its path only, because tacit's WebAssembly did not
    /// start, with the cause the loader saw; counted in the summary's bare views.
    bare: Option<BareCause>,
    // leave
    /// leave: whether its view was an entry (referrer, utm and returning then repeat the
    /// view's, for the channel group and the visitor segments).
    entry: Option<bool>,
    next: Option<String>,
    engaged_ms: Option<u32>,
    scroll_pct: Option<u8>,
    interactions: Option<u32>,
    rage_clicks: Option<u32>,
    dead_clicks: Option<u32>,
    quick_back: Option<bool>,
    reached_goal: Option<bool>,
    lcp_ms: Option<u32>,
    inp_ms: Option<u32>,
    cls_milli: Option<u32>,
    // leave update: the replaced leave's figures, and `after_ms` within them
    /// leave only: this leave updates an earlier leave of the same view, whose figures (and
    /// `id`, and `after_ms`: how long after it this one was sent) it holds.
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    replaces: Option<Box<WireBeacon>>,
    after_ms: Option<u32>,
    // event
    event: Option<WireEvent>,
    // funnel
    /// funnel: the funnel's id, as `GET /f/<site>` lists it.
    funnel: Option<u32>,
    /// funnel: the step reached, from 1.
    step: Option<u8>,
}

#[derive(Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema, serde::Serialize),
    schema(as = BeaconEvent)
)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum WireEvent {
    Outbound { host: String },
    Download { file: String },
    Form { form: String },
    Goal { name: String, value_milli: Option<i64>, props: Option<BTreeMap<String, String>> },
    Custom { name: String, value_milli: Option<i64>, props: Option<BTreeMap<String, String>> },
    Feedback { score: u8 },
}

/// The schema of a beacon's JSON (the body of `POST /e`), for the edge's OpenAPI document.
#[cfg(feature = "openapi")]
pub struct BeaconSchema;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for BeaconSchema {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <WireBeacon as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for BeaconSchema {
    fn name() -> alloc::borrow::Cow<'static, str> {
        <WireBeacon as utoipa::ToSchema>::name()
    }

    fn schemas(
        schemas: &mut alloc::vec::Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <WireBeacon as utoipa::ToSchema>::schemas(schemas);
    }
}

impl WireBeacon {
    /// The names of the fields present that belong to a view alone.
    fn view_fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        [
            ("previous", self.previous.is_some()),
            ("search", self.search.is_some()),
            ("language", self.language.is_some()),
            ("bare", self.bare.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, present)| present.then_some(name))
    }

    /// The names of the fields present that describe a view and that its leave repeats: the
    /// segments a leave counts in.
    fn segment_fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        [
            ("referrer", self.referrer.is_some()),
            ("utm", self.utm.is_some()),
            ("viewport", self.viewport.is_some()),
            ("returning", self.returning.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, present)| present.then_some(name))
    }

    /// The names of the fields present that belong to a leave alone.
    fn leave_fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        [
            ("entry", self.entry.is_some()),
            ("next", self.next.is_some()),
            ("engaged_ms", self.engaged_ms.is_some()),
            ("scroll_pct", self.scroll_pct.is_some()),
            ("interactions", self.interactions.is_some()),
            ("rage_clicks", self.rage_clicks.is_some()),
            ("dead_clicks", self.dead_clicks.is_some()),
            ("quick_back", self.quick_back.is_some()),
            ("reached_goal", self.reached_goal.is_some()),
            ("lcp_ms", self.lcp_ms.is_some()),
            ("inp_ms", self.inp_ms.is_some()),
            ("cls_milli", self.cls_milli.is_some()),
            ("replaces", self.replaces.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, present)| present.then_some(name))
    }

    /// The names of the fields present that belong to a funnel beacon alone.
    fn funnel_fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        [("funnel", self.funnel.is_some()), ("step", self.step.is_some())]
            .into_iter()
            .filter_map(|(name, present)| present.then_some(name))
    }

    fn page_fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        let path = self.path.is_some().then_some("path");
        let event = self.event.is_some().then_some("event");
        path.into_iter()
            .chain(event)
            .chain(self.funnel_fields())
            .chain(self.view_fields())
            .chain(self.segment_fields())
            .chain(self.leave_fields())
    }
}

impl Beacon {
    /// Parses and validates a request body. Paths are scrubbed again here: the edge never
    /// trusts the client to have done it. Whether the site exists is for the caller to check.
    pub fn parse(body: &[u8]) -> Result<Beacon, BeaconError> {
        if body.len() > MAX_BEACON_BYTES {
            return Err(BeaconError::TooLarge { len: body.len() });
        }
        let mut wire: WireBeacon =
            serde_json::from_slice(body).map_err(|e| BeaconError::Malformed(e.to_string()))?;

        let site = wire.site.take().ok_or(BeaconError::MissingField("site"))?;
        let site = SiteId::parse(&site).map_err(|e| invalid("site", e.to_string()))?;
        let id = wire.id.take().map(|id| parse_id(&id)).transpose()?;
        let consent = wire.consent.take();
        let replaces_consent = wire.replaces_consent.take();
        let kind = wire.kind.take();
        if wire.after_ms.is_some() {
            return Err(invalid("after_ms", "belongs in 'replaces'".into()));
        }

        let body = match kind.as_deref().unwrap_or("view") {
            "view" => {
                let event = wire.event.is_some().then_some("event");
                refuse_fields(
                    wire.leave_fields().chain(event).chain(wire.funnel_fields()),
                    "view",
                )?;
                check_returning(wire.returning, consent.as_ref())?;
                BeaconBody::View(parse_view(wire)?)
            }
            "leave" => {
                let event = wire.event.is_some().then_some("event");
                refuse_fields(
                    wire.view_fields().chain(event).chain(wire.funnel_fields()),
                    "leave",
                )?;
                check_returning(wire.returning, consent.as_ref())?;
                let path = required_path(&mut wire)?;
                let replaces = wire.replaces.take();
                let leave = parse_leave(wire)?;
                match replaces {
                    None => BeaconBody::Leave { path, leave },
                    Some(replaced) => {
                        let (replaced, replaced_id, after_ms) = parse_replaced(*replaced, &leave)?;
                        let replaced = Box::new(replaced);
                        BeaconBody::LeaveUpdate { path, leave, replaced, replaced_id, after_ms }
                    }
                }
            }
            "event" => {
                let page = wire.view_fields().chain(wire.segment_fields());
                refuse_fields(
                    page.chain(wire.leave_fields()).chain(wire.funnel_fields()),
                    "event",
                )?;
                let path = required_path(&mut wire)?;
                let event = wire.event.ok_or(BeaconError::MissingField("event"))?;
                BeaconBody::Event { path, event: parse_event(event)? }
            }
            "funnel" => {
                let path = wire.path.is_some().then_some("path");
                let event = wire.event.is_some().then_some("event");
                refuse_fields(path.into_iter().chain(event), "funnel")?;
                refuse_fields(wire.view_fields().chain(wire.leave_fields()), "funnel")?;
                let journey = consent.as_ref().map_or(ConsentValue::Unset, |c| c.journey);
                if journey != ConsentValue::Granted {
                    return Err(invalid("consent", "a funnel beacon needs journey consent".into()));
                }
                BeaconBody::Funnel(parse_funnel(wire)?)
            }
            "consent" => {
                refuse_fields(wire.page_fields(), "consent")?;
                if id.is_some() {
                    return Err(invalid("id", "a consent beacon carries no id".into()));
                }
                BeaconBody::Consent
            }
            "dropped" => {
                refuse_fields(wire.page_fields(), "dropped")?;
                if consent.is_some() {
                    return Err(invalid("consent", "does not belong to a dropped beacon".into()));
                }
                BeaconBody::Dropped
            }
            _ => {
                return Err(invalid(
                    "type",
                    "must be view, leave, event, funnel, consent or dropped".into(),
                ))
            }
        };
        if replaces_consent.is_some() && !stands_for_page_view(&body) {
            return Err(invalid(
                "replaces_consent",
                "belongs to a view or consent beacon only".into(),
            ));
        }
        Ok(Beacon { site, id, consent: consent.unwrap_or_default(), replaces_consent, body })
    }

    /// The beacon as the JSON body the snippet sends. Written by hand so that the snippet
    /// carries no JSON library and no float formatting; [`Beacon::parse`] reads it back.
    pub fn to_json(&self) -> String {
        let mut json = JsonWriter::new();
        json.string("site", self.site.as_str());
        let kind = match &self.body {
            BeaconBody::View(_) => "view",
            BeaconBody::Leave { .. } | BeaconBody::LeaveUpdate { .. } => "leave",
            BeaconBody::Event { .. } => "event",
            BeaconBody::Funnel(_) => "funnel",
            BeaconBody::Consent => "consent",
            BeaconBody::Dropped => "dropped",
        };
        json.string("type", kind);
        if let Some(id) = self.id {
            json.key("id");
            json.raw_string(&hex16(id.0));
        }
        if !matches!(self.body, BeaconBody::Dropped) {
            json.consent("consent", self.consent);
        }
        if let Some(replaced) = self.replaces_consent {
            json.consent("replaces_consent", replaced);
        }
        match &self.body {
            BeaconBody::View(view) => write_view(&mut json, view),
            BeaconBody::Leave { path, leave } => {
                json.string("path", path);
                write_leave(&mut json, leave);
            }
            BeaconBody::LeaveUpdate { path, leave, replaced, replaced_id, after_ms } => {
                json.string("path", path);
                write_leave(&mut json, leave);
                json.key("replaces");
                json.open();
                if let Some(id) = replaced_id {
                    json.key("id");
                    json.raw_string(&hex16(id.0));
                }
                json.number("after_ms", u64::from(*after_ms));
                write_figures(&mut json, replaced);
                json.close();
            }
            BeaconBody::Event { path, event } => {
                json.string("path", path);
                write_event(&mut json, event);
            }
            BeaconBody::Funnel(reached) => {
                json.number("funnel", u64::from(reached.funnel));
                json.number("step", u64::from(reached.step));
                let entry = &reached.entry;
                json.optional_string("referrer", entry.referrer.as_deref());
                write_utm(&mut json, &entry.utm);
                json.optional_string("viewport", entry.viewport.map(DeviceClass::as_str));
                write_returning(&mut json, entry.returning);
            }
            BeaconBody::Consent | BeaconBody::Dropped => {}
        }
        json.finish()
    }
}

fn parse_view(mut wire: WireBeacon) -> Result<ViewBeacon, BeaconError> {
    let path = required_path(&mut wire)?;
    let previous = wire.previous.map(|previous| site_path("previous", &previous)).transpose()?;
    let referrer = wire.referrer.map(|host| normalize_host("referrer", &host)).transpose()?;
    if referrer.is_some() && previous.is_some() {
        return Err(invalid(
            "previous",
            "cannot be sent with 'referrer': a view comes from this site or another".into(),
        ));
    }
    if wire.returning.is_some() && previous.is_some() {
        return Err(invalid("returning", "belongs to an entry only".into()));
    }
    let language = wire
        .language
        .map(|tag| {
            Language::from_tag(&tag)
                .ok_or_else(|| invalid("language", "must be a language tag such as en-GB".into()))
        })
        .transpose()?;
    Ok(ViewBeacon {
        path,
        referrer,
        previous,
        utm: wire.utm.map(|utm| utm.cleaned()).unwrap_or_default(),
        // Cleaned again, never trusted: a term that looks like personal data is dropped.
        search_term: wire.search.as_deref().and_then(search_term),
        viewport: wire.viewport,
        language,
        returning: wire.returning,
        bare: wire.bare,
    })
}

fn parse_leave(wire: WireBeacon) -> Result<Leave, BeaconError> {
    let scroll_pct = wire.scroll_pct.unwrap_or(0);
    if scroll_pct > 100 {
        return Err(invalid("scroll_pct", "must be 0 to 100".into()));
    }
    let ms = |field, value: Option<u32>| match value {
        Some(ms) if ms > MAX_MS => {
            Err(invalid(field, "must be at most a day in milliseconds".into()))
        }
        _ => Ok(value),
    };
    let entry = wire.entry.unwrap_or(false);
    if let Some(field) =
        (!entry).then(|| wire.segment_fields().find(|f| *f != "viewport")).flatten()
    {
        return Err(invalid(field, "belongs to an entry's leave only".into()));
    }
    Ok(Leave {
        entry: Entry::of(!entry, wire.returning),
        referrer: wire.referrer.map(|host| normalize_host("referrer", &host)).transpose()?,
        utm: wire.utm.map(|utm| utm.cleaned()).unwrap_or_default(),
        viewport: wire.viewport,
        next: wire.next.map(|next| site_path("next", &next)).transpose()?,
        engaged_ms: ms("engaged_ms", wire.engaged_ms)?.unwrap_or(0),
        scroll_pct,
        interactions: wire.interactions.unwrap_or(0),
        rage_clicks: wire.rage_clicks.unwrap_or(0),
        dead_clicks: wire.dead_clicks.unwrap_or(0),
        quick_back: wire.quick_back.unwrap_or(false),
        reached_goal: wire.reached_goal.unwrap_or(false),
        lcp_ms: ms("lcp_ms", wire.lcp_ms)?,
        inp_ms: ms("inp_ms", wire.inp_ms)?,
        cls: wire.cls_milli.map(|milli| milli as f32 / 1000.0),
    })
}

/// The earlier leave an update replaces, its id, and how long before it was sent: the same
/// view's leave, so its `entry` and what it repeats of the view are the update's.
fn parse_replaced(
    mut wire: WireBeacon,
    leave: &Leave,
) -> Result<(Leave, Option<BeaconId>, u32), BeaconError> {
    let after_ms = wire.after_ms.take().ok_or(BeaconError::MissingField("replaces.after_ms"))?;
    let id = wire.id.take().map(|id| parse_id(&id)).transpose()?;
    let others = [
        ("site", wire.site.is_some()),
        ("type", wire.kind.is_some()),
        ("consent", wire.consent.is_some()),
        ("path", wire.path.is_some()),
        ("event", wire.event.is_some()),
        ("entry", wire.entry.is_some()),
        ("replaces", wire.replaces.is_some()),
        ("funnel", wire.funnel.is_some()),
        ("step", wire.step.is_some()),
    ];
    let view_field = wire.view_fields().chain(wire.segment_fields()).next();
    if let Some(field) = others.iter().find(|(_, present)| *present).map(|(f, _)| *f).or(view_field)
    {
        let reason = format!("holds the replaced leave's figures and after_ms only, not '{field}'");
        return Err(invalid("replaces", reason));
    }
    let replaced = parse_leave(wire)?;
    let replaced = Leave {
        entry: leave.entry,
        referrer: leave.referrer.clone(),
        utm: leave.utm.clone(),
        viewport: leave.viewport,
        ..replaced
    };
    Ok((replaced, id, after_ms))
}

/// A funnel beacon's step, and its visit's entry.
fn parse_funnel(wire: WireBeacon) -> Result<FunnelStep, BeaconError> {
    let funnel = wire.funnel.ok_or(BeaconError::MissingField("funnel"))?;
    let step = wire.step.ok_or(BeaconError::MissingField("step"))?;
    if !(1..=MAX_STEPS).contains(&usize::from(step)) {
        return Err(invalid("step", format!("must be 1 to {MAX_STEPS}")));
    }
    let referrer = wire.referrer.map(|host| normalize_host("referrer", &host)).transpose()?;
    let utm = wire.utm.map(|utm| utm.cleaned()).unwrap_or_default();
    let entry = VisitEntry { referrer, utm, returning: wire.returning, viewport: wire.viewport };
    Ok(FunnelStep { funnel, step, entry })
}

fn parse_event(event: WireEvent) -> Result<Event, BeaconError> {
    Ok(match event {
        WireEvent::Outbound { host } => {
            Event::Outbound { host: normalize_host("event.host", &host)? }
        }
        WireEvent::Download { file } => Event::Download { file: site_path("event.file", &file)? },
        WireEvent::Form { form } => Event::FormSubmit { form: name("event.form", &form)? },
        WireEvent::Goal { name: goal, value_milli, props } => Event::Goal {
            name: name("event.name", &goal)?,
            value: value("event.value_milli", value_milli)?,
            props: properties(props.unwrap_or_default())?,
        },
        WireEvent::Custom { name: event, value_milli, props } => Event::Custom {
            name: name("event.name", &event)?,
            value: value("event.value_milli", value_milli)?,
            props: properties(props.unwrap_or_default())?,
        },
        WireEvent::Feedback { score } => Event::Feedback {
            score: FeedbackScore::new(score)
                .ok_or_else(|| invalid("event.score", "must be 1, 2 or 3".into()))?,
        },
    })
}

/// A goal's or custom event's value, sent in thousandths.
fn value(field: &'static str, milli: Option<i64>) -> Result<Option<f64>, BeaconError> {
    if milli.is_some_and(|v| v.unsigned_abs() > MAX_VALUE_MILLI as u64) {
        return Err(invalid(field, "is out of range".into()));
    }
    Ok(milli.map(|v| v as f64 / 1000.0))
}

/// A goal's or custom event's properties, cleaned again: a property that looks like personal
/// data is dropped, as the snippet drops it, and a beacon with too many or too long ones is
/// refused. Sorted by key: JSON's objects have no order, and the edge keeps one.
fn properties(props: BTreeMap<String, String>) -> Result<Properties, BeaconError> {
    if props.len() > MAX_PROPERTIES {
        let reason = format!("may hold at most {MAX_PROPERTIES} properties");
        return Err(invalid("event.props", reason));
    }
    let mut kept = Properties::new();
    for (key, value) in &props {
        let cleaned = clean_property(key, value).map_err(|_| {
            let reason = format!(
                "keys must be at most {MAX_PROPERTY_KEY_LEN} bytes and values at most \
                 {MAX_PROPERTY_VALUE_LEN}"
            );
            invalid("event.props", reason)
        })?;
        // Cleaning trims: two keys that differ only in spaces are one.
        if let Some((key, value)) = cleaned.filter(|(key, _)| kept.iter().all(|(k, _)| k != key)) {
            kept.push((key, value));
        }
    }
    kept.sort_unstable();
    Ok(kept)
}

fn write_view(json: &mut JsonWriter, view: &ViewBeacon) {
    json.string("path", &view.path);
    json.optional_string("referrer", view.referrer.as_deref());
    json.optional_string("previous", view.previous.as_deref());
    write_utm(json, &view.utm);
    json.optional_string("search", view.search_term.as_deref());
    json.optional_string("viewport", view.viewport.map(DeviceClass::as_str));
    json.optional_string("language", view.language.as_ref().map(Language::as_str));
    write_returning(json, view.returning);
    json.optional_string("bare", view.bare.map(BareCause::as_str));
}

fn write_utm(json: &mut JsonWriter, utm: &Utm) {
    if *utm != Utm::default() {
        json.key("utm");
        json.open();
        json.optional_string("source", utm.source.as_deref());
        json.optional_string("medium", utm.medium.as_deref());
        json.optional_string("campaign", utm.campaign.as_deref());
        json.optional_string("term", utm.term.as_deref());
        json.optional_string("content", utm.content.as_deref());
        json.close();
    }
}

fn write_returning(json: &mut JsonWriter, returning: Option<bool>) {
    if let Some(returning) = returning {
        json.bool("returning", returning);
    }
}

fn write_leave(json: &mut JsonWriter, leave: &Leave) {
    json.bool("entry", leave.entry.is_entry());
    json.optional_string("referrer", leave.referrer.as_deref());
    write_utm(json, &leave.utm);
    json.optional_string("viewport", leave.viewport.map(DeviceClass::as_str));
    write_returning(json, leave.entry.returning());
    write_figures(json, leave);
}

/// A leave's fields but those of its view (`entry`, `referrer`, `utm`, `viewport`,
/// `returning`): what an update replaces.
fn write_figures(json: &mut JsonWriter, leave: &Leave) {
    json.optional_string("next", leave.next.as_deref());
    json.number("engaged_ms", u64::from(leave.engaged_ms));
    json.number("scroll_pct", u64::from(leave.scroll_pct));
    json.number("interactions", u64::from(leave.interactions));
    json.number("rage_clicks", u64::from(leave.rage_clicks));
    json.number("dead_clicks", u64::from(leave.dead_clicks));
    json.bool("quick_back", leave.quick_back);
    json.bool("reached_goal", leave.reached_goal);
    if let Some(lcp) = leave.lcp_ms {
        json.number("lcp_ms", u64::from(lcp));
    }
    if let Some(inp) = leave.inp_ms {
        json.number("inp_ms", u64::from(inp));
    }
    if let Some(cls) = leave.cls {
        json.number("cls_milli", round(f64::from(cls.max(0.0) * 1000.0)) as u64);
    }
}

fn write_event(json: &mut JsonWriter, event: &Event) {
    json.key("event");
    json.open();
    match event {
        Event::Outbound { host } => {
            json.string("kind", "outbound");
            json.string("host", host);
        }
        Event::Download { file } => {
            json.string("kind", "download");
            json.string("file", file);
        }
        Event::FormSubmit { form } => {
            json.string("kind", "form");
            json.string("form", form);
        }
        Event::Goal { name, value, props } | Event::Custom { name, value, props } => {
            let kind = if matches!(event, Event::Goal { .. }) { "goal" } else { "custom" };
            json.string("kind", kind);
            json.string("name", name);
            if let Some(value) = value {
                json.key("value_milli");
                let milli = round(value * 1000.0);
                if milli < 0 {
                    json.text.push('-');
                }
                json.digits(milli.unsigned_abs());
            }
            if !props.is_empty() {
                json.key("props");
                json.open();
                props.iter().for_each(|(key, value)| json.string(key, value));
                json.close();
            }
        }
        Event::Feedback { score } => {
            json.string("kind", "feedback");
            json.number("score", u64::from(score.get()));
        }
    }
    json.close();
}

/// `value` rounded to the nearest whole number, halves away from zero, as `f64::round` does
/// (which needs `std`); values beyond `i64` saturate.
fn round(value: f64) -> i64 {
    let whole = value as i64;
    let rest = value - whole as f64;
    if rest >= 0.5 {
        whole.saturating_add(1)
    } else if rest <= -0.5 {
        whole.saturating_sub(1)
    } else {
        whole
    }
}

fn invalid(field: &'static str, reason: String) -> BeaconError {
    BeaconError::InvalidField { field, reason }
}

/// Refuses the first of `present` fields: they do not belong to a beacon of type `kind`.
/// Refuses `returning` without journey consent: only that consent lets the snippet keep the
/// marker that answers it.
fn check_returning(
    returning: Option<bool>,
    consent: Option<&ConsentState>,
) -> Result<(), BeaconError> {
    let journey = consent.map_or(ConsentValue::Unset, |c| c.journey);
    if returning.is_some() && journey != ConsentValue::Granted {
        return Err(invalid("returning", "needs journey consent".into()));
    }
    Ok(())
}

fn refuse_fields<'a>(
    mut present: impl Iterator<Item = &'a str>,
    kind: &str,
) -> Result<(), BeaconError> {
    match present.next() {
        Some(field) => Err(BeaconError::InvalidField {
            field: "type",
            reason: format!("a {kind} beacon cannot carry '{field}'"),
        }),
        None => Ok(()),
    }
}

fn required_path(wire: &mut WireBeacon) -> Result<String, BeaconError> {
    let path = wire.path.take().ok_or(BeaconError::MissingField("path"))?;
    site_path("path", &path)
}

/// A path the beacon names: it must start with `/`, and is scrubbed again here.
fn site_path(field: &'static str, path: &str) -> Result<String, BeaconError> {
    if path.starts_with('/') {
        Ok(scrub_path(path))
    } else {
        Err(invalid(field, "must start with '/'".into()))
    }
}

/// A goal, form or channel name: trimmed, 1 to 100 bytes, no control characters.
fn name(field: &'static str, text: &str) -> Result<String, BeaconError> {
    let text = text.trim();
    if text.is_empty() || text.len() > MAX_NAME_LEN || text.chars().any(char::is_control) {
        return Err(invalid(field, format!("must be 1 to {MAX_NAME_LEN} bytes of text")));
    }
    Ok(text.to_owned())
}

/// Lower-cases a host and checks it is a plausible host name (letters, digits, `-`, `.`, and
/// `:` `[` `]` for a port or IPv6), so that a URL or markup never passes for one.
fn normalize_host(field: &'static str, host: &str) -> Result<String, BeaconError> {
    let host = host.to_ascii_lowercase();
    let host_char =
        |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':' | b'[' | b']');
    if host.is_empty() || host.len() > MAX_HOST_LEN || !host.bytes().all(host_char) {
        return Err(invalid(field, "must be a host name such as news.example.com".into()));
    }
    Ok(host)
}

fn parse_id(id: &str) -> Result<BeaconId, BeaconError> {
    if id.len() == 16 {
        if let Ok(bits) = u64::from_str_radix(id, 16) {
            return Ok(BeaconId(bits));
        }
    }
    Err(invalid("id", "must be 16 hex digits".into()))
}

/// 16 lower-case hex digits.
fn hex16(bits: u64) -> String {
    (0..16).rev().map(|i| char::from(HEX[((bits >> (i * 4)) & 0xf) as usize])).collect()
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A minimal JSON object writer: strings, whole numbers, booleans and nested objects. It is
/// all the snippet needs, and it pulls in no formatting machinery.
struct JsonWriter {
    text: String,
    first: bool,
}

impl JsonWriter {
    fn new() -> JsonWriter {
        JsonWriter { text: String::from("{"), first: true }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.text.push(',');
        }
        self.first = false;
        self.raw_string(key);
        self.text.push(':');
    }

    fn open(&mut self) {
        self.text.push('{');
        self.first = true;
    }

    fn close(&mut self) {
        self.text.push('}');
        self.first = false;
    }

    fn string(&mut self, key: &str, value: &str) {
        self.key(key);
        self.raw_string(value);
    }

    fn optional_string(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.string(key, value);
        }
    }

    fn number(&mut self, key: &str, value: u64) {
        self.key(key);
        self.digits(value);
    }

    fn bool(&mut self, key: &str, value: bool) {
        self.key(key);
        self.text.push_str(if value { "true" } else { "false" });
    }

    fn consent(&mut self, key: &str, state: ConsentState) {
        self.key(key);
        self.open();
        self.string("measurement", state.measurement.as_str());
        self.string("journey", state.journey.as_str());
        self.string("source", state.source.as_str());
        self.close();
    }

    fn digits(&mut self, value: u64) {
        push_decimal(&mut self.text, value);
    }

    /// Appends `text` as a JSON string literal. Byte by byte: only ASCII bytes are escaped,
    /// and the bytes of other characters (all 0x80 or above) are copied as they are.
    fn raw_string(&mut self, text: &str) {
        self.text.push('"');
        let mut plain = 0;
        for (at, &b) in text.as_bytes().iter().enumerate() {
            if b == b'"' || b == b'\\' || b < 0x20 {
                self.text.push_str(text.get(plain..at).unwrap_or(""));
                self.text.push('\\');
                if b < 0x20 {
                    self.text.push_str("u00");
                    self.text.push(char::from(HEX[usize::from(b >> 4)]));
                    self.text.push(char::from(HEX[usize::from(b & 0xf)]));
                } else {
                    self.text.push(char::from(b));
                }
                plain = at + 1;
            }
        }
        self.text.push_str(text.get(plain..).unwrap_or(""));
        self.text.push('"');
    }

    fn finish(mut self) -> String {
        self.text.push('}');
        self.text
    }
}

impl fmt::Display for BeaconError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BeaconError::TooLarge { len } => {
                write!(f, "beacon is {len} bytes; the limit is {MAX_BEACON_BYTES}")
            }
            BeaconError::Malformed(e) => {
                write!(f, "beacon is not valid JSON of the beacon's shape: {e}")
            }
            BeaconError::MissingField(field) => write!(f, "beacon has no '{field}' field"),
            BeaconError::InvalidField { field, reason } => {
                write!(f, "beacon field '{field}' {reason}")
            }
            BeaconError::UnknownSite(site) => write!(f, "site '{site}' is not registered"),
        }
    }
}

impl core::error::Error for BeaconError {}

#[cfg(test)]
mod tests;
