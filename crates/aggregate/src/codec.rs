//! The storage codec: records as versioned, checksummed bytes.
//!
//! Layout of an encoded record:
//!
//! | bytes      | content                                              |
//! |------------|------------------------------------------------------|
//! | 0..2       | magic `b"TC"`                                        |
//! | 2          | format version ([`FORMAT_VERSION`])                  |
//! | 3          | kind ([`KIND_PAGE_DAY`], [`KIND_SITE_DAY`], [`KIND_JOURNAL_ENTRY`], [`KIND_PAGE_SEGMENTS`]) |
//! | 4..len-4   | the record, in `postcard`'s compact serde encoding   |
//! | len-4..len | CRC-32 of all bytes before it, little-endian         |
//!
//! The payload's layout is the records' own fields and, inside them, each sketch's stored layout,
//! which its `serialization` module describes and versions (`LAYOUT_VERSION`). A reader rejects
//! every format version but its own instead of guessing, and the checksum turns a flipped or
//! truncated byte into an error instead of a silently wrong count.
//!
//! Until the first tagged release, formats change freely, with no readers for older versions:
//! no data stored before a change is kept. From that release on, every format change keeps a
//! reader for the version before it.

use crate::record::DayRecord;
use std::fmt;

use serde::{de::DeserializeOwned, Serialize};

use crate::journal::JournalEntry;
use crate::record::{PageDay, SiteDay};
use crate::segments::Segments;
use crate::visitors::{PAGE_PRECISION, SITE_PRECISION};
use crate::{quantiles, top_k, visitors};

/// The first two bytes of every record.
pub const MAGIC: [u8; 2] = *b"TC";
/// The current format version; bump it when a record's serde layout changes, a sketch's
/// included.
pub const FORMAT_VERSION: u8 = 8;
/// The kind byte of a [`PageDay`] record.
pub const KIND_PAGE_DAY: u8 = 1;
/// The kind byte of a [`SiteDay`] record.
pub const KIND_SITE_DAY: u8 = 2;
/// The kind byte of a [`JournalEntry`].
pub const KIND_JOURNAL_ENTRY: u8 = 3;
/// The kind byte of a page record's segments apart from the record ([`EncodedSegments`]).
pub const KIND_PAGE_SEGMENTS: u8 = 4;
const HEADER_LEN: usize = 4;
const CHECKSUM_LEN: usize = 4;

// A sketch's layout version is the format version that introduced the layout: a change to a
// layout sets it to the next format version, and this stops the build until FORMAT_VERSION
// follows.
const _: () = assert!(
    visitors::LAYOUT_VERSION <= FORMAT_VERSION
        && quantiles::LAYOUT_VERSION <= FORMAT_VERSION
        && top_k::LAYOUT_VERSION <= FORMAT_VERSION,
    "a sketch's stored layout changed: bump FORMAT_VERSION"
);

/// Why bytes could not be decoded into a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodecError {
    /// Fewer bytes than a header and a checksum.
    Truncated,
    /// The bytes do not start with the record magic.
    NotARecord,
    /// The record was written by a format version this build does not read: any but
    /// [`FORMAT_VERSION`].
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

/// Decodes a page's record written by [`encode_page_day`] of this format version.
pub fn decode_page_day(bytes: &[u8]) -> Result<PageDay, CodecError> {
    let record: PageDay = from_payload(open(bytes, KIND_PAGE_DAY)?)?;
    if !record.visitors().has_precision(PAGE_PRECISION) {
        return Err(CodecError::SketchPrecision);
    }
    Ok(record)
}

/// Decodes a page's record as [`decode_page_day`] does, without its segments, which it does
/// not read: for a read that shows the page as a whole (see [`PageDay::keep_only_segment`]).
/// The checksum still covers every byte.
pub fn decode_page_day_without_segments(bytes: &[u8]) -> Result<PageDay, CodecError> {
    decode_page_day_head(bytes).map(|(record, _)| record)
}

/// Decodes a page's record in two steps: now without its segments, as
/// [`decode_page_day_without_segments`] does, and its segments later, from the bytes returned,
/// if the read needs them: a read may only know which pages' segments it needs once it has
/// merged every page's record without them.
pub fn decode_page_day_head(bytes: &[u8]) -> Result<(PageDay, PageSegmentBytes<'_>), CodecError> {
    let payload = open(bytes, KIND_PAGE_DAY)?;
    let (head, segments) =
        postcard::take_from_bytes::<crate::record::PageDayWithoutSegments>(payload)
            .map_err(|e| CodecError::Payload(e.to_string()))?;
    let record = PageDay::from(head);
    if !record.visitors().has_precision(PAGE_PRECISION) {
        return Err(CodecError::SketchPrecision);
    }
    Ok((record, PageSegmentBytes(segments)))
}

/// A page record's segments, not yet decoded: the rest of the bytes
/// [`decode_page_day_head`] read, which the record's checksum covered.
#[derive(Debug, Clone, Copy)]
pub struct PageSegmentBytes<'a>(&'a [u8]);

impl PageSegmentBytes<'_> {
    /// The segments.
    pub fn decode(self) -> Result<Segments, CodecError> {
        from_payload(self.0)
    }

    /// The bytes, kept past the record's: for a reader that decides later whether it needs
    /// them.
    pub fn to_owned(self) -> EncodedSegments {
        EncodedSegments(self.0.into())
    }
}

/// A page record's segments, not yet decoded, owned ([`PageSegmentBytes::to_owned`]); cloning
/// one shares its bytes.
#[derive(Debug, Clone)]
pub struct EncodedSegments(std::rc::Rc<[u8]>);

impl EncodedSegments {
    /// The segments.
    pub fn decode(&self) -> Result<Segments, CodecError> {
        from_payload(&self.0)
    }

    /// The segments as a record of their own ([`KIND_PAGE_SEGMENTS`]), checksummed: for
    /// sending them on, apart from the record they were read with.
    pub fn to_record(&self) -> Vec<u8> {
        frame(KIND_PAGE_SEGMENTS, &self.0)
    }

    /// Segments sent as [`EncodedSegments::to_record`] wrote them, still encoded: their
    /// header and checksum are checked now, their payload when they are decoded.
    pub fn from_record(bytes: &[u8]) -> Result<EncodedSegments, CodecError> {
        Ok(EncodedSegments(open(bytes, KIND_PAGE_SEGMENTS)?.into()))
    }

    /// How many bytes they take.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no bytes (never, for a record's).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Decodes a site's rollup written by [`encode_site_day`] of this format version.
pub fn decode_site_day(bytes: &[u8]) -> Result<SiteDay, CodecError> {
    let record: SiteDay = from_payload(open(bytes, KIND_SITE_DAY)?)?;
    if !record.visitors().has_precision(SITE_PRECISION) {
        return Err(CodecError::SketchPrecision);
    }
    Ok(record)
}

/// Encodes a journal entry with the current format version.
pub fn encode_journal_entry(entry: &JournalEntry) -> Vec<u8> {
    encode(KIND_JOURNAL_ENTRY, entry)
}

/// Decodes a journal entry written by [`encode_journal_entry`] of this format version.
pub fn decode_journal_entry(bytes: &[u8]) -> Result<JournalEntry, CodecError> {
    from_payload(open(bytes, KIND_JOURNAL_ENTRY)?)
}

fn encode(kind: u8, record: &impl Serialize) -> Vec<u8> {
    let bytes = header(kind, 256);
    let bytes = postcard::to_extend(record, bytes).expect("records always serialize");
    with_checksum(bytes)
}

/// A record of `kind` whose payload is `payload`, already encoded.
fn frame(kind: u8, payload: &[u8]) -> Vec<u8> {
    let mut bytes = header(kind, payload.len() + CHECKSUM_LEN);
    bytes.extend_from_slice(payload);
    with_checksum(bytes)
}

fn header(kind: u8, payload_capacity: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(HEADER_LEN + payload_capacity);
    bytes.extend_from_slice(&MAGIC);
    bytes.push(FORMAT_VERSION);
    bytes.push(kind);
    bytes
}

fn with_checksum(mut bytes: Vec<u8>) -> Vec<u8> {
    let checksum = crc32fast::hash(&bytes);
    bytes.extend_from_slice(&checksum.to_le_bytes());
    bytes
}

/// Checks magic, checksum, version and kind; answers the payload.
fn open(bytes: &[u8], kind: u8) -> Result<&[u8], CodecError> {
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
    if body[2] != FORMAT_VERSION {
        return Err(CodecError::UnsupportedVersion(body[2]));
    }
    if body[3] != kind {
        return Err(CodecError::WrongKind(body[3]));
    }
    Ok(&body[HEADER_LEN..])
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
    use crate::VisitorHash;
    use proptest::prelude::*;
    use tacit_beacon::admission::TallyChange;
    use tacit_beacon::signal::BareCause;
    use tacit_beacon::signal::View;

    fn record(visitors: impl IntoIterator<Item = u64>) -> PageDay {
        let mut record = PageDay::default();
        let view = View::sample();
        visitors.into_iter().for_each(|v| record.record_view(VisitorHash::from_u64(v), &view));
        record
    }

    /// `bytes` with format version `version`, and the checksum that makes them pass it.
    fn with_version(mut bytes: Vec<u8>, version: u8) -> Vec<u8> {
        bytes[2] = version;
        let body_len = bytes.len() - CHECKSUM_LEN;
        let checksum = crc32fast::hash(&bytes[..body_len]).to_le_bytes();
        bytes[body_len..].copy_from_slice(&checksum);
        bytes
    }

    #[test]
    fn round_trips_a_site_rollup_and_refuses_the_wrong_kind() {
        let mut site = SiteDay::default();
        site.record_view(VisitorHash::from_u64(42), &View::sample());
        site.record_bot_dropped();
        site.record_bare_view(BareCause::NotLoaded);
        let bytes = encode_site_day(&site);
        let mut decoded = decode_site_day(&bytes).unwrap();
        assert_eq!((decoded.unique_visitors(), decoded.bots_dropped()), (1, 1));
        assert_eq!(decoded.bare_views(), site.bare_views());
        assert_eq!(decoded.bare_views().of(BareCause::NotLoaded), 1);
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
    fn a_page_record_read_without_its_segments_is_the_record_without_them() {
        for size in [0u64, 1, 10, 5_000] {
            let original = record((0..size).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
            let bytes = encode_page_day(&original);
            let read = decode_page_day_without_segments(&bytes).unwrap();
            assert_eq!(read.segments().iter().count(), 0);
            assert_eq!(original.segments().iter().next().is_some(), size > 0, "segments to drop");
            let mut without = original.clone();
            without.keep_only_segment(None);
            assert_eq!(encode_page_day(&read), encode_page_day(&without), "{size} visitors");
        }
        let bytes = encode_page_day(&record([1, 2, 3]));
        for i in 0..bytes.len() {
            let mut corrupted = bytes.clone();
            corrupted[i] ^= 0x20;
            assert!(decode_page_day_without_segments(&corrupted).is_err(), "byte {i}");
        }
        let site = encode_site_day(&SiteDay::default());
        let refused = decode_page_day_without_segments(&site).unwrap_err();
        assert_eq!(refused, CodecError::WrongKind(KIND_SITE_DAY));
    }

    #[test]
    fn a_page_record_read_in_two_steps_is_the_record() {
        for size in [0u64, 1, 10, 5_000] {
            let original = record((0..size).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
            let bytes = encode_page_day(&original);
            let (mut read, segments) = decode_page_day_head(&bytes).unwrap();
            let without = decode_page_day_without_segments(&bytes).unwrap();
            assert_eq!(encode_page_day(&read), encode_page_day(&without), "{size} visitors");
            read.merge_segments(&segments.decode().unwrap());
            assert_eq!(encode_page_day(&read), bytes, "{size} visitors");
        }
    }

    #[test]
    fn segments_sent_apart_from_their_record_come_back_whole_or_refused() {
        let bytes = encode_page_day(&record([1, 2, 3]));
        let (mut read, segments) = decode_page_day_head(&bytes).unwrap();
        let sent = segments.to_owned().to_record();
        let received = EncodedSegments::from_record(&sent).unwrap();
        read.merge_segments(&received.decode().unwrap());
        assert_eq!(encode_page_day(&read), bytes);
        for i in 0..sent.len() {
            let mut corrupted = sent.clone();
            corrupted[i] ^= 0x20;
            assert!(EncodedSegments::from_record(&corrupted).is_err(), "byte {i}");
        }
        let refused = EncodedSegments::from_record(&bytes).unwrap_err();
        assert_eq!(refused, CodecError::WrongKind(KIND_PAGE_DAY));
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
        // Regression: the codec fuzz target's first find was a payload whose visitor sketch
        // claimed zero registers; it decoded, then panicked when its visitors were counted.
        // The payload opens with the sketch: its precision, then 0 for sparse codes (here
        // none); 1 claims dense registers, and none are there.
        let bytes = encode_page_day(&PageDay::default());
        assert_eq!(bytes[HEADER_LEN..HEADER_LEN + 3], [PAGE_PRECISION, 0, 0]);
        let mut payload = bytes[HEADER_LEN..bytes.len() - CHECKSUM_LEN].to_vec();
        payload[1] = 1;
        let mut corrupt = bytes[..HEADER_LEN].to_vec();
        corrupt.extend(payload);
        corrupt.extend(crc32fast::hash(&corrupt).to_le_bytes());
        assert!(matches!(decode_page_day(&corrupt), Err(CodecError::Payload(_))), "{corrupt:?}");
    }

    #[test]
    fn round_trips_journal_entries_of_every_kind() {
        use crate::journal::{Addition, JournalEntry, SketchKey};
        use crate::segments::SegmentKey;
        use tacit_beacon::agent::DeviceClass;
        use tacit_beacon::signal::{CountryCode, Event, Leave};
        let visitor = SketchKey::of(VisitorHash::from_u64(u64::MAX - 5));
        let additions = [
            (Some(visitor), Addition::PageView { path: "/a".into(), view: View::sample() }),
            (
                None,
                Addition::Leave {
                    path: "/a".into(),
                    leave: Leave { cls: Some(0.125), ..Leave::default() },
                    segments: SegmentKey::of_leave(&Leave::default(), DeviceClass::Mobile, None),
                },
            ),
            (
                None,
                Addition::Event {
                    path: "/a".into(),
                    event: Event::Goal { name: "signup".into(), value: Some(-12.5), props: vec![] },
                    segments: Some(SegmentKey::of_goal(
                        &tacit_beacon::GoalContext::default(),
                        tacit_beacon::agent::DeviceClass::Mobile,
                        None,
                    )),
                },
            ),
            (
                None,
                Addition::Event {
                    path: "/a".into(),
                    event: Event::Custom {
                        name: "video_play".into(),
                        value: None,
                        props: vec![("title".into(), "intro".into())],
                    },
                    segments: None,
                },
            ),
            (None, Addition::ConsentOnly),
            (None, Addition::BotDropped),
            (
                Some(visitor),
                Addition::BarePageView {
                    path: "/b".into(),
                    view: View::sample(),
                    cause: BareCause::WasmRefused,
                },
            ),
            (
                None,
                Addition::LeaveUpdate {
                    path: "/a".into(),
                    replaced: Box::new(Leave { engaged_ms: 4_000, ..Leave::default() }),
                    leave: Leave {
                        engaged_ms: 31_000,
                        next: Some("/b".into()),
                        ..Leave::default()
                    },
                    segments: SegmentKey::of_leave(
                        &Leave::default(),
                        DeviceClass::Tablet,
                        CountryCode::parse("DE"),
                    ),
                },
            ),
        ];
        for (visitor, addition) in additions {
            let entry = JournalEntry {
                id: Some(u64::MAX),
                accepted_ms: 1_764_000_000_000,
                tally: TallyChange::default(),
                visitor,
                addition,
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
    fn rejects_every_version_but_the_current_one() {
        let mut site = SiteDay::default();
        site.record_bot_dropped();
        let entry = JournalEntry {
            id: Some(7),
            accepted_ms: 1_764_000_000_000,
            tally: TallyChange::default(),
            visitor: None,
            addition: crate::journal::Addition::BotDropped,
        };
        let (page, site, entry) =
            (encode_page_day(&record([1])), encode_site_day(&site), encode_journal_entry(&entry));
        // Every earlier version, the next one, and one far ahead.
        for version in (0..FORMAT_VERSION).chain([FORMAT_VERSION + 1, u8::MAX]) {
            let unsupported = Err(CodecError::UnsupportedVersion(version));
            assert_eq!(
                decode_page_day(&with_version(page.clone(), version)).map(drop),
                unsupported
            );
            assert_eq!(
                decode_site_day(&with_version(site.clone(), version)).map(drop),
                unsupported
            );
            assert_eq!(
                decode_journal_entry(&with_version(entry.clone(), version)).map(drop),
                unsupported
            );
        }
        assert!(decode_journal_entry(&with_version(entry, FORMAT_VERSION)).is_ok());
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
