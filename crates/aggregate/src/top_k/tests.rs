//! The sketch against its bounds, against the textbook algorithm, through merges and
//! retractions, and through its stored layout.

use super::serialization::{shared_prefix_len, StoredCounterRef, StoredTopK, StoredTopKRef};
use super::sketch::Slot;
use super::*;
use proptest::collection::vec;
use proptest::prelude::*;
use std::collections::HashMap;

use crate::merge_laws::{both_groupings, both_orders};
use crate::test_rng::SplitMix64;

/// Exact counts and value sums, to check a sketch against, and how many occurrences were
/// retracted (which a sketch may keep in its total).
#[derive(Default)]
struct Truth(HashMap<String, (u64, f64)>, u64);

impl Truth {
    fn retract(&mut self, key: &str) {
        let entry = self.0.get_mut(key).expect("only counted keys are retracted");
        entry.0 -= 1;
        self.1 += 1;
    }

    fn insert(&mut self, key: &str, weight: u64, value: f64) {
        let entry = self.0.entry(key.to_owned()).or_default();
        entry.0 += weight;
        entry.1 += value;
    }

    fn total(&self) -> u64 {
        self.0.values().map(|&(n, _)| n).sum()
    }
}

fn key(i: u64) -> String {
    format!("/page/{i}")
}

/// Asserts every guarantee of the module documentation and returns the largest error.
fn assert_bounds(sketch: &TopK, truth: &Truth) -> u64 {
    let (total, threshold) = (sketch.total(), sketch.threshold());
    assert!((truth.total()..=truth.total() + truth.1).contains(&total), "total {total}");
    assert!(sketch.len() <= sketch.capacity());
    assert!(threshold * sketch.capacity() as u64 <= total, "threshold {threshold} > N/m");
    let top = sketch.top(sketch.len());
    let mut worst = 0;
    for entry in &top {
        let (true_count, true_sum) = truth.0[&entry.key];
        assert!(entry.count >= true_count, "{entry:?} under-counts {true_count}");
        assert!(entry.count - entry.max_error <= true_count, "{entry:?} vs {true_count}");
        assert!(entry.max_error <= threshold, "{entry:?} error above {threshold}");
        if entry.max_error == 0 {
            assert_eq!(entry.value_sum, true_sum, "{entry:?}");
        }
        worst = worst.max(entry.count - true_count);
    }
    for (key, &(true_count, _)) in &truth.0 {
        if true_count > threshold {
            assert!(top.iter().any(|e| &e.key == key), "{key} ({true_count}) is missing");
        }
    }
    worst
}

#[test]
fn counts_exactly_while_keys_fit() {
    let mut rng = SplitMix64(1);
    let (mut sketch, mut truth) = (TopK::with_capacity(64), Truth::default());
    for _ in 0..10_000 {
        let (k, weight) = (key(rng.next_u64() % 64), 1 + rng.next_u64() % 3);
        let value = (rng.next_u64() % 10_000) as f64 / 100.0; // prices in cents
        sketch.insert(&k, weight, value);
        truth.insert(&k, weight, value);
    }
    assert_eq!(sketch.len(), 64);
    for entry in sketch.top(64) {
        let (count, sum) = truth.0[&entry.key];
        assert_eq!((entry.count, entry.max_error), (count, 0));
        // Same additions in the same order: bit-for-bit equal, not just close.
        assert_eq!(entry.value_sum, sum);
    }
    assert_bounds(&sketch, &truth);
}

#[test]
fn top_sorts_by_count_then_key() {
    let mut sketch = TopK::with_capacity(8);
    for (key, weight) in [("b", 2), ("c", 5), ("a", 2), ("d", 1)] {
        sketch.insert(key, weight, 0.0);
    }
    let keys: Vec<String> = sketch.top(3).into_iter().map(|e| e.key).collect();
    assert_eq!(keys, ["c", "a", "b"]);
    assert_eq!(sketch.top(100).len(), 4);
    assert!(sketch.top(0).is_empty());
}

/// A Zipf stream over `keys` keys: key `r` (1-based) has probability `r^-s / H(keys, s)`.
/// With 10 000 keys, s = 1 gives the top key 10.2 % and key 10 1.02 %; s = 1.2 gives the
/// top key 19.3 % and key 15 about 0.75 %.
fn zipf_stream(seed: u64, s: f64, keys: u64, len: usize) -> Vec<String> {
    let cumulative: Vec<f64> = (1..=keys)
        .scan(0.0, |sum, r| {
            *sum += (r as f64).powf(-s);
            Some(*sum)
        })
        .collect();
    let norm = cumulative[cumulative.len() - 1];
    let mut rng = SplitMix64(seed);
    (0..len)
        .map(|_| {
            let u = rng.unit() * norm;
            // Scramble ranks into key names so that key order says nothing about rank.
            let rank = cumulative.partition_point(|&c| c <= u) as u64;
            key(rank.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40)
        })
        .collect()
}

/// Feeds `stream` to a sketch of capacity `m` and checks the bounds. Returns the sketch, the
/// truth, the largest over-count, and how many of the keys above 1 % of N were listed.
fn zipf_run(stream: &[String], m: usize) -> (TopK, Truth, u64, usize, usize) {
    let (mut sketch, mut truth) = (TopK::with_capacity(m), Truth::default());
    for k in stream {
        sketch.insert(k, 1, 1.0);
        truth.insert(k, 1, 1.0);
    }
    let worst = assert_bounds(&sketch, &truth);
    let (above, recalled) = recall_above_one_percent(&sketch, &truth);
    (sketch, truth, worst, above, recalled)
}

fn recall_above_one_percent(sketch: &TopK, truth: &Truth) -> (usize, usize) {
    let n = sketch.total();
    let listed = sketch.top(sketch.len());
    let above: Vec<&String> =
        truth.0.iter().filter(|(_, &(c, _))| c > n / 100).map(|(k, _)| k).collect();
    let recalled = above.iter().filter(|k| listed.iter().any(|e| &e.key == **k)).count();
    (above.len(), recalled)
}

fn report(name: &str, sketch: &TopK, worst: u64, above: usize, recalled: usize) {
    let (n, t) = (sketch.total(), sketch.threshold());
    println!(
        "{name}: N={n} m={}: threshold {t} ({:.2} % of N; bound N/m = {}), largest \
         over-count {worst}, keys above 1 %: {recalled}/{above} listed",
        sketch.capacity(),
        t as f64 * 100.0 / n as f64,
        n / sketch.capacity() as u64,
    );
}

#[test]
fn zipf_stream_keeps_every_key_above_one_percent() {
    // 1e5 items over 10 000 keys, m = 64, Zipf s = 1.2. The worst-case guarantee only
    // covers keys above N/m = 1.56 %; what makes 1 % recall certain rather than lucky is
    // that every key above the threshold t is listed, and on this stream t < 1 % of N.
    let stream = zipf_stream(2, 1.2, 10_000, 100_000);
    let (sketch, _, worst, above, recalled) = zipf_run(&stream, 64);
    report("zipf s=1.2", &sketch, worst, above, recalled);
    assert!(sketch.threshold() < sketch.total() / 100, "threshold {}", sketch.threshold());
    assert_eq!(recalled, above);
    assert!(worst <= sketch.total() / 64);
}

#[test]
fn zipf_heavy_tail_needs_more_counters_for_one_percent() {
    // With s = 1 the tail is heavy: the top 64 keys hold under half the weight, so t sits
    // near N/m and keys just above 1 % are listed only if they happened to arrive lately
    // (over 50 seeds, m = 64 missed a key above 1 % in 11). So at m = 64 only the bounds
    // are asserted; at m = 128, N/m = 0.78 % < 1 % and the bound itself guarantees recall.
    let stream = zipf_stream(3, 1.0, 10_000, 100_000);
    let (sketch, _, worst, above, recalled) = zipf_run(&stream, 64);
    report("zipf s=1.0", &sketch, worst, above, recalled);
    assert!(worst <= sketch.total() / 64);
    let (sketch, _, worst, above, recalled) = zipf_run(&stream, 128);
    report("zipf s=1.0", &sketch, worst, above, recalled);
    assert!(sketch.threshold() <= sketch.total() / 128);
    assert_eq!(recalled, above);
}

#[test]
fn merged_halves_of_a_zipf_stream_keep_the_bounds() {
    for s in [1.0, 1.2] {
        let stream = zipf_stream(4, s, 10_000, 100_000);
        let (first, second) = stream.split_at(stream.len() / 2);
        let (mut a, mut truth, ..) = zipf_run(first, 64);
        let (b, truth_b, ..) = zipf_run(second, 64);
        for (k, (n, v)) in truth_b.0 {
            truth.insert(&k, n, v);
        }
        a.merge(&b);
        // Errors of the halves add, but stay within N/m of the whole stream.
        let worst = assert_bounds(&a, &truth);
        assert!(worst <= a.total() / 64);
        let (above, recalled) = recall_above_one_percent(&a, &truth);
        report(&format!("zipf s={s:.1}, halves merged"), &a, worst, above, recalled);
        if a.threshold() < a.total() / 100 {
            assert_eq!(recalled, above);
        }
    }
}

#[test]
fn merge_of_exact_sketches_is_exact() {
    let (mut a, mut b) = (TopK::with_capacity(8), TopK::with_capacity(8));
    a.insert("checkout", 2, 30.0);
    a.insert("signup", 1, 0.0);
    b.insert("checkout", 1, 12.5);
    b.insert("newsletter", 4, 0.0);
    a.merge(&b);
    let top = a.top(8);
    let line = |e: &TopKEntry| (e.key.clone(), e.count, e.max_error, e.value_sum);
    assert_eq!(
        top.iter().map(line).collect::<Vec<_>>(),
        [
            ("newsletter".to_owned(), 4, 0, 0.0),
            ("checkout".to_owned(), 3, 0, 42.5),
            ("signup".to_owned(), 1, 0, 0.0)
        ]
    );
    assert_eq!(a.total(), 8);
}

#[test]
fn merge_takes_the_smaller_capacity() {
    let (mut big, mut small) = (TopK::with_capacity(32), TopK::with_capacity(8));
    for i in 0..32 {
        big.insert(&key(i), i + 1, 0.0);
    }
    small.insert("x", 1, 0.0);
    let mut a = big.clone();
    a.merge(&small);
    let mut b = small.clone();
    b.merge(&big);
    assert_eq!((a.capacity(), a.len()), (8, 8));
    assert_eq!(a, b);
}

#[test]
fn long_keys_are_cut_at_a_char_boundary() {
    let mut sketch = TopK::with_capacity(8);
    // 199 ASCII bytes, then a 2-byte 'é' that would straddle byte 200.
    let long = format!("{}é and more", "a".repeat(199));
    sketch.insert(&long, 1, 0.0);
    sketch.insert(&"a".repeat(199), 1, 0.0);
    let top = sketch.top(1);
    assert_eq!((top[0].key.len(), top[0].count, sketch.len()), (199, 2, 1));
    sketch.insert(&"b".repeat(300), 1, 0.0);
    assert!(sketch.top(2).iter().any(|e| e.key == "b".repeat(MAX_KEY_BYTES)));
}

#[test]
fn ignores_zero_weights_and_non_finite_values() {
    let mut sketch = TopK::with_capacity(8);
    sketch.insert("a", 0, 5.0);
    assert!(sketch.is_empty());
    sketch.insert("a", 1, f64::NAN);
    sketch.insert("a", 1, f64::INFINITY);
    sketch.insert("a", 1, 2.0);
    assert_eq!((sketch.top(1)[0].count, sketch.top(1)[0].value_sum), (3, 2.0));
    sketch.insert("a", 1, f64::MAX);
    sketch.insert("a", 1, f64::MAX);
    assert_eq!(sketch.top(1)[0].value_sum, f64::MAX, "sums saturate, never become ∞");
}

#[test]
#[should_panic(expected = "outside 8..=1024")]
fn rejects_a_capacity_below_the_range() {
    TopK::with_capacity(MIN_CAPACITY - 1);
}

#[test]
#[should_panic(expected = "outside 8..=1024")]
fn rejects_a_capacity_above_the_range() {
    TopK::with_capacity(MAX_CAPACITY + 1);
}

#[test]
fn counting_a_known_key_does_not_allocate() {
    let mut sketch = TopK::with_capacity(64);
    for i in 0..64 {
        sketch.insert(&key(i), 1, 0.0);
    }
    let keys: Vec<String> = (0..64).map(key).collect();
    let before = allocations();
    for k in &keys {
        sketch.insert(k, 1, 1.0);
    }
    // Taking over a counter reuses its key's buffer when it is long enough.
    sketch.insert("/new", 1, 0.0);
    assert_eq!(allocations(), before);
}

#[test]
fn postcard_round_trip_is_exact() {
    let mut sketch = TopK::with_capacity(64);
    for (i, k) in zipf_stream(5, 1.0, 1_000, 5_000).iter().enumerate() {
        sketch.insert(k, 1, if i % 3 == 0 { 9.99 } else { 0.0 });
    }
    let bytes = postcard::to_allocvec(&sketch).unwrap();
    let decoded: TopK = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(decoded, sketch);
    let empty = postcard::to_allocvec(&TopK::with_capacity(64)).unwrap();
    println!("top-k m=64, full, 64 keys: {} bytes; empty: {} bytes", bytes.len(), empty.len());
    let mut referrers = TopK::with_capacity(16);
    for host in ["www.google.com", "duckduckgo.com", "news.ycombinator.com", "t.co"] {
        referrers.insert(host, 3, 0.0);
    }
    let small = postcard::to_allocvec(&referrers).unwrap();
    println!("top-k of 4 referrers: {} bytes", small.len());
    // Per counter: shared length (0 here) + key length + key + count + error; then no value
    // sums (one byte, their count).
    assert_eq!(small.len(), 1 + 1 + 1 + (14 + 14 + 20 + 4) + 4 * (1 + 1 + 1 + 1) + 1);
}

fn encode(capacity: u32, total: u64, counters: &[(&str, u64, u64, Option<f64>)]) -> Vec<u8> {
    let counts: Vec<u64> = counters.iter().map(|c| c.1).collect();
    let slots: Vec<Slot> = counters
        .iter()
        .map(|&(key, _, error, value_sum)| Slot {
            key: key.to_owned(),
            error,
            value_sum: value_sum.unwrap_or(0.0),
        })
        .collect();
    postcard::to_allocvec(&StoredTopKRef::new(capacity, total, &counts, &slots)).unwrap()
}

fn wire_error(bytes: &[u8]) -> TopKError {
    let stored: StoredTopK = postcard::from_bytes(bytes).unwrap();
    let error = TopK::try_from(stored).unwrap_err();
    assert!(postcard::from_bytes::<TopK>(bytes).is_err());
    error
}

#[test]
fn stores_shared_prefixes_once_and_rebuilds_the_keys() {
    let mut pages = TopK::with_capacity(16);
    for path in ["/docs/page-28", "/docs/page-3", "/docs/intro", "/pricing", "/é/a", "/é/b"] {
        pages.insert(path, 2, 0.0);
    }
    pages.insert("/pricing", 1, 9.5);
    let bytes = postcard::to_allocvec(&pages).unwrap();
    let decoded: TopK = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(decoded, pages);
    // Per counter: shared length + rest length + rest + count + error; then 6 value sums.
    let rests = ["/docs/page-28", "3", "intro", "pricing", "é/a", "b"].map(str::len);
    let counters: usize = rests.iter().map(|len| 1 + 1 + len + 1 + 1).sum();
    assert_eq!(bytes.len(), 1 + 1 + 1 + counters + 1 + 6 * 8);
    // A multi-byte character is never split: "/é/a" then "/é/b" share "/é/", and a key
    // after "é" shares 0 or 2 bytes of it, never 1.
    assert_eq!(shared_prefix_len("/\u{e9}", "/\u{ea}"), 1);
}

#[test]
fn decoding_rejects_broken_shared_prefixes_and_value_sums() {
    let stored = |counters: Vec<(u8, &str)>, value_sums: Vec<f64>| {
        let counters: Vec<StoredCounterRef<'_>> = counters
            .into_iter()
            .map(|(shared, rest)| StoredCounterRef { shared, rest, count: 1, error: 0 })
            .collect();
        postcard::to_allocvec(&(8u32, 2u64, counters, value_sums)).unwrap()
    };
    assert_eq!(
        wire_error(&stored(vec![(1, "a")], vec![])),
        TopKError::BrokenSharedPrefix { rest: "a".to_owned() }
    );
    assert_eq!(
        wire_error(&stored(vec![(0, "\u{e9}"), (1, "a")], vec![])),
        TopKError::BrokenSharedPrefix { rest: "a".to_owned() }
    );
    assert_eq!(
        wire_error(&stored(vec![(0, "a"), (0, "b")], vec![1.0])),
        TopKError::ValueSumsMismatch { sums: 1, counters: 2 }
    );
    let long = "x".repeat(150);
    assert_eq!(
        wire_error(&stored(vec![(0, &long), (150, &long)], vec![])),
        TopKError::KeyTooLong { len: 300 }
    );
    let ok: TopK = postcard::from_bytes(&stored(vec![(0, "ab"), (1, "c")], vec![])).unwrap();
    assert_eq!(ok.top(2).iter().map(|e| e.key.as_str()).collect::<Vec<_>>(), ["ab", "ac"]);
}

#[test]
fn negative_zero_value_sums_survive_a_round_trip() {
    // Found by the codec fuzz target: -0.0 compares equal to 0.0, so a list whose only
    // sums were -0.0 was written without sums and read back with +0.0.
    let counters = [StoredCounterRef { shared: 0, rest: "signup", count: 1, error: 0 }];
    let bytes = postcard::to_allocvec(&(8u32, 1u64, &counters[..], vec![-0.0f64])).unwrap();
    let decoded: TopK = postcard::from_bytes(&bytes).unwrap();
    let again: TopK = postcard::from_bytes(&postcard::to_allocvec(&decoded).unwrap()).unwrap();
    assert_eq!(again.top(1)[0].value_sum.to_bits(), decoded.top(1)[0].value_sum.to_bits());
}

#[test]
fn decoding_rejects_broken_invariants() {
    let ok = encode(8, 5, &[("a", 3, 0, None), ("b", 2, 0, Some(1.5))]);
    assert_eq!(postcard::from_bytes::<TopK>(&ok).unwrap().top(1)[0].count, 3);
    assert_eq!(wire_error(&encode(7, 0, &[])), TopKError::CapacityOutOfRange { capacity: 7 });
    assert_eq!(wire_error(&encode(4096, 0, &[])), TopKError::CapacityOutOfRange { capacity: 4096 });
    let nine: Vec<String> = (0..9).map(key).collect();
    let nine: Vec<(&str, u64, u64, Option<f64>)> =
        nine.iter().map(|k| (k.as_str(), 1, 0, None)).collect();
    assert_eq!(
        wire_error(&encode(8, 9, &nine)),
        TopKError::TooManyCounters { len: 9, capacity: 8 }
    );
    let long = "x".repeat(MAX_KEY_BYTES + 1);
    assert_eq!(
        wire_error(&encode(8, 1, &[(&long, 1, 0, None)])),
        TopKError::KeyTooLong { len: 201 }
    );
    assert_eq!(
        wire_error(&encode(8, 2, &[("a", 1, 0, None), ("a", 1, 0, None)])),
        TopKError::DuplicateKey { key: "a".to_owned() }
    );
    assert_eq!(
        wire_error(&encode(8, 1, &[("a", 0, 0, None)])),
        TopKError::ZeroCount { key: "a".to_owned() }
    );
    // Not full, so the threshold is 0 and no error is possible.
    assert_eq!(
        wire_error(&encode(8, 5, &[("a", 5, 1, None)])),
        TopKError::ErrorAboveThreshold { key: "a".to_owned() }
    );
    assert_eq!(wire_error(&encode(8, 4, &[("a", 5, 0, None)])), TopKError::CountsExceedTotal);
    assert_eq!(
        wire_error(&encode(8, 2, &[("a", u64::MAX, 0, None), ("b", 2, 0, None)])),
        TopKError::CountsExceedTotal
    );
    assert_eq!(
        wire_error(&encode(8, 5, &[("a", 5, 0, Some(f64::NAN))])),
        TopKError::NonFiniteValue { key: "a".to_owned() }
    );
}

/// A key from a skewed alphabet of 40: low indices are far more frequent.
fn skewed_key() -> impl Strategy<Value = String> {
    (0u32..1_600).prop_map(|x| key(u64::from(x.isqrt())))
}

/// Weighted items with integer values, whose sums are exact in `f64`.
fn stream() -> impl Strategy<Value = Vec<(String, u64, f64)>> {
    vec((skewed_key(), 1u64..4, (0u32..100).prop_map(f64::from)), 0..300)
}

fn sketch_of(capacity: usize, items: &[(String, u64, f64)], truth: &mut Truth) -> TopK {
    let mut sketch = TopK::with_capacity(capacity);
    for (k, weight, value) in items {
        sketch.insert(k, *weight, *value);
        truth.insert(k, *weight, *value);
    }
    sketch
}

/// Space-Saving as the paper states it, without hashes or hints: the reference that the
/// fast paths of `insert` must agree with, eviction choices included.
fn reference(capacity: usize, items: &[(String, u64, f64)]) -> Vec<TopKEntry> {
    let mut counters: Vec<TopKEntry> = Vec::new();
    for (key, weight, value) in items {
        if let Some(c) = counters.iter_mut().find(|c| &c.key == key) {
            c.count += weight;
            c.value_sum += value;
        } else if counters.len() < capacity {
            let entry =
                TopKEntry { key: key.clone(), count: *weight, max_error: 0, value_sum: *value };
            counters.push(entry);
        } else {
            let min = counters.iter().map(|c| c.count).min().unwrap();
            let c = counters.iter_mut().find(|c| c.count == min).unwrap();
            *c = TopKEntry {
                key: key.clone(),
                count: min + weight,
                max_error: min,
                value_sum: *value,
            };
        }
    }
    counters.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    counters
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn insert_matches_the_textbook_algorithm(items in stream(), capacity in 8usize..24) {
        let sketch = sketch_of(capacity, &items, &mut Truth::default());
        prop_assert_eq!(sketch.top(capacity), reference(capacity, &items));
    }

    #[test]
    fn single_streams_keep_the_bounds(items in stream(), capacity in 8usize..24) {
        let mut truth = Truth::default();
        let sketch = sketch_of(capacity, &items, &mut truth);
        assert_bounds(&sketch, &truth);
    }

    /// Exactly commutative: the candidates and their counts, errors and value sums are
    /// symmetric (integer and IEEE additions commute), and the truncation to m is by a
    /// total order, so `a ∪ b` and `b ∪ a` are the same sketch, not just the same top-n.
    #[test]
    fn merge_is_commutative(a in stream(), b in stream(), ma in 8usize..16, mb in 8usize..16) {
        let mut truth = Truth::default();
        let (sa, sb) = (sketch_of(ma, &a, &mut truth), sketch_of(mb, &b, &mut truth));
        let (ab, ba) = both_orders(&sa, &sb, TopK::merge);
        prop_assert_eq!(&ab, &ba);
        prop_assert_eq!(ab.top(5), ba.top(5));
        assert_bounds(&ab, &truth);
    }

    /// Not exactly associative (truncation depends on grouping), but every grouping, and
    /// every further insert after a merge, keeps the bounds.
    #[test]
    fn every_merge_grouping_keeps_the_bounds(
        a in stream(), b in stream(), c in stream(), more in stream(),
    ) {
        let mut truth = Truth::default();
        let sa = sketch_of(8, &a, &mut truth);
        let sb = sketch_of(8, &b, &mut truth);
        let sc = sketch_of(8, &c, &mut truth);
        let (mut left, right) = both_groupings(&sa, &sb, &sc, TopK::merge);
        assert_bounds(&left, &truth);
        assert_bounds(&right, &truth);
        for (k, weight, value) in &more {
            left.insert(k, *weight, *value);
            truth.insert(k, *weight, *value);
        }
        assert_bounds(&left, &truth);
    }

    #[test]
    fn retracting_counted_occurrences_keeps_the_bounds(
        items in vec((skewed_key(), (0u32..100).prop_map(f64::from)), 0..300),
        retracted in vec(any::<proptest::sample::Index>(), 0..100),
        capacity in 8usize..24,
    ) {
        let mut truth = Truth::default();
        let mut sketch = TopK::with_capacity(capacity);
        for (k, _) in &items {
            sketch.insert(k, 1, 0.0);
            truth.insert(k, 1, 0.0);
        }
        let mut counted: Vec<&String> = items.iter().map(|(k, _)| k).collect();
        for index in retracted {
            if counted.is_empty() {
                break;
            }
            let k = counted.swap_remove(index.index(counted.len()));
            sketch.retract(k);
            truth.retract(k);
            assert_bounds(&sketch, &truth);
        }
        let bytes = postcard::to_allocvec(&sketch).unwrap();
        prop_assert_eq!(postcard::from_bytes::<TopK>(&bytes).unwrap(), sketch);
    }

    #[test]
    fn round_trip_keeps_everything(items in stream(), capacity in 8usize..24) {
        let sketch = sketch_of(capacity, &items, &mut Truth::default());
        let bytes = postcard::to_allocvec(&sketch).unwrap();
        let decoded: TopK = postcard::from_bytes(&bytes).unwrap();
        prop_assert_eq!(decoded, sketch);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in vec(any::<u8>(), 0..512)) {
        if let Ok(mut sketch) = postcard::from_bytes::<TopK>(&bytes) {
            let _ = (sketch.top(10), sketch.threshold(), sketch.len());
            let other = sketch.clone();
            sketch.merge(&other);
            sketch.insert("k", 1, 1.0);
        }
    }
}

// An allocation counter for `counting_a_known_key_does_not_allocate`, per thread so that
// tests running in parallel do not disturb each other.
mod counting_allocator {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        pub static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    }

    pub struct Counting;

    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
            unsafe { System.alloc(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    #[global_allocator]
    static GLOBAL: Counting = Counting;
}

fn allocations() -> u64 {
    counting_allocator::ALLOCATIONS.with(|n| n.get())
}
