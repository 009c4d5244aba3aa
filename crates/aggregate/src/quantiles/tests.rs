//! The sketch against its guarantee, under the bucket cap, through merges and removals, and
//! through its stored layout.

use super::serialization::{CompactF64, QuantileSketchParts, StoredQuantileSketchRef};
use super::sketch::{
    bucket_top, index_of, value_of, LN_GAMMA, LN_ONE_MINUS_ALPHA, MAX_INDEX, MIN_INDEX,
};
use super::*;
use proptest::collection::vec;
use proptest::prelude::*;

use crate::merge_laws::{both_groupings, both_orders};
use crate::test_rng::SplitMix64;

/// The tolerance every accuracy check uses: `α`, plus 1e-9 relative for the `ln`/`exp`
/// rounding of a value that lies exactly on a bucket boundary (observed errors of such
/// values exceed `α` by about 1e-15).
const TOLERANCE: f64 = RELATIVE_ACCURACY * (1.0 + 1e-9);

fn sketch_of(values: &[f64]) -> QuantileSketch {
    let mut sketch = QuantileSketch::new();
    values.iter().for_each(|&v| sketch.insert(v));
    sketch
}

fn relative_error(estimate: f64, truth: f64) -> f64 {
    (estimate - truth).abs() / truth
}

/// Checks p50/p75/p90/p99 of `values` and returns the largest relative error against the
/// exact value at the same rank, and against the linearly interpolated quantile (what a
/// spreadsheet computes).
fn check_accuracy(name: &str, mut values: Vec<f64>) -> (f64, f64) {
    let sketch = sketch_of(&values);
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let (mut worst_rank, mut worst_interpolated) = (0.0f64, 0.0f64);
    for q in [0.5, 0.75, 0.9, 0.99] {
        let estimate = sketch.quantile(q).unwrap();
        let position = q * (n - 1) as f64;
        let at_rank = values[position as usize];
        let above = values[(position as usize + 1).min(n - 1)];
        let interpolated = at_rank + (above - at_rank) * position.fract();
        let (e_rank, e_interp) =
            (relative_error(estimate, at_rank), relative_error(estimate, interpolated));
        println!(
            "{name:>10} p{:<4} exact {at_rank:>12.3} sketch {estimate:>12.3} \
             error {:.4} % (vs interpolated {:.4} %)",
            q * 100.0,
            e_rank * 100.0,
            e_interp * 100.0
        );
        // The guarantee: within α of the value at rank ⌊q(n−1)⌋, the rank the sketch
        // estimates. No slack for rank discreteness is needed against that exact value.
        assert!(e_rank <= TOLERANCE, "{name} p{q}: {estimate} vs {at_rank}");
        // Against the interpolated quantile we allow 2 %: α = 1 % plus the gap between
        // neighbouring order statistics, which in 100 000 samples of these smooth
        // distributions is far below 1 % of the value at p50..p99.
        assert!(e_interp <= 0.02, "{name} p{q}: {estimate} vs interpolated {interpolated}");
        worst_rank = worst_rank.max(e_rank);
        worst_interpolated = worst_interpolated.max(e_interp);
    }
    assert_eq!(sketch.quantile(0.0), Some(values[0]), "{name}: p0 is the exact minimum");
    assert_eq!(sketch.quantile(1.0), Some(values[n - 1]), "{name}: p100 is the exact maximum");
    (worst_rank, worst_interpolated)
}

const SAMPLES: usize = 100_000;

#[test]
fn uniform_engaged_time_quantiles_are_within_one_percent() {
    let mut rng = SplitMix64(1);
    // Engaged time uniform in 0..10 min, in ms.
    let values = (0..SAMPLES).map(|_| rng.unit_nonzero() * 600_000.0).collect();
    let (rank, interpolated) = check_accuracy("uniform", values);
    println!(
        "uniform: worst {:.4} % at rank, {:.4} % interpolated",
        rank * 100.0,
        interpolated * 100.0
    );
}

#[test]
fn exponential_lcp_quantiles_are_within_one_percent() {
    let mut rng = SplitMix64(2);
    // LCP with a mean of 2.5 s.
    let values = (0..SAMPLES).map(|_| -rng.unit_nonzero().ln() * 2_500.0).collect();
    let (rank, interpolated) = check_accuracy("exponential", values);
    println!(
        "exponential: worst {:.4} % at rank, {:.4} % interpolated",
        rank * 100.0,
        interpolated * 100.0
    );
}

#[test]
fn log_normal_inp_quantiles_are_within_one_percent() {
    let mut rng = SplitMix64(3);
    // INP log-normal around a 200 ms median, σ = 1 (p99 ≈ 2 s).
    let values = (0..SAMPLES).map(|_| (200f64.ln() + rng.normal()).exp()).collect();
    let (rank, interpolated) = check_accuracy("log-normal", values);
    println!(
        "log-normal: worst {:.4} % at rank, {:.4} % interpolated",
        rank * 100.0,
        interpolated * 100.0
    );
}

#[test]
fn every_rank_of_integer_data_is_within_one_percent() {
    // Scroll depths 0..=100 % with many ties, and zeros: every rank, not just four.
    let mut rng = SplitMix64(4);
    let mut values: Vec<f64> = (0..5_000).map(|_| (rng.next_u64() % 101) as f64).collect();
    let sketch = sketch_of(&values);
    values.sort_by(f64::total_cmp);
    let last = (values.len() - 1) as f64;
    for (rank, &truth) in values.iter().enumerate() {
        // Aim at the middle of the rank: `rank / last` itself can come out a hair below
        // `rank` once multiplied back by `last`, and the sketch then (rightly) answers the
        // rank before.
        let q = ((rank as f64 + 0.5) / last).min(1.0);
        let estimate = sketch.quantile(q).unwrap();
        if truth == 0.0 {
            assert_eq!(estimate, 0.0, "rank {rank}");
        } else {
            assert!(relative_error(estimate, truth) <= TOLERANCE, "rank {rank}");
        }
    }
}

#[test]
fn zeros_are_counted_apart_and_answered_exactly() {
    let mut sketch = QuantileSketch::new();
    sketch.insert_n(0.0, 3);
    sketch.insert(-0.0);
    sketch.insert(5e-324); // subnormal: counted as a zero
    sketch.insert(10.0);
    assert_eq!((sketch.count(), sketch.zero_count, sketch.bucket_count()), (6, 5, 1));
    assert_eq!(sketch.quantile(0.5), Some(0.0));
    assert!(sketch.quantile(0.0).unwrap().is_sign_positive(), "−0.0 is stored as 0.0");
    assert_eq!(sketch.quantile(1.0), Some(10.0));
}

#[test]
fn ignores_negative_nan_and_infinite_values() {
    let mut sketch = QuantileSketch::new();
    for value in [-1.0, -f64::MIN_POSITIVE, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        sketch.insert(value);
        sketch.insert_n(value, 7);
    }
    sketch.insert_n(4.0, 0);
    assert_eq!(sketch, QuantileSketch::new());
    assert_eq!(sketch.quantile(0.5), None);
    assert_eq!((sketch.min(), sketch.max()), (None, None));
}

#[test]
fn quantile_is_none_outside_zero_to_one() {
    let sketch = sketch_of(&[1.0, 2.0, 3.0]);
    for q in [-0.01, 1.01, f64::NAN, f64::INFINITY] {
        assert_eq!(sketch.quantile(q), None, "q = {q}");
    }
    assert_eq!(sketch.quantile(0.0), Some(1.0));
}

#[test]
fn extreme_finite_values_are_answered_finitely() {
    let sketch = sketch_of(&[f64::MAX, f64::MIN_POSITIVE, 1.0]);
    assert_eq!(sketch.bins.first().unwrap().0, MIN_INDEX);
    assert_eq!(sketch.bins.last().unwrap().0, MAX_INDEX);
    assert!(value_of(MAX_INDEX).is_finite());
    assert!(relative_error(value_of(MAX_INDEX), f64::MAX) <= TOLERANCE);
    assert!(relative_error(value_of(MIN_INDEX), f64::MIN_POSITIVE) <= TOLERANCE);
    assert_eq!(sketch.quantile(0.5), Some(value_of(0)));
}

#[test]
fn constants_match_their_definitions() {
    // ln γ = 2·artanh(α) exactly; `gamma.ln()` would carry the rounding of the division.
    let ln_gamma = 2.0 * RELATIVE_ACCURACY.atanh();
    assert!((LN_GAMMA - ln_gamma).abs() < 1e-17, "{LN_GAMMA} vs {ln_gamma}");
    let gamma = (1.0 + RELATIVE_ACCURACY) / (1.0 - RELATIVE_ACCURACY);
    let ln_one_minus_alpha = (-RELATIVE_ACCURACY).ln_1p();
    assert!((LN_ONE_MINUS_ALPHA - ln_one_minus_alpha).abs() < 1e-17);
    let index = |x: f64| (x.ln() / LN_GAMMA).ceil() as i32;
    assert_eq!(index(MIN_INDEXABLE_VALUE), MIN_INDEX);
    assert_eq!(index(f64::MAX), MAX_INDEX);
    // The documented span of MAX_BUCKETS buckets.
    let span = gamma.powi(MAX_BUCKETS as i32 - 1);
    assert!((7.6e8..7.8e8).contains(&span), "{span}");
}

#[test]
fn every_value_in_a_bucket_is_within_alpha_of_its_answer() {
    for index in [-35_418, -1_000, -1, 0, 1, 2, 100, 500, 1_000, 35_000] {
        let (top, bottom) = (bucket_top(index), bucket_top(index - 1));
        for x in [top * (1.0 - 1e-12), bottom * (1.0 + 1e-12), (top + bottom) / 2.0] {
            assert_eq!(index_of(x), index, "x = {x}");
            assert!(relative_error(value_of(index), x) <= TOLERANCE, "x = {x}");
        }
        // A value computed to sit exactly on a boundary may land on either side of it,
        // depending on the last bit of `ln`; either way its answer is within α.
        for (x, buckets) in [(top, index..=index + 1), (bottom, index - 1..=index)] {
            assert!(buckets.contains(&index_of(x)), "x = {x}");
            assert!(relative_error(value_of(index_of(x)), x) <= TOLERANCE, "x = {x}");
        }
    }
}

#[test]
fn insert_n_equals_n_inserts() {
    let mut once = QuantileSketch::new();
    once.insert_n(123.4, 5);
    once.insert_n(0.0, 2);
    let mut many = QuantileSketch::new();
    (0..5).for_each(|_| many.insert(123.4));
    (0..2).for_each(|_| many.insert(0.0));
    assert_eq!(once, many);
}

#[test]
fn removing_a_value_takes_back_its_count_only() {
    let mut sketch = sketch_of(&[0.0, 12_000.0, 12_050.0, 30_000.0]);
    assert!(!sketch.remove(5_000.0), "a value in no bucket was never counted");
    assert!(!sketch.remove(-1.0) && !sketch.remove(f64::NAN));
    assert_eq!(sketch.count(), 4);
    // The maximum's bucket is left empty: the next bucket's answer stands in, within α.
    assert!(sketch.remove(30_000.0));
    let max = sketch.max().unwrap();
    assert!(relative_error(max, 12_050.0) <= TOLERANCE, "{max}");
    // The last zero goes: the lowest bucket's answer is the minimum, within α.
    assert!(sketch.remove(0.0));
    let min = sketch.min().unwrap();
    assert!(relative_error(min, 12_000.0) <= TOLERANCE, "{min}");
    assert!(sketch.remove(12_000.0) && sketch.remove(12_050.0));
    assert_eq!(sketch, QuantileSketch::new(), "empty again, as new");
    assert!(!sketch.remove(12_000.0));

    // 1.0 is the top of its bucket (γ⁰), answered as 1 − α: α off, and rounding takes the
    // computed error just past α (a case proptest found).
    let mut sketch = sketch_of(&[0.0, 1.0]);
    assert!(sketch.remove(0.0));
    let min = sketch.min().unwrap();
    assert!(
        relative_error(min, 1.0) > RELATIVE_ACCURACY && relative_error(min, 1.0) <= TOLERANCE,
        "{min}"
    );

    // 100 and 101.5 share the bucket (99.5, 101.5]: 1.5 % apart, so neither can stand in
    // for the other when it goes (a case proptest found).
    assert_eq!(index_of(100.0), index_of(101.5));
    let mut sketch = sketch_of(&[100.0, 101.5]);
    assert!(sketch.remove(101.5));
    for extreme in [sketch.max(), sketch.quantile(1.0), sketch.quantile(0.0)] {
        let extreme = extreme.unwrap();
        assert!(relative_error(extreme, 100.0) <= RELATIVE_ACCURACY, "{extreme} for 100");
    }
    let mut sketch = sketch_of(&[100.0, 101.5, 101.5]);
    assert!(sketch.remove(100.0));
    let min = sketch.min().unwrap();
    assert!(relative_error(min, 101.5) <= RELATIVE_ACCURACY, "{min} for 101.5");
    assert_eq!(sketch.max(), Some(101.5), "the maximum stays exact");
}

#[test]
fn bucket_cap_holds_under_a_million_wildly_spread_values() {
    let mut rng = SplitMix64(5);
    // Log-uniform over e^-100 .. e^100 (1e-43 .. 1e43): ~10 000 possible buckets, ten
    // times the cap, so about 90 % of the values end up in the collapsed bucket.
    let mut values: Vec<f64> =
        (0..1_000_000).map(|_| ((rng.unit_nonzero() - 0.5) * 200.0).exp()).collect();
    let sketch = sketch_of(&values);
    assert_eq!(sketch.bucket_count(), MAX_BUCKETS);
    assert_eq!(sketch.count(), 1_000_000);
    values.sort_by(f64::total_cmp);
    // Everything below the 1024th-highest bucket sits in bins[0]: ranks past it keep α.
    let collapsed = sketch.bins[0].1;
    let first_exact_q = collapsed as f64 / (values.len() - 1) as f64;
    println!(
        "cap: {} buckets; {collapsed} of 1e6 values collapsed, so q > {first_exact_q:.4} \
         keeps the 1 % guarantee",
        sketch.bucket_count()
    );
    for q in [0.95, 0.99, 0.999, 1.0] {
        assert!(q > first_exact_q);
        let truth = values[(q * (values.len() - 1) as f64) as usize];
        let estimate = sketch.quantile(q).unwrap();
        assert!(relative_error(estimate, truth) <= TOLERANCE, "p{q}: {estimate} vs {truth}");
    }
    // And the collapsed bucket over-estimates, never under-estimates.
    let truth = values[values.len() / 2];
    assert!(sketch.quantile(0.5).unwrap() >= truth);
}

#[test]
fn merge_under_the_cap_equals_one_sketch() {
    let mut rng = SplitMix64(6);
    let values: Vec<f64> =
        (0..20_000).map(|_| ((rng.unit_nonzero() - 0.5) * 1_400.0).exp()).collect();
    let whole = sketch_of(&values);
    let mut parts: Vec<QuantileSketch> = values.chunks(3_000).map(sketch_of).collect();
    // Merge in reverse order, into the last part, to make the test order-sensitive.
    let mut merged = parts.pop().unwrap();
    parts.iter().rev().for_each(|part| merged.merge(part));
    assert_eq!(merged.bucket_count(), MAX_BUCKETS);
    assert_eq!(merged, whole);
}

#[test]
fn postcard_round_trip_is_exact() {
    let mut rng = SplitMix64(7);
    let mut sketch = sketch_of(&(0..10_000).map(|_| rng.unit_nonzero() * 1e4).collect::<Vec<_>>());
    sketch.insert_n(0.0, 10);
    let bytes = postcard::to_allocvec(&sketch).unwrap();
    let decoded: QuantileSketch = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(decoded, sketch);
    let empty: QuantileSketch =
        postcard::from_bytes(&postcard::to_allocvec(&QuantileSketch::new()).unwrap()).unwrap();
    assert_eq!(empty, QuantileSketch::new());
    println!("10 000 uniform values + 10 zeros: {} bytes", bytes.len());
}

#[test]
fn ten_values_fit_in_32_bytes() {
    // Ten engaged times, 1 s .. 10 min.
    let values = [1_200.0, 3_400.0, 8_000.0, 15_000.0, 22_500.0, 41_000.0, 65_000.0, 90_000.0];
    let mut sketch = sketch_of(&values);
    sketch.insert(240_000.0);
    sketch.insert(600_000.0);
    let bytes = postcard::to_allocvec(&sketch).unwrap();
    println!(
        "10 values: {} bytes; empty: {} bytes",
        bytes.len(),
        postcard::to_allocvec(&QuantileSketch::new()).unwrap().len()
    );
    assert!(bytes.len() <= 32, "{} bytes", bytes.len());
}

/// A sketch's parts, borrowed.
struct PartsRef<'a> {
    zero_count: u64,
    extremes: Option<(f64, f64)>,
    bins: &'a [(i32, u64)],
}

/// The parts, encoded in the stored layout and decoded.
fn decode(parts: &PartsRef<'_>) -> Result<QuantileSketch, postcard::Error> {
    let stored = StoredQuantileSketchRef::new(parts.zero_count, parts.extremes, parts.bins);
    postcard::from_bytes(&postcard::to_allocvec(&stored).unwrap())
}

#[test]
fn stores_whole_numbers_in_few_bytes_and_every_float_exactly() {
    let size = |value: f64| postcard::to_allocvec(&CompactF64(value)).unwrap().len();
    assert_eq!((size(0.0), size(1.0), size(6_696.0), size(86_400_000.0)), (1, 2, 3, 4));
    for value in [0.0, 1e-300, 0.1, 2.5, 6_696.0, f64::MAX, f64::MIN_POSITIVE] {
        let bytes = postcard::to_allocvec(&CompactF64(value)).unwrap();
        assert_eq!(
            postcard::from_bytes::<CompactF64>(&bytes).unwrap().0.to_bits(),
            value.to_bits()
        );
    }
}

fn with_bins(bins: &[(i32, u64)]) -> PartsRef<'_> {
    PartsRef { zero_count: 0, extremes: Some((1.0, 2.0)), bins }
}

#[test]
fn decoding_rejects_what_insert_cannot_build() {
    let check = |parts: PartsRef<'_>, expected: QuantileSketchError| {
        let bins: Vec<(i32, u64)> = parts.bins.to_vec();
        let owned =
            QuantileSketchParts { zero_count: parts.zero_count, extremes: parts.extremes, bins };
        assert_eq!(QuantileSketch::try_from(owned).unwrap_err(), expected);
        assert!(decode(&parts).is_err());
    };
    let too_many: Vec<(i32, u64)> = (0..=MAX_BUCKETS as i32).map(|i| (i, 1)).collect();
    check(with_bins(&too_many), QuantileSketchError::TooManyBuckets { len: MAX_BUCKETS + 1 });
    check(
        with_bins(&[(MAX_INDEX + 1, 1)]),
        QuantileSketchError::IndexOutOfRange { index: MAX_INDEX + 1 },
    );
    check(with_bins(&[(1, 1), (2, 0)]), QuantileSketchError::EmptyBucket { index: 2 });
    check(with_bins(&[(3, 1), (2, 1)]), QuantileSketchError::UnsortedBuckets { index: 2 });
    check(with_bins(&[(3, 1), (3, 1)]), QuantileSketchError::UnsortedBuckets { index: 3 });
    check(with_bins(&[(1, u64::MAX), (2, 1)]), QuantileSketchError::CountOverflow);
    let bad_extremes = [(2.0, 1.0), (f64::NAN, 2.0), (-1.0, 2.0), (0.0, 2.0), (1.0, f64::INFINITY)];
    for (min, max) in bad_extremes {
        let parts = PartsRef { extremes: Some((min, max)), ..with_bins(&[(1, 1)]) };
        check(parts, QuantileSketchError::InvalidMinMax);
    }
    // Extremes in an empty sketch, none in a non-empty one.
    check(with_bins(&[]), QuantileSketchError::InvalidMinMax);
    check(PartsRef { extremes: None, ..with_bins(&[(1, 1)]) }, QuantileSketchError::InvalidMinMax);
    assert_eq!(decode(&with_bins(&[(0, 1), (35, 2)])).unwrap().count(), 3);
}

fn spread_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        // Typical measurements, many sharing buckets.
        1 => (0u32..100_000).prop_map(f64::from),
        // Wildly spread, nearly all in distinct buckets, so that two or three long inputs
        // together exceed the bucket cap and the merge laws are tested through collapses.
        4 => (-700.0f64..700.0).prop_map(f64::exp),
        1 => Just(0.0),
    ]
}

fn values(max_len: usize) -> impl Strategy<Value = Vec<f64>> {
    vec(spread_value(), 0..max_len)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn merge_is_commutative(a in values(1_500), b in values(1_500)) {
        let (ab, ba) = both_orders(&sketch_of(&a), &sketch_of(&b), QuantileSketch::merge);
        prop_assert_eq!(ab, ba);
    }

    #[test]
    fn merge_is_associative(a in values(1_000), b in values(1_000), c in values(1_000)) {
        let (sa, sb, sc) = (sketch_of(&a), sketch_of(&b), sketch_of(&c));
        let (left, right) = both_groupings(&sa, &sb, &sc, QuantileSketch::merge);
        prop_assert_eq!(left, right);
    }

    #[test]
    fn merging_equals_inserting_into_one_sketch(a in values(1_500), b in values(1_500)) {
        let mut merged = sketch_of(&a);
        merged.merge(&sketch_of(&b));
        let all: Vec<f64> = a.iter().chain(&b).copied().collect();
        prop_assert_eq!(&merged, &sketch_of(&all));
        // Insertion order does not matter either.
        let reversed: Vec<f64> = all.iter().rev().copied().collect();
        prop_assert_eq!(&merged, &sketch_of(&reversed));
    }

    #[test]
    fn the_narrowed_search_finds_what_a_binary_search_finds(
        indices in proptest::collection::btree_set(-2_000i32..2_000, 0..300),
        // Mostly contiguous runs, as real measurements fill them.
        run in proptest::collection::btree_set(-100i32..100, 0..200),
        index in -2_100i32..2_100,
    ) {
        let bins: Vec<(i32, u64)> = indices.union(&run).map(|&i| (i, 1)).collect();
        let sketch = QuantileSketch { count: bins.len() as u64, bins, ..QuantileSketch::new() };
        for index in [index, index % 110] {
            prop_assert_eq!(
                sketch.position(index),
                sketch.bins.binary_search_by_key(&index, |&(i, _)| i),
                "{}", index
            );
        }
    }

    #[test]
    fn removing_values_leaves_the_sketch_that_never_counted_them(
        kept in values(400),
        removed in values(400),
    ) {
        let mut sketch = sketch_of(&kept);
        for &value in &removed {
            sketch.insert(value);
        }
        for &value in &removed {
            prop_assert!(sketch.remove(value), "{} was counted", value);
        }
        let expected = sketch_of(&kept);
        prop_assert_eq!(&sketch.bins, &expected.bins);
        prop_assert_eq!((sketch.count, sketch.zero_count), (expected.count, expected.zero_count));
        // The extremes are within α of the true ones, and every quantile keeps its
        // guarantee (no bucket was collapsed: at most 800 values).
        let mut sorted = kept.clone();
        sorted.sort_by(f64::total_cmp);
        let at_rank = |q: f64| sorted.get((q * (sorted.len().max(1) - 1) as f64) as usize).copied();
        let extremes = [(sketch.min(), expected.min()), (sketch.max(), expected.max())];
        let quantiles = [0.0, 0.25, 0.5, 0.9, 0.99, 1.0].map(|q| (sketch.quantile(q), at_rank(q)));
        for (ours, truth) in extremes.into_iter().chain(quantiles) {
            match (ours, truth) {
                (Some(ours), Some(truth)) if truth >= MIN_INDEXABLE_VALUE => {
                    prop_assert!(relative_error(ours, truth) <= TOLERANCE, "{} for {}", ours, truth);
                }
                (Some(ours), Some(_)) => prop_assert!(ours < MIN_INDEXABLE_VALUE),
                (ours, truth) => prop_assert_eq!(ours, truth),
            }
        }
        // Still a sketch that storage accepts.
        let bytes = postcard::to_allocvec(&sketch).unwrap();
        prop_assert_eq!(postcard::from_bytes::<QuantileSketch>(&bytes).unwrap(), sketch);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in vec(any::<u8>(), 0..512)) {
        if let Ok(sketch) = postcard::from_bytes::<QuantileSketch>(&bytes) {
            exercise(&sketch);
        }
    }

    #[test]
    fn decoded_structured_garbage_is_valid_or_rejected(
        zero_count in any::<u64>(),
        extremes in proptest::option::of((any::<f64>(), any::<f64>())),
        bins in vec((any::<i32>(), any::<u64>()), 0..8),
    ) {
        let parts = PartsRef { zero_count, extremes, bins: &bins };
        if let Ok(sketch) = decode(&parts) {
            exercise(&sketch);
        }
    }

    #[test]
    fn decoded_plausible_sketches_are_valid_or_rejected(
        zero_count in 0u64..3,
        extremes in proptest::option::of((prop_oneof![Just(0.0), 0.0f64..10.0], 0.0f64..1e6)),
        bins in vec((-5i32..800, 0u64..3), 0..8),
    ) {
        let parts = PartsRef { zero_count, extremes, bins: &bins };
        if let Ok(sketch) = decode(&parts) {
            exercise(&sketch);
        }
    }
}

/// Every query and a merge on a decoded sketch: none may panic, answers stay in range.
fn exercise(sketch: &QuantileSketch) {
    assert!(sketch.bucket_count() <= MAX_BUCKETS);
    for q in [0.0, 0.1, 0.5, 0.99, 1.0] {
        match sketch.quantile(q) {
            None => assert!(sketch.is_empty()),
            Some(v) => {
                assert!(v.is_finite() && sketch.min().unwrap() <= v && v <= sketch.max().unwrap())
            }
        }
    }
    let mut merged = sketch.clone();
    merged.merge(sketch);
    merged.insert(1.0);
    let _ = merged.quantile(0.5);
}
