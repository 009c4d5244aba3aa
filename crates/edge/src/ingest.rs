//! `POST /e`: a beacon in, validated and counted, `202 Accepted` out.

use tacit_core::agent::{is_bot, reduce};
use tacit_core::signal::{CountryCode, Language, View};
use tacit_core::{Beacon, BeaconError, MAX_BEACON_BYTES};
use worker::{Env, Request, Response};

use crate::error::AppResult;
use crate::shard_client;
use crate::site_shard::protocol::{BotDropped, PageView, BOT_DROPPED, PAGE_VIEW};

/// Validates the beacon in `req` and has the site's shard count it.
pub async fn page_view(mut req: Request, env: &Env) -> AppResult<Response> {
    // Refuse an announced oversized body before reading it.
    let announced_len =
        req.headers().get("Content-Length")?.and_then(|len| len.parse::<usize>().ok());
    if let Some(len) = announced_len.filter(|&len| len > MAX_BEACON_BYTES) {
        return Err(BeaconError::TooLarge { len }.into());
    }
    let beacon = Beacon::parse(&req.bytes().await?)?;

    // The visitor's address and browser are needed for one hash in the shard, then dropped.
    let headers = req.headers();
    let user_agent = headers.get("User-Agent")?.unwrap_or_default();
    if is_bot(&user_agent) {
        // Answered like any beacon: a bot learns nothing from the edge's answer.
        shard_client::send(
            env,
            &beacon.site,
            BOT_DROPPED,
            &BotDropped { site: beacon.site.clone() },
        )
        .await?;
    } else {
        let agent = reduce(&user_agent);
        let entry = beacon.is_entry();
        let view = View {
            referrer: beacon.referrer,
            previous: beacon.previous,
            utm: beacon.utm,
            search_term: None,
            browser: agent.browser,
            device: agent.device,
            country: req
                .cf()
                .and_then(|cf| cf.country())
                .and_then(|code| CountryCode::parse(&code)),
            language: headers
                .get("Accept-Language")?
                .and_then(|tags| Language::from_tag(tags.trim_start())),
            entry,
        };
        let ip = headers.get("CF-Connecting-IP")?.unwrap_or_default();
        let message = PageView { site: beacon.site, path: beacon.path, ip, user_agent, view };
        shard_client::send(env, &message.site, PAGE_VIEW, &message).await?;
    }
    Ok(Response::empty()?.with_status(202))
}
