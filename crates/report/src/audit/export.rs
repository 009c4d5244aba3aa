//! The export a privacy officer files with a DPIA or the record of processing activities
//! (GDPR art. 30): the processing described in the record's own headings, then the whole
//! privacy report it rests on.

use serde::Serialize;

use super::report::PrivacyReport;
use tacit_aggregate::settings::SiteSettings;
use tacit_beacon::consent::ConsentMode;

/// The export's format name; a new one is a new version.
pub const EXPORT_FORMAT: &str = "tacit-privacy-export/1";

/// The export: the record of processing and the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrivacyExport {
    /// [`EXPORT_FORMAT`].
    pub format: &'static str,
    /// The processing, under the record's headings.
    pub record_of_processing: RecordOfProcessing,
    /// The privacy report as the privacy page shows it.
    pub report: PrivacyReport,
}

/// The processing tacit does for one site, under the headings of GDPR art. 30(1).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordOfProcessing {
    /// Who decides the processing: the site's publisher, whom tacit does not know.
    pub controller: &'static str,
    /// Why.
    pub purposes: Vec<&'static str>,
    /// The legal basis, which follows from the consent mode.
    pub legal_basis: &'static str,
    /// Whose data.
    pub data_subjects: String,
    /// What personal data are processed, and for how long each exists.
    pub personal_data: Vec<&'static str>,
    /// Who receives them.
    pub recipients: &'static str,
    /// Transfers outside the EU.
    pub transfers: &'static str,
    /// How long each kind is kept (from the report's inventory).
    pub retention: Vec<String>,
    /// The technical and organisational measures.
    pub security_measures: Vec<&'static str>,
}

impl PrivacyExport {
    /// The export of `report` for a site with `settings`.
    pub fn new(report: PrivacyReport, settings: &SiteSettings) -> PrivacyExport {
        let legal_basis = match settings.consent_mode {
            ConsentMode::Exempt => {
                "legitimate interest, under the audience-measurement exemption from consent \
                 (ePrivacy art. 5(3), CNIL guidance); see the assessment"
            }
            ConsentMode::OptIn => "consent (GDPR art. 6(1)(a)), collected by the site",
        };
        let record_of_processing = RecordOfProcessing {
            controller: "the publisher of the site (fill in its name and contact)",
            purposes: vec![
                "measuring the site's audience: page views, visits, unique visitors",
                "measuring engagement, journeys, campaigns and page performance in aggregate",
                "auditing the consent states visitors expressed",
            ],
            legal_basis,
            data_subjects: format!(
                "visitors of the site's pages on {}",
                settings.hostnames.join(", ")
            ),
            personal_data: vec![
                "IP address and user agent: in memory while a beacon is counted (milliseconds), \
                 then reduced to a country, a browser family and a device class",
                "visitor hash (keyed by a daily salt): in memory, only inserted into a sketch",
                "scrubbed page paths, referrer hosts, campaign tags and site-search terms: \
                 stored in aggregate, rows under k visitors folded",
            ],
            recipients: "none: the publisher's own viewers and auditors, through tokens",
            transfers: "processed at the edge location nearest the visitor; no copy is sent \
                        elsewhere",
            retention: report
                .inventory
                .held
                .iter()
                .map(|held| format!("{}: {}", held.kind, held.kept_for))
                .collect(),
            security_measures: vec![
                "no cookies, no stored identifiers, salts deleted after 48 hours",
                "k-anonymity folding in every output",
                "viewer and auditor tokens stored only as SHA-256 hashes, compared in constant time",
                "a hash-chained log of every configuration change",
                "TLS in transit; pages without scripts, with a strict Content-Security-Policy",
            ],
        };
        PrivacyExport { format: EXPORT_FORMAT, record_of_processing, report }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::report::{AuditInput, StorageFacts};
    use tacit_aggregate::Day;
    use tacit_beacon::SiteId;

    #[test]
    fn the_record_follows_the_settings_and_the_report() {
        let site = SiteId::parse("shop").unwrap();
        let today = Day::parse("2026-11-23").unwrap();
        let settings = SiteSettings {
            hostnames: vec!["shop.example".into()],
            consent_mode: ConsentMode::OptIn,
            retention_days: 90,
            ..SiteSettings::default()
        };
        let report = PrivacyReport::build(AuditInput {
            site: &site,
            settings: &settings,
            now_ms: today.start_ms(),
            from: today,
            to: today,
            facts: StorageFacts::default(),
            changes: Vec::new(),
        });
        let export = PrivacyExport::new(report.clone(), &settings);
        assert_eq!(export.format, EXPORT_FORMAT);
        assert!(export.record_of_processing.legal_basis.starts_with("consent"));
        assert!(export.record_of_processing.data_subjects.ends_with("shop.example"));
        assert!(export.record_of_processing.retention[0].contains("90 days"));
        assert_eq!(export.report, report);
    }
}
