//! The open day: today's site rollup and the page records touched since the last flush, kept in
//! the shard's memory and written to SQLite in batches.
//!
//! A beacon changes memory and appends one [`JournalEntry`] to the shard's journal (one small
//! insert, durable before the beacon is acknowledged); [`OpenDay::flush`] encodes and writes
//! every changed record once and empties the journal, in one transaction. The shard flushes on
//! an alarm at most [`super::maintenance::FLUSH_INTERVAL_MS`] after the first unsaved change,
//! as soon as [`super::maintenance::MAX_DIRTY_PAGES`] pages wait, before every read, and when
//! the day changes; after a restart it replays the journal (README, "Flush policy").

use std::collections::{BTreeMap, HashMap};

use tacit_aggregate::codec::{decode_page_day, encode_page_day};
use tacit_aggregate::journal::JournalEntry;
use tacit_aggregate::record::page_record_key;
use tacit_aggregate::{Day, PageDay, SiteDay};

use tacit_report::stored_range::{EncodedPage, PartPages, RecordsNeeded};

use super::store::{corrupt, Store};
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
    /// Every page record of the day as stored, decoded, for the reads: loaded by the first
    /// read, updated by every flush, `None` until then or while they are too big to keep.
    kept: Option<KeptPages>,
}

/// The stored bytes of a day's page records above which a shard does not keep them decoded
/// (decoded they take several times as much): beyond it, every read decodes them from storage.
pub const MAX_KEPT_PAGE_BYTES: usize = 8 << 20;

/// A day's page records as stored, decoded, by path, with the size of their stored bytes.
struct KeptPages {
    records: BTreeMap<String, (PageDay, usize)>,
    bytes: usize,
}

impl KeptPages {
    /// Puts `record`, stored as `len` bytes, in place of the path's; `None` once the records
    /// outgrow [`MAX_KEPT_PAGE_BYTES`].
    fn put(mut self, path: String, record: PageDay, len: usize) -> Option<KeptPages> {
        let replaced = self.records.insert(path, (record, len)).map_or(0, |(_, len)| len);
        self.bytes = self.bytes + len - replaced;
        (self.bytes <= MAX_KEPT_PAGE_BYTES).then_some(self)
    }
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
            kept: None,
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
            let bytes = encode_page_day(&record);
            let len = bytes.len();
            store.save_page_day(self.day, &key, bytes)?;
            self.kept = self.kept.take().and_then(|kept| kept.put(key, record, len));
        }
        store.save_site_day(self.day, &self.site)?;
        self.site_dirty = false;
        store.clear_journal()
    }

    /// The pages of a range whose last part is this day, every record flushed (the caller
    /// flushes first), and whose other parts are `before`, for a read that `needed` them: the
    /// day's records are decoded once and kept while they fit [`MAX_KEPT_PAGE_BYTES`], and
    /// read as stored when they do not.
    pub fn pages_for_read(
        &mut self,
        store: &Store,
        before: PartPages,
        needed: &RecordsNeeded,
    ) -> AppResult<Vec<(String, PageDay)>> {
        debug_assert!(self.pages.is_empty(), "a read flushes the open day first");
        if self.kept.is_none() {
            let stored = store.page_days_encoded(self.day, self.day)?;
            let bytes = stored.iter().map(|page| page.record.len()).sum();
            if bytes > MAX_KEPT_PAGE_BYTES {
                let today = PartPages::decode(&stored, needed)?;
                return Ok(before.merge(&today).finish(needed)?);
            }
            let mut records = BTreeMap::new();
            for EncodedPage { path, record, .. } in stored {
                let decoded = decode_page_day(&record)
                    .map_err(|e| corrupt("page_days", self.day, &path, e))?;
                records.insert(path, (decoded, record.len()));
            }
            self.kept = Some(KeptPages { records, bytes });
        }
        let kept = self.kept.as_ref().expect("the kept pages were just loaded");
        let records = kept.records.iter().map(|(path, (record, _))| (path.as_str(), record));
        Ok(before.finish_with_kept(records, needed)?)
    }

    /// Forgets the records kept for the reads, whose stored records may change under them.
    pub fn forget_kept_pages(&mut self) {
        self.kept = None;
    }
}
