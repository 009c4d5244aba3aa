//! The messages the worker sends its site's Durable Object. They cross an internal request
//! inside one Cloudflare location and are never stored or logged.

use serde::{Deserialize, Serialize};
use tacit_aggregate::change_log::ChangeEntry;
use tacit_aggregate::journal::Signal;
use tacit_aggregate::settings::SiteSettings;
use tacit_aggregate::Day;
use tacit_beacon::consent::ConsentState;
use tacit_beacon::SiteId;
use tacit_report::audit::StorageFacts;
use tacit_report::ReportKind;

/// Who is asking. The worker checks the admin token itself (it is a Worker secret); a site's
/// tokens are checked by the shard, which holds their hashes.
#[derive(Clone, Serialize, Deserialize)]
pub enum Credential {
    /// The holder of the admin token.
    Admin,
    /// The SHA-256 of whatever token the request presented (of the empty string for none).
    Token(String),
}

/// What a site token may be for.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Marketers: summaries and pages.
    Viewer,
    /// Privacy officers: status, change log, consent audit.
    Auditor,
}

/// Register a new site.
#[derive(Serialize, Deserialize)]
pub struct CreateSite {
    pub site: SiteId,
    /// The admin's request body without `id`: validated by the shard.
    pub settings: serde_json::Value,
    pub viewer_token_sha256: String,
    pub auditor_token_sha256: String,
    pub actor: String,
}

/// A request about the site that needs nothing but a credential.
#[derive(Serialize, Deserialize)]
pub struct SiteRequest {
    pub site: SiteId,
    pub credential: Credential,
    /// The role a site token needs (the admin passes any check).
    pub role: Role,
}

/// Change some settings: the admin's request body, validated by the shard.
#[derive(Serialize, Deserialize)]
pub struct UpdateSite {
    pub site: SiteId,
    pub patch: serde_json::Value,
    pub actor: String,
}

/// Replace both site tokens.
#[derive(Serialize, Deserialize)]
pub struct RotateTokens {
    pub site: SiteId,
    pub viewer_token_sha256: String,
    pub auditor_token_sha256: String,
    pub actor: String,
}

/// The site as the admin API shows it: settings, never token hashes.
#[derive(Serialize, Deserialize)]
pub struct SiteView {
    pub id: SiteId,
    pub created_ms: i64,
    pub settings: SiteSettings,
    /// How many entries the change log holds, and the hash of the last one.
    pub changes: u64,
    pub change_log_head: String,
}

/// Count one validated beacon: its consent state and what it reports.
#[derive(Serialize, Deserialize)]
pub struct Ingest {
    pub site: SiteId,
    /// The request's `Origin` header, checked against the site's hostnames.
    pub origin: Option<String>,
    /// The beacon's retry id, when it has one: a retry within the window is not counted again.
    pub id: Option<u64>,
    /// Who sent it, for the visitor hash (page views) and the rate limit (every beacon).
    pub client: Client,
    pub consent: ConsentState,
    pub signal: Signal,
    /// For a leave update: the leave it replaces.
    pub replaces: Option<ReplacedLeave>,
}

/// The leave an update replaces: when, and which.
#[derive(Serialize, Deserialize)]
pub struct ReplacedLeave {
    /// How long before the update it was sent.
    pub after_ms: u32,
    /// Its beacon id.
    pub id: Option<u64>,
}

/// The visitor's address and browser: hashed with the day's salt in the shard's memory, then
/// dropped. Never stored, never logged.
#[derive(Serialize, Deserialize)]
pub struct Client {
    pub ip: String,
    pub user_agent: String,
}

/// Summarize a date range for the holder of a viewer token.
#[derive(Serialize, Deserialize)]
pub struct SummaryQuery {
    pub site: SiteId,
    pub viewer_token_sha256: String,
    pub from: Day,
    pub to: Day,
    /// The shard answers the [`tacit_report::Report`] of this kind.
    pub report: ReportKind,
}

/// Give a further shard of a site (index ≥ 1) the site's settings; it holds no tokens.
#[derive(Serialize, Deserialize)]
pub struct SyncSettings {
    pub site: SiteId,
    pub settings: SiteSettings,
    /// Which shard it is.
    pub index: u32,
}

/// A further shard asks the first for the day's salt, so that every shard of the site hashes
/// a visitor alike. Between Durable Objects only; never stored or logged in transit.
#[derive(Serialize, Deserialize)]
pub struct SaltQuery {
    pub site: SiteId,
    pub day: Day,
}

/// The first shard's answer: the day's salt, in hex.
#[derive(Serialize, Deserialize)]
pub struct SaltAnswer {
    pub salt_hex: String,
}

/// The raw records of a range, for the worker to merge across a site's shards.
#[derive(Serialize, Deserialize)]
pub struct RecordsQuery {
    pub site: SiteId,
    pub credential: Credential,
    pub from: Day,
    pub to: Day,
}

/// A shard's page records (path, hex of the encoded record) and site rollups (day, hex).
#[derive(Serialize, Deserialize)]
pub struct Records {
    pub pages: Vec<(String, String)>,
    pub site_days: Vec<(Day, String)>,
}

/// What a shard holds for the privacy report of `from..=to`, for the holder of the auditor
/// token (on the first shard) or the worker itself (on the others).
#[derive(Serialize, Deserialize)]
pub struct PrivacyQuery {
    pub site: SiteId,
    pub credential: Credential,
    pub from: Day,
    pub to: Day,
}

/// A shard's answer to a [`PrivacyQuery`]: the settings, its storage facts, and its change log
/// (empty on every shard but the first).
#[derive(Serialize, Deserialize)]
pub struct ShardPrivacy {
    pub settings: SiteSettings,
    pub facts: StorageFacts,
    pub changes: Vec<ChangeEntry>,
}

/// Did this shard count the leave with beacon id `id` today? The worker asks before it routes a
/// leave update, whose visitor may have reached another shard with the leave.
#[derive(Serialize, Deserialize)]
pub struct LeaveQuery {
    pub site: SiteId,
    pub id: u64,
}

/// A shard's answer to a [`LeaveQuery`].
#[derive(Serialize, Deserialize)]
pub struct LeaveAnswer {
    pub counted: bool,
}

/// The shard's routes, one per message.
pub const CREATE_SITE: &str = "/create-site";
pub const GET_SITE: &str = "/get-site";
pub const UPDATE_SITE: &str = "/update-site";
pub const DELETE_SITE: &str = "/delete-site";
pub const ROTATE_TOKENS: &str = "/rotate-tokens";
pub const CHANGES: &str = "/changes";
pub const STATUS: &str = "/status";
pub const INGEST: &str = "/ingest";
pub const SUMMARY: &str = "/summary";
pub const SYNC_SETTINGS: &str = "/sync-settings";
pub const RECORDS: &str = "/records";
pub const PRIVACY: &str = "/privacy";
pub const SALT: &str = "/salt";
pub const COUNTED_LEAVE: &str = "/counted-leave";
