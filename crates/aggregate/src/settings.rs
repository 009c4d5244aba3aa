//! A site's settings: which hostnames may send beacons, which other origins may read its
//! viewer API, the consent policy, the privacy threshold k, retention, and the bounds that keep
//! one site's storage and traffic in check.
//!
//! [`SiteSettings`] holds validated values with the defaults of DESIGN.md; a [`SettingsPatch`]
//! (the JSON an admin sends) is applied with [`SiteSettings::apply`], which validates every
//! field and answers the list of [`FieldChange`]s for the site's change log.
//!
//! ```
//! use tacit_beacon::consent::ConsentMode;
//! use tacit_aggregate::settings::{origin_hostname, SettingsPatch, SiteSettings};
//! use tacit_aggregate::Day;
//!
//! let patch: SettingsPatch =
//!     serde_json::from_str(r#"{"hostnames": ["Example.com", "*.example.com"], "k": 10}"#).unwrap();
//! let today = Day::parse("2026-12-07").unwrap();
//! let (settings, changes) = SiteSettings::default().apply(&patch, today).unwrap();
//! assert_eq!(settings.hostnames, ["example.com", "*.example.com"]);
//! assert_eq!(changes.len(), 2);
//! assert_eq!(settings.consent_mode, ConsentMode::Exempt);
//!
//! let host = origin_hostname("https://shop.example.com:8443").unwrap();
//! assert!(settings.allows_hostname(&host));
//! assert!(!settings.allows_hostname("example.org"));
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::record::DEFAULT_MAX_PAGES_PER_DAY;
use crate::Day;
use tacit_beacon::consent::ConsentMode;
use tacit_beacon::funnel::{check_step, funnel_id, MAX_FUNNELS, MAX_STEPS, MIN_STEPS};
use tacit_beacon::signal::View;

/// Default retention: 25 months (CNIL's audience-measurement exemption), 25 × 30.5 days.
pub const DEFAULT_RETENTION_DAYS: u32 = 762;
/// Default k of k-anonymity folding (breakdown rows seen by fewer visitors are folded).
pub const DEFAULT_K: u32 = 5;
/// Default beacons one visitor hash may send a site per minute.
pub const DEFAULT_VISITOR_BEACONS_PER_MINUTE: u32 = 60;
/// Default beacons a whole site may receive per minute, per shard.
pub const DEFAULT_SITE_BEACONS_PER_MINUTE: u32 = 60_000;

/// The most hostnames a site may list.
pub const MAX_HOSTNAMES: usize = 50;
/// The most origins a site may open its viewer API to.
pub const MAX_CORS_ORIGINS: usize = 20;
/// The range of k.
pub const K_RANGE: (u32, u32) = (1, 1000);
/// The range of the retention, in days (ten years at most).
pub const RETENTION_RANGE: (u32, u32) = (1, 3660);
/// The range of the number of distinct page records one day may hold.
pub const MAX_PAGES_RANGE: (u32, u32) = (1, 100_000);
/// The range of the shard count.
pub const SHARDS_RANGE: (u32, u32) = (1, 64);
/// The longest funnel name, in bytes.
pub const MAX_FUNNEL_NAME_LEN: usize = 100;
/// The range of a per-minute rate limit.
pub const RATE_RANGE: (u32, u32) = (1, 10_000_000);

/// A site's validated settings. Fields missing from stored JSON take their defaults, so
/// settings stored before a field existed still read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct SiteSettings {
    /// Hostnames whose pages may send beacons (`example.com`, or `*.example.com` for every
    /// subdomain), lowercase, without port.
    pub hostnames: Vec<String>,
    /// The consent policy.
    pub consent_mode: ConsentMode,
    /// Breakdown rows with fewer unique visitors are folded into "(other)".
    pub k: u32,
    /// Records older than this many days are deleted.
    pub retention_days: u32,
    /// Distinct page records one day may hold; later pages count as "(other)".
    pub max_pages_per_day: u32,
    /// How many Durable Objects share the site's traffic.
    pub shards: u32,
    /// Beacons one visitor hash may send per minute before `429`.
    pub visitor_beacons_per_minute: u32,
    /// Beacons the site (one shard) accepts per minute before `429`.
    pub site_beacons_per_minute: u32,
    /// Whether anyone may read the site's public summary (`/s/<site>` without a token): unique
    /// visitors only, with Laplace noise of [`SiteSettings::epsilon`] (see `tacit_report::public`).
    pub public: bool,
    /// The privacy parameter ε of the public summary's noise.
    pub epsilon: Epsilon,
    /// The query parameter of the site's search page (`q` for `/search?q=...`): its value is
    /// kept as a search term (see [`tacit_beacon::scrub::search_term`]). `None`, the default: the
    /// site keeps no search terms, even from a beacon that carries one.
    pub search_param: Option<String>,
    /// Origins (`https://dash.example`, exact: scheme, host and port) whose pages may read the
    /// site's viewer API with the viewer token, a dashboard on another origin (CORS). None by
    /// default. Stored as a browser sends `Origin`: lowercase, without the scheme's default port.
    pub cors_origins: Vec<String>,
    /// The site's funnels, at most [`MAX_FUNNELS`] (see [`tacit_beacon::funnel`]).
    pub funnels: Vec<Funnel>,
}

/// A funnel: ordered steps a visit may go through, counted from `since`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Funnel {
    /// What the pages call it: 1 to 100 bytes, unique in the site.
    pub name: String,
    /// 2 to 8 steps, each a path (`/pricing`; `*` matches any characters: `/blog/*`) or
    /// `goal:` and a goal's name (`goal:Signed up`).
    pub steps: Vec<String>,
    /// The day its steps were last set: its figures start then.
    pub since: Day,
}

impl Funnel {
    /// The id the snippet and the records know it by, which changes with its steps.
    pub fn id(&self) -> u32 {
        funnel_id(self.steps.iter().map(String::as_str))
    }

    /// Whether this is funnel `id` and it has a step `step` (from 1).
    pub fn has_step(&self, id: u32, step: u8) -> bool {
        (1..=self.steps.len()).contains(&usize::from(step)) && self.id() == id
    }
}

/// A funnel as an admin sets it: `since` is the edge's to set.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FunnelPatch {
    /// See [`Funnel::name`].
    pub name: String,
    /// See [`Funnel::steps`].
    pub steps: Vec<String>,
}

/// The smallest ε a site may choose: noise scale b = 10 Δ, about ± 30 Δ at 95 %.
pub const MIN_EPSILON: f64 = 0.1;

/// The largest ε a site may choose: b = 0.1 Δ; above it the noise protects little.
pub const MAX_EPSILON: f64 = 10.0;

/// Default ε of a public summary's noise: ± 3 visitors at 95 % on one day's count.
pub const DEFAULT_EPSILON: f64 = 1.0;

/// A valid ε: a number from [`MIN_EPSILON`] to [`MAX_EPSILON`]. Never NaN, so it can be `Eq`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Epsilon(f64);

impl Eq for Epsilon {}

impl Epsilon {
    /// ε, or the reason it is not valid.
    pub fn new(value: f64) -> Result<Epsilon, String> {
        if (MIN_EPSILON..=MAX_EPSILON).contains(&value) {
            Ok(Epsilon(value))
        } else {
            Err(format!("must be a number from {MIN_EPSILON} to {MAX_EPSILON}"))
        }
    }

    /// Its value.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl Default for Epsilon {
    fn default() -> Epsilon {
        Epsilon(DEFAULT_EPSILON)
    }
}

impl TryFrom<f64> for Epsilon {
    type Error = String;

    fn try_from(value: f64) -> Result<Epsilon, String> {
        Epsilon::new(value)
    }
}

impl From<Epsilon> for f64 {
    fn from(epsilon: Epsilon) -> f64 {
        epsilon.0
    }
}

impl Default for SiteSettings {
    fn default() -> SiteSettings {
        SiteSettings {
            hostnames: Vec::new(),
            consent_mode: ConsentMode::Exempt,
            k: DEFAULT_K,
            retention_days: DEFAULT_RETENTION_DAYS,
            max_pages_per_day: DEFAULT_MAX_PAGES_PER_DAY as u32,
            shards: 1,
            visitor_beacons_per_minute: DEFAULT_VISITOR_BEACONS_PER_MINUTE,
            site_beacons_per_minute: DEFAULT_SITE_BEACONS_PER_MINUTE,
            public: false,
            epsilon: Epsilon::default(),
            search_param: None,
            cors_origins: Vec::new(),
            funnels: Vec::new(),
        }
    }
}

/// A change an admin asks for: every field optional, no unknown field accepted.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    /// See [`SiteSettings::hostnames`].
    pub hostnames: Option<Vec<String>>,
    /// See [`SiteSettings::consent_mode`].
    pub consent_mode: Option<ConsentMode>,
    /// See [`SiteSettings::k`].
    pub k: Option<u32>,
    /// See [`SiteSettings::retention_days`].
    pub retention_days: Option<u32>,
    /// See [`SiteSettings::max_pages_per_day`].
    pub max_pages_per_day: Option<u32>,
    /// See [`SiteSettings::shards`].
    pub shards: Option<u32>,
    /// See [`SiteSettings::visitor_beacons_per_minute`].
    pub visitor_beacons_per_minute: Option<u32>,
    /// See [`SiteSettings::site_beacons_per_minute`].
    pub site_beacons_per_minute: Option<u32>,
    /// See [`SiteSettings::public`].
    pub public: Option<bool>,
    /// See [`SiteSettings::epsilon`]; checked by [`SiteSettings::apply`].
    pub epsilon: Option<f64>,
    /// See [`SiteSettings::search_param`]; the empty string removes it.
    pub search_param: Option<String>,
    /// See [`SiteSettings::cors_origins`]; the empty list removes them all.
    pub cors_origins: Option<Vec<String>>,
    /// See [`SiteSettings::funnels`]: the whole list, which replaces the current one. A funnel
    /// whose steps are unchanged keeps its figures; one with new steps starts afresh `today`.
    pub funnels: Option<Vec<FunnelPatch>>,
}

/// One field's change, for the change log: JSON texts of the old and new values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The field's name.
    pub field: &'static str,
    /// The old value as JSON.
    pub old: String,
    /// The new value as JSON.
    pub new: String,
}

/// Why a patch cannot be applied: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    /// The field at fault.
    pub field: &'static str,
    /// What a valid value looks like.
    pub reason: String,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}': {}", self.field, self.reason)
    }
}

impl std::error::Error for SettingsError {}

impl SiteSettings {
    /// The settings after `patch` on `today`, and what changed, or the first invalid field.
    /// Hostnames are lowercased and de-duplicated; a field set to its current value is not a
    /// change.
    pub fn apply(
        &self,
        patch: &SettingsPatch,
        today: Day,
    ) -> Result<(SiteSettings, Vec<FieldChange>), SettingsError> {
        let mut next = self.clone();
        if let Some(funnels) = &patch.funnels {
            next.funnels = self.funnels_after(funnels, today)?;
        }
        if let Some(hostnames) = &patch.hostnames {
            next.hostnames = normalize_hostnames(hostnames)?;
        }
        if let Some(mode) = patch.consent_mode {
            next.consent_mode = mode;
        }
        if let Some(public) = patch.public {
            next.public = public;
        }
        if let Some(epsilon) = patch.epsilon {
            next.epsilon = Epsilon::new(epsilon)
                .map_err(|reason| SettingsError { field: "epsilon", reason })?;
        }
        if let Some(name) = &patch.search_param {
            next.search_param = search_param(name)?;
        }
        if let Some(origins) = &patch.cors_origins {
            next.cors_origins = normalize_origins(origins)?;
        }
        let ranged = [
            ("k", patch.k, K_RANGE, &mut next.k),
            ("retention_days", patch.retention_days, RETENTION_RANGE, &mut next.retention_days),
            (
                "max_pages_per_day",
                patch.max_pages_per_day,
                MAX_PAGES_RANGE,
                &mut next.max_pages_per_day,
            ),
            ("shards", patch.shards, SHARDS_RANGE, &mut next.shards),
            (
                "visitor_beacons_per_minute",
                patch.visitor_beacons_per_minute,
                RATE_RANGE,
                &mut next.visitor_beacons_per_minute,
            ),
            (
                "site_beacons_per_minute",
                patch.site_beacons_per_minute,
                RATE_RANGE,
                &mut next.site_beacons_per_minute,
            ),
        ];
        for (field, value, (min, max), slot) in ranged {
            if let Some(value) = value {
                if !(min..=max).contains(&value) {
                    return Err(SettingsError {
                        field,
                        reason: format!("must be an integer from {min} to {max}"),
                    });
                }
                *slot = value;
            }
        }
        if next.shards < self.shards {
            return Err(SettingsError {
                field: "shards",
                reason: "may only grow: the records of removed shards would no longer be read"
                    .into(),
            });
        }
        let changes = self.changes_to(&next);
        Ok((next, changes))
    }

    /// The funnels `patch` sets, checked, each keeping the `since` of a current funnel with the
    /// same steps.
    fn funnels_after(
        &self,
        patch: &[FunnelPatch],
        today: Day,
    ) -> Result<Vec<Funnel>, SettingsError> {
        let error = |reason: String| SettingsError { field: "funnels", reason };
        if patch.len() > MAX_FUNNELS {
            return Err(error(format!("at most {MAX_FUNNELS} funnels")));
        }
        let mut funnels: Vec<Funnel> = Vec::with_capacity(patch.len());
        for FunnelPatch { name, steps } in patch {
            let name = name.trim();
            if name.is_empty()
                || name.len() > MAX_FUNNEL_NAME_LEN
                || name.contains(char::is_control)
            {
                return Err(error(format!(
                    "a funnel's name is 1 to {MAX_FUNNEL_NAME_LEN} bytes of text"
                )));
            }
            if !(MIN_STEPS..=MAX_STEPS).contains(&steps.len()) {
                return Err(error(format!(
                    "the funnel '{name}' has {} steps: a funnel has {MIN_STEPS} to {MAX_STEPS}",
                    steps.len()
                )));
            }
            for step in steps {
                check_step(step).map_err(|why| error(format!("'{step}' in '{name}': {why}")))?;
            }
            let mut funnel = Funnel { name: name.to_owned(), steps: steps.clone(), since: today };
            if let Some(twin) =
                funnels.iter().find(|f| f.name == funnel.name || f.id() == funnel.id())
            {
                return Err(error(format!(
                    "the funnels '{}' and '{name}' have the same name or the same steps",
                    twin.name
                )));
            }
            if let Some(current) = self.funnels.iter().find(|f| f.id() == funnel.id()) {
                funnel.since = current.since;
            }
            funnels.push(funnel);
        }
        Ok(funnels)
    }

    /// The fields that differ between `self` and `other`, as JSON texts.
    pub fn changes_to(&self, other: &SiteSettings) -> Vec<FieldChange> {
        let (Value::Object(old), Value::Object(new)) = (to_json(self), to_json(other)) else {
            unreachable!("settings serialize to a JSON object")
        };
        FIELDS
            .iter()
            .filter(|field| old.get(**field) != new.get(**field))
            .map(|field| FieldChange {
                field,
                old: old.get(*field).map(Value::to_string).unwrap_or_default(),
                new: new.get(*field).map(Value::to_string).unwrap_or_default(),
            })
            .collect()
    }

    /// Whether a page on `hostname` (lowercase, no port) may send this site beacons.
    pub fn allows_hostname(&self, hostname: &str) -> bool {
        self.hostnames.iter().any(|allowed| match allowed.strip_prefix("*.") {
            Some(parent) => {
                hostname.len() > parent.len() + 1
                    && hostname.ends_with(parent)
                    && hostname.as_bytes()[hostname.len() - parent.len() - 1] == b'.'
            }
            None => allowed == hostname,
        })
    }

    /// Whether a page of `origin` (an `Origin` header) may read the site's viewer API.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.cors_origins.iter().any(|allowed| allowed == origin)
    }

    /// `view` as this site keeps it: without its search term unless the site has a search
    /// parameter (a site that did not ask for search terms never stores one).
    pub fn keep_asked(&self, view: &mut View) {
        if self.search_param.is_none() {
            view.search_term = None;
        }
    }
}

/// Every settings field, in the order changes are listed.
const FIELDS: [&str; 13] = [
    "hostnames",
    "consent_mode",
    "k",
    "retention_days",
    "max_pages_per_day",
    "shards",
    "visitor_beacons_per_minute",
    "site_beacons_per_minute",
    "public",
    "epsilon",
    "search_param",
    "cors_origins",
    "funnels",
];

fn to_json(settings: &SiteSettings) -> Value {
    serde_json::to_value(settings).expect("settings serialize")
}

/// The longest search parameter name.
pub const MAX_SEARCH_PARAM_LEN: usize = 32;

/// A search parameter name: letters, digits, `_`, `-` and `.`, at most
/// [`MAX_SEARCH_PARAM_LEN`]; the empty string is none.
fn search_param(name: &str) -> Result<Option<String>, SettingsError> {
    if name.is_empty() {
        return Ok(None);
    }
    let allowed = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.');
    if name.len() > MAX_SEARCH_PARAM_LEN || !name.bytes().all(allowed) {
        return Err(SettingsError {
            field: "search_param",
            reason: format!(
                "must be a query parameter name such as q: up to {MAX_SEARCH_PARAM_LEN} letters, \
                 digits, '_', '-' or '.' (the empty string removes it)"
            ),
        });
    }
    Ok(Some(name.to_owned()))
}

fn normalize_hostnames(hostnames: &[String]) -> Result<Vec<String>, SettingsError> {
    normalized_list("hostnames", hostnames, MAX_HOSTNAMES, |hostname| {
        let lower = hostname.trim().to_ascii_lowercase();
        if is_valid_hostname(lower.strip_prefix("*.").unwrap_or(&lower)) {
            Ok(lower)
        } else {
            Err(format!(
                "'{hostname}' is not a hostname (letters, digits, '-' and '.', no scheme or port; \
                 '*.' in front allows every subdomain)"
            ))
        }
    })
}

fn normalize_origins(origins: &[String]) -> Result<Vec<String>, SettingsError> {
    normalized_list("cors_origins", origins, MAX_CORS_ORIGINS, |origin| {
        serialized_origin(origin).ok_or_else(|| {
            format!(
                "'{origin}' is not an origin: http:// or https://, a hostname and an optional \
                 port, nothing after it (no path, not even '/'), and no '*'"
            )
        })
    })
}

/// The list setting `field`: at most `max` items, each in the form `normalize` gives it (or
/// the reason it is not valid), without repeats, in their order.
fn normalized_list(
    field: &'static str,
    items: &[String],
    max: usize,
    normalize: impl Fn(&str) -> Result<String, String>,
) -> Result<Vec<String>, SettingsError> {
    if items.len() > max {
        return Err(SettingsError { field, reason: format!("at most {max} items") });
    }
    let mut normalized: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let item = normalize(item).map_err(|reason| SettingsError { field, reason })?;
        if !normalized.contains(&item) {
            normalized.push(item);
        }
    }
    Ok(normalized)
}

/// `origin` as a browser serializes it in `Origin` (lowercase, without the scheme's default
/// port), or `None` when it is not `http(s)://host[:port]` exactly.
fn serialized_origin(origin: &str) -> Option<String> {
    let lower = origin.trim().to_ascii_lowercase();
    let (scheme, authority) = lower.split_once("://")?;
    let default_port = match scheme {
        "https" => "443",
        "http" => "80",
        _ => return None,
    };
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if !is_valid_hostname(host) {
        return None;
    }
    match port {
        None => Some(format!("{scheme}://{host}")),
        Some(port) if port == default_port => Some(format!("{scheme}://{host}")),
        Some(port) => {
            let number: u16 = port.parse().ok().filter(|&n| n > 0)?;
            // The number as written back: no sign, no leading zero.
            (number.to_string() == port).then(|| format!("{scheme}://{host}:{port}"))
        }
    }
}

fn is_valid_hostname(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// The hostname of an `Origin` header (`https://shop.example.com:8443` →
/// `shop.example.com`), lowercase; `None` for `null` and anything that is not an HTTP(S) origin.
pub fn origin_hostname(origin: &str) -> Option<String> {
    let rest = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"))?;
    let authority = rest.split('/').next().unwrap_or_default();
    let host = if let Some(v6) = authority.strip_prefix('[') {
        // [::1]:8080 → [::1]; never allowed by a hostname list, but parsed all the same.
        &authority[..v6.find(']')? + 2]
    } else {
        authority.rsplit_once(':').map_or(authority, |(host, _port)| host)
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// In the OpenAPI document ε is the number it is in JSON, from [`MIN_EPSILON`] to [`MAX_EPSILON`].
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Epsilon {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::Number)
            .minimum(Some(MIN_EPSILON))
            .maximum(Some(MAX_EPSILON))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Epsilon {}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(json: &str) -> SettingsPatch {
        serde_json::from_str(json).unwrap()
    }

    fn today() -> Day {
        Day::parse("2026-12-07").unwrap()
    }

    #[test]
    fn a_funnel_keeps_its_figures_while_its_steps_stay_and_starts_afresh_when_they_change() {
        let signup = r#"{"funnels": [{"name": "Signup", "steps": ["/pricing", "/signup", "goal:Signed up"]}]}"#;
        let (first, changes) = SiteSettings::default().apply(&patch(signup), today()).unwrap();
        assert_eq!(first.funnels[0].since, today());
        assert_eq!(changes[0].field, "funnels");
        let later = Day::from_days_since_epoch(today().days_since_epoch() + 3);
        let renamed = signup.replace("Signup", "Sign-up");
        let (renamed, _) = first.apply(&patch(&renamed), later).unwrap();
        assert_eq!(
            (renamed.funnels[0].since, renamed.funnels[0].id()),
            (today(), first.funnels[0].id())
        );
        let shorter = signup.replace(r#", "/signup""#, "");
        let (changed, _) = renamed.apply(&patch(&shorter), later).unwrap();
        assert_eq!(changed.funnels[0].since, later);
        assert_ne!(changed.funnels[0].id(), first.funnels[0].id());
        let (none, _) = changed.apply(&patch(r#"{"funnels": []}"#), later).unwrap();
        assert!(none.funnels.is_empty());
    }

    #[test]
    fn refuses_funnels_that_cannot_be_counted_and_says_why() {
        let funnel =
            |name: &str, steps: &str| format!(r#"{{"name": "{name}", "steps": [{steps}]}}"#);
        let refused = |funnels: &[String]| {
            let json = format!(r#"{{"funnels": [{}]}}"#, funnels.join(","));
            SiteSettings::default().apply(&patch(&json), today()).unwrap_err()
        };
        let two = r#""/a", "/b""#;
        for wrong in [
            vec![funnel("One step", r#""/a""#)],
            vec![funnel("Nine", &[r#""/a""#; 9].join(","))],
            vec![funnel("No slash", r#""/a", "pricing""#)],
            vec![funnel("Empty goal", r#""/a", "goal:""#)],
            vec![funnel("", two)],
            vec![funnel("Twice", two), funnel("Twice", r#""/c", "/d""#)],
            vec![funnel("Same steps", two), funnel("Other name", two)],
            (0..11).map(|i| funnel(&format!("F{i}"), &format!(r#""/{i}", "/b""#))).collect(),
        ] {
            let error = refused(&wrong);
            assert_eq!(error.field, "funnels", "{wrong:?}");
            assert!(!error.reason.is_empty());
        }
        let unknown =
            r#"{"funnels": [{"name": "A", "steps": ["/a", "/b"], "since": "2026-01-01"}]}"#;
        assert!(serde_json::from_str::<SettingsPatch>(unknown).is_err(), "since is the edge's");
    }

    #[test]
    fn defaults_follow_the_design() {
        let settings = SiteSettings::default();
        assert_eq!(settings.k, 5);
        assert_eq!(settings.retention_days, 762);
        assert_eq!(settings.max_pages_per_day as usize, DEFAULT_MAX_PAGES_PER_DAY);
        assert_eq!(settings.shards, 1);
        assert_eq!(settings.consent_mode, ConsentMode::Exempt);
        assert!(settings.hostnames.is_empty());
        // Stored settings from before a field existed read with that field's default.
        let stored: SiteSettings = serde_json::from_str(r#"{"k": 3}"#).unwrap();
        assert_eq!(stored, SiteSettings { k: 3, ..SiteSettings::default() });
    }

    #[test]
    fn applies_a_patch_and_lists_only_what_changed() {
        let (settings, changes) = SiteSettings::default()
            .apply(&patch(r#"{"consent_mode": "opt-in", "k": 5, "retention_days": 30}"#), today())
            .unwrap();
        assert_eq!(settings.consent_mode, ConsentMode::OptIn);
        assert_eq!(settings.retention_days, 30);
        assert_eq!(
            changes,
            [
                FieldChange {
                    field: "consent_mode",
                    old: "\"exempt\"".into(),
                    new: "\"opt-in\"".into()
                },
                FieldChange { field: "retention_days", old: "762".into(), new: "30".into() },
            ]
        );
    }

    #[test]
    fn a_site_keeps_search_terms_only_once_it_names_its_search_parameter() {
        let view = || View { search_term: Some("refund".into()), ..View::sample() };
        let mut kept = view();
        SiteSettings::default().keep_asked(&mut kept);
        assert_eq!(kept.search_term, None, "no search parameter: no terms");

        let (with_q, changes) =
            SiteSettings::default().apply(&patch(r#"{"search_param": "q"}"#), today()).unwrap();
        assert_eq!(with_q.search_param.as_deref(), Some("q"));
        assert_eq!(
            changes[0],
            FieldChange { field: "search_param", old: "null".into(), new: "\"q\"".into() }
        );
        let mut kept = view();
        with_q.keep_asked(&mut kept);
        assert_eq!(kept.search_term.as_deref(), Some("refund"));

        let (removed, _) = with_q.apply(&patch(r#"{"search_param": ""}"#), today()).unwrap();
        assert_eq!(removed.search_param, None);
        // Stored before the field existed: none.
        let stored: SiteSettings = serde_json::from_str(r#"{"k": 5}"#).unwrap();
        assert_eq!(stored.search_param, None);
    }

    #[test]
    fn refuses_values_out_of_range_naming_the_field() {
        for (json, field) in [
            (r#"{"k": 0}"#, "k"),
            (r#"{"retention_days": 0}"#, "retention_days"),
            (r#"{"shards": 65}"#, "shards"),
            (r#"{"max_pages_per_day": 0}"#, "max_pages_per_day"),
            (r#"{"visitor_beacons_per_minute": 0}"#, "visitor_beacons_per_minute"),
            (r#"{"hostnames": ["https://example.com"]}"#, "hostnames"),
            (r#"{"hostnames": ["example.com:8080"]}"#, "hostnames"),
            (r#"{"hostnames": [""]}"#, "hostnames"),
            (r#"{"hostnames": ["-x.com"]}"#, "hostnames"),
            (r#"{"epsilon": 0.01}"#, "epsilon"),
            (r#"{"epsilon": 11}"#, "epsilon"),
            (r#"{"search_param": "q&x"}"#, "search_param"),
            (r#"{"search_param": "a b"}"#, "search_param"),
            (r#"{"search_param": "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"}"#, "search_param"),
        ] {
            assert_eq!(
                SiteSettings::default().apply(&patch(json), today()).unwrap_err().field,
                field,
                "{json}"
            );
        }
        let four = SiteSettings { shards: 4, ..SiteSettings::default() };
        assert_eq!(four.apply(&patch(r#"{"shards": 2}"#), today()).unwrap_err().field, "shards");
        assert_eq!(four.apply(&patch(r#"{"shards": 8}"#), today()).unwrap().0.shards, 8);
        let (public, changes) = SiteSettings::default()
            .apply(&patch(r#"{"public": true, "epsilon": 0.5}"#), today())
            .unwrap();
        assert!(public.public);
        assert_eq!(public.epsilon.get(), 0.5);
        assert_eq!(changes.iter().map(|c| c.field).collect::<Vec<_>>(), ["public", "epsilon"]);
        assert_eq!(serde_json::to_value(public).unwrap()["epsilon"], 0.5);
        // A stored ε out of range does not read: settings are only ever written checked.
        assert!(serde_json::from_str::<SiteSettings>(r#"{"epsilon": 0}"#).is_err());
        // k = 1 (no folding) is allowed.
        assert_eq!(SiteSettings::default().apply(&patch(r#"{"k": 1}"#), today()).unwrap().0.k, 1);
    }

    #[test]
    fn refuses_unknown_fields_and_wrong_types() {
        for json in [
            r#"{"colour": "red"}"#,
            r#"{"k": "5"}"#,
            r#"{"consent_mode": "sometimes"}"#,
            r#"{"k": -1}"#,
        ] {
            assert!(serde_json::from_str::<SettingsPatch>(json).is_err(), "{json}");
        }
    }

    #[test]
    fn matches_hostnames_exactly_or_by_subdomain_wildcard() {
        let (settings, _) = SiteSettings::default()
            .apply(
                &patch(
                    r#"{"hostnames": ["LOCALHOST", "localhost", "*.example.com", "127.0.0.1"]}"#,
                ),
                today(),
            )
            .unwrap();
        assert_eq!(settings.hostnames, ["localhost", "*.example.com", "127.0.0.1"]);
        for host in ["localhost", "127.0.0.1", "www.example.com", "a.b.example.com"] {
            assert!(settings.allows_hostname(host), "{host}");
        }
        for host in ["example.com", "badexample.com", "example.com.evil.net", "127.0.0.2", ""] {
            assert!(!settings.allows_hostname(host), "{host}");
        }
    }

    #[test]
    fn opens_the_viewer_api_to_listed_origins_only_as_a_browser_sends_them() {
        let (settings, changes) = SiteSettings::default()
            .apply(
                &patch(
                    r#"{"cors_origins": ["https://Dash.Example", "https://dash.example:443",
                    "http://localhost:5173", "http://10.0.0.2:80"]}"#,
                ),
                today(),
            )
            .unwrap();
        assert_eq!(
            settings.cors_origins,
            ["https://dash.example", "http://localhost:5173", "http://10.0.0.2"]
        );
        assert_eq!(changes[0].field, "cors_origins");
        for origin in ["https://dash.example", "http://localhost:5173", "http://10.0.0.2"] {
            assert!(settings.allows_origin(origin), "{origin}");
        }
        for origin in [
            "http://dash.example",
            "https://dash.example:8443",
            "https://sub.dash.example",
            "https://dash.example.evil.net",
            "http://localhost",
            "null",
            "",
        ] {
            assert!(!settings.allows_origin(origin), "{origin}");
        }
        // None by default, and the empty list closes it again.
        assert!(SiteSettings::default().cors_origins.is_empty());
        assert!(!SiteSettings::default().allows_origin("https://dash.example"));
        let (closed, _) = settings.apply(&patch(r#"{"cors_origins": []}"#), today()).unwrap();
        assert!(closed.cors_origins.is_empty());
    }

    #[test]
    fn refuses_an_origin_that_is_not_exact() {
        for origin in [
            "*",
            "dash.example",
            "https://dash.example/",
            "https://dash.example/app",
            "https://dash.example?x",
            "ftp://dash.example",
            "https://user@dash.example",
            "https://*.dash.example",
            "https://dash.example:0",
            "https://dash.example:99999",
            "https://dash.example:08443",
            "https://dash.example:",
            "https://",
            "null",
        ] {
            let json = serde_json::json!({ "cors_origins": [origin] }).to_string();
            let error = SiteSettings::default().apply(&patch(&json), today()).unwrap_err();
            assert_eq!(error.field, "cors_origins", "{origin}");
        }
        let many: Vec<String> =
            (0..=MAX_CORS_ORIGINS).map(|n| format!("https://d{n}.example")).collect();
        let json = serde_json::json!({ "cors_origins": many }).to_string();
        assert!(SiteSettings::default().apply(&patch(&json), today()).is_err());
    }

    #[test]
    fn reads_the_hostname_of_an_origin_header() {
        assert_eq!(origin_hostname("http://localhost:8788").as_deref(), Some("localhost"));
        assert_eq!(
            origin_hostname("https://Shop.Example.com").as_deref(),
            Some("shop.example.com")
        );
        assert_eq!(origin_hostname("http://[::1]:8080").as_deref(), Some("[::1]"));
        assert_eq!(origin_hostname("null"), None);
        assert_eq!(origin_hostname("file://"), None);
        assert_eq!(origin_hostname("https://"), None);
    }
}
