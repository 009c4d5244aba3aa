//! Reading a site's privacy report: the auditor token, the range of consent rates, and what
//! every shard of the site holds, merged and turned into the report by tacit-report.

use tacit_aggregate::settings::SiteSettings;
use tacit_report::audit::{AuditInput, PrivacyReport};
use worker::{Env, Request};

use crate::access::Credential;
use crate::admin::{credential, known_site};
use crate::clock::Clock;
use crate::error::AppResult;
use crate::read::{requested_range, today};
use crate::shard::protocol::{Privacy, ShardPrivacy};
use crate::shard_client;

/// Days of consent rates shown when the request names no range: the last thirty.
const DEFAULT_RANGE_DAYS: i32 = 30;

/// The privacy report of `site` for the holder of its auditor token (or the admin token), and
/// the settings it was built from.
pub async fn privacy_report(
    req: &Request,
    env: &Env,
    site: &str,
) -> AppResult<(PrivacyReport, SiteSettings)> {
    let site = known_site(site)?;
    let (from, to) = requested_range(&req.url()?, today(env), DEFAULT_RANGE_DAYS)?;
    // The first shard checks the token and holds the change log; the others are asked as the
    // worker itself once it has.
    let first = Privacy { site: site.clone(), credential: credential(req, env)?, from, to };
    let ShardPrivacy { settings, mut facts, changes } =
        shard_client::ask(env, &site, 0, &first).await?;
    for index in 1..shard_client::shard_count(env, &site).await? {
        let query = Privacy { site: site.clone(), credential: Credential::Admin, from, to };
        facts.merge(shard_client::ask(env, &site, index, &query).await?.facts);
    }
    let report = PrivacyReport::build(AuditInput {
        site: &site,
        settings: &settings,
        now_ms: Clock::from_env(env).now_ms(),
        from,
        to,
        facts,
        changes,
    });
    Ok((report, settings))
}
