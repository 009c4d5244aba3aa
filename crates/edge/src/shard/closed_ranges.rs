//! Closed days' records, merged once per range and kept in the shard's memory.
//!
//! A range's closed days are read from stored rollups and single days
//! ([`tacit_report::stored_range`]): a 30-day summary of a site with 1,000 pages decodes and
//! merges up to a dozen records per page. A marketer reads the same range again and again (the
//! site page, a page's summary, the comparison period, back), so the closed part is merged once
//! per range into one record per page, kept encoded, and merged with the open day's records on
//! each read: one record per page to decode. Merging is associative and sketches merge as
//! unions, so the figures are the same as merging the days one by one (a core test holds that).
//!
//! What is kept is bounded by [`MAX_KEPT_BYTES`] (encoded), the least recently used range goes
//! first, and everything is dropped whenever stored records may have changed under it: the
//! daily maintenance (retention deletes days), a journal replay, a site's deletion. It is memory
//! only: a new instance of the object starts without it.

use std::collections::VecDeque;

use tacit_aggregate::codec::{decode_site_day, encode_page_day, encode_site_day};
use tacit_aggregate::Day;
use tacit_report::stored_range::{RangeRecords, RecordsNeeded};

use crate::error::{AppError, AppResult};

/// The most bytes of encoded records kept, over all ranges.
const MAX_KEPT_BYTES: usize = 16 << 20;

/// A closed range's records, encoded.
struct KeptRange {
    from: Day,
    to: Day,
    pages: Vec<(String, Vec<u8>)>,
    site_days: Vec<(Day, Vec<u8>)>,
    site: Vec<u8>,
    bytes: usize,
}

/// The closed ranges read lately, most recent first.
#[derive(Default)]
pub struct ClosedRanges {
    kept: VecDeque<KeptRange>,
}

impl ClosedRanges {
    /// The records of the closed days `from..=to`: kept ones, their pages decoded with only the
    /// segments `needed` names, or `read`'s, which are then kept whole if they fit.
    pub fn get_or_read(
        &mut self,
        from: Day,
        to: Day,
        needed: &RecordsNeeded,
        read: impl FnOnce() -> AppResult<RangeRecords>,
    ) -> AppResult<RangeRecords> {
        if let Some(index) = self.kept.iter().position(|kept| kept.from == from && kept.to == to) {
            let kept = self.kept.remove(index).expect("the index was just found");
            let records = decoded(&kept, needed);
            self.kept.push_front(kept);
            return records;
        }
        let records = read()?;
        self.keep(from, to, &records);
        Ok(records)
    }

    /// Forgets every kept range: stored records may have changed.
    pub fn clear(&mut self) {
        self.kept.clear();
    }

    fn keep(&mut self, from: Day, to: Day, records: &RangeRecords) {
        let pages: Vec<(String, Vec<u8>)> = records
            .pages
            .iter()
            .map(|(path, record)| (path.clone(), encode_page_day(record)))
            .collect();
        let site_days: Vec<(Day, Vec<u8>)> =
            records.site_days.iter().map(|(day, record)| (*day, encode_site_day(record))).collect();
        let site = encode_site_day(&records.site);
        let bytes = pages.iter().map(|(path, bytes)| path.len() + bytes.len()).sum::<usize>()
            + site_days.iter().map(|(_, bytes)| bytes.len()).sum::<usize>()
            + site.len();
        if bytes > MAX_KEPT_BYTES {
            return;
        }
        while self.kept.iter().map(|kept| kept.bytes).sum::<usize>() + bytes > MAX_KEPT_BYTES {
            self.kept.pop_back();
        }
        self.kept.push_front(KeptRange { from, to, pages, site_days, site, bytes });
    }
}

fn decoded(kept: &KeptRange, needed: &RecordsNeeded) -> AppResult<RangeRecords> {
    let corrupt = |what: &str, e| AppError::Internal(format!("kept {what} record: {e}"));
    let pages = kept
        .pages
        .iter()
        .map(|(path, bytes)| {
            let record = needed.decode_page(path, bytes).map_err(|e| corrupt("page", e))?;
            Ok((path.clone(), record))
        })
        .collect::<AppResult<_>>()?;
    let site_days = kept
        .site_days
        .iter()
        .map(|(day, bytes)| Ok((*day, decode_site_day(bytes).map_err(|e| corrupt("site", e))?)))
        .collect::<AppResult<_>>()?;
    let site = decode_site_day(&kept.site).map_err(|e| corrupt("site", e))?;
    Ok(RangeRecords { pages, site_days, site })
}
