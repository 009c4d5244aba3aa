//! The edge's routes. Each handler is a line or two that calls a stage of the pipeline.

use tacit_core::Day;
use worker::{Request, Response, Result, RouteContext, Router};

use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::tokens::presented_token;
use crate::{admin, ingest, present, read, snippet};

/// Every route the edge answers.
pub fn router() -> Router<'static, ()> {
    Router::new()
        .get("/healthz", |_, _| Response::ok("ok"))
        .get_async("/t.js", |_, ctx| async move { respond(snippet::loader(&ctx.env).await) })
        .get_async("/t/:file", |_, ctx| async move {
            respond(snippet::wasm(&ctx.env, param(&ctx, "file")).await)
        })
        .post_async("/e", |req, ctx| async move {
            with_beacon_cors(respond(ingest::beacon(req, &ctx.env).await)?)
        })
        .options("/e", |_, _| with_beacon_cors(Response::empty()?.with_status(204)))
        .post_async("/api/v1/sites", |req, ctx| async move {
            respond(admin::create_site(req, &ctx.env).await)
        })
        .get_async("/api/v1/sites/:site", |req, ctx| async move {
            respond(admin::get_site(req, &ctx.env, param(&ctx, "site")).await)
        })
        .patch_async("/api/v1/sites/:site", |req, ctx| async move {
            respond(admin::update_site(req, &ctx.env, param(&ctx, "site")).await)
        })
        .delete_async("/api/v1/sites/:site", |req, ctx| async move {
            respond(admin::delete_site(req, &ctx.env, param(&ctx, "site")).await)
        })
        .post_async("/api/v1/sites/:site/tokens/rotate", |req, ctx| async move {
            respond(admin::rotate_tokens(req, &ctx.env, param(&ctx, "site")).await)
        })
        .get_async("/api/v1/sites/:site/status", |req, ctx| async move {
            respond(admin::status(req, &ctx.env, param(&ctx, "site")).await)
        })
        .get_async("/api/v1/sites/:site/changes", |req, ctx| async move {
            respond(admin::changes(req, &ctx.env, param(&ctx, "site")).await)
        })
        .get_async("/api/v1/sites/:site/pages", |req, ctx| async move {
            let site = param(&ctx, "site");
            respond(
                read::summary(&req, &ctx.env, site)
                    .await
                    .and_then(|summary| present::pages_json(site, &summary)),
            )
        })
        .get_async("/s/:site", |req, ctx| async move { respond(summary_page(&req, &ctx).await) })
        .or_else_any_method("/", |_, _| no_route())
        .or_else_any_method("/*path", |_, _| no_route())
}

async fn summary_page(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let site = param(ctx, "site");
    let summary = read::summary(req, &ctx.env, site).await?;
    let today = Day::from_unix_ms(Clock::from_env(&ctx.env).now_ms());
    present::summary_page(site, &summary, presented_token(req)?.as_deref(), today)
}

fn param<'a>(ctx: &'a RouteContext<()>, name: &str) -> &'a str {
    ctx.param(name).map(String::as_str).unwrap_or_default()
}

fn respond(result: AppResult<Response>) -> Result<Response> {
    result.or_else(AppError::into_response)
}

fn no_route() -> Result<Response> {
    AppError::NotFound("no such route".into()).into_response()
}

/// Any site may post beacons. Beacons carry no credentials, so `*` is enough, and the answer
/// (including an error status) is readable by a `fetch` fallback.
fn with_beacon_cors(response: Response) -> Result<Response> {
    let headers = response.headers();
    headers.set("Access-Control-Allow-Origin", "*")?;
    headers.set("Access-Control-Allow-Methods", "POST, OPTIONS")?;
    headers.set("Access-Control-Allow-Headers", "Content-Type")?;
    headers.set("Access-Control-Max-Age", "86400")?;
    headers.set("Access-Control-Expose-Headers", "Retry-After")?;
    Ok(response)
}
