//! Closed days' records, merged once per range and kept in the shard's memory.
//!
//! A 30-day summary of a site with 1,000 pages reads 30,000 page-day records; decoding and
//! merging them is almost all of its cost, and a marketer reads the same range again and again
//! (the site page, a page's summary, the comparison period, back). Closed days no longer change
//! (beacons count on the current day only), so their records are merged once per range into one
//! record per page, kept encoded, and merged with the open day's records on each read. Merging
//! is associative and sketches merge as unions, so the figures are the same as merging the days
//! one by one (a core test holds that).
//!
//! What is kept is bounded by [`MAX_KEPT_BYTES`] (encoded), the least recently used range goes
//! first, and everything is dropped whenever stored records may have changed under it: the
//! daily maintenance (retention deletes days), a journal replay, a site's deletion. It is memory
//! only: a new instance of the object starts without it.

use std::collections::VecDeque;

use tacit_aggregate::codec::{decode_page_day, decode_site_day, encode_page_day, encode_site_day};
use tacit_aggregate::{Day, PageDay, SiteDay};
use tacit_report::summary::merge_by_path;

use crate::error::{AppError, AppResult};

/// The most bytes of encoded records kept, over all ranges.
const MAX_KEPT_BYTES: usize = 16 << 20;

/// One record per page over a range, and the range's site rollups, one per day.
pub type RangeRecords = (Vec<(String, PageDay)>, Vec<(Day, SiteDay)>);

/// A closed range's records, encoded.
struct KeptRange {
    from: Day,
    to: Day,
    pages: Vec<(String, Vec<u8>)>,
    site_days: Vec<(Day, Vec<u8>)>,
    bytes: usize,
}

/// The closed ranges read lately, most recent first.
#[derive(Default)]
pub struct ClosedRanges {
    kept: VecDeque<KeptRange>,
}

impl ClosedRanges {
    /// The records of the closed days `from..=to`, merged per page: kept ones, or `read`'s
    /// (the stored pairs, one per page and day), which are then kept if they fit.
    pub fn get_or_read(
        &mut self,
        from: Day,
        to: Day,
        read: impl FnOnce() -> AppResult<RangeRecords>,
    ) -> AppResult<RangeRecords> {
        if let Some(index) = self.kept.iter().position(|kept| kept.from == from && kept.to == to) {
            let kept = self.kept.remove(index).expect("the index was just found");
            let records = decoded(&kept);
            self.kept.push_front(kept);
            return records;
        }
        let (pages, site_days) = read()?;
        let pages = merge_by_path(pages);
        self.keep(from, to, &pages, &site_days);
        Ok((pages, site_days))
    }

    /// Forgets every kept range: stored records may have changed.
    pub fn clear(&mut self) {
        self.kept.clear();
    }

    fn keep(
        &mut self,
        from: Day,
        to: Day,
        pages: &[(String, PageDay)],
        site_days: &[(Day, SiteDay)],
    ) {
        let pages: Vec<(String, Vec<u8>)> =
            pages.iter().map(|(path, record)| (path.clone(), encode_page_day(record))).collect();
        let site_days: Vec<(Day, Vec<u8>)> =
            site_days.iter().map(|(day, record)| (*day, encode_site_day(record))).collect();
        let bytes = pages.iter().map(|(path, bytes)| path.len() + bytes.len()).sum::<usize>()
            + site_days.iter().map(|(_, bytes)| bytes.len()).sum::<usize>();
        if bytes > MAX_KEPT_BYTES {
            return;
        }
        while self.kept.iter().map(|kept| kept.bytes).sum::<usize>() + bytes > MAX_KEPT_BYTES {
            self.kept.pop_back();
        }
        self.kept.push_front(KeptRange { from, to, pages, site_days, bytes });
    }
}

fn decoded(kept: &KeptRange) -> AppResult<RangeRecords> {
    let corrupt = |what: &str, e| AppError::Internal(format!("kept {what} record: {e}"));
    let pages = kept
        .pages
        .iter()
        .map(|(path, bytes)| {
            Ok((path.clone(), decode_page_day(bytes).map_err(|e| corrupt("page", e))?))
        })
        .collect::<AppResult<_>>()?;
    let site_days = kept
        .site_days
        .iter()
        .map(|(day, bytes)| Ok((*day, decode_site_day(bytes).map_err(|e| corrupt("site", e))?)))
        .collect::<AppResult<_>>()?;
    Ok((pages, site_days))
}
