use super::*;
use crate::privacy::OTHER;
use crate::summary::testing::{bounce, day, exit_after, onward, unfolded, Site};
use crate::summary::{Counted, Row};
use tacit_beacon::signal::{Entry, Event, FeedbackScore, Leave, View};

#[test]
fn a_page_is_compared_with_the_site_and_its_vitals_rated() {
    let mut site = Site::default();
    site.visits("/", 0, 30, None, &onward("/slow"));
    let slow = Leave { lcp_ms: Some(4_500), inp_ms: Some(150), cls: Some(0.2), ..bounce() };
    site.visits("/slow", 30, 10, None, &slow);
    for v in 0..30 {
        site.view(
            "/slow",
            v,
            &View { entry: Entry::NotEntry, previous: Some("/".into()), ..View::sample() },
        );
        site.leave("/slow", &Leave { rage_clicks: 1, ..slow.clone() });
    }
    let range = site.range(day("2026-11-23"));
    let page = PageSummary::new("/slow", &range, None, &Default::default()).unwrap();
    assert_eq!(page.metrics.visitors.current, 40);
    assert_eq!(page.metrics.exit_rate.page, Some(1.0));
    assert_eq!(page.metrics.exit_rate.site, Some(40.0 / 70.0));
    assert_eq!(page.frustration.rage_clicks_per_view.page, Some(0.75));
    assert_eq!(page.vitals.lcp_ms.rating, Some(VitalRating::Poor));
    assert_eq!(page.vitals.inp_ms.rating, Some(VitalRating::Good));
    assert_eq!(page.vitals.cls.rating, Some(VitalRating::NeedsImprovement));
    // CLS is kept × 1000 and shown unitless: 0.2 within the sketch's 1 %.
    assert!((page.vitals.cls.p75.unwrap() - 0.2).abs() < 0.002);
    assert_eq!(page.previous_pages, vec![Row::new("/", 30, Counted { count: 30 })]);
    assert_eq!(page.engaged_time_ms.quantiles.len(), DISTRIBUTION_QUANTILES.len());
}

#[test]
fn vitals_are_rated_against_googles_thresholds_inclusive_of_good() {
    assert_eq!(VitalRating::of(2_500.0, LCP_THRESHOLDS_MS), VitalRating::Good);
    assert_eq!(VitalRating::of(2_501.0, LCP_THRESHOLDS_MS), VitalRating::NeedsImprovement);
    assert_eq!(VitalRating::of(4_000.0, LCP_THRESHOLDS_MS), VitalRating::NeedsImprovement);
    assert_eq!(VitalRating::of(501.0, INP_THRESHOLDS_MS), VitalRating::Poor);
    assert_eq!(VitalRating::of(0.1, CLS_THRESHOLDS), VitalRating::Good);
}

#[test]
fn a_page_seen_by_fewer_than_k_visitors_has_no_summary() {
    let mut site = Site::default();
    site.visits("/", 0, 20, None, &bounce());
    site.visits("/invoice/acme", 50, 1, None, &bounce());
    let range = site.range(day("2026-11-23"));
    let options = SummaryOptions::default();
    assert_eq!(
        PageSummary::new("/invoice/acme", &range, None, &options),
        Err(PageUnavailable::FewerThanK)
    );
    assert_eq!(PageSummary::new("/nope", &range, None, &options), Err(PageUnavailable::NoRecord));
    assert!(PageSummary::new("/invoice/acme", &range, None, &unfolded()).is_ok());
}

#[test]
fn feedback_is_shown_only_once_k_visitors_answered() {
    let mut site = Site::default();
    site.visits("/", 0, 20, None, &exit_after(20_000));
    let happy = Event::Feedback { score: FeedbackScore::new(3).unwrap() };
    let unhappy = Event::Feedback { score: FeedbackScore::new(1).unwrap() };
    for _ in 0..4 {
        site.event("/", &happy);
    }
    let range = site.range(day("2026-11-23"));
    let options = SummaryOptions::default();
    assert_eq!(PageSummary::new("/", &range, None, &options).unwrap().feedback, None);
    site.event("/", &happy);
    site.event("/", &unhappy);
    let range = site.range(day("2026-11-23"));
    let feedback = PageSummary::new("/", &range, None, &options).unwrap().feedback.unwrap();
    assert_eq!(feedback.answers, 6);
    assert!((feedback.mean_score - 16.0 / 6.0).abs() < 1e-12);
    // One unhappy answer is a row under k: it folds into "(other)"; the happy row stays.
    assert_eq!(
        feedback.scores,
        vec![Row::new("3", 5, Counted { count: 5 }), Row::new(OTHER, 1, Counted { count: 1 })]
    );
}

// Issue 18: "How far they read" labelled every row "scrolled at least 100 %" while its bars
// showed 90, 75, 50, 25 and 10 %: the quantiles' complements, not the shares at the marks.
#[test]
fn a_distribution_gives_the_share_of_views_that_reached_each_mark() {
    let mut site = Site::default();
    site.visits("/read", 0, 30, None, &exit_after(40_000));
    let range = site.range(day("2026-11-23"));
    let page = PageSummary::new("/read", &range, None, &Default::default()).unwrap();
    let shares = |d: &Distribution| d.reached.iter().map(|r| (r.at_least, r.share)).collect();
    let everyone: Vec<(f64, f64)> = SCROLL_MARKS_PCT.iter().map(|&mark| (mark, 1.0)).collect();
    assert_eq!(shares(&page.scroll_depth_pct), everyone, "every view scrolled to the end");
    let time: Vec<(f64, f64)> = shares(&page.engaged_time_ms);
    assert_eq!(
        time,
        vec![(5_000.0, 1.0), (10_000.0, 1.0), (30_000.0, 1.0), (60_000.0, 0.0), (180_000.0, 0.0)]
    );

    // 10 views at 20 %, 10 at 60 % and 20 at 100 %, in one sketch whose interior ranks are
    // bucket estimates: the shares are still exact at these marks.
    site.visits("/mixed", 100, 10, None, &bounce());
    site.visits("/mixed", 110, 10, None, &onward("/read"));
    site.visits("/mixed", 120, 20, None, &exit_after(1_000));
    let range = site.range(day("2026-11-23"));
    let page = PageSummary::new("/mixed", &range, None, &Default::default()).unwrap();
    assert_eq!(
        shares(&page.scroll_depth_pct),
        vec![(25.0, 0.75), (50.0, 0.75), (75.0, 0.5), (90.0, 0.5), (100.0, 0.5)]
    );
    let none = Distribution::of(&QuantileSketch::new(), &SCROLL_MARKS_PCT);
    assert!(none.reached.is_empty() && none.quantiles.is_empty());
}
