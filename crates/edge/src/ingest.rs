//! `POST /e`: a beacon in, validated and counted, `202 Accepted` out.
//!
//! The worker decides what a beacon may add — a bot adds only to the dropped count, an
//! opted-out visitor only to the consent tally — and hands the result to the site's shard.

use crate::{shard_client, shards};
use tacit_aggregate::journal::Signal;
use tacit_beacon::agent::{is_bot, reduce};
use tacit_beacon::consent::ConsentMode;
use tacit_beacon::signal::{CountryCode, Language, View};
use tacit_beacon::{Beacon, BeaconBody, BeaconError, BeaconId, PageView, MAX_BEACON_BYTES};
use worker::{Env, Headers, Request, Response};

use crate::error::AppResult;
use crate::site_shard::protocol::{Client, Ingest, ReplacedLeave, INGEST};

/// Validates the beacon in `req` and has the site's shard count it.
pub async fn beacon(mut req: Request, env: &Env) -> AppResult<Response> {
    // Refuse an announced oversized body before reading it.
    let announced_len =
        req.headers().get("Content-Length")?.and_then(|len| len.parse::<usize>().ok());
    if let Some(len) = announced_len.filter(|&len| len > MAX_BEACON_BYTES) {
        return Err(BeaconError::TooLarge { len }.into());
    }
    let beacon = Beacon::parse(&req.bytes().await?)?;

    let headers = req.headers();
    let user_agent = headers.get("User-Agent")?.unwrap_or_default();
    let consent = beacon
        .consent
        .with_browser_signals(header_is_one(headers, "Sec-GPC")?, header_is_one(headers, "DNT")?);
    let replaces = match &beacon.body {
        BeaconBody::LeaveUpdate { after_ms, replaced_id, .. } => {
            Some(ReplacedLeave { after_ms: *after_ms, id: replaced_id.map(BeaconId::as_u64) })
        }
        _ => None,
    };
    let signal = if is_bot(&user_agent) || beacon.body == BeaconBody::Dropped {
        // Answered like any beacon: a bot learns nothing from the edge's answer.
        Signal::BotDropped
    } else if !ConsentMode::Exempt.admits(consent) {
        // An opt-out counts in no mode, so its IP address and user agent never leave the
        // worker; the shard then applies the site's own mode (opt-in admits even less).
        Signal::ConsentOnly
    } else {
        match beacon.body {
            BeaconBody::View(page) => {
                let view = reduce_view(&req, &user_agent, &page)?;
                if page.bare {
                    Signal::BareView { path: page.path, view }
                } else {
                    Signal::View { path: page.path, view }
                }
            }
            BeaconBody::Leave { path, leave } => Signal::Leave { path, leave },
            BeaconBody::LeaveUpdate { path, leave, replaced, .. } => {
                Signal::LeaveUpdate { path, replaced, leave }
            }
            BeaconBody::Event { path, event } => Signal::Event { path, event },
            BeaconBody::Consent | BeaconBody::Dropped => Signal::ConsentOnly,
        }
    };
    let origin = headers.get("Origin")?;
    // The visitor's address and browser are needed for one hash in the shard, then dropped.
    let client = Client { ip: headers.get("CF-Connecting-IP")?.unwrap_or_default(), user_agent };
    let id = beacon.id.map(BeaconId::as_u64);
    let count = shards::shard_count(env, &beacon.site).await?;
    let visitors = shards::shard_for(count, &client.ip, &client.user_agent);
    let shard = match replaces.as_ref().and_then(|replaced| replaced.id) {
        Some(leave) if count > 1 && matches!(signal, Signal::LeaveUpdate { .. }) => {
            shards::shard_of_leave(env, &beacon.site, count, leave, visitors).await?
        }
        _ => visitors,
    };
    let message = Ingest { site: beacon.site, origin, id, client, consent, signal, replaces };
    shard_client::send_to(env, &message.site, shard, INGEST, &message).await?;
    Ok(Response::empty()?.with_status(202))
}

/// What is kept of a page view and its request: the user agent becomes a browser family and
/// device class (the snippet's viewport class wins), the IP address a country.
fn reduce_view(req: &Request, user_agent: &str, page: &PageView) -> AppResult<View> {
    let agent = reduce(user_agent);
    let accept_language = req.headers().get("Accept-Language")?;
    Ok(View {
        referrer: page.referrer.clone(),
        previous: page.previous.clone(),
        utm: page.utm.clone(),
        search_term: page.search_term.clone(),
        browser: agent.browser,
        device: page.viewport.unwrap_or(agent.device),
        country: req.cf().and_then(|cf| cf.country()).and_then(|code| CountryCode::parse(&code)),
        language: page
            .language
            .or_else(|| accept_language.and_then(|tags| Language::from_tag(tags.trim_start()))),
        entry: page.entry(),
    })
}

fn header_is_one(headers: &Headers, name: &str) -> AppResult<bool> {
    Ok(headers.get(name)?.is_some_and(|value| value.trim() == "1"))
}
