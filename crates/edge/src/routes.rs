//! The edge's routes. Each handler is a line or two that calls a stage of the pipeline.
//!
//! [`answer`] is the worker's whole `fetch`: a method the path's route does not have is a JSON
//! `405` whose `Allow` lists the ones it has, `HEAD` is answered wherever `GET` is (the same
//! answer; the runtime sends no body with it), and no answer may be sniffed as another type.

use std::future::Future;

use tacit_aggregate::Day;
use tacit_report::audit::PrivacyExport;
use tacit_report::insights::InsightCard;
use tacit_report::{PageReport, RangeSummary, ReportKind, SiteReport};
use worker::{Env, Method, Request, Response, Result, RouteContext, Router};

use crate::access::{token_of, PresentedToken};
use crate::error::{AppError, AppResult};
use crate::present::{self, PageContext};
use crate::read::{self, requested_path, today, wants_csv, SummaryTable, DEFAULT_RANGE_DAYS};
use crate::{admin, audit, cors, ingest, snippet};

/// The variable that turns on `POST /yardstick`, the benchmarks' do-nothing route
/// (scripts/bench-edge.mjs sets it with `--var`; wrangler.toml, and so `make deploy`, never
/// does, and without it the route does not exist).
const YARDSTICK_VAR: &str = "TACIT_BENCH_YARDSTICK";

/// The answer to `req`.
pub async fn answer(req: Request, env: Env) -> Result<Response> {
    let mut routes = routes();
    if has_yardstick(&env) {
        routes = routes.route(Method::Post, "/yardstick", |_, _| async {
            Ok(Response::empty()?.with_status(202))
        });
    }
    let allowed = routes.methods_at(&req.path());
    let response = match allowed {
        Some(methods) if !methods.contains(&req.method()) => {
            AppError::MethodNotAllowed(allow_header(methods)).into_response()?
        }
        _ => routes.router.run(req, env).await?,
    };
    // JSON, CSV, HTML, JavaScript and WebAssembly alike: each is only what its type says.
    response.headers().set("X-Content-Type-Options", "nosniff")?;
    Ok(response)
}

/// Every route the edge answers but a benchmark's `POST /yardstick`.
fn routes() -> Routes {
    Routes::default()
        .get("/healthz", |_, _| async { Response::ok("ok") })
        .get("/t.js", |_, ctx| async move { respond(snippet::loader(&ctx.env).await) })
        .get("/t/:file", |_, ctx| async move {
            respond(snippet::hashed_file(&ctx.env, param(&ctx, "file")).await)
        })
        .get("/f/:site", |_, ctx| async move {
            respond(snippet::funnels(&ctx.env, param(&ctx, "site")).await)
        })
        .route(Method::Post, "/e", |req, ctx| async move {
            cors::beacon_cors(respond(ingest::beacon(req, &ctx.env).await)?)
        })
        .route(Method::Options, "/e", |_, _| async {
            cors::beacon_cors(Response::empty()?.with_status(204))
        })
        .route(Method::Post, "/api/v1/sites", |req, ctx| async move {
            respond(admin::create_site(req, &ctx.env).await)
        })
        .get("/api/v1/sites/:site", |req, ctx| async move {
            respond(admin::get_site(req, &ctx.env, param(&ctx, "site")).await)
        })
        .route(Method::Patch, "/api/v1/sites/:site", |req, ctx| async move {
            respond(admin::update_site(req, &ctx.env, param(&ctx, "site")).await)
        })
        .route(Method::Delete, "/api/v1/sites/:site", |req, ctx| async move {
            respond(admin::delete_site(req, &ctx.env, param(&ctx, "site")).await)
        })
        .route(Method::Post, "/api/v1/sites/:site/tokens/rotate", |req, ctx| async move {
            respond(admin::rotate_tokens(req, &ctx.env, param(&ctx, "site")).await)
        })
        .get("/api/v1/sites/:site/status", |req, ctx| async move {
            respond(admin::status(req, &ctx.env, param(&ctx, "site")).await)
        })
        .get("/api/v1/sites/:site/changes", |req, ctx| async move {
            respond(admin::changes(req, &ctx.env, param(&ctx, "site")).await)
        })
        .viewer_read(
            "/api/v1/sites/:site/pages",
            |req, ctx| async move { pages_api(&req, &ctx).await },
        )
        .viewer_read("/api/v1/sites/:site/summary", |req, ctx| async move {
            summary_api(&req, &ctx).await
        })
        .viewer_read(
            "/api/v1/sites/:site/page",
            |req, ctx| async move { page_api(&req, &ctx).await },
        )
        .viewer_read("/api/v1/sites/:site/insights", |req, ctx| async move {
            insights_api(&req, &ctx).await
        })
        .get("/api/v1/sites/:site/privacy", |req, ctx| async move {
            respond(privacy_api(&req, &ctx).await)
        })
        .get("/api/v1/sites/:site/public", |req, ctx| async move {
            let summary = read::public_summary(&req, &ctx.env, param(&ctx, "site")).await;
            respond(summary.and_then(|summary| present::json(&summary)))
        })
        .get("/api/v1/sites/:site/export", |req, ctx| async move {
            respond(export_api(&req, &ctx).await)
        })
        .get("/s/:site", |req, ctx| async move { respond(site_html(&req, &ctx).await) })
        .get("/s/:site/p", |req, ctx| async move { respond(page_report_html(&req, &ctx).await) })
        .get("/privacy/:site", |req, ctx| async move { respond(privacy_html(&req, &ctx).await) })
}

/// The worker's router, with the methods of each of its patterns kept beside it: the router
/// answers a method a pattern lacks with a plain-text `405` and no `Allow`, so [`answer`]
/// answers those itself.
struct Routes {
    router: Router<'static, ()>,
    /// Each pattern and its methods, in the order they were added.
    methods: Vec<(&'static str, Vec<Method>)>,
}

impl Default for Routes {
    fn default() -> Routes {
        let router = Router::new()
            .or_else_any_method("/", |_, _| no_route())
            .or_else_any_method("/*path", |_, _| no_route());
        Routes { router, methods: Vec::new() }
    }
}

impl Routes {
    /// `method pattern`, answered by `handler`.
    fn route<H, F>(mut self, method: Method, pattern: &'static str, handler: H) -> Routes
    where
        H: Fn(Request, RouteContext<()>) -> F + 'static,
        F: Future<Output = Result<Response>> + 'static,
    {
        self.router = match method {
            Method::Get => self.router.get_async(pattern, handler),
            Method::Head => self.router.head_async(pattern, handler),
            Method::Post => self.router.post_async(pattern, handler),
            Method::Patch => self.router.patch_async(pattern, handler),
            Method::Delete => self.router.delete_async(pattern, handler),
            Method::Options => self.router.options_async(pattern, handler),
            other => unreachable!("no route answers {other}"),
        };
        match self.methods.iter_mut().find(|(known, _)| *known == pattern) {
            Some((_, methods)) => methods.push(method),
            None => self.methods.push((pattern, vec![method])),
        }
        self
    }

    /// `GET pattern`, and `HEAD pattern` with the same handler.
    fn get<H, F>(self, pattern: &'static str, handler: H) -> Routes
    where
        H: Fn(Request, RouteContext<()>) -> F + Copy + 'static,
        F: Future<Output = Result<Response>> + 'static,
    {
        self.route(Method::Get, pattern, handler).route(Method::Head, pattern, handler)
    }

    /// A route of the viewer's read API: `GET` and `HEAD` answered by `handler` and readable by
    /// the pages of the origins the site lists, and `OPTIONS`, their preflight (see [`cors`]).
    fn viewer_read<H, F>(self, pattern: &'static str, handler: H) -> Routes
    where
        H: Fn(Request, RouteContext<()>) -> F + Copy + 'static,
        F: Future<Output = AppResult<Response>> + 'static,
    {
        self.get(pattern, move |req, ctx| async move {
            let listed = cors::listed_origin(&req, &ctx.env, param(&ctx, "site")).await;
            cors::viewer_read(respond(handler(req, ctx).await)?, listed.as_deref())
        })
        .route(Method::Options, pattern, |req, ctx| async move {
            respond(cors::viewer_preflight(&req, &ctx.env, param(&ctx, "site")).await)
        })
    }

    /// The methods of the route whose pattern matches `path` (as the router matches it), or
    /// `None` when no route has that path.
    fn methods_at(&self, path: &str) -> Option<&[Method]> {
        let mut patterns = matchit::Router::new();
        for (index, (pattern, _)) in self.methods.iter().enumerate() {
            patterns.insert(*pattern, index).expect("the router took the same patterns");
        }
        let index = *patterns.at(path).ok()?.value;
        Some(&self.methods[index].1)
    }
}

/// Each route's pattern and the names of its methods, for the OpenAPI document's test.
#[cfg(all(test, feature = "openapi"))]
pub(crate) fn patterns_and_methods() -> Vec<(&'static str, Vec<String>)> {
    let methods = |methods: &[Method]| methods.iter().map(|m| m.as_ref().to_owned()).collect();
    routes().methods.iter().map(|(pattern, of)| (*pattern, methods(of))).collect()
}

/// The `Allow` header of a route with `methods`: their names, sorted.
fn allow_header(methods: &[Method]) -> String {
    let mut names: Vec<&str> = methods.iter().map(AsRef::as_ref).collect();
    names.sort_unstable();
    names.join(", ")
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
    let url = req.url()?;
    if wants_csv(&url) {
        match read::summary_table(&url)? {
            SummaryTable::Metrics => present::summary_csv(&report),
            SummaryTable::Properties => present::properties_csv(&report),
            SummaryTable::Segments => present::segments_csv(&report.summary.segments),
            SummaryTable::Funnels => present::funnels_csv(&report.summary.funnels),
        }
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
    let key = token.as_ref().and_then(PresentedToken::link_key);
    let url = req.url()?;
    let segment = read::requested_segment(&url)?.map(|segment| segment.to_string());
    match read::report::<SiteReport>(req, &ctx.env, param(ctx, "site"), ReportKind::Site).await {
        Ok(report) => {
            let context = page_context(ctx, key, report.summary.from, report.summary.to);
            let context = PageContext { segment: report.summary.segment.as_deref(), ..context };
            present::site_page(&context, &report)
        }
        // A segment that fewer than k visitors came in: a page that says so.
        Err(AppError::NotFound(why)) if segment.is_some() => {
            let (from, to) = read::requested_range(&url, today(&ctx.env), DEFAULT_RANGE_DAYS)?;
            let context = page_context(ctx, key, from, to);
            present::site_not_shown(&PageContext { segment: segment.as_deref(), ..context }, &why)
        }
        Err(error) => Err(error),
    }
}

async fn page_report_html(req: &Request, ctx: &RouteContext<()>) -> AppResult<Response> {
    let path = requested_path(&req.url()?)?;
    let kind = ReportKind::Page { path: path.clone() };
    let token = token_of(req)?;
    let key = token.as_ref().and_then(PresentedToken::link_key);
    match read::report::<PageReport>(req, &ctx.env, param(ctx, "site"), kind).await {
        Ok(report) => {
            let context = page_context(ctx, key, report.summary.from, report.summary.to);
            let context = PageContext { segment: report.summary.segment.as_deref(), ..context };
            present::page_report(&context, &report)
        }
        // No views, or fewer than k visitors: a page that says so, not a bare JSON 404.
        Err(AppError::NotFound(why)) => {
            let url = req.url()?;
            let (from, to) = read::requested_range(&url, today(&ctx.env), DEFAULT_RANGE_DAYS)?;
            let segment = read::requested_segment(&url)?.map(|segment| segment.to_string());
            let context = page_context(ctx, key, from, to);
            let context = PageContext { segment: segment.as_deref(), ..context };
            present::page_not_shown(&context, &path, &why)
        }
        Err(error) => Err(error),
    }
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
    PageContext { site: param(ctx, "site"), key, from, to, today: today(&ctx.env), segment: None }
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

/// Whether the edge has `POST /yardstick`, a benchmark's do-nothing route: what answering a
/// beacon costs when it does nothing else (`make bench` reports ingest as a ratio to it, since
/// wrangler dev is the ceiling here). Elsewhere there is no such route.
fn has_yardstick(env: &Env) -> bool {
    env.var(YARDSTICK_VAR).is_ok_and(|value| value.to_string() == "1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_has_the_methods_of_its_route_and_every_get_a_head() {
        let routes = routes();
        let allow = |path| routes.methods_at(path).map(allow_header);
        assert_eq!(allow("/api/v1/sites/demo").as_deref(), Some("DELETE, GET, HEAD, PATCH"));
        assert_eq!(allow("/api/v1/sites/demo/summary").as_deref(), Some("GET, HEAD, OPTIONS"));
        assert_eq!(allow("/api/v1/sites/demo/status").as_deref(), Some("GET, HEAD"));
        assert_eq!(allow("/e").as_deref(), Some("OPTIONS, POST"));
        assert_eq!(allow("/s/demo/p").as_deref(), Some("GET, HEAD"));
        assert_eq!(allow("/t/0123abcd.wasm").as_deref(), Some("GET, HEAD"));
        assert_eq!(allow("/no/such/route"), None);
        assert_eq!(allow("/s/demo/"), None, "no trailing slash, as the router");
        assert_eq!(allow("/yardstick"), None, "only a benchmark's edge has it");
        for (pattern, methods) in &routes.methods {
            assert_eq!(
                methods.contains(&Method::Get),
                methods.contains(&Method::Head),
                "{pattern}"
            );
        }
    }

    #[test]
    fn only_beacons_and_the_viewer_read_api_answer_other_origins() {
        let preflighted: Vec<&str> = routes()
            .methods
            .iter()
            .filter(|(_, methods)| methods.contains(&Method::Options))
            .map(|(pattern, _)| *pattern)
            .collect();
        assert_eq!(
            preflighted,
            [
                "/e",
                "/api/v1/sites/:site/pages",
                "/api/v1/sites/:site/summary",
                "/api/v1/sites/:site/page",
                "/api/v1/sites/:site/insights",
            ]
        );
    }
}
