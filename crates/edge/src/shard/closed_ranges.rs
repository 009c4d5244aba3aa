//! Closed days' records, merged once per range and kept in the shard's memory.
//!
//! A range's closed days are read from stored rollups and single days
//! ([`tacit_report::stored_range`]): a 30-day summary of a site with 1,000 pages decodes and
//! merges up to a dozen records per page. A marketer reads the same range again and again (the
//! site page, a page's summary, the comparison period, back), so the closed part is merged once
//! per range into one record per page, kept encoded, and merged with the open day's records on
//! each read: one record per page to decode. Merging is associative and sketches merge as
//! unions, so the figures are the same as merging the days one by one (a core test holds that).
//! Each page is kept encoded, its parts merged without their segments. Its segments are merged
//! too if a report of the whole site tests them (the page has enough visits in these days);
//! otherwise each part's are kept apart as they were read, for the report that needs them, and
//! never decoded or merged by the others ([`tacit_report::stored_range::PartPages`]), until a
//! segment's first read merges them. Segments are most of what decoding and merging records
//! costs. Each day's site record is kept with only what the daily series reads, a fifth of its
//! bytes. A shard of a site split across several sends the bytes to the worker as they are.
//!
//! What is kept is bounded by [`MAX_KEPT_BYTES`] (encoded), the least recently used range goes
//! first, and everything is dropped whenever stored records may have changed under it: the
//! daily maintenance (retention deletes days), a journal replay, a site's deletion. It is memory
//! only: a new instance of the object starts without it.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, VecDeque};

use tacit_aggregate::codec::{decode_site_day, encode_site_day};
use tacit_aggregate::segments::Segment;
use tacit_aggregate::{Day, SiteDay};
use tacit_report::stored_range::{EncodedPage, PartRecords, RecordsNeeded};

use crate::error::AppResult;
use crate::tokens::random_bytes;

/// The most bytes of encoded records kept, over all ranges.
const MAX_KEPT_BYTES: usize = 16 << 20;

/// A kept range's records for a read: its pages as the read took them, and the site's.
pub struct KeptRecords<P> {
    pub pages: P,
    /// Each day's site record, with only what the daily series reads.
    pub site_days: Vec<(Day, SiteDay)>,
    /// The site's record of the range.
    pub site: SiteDay,
}

/// A closed range's records, encoded.
struct KeptRange {
    from: Day,
    to: Day,
    /// Each page's records, by path.
    pages: Vec<EncodedPage>,
    /// Each day's site record with only what the daily series of every visitor, or of a
    /// segment, reads: a fifth of its bytes or less, and of the time it takes to decode. Made
    /// for a segment from the stored days when a read first needs it.
    daily_series: BTreeMap<Option<Segment>, Vec<(Day, Vec<u8>)>>,
    site: Vec<u8>,
}

/// The closed ranges read lately, most recent first, and the version of the closed records.
#[derive(Default)]
pub struct ClosedRanges {
    kept: VecDeque<KeptRange>,
    /// Drawn at random when first asked for after a [`ClosedRanges::clear`] or on a new
    /// instance: see [`ClosedRanges::version`].
    version: Option<u64>,
}

impl ClosedRanges {
    /// The records of the closed days `from..=to`: kept ones, or `read`'s, which are then kept
    /// if they fit. `take` gets the pages as kept, the codec's bytes: a one-shard read decodes
    /// them where they are, a site's shard copies them for the worker, which decodes them with
    /// the other shards'. Either decodes only the segments it needs. The site's records hold
    /// only what `needed` names: a segment's daily series is made, the first time, from
    /// `read_site_days` (the range's stored site records).
    pub fn get_or_read<P>(
        &mut self,
        (from, to): (Day, Day),
        needed: &RecordsNeeded,
        read: impl FnOnce() -> AppResult<PartRecords>,
        read_site_days: impl FnOnce() -> AppResult<Vec<(Day, SiteDay)>>,
        take: impl FnOnce(&[EncodedPage]) -> AppResult<P>,
    ) -> AppResult<KeptRecords<P>> {
        let mut kept = match self.kept.iter().position(|kept| kept.from == from && kept.to == to) {
            Some(index) => self.kept.remove(index).expect("the index was just found"),
            None => KeptRange::new(from, to, read()?),
        };
        let records = kept.site_records(needed, read_site_days).and_then(|(site_days, site)| {
            Ok(KeptRecords { pages: take(&kept.pages)?, site_days, site })
        });
        self.keep(kept);
        records
    }

    /// Forgets every kept range: stored records may have changed.
    pub fn clear(&mut self) {
        self.kept.clear();
        self.version = None;
    }

    /// The version of the shard's closed days' records: the same for as long as they are, as
    /// far as this instance knows. It changes whenever what is kept is dropped, and a new
    /// instance (after a restart, when stored records may have changed unseen) draws its own.
    /// A reader that holds a range merged from records of one version (a site's worker, over
    /// its shards) holds them still while the version is the same.
    pub fn version(&mut self) -> AppResult<u64> {
        match self.version {
            Some(version) => Ok(version),
            None => {
                let version = u64::from_le_bytes(random_bytes::<8>()?);
                self.version = Some(version);
                Ok(version)
            }
        }
    }

    /// Keeps `range` as the most recently used, if it fits.
    fn keep(&mut self, range: KeptRange) {
        let bytes = range.bytes();
        if bytes > MAX_KEPT_BYTES {
            return;
        }
        while self.kept.iter().map(KeptRange::bytes).sum::<usize>() + bytes > MAX_KEPT_BYTES {
            self.kept.pop_back();
        }
        self.kept.push_front(range);
    }
}

impl KeptRange {
    /// The closed days `from..=to`'s `records`, encoded.
    fn new(from: Day, to: Day, records: PartRecords) -> KeptRange {
        let pages = records.pages.encode();
        let every_visitor = daily_series(records.site_days, None);
        KeptRange {
            from,
            to,
            pages,
            daily_series: BTreeMap::from([(None, every_visitor)]),
            site: encode_site_day(&records.site),
        }
    }

    /// The site's records for a read that needs the segments `needed` names: each day's and
    /// the range's. The first read of a segment also merges every page's segments kept apart
    /// into its record: a segment's reads decode every page's segments.
    fn site_records(
        &mut self,
        needed: &RecordsNeeded,
        read_site_days: impl FnOnce() -> AppResult<Vec<(Day, SiteDay)>>,
    ) -> AppResult<(Vec<(Day, SiteDay)>, SiteDay)> {
        if needed.segment.is_some() {
            for page in &mut self.pages {
                page.merge_undecided()?;
            }
        }
        if let Entry::Vacant(series) = self.daily_series.entry(needed.segment) {
            series.insert(daily_series(read_site_days()?, needed.segment));
        }
        // Kept trimmed for the daily series of `needed`'s segment.
        let days = self.daily_series[&needed.segment].iter();
        let site_days = days.map(|(day, bytes)| Ok((*day, decode_site_day(bytes)?)));
        Ok((site_days.collect::<AppResult<_>>()?, decode_site_day(&self.site)?))
    }

    /// How many bytes it keeps.
    fn bytes(&self) -> usize {
        let day_bytes =
            |days: &[(Day, Vec<u8>)]| -> usize { days.iter().map(|(_, bytes)| bytes.len()).sum() };
        self.pages.iter().map(EncodedPage::bytes).sum::<usize>()
            + self.daily_series.values().map(|days| day_bytes(days)).sum::<usize>()
            + self.site.len()
    }
}

/// Each day's site record with only what the daily series of `segment` (of every visitor
/// when `None`) reads, encoded.
fn daily_series(
    site_days: impl IntoIterator<Item = (Day, SiteDay)>,
    segment: Option<Segment>,
) -> Vec<(Day, Vec<u8>)> {
    let point = |(day, mut record): (Day, SiteDay)| {
        record.keep_only_daily_series(segment);
        (day, encode_site_day(&record))
    };
    site_days.into_iter().map(point).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tacit_aggregate::codec::encode_page_day;
    use tacit_aggregate::segments::SegmentKey;
    use tacit_aggregate::{DayRecord, PageDay, VisitorHash};
    use tacit_beacon::signal::{Leave, View};
    use tacit_report::stored_range::{PartPages, RangeRecords};

    #[test]
    fn a_kept_range_gives_each_read_the_site_days_trimmed_for_it() {
        let first = Day::from_days_since_epoch(20_000);
        let view = View::sample();
        let leave = Leave { entry: view.entry, engaged_ms: 12_000, ..Leave::default() };
        let site_days: Vec<(Day, SiteDay)> = (0..3u64)
            .map(|n| {
                let mut site = SiteDay::default();
                site.record_view(VisitorHash::from_u64(n + 1), &view);
                site.record_leave(&leave, SegmentKey::of_leave(&leave, view.device, view.country));
                (first.add_days(n as i32), site)
            })
            .collect();
        let mut site = SiteDay::default();
        site_days.iter().for_each(|(_, record)| site.merge(record));
        // A page of two days, too few visits to test its segments: kept apart, by day.
        let mut page = PageDay::default();
        page.record_view(VisitorHash::from_u64(1), &view);
        page.record_leave(&leave, SegmentKey::of_leave(&leave, view.device, view.country));
        let day = EncodedPage::whole("/".into(), encode_page_day(&page));
        let pages = PartPages::decode(&[day.clone(), day], &RecordsNeeded::kept_for_any_report());
        let records = PartRecords::new(pages.unwrap(), site_days.clone(), site.clone());
        let (last, mut ranges) = (first.add_days(2), ClosedRanges::default());
        let encoded = |days: &[(Day, SiteDay)]| -> Vec<(Day, Vec<u8>)> {
            days.iter().map(|(day, record)| (*day, encode_site_day(record))).collect()
        };
        // Each read: its segment, the segments its site days keep, the page's segments apart.
        let desktop = Segment::parse("device:desktop").ok();
        for (segment, segments_read, apart) in [(None, 0, 2), (desktop, 1, 0), (None, 0, 0)] {
            let needed = RecordsNeeded { segment, ..RecordsNeeded::default() };
            let read = || Ok(records.clone());
            let read_days = || Ok(site_days.clone());
            let copy = |pages: &[EncodedPage]| Ok(pages.to_vec());
            let sent = ranges.get_or_read((first, last), &needed, read, read_days, copy).unwrap();
            let decode = |pages: &[EncodedPage]| Ok(PartPages::decode(pages, &needed)?);
            let decoded = ranges.get_or_read((first, last), &needed, read, read_days, decode);
            let decoded = decoded.unwrap();
            let mut expected = RangeRecords {
                pages: Vec::new(),
                site_days: site_days.clone(),
                site: site.clone(),
            };
            expected.trim(&needed);
            for (days, site) in [(&sent.site_days, &sent.site), (&decoded.site_days, &decoded.site)]
            {
                assert_eq!(encoded(days), encoded(&expected.site_days), "{segment:?}");
                assert_eq!(encode_site_day(site), encode_site_day(&expected.site));
                assert_eq!(days[0].1.segments().iter().count(), segments_read, "{segment:?}");
            }
            // From a segment's first read on, the page's segments are merged into its record.
            assert_eq!(sent.pages[0].undecided.len(), apart, "{segment:?}");
            let pages = decoded.pages.finish(&needed).unwrap();
            let expected =
                PartPages::decode(&sent.pages, &needed).unwrap().finish(&needed).unwrap();
            let bytes = |pages: &[(String, PageDay)]| -> Vec<Vec<u8>> {
                pages.iter().map(|(_, record)| encode_page_day(record)).collect()
            };
            assert_eq!(bytes(&pages), bytes(&expected), "{segment:?}");
        }
        assert_eq!(ranges.kept.len(), 1, "read once, kept");
    }
}
