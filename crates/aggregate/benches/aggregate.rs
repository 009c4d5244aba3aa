//! `make bench` (or `cargo bench -p tacit-aggregate --features test-support --bench aggregate`):
//! speed, size and accuracy of the core aggregate, printed as `name=value` lines. Figures, not
//! assertions: targets are in the issue tracker and in the closing notes, measured with this
//! command.
//!
//! Streams are synthetic and seeded (splitmix64), so every run measures the same data.

#[allow(dead_code)] // the `versus` bench uses other parts of it
mod common;

use std::collections::HashSet;
use std::hint::black_box;
use std::time::Instant;
use tacit_aggregate::DayRecord;

use tacit_aggregate::codec::{encode_page_day, encode_site_day};
use tacit_aggregate::quantiles::QuantileSketch;
use tacit_aggregate::segments::SegmentKey;
use tacit_aggregate::test_rng::SplitMix64;
use tacit_aggregate::top_k::TopK;
use tacit_aggregate::{PageDay, SiteDay, VisitorSketch};
use tacit_beacon::agent::{BrowserFamily, DeviceClass};
use tacit_beacon::scrub::Utm;
use tacit_beacon::signal::{CountryCode, Entry, Event, FeedbackScore, Language, Leave, View};

use common::{median, percentile, trial_start, visitor, STREAMS};

fn view(rng: &mut SplitMix64) -> View {
    let referrers = ["news.example.com", "www.google.com", "t.co", "duckduckgo.com", "reddit.com"];
    let entry = rng.below(3) == 0;
    View {
        referrer: (entry && rng.below(2) == 0).then(|| referrers[rng.below(5) as usize].to_owned()),
        previous: (!entry).then(|| format!("/docs/page-{}", rng.below(40))),
        utm: Utm::default(),
        search_term: None,
        browser: BrowserFamily::ALL[rng.below(BrowserFamily::ALL.len() as u64) as usize],
        device: DeviceClass::ALL[rng.below(3) as usize],
        country: CountryCode::parse(["DE", "US", "FR", "GB", "BR"][rng.below(5) as usize]),
        language: Language::from_tag(["en", "de", "fr", "pt"][rng.below(4) as usize]),
        entry: Entry::of(!entry, None),
    }
}

fn leave(rng: &mut SplitMix64) -> Leave {
    let entry = rng.below(3) == 0;
    Leave {
        entry: Entry::of(!entry, None),
        referrer: (entry && rng.below(2) == 0).then(|| "www.google.com".to_owned()),
        utm: Utm::default(),
        viewport: Some(DeviceClass::ALL[rng.below(3) as usize]),
        next: (rng.below(2) == 0).then(|| format!("/docs/page-{}", rng.below(40))),
        engaged_ms: (rng.unit() * 120_000.0) as u32,
        scroll_pct: rng.below(101) as u8,
        interactions: rng.below(10) as u32,
        rage_clicks: u32::from(rng.below(50) == 0),
        dead_clicks: u32::from(rng.below(30) == 0),
        quick_back: rng.below(40) == 0,
        reached_goal: rng.below(20) == 0,
        lcp_ms: Some(500 + rng.below(4000) as u32),
        inp_ms: Some(20 + rng.below(500) as u32),
        cls: Some(rng.unit() as f32 * 0.3),
    }
}

/// The segments of `leave`, as the edge reads them from its request: a phone in Germany.
fn segments(leave: &Leave) -> SegmentKey {
    SegmentKey::of_leave(leave, DeviceClass::Mobile, CountryCode::parse("DE"))
}

/// A busy page's day: `views` views by `visitors` distinct visitors, each with a leave.
fn busy_page_day(seed: u64, views: u64, visitors: u64) -> PageDay {
    let mut rng = SplitMix64(seed);
    let mut record = PageDay::default();
    for _ in 0..views {
        record.record_view(visitor(rng.below(visitors) + seed * visitors), &view(&mut rng));
        let leave = leave(&mut rng);
        record.record_leave(&leave, segments(&leave));
        if rng.below(50) == 0 {
            record.record_event(&Event::Goal {
                name: format!("goal-{}", rng.below(8)),
                value: Some(10.0),
                props: vec![],
            });
        }
    }
    record
}

/// Median time to apply one signal to a page record, over batches of a mixed stream
/// (a view and its leave, as one beacon each).
fn apply_ns() {
    let mut rng = SplitMix64(1);
    let views: Vec<View> = (0..10_000).map(|_| view(&mut rng)).collect();
    // Each leave with its segments, which the edge reads before the record counts it.
    let leaves: Vec<(Leave, SegmentKey)> = (0..10_000)
        .map(|_| {
            let leave = leave(&mut rng);
            let key = segments(&leave);
            (leave, key)
        })
        .collect();
    let mut page = PageDay::default();
    let mut site = SiteDay::default();
    let mut page_samples = Vec::new();
    let mut site_samples = Vec::new();
    for round in 0..50u64 {
        let start = Instant::now();
        for (i, (view, (leave, key))) in views.iter().zip(&leaves).enumerate() {
            page.record_view(visitor(round * 10_000 + i as u64), view);
            page.record_leave(leave, *key);
        }
        page_samples.push(start.elapsed().as_nanos() as f64 / 20_000.0);
        let start = Instant::now();
        for (i, (view, (leave, key))) in views.iter().zip(&leaves).enumerate() {
            site.record_view(visitor(round * 10_000 + i as u64), view);
            site.record_leave(leave, *key);
        }
        site_samples.push(start.elapsed().as_nanos() as f64 / 20_000.0);
    }
    black_box((&page, &site));
    println!("core_apply_ns={:.0}", median(page_samples));
    println!("core_apply_site_ns={:.0}", median(site_samples));
}

fn merge30_us() {
    let days: Vec<PageDay> = (0..30).map(|day| busy_page_day(day, 20_000, 8_000)).collect();
    let mut samples = Vec::new();
    for _ in 0..20 {
        let start = Instant::now();
        let mut merged = PageDay::default();
        for day in &days {
            merged.merge(day);
        }
        samples.push(start.elapsed().as_nanos() as f64 / 1000.0);
        black_box(merged);
    }
    println!("core_merge30_us={:.0}", median(samples));

    // The share of the visitor sketches in that time.
    let sketches: Vec<VisitorSketch> = days.iter().map(|day| day.visitors().clone()).collect();
    let mut samples = Vec::new();
    for _ in 0..20 {
        let start = Instant::now();
        let mut merged = VisitorSketch::for_page();
        for sketch in &sketches {
            merged.merge(sketch);
        }
        samples.push(start.elapsed().as_nanos() as f64 / 1000.0);
        black_box(merged);
    }
    println!("core_merge30_visitors_us={:.0}", median(samples));
}

fn record_bytes() {
    let mut rng = SplitMix64(7);
    let mut small = PageDay::default();
    for i in 0..10 {
        small.record_view(visitor(i), &view(&mut rng));
        let leave = leave(&mut rng);
        small.record_leave(&leave, segments(&leave));
    }
    println!("record_bytes_small={}", encode_page_day(&small).len());

    // A page-day with traffic in every segment value: each device class, channel group and
    // kind of visitor, and ten countries (and an unknown one), 4 views of each combination.
    let groups = [
        (None, Utm::default()),
        (Some("www.google.com"), Utm::default()),
        (
            None,
            Utm {
                source: Some("google".into()),
                medium: Some("cpc".into()),
                campaign: None,
                ..Utm::default()
            },
        ),
        (Some("t.co"), Utm::default()),
        (
            None,
            Utm {
                source: Some("newsletter".into()),
                medium: Some("email".into()),
                campaign: None,
                ..Utm::default()
            },
        ),
        (Some("blog.example.org"), Utm::default()),
        (
            None,
            Utm {
                source: Some("partner".into()),
                medium: Some("display".into()),
                campaign: None,
                ..Utm::default()
            },
        ),
    ];
    let countries = ["DE", "US", "FR", "GB", "BR", "IN", "JP", "ES", "IT", "NL", "XX"];
    let mut segmented = PageDay::default();
    let mut n = 0u64;
    for device in DeviceClass::ALL {
        for (referrer, utm) in &groups {
            for entry in [Entry::NotEntry, Entry::Entry, Entry::FirstVisit, Entry::Returning] {
                for country in countries {
                    for _ in 0..4 {
                        n += 1;
                        let entry_referral =
                            entry.is_entry().then(|| (referrer.map(str::to_owned), utm.clone()));
                        let (referrer, utm) = entry_referral.unwrap_or_default();
                        let view = View {
                            referrer: referrer.clone(),
                            utm: utm.clone(),
                            device: *device,
                            country: CountryCode::parse(country),
                            entry,
                            ..view(&mut rng)
                        };
                        segmented.record_view(visitor(n), &view);
                        let leave = Leave {
                            entry,
                            referrer,
                            utm,
                            viewport: Some(*device),
                            ..leave(&mut rng)
                        };
                        segmented.record_leave(
                            &leave,
                            SegmentKey::of_leave(&leave, *device, view.country),
                        );
                    }
                }
            }
        }
    }
    println!("record_bytes_segmented={}", encode_page_day(&segmented).len());
    println!("record_segments_segmented={}", segmented.segments().iter().count());

    // Everything at its bound: a dense sketch, every list full of the longest keys, every
    // distribution spread over its bucket cap, every breakdown value present. Lists store each
    // key as the rest after the prefix it shares with the key before, so the keys share none:
    // each starts with a hash of its number.
    let long = |prefix: &str, i: u64| format!("{:016x}{prefix}{i:0>174}", SplitMix64(i).next_u64());
    let mut full = busy_page_day(3, 60_000, 60_000);
    let mut site = SiteDay::default();
    for i in 0..2_000u64 {
        let view = View {
            referrer: Some(long("r", i)),
            previous: Some(long("/p", i)),
            utm: Utm {
                source: Some(long("s", i)),
                medium: Some(long("m", i)),
                campaign: Some(long("c", i)),
                term: Some(long("t", i)),
                content: Some(long("x", i)),
            },
            search_term: Some(long("q", i)),
            browser: BrowserFamily::ALL[(i % BrowserFamily::ALL.len() as u64) as usize],
            device: DeviceClass::ALL[(i % 3) as usize],
            country: CountryCode::parse(&format!(
                "{}{}",
                (b'A' + (i / 26 % 26) as u8) as char,
                (b'A' + (i % 26) as u8) as char
            )),
            language: Language::from_tag(&format!(
                "{}{}",
                (b'a' + (i / 26 % 26) as u8) as char,
                (b'a' + (i % 26) as u8) as char
            )),
            entry: Entry::Entry,
        };
        full.record_view(visitor(i), &view);
        site.record_view(visitor(i), &view);
        let leave = Leave {
            next: Some(long("/n", i)),
            engaged_ms: (1.02f64.powi((i % 1200) as i32)) as u32,
            lcp_ms: Some((1.02f64.powi((i % 900) as i32)) as u32),
            ..leave(&mut rng)
        };
        full.record_leave(&leave, segments(&leave));
        site.record_leave(&leave, segments(&leave));
        for event in [
            Event::Goal { name: long("g", i), value: Some(1.0), props: vec![] },
            Event::Outbound { host: long("h", i) },
            Event::Feedback { score: FeedbackScore::new((i % 3 + 1) as u8).unwrap() },
        ] {
            full.record_event(&event);
            site.record_event(&event);
        }
    }
    for i in 0..300_000 {
        site.record_view(visitor(i), &view(&mut rng));
    }
    println!("record_bytes_max={}", encode_page_day(&full).len());
    println!("site_record_bytes_max={}", encode_site_day(&site).len());
}

/// Relative errors of unique-visitor estimates over seeded trials.
fn visitor_errors(make: fn() -> VisitorSketch, n: u64, trials: u64) -> Vec<f64> {
    (0..trials)
        .map(|trial| {
            let mut sketch = make();
            for i in 0..n {
                sketch.insert(visitor(trial_start(trial) + i));
            }
            (sketch.estimate() as f64 - n as f64).abs() / n as f64
        })
        .collect()
}

fn visitor_accuracy() {
    for (n, trials, label) in STREAMS {
        let page = percentile(visitor_errors(VisitorSketch::for_page, n, trials), 0.95);
        let site = percentile(visitor_errors(VisitorSketch::for_site, n, trials), 0.95);
        println!("visitors_p95_rel_err_page_{label}_pct={:.2}", page * 100.0);
        println!("visitors_p95_rel_err_site_{label}_pct={:.2}", site * 100.0);
    }

    // 30 days of 10,000 visitors each, half of each day's visitors seen the day before.
    let mut errors = Vec::new();
    for trial in 0..10u64 {
        let mut merged = VisitorSketch::for_page();
        let mut exact = HashSet::new();
        for day in 0..30u64 {
            let mut sketch = VisitorSketch::for_page();
            for i in 0..10_000u64 {
                let id = trial_start(trial) + day * 5_000 + i;
                sketch.insert(visitor(id));
                exact.insert(id);
            }
            merged.merge(&sketch);
        }
        errors.push((merged.estimate() as f64 - exact.len() as f64).abs() / exact.len() as f64);
    }
    println!(
        "visitors_p95_rel_err_page_merge30_overlap50_pct={:.2}",
        percentile(errors, 0.95) * 100.0
    );
}

fn quantile_accuracy() {
    let mut rng = SplitMix64(11);
    let mut sketch = QuantileSketch::default();
    // Engaged time is heavy-tailed: log-normal around 20 s.
    let mut values: Vec<f64> = (0..200_000)
        .map(|_| {
            let normal = (-2.0 * rng.unit().max(1e-12).ln()).sqrt()
                * (2.0 * std::f64::consts::PI * rng.unit()).cos();
            (20_000.0 * (normal * 1.0).exp()).round()
        })
        .collect();
    values.iter().for_each(|&v| sketch.insert(v));
    values.sort_by(f64::total_cmp);
    for (q, label) in [(0.5, "p50"), (0.75, "p75"), (0.9, "p90")] {
        let exact = values[((values.len() - 1) as f64 * q).round() as usize];
        let estimate = sketch.quantile(q).unwrap();
        println!(
            "engaged_time_{label}_rel_err_pct={:.2}",
            (estimate - exact).abs() / exact * 100.0
        );
    }
}

fn top_k_recall() {
    // A Zipf-like stream: item k has weight proportional to 1 / k over 10,000 items.
    let mut rng = SplitMix64(13);
    let weights: Vec<f64> = (1..=10_000).map(|k| 1.0 / f64::from(k)).collect();
    let total: f64 = weights.iter().sum();
    let cumulative: Vec<f64> = weights
        .iter()
        .scan(0.0, |acc, w| {
            *acc += w / total;
            Some(*acc)
        })
        .collect();
    let mut top = TopK::with_capacity(64);
    let mut exact = vec![0u64; weights.len()];
    let n = 1_000_000;
    for _ in 0..n {
        let u = rng.unit();
        let item = cumulative.partition_point(|&c| c < u).min(weights.len() - 1);
        exact[item] += 1;
        top.insert(&format!("/page/{item}"), 1, 0.0);
    }
    let reported: HashSet<String> = top.top(64).into_iter().map(|e| e.key).collect();
    let heavy: Vec<usize> = (0..exact.len()).filter(|&i| exact[i] * 100 > n).collect();
    let found = heavy.iter().filter(|&&i| reported.contains(&format!("/page/{i}"))).count();
    println!("top_k_recall_above_1pct_pct={:.1}", found as f64 / heavy.len() as f64 * 100.0);
}

fn main() {
    apply_ns();
    merge30_us();
    record_bytes();
    visitor_accuracy();
    quantile_accuracy();
    top_k_recall();
}
