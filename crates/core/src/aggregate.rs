//! The per-page, per-UTC-day record: what a day of one page's traffic leaves behind.

use serde::{Deserialize, Serialize};

use crate::{VisitorHash, VisitorSketch};

/// One page's aggregate for one UTC day. Its storage key (site, page path, day) lives outside it.
///
/// Records merge losslessly: merging the records of several days gives the record of the whole
/// range, with unique visitors as the union of the days' visitors.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PageDay {
    views: u64,
    visitors: VisitorSketch,
}

impl PageDay {
    /// Counts one page view by `visitor`.
    pub fn record_view(&mut self, visitor: VisitorHash) {
        self.views += 1;
        self.visitors.insert(visitor);
    }

    /// Adds everything `other` counted.
    pub fn merge(&mut self, other: &PageDay) {
        self.views += other.views;
        self.visitors.merge(&other.visitors);
    }

    /// Page views.
    pub fn views(&self) -> u64 {
        self.views
    }

    /// The visitor sketch, for callers that union visitors across pages.
    pub fn visitors(&self) -> &VisitorSketch {
        &self.visitors
    }

    /// Estimated distinct visitors (see [`VisitorSketch::estimate`] for why it needs `&mut`).
    pub fn unique_visitors(&mut self) -> u64 {
        self.visitors.estimate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_two_days_equals_their_union() {
        let (mut monday, mut tuesday, mut both) =
            (PageDay::default(), PageDay::default(), PageDay::default());
        for i in 0..40u64 {
            monday.record_view(VisitorHash::from_u64(i.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
            both.record_view(VisitorHash::from_u64(i.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        }
        for i in 30..70u64 {
            tuesday.record_view(VisitorHash::from_u64(i.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
            both.record_view(VisitorHash::from_u64(i.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        }
        monday.merge(&tuesday);
        assert_eq!(monday.views(), 80);
        assert_eq!(monday.unique_visitors(), 70);
        assert_eq!(monday.unique_visitors(), both.unique_visitors());
    }
}
