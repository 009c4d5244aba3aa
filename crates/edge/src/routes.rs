//! The edge's routes. Each handler is a line or two that calls a stage of the pipeline.

use tacit_aggregate::Day;
use tacit_report::audit::PrivacyExport;
use tacit_report::insights::InsightCard;
use tacit_report::{PageReport, RangeSummary, ReportKind, SiteReport};
use worker::{Env, Request, Response, Result, RouteContext, Router};

use crate::access::{token_of, PresentedToken};
use crate::error::{AppError, AppResult};
use crate::present::{self, PageContext};
use crate::read::{self, requested_path, today, wants_csv};
use crate::{admin, audit, ingest, snippet};

/// The variable that turns on `POST /yardstick`, the benchmarks' do-nothing route
/// (scripts/bench-edge.mjs sets it with `--var`; wrangler.toml, and so `make deploy`, never
/// does, and without it the route does not exist).
const YARDSTICK_VAR: &str = "TACIT_BENCH_YARDSTICK";

/// Every route the edge answers.
pub fn router() -> Router<'static, ()> {
    Router::new()
        .get("/healthz", |_, _| Response::ok("ok"))
        .post("/yardstick", |_, ctx| yardstick(&ctx.env))
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
        .get_async("/s/:site", |req, ctx| async move { respond(site_html(&req, &ctx).await) })
        .get_async(
            "/s/:site/p",
            |req, ctx| async move { respond(page_report_html(&req, &ctx).await) },
        )
        .get_async(
            "/privacy/:site",
            |req, ctx| async move { respond(privacy_html(&req, &ctx).await) },
        )
        .or_else_any_method("/", |_, _| no_route())
        .or_else_any_method("/*path", |_, _| no_route())
}

async fn pages_api(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let site = param(ctx, "site");
    let summary: RangeSummary = read::report(req, &ctx.env, site, ReportKind::Pages).await?;
    if wants_csv(&req.url()?) {
        present::pages_csv(&summary)
    } else {
        present::pages_json(site, &summary)
    }
}

async fn summary_api(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let report: SiteReport =
        read::report(req, &ctx.env, param(ctx, "site"), ReportKind::Site).await?;
    if wants_csv(&req.url()?) {
        present::summary_csv(&report)
    } else {
        present::json(&report)
    }
}

async fn page_api(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let path = requested_path(&req.url()?)?;
    let report: PageReport =
        read::report(req, &ctx.env, param(ctx, "site"), ReportKind::Page { path }).await?;
    if wants_csv(&req.url()?) {
        present::page_csv(&report)
    } else {
        present::json(&report)
    }
}

async fn insights_api(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let cards: Vec<InsightCard> =
        read::report(req, &ctx.env, param(ctx, "site"), ReportKind::Insights).await?;
    if wants_csv(&req.url()?) {
        present::insights_csv(&cards)
    } else {
        present::json(&cards)
    }
}

async fn site_html(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let token = token_of(req)?;
    if token.is_none() {
        // Without a token: the public summary, if the site publishes one (else 401).
        let summary = read::public_summary(req, &ctx.env, param(ctx, "site")).await?;
        let context = page_context(ctx, None, summary.from, summary.to);
        return present::public_page(&context, &summary);
    }
    let report: SiteReport =
        read::report(req, &ctx.env, param(ctx, "site"), ReportKind::Site).await?;
    let key = token.as_ref().and_then(PresentedToken::link_key);
    let context = page_context(ctx, key, report.summary.from, report.summary.to);
    present::site_page(&context, &report)
}

async fn page_report_html(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let path = requested_path(&req.url()?)?;
    let report: PageReport =
        read::report(req, &ctx.env, param(ctx, "site"), ReportKind::Page { path }).await?;
    let token = token_of(req)?;
    let key = token.as_ref().and_then(PresentedToken::link_key);
    let context = page_context(ctx, key, report.summary.from, report.summary.to);
    present::page_report(&context, &report)
}

async fn privacy_api(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let (report, _) = audit::privacy_report(req, &ctx.env, param(ctx, "site")).await?;
    if wants_csv(&req.url()?) {
        present::privacy_csv(&report)
    } else {
        present::json(&report)
    }
}

async fn export_api(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let (report, settings) = audit::privacy_report(req, &ctx.env, param(ctx, "site")).await?;
    present::privacy_export(&PrivacyExport::new(report, &settings))
}

async fn privacy_html(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let (report, _) = audit::privacy_report(req, &ctx.env, param(ctx, "site")).await?;
    let token = token_of(req)?;
    let key = token.as_ref().and_then(PresentedToken::link_key);
    let context = page_context(ctx, key, report.consent.from, report.consent.to);
    present::privacy_page(&context, &report)
}

/// Where an HTML page of the route's site is, opened with `key` (which its links carry on:
/// only a key that came in its URL, never a header's token), showing `from..=to`.
fn page_context<'a>(
    ctx: &'a RouteContext<()>,
    key: Option<&'a str>,
    from: Day,
    to: Day,
) -> PageContext<'a> {
    PageContext { site: param(ctx, "site"), key, from, to, today: today(&ctx.env) }
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

/// `POST /yardstick` in a benchmark's edge: what answering a beacon costs when it does nothing
/// else (`make bench` reports ingest as a ratio to it, since wrangler dev is the ceiling here).
/// Elsewhere there is no such route.
fn yardstick(env: &Env) -> Result<Response> {
    match env.var(YARDSTICK_VAR) {
        Ok(value) if value.to_string() == "1" => Ok(Response::empty()?.with_status(202)),
        _ => no_route(),
    }
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
