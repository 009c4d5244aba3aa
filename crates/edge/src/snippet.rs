//! Serving the snippet: the loader `GET /t.js`, its WebAssembly `GET /t/<hash>.wasm` and that
//! WebAssembly's wasm-bindgen glue `GET /t/<hash>.js`.
//!
//! The files are built into `www/dist` (`make build`) and read through the static-assets
//! binding; the worker adds the headers a cross-origin script and module need.

use worker::{Env, Response};

use crate::error::{AppError, AppResult};

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
