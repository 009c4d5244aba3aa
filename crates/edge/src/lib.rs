//! tacit's edge worker: the ingest, aggregate and present stages of the pipeline.
//!
//! ```text
//! POST /e ──▶ ingest ──▶ shard_client ──▶ shard (SiteShard, a Durable Object) ──▶ read ──▶ present
//! ```
//!
//! In the pipeline's order:
//! - [`routes`] maps URLs to handlers; handlers are a few lines that call the stages below.
//!   [`cors`] says which other origins may read which answers.
//! - [`ingest`] validates a beacon with `tacit_beacon`, cuts what no site may count (bots, and
//!   what `tacit_beacon::admission` refuses in every consent mode), and hands the rest, with
//!   the visitor's IP address and user agent held in memory only, to the site's shard.
//!   [`cf`] reads what tacit may use of the request's `cf` object: the country, and Cloudflare's
//!   bot detection.
//! - [`shard_client`] is the worker's side of a site's shards: which shard a beacon goes to,
//!   asking one shard a typed message ([`shard::protocol`]), and asking all of them at once;
//!   [`held_ranges`] holds a sharded site's closed days merged between reads.
//! - [`shard`] is the Durable Object, one per site shard: it admits a beacon under the site's
//!   consent mode and counts it, holds the site's registration and change log, its daily
//!   salts, recent beacon ids and page-day records in SQLite, keeps the open day and the rate
//!   limits in memory, runs the daily maintenance on an alarm, and answers summaries, records,
//!   privacy facts and status. Its `fetch` only picks a route; its methods live in files by
//!   concern.
//! - [`read`] checks the date range and asks the shard for a report (or merges several
//!   shards' records and builds it); [`reports`] builds a report from merged records.
//! - [`audit`] gathers what every shard of a site holds (salts, oldest record, consent
//!   tallies, change log) for the privacy report tacit-report builds.
//! - [`present`] renders reports as HTML pages, JSON or CSV, and the privacy report as its
//!   page, JSON, CSV or the DPIA export.
//! - [`admin`] creates, shows, changes and deletes sites and rotates their tokens, and opens
//!   the status and change log to auditors; [`access`] says which token opens what;
//!   [`tokens`] makes and hashes them.
//! - [`snippet`] serves the loader and the snippet's WebAssembly; [`clock`] is the edge's
//!   (test-shiftable) clock; [`error`] turns every failure into an answer that hides
//!   internals.
//!
//! All logic that can be tested without the Workers runtime is a plain function with a unit
//! test (`cargo test -p tacit-edge`), or lives in the pure crates: `tacit_beacon`,
//! `tacit_aggregate` and `tacit_report`.

mod access;
mod admin;
mod audit;
mod cf;
mod clock;
mod cors;
mod error;
mod held_ranges;
mod ingest;
#[cfg(feature = "openapi")]
pub mod openapi;
mod present;
mod read;
mod routes;
mod shard;
mod shard_client;
mod snippet;
mod tokens;

use worker::{event, Context, Env, Request, Response, Result};

pub use shard::SiteShard;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    routes::answer(req, env).await
}
