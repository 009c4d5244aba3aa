//! tacit's aggregate, the third stage of its pipeline (capture → ingest → aggregate →
//! summarize → present): what the edge keeps of a site, per page and per UTC day.
//!
//! - [`VisitorHash::compute`] derives a keyed 64-bit hash from a random [`DailySalt`], the
//!   site, the IP address and the user agent. The hash exists in memory only: it is inserted
//!   into a [`VisitorSketch`] (HyperLogLog++) and dropped.
//! - [`record`] applies each [`tacit_beacon::signal`] to one page's [`PageDay`] and to the
//!   site's [`SiteDay`] rollup: counters, [`quantiles::QuantileSketch`] distributions (1 %
//!   relative error), [`top_k::TopK`] breakdowns (Space-Saving, bounded error) and the visitor
//!   sketch. Every part merges, so a date range is a merge of days. Each record keeps its
//!   [`engagement::Engagement`] again per [`segments::Segment`] (device, channel group,
//!   visitor kind, country), so that any figure can be read for one segment. The site's
//!   record also counts the visits that reached each [`funnels`] step.
//! - [`codec`] writes and reads records in a versioned, checksummed binary format;
//!   [`journal`] describes each accepted beacon as a small entry a shard stores before it
//!   answers, so that records are written in batches without losing an acknowledged beacon.
//! - [`settings`] validates a site's settings (hostnames, consent mode, k, retention, limits);
//!   [`change_log`] hash-chains every change to them. [`rate_limit`] holds the in-memory limits
//!   and recent beacon ids that guard ingest; [`schedule`] plans salt rotation and retention;
//!   [`rollup`] plans which stored weeks and months, and which single days, a range reads.
//!
//! ```
//! use tacit_aggregate::{DailySalt, DayRecord, PageDay, SiteId, VisitorHash};
//! use tacit_beacon::signal::View;
//!
//! let site = SiteId::parse("demo").unwrap();
//! let salt = DailySalt::from_bytes([7; 16]);
//! let user_agent = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
//! let mut record = PageDay::default();
//! for _ in 0..2 {
//!     record.record_view(VisitorHash::compute(&salt, &site, "203.0.113.9", user_agent), &View::sample());
//! }
//! assert_eq!((record.views(), record.unique_visitors()), (2, 1));
//! ```
//!
//! Not here: anything that touches the network, storage, a clock or randomness (callers pass in
//! the current time and random bytes, which keeps every function deterministic), and anything
//! that reads a range for a person: that is `tacit-report`.
#![deny(missing_docs)]

pub mod change_log;
pub mod codec;
mod day;
pub mod engagement;
pub mod funnels;
pub mod journal;
#[cfg(test)]
mod merge_laws;
pub mod properties;
pub mod quantiles;
pub mod rate_limit;
pub mod record;
pub mod rollup;
pub mod schedule;
pub mod segments;
pub mod settings;
#[cfg(any(test, feature = "test-support"))]
#[doc(hidden)]
pub mod test_rng;
pub mod top_k;
mod visitor;
mod visitors;

pub use day::{Day, DayError};
pub use record::{DayRecord, PageDay, SiteDay};
pub use tacit_beacon::SiteId;
pub use visitor::{
    DailySalt, SaltDoesNotOpen, SaltSealingKey, VisitorHash, SALT_NONCE_LEN, SEALED_SALT_LEN,
};
pub use visitors::{VisitorSketch, PAGE_PRECISION, SITE_PRECISION};
