//! The pure heart of tacit, shared by the browser snippet and the edge worker.
//!
//! Every stage of the pipeline that can be tested without a browser or a runtime lives here:
//!
//! - **capture** — [`scrub::scrub_path`] strips query strings, fragments and identifying path
//!   segments; the snippet runs it before sending, the edge runs it again. [`scrub::scrub_url`]
//!   also keeps the allow-listed parameters: UTM tags and the site-search term.
//! - **ingest** — [`Beacon::parse`] turns an untrusted request body into a typed, validated
//!   [`Beacon`] or a [`BeaconError`] that says what is wrong; [`SiteId`] is a validated site name.
//! - **filter** — [`agent::is_bot`] tells crawlers and automation from people's browsers;
//!   [`agent::reduce`] keeps only a browser family and a device class of a user agent.
//! - **anonymize** — [`VisitorHash::compute`] derives a keyed 64-bit hash from a random
//!   [`DailySalt`], the site, the IP address and the user agent. The hash exists in memory only:
//!   it is inserted into a sketch and dropped.
//! - **aggregate** — [`PageDay`] is one page's record for one UTC [`Day`]: views and a
//!   HyperLogLog++ [`VisitorSketch`] of unique visitors. Records merge losslessly, so a range of
//!   days is a union of visitors, not a sum.
//! - **distributions** — [`quantiles::QuantileSketch`] answers any quantile of engaged time,
//!   scroll depth or a web vital within 1 % relative error, in a few bytes per distinct value,
//!   and merges exactly.
//! - **breakdowns** — [`top_k::TopK`] keeps the heaviest referrers, campaigns, pages, search
//!   terms and goals (with value sums) in a fixed number of counters, with a per-key error bound
//!   that survives merging.
//! - **store** — [`codec`] writes and reads records in a versioned, checksummed binary format.
//! - **summarize** — [`RangeSummary::from_records`] merges the records of a date range into the
//!   per-page rows the pages and the API show.
//! - **protect** — [`privacy`] folds breakdown rows seen by fewer than k visitors into
//!   "(other)" before any output, and adds optional Laplace noise to public counts.
//!
//! ```
//! use tacit_core::{Beacon, DailySalt, Day, PageDay, RangeSummary, VisitorHash};
//!
//! let beacon = Beacon::parse(br#"{"site":"demo","path":"/pricing?plan=pro#faq"}"#).unwrap();
//! assert_eq!(beacon.path, "/pricing");
//!
//! let salt = DailySalt::from_bytes([7; 16]);
//! let mut record = PageDay::default();
//! record.record_view(VisitorHash::compute(&salt, &beacon.site, "203.0.113.9", "Firefox/140"));
//! record.record_view(VisitorHash::compute(&salt, &beacon.site, "203.0.113.9", "Firefox/140"));
//!
//! let day = Day::parse("2026-11-23").unwrap();
//! let summary = RangeSummary::from_records(day, day, [(beacon.path, record)], 0);
//! assert_eq!((summary.views, summary.visitors), (2, 1));
//! ```
//!
//! Not here: anything that touches the network, storage, a clock or randomness. Callers pass
//! in the current time and the salt's random bytes, which keeps every function deterministic.
#![deny(missing_docs)]

pub mod agent;
mod aggregate;
mod beacon;
pub mod codec;
mod day;
pub mod privacy;
pub mod quantiles;
pub mod scrub;
mod site;
mod sketch;
mod summary;
pub mod top_k;
mod visitor;

pub use aggregate::PageDay;
pub use beacon::{Beacon, BeaconError, MAX_BEACON_BYTES};
pub use day::{Day, DayError};
pub use site::{SiteId, SiteIdError};
pub use sketch::{VisitorSketch, VISITOR_SKETCH_PRECISION};
pub use summary::{PageRow, RangeSummary};
pub use visitor::{DailySalt, VisitorHash};
