//! A sharded site's closed days merged over its shards, held in the worker's memory between
//! reads.
//!
//! A site split across N shards is read by merging N records per page (see
//! [`crate::shard_client::merged_range`]): with 64 shards, a 30-day range of 1,000 pages is
//! about 24,000 records decoded and merged on every read, where one shard merges a thousand.
//! Closed days (before today) change only when a shard's maintenance, journal replay or a
//! site's deletion changes them, and each shard then changes its closed records' version
//! ([`HeldClosed::version`]). So the worker keeps a range's closed days merged, with the version
//! of each shard it merged them from; a later read of the same range tells each shard the
//! version it holds, and a shard whose closed records are still of that version answers with
//! its open days alone. Only when every shard does are the held records used: a closed range
//! is merged from every shard's records of one moment, or not held.
//!
//! Shard 0 still checks the viewer's token on every read, held or not. What is held is bounded
//! by [`MAX_HELD_BYTES`] (the bytes the shards sent for it, which bound what is kept of them:
//! the pages merged, and the segments not yet decoded), the least recently used range goes
//! first, and it is memory only: a new isolate starts without it.

use std::collections::VecDeque;

use tacit_aggregate::Day;
use tacit_beacon::SiteId;
use tacit_report::stored_range::{PartRecords, RecordsNeeded};

use crate::shard::protocol::HeldClosed;

/// The most bytes, as the shards sent them, of the closed ranges held, over all sites.
const MAX_HELD_BYTES: usize = 32 << 20;

/// Which range a held one is: the site, its first day, and what the report reads.
#[derive(Clone, PartialEq, Eq)]
struct Key {
    site: SiteId,
    from: Day,
    needed: RecordsNeeded,
}

struct HeldRange {
    key: Key,
    /// Each shard's closed days and version, by shard index.
    held: Vec<HeldClosed>,
    /// The closed days' records, merged over the shards.
    records: PartRecords,
    bytes: usize,
}

/// The closed ranges held, most recently used first.
#[derive(Default)]
pub struct HeldRanges {
    ranges: VecDeque<HeldRange>,
}

impl HeldRanges {
    /// What is held of the closed days `from..=to` of `site`'s `count` shards, for a read that
    /// needs `needed`: each shard's version, by shard index.
    pub fn held(
        &self,
        site: &SiteId,
        (from, to): (Day, Day),
        needed: &RecordsNeeded,
        count: usize,
    ) -> Option<Vec<HeldClosed>> {
        let key = Key { site: site.clone(), from, needed: needed.clone() };
        self.ranges
            .iter()
            .find(|range| {
                range.key == key
                    && range.held.len() == count
                    && range.held.iter().all(|held| held.to == to)
            })
            .map(|range| range.held.clone())
    }

    /// The records held as `held` (every shard answered that its closed records are still of
    /// the version held), made the most recently used.
    pub fn get(
        &mut self,
        site: &SiteId,
        from: Day,
        needed: &RecordsNeeded,
        held: &[HeldClosed],
    ) -> Option<&PartRecords> {
        let key = Key { site: site.clone(), from, needed: needed.clone() };
        let at = self.ranges.iter().position(|range| range.key == key && range.held == held)?;
        let range = self.ranges.remove(at).expect("the index was just found");
        self.ranges.push_front(range);
        self.ranges.front().map(|range| &range.records)
    }

    /// Holds `records`, the closed days of `site` from `from` as the shards' `held` say, which
    /// took `bytes` as the shards sent them; nothing when that is more than
    /// [`MAX_HELD_BYTES`]. The least recently used ranges go to make room.
    pub fn keep(
        &mut self,
        site: &SiteId,
        from: Day,
        needed: &RecordsNeeded,
        held: Vec<HeldClosed>,
        records: PartRecords,
        bytes: usize,
    ) {
        let key = Key { site: site.clone(), from, needed: needed.clone() };
        self.ranges.retain(|range| range.key != key);
        if bytes > MAX_HELD_BYTES {
            return;
        }
        while self.ranges.iter().map(|range| range.bytes).sum::<usize>() + bytes > MAX_HELD_BYTES {
            self.ranges.pop_back();
        }
        self.ranges.push_front(HeldRange { key, held, records, bytes });
    }

    /// Drops every range of `site` (deleted).
    pub fn forget(&mut self, site: &SiteId) {
        self.ranges.retain(|range| range.key.site != *site);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tacit_aggregate::SiteDay;
    use tacit_report::stored_range::PartPages;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    fn held(to: &str, versions: &[u64]) -> Vec<HeldClosed> {
        versions.iter().map(|&version| HeldClosed { to: day(to), version }).collect()
    }

    fn records(views_of_first_day: u64) -> PartRecords {
        let mut first = SiteDay::default();
        for _ in 0..views_of_first_day {
            first.record_bot_dropped();
        }
        let days = vec![
            (day("2027-01-02"), SiteDay::default()),
            (day("2027-01-01"), first.clone()),
            (day("2027-01-01"), first),
        ];
        PartRecords::new(PartPages::default(), days, SiteDay::default())
    }

    #[test]
    fn a_range_is_held_for_the_versions_it_was_merged_from_and_no_other() {
        let site = SiteId::parse("demo").unwrap();
        let needed = RecordsNeeded::default();
        let (from, to) = (day("2027-01-01"), day("2027-01-30"));
        let mut ranges = HeldRanges::default();
        assert!(ranges.held(&site, (from, to), &needed, 2).is_none());
        ranges.keep(&site, from, &needed, held("2027-01-30", &[7, 9]), records(3), 1_000);
        assert_eq!(ranges.held(&site, (from, to), &needed, 2), Some(held("2027-01-30", &[7, 9])));
        // Another shard count, end, start, site or need is another range.
        assert!(ranges.held(&site, (from, to), &needed, 3).is_none());
        assert!(ranges.held(&site, (from, day("2027-01-31")), &needed, 2).is_none());
        assert!(ranges.held(&site, (day("2027-01-02"), to), &needed, 2).is_none());
        let other = SiteId::parse("other").unwrap();
        assert!(ranges.held(&other, (from, to), &needed, 2).is_none());
        let segment = RecordsNeeded { testable_pages: true, ..RecordsNeeded::default() };
        assert!(ranges.held(&site, (from, to), &segment, 2).is_none());
        // Used only when every shard's version is still the one held.
        assert!(ranges.get(&site, from, &needed, &held("2027-01-30", &[7, 10])).is_none());
        let used = ranges.get(&site, from, &needed, &held("2027-01-30", &[7, 9])).unwrap();
        let days: Vec<(Day, u64)> =
            used.site_days.iter().map(|(day, record)| (*day, record.bots_dropped())).collect();
        assert_eq!(days, [(day("2027-01-01"), 6), (day("2027-01-02"), 0)], "one per day, merged");
        ranges.forget(&site);
        assert!(ranges.held(&site, (from, to), &needed, 2).is_none());
    }

    #[test]
    fn what_is_held_is_bounded_and_the_least_recently_used_goes_first() {
        let needed = RecordsNeeded::default();
        let from = day("2027-01-01");
        let sites: Vec<SiteId> = ["a", "b", "c"].map(|id| SiteId::parse(id).unwrap()).into();
        let mut ranges = HeldRanges::default();
        let versions = held("2027-01-30", &[1]);
        for site in &sites {
            ranges.keep(site, from, &needed, versions.clone(), records(0), MAX_HELD_BYTES / 3);
        }
        // a was used last: b, the least recently used, makes room for d.
        assert!(ranges.get(&sites[0], from, &needed, &versions).is_some());
        let d = SiteId::parse("d").unwrap();
        ranges.keep(&d, from, &needed, versions.clone(), records(0), MAX_HELD_BYTES / 3);
        let range = (from, day("2027-01-30"));
        let kept =
            |ranges: &HeldRanges, site: &SiteId| ranges.held(site, range, &needed, 1).is_some();
        let held_now = [&sites[0], &sites[1], &sites[2], &d].map(|site| kept(&ranges, site));
        assert_eq!(held_now, [true, false, true, true]);
        // Too large to hold at all: nothing, and the older one of that range is gone.
        ranges.keep(&d, from, &needed, versions, records(0), MAX_HELD_BYTES + 1);
        assert!(!kept(&ranges, &d));
    }
}
