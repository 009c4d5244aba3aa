//! The site's configuration held against the conditions of the CNIL's exemption of audience
//! measurement from consent (CNIL, "Cookies et autres traceurs : solutions de mesure
//! d'audience exemptées de consentement"): each condition with a verdict and the evidence it
//! rests on. What tacit cannot see — the site's own privacy notice — is left to the site owner
//! and says so, rather than passing.

use serde::Serialize;

use super::report::{ConsentPolicy, RetentionStatus, SaltStatus};
use super::stored_fields;
use tacit_aggregate::settings::{SiteSettings, DEFAULT_K, DEFAULT_RETENTION_DAYS};
use tacit_beacon::consent::{ConsentMode, ConsentSource};

/// The longest the CNIL lets audience-measurement data be kept: 25 months, which is tacit's
/// default retention.
pub const MAX_EXEMPT_RETENTION_DAYS: u32 = DEFAULT_RETENTION_DAYS;

/// Words in a stored field's name that would mean an address or a place finer than the
/// country: the `ip_granularity` condition fails on any.
const FINER_THAN_COUNTRY: &[&str] =
    &["ip", "address", "city", "region", "postal", "zip", "latitude", "longitude", "location"];

/// The field names among `names` with a word (between underscores) of [`FINER_THAN_COUNTRY`].
fn finer_than_country<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    names.filter(|name| name.split('_').any(|word| FINER_THAN_COUNTRY.contains(&word))).collect()
}

/// A condition's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The configuration and the code meet it.
    Pass,
    /// They do not: the evidence says what to change.
    Fail,
    /// Only the site owner can meet it; tacit cannot check.
    SiteOwner,
    /// True of how tacit is built, whatever the settings; not a check made at run time (the
    /// evidence says what in the code makes it so).
    ByDesign,
}

/// One condition of the exemption.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Condition {
    /// A stable id.
    pub id: &'static str,
    /// The condition, in words.
    pub condition: &'static str,
    /// The verdict.
    pub verdict: Verdict,
    /// What the verdict rests on.
    pub evidence: String,
}

/// Every condition, with its verdict for `settings` and what the shards hold.
pub fn assess(
    settings: &SiteSettings,
    policy: &ConsentPolicy,
    salts: &SaltStatus,
    retention: &RetentionStatus,
) -> Vec<Condition> {
    let pass_if = |ok: bool| if ok { Verdict::Pass } else { Verdict::Fail };
    let fields = stored_fields();
    let finer_location = finer_than_country(fields.iter().map(|field| field.name));
    let opt_outs_honoured = policy.signals.iter().all(|signal| signal.denial_stops_counting);
    let ignored: Vec<&str> = policy
        .signals
        .iter()
        .filter(|signal| !signal.denial_stops_counting)
        .map(|signal| signal.name)
        .collect();
    vec![
        Condition {
            id: "purpose",
            condition: "Used only to measure the site's own audience, for its publisher alone",
            verdict: Verdict::ByDesign,
            evidence: format!(
                "The {} stored record fields are all counts, sketches, distributions, top-k \
                 lists or breakdowns of one site's pages; nothing is shared with another site \
                 or used for anything else.",
                fields.len()
            ),
        },
        Condition {
            id: "anonymous_statistics",
            condition: "Produces anonymous statistics only",
            verdict: pass_if(settings.k >= DEFAULT_K),
            evidence: if settings.k >= DEFAULT_K {
                format!(
                    "Breakdown rows seen by fewer than {} visitors are folded into \"(other)\" \
                     in every page, API answer and export.",
                    settings.k
                )
            } else {
                format!(
                    "k is {}: rows seen by as few as {} visitor(s) are shown. Set k to at least \
                     {DEFAULT_K}.",
                    settings.k, settings.k
                )
            },
        },
        Condition {
            id: "no_cross_tracking",
            condition: "No tracking across sites or applications, no cross-referencing with \
                        other data",
            verdict: pass_if(salts.within_limit),
            evidence: if salts.within_limit {
                format!(
                    "The visitor hash is keyed by the site and a random daily salt; {} salt(s) \
                     held, the oldest {} old (limit {} hours). No cookie or identifier is set.",
                    salts.held,
                    salts.oldest_age_hours.map_or("none".into(), |h| format!("{h:.1} hours")),
                    salts.max_age_hours
                )
            } else {
                "A salt older than 48 hours is held: visits on different days could be linked \
                 until the daily maintenance deletes it."
                    .into()
            },
        },
        Condition {
            id: "no_third_party",
            condition: "Data are not passed to third parties",
            verdict: Verdict::ByDesign,
            evidence: "The snippet sends beacons only to this edge; the records live in the \
                       site's own Durable Object; the pages load nothing from elsewhere."
                .into(),
        },
        Condition {
            id: "opt_out_honoured",
            condition: "Visitors can object, and their objection is honoured",
            verdict: pass_if(opt_outs_honoured),
            evidence: if opt_outs_honoured {
                format!(
                    "A denial from any of {} stops counting in {} mode; only the anonymous \
                     consent tally records it.",
                    policy
                        .signals
                        .iter()
                        .filter(|s| s.source != ConsentSource::Default)
                        .map(|s| s.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                    settings.consent_mode.as_str()
                )
            } else {
                format!("A denial from {} does not stop counting.", ignored.join(", "))
            },
        },
        Condition {
            id: "lifetimes",
            condition: "Trackers live at most 13 months; data are kept at most 25 months",
            verdict: pass_if(
                settings.retention_days <= MAX_EXEMPT_RETENTION_DAYS && retention.within,
            ),
            evidence: format!(
                "No cookie or stored identifier at all; the last-visit day kept in the browser \
                 only under journey consent (which the exemption does not cover) counts for 13 \
                 months, the tab's last view until the tab closes. Records are kept {} days (limit {}); the oldest held is {}.",
                settings.retention_days,
                MAX_EXEMPT_RETENTION_DAYS,
                retention.oldest_record_day.map_or("none".into(), |day| day.to_string())
            ),
        },
        Condition {
            id: "ip_granularity",
            condition: "IP addresses are not kept; location no finer than the city",
            verdict: pass_if(finer_location.is_empty()),
            evidence: if finer_location.is_empty() {
                "No stored record field holds an address or a place finer than the country \
                 (read off the records' own layout); the IP address is used in memory for the \
                 visitor hash and reduced to a country code, never written to storage or logs."
                    .into()
            } else {
                format!("Stored record fields hold addresses or places: {}.", finer_location.join(", "))
            },
        },
        Condition {
            id: "information",
            condition: "Visitors are told about the measurement and how to object",
            verdict: Verdict::SiteOwner,
            evidence: match settings.consent_mode {
                ConsentMode::Exempt => {
                    "The site's privacy notice must mention tacit and that GPC, DNT or a \
                     denial in its consent tool opts out; tacit cannot check the notice."
                }
                ConsentMode::OptIn => {
                    "The site asks for consent before counting; its consent tool's notice \
                     must describe the measurement. tacit cannot check it."
                }
            }
            .into(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::report::{AuditInput, HeldSalt, PrivacyReport, StorageFacts};
    use tacit_aggregate::Day;
    use tacit_beacon::SiteId;

    #[test]
    fn a_stored_address_or_place_finer_than_the_country_fails_ip_granularity() {
        let names = ["countries", "visitor_ip", "city", "engaged_time_ms", "tips", "geo_latitude"];
        assert_eq!(
            finer_than_country(names.into_iter()),
            vec!["visitor_ip", "city", "geo_latitude"]
        );
        let stored: Vec<&str> = stored_fields().iter().map(|field| field.name).collect();
        assert_eq!(finer_than_country(stored.into_iter()), Vec::<&str>::new());
    }

    #[test]
    fn conditions_no_setting_can_change_say_so_instead_of_passing() {
        // Issue 18: `purpose`, `no_third_party` and `ip_granularity` passed unconditionally.
        let report = report(&SiteSettings::default(), StorageFacts::default());
        assert_eq!(verdict(&report, "purpose"), Verdict::ByDesign);
        assert_eq!(verdict(&report, "no_third_party"), Verdict::ByDesign);
        assert_eq!(verdict(&report, "ip_granularity"), Verdict::Pass);
    }

    fn report(settings: &SiteSettings, facts: StorageFacts) -> PrivacyReport {
        let site = SiteId::parse("demo").unwrap();
        let today = Day::parse("2026-11-23").unwrap();
        PrivacyReport::build(AuditInput {
            site: &site,
            settings,
            now_ms: today.start_ms() + 3_600_000,
            from: today,
            to: today,
            facts,
            changes: Vec::new(),
        })
    }

    fn verdict(report: &PrivacyReport, id: &str) -> Verdict {
        report.assessment.iter().find(|c| c.id == id).unwrap().verdict
    }

    #[test]
    fn the_default_settings_meet_every_condition_tacit_can_check() {
        let report = report(&SiteSettings::default(), StorageFacts::default());
        assert!(report.exemption_conditions_met);
        assert_eq!(verdict(&report, "information"), Verdict::SiteOwner);
        assert!(report
            .assessment
            .iter()
            .all(|c| c.verdict != Verdict::Fail && !c.evidence.is_empty()));
    }

    #[test]
    fn a_small_k_a_long_retention_or_an_old_salt_each_fail_their_condition() {
        let small_k =
            report(&SiteSettings { k: 1, ..SiteSettings::default() }, StorageFacts::default());
        assert_eq!(verdict(&small_k, "anonymous_statistics"), Verdict::Fail);
        assert!(!small_k.exemption_conditions_met);

        let long = SiteSettings { retention_days: 800, ..SiteSettings::default() };
        assert_eq!(verdict(&report(&long, StorageFacts::default()), "lifetimes"), Verdict::Fail);

        let day = Day::parse("2026-11-20").unwrap();
        let stale = StorageFacts {
            salts: vec![HeldSalt { day, drawn_ms: day.start_ms() }],
            ..StorageFacts::default()
        };
        let stale = report(&SiteSettings::default(), stale);
        assert_eq!(verdict(&stale, "no_cross_tracking"), Verdict::Fail);
        assert_eq!(verdict(&stale, "anonymous_statistics"), Verdict::Pass);
    }

    #[test]
    fn a_record_older_than_the_retention_fails_the_lifetimes() {
        let settings = SiteSettings { retention_days: 30, ..SiteSettings::default() };
        let old = StorageFacts {
            oldest_record_day: Some(Day::parse("2026-01-01").unwrap()),
            ..StorageFacts::default()
        };
        assert_eq!(verdict(&report(&settings, old), "lifetimes"), Verdict::Fail);
    }
}
