//! False discoveries controlled: the Benjamini–Hochberg procedure over every test a range runs
//! (docs/decisions/2026-12-insight-fdr.md).
//!
//! Each rule counts one test for every page, channel or goal that meets its minimum sample,
//! *before* it knows the outcome ([`Tests::run`]), and proposes a card when its effect floors
//! and its own test at [`MIN_LEVEL`](super::MIN_LEVEL) hold. A test that proposes nothing
//! counts with a p-value of 1: that can only raise the thresholds the proposed cards meet, so
//! [`discoveries`] keeps at most what Benjamini–Hochberg over the true p-values of all the
//! tests would keep, and the false-discovery rate stays at most
//! [`FALSE_DISCOVERY_RATE`](super::FALSE_DISCOVERY_RATE). On a site where nothing stands out
//! (every null hypothesis true) that rate is the chance of showing any card at all.

use std::cell::Cell;

use super::InsightCard;

/// The number of tests the rules ran over a range, counted as they run.
#[derive(Debug, Default)]
pub(super) struct Tests(Cell<usize>);

impl Tests {
    /// Counts one test: a rule calls it when a page, channel or goal meets its minimum
    /// sample, whatever the outcome.
    pub(super) fn run(&self) {
        self.0.set(self.0.get() + 1);
    }

    /// The tests run so far.
    pub(super) fn count(&self) -> usize {
        self.0.get()
    }
}

/// The cards among `candidates` that Benjamini–Hochberg keeps at rate `q` over `tests` tests:
/// with the candidates' p-values in increasing order p₍₁₎ ≤ … ≤ p₍ₘ₎, the first i of them,
/// for the largest i with p₍ᵢ₎ ≤ q · i / m. Each candidate is one of the tests.
pub(super) fn discoveries(
    mut candidates: Vec<InsightCard>,
    tests: usize,
    q: f64,
) -> Vec<InsightCard> {
    debug_assert!(candidates.len() <= tests, "a card without its test counted");
    let m = tests.max(candidates.len()) as f64;
    candidates.sort_by(|a, b| a.confidence.p_value.total_cmp(&b.confidence.p_value));
    let kept = (1..=candidates.len())
        .rev()
        .find(|&i| candidates[i - 1].confidence.p_value <= q * i as f64 / m)
        .unwrap_or(0);
    candidates.truncate(kept);
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::stats::{Confidence, ConfidenceLevel, Test};
    use crate::insights::{Finding, Rule};
    use crate::summary::testing::day;
    use crate::summary::MergedRange;

    fn card(p_value: f64) -> InsightCard {
        let confidence = Confidence {
            test: Test::TwoProportionZ,
            statistic: 3.0,
            p_value,
            level: ConfidenceLevel::Strong,
        };
        let finding = Finding {
            statement: format!("p = {p_value}"),
            evidence: vec![],
            confidence,
            action: String::new(),
            effect_size: 0.2,
        };
        let range = MergedRange::new(day("2026-11-23"), day("2026-11-23"), [], []);
        InsightCard::new(Rule::Frustration, None, &range, 100, finding)
    }

    fn kept(p_values: &[f64], tests: usize) -> Vec<f64> {
        let candidates = p_values.iter().map(|&p| card(p)).collect();
        discoveries(candidates, tests, 0.05).iter().map(|c| c.confidence.p_value).collect()
    }

    // Thresholds at q = 0.05 over 10 tests: 0.005, 0.010, 0.015, …; 0.008 passes as the second
    // though it is above the first threshold, and 0.04 fails the third (0.015).
    #[test]
    fn benjamini_hochberg_keeps_the_largest_prefix_under_its_thresholds() {
        assert_eq!(kept(&[0.04, 0.001, 0.008], 10), vec![0.001, 0.008]);
        assert_eq!(kept(&[0.006], 10), Vec::<f64>::new());
        assert_eq!(kept(&[0.006], 1), vec![0.006]);
    }

    // A step-up procedure: a later p-value under its threshold carries earlier ones above
    // theirs (0.009 > 0.005, but 0.014 ≤ 0.015 keeps all three).
    #[test]
    fn benjamini_hochberg_steps_up_from_the_largest_passing_rank() {
        assert_eq!(kept(&[0.009, 0.014, 0.009], 10), vec![0.009, 0.009, 0.014]);
    }

    #[test]
    fn more_tests_keep_fewer_cards() {
        assert_eq!(kept(&[0.001, 0.002], 20).len(), 2);
        assert_eq!(kept(&[0.001, 0.002], 200).len(), 0);
    }
}
