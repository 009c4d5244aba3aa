//! Summaries: the records of a date range merged into what the pages and the API show.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Day, PageDay, VisitorSketch};

/// One page's figures over a date range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRow {
    /// The scrubbed page path.
    pub path: String,
    /// Page views.
    pub views: u64,
    /// Estimated unique visitors over the whole range (a union across days).
    pub visitors: u64,
}

/// A site's figures over a date range, pages ordered by views (most first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeSummary {
    /// First day of the range.
    pub from: Day,
    /// Last day of the range, included.
    pub to: Day,
    /// Views of all pages.
    pub views: u64,
    /// Estimated unique visitors of the site: the union over every page and day.
    pub visitors: u64,
    /// Per-page rows.
    pub pages: Vec<PageRow>,
    /// Page views dropped because they came from bots.
    pub bots_dropped: u64,
}

impl RangeSummary {
    /// Merges `(path, record)` pairs, one per page and day of the range, into a summary.
    pub fn from_records(
        from: Day,
        to: Day,
        records: impl IntoIterator<Item = (String, PageDay)>,
        bots_dropped: u64,
    ) -> RangeSummary {
        let mut by_path: BTreeMap<String, PageDay> = BTreeMap::new();
        for (path, record) in records {
            match by_path.get_mut(&path) {
                Some(merged) => merged.merge(&record),
                None => {
                    by_path.insert(path, record);
                }
            }
        }

        let mut site_visitors = VisitorSketch::for_page();
        let mut pages: Vec<PageRow> = by_path
            .into_iter()
            .map(|(path, mut record)| {
                site_visitors.merge(record.visitors());
                PageRow { path, views: record.views(), visitors: record.unique_visitors() }
            })
            .collect();
        pages.sort_by(|a, b| b.views.cmp(&a.views).then_with(|| a.path.cmp(&b.path)));

        RangeSummary {
            from,
            to,
            views: pages.iter().map(|p| p.views).sum(),
            visitors: site_visitors.estimate(),
            pages,
            bots_dropped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::View;
    use crate::VisitorHash;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    fn record(visitors: &[u64]) -> PageDay {
        let mut record = PageDay::default();
        let view = View::sample();
        for &v in visitors {
            record.record_view(VisitorHash::from_u64(v.wrapping_mul(0x9E37_79B9_7F4A_7C15)), &view);
        }
        record
    }

    #[test]
    fn merges_days_per_page_and_unions_visitors_across_pages() {
        let summary = RangeSummary::from_records(
            day("2026-11-22"),
            day("2026-11-23"),
            [
                ("/".to_string(), record(&[1, 2])),
                ("/pricing".to_string(), record(&[1])),
                ("/".to_string(), record(&[1, 3, 3])),
            ],
            4,
        );
        assert_eq!(summary.views, 6);
        assert_eq!(summary.bots_dropped, 4);
        assert_eq!(summary.visitors, 3);
        assert_eq!(
            summary.pages,
            vec![
                PageRow { path: "/".into(), views: 5, visitors: 3 },
                PageRow { path: "/pricing".into(), views: 1, visitors: 1 },
            ]
        );
    }

    #[test]
    fn an_empty_range_has_no_pages() {
        let summary = RangeSummary::from_records(day("2026-11-23"), day("2026-11-23"), [], 0);
        assert_eq!((summary.views, summary.visitors, summary.pages.len()), (0, 0, 0));
    }
}
