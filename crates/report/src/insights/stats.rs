//! The statistical tests behind the cards: z-tests of proportions, the level they reach, and
//! the comparisons the rules share (a rate against the rest of the site, an engaged time
//! against the site's median), with the effect floors of the [module documentation](super).

use serde::{Deserialize, Serialize};

use super::{Counts, MIN_DIFFERENCE, MIN_LEVEL, TIME_FACTOR};
use tacit_aggregate::quantiles::QuantileSketch;
use tacit_aggregate::record::Activity;

/// The relative standard error of a page's visitor sketch (see
/// [`tacit_aggregate::PAGE_PRECISION`]).
const PAGE_VISITORS_RSE: f64 = 0.0081;

/// How sure a test is that a difference is not chance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConfidenceLevel {
    /// 95 %: |z| ≥ 1.960 (two-sided).
    Likely,
    /// 99 %: |z| ≥ 2.576.
    Strong,
    /// 99.9 %: |z| ≥ 3.291.
    VeryStrong,
}

impl ConfidenceLevel {
    /// The level a z statistic reaches, `None` below 95 %.
    pub fn of_z(z: f64) -> Option<ConfidenceLevel> {
        let z = z.abs();
        if z >= 3.291 {
            Some(ConfidenceLevel::VeryStrong)
        } else if z >= 2.576 {
            Some(ConfidenceLevel::Strong)
        } else if z >= 1.960 {
            Some(ConfidenceLevel::Likely)
        } else {
            None
        }
    }
}

/// The statistical test behind a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Test {
    /// Pooled two-proportion z-test between two disjoint groups.
    TwoProportionZ,
    /// One-proportion z-test against a fixed rate.
    OneProportionZ,
}

/// A test result: which test, its statistic, its p-value and the level it reaches.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Confidence {
    /// The test.
    pub test: Test,
    /// Its z statistic (positive when the finding's group is higher).
    pub statistic: f64,
    /// The two-sided p-value of the statistic: what the false-discovery control ranks (see
    /// [`FALSE_DISCOVERY_RATE`](super::FALSE_DISCOVERY_RATE)).
    pub p_value: f64,
    /// The level |z| reaches.
    pub level: ConfidenceLevel,
}

impl Confidence {
    /// The result of `test` with statistic `z`, `None` below 95 %.
    pub(super) fn of(test: Test, z: f64) -> Option<Confidence> {
        let level = ConfidenceLevel::of_z(z)?;
        Some(Confidence { test, statistic: z, p_value: two_sided_p(z), level })
    }

    /// The weaker of two tests a finding needs both of.
    pub(super) fn weaker(self, other: Confidence) -> Confidence {
        if other.statistic.abs() < self.statistic.abs() {
            other
        } else {
            self
        }
    }
}

/// The two-sided p-value of a standard normal statistic: P(|Z| ≥ |z|) = erfc(|z| / √2).
pub fn two_sided_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// The complementary error function for x ≥ 0, by the Chebyshev fit of Numerical Recipes'
/// `erfcc` (fractional error under 1.2 × 10⁻⁷): the p-values it gives are compared with
/// thresholds of q · i / m, far coarser than that.
fn erfc(x: f64) -> f64 {
    const COEFFICIENTS: [f64; 10] = [
        -1.265_512_23,
        1.000_023_68,
        0.374_091_96,
        0.096_784_18,
        -0.186_288_06,
        0.278_868_07,
        -1.135_203_98,
        1.488_515_87,
        -0.822_152_23,
        0.170_872_77,
    ];
    let t = 1.0 / (1.0 + 0.5 * x);
    let polynomial = COEFFICIENTS.iter().rev().fold(0.0, |sum, &c| sum * t + c);
    t * (-x * x + polynomial).exp()
}

/// A visitor estimate less three relative standard errors of a page sketch: the count a
/// minimum-visitor check can rely on (99.7 % of estimates are above it).
pub fn visitors_lower_bound(estimate: u64) -> u64 {
    (estimate as f64 * (1.0 - 3.0 * PAGE_VISITORS_RSE)).floor() as u64
}

/// The pooled two-proportion z statistic of `x1 / n1` against `x2 / n2`, positive when the
/// first is higher. `None` when the normal approximation does not hold: either group expects
/// fewer than five successes or five failures under the pooled rate.
pub fn two_proportion_z(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<f64> {
    if n1 == 0 || n2 == 0 || x1 > n1 || x2 > n2 {
        return None;
    }
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let pooled = (x1 + x2) as f64 / (n1f + n2f);
    let smaller = pooled.min(1.0 - pooled);
    if n1f.min(n2f) * smaller < 5.0 {
        return None;
    }
    let standard_error = (pooled * (1.0 - pooled) * (1.0 / n1f + 1.0 / n2f)).sqrt();
    Some((x1 as f64 / n1f - x2 as f64 / n2f) / standard_error)
}

/// The one-proportion z statistic of `x / n` against a rate `p0`, positive when above. `None`
/// when `n·p0` or `n·(1 − p0)` is under five.
pub fn one_proportion_z(x: u64, n: u64, p0: f64) -> Option<f64> {
    let nf = n as f64;
    if x > n || !(0.0..=1.0).contains(&p0) || nf * p0.min(1.0 - p0) < 5.0 {
        return None;
    }
    Some((x as f64 / nf - p0) / (p0 * (1.0 - p0) / nf).sqrt())
}

/// How many values of `sketch` are above `threshold`, at the sketch's bucket resolution: the
/// values from the first rank whose estimate exceeds `threshold`.
fn count_above(sketch: &QuantileSketch, threshold: f64) -> u64 {
    let n = sketch.count();
    if n == 0 {
        return 0;
    }
    let value_at = |rank: u64| {
        let q = if n == 1 { 0.0 } else { ((rank as f64 + 0.5) / (n - 1) as f64).min(1.0) };
        sketch.quantile(q).unwrap_or(0.0)
    };
    // The first rank whose value exceeds the threshold, by binary search over 0..n.
    let (mut low, mut high) = (0u64, n);
    while low < high {
        let mid = low + (high - low) / 2;
        if value_at(mid) > threshold {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    n - low
}

/// Whether a page's engaged time is long or short against the site's median, with the test.
pub(super) enum Time {
    Long(Confidence),
    Short(Confidence),
    Neither,
}

/// Long: the page's median is at least [`TIME_FACTOR`] times the site's, and significantly
/// more than half its views are above the site's median. Short: the mirror image.
pub(super) fn engaged_time(page: &Activity, site_median: Option<f64>) -> Time {
    let (Some(site_median), Some(page_median)) =
        (site_median, page.engagement.engaged_time_ms.quantile(0.5))
    else {
        return Time::Neither;
    };
    let n = page.engagement.engaged_time_ms.count();
    let above = count_above(&page.engagement.engaged_time_ms, site_median);
    let Some(z) = one_proportion_z(above, n, 0.5) else {
        return Time::Neither;
    };
    let confidence = Confidence::of(Test::OneProportionZ, z).filter(|c| c.level >= MIN_LEVEL);
    match confidence {
        Some(c) if z > 0.0 && page_median >= site_median * TIME_FACTOR => Time::Long(c),
        Some(c) if z < 0.0 && page_median * TIME_FACTOR <= site_median => Time::Short(c),
        _ => Time::Neither,
    }
}

/// A page's rate `x / n` against the rest of the site's, when it is higher by at least
/// [`MIN_DIFFERENCE`] at [`MIN_LEVEL`]: the test, the page's counts and the rest's.
pub(super) fn higher_than_rest(
    x: u64,
    n: u64,
    site_x: u64,
    site_n: u64,
) -> Option<(Confidence, Counts, Counts)> {
    higher_than_rest_by(x, n, site_x, site_n, 1.0)
}

/// [`higher_than_rest`], also at least `min_ratio` times the rest's rate.
pub(super) fn higher_than_rest_by(
    x: u64,
    n: u64,
    site_x: u64,
    site_n: u64,
    min_ratio: f64,
) -> Option<(Confidence, Counts, Counts)> {
    let page = Counts { count: x, of: n };
    let rest = Counts { count: site_x.saturating_sub(x), of: site_n.saturating_sub(n) };
    let z = two_proportion_z(page.count, page.of, rest.count, rest.of)?;
    let (rate, rest_rate) = (page.share()?, rest.share()?);
    let confidence = Confidence::of(Test::TwoProportionZ, z)?;
    (z > 0.0
        && rate - rest_rate >= MIN_DIFFERENCE
        && rate >= rest_rate * min_ratio
        && confidence.level >= MIN_LEVEL)
        .then_some((confidence, page, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    // 60/100 against 40/100: pooled 0.5, standard error √(0.25 · 0.02) = 0.0707, z = 2.828.
    #[test]
    fn the_two_proportion_z_test_matches_a_worked_example() {
        let z = two_proportion_z(60, 100, 40, 100).unwrap();
        assert!((z - 2.828).abs() < 0.001, "{z}");
        assert_eq!(ConfidenceLevel::of_z(z), Some(ConfidenceLevel::Strong));
        assert!(two_proportion_z(40, 100, 60, 100).unwrap() < 0.0);
    }

    #[test]
    fn the_z_tests_refuse_samples_too_small_for_the_normal_approximation() {
        // Pooled rate 0.04: 100 · 0.04 = 4 expected successes, under 5.
        assert_eq!(two_proportion_z(6, 100, 2, 100), None);
        assert!(two_proportion_z(6, 150, 4, 150).is_some());
        assert_eq!(one_proportion_z(3, 9, 0.5), None);
        assert_eq!(two_proportion_z(1, 0, 1, 10), None);
        // 60/100 against 0.5: (0.6 − 0.5) / √(0.25 / 100) = 2.
        assert!((one_proportion_z(60, 100, 0.5).unwrap() - 2.0).abs() < 1e-12);
    }

    #[test]
    fn p_values_match_the_normal_critical_values() {
        // 1.960, 2.576 and 3.291 are the two-sided 5 %, 1 % and 0.1 % points, rounded to three
        // decimals: the rounding moves p by up to 0.2 %, so 0.5 % is allowed.
        for (z, p) in [(0.0, 1.0), (1.960, 0.05), (-2.576, 0.01), (3.291, 0.001)] {
            assert!((two_sided_p(z) - p).abs() < p * 5e-3, "p({z}) = {}", two_sided_p(z));
        }
        let c = Confidence::of(Test::TwoProportionZ, 3.0).unwrap();
        assert!((c.p_value - 0.0027).abs() < 1e-4, "{c:?}");
    }

    #[test]
    fn confidence_levels_follow_the_two_sided_normal_critical_values() {
        assert_eq!(ConfidenceLevel::of_z(1.95), None);
        assert_eq!(ConfidenceLevel::of_z(-1.96), Some(ConfidenceLevel::Likely));
        assert_eq!(ConfidenceLevel::of_z(2.6), Some(ConfidenceLevel::Strong));
        assert_eq!(ConfidenceLevel::of_z(3.3), Some(ConfidenceLevel::VeryStrong));
    }

    // Values 1..=100: 50 are above 50.4 (the sketch's buckets are 2 % wide, so the threshold is
    // placed between two buckets to make the answer exact).
    #[test]
    fn count_above_reads_the_share_above_a_threshold_from_the_sketch() {
        let mut sketch = QuantileSketch::new();
        (1..=100).for_each(|v| sketch.insert(f64::from(v)));
        assert_eq!(count_above(&sketch, 50.4), 50);
        assert_eq!(count_above(&sketch, 0.0), 100);
        assert_eq!(count_above(&sketch, 100.0), 0);
        assert_eq!(count_above(&QuantileSketch::new(), 1.0), 0);
    }

    #[test]
    fn the_minimum_visitor_check_allows_for_three_standard_errors_of_the_sketch() {
        assert_eq!(visitors_lower_bound(1_000), 975);
        assert_eq!(visitors_lower_bound(31), 30);
    }
}
