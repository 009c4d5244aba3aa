//! Serving the snippet: the loader `GET /t.js`, its WebAssembly `GET /t/<hash>.wasm` and that
//! WebAssembly's wasm-bindgen glue `GET /t/<hash>.js`; and the site's funnels `GET /f/<site>`,
//! which the snippet reads once per visit, with journey consent only.
//!
//! The files are built into `www/dist` (`make build`) and read through the static-assets
//! binding; the worker adds the headers a cross-origin script and module need.

use tacit_beacon::funnel::write_definitions;
use worker::{Env, Response};

use crate::admin::known_site;
use crate::error::{AppError, AppResult};
use crate::shard_client;

/// The static-assets binding in `wrangler.toml`.
const ASSETS_BINDING: &str = "ASSETS";

/// The loader changes with every release, so caches keep it briefly.
const LOADER_CACHE: &str = "public, max-age=300";
/// The WebAssembly and its glue are named by their content hash, so they never change.
const HASHED_CACHE: &str = "public, max-age=31536000, immutable";

/// `GET /t.js`.
pub async fn loader(env: &Env) -> AppResult<Response> {
    serve(env, "/t.js", "text/javascript; charset=utf-8", LOADER_CACHE).await
}

/// `GET /f/<site>`: the site's funnels as the snippet reads them (see
/// [`tacit_beacon::funnel::write_definitions`]); nothing but their ids and steps, which the
/// site's own pages reveal anyway. Cached as briefly as the loader: a changed funnel reaches
/// visits within minutes, and a tab with the old steps counts nowhere (a new id).
pub async fn funnels(env: &Env, site: &str) -> AppResult<Response> {
    let settings = shard_client::settings(env, &known_site(site)?).await?;
    let steps = settings.funnels.iter().map(|funnel| &funnel.steps[..]);
    let response = Response::ok(write_definitions(steps))?;
    let headers = response.headers();
    headers.set("Content-Type", "text/plain; charset=utf-8")?;
    headers.set("Cache-Control", LOADER_CACHE)?;
    headers.set("Access-Control-Allow-Origin", "*")?;
    Ok(response)
}

/// `GET /t/<file>`: only `<hex hash>.wasm` and `<hex hash>.js` names exist, so nothing else is
/// looked up.
pub async fn hashed_file(env: &Env, file: &str) -> AppResult<Response> {
    let (hash, content_type) = match file.rsplit_once('.') {
        Some((hash, "wasm")) => (hash, "application/wasm"),
        // A module script: browsers refuse one served with any other type.
        Some((hash, "js")) => (hash, "text/javascript; charset=utf-8"),
        _ => ("", ""),
    };
    if hash.is_empty() || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound(format!("no snippet file '{file}'")));
    }
    serve(env, &format!("/t/{file}"), content_type, HASHED_CACHE).await
}

async fn serve(
    env: &Env,
    path: &str,
    content_type: &str,
    cache_control: &str,
) -> AppResult<Response> {
    let mut asset =
        env.assets(ASSETS_BINDING)?.fetch(format!("https://assets{path}"), None).await?;
    if asset.status_code() != 200 {
        return Err(AppError::NotFound(format!("no snippet file '{path}'; run `make build`")));
    }
    let response = Response::from_bytes(asset.bytes().await?)?;
    let headers = response.headers();
    headers.set("Content-Type", content_type)?;
    headers.set("Cache-Control", cache_control)?;
    // Client sites load the files from their own origin: the WebAssembly and the glue (a module
    // script) are fetched with CORS.
    headers.set("Access-Control-Allow-Origin", "*")?;
    headers.set("Cross-Origin-Resource-Policy", "cross-origin")?;
    Ok(response)
}
