//! A site split across N shards (its `shards` setting): which shard a beacon goes to, keeping
//! the further shards' settings in step, and merging the shards' records at read time.
//!
//! A visitor always goes to the same shard (a hash of IP address and user agent, computed in
//! memory and reduced to a shard index), so each shard counts its own visitors and the union of
//! the shards' sketches counts each visitor once. Every shard hashes with the day's salt of
//! shard 0, so a visitor whom a raised shard count sends to another shard mid-day is still the
//! same hash there, and the union still counts them once. Shard 0 holds the tokens, the change
//! log and answers auth; the others hold settings, a copy of the salt and records.
//!
//! A leave update is the one beacon that goes by what it refers to: to the shard that counted
//! the leave it replaces, since only that shard can take the leave's figures back. A visitor
//! whose address changed between the leave and its update is another shard's visitor by then.

use std::cell::RefCell;
use std::collections::HashMap;

use futures_util::future::join_all;
use sha2::{Digest, Sha256};
use tacit_aggregate::codec::{decode_page_day, decode_site_day, CodecError};
use tacit_aggregate::settings::SiteSettings;
use tacit_aggregate::{Day, PageDay, SiteDay};
use tacit_beacon::SiteId;
use tacit_report::MergedRange;
use worker::{Date, Env};

use crate::error::{AppError, AppResult};
use crate::shard_client;
use crate::site_shard::protocol::{
    Credential, LeaveAnswer, LeaveQuery, Records, RecordsQuery, Role, SiteRequest, SiteView,
    SyncSettings, COUNTED_LEAVE, GET_SITE, RECORDS, SYNC_SETTINGS,
};
use crate::tokens::unhex;

/// How long a worker trusts its copy of a site's shard count.
const SHARD_COUNT_TTL_MS: f64 = 10_000.0;

thread_local! {
    /// Shard counts by site, with when they were read: one lookup per site per isolate per TTL.
    static SHARD_COUNTS: RefCell<HashMap<SiteId, (u32, f64)>> = RefCell::new(HashMap::new());
}

/// How many shards `site` has; 404 when the site does not exist.
pub async fn shard_count(env: &Env, site: &SiteId) -> AppResult<u32> {
    let now = Date::now().as_millis() as f64;
    let cached = SHARD_COUNTS.with(|counts| counts.borrow().get(site).copied());
    if let Some((count, _)) = cached.filter(|(_, read_at)| now - read_at < SHARD_COUNT_TTL_MS) {
        return Ok(count);
    }
    let request =
        SiteRequest { site: site.clone(), credential: Credential::Admin, role: Role::Auditor };
    let view: SiteView = shard_client::ask(env, site, GET_SITE, &request).await?;
    remember(site, view.settings.shards);
    Ok(view.settings.shards)
}

fn remember(site: &SiteId, count: u32) {
    let now = Date::now().as_millis() as f64;
    SHARD_COUNTS.with(|counts| counts.borrow_mut().insert(site.clone(), (count, now)));
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
    let query = &LeaveQuery { site: site.clone(), id: leave };
    let counted = |index: u32| async move {
        let answer: LeaveAnswer =
            shard_client::ask_shard(env, site, index, COUNTED_LEAVE, query).await?;
        AppResult::Ok(answer.counted.then_some(index))
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
        shard_client::send_to(env, site, index, SYNC_SETTINGS, &message).await?;
    }
    Ok(())
}

/// Forgets the shard count of a deleted site.
pub fn forget(site: &SiteId) {
    SHARD_COUNTS.with(|counts| counts.borrow_mut().remove(site));
}

/// The merged records of `from..=to` over a site's `count` shards: shard 0 checks
/// `credential` (a viewer token, or the worker itself for a public summary), the others are
/// asked as the worker itself. Visitors are routed to one shard by their
/// address and browser, so the shards' visitor sketches hold disjoint sets and their union is
/// exact up to the sketch's own error.
pub async fn merged_range(
    env: &Env,
    site: &SiteId,
    count: u32,
    credential: &Credential,
    from: Day,
    to: Day,
) -> AppResult<MergedRange> {
    let mut pages: Vec<(String, PageDay)> = Vec::new();
    let mut site_days: Vec<(Day, SiteDay)> = Vec::new();
    for index in 0..count {
        let credential = if index == 0 {
            credential.clone()
        } else {
            // Shard 0 has checked the credential.
            Credential::Admin
        };
        let query = RecordsQuery { site: site.clone(), credential, from, to };
        let records: Records = shard_client::ask_shard(env, site, index, RECORDS, &query).await?;
        for (path, hex) in records.pages {
            pages.push((path, decode(index, &hex, decode_page_day)?));
        }
        for (day, hex) in records.site_days {
            site_days.push((day, decode(index, &hex, decode_site_day)?));
        }
    }
    Ok(MergedRange::new(from, to, pages, site_days))
}

/// The site's settings, from its first shard.
pub async fn settings(env: &Env, site: &SiteId) -> AppResult<SiteSettings> {
    let request =
        SiteRequest { site: site.clone(), credential: Credential::Admin, role: Role::Auditor };
    let view: SiteView = shard_client::ask(env, site, GET_SITE, &request).await?;
    Ok(view.settings)
}

fn decode<T>(index: u32, hex: &str, decode: fn(&[u8]) -> Result<T, CodecError>) -> AppResult<T> {
    let bytes = unhex(hex).ok_or_else(|| AppError::Internal("record is not hex".into()))?;
    decode(&bytes).map_err(|e| AppError::Internal(format!("record of shard {index}: {e}")))
}
