//! The messages the worker sends its site's Durable Object. They cross an internal request
//! inside one Cloudflare location and are never stored or logged.

use serde::{Deserialize, Serialize};
use tacit_core::signal::View;
use tacit_core::{Day, SiteId};

/// Register a new site.
#[derive(Serialize, Deserialize)]
pub struct CreateSite {
    pub site: SiteId,
    pub viewer_token_sha256: String,
}

/// Count one validated, scrubbed page view. `ip` and `user_agent` are hashed with the day's
/// salt and dropped; `view` holds what is counted.
#[derive(Serialize, Deserialize)]
pub struct PageView {
    pub site: SiteId,
    pub path: String,
    pub ip: String,
    pub user_agent: String,
    pub view: View,
}

/// Count one page view that was dropped as a bot's, and nothing else about it.
#[derive(Serialize, Deserialize)]
pub struct BotDropped {
    pub site: SiteId,
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
pub const PAGE_VIEW: &str = "/page-view";
pub const BOT_DROPPED: &str = "/bot-dropped";
pub const SUMMARY: &str = "/summary";
