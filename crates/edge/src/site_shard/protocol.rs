//! The messages the worker sends its site's Durable Object. They cross an internal request
//! inside one Cloudflare location and are never stored or logged.

use serde::{Deserialize, Serialize};
use tacit_core::consent::ConsentState;
use tacit_core::signal::{Event, Leave, View};
use tacit_core::{Day, SiteId};

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
}

/// The shard's routes, one per message.
pub const CREATE_SITE: &str = "/create-site";
pub const INGEST: &str = "/ingest";
pub const SUMMARY: &str = "/summary";
