//! The admin API: creating sites. Requires `Authorization: Bearer <ADMIN_TOKEN>`.

use serde::Deserialize;
use tacit_core::SiteId;
use worker::{console_warn, Env, Request, Response};

use crate::error::{AppError, AppResult};
use crate::shard_client;
use crate::site_shard::protocol::{CreateSite, CREATE_SITE};
use crate::tokens::{hashes_match, new_token, presented_token, token_sha256};

/// The Worker secret that holds the admin token (`.dev.vars` in local development).
const ADMIN_TOKEN_SECRET: &str = "ADMIN_TOKEN";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSite {
    id: String,
}

/// `POST /api/v1/sites` with `{"id": "..."}`: creates the site and answers its viewer token,
/// which is shown this once and stored only as a hash.
pub async fn create_site(mut req: Request, env: &Env) -> AppResult<Response> {
    require_admin(&req, env)?;
    let new_site: NewSite = serde_json::from_slice(&req.bytes().await?)
        .map_err(|e| AppError::BadRequest(format!("expected {{\"id\": \"<site id>\"}}: {e}")))?;
    let site = SiteId::parse(&new_site.id)?;
    let viewer_token = new_token()?;
    let message =
        CreateSite { site: site.clone(), viewer_token_sha256: token_sha256(&viewer_token) };
    shard_client::send(env, &site, CREATE_SITE, &message).await?;
    let body = serde_json::json!({ "id": site, "viewer_token": viewer_token });
    Ok(Response::from_json(&body)?.with_status(201))
}

fn require_admin(req: &Request, env: &Env) -> AppResult<()> {
    let Ok(admin_token) = env.secret(ADMIN_TOKEN_SECRET).map(|secret| secret.to_string()) else {
        console_warn!("the admin API is disabled: the {ADMIN_TOKEN_SECRET} secret is not set");
        return Err(AppError::Unauthorized);
    };
    let presented = presented_token(req)?.unwrap_or_default();
    if hashes_match(&token_sha256(&presented), &token_sha256(&admin_token)) {
        Ok(())
    } else {
        Err(AppError::Unauthorized)
    }
}
