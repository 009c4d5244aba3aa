//! The request's `cf` object, Cloudflare's facts about a request, read with serde-wasm-bindgen
//! into a struct of exactly what tacit may use: the country, and Cloudflare's verified-bot flag
//! and bot score where the zone has Bot Management. Nothing else of it (the city, the
//! coordinates, the network, the TLS fingerprint) is read.
//!
//! Every field is read on its own and is optional: a field that is missing or of another type
//! (a score that is a string) is ignored, and the beacon is counted as if the zone did not
//! provide it. Under `wrangler dev`, `cf` is a placeholder: the country is always `US` and Bot
//! Management gives every request a score of 99 and no verified bot.

use serde::de::{Deserialize, Deserializer, IgnoredAny};
use tacit_beacon::agent::CloudflareBotManagement;
use wasm_bindgen::JsValue;

/// What the worker reads of `cf`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CfFacts {
    /// The country Cloudflare places the address in, as Cloudflare spells it.
    pub country: Option<String>,
    /// What Bot Management says, all unset where the zone does not have it.
    pub bot_management: CloudflareBotManagement,
}

impl CfFacts {
    /// Reads `cf`, the request's `cf` property as it is (`undefined` when the runtime gave the
    /// request none). Never fails: what cannot be read is left out.
    pub fn read(cf: JsValue) -> CfFacts {
        serde_wasm_bindgen::from_value::<Option<CfProperties>>(cf)
            .ok()
            .flatten()
            .map(CfFacts::from)
            .unwrap_or_default()
    }
}

/// The fields of `cf` that tacit may use, each read if it has the expected type.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct CfProperties {
    #[serde(default, deserialize_with = "if_well_typed")]
    country: Option<String>,
    #[serde(default, deserialize_with = "if_well_typed")]
    bot_management: Option<BotManagement>,
}

/// `cf.botManagement`, where the zone has Bot Management.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct BotManagement {
    #[serde(default, deserialize_with = "if_well_typed")]
    verified_bot: Option<bool>,
    #[serde(default, deserialize_with = "if_well_typed")]
    score: Option<u8>,
}

impl From<CfProperties> for CfFacts {
    fn from(cf: CfProperties) -> CfFacts {
        let bot_management = cf.bot_management.unwrap_or_default();
        CfFacts {
            country: cf.country,
            bot_management: CloudflareBotManagement {
                verified_bot: bot_management.verified_bot.unwrap_or(false),
                score: bot_management.score,
            },
        }
    }
}

/// A field's value if it reads as a `T`, else `None`: a field of another type is ignored rather
/// than failing the whole of `cf`.
fn if_well_typed<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum WellTyped<T> {
        Yes(T),
        No(IgnoredAny),
    }
    Ok(match WellTyped::<T>::deserialize(deserializer)? {
        WellTyped::Yes(value) => Some(value),
        WellTyped::No(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `cf` as serde reads it from `value`: the derive the worker's serde-wasm-bindgen runs, fed
    /// by serde_json.
    fn facts(value: serde_json::Value) -> CfFacts {
        serde_json::from_value::<Option<CfProperties>>(value)
            .unwrap()
            .map(CfFacts::from)
            .unwrap_or_default()
    }

    fn bot_management(verified_bot: bool, score: Option<u8>) -> CloudflareBotManagement {
        CloudflareBotManagement { verified_bot, score }
    }

    #[test]
    fn no_cf_object_is_no_facts() {
        assert_eq!(facts(json!(null)), CfFacts::default());
        assert_eq!(facts(json!({})), CfFacts::default());
    }

    #[test]
    fn wrangler_devs_placeholder_is_a_person_in_the_us() {
        // Miniflare's placeholder `cf`, abridged.
        let placeholder = json!({
            "asn": 395747, "colo": "DFW", "city": "Austin", "country": "US",
            "latitude": "30.27130", "longitude": "-97.74260", "clientTrustScore": 99,
            "botManagement": {
                "corporateProxy": false, "verifiedBot": false,
                "ja3Hash": "25b4882c2bcb50cd6b469ff28c596742", "staticResource": false,
                "detectionIds": [], "score": 99
            }
        });
        let facts = facts(placeholder);
        assert_eq!(facts.country.as_deref(), Some("US"));
        assert_eq!(facts.bot_management, bot_management(false, Some(99)));
        assert!(!facts.bot_management.is_bot());
    }

    #[test]
    fn a_zone_without_bot_management_gives_the_country_only() {
        let facts = facts(json!({ "country": "CH", "colo": "ZRH" }));
        assert_eq!(facts.country.as_deref(), Some("CH"));
        assert_eq!(facts.bot_management, CloudflareBotManagement::default());
    }

    #[test]
    fn reads_the_verified_bot_flag_and_the_score() {
        let verified = facts(json!({ "botManagement": { "verifiedBot": true, "score": 1 } }));
        assert_eq!(verified.bot_management, bot_management(true, Some(1)));
        assert!(verified.bot_management.is_bot());
        let low = facts(
            json!({ "country": "DE", "botManagement": { "verifiedBot": false, "score": 12 } }),
        );
        assert_eq!(low.bot_management, bot_management(false, Some(12)));
        assert!(low.bot_management.is_bot());
        let high = facts(
            json!({ "country": "DE", "botManagement": { "verifiedBot": false, "score": 87 } }),
        );
        assert_eq!(high.bot_management, bot_management(false, Some(87)));
        assert!(!high.bot_management.is_bot());
    }

    #[test]
    fn a_malformed_field_is_ignored_and_the_rest_is_read() {
        let string_score = facts(
            json!({ "country": "FR", "botManagement": { "score": "12", "verifiedBot": true } }),
        );
        assert_eq!(string_score.country.as_deref(), Some("FR"));
        assert_eq!(string_score.bot_management, bot_management(true, None));
        for score in [json!(-1), json!(12.5), json!(300), json!(null), json!([12])] {
            let read = facts(json!({ "botManagement": { "score": score } }));
            assert_eq!(read.bot_management, CloudflareBotManagement::default(), "{score}");
        }
        let odd = facts(json!({ "country": 756, "botManagement": "yes" }));
        assert_eq!(odd, CfFacts::default());
        let flag = facts(json!({ "botManagement": { "verifiedBot": "true", "score": 45 } }));
        assert_eq!(flag.bot_management, bot_management(false, Some(45)));
    }
}
