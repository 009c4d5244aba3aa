//! [`Engagement`]: the figures of views and visits that a record keeps for its page or site as a
//! whole and again for each segment (see [`crate::segments`]): counters and distributions, every
//! one of them mergeable, and none that grows with the traffic.

use serde::{Deserialize, Serialize};

use crate::quantiles::{Measurement, QuantileSketch};
use tacit_beacon::signal::{Entry, Leave};

/// Views, visits, and what visitors did on them.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Engagement {
    /// Page views.
    pub views: u64,
    /// Views that started a visit (their referrer was not the site): visits.
    pub entries: u64,
    /// Views whose leave signal arrived; the base of exit rates.
    pub leaves: u64,
    /// Views that did not continue to another page of the site.
    pub exits: u64,
    /// Entries that neither continued, nor were engaged for 10 s, nor reached a goal.
    pub bounces: u64,
    /// Entries that continued, or were engaged for 10 s, or reached a goal.
    pub engaged_visits: u64,
    /// Clicks, key presses and taps.
    pub interactions: u64,
    /// Rage clicks.
    pub rage_clicks: u64,
    /// Dead clicks.
    pub dead_clicks: u64,
    /// Views left within 5 s back to the previous page.
    pub quick_backs: u64,
    /// Views with at least one rage or dead click.
    pub frustrated_views: u64,
    /// Engaged time per view, in milliseconds.
    pub engaged_time_ms: QuantileSketch,
    /// Deepest scroll per view, in percent.
    pub scroll_depth_pct: QuantileSketch,
    /// Largest Contentful Paint, in milliseconds.
    pub lcp_ms: QuantileSketch,
    /// Interaction to Next Paint, in milliseconds.
    pub inp_ms: QuantileSketch,
    /// Cumulative Layout Shift, times 1000.
    pub cls_milli: QuantileSketch,
    /// Entries whose visitor agreed to journey linking, first visits and returning.
    pub known_visits: KnownVisits,
}

/// Entries whose visitor agreed to journey linking, by whether the snippet's last-visit-day
/// marker said they had visited before. Entries without that consent are in neither: the
/// returning share is a share of these (see [`Entry`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownVisits {
    /// Entries of a visitor with no earlier visit marked.
    pub first: u64,
    /// Entries of a visitor who had visited before.
    pub returning: u64,
}

impl KnownVisits {
    /// Entries whose first or returning visit is known.
    pub fn total(&self) -> u64 {
        self.first + self.returning
    }
}

/// What one leave adds to an [`Engagement`], worked out once for the whole of its page or site
/// and again for each of its segments: each distribution's bucket costs a logarithm.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LeaveFigures {
    /// The view did not continue to another page of the site.
    exit: bool,
    /// For an entry, whether it made an engaged visit (else it bounced); `None` inside a visit.
    engaged_visit: Option<bool>,
    interactions: u64,
    rage_clicks: u64,
    dead_clicks: u64,
    quick_back: bool,
    /// Engaged time, scroll depth, LCP, INP and CLS × 1000, where the leave has them.
    measurements: [Option<Measurement>; 5],
}

impl LeaveFigures {
    /// The figures of `leave`.
    pub(crate) fn of(leave: &Leave) -> LeaveFigures {
        let measure = |value: Option<f64>| value.and_then(Measurement::new);
        LeaveFigures {
            exit: !leave.continued(),
            engaged_visit: leave.entry.is_entry().then(|| leave.is_engaged_visit()),
            interactions: u64::from(leave.interactions),
            rage_clicks: u64::from(leave.rage_clicks),
            dead_clicks: u64::from(leave.dead_clicks),
            quick_back: leave.quick_back,
            measurements: [
                measure(Some(f64::from(leave.engaged_ms))),
                measure(Some(f64::from(leave.scroll_pct.min(100)))),
                measure(leave.lcp_ms.map(f64::from)),
                measure(leave.inp_ms.map(f64::from)),
                measure(leave.cls.map(|cls| f64::from(cls) * 1000.0)),
            ],
        }
    }

    /// Whether the view had a rage or a dead click.
    fn frustrated(&self) -> bool {
        self.rage_clicks > 0 || self.dead_clicks > 0
    }
}

impl AsRef<Engagement> for Engagement {
    fn as_ref(&self) -> &Engagement {
        self
    }
}

impl Engagement {
    /// Counts a page view that is `entry`.
    pub(crate) fn record_view(&mut self, entry: Entry) {
        self.views += 1;
        self.entries += u64::from(entry.is_entry());
        match entry {
            Entry::FirstVisit => self.known_visits.first += 1,
            Entry::Returning => self.known_visits.returning += 1,
            Entry::NotEntry | Entry::Entry => {}
        }
    }

    /// Counts what a visitor did before leaving a page.
    pub(crate) fn record_leave(&mut self, leave: &LeaveFigures) {
        self.leaves += 1;
        self.exits += u64::from(leave.exit);
        match leave.engaged_visit {
            Some(true) => self.engaged_visits += 1,
            Some(false) => self.bounces += 1,
            None => {}
        }
        self.interactions += leave.interactions;
        self.rage_clicks += leave.rage_clicks;
        self.dead_clicks += leave.dead_clicks;
        self.quick_backs += u64::from(leave.quick_back);
        self.frustrated_views += u64::from(leave.frustrated());
        for (distribution, measurement) in
            self.distributions_mut().into_iter().zip(leave.measurements)
        {
            if let Some(measurement) = measurement {
                distribution.insert_measurement(measurement);
            }
        }
    }

    /// Takes back what [`Engagement::record_leave`] counted for `leave`: each figure goes down
    /// (counters saturating at zero), each distribution loses its value
    /// ([`QuantileSketch::remove`]).
    pub(crate) fn retract_leave(&mut self, leave: &LeaveFigures) {
        let less = |counter: &mut u64, by: u64| *counter = counter.saturating_sub(by);
        less(&mut self.leaves, 1);
        less(&mut self.exits, u64::from(leave.exit));
        match leave.engaged_visit {
            Some(true) => less(&mut self.engaged_visits, 1),
            Some(false) => less(&mut self.bounces, 1),
            None => {}
        }
        less(&mut self.interactions, leave.interactions);
        less(&mut self.rage_clicks, leave.rage_clicks);
        less(&mut self.dead_clicks, leave.dead_clicks);
        less(&mut self.quick_backs, u64::from(leave.quick_back));
        less(&mut self.frustrated_views, u64::from(leave.frustrated()));
        for (distribution, measurement) in
            self.distributions_mut().into_iter().zip(leave.measurements)
        {
            if let Some(measurement) = measurement {
                distribution.remove_measurement(measurement);
            }
        }
    }

    /// The distributions a leave counts in, in the order of [`LeaveFigures::measurements`].
    fn distributions_mut(&mut self) -> [&mut QuantileSketch; 5] {
        [
            &mut self.engaged_time_ms,
            &mut self.scroll_depth_pct,
            &mut self.lcp_ms,
            &mut self.inp_ms,
            &mut self.cls_milli,
        ]
    }

    /// Adds everything `other` counted.
    pub fn merge(&mut self, other: &Engagement) {
        self.views += other.views;
        self.entries += other.entries;
        self.leaves += other.leaves;
        self.exits += other.exits;
        self.bounces += other.bounces;
        self.engaged_visits += other.engaged_visits;
        self.interactions += other.interactions;
        self.rage_clicks += other.rage_clicks;
        self.dead_clicks += other.dead_clicks;
        self.quick_backs += other.quick_backs;
        self.frustrated_views += other.frustrated_views;
        for (mine, theirs) in [
            (&mut self.engaged_time_ms, &other.engaged_time_ms),
            (&mut self.scroll_depth_pct, &other.scroll_depth_pct),
            (&mut self.lcp_ms, &other.lcp_ms),
            (&mut self.inp_ms, &other.inp_ms),
            (&mut self.cls_milli, &other.cls_milli),
        ] {
            mine.merge(theirs);
        }
        self.known_visits.first += other.known_visits.first;
        self.known_visits.returning += other.known_visits.returning;
    }
}
