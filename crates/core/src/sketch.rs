//! Unique visitors as a HyperLogLog++ sketch.

mod stored;

use std::hash::{BuildHasher, Hasher};

use hyperloglogplus::{HyperLogLog, HyperLogLogPlus};
use serde::{Deserialize, Serialize};

use crate::VisitorHash;

/// The precision `p` of a page's sketch: `2^p` registers once dense. The relative standard error
/// is `1.04 / sqrt(2^p)`: 0.81 % at `p = 14`, so 95 % of estimates fall within 1.6 % (the target
/// for a page is 2 %), in a dense sketch of 12 KiB. Up to a few hundred visitors the sparse
/// representation (precision 25) counts almost exactly in far less space.
pub const PAGE_PRECISION: u8 = 14;

/// The precision of a site's rollup sketch: 0.41 % relative standard error, so 95 % of
/// estimates fall within 0.8 % (the target for a site is 1 %), in a dense sketch of 48 KiB.
pub const SITE_PRECISION: u8 = 16;

/// A mergeable estimate of how many distinct visitors were seen.
///
/// Visitor hashes are already uniform 64-bit keyed hashes, so the sketch uses them as they are
/// (through a pass-through hasher) instead of hashing them again with a platform-dependent hasher.
///
/// A stored sketch is checked as it is decoded (see `stored`), so a corrupted one is an error
/// of the codec, never a panic when it is counted.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(try_from = "StoredVisitorSketch")]
pub struct VisitorSketch {
    hll: HyperLogLogPlus<u64, PassThrough>,
}

/// [`VisitorSketch`]'s serde layout, read before it is trusted.
#[derive(Deserialize)]
struct StoredVisitorSketch {
    hll: stored::StoredSketch,
}

impl TryFrom<StoredVisitorSketch> for VisitorSketch {
    type Error = stored::Invalid;

    fn try_from(stored: StoredVisitorSketch) -> Result<VisitorSketch, stored::Invalid> {
        Ok(VisitorSketch { hll: stored.hll.into_sketch()? })
    }
}

impl VisitorSketch {
    /// Records that `visitor` was seen.
    pub fn insert(&mut self, visitor: VisitorHash) {
        self.hll.insert(&visitor.as_u64());
    }

    /// Adds every visitor of `other`: afterwards `self` estimates the union of both.
    ///
    /// Both must be of one kind (page or site). Records only ever merge with records of their
    /// own kind, and the codec rejects a decoded sketch of the wrong precision, so they are.
    pub fn merge(&mut self, other: &VisitorSketch) {
        self.hll.merge(&other.hll).expect("merged visitor sketches share one precision");
    }

    /// Whether the sketch has precision `precision`, the condition for [`VisitorSketch::merge`].
    /// The precision is private to the sketch crate, so this asks it by merging into an empty one.
    pub(crate) fn has_precision(&self, precision: u8) -> bool {
        VisitorSketch::with_precision(precision).hll.merge(&self.hll).is_ok()
    }

    /// The estimated number of distinct visitors. It needs `&mut self` because the sketch
    /// folds its buffer of recent insertions into its registers first.
    pub fn estimate(&mut self) -> u64 {
        self.hll.count().round() as u64
    }
}

impl VisitorSketch {
    /// An empty sketch for a page's record ([`PAGE_PRECISION`]).
    pub fn for_page() -> VisitorSketch {
        VisitorSketch::with_precision(PAGE_PRECISION)
    }

    /// An empty sketch for a site's rollup ([`SITE_PRECISION`]).
    pub fn for_site() -> VisitorSketch {
        VisitorSketch::with_precision(SITE_PRECISION)
    }

    fn with_precision(precision: u8) -> VisitorSketch {
        let hll = HyperLogLogPlus::new(precision, PassThrough)
            .expect("PAGE_PRECISION and SITE_PRECISION are within 4..=18");
        VisitorSketch { hll }
    }
}

/// Builds [`PassThroughHasher`]s. It has no state, so it serializes to nothing and is the same
/// in every isolate, unlike `RandomState`.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
struct PassThrough;

impl BuildHasher for PassThrough {
    type Hasher = PassThroughHasher;

    fn build_hasher(&self) -> PassThroughHasher {
        PassThroughHasher(0)
    }
}

/// Returns the `u64` written to it unchanged: the sketch only ever hashes a [`VisitorHash`].
struct PassThroughHasher(u64);

impl Hasher for PassThroughHasher {
    fn write(&mut self, bytes: &[u8]) {
        // `u64::hash` calls `write_u64`; other writes only happen if a caller hashes another
        // type, and then the bytes are folded in rather than lost.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DailySalt, SiteId};

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
}
