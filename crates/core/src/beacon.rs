//! The beacon: what the snippet sends to `POST /e`, and the strict checks it passes at the edge.

use std::fmt;

use serde::Deserialize;

use crate::scrub::scrub_path;
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
        if !path.starts_with('/') {
            return Err(BeaconError::InvalidField {
                field: "path",
                reason: "must start with '/'".into(),
            });
        }

        let referrer = wire.referrer.map(|host| normalize_host(&host)).transpose()?;
        Ok(Beacon { site, path: scrub_path(&path), referrer })
    }

    /// The beacon as the JSON body the snippet sends. Written by hand so that the snippet
    /// carries no JSON library; [`Beacon::parse`] reads it back.
    pub fn to_json(&self) -> String {
        let mut json = String::with_capacity(64 + self.path.len());
        json.push_str("{\"site\":");
        push_json_string(&mut json, self.site.as_str());
        json.push_str(",\"path\":");
        push_json_string(&mut json, &self.path);
        if let Some(referrer) = &self.referrer {
            json.push_str(",\"referrer\":");
            push_json_string(&mut json, referrer);
        }
        json.push('}');
        json
    }
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
        };
        assert_eq!(Beacon::parse(beacon.to_json().as_bytes()), Ok(beacon));
    }
}
