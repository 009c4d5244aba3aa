//! The shard's SQLite tables and every query on them.

use tacit_aggregate::change_log::ChangeEntry;
use tacit_aggregate::codec::{decode_page_day, decode_site_day, encode_page_day, encode_site_day};
use tacit_aggregate::rollup::Rollup;
use tacit_aggregate::settings::SiteSettings;
use tacit_aggregate::{DailySalt, Day, PageDay, SaltSealingKey, SiteDay, SALT_NONCE_LEN};
use tacit_beacon::SiteId;
use tacit_report::audit::HeldSalt;
use tacit_report::stored_range::{EncodedPage, EncodedPeriod, PeriodRecords, StoredRecords};
use worker::{console_warn, SqlStorage, SqlStorageValue};

use crate::access::TokenHashes;
use crate::error::{AppError, AppResult};
use crate::tokens::random_bytes;

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS site_config (
        id TEXT PRIMARY KEY,
        settings TEXT NOT NULL,
        viewer_token_sha256 TEXT NOT NULL,
        auditor_token_sha256 TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        shard_index INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS changes (
        seq INTEGER PRIMARY KEY,
        time_ms INTEGER NOT NULL,
        actor TEXT NOT NULL,
        field TEXT NOT NULL,
        old TEXT NOT NULL,
        new TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS beacon_ids (
        id TEXT PRIMARY KEY,
        seen_ms INTEGER NOT NULL,
        counted_leave INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS salts (
        day INTEGER PRIMARY KEY,
        salt BLOB NOT NULL,
        drawn_ms INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS page_days (
        day INTEGER NOT NULL,
        path TEXT NOT NULL,
        record BLOB NOT NULL,
        PRIMARY KEY (day, path)
    );
    CREATE TABLE IF NOT EXISTS site_days (
        day INTEGER PRIMARY KEY,
        record BLOB NOT NULL
    );
    CREATE TABLE IF NOT EXISTS rollups (
        first_day INTEGER NOT NULL,
        last_day INTEGER NOT NULL,
        site_record BLOB NOT NULL,
        PRIMARY KEY (first_day, last_day)
    );
    CREATE TABLE IF NOT EXISTS page_rollups (
        first_day INTEGER NOT NULL,
        last_day INTEGER NOT NULL,
        path TEXT NOT NULL,
        record BLOB NOT NULL,
        PRIMARY KEY (first_day, last_day, path)
    );
    CREATE TABLE IF NOT EXISTS journal (
        seq INTEGER PRIMARY KEY,
        day INTEGER NOT NULL,
        entry BLOB NOT NULL
    );
";

/// The site this shard belongs to, as the shard registered it: its settings (tacit-aggregate's
/// [`SiteSettings`]) and what only the edge keeps of it.
#[derive(Clone)]
pub struct SiteRegistration {
    pub id: SiteId,
    pub settings: SiteSettings,
    /// The hashes of its tokens (on the first shard; empty on the others).
    pub tokens: TokenHashes,
    pub created_ms: i64,
    /// Which of the site's shards this is: 0 holds the tokens, the change log and the day's
    /// salt that every shard uses.
    pub shard_index: u32,
}

/// What a stored salt is sealed for, the cipher's associated data: the shard (its Durable
/// Object id) and the day, so that a salt copied to another shard's or day's row does not open.
fn salt_context(shard: &str, day: Day) -> String {
    format!("{shard}/{}", day.days_since_epoch())
}

/// Typed access to one shard's SQLite database.
pub struct Store {
    sql: SqlStorage,
}

impl Store {
    /// Opens the store, creating its tables on first use.
    pub fn open(sql: SqlStorage) -> worker::Result<Store> {
        let store = Store { sql };
        store.create_schema()?;
        Ok(store)
    }

    /// Creates the tables that are missing: on first use, and after every row was deleted.
    pub fn create_schema(&self) -> worker::Result<()> {
        self.sql.exec(SCHEMA, None)?;
        Ok(())
    }

    /// The site's registration, or `None` when no site was created in this shard.
    pub fn registration(&self) -> AppResult<Option<SiteRegistration>> {
        let row = self.first_row(
            "SELECT id, settings, viewer_token_sha256, auditor_token_sha256, created_ms,
                    shard_index
             FROM site_config LIMIT 1",
            vec![],
        )?;
        let Some(row) = row else { return Ok(None) };
        match <[SqlStorageValue; 6]>::try_from(row) {
            Ok(
                [SqlStorageValue::String(id), SqlStorageValue::String(settings), SqlStorageValue::String(viewer_token_sha256), SqlStorageValue::String(auditor_token_sha256), SqlStorageValue::Integer(created_ms), SqlStorageValue::Integer(shard_index)],
            ) => {
                let id = SiteId::parse(&id)
                    .map_err(|e| AppError::Internal(format!("stored site id: {e}")))?;
                let settings = serde_json::from_str(&settings)
                    .map_err(|e| AppError::Internal(format!("stored settings: {e}")))?;
                Ok(Some(SiteRegistration {
                    id,
                    settings,
                    tokens: TokenHashes {
                        viewer_sha256: viewer_token_sha256,
                        auditor_sha256: auditor_token_sha256,
                    },
                    created_ms,
                    shard_index: shard_index as u32,
                }))
            }
            _ => Err(AppError::Internal("site_config row has unexpected columns".into())),
        }
    }

    /// Stores the registration of a new site.
    pub fn save_registration(&self, site: &SiteRegistration) -> AppResult<()> {
        self.sql.exec(
            "INSERT INTO site_config
                (id, settings, viewer_token_sha256, auditor_token_sha256, created_ms, shard_index)
             VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                site.id.as_str().into(),
                serde_json::to_string(&site.settings)?.into(),
                site.tokens.viewer_sha256.as_str().into(),
                site.tokens.auditor_sha256.as_str().into(),
                site.created_ms.into(),
                i64::from(site.shard_index).into(),
            ],
        )?;
        Ok(())
    }

    /// Replaces the site's settings.
    pub fn save_settings(&self, settings: &SiteSettings) -> AppResult<()> {
        self.sql.exec(
            "UPDATE site_config SET settings = ?",
            vec![serde_json::to_string(settings)?.into()],
        )?;
        Ok(())
    }

    /// Replaces both token hashes.
    pub fn save_tokens(&self, tokens: &TokenHashes) -> AppResult<()> {
        self.sql.exec(
            "UPDATE site_config SET viewer_token_sha256 = ?, auditor_token_sha256 = ?",
            vec![tokens.viewer_sha256.as_str().into(), tokens.auditor_sha256.as_str().into()],
        )?;
        Ok(())
    }

    /// The whole change log, oldest first.
    pub fn changes(&self) -> AppResult<Vec<ChangeEntry>> {
        self.change_rows(
            "SELECT seq, time_ms, actor, field, old, new, hash FROM changes ORDER BY seq",
        )
    }

    /// The change log's last entry.
    pub fn last_change(&self) -> AppResult<Option<ChangeEntry>> {
        Ok(self
            .change_rows(
                "SELECT seq, time_ms, actor, field, old, new, hash FROM changes
                 ORDER BY seq DESC LIMIT 1",
            )?
            .pop())
    }

    /// Appends an entry made with [`ChangeEntry::next`] from [`Store::last_change`].
    pub fn append_change(&self, entry: &ChangeEntry) -> AppResult<()> {
        self.sql.exec(
            "INSERT INTO changes (seq, time_ms, actor, field, old, new, hash)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                (entry.seq as i64).into(),
                entry.time_ms.into(),
                entry.actor.as_str().into(),
                entry.field.as_str().into(),
                entry.old.as_str().into(),
                entry.new.as_str().into(),
                entry.hash.as_str().into(),
            ],
        )?;
        Ok(())
    }

    /// The beacon ids seen since `since_ms`, oldest first.
    pub fn beacon_ids_since(&self, since_ms: i64) -> AppResult<Vec<(i64, u64)>> {
        self.rows(
            "beacon_ids",
            "SELECT seen_ms, id FROM beacon_ids WHERE seen_ms >= ? ORDER BY seen_ms",
            vec![since_ms.into()],
            |row| match row.as_slice() {
                [SqlStorageValue::Integer(seen_ms), SqlStorageValue::String(id)] => {
                    let id = u64::from_str_radix(id, 16)
                        .map_err(|_| AppError::Internal("stored beacon id is not hex".into()))?;
                    Ok(Some((*seen_ms, id)))
                }
                _ => Ok(None),
            },
        )
    }

    /// Remembers a beacon id, so that a retry is recognised after a restart too, and whether
    /// the beacon counted a leave, which a later update may replace.
    pub fn save_beacon_id(&self, id: u64, seen_ms: i64, counted_leave: bool) -> AppResult<()> {
        self.sql.exec(
            "INSERT OR REPLACE INTO beacon_ids (id, seen_ms, counted_leave) VALUES (?, ?, ?)",
            vec![beacon_id_text(id).into(), seen_ms.into(), i32::from(counted_leave).into()],
        )?;
        Ok(())
    }

    /// Whether the beacon `id` counted a leave that is still kept (see
    /// [`Store::delete_beacon_ids_before`]).
    pub fn counted_leave(&self, id: u64) -> AppResult<bool> {
        let row = self
            .sql
            .exec(
                "SELECT 1 FROM beacon_ids WHERE id = ? AND counted_leave = 1",
                vec![beacon_id_text(id).into()],
            )?
            .raw()
            .next()
            .transpose()?;
        Ok(row.is_some())
    }

    /// Forgets the beacon ids seen before `before_ms`, except those of counted leaves seen
    /// since `leaves_since_ms`: an update may replace a leave as long as its day is open.
    pub fn delete_beacon_ids_before(&self, before_ms: i64, leaves_since_ms: i64) -> AppResult<()> {
        self.sql.exec(
            "DELETE FROM beacon_ids WHERE seen_ms < ? AND (counted_leave = 0 OR seen_ms < ?)",
            vec![before_ms.into(), leaves_since_ms.into()],
        )?;
        Ok(())
    }

    fn change_rows(&self, query: &str) -> AppResult<Vec<ChangeEntry>> {
        self.rows("changes", query, vec![], |row| {
            Ok(match <[SqlStorageValue; 7]>::try_from(row) {
                Ok(
                    [SqlStorageValue::Integer(seq), SqlStorageValue::Integer(time_ms), SqlStorageValue::String(actor), SqlStorageValue::String(field), SqlStorageValue::String(old), SqlStorageValue::String(new), SqlStorageValue::String(hash)],
                ) => Some(ChangeEntry { seq: seq as u64, time_ms, actor, field, old, new, hash }),
                _ => None,
            })
        })
    }

    /// The stored salt of `day`, opened with `key` (see [`DailySalt::sealed`]); `None` when
    /// this shard holds none for the day, or one that does not open (altered, or sealed under
    /// a `SALT_KEY` that was since rotated): it is logged, and the caller replaces it.
    pub fn salt(
        &self,
        day: Day,
        key: &SaltSealingKey,
        shard: &str,
    ) -> AppResult<Option<DailySalt>> {
        let row = self.first_row(
            "SELECT salt FROM salts WHERE day = ?",
            vec![day.days_since_epoch().into()],
        )?;
        let Some(row) = row else { return Ok(None) };
        match <[SqlStorageValue; 1]>::try_from(row) {
            Ok([SqlStorageValue::Blob(bytes)]) => {
                match DailySalt::unseal(&bytes, key, salt_context(shard, day).as_bytes()) {
                    Ok(salt) => Ok(Some(salt)),
                    Err(error) => {
                        console_warn!("{error} (day {day}): a new salt replaces it");
                        Ok(None)
                    }
                }
            }
            _ => Err(AppError::Internal("salts row has unexpected columns".into())),
        }
    }

    /// Stores `salt` as the salt of `day`, sealed under `key` for `shard` and the day, and
    /// deletes the salts that are no longer needed (see [`DailySalt::is_expired`]).
    pub fn save_salt(
        &self,
        day: Day,
        salt: &DailySalt,
        drawn_ms: i64,
        key: &SaltSealingKey,
        shard: &str,
    ) -> AppResult<()> {
        let nonce = random_bytes::<SALT_NONCE_LEN>()?;
        let sealed = salt.sealed(key, salt_context(shard, day).as_bytes(), nonce);
        self.sql.exec(
            "INSERT OR REPLACE INTO salts (day, salt, drawn_ms) VALUES (?, ?, ?)",
            vec![day.days_since_epoch().into(), sealed.to_vec().into(), drawn_ms.into()],
        )?;
        // Yesterday's salt is the last one kept; is_expired holds for every older day.
        debug_assert!(DailySalt::is_expired(day.add_days(-2), day));
        self.delete_salts_through(day.add_days(-2))
    }

    /// The salts held, oldest first: their days and when they were drawn, never the salts.
    pub fn held_salts(&self) -> AppResult<Vec<HeldSalt>> {
        self.rows("salts", "SELECT day, drawn_ms FROM salts ORDER BY day", vec![], |row| {
            Ok(match row.as_slice() {
                [SqlStorageValue::Integer(day), SqlStorageValue::Integer(drawn_ms)] => {
                    Some(HeldSalt {
                        day: Day::from_days_since_epoch(*day as i32),
                        drawn_ms: *drawn_ms,
                    })
                }
                _ => None,
            })
        })
    }

    /// Deletes the salts of `last` and every earlier day.
    pub fn delete_salts_through(&self, last: Day) -> AppResult<()> {
        self.sql.exec("DELETE FROM salts WHERE day <= ?", vec![last.days_since_epoch().into()])?;
        Ok(())
    }

    /// Deletes every page and site record of the days before `first_kept`.
    pub fn delete_records_before(&self, first_kept: Day) -> AppResult<()> {
        let day = first_kept.days_since_epoch();
        self.sql.exec("DELETE FROM page_days WHERE day < ?", vec![day.into()])?;
        self.sql.exec("DELETE FROM site_days WHERE day < ?", vec![day.into()])?;
        Ok(())
    }

    /// The oldest day with a record, if any.
    pub fn oldest_record_day(&self) -> AppResult<Option<Day>> {
        let row = self.first_row(
            "SELECT MIN(day) FROM (SELECT day FROM site_days UNION ALL SELECT day FROM page_days)",
            vec![],
        )?;
        match row.as_deref() {
            Some([SqlStorageValue::Integer(day)]) => {
                Ok(Some(Day::from_days_since_epoch(*day as i32)))
            }
            Some([SqlStorageValue::Null]) | None => Ok(None),
            _ => Err(AppError::Internal("oldest record day has unexpected columns".into())),
        }
    }

    /// Replaces the record of `path` on `day`.
    pub fn save_page_day(&self, day: Day, path: &str, record: Vec<u8>) -> AppResult<()> {
        self.sql.exec(
            "INSERT OR REPLACE INTO page_days (day, path, record) VALUES (?, ?, ?)",
            vec![day.days_since_epoch().into(), path.into(), record.into()],
        )?;
        Ok(())
    }

    /// Every `(path, record)` pair of the days from `from` to `to`, both included.
    pub fn page_days(&self, from: Day, to: Day) -> AppResult<Vec<(String, PageDay)>> {
        self.rows_between("page_days", "day, path, record", from, to, |row| {
            match <[SqlStorageValue; 3]>::try_from(row) {
                Ok(
                    [SqlStorageValue::Integer(day), SqlStorageValue::String(path), SqlStorageValue::Blob(bytes)],
                ) => {
                    let day = Day::from_days_since_epoch(day as i32);
                    let record = decode_page_day(&bytes)
                        .map_err(|e| corrupt("page_days", day, &path, e))?;
                    Ok(Some((path, record)))
                }
                _ => Ok(None),
            }
        })
    }

    /// As [`Store::page_days`], each record as the codec's bytes, not decoded: for a read
    /// that decodes the segments of the pages that need them once every part of its range is
    /// in ([`tacit_report::stored_range::PartPages`]).
    pub fn page_days_encoded(&self, from: Day, to: Day) -> AppResult<Vec<EncodedPage>> {
        self.rows_between("page_days", "path, record", from, to, encoded_page)
    }

    /// The page's record of `day`, or `None` when the page has none yet.
    pub fn page_day(&self, day: Day, path: &str) -> AppResult<Option<PageDay>> {
        let row = self.first_row(
            "SELECT record FROM page_days WHERE day = ? AND path = ?",
            vec![day.days_since_epoch().into(), path.into()],
        )?;
        row.map(|row| match <[SqlStorageValue; 1]>::try_from(row) {
            Ok([SqlStorageValue::Blob(bytes)]) => {
                decode_page_day(&bytes).map_err(|e| corrupt("page_days", day, path, e))
            }
            _ => Err(AppError::Internal("page_days row has unexpected columns".into())),
        })
        .transpose()
    }

    /// How many pages have a record on `day`.
    pub fn pages_on(&self, day: Day) -> AppResult<usize> {
        let row = self.first_row(
            "SELECT COUNT(*) FROM page_days WHERE day = ?",
            vec![day.days_since_epoch().into()],
        )?;
        match row.as_deref() {
            Some([SqlStorageValue::Integer(count)]) => Ok(*count as usize),
            _ => Err(AppError::Internal("page count has unexpected columns".into())),
        }
    }

    /// The site's rollup of `day`, empty when nothing was counted yet.
    pub fn site_day(&self, day: Day) -> AppResult<SiteDay> {
        let row = self.first_row(
            "SELECT record FROM site_days WHERE day = ?",
            vec![day.days_since_epoch().into()],
        )?;
        match row.map(<[SqlStorageValue; 1]>::try_from) {
            None => Ok(SiteDay::default()),
            Some(Ok([SqlStorageValue::Blob(bytes)])) => {
                decode_site_day(&bytes).map_err(|e| corrupt("site_days", day, "", e))
            }
            Some(_) => Err(AppError::Internal("site_days row has unexpected columns".into())),
        }
    }

    /// Replaces the site's rollup of `day`.
    pub fn save_site_day(&self, day: Day, record: &SiteDay) -> AppResult<()> {
        self.sql.exec(
            "INSERT OR REPLACE INTO site_days (day, record) VALUES (?, ?)",
            vec![day.days_since_epoch().into(), encode_site_day(record).into()],
        )?;
        Ok(())
    }

    /// Every site rollup from `from` to `to`, both included, with its day.
    pub fn site_days(&self, from: Day, to: Day) -> AppResult<Vec<(Day, SiteDay)>> {
        self.rows_between("site_days", "day, record", from, to, |row| {
            match <[SqlStorageValue; 2]>::try_from(row) {
                Ok([SqlStorageValue::Integer(day), SqlStorageValue::Blob(bytes)]) => {
                    let day = Day::from_days_since_epoch(day as i32);
                    let record =
                        decode_site_day(&bytes).map_err(|e| corrupt("site_days", day, "", e))?;
                    Ok(Some((day, record)))
                }
                _ => Ok(None),
            }
        })
    }

    /// The periods whose rollups are stored.
    pub fn rollups(&self) -> AppResult<Vec<Rollup>> {
        self.rows("rollups", "SELECT first_day, last_day FROM rollups", vec![], |row| {
            Ok(match row.as_slice() {
                [SqlStorageValue::Integer(first), SqlStorageValue::Integer(last)] => Some(Rollup {
                    first: Day::from_days_since_epoch(*first as i32),
                    last: Day::from_days_since_epoch(*last as i32),
                }),
                _ => None,
            })
        })
    }

    /// Stores `records` as the rollup of `rollup`'s period, replacing any other (no await in
    /// between: one transaction, so a rollup is stored whole or not at all).
    pub fn save_rollup(&self, rollup: Rollup, records: &PeriodRecords) -> AppResult<()> {
        self.delete_rollup(rollup)?;
        for (path, record) in &records.pages {
            let [first, last] = rollup_key(rollup);
            self.sql.exec(
                "INSERT INTO page_rollups (first_day, last_day, path, record) VALUES (?, ?, ?, ?)",
                vec![first, last, path.as_str().into(), encode_page_day(record).into()],
            )?;
        }
        let [first, last] = rollup_key(rollup);
        self.sql.exec(
            "INSERT INTO rollups (first_day, last_day, site_record) VALUES (?, ?, ?)",
            vec![first, last, encode_site_day(&records.site).into()],
        )?;
        Ok(())
    }

    /// Deletes the rollup of `rollup`'s period.
    pub fn delete_rollup(&self, rollup: Rollup) -> AppResult<()> {
        for table in ["rollups", "page_rollups"] {
            self.sql.exec(
                &format!("DELETE FROM {table} WHERE first_day = ? AND last_day = ?"),
                rollup_key(rollup).to_vec(),
            )?;
        }
        Ok(())
    }

    /// Appends an accepted beacon's encoded [`tacit_aggregate::journal::JournalEntry`] of `day`.
    pub fn append_journal(&self, day: Day, entry: &[u8]) -> AppResult<()> {
        self.sql.exec(
            "INSERT INTO journal (day, entry) VALUES (?, ?)",
            vec![day.days_since_epoch().into(), entry.to_vec().into()],
        )?;
        Ok(())
    }

    /// Every journal entry with its day, oldest first.
    pub fn journal(&self) -> AppResult<Vec<(Day, Vec<u8>)>> {
        self.rows("journal", "SELECT day, entry FROM journal ORDER BY seq", vec![], |row| {
            Ok(match <[SqlStorageValue; 2]>::try_from(row) {
                Ok([SqlStorageValue::Integer(day), SqlStorageValue::Blob(entry)]) => {
                    Some((Day::from_days_since_epoch(day as i32), entry))
                }
                _ => None,
            })
        })
    }

    /// Empties the journal, once the records hold its entries.
    pub fn clear_journal(&self) -> AppResult<()> {
        self.sql.exec("DELETE FROM journal", None)?;
        Ok(())
    }

    /// Every row of `query` on `table`, each read by `read`, which answers `None` for a row
    /// whose columns are not the ones it asked for.
    fn rows<T>(
        &self,
        table: &str,
        query: &str,
        bindings: Vec<SqlStorageValue>,
        read: impl Fn(Vec<SqlStorageValue>) -> AppResult<Option<T>>,
    ) -> AppResult<Vec<T>> {
        let mut items = Vec::new();
        for row in self.sql.exec(query, bindings)?.raw() {
            let item = read(row?)?
                .ok_or_else(|| AppError::Internal(format!("{table} row has unexpected columns")))?;
            items.push(item);
        }
        Ok(items)
    }

    /// The `columns` of `table`'s rows of the days from `from` to `to`, both included, each
    /// read by `read` (see [`Store::rows`]).
    fn rows_between<T>(
        &self,
        table: &str,
        columns: &str,
        from: Day,
        to: Day,
        read: impl Fn(Vec<SqlStorageValue>) -> AppResult<Option<T>>,
    ) -> AppResult<Vec<T>> {
        let query = format!("SELECT {columns} FROM {table} WHERE day BETWEEN ? AND ?");
        let days = vec![from.days_since_epoch().into(), to.days_since_epoch().into()];
        self.rows(table, &query, days, read)
    }

    fn first_row(
        &self,
        query: &str,
        bindings: Vec<SqlStorageValue>,
    ) -> AppResult<Option<Vec<SqlStorageValue>>> {
        Ok(self.sql.exec(query, bindings)?.raw().next().transpose()?)
    }
}

/// A shard's range reads: see [`tacit_report::stored_range`].
impl StoredRecords for Store {
    type Error = AppError;

    fn page_days(&self, from: Day, to: Day) -> AppResult<Vec<(String, PageDay)>> {
        Store::page_days(self, from, to)
    }

    fn page_days_encoded(&self, from: Day, to: Day) -> AppResult<Vec<EncodedPage>> {
        Store::page_days_encoded(self, from, to)
    }

    fn site_days(&self, from: Day, to: Day) -> AppResult<Vec<(Day, SiteDay)>> {
        Store::site_days(self, from, to)
    }

    fn rollup(&self, rollup: Rollup) -> AppResult<Option<EncodedPeriod>> {
        let label = format!("{}..{}", rollup.first, rollup.last);
        let site = self.first_row(
            "SELECT site_record FROM rollups WHERE first_day = ? AND last_day = ?",
            rollup_key(rollup).to_vec(),
        )?;
        let site = match site.map(<[SqlStorageValue; 1]>::try_from) {
            None => return Ok(None),
            Some(Ok([SqlStorageValue::Blob(bytes)])) => {
                decode_site_day(&bytes).map_err(|e| corrupt("rollups", rollup.first, &label, e))?
            }
            Some(_) => return Err(AppError::Internal("rollups row has unexpected columns".into())),
        };
        let pages = self.rows(
            "page_rollups",
            "SELECT path, record FROM page_rollups WHERE first_day = ? AND last_day = ?",
            rollup_key(rollup).to_vec(),
            encoded_page,
        )?;
        Ok(Some(EncodedPeriod { pages, site }))
    }
}

/// A `(path, record)` row, the record left as the codec's bytes: the reader decodes it, and
/// its segments only if it needs them.
fn encoded_page(row: Vec<SqlStorageValue>) -> AppResult<Option<EncodedPage>> {
    match <[SqlStorageValue; 2]>::try_from(row) {
        Ok([SqlStorageValue::String(path), SqlStorageValue::Blob(bytes)]) => {
            Ok(Some(EncodedPage::whole(path, bytes)))
        }
        _ => Ok(None),
    }
}

/// A rollup's key columns: its first and last days.
fn rollup_key(rollup: Rollup) -> [SqlStorageValue; 2] {
    [rollup.first.days_since_epoch().into(), rollup.last.days_since_epoch().into()]
}

pub(super) fn corrupt(
    table: &str,
    day: Day,
    path: &str,
    error: impl std::fmt::Display,
) -> AppError {
    AppError::Internal(format!("{table} record {day} {path}: {error}"))
}

/// A beacon id as stored: hex text, since SQLite's integers reach the runtime as floats, exact
/// to 2^53 only.
fn beacon_id_text(id: u64) -> String {
    format!("{id:016x}")
}
