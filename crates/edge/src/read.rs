//! Reading a site's figures: token, date range, and the shard's summary.

use tacit_core::{Day, RangeSummary, SiteId};
use worker::{Env, Request, Url};

use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::site_shard::protocol::{SummaryQuery, SUMMARY};
use crate::tokens::{presented_token, token_sha256};
use crate::{shard_client, shards};

/// Days shown when the request names no range: the last seven, today included.
const DEFAULT_RANGE_DAYS: i32 = 7;
/// The longest range one request may merge, which bounds the work of a read.
const MAX_RANGE_DAYS: i32 = 400;

/// The summary of `site` over the range in the request's `from` and `to` parameters, for the
/// holder of the site's viewer token.
pub async fn summary(req: &Request, env: &Env, site: &str) -> AppResult<RangeSummary> {
    let site = SiteId::parse(site)
        .map_err(|_| AppError::NotFound(format!("site '{site}' is not registered")))?;
    let (from, to) =
        requested_range(&req.url()?, Day::from_unix_ms(Clock::from_env(env).now_ms()))?;
    let token = presented_token(req)?.unwrap_or_default();
    let count = shards::shard_count(env, &site).await?;
    if count > 1 {
        return shards::merged_summary(env, &site, count, token_sha256(&token), from, to).await;
    }
    let query =
        SummaryQuery { site: site.clone(), viewer_token_sha256: token_sha256(&token), from, to };
    shard_client::ask(env, &site, SUMMARY, &query).await
}

/// The `from`..=`to` range of the URL's query, defaulting to the week that ends `today`.
fn requested_range(url: &Url, today: Day) -> AppResult<(Day, Day)> {
    let param = |name: &str| {
        url.query_pairs().find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
    };
    let to =
        param("to").filter(|v| !v.is_empty()).map(|v| Day::parse(&v)).transpose()?.unwrap_or(today);
    let from = param("from")
        .filter(|v| !v.is_empty())
        .map(|v| Day::parse(&v))
        .transpose()?
        .unwrap_or(to.add_days(1 - DEFAULT_RANGE_DAYS));
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
