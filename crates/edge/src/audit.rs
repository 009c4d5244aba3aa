//! Reading a site's privacy report: the auditor token, the range of consent rates, and what
//! every shard of the site holds, merged and turned into the report by core.

use crate::{shard_client, shards};
use tacit_aggregate::settings::SiteSettings;
use tacit_report::audit::{AuditInput, PrivacyReport};
use worker::{Env, Request};

use crate::admin::{credential, known_site};
use crate::clock::Clock;
use crate::error::AppResult;
use crate::read::{requested_range, today};
use crate::site_shard::protocol::{Credential, PrivacyQuery, ShardPrivacy, PRIVACY};

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
    let first = PrivacyQuery { site: site.clone(), credential: credential(req, env)?, from, to };
    let ShardPrivacy { settings, mut facts, changes } =
        shard_client::ask(env, &site, PRIVACY, &first).await?;
    for index in 1..shards::shard_count(env, &site).await? {
        let query = PrivacyQuery { site: site.clone(), credential: Credential::Admin, from, to };
        let shard: ShardPrivacy =
            shard_client::ask_shard(env, &site, index, PRIVACY, &query).await?;
        facts.merge(shard.facts);
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
