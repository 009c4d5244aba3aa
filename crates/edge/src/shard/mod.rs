//! The `SiteShard` Durable Object: one per site (or per shard of a site split across several),
//! the only place a site's data lives.
//!
//! Its `fetch` only picks a route from [`SiteShard::answer`]'s table; each message has a named
//! method, in a file by concern:
//! - [`ingest`]: counting a beacon, its rate limits and retry ids, and leave updates;
//! - [`salt`]: the day's salt, drawn by the first shard and shared with the others;
//! - [`reads`]: summaries, raw records, the privacy facts and the status;
//! - [`admin`]: creating, changing and deleting the site, its tokens and change log;
//! - [`maintenance`]: flushing the open day, replaying the journal, and the daily maintenance
//!   on an alarm.
//!
//! Every write goes to the object's SQLite database ([`store`]) before the answer is sent, so
//! an acknowledged beacon is stored.

mod admin;
mod closed_ranges;
mod ingest;
mod maintenance;
mod open_day;
pub mod protocol;
mod reads;
mod salt;
mod store;

use std::cell::{Cell, RefCell};

use tacit_aggregate::{DailySalt, Day, SaltSealingKey};
use worker::{durable_object, DurableObject, Env, Method, Request, Response, Result, State};

use crate::clock::Clock;
use crate::error::{AppError, AppResult};

use closed_ranges::ClosedRanges;
use ingest::Guard;
use open_day::OpenDay;
use protocol::{
    Changes, CreateSite, DeleteSite, GetSite, Ingest, Privacy, Records, RotateTokens, ShardMessage,
    ShareSalt, Status, Summary, SyncSettings, UpdateSite, WasLeaveCounted, WireAnswer,
};
use store::{SiteRegistration, Store};

/// The Worker secret that seals salts at rest and keys public noise (`.dev.vars` in local
/// development).
pub const SALT_KEY_SECRET: &str = "SALT_KEY";

#[durable_object]
pub struct SiteShard {
    state: State,
    /// For asking the site's first shard for the day's salt.
    env: Env,
    store: Store,
    clock: Clock,
    /// Whether this instance has run the maintenance (and set the alarm) since it started.
    maintained: Cell<bool>,
    /// The site as this shard registered it, read from storage once and kept in step with
    /// every change.
    registration: RefCell<Option<SiteRegistration>>,
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

impl DurableObject for SiteShard {
    fn new(state: State, env: Env) -> SiteShard {
        let store = Store::open(state.storage().sql()).expect("the shard's schema is valid SQL");
        SiteShard {
            state,
            env: env.clone(),
            store,
            clock: Clock::from_env(&env),
            maintained: Cell::new(false),
            registration: RefCell::new(None),
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
        let answer = match req.method() {
            Method::Post => self.answer(&req.path(), &req.bytes().await?).await,
            method => Err(AppError::NotFound(format!("no shard route {method:?}"))),
        };
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
    /// The shard's routes: the message at `path` handed to its method.
    async fn answer(&self, path: &str, body: &[u8]) -> AppResult<Response> {
        self.catch_up().await?;
        match path {
            Ingest::PATH => reply(self.ingest(read(body)?).await),
            ShareSalt::PATH => reply(self.share_salt(read(body)?).await),
            WasLeaveCounted::PATH => reply(self.was_leave_counted(read(body)?)),
            Summary::PATH => reply(self.summary(read(body)?)),
            Records::PATH => reply(self.records(read(body)?)),
            Privacy::PATH => reply(self.privacy(read(body)?)),
            Status::PATH => reply(self.status(read(body)?).await),
            CreateSite::PATH => reply(self.create_site(read(body)?).await),
            GetSite::PATH => reply(self.get_site(read(body)?)),
            UpdateSite::PATH => reply(self.update_site(read(body)?).await),
            DeleteSite::PATH => reply(self.delete_site(read(body)?).await),
            RotateTokens::PATH => reply(self.rotate_tokens(read(body)?)),
            Changes::PATH => reply(self.changes(read(body)?)),
            SyncSettings::PATH => reply(self.sync_settings(read(body)?).await),
            _ => Err(AppError::NotFound(format!("no shard route {path}"))),
        }
    }
}

/// A message, read with serde_json; a malformed one is the worker's fault, not the client's.
fn read<M: ShardMessage>(body: &[u8]) -> AppResult<M> {
    serde_json::from_slice(body)
        .map_err(|error| AppError::Internal(format!("message to {}: {error}", M::PATH)))
}

fn reply(answer: AppResult<impl WireAnswer>) -> AppResult<Response> {
    Ok(Response::from_bytes(answer?.to_body()?)?)
}
