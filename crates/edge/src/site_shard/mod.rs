//! The `SiteShard` Durable Object: one per site, the only place a site's data lives.
//!
//! Its `fetch` only picks the route; each message has a named method. Every write goes to the
//! object's SQLite database before the answer is sent, so an acknowledged beacon is stored.

pub mod protocol;
mod store;

use serde::de::DeserializeOwned;
use tacit_core::insights::{find_insights, page_insights};
use tacit_core::record::{page_record_key, DEFAULT_MAX_PAGES_PER_DAY};
use tacit_core::summary::previous_period;
use tacit_core::{
    Day, MergedRange, PageDay, PageSummary, PageUnavailable, RangeSummary, SiteId, SiteSummary,
    SummaryOptions, VisitorHash,
};
use worker::{durable_object, Date, DurableObject, Env, Method, Request, Response, Result, State};

use crate::error::{AppError, AppResult};
use crate::tokens::hashes_match;
use protocol::{CreateSite, Ingest, PageReport, Report, Signal, SiteReport, SummaryQuery};
use store::{SiteConfig, Store};

#[durable_object]
pub struct SiteShard {
    store: Store,
}

impl DurableObject for SiteShard {
    fn new(state: State, _env: Env) -> SiteShard {
        let store = Store::open(state.storage().sql()).expect("the shard's schema is valid SQL");
        SiteShard { store }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let answer = match (req.method(), req.path().as_str()) {
            (Method::Post, protocol::CREATE_SITE) => {
                self.create_site(read_message(&mut req).await?)
            }
            (Method::Post, protocol::INGEST) => self.ingest(read_message(&mut req).await?),
            (Method::Post, protocol::SUMMARY) => self.summary(read_message(&mut req).await?),
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
        let config =
            SiteConfig { id: message.site, viewer_token_sha256: message.viewer_token_sha256 };
        self.store.create_site(&config, now_ms())?;
        Ok(Response::empty()?.with_status(201))
    }

    fn ingest(&self, message: Ingest) -> AppResult<Response> {
        let site = self.site(&message.site)?;
        let today = Day::from_unix_ms(now_ms());
        let mut site_day = self.store.site_day(today)?;
        if !matches!(message.signal, Signal::BotDropped) {
            site_day.record_consent(message.consent);
        }
        match message.signal {
            Signal::View { path, ip, user_agent, view } => {
                let salt = self.store.salt_for(today)?;
                let visitor = VisitorHash::compute(&salt, &site.id, &ip, &user_agent);
                self.update_page(today, &path, |page| page.record_view(visitor, &view))?;
                site_day.record_view(visitor, &view);
            }
            Signal::Leave { path, leave } => {
                self.update_page(today, &path, |page| page.record_leave(&leave))?;
                site_day.record_leave(&leave);
            }
            Signal::Event { path, event } => {
                self.update_page(today, &path, |page| page.record_event(&event))?;
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
        update: impl FnOnce(&mut PageDay),
    ) -> AppResult<()> {
        let existing = self.store.page_day(today, path)?;
        let pages_today = if existing.is_some() { 0 } else { self.store.pages_on(today)? };
        let key = page_record_key(path, existing.is_some(), pages_today, DEFAULT_MAX_PAGES_PER_DAY);
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
        // Sites carry no k setting yet, and a new site's rows would all read "(other)" under the
        // default: folding is off (k = 1) until the site configuration holds k.
        let options = SummaryOptions { k: 1, ..SummaryOptions::default() };
        let current = self.merged_range(query.from, query.to)?;
        let previous = || {
            let (from, to) = previous_period(query.from, query.to);
            self.merged_range(from, to)
        };
        let json = match query.report {
            Report::Pages => {
                serde_json::to_string(&RangeSummary::from_merged(&current, options.k))?
            }
            Report::Site => {
                let previous = previous()?;
                let mut insights = find_insights(&current, Some(&previous), &options);
                insights.truncate(TOP_SITE_INSIGHTS);
                let summary = SiteSummary::new(&current, Some(&previous), &options);
                serde_json::to_string(&SiteReport { summary, insights })?
            }
            Report::Page { path } => {
                let summary = PageSummary::new(&path, &current, Some(&previous()?), &options)
                    .map_err(|reason| page_unavailable(&path, reason, options.k))?;
                let insights = page_insights(&path, &current, &options);
                serde_json::to_string(&PageReport { insights, summary })?
            }
            Report::Insights => {
                serde_json::to_string(&find_insights(&current, Some(&previous()?), &options))?
            }
        };
        let response = Response::ok(json)?;
        response.headers().set("Content-Type", "application/json")?;
        Ok(response)
    }

    fn merged_range(&self, from: Day, to: Day) -> AppResult<MergedRange> {
        Ok(MergedRange::new(
            from,
            to,
            self.store.page_days(from, to)?,
            self.store.site_days(from, to)?,
        ))
    }

    /// The site's configuration, or 404 when `site` was never created here.
    fn site(&self, site: &SiteId) -> AppResult<SiteConfig> {
        match self.store.site()? {
            Some(config) if config.id == *site => Ok(config),
            _ => Err(AppError::NotFound(format!("site '{site}' is not registered"))),
        }
    }
}

/// Insight cards shown on the site page; the insights API lists them all.
const TOP_SITE_INSIGHTS: usize = 5;

fn page_unavailable(path: &str, reason: PageUnavailable, k: u64) -> AppError {
    AppError::NotFound(match reason {
        PageUnavailable::NoRecord => format!("no page views of '{path}' in this range"),
        PageUnavailable::FewerThanK => {
            format!("'{path}' had fewer than {k} visitors in this range; pages are shown from {k}")
        }
    })
}

async fn read_message<T: DeserializeOwned>(req: &mut Request) -> Result<T> {
    req.json().await
}

fn now_ms() -> i64 {
    Date::now().as_millis() as i64
}
