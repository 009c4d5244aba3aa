use super::*;
use crate::summary::testing::{bounce, day, exit_after, leave_of, onward, unfolded, Site};
use crate::summary::{PageSummary, RangeSummary, SiteSummary};
use tacit_beacon::signal::{Entry, Event, View};

#[test]
fn channels_show_their_engagement_and_fold_rare_channels() {
    let mut site = Site::default();
    site.visits("/", 0, 25, Some("news.example"), &onward("/a"));
    site.visits("/", 25, 20, None, &bounce());
    site.visits("/", 45, 2, Some("friend.example"), &bounce());
    let summary = SiteSummary::new(&site.range(day("2026-11-23")), None, &Default::default());
    let channels: Vec<(&str, u64, u64, Option<f64>)> = summary
        .channels
        .iter()
        .map(|c| {
            (
                c.label.as_str(),
                c.figures.entries,
                c.figures.engaged_visits,
                c.figures.engagement_rate,
            )
        })
        .collect();
    // "friend.example" (2 visits) folds; "(direct)", with 20, stays.
    assert_eq!(
        channels,
        vec![
            ("news.example", 25, 25, Some(1.0)),
            ("(direct)", 20, 0, Some(0.0)),
            (OTHER, 2, 0, Some(0.0))
        ]
    );
    assert_eq!(summary.channel_baseline, Some(25.0 / 47.0));
}

#[test]
fn a_referrer_that_few_visitors_repeat_is_folded_despite_its_count() {
    let mut site = Site::default();
    // 20 visitors, each seen on 4 pages.
    for v in 0..20 {
        for path in ["/", "/a", "/b", "/c"] {
            let entry = if path == "/" { Entry::Entry } else { Entry::NotEntry };
            site.view(path, v, &View { entry, ..View::sample() });
        }
    }
    // One visitor comes 8 times from a private referrer; 20 visitors twice from each of
    // two public ones.
    for _ in 0..8 {
        site.view("/", 0, &View { referrer: Some("intranet.acme".into()), ..View::sample() });
    }
    for referrer in ["news.example", "search.example"] {
        for v in 0..40 {
            let view = View { referrer: Some(referrer.into()), ..View::sample() };
            site.view("/", v % 20, &view);
        }
    }
    let range = site.range(day("2026-11-23"));
    let rows = |options| -> Vec<(String, u64, u64)> {
        SiteSummary::new(&range, None, &options)
            .referrers
            .into_iter()
            .map(|r| (r.label, r.figures.count, r.visitors))
            .collect()
    };
    // 20 visitors over 168 views: 40 × 20/168 = 4.8 and 8 × 20/168 = 0.95, rounded down
    // (and at least 1).
    assert_eq!(
        rows(unfolded()),
        vec![
            ("news.example".into(), 40, 4),
            ("search.example".into(), 40, 4),
            ("intranet.acme".into(), 8, 1)
        ]
    );
    // At k = 4 the 8 views of one visitor fold, although 8 ≥ k; the rows of 4 visitors stay.
    assert_eq!(
        rows(SummaryOptions { k: 4, ..unfolded() }),
        vec![
            ("news.example".into(), 40, 4),
            ("search.example".into(), 40, 4),
            (OTHER.into(), 8, 1)
        ]
    );
}

#[test]
fn weight_a_top_k_list_no_longer_tracks_is_counted_in_other() {
    // Two days of 30 distinct terms each: the merged list keeps 32 of the 60.
    let (mut monday, mut tuesday) = (Site::default(), Site::default());
    for v in 0..30 {
        let term = |n| View { search_term: Some(format!("term {n}")), ..View::sample() };
        monday.view("/search", v, &term(v));
        tuesday.view("/search", v, &term(v + 30));
    }
    let range = MergedRange::new(
        day("2026-11-23"),
        day("2026-11-24"),
        [],
        [(day("2026-11-23"), monday.site), (day("2026-11-24"), tuesday.site)],
    );
    let summary = SiteSummary::new(&range, None, &unfolded());
    let total: u64 = summary.search_terms.iter().map(|r| r.figures.count).sum();
    assert_eq!(total, 60, "rows add up to what was counted");
    assert_eq!(summary.search_terms.last().unwrap().label, OTHER);
}

#[test]
fn rows_past_the_row_limit_fold_into_other() {
    let mut site = Site::default();
    for (n, referrer) in ["a.example", "b.example", "c.example"].iter().enumerate() {
        site.visits("/", n as u64 * 10, 10, Some(referrer), &bounce());
    }
    let options = SummaryOptions { k: 1, max_rows: 2, ..SummaryOptions::default() };
    let summary = SiteSummary::new(&site.range(day("2026-11-23")), None, &options);
    let labels: Vec<&str> = summary.referrers.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, vec!["a.example", "b.example", OTHER]);
}

#[test]
fn goals_have_a_conversion_rate_per_visit_and_a_value() {
    let mut site = Site::default();
    site.visits("/", 0, 40, None, &onward("/buy"));
    for _ in 0..10 {
        site.event(
            "/buy",
            &Event::Goal { name: "purchase".into(), value: Some(20.0), props: vec![] },
        );
    }
    let summary = SiteSummary::new(&site.range(day("2026-11-23")), None, &unfolded());
    let goal = &summary.goals[0];
    assert_eq!(
        (goal.label.as_str(), goal.figures.completions, goal.figures.value),
        ("purchase", 10, 200.0)
    );
    assert_eq!(goal.figures.conversion_rate, Some(0.25));
}

#[test]
fn goals_and_custom_events_show_their_properties_values_folded_under_k() {
    let mut site = Site::default();
    site.visits("/", 0, 40, None, &onward("/buy"));
    let props = |plan: &str| vec![("plan".to_owned(), plan.to_owned())];
    let goal =
        |plan: &str, value| Event::Goal { name: "purchase".into(), value, props: props(plan) };
    for n in 0..20 {
        site.event("/buy", &goal("pro", Some(20.0)));
        site.event("/buy", &goal(&format!("plan {n}"), Some(1.0)));
        site.event(
            "/buy",
            &Event::Custom { name: "video_play".into(), value: None, props: props("intro") },
        );
    }
    // A goal only one visitor reached: folded, and its properties are not shown.
    site.event("/buy", &Event::Goal { name: "rare".into(), value: None, props: props("secret") });
    let summary = SiteSummary::new(&site.range(day("2026-11-23")), None, &Default::default());

    let values = |breakdowns: &[PropertyBreakdown]| -> Vec<(String, String, String, u64, f64)> {
        breakdowns
            .iter()
            .flat_map(|b| {
                b.values.iter().map(|row| {
                    let figures = row.figures;
                    (
                        b.name.clone(),
                        b.key.clone(),
                        row.label.clone(),
                        figures.count,
                        figures.value_sum,
                    )
                })
            })
            .collect()
    };
    // 20 distinct plans sent once each fold into "(other)"; "pro", sent by 20, is shown. The
    // key's 16 counters hold "pro" and 15 plans at a time: the other 5 plans' values are missed,
    // as a top-k list's value sums say.
    assert_eq!(
        values(&summary.goal_properties),
        [
            ("purchase".into(), "plan".into(), "pro".into(), 20, 400.0),
            ("purchase".into(), "plan".into(), OTHER.into(), 20, 15.0),
        ]
    );
    assert_eq!(
        values(&summary.event_properties),
        [("video_play".into(), "plan".into(), "intro".into(), 20, 0.0)]
    );
    assert_eq!(
        summary.goals.iter().map(|g| g.label.as_str()).collect::<Vec<_>>(),
        ["purchase", OTHER]
    );
    let video = &summary.custom_events[0];
    assert_eq!((video.label.as_str(), video.figures.count), ("video_play", 20));
    assert_eq!(summary.goals[0].figures.completions, 40, "a custom event is no goal");
    let json = serde_json::to_string(&summary).unwrap();
    assert!(!json.contains("secret") && !json.contains("rare"), "{json}");
}

#[test]
fn audience_breakdowns_count_views_per_device_browser_and_country() {
    let mut site = Site::default();
    site.visits("/", 0, 10, None, &bounce());
    let summary = SiteSummary::new(&site.range(day("2026-11-23")), None, &Default::default());
    assert_eq!(summary.audience.devices[0].label, "desktop");
    assert_eq!(summary.audience.browsers[0].label, "firefox");
    assert_eq!(summary.audience.devices[0].figures.count, 10);
}

/// A day where every breakdown has a few large rows and many small ones.
fn many_small_rows() -> Site {
    let mut site = Site::default();
    let mut n = 0;
    for (rows, visitors_each) in [(3u64, 12u64), (12, 1), (6, 2)] {
        for row in 0..rows {
            let label = format!("{visitors_each}-{row}");
            for _ in 0..visitors_each {
                let view = View {
                    referrer: Some(format!("{label}.example")),
                    utm: tacit_beacon::scrub::Utm {
                        source: Some(label.clone()),
                        medium: None,
                        campaign: Some(label.clone()),
                        term: Some(label.clone()),
                        content: Some(label.clone()),
                    },
                    search_term: Some(label.clone()),
                    country: tacit_beacon::signal::CountryCode::parse(&format!(
                        "{}{}",
                        char::from(b'A' + (n % 26) as u8),
                        char::from(b'A' + (row % 26) as u8)
                    )),
                    language: tacit_beacon::signal::Language::from_tag(&format!(
                        "{}{}",
                        char::from(b'a' + (row % 26) as u8),
                        char::from(b'a' + (visitors_each % 26) as u8)
                    )),
                    ..View::sample()
                };
                let path = format!("/{label}");
                site.view(&path, n, &view);
                site.leave(&path, &leave_of(&view, &exit_after(12_000)));
                let props = vec![("size".to_owned(), label.clone())];
                site.event(&path, &Event::Goal { name: label.clone(), value: Some(1.0), props });
                let props = vec![("size".to_owned(), label.clone())];
                site.event(&path, &Event::Custom { name: "played".into(), value: None, props });
                site.event(&path, &Event::Outbound { host: format!("{label}.example") });
                n += 1;
            }
        }
    }
    site
}

// DESIGN, "Privacy model": rows under k are folded "in every output". Every breakdown of
// both summaries is checked, by the estimate each was folded with.
#[test]
fn every_breakdown_of_the_site_and_page_summaries_shows_no_row_under_k() {
    let site = many_small_rows();
    let range = site.range(day("2026-11-23"));
    let options = SummaryOptions::default();
    let summary = SiteSummary::new(&range, None, &options);

    fn check<R: Breakdown>(name: &str, rows: &[R], k: u64) {
        let lone_other = rows.len() == 1 && rows[0].label() == OTHER;
        assert!(!rows.is_empty(), "{name} is empty");
        if !lone_other {
            for row in rows {
                assert!(row.visitors() >= k, "{name}: {} has {}", row.label(), row.visitors());
            }
        }
    }
    let k = options.k;
    check("top pages", &summary.top_pages, k);
    check("entry pages", &summary.entry_pages, k);
    check("exit pages", &summary.exit_pages, k);
    check("channels", &summary.channels, k);
    check("referrers", &summary.referrers, k);
    check("campaigns", &summary.campaigns, k);
    check("campaign terms", &summary.campaign_terms, k);
    check("campaign contents", &summary.campaign_contents, k);
    check("devices", &summary.audience.devices, k);
    check("browsers", &summary.audience.browsers, k);
    check("countries", &summary.audience.countries, k);
    check("languages", &summary.audience.languages, k);
    check("goals", &summary.goals, k);
    check("custom events", &summary.custom_events, k);
    for properties in summary.goal_properties.iter().chain(&summary.event_properties) {
        check(&format!("{} {}", properties.name, properties.key), &properties.values, k);
    }
    assert_eq!(summary.goal_properties.len(), 3, "the goals shown: 12-0, 12-1, 12-2");
    assert_eq!(summary.event_properties[0].values.last().unwrap().label, OTHER);
    check("search terms", &summary.search_terms, k);
    check("events", &summary.events, k);
    check("pages API", &RangeSummary::from_merged(&range, k, None).pages, k);
    // Small rows existed and were folded: every breakdown ends in "(other)".
    assert_eq!(summary.referrers.last().unwrap().label, OTHER);
    assert_eq!(summary.top_pages.last().unwrap().label, OTHER);
    assert!(summary.referrers.iter().any(|r| r.label == "12-0.example"));

    let page = PageSummary::new("/12-0", &range, None, &options).unwrap();
    check("page channels", &page.channels, k);
}

// The API names each row's label by what it is, as it did when every breakdown had its own
// row type; only page rows publish their visitors.
#[test]
fn a_rows_json_names_its_label_by_what_it_is_and_publishes_only_a_pages_visitors() {
    fn json<F: Figures>(row: &Row<F>) -> String {
        serde_json::to_string(row).unwrap()
    }
    assert_eq!(
        json(&Row::new("/", 3, PageViews { views: 5 })),
        r#"{"path":"/","visitors":3,"views":5}"#
    );
    assert_eq!(
        json(&Row::new("/", 3, Landings::new(2, 1, 1))),
        r#"{"path":"/","visitors":3,"entries":2,"bounces":1,"engaged_visits":1,"bounce_rate":0.5,"engagement_rate":0.5}"#
    );
    assert_eq!(
        json(&Row::new("/", 3, Exits::new(4, 1))),
        r#"{"path":"/","visitors":3,"leaves":4,"exits":1,"exit_rate":0.25}"#
    );
    assert_eq!(
        json(&Row::new("news.example", 4, Counted { count: 9 })),
        r#"{"label":"news.example","count":9}"#
    );
    assert_eq!(
        json(&Row::new("(direct)", 4, ChannelVisits::new(10, 5))),
        r#"{"channel":"(direct)","entries":10,"engaged_visits":5,"engagement_rate":0.5}"#
    );
    let goal = GoalCompletions { completions: 2, conversion_rate: None, value: 40.0 };
    assert_eq!(
        json(&Row::new("purchase", 4, goal)),
        r#"{"goal":"purchase","completions":2,"conversion_rate":null,"value":40.0}"#
    );
    assert_eq!(
        json(&Row::new("video_play", 4, CustomEventCounts { count: 3, value: 1.5 })),
        r#"{"event":"video_play","count":3,"value":1.5}"#
    );
    assert_eq!(
        json(&Row::new("pro", 4, PropertyCounts { count: 3, value_sum: 36.0 })),
        r#"{"value":"pro","count":3,"value_sum":36.0}"#
    );
}

#[test]
fn rows_read_back_from_json_keep_all_but_the_unpublished_visitors() {
    let page = Row::new("/", 3, Landings::new(2, 1, 1));
    assert_eq!(
        serde_json::from_str::<EntryPageRow>(&serde_json::to_string(&page).unwrap()).unwrap(),
        page
    );
    let channel = Row::new("(direct)", 4, ChannelVisits::new(10, 5));
    let read: ChannelRow = serde_json::from_str(&serde_json::to_string(&channel).unwrap()).unwrap();
    assert_eq!(read, Row { visitors: 0, ..channel });
    let missing = serde_json::from_str::<PageRow>(r#"{"label":"/","visitors":3,"views":5}"#);
    assert!(missing.unwrap_err().to_string().contains("missing field `path`"));
    assert!(serde_json::from_str::<PageRow>(r#"{"path":"/","views":5}"#).is_err());
}
