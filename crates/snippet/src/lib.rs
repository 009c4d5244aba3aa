//! tacit's browser plugin, loaded by `www/loader.js` (served as `/t.js`).
//!
//! On start it captures the page view — the scrubbed path, its campaign tags, and either the
//! external referrer host or the previous page of this site — and sends it to the edge with `navigator.sendBeacon`, which neither blocks the page nor
//! delays its unloading. Browsers driven by automation (`navigator.webdriver`) and known bot
//! user agents send nothing.
//!
//! All decisions (scrubbing, what counts as an external referrer, the beacon's JSON) are made
//! by `tacit_core`; this crate only reads the browser and sends. It never throws into the host
//! page: every failure ends the capture quietly.

use tacit_core::agent::is_bot;
use tacit_core::consent::ConsentState;
use tacit_core::scrub::{external_referrer_host, same_site_previous_path, scrub_url};
use tacit_core::{Beacon, BeaconBody, PageView, SiteId};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;
use web_sys::NavigatorAutomationInformation;

/// Sends the current page view of `site` to `endpoint` (the edge's `/e`).
#[wasm_bindgen]
pub fn start(site: &str, endpoint: &str) {
    // Nothing to report to the host page: a failed capture must not break it.
    let _ = send_page_view(site, endpoint);
}

fn send_page_view(site: &str, endpoint: &str) -> Option<()> {
    let window = web_sys::window()?;
    let navigator = window.navigator();
    let automated = navigator.unchecked_ref::<NavigatorAutomationInformation>().webdriver();
    if automated || is_bot(&navigator.user_agent().ok()?) {
        return None;
    }
    let location = window.location();
    let hostname = location.hostname().ok()?;
    let referrer = window.document()?.referrer();
    let url = scrub_url(&location.href().ok()?, None);
    let beacon = Beacon {
        site: SiteId::parse(site).ok()?,
        id: None,
        consent: ConsentState::default(),
        body: BeaconBody::View(PageView {
            path: url.path,
            referrer: external_referrer_host(&referrer, &hostname),
            previous: same_site_previous_path(&referrer, &hostname),
            utm: url.utm,
            viewport: None,
            language: None,
        }),
    };
    navigator.send_beacon_with_opt_str(endpoint, Some(&beacon.to_json())).ok()?.then_some(())
}
