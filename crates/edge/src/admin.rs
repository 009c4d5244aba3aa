//! The admin API: creating, showing, changing and deleting sites, and rotating their tokens.
//! Requires `Authorization: Bearer <ADMIN_TOKEN>`; the status and the change log also open to
//! the site's auditor token.

use serde::Serialize;
use tacit_aggregate::settings::SiteSettings;
use tacit_beacon::consent::{ConsentMode, ConsentTally};
use tacit_beacon::SiteId;
use tacit_report::audit::SaltStatus;
use worker::{console_warn, Env, Request, Response};

use crate::access::{self, token_of, Credential, TokenHashes};
use crate::error::{AppError, AppResult};
use crate::shard::protocol::{
    ChangeLogState, Changes, ConsentCount, CreateSite, DeleteSite, GetSite, RetentionState,
    RotateTokens, ShardStatus, Status, UpdateSite,
};
use crate::shard_client;
use crate::tokens::{new_token, token_sha256};

/// The Worker secret that holds the admin token (`.dev.vars` in local development).
const ADMIN_TOKEN_SECRET: &str = "ADMIN_TOKEN";

/// The id the change log records for changes made with the admin token.
const ADMIN_ACTOR: &str = "admin";

/// A site's two tokens, shown once when they are made and stored only as hashes.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteTokens {
    viewer_token: String,
    auditor_token: String,
}

/// The answer of `POST /api/v1/sites`: the site, its tokens and its settings.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedSite {
    id: SiteId,
    #[serde(flatten)]
    tokens: SiteTokens,
    settings: SiteSettings,
}

impl SiteTokens {
    /// Two new tokens, and their hashes for the shard.
    fn new() -> AppResult<(SiteTokens, TokenHashes)> {
        let tokens = SiteTokens { viewer_token: new_token()?, auditor_token: new_token()? };
        let hashes = TokenHashes {
            viewer_sha256: token_sha256(&tokens.viewer_token),
            auditor_sha256: token_sha256(&tokens.auditor_token),
        };
        Ok((tokens, hashes))
    }
}

/// `POST /api/v1/sites` with `{"id": "...", <settings>...}`: creates the site and answers its
/// viewer and auditor tokens, which are shown this once and stored only as hashes.
pub async fn create_site(mut req: Request, env: &Env) -> AppResult<Response> {
    require_admin(&req, env)?;
    let mut settings = json_object(&mut req, "{\"id\": \"<site id>\", ...settings}").await?;
    let id = match settings.remove("id") {
        Some(serde_json::Value::String(id)) => id,
        _ => return Err(AppError::BadRequest("'id': a site id string is required".into())),
    };
    let site = SiteId::parse(&id)?;
    let (tokens, hashes) = SiteTokens::new()?;
    let message = CreateSite {
        site: site.clone(),
        settings: settings.into(),
        tokens: hashes,
        actor: ADMIN_ACTOR.into(),
    };
    let view = shard_client::ask(env, &site, 0, &message).await?;
    shard_client::sync_settings(env, &site, &view.settings).await?;
    let created = CreatedSite { id: site, tokens, settings: view.settings };
    Ok(Response::from_json(&created)?.with_status(201))
}

/// `GET /api/v1/sites/<site>`: the site's settings and change-log head, no token hashes.
pub async fn get_site(req: Request, env: &Env, site: &str) -> AppResult<Response> {
    require_admin(&req, env)?;
    let site = known_site(site)?;
    let view = shard_client::ask(env, &site, 0, &GetSite { site: site.clone() }).await?;
    no_store(Response::from_json(&view)?)
}

/// `PATCH /api/v1/sites/<site>` with the settings to change; answers the site as it is now.
pub async fn update_site(mut req: Request, env: &Env, site: &str) -> AppResult<Response> {
    require_admin(&req, env)?;
    let site = known_site(site)?;
    let patch = json_object(&mut req, "{<setting>: <value>, ...}").await?;
    let message = UpdateSite { site: site.clone(), patch: patch.into(), actor: ADMIN_ACTOR.into() };
    let view = shard_client::ask(env, &site, 0, &message).await?;
    shard_client::sync_settings(env, &site, &view.settings).await?;
    no_store(Response::from_json(&view)?)
}

/// `DELETE /api/v1/sites/<site>`: the site and every record, salt and log entry it had.
pub async fn delete_site(req: Request, env: &Env, site: &str) -> AppResult<Response> {
    require_admin(&req, env)?;
    let site = known_site(site)?;
    let message = DeleteSite { site: site.clone() };
    let count = shard_client::shard_count(env, &site).await?;
    // The further shards first: shard 0 is what says the site exists.
    for index in (1..count).rev() {
        shard_client::ask(env, &site, index, &message).await?;
    }
    shard_client::ask(env, &site, 0, &message).await?;
    shard_client::forget(&site);
    Ok(Response::empty()?.with_status(204))
}

/// `POST /api/v1/sites/<site>/tokens/rotate`: new viewer and auditor tokens, shown this once;
/// the old ones stop working at once.
pub async fn rotate_tokens(req: Request, env: &Env, site: &str) -> AppResult<Response> {
    require_admin(&req, env)?;
    let site = known_site(site)?;
    let (tokens, hashes) = SiteTokens::new()?;
    let message = RotateTokens { site: site.clone(), tokens: hashes, actor: ADMIN_ACTOR.into() };
    shard_client::ask(env, &site, 0, &message).await?;
    no_store(Response::from_json(&tokens)?)
}

/// `GET /api/v1/sites/<site>/changes` (admin or auditor token): the hash-chained change log
/// and whether it verifies.
pub async fn changes(req: Request, env: &Env, site: &str) -> AppResult<Response> {
    let site = known_site(site)?;
    let message = Changes { site: site.clone(), credential: credential(&req, env)? };
    no_store(Response::from_json(&shard_client::ask(env, &site, 0, &message).await?)?)
}

/// `GET /api/v1/sites/<site>/status` (admin or auditor token): the next alarm, the salts held
/// and their age, the retention and the oldest record kept, the change log's state (of the
/// first shard), today's consent tally (of every shard), and each shard's own state.
pub async fn status(req: Request, env: &Env, site: &str) -> AppResult<Response> {
    let site = known_site(site)?;
    let message = Status { site: site.clone(), credential: credential(&req, env)? };
    let first = shard_client::ask(env, &site, 0, &message).await?;
    let mut others = Vec::new();
    // The first shard has checked the token; the others are asked as the worker itself.
    let as_worker = Status { credential: Credential::Admin, ..message };
    for index in 1..shard_client::shard_count(env, &site).await? {
        others.push(shard_client::ask(env, &site, index, &as_worker).await?);
    }
    no_store(Response::from_json(&SiteStatus::of(first, others))?)
}

/// The answer of `GET /api/v1/sites/<site>/status`: the first shard's clock, alarm, salts,
/// retention and change log, the consent tally of all shards, and each shard's own state.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteStatus {
    site: SiteId,
    now_ms: i64,
    next_alarm_ms: Option<i64>,
    salts: SaltStatus,
    retention: RetentionState,
    consent_mode: ConsentMode,
    consent_today: Vec<ConsentCount>,
    change_log: ChangeLogState,
    shards: Vec<ShardState>,
}

/// What one shard holds and when it next runs its maintenance.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShardState {
    index: u32,
    next_alarm_ms: Option<i64>,
    salts: SaltStatus,
    retention: RetentionState,
    /// The WebAssembly memory of the shard's isolate, in bytes: what it grew to since it
    /// started (it never shrinks), against the runtime's 128 MB per isolate.
    memory_bytes: u64,
}

impl SiteStatus {
    /// The site's status from its first shard's and the others', in order.
    fn of(first: ShardStatus, others: Vec<ShardStatus>) -> SiteStatus {
        let state = |index, shard: &ShardStatus| ShardState {
            index,
            next_alarm_ms: shard.next_alarm_ms,
            salts: SaltStatus::new(&shard.held_salts, shard.now_ms),
            retention: shard.retention.clone(),
            memory_bytes: shard.memory_bytes,
        };
        let mut shards = vec![state(0, &first)];
        let mut consent = tally(&first.consent_today);
        for (index, shard) in (1..).zip(&others) {
            shards.push(state(index, shard));
            consent.merge(&tally(&shard.consent_today));
        }
        let consent_today = consent
            .entries()
            .map(|(category, value, source, count)| ConsentCount { category, value, source, count })
            .collect();
        SiteStatus {
            salts: shards[0].salts.clone(),
            site: first.site,
            now_ms: first.now_ms,
            next_alarm_ms: first.next_alarm_ms,
            retention: first.retention,
            consent_mode: first.consent_mode,
            consent_today,
            change_log: first.change_log,
            shards,
        }
    }
}

fn tally(counts: &[ConsentCount]) -> ConsentTally {
    ConsentTally::from_entries(
        counts.iter().map(|entry| (entry.category, entry.value, entry.source, entry.count)),
    )
}

/// What the request's token is: the admin token, or the hash of a (possibly site) token.
pub fn credential(req: &Request, env: &Env) -> AppResult<Credential> {
    let admin_token = match env.secret(ADMIN_TOKEN_SECRET) {
        Ok(secret) => Some(secret.to_string()),
        Err(_) => {
            console_warn!("the admin API is disabled: the {ADMIN_TOKEN_SECRET} secret is not set");
            None
        }
    };
    Ok(access::credential(token_of(req)?.as_ref(), admin_token.as_deref()))
}

fn require_admin(req: &Request, env: &Env) -> AppResult<()> {
    match credential(req, env)? {
        Credential::Admin => Ok(()),
        Credential::Token(_) => Err(AppError::Unauthorized),
    }
}

/// A site id from a URL: one that cannot exist is simply not found. The answer does not repeat
/// it: a URL's path may be kilobytes of anything.
pub fn known_site(site: &str) -> AppResult<SiteId> {
    SiteId::parse(site).map_err(|_| AppError::NotFound("no such site".into()))
}

async fn json_object(
    req: &mut Request,
    expected: &str,
) -> AppResult<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_slice(&req.bytes().await?) {
        Ok(serde_json::Value::Object(object)) => Ok(object),
        Ok(_) => Err(AppError::BadRequest(format!("expected a JSON object {expected}"))),
        Err(e) => Err(AppError::BadRequest(format!("expected a JSON object {expected}: {e}"))),
    }
}

/// Answers about a site's settings, tokens, state and log change with every change: no cache
/// keeps them.
fn no_store(response: Response) -> AppResult<Response> {
    response.headers().set("Cache-Control", "no-store")?;
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tacit_aggregate::Day;
    use tacit_beacon::consent::{Category, ConsentSource, ConsentValue};
    use tacit_report::audit::HeldSalt;

    fn shard(now_ms: i64, counts: &[(ConsentValue, u64)]) -> ShardStatus {
        let day = Day::from_unix_ms(now_ms);
        ShardStatus {
            site: SiteId::parse("demo").unwrap(),
            now_ms,
            next_alarm_ms: Some(day.add_days(1).start_ms()),
            held_salts: vec![HeldSalt { day, drawn_ms: day.start_ms() }],
            retention: RetentionState { days: 30, oldest_record_day: None, deleting_before: day },
            consent_mode: ConsentMode::Exempt,
            consent_today: counts
                .iter()
                .map(|&(value, count)| ConsentCount {
                    category: Category::Measurement,
                    value,
                    source: ConsentSource::Default,
                    count,
                })
                .collect(),
            change_log: ChangeLogState { entries: 0, head: String::new(), verified: true },
            memory_bytes: 3 << 20,
        }
    }

    #[test]
    fn a_site_status_adds_the_shards_consent_tallies_and_lists_every_shard() {
        let now = 1_767_225_600_000; // 2026-01-01
        let first = shard(now, &[(ConsentValue::Unset, 3)]);
        let others = vec![
            shard(now, &[(ConsentValue::Unset, 2), (ConsentValue::Denied, 1)]),
            shard(now, &[]),
        ];
        let status = serde_json::to_value(SiteStatus::of(first, others)).unwrap();
        let count = |value: &str| {
            status["consent_today"]
                .as_array()
                .unwrap()
                .iter()
                .find(|entry| entry["value"] == value)
                .map(|entry| entry["count"].clone())
        };
        assert_eq!(count("unset"), Some(5.into()));
        assert_eq!(count("denied"), Some(1.into()));
        let indexes: Vec<_> =
            status["shards"].as_array().unwrap().iter().map(|s| s["index"].clone()).collect();
        assert_eq!(indexes, [0, 1, 2]);
        assert_eq!(status["salts"], status["shards"][0]["salts"]);
        assert_eq!(status["retention"]["days"], 30);
        assert_eq!(status["change_log"]["verified"], true);
        assert_eq!(status["shards"][2]["memory_bytes"], 3 << 20, "each shard's own");
    }
}
