//! What a shard answers about its records: a summary of a range (one shard), the raw records of
//! a range (for the worker to merge a site's shards), the facts of the privacy report, and the
//! status. Each flushes the open day first, so that it reads every acknowledged beacon.

use tacit_aggregate::change_log::{verify_chain, GENESIS_HASH};
use tacit_aggregate::schedule::Maintenance;
use tacit_aggregate::{Day, SiteDay};
use tacit_report::audit::StorageFacts;
use tacit_report::stored_range::{
    EncodedPage, PartPages, PartRecords, RangeRecords, RecordsNeeded,
};
use tacit_report::{MergedRange, Report, SummaryOptions};

use super::closed_ranges::KeptRecords;
use super::protocol::{
    ChangeLogState, ClosedPart, ConsentCount, HeldClosed, Privacy, RangeQuery, Records, ReportJson,
    RetentionState, ShardPrivacy, ShardRange, ShardRanges, ShardRecords, ShardStatus, Status,
    Summary,
};
use super::SiteShard;
use crate::access::Role;
use crate::error::AppResult;

impl SiteShard {
    /// The report a viewer asked for, over the range and, when it compares, the period before.
    pub(super) fn summary(&self, query: Summary) -> AppResult<ReportJson> {
        self.flush()?;
        let site = self.authorized(&query.site, &query.credential, Role::Viewer)?;
        let options = SummaryOptions {
            k: u64::from(site.settings.k),
            segment: query.segment,
            funnels: site.settings.funnels,
            ..SummaryOptions::default()
        };
        let needed = RecordsNeeded::of(&query.report, query.segment);
        let current = self.merged_range(query.from, query.to, &needed)?;
        let compared_with = query.report.compared_with(query.from, query.to);
        let previous =
            compared_with.map(|(from, to)| self.merged_range(from, to, &needed)).transpose()?;
        let report = Report::build(query.report, &current, previous.as_ref(), &options)?;
        Ok(ReportJson(serde_json::to_string(&report)?))
    }

    /// Each range's records, merged per page, for the worker to merge with the other shards':
    /// only the segments the report needs, which keeps what crosses, and what the worker
    /// decodes and merges from every shard, small. A range's closed days' are left out when
    /// the worker holds them merged at the version they still have.
    pub(super) fn records(&self, query: Records) -> AppResult<ShardRanges> {
        self.flush()?;
        self.authorized(&query.site, &query.credential, Role::Viewer)?;
        let range = |&RangeQuery { from, to, held_closed }: &RangeQuery| {
            let parts = self.range_parts(from, to);
            let closed = match parts.closed {
                Some((from, to)) => {
                    let version = self.closed_ranges.borrow_mut().version()?;
                    let held = HeldClosed { to, version };
                    let records = if held_closed == Some(held) {
                        None
                    } else {
                        // Copied as kept, for the worker to decode with the other shards'.
                        let copy = |pages: &[EncodedPage]| Ok(pages.to_vec());
                        let kept = self.closed((from, to), parts.today, &query.needed, copy)?;
                        let KeptRecords { pages, site_days, site } = kept;
                        Some(ShardRecords { pages, site_days, site })
                    };
                    Some(ClosedPart { held, records })
                }
                None => None,
            };
            let open = match parts.open {
                Some((from, to)) => self.open_encoded(from, to, &query.needed)?,
                None => ShardRecords::default(),
            };
            Ok(ShardRange { closed, open })
        };
        Ok(ShardRanges(query.ranges.iter().map(range).collect::<AppResult<_>>()?))
    }

    /// What this shard holds for the privacy report: its salts (days and times, never the
    /// salts), its oldest record, the consent tallies of the range and, on the first shard,
    /// the change log.
    pub(super) fn privacy(&self, query: Privacy) -> AppResult<ShardPrivacy> {
        self.flush()?;
        let site = self.authorized(&query.site, &query.credential, Role::Auditor)?;
        let facts = StorageFacts {
            salts: self.store.held_salts()?,
            oldest_record_day: self.store.oldest_record_day()?,
            consent_days: self
                .store
                .site_days(query.from, query.to)?
                .into_iter()
                .map(|(day, record)| (day, record.consent().clone()))
                .collect(),
        };
        Ok(ShardPrivacy { settings: site.settings, facts, changes: self.store.changes()? })
    }

    /// The shard's clock and alarm, salts, retention, today's consent tally and change log.
    pub(super) async fn status(&self, query: Status) -> AppResult<ShardStatus> {
        self.flush()?;
        let site = self.authorized(&query.site, &query.credential, Role::Auditor)?;
        let now = self.clock.now_ms();
        let next_alarm_ms =
            self.state.storage().get_alarm().await?.map(|ms| self.clock.of_runtime_ms(ms));
        let changes = self.store.changes()?;
        let plan = Maintenance::plan(now, site.settings.retention_days);
        let consent_today = self
            .store
            .site_day(plan.today)?
            .consent()
            .entries()
            .map(|(category, value, source, count)| ConsentCount { category, value, source, count })
            .collect();
        Ok(ShardStatus {
            site: site.id,
            now_ms: now,
            next_alarm_ms,
            held_salts: self.store.held_salts()?,
            retention: RetentionState {
                days: site.settings.retention_days,
                oldest_record_day: self.store.oldest_record_day()?,
                deleting_before: plan.delete_records_before,
            },
            consent_mode: site.settings.consent_mode,
            consent_today,
            change_log: ChangeLogState {
                entries: changes.len(),
                head: changes.last().map_or(GENESIS_HASH, |entry| &entry.hash).to_owned(),
                verified: verify_chain(&changes).is_ok(),
            },
            memory_bytes: webassembly_memory_bytes(),
        })
    }

    fn merged_range(&self, from: Day, to: Day, needed: &RecordsNeeded) -> AppResult<MergedRange> {
        Ok(self.range_records(from, to, needed)?.into_merged(from, to))
    }

    /// The records of `from..=to` (the open day's must be flushed), with only the segments
    /// `needed` names: the closed days' from those kept merged, and today's from the records
    /// the open day keeps decoded. Open days beyond today have no records, unless the clock was
    /// set back (a test's): then they are read as stored.
    fn range_records(&self, from: Day, to: Day, needed: &RecordsNeeded) -> AppResult<RangeRecords> {
        let parts = self.range_parts(from, to);
        let closed = match parts.closed {
            Some((from, to)) => {
                let decode = |pages: &[EncodedPage]| Ok(PartPages::decode(pages, needed)?);
                let kept = self.closed((from, to), parts.today, needed, decode)?;
                PartRecords::new(kept.pages, kept.site_days, kept.site)
            }
            None => PartRecords::default(),
        };
        match parts.open {
            Some((from, to)) if (from, to) == (parts.today, parts.today) => {
                let (site_days, site) = self.open_site_records(from, to, needed)?;
                let mut open_day = self.open_day.borrow_mut();
                let open_day = self.open_day_in(&mut open_day, parts.today)?;
                let PartRecords { pages, site_days: mut days, site: mut range_site } = closed;
                let pages = open_day.pages_for_read(&self.store, pages, needed)?;
                days.extend(site_days);
                range_site.merge(&site);
                Ok(RangeRecords { pages, site_days: days, site: range_site })
            }
            Some((from, to)) => {
                let open = self.open_encoded(from, to, needed)?.part_records(needed)?;
                Ok(closed.merge(&open).finish(needed)?)
            }
            None => Ok(closed.finish(needed)?),
        }
    }

    /// The records of the closed days `from..=to` on `today`, from those kept merged (see
    /// [`ClosedRanges::get_or_read`](super::closed_ranges::ClosedRanges::get_or_read)), their
    /// pages as `take` takes them.
    fn closed<P>(
        &self,
        (from, to): (Day, Day),
        today: Day,
        needed: &RecordsNeeded,
        take: impl FnOnce(&[EncodedPage]) -> AppResult<P>,
    ) -> AppResult<KeptRecords<P>> {
        let read = || PartRecords::read(&self.store, from, to, today);
        let site_days = || self.store.site_days(from, to);
        self.closed_ranges.borrow_mut().get_or_read((from, to), needed, read, site_days, take)
    }

    /// The records of the open days `from..=to` (flushed), their pages as stored.
    fn open_encoded(&self, from: Day, to: Day, needed: &RecordsNeeded) -> AppResult<ShardRecords> {
        let (site_days, site) = self.open_site_records(from, to, needed)?;
        let pages = self.store.page_days_encoded(from, to)?;
        Ok(ShardRecords { pages, site_days, site })
    }

    /// The site records of the open days `from..=to`: each day's, with only what `needed`
    /// names, and theirs merged.
    fn open_site_records(
        &self,
        from: Day,
        to: Day,
        needed: &RecordsNeeded,
    ) -> AppResult<(Vec<(Day, SiteDay)>, SiteDay)> {
        let site_days = self.store.site_days(from, to)?;
        let mut site = SiteDay::default();
        for (_, record) in &site_days {
            site.merge(record);
        }
        let mut open = RangeRecords { pages: Vec::new(), site_days, site };
        open.trim(needed);
        Ok((open.site_days, open.site))
    }

    /// `from..=to` cut at today, by the shard's clock.
    fn range_parts(&self, from: Day, to: Day) -> RangeParts {
        let today = Day::from_unix_ms(self.clock.now_ms());
        let (closed_to, open_from) = (to.min(today.add_days(-1)), from.max(today));
        RangeParts {
            today,
            closed: (from <= closed_to).then_some((from, closed_to)),
            open: (open_from <= to).then_some((open_from, to)),
        }
    }
}

/// A range's closed days (before today), which a shard keeps merged, and its open days.
struct RangeParts {
    today: Day,
    closed: Option<(Day, Day)>,
    open: Option<(Day, Day)>,
}

/// The size of this isolate's WebAssembly memory (0 off WebAssembly, in unit tests).
fn webassembly_memory_bytes() -> u64 {
    #[cfg(target_arch = "wasm32")]
    return core::arch::wasm32::memory_size(0) as u64 * 65_536;
    #[cfg(not(target_arch = "wasm32"))]
    0
}
