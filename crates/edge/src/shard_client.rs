//! The worker's side of a site's shards: asking one ([`ask`]), which one a beacon goes to
//! ([`shard_for`], [`shard_of_leave`]), and asking all of them at once (their settings, their
//! merged records).
//!
//! A site is split across N shards (its `shards` setting). A visitor always goes to the same
//! shard (a hash of IP address and user agent, computed in memory and reduced to a shard
//! index), so each shard counts its own visitors and the union of the shards' sketches counts
//! each visitor once. Every shard hashes with the day's salt of shard 0, so a visitor whom a
//! raised shard count sends to another shard mid-day is still the same hash there, and the
//! union still counts them once. Shard 0 holds the tokens and the change log and checks them;
//! the others hold settings, a copy of the salt and records.
//!
//! A leave update is the one beacon that goes by what it refers to: to the shard that counted
//! the leave it replaces, since only that shard can take the leave's figures back. A visitor
//! whose address changed between the leave and its update is another shard's visitor by then.

use std::cell::RefCell;
use std::collections::HashMap;

use futures_util::future::join_all;
use sha2::{Digest, Sha256};
use tacit_aggregate::settings::SiteSettings;
use tacit_aggregate::Day;
use tacit_beacon::SiteId;
use tacit_report::stored_range::{EncodedPage, PartRecords, RecordsNeeded};
use tacit_report::MergedRange;
use worker::{Date, Env, Method, Request, RequestInit};

use crate::access::Credential;
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::held_ranges::HeldRanges;
use crate::shard::protocol::{
    ClosedPart, GetSite, HeldClosed, RangeQuery, Records, ShardMessage, ShardRange, ShardRanges,
    ShardRecords, SyncSettings, WasLeaveCounted, WireAnswer,
};

/// The binding name of the `SiteShard` namespace in `wrangler.toml`.
const SITE_SHARD_BINDING: &str = "SITE_SHARD";

/// How long a worker trusts its copy of a site's shard count.
const SHARD_COUNT_TTL_MS: f64 = 10_000.0;

thread_local! {
    /// Shard counts by site, with when they were read: one lookup per site per isolate per TTL.
    static SHARD_COUNTS: RefCell<HashMap<SiteId, (u32, f64)>> = RefCell::new(HashMap::new());
    /// Sharded sites' closed days merged, for the reads that follow.
    static HELD_RANGES: RefCell<HeldRanges> = RefCell::default();
}

/// Sends `message` to shard `index` of `site` and returns its answer, or the error it answered
/// with.
pub async fn ask<M: ShardMessage>(
    env: &Env,
    site: &SiteId,
    index: u32,
    message: &M,
) -> AppResult<M::Answer> {
    let stub = env.durable_object(SITE_SHARD_BINDING)?.get_by_name(&shard_name(site, index))?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(serde_json::to_string(message)?.into()));
    let request = Request::new_with_init(&format!("https://shard{}", M::PATH), &init)?;
    let mut response = stub.fetch_with_request(request).await?;
    let status = response.status_code();
    if (200..300).contains(&status) {
        return M::Answer::from_body(&response.bytes().await?);
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

/// The Durable Object name of shard `index` of `site`: the site id for the first (which holds
/// the tokens and the change log), `<site>.<index>` for the others ('.' is not in a site id).
fn shard_name(site: &SiteId, index: u32) -> String {
    if index == 0 {
        site.to_string()
    } else {
        format!("{site}.{index}")
    }
}

/// The site's settings, from its first shard (which answers 404 for a site that does not exist).
pub async fn settings(env: &Env, site: &SiteId) -> AppResult<SiteSettings> {
    let view = ask(env, site, 0, &GetSite { site: site.clone() }).await?;
    remember(site, view.settings.shards);
    Ok(view.settings)
}

/// How many shards `site` has; 404 when the site does not exist.
pub async fn shard_count(env: &Env, site: &SiteId) -> AppResult<u32> {
    let now = Date::now().as_millis() as f64;
    let cached = SHARD_COUNTS.with(|counts| counts.borrow().get(site).copied());
    if let Some((count, _)) = cached.filter(|(_, read_at)| now - read_at < SHARD_COUNT_TTL_MS) {
        return Ok(count);
    }
    Ok(settings(env, site).await?.shards)
}

fn remember(site: &SiteId, count: u32) {
    let now = Date::now().as_millis() as f64;
    SHARD_COUNTS.with(|counts| counts.borrow_mut().insert(site.clone(), (count, now)));
}

/// Forgets the shard count and the closed days held of a deleted site.
pub fn forget(site: &SiteId) {
    SHARD_COUNTS.with(|counts| counts.borrow_mut().remove(site));
    HELD_RANGES.with(|ranges| ranges.borrow_mut().forget(site));
}

/// The shard of the visitor at `ip` with `user_agent`, of `count`.
pub fn shard_for(count: u32, ip: &str, user_agent: &str) -> u32 {
    if count <= 1 {
        return 0;
    }
    let mut hasher = Sha256::new();
    for field in [ip, user_agent] {
        hasher.update((field.len() as u64).to_le_bytes());
        hasher.update(field.as_bytes());
    }
    let digest = hasher.finalize();
    let bits = u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"));
    (bits % u64::from(count)) as u32
}

/// The shard for an update of the leave with beacon id `leave` from a visitor of shard
/// `visitors`: the one of `count` that counted that leave today. The visitor's own is asked
/// first (their address seldom changes within a page view), then the others at once. When none
/// counted it (the leave was lost, or kept to the consent tally), the visitor's, where the
/// update then counts as a leave of its own.
pub async fn shard_of_leave(
    env: &Env,
    site: &SiteId,
    count: u32,
    leave: u64,
    visitors: u32,
) -> AppResult<u32> {
    let query = &WasLeaveCounted { site: site.clone(), id: leave };
    let counted = |index: u32| async move {
        AppResult::Ok(ask(env, site, index, query).await?.then_some(index))
    };
    if counted(visitors).await?.is_some() {
        return Ok(visitors);
    }
    let others = (0..count).filter(|&index| index != visitors).map(counted);
    for answer in join_all(others).await {
        if let Some(index) = answer? {
            return Ok(index);
        }
    }
    Ok(visitors)
}

/// Gives shards 1.. of the site its current settings (after a create or a change).
pub async fn sync_settings(env: &Env, site: &SiteId, settings: &SiteSettings) -> AppResult<()> {
    remember(site, settings.shards);
    for index in 1..settings.shards {
        let message = SyncSettings { site: site.clone(), settings: settings.clone(), index };
        ask(env, site, index, &message).await?;
    }
    Ok(())
}

/// The merged records of each of `ranges` (a report's, and the period it is compared with)
/// over a site's `count` shards, with the segments `needed` names (see [`RecordsNeeded`]), all
/// asked at once, each shard once: shard 0 as `credential` (a viewer token, or the worker
/// itself for a public summary), which it checks, the others as the worker itself. Shard 0's
/// refusal is the answer, whatever the others said; any other shard's failure fails the whole
/// read ([`AppError::Unavailable`]): never a silently partial summary. Visitors are routed to
/// one shard by their address and browser, so the shards' visitor sketches hold disjoint sets
/// and their union is exact up to the sketch's own error.
///
/// A range's closed days, merged over the shards, are held for the next read of the range
/// (see [`crate::held_ranges`]): then only its open days' records cross and are merged.
pub async fn merged_ranges(
    env: &Env,
    site: &SiteId,
    count: u32,
    credential: &Credential,
    ranges: &[(Day, Day)],
    needed: &RecordsNeeded,
) -> AppResult<Vec<MergedRange>> {
    let count = count.max(1);
    // The shards' clocks decide which days are closed; where the worker's disagrees (about
    // midnight), nothing is held for that end and every shard sends its closed days.
    let yesterday = Day::from_unix_ms(Clock::from_env(env).now_ms()).add_days(-1);
    let held: Vec<Option<Vec<HeldClosed>>> = ranges
        .iter()
        .map(|&(from, to)| {
            let closed = (from, to.min(yesterday));
            HELD_RANGES.with(|held| held.borrow().held(site, closed, needed, count as usize))
        })
        .collect();
    let ask_ranges = |index: u32, queries: Vec<RangeQuery>| {
        let credential = if index == 0 { credential.clone() } else { Credential::Admin };
        let asked = queries.len();
        let query =
            Records { site: site.clone(), credential, ranges: queries, needed: needed.clone() };
        async move {
            let ShardRanges(answers) =
                ask(env, site, index, &query).await.map_err(|error| failed(site, index, error))?;
            if answers.len() != asked {
                return Err(failed(
                    site,
                    index,
                    AppError::Internal("other ranges than asked".into()),
                ));
            }
            Ok(answers)
        }
    };
    let asks = (0..count).map(|index| {
        let query = |(&(from, to), held): (&(Day, Day), &Option<Vec<HeldClosed>>)| RangeQuery {
            from,
            to,
            held_closed: held.as_ref().map(|held| held[index as usize]),
        };
        ask_ranges(index, ranges.iter().zip(&held).map(query).collect())
    });
    // Shard 0's refusal comes first.
    let answers = join_all(asks).await.into_iter().collect::<AppResult<Vec<_>>>()?;
    let mut by_range: Vec<Vec<ShardRange>> = ranges.iter().map(|_| Vec::new()).collect();
    for shard in answers {
        for (range, answer) in shard.into_iter().enumerate() {
            by_range[range].push(answer);
        }
    }
    let mut merged = Vec::with_capacity(ranges.len());
    for ((&(from, to), held), mut answers) in ranges.iter().zip(held).zip(by_range) {
        // Held records are used when every shard left its closed days out as held, and they are
        // still held (another read may have made room since).
        let every_one_held = answers.iter().all(ShardRange::closed_held);
        let held = held.filter(|held| {
            every_one_held
                && HELD_RANGES
                    .with(|ranges| ranges.borrow_mut().get(site, from, needed, held).is_some())
        });
        if held.is_none() {
            // Those that left their closed days out are asked for their records of the range
            // again, whole: each shard's closed and open days come from one answer.
            let again = answers.iter().enumerate().filter(|(_, answer)| answer.closed_held());
            let again = again.map(|(index, _)| {
                let query = vec![RangeQuery { from, to, held_closed: None }];
                async move { (index, ask_ranges(index as u32, query).await) }
            });
            for (index, answer) in join_all(again.collect::<Vec<_>>()).await {
                answers[index] = answer?.pop().expect("one range, as asked");
            }
        }
        let mut open = ShardRecords::default();
        for answer in &mut answers {
            open.merge(std::mem::take(&mut answer.open));
        }
        let open = open.part_records(needed).map_err(|error| unreadable(site, error))?;
        let read = match held {
            Some(held) => HELD_RANGES.with(|ranges| {
                let mut ranges = ranges.borrow_mut();
                let closed = ranges.get(site, from, needed, &held).expect("held, just checked");
                // Into today's records: those held stay as they are, for the next read.
                open.merge(closed)
            }),
            None => match closed_records(site, from, needed, answers)? {
                Some(closed) => closed.merge(&open),
                None => open,
            },
        };
        // Decided once every part of the range is in: which pages' segments a report needs
        // may depend on their records merged over every shard and day.
        let read = read.finish(needed).map_err(|error| unreadable(site, error))?;
        merged.push(read.into_merged(from, to));
    }
    Ok(merged)
}

/// The closed days' records the shards sent, merged; held for the next read when every shard
/// has closed days, and the same ones.
fn closed_records(
    site: &SiteId,
    from: Day,
    needed: &RecordsNeeded,
    answers: Vec<ShardRange>,
) -> AppResult<Option<PartRecords>> {
    let shards = answers.len();
    let closed: Vec<ClosedPart> = answers.into_iter().filter_map(|answer| answer.closed).collect();
    if closed.is_empty() {
        return Ok(None);
    }
    let every_shard = closed.len() == shards;
    let versions: Vec<HeldClosed> = closed.iter().map(|part| part.held).collect();
    let mut merged = ShardRecords::default();
    for part in closed {
        merged.merge(part.records.ok_or_else(|| {
            AppError::Internal("a shard left out closed days it was asked for".into())
        })?);
    }
    let bytes = merged.pages.iter().map(EncodedPage::bytes).sum();
    let records = merged.part_records(needed).map_err(|error| unreadable(site, error))?;
    if every_shard && versions.iter().all(|held| held.to == versions[0].to) {
        HELD_RANGES.with(|ranges| {
            ranges.borrow_mut().keep(site, from, needed, versions, records.clone(), bytes)
        });
    }
    Ok(Some(records))
}

/// A shard's records that do not decode: the read cannot be answered.
fn unreadable(site: &SiteId, error: impl std::fmt::Debug) -> AppError {
    AppError::Unavailable(format!("the records of {site}'s shards: {error:?}"))
}

/// A shard's failure, as the read's: shard 0's refusal (a wrong token, an unknown site) is the
/// answer; anything else makes the site's records unavailable.
fn failed(site: &SiteId, index: u32, error: AppError) -> AppError {
    match error {
        error if index == 0 && !matches!(error, AppError::Internal(_)) => error,
        error => AppError::Unavailable(format!("shard {index} of {site}: {error:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_visitor_keeps_one_shard_and_one_shard_takes_everyone() {
        assert_eq!(shard_for(1, "203.0.113.9", "Firefox"), 0);
        assert_eq!(shard_for(0, "203.0.113.9", "Firefox"), 0);
        for count in [2, 3, 4, 64] {
            let shard = shard_for(count, "203.0.113.9", "Firefox");
            assert!(shard < count);
            assert_eq!(shard_for(count, "203.0.113.9", "Firefox"), shard, "the same every time");
        }
        // The fields are length-prefixed: moving a byte from one to the other is another visitor.
        assert_ne!(shard_for(64, "1.2.3.4", "5"), shard_for(64, "1.2.3.", "45"));
    }

    #[test]
    fn visitors_spread_evenly_over_the_shards() {
        let count = 4;
        let mut per_shard = [0u32; 4];
        for visitor in 0..4000 {
            let ip = format!("198.51.100.{}", visitor % 250);
            per_shard[shard_for(count, &ip, &format!("agent {visitor}")) as usize] += 1;
        }
        // 1,000 expected per shard; the standard deviation is about 27, and 150 is over 5 of them.
        for visitors in per_shard {
            assert!((850..=1150).contains(&visitors), "{per_shard:?}");
        }
    }

    #[test]
    fn the_first_shard_is_named_after_the_site_and_the_others_after_their_index() {
        let site = SiteId::parse("demo").unwrap();
        assert_eq!(shard_name(&site, 0), "demo");
        assert_eq!(shard_name(&site, 3), "demo.3");
    }
}
