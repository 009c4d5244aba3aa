//! The messages the worker sends its site's Durable Object. They cross an internal request
//! inside one Cloudflare location and are never stored or logged.

use serde::{Deserialize, Serialize};
use tacit_core::consent::ConsentState;
use tacit_core::insights::InsightCard;
use tacit_core::signal::{Event, Leave, View};
use tacit_core::{Day, PageSummary, SiteId, SiteSummary};

/// Register a new site.
#[derive(Serialize, Deserialize)]
pub struct CreateSite {
    pub site: SiteId,
    pub viewer_token_sha256: String,
}

/// Count one validated beacon: its consent state and what it reports.
#[derive(Serialize, Deserialize)]
pub struct Ingest {
    pub site: SiteId,
    pub consent: ConsentState,
    pub signal: Signal,
}

/// What an accepted beacon adds to the day's records.
#[derive(Serialize, Deserialize)]
pub enum Signal {
    /// A page view. `ip` and `user_agent` are hashed with the day's salt and dropped.
    View { path: String, ip: String, user_agent: String, view: View },
    /// What the visitor did on the page before leaving it.
    Leave { path: String, leave: Leave },
    /// Something the visitor did on the page.
    Event { path: String, event: Event },
    /// Only the consent state: the visitor opted out.
    ConsentOnly,
    /// A bot: counted as dropped, nothing else.
    BotDropped,
}

/// Summarize a date range for the holder of a viewer token.
#[derive(Serialize, Deserialize)]
pub struct SummaryQuery {
    pub site: SiteId,
    pub viewer_token_sha256: String,
    pub from: Day,
    pub to: Day,
    pub report: Report,
}

/// Which summary a query asks for. The shard answers a [`tacit_core::RangeSummary`] for
/// `Pages`, a [`SiteReport`] for `Site`, a [`PageReport`] for `Page` and the cards for
/// `Insights`.
#[derive(Serialize, Deserialize)]
pub enum Report {
    Pages,
    Site,
    Page { path: String },
    Insights,
}

/// The site summary with its top insight cards, compared with the previous period.
#[derive(Serialize, Deserialize)]
pub struct SiteReport {
    pub summary: SiteSummary,
    pub insights: Vec<InsightCard>,
}

/// One page's insight summary: its cards first, then its figures against the site.
#[derive(Serialize, Deserialize)]
pub struct PageReport {
    pub insights: Vec<InsightCard>,
    pub summary: PageSummary,
}

/// The shard's routes, one per message.
pub const CREATE_SITE: &str = "/create-site";
pub const INGEST: &str = "/ingest";
pub const SUMMARY: &str = "/summary";
