//! A synthetic site for tests of summaries and insights.

use std::collections::BTreeMap;
use tacit_aggregate::DayRecord;

use tacit_aggregate::segments::SegmentKey;
use tacit_aggregate::{Day, PageDay, SiteDay, VisitorHash};
use tacit_beacon::agent::DeviceClass;
use tacit_beacon::signal::{Event, Leave, View};

use super::MergedRange;

/// One day of a site, page records and rollup kept together as the edge keeps them.
#[derive(Default)]
pub(crate) struct Site {
    pub(crate) pages: BTreeMap<String, PageDay>,
    pub(crate) site: SiteDay,
}

/// A spread-out visitor hash for visitor number `n`.
pub(crate) fn visitor(n: u64) -> VisitorHash {
    VisitorHash::from_u64(n.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

impl Site {
    pub(crate) fn view(&mut self, path: &str, visitor_n: u64, view: &View) {
        let visitor = visitor(visitor_n);
        self.pages.entry(path.to_owned()).or_default().record_view(visitor, view);
        self.site.record_view(visitor, view);
    }

    /// Counts `leave` on `path`, from a desktop in an unknown country (as [`View::sample`]).
    pub(crate) fn leave(&mut self, path: &str, leave: &Leave) {
        let segments = SegmentKey::of_leave(leave, DeviceClass::Desktop, None);
        self.pages.entry(path.to_owned()).or_default().record_leave(leave, segments);
        self.site.record_leave(leave, segments);
    }

    pub(crate) fn event(&mut self, path: &str, event: &Event) {
        self.pages.entry(path.to_owned()).or_default().record_event(event);
        self.site.record_event(event);
    }

    /// `n` visits by new visitors numbered from `first`, each a view of `path` through
    /// `channel` (a referrer host, `None` for direct) and the leave `leave`.
    pub(crate) fn visits(
        &mut self,
        path: &str,
        first: u64,
        n: u64,
        channel: Option<&str>,
        leave: &Leave,
    ) {
        let view = View { referrer: channel.map(str::to_owned), ..View::sample() };
        let leave = leave_of(&view, leave);
        for v in first..first + n {
            self.view(path, v, &view);
            self.leave(path, &leave);
        }
    }

    /// The site's day as a one-day range.
    pub(crate) fn range(&self, day: Day) -> MergedRange {
        MergedRange::new(
            day,
            day,
            self.pages.iter().map(|(p, r)| (p.clone(), r.clone())),
            [(day, self.site.clone())],
        )
    }
}

/// `figures` as the leave of `view`, which it repeats (see [`Leave::entry`]).
pub(crate) fn leave_of(view: &View, figures: &Leave) -> Leave {
    Leave {
        entry: view.entry,
        referrer: view.referrer.clone(),
        utm: view.utm.clone(),
        ..figures.clone()
    }
}

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
