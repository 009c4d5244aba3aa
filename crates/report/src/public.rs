//! The public summary of a site that chose to publish one (its `public` setting): unique
//! visitors only — per day, in total and per page — each with Laplace noise of the site's ε.
//!
//! Why only visitors: noise hides one person only up to the most that person can add to a
//! count (the sensitivity, see [`crate::privacy`]). A person is one visitor hash per site and
//! day, because salts change daily, so they add at most 1 to a day's unique visitors and at
//! most one per day to a page's visitors over a range. Page views have no such bound (one
//! person can reload a page a thousand times), so they are not published.
//!
//! - Each day's count is noised with sensitivity 1; the range's total is the sum of the noisy
//!   days (daily salts make the days' visitors disjoint), which costs nothing more.
//! - Each page's count over the range is noised with sensitivity Δ = the days in the range.
//!   Whether a page is listed at all says that someone visited it, so a page is listed only
//!   when its noisy count reaches Δ + b·ln(1 / 2δ) with δ = [`LABEL_DELTA`] (and k): a page of
//!   one visitor then shows up with probability under δ. On a small site few pages, or none,
//!   pass on long ranges; at most [`MAX_PUBLIC_PAGES`] are shown.
//! - Noise is drawn once per (site, range, measure, label): the uniform draw comes from a keyed
//!   hash of them under the site's [`NoiseKey`], so asking again returns the same figures and
//!   averaging repeated answers removes nothing. Different ranges get different noise; the
//!   composition caveats of [`crate::privacy`] apply.

use std::hash::Hasher;

use serde::Serialize;
use sha2::{Digest, Sha256};
use siphasher::sip::SipHasher24;

use crate::privacy::{
    confidence_interval_half_width, noisy_count, open_unit_interval, NoiseConfig,
};
use crate::MergedRange;
use tacit_aggregate::Day;
use tacit_beacon::SiteId;

/// The most pages a public summary lists.
pub const MAX_PUBLIC_PAGES: usize = 10;

/// The chance that a page one visitor saw is listed anyway (see the module's notes).
pub const LABEL_DELTA: f64 = 1e-4;

/// The confidence of the margins printed next to public figures.
pub const MARGIN_CONFIDENCE: f64 = 0.95;

/// The key of a site's public noise, from a secret the edge holds outside storage. No `Debug`,
/// no `Serialize`: whoever has it can recompute the noise and remove it.
pub struct NoiseKey([u8; 16]);

impl NoiseKey {
    /// The key of `site` under `secret`.
    pub fn derive(secret: &str, site: &SiteId) -> NoiseKey {
        let digest = Sha256::new()
            .chain_update(b"tacit public noise\0")
            .chain_update(secret.as_bytes())
            .chain_update(b"\0")
            .chain_update(site.as_str().as_bytes())
            .finalize();
        NoiseKey(digest[..16].try_into().expect("a SHA-256 digest has 32 bytes"))
    }

    /// The uniform draw in (0, 1) of one published figure.
    fn uniform(&self, from: Day, to: Day, measure: &str, label: &str) -> f64 {
        let mut hasher = SipHasher24::new_with_key(&self.0);
        for part in [&from.to_string(), &to.to_string(), measure, label] {
            hasher.write(&(part.len() as u64).to_le_bytes());
            hasher.write(part.as_bytes());
        }
        open_unit_interval(hasher.finish())
    }
}

/// What anyone may read of a public site.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicSummary {
    /// The first day.
    pub from: Day,
    /// The last day.
    pub to: Day,
    /// The noise's privacy parameter.
    pub epsilon: f64,
    /// Unique visitors over the range: the sum of the noisy days.
    pub visitors: u64,
    /// The total's margin at [`MARGIN_CONFIDENCE`] (normal approximation of a sum of Laplace
    /// draws; exact for a one-day range).
    pub visitors_margin: u64,
    /// Noisy unique visitors per day, oldest first.
    pub daily: Vec<PublicDay>,
    /// The margin of one day's count.
    pub daily_margin: u64,
    /// The pages with the most noisy visitors, at least k each.
    pub pages: Vec<PublicPage>,
    /// The margin of one page's count.
    pub page_margin: u64,
    /// The noisy visitors a page needs to be listed: k, or more to keep rare pages unlisted.
    pub page_threshold: u64,
}

/// One day of a public summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicDay {
    /// The day.
    pub day: Day,
    /// Noisy unique visitors.
    pub visitors: u64,
}

/// One page of a public summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicPage {
    /// The scrubbed path.
    pub path: String,
    /// Noisy unique visitors over the range.
    pub visitors: u64,
}

impl PublicSummary {
    /// The public summary of `range` with noise of `epsilon` under `key`, listing pages with
    /// at least `k` noisy visitors and the label threshold.
    pub fn build(range: &MergedRange, epsilon: f64, k: u64, key: &NoiseKey) -> PublicSummary {
        let (from, to) = (range.from(), range.to());
        let days = to.days_after(from) as u32 + 1;
        let per_day = NoiseConfig::new(epsilon, 1).expect("ε was checked by the settings");
        let per_page = NoiseConfig::new(epsilon, days).expect("ε was checked by the settings");
        let noisy = |config: &NoiseConfig, count: u64, measure: &str, label: &str| {
            noisy_count(count, config, &mut || key.uniform(from, to, measure, label))
        };
        let daily: Vec<PublicDay> = range
            .daily()
            .iter()
            .map(|point| PublicDay {
                day: point.day,
                visitors: noisy(&per_day, point.visitors, "daily_visitors", &point.day.to_string()),
            })
            .collect();
        let mut pages: Vec<PublicPage> = range
            .pages()
            .iter()
            .map(|page| PublicPage {
                path: page.path.clone(),
                visitors: noisy(&per_page, page.visitors, "page_visitors", &page.path),
            })
            .collect();
        let label_threshold = f64::from(days) + per_page.scale() * (1.0 / (2.0 * LABEL_DELTA)).ln();
        let page_threshold = k.max(label_threshold.ceil() as u64);
        pages.retain(|page| page.visitors >= page_threshold);
        pages.sort_by(|a, b| b.visitors.cmp(&a.visitors).then_with(|| a.path.cmp(&b.path)));
        pages.truncate(MAX_PUBLIC_PAGES);
        let margin = |config: &NoiseConfig| {
            confidence_interval_half_width(config, MARGIN_CONFIDENCE).ceil() as u64
        };
        // A sum of n Laplace draws of scale b has variance 2 n b²; 1.96 standard deviations.
        let sum_margin = if days == 1 {
            margin(&per_day)
        } else {
            (1.96 * (2.0 * f64::from(days)).sqrt() * per_day.scale()).ceil() as u64
        };
        PublicSummary {
            from,
            to,
            epsilon,
            visitors: daily.iter().map(|day| day.visitors).sum(),
            visitors_margin: sum_margin,
            daily_margin: margin(&per_day),
            page_margin: margin(&per_page),
            daily,
            pages,
            page_threshold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tacit_aggregate::{DailySalt, DayRecord, PageDay, SiteDay, VisitorHash};
    use tacit_beacon::agent::{BrowserFamily, DeviceClass};
    use tacit_beacon::signal::{Entry, View};

    fn view() -> View {
        View {
            referrer: None,
            previous: None,
            utm: Default::default(),
            search_term: None,
            browser: BrowserFamily::Chrome,
            device: DeviceClass::Desktop,
            country: None,
            language: None,
            entry: Entry::Entry,
        }
    }

    /// A range of `days` days from 2026-11-01 where `visitors(day, page)` people see each page.
    fn range(days: i32, pages: &[&str], visitors: impl Fn(i32, usize) -> u64) -> MergedRange {
        let site = SiteId::parse("demo").unwrap();
        let from = Day::parse("2026-11-01").unwrap();
        let mut page_days = Vec::new();
        let mut site_days = Vec::new();
        for d in 0..days {
            let salt = DailySalt::from_bytes([d as u8; 16]);
            let mut rollup = SiteDay::default();
            for (p, path) in pages.iter().enumerate() {
                let mut record = PageDay::default();
                for n in 0..visitors(d, p) {
                    let hash = VisitorHash::compute(&salt, &site, &format!("10.0.{p}.{n}"), "UA");
                    record.record_view(hash, &view());
                    rollup.record_view(hash, &view());
                }
                page_days.push((path.to_string(), record));
            }
            site_days.push((from.add_days(d), rollup));
        }
        MergedRange::new(from, from.add_days(days - 1), page_days, site_days)
    }

    fn key() -> NoiseKey {
        NoiseKey::derive("secret", &SiteId::parse("demo").unwrap())
    }

    #[test]
    fn the_same_range_gets_the_same_noise_and_another_key_other_noise() {
        let merged = range(7, &["/", "/pricing"], |_, p| 40 + p as u64 * 10);
        let once = PublicSummary::build(&merged, 1.0, 5, &key());
        assert_eq!(PublicSummary::build(&merged, 1.0, 5, &key()), once);
        let other = NoiseKey::derive("another secret", &SiteId::parse("demo").unwrap());
        let daily =
            |summary: &PublicSummary| summary.daily.iter().map(|d| d.visitors).collect::<Vec<_>>();
        assert_ne!(daily(&PublicSummary::build(&merged, 1.0, 5, &other)), daily(&once));
        assert_eq!(once.visitors, once.daily.iter().map(|d| d.visitors).sum::<u64>());
        assert_eq!(once.daily.len(), 7);
    }

    #[test]
    fn the_margins_hold_the_truth_about_95_times_in_100() {
        // 90 visitors a day for 30 days, on two pages of 60 and 30; noise under 300 keys. The
        // home page's 1 800 are well above the label threshold (30 + 30 ln 5000 ≈ 286).
        let merged = range(30, &["/", "/docs"], |_, p| if p == 0 { 60 } else { 30 });
        let site = SiteId::parse("demo").unwrap();
        let (mut days_in, mut totals_in, mut pages_in) = (0, 0, 0);
        const KEYS: usize = 300;
        for i in 0..KEYS {
            let summary = PublicSummary::build(
                &merged,
                1.0,
                5,
                &NoiseKey::derive(&format!("key {i}"), &site),
            );
            assert_eq!(
                (summary.daily_margin, summary.page_margin),
                (3, 90),
                "⌈b ln 20⌉, b = 1 and 30"
            );
            days_in += summary
                .daily
                .iter()
                .filter(|d| d.visitors.abs_diff(90) <= summary.daily_margin)
                .count();
            totals_in += usize::from(summary.visitors.abs_diff(2700) <= summary.visitors_margin);
            let home = summary.pages.iter().find(|p| p.path == "/").map_or(0, |p| p.visitors);
            pages_in += usize::from(home.abs_diff(1800) <= summary.page_margin);
        }
        let share = |n: usize, of: usize| n as f64 / of as f64;
        // Rounded counts and a ceiling on the margin: at least 95 %, a little more in practice.
        for (what, covered) in [
            ("days", share(days_in, KEYS * 30)),
            ("totals", share(totals_in, KEYS)),
            ("pages", share(pages_in, KEYS)),
        ] {
            assert!((0.92..=0.995).contains(&covered), "{what}: {covered}");
        }
    }

    #[test]
    fn pages_under_k_noisy_visitors_are_left_out_and_at_most_ten_are_listed() {
        let paths: Vec<String> = (0..14).map(|i| format!("/p{i}")).collect();
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        // ε = 10 on one day: b = 0.1, so the noisy counts are nearly exact.
        let merged = range(1, &paths, |_, p| if p < 12 { 50 + p as u64 } else { 1 });
        let summary = PublicSummary::build(&merged, 10.0, 5, &key());
        assert_eq!(summary.pages.len(), MAX_PUBLIC_PAGES);
        assert_eq!(summary.pages[0].path, "/p11", "the most visited first");
        assert!(summary.pages.iter().all(|p| p.visitors >= 5));
        assert_eq!(summary.page_threshold, 5, "k: 1 + 0.1 ln 5000 is below it");
        let lowly = PublicSummary::build(&range(1, &["/lonely"], |_, _| 1), 10.0, 5, &key());
        assert!(lowly.pages.is_empty(), "one visitor is under k");
    }

    #[test]
    fn a_page_of_one_visitor_is_not_listed_whatever_the_noise() {
        // A week at ε = 1: b = 7, so its noisy count often lands far above k = 5 — but not
        // above the label threshold 7 + 7 ln 5000 ≈ 67.
        let merged = range(7, &["/invoice/acme"], |d, _| u64::from(d == 3));
        let site = SiteId::parse("demo").unwrap();
        let listed = (0..2_000)
            .filter(|i| {
                let key = NoiseKey::derive(&format!("key {i}"), &site);
                !PublicSummary::build(&merged, 1.0, 5, &key).pages.is_empty()
            })
            .count();
        assert_eq!(listed, 0);
        let summary = PublicSummary::build(&merged, 1.0, 5, &key());
        assert_eq!(summary.page_threshold, 67);
    }
}
