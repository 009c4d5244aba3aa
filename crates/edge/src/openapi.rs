//! The edge's OpenAPI document, `docs/openapi.yaml`: every route of [`crate::routes`], who may
//! call it, its parameters and its answers, whose schemas are derived from the types the
//! handlers serialise (the `openapi` feature of this crate and of the pure crates).
//!
//! `cargo run -p tacit-edge --features openapi --bin openapi > docs/openapi.yaml` (`make
//! openapi`) writes it; `make lint` fails when the committed file differs, and the end-to-end
//! tests check every JSON answer they receive against it (tests/support/openapi.mjs).

use utoipa::openapi::path::{
    OperationBuilder, Parameter, ParameterBuilder, ParameterIn, PathItemBuilder,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{KnownFormat, SchemaFormat};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, HttpMethod, InfoBuilder, ObjectBuilder, OpenApi,
    OpenApiBuilder, Paths, PathsBuilder, Ref, RefOr, Required, ResponseBuilder, Schema,
    SecurityRequirement, ServerBuilder, Type,
};
use utoipa::{PartialSchema, ToSchema};

use tacit_aggregate::settings::{SettingsPatch, SiteSettings};
use tacit_beacon::BeaconSchema;
use tacit_report::audit::{PrivacyExport, PrivacyReport};
use tacit_report::insights::InsightCard;
use tacit_report::public::PublicSummary;
use tacit_report::{PageReport, SiteReport};

use crate::admin::{CreatedSite, SiteStatus, SiteTokens};
use crate::error::ErrorBody;
use crate::present::Pages;
use crate::shard::protocol::{ChangeLog, SiteView};

const DESCRIPTION: &str = "\
The HTTP interface of tacit's edge worker: beacons in, summaries out, sites administered.
Errors are always JSON `{\"error\": \"<what to fix>\"}`. Tokens travel as
`Authorization: Bearer <token>` (the scheme in any case) or, for links that are shared, as
`?key=<token>`; the admin token counts only in the header, so that it never sits in a URL. An
`Authorization` header of another scheme (a proxy's Basic credentials) leaves `?key=` in force.
A method a path does not have answers `405` with `Allow` listing the ones it has; `HEAD`
answers wherever `GET` does, with the same headers and no body; every answer carries
`X-Content-Type-Options: nosniff`. The viewer routes (`summary`, `pages`, `page`, `insights`)
answer CORS to the origins a site lists in `cors_origins`, and no other route answers
another origin but `POST /e`.
Generated from the Rust types by `make openapi` (crates/edge/src/openapi.rs); do not edit.
";

/// Who may call a route.
#[derive(Clone, Copy)]
enum Access {
    /// Anyone.
    Anyone,
    /// The admin token, in the `Authorization` header only.
    Admin,
    /// A site's token (viewer or auditor, as the route says) in the header or as `?key=`, or
    /// the admin token in the header.
    SiteToken,
}

/// The whole document.
pub fn document() -> OpenApi {
    let components = ComponentsBuilder::new()
        .security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)))
        .security_scheme(
            "key",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "key",
                "A site's viewer or auditor token; the admin token here opens nothing.",
            ))),
        )
        .schemas_from_iter(with_dependencies::<ErrorBody>())
        .schemas_from_iter(with_dependencies::<BeaconSchema>())
        .schemas_from_iter(with_dependencies::<SettingsPatch>())
        .schemas_from_iter(with_dependencies::<SiteSettings>())
        .schemas_from_iter(with_dependencies::<CreatedSite>())
        .schemas_from_iter(with_dependencies::<SiteTokens>())
        .schemas_from_iter(with_dependencies::<SiteView>())
        .schemas_from_iter(with_dependencies::<SiteStatus>())
        .schemas_from_iter(with_dependencies::<ChangeLog>())
        .schemas_from_iter(with_dependencies::<Pages>())
        .schemas_from_iter(with_dependencies::<SiteReport>())
        .schemas_from_iter(with_dependencies::<PageReport>())
        .schemas_from_iter(with_dependencies::<InsightCard>())
        .schemas_from_iter(with_dependencies::<PrivacyReport>())
        .schemas_from_iter(with_dependencies::<PrivacyExport>())
        .schemas_from_iter(with_dependencies::<PublicSummary>())
        .build();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("tacit edge API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(DESCRIPTION)),
        )
        .servers(Some([ServerBuilder::new()
            .url("http://127.0.0.1:8787")
            .description(Some("make dev"))
            .build()]))
        .paths(paths())
        .components(Some(components))
        .build()
}

/// The document as YAML, as docs/openapi.yaml holds it.
pub fn yaml() -> String {
    document().to_yaml().expect("an OpenAPI document is YAML")
}

fn paths() -> Paths {
    let site = || site_parameter();
    let range = || [site_parameter(), from_parameter(), to_parameter()];
    let routes: Vec<(&str, PathItemBuilder)> = vec![
        (
            "/e",
            item(
                HttpMethod::Post,
                operation("Send a beacon", Access::Anyone)
                    .request_body(Some(
                        RequestBodyBuilder::new()
                            .required(Some(Required::True))
                            .content("text/plain", ContentBuilder::new().schema(Some(named::<BeaconSchema>())).build())
                            .build(),
                    ))
                    .response("202", ResponseBuilder::new().description(
                        "Accepted (also for bots and opted-out visitors, which add only to their tallies, and for a retry of a beacon id already counted)",
                    ))
                    .response("400", error("Not a beacon: not UTF-8 JSON, nested beyond 128 levels, a field unknown or of another beacon type (a client timestamp included: the edge's clock decides the day), an invalid value"))
                    .response("403", error("The page's Origin is not one of the site's hostnames (Origin: null included)"))
                    .response("404", error("The site is not registered"))
                    .response("413", error("The body is over 4096 bytes (bytes, not characters; announced or counted)"))
                    .response(
                        "429",
                        ResponseBuilder::new()
                            .description("Over the visitor's or the site's beacons per minute; not counted")
                            .header(
                                "Retry-After",
                                utoipa::openapi::HeaderBuilder::new()
                                    .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
                                    .description(Some("Seconds until the minute's window ends"))
                                    .build(),
                            )
                            .content("application/json", json_content(named::<ErrorBody>())),
                    ),
            )
            .operation(
                HttpMethod::Options,
                operation("CORS preflight", Access::Anyone)
                    .response("204", ResponseBuilder::new().description("Any origin may post beacons")),
            ),
        ),
        (
            "/api/v1/sites",
            item(
                HttpMethod::Post,
                operation("Create a site (admin)", Access::Admin)
                    .request_body(Some(json_body(
                        "The site id and any settings; unknown fields are refused with 400.",
                        create_site_body(),
                    )))
                    .response("201", json_answer(
                        "Created; the viewer and auditor tokens are shown this once and stored only as hashes.",
                        named::<CreatedSite>(),
                    ))
                    .response("400", error("The id or a setting is invalid"))
                    .response("409", error("The site exists")),
            ),
        ),
        (
            "/api/v1/sites/{site}",
            item(
                HttpMethod::Get,
                operation("The site's settings, creation time and change-log head (admin)", Access::Admin)
                    .parameter(site())
                    .response("200", json_answer("The site; never a token or its hash", named::<SiteView>()))
                    .response("404", unknown_site()),
            )
            .operation(
                HttpMethod::Patch,
                operation(
                    "Change settings (admin); every change is appended to the hash-chained change log",
                    Access::Admin,
                )
                .parameter(site())
                .request_body(Some(json_body("The settings to change; unknown fields are refused with 400.", named::<SettingsPatch>())))
                .response("200", json_answer("The site as it is now", named::<SiteView>()))
                .response("400", error("A setting is invalid"))
                .response("404", unknown_site()),
            )
            .operation(
                HttpMethod::Delete,
                operation("Delete the site and all of its data (admin)", Access::Admin)
                    .parameter(site())
                    .response("204", ResponseBuilder::new().description("Deleted"))
                    .response("404", unknown_site()),
            ),
        ),
        (
            "/api/v1/sites/{site}/tokens/rotate",
            item(
                HttpMethod::Post,
                operation("New viewer and auditor tokens (admin); the old ones stop working at once", Access::Admin)
                    .parameter(site())
                    .response("200", json_answer("The new tokens, shown this once", named::<SiteTokens>()))
                    .response("404", unknown_site()),
            ),
        ),
        (
            "/api/v1/sites/{site}/status",
            item(
                HttpMethod::Get,
                operation(
                    "Salts held and their age, next maintenance alarm, retention, oldest record (admin or auditor)",
                    Access::SiteToken,
                )
                .description(Some(
                    "The first shard's salts, alarm, retention and change log state; today's consent tally of the whole site; and `shards`, one entry per shard, so that a site split across shards shows each one's state.",
                ))
                .parameter(site())
                .response("200", json_answer("Status", named::<SiteStatus>()))
                .response("404", unknown_site()),
            ),
        ),
        (
            "/api/v1/sites/{site}/changes",
            item(
                HttpMethod::Get,
                operation("The hash-chained change log and whether it verifies (admin or auditor)", Access::SiteToken)
                    .parameter(site())
                    .response("200", json_answer("Entries and the verification result", named::<ChangeLog>()))
                    .response("404", unknown_site()),
            ),
        ),
        (
            "/api/v1/sites/{site}/pages",
            viewer_read(
                operation("Views and unique visitors per page over a date range (viewer)", Access::SiteToken)
                    .parameters(Some(range()))
                    .parameter(segment_parameter())
                    .parameter(format_parameter())
                    .response("200", json_or_csv("The range's pages, or as CSV (`path,views,visitors`)", named::<Pages>()))
                    .response("400", bad_range())
                    .response("404", unknown_site()),
            ),
        ),
        (
            "/api/v1/sites/{site}/summary",
            viewer_read(
                operation("The site summary with its top insight cards (viewer)", Access::SiteToken)
                    .description(Some(
                        "Headline metrics against the previous period of equal length, daily series, top, entry and exit pages, channels with engagement, referrers, campaigns, audience, goals, search terms, events and feedback. Every breakdown is folded under the site's k.",
                    ))
                    .parameters(Some(range()))
                    .parameter(segment_parameter())
                    .parameter(format_parameter())
                    .parameter(table_parameter())
                    .response("200", json_or_csv(
                        "The report as JSON, or as CSV the headline metrics (`metric,current,previous`), the goals' and custom events' properties (`kind,name,key,value,count,value_sum`) the segments side by side (`segment,label,visitors,views,visits,bounce_rate,engagement_rate,exit_rate,median_engaged_ms`) or the funnels, a row per step (`funnel,since,step_number,step,visits,from_previous,from_start`)",
                        named::<SiteReport>(),
                    ))
                    .response("400", bad_range())
                    .response("404", error("Unknown site, or a segment with fewer than k visitors in the range")),
            ),
        ),
        (
            "/api/v1/sites/{site}/page",
            viewer_read(
                operation("One page's insight summary against the site (viewer)", Access::SiteToken)
                    .parameter(site())
                    .parameter(path_parameter())
                    .parameters(Some([from_parameter(), to_parameter(), segment_parameter(), format_parameter()]))
                    .response("200", json_or_csv(
                        "The page's report as JSON, or its metrics as CSV (`metric,page,site,previous`)",
                        named::<PageReport>(),
                    ))
                    .response("400", bad_range())
                    .response("404", error("Unknown site, or a page with no views, or fewer than k visitors in the range or the segment")),
            ),
        ),
        (
            "/api/v1/sites/{site}/insights",
            viewer_read(
                operation("Every insight card of the range, ranked by expected impact (viewer)", Access::SiteToken)
                    .parameters(Some(range()))
                    .parameter(segment_parameter())
                    .parameter(format_parameter())
                    .response("200", json_or_csv("The cards as JSON, or as CSV", array_of::<InsightCard>()))
                    .response("400", bad_range())
                    .response("404", unknown_site()),
            ),
        ),
        (
            "/api/v1/sites/{site}/privacy",
            item(
                HttpMethod::Get,
                operation("The privacy report (admin or auditor)", Access::SiteToken)
                    .description(Some(
                        "The consent policy in force and what each consent state collects (from the code's own definitions), the data inventory with retention per kind, consent rates per day over the range, the salts held, the retention and the oldest record, the change log verified on this request, and the assessment against the CNIL audience-measurement exemption. Without `from`/`to` the range is the last 30 days.",
                    ))
                    .parameters(Some(range()))
                    .parameter(format_parameter())
                    .response("200", json_or_csv(
                        "The report as JSON, or the consent rates per day as CSV",
                        named::<PrivacyReport>(),
                    ))
                    .response("400", bad_range())
                    .response("404", unknown_site()),
            ),
        ),
        (
            "/api/v1/sites/{site}/public",
            item(
                HttpMethod::Get,
                operation("The public summary of a site that publishes one (no token)", Access::Anyone)
                    .description(Some(
                        "Unique visitors per day, in total and per page, with Laplace noise of the site's ε; the same range always gives the same figures. Pages are listed from `page_threshold` noisy visitors. The same page as HTML is `GET /s/{site}` without a token.",
                    ))
                    .parameters(Some(range()))
                    .response("200", json_answer("The public summary", named::<PublicSummary>()))
                    .response("400", bad_range())
                    .response("401", error("The site does not publish a summary"))
                    .response("404", unknown_site())
                    .response("503", shards_unavailable()),
            ),
        ),
        (
            "/api/v1/sites/{site}/export",
            item(
                HttpMethod::Get,
                operation("The privacy export for a DPIA or a record of processing (admin or auditor)", Access::SiteToken)
                    .description(Some(
                        "The processing under the headings of GDPR art. 30(1), then the privacy report. Sent as an attachment named `tacit-<site>-privacy-<day>.json`.",
                    ))
                    .parameters(Some(range()))
                    .response("200", json_answer("The export", named::<PrivacyExport>()))
                    .response("400", bad_range())
                    .response("404", unknown_site()),
            ),
        ),
        (
            "/privacy/{site}",
            item(
                HttpMethod::Get,
                operation("The privacy audit page (admin or auditor)", Access::SiteToken)
                    .description(Some("The privacy report as HTML, with a consent-rate chart; no scripts, prints as it is."))
                    .parameters(Some(range()))
                    .response("200", html("The page"))
                    .response("400", bad_range())
                    .response("404", unknown_site()),
            ),
        ),
        (
            "/s/{site}",
            item(
                HttpMethod::Get,
                operation(
                    "The site summary page (viewer), or without a token the public summary of a site that publishes one",
                    Access::SiteToken,
                )
                .description(Some("Without a token and with `public` off, 401."))
                .parameters(Some(range()))
                .parameter(segment_parameter())
                .response("200", html("The page"))
                .response("400", bad_range())
                .response(
                    "404",
                    error("The site is not registered (JSON), or a page that says the segment asked for had fewer than k visitors (HTML)")
                        .content("text/html", ContentBuilder::new().build()),
                )
                .response("503", shards_unavailable()),
            ),
        ),
        (
            "/s/{site}/p",
            item(
                HttpMethod::Get,
                operation("A page's insight summary (viewer)", Access::SiteToken)
                    .parameter(site())
                    .parameter(path_parameter())
                    .parameters(Some([from_parameter(), to_parameter(), segment_parameter()]))
                    .response("200", html("The page"))
                    .response("400", bad_range())
                    .response("404", html(
                        "No report for the page (no views or fewer than k visitors in the range or the segment, or an unknown site): a page that says why, with a link back to the site summary",
                    ))
                    .response("503", shards_unavailable()),
            ),
        ),
        (
            "/t.js",
            item(
                HttpMethod::Get,
                operation("The loader script site owners paste as a script tag", Access::Anyone)
                    .response("200", ResponseBuilder::new().description("JavaScript, cached 5 minutes, CORS").content("text/javascript", ContentBuilder::new().build())),
            ),
        ),
        (
            "/f/{site}",
            item(
                HttpMethod::Get,
                operation("The site's funnels as the snippet reads them, once per visit with journey consent", Access::Anyone)
                    .description(Some("One funnel per line: its id (a hash of its steps), then its steps, separated by tabs (`tacit_beacon::funnel::write_definitions`). Names and dates are not in it."))
                    .parameter(site())
                    .response("200", ResponseBuilder::new().description("Text, cached 5 minutes, CORS").content("text/plain", ContentBuilder::new().build()))
                    .response("404", unknown_site()),
            ),
        ),
        (
            "/t/{file}",
            item(
                HttpMethod::Get,
                operation("The snippet's WebAssembly, named by its content hash", Access::Anyone)
                    .parameter(
                        ParameterBuilder::new()
                            .name("file")
                            .parameter_in(ParameterIn::Path)
                            .required(Required::True)
                            .schema(Some(ObjectBuilder::new().schema_type(Type::String).pattern(Some(r"^[0-9a-f]+\.wasm$")))),
                    )
                    .response("200", ResponseBuilder::new().description("The WebAssembly, immutable, CORS").content("application/wasm", ContentBuilder::new().build()))
                    .response("404", error("Any other name, path traversal (`..`, encoded or not) included: only hashed .wasm names are looked up")),
            ),
        ),
        (
            "/healthz",
            item(
                HttpMethod::Get,
                operation("Liveness", Access::Anyone)
                    .response("200", ResponseBuilder::new().description("`ok`").content("text/plain", ContentBuilder::new().build())),
            ),
        ),
    ];
    routes
        .into_iter()
        .fold(PathsBuilder::new(), |paths, (path, item)| paths.path(path, item.build()))
        .build()
}

/// A path with `method`.
fn item(method: HttpMethod, operation: OperationBuilder) -> PathItemBuilder {
    PathItemBuilder::new().operation(method, operation)
}

/// An operation of `summary` open to `access`, with the `401` of the routes that need a token.
fn operation(summary: &str, access: Access) -> OperationBuilder {
    let bearer = || SecurityRequirement::new("bearer", Vec::<String>::new());
    let key = || SecurityRequirement::new("key", Vec::<String>::new());
    let securities = match access {
        Access::Anyone => return OperationBuilder::new().summary(Some(summary)),
        Access::Admin => vec![bearer()],
        Access::SiteToken => vec![bearer(), key()],
    };
    OperationBuilder::new()
        .summary(Some(summary))
        .securities(Some(securities))
        .response("401", error("No token, or one that does not open this route"))
}

/// A viewer read route: `get`, and the CORS preflight of a dashboard on another origin.
fn viewer_read(get: OperationBuilder) -> PathItemBuilder {
    let preflight = ResponseBuilder::new().description(
        "When the site lists the request's `Origin` in `cors_origins`: `Access-Control-Allow-Origin` (that origin), `Access-Control-Allow-Methods: GET, HEAD`, `Access-Control-Allow-Headers: Authorization`; otherwise no CORS header. The reads themselves carry `Access-Control-Allow-Origin` for a listed origin, error answers included, and every answer of these routes `Vary: Origin`.",
    );
    item(HttpMethod::Get, get.response("503", shards_unavailable())).operation(
        HttpMethod::Options,
        operation("CORS preflight for a dashboard on another origin", Access::Anyone)
            .parameter(site_parameter())
            .response("204", preflight),
    )
}

/// `T`'s schema and those it refers to, by name, as the components hold them.
fn with_dependencies<T: ToSchema>() -> Vec<(String, RefOr<Schema>)> {
    let mut schemas = vec![(T::name().into_owned(), T::schema())];
    T::schemas(&mut schemas);
    schemas
}

/// A reference to `T`'s schema among the components.
fn named<T: ToSchema>() -> RefOr<Schema> {
    Ref::from_schema_name(T::name()).into()
}

/// An array of `T`.
fn array_of<T: ToSchema>() -> RefOr<Schema> {
    utoipa::openapi::ArrayBuilder::new().items(named::<T>()).into()
}

fn json_content(schema: RefOr<Schema>) -> utoipa::openapi::Content {
    ContentBuilder::new().schema(Some(schema)).build()
}

fn json_answer(description: &str, schema: RefOr<Schema>) -> ResponseBuilder {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", json_content(schema))
}

/// `format=json` (the default) answers `schema`; `format=csv` a spreadsheet.
fn json_or_csv(description: &str, schema: RefOr<Schema>) -> ResponseBuilder {
    json_answer(description, schema).content("text/csv", ContentBuilder::new().build())
}

fn html(description: &str) -> ResponseBuilder {
    ResponseBuilder::new()
        .description(description)
        .content("text/html", ContentBuilder::new().build())
}

fn json_body(
    description: &str,
    schema: RefOr<Schema>,
) -> utoipa::openapi::request_body::RequestBody {
    RequestBodyBuilder::new()
        .description(Some(description))
        .required(Some(Required::True))
        .content("application/json", json_content(schema))
        .build()
}

/// The body of `POST /api/v1/sites`: the site's id beside the settings it starts with.
fn create_site_body() -> RefOr<Schema> {
    let id = ObjectBuilder::new().property("id", tacit_beacon::SiteId::schema()).required("id");
    utoipa::openapi::AllOfBuilder::new().item(id).item(named::<SettingsPatch>()).into()
}

fn error(description: &str) -> ResponseBuilder {
    json_answer(description, named::<ErrorBody>())
}

fn shards_unavailable() -> ResponseBuilder {
    error("One of the site's shards could not be read: no partial figures are given; retry later")
}

fn unknown_site() -> ResponseBuilder {
    error("The site is not registered")
}

fn bad_range() -> ResponseBuilder {
    error("A date that is not `YYYY-MM-DD`, `from` after `to`, a range over 400 days, or one whose previous period begins before 0000-01-01")
}

fn site_parameter() -> Parameter {
    ParameterBuilder::new()
        .name("site")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(tacit_beacon::SiteId::schema()))
        .build()
}

fn day_parameter(name: &str, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .description(Some(description))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
        ))
        .build()
}

fn from_parameter() -> Parameter {
    day_parameter(
        "from",
        "First day (UTC), default six days before `to`. A range is compared with as many days before it, which may not begin before 0000-01-01 (else 400).",
    )
}

fn to_parameter() -> Parameter {
    day_parameter("to", "Last day (UTC), default today. At most 400 days after `from`.")
}

fn format_parameter() -> Parameter {
    ParameterBuilder::new()
        .name("format")
        .parameter_in(ParameterIn::Query)
        .description(Some("`csv` for a spreadsheet: fields quoted, and a field that would start a formula prefixed with `'`"))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["json", "csv"]))))
        .build()
}

/// The summary's CSV holds one of its tables (`crate::read::SummaryTable`).
fn table_parameter() -> Parameter {
    ParameterBuilder::new()
        .name("table")
        .parameter_in(ParameterIn::Query)
        .description(Some(
            "With `format=csv`: `metrics` (the default), `properties`, `segments` or `funnels`",
        ))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String).enum_values(Some([
            "metrics",
            "properties",
            "segments",
            "funnels",
        ]))))
        .build()
}

/// `?segment=`: every figure read for one segment (`tacit_aggregate::segments::Segment`).
fn segment_parameter() -> Parameter {
    ParameterBuilder::new()
        .name("segment")
        .parameter_in(ParameterIn::Query)
        .description(Some(
            "Every figure for one segment: `device:mobile|tablet|desktop`, `channel:direct|organic_search|paid_search|social|email|referral|campaign|none`, `visitor:new|returning|unknown`, `country:<ISO code>|unknown`. A value that names no segment is a 400; a segment with fewer than k visitors in the range a 404. Lists and breakdowns are not kept per segment: a segment's are empty.",
        ))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String).pattern(Some("^(device|channel|visitor|country):"))))
        .build()
}

fn path_parameter() -> Parameter {
    ParameterBuilder::new()
        .name("path")
        .parameter_in(ParameterIn::Query)
        .required(Required::True)
        .description(Some("The page's path"))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String).pattern(Some("^/"))))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document lists each route the router answers, with its methods (`HEAD` is said once,
    /// in the description: every `GET` has it), and no other.
    #[test]
    fn the_document_has_every_route_and_method_and_no_other() {
        let documented: Vec<(String, Vec<String>)> = document()
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let item = serde_json::to_value(item).expect("a path item is JSON");
                let methods = item.as_object().expect("an object").keys().cloned().collect();
                (path.clone(), methods)
            })
            .collect();
        let mut routed: Vec<(String, Vec<String>)> = crate::routes::patterns_and_methods()
            .into_iter()
            .map(|(pattern, methods)| {
                let path = pattern
                    .split('/')
                    .map(|part| match part.strip_prefix(':') {
                        Some(name) => format!("{{{name}}}"),
                        None => part.to_owned(),
                    })
                    .collect::<Vec<_>>()
                    .join("/");
                let mut methods: Vec<String> = methods
                    .into_iter()
                    .filter(|method| *method != "HEAD")
                    .map(|method| method.to_lowercase())
                    .collect();
                methods.sort();
                (path, methods)
            })
            .collect();
        routed.sort();
        let mut documented = documented;
        for (_, methods) in &mut documented {
            methods.retain(|key| key != "parameters");
            methods.sort();
        }
        documented.sort();
        assert_eq!(documented, routed);
    }
}
