//! The pure heart of tacit, shared by the browser snippet and the edge worker.
//!
//! Every stage of the pipeline that can be tested without a browser or a runtime lives here,
//! in the order a page view travels through it:
//!
//! - **capture** — [`scrub`] strips query strings (but campaign and site-search parameters),
//!   fragments and identifying path segments; the snippet runs it before sending, the edge
//!   again. [`consent`] names the consent states and sources every beacon carries.
//! - **ingest** — [`Beacon::parse`] turns an untrusted request body into a typed, validated
//!   [`Beacon`] or a [`BeaconError`] that says what is wrong; [`SiteId`] is a validated site name.
//!   [`agent`] tells bots from people and reduces a user agent to browser family and device
//!   class.
//! - **anonymize** — [`VisitorHash::compute`] derives a keyed 64-bit hash from a random
//!   [`DailySalt`], the site, the IP address and the user agent. The hash exists in memory only:
//!   it is inserted into a sketch and dropped.
//! - **aggregate** — a beacon becomes a [`signal`] ([`signal::View`], [`signal::Leave`] or
//!   [`signal::Event`]) that [`record`] applies to one page's [`PageDay`] and to the site's
//!   [`SiteDay`] rollup: counters, [`quantiles::QuantileSketch`] distributions (1 % relative
//!   error), [`top_k::TopK`] breakdowns (Space-Saving, bounded error) and a HyperLogLog++
//!   [`VisitorSketch`]. Every part merges, so a date range is a merge of days and its unique
//!   visitors a union, not a sum.
//! - **store** — [`codec`] writes and reads records in a versioned, checksummed binary format;
//!   [`journal`] describes each accepted beacon as a small entry a shard stores before it
//!   answers, so that records can be written in batches without losing an acknowledged beacon.
//! - **summarize** — [`MergedRange`] merges the records of a date range once; from it
//!   [`SiteSummary`], [`PageSummary`] and [`RangeSummary`] build what the pages and the API
//!   show (metrics against the previous period and the site, breakdowns, journeys, vitals),
//!   and [`privacy`] folds every breakdown row seen by fewer than k visitors into "(other)"
//!   and adds optional Laplace noise to public counts; [`public`] builds the noisy summary of
//!   a site that publishes one. [`insights::find_insights`] turns the
//!   same merged range into ranked [`insights::InsightCard`]s, each with its evidence, a
//!   statistical test and a suggested action. [`audit`] lists what is stored and what each
//!   consent state leads to, from the code's own definitions.
//! - **configure** — [`site_config`] validates a site's settings (allowed hostnames, consent
//!   mode, k, retention, limits); [`change_log`] hash-chains every change to them.
//!   [`rate_limit`] holds the in-memory limits and the recent beacon ids that guard ingest;
//!   [`schedule`] plans the daily salt rotation and retention deletion for a given clock.
//!
//! ```
//! use tacit_core::agent::reduce;
//! use tacit_core::signal::View;
//! use tacit_core::{Beacon, BeaconBody, DailySalt, Day, PageDay, RangeSummary, VisitorHash};
//!
//! let beacon = Beacon::parse(br#"{"site":"demo","path":"/pricing?plan=pro#faq"}"#).unwrap();
//! let BeaconBody::View(page) = &beacon.body else { unreachable!("a beacon without type is a view") };
//! assert_eq!(page.path, "/pricing");
//!
//! let user_agent = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
//! let agent = reduce(user_agent);
//! let view = View {
//!     referrer: page.referrer.clone(),
//!     previous: None,
//!     utm: Default::default(),
//!     search_term: None,
//!     browser: agent.browser,
//!     device: agent.device,
//!     country: None,
//!     language: None,
//!     entry: page.entry(),
//! };
//! let salt = DailySalt::from_bytes([7; 16]);
//! let mut record = PageDay::default();
//! for _ in 0..2 {
//!     record.record_view(VisitorHash::compute(&salt, &beacon.site, "203.0.113.9", user_agent), &view);
//! }
//!
//! let day = Day::parse("2026-11-23").unwrap();
//! let summary = RangeSummary::from_records(day, day, [(page.path.clone(), record)], 0, 1);
//! assert_eq!((summary.views, summary.visitors), (2, 1));
//! ```
//!
//! Not here: anything that touches the network, storage, a clock or randomness. Callers pass
//! in the current time and random bytes, which keeps every function deterministic.
//!
//! The `std` feature (on by default) builds everything. Without it, only the capture side that
//! the browser snippet needs builds ([`scrub`], [`Beacon`] and its JSON, [`consent`], [`agent`],
//! [`signal`], [`SiteId`]), on `core` and `alloc` alone: the snippet then carries no `std`, whose
//! panic and formatting machinery would be most of its WebAssembly. Those modules import from
//! `alloc` and `core`, never from `std`.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

/// Declares items that need `std`: they build with the `std` feature only.
macro_rules! with_std {
    ($($item:item)*) => { $(#[cfg(feature = "std")] $item)* };
}

pub mod agent;
mod beacon;
pub mod consent;
pub mod scrub;
pub mod signal;
mod site;
#[cfg(test)]
mod test_rng;

pub use beacon::{Beacon, BeaconBody, BeaconError, BeaconId, PageView, MAX_BEACON_BYTES};
pub use site::{SiteId, SiteIdError};

with_std! {
    pub mod audit;
    pub mod change_log;
    pub mod codec;
    mod day;
    pub mod insights;
    pub mod journal;
    pub mod privacy;
    pub mod public;
    pub mod quantiles;
    pub mod rate_limit;
    pub mod record;
    pub mod schedule;
    pub mod site_config;
    mod sketch;
    pub mod summary;
    pub mod top_k;
    mod visitor;

    pub use day::{Day, DayError};
    pub use record::{PageDay, SiteDay};
    pub use sketch::{VisitorSketch, PAGE_PRECISION, SITE_PRECISION};
    pub use summary::{
        MergedRange, PageRow, PageSummary, PageUnavailable, RangeSummary, SiteSummary,
        SummaryOptions,
    };
    pub use visitor::{DailySalt, SaltSealingKey, VisitorHash};
}
