//! The storage codec: records as versioned, checksummed bytes.
//!
//! Layout of an encoded record:
//!
//! | bytes      | content                                              |
//! |------------|------------------------------------------------------|
//! | 0..2       | magic `b"TC"`                                        |
//! | 2          | format version ([`FORMAT_VERSION`])                  |
//! | 3          | kind ([`KIND_PAGE_DAY`], [`KIND_SITE_DAY`], [`KIND_JOURNAL_ENTRY`]) |
//! | 4..len-4   | the record, in `postcard`'s compact serde encoding   |
//! | len-4..len | CRC-32 of all bytes before it, little-endian         |
//!
//! A reader rejects unknown versions instead of guessing, and the checksum turns a flipped or
//! truncated byte into an error instead of a silently wrong count. Older versions are all still
//! read and migrated on decode, so nothing counted before an upgrade is lost: version 1 page
//! records (views and visitors only) become records with empty activity; version 2 records
//! hold the same fields as version 3, with the sketches in their old layouts (`Legacy`):
//! version 3 stores the visitor sketch in its own compact layout instead of `hyperloglogplus`'s,
//! quantile buckets as gaps and their extremes in fewer bytes, and top-k keys as
//! the rest after the prefix they share with the key before (a page record of ten visitors went
//! from 660 to 473 bytes). Version 4 added known visits (entries of visitors who agreed to
//! journey linking, first and returning) at the end of the activity; a version 3 record reads
//! with none. Version 5 added bare page views (sent without the snippet's WebAssembly) at the end of
//! the site rollup; a version 4 rollup reads with none, and version 4 page records read as
//! they are. Journal entries have kept one layout since version 2 (a view's entry became an
//! enum whose first two variants are stored as the `bool` before them); a leave update is a
//! kind of entry added later in version 4, after the others, so a build from before it refuses
//! such an entry as a payload it cannot read, and replays the rest. Reading is backwards
//! only: a build of version 3 refuses version 4 records, so a deploy that writes them can only
//! be rolled back to a build that reads them.

use std::fmt;

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::journal::JournalEntry;
use crate::quantiles::QuantileSketch;
use crate::record::{Activity, ActivityOf, NotStored, PageDay, SiteDay, Traffic};
use crate::top_k::TopK;
use crate::visitors::{PAGE_PRECISION, SITE_PRECISION};
use crate::VisitorSketch;
use tacit_beacon::consent::ConsentTally;

/// The first two bytes of every record.
pub const MAGIC: [u8; 2] = *b"TC";
/// The current format version; bump it when a record's serde layout changes.
pub const FORMAT_VERSION: u8 = 5;
/// The version that held only views and visitors per page.
const VERSION_VIEWS_ONLY: u8 = 1;
/// The last version with the sketches in their old layouts, and the first with journal entries.
const VERSION_OLD_LAYOUTS: u8 = 2;
/// The last version without known visits.
const VERSION_NO_KNOWN_VISITS: u8 = 3;
/// The last version whose site rollups had no bare page views.
const VERSION_NO_BARE_VIEWS: u8 = 4;
/// The kind byte of a [`PageDay`] record.
pub const KIND_PAGE_DAY: u8 = 1;
/// The kind byte of a [`SiteDay`] record.
pub const KIND_SITE_DAY: u8 = 2;
/// The kind byte of a [`JournalEntry`].
pub const KIND_JOURNAL_ENTRY: u8 = 3;
const HEADER_LEN: usize = 4;
const CHECKSUM_LEN: usize = 4;

/// Why bytes could not be decoded into a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodecError {
    /// Fewer bytes than a header and a checksum.
    Truncated,
    /// The bytes do not start with the record magic.
    NotARecord,
    /// The record was written by a format version this build does not read.
    UnsupportedVersion(u8),
    /// The record is of another kind than the one asked for.
    WrongKind(u8),
    /// The checksum does not match: the bytes were corrupted or cut short.
    ChecksumMismatch,
    /// The checksum matched but the payload does not decode (a bug in the writer).
    Payload(String),
    /// The visitor sketch was written with another precision than this build uses.
    SketchPrecision,
}

/// Encodes a page's record with the current format version.
pub fn encode_page_day(record: &PageDay) -> Vec<u8> {
    encode(KIND_PAGE_DAY, record)
}

/// Encodes a site's rollup with the current format version.
pub fn encode_site_day(record: &SiteDay) -> Vec<u8> {
    encode(KIND_SITE_DAY, record)
}

/// Decodes a page's record written by [`encode_page_day`], of this version or an older one.
pub fn decode_page_day(bytes: &[u8]) -> Result<PageDay, CodecError> {
    let (version, payload) = open(bytes, KIND_PAGE_DAY)?;
    let record = match version {
        VERSION_VIEWS_ONLY => {
            let old: ViewsOnlyPageDay = from_payload(payload)?;
            let activity = Activity { views: old.views, ..Activity::default() };
            PageDay::from_parts(old.visitors.0, activity)
        }
        VERSION_OLD_LAYOUTS => from_payload::<Version2Traffic>(payload)?.into_page_day(),
        VERSION_NO_KNOWN_VISITS => from_payload::<Version3Traffic>(payload)?.into_page_day(),
        _ => from_payload(payload)?,
    };
    if !record.visitors().has_precision(PAGE_PRECISION) {
        return Err(CodecError::SketchPrecision);
    }
    Ok(record)
}

/// Decodes a site's rollup written by [`encode_site_day`].
pub fn decode_site_day(bytes: &[u8]) -> Result<SiteDay, CodecError> {
    let (version, payload) = open(bytes, KIND_SITE_DAY)?;
    let record = match version {
        VERSION_OLD_LAYOUTS => from_payload::<EarlierSiteDay<Version2Traffic>>(payload)?.upgrade(),
        VERSION_NO_KNOWN_VISITS => {
            from_payload::<EarlierSiteDay<Version3Traffic>>(payload)?.upgrade()
        }
        VERSION_NO_BARE_VIEWS => from_payload::<EarlierSiteDay<Traffic>>(payload)?.upgrade(),
        FORMAT_VERSION => from_payload(payload)?,
        _ => return Err(CodecError::UnsupportedVersion(version)),
    };
    if !record.visitors().has_precision(SITE_PRECISION) {
        return Err(CodecError::SketchPrecision);
    }
    Ok(record)
}

/// Encodes a journal entry with the current format version.
pub fn encode_journal_entry(entry: &JournalEntry) -> Vec<u8> {
    encode(KIND_JOURNAL_ENTRY, entry)
}

/// Decodes a journal entry written by [`encode_journal_entry`] of this version or one since
/// version 2, whose entries have the same layout: entries written before an upgrade are
/// replayed after it.
pub fn decode_journal_entry(bytes: &[u8]) -> Result<JournalEntry, CodecError> {
    let (version, payload) = open(bytes, KIND_JOURNAL_ENTRY)?;
    if version < VERSION_OLD_LAYOUTS {
        return Err(CodecError::UnsupportedVersion(version));
    }
    from_payload(payload)
}

/// A sketch read in the serde layout of format versions 1 and 2, where it differs from the
/// current one (see each sketch's module), and checked like a current one.
pub(crate) struct Legacy<T>(pub(crate) T);

/// The layout of a version 1 page record.
#[derive(Deserialize)]
struct ViewsOnlyPageDay {
    views: u64,
    visitors: Legacy<VisitorSketch>,
}

/// The traffic of a page record or site rollup of version 2 or 3: the visitor sketch, the
/// distributions and the top-k lists as `V`, `D` and `L`, and no known visits.
#[derive(Deserialize)]
struct EarlierTraffic<V, D, L> {
    visitors: V,
    activity: ActivityOf<D, L, NotStored>,
}

/// Version 2 stored the sketches in their old layouts.
type Version2Traffic = EarlierTraffic<Legacy<VisitorSketch>, Legacy<QuantileSketch>, Legacy<TopK>>;
/// Version 3 stored them as now.
type Version3Traffic = EarlierTraffic<VisitorSketch, QuantileSketch, TopK>;

impl<V, D, L> EarlierTraffic<V, D, L>
where
    V: Upgrade<VisitorSketch>,
    D: Upgrade<QuantileSketch>,
    L: Upgrade<TopK>,
{
    fn into_parts(self) -> (VisitorSketch, Activity) {
        (self.visitors.upgrade(), self.activity.map(Upgrade::upgrade, Upgrade::upgrade))
    }

    fn into_page_day(self) -> PageDay {
        let (visitors, activity) = self.into_parts();
        PageDay::from_parts(visitors, activity)
    }
}

/// The layout of a site rollup of version 2 to 4, with the traffic as it was stored.
#[derive(Deserialize)]
struct EarlierSiteDay<T> {
    traffic: T,
    consent: ConsentTally,
    bots_dropped: u64,
}

impl<V, D, L> EarlierSiteDay<EarlierTraffic<V, D, L>>
where
    V: Upgrade<VisitorSketch>,
    D: Upgrade<QuantileSketch>,
    L: Upgrade<TopK>,
{
    fn upgrade(self) -> SiteDay {
        let (visitors, activity) = self.traffic.into_parts();
        SiteDay::from_parts(visitors, activity, self.consent, self.bots_dropped, 0)
    }
}

impl EarlierSiteDay<Traffic> {
    /// Version 4: as now, without bare page views.
    fn upgrade(self) -> SiteDay {
        let (visitors, activity) = self.traffic.into_parts();
        SiteDay::from_parts(visitors, activity, self.consent, self.bots_dropped, 0)
    }
}

/// A part of a record as an older version stored it, and the part it reads as now.
trait Upgrade<T> {
    fn upgrade(self) -> T;
}

impl<T> Upgrade<T> for Legacy<T> {
    fn upgrade(self) -> T {
        self.0
    }
}

impl<T> Upgrade<T> for T {
    fn upgrade(self) -> T {
        self
    }
}

fn encode(kind: u8, record: &impl Serialize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(256);
    bytes.extend_from_slice(&MAGIC);
    bytes.push(FORMAT_VERSION);
    bytes.push(kind);
    let mut bytes = postcard::to_extend(record, bytes).expect("records always serialize");
    let checksum = crc32fast::hash(&bytes);
    bytes.extend_from_slice(&checksum.to_le_bytes());
    bytes
}

/// Checks magic, checksum, version and kind; answers the version and the payload.
fn open(bytes: &[u8], kind: u8) -> Result<(u8, &[u8]), CodecError> {
    if bytes.len() < HEADER_LEN + CHECKSUM_LEN {
        return Err(CodecError::Truncated);
    }
    if bytes[..2] != MAGIC {
        return Err(CodecError::NotARecord);
    }
    let (body, checksum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
    if crc32fast::hash(body).to_le_bytes() != checksum {
        return Err(CodecError::ChecksumMismatch);
    }
    let version = body[2];
    if !(VERSION_VIEWS_ONLY..=FORMAT_VERSION).contains(&version) {
        return Err(CodecError::UnsupportedVersion(version));
    }
    if body[3] != kind {
        return Err(CodecError::WrongKind(body[3]));
    }
    Ok((version, &body[HEADER_LEN..]))
}

fn from_payload<T: DeserializeOwned>(payload: &[u8]) -> Result<T, CodecError> {
    postcard::from_bytes(payload).map_err(|e| CodecError::Payload(e.to_string()))
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodecError::Truncated => f.write_str("record is shorter than its header"),
            CodecError::NotARecord => f.write_str("bytes are not a tacit record"),
            CodecError::UnsupportedVersion(v) => {
                write!(f, "record format version {v} is not supported")
            }
            CodecError::WrongKind(k) => write!(f, "record is of kind {k}, not the kind asked for"),
            CodecError::ChecksumMismatch => {
                f.write_str("record checksum does not match: corrupted")
            }
            CodecError::Payload(e) => write!(f, "record payload does not decode: {e}"),
            CodecError::SketchPrecision => {
                f.write_str("visitor sketch has an unsupported precision")
            }
        }
    }
}

impl std::error::Error for CodecError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::KnownVisits;
    use crate::VisitorHash;
    use proptest::prelude::*;
    use tacit_beacon::signal::{Entry, View};

    fn record(visitors: impl IntoIterator<Item = u64>) -> PageDay {
        let mut record = PageDay::default();
        let view = View::sample();
        visitors.into_iter().for_each(|v| record.record_view(VisitorHash::from_u64(v), &view));
        record
    }

    /// A record as version 1 wrote it: header with version 1, views and visitors only, in a
    /// sketch of the crate that wrote them.
    fn version_1_bytes(views: u64, visitors: &[u64]) -> Vec<u8> {
        use hyperloglogplus::HyperLogLog;
        let mut sketch = crate::visitors::tests::crate_sketch(PAGE_PRECISION);
        visitors.iter().for_each(|v| sketch.insert(v));
        let mut bytes = encode(KIND_PAGE_DAY, &(views, sketch));
        bytes[2] = VERSION_VIEWS_ONLY;
        let body_len = bytes.len() - CHECKSUM_LEN;
        let checksum = crc32fast::hash(&bytes[..body_len]).to_le_bytes();
        bytes[body_len..].copy_from_slice(&checksum);
        bytes
    }

    /// Records written by version 2 (`cargo run -p tacit-aggregate --example codec_seeds` at
    /// commit ead9ccd): a page and a site with 3 and with 20,000 visitors, sparse and dense.
    const VERSION_2_PAGE_3: &[u8] = include_bytes!("../testdata/v2/page-3.bin");
    const VERSION_2_PAGE_20000: &[u8] = include_bytes!("../testdata/v2/page-20000.bin");
    const VERSION_2_SITE_3: &[u8] = include_bytes!("../testdata/v2/site-3.bin");
    const VERSION_2_SITE_20000: &[u8] = include_bytes!("../testdata/v2/site-20000.bin");
    /// The same records as version 3 wrote them (the example's version 3 seeds in
    /// fuzz/seeds/codec, without their mode byte).
    const VERSION_3_PAGE_3: &[u8] = include_bytes!("../testdata/v3/page-3.bin");
    const VERSION_3_PAGE_20000: &[u8] = include_bytes!("../testdata/v3/page-20000.bin");
    const VERSION_3_SITE_3: &[u8] = include_bytes!("../testdata/v3/site-3.bin");
    const VERSION_3_SITE_20000: &[u8] = include_bytes!("../testdata/v3/site-20000.bin");
    /// Site rollups as version 4 wrote them, before bare page views (its seeds, likewise).
    const VERSION_4_SITE_3: &[u8] = include_bytes!("../testdata/v4/site-3.bin");
    const VERSION_4_SITE_20000: &[u8] = include_bytes!("../testdata/v4/site-20000.bin");

    #[test]
    fn reads_records_of_earlier_versions_as_they_read_them() {
        // The figures version 2 itself decoded from these bytes; version 3 decoded the same.
        for (bytes, version, views, visitors, engaged_p50) in [
            (VERSION_2_PAGE_3, VERSION_OLD_LAYOUTS, 3, 3, 0.0),
            (VERSION_2_PAGE_20000, VERSION_OLD_LAYOUTS, 20_000, 35_266, 9_999.166_474_189_858),
            (VERSION_3_PAGE_3, VERSION_NO_KNOWN_VISITS, 3, 3, 0.0),
            (VERSION_3_PAGE_20000, VERSION_NO_KNOWN_VISITS, 20_000, 35_266, 9_999.166_474_189_858),
        ] {
            assert_eq!(bytes[2], version);
            let mut page = decode_page_day(bytes).unwrap();
            assert_eq!(page.activity().known_visits, KnownVisits::default());
            assert_eq!((page.views(), page.unique_visitors()), (views, visitors));
            let activity = page.activity();
            assert_eq!(activity.engaged_time_ms.quantile(0.5), Some(engaged_p50));
            assert_eq!(activity.lcp_ms.quantile(0.5), Some(1_200.0));
            let referrers = activity.referrers.top(3);
            assert_eq!(
                (referrers[0].key.as_str(), referrers[0].count),
                ("news.example.com", views.div_ceil(2))
            );
            assert_eq!(activity.languages.top(1)[0].count, views);
            // Migrated once, a record stays what it was.
            let mut again = decode_page_day(&encode_page_day(&page)).unwrap();
            assert_eq!(again.unique_visitors(), visitors);
            assert_eq!(format!("{:?}", again.activity()), format!("{:?}", page.activity()));
        }
        for (bytes, views, visitors, goals, value_sum) in [
            (VERSION_2_SITE_3, 3, 3, 1, 12.5),
            (VERSION_2_SITE_20000, 20_000, 20_012, 6_667, 83_337.5),
            (VERSION_3_SITE_3, 3, 3, 1, 12.5),
            (VERSION_3_SITE_20000, 20_000, 20_012, 6_667, 83_337.5),
            (VERSION_4_SITE_3, 3, 3, 1, 12.5),
            (VERSION_4_SITE_20000, 20_000, 20_012, 6_667, 83_337.5),
        ] {
            let mut site = decode_site_day(bytes).unwrap();
            assert_eq!(
                (site.views(), site.unique_visitors(), site.bots_dropped()),
                (views, visitors, 1)
            );
            assert_eq!(site.bare_views(), 0, "none before version 5");
            let signup = &site.activity().goals.top(1)[0];
            assert_eq!(
                (signup.key.as_str(), signup.count, signup.value_sum),
                ("signup", goals, value_sum)
            );
            let consent = format!("{:?}", site.consent());
            assert!(
                consent.contains(&format!("(Measurement, Unset, Default): {goals}")),
                "{consent}"
            );
            let mut again = decode_site_day(&encode_site_day(&site)).unwrap();
            assert_eq!(again.unique_visitors(), visitors);
            assert_eq!(format!("{:?}", again.consent()), consent);
        }
    }

    #[test]
    fn reads_version_2_journal_entries() {
        let mut bytes = encode_journal_entry(&JournalEntry {
            id: Some(7),
            accepted_ms: 1_764_000_000_000,
            consent: None,
            visitor: None,
            signal: crate::journal::Signal::BotDropped,
        });
        bytes[2] = VERSION_OLD_LAYOUTS;
        let body_len = bytes.len() - CHECKSUM_LEN;
        let checksum = crc32fast::hash(&bytes[..body_len]).to_le_bytes();
        bytes[body_len..].copy_from_slice(&checksum);
        assert_eq!(decode_journal_entry(&bytes).unwrap().id, Some(7));
    }

    #[test]
    fn reads_version_3_journal_entries_with_the_entry_they_held() {
        // A view journalled by version 3 (the example's seed), whose entry was a bool.
        let entry =
            decode_journal_entry(include_bytes!("../testdata/v3/journal-view.bin")).unwrap();
        let crate::journal::Signal::View { view, .. } = &entry.signal else { panic!("{entry:?}") };
        assert_eq!(view.entry, Entry::Entry);
    }

    #[test]
    fn migrates_version_1_records_without_losing_counts() {
        let visitors: Vec<u64> =
            (1..=7u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).collect();
        let mut migrated = decode_page_day(&version_1_bytes(9, &visitors)).unwrap();
        assert_eq!(migrated.views(), 9);
        assert_eq!(migrated.unique_visitors(), 7);
        assert_eq!(migrated.activity().entries, 0);
    }

    #[test]
    fn round_trips_a_site_rollup_and_refuses_the_wrong_kind() {
        let mut site = SiteDay::default();
        site.record_view(VisitorHash::from_u64(42), &View::sample());
        site.record_bot_dropped();
        site.record_bare_view();
        let bytes = encode_site_day(&site);
        let mut decoded = decode_site_day(&bytes).unwrap();
        assert_eq!(
            (decoded.unique_visitors(), decoded.bots_dropped(), decoded.bare_views()),
            (1, 1, 1)
        );
        assert_eq!(decode_page_day(&bytes).unwrap_err(), CodecError::WrongKind(KIND_SITE_DAY));
    }

    #[test]
    fn round_trips_sparse_and_dense_records() {
        for size in [0u64, 1, 10, 5_000, 50_000] {
            let mut original = record((0..size).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
            let mut decoded = decode_page_day(&encode_page_day(&original)).unwrap();
            assert_eq!(decoded.views(), original.views());
            assert_eq!(decoded.unique_visitors(), original.unique_visitors());
        }
    }

    #[test]
    fn small_records_stay_small() {
        let bytes =
            encode_page_day(&record((0..10u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))));
        assert!(bytes.len() < 512, "{} bytes", bytes.len());
    }

    #[test]
    fn rejects_every_single_corrupted_byte() {
        let bytes = encode_page_day(&record([1, 2, 3]));
        for i in 0..bytes.len() {
            let mut corrupted = bytes.clone();
            corrupted[i] ^= 0x20;
            assert!(decode_page_day(&corrupted).is_err(), "flipping byte {i} went unnoticed");
        }
    }

    #[test]
    fn rejects_truncated_and_foreign_bytes() {
        let bytes = encode_page_day(&record([1, 2, 3]));
        for len in 0..bytes.len() {
            assert!(decode_page_day(&bytes[..len]).is_err(), "truncated to {len}");
        }
        assert_eq!(decode_page_day(b"{\"views\":3}").unwrap_err(), CodecError::NotARecord);
    }

    #[test]
    fn a_corrupt_sketch_behind_a_valid_checksum_is_an_error_not_a_panic() {
        // Regression: the codec fuzz target's first find. A version 1 payload whose sketch
        // claims zero registers decoded, then panicked when its visitors were counted.
        let payload = [
            1, 14, 0, 0, 0, 0, 47, 0, 1, 2, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 47, 1, 0, 47,
            255, 255, 255, 87,
        ];
        let mut bytes = MAGIC.to_vec();
        bytes.extend([VERSION_VIEWS_ONLY, KIND_PAGE_DAY]);
        bytes.extend(payload);
        bytes.extend(crc32fast::hash(&bytes).to_le_bytes());
        assert!(matches!(decode_page_day(&bytes), Err(CodecError::Payload(_))));
    }

    #[test]
    fn round_trips_journal_entries_of_every_kind() {
        use crate::journal::{JournalEntry, Signal, SketchKey};
        use tacit_beacon::signal::{Event, Leave};
        let visitor = SketchKey::of(VisitorHash::from_u64(u64::MAX - 5));
        let signals = [
            (Some(visitor), Signal::View { path: "/a".into(), view: View::sample() }),
            (
                None,
                Signal::Leave {
                    path: "/a".into(),
                    leave: Leave { cls: Some(0.125), ..Leave::default() },
                },
            ),
            (
                None,
                Signal::Event {
                    path: "/a".into(),
                    event: Event::Goal { name: "signup".into(), value: Some(-12.5) },
                },
            ),
            (None, Signal::ConsentOnly),
            (None, Signal::BotDropped),
            (Some(visitor), Signal::BareView { path: "/b".into(), view: View::sample() }),
            (
                None,
                Signal::LeaveUpdate {
                    path: "/a".into(),
                    replaced: Leave { engaged_ms: 4_000, ..Leave::default() },
                    leave: Leave {
                        engaged_ms: 31_000,
                        next: Some("/b".into()),
                        ..Leave::default()
                    },
                },
            ),
        ];
        for (visitor, signal) in signals {
            let entry = JournalEntry {
                id: Some(u64::MAX),
                accepted_ms: 1_764_000_000_000,
                consent: None,
                visitor,
                signal,
            };
            let bytes = encode_journal_entry(&entry);
            assert_eq!(decode_journal_entry(&bytes), Ok(entry));
            assert_eq!(
                decode_page_day(&bytes).unwrap_err(),
                CodecError::WrongKind(KIND_JOURNAL_ENTRY)
            );
        }
    }

    #[test]
    fn rejects_a_future_version() {
        let mut bytes = encode_page_day(&record([1]));
        bytes[2] = FORMAT_VERSION + 1;
        let body_len = bytes.len() - CHECKSUM_LEN;
        let checksum = crc32fast::hash(&bytes[..body_len]).to_le_bytes();
        bytes[body_len..].copy_from_slice(&checksum);
        assert_eq!(
            decode_page_day(&bytes).unwrap_err(),
            CodecError::UnsupportedVersion(FORMAT_VERSION + 1)
        );
    }

    proptest! {
        #[test]
        fn decoding_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = decode_page_day(&bytes);
        }

        #[test]
        fn round_trip_keeps_views_and_visitors(visitors in proptest::collection::vec(any::<u64>(), 0..300)) {
            let mut original = record(visitors);
            let mut decoded = decode_page_day(&encode_page_day(&original)).unwrap();
            prop_assert_eq!(decoded.views(), original.views());
            prop_assert_eq!(decoded.unique_visitors(), original.unique_visitors());
        }
    }
}
