//! The admin API: creating, showing, changing and deleting sites, and rotating their tokens.
//! Requires `Authorization: Bearer <ADMIN_TOKEN>`; the change log also opens to the site's
//! auditor token.

use crate::{shard_client, shards};
use tacit_beacon::SiteId;
use worker::{console_warn, Env, Request, Response};

use crate::error::{AppError, AppResult};
use crate::site_shard::protocol::{
    CreateSite, Credential, Role, RotateTokens, SiteRequest, SiteView, UpdateSite, CHANGES,
    CREATE_SITE, DELETE_SITE, GET_SITE, ROTATE_TOKENS, STATUS, UPDATE_SITE,
};
use crate::tokens::{hashes_match, new_token, presented_token, token_sha256};

/// The Worker secret that holds the admin token (`.dev.vars` in local development).
const ADMIN_TOKEN_SECRET: &str = "ADMIN_TOKEN";

/// The id the change log records for changes made with the admin token.
const ADMIN_ACTOR: &str = "admin";

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
    let (viewer_token, auditor_token) = (new_token()?, new_token()?);
    let message = CreateSite {
        site: site.clone(),
        settings: settings.into(),
        viewer_token_sha256: token_sha256(&viewer_token),
        auditor_token_sha256: token_sha256(&auditor_token),
        actor: ADMIN_ACTOR.into(),
    };
    let view: SiteView = shard_client::ask(env, &site, CREATE_SITE, &message).await?;
    shards::sync_settings(env, &site, &view.settings).await?;
    let body = serde_json::json!({
        "id": site,
        "viewer_token": viewer_token,
        "auditor_token": auditor_token,
        "settings": view.settings,
    });
    Ok(Response::from_json(&body)?.with_status(201))
}

/// `GET /api/v1/sites/<site>`: the site's settings and change-log head, no token hashes.
pub async fn get_site(req: Request, env: &Env, site: &str) -> AppResult<Response> {
    require_admin(&req, env)?;
    let site = known_site(site)?;
    let message =
        SiteRequest { site: site.clone(), credential: Credential::Admin, role: Role::Auditor };
    shard_client::send(env, &site, GET_SITE, &message).await
}

/// `PATCH /api/v1/sites/<site>` with the settings to change; answers the site as it is now.
pub async fn update_site(mut req: Request, env: &Env, site: &str) -> AppResult<Response> {
    require_admin(&req, env)?;
    let site = known_site(site)?;
    let patch = json_object(&mut req, "{<setting>: <value>, ...}").await?;
    let message = UpdateSite { site: site.clone(), patch: patch.into(), actor: ADMIN_ACTOR.into() };
    let view: SiteView = shard_client::ask(env, &site, UPDATE_SITE, &message).await?;
    shards::sync_settings(env, &site, &view.settings).await?;
    no_store(Response::from_json(&view)?)
}

/// `DELETE /api/v1/sites/<site>`: the site and every record, salt and log entry it had.
pub async fn delete_site(req: Request, env: &Env, site: &str) -> AppResult<Response> {
    require_admin(&req, env)?;
    let site = known_site(site)?;
    let message =
        SiteRequest { site: site.clone(), credential: Credential::Admin, role: Role::Auditor };
    let count = shards::shard_count(env, &site).await?;
    // The further shards first: shard 0 is what says the site exists.
    for index in (1..count).rev() {
        shard_client::send_to(env, &site, index, DELETE_SITE, &message).await?;
    }
    shard_client::send(env, &site, DELETE_SITE, &message).await?;
    shards::forget(&site);
    Ok(Response::empty()?.with_status(204))
}

/// `POST /api/v1/sites/<site>/tokens/rotate`: new viewer and auditor tokens, shown this once;
/// the old ones stop working at once.
pub async fn rotate_tokens(req: Request, env: &Env, site: &str) -> AppResult<Response> {
    require_admin(&req, env)?;
    let site = known_site(site)?;
    let (viewer_token, auditor_token) = (new_token()?, new_token()?);
    let message = RotateTokens {
        site: site.clone(),
        viewer_token_sha256: token_sha256(&viewer_token),
        auditor_token_sha256: token_sha256(&auditor_token),
        actor: ADMIN_ACTOR.into(),
    };
    shard_client::send(env, &site, ROTATE_TOKENS, &message).await?;
    let body = serde_json::json!({ "viewer_token": viewer_token, "auditor_token": auditor_token });
    no_store(Response::from_json(&body)?)
}

/// `GET /api/v1/sites/<site>/changes` (admin or auditor token): the hash-chained change log
/// and whether it verifies.
pub async fn changes(req: Request, env: &Env, site: &str) -> AppResult<Response> {
    let site = known_site(site)?;
    let message =
        SiteRequest { site: site.clone(), credential: credential(&req, env)?, role: Role::Auditor };
    shard_client::send(env, &site, CHANGES, &message).await
}

/// `GET /api/v1/sites/<site>/status` (admin or auditor token): the next alarm, the salts held
/// and their age, the retention and the oldest record kept, the change log's state (of the
/// first shard), today's consent tally (of every shard), and each shard's own state.
pub async fn status(req: Request, env: &Env, site: &str) -> AppResult<Response> {
    let site = known_site(site)?;
    let message =
        SiteRequest { site: site.clone(), credential: credential(&req, env)?, role: Role::Auditor };
    let mut status: serde_json::Value = shard_client::ask(env, &site, STATUS, &message).await?;
    let mut per_shard = vec![shard_status(0, &status)];
    // The first shard has checked the token; the others are asked as the worker itself.
    let as_worker = SiteRequest { credential: Credential::Admin, ..message };
    for index in 1..shards::shard_count(env, &site).await? {
        let shard: serde_json::Value =
            shard_client::ask_shard(env, &site, index, STATUS, &as_worker).await?;
        add_consent_counts(&mut status["consent_today"], &shard["consent_today"]);
        per_shard.push(shard_status(index, &shard));
    }
    status["shards"] = per_shard.into();
    let mut response = Response::from_json(&status)?;
    response.headers_mut().set("Cache-Control", "no-store")?;
    Ok(response)
}

/// What one shard holds and when it next runs its maintenance, for the status's `shards` list.
fn shard_status(index: u32, status: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "index": index,
        "next_alarm_ms": status["next_alarm_ms"],
        "salts": status["salts"],
        "retention": status["retention"],
    })
}

/// Adds a shard's consent tally of today (`{category, value, source, count}` entries) to the
/// site's.
fn add_consent_counts(total: &mut serde_json::Value, shard: &serde_json::Value) {
    let (Some(total), Some(shard)) = (total.as_array_mut(), shard.as_array()) else { return };
    let key = |entry: &serde_json::Value| {
        (entry["category"].clone(), entry["value"].clone(), entry["source"].clone())
    };
    for entry in shard {
        let count = entry["count"].as_u64().unwrap_or(0);
        match total.iter_mut().find(|held| key(held) == key(entry)) {
            Some(held) => held["count"] = (held["count"].as_u64().unwrap_or(0) + count).into(),
            None => total.push(entry.clone()),
        }
    }
}

/// What the request's token is: the admin token, or the hash of a (possibly site) token.
pub fn credential(req: &Request, env: &Env) -> AppResult<Credential> {
    let presented = token_sha256(&presented_token(req)?.unwrap_or_default());
    match admin_token_sha256(env) {
        Some(admin) if hashes_match(&presented, &admin) => Ok(Credential::Admin),
        _ => Ok(Credential::Token(presented)),
    }
}

fn require_admin(req: &Request, env: &Env) -> AppResult<()> {
    match credential(req, env)? {
        Credential::Admin => Ok(()),
        Credential::Token(_) => Err(AppError::Unauthorized),
    }
}

fn admin_token_sha256(env: &Env) -> Option<String> {
    match env.secret(ADMIN_TOKEN_SECRET) {
        Ok(secret) => Some(token_sha256(&secret.to_string())),
        Err(_) => {
            console_warn!("the admin API is disabled: the {ADMIN_TOKEN_SECRET} secret is not set");
            None
        }
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

fn no_store(response: Response) -> AppResult<Response> {
    response.headers().set("Cache-Control", "no-store")?;
    Ok(response)
}
