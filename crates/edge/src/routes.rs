//! The edge's routes. Each handler is a line or two that calls a stage of the pipeline.

use crate::{admin, audit, ingest, snippet};
use tacit_report::audit::PrivacyExport;
use tacit_report::insights::InsightCard;
use tacit_report::RangeSummary;
use worker::{Request, Response, Result, RouteContext, Router};

use crate::error::{AppError, AppResult};
use crate::present::{self, Place};
use crate::read::{self, requested_path, today, wants_csv};
use crate::site_shard::protocol::{PageReport, Report, SiteReport};
use crate::tokens::presented_token;

/// Every route the edge answers.
pub fn router() -> Router<'static, ()> {
    Router::new()
        .get("/healthz", |_, _| Response::ok("ok"))
        // The benchmarks' yardstick: what answering a beacon costs when it does nothing else
        // (`make bench` reports ingest as a ratio to it, since wrangler dev is the ceiling here).
        .post("/yardstick", |_, _| Ok(Response::empty()?.with_status(202)))
        .get_async("/t.js", |_, ctx| async move { respond(snippet::loader(&ctx.env).await) })
        .get_async("/t/:file", |_, ctx| async move {
            respond(snippet::hashed_file(&ctx.env, param(&ctx, "file")).await)
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
            respond(pages_api(&req, &ctx).await)
        })
        .get_async("/api/v1/sites/:site/summary", |req, ctx| async move {
            respond(summary_api(&req, &ctx).await)
        })
        .get_async("/api/v1/sites/:site/page", |req, ctx| async move {
            respond(page_api(&req, &ctx).await)
        })
        .get_async("/api/v1/sites/:site/insights", |req, ctx| async move {
            respond(insights_api(&req, &ctx).await)
        })
        .get_async("/api/v1/sites/:site/privacy", |req, ctx| async move {
            respond(privacy_api(&req, &ctx).await)
        })
        .get_async("/api/v1/sites/:site/public", |req, ctx| async move {
            let summary = read::public_summary(&req, &ctx.env, param(&ctx, "site")).await;
            respond(summary.and_then(|summary| present::json(&summary)))
        })
        .get_async("/api/v1/sites/:site/export", |req, ctx| async move {
            respond(export_api(&req, &ctx).await)
        })
        .get_async("/s/:site", |req, ctx| async move { respond(site_page(&req, &ctx).await) })
        .get_async("/s/:site/p", |req, ctx| async move { respond(page_page(&req, &ctx).await) })
        .get_async(
            "/privacy/:site",
            |req, ctx| async move { respond(privacy_page(&req, &ctx).await) },
        )
        .or_else_any_method("/", |_, _| no_route())
        .or_else_any_method("/*path", |_, _| no_route())
}

async fn pages_api(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let site = param(ctx, "site");
    let summary: RangeSummary = read::report(req, &ctx.env, site, Report::Pages).await?;
    if wants_csv(req)? {
        present::pages_csv(&summary)
    } else {
        present::pages_json(site, &summary)
    }
}

async fn summary_api(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let report: SiteReport = read::report(req, &ctx.env, param(ctx, "site"), Report::Site).await?;
    if wants_csv(req)? {
        present::summary_csv(&report)
    } else {
        present::json(&report)
    }
}

async fn page_api(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let path = requested_path(req)?;
    let report: PageReport =
        read::report(req, &ctx.env, param(ctx, "site"), Report::Page { path }).await?;
    if wants_csv(req)? {
        present::page_csv(&report)
    } else {
        present::json(&report)
    }
}

async fn insights_api(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let cards: Vec<InsightCard> =
        read::report(req, &ctx.env, param(ctx, "site"), Report::Insights).await?;
    if wants_csv(req)? {
        present::insights_csv(&cards)
    } else {
        present::json(&cards)
    }
}

async fn site_page(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let key = presented_token(req)?;
    if key.is_none() {
        // Without a token: the public summary, if the site publishes one (else 401).
        let summary = read::public_summary(req, &ctx.env, param(ctx, "site")).await?;
        let place = Place {
            site: param(ctx, "site"),
            key: None,
            from: summary.from,
            to: summary.to,
            today: today(&ctx.env),
        };
        return present::public_page(&place, &summary);
    }
    let report: SiteReport = read::report(req, &ctx.env, param(ctx, "site"), Report::Site).await?;
    let (from, to) = (report.summary.from, report.summary.to);
    let place =
        Place { site: param(ctx, "site"), key: key.as_deref(), from, to, today: today(&ctx.env) };
    present::site_page(&place, &report)
}

async fn page_page(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let path = requested_path(req)?;
    let report: PageReport =
        read::report(req, &ctx.env, param(ctx, "site"), Report::Page { path }).await?;
    let key = presented_token(req)?;
    let (from, to) = (report.summary.from, report.summary.to);
    let place =
        Place { site: param(ctx, "site"), key: key.as_deref(), from, to, today: today(&ctx.env) };
    present::page_report(&place, &report)
}

async fn privacy_api(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let (report, _) = audit::privacy_report(req, &ctx.env, param(ctx, "site")).await?;
    if wants_csv(req)? {
        present::privacy_csv(&report)
    } else {
        present::json(&report)
    }
}

async fn export_api(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let (report, settings) = audit::privacy_report(req, &ctx.env, param(ctx, "site")).await?;
    present::privacy_export(&PrivacyExport::new(report, &settings))
}

async fn privacy_page(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let (report, _) = audit::privacy_report(req, &ctx.env, param(ctx, "site")).await?;
    let key = presented_token(req)?;
    let (from, to) = (report.consent.from, report.consent.to);
    let place =
        Place { site: param(ctx, "site"), key: key.as_deref(), from, to, today: today(&ctx.env) };
    present::privacy_page(&place, &report)
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
