//! The open day: today's site rollup and the page records touched since the last flush, kept in
//! the shard's memory and written to SQLite in batches.
//!
//! A beacon changes memory and appends one [`JournalEntry`] to the shard's journal (one small
//! insert, durable before the beacon is acknowledged); [`OpenDay::flush`] encodes and writes
//! every changed record once and empties the journal, in one transaction. The shard flushes on
//! an alarm at most [`super::maintenance::FLUSH_INTERVAL_MS`] after the first unsaved change,
//! as soon as [`super::maintenance::MAX_DIRTY_PAGES`] pages wait, before every read, and when
//! the day changes; after a restart it replays the journal (README, "Flush policy").

use std::collections::HashMap;

use tacit_aggregate::journal::JournalEntry;
use tacit_aggregate::record::page_record_key;
use tacit_aggregate::{Day, PageDay, SiteDay};

use super::store::Store;
use crate::error::AppResult;

/// Today's records in memory.
pub struct OpenDay {
    day: Day,
    site: SiteDay,
    site_dirty: bool,
    /// The page records changed since the last flush, by their key (path or "(other)").
    pages: HashMap<String, PageDay>,
    /// How many page records the day holds, stored or not yet.
    page_count: usize,
}

impl OpenDay {
    /// Opens `day`: its site rollup and its page count, from storage. The stored week and month
    /// rollups that cover it are deleted, since its records are about to change: only a day
    /// replayed from the journal after it closed (or a test's clock set back) has any, and the
    /// next maintenance writes them again.
    pub fn open(store: &Store, day: Day) -> AppResult<OpenDay> {
        for rollup in store.rollups()?.into_iter().filter(|rollup| rollup.covers(day)) {
            store.delete_rollup(rollup)?;
        }
        Ok(OpenDay {
            day,
            site: store.site_day(day)?,
            site_dirty: false,
            pages: HashMap::new(),
            page_count: store.pages_on(day)?,
        })
    }

    /// The day this is.
    pub fn day(&self) -> Day {
        self.day
    }

    /// Adds an accepted beacon to the site's rollup and, when it names a page, to that page's
    /// record (or "(other)"'s once the day holds `max_pages` records).
    pub fn apply(
        &mut self,
        store: &Store,
        entry: &JournalEntry,
        max_pages: usize,
    ) -> AppResult<()> {
        let page = match entry.path() {
            Some(path) => {
                let key = self.load_page(store, path, max_pages)?;
                self.pages.get_mut(&key)
            }
            None => None,
        };
        entry.apply(&mut self.site, page);
        self.site_dirty = true;
        Ok(())
    }

    /// The key of the record `path` counts in (its own, or "(other)" once the day holds
    /// `max_pages` records), with that record loaded from storage on its first change since
    /// the last flush.
    fn load_page(&mut self, store: &Store, path: &str, max_pages: usize) -> AppResult<String> {
        if self.pages.contains_key(path) {
            return Ok(path.to_owned());
        }
        let stored = store.page_day(self.day, path)?;
        let key = page_record_key(path, stored.is_some(), self.page_count, max_pages).to_owned();
        if !self.pages.contains_key(&key) {
            let record = match stored {
                Some(record) => Some(record),
                None if key == path => None,
                None => store.page_day(self.day, &key)?,
            };
            if record.is_none() {
                self.page_count += 1;
            }
            self.pages.insert(key.clone(), record.unwrap_or_default());
        }
        Ok(key)
    }

    /// How many page records wait to be written.
    pub fn dirty_pages(&self) -> usize {
        self.pages.len()
    }

    /// Whether anything waits to be written.
    pub fn is_dirty(&self) -> bool {
        self.site_dirty || !self.pages.is_empty()
    }

    /// Writes every changed record and empties the journal, whose entries they now hold;
    /// afterwards only the site rollup stays in memory. The caller makes no `await` between
    /// this and its last change, so the writes commit together.
    pub fn flush(&mut self, store: &Store) -> AppResult<()> {
        if !self.is_dirty() {
            return Ok(());
        }
        for (key, record) in self.pages.drain() {
            store.save_page_day(self.day, &key, &record)?;
        }
        store.save_site_day(self.day, &self.site)?;
        self.site_dirty = false;
        store.clear_journal()
    }
}
