//! tacit's edge worker: the ingest, aggregate and present stages of the pipeline.
//!
//! ```text
//! POST /e ──▶ ingest ──▶ SiteShard (Durable Object, SQLite) ──▶ read ──▶ present (HTML, JSON)
//! ```
//!
//! - [`routes`] maps URLs to handlers; handlers are a few lines that call the stages below.
//! - [`ingest`] validates a beacon with `tacit_beacon` and hands it, with the visitor's IP address
//!   and user agent held in memory only, to the site's Durable Object.
//! - [`site_shard`] is the Durable Object: one per site, it holds the site's settings and
//!   change log, its daily salts, recent beacon ids and page-day records in SQLite, keeps the
//!   open day and the rate limits in memory, runs the daily maintenance on an alarm, and answers
//!   summaries for date ranges.
//! - [`read`] checks viewer tokens and date ranges and asks the shard for a summary;
//!   [`present`] renders it as HTML or JSON.
//! - [`audit`] gathers what every shard of a site holds (salts, oldest record, consent
//!   tallies, change log) for the privacy report core builds; [`present`] renders it as the
//!   privacy page, JSON, CSV or the DPIA export.
//! - [`admin`] creates, shows, changes and deletes sites and rotates their tokens, and opens the
//!   status and change log to auditors; [`clock`] is the edge's (test-shiftable) clock;
//!   [`snippet`] serves the loader and the snippet's WebAssembly.
//!
//! All logic that can be tested without the Workers runtime lives in the pure crates:
//! `tacit_beacon`, `tacit_aggregate` and `tacit_report`.

mod admin;
mod audit;
mod clock;
mod error;
mod ingest;
mod present;
mod read;
mod routes;
mod shard_client;
mod shards;
mod site_shard;
mod snippet;
mod tokens;

use worker::{event, Context, Env, Request, Response, Result};

pub use site_shard::SiteShard;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    routes::router().run(req, env).await
}
