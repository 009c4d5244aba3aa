//! What tacit stores and what it collects under each consent state, generated from the code's
//! own definitions so that the privacy page and the DPIA export cannot drift from what the
//! edge does.
//!
//! - [`stored_fields`] lists every field of a day record, read off the record's own serde
//!   layout; a test fails when a field is added without a description here.
//! - [`collection_matrix`] asks [`admit`], the function the snippet, the worker and the shard
//!   call on every beacon, what each consent state leads to.
//! - [`NEVER_STORED`] names what never reaches storage, and why.
//! - [`PrivacyReport`] puts them together with the site's settings and what its shards hold
//!   (salts, oldest record, consent tallies, change log) for the privacy page, with the
//!   [`assessment`] against the CNIL exemption; [`PrivacyExport`] adds a record of processing
//!   for a DPIA.

pub mod assessment;
mod export;
mod report;

pub use export::{PrivacyExport, RecordOfProcessing, EXPORT_FORMAT};
pub use report::{
    AuditInput, ChangeLogStatus, ConsentCounts, ConsentDay, ConsentPolicy, ConsentRates,
    DataInventory, HeldKind, HeldSalt, HonouredSignal, NeverStored, PrivacyReport, RetentionStatus,
    SaltStatus, SourceCounts, StorageFacts, ValueCounts, MAX_SALT_AGE_HOURS,
};

use serde::Serialize;

use tacit_aggregate::engagement::Engagement;
use tacit_aggregate::record::{Activity, SiteDay};
use tacit_beacon::admission::{admit, Adds, HeaderSignals};
use tacit_beacon::consent::{ConsentMode, ConsentState, ConsentValue};

/// How a stored field keeps its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// A count.
    Count,
    /// A HyperLogLog++ sketch of keyed daily hashes: no hash can be read back out.
    VisitorSketch,
    /// A relative-error quantile sketch of a measurement.
    Distribution,
    /// A bounded top-k list of labels with counts; rows seen by fewer than k visitors are folded
    /// into "(other)" in every output.
    TopK,
    /// Counts per value of a closed set (device classes, browser families, countries, scores).
    Breakdown,
    /// Per segment with traffic (a device class, channel group, visitor kind or country): a
    /// visitor sketch and the counts and distributions of that segment's views.
    Segments,
}

/// One stored field of a page's or the site's day record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredField {
    /// The field's name in the record.
    pub name: &'static str,
    /// How it keeps its data.
    pub form: Form,
    /// What it holds, for a privacy officer.
    pub description: &'static str,
}

/// Everything that is never stored, with the reason, for the privacy page.
pub const NEVER_STORED: &[(&str, &str)] = &[
    ("IP address", "hashed in memory with the day's salt, then reduced to a country code"),
    ("User agent", "hashed in memory, then reduced to a browser family and a device class"),
    (
        "Visitor hash",
        "only ever inserted into a HyperLogLog++ sketch, from which it cannot be read",
    ),
    (
        "Cookies, and browser storage without journey consent",
        "the snippet sets no cookie; with journey consent only, it keeps the day of the last \
         visit in local storage and unsent beacons in the tab's session storage",
    ),
    ("Query strings", "dropped but for campaign tags and the site-search term"),
    ("Form field values", "form submissions are counted by form name only"),
    ("Identifying path segments", "e-mail addresses, ids, UUIDs and tokens become placeholders"),
];

/// The description of every field of [`Activity`], plus the visitor sketch every record has and
/// what only the site's rollup keeps.
const FIELDS: &[(&str, Form, &str)] = &[
    ("visitors", Form::VisitorSketch, "unique visitors of the day"),
    ("views", Form::Count, "page views"),
    ("entries", Form::Count, "views that started a visit"),
    ("leaves", Form::Count, "views whose leave signal arrived"),
    ("exits", Form::Count, "views that did not continue on the site"),
    ("bounces", Form::Count, "entries that neither continued nor engaged"),
    ("engaged_visits", Form::Count, "entries that continued, engaged 10 s or reached a goal"),
    ("interactions", Form::Count, "clicks, key presses and taps"),
    ("rage_clicks", Form::Count, "bursts of three or more clicks in one place"),
    ("dead_clicks", Form::Count, "clicks that changed nothing"),
    ("quick_backs", Form::Count, "views left within 5 s back to the previous page"),
    ("frustrated_views", Form::Count, "views with a rage or dead click"),
    ("engaged_time_ms", Form::Distribution, "engaged time per view"),
    ("scroll_depth_pct", Form::Distribution, "deepest scroll per view"),
    ("lcp_ms", Form::Distribution, "Largest Contentful Paint"),
    ("inp_ms", Form::Distribution, "Interaction to Next Paint"),
    ("cls_milli", Form::Distribution, "Cumulative Layout Shift"),
    ("referrers", Form::TopK, "hosts of external referrers"),
    ("campaigns", Form::TopK, "UTM source / medium / campaign"),
    ("campaign_terms", Form::TopK, "utm_term values (personal data dropped)"),
    ("campaign_contents", Form::TopK, "utm_content values (personal data dropped)"),
    ("entry_channels", Form::TopK, "visits per channel"),
    ("engaged_channels", Form::TopK, "engaged visits per channel"),
    ("previous_pages", Form::TopK, "same-site pages visitors came from"),
    ("next_pages", Form::TopK, "same-site pages visitors went on to"),
    ("search_terms", Form::TopK, "site-search terms (personal data dropped)"),
    ("goals", Form::TopK, "goals reached, with value sums"),
    ("custom_events", Form::TopK, "custom events, with value sums"),
    ("events", Form::TopK, "outbound links, downloads and form names"),
    ("devices", Form::Breakdown, "views per device class"),
    ("browsers", Form::Breakdown, "views per browser family"),
    ("countries", Form::Breakdown, "views per country"),
    ("languages", Form::TopK, "views per primary language"),
    ("feedback", Form::Breakdown, "feedback answers per score"),
    (
        "known_visits",
        Form::Breakdown,
        "entries with journey consent: first visits and returning visitors",
    ),
    (
        "segments",
        Form::Segments,
        "the views' figures above (counts, distributions, visitors) again per device class, \
         channel group, new or returning visitor and country",
    ),
    (
        "goal_properties",
        Form::TopK,
        "site only: per goal and property key, its values (personal data dropped)",
    ),
    (
        "event_properties",
        Form::TopK,
        "site only: per custom event and property key, its values (personal data dropped)",
    ),
    ("consent", Form::Breakdown, "site only: page views per consent category, value and source"),
    ("bots_dropped", Form::Count, "site only: page views dropped as bots'"),
    (
        "bare_views",
        Form::Count,
        "site only: page views sent without the snippet's WebAssembly, path only, by the cause \
         the loader saw (WebAssembly refused, or not loaded)",
    ),
    (
        "funnels",
        Form::Segments,
        "site only: per funnel step, the visits with journey consent that reached it (one \
         beacon each, no id, no path), their visitor sketch, and the same per segment",
    ),
];

/// The names of a record's fields: the visitor sketch, the engagement's, the rest of the
/// activity's, the segments, then the site rollup's own, each read from its serde layout.
fn record_fields() -> Vec<String> {
    let names = |value: serde_json::Value| -> Vec<String> {
        value.as_object().map(|fields| fields.keys().cloned().collect()).unwrap_or_default()
    };
    let engagement =
        names(serde_json::to_value(Engagement::default()).expect("an Engagement serializes"));
    let activity =
        names(serde_json::to_value(Activity::default()).expect("an Activity serializes"));
    let site = names(serde_json::to_value(SiteDay::default()).expect("a SiteDay serializes"));
    ["visitors".to_owned()]
        .into_iter()
        .chain(engagement)
        .chain(activity.into_iter().filter(|name| name != "engagement"))
        .chain(["segments".to_owned()])
        .chain(site.into_iter().filter(|name| name != "traffic"))
        .collect()
}

/// Every stored field of a day record, in the record's own order.
pub fn stored_fields() -> Vec<StoredField> {
    let described = |name: &str| FIELDS.iter().find(|(field, _, _)| *field == name);
    record_fields()
        .into_iter()
        .filter_map(|name| described(&name))
        .map(|&(name, form, description)| StoredField { name, form, description })
        .collect()
}

/// What a beacon leads to under one consent state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CollectionRow {
    /// Consent to measurement.
    pub measurement: ConsentValue,
    /// Consent to journey linking.
    pub journey: ConsentValue,
    /// Whether the beacon is counted; otherwise only its consent state is tallied.
    pub counted: bool,
    /// What is collected, in words.
    pub collected: &'static str,
}

/// For every pair of measurement and journey consent, what the edge does with a beacon under
/// `mode` — by calling the very function the edge calls, [`admit`].
pub fn collection_matrix(mode: ConsentMode) -> Vec<CollectionRow> {
    let mut rows = Vec::with_capacity(9);
    for measurement in ConsentValue::ALL {
        for journey in ConsentValue::ALL {
            let state = ConsentState { measurement, journey, ..ConsentState::default() };
            let adds = admit(state, HeaderSignals::NONE, mode).adds;
            let counted = adds.counts();
            let collected = if adds == Adds::CountedWithJourney {
                "the page view, the day's visitor sketch and the fields above, and whether an \
                 entry's visitor came before: the browser keeps the day of its last visit \
                 (never an id), and the edge accepts the flag only under journey consent; the \
                 tab keeps the time and path of its last view, so that a reload continues the \
                 visit and 30 minutes without a view end it (gone with the tab, never sent)"
            } else if counted {
                "the page view, the day's visitor sketch and the fields above; nothing is kept \
                 in the browser"
            } else {
                "only the consent state, in the day's consent tally: no page, no referrer, no id"
            };
            rows.push(CollectionRow { measurement, journey, counted, collected });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_of_the_record_is_described_and_nothing_else() {
        let fields = record_fields();
        let mut in_record: Vec<&str> = fields.iter().map(String::as_str).collect();
        let mut described: Vec<&str> = FIELDS.iter().map(|(name, _, _)| *name).collect();
        in_record.sort_unstable();
        described.sort_unstable();
        assert_eq!(in_record, described, "describe a new record field in FIELDS");
        assert_eq!(stored_fields().len(), FIELDS.len());
    }

    #[test]
    fn the_matrix_follows_the_mode() {
        let counted =
            |mode| -> Vec<bool> { collection_matrix(mode).iter().map(|row| row.counted).collect() };
        // Rows go measurement-major: granted ×3, denied ×3, unset ×3.
        assert_eq!(
            counted(ConsentMode::Exempt),
            [true, true, true, false, false, false, true, true, true]
        );
        assert_eq!(
            counted(ConsentMode::OptIn),
            [true, true, true, false, false, false, false, false, false]
        );
    }
}
