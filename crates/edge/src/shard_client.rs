//! The worker's side of the conversation with a site's Durable Object.

use serde::{de::DeserializeOwned, Serialize};
use tacit_beacon::SiteId;
use worker::{Env, Method, Request, RequestInit, Response};

use crate::error::{AppError, AppResult};

/// The binding name of the `SiteShard` namespace in `wrangler.toml`.
const SITE_SHARD_BINDING: &str = "SITE_SHARD";

/// Sends `message` to the first shard of `site` on `route` and returns its successful answer,
/// or the error it answered with.
pub async fn send(
    env: &Env,
    site: &SiteId,
    route: &str,
    message: &impl Serialize,
) -> AppResult<Response> {
    send_to(env, site, 0, route, message).await
}

/// The Durable Object name of shard `index` of `site`: the site id for the first (which holds
/// the tokens and the change log), `<site>.<index>` for the others ('.' is not in a site id).
fn shard_name(site: &SiteId, index: u32) -> String {
    if index == 0 {
        site.to_string()
    } else {
        format!("{site}.{index}")
    }
}

/// Like [`send`], to shard `index` of the site.
pub async fn send_to(
    env: &Env,
    site: &SiteId,
    index: u32,
    route: &str,
    message: &impl Serialize,
) -> AppResult<Response> {
    let stub = env.durable_object(SITE_SHARD_BINDING)?.get_by_name(&shard_name(site, index))?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(serde_json::to_string(message)?.into()));
    let request = Request::new_with_init(&format!("https://shard{route}"), &init)?;
    let mut response = stub.fetch_with_request(request).await?;
    let status = response.status_code();
    if (200..300).contains(&status) {
        return Ok(response);
    }
    let retry_after =
        response.headers().get("Retry-After")?.and_then(|seconds| seconds.parse::<u32>().ok());
    let message = response
        .json::<serde_json::Value>()
        .await
        .ok()
        .and_then(|body| body.get("error")?.as_str().map(str::to_owned))
        .unwrap_or_default();
    Err(AppError::from_status(status, message, retry_after))
}

/// Like [`send`], reading the answer as JSON.
pub async fn ask<T: DeserializeOwned>(
    env: &Env,
    site: &SiteId,
    route: &str,
    message: &impl Serialize,
) -> AppResult<T> {
    Ok(send(env, site, route, message).await?.json().await?)
}

/// Like [`send_to`], reading the answer as JSON.
pub async fn ask_shard<T: DeserializeOwned>(
    env: &Env,
    site: &SiteId,
    index: u32,
    route: &str,
    message: &impl Serialize,
) -> AppResult<T> {
    Ok(send_to(env, site, index, route, message).await?.json().await?)
}
