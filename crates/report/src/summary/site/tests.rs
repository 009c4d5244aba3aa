use super::*;
use crate::privacy::{DEFAULT_K, OTHER};
use crate::summary::testing::{bounce, day, onward, unfolded, Site};
use crate::summary::{Count, PageSummary, PageViews, Row};
use tacit_aggregate::DayRecord;
use tacit_aggregate::{PageDay, VisitorHash};
use tacit_beacon::signal::{Entry, View};

/// A page record of one view by each of `visitors`.
fn record(visitors: &[u64]) -> PageDay {
    let mut record = PageDay::default();
    for &v in visitors {
        let visitor = VisitorHash::from_u64(v.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        record.record_view(visitor, &View::sample());
    }
    record
}

#[test]
fn the_pages_table_merges_days_per_page_and_counts_the_sites_visitors_once() {
    let (mut monday, mut tuesday) = (Site::default(), Site::default());
    for (path, visitor) in [("/", 1), ("/", 2), ("/pricing", 1)] {
        monday.view(path, visitor, &View::sample());
    }
    for visitor in [1, 3, 3] {
        tuesday.view("/", visitor, &View::sample());
    }
    (0..4).for_each(|_| monday.site.record_bot_dropped());
    let range = MergedRange::new(
        day("2026-11-22"),
        day("2026-11-23"),
        monday.pages.into_iter().chain(tuesday.pages),
        [(day("2026-11-22"), monday.site), (day("2026-11-23"), tuesday.site)],
    );
    let summary = RangeSummary::from_merged(&range, 1, None);
    assert_eq!(summary.views, 6);
    assert_eq!(summary.bots_dropped, 4);
    // Visitor 1 came on both days: a union, not a sum.
    assert_eq!(summary.visitors, 3);
    assert_eq!(
        summary.pages,
        vec![
            Row::new("/", 3, PageViews { views: 5 }),
            Row::new("/pricing", 1, PageViews { views: 1 })
        ]
    );
}

#[test]
fn an_empty_range_has_no_pages() {
    let empty = MergedRange::new(day("2026-11-23"), day("2026-11-23"), [], []);
    let summary = RangeSummary::from_merged(&empty, 5, None);
    assert_eq!((summary.views, summary.visitors, summary.pages.len()), (0, 0, 0));
}

#[test]
fn the_pages_table_folds_pages_seen_by_fewer_than_k_visitors() {
    let visitors: Vec<u64> = (0..20).collect();
    let pages = [
        ("/".to_string(), record(&visitors)),
        ("/blog".to_string(), record(&visitors[..6])),
        ("/invoice/acme".to_string(), record(&[1])),
        ("/team".to_string(), record(&[2, 3])),
    ];
    let range = MergedRange::new(day("2026-11-23"), day("2026-11-23"), pages, []);
    // "/invoice/acme" and "/team" fold into 3 visitors; "/blog", with 6, stays.
    assert_eq!(
        RangeSummary::from_merged(&range, DEFAULT_K, None).pages,
        vec![
            Row::new("/", 20, PageViews { views: 20 }),
            Row::new("/blog", 6, PageViews { views: 6 }),
            Row::new(OTHER, 3, PageViews { views: 3 })
        ]
    );
}

#[test]
fn headline_metrics_come_with_their_previous_value_and_change() {
    let mut now = Site::default();
    now.visits("/", 0, 30, None, &bounce());
    now.visits("/", 30, 10, Some("news.example"), &onward("/pricing"));
    now.view("/pricing", 30, &View { entry: Entry::NotEntry, ..View::sample() });
    let mut before = Site::default();
    before.visits("/", 100, 20, None, &bounce());
    let (current, previous) = (now.range(day("2026-11-23")), before.range(day("2026-11-22")));

    let summary = SiteSummary::new(&current, Some(&previous), &unfolded());
    let m = &summary.metrics;
    assert_eq!(m.visitors, Count { current: 40, previous: Some(20), change: Some(1.0) });
    assert_eq!((m.visits.current, m.views.current), (40, 41));
    assert_eq!(m.views_per_visit.current, Some(41.0 / 40.0));
    assert_eq!(m.bounce_rate.current, Some(0.75));
    assert_eq!(m.bounce_rate.previous, Some(1.0));
    assert_eq!(m.bounce_rate.difference, Some(-0.25));
    assert_eq!(m.engagement_rate.current, Some(0.25));
    // The median of 40 engaged times, 30 of them 2 s: 2 s within the sketch's 1 %.
    let median = m.median_engaged_ms.current.unwrap();
    assert!((median - 2_000.0).abs() <= 20.0, "{median}");
    let compared_with = Period { from: day("2026-11-22"), to: day("2026-11-22") };
    assert_eq!(summary.previous, Some(compared_with));
}

#[test]
fn rates_over_nothing_are_none_and_serialize_as_null() {
    let empty = MergedRange::new(day("2026-11-23"), day("2026-11-23"), [], []);
    let summary = SiteSummary::new(&empty, Some(&empty), &SummaryOptions::default());
    let m = &summary.metrics;
    assert_eq!((m.bounce_rate.current, m.views_per_visit.current), (None, None));
    assert_eq!((m.visitors.change, m.bounce_rate.difference), (None, None));
    assert_eq!(summary.channel_baseline, None);
    let json = serde_json::to_string(&summary).unwrap();
    assert!(json.contains(r#""bounce_rate":{"current":null"#), "{json}");
    assert!(!json.contains("NaN"));
}

#[test]
fn returning_visits_are_a_share_of_the_visits_with_journey_consent_from_k_on() {
    let mut site = Site::default();
    // 6 visits with journey consent (2 returning), 10 without: those count in no share.
    for (v, entry) in [Entry::FirstVisit; 4]
        .into_iter()
        .chain([Entry::Returning; 2])
        .chain([Entry::Entry; 10])
        .enumerate()
    {
        site.view("/", v as u64, &View { entry, ..View::sample() });
    }
    let range = site.range(day("2026-11-23"));
    let metrics = |k| SiteSummary::new(&range, None, &SummaryOptions { k, ..unfolded() }).metrics;
    assert_eq!(metrics(5).visits.current, 16);
    assert_eq!(metrics(5).known_visits.current, 6);
    assert_eq!(metrics(5).returning_rate.current, Some(2.0 / 6.0));
    assert_eq!(metrics(7).returning_rate.current, None, "fewer than k visits tell apart");
    let page = PageSummary::new("/", &range, None, &SummaryOptions { k: 5, ..unfolded() });
    let share = page.unwrap().metrics.returning_rate;
    assert_eq!((share.page, share.site), (Some(2.0 / 6.0), Some(2.0 / 6.0)));
}
