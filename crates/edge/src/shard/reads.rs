//! What a shard answers about its records: a summary of a range (one shard), the raw records of
//! a range (for the worker to merge a site's shards), the facts of the privacy report, and the
//! status. Each flushes the open day first, so that it reads every acknowledged beacon.

use tacit_aggregate::change_log::{verify_chain, GENESIS_HASH};
use tacit_aggregate::schedule::Maintenance;
use tacit_aggregate::Day;
use tacit_report::audit::StorageFacts;
use tacit_report::stored_range::RangeRecords;
use tacit_report::{MergedRange, Report, SummaryOptions};

use super::protocol::{
    ChangeLogState, ConsentCount, Privacy, Records, ReportJson, RetentionState, ShardPrivacy,
    ShardRecords, ShardStatus, Status, Summary,
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
        let current = self.merged_range(query.from, query.to)?;
        let compared_with = query.report.compared_with(query.from, query.to);
        let previous = compared_with.map(|(from, to)| self.merged_range(from, to)).transpose()?;
        let report = Report::build(query.report, &current, previous.as_ref(), &options)?;
        Ok(ReportJson(serde_json::to_string(&report)?))
    }

    /// The range's records, merged per page, for the worker to merge with the other shards'.
    pub(super) fn records(&self, query: Records) -> AppResult<ShardRecords> {
        self.flush()?;
        self.authorized(&query.site, &query.credential, Role::Viewer)?;
        Ok(ShardRecords(self.range_records(query.from, query.to)?))
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
        })
    }

    fn merged_range(&self, from: Day, to: Day) -> AppResult<MergedRange> {
        Ok(self.range_records(from, to)?.into_merged(from, to))
    }

    /// The records of `from..=to` (the open day's must be flushed): the closed days' from
    /// their rollups and single days, kept for the next read, then the open day's.
    fn range_records(&self, from: Day, to: Day) -> AppResult<RangeRecords> {
        let today = Day::from_unix_ms(self.clock.now_ms());
        let closed_to = to.min(today.add_days(-1));
        let mut records = if from <= closed_to {
            self.closed_ranges.borrow_mut().get_or_read(from, closed_to, || {
                RangeRecords::read(&self.store, from, closed_to, today)
            })?
        } else {
            RangeRecords::default()
        };
        let open_from = from.max(today);
        if open_from <= to {
            records.merge(RangeRecords::read(&self.store, open_from, to, today)?);
        }
        Ok(records)
    }
}
