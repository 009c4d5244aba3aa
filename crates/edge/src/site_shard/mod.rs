//! The `SiteShard` Durable Object: one per site, the only place a site's data lives.
//!
//! Its `fetch` only picks the route; each message has a named method. Every write goes to the
//! object's SQLite database before the answer is sent, so an acknowledged beacon is stored.

mod closed_ranges;
mod open_day;
pub mod protocol;
mod store;

use crate::shard_client;
use std::cell::{Cell, RefCell};

use serde::de::DeserializeOwned;
use tacit_aggregate::change_log::{verify_chain, ChangeEntry, GENESIS_HASH};
use tacit_aggregate::codec::{
    decode_journal_entry, encode_journal_entry, encode_page_day, encode_site_day,
};
use tacit_aggregate::journal::{JournalEntry, Signal, SketchKey};
use tacit_aggregate::rate_limit::{
    limiter_key, FixedWindow, RecentIds, DEDUP_WINDOW_MS, RATE_WINDOW_MS,
};
use tacit_aggregate::schedule::Maintenance;
use tacit_aggregate::settings::{origin_hostname, FieldChange, SettingsPatch, SiteSettings};
use tacit_aggregate::{DailySalt, Day, SaltSealingKey, VisitorHash};
use tacit_beacon::SiteId;
use tacit_report::audit::{SaltStatus, StorageFacts};
use tacit_report::{MergedRange, Report, SummaryOptions};
use worker::{
    console_error, durable_object, DurableObject, Env, Method, Request, Response, Result,
    ScheduledTime, State,
};

use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::tokens::{hashes_match, hex, random_bytes, unhex};

use closed_ranges::{ClosedRanges, RangeRecords};
use open_day::OpenDay;
use protocol::{
    Client, CreateSite, Credential, Ingest, LeaveAnswer, LeaveQuery, PrivacyQuery, Records,
    RecordsQuery, ReplacedLeave, Role, RotateTokens, SaltAnswer, SaltQuery, ShardPrivacy,
    SiteRequest, SiteView, SummaryQuery, SyncSettings, UpdateSite,
};
use store::{SiteConfig, Store};

/// Visitors tracked by the rate limit in one window; more are let through (the site limit holds).
const MAX_TRACKED_VISITORS: usize = 100_000;
/// Beacon ids remembered at most (the oldest are forgotten first).
const MAX_RECENT_IDS: usize = 200_000;
/// Stored beacon ids older than the window are deleted once per this many new ids.
const PRUNE_IDS_EVERY: u32 = 1000;
/// The Worker secret that seals salts at rest and keys public noise (`.dev.vars` in local
/// development).
pub const SALT_KEY_SECRET: &str = "SALT_KEY";
/// The open day is written to storage at most this long after its first unsaved change: the
/// most a crash can lose (README, "Flush policy").
pub const FLUSH_INTERVAL_MS: i64 = 1000;
/// The open day is written at once when this many page records wait.
pub const MAX_DIRTY_PAGES: usize = 256;

#[durable_object]
pub struct SiteShard {
    state: State,
    /// For asking the site's first shard for the day's salt.
    env: Env,
    store: Store,
    clock: Clock,
    /// Whether this instance has run the maintenance (and set the alarm) since it started.
    maintained: Cell<bool>,
    /// The site's configuration, read from storage once and kept in step with every change.
    config: RefCell<Option<SiteConfig>>,
    /// Today's salt, read from storage once a day.
    salt: RefCell<Option<(Day, DailySalt)>>,
    /// The key salts are sealed with at rest, from the `SALT_KEY` secret; `None` when it is
    /// not set, and then no salt can be drawn (nor a beacon counted).
    salt_key: Option<SaltSealingKey>,
    /// Rate limits and recent beacon ids, made on the first beacon.
    guard: RefCell<Option<Guard>>,
    /// Today's records in memory, written on a flush.
    open_day: RefCell<Option<OpenDay>>,
    /// Closed days' records merged per range, for the summaries read again.
    closed_ranges: RefCell<ClosedRanges>,
    /// Whether the alarm is set for a flush (rather than for the next maintenance).
    flush_pending: Cell<bool>,
    /// Whether this instance has replayed the journal a previous one left.
    journal_replayed: Cell<bool>,
    /// When the next daily maintenance is due, on the shard's clock.
    next_maintenance_ms: Cell<i64>,
}

/// What protects ingest, in memory only: rate-limit counters keyed by a short keyed hash of the
/// visitor hash (see [`limiter_key`]), the site's counter, and the ids of recent beacons (also
/// stored, so that a retry after a restart is recognised).
struct Guard {
    secret: [u8; 16],
    visitors: FixedWindow,
    site: FixedWindow,
    ids: RecentIds,
    /// Ids seen since the last flush.
    unsaved_ids: Vec<SeenId>,
    /// Ids stored since old ones were last deleted.
    new_ids: u32,
}

/// A beacon id seen since the last flush: when, and whether its beacon counted a leave (which
/// a later update may replace).
struct SeenId {
    id: u64,
    seen_ms: i64,
    counted_leave: bool,
}

impl DurableObject for SiteShard {
    fn new(state: State, env: Env) -> SiteShard {
        let store = Store::open(state.storage().sql()).expect("the shard's schema is valid SQL");
        SiteShard {
            state,
            env: env.clone(),
            store,
            clock: Clock::from_env(&env),
            maintained: Cell::new(false),
            config: RefCell::new(None),
            salt: RefCell::new(None),
            salt_key: env
                .secret(SALT_KEY_SECRET)
                .ok()
                .map(|secret| SaltSealingKey::from_secret(&secret.to_string())),
            guard: RefCell::new(None),
            open_day: RefCell::new(None),
            closed_ranges: RefCell::default(),
            flush_pending: Cell::new(false),
            journal_replayed: Cell::new(false),
            next_maintenance_ms: Cell::new(i64::MAX),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let answer = self.route(&mut req).await;
        answer.or_else(AppError::into_response)
    }

    /// A flush of the open day, or the daily maintenance at 00:00 UTC, or both.
    async fn alarm(&self) -> Result<Response> {
        // Thrown, so the runtime retries the alarm.
        self.on_alarm()
            .await
            .map_err(|error| worker::Error::RustError(format!("alarm failed: {error:?}")))?;
        Response::empty()
    }
}

impl SiteShard {
    async fn route(&self, req: &mut Request) -> AppResult<Response> {
        self.replay_journal()?;
        if !self.maintained.get() {
            // Catches up on a missed alarm before anything reads or counts.
            self.maintain().await?;
        }
        match (req.method(), req.path().as_str()) {
            (Method::Post, protocol::INGEST) => {
                let message: Ingest = read_message(req).await?;
                let site = self.site(&message.site)?;
                let now = self.clock.now_ms();
                let salt = self.salt(&site, now).await?;
                let accepted = self.ingest(message, site, now, salt)?;
                self.schedule_flush().await?;
                Ok(accepted)
            }
            (Method::Post, protocol::SALT) => self.share_salt(read_message(req).await?).await,
            (Method::Post, protocol::COUNTED_LEAVE) => self.leave_answer(read_message(req).await?),
            (Method::Post, protocol::SUMMARY) => {
                self.flush()?;
                self.summary(read_message(req).await?)
            }
            (Method::Post, protocol::CREATE_SITE) => {
                let created = self.create_site(read_message(req).await?)?;
                self.maintain().await?;
                Ok(created)
            }
            (Method::Post, protocol::GET_SITE) => self.get_site(read_message(req).await?),
            (Method::Post, protocol::UPDATE_SITE) => {
                let updated = self.update_site(read_message(req).await?)?;
                // A shorter retention applies at once.
                self.maintain().await?;
                Ok(updated)
            }
            (Method::Post, protocol::DELETE_SITE) => {
                self.delete_site(read_message(req).await?).await
            }
            (Method::Post, protocol::ROTATE_TOKENS) => self.rotate_tokens(read_message(req).await?),
            (Method::Post, protocol::CHANGES) => self.changes(read_message(req).await?),
            (Method::Post, protocol::SYNC_SETTINGS) => {
                let synced = self.sync_settings(read_message(req).await?)?;
                self.maintain().await?;
                Ok(synced)
            }
            (Method::Post, protocol::RECORDS) => {
                self.flush()?;
                self.records(read_message(req).await?)
            }
            (Method::Post, protocol::PRIVACY) => {
                self.flush()?;
                self.privacy(read_message(req).await?)
            }
            (Method::Post, protocol::STATUS) => {
                self.flush()?;
                self.status(read_message(req).await?).await
            }
            (method, path) => Err(AppError::NotFound(format!("no shard route {method:?} {path}"))),
        }
    }

    async fn on_alarm(&self) -> AppResult<()> {
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
    fn flush(&self) -> AppResult<()> {
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
    async fn schedule_flush(&self) -> AppResult<()> {
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

    /// Draws today's salt, deletes expired salts, records beyond the retention and old beacon
    /// ids, and sets the alarm for the next 00:00 UTC. Does nothing for a shard without a site.
    async fn maintain(&self) -> AppResult<()> {
        self.flush()?;
        // Retention may delete days that kept ranges hold.
        self.closed_ranges.borrow_mut().clear();
        if self.config.borrow().is_none() {
            self.config.replace(self.store.site()?);
        }
        let Some(config) = self.config.borrow().clone() else {
            return Ok(());
        };
        let now = self.clock.now_ms();
        let plan = Maintenance::plan(now, config.settings.retention_days);
        if config.shard_index == 0 {
            // The rotation: the new day's salt is drawn at midnight, not at its first beacon.
            self.salt(&config, now).await?;
        }
        self.store.delete_salts_through(plan.delete_salts_through)?;
        self.store.delete_records_before(plan.delete_records_before)?;
        self.forget_old_ids(now)?;
        // A flush alarm replaces this one; the flush then sets it again from here.
        self.next_maintenance_ms.set(plan.next_alarm_ms);
        self.set_alarm(plan.next_alarm_ms).await?;
        self.maintained.set(true);
        Ok(())
    }

    async fn status(&self, request: SiteRequest) -> AppResult<Response> {
        let config = self.authorized(&request)?;
        let now = self.clock.now_ms();
        let next_alarm_ms =
            self.state.storage().get_alarm().await?.map(|ms| self.clock.of_runtime_ms(ms));
        let changes = self.store.changes()?;
        let plan = Maintenance::plan(now, config.settings.retention_days);
        // Today's consent tally: in opt-in mode, what beacons without consent still add.
        let consent: Vec<_> = self
            .store
            .site_day(plan.today)?
            .consent()
            .entries()
            .map(|(category, value, source, count)| {
                serde_json::json!({
                    "category": category.as_str(),
                    "value": value.as_str(),
                    "source": source.as_str(),
                    "count": count,
                })
            })
            .collect();
        let body = serde_json::json!({
            "site": config.id,
            "now_ms": now,
            "next_alarm_ms": next_alarm_ms,
            "salts": SaltStatus::new(&self.store.held_salts()?, now),
            "retention": {
                "days": config.settings.retention_days,
                "oldest_record_day": self.store.oldest_record_day()?,
                "deleting_before": plan.delete_records_before,
            },
            "consent_mode": config.settings.consent_mode,
            "consent_today": consent,
            "change_log": {
                "entries": changes.len(),
                "head": changes.last().map_or(GENESIS_HASH, |entry| entry.hash.as_str()),
                "verified": verify_chain(&changes).is_ok(),
            },
        });
        no_store(Response::from_json(&body)?)
    }
    /// What this shard holds for the privacy report: its salts (days and times, never the
    /// salts), its oldest record, the consent tallies of the range and, on the first shard,
    /// the change log.
    fn privacy(&self, query: PrivacyQuery) -> AppResult<Response> {
        let request =
            SiteRequest { site: query.site, credential: query.credential, role: Role::Auditor };
        let config = self.authorized(&request)?;
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
        let answer =
            ShardPrivacy { settings: config.settings, facts, changes: self.store.changes()? };
        no_store(Response::from_json(&answer)?)
    }

    fn create_site(&self, message: CreateSite) -> AppResult<Response> {
        if self.store.site()?.is_some() {
            return Err(AppError::Conflict(format!("site '{}' already exists", message.site)));
        }
        let settings = SiteSettings::default().apply(&parse_patch(message.settings)?)?.0;
        let config = SiteConfig {
            id: message.site,
            settings,
            viewer_token_sha256: message.viewer_token_sha256,
            auditor_token_sha256: message.auditor_token_sha256,
            created_ms: self.clock.now_ms(),
            shard_index: 0,
        };
        self.store.create_site(&config)?;
        let created = FieldChange {
            field: "site",
            old: "null".into(),
            new: serde_json::to_string(&config.settings)?,
        };
        self.log_changes(&message.actor, [created])?;
        let view = self.site_view(&config)?;
        self.config.replace(Some(config));
        Ok(Response::from_json(&view)?.with_status(201))
    }

    /// A further shard takes the site's settings from the worker (shard 0 holds the tokens and
    /// the change log).
    fn sync_settings(&self, message: SyncSettings) -> AppResult<Response> {
        match self.store.site()? {
            Some(_) => self.store.save_settings(&message.settings)?,
            None => self.store.create_site(&SiteConfig {
                id: message.site.clone(),
                settings: message.settings.clone(),
                viewer_token_sha256: String::new(),
                auditor_token_sha256: String::new(),
                created_ms: self.clock.now_ms(),
                shard_index: message.index,
            })?,
        }
        self.config.replace(self.store.site()?);
        Ok(Response::empty()?.with_status(204))
    }

    fn records(&self, query: RecordsQuery) -> AppResult<Response> {
        let request = SiteRequest {
            site: query.site.clone(),
            credential: query.credential,
            role: Role::Viewer,
        };
        self.authorized(&request)?;
        let (pages, site_days) = self.range_records(query.from, query.to)?;
        let pages =
            pages.iter().map(|(path, record)| (path.clone(), hex(&encode_page_day(record))));
        let site_days = site_days.iter().map(|(day, record)| (*day, hex(&encode_site_day(record))));
        let (pages, site_days) = (pages.collect(), site_days.collect());
        Ok(Response::from_json(&Records { pages, site_days })?)
    }

    fn get_site(&self, request: SiteRequest) -> AppResult<Response> {
        let config = self.authorized(&request)?;
        no_store(Response::from_json(&self.site_view(&config)?)?)
    }

    fn update_site(&self, message: UpdateSite) -> AppResult<Response> {
        let mut config = self.site(&message.site)?;
        let (settings, changes) = config.settings.apply(&parse_patch(message.patch)?)?;
        if !changes.is_empty() {
            self.store.save_settings(&settings)?;
            self.log_changes(&message.actor, changes)?;
        }
        config.settings = settings;
        let view = self.site_view(&config)?;
        self.config.replace(Some(config));
        no_store(Response::from_json(&view)?)
    }

    /// Deletes every row, table and alarm of the shard: nothing of the site remains.
    async fn delete_site(&self, request: SiteRequest) -> AppResult<Response> {
        self.authorized(&request)?;
        self.config.replace(None);
        self.salt.replace(None);
        self.guard.replace(None);
        self.open_day.replace(None);
        self.closed_ranges.borrow_mut().clear();
        self.flush_pending.set(false);
        self.maintained.set(false);
        let storage = self.state.storage();
        storage.delete_alarm().await?;
        storage.delete_all().await?;
        // The object lives on until it is evicted; it answers 404 like a shard never used.
        self.store.create_schema()?;
        Ok(Response::empty()?.with_status(204))
    }

    fn rotate_tokens(&self, message: RotateTokens) -> AppResult<Response> {
        let mut config = self.site(&message.site)?;
        self.store.save_tokens(&message.viewer_token_sha256, &message.auditor_token_sha256)?;
        // The log says that the tokens changed, never what they are.
        let rotated = FieldChange {
            field: "tokens",
            old: "\"(previous tokens)\"".into(),
            new: "\"(rotated)\"".into(),
        };
        self.log_changes(&message.actor, [rotated])?;
        config.viewer_token_sha256 = message.viewer_token_sha256;
        config.auditor_token_sha256 = message.auditor_token_sha256;
        self.config.replace(Some(config));
        Ok(Response::empty()?.with_status(204))
    }

    fn changes(&self, request: SiteRequest) -> AppResult<Response> {
        self.authorized(&request)?;
        let entries = self.store.changes()?;
        let verified = verify_chain(&entries);
        let body = serde_json::json!({
            "verified": verified.is_ok(),
            "error": verified.err().map(|e| e.to_string()),
            "entries": entries,
        });
        no_store(Response::from_json(&body)?)
    }

    fn ingest(
        &self,
        message: Ingest,
        site: SiteConfig,
        now: i64,
        salt: DailySalt,
    ) -> AppResult<Response> {
        check_origin(&site.settings, message.origin.as_deref())?;
        let today = Day::from_unix_ms(now);
        let Client { ip, user_agent } = message.client;
        let visitor = VisitorHash::compute(&salt, &site.id, &ip, &user_agent);
        drop((ip, user_agent));
        self.check_rates(&site.settings, visitor, now)?;
        if let Some(id) = message.id {
            if !self.remember_id(id, now)? {
                // A retry of a beacon already counted: acknowledged, not counted again.
                return Ok(Response::empty()?.with_status(202));
            }
        }
        let bot = matches!(message.signal, Signal::BotDropped);
        // The site's consent mode decides what a person's beacon may add.
        let mut signal = if bot || site.settings.admits(&message.consent) {
            message.signal
        } else {
            Signal::ConsentOnly
        };
        if let Signal::View { view, .. } | Signal::BareView { view, .. } = &mut signal {
            site.settings.keep_asked(view);
        }
        if let Some(replaced) = message.replaces {
            signal = self.replacing(signal, replaced, now)?;
        }
        if let Some(id) = message.id.filter(|_| signal.counts_leave()) {
            self.mark_counted_leave(id);
        }
        let visitor = matches!(signal, Signal::View { .. } | Signal::BareView { .. })
            .then(|| SketchKey::of(visitor));
        let entry = JournalEntry {
            id: message.id,
            accepted_ms: now,
            consent: (!bot).then_some(message.consent),
            visitor,
            signal,
        };
        let max_pages = site.settings.max_pages_per_day as usize;
        let mut open_day = self.open_day.borrow_mut();
        self.open_day_in(&mut open_day, today)?.apply(&self.store, &entry, max_pages)?;
        // Written before the 202 leaves: the runtime holds the answer until it is durable.
        self.store.append_journal(today, &encode_journal_entry(&entry))?;
        Ok(Response::empty()?.with_status(202))
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
        let Some(config) = self.store.site()? else { return self.store.clear_journal() };
        let max_pages = config.settings.max_pages_per_day as usize;
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
                self.store.save_beacon_id(id, entry.accepted_ms, entry.signal.counts_leave())?;
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
    fn open_day_in<'a>(
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

    /// Today's salt: from memory after the day's first beacon, else from storage, else drawn
    /// (by the site's first shard) or taken from the first shard (by the others). One salt per
    /// site and day means a visitor has one hash in every shard, so a visitor whom a raised
    /// shard count sends elsewhere mid-day is not counted twice in the shards' union.
    async fn salt(&self, site: &SiteConfig, now_ms: i64) -> AppResult<DailySalt> {
        let today = Day::from_unix_ms(now_ms);
        if let Some((day, salt)) = &*self.salt.borrow() {
            if *day == today {
                return Ok(salt.clone());
            }
        }
        let key = self.salt_key.as_ref().ok_or_else(|| {
            AppError::Internal(format!(
                "the {SALT_KEY_SECRET} secret is not set: no salt can be stored"
            ))
        })?;
        let shard = self.state.id().to_string();
        let salt = match self.store.salt(today, key, &shard)? {
            Some(salt) => salt,
            None => {
                let salt = if site.shard_index == 0 {
                    DailySalt::from_bytes(random_bytes::<16>()?)
                } else {
                    let query = SaltQuery { site: site.id.clone(), day: today };
                    let answer: SaltAnswer =
                        shard_client::ask(&self.env, &site.id, protocol::SALT, &query).await?;
                    let bytes = unhex(&answer.salt_hex)
                        .and_then(|bytes| <[u8; 16]>::try_from(bytes).ok())
                        .ok_or_else(|| AppError::Internal("the first shard's salt".into()))?;
                    DailySalt::from_bytes(bytes)
                };
                self.store.save_salt(today, &salt, now_ms, key, &shard)?;
                salt
            }
        };
        self.salt.replace(Some((today, salt.clone())));
        Ok(salt)
    }

    /// The first shard gives a further shard of its site today's salt (and no other day's).
    async fn share_salt(&self, query: SaltQuery) -> AppResult<Response> {
        let site = self.site(&query.site)?;
        let now = self.clock.now_ms();
        if site.shard_index != 0 || query.day != Day::from_unix_ms(now) {
            return Err(AppError::BadRequest("only the first shard gives out today's salt".into()));
        }
        let salt = self.salt(&site, now).await?;
        Ok(Response::from_json(&SaltAnswer { salt_hex: hex(&salt.to_bytes()) })?)
    }

    /// Counts the beacon against the visitor's and the site's per-minute limits: `429` with the
    /// seconds until the window ends once either is reached.
    fn check_rates(
        &self,
        settings: &SiteSettings,
        visitor: VisitorHash,
        now: i64,
    ) -> AppResult<()> {
        let mut guard = self.guard.borrow_mut();
        let guard = self.guard_in(&mut guard, now)?;
        let key = limiter_key(&guard.secret, visitor);
        guard
            .visitors
            .check(key, settings.visitor_beacons_per_minute, now)
            .map_err(AppError::TooManyRequests)?;
        guard
            .site
            .check(0, settings.site_beacons_per_minute, now)
            .map_err(AppError::TooManyRequests)
    }

    /// What a leave update may change, by the leave it replaces:
    /// - sent on an earlier UTC day: nothing. That day's record is closed, and today's never
    ///   counted the view's leave, so replacing it here would count the leave twice.
    /// - counted today (its id is kept with the mark of a counted leave until the day ends):
    ///   the update replaces its figures.
    /// - otherwise it never arrived (the browser gave up on it), or arrived but counted no
    ///   leave (the visitor's consent then admitted only the tally): the update counts as a
    ///   leave of its own, with nothing taken back, and the id is remembered, so that a late
    ///   retry of the lost leave is not counted as well.
    ///
    /// An update without the replaced leave's id (from a snippet before ids) replaces figures
    /// unchecked.
    fn replacing(&self, signal: Signal, replaced: ReplacedLeave, now: i64) -> AppResult<Signal> {
        let Signal::LeaveUpdate { path, leave, replaced: figures } = signal else {
            return Ok(signal);
        };
        let after_ms = i64::from(replaced.after_ms);
        if Day::from_unix_ms(now - after_ms) != Day::from_unix_ms(now) {
            return Ok(Signal::ConsentOnly);
        }
        match replaced.id {
            Some(id) if !self.counted_leave(id)? => {
                self.remember_id(id, now)?;
                Ok(Signal::Leave { path, leave })
            }
            _ => Ok(Signal::LeaveUpdate { path, leave, replaced: figures }),
        }
    }

    /// Tells the worker whether this shard counted the leave it asks about (see
    /// [`crate::shards::shard_of_leave`]).
    fn leave_answer(&self, query: LeaveQuery) -> AppResult<Response> {
        self.site(&query.site)?;
        Ok(Response::from_json(&LeaveAnswer { counted: self.counted_leave(query.id)? })?)
    }

    /// Whether the beacon `id` counted a leave today: since the last flush, or stored.
    fn counted_leave(&self, id: u64) -> AppResult<bool> {
        let unsaved = self.guard.borrow().as_ref().is_some_and(|guard| {
            guard.unsaved_ids.iter().any(|seen| seen.id == id && seen.counted_leave)
        });
        Ok(unsaved || self.store.counted_leave(id)?)
    }

    /// Marks the beacon `id`, remembered by this ingest, as one that counted a leave.
    fn mark_counted_leave(&self, id: u64) {
        if let Some(guard) = self.guard.borrow_mut().as_mut() {
            if let Some(seen) = guard.unsaved_ids.iter_mut().rev().find(|seen| seen.id == id) {
                seen.counted_leave = true;
            }
        }
    }

    /// Forgets the stored beacon ids older than the de-duplication window, except today's
    /// counted leaves, which an update may still replace.
    fn forget_old_ids(&self, now: i64) -> AppResult<()> {
        let today_start = Day::from_unix_ms(now).start_ms();
        self.store.delete_beacon_ids_before(now - DEDUP_WINDOW_MS, today_start)
    }

    /// Remembers a beacon id; `false` when it was seen within the window (a retry).
    fn remember_id(&self, id: u64, now: i64) -> AppResult<bool> {
        let mut guard = self.guard.borrow_mut();
        let guard = self.guard_in(&mut guard, now)?;
        if !guard.ids.insert(id, now) {
            return Ok(false);
        }
        // Stored with the records the beacon changes, in the next flush: a crash loses both, and
        // the retry is counted; never the id alone, which would make the retry look counted.
        guard.unsaved_ids.push(SeenId { id, seen_ms: now, counted_leave: false });
        Ok(true)
    }

    /// The guard, made on first use with a fresh secret and the stored recent beacon ids.
    fn guard_in<'a>(&self, slot: &'a mut Option<Guard>, now: i64) -> AppResult<&'a mut Guard> {
        if slot.is_none() {
            let mut ids = RecentIds::new(DEDUP_WINDOW_MS, MAX_RECENT_IDS);
            for (seen_ms, id) in self.store.beacon_ids_since(now - DEDUP_WINDOW_MS)? {
                ids.insert(id, seen_ms);
            }
            *slot = Some(Guard {
                secret: random_bytes::<16>()?,
                visitors: FixedWindow::new(RATE_WINDOW_MS, MAX_TRACKED_VISITORS),
                site: FixedWindow::new(RATE_WINDOW_MS, 1),
                ids,
                unsaved_ids: Vec::new(),
                new_ids: 0,
            });
        }
        Ok(slot.as_mut().expect("the guard was just made"))
    }

    fn summary(&self, query: SummaryQuery) -> AppResult<Response> {
        let site = self.site(&query.site)?;
        if !hashes_match(&site.viewer_token_sha256, &query.viewer_token_sha256) {
            return Err(AppError::Unauthorized);
        }
        let options = SummaryOptions { k: u64::from(site.settings.k), ..SummaryOptions::default() };
        let current = self.merged_range(query.from, query.to)?;
        let compared_with = query.report.compared_with(query.from, query.to);
        let previous = compared_with.map(|(from, to)| self.merged_range(from, to)).transpose()?;
        let report = Report::build(query.report, &current, previous.as_ref(), &options)?;
        Ok(Response::from_json(&report)?)
    }

    fn merged_range(&self, from: Day, to: Day) -> AppResult<MergedRange> {
        let (pages, site_days) = self.range_records(from, to)?;
        Ok(MergedRange::new(from, to, pages, site_days))
    }

    /// The records of `from..=to` (the open day's must be flushed): the closed days' merged per
    /// page, kept for the next read, then the open day's.
    fn range_records(&self, from: Day, to: Day) -> AppResult<RangeRecords> {
        let today = Day::from_unix_ms(self.clock.now_ms());
        let closed_to = to.min(today.add_days(-1));
        let (mut pages, mut site_days) = if from <= closed_to {
            self.closed_ranges.borrow_mut().get_or_read(from, closed_to, || {
                Ok((self.store.page_days(from, closed_to)?, self.store.site_days(from, closed_to)?))
            })?
        } else {
            (Vec::new(), Vec::new())
        };
        let open_from = from.max(today);
        if open_from <= to {
            pages.extend(self.store.page_days(open_from, to)?);
            site_days.extend(self.store.site_days(open_from, to)?);
        }
        Ok((pages, site_days))
    }

    /// The site's configuration, or 404 when `site` was never created here (or was deleted).
    fn site(&self, site: &SiteId) -> AppResult<SiteConfig> {
        if self.config.borrow().is_none() {
            self.config.replace(self.store.site()?);
        }
        match &*self.config.borrow() {
            Some(config) if config.id == *site => Ok(config.clone()),
            _ => Err(AppError::NotFound(format!("site '{site}' is not registered"))),
        }
    }

    /// The site's configuration when the request's credential grants `request.role`: 404 for an
    /// unknown site whatever the credential, then 401 for a wrong token.
    fn authorized(&self, request: &SiteRequest) -> AppResult<SiteConfig> {
        let config = self.site(&request.site)?;
        let granted = match &request.credential {
            Credential::Admin => true,
            Credential::Token(sha256) => {
                let expected = match request.role {
                    Role::Viewer => &config.viewer_token_sha256,
                    Role::Auditor => &config.auditor_token_sha256,
                };
                // A site migrated without an auditor token has none to match.
                !expected.is_empty() && hashes_match(expected, sha256)
            }
        };
        if granted {
            Ok(config)
        } else {
            Err(AppError::Unauthorized)
        }
    }

    fn site_view(&self, config: &SiteConfig) -> AppResult<SiteView> {
        let last = self.store.last_change()?;
        Ok(SiteView {
            id: config.id.clone(),
            created_ms: config.created_ms,
            settings: config.settings.clone(),
            changes: last.as_ref().map_or(0, |entry| entry.seq),
            change_log_head: last.map_or(GENESIS_HASH.to_owned(), |entry| entry.hash),
        })
    }

    /// Appends one chained entry per change, all with the same time and actor.
    fn log_changes(
        &self,
        actor: &str,
        changes: impl IntoIterator<Item = FieldChange>,
    ) -> AppResult<()> {
        let time_ms = self.clock.now_ms();
        let mut last = self.store.last_change()?;
        for change in changes {
            let entry = ChangeEntry::next(
                last.as_ref(),
                time_ms,
                actor,
                change.field,
                &change.old,
                &change.new,
            );
            self.store.append_change(&entry)?;
            last = Some(entry);
        }
        Ok(())
    }
}

/// A beacon from a browser carries the page's `Origin`; it must be one of the site's hostnames.
/// A request without `Origin` does not come from a web page (a server, a script, a test) and is
/// let through: refusing it would stop nobody, since such a client can send any `Origin` it
/// likes, and the rate limits bound what it can add.
fn check_origin(settings: &SiteSettings, origin: Option<&str>) -> AppResult<()> {
    let Some(origin) = origin else { return Ok(()) };
    match origin_hostname(origin) {
        Some(host) if settings.allows_hostname(&host) => Ok(()),
        _ => Err(AppError::Forbidden(
            "the page's origin is not one of the site's allowed hostnames".into(),
        )),
    }
}

/// The settings an admin sent, with an error that names the first field at fault.
fn parse_patch(value: serde_json::Value) -> AppResult<SettingsPatch> {
    serde_json::from_value(value.clone()).map_err(|error| {
        // serde_json's message says what is wrong but not where: try one field at a time.
        let field = value.as_object().and_then(|object| {
            object.iter().find_map(|(name, field_value)| {
                let alone = serde_json::json!({ name: field_value });
                serde_json::from_value::<SettingsPatch>(alone).is_err().then_some(name)
            })
        });
        match field {
            Some(name) => AppError::BadRequest(format!("'{name}': {error}")),
            None => AppError::BadRequest(format!("settings: {error}")),
        }
    })
}

/// Answers about a site's settings and log change with every change: no cache keeps them.
fn no_store(response: Response) -> AppResult<Response> {
    response.headers().set("Cache-Control", "no-store")?;
    Ok(response)
}

/// Reads a message with serde_json (not through a JS object, which would round a `u64` such as
/// a beacon id to a float).
async fn read_message<T: DeserializeOwned>(req: &mut Request) -> Result<T> {
    serde_json::from_slice(&req.bytes().await?).map_err(|e| worker::Error::RustError(e.to_string()))
}
