//! Keeping the shard's storage in step: flushing the open day, replaying the journal a previous
//! instance left, and the daily maintenance at 00:00 UTC (the new day's salt, expired salts,
//! records and rollups beyond the retention, the rollups of the weeks and months that closed,
//! old beacon ids), all driven by one alarm.

use tacit_aggregate::codec::decode_journal_entry;
use tacit_aggregate::rollup::Rollup;
use tacit_aggregate::schedule::Maintenance;
use tacit_aggregate::Day;
use tacit_report::stored_range::PeriodRecords;
use worker::{console_error, ScheduledTime};

use super::ingest::SeenId;
use super::open_day::OpenDay;
use super::SiteShard;
use crate::error::AppResult;

/// The open day is written to storage at most this long after its first unsaved change: the
/// most a crash can lose (README, "Flush policy").
pub const FLUSH_INTERVAL_MS: i64 = 1000;
/// The open day is written at once when this many page records wait.
pub const MAX_DIRTY_PAGES: usize = 256;
/// Stored beacon ids older than the window are deleted once per this many new ids.
const PRUNE_IDS_EVERY: u32 = 1000;

impl SiteShard {
    /// Before any message: the journal a previous instance left is replayed, and a missed
    /// daily maintenance is caught up, before anything reads or counts.
    pub(super) async fn catch_up(&self) -> AppResult<()> {
        self.replay_journal()?;
        if !self.maintained.get() {
            self.maintain().await?;
        }
        Ok(())
    }

    /// The alarm: a flush, and the daily maintenance once it is due.
    pub(super) async fn on_alarm(&self) -> AppResult<()> {
        self.replay_journal()?;
        self.flush()?;
        self.flush_pending.set(false);
        if !self.maintained.get() || self.clock.now_ms() >= self.next_maintenance_ms.get() {
            self.maintain().await
        } else {
            self.set_alarm(self.next_maintenance_ms.get()).await
        }
    }

    /// Writes the open day's changed records, and the ids of the beacons that changed them, to
    /// storage (in one implicit transaction: no await in between).
    pub(super) fn flush(&self) -> AppResult<()> {
        if let Some(open_day) = self.open_day.borrow_mut().as_mut() {
            open_day.flush(&self.store)?;
        }
        if let Some(guard) = self.guard.borrow_mut().as_mut() {
            let mut last_ms = None;
            for SeenId { id, seen_ms, counted_leave } in guard.unsaved_ids.drain(..) {
                self.store.save_beacon_id(id, seen_ms, counted_leave)?;
                guard.new_ids += 1;
                last_ms = Some(seen_ms);
            }
            if let Some(now) = last_ms.filter(|_| guard.new_ids >= PRUNE_IDS_EVERY) {
                guard.new_ids = 0;
                self.forget_old_ids(now)?;
            }
        }
        Ok(())
    }

    /// After a beacon: flushes at once when many pages wait, else makes sure the alarm fires
    /// within [`FLUSH_INTERVAL_MS`].
    pub(super) async fn schedule_flush(&self) -> AppResult<()> {
        let (dirty, dirty_pages) = match self.open_day.borrow().as_ref() {
            Some(open_day) => (open_day.is_dirty(), open_day.dirty_pages()),
            None => (false, 0),
        };
        if dirty_pages >= MAX_DIRTY_PAGES {
            return self.flush();
        }
        if dirty && !self.flush_pending.get() {
            self.flush_pending.set(true);
            self.set_alarm(self.clock.now_ms() + FLUSH_INTERVAL_MS).await?;
        }
        Ok(())
    }

    async fn set_alarm(&self, at_ms: i64) -> AppResult<()> {
        let at = self.clock.to_runtime_ms(at_ms) as f64;
        self.state.storage().set_alarm(ScheduledTime::new(js_sys::Date::new(&at.into()))).await?;
        Ok(())
    }

    /// Draws today's salt, deletes expired salts, records and rollups beyond the retention and
    /// old beacon ids, writes the rollups of closed periods, and sets the alarm for the next
    /// 00:00 UTC. Does nothing for a shard without a site.
    pub(super) async fn maintain(&self) -> AppResult<()> {
        self.flush()?;
        // Retention may delete days that kept ranges hold.
        self.closed_ranges.borrow_mut().clear();
        if let Some(open_day) = self.open_day.borrow_mut().as_mut() {
            open_day.forget_kept_pages();
        }
        if self.registration.borrow().is_none() {
            self.registration.replace(self.store.registration()?);
        }
        let Some(site) = self.registration.borrow().clone() else {
            return Ok(());
        };
        let now = self.clock.now_ms();
        let plan = Maintenance::plan(now, site.settings.retention_days);
        if site.shard_index == 0 {
            // The rotation: the new day's salt is drawn at midnight, not at its first beacon.
            self.salt(&site, now).await?;
        }
        self.store.delete_salts_through(plan.delete_salts_through)?;
        self.store.delete_records_before(plan.delete_records_before)?;
        self.write_rollups(plan)?;
        self.forget_old_ids(now)?;
        // A flush alarm replaces this one; the flush then sets it again from here.
        self.next_maintenance_ms.set(plan.next_alarm_ms);
        self.set_alarm(plan.next_alarm_ms).await?;
        self.maintained.set(true);
        Ok(())
    }

    /// Deletes the rollups that outlive their first day (retention deleted it), and writes the
    /// rollup of every closed week and month within the retention that has none:
    /// the ones that closed since the last maintenance, and any that a crash, retention or a
    /// changed day left missing. Each is written whole or not at all (nothing here awaits), and
    /// a period without its rollup is read from its days meanwhile. A period whose records do
    /// not decode is logged and left without one: it must not stop the salt rotation and the
    /// retention, which run first.
    fn write_rollups(&self, plan: Maintenance) -> AppResult<()> {
        let mut stored = self.store.rollups()?;
        for rollup in &stored {
            if rollup.outlives(plan.delete_records_before) {
                self.store.delete_rollup(*rollup)?;
            }
        }
        stored.retain(|rollup| !rollup.outlives(plan.delete_records_before));
        let Some(oldest) = self.store.oldest_record_day()? else { return Ok(()) };
        let first_kept = oldest.max(plan.delete_records_before);
        for rollup in Rollup::closed_since(first_kept, plan.today) {
            if stored.contains(&rollup) {
                continue;
            }
            match PeriodRecords::merge_days(&self.store, rollup) {
                Ok(records) => self.store.save_rollup(rollup, &records)?,
                Err(error) => console_error!(
                    "no rollup of {}..{}: {error:?}; its days are read one by one",
                    rollup.first,
                    rollup.last
                ),
            }
        }
        Ok(())
    }

    /// Applies the journal again after a restart: its beacons were acknowledged, but the records
    /// they changed were not written yet. Then writes those records, which empties the journal,
    /// all in one transaction (nothing here awaits). Runs once, before anything else.
    fn replay_journal(&self) -> AppResult<()> {
        if self.journal_replayed.replace(true) {
            return Ok(());
        }
        let entries = self.store.journal()?;
        if entries.is_empty() {
            return Ok(());
        }
        let Some(site) = self.store.registration()? else { return self.store.clear_journal() };
        let max_pages = site.settings.max_pages_per_day as usize;
        let mut open_day = self.open_day.borrow_mut();
        for (day, bytes) in entries {
            let entry = match decode_journal_entry(&bytes) {
                Ok(entry) => entry,
                Err(error) => {
                    // Only an entry of another format version, written by another release.
                    console_error!("journal entry of {day} not replayed: {error}");
                    continue;
                }
            };
            if let Some(id) = entry.id {
                self.store.save_beacon_id(id, entry.accepted_ms, entry.addition.counts_leave())?;
            }
            self.open_day_in(&mut open_day, day)?.apply(&self.store, &entry, max_pages)?;
        }
        if let Some(open_day) = open_day.as_mut() {
            open_day.flush(&self.store)?;
        }
        // Entries of a day that has since closed change its records.
        self.closed_ranges.borrow_mut().clear();
        Ok(())
    }

    /// The open day for `today`: the one in memory, or, on a new day (or the first beacon),
    /// the previous one flushed and today's opened from storage.
    pub(super) fn open_day_in<'a>(
        &self,
        slot: &'a mut Option<OpenDay>,
        today: Day,
    ) -> AppResult<&'a mut OpenDay> {
        if slot.as_ref().is_none_or(|open_day| open_day.day() != today) {
            if let Some(previous) = slot.as_mut() {
                previous.flush(&self.store)?;
            }
            *slot = Some(OpenDay::open(&self.store, today)?);
        }
        Ok(slot.as_mut().expect("the open day was just opened"))
    }
}
