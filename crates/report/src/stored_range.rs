//! Reading a range from a shard's stored records: its closed weeks and months from their
//! rollups, the rest day by day ([`tacit_aggregate::rollup::pieces`]).
//!
//! A shard stores each closed period's records merged ([`PeriodRecords::merge_days`], at its
//! daily maintenance), and reads a range through [`PartRecords::read`]: a stored rollup where
//! there is one, the period's days where there is none (a crash before the maintenance wrote
//! it, or retention deleted it with its first days). Merging is associative and every sketch
//! merges as a union, so either way the figures are those of merging the days one by one.
//! Each record's segments are decoded only if a report may need them ([`PartPages`]).
//!
//! The daily series needs each day's site record whatever the rollups: they are read for every
//! day of the range, and the range's site total comes from the rollups and the single days.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tacit_aggregate::codec::{
    decode_page_day, decode_page_day_head, encode_page_day, CodecError, EncodedSegments,
    PageSegmentBytes,
};
use tacit_aggregate::rollup::{pieces, Piece, Rollup};
use tacit_aggregate::segments::Segment;
use tacit_aggregate::{Day, DayRecord, PageDay, SiteDay};

use crate::insights::page_segments_testable;
use crate::summary::merge_by_path;
use crate::{MergedRange, ReportKind};

/// What a shard stores: its page records and site rollups, by day, and its period rollups.
pub trait StoredRecords {
    /// Why a read failed: a record that does not decode among other reasons.
    type Error: From<CodecError>;

    /// Every `(path, record)` pair of the days `from..=to`.
    fn page_days(&self, from: Day, to: Day) -> Result<Vec<(String, PageDay)>, Self::Error>;

    /// As [`StoredRecords::page_days`], each record as the codec's bytes.
    fn page_days_encoded(&self, from: Day, to: Day) -> Result<Vec<EncodedPage>, Self::Error>;

    /// Every site record of the days `from..=to`, with its day.
    fn site_days(&self, from: Day, to: Day) -> Result<Vec<(Day, SiteDay)>, Self::Error>;

    /// The stored rollup of `rollup`'s period, its pages as the codec's bytes; `None` when
    /// there is none.
    fn rollup(&self, rollup: Rollup) -> Result<Option<EncodedPeriod>, Self::Error>;
}

/// A stored rollup as read: its pages' records as the codec's bytes, and the site's decoded.
#[derive(Debug, Clone, Default)]
pub struct EncodedPeriod {
    /// One record per page, by path.
    pub pages: Vec<EncodedPage>,
    /// The site's records merged.
    pub site: SiteDay,
}

/// A period's records merged: one record per page, and the site's.
#[derive(Debug, Clone)]
pub struct PeriodRecords {
    /// One record per page, by path.
    pub pages: Vec<(String, PageDay)>,
    /// The site's records merged.
    pub site: SiteDay,
}

impl PeriodRecords {
    /// The records of `rollup`'s days, merged: what a shard stores as its rollup.
    pub fn merge_days<S: StoredRecords>(source: &S, rollup: Rollup) -> Result<Self, S::Error> {
        let pages = merge_by_path(source.page_days(rollup.first, rollup.last)?);
        let mut site = SiteDay::default();
        for (_, record) in source.site_days(rollup.first, rollup.last)? {
            site.merge(&record);
        }
        Ok(PeriodRecords { pages, site })
    }
}

/// One shard's records of a range: one record per page, each day's site record (for the daily
/// series) and the site's records of the whole range merged.
#[derive(Debug, Clone, Default)]
pub struct RangeRecords {
    /// One record per page, by path.
    pub pages: Vec<(String, PageDay)>,
    /// Each day's site record.
    pub site_days: Vec<(Day, SiteDay)>,
    /// The site's records of the range, merged.
    pub site: SiteDay,
}

/// What a report reads of a range's segments: a page's and a day's only for the segment the
/// report is read for; every one of a page report's page (its segment table); every one of the
/// pages whose segments the insights may test, when the report runs them over the whole site
/// (the site summary, a page report, the insights); and the range's site record's, always (the
/// site's segment table). A segment's report reads the segment's records alone, which have no
/// segments.
///
/// The segment gap rule tests each page's segments and the control of false discoveries counts
/// every test of the range, so such a report needs the segments of every page that can be
/// tested: of those with enough ended visits ([`page_segments_testable`]), which only the page's
/// records merged over the range and every shard tell. So its pages are read in two steps
/// ([`PartPages`]): every part without its segments, merged; then the segments of the pages
/// that can be tested. A record's segments are most of what decoding and merging it costs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordsNeeded {
    /// The segment the report is read for: the only one kept in every other page and day.
    pub segment: Option<Segment>,
    /// The page whose record keeps every segment, for its segment table.
    pub whole_page: Option<String>,
    /// Whether every page whose segments can be tested keeps them all, for the insights.
    pub testable_pages: bool,
}

/// Which of a page record's segments a read needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageSegments {
    /// Every one.
    All,
    /// Every one if the page's segments can be tested ([`page_segments_testable`]), which
    /// its record merged over the range and every shard tells; none otherwise.
    AllIfTestable,
    /// This one.
    One(Segment),
    /// None.
    None,
}

impl PageSegments {
    /// Drops from `record` the segments not needed. A page whose segments are needed if they
    /// can be tested keeps them all: only its records merged tell ([`PageSegments::of_merged`]).
    pub fn keep_in(self, record: &mut PageDay) {
        match self {
            PageSegments::All | PageSegments::AllIfTestable => {}
            PageSegments::One(segment) => record.keep_only_segment(Some(segment)),
            PageSegments::None => record.keep_only_segment(None),
        }
    }

    /// The segments needed of a page whose record over the whole range, every shard's merged,
    /// is `merged`.
    pub fn of_merged(self, merged: &PageDay) -> PageSegments {
        match self {
            PageSegments::AllIfTestable
                if page_segments_testable(&merged.activity().engagement) =>
            {
                PageSegments::All
            }
            PageSegments::AllIfTestable => PageSegments::None,
            needed => needed,
        }
    }
}

impl RecordsNeeded {
    /// What a `kind` report for the visitors of `segment` (every visitor when `None`) reads.
    pub fn of(kind: &ReportKind, segment: Option<Segment>) -> RecordsNeeded {
        let whole_page = match (kind, segment) {
            (ReportKind::Page { path }, _) => Some(path.clone()),
            (ReportKind::Pages | ReportKind::Site | ReportKind::Insights, _) => None,
        };
        let runs_insights = !matches!(kind, ReportKind::Pages);
        RecordsNeeded { segment, whole_page, testable_pages: runs_insights && segment.is_none() }
    }

    /// What a range's records kept for later reports of any kind decode now: the segments of
    /// each page that can be tested on these records (every report of the whole site needs
    /// them, and any other report decodes a merged record's segments as fast as its parts');
    /// every other page's stay encoded, for the report that needs them.
    pub fn kept_for_any_report() -> RecordsNeeded {
        RecordsNeeded { segment: None, whole_page: None, testable_pages: true }
    }

    /// The segments needed of the page at `path`.
    pub fn page_segments(&self, path: &str) -> PageSegments {
        if self.whole_page.as_deref() == Some(path) {
            return PageSegments::All;
        }
        match (self.segment, self.testable_pages) {
            (Some(segment), _) => PageSegments::One(segment),
            (None, true) => PageSegments::AllIfTestable,
            (None, false) => PageSegments::None,
        }
    }
}

/// A page's records of some of a range's parts, as the codec's bytes: its record, and the
/// segments of its parts not yet merged into it (see [`PartPages`]). A record as stored has
/// none apart.
#[derive(Debug, Clone)]
pub struct EncodedPage {
    /// The page's path.
    pub path: String,
    /// Its record: its parts' merged, with the segments decided so far.
    pub record: Vec<u8>,
    /// Its parts' segments still undecided, each to be merged into the record if a read needs
    /// them.
    pub undecided: Vec<EncodedSegments>,
}

impl EncodedPage {
    /// A page's record as stored, its segments in it.
    pub fn whole(path: String, record: Vec<u8>) -> EncodedPage {
        EncodedPage { path, record, undecided: Vec::new() }
    }

    /// Merges the segments apart into the record: what a page costs a read that needs its
    /// segments is then one record's, whatever the number of parts it was read from.
    pub fn merge_undecided(&mut self) -> Result<(), CodecError> {
        if self.undecided.is_empty() {
            return Ok(());
        }
        let mut record = decode_page_day(&self.record)?;
        for segments in self.undecided.drain(..) {
            record.merge_segments(&segments.decode()?);
        }
        self.record = encode_page_day(&record);
        Ok(())
    }

    /// How many bytes it takes, its path's included.
    pub fn bytes(&self) -> usize {
        self.path.len() + self.record.len() + self.undecided.iter().map(|s| s.len()).sum::<usize>()
    }
}

/// A part's segments of a page, in its record's bytes or apart from them.
#[derive(Clone, Copy)]
enum PartSegments<'a> {
    InRecord(PageSegmentBytes<'a>),
    Apart(&'a EncodedSegments),
}

impl PartSegments<'_> {
    fn decode(self) -> Result<tacit_aggregate::segments::Segments, CodecError> {
        match self {
            PartSegments::InRecord(bytes) => bytes.decode(),
            PartSegments::Apart(encoded) => encoded.decode(),
        }
    }

    fn to_owned(self) -> EncodedSegments {
        match self {
            PartSegments::InRecord(bytes) => bytes.to_owned(),
            PartSegments::Apart(encoded) => encoded.clone(),
        }
    }
}

/// Page records of some of a range's parts (days, kept ranges, shards), merged into one record
/// per page with the segments a read needs, as far as these parts tell: a page whose segments
/// are needed only if its records merged over the whole range can be tested
/// ([`PageSegments::AllIfTestable`]) and whose records here cannot be tested keeps its parts'
/// segments encoded, to be decoded once the range's other parts are merged in
/// ([`PartPages::finish`]). So one part of a range, decoded once, can be merged with the
/// others again and again: a site's worker keeps its closed days' this way.
#[derive(Debug, Clone, Default)]
pub struct PartPages {
    /// One record per page, sorted by path: every part's without its segments, and the
    /// segments decided so far.
    pages: Vec<(String, PageDay)>,
    /// Each page's parts' segments still undecided, by the page's index in `pages`.
    undecided: Vec<Vec<EncodedSegments>>,
}

impl PartPages {
    /// Decodes `parts`: every part without its segments, merged by page; then the segments of
    /// each part of a page that needs them, given its records merged here
    /// ([`PageSegments::of_merged`]), decoded and merged into its record, and those that may
    /// be needed once the range's other parts are in, kept encoded.
    pub fn decode<'a>(
        parts: impl IntoIterator<Item = &'a EncodedPage>,
        needed: &RecordsNeeded,
    ) -> Result<PartPages, CodecError> {
        let mut segments = Vec::new();
        let mut failure = None;
        // Each part merged as soon as it is decoded: a site's worker holds one record per
        // page, not one per page and shard.
        let heads = parts.into_iter().map_while(|page| match decode_page_day_head(&page.record) {
            Ok((head, rest)) => {
                let path = page.path.as_str();
                segments.push((path, PartSegments::InRecord(rest)));
                segments
                    .extend(page.undecided.iter().map(|apart| (path, PartSegments::Apart(apart))));
                Some((page.path.clone(), head))
            }
            Err(error) => {
                failure = Some(error);
                None
            }
        });
        let mut pages = merge_by_path(heads);
        if let Some(error) = failure {
            return Err(error);
        }
        let mut undecided = vec![Vec::new(); pages.len()];
        for (path, encoded) in segments {
            let at = pages
                .binary_search_by(|(page, _)| page.as_str().cmp(path))
                .expect("merge_by_path keeps every path, sorted");
            let record = &mut pages[at].1;
            let wanted = needed.page_segments(path);
            match wanted.of_merged(record) {
                PageSegments::All => record.merge_segments(&encoded.decode()?),
                PageSegments::One(segment) => record.merge_segment(&encoded.decode()?, segment),
                // Not testable on these parts: perhaps on the whole range.
                PageSegments::None if wanted == PageSegments::AllIfTestable => {
                    undecided[at].push(encoded.to_owned());
                }
                PageSegments::None | PageSegments::AllIfTestable => {}
            }
        }
        Ok(PartPages { pages, undecided })
    }

    /// The pages encoded: each one's record merged so far, and its undecided segments as they
    /// are, to be decoded with the range's other parts ([`PartPages::decode`]).
    pub fn encode(&self) -> Vec<EncodedPage> {
        let pages = self.pages.iter().zip(&self.undecided);
        let encoded = pages.map(|((path, record), undecided)| EncodedPage {
            path: path.clone(),
            record: encode_page_day(record),
            undecided: undecided.clone(),
        });
        encoded.collect()
    }

    /// These parts and `other`'s, merged by page, into these parts' records: `other` may be
    /// held for other reads (a site's closed days), and only its pages these parts lack are
    /// copied. A page's undecided segments stay undecided: the range may have more parts.
    pub fn merge(self, other: &PartPages) -> PartPages {
        let mut merged = PartPages::default();
        let ours = self.pages.into_iter().zip(self.undecided);
        let theirs = other.pages.iter().zip(&other.undecided);
        for pair in by_path(ours, theirs, path_of_part, path_of_part) {
            let (page, undecided) = match pair {
                (Some(((path, mut record), mut undecided)), Some(((_, other), theirs))) => {
                    record.merge(other);
                    undecided.extend_from_slice(theirs);
                    ((path, record), undecided)
                }
                (Some(ours), None) => ours,
                (None, Some((page, undecided))) => (page.clone(), undecided.clone()),
                (None, None) => unreachable!("by_path gives at least one side"),
            };
            merged.pages.push(page);
            merged.undecided.push(undecided);
        }
        merged
    }

    /// The range's pages, these parts being all of them: each page's undecided segments
    /// decoded and merged into its record if its merged record can be tested, dropped if not.
    pub fn finish(self, needed: &RecordsNeeded) -> Result<Vec<(String, PageDay)>, CodecError> {
        let mut pages = self.pages;
        for ((path, record), undecided) in pages.iter_mut().zip(self.undecided) {
            if undecided.is_empty() {
                continue;
            }
            if needed.page_segments(path).of_merged(record) == PageSegments::All {
                for encoded in &undecided {
                    record.merge_segments(&encoded.decode()?);
                }
            }
        }
        Ok(pages)
    }

    /// The range's pages, these parts and `kept` being all of them: `kept` is the range's last
    /// part, kept decoded (a shard's open day), one record per path in path order. Each kept
    /// record is merged without its segments, then gives the segments the read needs, which its
    /// record merged with these parts tells; nothing of it is copied but what the read keeps.
    pub fn finish_with_kept<'a>(
        self,
        kept: impl IntoIterator<Item = (&'a str, &'a PageDay)>,
        needed: &RecordsNeeded,
    ) -> Result<Vec<(String, PageDay)>, CodecError> {
        let mut pages = Vec::with_capacity(self.pages.len());
        let merged = self.pages.into_iter().zip(self.undecided);
        for (ours, kept) in by_path(merged, kept, path_of_part, path_of_kept) {
            let ((path, mut record), undecided) = match (ours, kept) {
                (Some(((path, mut record), undecided)), kept) => {
                    if let Some((_, kept)) = kept {
                        record.merge_head(kept);
                    }
                    ((path, record), undecided)
                }
                (None, Some((path, kept))) => ((path.to_owned(), kept.head()), Vec::new()),
                (None, None) => unreachable!("by_path gives at least one side"),
            };
            let wanted = needed.page_segments(&path);
            match wanted.of_merged(&record) {
                PageSegments::All => {
                    for encoded in &undecided {
                        record.merge_segments(&encoded.decode()?);
                    }
                    if let Some((_, kept)) = kept {
                        record.merge_segments(kept.segments());
                    }
                }
                PageSegments::One(segment) => {
                    if let Some((_, kept)) = kept {
                        record.merge_segment(kept.segments(), segment);
                    }
                }
                PageSegments::None | PageSegments::AllIfTestable => {}
            }
            pages.push((path, record));
        }
        Ok(pages)
    }

    /// The bytes of the segments still undecided.
    #[cfg(test)]
    fn undecided_bytes(&self) -> usize {
        self.undecided.iter().flatten().map(EncodedSegments::len).sum()
    }
}

/// Two sequences sorted by path, walked together: each path once, with its item of either
/// sequence or of both.
fn by_path<A, B>(
    a: impl IntoIterator<Item = A>,
    b: impl IntoIterator<Item = B>,
    path_of_a: impl Fn(&A) -> &str,
    path_of_b: impl Fn(&B) -> &str,
) -> impl Iterator<Item = (Option<A>, Option<B>)> {
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    std::iter::from_fn(move || {
        let order = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => path_of_a(x).cmp(path_of_b(y)),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => return None,
        };
        Some(match order {
            Ordering::Less => (a.next(), None),
            Ordering::Greater => (None, b.next()),
            Ordering::Equal => (a.next(), b.next()),
        })
    })
}

/// The path of a page of [`PartPages`], with its undecided segments.
fn path_of_part<P: Borrow<(String, PageDay)>, U>((page, _): &(P, U)) -> &str {
    page.borrow().0.as_str()
}

/// The path of a page kept decoded.
fn path_of_kept<'x>((path, _): &'x (&str, &PageDay)) -> &'x str {
    path
}

/// The records of some of a range's parts (days, kept ranges, shards): the pages as
/// [`PartPages`], the site's record of each day and the site's of these parts merged.
#[derive(Debug, Clone, Default)]
pub struct PartRecords {
    /// One record per page.
    pub pages: PartPages,
    /// The site's record of each day, one per day.
    pub site_days: Vec<(Day, SiteDay)>,
    /// The site's record of these parts, merged.
    pub site: SiteDay,
}

impl PartRecords {
    /// The records of parts whose pages are `pages`, with their site records: each day's,
    /// merged into one per day (several parts may hold one day: a site's shards), and theirs
    /// merged.
    pub fn new(pages: PartPages, site_days: Vec<(Day, SiteDay)>, site: SiteDay) -> PartRecords {
        let mut by_day: BTreeMap<Day, SiteDay> = BTreeMap::new();
        for (day, record) in site_days {
            by_day.entry(day).or_default().merge(&record);
        }
        PartRecords { pages, site_days: by_day.into_iter().collect(), site }
    }

    /// The records of `from..=to` on `today`, from `source`'s rollups where it has them and its
    /// days for the rest, for reports of any kind ([`RecordsNeeded::kept_for_any_report`]).
    pub fn read<S: StoredRecords>(
        source: &S,
        from: Day,
        to: Day,
        today: Day,
    ) -> Result<PartRecords, S::Error> {
        let site_days = source.site_days(from, to)?;
        let mut pages = Vec::new();
        let mut site = SiteDay::default();
        let merge_site_days = |first: Day, last: Day, site: &mut SiteDay| {
            for (_, record) in site_days.iter().filter(|(day, _)| first <= *day && *day <= last) {
                site.merge(record);
            }
        };
        for piece in pieces(from, to, today) {
            match piece {
                Piece::Rollup(rollup) => match source.rollup(rollup)? {
                    Some(stored) => {
                        pages.extend(stored.pages);
                        site.merge(&stored.site);
                    }
                    None => {
                        pages.extend(source.page_days_encoded(rollup.first, rollup.last)?);
                        merge_site_days(rollup.first, rollup.last, &mut site);
                    }
                },
                Piece::Days(first, last) => {
                    pages.extend(source.page_days_encoded(first, last)?);
                    merge_site_days(first, last, &mut site);
                }
            }
        }
        let pages = PartPages::decode(&pages, &RecordsNeeded::kept_for_any_report())?;
        Ok(PartRecords { pages, site_days, site })
    }

    /// These parts and `other`'s, into these parts' records (see [`PartPages::merge`]).
    pub fn merge(self, other: &PartRecords) -> PartRecords {
        let PartRecords { pages, mut site_days, mut site } = self;
        site_days.extend(other.site_days.iter().cloned());
        site.merge(&other.site);
        PartRecords::new(pages.merge(&other.pages), site_days, site)
    }

    /// The range's records, these parts being all of them (see [`PartPages::finish`]).
    pub fn finish(self, needed: &RecordsNeeded) -> Result<RangeRecords, CodecError> {
        let pages = self.pages.finish(needed)?;
        Ok(RangeRecords { pages, site_days: self.site_days, site: self.site })
    }
}

impl RangeRecords {
    /// Drops the segments `needed` does not name from every page's and day's record, and from
    /// each day's site record all that the daily series does not read. These may be one
    /// shard's, or one part of the range: a page whose segments are needed if they can be
    /// tested keeps them all, since only its records merged tell.
    pub fn trim(&mut self, needed: &RecordsNeeded) {
        for (path, record) in &mut self.pages {
            needed.page_segments(path).keep_in(record);
        }
        for (_, record) in &mut self.site_days {
            record.keep_only_daily_series(needed.segment);
        }
    }

    /// The range `from..=to` merged, for the summaries.
    pub fn into_merged(self, from: Day, to: Day) -> MergedRange {
        MergedRange::with_site_total(from, to, self.pages, self.site_days, self.site)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::collections::BTreeMap;

    use super::*;
    use crate::insights::MIN_VISITS;
    use crate::summary::testing::{bounce, day, exit_after, leave_of, onward, Site};
    use crate::summary::{PageSummary, SiteSummary, SummaryOptions};
    use tacit_aggregate::codec::encode_page_day;
    use tacit_aggregate::rollup::Rollup;
    use tacit_beacon::agent::DeviceClass;
    use tacit_beacon::signal::View;

    /// A shard's storage in memory: days, and the rollups its maintenance wrote.
    #[derive(Default)]
    struct Shard {
        days: BTreeMap<Day, Site>,
        rollups: BTreeMap<Rollup, EncodedPeriod>,
        rollups_read: Cell<usize>,
    }

    impl StoredRecords for Shard {
        type Error = CodecError;

        fn page_days(&self, from: Day, to: Day) -> Result<Vec<(String, PageDay)>, CodecError> {
            Ok(self
                .days
                .range(from..=to)
                .flat_map(|(_, site)| site.pages.iter().map(|(p, r)| (p.clone(), r.clone())))
                .collect())
        }

        fn page_days_encoded(&self, from: Day, to: Day) -> Result<Vec<EncodedPage>, CodecError> {
            let pages = self.days.range(from..=to).flat_map(|(_, site)| stored(site));
            Ok(pages.collect())
        }

        fn site_days(&self, from: Day, to: Day) -> Result<Vec<(Day, SiteDay)>, CodecError> {
            Ok(self.days.range(from..=to).map(|(day, site)| (*day, site.site.clone())).collect())
        }

        fn rollup(&self, rollup: Rollup) -> Result<Option<EncodedPeriod>, CodecError> {
            let stored = self.rollups.get(&rollup).cloned();
            self.rollups_read.set(self.rollups_read.get() + usize::from(stored.is_some()));
            Ok(stored)
        }
    }

    impl Shard {
        /// The daily maintenance on `today`: retention deletes the days before `first_kept`
        /// and every rollup that covers one; the closed periods' rollups are written.
        fn maintain(&mut self, today: Day, first_kept: Day) {
            self.days.retain(|day, _| *day >= first_kept);
            self.rollups.retain(|rollup, _| !rollup.outlives(first_kept));
            for rollup in Rollup::closed_since(first_kept, today) {
                let records = PeriodRecords::merge_days(&*self, rollup).unwrap();
                let pages = records.pages.iter();
                let pages = pages.map(|(path, record)| {
                    EncodedPage::whole(path.clone(), encode_page_day(record))
                });
                let stored = EncodedPeriod { pages: pages.collect(), site: records.site };
                self.rollups.insert(rollup, stored);
            }
        }
    }

    /// Day `n` of a synthetic site: a few pages, visitors returning across days, leaves that
    /// bounce, go on or exit after varied times, and referrers.
    fn synthetic_day(n: u64) -> Site {
        let mut site = Site::default();
        let referrers = [Some("news.example.com"), None, Some("t.co")];
        for page in 0..(3 + n % 5) {
            let path = format!("/docs/{page}");
            let leave = match (n + page) % 3 {
                0 => bounce(),
                1 => onward(&format!("/docs/{}", page + 1)),
                _ => exit_after(1_000 + 977 * ((n * 7 + page) % 40) as u32),
            };
            let (first, visits) = (n * 3 + page, 1 + (n + page) % 4);
            site.visits(&path, first, visits, referrers[(n % 3) as usize], &leave);
        }
        site
    }

    /// A site of 41 days from Thursday 2027-01-21 to Wednesday 2027-03-03: February 2027 starts
    /// on a Monday, so the range holds whole weeks and a whole month.
    fn forty_one_days() -> Shard {
        let first = day("2027-01-21");
        let days = (0..41).map(|n| (first.add_days(n as i32), synthetic_day(n))).collect();
        Shard { days, ..Shard::default() }
    }

    /// The range merged day by day, as if no rollup existed.
    fn one_by_one(shard: &Shard, from: Day, to: Day) -> MergedRange {
        let (pages, site_days) = (shard.page_days(from, to), shard.site_days(from, to));
        MergedRange::new(from, to, pages.unwrap(), site_days.unwrap())
    }

    /// What the pages and the API show of a range: the site's summary and a page's.
    fn shown(range: &MergedRange) -> (String, String) {
        let options = SummaryOptions { k: 1, ..Default::default() };
        let site = SiteSummary::new(range, None, &options);
        let page = PageSummary::new("/docs/1", range, None, &options).unwrap();
        (serde_json::to_string(&site).unwrap(), serde_json::to_string(&page).unwrap())
    }

    /// The range read for `needed` as a shard reads it: its records read for any report,
    /// encoded as a shard keeps them, then decoded for `needed`.
    fn read_for(
        shard: &Shard,
        from: Day,
        to: Day,
        today: Day,
        needed: &RecordsNeeded,
    ) -> RangeRecords {
        let kept = PartRecords::read(shard, from, to, today).unwrap();
        let pages = PartPages::decode(&kept.pages.encode(), needed).unwrap();
        let mut records = PartRecords { pages, ..kept }.finish(needed).unwrap();
        records.trim(needed);
        records
    }

    /// The range read as [`shown`] needs it.
    fn read(shard: &Shard, from: Day, to: Day, today: Day) -> MergedRange {
        let needed = RecordsNeeded::of(&ReportKind::Page { path: "/docs/1".into() }, None);
        read_for(shard, from, to, today, &needed).into_merged(from, to)
    }

    const RANGES: [(&str, &str); 3] = [
        // Thursday to Tuesday across a whole week and a whole month; Friday to Friday; a day.
        ("2027-01-21", "2027-03-02"),
        ("2027-01-22", "2027-02-26"),
        ("2027-02-03", "2027-02-03"),
    ];

    #[test]
    fn a_range_read_from_rollups_gives_the_figures_of_its_days_one_by_one() {
        let today = day("2027-03-03");
        let mut shard = forty_one_days();
        shard.maintain(today, day("2027-01-01"));
        assert!(shard.rollups.contains_key(&Rollup::month_of(day("2027-02-01"))));
        for (from, to) in RANGES.map(|(from, to)| (day(from), day(to))) {
            let expected = one_by_one(&shard, from, to);
            assert_eq!(shown(&read(&shard, from, to, today)), shown(&expected), "{from}..{to}");
            let activity = expected.site();
            assert!(
                activity.engagement.views > 0
                    && activity.engagement.exits > 0
                    && activity.engagement.bounces > 0
            );
        }
        assert!(shard.rollups_read.get() >= 3, "the rollups were read");
    }

    #[test]
    fn a_crash_before_the_rollups_are_written_loses_nothing_and_counts_nothing_twice() {
        let today = day("2027-03-03");
        let crashed = forty_one_days();
        let mut maintained = forty_one_days();
        maintained.maintain(today, day("2027-01-01"));
        // Only some rollups written: a crash in the middle cannot happen (one transaction),
        // but a period without its rollup is read from its days whatever the others.
        let mut half = forty_one_days();
        half.maintain(today, day("2027-01-01"));
        half.rollups.retain(|rollup, _| rollup.last.days_after(rollup.first) > 7);
        for (from, to) in RANGES.map(|(from, to)| (day(from), day(to))) {
            let expected = shown(&one_by_one(&crashed, from, to));
            assert_eq!(shown(&read(&crashed, from, to, today)), expected, "{from}..{to}");
            assert_eq!(shown(&read(&half, from, to, today)), expected, "{from}..{to}");
            assert_eq!(shown(&read(&maintained, from, to, today)), expected, "{from}..{to}");
        }
        assert_eq!(crashed.rollups_read.get(), 0);
    }

    #[test]
    fn across_a_retention_cut_a_range_counts_the_days_left_and_no_rollup_outlives_its_days() {
        let today = day("2027-03-03");
        let mut shard = forty_one_days();
        shard.maintain(today, day("2027-01-01"));
        let week = Rollup::week_of(day("2027-01-25"));
        assert!(shard.rollups.contains_key(&week));
        // Retention now keeps from Wednesday 2027-01-27: the week of the 25th lost two days.
        let first_kept = day("2027-01-27");
        shard.maintain(today, first_kept);
        assert!(!shard.rollups.contains_key(&week), "the rollup went with its first days");
        let (from, to) = (day("2027-01-21"), day("2027-03-02"));
        let after_cut = read(&shard, from, to, today);
        assert_eq!(shown(&after_cut), shown(&one_by_one(&shard, from, to)));
        let kept = one_by_one(&forty_one_days(), first_kept, to);
        assert_eq!(
            after_cut.site().engagement.views,
            kept.site().engagement.views,
            "the days left, and only them"
        );
        assert_eq!(shown(&read(&shard, first_kept, to, today)), shown(&kept));
    }

    #[test]
    fn the_reports_that_run_the_insights_read_every_page_whole_that_can_be_tested() {
        // The segment gap rule compares each page's segments, and the false-discovery control
        // counts every test: a read of the whole site that runs the insights needs them all of
        // every page whose merged records can be tested.
        let page = || ReportKind::Page { path: "/a".into() };
        for kind in [ReportKind::Site, ReportKind::Insights, page()] {
            let needed = RecordsNeeded::of(&kind, None);
            assert_eq!(needed.page_segments("/b"), PageSegments::AllIfTestable, "{kind:?}");
        }
        assert_eq!(RecordsNeeded::of(&page(), None).page_segments("/a"), PageSegments::All);
        let pages = RecordsNeeded::of(&ReportKind::Pages, None);
        assert_eq!(pages.page_segments("/a"), PageSegments::None);
        // A segment's records have no segments; a page report keeps its page's segment table.
        let mobile = Segment::parse("device:mobile").ok();
        for kind in [ReportKind::Site, ReportKind::Insights, ReportKind::Pages, page()] {
            let needed = RecordsNeeded::of(&kind, mobile);
            assert_eq!(needed.page_segments("/b"), PageSegments::One(mobile.unwrap()), "{kind:?}");
        }
        assert_eq!(RecordsNeeded::of(&page(), mobile).page_segments("/a"), PageSegments::All);
        // Whether a page can be tested is the rule's own minimum, on its merged record.
        let mut testable = PageDay::default();
        let mut below = PageDay::default();
        for visit in 0..2 * MIN_VISITS {
            let mut site = Site::default();
            site.visits("/", visit, 1, None, &bounce());
            testable.merge(&site.pages["/"]);
            if visit > 0 {
                below.merge(&site.pages["/"]);
            }
        }
        assert_eq!(PageSegments::AllIfTestable.of_merged(&testable), PageSegments::All);
        assert_eq!(PageSegments::AllIfTestable.of_merged(&below), PageSegments::None);
    }

    /// The range's pages encoded one record per page and day, as a shard stores them, then
    /// read for `needed`.
    fn decoded(days: &[&Site], needed: &RecordsNeeded) -> Vec<(String, PageDay)> {
        let encoded: Vec<EncodedPage> = days.iter().flat_map(|site| stored(site)).collect();
        PartPages::decode(&encoded, needed).unwrap().finish(needed).unwrap()
    }

    /// A day's pages as a shard stores them.
    fn stored(site: &Site) -> Vec<EncodedPage> {
        let pages = site.pages.iter();
        pages
            .map(|(path, record)| EncodedPage::whole(path.clone(), encode_page_day(record)))
            .collect()
    }

    #[test]
    fn a_page_whose_merged_records_can_be_tested_keeps_its_segments_though_no_day_alone_can() {
        // Five days of a landing page on which mobile visits bounce twice as often as the
        // others': the segment gap card of the rule's own test, a fifth of it a day.
        let mobile = View { device: DeviceClass::Mobile, ..View::sample() };
        let days: Vec<Site> = (0..5u64)
            .map(|n| {
                let mut site = Site::default();
                let first = n * 1_000;
                site.visits("/", first, 20, None, &onward("/docs"));
                site.visits("/", first + 20, 20, None, &exit_after(15_000));
                site.visits("/", first + 40, 20, None, &bounce());
                site.visits("/docs", first + 60, 10, None, &exit_after(20_000));
                for (v, leave) in
                    (0..30).map(|v| (v, if v < 18 { bounce() } else { onward("/docs") }))
                {
                    site.view("/", first + 100 + v, &mobile);
                    site.leave_from("/", &leave_of(&mobile, &leave), mobile.country);
                }
                site
            })
            .collect();
        let testable = |record: &PageDay| page_segments_testable(&record.activity().engagement);
        assert!(days.iter().all(|site| !testable(&site.pages["/"])), "no day alone");
        let (from, to) = (day("2027-02-01"), day("2027-02-05"));
        let site_days: Vec<(Day, SiteDay)> = days
            .iter()
            .enumerate()
            .map(|(n, site)| (from.add_days(n as i32), site.site.clone()))
            .collect();
        let pages_whole = days.iter().flat_map(|site| site.pages.clone());
        let whole = MergedRange::new(from, to, pages_whole, site_days.clone());
        let needed = RecordsNeeded::of(&ReportKind::Site, None);
        let pages = decoded(&days.iter().collect::<Vec<_>>(), &needed);
        let segments_of = |path: &str| {
            let (_, record) = pages.iter().find(|(page, _)| page == path).unwrap();
            record.segments().iter().count()
        };
        assert!(segments_of("/") > 0, "the page that can be tested keeps its segments");
        assert_eq!(segments_of("/docs"), 0, "the page that cannot be tested loses them");
        let read = MergedRange::new(from, to, pages, site_days);
        let options = SummaryOptions { k: 1, ..SummaryOptions::default() };
        let cards = crate::insights::find_insights(&read, None, &options);
        assert!(
            cards.iter().any(|card| card.rule == crate::insights::Rule::SegmentGap),
            "{cards:?}"
        );
        for kind in [ReportKind::Site, ReportKind::Insights] {
            assert_eq!(
                crate::Report::build(kind.clone(), &read, None, &options).unwrap(),
                crate::Report::build(kind, &whole, None, &options).unwrap(),
            );
        }
    }

    #[test]
    fn a_range_decoded_in_parts_merged_later_reads_as_its_parts_decoded_at_once() {
        // Five days of a landing page that only the five merged can test, a page that no days
        // can, and one with a mobile segment: kept in two parts (closed days, today), as a
        // site's worker keeps its closed days decoded and merges today's in on each read.
        let mobile = View { device: DeviceClass::Mobile, ..View::sample() };
        let days: Vec<Site> = (0..5u64)
            .map(|n| {
                let mut site = Site::default();
                site.visits("/", n * 1_000, 2 * MIN_VISITS / 5, None, &bounce());
                site.visits("/docs", n * 1_000 + 500, 2, None, &exit_after(20_000));
                site.view("/m", n * 1_000 + 900, &mobile);
                site
            })
            .collect();
        let encoded: Vec<Vec<EncodedPage>> = days.iter().map(stored).collect();
        fn parts(days: &[Vec<EncodedPage>]) -> impl Iterator<Item = &EncodedPage> {
            days.iter().flatten()
        }
        let kinds = [ReportKind::Site, ReportKind::Pages, ReportKind::Page { path: "/m".into() }];
        for kind in kinds {
            for segment in [None, Segment::parse("device:mobile").ok()] {
                let needed = RecordsNeeded::of(&kind, segment);
                let at_once = PartPages::decode(parts(&encoded), &needed);
                let at_once = at_once.unwrap().finish(&needed).unwrap();
                for split in 0..=encoded.len() {
                    let (closed, open) = encoded.split_at(split);
                    let closed = PartPages::decode(parts(closed), &needed).unwrap();
                    let open = PartPages::decode(parts(open), &needed).unwrap();
                    let bytes = |pages: &[(String, PageDay)]| -> Vec<(String, Vec<u8>)> {
                        pages.iter().map(|(p, r)| (p.clone(), encode_page_day(r))).collect()
                    };
                    // Either part merged into the other: a site's worker merges today's
                    // records with the closed days it holds, into today's.
                    let read = open.clone().merge(&closed).finish(&needed).unwrap();
                    assert_eq!(bytes(&read), bytes(&at_once), "{kind:?} {segment:?} at {split}");
                    let read = closed.merge(&open).finish(&needed).unwrap();
                    assert_eq!(bytes(&read), bytes(&at_once), "{kind:?} {segment:?} at {split}");
                    // The last part kept decoded, one record per page, as a shard's open day.
                    let mut kept: BTreeMap<&str, PageDay> = BTreeMap::new();
                    for site in &days[split..] {
                        for (path, record) in &site.pages {
                            kept.entry(path.as_str()).or_default().merge(record);
                        }
                    }
                    let closed = PartPages::decode(parts(&encoded[..split]), &needed).unwrap();
                    let read = closed.finish_with_kept(kept.iter().map(|(p, r)| (*p, r)), &needed);
                    assert_eq!(bytes(&read.unwrap()), bytes(&at_once), "kept from {split}");
                }
                let testable_kept = at_once.iter().find(|(path, _)| path == "/").unwrap();
                let kept_segments = testable_kept.1.segments().iter().count() > 0;
                assert_eq!(kept_segments, needed.testable_pages, "{kind:?} {segment:?}");
            }
        }
        let needed = RecordsNeeded::of(&ReportKind::Site, None);
        let closed = PartPages::decode(parts(&encoded[..4]), &needed).unwrap();
        assert!(closed.undecided_bytes() > 0, "four days of '/' cannot be tested yet");
    }

    #[test]
    fn a_day_kept_decoded_reads_as_its_records_decoded() {
        // One day of a page that can be tested (and keeps its segments for the insights), one
        // that cannot, and one with a segment of its own: a shard's open day, kept decoded.
        let mobile = View { device: DeviceClass::Mobile, ..View::sample() };
        let mut site = Site::default();
        site.visits("/", 0, 2 * MIN_VISITS, None, &bounce());
        for v in 0..MIN_VISITS {
            site.view("/", 10_000 + v, &mobile);
            site.leave_from("/", &leave_of(&mobile, &onward("/docs")), mobile.country);
        }
        site.visits("/docs", 20_000, 3, None, &exit_after(20_000));
        site.view("/m", 30_000, &mobile);
        let testable = |record: &PageDay| page_segments_testable(&record.activity().engagement);
        assert!(testable(&site.pages["/"]) && !testable(&site.pages["/docs"]));
        let bytes = |pages: Vec<(String, PageDay)>| {
            pages.into_iter().map(|(path, record)| (path, encode_page_day(&record))).collect()
        };
        let kinds = [ReportKind::Pages, ReportKind::Site, ReportKind::Page { path: "/m".into() }];
        for kind in kinds {
            for segment in [None, Segment::parse("device:mobile").ok()] {
                let needed = RecordsNeeded::of(&kind, segment);
                let records = site.pages.iter().map(|(p, r)| (p.as_str(), r));
                let kept = PartPages::default().finish_with_kept(records, &needed).unwrap();
                let expected: Vec<(String, Vec<u8>)> = bytes(decoded(&[&site], &needed));
                assert_eq!(bytes(kept), expected, "{kind:?} for {segment:?}");
            }
        }
    }

    #[test]
    fn every_report_reads_the_same_from_records_trimmed_or_decoded_for_what_it_needs() {
        let today = day("2027-03-03");
        let mut shard = forty_one_days();
        shard.maintain(today, day("2027-01-01"));
        let (from, to) = (day("2027-02-10"), day("2027-03-02"));
        let previous = crate::summary::previous_period(from, to);
        let range = |from, to, needed: Option<&RecordsNeeded>| match needed {
            Some(needed) => read_for(&shard, from, to, today, needed).into_merged(from, to),
            None => one_by_one(&shard, from, to),
        };
        // Each day's pages stored apart and decoded for the read, as a shard and a site's
        // worker decode the parts of a range.
        let days_decoded = |from: Day, to: Day, needed: &RecordsNeeded| {
            let days: Vec<&Site> = shard.days.range(from..=to).map(|(_, site)| site).collect();
            let site_days = shard.site_days(from, to).unwrap();
            let mut records =
                RangeRecords { pages: decoded(&days, needed), site_days, site: SiteDay::default() };
            for (_, record) in &records.site_days {
                records.site.merge(record);
            }
            records.trim(needed);
            records.into_merged(from, to)
        };
        let kinds = [
            ReportKind::Pages,
            ReportKind::Site,
            ReportKind::Insights,
            ReportKind::Page { path: "/docs/1".into() },
        ];
        let segments = [None, Some("device:desktop"), Some("channel:direct")];
        let (full, full_before) = (range(from, to, None), range(previous.0, previous.1, None));
        assert!(full.site_segments().iter().count() > 2, "segments to drop");
        for kind in kinds {
            for segment in segments.map(|name| name.map(|name| Segment::parse(name).unwrap())) {
                let needed = RecordsNeeded::of(&kind, segment);
                let options = SummaryOptions { k: 1, segment, ..SummaryOptions::default() };
                let build = |current, previous| {
                    crate::Report::build(kind.clone(), current, Some(previous), &options).unwrap()
                };
                let expected = build(&full, &full_before);
                let trimmed = range(from, to, Some(&needed));
                let trimmed_before = range(previous.0, previous.1, Some(&needed));
                assert_eq!(build(&trimmed, &trimmed_before), expected, "{kind:?} for {segment:?}");
                let read = days_decoded(from, to, &needed);
                let read_before = days_decoded(previous.0, previous.1, &needed);
                assert_eq!(build(&read, &read_before), expected, "{kind:?} for {segment:?}");
            }
        }
    }

    #[test]
    fn shards_read_apart_merge_into_the_range_of_their_days() {
        let today = day("2027-03-03");
        let (from, to) = (day("2027-01-22"), day("2027-03-02"));
        let mut shards = [forty_one_days(), Shard::default()];
        // The second shard counts every third day's visitors instead of the first.
        let moved: Vec<Day> = shards[0].days.keys().copied().step_by(3).collect();
        for day in moved {
            let site = shards[0].days.remove(&day).unwrap();
            shards[1].days.insert(day, site);
        }
        shards[0].maintain(today, day("2027-01-01"));
        // Each shard's records read for any report and sent encoded, as a shard sends them to
        // the site's worker; the worker decodes them for the report.
        let needed = RecordsNeeded::of(&ReportKind::Page { path: "/docs/1".into() }, None);
        let [first, second] = shards.each_ref().map(|shard| {
            let read = PartRecords::read(shard, from, to, today).unwrap();
            let pages = PartPages::decode(&read.pages.encode(), &needed).unwrap();
            PartRecords::new(pages, read.site_days, read.site)
        });
        let sent = PartRecords::read(&shards[0], from, to, today).unwrap().pages.encode();
        assert!(sent.iter().any(|page| page.undecided.len() > 1), "segments sent apart, by part");
        // Merged into their records, they read the same for every report.
        let mut merged_in = sent.clone();
        merged_in.iter_mut().for_each(|page| page.merge_undecided().unwrap());
        assert!(merged_in.iter().all(|page| page.undecided.is_empty()));
        let segments = [None, Segment::parse("device:desktop").ok()];
        for needed in segments.map(|segment| RecordsNeeded::of(&ReportKind::Site, segment)) {
            let bytes = |pages: &[EncodedPage]| {
                let read = PartPages::decode(pages, &needed).unwrap().finish(&needed).unwrap();
                read.iter()
                    .map(|(path, record)| (path.clone(), encode_page_day(record)))
                    .collect::<Vec<_>>()
            };
            assert_eq!(bytes(&merged_in), bytes(&sent), "{needed:?}");
        }
        let merged = first.merge(&second).finish(&needed).unwrap();
        let all = forty_one_days();
        assert_eq!(shown(&merged.into_merged(from, to)), shown(&one_by_one(&all, from, to)));
    }
}
