//! Which pages of other origins may read the edge's answers (CORS). Any page may post beacons;
//! the pages of the origins a site lists in its `cors_origins` setting may read its viewer API
//! (summary, pages, page, insights) with the viewer token, a dashboard on another origin.
//! Nothing else answers another origin: not the admin API, not the auditor's routes, not the
//! HTML pages.

use worker::{Env, Request, Response, Result};

use crate::admin::known_site;
use crate::error::AppResult;
use crate::shard_client;

/// How long a browser may keep a preflight's answer: a site's list can change, so not long.
const PREFLIGHT_MAX_AGE_SECONDS: &str = "600";

/// Any site may post beacons. Beacons carry no credentials, so `*` is enough, and the answer
/// (including an error status) is readable by a `fetch` fallback.
pub fn beacon_cors(response: Response) -> Result<Response> {
    let headers = response.headers();
    headers.set("Access-Control-Allow-Origin", "*")?;
    headers.set("Access-Control-Allow-Methods", "POST, OPTIONS")?;
    headers.set("Access-Control-Allow-Headers", "Content-Type")?;
    headers.set("Access-Control-Max-Age", "86400")?;
    headers.set("Access-Control-Expose-Headers", "Retry-After")?;
    Ok(response)
}

/// The request's `Origin`, when `site` lists it in `cors_origins`. A site that cannot be read
/// (unknown, or its shard not answering) lists none: the answer goes out without CORS headers,
/// and the browser keeps it from the page.
pub async fn listed_origin(req: &Request, env: &Env, site: &str) -> Option<String> {
    let origin = req.headers().get("Origin").ok().flatten()?;
    let site = known_site(site).ok()?;
    let settings = shard_client::settings(env, &site).await.ok()?;
    settings.allows_origin(&origin).then_some(origin)
}

/// A viewer route's answer, readable by the page of `listed` (see [`listed_origin`]).
pub fn viewer_read(response: Response, listed: Option<&str>) -> Result<Response> {
    set_all(&response, &viewer_headers(listed, Exchange::Read))?;
    Ok(response)
}

/// `OPTIONS` on a viewer route: the preflight a browser sends before a read that carries the
/// `Authorization` header. `204`, with the CORS headers only for a listed origin.
pub async fn viewer_preflight(req: &Request, env: &Env, site: &str) -> AppResult<Response> {
    let listed = listed_origin(req, env, site).await;
    let response = Response::empty()?.with_status(204);
    set_all(&response, &viewer_headers(listed.as_deref(), Exchange::Preflight))?;
    Ok(response)
}

/// Which answer of a cross-origin read the headers are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exchange {
    Preflight,
    Read,
}

/// The headers of a viewer route's answer in `exchange`, for the listed origin of the request
/// if it has one. Every answer varies by `Origin`.
fn viewer_headers(listed: Option<&str>, exchange: Exchange) -> Vec<(&'static str, String)> {
    let mut headers = vec![("Vary", "Origin".to_owned())];
    let Some(origin) = listed else {
        return headers;
    };
    headers.push(("Access-Control-Allow-Origin", origin.to_owned()));
    if exchange == Exchange::Preflight {
        headers.extend([
            ("Access-Control-Allow-Methods", "GET, HEAD".to_owned()),
            ("Access-Control-Allow-Headers", "Authorization".to_owned()),
            ("Access-Control-Max-Age", PREFLIGHT_MAX_AGE_SECONDS.to_owned()),
        ]);
    }
    headers
}

fn set_all(response: &Response, headers: &[(&str, String)]) -> Result<()> {
    for (name, value) in headers {
        response.headers().set(name, value)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names<'a>(headers: &[(&'a str, String)]) -> Vec<&'a str> {
        headers.iter().map(|(name, _)| *name).collect()
    }

    #[test]
    fn a_listed_origin_may_read_with_the_authorization_header_after_a_preflight() {
        let preflight = viewer_headers(Some("https://dash.example"), Exchange::Preflight);
        assert!(preflight.contains(&("Access-Control-Allow-Origin", "https://dash.example".into())));
        assert!(preflight.contains(&("Access-Control-Allow-Headers", "Authorization".into())));
        assert!(preflight.contains(&("Access-Control-Allow-Methods", "GET, HEAD".into())));
        let read = viewer_headers(Some("https://dash.example"), Exchange::Read);
        assert_eq!(names(&read), ["Vary", "Access-Control-Allow-Origin"]);
    }

    #[test]
    fn an_origin_not_listed_gets_no_cors_header_but_every_answer_varies_by_origin() {
        for exchange in [Exchange::Preflight, Exchange::Read] {
            assert_eq!(viewer_headers(None, exchange), [("Vary", "Origin".to_owned())]);
        }
    }
}
