//! The beacon: what the snippet sends to `POST /e`, and the strict checks it passes at the edge.

use std::fmt;

use serde::Deserialize;

use crate::scrub::{scrub_path, Utm};
use crate::SiteId;

/// The largest beacon body accepted, in bytes.
pub const MAX_BEACON_BYTES: usize = 4096;

/// The longest referrer host accepted (the DNS limit).
const MAX_HOST_LEN: usize = 253;

/// A validated page-view beacon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Beacon {
    /// The site the page belongs to.
    pub site: SiteId,
    /// The page's path, scrubbed (see [`scrub_path`]).
    pub path: String,
    /// The host of the referring page, when the visitor came from another site.
    pub referrer: Option<String>,
    /// The scrubbed path of the referring page, when the visitor came from this site.
    pub previous: Option<String>,
    /// The page URL's campaign tags.
    pub utm: Utm,
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
    /// A field is present but its value is not acceptable.
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
/// by name, unknown ones refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireBeacon {
    site: Option<String>,
    path: Option<String>,
    referrer: Option<String>,
    previous: Option<String>,
    #[serde(default)]
    utm: Utm,
}

impl Beacon {
    /// Parses and validates a request body. The path is scrubbed again here: the edge never
    /// trusts the client to have done it. Whether the site exists is for the caller to check.
    pub fn parse(body: &[u8]) -> Result<Beacon, BeaconError> {
        if body.len() > MAX_BEACON_BYTES {
            return Err(BeaconError::TooLarge { len: body.len() });
        }
        let wire: WireBeacon =
            serde_json::from_slice(body).map_err(|e| BeaconError::Malformed(e.to_string()))?;

        let site = wire.site.ok_or(BeaconError::MissingField("site"))?;
        let site = SiteId::parse(&site)
            .map_err(|e| BeaconError::InvalidField { field: "site", reason: e.to_string() })?;

        let path = wire.path.ok_or(BeaconError::MissingField("path"))?;
        let path = site_path("path", &path)?;
        let previous =
            wire.previous.map(|previous| site_path("previous", &previous)).transpose()?;
        let referrer = wire.referrer.map(|host| normalize_host(&host)).transpose()?;
        if referrer.is_some() && previous.is_some() {
            return Err(BeaconError::InvalidField {
                field: "previous",
                reason: "cannot be sent with 'referrer': a view comes from this site or another"
                    .into(),
            });
        }
        Ok(Beacon { site, path, referrer, previous, utm: wire.utm.cleaned() })
    }

    /// Whether the view starts a visit: it did not come from another page of the site.
    pub fn is_entry(&self) -> bool {
        self.previous.is_none()
    }

    /// The beacon as the JSON body the snippet sends. Written by hand so that the snippet
    /// carries no JSON library; [`Beacon::parse`] reads it back.
    pub fn to_json(&self) -> String {
        let mut json = String::with_capacity(64 + self.path.len());
        json.push_str("{\"site\":");
        push_json_string(&mut json, self.site.as_str());
        json.push_str(",\"path\":");
        push_json_string(&mut json, &self.path);
        for (name, value) in [("referrer", &self.referrer), ("previous", &self.previous)] {
            if let Some(value) = value {
                push_json_field(&mut json, name, value);
            }
        }
        let utm = &self.utm;
        let tags = [("source", &utm.source), ("medium", &utm.medium), ("campaign", &utm.campaign)];
        if tags.iter().any(|(_, value)| value.is_some()) {
            json.push_str(",\"utm\":{");
            let mut first = true;
            for (name, value) in tags {
                if let Some(value) = value {
                    if !first {
                        json.push(',');
                    }
                    first = false;
                    push_json_string(&mut json, name);
                    json.push(':');
                    push_json_string(&mut json, value);
                }
            }
            json.push('}');
        }
        json.push('}');
        json
    }
}

/// A path the beacon names: it must start with `/`, and is scrubbed again here.
fn site_path(field: &'static str, path: &str) -> Result<String, BeaconError> {
    if path.starts_with('/') {
        Ok(scrub_path(path))
    } else {
        Err(BeaconError::InvalidField { field, reason: "must start with '/'".into() })
    }
}

/// Appends `,"name":"value"`.
fn push_json_field(json: &mut String, name: &str, value: &str) {
    json.push(',');
    push_json_string(json, name);
    json.push(':');
    push_json_string(json, value);
}

/// Lower-cases a referrer host and checks it is a plausible host name (letters, digits, `-`,
/// `.`, and `:` for a port or IPv6), so that a URL or markup never passes for one.
fn normalize_host(host: &str) -> Result<String, BeaconError> {
    let host = host.to_ascii_lowercase();
    let host_char =
        |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':' | b'[' | b']');
    if host.is_empty() || host.len() > MAX_HOST_LEN || !host.bytes().all(host_char) {
        return Err(BeaconError::InvalidField {
            field: "referrer",
            reason: "must be a host name such as news.example.com".into(),
        });
    }
    Ok(host)
}

/// Appends `text` as a JSON string literal.
fn push_json_string(json: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    json.push('"');
    for c in text.chars() {
        match c {
            '"' => json.push_str("\\\""),
            '\\' => json.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                json.push_str("\\u00");
                json.push(HEX[(c as usize) >> 4] as char);
                json.push(HEX[(c as usize) & 0xf] as char);
            }
            c => json.push(c),
        }
    }
    json.push('"');
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

impl std::error::Error for BeaconError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<Beacon, BeaconError> {
        Beacon::parse(body.as_bytes())
    }

    #[test]
    fn accepts_a_page_view_and_scrubs_its_path_again() {
        let beacon = parse(
            r#"{"site":"demo","path":"/u/jane@example.com?x=1","referrer":"News.Example.com"}"#,
        )
        .unwrap();
        assert_eq!(beacon.site.as_str(), "demo");
        assert_eq!(beacon.path, "/u/:email");
        assert_eq!(beacon.referrer.as_deref(), Some("news.example.com"));
        assert_eq!(parse(r#"{"site":"demo","path":"/"}"#).unwrap().referrer, None);
    }

    #[test]
    fn names_the_missing_field() {
        assert_eq!(parse(r#"{"site":"demo"}"#), Err(BeaconError::MissingField("path")));
        assert_eq!(parse(r#"{"path":"/"}"#), Err(BeaconError::MissingField("site")));
    }

    #[test]
    fn refuses_bad_json_wrong_types_and_unknown_fields() {
        for body in [
            "",
            "{",
            "not json",
            "[]",
            r#"{"site":1,"path":"/"}"#,
            r#"{"site":"demo","path":"/","ip":"203.0.113.9"}"#,
            "\u{0}",
        ] {
            assert!(matches!(parse(body), Err(BeaconError::Malformed(_))), "{body:?}");
        }
        assert!(matches!(Beacon::parse(&[0xff, 0xfe]), Err(BeaconError::Malformed(_))));
    }

    #[test]
    fn refuses_invalid_values() {
        let invalid = |body: &str| match parse(body) {
            Err(BeaconError::InvalidField { field, .. }) => field,
            other => panic!("{body}: {other:?}"),
        };
        assert_eq!(invalid(r#"{"site":"Demo!","path":"/"}"#), "site");
        assert_eq!(invalid(r#"{"site":"demo","path":"pricing"}"#), "path");
        assert_eq!(invalid(r#"{"site":"demo","path":"/","referrer":"<img src=x>"}"#), "referrer");
        assert_eq!(
            invalid(r#"{"site":"demo","path":"/","referrer":"https://a.com/x"}"#),
            "referrer"
        );
    }

    #[test]
    fn refuses_oversized_bodies_before_parsing() {
        let body = format!(r#"{{"site":"demo","path":"/{}"}}"#, "a".repeat(MAX_BEACON_BYTES));
        assert_eq!(parse(&body), Err(BeaconError::TooLarge { len: body.len() }));
    }

    #[test]
    fn to_json_round_trips_through_parse() {
        let beacon = Beacon {
            site: SiteId::parse("demo").unwrap(),
            path: "/quote\"back\\slash\u{1}/café".into(),
            referrer: Some("news.example.com".into()),
            previous: None,
            utm: Utm {
                source: Some("news".into()),
                medium: None,
                campaign: Some("Launch \"26\"".into()),
            },
        };
        assert_eq!(Beacon::parse(beacon.to_json().as_bytes()), Ok(beacon.clone()));
        let internal = Beacon {
            referrer: None,
            previous: Some("/docs".into()),
            utm: Utm::default(),
            ..beacon
        };
        assert_eq!(Beacon::parse(internal.to_json().as_bytes()), Ok(internal));
    }

    #[test]
    fn a_view_from_the_site_is_not_an_entry() {
        let internal = parse(r#"{"site":"demo","path":"/b","previous":"/a?x=1"}"#).unwrap();
        assert_eq!(internal.previous.as_deref(), Some("/a"));
        assert!(!internal.is_entry());
        assert!(parse(r#"{"site":"demo","path":"/b","referrer":"t.co"}"#).unwrap().is_entry());
        assert!(matches!(
            parse(r#"{"site":"demo","path":"/b","referrer":"t.co","previous":"/a"}"#),
            Err(BeaconError::InvalidField { field: "previous", .. })
        ));
    }

    #[test]
    fn cleans_campaign_tags_again() {
        let beacon = parse(r#"{"site":"demo","path":"/","utm":{"source":" NewsLetter ","campaign":"jane@example.com"}}"#)
            .unwrap();
        assert_eq!(beacon.utm.source.as_deref(), Some("newsletter"));
        assert_eq!(beacon.utm.campaign, None, "an e-mail address is never kept");
    }
}
