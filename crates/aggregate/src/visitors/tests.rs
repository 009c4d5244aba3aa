//! The sketch against its error bounds and against the `hyperloglogplus` crate.

use super::serialization::{StoredRegisters, StoredSketch};
use super::sketch::{decode_hash, dense_index_and_zeros, encode_hash};
use super::*;
use crate::test_rng::SplitMix64;
use crate::{DailySalt, VisitorHash};
use tacit_beacon::SiteId;

fn visitors(range: std::ops::Range<u32>) -> impl Iterator<Item = VisitorHash> {
    let salt = DailySalt::from_bytes([9; 16]);
    let site = SiteId::parse("demo").unwrap();
    range.map(move |i| {
        VisitorHash::compute(&salt, &site, &format!("10.0.{}.{}", i >> 8, i & 255), "UA")
    })
}

#[test]
fn counts_small_sets_exactly() {
    let mut sketch = VisitorSketch::for_page();
    for visitor in visitors(0..50).chain(visitors(0..50)) {
        sketch.insert(visitor);
    }
    assert_eq!(sketch.estimate(), 50);
}

#[test]
fn estimates_large_sets_within_the_error_bound() {
    let mut sketch = VisitorSketch::for_page();
    for visitor in visitors(0..100_000) {
        sketch.insert(visitor);
    }
    let error = (sketch.estimate() as f64 - 100_000.0).abs() / 100_000.0;
    // Theoretical relative standard error at p = 14 is 0.81 %; 3 sigma is 2.4 %.
    assert!(error < 0.025, "relative error {error}");
}

#[test]
fn merge_is_a_union_not_a_sum() {
    let (mut monday, mut tuesday) = (VisitorSketch::for_page(), VisitorSketch::for_page());
    visitors(0..300).for_each(|v| monday.insert(v));
    visitors(200..500).for_each(|v| tuesday.insert(v));
    monday.merge(&tuesday);
    let estimate = monday.estimate();
    // 500 distinct visitors; the sparse representation errs far below 1 % here.
    assert!((495..=505).contains(&estimate), "estimate {estimate}");
}

#[test]
fn sparse_codes_give_the_dense_registers_their_hashes_give() {
    for precision in [PAGE_PRECISION, SITE_PRECISION] {
        // Hashes with and without zeros in the index bits past the dense precision.
        let hashes = visitors(0..2_000)
            .map(|v| v.as_u64())
            .chain((0..64).map(|shift| (0xdead_beef_u64 << 32) >> shift))
            .chain([0, 1, u64::MAX, 1 << 63, 1 << 39, 1 << 38]);
        for hash in hashes {
            let code = encode_hash(hash, precision);
            assert_eq!(
                decode_hash(code, precision),
                dense_index_and_zeros(hash, precision),
                "hash {hash:#x} at precision {precision}"
            );
        }
    }
}

#[test]
fn refuses_stored_sketches_it_could_not_have_built() {
    // What a corrupted record's sketch may claim, each of which would panic or miscount later.
    let decode = |precision: u8, registers: StoredRegisters| {
        VisitorSketch::try_from(StoredSketch { precision, registers }).map(drop)
    };
    let dense_bytes = (1 << PAGE_PRECISION) / 4 * 3;
    assert!(decode(12, StoredRegisters::Sparse(vec![])).is_err(), "no bias tables for 12");
    assert!(decode(PAGE_PRECISION, StoredRegisters::Sparse(vec![4, 0])).is_err(), "a repeat");
    assert!(decode(PAGE_PRECISION, StoredRegisters::Sparse(vec![u32::MAX])).is_err(), "a code");
    assert!(decode(PAGE_PRECISION, StoredRegisters::Dense(vec![])).is_err(), "no registers");
    assert!(decode(PAGE_PRECISION, StoredRegisters::Dense(vec![0; dense_bytes - 3])).is_err());
    // A register above 64 − 14 + 1 = 51: the first of four, in the lowest six bits.
    let mut too_high = vec![0; dense_bytes];
    too_high[0] = 52;
    assert!(decode(PAGE_PRECISION, StoredRegisters::Dense(too_high.clone())).is_err());
    too_high[0] = 51;
    assert!(decode(PAGE_PRECISION, StoredRegisters::Dense(too_high)).is_ok());
    assert!(decode(SITE_PRECISION, StoredRegisters::Sparse(vec![4, 2])).is_ok());
}

/// The reference crate, fed the very hashes (unchanged by its hasher).
fn crate_sketch(precision: u8) -> hyperloglogplus::HyperLogLogPlus<u64, PassThrough> {
    hyperloglogplus::HyperLogLogPlus::new(precision, PassThrough).unwrap()
}

/// A hasher that leaves the visitor hashes as they are, as the sketch does.
#[derive(Clone, Copy)]
struct PassThrough;

impl std::hash::BuildHasher for PassThrough {
    type Hasher = PassThroughHasher;
    fn build_hasher(&self) -> PassThroughHasher {
        PassThroughHasher(0)
    }
}

struct PassThroughHasher(u64);

impl std::hash::Hasher for PassThroughHasher {
    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 hashes are inserted")
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Uniform hashes, cheaper than computing visitor hashes for the oracle tests' millions.
fn hashes(range: std::ops::Range<u32>) -> impl Iterator<Item = VisitorHash> {
    range.map(|i| VisitorHash::from_u64(SplitMix64(u64::from(i)).next_u64()))
}

#[test]
fn estimates_what_hyperloglogplus_estimates() {
    use hyperloglogplus::HyperLogLog;
    // Every stage: sparse, the switch to dense, linear counting, the bias-corrected range
    // (up to 5 · 2^p) and beyond it; estimated often, since estimating folds recent codes.
    for precision in [PAGE_PRECISION, SITE_PRECISION] {
        let (mut ours, mut theirs) =
            (VisitorSketch::with_precision(precision), crate_sketch(precision));
        let mut next = 0;
        for checkpoint in (0..52).map(|i| (1.25f64.powi(i) as u32) * 7) {
            for hash in hashes(next..checkpoint.max(next)) {
                ours.insert(hash);
                theirs.insert(&hash.as_u64());
            }
            next = next.max(checkpoint);
            assert_eq!(
                ours.estimate(),
                theirs.count().round() as u64,
                "{next} visitors at precision {precision}"
            );
        }
    }
}

#[test]
fn merges_as_hyperloglogplus_merges() {
    use hyperloglogplus::HyperLogLog;
    // Sparse into sparse, sparse into dense, dense into sparse and dense into dense.
    for (a, b) in [(300, 500), (300, 20_000), (20_000, 300), (20_000, 60_000)] {
        let build = |n: u32| {
            let (mut ours, mut theirs) = (VisitorSketch::for_page(), crate_sketch(14));
            for hash in hashes(n..2 * n) {
                ours.insert(hash);
                theirs.insert(&hash.as_u64());
            }
            (ours, theirs)
        };
        let ((mut ours, mut theirs), (our_b, their_b)) = (build(a), build(b));
        ours.merge(&our_b);
        theirs.merge(&their_b).unwrap();
        assert_eq!(ours.estimate(), theirs.count().round() as u64, "{a} with {b}");
    }
}
