//! `POST /e`: a beacon in, validated, reduced and handed to its site's shard, `202 Accepted`
//! out.
//!
//! The worker cuts what no site may count before anything leaves it: a bot's beacon becomes
//! the dropped count, a beacon no consent mode admits ([`admit`] under `exempt`, which admits
//! the most) its consent state alone, so that its page, referrer and country never reach the
//! shard. The shard admits again under the site's own mode, which may admit less.

use tacit_aggregate::journal::Addition;
use tacit_aggregate::segments::SegmentKey;
use tacit_beacon::admission::{admit, tally_change, HeaderSignals, TallyChange};
use tacit_beacon::agent::{is_bot_request, reduce};
use tacit_beacon::consent::ConsentMode;
use tacit_beacon::signal::{CountryCode, Language, Leave, View};
use tacit_beacon::{Beacon, BeaconBody, BeaconError, BeaconId, ViewBeacon, MAX_BEACON_BYTES};
use wasm_bindgen::JsValue;
use worker::{Env, Headers, Request, Response};

use crate::cf::CfFacts;
use crate::error::AppResult;
use crate::shard::protocol::{Client, Ingest, ReplacedLeave};
use crate::shard_client;

/// Validates the beacon in `req` and has the site's shard count it.
pub async fn beacon(mut req: Request, env: &Env) -> AppResult<Response> {
    check_announced_length(req.headers().get("Content-Length")?.as_deref())?;
    let beacon = Beacon::parse(&req.bytes().await?)?;
    let request = RequestFacts::of(&req)?;
    let bot = request.is_bot();
    if adds_nothing(&beacon, bot) {
        // Answered like any beacon: a bot learns nothing from the edge's answer.
        return Ok(Response::empty()?.with_status(202));
    }
    let message = ingest_message(beacon, request, bot)?;
    let site = &message.site;
    let count = shard_client::shard_count(env, site).await?;
    let visitors = shard_client::shard_for(count, &message.client.ip, &message.client.user_agent);
    let shard = match &message.replaces {
        Some(replaced) if count > 1 && matches!(message.addition, Addition::LeaveUpdate { .. }) => {
            shard_client::shard_of_leave(env, site, count, replaced.id, visitors).await?
        }
        _ => visitors,
    };
    shard_client::ask(env, site, shard, &message).await?;
    Ok(Response::empty()?.with_status(202))
}

/// Refuses a body whose announced length is over the limit before reading it (a length that
/// is no number announces nothing: the body is then measured as it is parsed).
fn check_announced_length(content_length: Option<&str>) -> Result<(), BeaconError> {
    match content_length.and_then(|len| len.trim().parse::<usize>().ok()) {
        Some(len) if len > MAX_BEACON_BYTES => Err(BeaconError::TooLarge { len }),
        _ => Ok(()),
    }
}

/// What the worker reads of a beacon's request besides its body.
struct RequestFacts {
    /// `CF-Connecting-IP`.
    ip: String,
    user_agent: String,
    accept_language: Option<String>,
    /// The country and the bot signals of Cloudflare's `cf` object.
    cf: CfFacts,
    origin: Option<String>,
    headers: HeaderSignals,
}

impl RequestFacts {
    fn of(req: &Request) -> AppResult<RequestFacts> {
        let headers = req.headers();
        Ok(RequestFacts {
            ip: headers.get("CF-Connecting-IP")?.unwrap_or_default(),
            user_agent: headers.get("User-Agent")?.unwrap_or_default(),
            accept_language: headers.get("Accept-Language")?,
            // `cf` as the runtime gave it: `Request::cf` offers no way to read it whole.
            cf: CfFacts::read(
                js_sys::Reflect::get(req.inner(), &"cf".into()).unwrap_or(JsValue::UNDEFINED),
            ),
            origin: headers.get("Origin")?,
            headers: HeaderSignals {
                gpc: is_set(headers, "Sec-GPC")?,
                dnt: is_set(headers, "DNT")?,
            },
        })
    }

    /// The country of the request's address, when Cloudflare knows it.
    fn country(&self) -> Option<CountryCode> {
        self.cf.country.as_deref().and_then(CountryCode::parse)
    }

    /// Whether the request comes from a bot, by its user agent or by Cloudflare's detection.
    fn is_bot(&self) -> bool {
        is_bot_request(&self.user_agent, self.cf.bot_management)
    }
}

fn is_set(headers: &Headers, name: &str) -> AppResult<bool> {
    Ok(says_one(headers.get(name)?.as_deref()))
}

/// Whether an opt-out header says `1`, the one value that opts out.
fn says_one(value: Option<&str>) -> bool {
    value.is_some_and(|value| value.trim() == "1")
}

/// Whether `beacon` adds nothing at all: a bot's beacon other than its page view. A bot's page
/// view counts once in the dropped count, so that the count is of page views, not of beacons (a
/// bot's leave would count the same view again); the snippet's `dropped` beacon stands for the
/// view a bot it recognised did not send. `bot`: whether the request comes from a bot.
fn adds_nothing(beacon: &Beacon, bot: bool) -> bool {
    bot && !matches!(beacon.body, BeaconBody::View(_) | BeaconBody::Dropped)
}

/// The shard's message for `beacon`, sent with `request` (from a bot if `bot`): what it may
/// add, and the visitor's address and browser for one hash in the shard.
fn ingest_message(beacon: Beacon, request: RequestFacts, bot: bool) -> AppResult<Ingest> {
    let bot = bot || beacon.body == BeaconBody::Dropped;
    // A bot's beacon adds to the dropped count only, whatever its consent.
    let tally = if bot { TallyChange::default() } else { tally_change(&beacon, request.headers) };
    let Beacon { site, id, consent, body, .. } = beacon;
    let replaces = match &body {
        BeaconBody::LeaveUpdate { after_ms, replaced_id, .. } => {
            let id = replaced_id.ok_or(BeaconError::MissingField("replaces.id"))?;
            Some(ReplacedLeave { after_ms: *after_ms, id: id.as_u64() })
        }
        _ => None,
    };
    let addition = if bot {
        // Answered like any beacon: a bot learns nothing from the edge's answer.
        Addition::BotDropped
    } else {
        let addition = match body {
            BeaconBody::View(page) => {
                let view = reduce_view(&request, &page);
                match page.bare {
                    Some(cause) => Addition::BarePageView { path: page.path, view, cause },
                    None => Addition::PageView { path: page.path, view },
                }
            }
            BeaconBody::Leave { path, leave } => {
                let segments = leave_segments(&request, &leave);
                Addition::Leave { path, leave, segments }
            }
            BeaconBody::LeaveUpdate { path, leave, replaced, .. } => {
                let segments = leave_segments(&request, &leave);
                Addition::LeaveUpdate { path, replaced, leave, segments }
            }
            BeaconBody::Event { path, event } => Addition::Event { path, event },
            BeaconBody::Funnel(reached) => {
                let device = reduce(&request.user_agent).device;
                let segments = SegmentKey::of_funnel(&reached.entry, device, request.country());
                Addition::FunnelStep { funnel: reached.funnel, step: reached.step, segments }
            }
            BeaconBody::Consent | BeaconBody::Dropped => Addition::ConsentOnly,
        };
        addition.admitted(admit(consent, request.headers, ConsentMode::Exempt).adds)
    };
    Ok(Ingest {
        site,
        origin: request.origin,
        id: id.map(BeaconId::as_u64),
        client: Client { ip: request.ip, user_agent: request.user_agent },
        consent,
        headers: request.headers,
        tally,
        addition,
        replaces,
    })
}

/// The segments a leave counts in: its view's, which it repeats, on the device class of its
/// request's user agent when the snippet sent no viewport class, in its request's country.
fn leave_segments(request: &RequestFacts, leave: &Leave) -> SegmentKey {
    SegmentKey::of_leave(leave, reduce(&request.user_agent).device, request.country())
}

/// What is kept of a page view and its request: the user agent becomes a browser family and
/// device class (the snippet's viewport class wins), the IP address a country, and the
/// request's first language stands in for one the snippet did not send.
fn reduce_view(request: &RequestFacts, page: &ViewBeacon) -> View {
    let agent = reduce(&request.user_agent);
    View {
        referrer: page.referrer.clone(),
        previous: page.previous.clone(),
        utm: page.utm.clone(),
        search_term: page.search_term.clone(),
        browser: agent.browser,
        device: page.viewport.unwrap_or(agent.device),
        country: request.country(),
        language: page.language.or_else(|| {
            request
                .accept_language
                .as_deref()
                .and_then(|tags| Language::from_tag(tags.trim_start()))
        }),
        entry: page.entry(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tacit_beacon::agent::CloudflareBotManagement;

    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    fn request() -> RequestFacts {
        RequestFacts {
            ip: "203.0.113.9".into(),
            user_agent: FIREFOX.into(),
            accept_language: Some("de-CH,de;q=0.9".into()),
            cf: CfFacts { country: Some("CH".into()), ..CfFacts::default() },
            origin: Some("https://example.com".into()),
            headers: HeaderSignals::NONE,
        }
    }

    fn message(body: &str, request: RequestFacts) -> AppResult<Ingest> {
        let bot = request.is_bot();
        ingest_message(Beacon::parse(body.as_bytes()).unwrap(), request, bot)
    }

    #[test]
    fn an_oversized_body_is_refused_by_its_announced_length() {
        assert!(check_announced_length(None).is_ok());
        assert!(check_announced_length(Some("12")).is_ok());
        assert!(check_announced_length(Some(&MAX_BEACON_BYTES.to_string())).is_ok());
        let over = (MAX_BEACON_BYTES + 1).to_string();
        assert!(matches!(check_announced_length(Some(&over)), Err(BeaconError::TooLarge { .. })));
        assert!(check_announced_length(Some("lots")).is_ok(), "measured as it is read instead");
    }

    #[test]
    fn only_a_one_opts_out() {
        assert!(says_one(Some("1")));
        assert!(says_one(Some(" 1 ")));
        for value in [None, Some("0"), Some(""), Some("yes"), Some("11")] {
            assert!(!says_one(value), "{value:?}");
        }
    }

    #[test]
    fn a_page_view_is_reduced_to_browser_device_country_and_language() {
        let message =
            message(r#"{"site":"demo","path":"/a","referrer":"news.example.org"}"#, request());
        let Ok(Ingest { addition: Addition::PageView { path, view }, client, origin, .. }) =
            message
        else {
            panic!("a view: {message:?}", message = message.map(|m| m.addition))
        };
        assert_eq!(path, "/a");
        assert_eq!(view.referrer.as_deref(), Some("news.example.org"));
        assert_eq!(view.country, CountryCode::parse("CH"));
        assert_eq!(view.language, Language::from_tag("de-CH"));
        assert_eq!(view.browser, reduce(FIREFOX).browser);
        // The address and browser go to the shard for the visitor hash, and nowhere else.
        assert_eq!((client.ip.as_str(), client.user_agent.as_str()), ("203.0.113.9", FIREFOX));
        assert_eq!(origin.as_deref(), Some("https://example.com"));
    }

    #[test]
    fn a_bot_or_a_dropped_beacon_adds_only_to_the_dropped_count() {
        let bot = RequestFacts { user_agent: "Googlebot/2.1".into(), ..request() };
        let addition = message(r#"{"site":"demo","path":"/a"}"#, bot).unwrap().addition;
        assert_eq!(addition, Addition::BotDropped);
        let dropped = message(r#"{"site":"demo","type":"dropped"}"#, request()).unwrap().addition;
        assert_eq!(dropped, Addition::BotDropped);
    }

    // Issue 18: a bot's leave counted the bot's view in the dropped count a second time.
    #[test]
    fn only_a_bots_page_view_counts_as_dropped() {
        let parse = |body: &str| Beacon::parse(body.as_bytes()).unwrap();
        assert!(!adds_nothing(&parse(r#"{"site":"demo","path":"/a"}"#), true));
        assert!(!adds_nothing(&parse(r#"{"site":"demo","type":"dropped"}"#), false));
        let leave = r#"{"site":"demo","type":"leave","path":"/a","engaged_ms":4000}"#;
        assert!(adds_nothing(&parse(leave), true));
        assert!(!adds_nothing(&parse(leave), false), "a person's leave counts");
        let event =
            r#"{"site":"demo","type":"event","path":"/a","event":{"kind":"form","form":"f"}}"#;
        assert!(adds_nothing(&parse(event), true));
    }

    // Issue 17: the edge's bot decision uses Cloudflare's detection beside the user agent.
    #[test]
    fn a_browser_cloudflare_takes_for_a_bot_counts_as_a_dropped_bot_page_view() {
        let cloudflare = |verified_bot, score| RequestFacts {
            cf: CfFacts {
                country: Some("CH".into()),
                bot_management: CloudflareBotManagement { verified_bot, score },
            },
            ..request()
        };
        let view = r#"{"site":"demo","path":"/a"}"#;
        for bot in [cloudflare(true, None), cloudflare(false, Some(12))] {
            assert!(bot.is_bot(), "a {FIREFOX} request");
            assert_eq!(message(view, bot).unwrap().addition, Addition::BotDropped);
        }
        let person = cloudflare(false, Some(87));
        assert!(!person.is_bot());
        assert!(matches!(message(view, person).unwrap().addition, Addition::PageView { .. }));
        assert!(!request().is_bot(), "no Bot Management: the user agent decides");
        assert!(RequestFacts { user_agent: "Googlebot/2.1".into(), ..request() }.is_bot());
    }

    #[test]
    fn an_opt_out_header_keeps_the_page_in_the_worker() {
        let gpc = RequestFacts { headers: HeaderSignals { gpc: true, dnt: false }, ..request() };
        let message = message(r#"{"site":"demo","path":"/a"}"#, gpc).unwrap();
        assert_eq!(message.addition, Addition::ConsentOnly);
        // The shard tallies the state after the header, from these.
        assert!(message.headers.gpc);
    }

    #[test]
    fn a_leave_update_names_the_leave_it_replaces() {
        let figures = r#""engaged_ms":4000,"scroll_pct":30"#;
        let update = |id: &str| {
            format!(
                r#"{{"site":"demo","type":"leave","path":"/a","engaged_ms":9000,"scroll_pct":60,"replaces":{{{id}"after_ms":1500,{figures}}}}}"#
            )
        };
        let named = message(&update(r#""id":"00000000000000ff","#), request()).unwrap();
        let replaced = named.replaces.expect("the replaced leave");
        assert_eq!((replaced.id, replaced.after_ms), (0xff, 1500));
        assert!(matches!(named.addition, Addition::LeaveUpdate { .. }));
        assert!(message(&update(""), request()).is_err(), "an update without the leave's id");
    }
}
