//! The privacy report a privacy officer reads: the consent policy in force, the data
//! inventory, consent rates per day, salt rotation, retention, the change log and the CNIL
//! assessment — built from the site's settings and what its shards hold, never from prose
//! that could drift from the code.
//!
//! A shard reports its [`StorageFacts`]; a site's shards' facts [`merge`](StorageFacts::merge);
//! [`PrivacyReport::build`] turns them, with the settings and the change log, into the report
//! that the privacy page, its JSON API and the DPIA export all show.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::assessment::{assess, Condition, Verdict};
use super::{collection_matrix, stored_fields, CollectionRow, StoredField, NEVER_STORED};
use tacit_aggregate::change_log::{verify_chain, ChangeEntry, GENESIS_HASH};
use tacit_aggregate::rate_limit::{DEDUP_WINDOW_MS, RATE_WINDOW_MS};
use tacit_aggregate::schedule::Maintenance;
use tacit_aggregate::settings::SiteSettings;
use tacit_aggregate::{DailySalt, Day};
use tacit_beacon::admission::{admit, HeaderSignals};
use tacit_beacon::consent::{
    Category, ConsentMode, ConsentSource, ConsentState, ConsentTally, ConsentValue,
};
use tacit_beacon::SiteId;

/// The longest a salt lives: it serves its own day and the next (see [`DailySalt::is_expired`]).
pub const MAX_SALT_AGE_HOURS: f64 = 48.0;

const HOUR_MS: f64 = 3_600_000.0;

/// A daily salt a shard holds: its day and when it was drawn. The salt itself never leaves
/// the shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldSalt {
    /// The day the salt serves.
    pub day: Day,
    /// When it was drawn, in milliseconds since the Unix epoch.
    pub drawn_ms: i64,
}

/// What one shard holds that the privacy report shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageFacts {
    /// The salts held, oldest first.
    pub salts: Vec<HeldSalt>,
    /// The oldest day any record is kept for.
    pub oldest_record_day: Option<Day>,
    /// The consent tally of each day of the report's range that has one. It crosses JSON as
    /// lists of entries: a tally's own serde form is a map with tuple keys, which only the
    /// binary codec can write.
    #[serde(with = "tally_entries")]
    pub consent_days: Vec<(Day, ConsentTally)>,
}

mod tally_entries {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use tacit_aggregate::Day;
    use tacit_beacon::consent::{Category, ConsentSource, ConsentTally, ConsentValue};

    type Entry = (Category, ConsentValue, ConsentSource, u64);

    pub fn serialize<S: Serializer>(
        days: &[(Day, ConsentTally)],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let days: Vec<(Day, Vec<Entry>)> =
            days.iter().map(|(day, tally)| (*day, tally.entries().collect())).collect();
        days.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<(Day, ConsentTally)>, D::Error> {
        let days: Vec<(Day, Vec<Entry>)> = Deserialize::deserialize(deserializer)?;
        Ok(days
            .into_iter()
            .map(|(day, entries)| (day, ConsentTally::from_entries(entries)))
            .collect())
    }
}

impl StorageFacts {
    /// Adds another shard's facts: salts side by side, the older oldest record, consent
    /// tallies summed per day.
    pub fn merge(&mut self, other: StorageFacts) {
        self.salts.extend(other.salts);
        self.salts.sort_by_key(|salt| (salt.day, salt.drawn_ms));
        self.oldest_record_day = match (self.oldest_record_day, other.oldest_record_day) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let mut days: BTreeMap<Day, ConsentTally> = self.consent_days.drain(..).collect();
        for (day, tally) in other.consent_days {
            days.entry(day).or_default().merge(&tally);
        }
        self.consent_days = days.into_iter().collect();
    }
}

/// Everything the report is built from.
pub struct AuditInput<'a> {
    /// The site.
    pub site: &'a SiteId,
    /// Its settings now.
    pub settings: &'a SiteSettings,
    /// The time of the report, in milliseconds since the Unix epoch.
    pub now_ms: i64,
    /// The first day of the consent rates shown.
    pub from: Day,
    /// Their last day.
    pub to: Day,
    /// What the site's shards hold, merged.
    pub facts: StorageFacts,
    /// The site's change log, oldest first.
    pub changes: Vec<ChangeEntry>,
}

/// The whole privacy report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrivacyReport {
    /// The site.
    pub site: SiteId,
    /// When the report was made, in milliseconds since the Unix epoch.
    pub generated_ms: i64,
    /// The consent policy in force and what each consent state leads to.
    pub policy: ConsentPolicy,
    /// What is stored, in what form and for how long, and what never is.
    pub inventory: DataInventory,
    /// Consent states of the page views of each day of the range.
    pub consent: ConsentRates,
    /// The daily salts held.
    pub salts: SaltStatus,
    /// The retention setting and the oldest record held.
    pub retention: RetentionStatus,
    /// The configuration change log and whether its hash chain holds.
    pub change_log: ChangeLogStatus,
    /// The CNIL audience-measurement exemption conditions, each with a verdict and evidence.
    pub assessment: Vec<Condition>,
    /// Whether no condition fails (conditions left to the site owner do not count).
    pub exemption_conditions_met: bool,
}

/// The consent policy in force.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentPolicy {
    /// `exempt` or `opt-in`.
    pub mode: ConsentMode,
    /// What the mode means, in words.
    pub mode_meaning: &'static str,
    /// Every consent signal tacit reads, strongest first, and what it does under the mode.
    pub signals: Vec<HonouredSignal>,
    /// What a beacon leads to in each consent state.
    pub collection: Vec<CollectionRow>,
}

/// One consent signal and what it does under the site's mode, as [`admit`]
/// decides it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HonouredSignal {
    /// The source, as beacons and tallies name it.
    pub source: ConsentSource,
    /// Its name for people.
    pub name: &'static str,
    /// Where tacit reads it.
    pub read_from: &'static str,
    /// Whether a denial (an opt-out) from it stops counting.
    pub denial_stops_counting: bool,
    /// Whether a grant from it lets a page view be counted; `None` for signals that can only
    /// opt out (GPC, DNT) and for the absence of any signal.
    pub grant_allows_counting: Option<bool>,
    /// For the absence of any signal: whether the page view is counted.
    pub counted_without_signal: Option<bool>,
}

/// The data inventory.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataInventory {
    /// Every field of a day record.
    pub record_fields: Vec<StoredField>,
    /// Every kind of data held, its form and how long it is kept.
    pub held: Vec<HeldKind>,
    /// What is never stored, and why.
    pub never_stored: Vec<NeverStored>,
}

/// One kind of data a shard holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeldKind {
    /// What it is.
    pub kind: &'static str,
    /// In what form.
    pub form: &'static str,
    /// How long it is kept.
    pub kept_for: String,
}

/// Something never stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NeverStored {
    /// What.
    pub what: &'static str,
    /// What happens to it instead.
    pub instead: &'static str,
}

/// Consent states per day, and over the range.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentRates {
    /// The first day.
    pub from: Day,
    /// The last day.
    pub to: Day,
    /// Every day of the range, oldest first, empty days included.
    pub days: Vec<ConsentDay>,
    /// The whole range.
    pub total: ConsentCounts,
}

/// One day's consent states.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentDay {
    /// The day.
    pub day: Day,
    /// Its counts.
    #[serde(flatten)]
    pub counts: ConsentCounts,
}

/// Consent states of a set of page views: each page view once, under the last consent state
/// it was sent under (counted, or refused with a consent beacon); a leave or an event adds
/// nothing (see [`tacit_beacon::admission::tally_change`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentCounts {
    /// Page views tallied.
    pub page_views: u64,
    /// Measurement consent.
    pub measurement: ValueCounts,
    /// Journey consent.
    pub journey: ValueCounts,
    /// Measurement consent by the source that decided it.
    pub by_source: Vec<SourceCounts>,
    /// Page views whose measurement was denied by Global Privacy Control.
    pub opt_outs_gpc: u64,
    /// Page views whose measurement was denied by Do Not Track.
    pub opt_outs_dnt: u64,
}

/// Granted, denied and unset counts of one category, with their shares.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValueCounts {
    /// Granted.
    pub granted: u64,
    /// Denied.
    pub denied: u64,
    /// Unset.
    pub unset: u64,
    /// Granted / all, when there are any.
    pub granted_rate: Option<f64>,
    /// Denied / all.
    pub denied_rate: Option<f64>,
    /// Unset / all.
    pub unset_rate: Option<f64>,
}

/// Measurement consent values decided by one source.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceCounts {
    /// The source.
    pub source: ConsentSource,
    /// Granted.
    pub granted: u64,
    /// Denied.
    pub denied: u64,
    /// Unset.
    pub unset: u64,
}

/// The daily salts held.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SaltStatus {
    /// How many salts are held (one per day per shard).
    pub held: usize,
    /// The days they serve, oldest first, each once.
    pub days: Vec<Day>,
    /// When the newest salt was drawn: the last rotation.
    pub last_rotation_ms: Option<i64>,
    /// The age of the oldest salt, in hours.
    pub oldest_age_hours: Option<f64>,
    /// The most a salt may age.
    pub max_age_hours: f64,
    /// Whether every salt held is younger than that and serves today or yesterday.
    pub within_limit: bool,
}

/// The retention setting and what is held.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionStatus {
    /// Days of records kept, today included.
    pub days: u32,
    /// The oldest day any record is held for.
    pub oldest_record_day: Option<Day>,
    /// Records before this day are deleted by the daily maintenance.
    pub deleting_before: Day,
    /// Whether no record older than the retention is held.
    pub within: bool,
}

/// The change log and its verification.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeLogStatus {
    /// Whether every entry's hash chains to the one before it, checked now.
    pub verified: bool,
    /// Where the chain breaks, when it does.
    pub error: Option<String>,
    /// The hash of the last entry.
    pub head: String,
    /// Every entry, oldest first.
    pub entries: Vec<ChangeEntry>,
}

impl PrivacyReport {
    /// The report for `input`.
    pub fn build(input: AuditInput) -> PrivacyReport {
        let AuditInput { site, settings, now_ms, from, to, facts, changes } = input;
        let plan = Maintenance::plan(now_ms, settings.retention_days);
        let salts = SaltStatus::new(&facts.salts, now_ms);
        let retention = RetentionStatus {
            days: settings.retention_days,
            oldest_record_day: facts.oldest_record_day,
            deleting_before: plan.delete_records_before,
            within: facts.oldest_record_day.is_none_or(|day| day >= plan.delete_records_before),
        };
        let verified = verify_chain(&changes);
        let change_log = ChangeLogStatus {
            verified: verified.is_ok(),
            error: verified.err().map(|error| error.to_string()),
            head: changes.last().map_or(GENESIS_HASH.to_owned(), |entry| entry.hash.clone()),
            entries: changes,
        };
        let policy = consent_policy(settings.consent_mode);
        let assessment = assess(settings, &policy, &salts, &retention);
        PrivacyReport {
            site: site.clone(),
            generated_ms: now_ms,
            exemption_conditions_met: assessment.iter().all(|c| c.verdict != Verdict::Fail),
            policy,
            inventory: inventory(settings),
            consent: consent_rates(from, to, &facts.consent_days),
            salts,
            retention,
            change_log,
            assessment,
        }
    }
}

fn consent_policy(mode: ConsentMode) -> ConsentPolicy {
    let state = |value, source| ConsentState { measurement: value, journey: value, source };
    let counted = |state| admit(state, HeaderSignals::NONE, mode).adds.counts();
    let signals = ConsentSource::ALL
        .into_iter()
        .map(|source| {
            let (name, read_from) = signal_description(source);
            let only_opts_out = matches!(source, ConsentSource::Gpc | ConsentSource::Dnt);
            let no_signal = source == ConsentSource::Default;
            HonouredSignal {
                source,
                name,
                read_from,
                denial_stops_counting: !counted(state(ConsentValue::Denied, source)),
                grant_allows_counting: (!only_opts_out && !no_signal)
                    .then(|| counted(state(ConsentValue::Granted, source))),
                counted_without_signal: no_signal
                    .then(|| counted(state(ConsentValue::Unset, source))),
            }
        })
        .collect();
    let mode_meaning = match mode {
        ConsentMode::Exempt => {
            "aggregate counting without identifiers and without asking, as the CNIL's \
             audience-measurement exemption allows; any opt-out or denial stops it"
        }
        ConsentMode::OptIn => {
            "nothing but an anonymous consent-state tally until measurement consent is granted"
        }
    };
    ConsentPolicy { mode, mode_meaning, signals, collection: collection_matrix(mode) }
}

fn signal_description(source: ConsentSource) -> (&'static str, &'static str) {
    match source {
        ConsentSource::Api => {
            ("tacit's JavaScript API", "tacit('consent', {measurement, journey})")
        }
        ConsentSource::Tcf => {
            ("IAB TCF v2.2", "__tcfapi('addEventListener', 2, …): purposes 1, 7, 8, 9, 10")
        }
        ConsentSource::ConsentMode => {
            ("Google Consent Mode v2", "analytics_storage in gtag('consent', …) on the dataLayer")
        }
        ConsentSource::Gpc => {
            ("Global Privacy Control", "navigator.globalPrivacyControl and the Sec-GPC header")
        }
        ConsentSource::Dnt => ("Do Not Track", "navigator.doNotTrack and the DNT header"),
        ConsentSource::Default => ("No signal", "none of the above said anything"),
    }
}

fn inventory(settings: &SiteSettings) -> DataInventory {
    let minutes = |ms: i64| ms / 60_000;
    let held = vec![
        HeldKind {
            kind: "Day records (each page's and the site's)",
            form: "counts, sketches, distributions and top-k lists: the record fields below",
            kept_for: format!(
                "{} days, today included; the daily alarm deletes older ones",
                settings.retention_days
            ),
        },
        HeldKind {
            kind: "Week and month rollups (each page's and the site's)",
            form: "the day records of a closed ISO week or calendar month, merged: the same \
                   fields, for faster reads of long ranges",
            kept_for: format!(
                "until the first of their days is deleted ({} days after it, today included); \
                 the rest of their days is then read day by day",
                settings.retention_days
            ),
        },
        HeldKind {
            kind: "Daily salts",
            form: "16 random bytes per site and day, shared by the site's shards and sealed with SALT_KEY: the key of the visitor hash",
            kept_for: format!("at most {MAX_SALT_AGE_HOURS} hours"),
        },
        HeldKind {
            kind: "Beacon ids",
            form: "a random number per beacon, drawn by the browser, to drop retries and to \
                   match a leave's later update with the leave",
            kept_for: format!(
                "{} minutes; a counted leave's until its UTC day ends",
                minutes(DEDUP_WINDOW_MS)
            ),
        },
        HeldKind {
            kind: "Rate-limit counters",
            form: "memory only: counts per short keyed hash of the visitor hash",
            kept_for: format!("{} minute, never written to storage", minutes(RATE_WINDOW_MS)),
        },
        HeldKind {
            kind: "Site settings and token hashes",
            form: "the settings; SHA-256 hashes of the viewer and auditor tokens",
            kept_for: "as long as the site exists".into(),
        },
        HeldKind {
            kind: "Configuration change log",
            form: "hash-chained entries: time, actor, field, old and new value",
            kept_for: "as long as the site exists".into(),
        },
    ];
    DataInventory {
        record_fields: stored_fields(),
        held,
        never_stored: NEVER_STORED
            .iter()
            .map(|&(what, instead)| NeverStored { what, instead })
            .collect(),
    }
}

impl SaltStatus {
    /// The status of `salts` at `now_ms`.
    pub fn new(salts: &[HeldSalt], now_ms: i64) -> SaltStatus {
        let today = Day::from_unix_ms(now_ms);
        let mut days: Vec<Day> = salts.iter().map(|salt| salt.day).collect();
        days.sort_unstable();
        days.dedup();
        let age_hours = |salt: &HeldSalt| (now_ms - salt.drawn_ms) as f64 / HOUR_MS;
        let oldest_age_hours = salts.iter().map(age_hours).reduce(f64::max);
        SaltStatus {
            held: salts.len(),
            days,
            last_rotation_ms: salts.iter().map(|salt| salt.drawn_ms).max(),
            oldest_age_hours,
            max_age_hours: MAX_SALT_AGE_HOURS,
            within_limit: salts.iter().all(|salt| {
                age_hours(salt) < MAX_SALT_AGE_HOURS && !DailySalt::is_expired(salt.day, today)
            }),
        }
    }
}

fn consent_rates(from: Day, to: Day, tallies: &[(Day, ConsentTally)]) -> ConsentRates {
    let by_day: BTreeMap<Day, &ConsentTally> = tallies.iter().map(|(day, t)| (*day, t)).collect();
    let mut total = ConsentTally::default();
    let mut days = Vec::new();
    let mut day = from;
    while day <= to {
        let tally = by_day.get(&day).copied().cloned().unwrap_or_default();
        total.merge(&tally);
        days.push(ConsentDay { day, counts: consent_counts(&tally) });
        day = day.add_days(1);
    }
    ConsentRates { from, to, days, total: consent_counts(&total) }
}

fn consent_counts(tally: &ConsentTally) -> ConsentCounts {
    let values = |category| {
        let [granted, denied, unset] = ConsentValue::ALL.map(|value| tally.count(category, value));
        let all = granted + denied + unset;
        let rate = |n: u64| (all > 0).then(|| n as f64 / all as f64);
        ValueCounts {
            granted,
            denied,
            unset,
            granted_rate: rate(granted),
            denied_rate: rate(denied),
            unset_rate: rate(unset),
        }
    };
    let measured = |source, value| {
        tally
            .entries()
            .filter(|&(c, v, s, _)| c == Category::Measurement && v == value && s == source)
            .map(|(_, _, _, n)| n)
            .sum::<u64>()
    };
    let by_source = ConsentSource::ALL
        .into_iter()
        .map(|source| SourceCounts {
            source,
            granted: measured(source, ConsentValue::Granted),
            denied: measured(source, ConsentValue::Denied),
            unset: measured(source, ConsentValue::Unset),
        })
        .filter(|counts| counts.granted + counts.denied + counts.unset > 0)
        .collect();
    let measurement = values(Category::Measurement);
    ConsentCounts {
        page_views: measurement.granted + measurement.denied + measurement.unset,
        journey: values(Category::Journey),
        measurement,
        by_source,
        opt_outs_gpc: measured(ConsentSource::Gpc, ConsentValue::Denied),
        opt_outs_dnt: measured(ConsentSource::Dnt, ConsentValue::Denied),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    fn state(
        measurement: ConsentValue,
        journey: ConsentValue,
        source: ConsentSource,
    ) -> ConsentState {
        ConsentState { measurement, journey, source }
    }

    fn input<'a>(
        site: &'a SiteId,
        settings: &'a SiteSettings,
        facts: StorageFacts,
    ) -> AuditInput<'a> {
        AuditInput {
            site,
            settings,
            now_ms: day("2026-11-23").start_ms() + 10 * 3_600_000,
            from: day("2026-11-21"),
            to: day("2026-11-23"),
            facts,
            changes: Vec::new(),
        }
    }

    #[test]
    fn consent_rates_cover_every_day_of_the_range_and_count_opt_outs_by_source() {
        let mut monday = ConsentTally::default();
        monday.record(state(ConsentValue::Granted, ConsentValue::Denied, ConsentSource::Tcf));
        monday.record(state(ConsentValue::Denied, ConsentValue::Denied, ConsentSource::Gpc));
        monday.record(state(ConsentValue::Denied, ConsentValue::Denied, ConsentSource::Dnt));
        monday.record(ConsentState::default());
        let facts =
            StorageFacts { consent_days: vec![(day("2026-11-23"), monday)], ..Default::default() };
        let site = SiteId::parse("demo").unwrap();
        let settings = SiteSettings::default();
        let report = PrivacyReport::build(input(&site, &settings, facts));
        let days: Vec<_> =
            report.consent.days.iter().map(|d| (d.day.to_string(), d.counts.page_views)).collect();
        assert_eq!(
            days,
            [("2026-11-21".into(), 0), ("2026-11-22".into(), 0), ("2026-11-23".into(), 4)]
        );
        let total = &report.consent.total;
        assert_eq!(
            (total.measurement.granted, total.measurement.denied, total.measurement.unset),
            (1, 2, 1)
        );
        assert_eq!(total.measurement.denied_rate, Some(0.5));
        assert_eq!(total.journey.denied, 3);
        assert_eq!((total.opt_outs_gpc, total.opt_outs_dnt), (1, 1));
        let sources: Vec<_> = total.by_source.iter().map(|s| s.source).collect();
        assert_eq!(
            sources,
            [ConsentSource::Tcf, ConsentSource::Gpc, ConsentSource::Dnt, ConsentSource::Default]
        );
        assert_eq!(
            report.consent.days[0].counts.measurement.granted_rate, None,
            "no page views, no rate"
        );
    }

    #[test]
    fn shards_facts_merge_salts_oldest_records_and_tallies() {
        let salt = |d: &str, h: i64| HeldSalt { day: day(d), drawn_ms: day(d).start_ms() + h };
        let tally = |n| {
            let mut tally = ConsentTally::default();
            (0..n).for_each(|_| tally.record(ConsentState::default()));
            tally
        };
        let mut a = StorageFacts {
            salts: vec![salt("2026-11-23", 5)],
            oldest_record_day: Some(day("2026-11-20")),
            consent_days: vec![(day("2026-11-23"), tally(2))],
        };
        a.merge(StorageFacts {
            salts: vec![salt("2026-11-22", 7), salt("2026-11-23", 1)],
            oldest_record_day: Some(day("2026-11-02")),
            consent_days: vec![(day("2026-11-22"), tally(1)), (day("2026-11-23"), tally(3))],
        });
        assert_eq!(a.salts, [salt("2026-11-22", 7), salt("2026-11-23", 1), salt("2026-11-23", 5)]);
        assert_eq!(a.oldest_record_day, Some(day("2026-11-02")));
        let counts: Vec<_> = a
            .consent_days
            .iter()
            .map(|(d, t)| (*d, t.count(Category::Journey, ConsentValue::Unset)))
            .collect();
        assert_eq!(counts, [(day("2026-11-22"), 1), (day("2026-11-23"), 5)]);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(
            serde_json::from_str::<StorageFacts>(&json).unwrap(),
            a,
            "facts cross JSON whole"
        );
        let mut none = StorageFacts::default();
        none.merge(StorageFacts::default());
        assert_eq!(none.oldest_record_day, None);
    }

    #[test]
    fn salts_beyond_48_hours_or_of_expired_days_break_the_limit() {
        let now = day("2026-11-23").start_ms() + 10 * 3_600_000;
        let today = day("2026-11-23");
        let held = |d: &str| HeldSalt { day: day(d), drawn_ms: day(d).start_ms() };
        let fresh = SaltStatus::new(&[held("2026-11-22"), held("2026-11-23")], now);
        assert!(fresh.within_limit);
        assert_eq!(fresh.days, [day("2026-11-22"), day("2026-11-23")]);
        assert_eq!(fresh.oldest_age_hours, Some(34.0));
        assert_eq!(fresh.last_rotation_ms, Some(today.start_ms()));
        assert!(!SaltStatus::new(&[held("2026-11-21")], now).within_limit);
        let none = SaltStatus::new(&[], now);
        assert!(
            none.within_limit && none.oldest_age_hours.is_none() && none.last_rotation_ms.is_none()
        );
    }

    #[test]
    fn retention_is_within_until_a_record_older_than_it_is_held() {
        let site = SiteId::parse("demo").unwrap();
        let settings = SiteSettings { retention_days: 30, ..SiteSettings::default() };
        let with_oldest = |oldest: &str| {
            let facts = StorageFacts { oldest_record_day: Some(day(oldest)), ..Default::default() };
            PrivacyReport::build(input(&site, &settings, facts)).retention
        };
        assert_eq!(with_oldest("2026-10-25").deleting_before, day("2026-10-25"));
        assert!(with_oldest("2026-10-25").within);
        assert!(!with_oldest("2026-10-24").within);
    }

    #[test]
    fn the_policy_says_what_each_signal_does_under_each_mode() {
        let exempt = consent_policy(ConsentMode::Exempt);
        let opt_in = consent_policy(ConsentMode::OptIn);
        for policy in [&exempt, &opt_in] {
            assert_eq!(policy.signals.len(), ConsentSource::ALL.len());
            assert!(
                policy.signals.iter().all(|s| s.denial_stops_counting),
                "every opt-out is honoured"
            );
        }
        let no_signal =
            |policy: &ConsentPolicy| policy.signals.last().unwrap().counted_without_signal;
        assert_eq!(no_signal(&exempt), Some(true));
        assert_eq!(no_signal(&opt_in), Some(false));
        let gpc = exempt.signals.iter().find(|s| s.source == ConsentSource::Gpc).unwrap();
        assert_eq!(gpc.grant_allows_counting, None, "GPC can only opt out");
        let tcf = opt_in.signals.iter().find(|s| s.source == ConsentSource::Tcf).unwrap();
        assert_eq!(tcf.grant_allows_counting, Some(true));
    }

    #[test]
    fn the_change_log_is_verified_on_every_report() {
        let site = SiteId::parse("demo").unwrap();
        let settings = SiteSettings::default();
        let first = ChangeEntry::next(None, 1, "admin", "site", "null", "{}");
        let second = ChangeEntry::next(Some(&first), 2, "admin", "k", "5", "10");
        let report = |changes| {
            PrivacyReport::build(AuditInput {
                changes,
                ..input(&site, &settings, StorageFacts::default())
            })
            .change_log
        };
        let intact = report(vec![first.clone(), second.clone()]);
        assert!(intact.verified && intact.error.is_none());
        assert_eq!(intact.head, second.hash);
        let mut forged = second;
        forged.new = "1".into();
        let broken = report(vec![first, forged]);
        assert!(!broken.verified);
        assert!(broken.error.is_some());
        assert_eq!(report(Vec::new()).head, GENESIS_HASH);
    }

    #[test]
    fn the_inventory_states_the_sites_retention_and_the_code_s_windows() {
        let settings = SiteSettings { retention_days: 90, ..SiteSettings::default() };
        let inventory = inventory(&settings);
        assert!(inventory.held[0].kept_for.starts_with("90 days"));
        assert!(inventory.held[1].kind.contains("rollups"));
        assert!(
            inventory.held[1].kept_for.contains("90 days after"),
            "{}",
            inventory.held[1].kept_for
        );
        assert_eq!(
            inventory.held[3].kept_for,
            "10 minutes; a counted leave's until its UTC day ends"
        );
        assert_eq!(inventory.record_fields, stored_fields());
        assert_eq!(inventory.never_stored.len(), NEVER_STORED.len());
    }
}
