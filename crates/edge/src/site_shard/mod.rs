//! The `SiteShard` Durable Object: one per site, the only place a site's data lives.
//!
//! Its `fetch` only picks the route; each message has a named method. Every write goes to the
//! object's SQLite database before the answer is sent, so an acknowledged beacon is stored.

pub mod protocol;
mod store;

use std::cell::RefCell;

use serde::de::DeserializeOwned;
use tacit_core::change_log::{verify_chain, ChangeEntry, GENESIS_HASH};
use tacit_core::record::page_record_key;
use tacit_core::site_config::{origin_hostname, FieldChange, SettingsPatch, SiteSettings};
use tacit_core::{Day, PageDay, RangeSummary, SiteDay, SiteId, VisitorHash};
use worker::{durable_object, Date, DurableObject, Env, Method, Request, Response, Result, State};

use crate::error::{AppError, AppResult};
use crate::tokens::hashes_match;
use protocol::{
    CreateSite, Credential, Ingest, Role, RotateTokens, Signal, SiteRequest, SiteView,
    SummaryQuery, UpdateSite,
};
use store::{SiteConfig, Store};

#[durable_object]
pub struct SiteShard {
    state: State,
    store: Store,
    /// The site's configuration, read from storage once and kept in step with every change.
    config: RefCell<Option<SiteConfig>>,
}

impl DurableObject for SiteShard {
    fn new(state: State, _env: Env) -> SiteShard {
        let store = Store::open(state.storage().sql()).expect("the shard's schema is valid SQL");
        SiteShard { state, store, config: RefCell::new(None) }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let answer = match (req.method(), req.path().as_str()) {
            (Method::Post, protocol::INGEST) => self.ingest(read_message(&mut req).await?),
            (Method::Post, protocol::SUMMARY) => self.summary(read_message(&mut req).await?),
            (Method::Post, protocol::CREATE_SITE) => {
                self.create_site(read_message(&mut req).await?)
            }
            (Method::Post, protocol::GET_SITE) => self.get_site(read_message(&mut req).await?),
            (Method::Post, protocol::UPDATE_SITE) => {
                self.update_site(read_message(&mut req).await?)
            }
            (Method::Post, protocol::DELETE_SITE) => {
                self.delete_site(read_message(&mut req).await?).await
            }
            (Method::Post, protocol::ROTATE_TOKENS) => {
                self.rotate_tokens(read_message(&mut req).await?)
            }
            (Method::Post, protocol::CHANGES) => self.changes(read_message(&mut req).await?),
            (method, path) => Err(AppError::NotFound(format!("no shard route {method:?} {path}"))),
        };
        answer.or_else(AppError::into_response)
    }
}

impl SiteShard {
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
            created_ms: now_ms(),
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

    fn ingest(&self, message: Ingest) -> AppResult<Response> {
        let site = self.site(&message.site)?;
        check_origin(&site.settings, message.origin.as_deref())?;
        let today = Day::from_unix_ms(now_ms());
        let mut site_day = self.store.site_day(today)?;
        let mut signal = message.signal;
        if !matches!(signal, Signal::BotDropped) {
            site_day.record_consent(message.consent);
            if !site.settings.admits(&message.consent) {
                signal = Signal::ConsentOnly;
            }
        }
        let max_pages = site.settings.max_pages_per_day as usize;
        match signal {
            Signal::View { path, ip, user_agent, view } => {
                let salt = self.store.salt_for(today)?;
                let visitor = VisitorHash::compute(&salt, &site.id, &ip, &user_agent);
                self.update_page(today, &path, max_pages, |page| page.record_view(visitor, &view))?;
                site_day.record_view(visitor, &view);
            }
            Signal::Leave { path, leave } => {
                self.update_page(today, &path, max_pages, |page| page.record_leave(&leave))?;
                site_day.record_leave(&leave);
            }
            Signal::Event { path, event } => {
                self.update_page(today, &path, max_pages, |page| page.record_event(&event))?;
                site_day.record_event(&event);
            }
            Signal::ConsentOnly => {}
            Signal::BotDropped => site_day.record_bot_dropped(),
        }
        self.store.save_site_day(today, &site_day)?;
        Ok(Response::empty()?.with_status(202))
    }

    /// Applies `update` to today's record of `path`, or of `(other)` once the day holds as many
    /// pages as a day may (see [`page_record_key`], [`tacit_core::record::OTHER_PAGE`]).
    fn update_page(
        &self,
        today: Day,
        path: &str,
        max_pages: usize,
        update: impl FnOnce(&mut PageDay),
    ) -> AppResult<()> {
        let existing = self.store.page_day(today, path)?;
        let pages_today = if existing.is_some() { 0 } else { self.store.pages_on(today)? };
        let key = page_record_key(path, existing.is_some(), pages_today, max_pages);
        let mut page = match existing {
            Some(page) => page,
            None => self.store.page_day(today, key)?.unwrap_or_default(),
        };
        update(&mut page);
        self.store.save_page_day(today, key, &page)
    }

    fn summary(&self, query: SummaryQuery) -> AppResult<Response> {
        let site = self.site(&query.site)?;
        if !hashes_match(&site.viewer_token_sha256, &query.viewer_token_sha256) {
            return Err(AppError::Unauthorized);
        }
        let records = self.store.page_days(query.from, query.to)?;
        let bots_dropped =
            self.store.site_days(query.from, query.to)?.iter().map(SiteDay::bots_dropped).sum();
        Ok(Response::from_json(&RangeSummary::from_records(
            query.from,
            query.to,
            records,
            bots_dropped,
        ))?)
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
        let time_ms = now_ms();
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

async fn read_message<T: DeserializeOwned>(req: &mut Request) -> Result<T> {
    req.json().await
}

fn now_ms() -> i64 {
    Date::now().as_millis() as i64
}
