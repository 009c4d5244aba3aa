//! tacit's reports, the fourth stage of its pipeline (capture → ingest → aggregate →
//! summarize → present): what a marketer and a privacy officer read, computed from the
//! aggregate's records.
//!
//! - [`MergedRange`] merges the records of a date range once; from it [`SiteSummary`],
//!   [`PageSummary`] and [`RangeSummary`] build the figures the pages and the API show
//!   (metrics against the previous period and the site, breakdowns, journeys, vitals).
//! - [`insights::find_insights`] turns the same merged range into ranked
//!   [`insights::InsightCard`]s, each with its evidence, a statistical test and an action.
//! - [`Report::build`] makes the report a read asks for ([`ReportKind`]) out of them: the pages
//!   table, the site or page report, or every card, as one typed value the edge serialises
//!   once.
//! - [`privacy`] folds every breakdown row seen by fewer than k visitors into "(other)" and adds
//!   optional Laplace noise to public counts; [`public`] builds the noisy summary of a site that
//!   publishes one.
//! - [`stored_range`] reads a range from a shard's stored records: closed weeks and months from
//!   their rollups, the other days one by one, with the same figures either way.
//! - [`audit`] lists what is stored and what each consent state leads to, from the code's own
//!   definitions, for the privacy page.
//!
//! ```
//! use tacit_aggregate::{DailySalt, Day, DayRecord, PageDay, SiteDay, SiteId, VisitorHash};
//! use tacit_beacon::signal::View;
//! use tacit_report::{MergedRange, RangeSummary};
//!
//! let (site, salt) = (SiteId::parse("demo").unwrap(), DailySalt::from_bytes([7; 16]));
//! let (mut page, mut rollup) = (PageDay::default(), SiteDay::default());
//! for address in ["203.0.113.9", "203.0.113.9", "198.51.100.4"] {
//!     let visitor = VisitorHash::compute(&salt, &site, address, "Firefox");
//!     page.record_view(visitor, &View::sample());
//!     rollup.record_view(visitor, &View::sample());
//! }
//! let day = Day::parse("2026-11-23").unwrap();
//! let range = MergedRange::new(day, day, [("/".to_owned(), page)], [(day, rollup)]);
//! let summary = RangeSummary::from_merged(&range, 1, None);
//! assert_eq!((summary.views, summary.visitors), (3, 2));
//! ```
//!
//! Not here: storage, the network and HTML. The edge reads the records and renders what this
//! crate computes.
#![deny(missing_docs)]

pub mod audit;
pub mod insights;
pub mod privacy;
pub mod public;
pub mod report;
pub mod stored_range;
pub mod summary;

pub use report::{NotShown, PageReport, Report, ReportKind, SiteReport, TOP_SITE_INSIGHTS};
pub use summary::{
    MergedRange, PageRow, PageSummary, PageUnavailable, RangeSummary, SiteSummary, SummaryOptions,
};
