//! Privacy thresholds applied to every output: k-anonymity folding of breakdown rows.
//!
//! # k-anonymity folding
//!
//! A breakdown (pages, referrers, countries, campaigns, goals...) is a list of rows, each with a
//! label, an estimated number of unique visitors and some additive measures. A row seen by fewer
//! than k visitors (default [`DEFAULT_K`]) may point at a person — `/invoice/acme-gmbh` visited
//! once, a referrer only one customer uses — so [`fold_small_rows`] merges it into one row
//! labelled [`OTHER`]. Rows implement [`Breakdown`]; [`BreakdownRow`] is a ready-made row with
//! views and a value sum.
//!
//! Folding is a threshold, not a proof: differences between overlapping outputs (two date
//! ranges that differ by one day, a breakdown before and after a filter) can still isolate a
//! small row. That is what the optional noise below is for.
//!
//! ```
//! use tacit_core::privacy::{fold_small_rows, BreakdownRow, DEFAULT_K, OTHER};
//!
//! let row = |label: &str, visitors| BreakdownRow::new(label, visitors, visitors, 0.0);
//! let rows = vec![row("google.com", 40), row("news.example", 3), row("tiny.example", 2)];
//! let folded = fold_small_rows(rows, DEFAULT_K);
//! assert_eq!(folded, vec![row("google.com", 40), row(OTHER, 5)]);
//! ```

use serde::{Deserialize, Serialize};

/// The default k: breakdown rows with fewer unique visitors than this are folded into [`OTHER`].
pub const DEFAULT_K: u64 = 5;

/// The label of the row that folded rows are merged into.
pub const OTHER: &str = "(other)";

/// A breakdown row that [`fold_small_rows`] can fold.
pub trait Breakdown: Sized {
    /// What the row is about: a page path, a referrer host, a country code...
    fn label(&self) -> &str;

    /// Estimated unique visitors of the row: the k-anonymity criterion.
    fn visitors(&self) -> u64;

    /// Adds `other`'s visitors and every additive measure to this row, keeping this row's label.
    fn absorb(&mut self, other: Self);

    /// Replaces the row's label.
    fn relabel(&mut self, label: &str);
}

/// A breakdown row with the measures most breakdowns need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakdownRow {
    /// What the row is about: a page path, a referrer host, a country code...
    pub label: String,
    /// Estimated unique visitors. In an [`OTHER`] row it is the sum of the folded rows'
    /// estimates, an upper bound of their union: a visitor seen in two folded rows counts twice.
    pub visitors: u64,
    /// Page views (or events) attributed to the row.
    pub views: u64,
    /// Sum of goal values attributed to the row (0 where the breakdown has none).
    pub value: f64,
}

impl BreakdownRow {
    /// A row from its label and measures.
    pub fn new(label: &str, visitors: u64, views: u64, value: f64) -> BreakdownRow {
        BreakdownRow { label: label.to_owned(), visitors, views, value }
    }
}

impl Breakdown for BreakdownRow {
    fn label(&self) -> &str {
        &self.label
    }

    fn visitors(&self) -> u64 {
        self.visitors
    }

    fn absorb(&mut self, other: BreakdownRow) {
        self.visitors = self.visitors.saturating_add(other.visitors);
        self.views = self.views.saturating_add(other.views);
        self.value += other.value;
    }

    fn relabel(&mut self, label: &str) {
        label.clone_into(&mut self.label);
    }
}

/// Folds the rows seen by fewer than `k` visitors into one [`OTHER`] row at the end.
///
/// Rows with at least `k` visitors keep their place and their figures, so sort before folding.
/// A row already labelled [`OTHER`] (for instance the overflow of a top-k sketch) is merged into
/// the folded row whatever its size; the output never has two. Nothing is dropped: the
/// output's visitors, views and values add up to the input's. `k = 0` folds nothing but an
/// existing [`OTHER`] row.
///
/// The folded row's visitors are the sum of the folded rows' estimates, an upper bound of the
/// visitors they have in common (see [`BreakdownRow::visitors`]).
///
/// **A small [`OTHER`] row takes the smallest shown row with it.** When the folded row would have
/// fewer than `k` visitors, the shown row with the fewest visitors (the last of equals) is folded
/// into it too. Without that, a lone folded row would be published under [`OTHER`] with its own
/// figures: the label is all it loses, and a reader who can tell which label is missing (the
/// site's page list, the same breakdown yesterday) puts it back. Suppressing the small row
/// instead would not help: the totals the pages print minus the shown rows give its figures
/// back, and the rows would stop adding up. The extra row has at least `k` visitors, so the
/// folded row reaches `k` and mixes the small rows with figures that are not shown alone.
/// Every row of the output thus has at least `k` visitors, except when the whole breakdown has
/// fewer than `k`: it is then a single [`OTHER`] row, whose figures are the breakdown's totals
/// and name no label.
///
/// The [`OTHER`] row appears only if at least one row was folded into it.
pub fn fold_small_rows<R: Breakdown>(rows: Vec<R>, k: u64) -> Vec<R> {
    let mut shown = Vec::with_capacity(rows.len());
    let mut other: Option<R> = None;
    for row in rows {
        if row.visitors() < k || row.label() == OTHER {
            fold_into(&mut other, row);
        } else {
            shown.push(row);
        }
    }

    let other_is_small = other.as_ref().is_some_and(|other| other.visitors() < k);
    if other_is_small {
        // The last of the shown rows with the fewest visitors. One is enough: it has at least
        // `k` visitors, so the folded row reaches `k`.
        let smallest =
            shown.iter().enumerate().rev().min_by_key(|(_, row)| row.visitors()).map(|(i, _)| i);
        if let Some(index) = smallest {
            fold_into(&mut other, shown.remove(index));
        }
    }

    shown.extend(other);
    shown
}

/// Merges `row` into the folded row, which the first folded row becomes.
fn fold_into<R: Breakdown>(other: &mut Option<R>, mut row: R) {
    match other {
        Some(other) => other.absorb(row),
        None => {
            row.relabel(OTHER);
            *other = Some(row);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn row(label: &str, visitors: u64) -> BreakdownRow {
        BreakdownRow::new(label, visitors, visitors * 2, visitors as f64 * 10.0)
    }

    #[test]
    fn rows_with_fewer_than_k_visitors_fold_into_other_at_the_end() {
        let rows = vec![row("/", 50), row("/a", 2), row("/pricing", 20), row("/b", 3)];
        assert_eq!(
            fold_small_rows(rows, 5),
            vec![row("/", 50), row("/pricing", 20), BreakdownRow::new(OTHER, 5, 10, 50.0)]
        );
    }

    #[test]
    fn a_row_with_exactly_k_visitors_is_shown() {
        let rows = vec![row("/", 50), row("/edge", 5), row("/a", 3), row("/b", 4)];
        assert_eq!(
            fold_small_rows(rows, 5),
            vec![row("/", 50), row("/edge", 5), BreakdownRow::new(OTHER, 7, 14, 70.0)]
        );
    }

    #[test]
    fn rows_of_k_or_more_visitors_are_left_alone() {
        let rows = vec![row("/", 50), row("/pricing", 5)];
        assert_eq!(fold_small_rows(rows.clone(), 5), rows);
    }

    #[test]
    fn an_existing_other_row_is_merged_rather_than_repeated() {
        let rows = vec![row(OTHER, 30), row("/", 50), row("/a", 2)];
        assert_eq!(
            fold_small_rows(rows, 5),
            vec![row("/", 50), BreakdownRow::new(OTHER, 32, 64, 320.0)]
        );
    }

    // The subtraction leak: without the extra fold, "(other)" would show "/invoice/acme"'s
    // exact figures, and its label is the only thing a reader who knows the site lacks.
    #[test]
    fn a_single_small_row_takes_the_smallest_shown_row_with_it() {
        let rows = vec![row("/", 50), row("/pricing", 9), row("/blog", 7), row("/invoice/acme", 1)];
        assert_eq!(
            fold_small_rows(rows, 5),
            vec![row("/", 50), row("/pricing", 9), BreakdownRow::new(OTHER, 8, 16, 80.0)]
        );
    }

    #[test]
    fn small_rows_that_add_up_to_fewer_than_k_take_the_smallest_shown_row_with_them() {
        let rows = vec![row("/", 50), row("/blog", 7), row("/a", 1), row("/b", 2)];
        assert_eq!(
            fold_small_rows(rows, 5),
            vec![row("/", 50), BreakdownRow::new(OTHER, 10, 20, 100.0)]
        );
    }

    #[test]
    fn small_rows_that_add_up_to_k_are_folded_alone() {
        let rows = vec![row("/", 50), row("/blog", 7), row("/a", 2), row("/b", 3)];
        assert_eq!(
            fold_small_rows(rows, 5),
            vec![row("/", 50), row("/blog", 7), BreakdownRow::new(OTHER, 5, 10, 50.0)]
        );
    }

    #[test]
    fn the_last_of_equally_small_shown_rows_is_the_one_folded() {
        let rows = vec![row("/x", 6), row("/y", 6), row("/z", 1)];
        assert_eq!(
            fold_small_rows(rows, 5),
            vec![row("/x", 6), BreakdownRow::new(OTHER, 7, 14, 70.0)]
        );
    }

    #[test]
    fn a_small_existing_other_row_also_takes_the_smallest_shown_row_with_it() {
        let rows = vec![row("/", 50), row("/blog", 7), row(OTHER, 2)];
        assert_eq!(
            fold_small_rows(rows, 5),
            vec![row("/", 50), BreakdownRow::new(OTHER, 9, 18, 90.0)]
        );
    }

    #[test]
    fn a_breakdown_with_fewer_than_k_visitors_in_all_is_one_other_row() {
        let rows = vec![row("/a", 2), row("/b", 1)];
        assert_eq!(fold_small_rows(rows, 5), vec![BreakdownRow::new(OTHER, 3, 6, 30.0)]);
    }

    #[test]
    fn an_empty_breakdown_stays_empty() {
        assert_eq!(fold_small_rows(Vec::<BreakdownRow>::new(), 5), vec![]);
    }

    #[test]
    fn k_of_zero_folds_nothing() {
        let rows = vec![row("/", 50), row("/a", 1), row("/b", 0)];
        assert_eq!(fold_small_rows(rows.clone(), 0), rows);
    }

    // Two folded rows may share visitors: the sum is what is shown, an upper bound of the union.
    #[test]
    fn folded_visitors_are_the_sum_of_the_rows_estimates() {
        let rows = vec![row("/", 50), row("/a", 3), row("/b", 3)];
        assert_eq!(fold_small_rows(rows, 5)[1].visitors, 6);
    }

    fn breakdown() -> impl Strategy<Value = Vec<BreakdownRow>> {
        let label = prop_oneof![Just(OTHER.to_string()), "/[a-z]{0,3}"];
        proptest::collection::vec((label, 0u64..20, 0u64..100), 0..12).prop_map(|rows| {
            rows.into_iter()
                .map(|(label, visitors, views)| BreakdownRow::new(&label, visitors, views, 0.5))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn folding_keeps_totals_and_shows_no_row_under_k(rows in breakdown(), k in 0u64..10) {
            let folded = fold_small_rows(rows.clone(), k);

            let total = |rows: &[BreakdownRow]| {
                (rows.iter().map(|r| r.visitors).sum::<u64>(), rows.iter().map(|r| r.views).sum::<u64>())
            };
            prop_assert_eq!(total(&folded), total(&rows));
            let value_sum: f64 = folded.iter().map(|r| r.value).sum();
            prop_assert!((value_sum - 0.5 * rows.len() as f64).abs() < 1e-9);

            let lone_other = folded.len() == 1 && folded[0].label == OTHER;
            if !lone_other {
                prop_assert!(folded.iter().all(|r| r.visitors >= k));
            }

            let others = folded.iter().filter(|r| r.label == OTHER).count();
            prop_assert!(others <= 1);
            if others == 1 {
                prop_assert_eq!(&folded.last().unwrap().label, OTHER);
            }

            // Shown rows are input rows, unchanged and in input order.
            let mut input = rows.iter();
            for shown in folded.iter().filter(|r| r.label != OTHER) {
                prop_assert!(input.any(|r| r == shown));
            }
        }
    }
}
