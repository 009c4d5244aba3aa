//! A synthetic site for tests of summaries and insights.

use tacit_aggregate::Day;
use tacit_beacon::signal::Leave;

pub(crate) use crate::insights::synthetic::{leave_of, Site};

pub(crate) fn day(text: &str) -> Day {
    Day::parse(text).unwrap()
}

/// A leave that bounces: no next page, 2 s engaged, 20 % scrolled.
pub(crate) fn bounce() -> Leave {
    Leave { engaged_ms: 2_000, scroll_pct: 20, ..Leave::default() }
}

/// A leave that goes on to `next` after 30 s and 60 % scrolled.
pub(crate) fn onward(next: &str) -> Leave {
    Leave { next: Some(next.to_owned()), engaged_ms: 30_000, scroll_pct: 60, ..Leave::default() }
}

/// A leave that exits after `engaged_ms` and a full scroll.
pub(crate) fn exit_after(engaged_ms: u32) -> Leave {
    Leave { engaged_ms, scroll_pct: 100, ..Leave::default() }
}

/// Options that fold nothing under k (k = 1) and keep the default row limit.
pub(crate) fn unfolded() -> super::SummaryOptions {
    super::SummaryOptions { k: 1, ..Default::default() }
}
