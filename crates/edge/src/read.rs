//! Reading a site's figures: token, date range, and the shard's summary.

use crate::{shard_client, shards};
use serde::de::DeserializeOwned;
use tacit_aggregate::Day;
use tacit_report::public::{NoiseKey, PublicSummary};
use tacit_report::{Report, ReportKind, SummaryOptions};
use worker::{Env, Request, Url};

use crate::admin::known_site;
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::site_shard::protocol::{Credential, SummaryQuery, SUMMARY};
use crate::site_shard::SALT_KEY_SECRET;
use crate::tokens::{presented_token, token_sha256};

/// Days shown when the request names no range: the last seven, today included.
const DEFAULT_RANGE_DAYS: i32 = 7;
/// The longest range one request may merge, which bounds the work of a read.
const MAX_RANGE_DAYS: i32 = 400;

/// The `report` of `site` over the range in the request's `from` and `to` parameters, for the
/// holder of the site's viewer token: the [`Report`] of that kind, as `T`.
pub async fn report<T: DeserializeOwned + TryFrom<Report>>(
    req: &Request,
    env: &Env,
    site: &str,
    report: ReportKind,
) -> AppResult<T> {
    let site = known_site(site)?;
    let (from, to) = requested_range(&req.url()?, today(env), DEFAULT_RANGE_DAYS)?;
    let token = presented_token(req)?.unwrap_or_default();
    let viewer_token_sha256 = token_sha256(&token);
    let count = shards::shard_count(env, &site).await?;
    if count > 1 {
        // Several shards: the worker merges their records and builds the report itself.
        let k = shards::settings(env, &site).await?.k;
        let options = SummaryOptions { k: u64::from(k), ..SummaryOptions::default() };
        let viewer = Credential::Token(viewer_token_sha256);
        let current = shards::merged_range(env, &site, count, &viewer, from, to).await?;
        let previous = match report.compared_with(from, to) {
            Some((from, to)) => {
                Some(shards::merged_range(env, &site, count, &viewer, from, to).await?)
            }
            None => None,
        };
        let report = Report::build(report, &current, previous.as_ref(), &options)?;
        return T::try_from(report)
            .map_err(|_| AppError::Internal("the report built is not of the kind asked".into()));
    }
    let query = SummaryQuery { site: site.clone(), viewer_token_sha256, from, to, report };
    shard_client::ask(env, &site, SUMMARY, &query).await
}

/// The public summary of `site`, for anyone, when the site publishes one (its `public`
/// setting); `401` when it does not. The noise is keyed by a key derived from the `SALT_KEY`
/// secret and the site, so the same range always shows the same figures.
pub async fn public_summary(req: &Request, env: &Env, site: &str) -> AppResult<PublicSummary> {
    let site = known_site(site)?;
    let (from, to) = requested_range(&req.url()?, today(env), DEFAULT_RANGE_DAYS)?;
    let settings = shards::settings(env, &site).await?;
    if !settings.public {
        return Err(AppError::Unauthorized);
    }
    let secret = env.secret(SALT_KEY_SECRET).map_err(|_| {
        AppError::Internal(format!("the {SALT_KEY_SECRET} secret is not set: no public noise"))
    })?;
    let key = NoiseKey::derive(&secret.to_string(), &site);
    let count = settings.shards;
    let range = shards::merged_range(env, &site, count, &Credential::Admin, from, to).await?;
    Ok(PublicSummary::build(&range, settings.epsilon.get(), u64::from(settings.k), &key))
}

/// The `path` query parameter of a page report.
pub fn requested_path(req: &Request) -> AppResult<String> {
    query_param(&req.url()?, "path")
        .filter(|path| path.starts_with('/'))
        .ok_or_else(|| AppError::BadRequest("name the page as ?path=/its/path".into()))
}

/// Whether the request asks for CSV (`?format=csv`) rather than JSON.
pub fn wants_csv(req: &Request) -> AppResult<bool> {
    Ok(query_param(&req.url()?, "format").as_deref() == Some("csv"))
}

/// Today, in UTC, by the edge's clock.
pub fn today(env: &Env) -> Day {
    Day::from_unix_ms(Clock::from_env(env).now_ms())
}

fn query_param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs().find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
}

/// The `from`..=`to` range of the URL's query, defaulting to the `default_days` that end
/// `today` (or `to`).
pub fn requested_range(url: &Url, today: Day, default_days: i32) -> AppResult<(Day, Day)> {
    let day = |name: &str| {
        query_param(url, name).filter(|v| !v.is_empty()).map(|v| Day::parse(&v)).transpose()
    };
    let to = day("to")?.unwrap_or(today);
    let from = day("from")?.unwrap_or(to.add_days(1 - default_days));
    if from > to {
        return Err(AppError::BadRequest(format!("'from' ({from}) is after 'to' ({to})")));
    }
    if to.days_after(from) >= MAX_RANGE_DAYS {
        return Err(AppError::BadRequest(format!(
            "a range may span at most {MAX_RANGE_DAYS} days"
        )));
    }
    Ok((from, to))
}
