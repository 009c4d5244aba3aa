//! The record and journal decoders on any bytes: no panic, and whatever they accept encodes
//! and decodes to the same counts again (what a flush after a read writes). Not to the same
//! bytes for records: bytes no writer writes may decode (value sums stored although all are
//! zero, a −0 among them), and are written again as the writer writes them.
//!
//! Random bytes almost never pass the checksum, so the first byte chooses: decode the rest as
//! it is, or frame it as a record payload with a valid header and checksum, which lets the
//! fuzzer reach the payload decoder (postcard, the sketches, the top-k lists).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tacit_aggregate::codec::{
    decode_journal_entry, decode_page_day, decode_page_day_without_segments, decode_site_day,
    encode_journal_entry, encode_page_day, encode_site_day, KIND_JOURNAL_ENTRY, KIND_PAGE_DAY,
    KIND_SITE_DAY, MAGIC,
};
use tacit_aggregate::journal::Addition;
use tacit_aggregate::DayRecord;
use tacit_aggregate::{PageDay, SiteDay};
use tacit_fuzz::BoundedAllocator;

#[global_allocator]
static ALLOCATOR: BoundedAllocator = BoundedAllocator;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let bytes = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        let Some((&version, payload)) = rest.split_first() else { return };
        let kind = [KIND_PAGE_DAY, KIND_SITE_DAY, KIND_JOURNAL_ENTRY][usize::from(mode >> 1) % 3];
        framed(version, kind, payload)
    };
    if let Ok(mut record) = decode_page_day(&bytes) {
        let mut again = decode_page_day(&encode_page_day(&record)).expect("a page record decodes");
        assert_eq!(counts(&mut again), counts(&mut record), "page record changed on a round trip");
    }
    if let Ok(mut head) = decode_page_day_without_segments(&bytes) {
        // A read that needs no segment: the record it decodes stores, and is the whole
        // record less its segments.
        assert!(head.segments().iter().next().is_none(), "segments read");
        let mut again = decode_page_day(&encode_page_day(&head)).expect("a page record decodes");
        assert_eq!(counts(&mut again), counts(&mut head), "page record changed on a round trip");
        if let Ok(mut whole) = decode_page_day(&bytes) {
            whole.keep_only_segment(None);
            assert_eq!(counts(&mut whole), counts(&mut head), "the segments' bytes read as more");
        }
    }
    if let Ok(mut record) = decode_site_day(&bytes) {
        let mut again = decode_site_day(&encode_site_day(&record)).expect("a site rollup decodes");
        assert_eq!(counts(&mut again), counts(&mut record), "site rollup changed on a round trip");
        assert_eq!(again.bots_dropped(), record.bots_dropped());
        assert_eq!(format!("{:?}", again.consent()), format!("{:?}", record.consent()));
    }
    if let Ok(entry) = decode_journal_entry(&bytes) {
        // Compared as bytes: an entry holds no hash set, and a decoded float may be NaN.
        let encoded = encode_journal_entry(&entry);
        let again = decode_journal_entry(&encoded).expect("an encoded journal entry decodes");
        assert_eq!(encode_journal_entry(&again), encoded, "journal entry changed on a round trip");
        // Replayed onto records, as a shard does after a restart: they still store. A leave
        // update replays after the leave it replaces, and once more on its own.
        let (mut site, mut page) = (SiteDay::default(), PageDay::default());
        match &entry.addition {
            // Never journalled: these count their visitor.
            Addition::PageView { .. }
            | Addition::BarePageView { .. }
            | Addition::FunnelStep { .. }
                if entry.visitor.is_none() =>
            {
                return
            }
            Addition::LeaveUpdate { replaced, segments, .. } => {
                site.record_leave(replaced, *segments);
                page.record_leave(replaced, *segments);
            }
            _ => {}
        }
        for _ in 0..2 {
            entry.apply(&mut site, entry.path().map(|_| &mut page));
        }
        decode_page_day(&encode_page_day(&page)).expect("a page record after a replay decodes");
        decode_site_day(&encode_site_day(&site)).expect("a site rollup after a replay decodes");
    }
});

/// Unique visitors and every activity and segment figure; neither has hash containers but
/// the segments' visitor sketches, which are compared by their estimates, so the debug text is
/// a faithful fingerprint.
fn counts(record: &mut impl DayRecord) -> (u64, String, Vec<(String, u64, String)>) {
    let segments = record
        .segments()
        .iter()
        .map(|(segment, traffic)| {
            let mut visitors = traffic.visitors.clone();
            (segment.to_string(), visitors.estimate(), format!("{:?}", traffic.engagement))
        })
        .collect();
    (record.unique_visitors(), format!("{:?}", record.activity()), segments)
}

/// `payload` with the codec's header and CRC-32, as `codec::encode` lays them out.
fn framed(version: u8, kind: u8, payload: &[u8]) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    bytes.extend([version, kind]);
    bytes.extend_from_slice(payload);
    let checksum = crc32fast::hash(&bytes);
    bytes.extend(checksum.to_le_bytes());
    bytes
}
