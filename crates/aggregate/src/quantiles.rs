//! Distributions as a relative-error quantile sketch, in the manner of DDSketch
//! (Masson, Rim and Lee, "DDSketch: a fast and fully-mergeable quantile sketch with
//! relative-error guarantees", VLDB 2019).
//!
//! A [`QuantileSketch`] answers "what is the median engaged time on this page?" or "what is its
//! 75th-percentile LCP?" for any non-negative measurement: engaged time and LCP/INP in
//! milliseconds, scroll depth in percent, CLS × 1000.
//!
//! # How it works
//!
//! A positive value `x` is counted in the logarithmic bucket `i = ⌈log_γ x⌉`, which holds the
//! values in `(γ^(i−1), γ^i]`, with `γ = (1 + α) / (1 − α)` and `α` =
//! [`RELATIVE_ACCURACY`] = 1 %. A bucket is answered with `(1 − α)·γ^i`, which is within `α` of
//! both ends of the bucket. Zero (and anything below [`MIN_INDEXABLE_VALUE`]) has its own count.
//! Only non-empty buckets are stored, as a sorted vector of `(index, count)`, so a sketch costs
//! a few bytes per distinct bucket. The sketch also keeps the exact minimum and maximum (within
//! `α` once a removal took one away), and clamps every answer into `[min, max]`, which keeps
//! every answer within `α`.
//!
//! # Guarantee
//!
//! [`QuantileSketch::quantile`]`(q)` returns an estimate of the value of rank
//! `⌊q·(n − 1)⌋` (0-based) in the sorted data, the "lower" quantile. For a value `x ≥`
//! [`MIN_INDEXABLE_VALUE`] at that rank, the estimate is within `α·x`: a median engaged time of
//! 42.0 s is reported as something in 41.58 s ..= 42.42 s. Values below
//! [`MIN_INDEXABLE_VALUE`] are reported as the sketch's minimum, which is at most that far off.
//!
//! The guarantee holds whatever the distribution and however the data was split between
//! sketches that were later merged, because merging adds bucket counts (see
//! [`QuantileSketch::merge`]).
//!
//! # Bounded size
//!
//! At most [`MAX_BUCKETS`] = 1024 buckets are kept. 1024 buckets of 2 % width span a ratio of
//! `γ^1023 ≈ 7.7 × 10^8` between the smallest and largest kept bucket (1 ms to nine days), so
//! real measurements never reach the cap. When wild data does, the lowest buckets are collapsed
//! into one, as DDSketch's collapsing-lowest store does: the kept buckets are always the 1023
//! highest non-empty ones plus one bucket holding everything at or below the 1024th. Answers
//! whose rank falls above the collapsed bucket keep the `α` guarantee, so the upper quantiles
//! (p75, p90, p99: the slow pages, the long reads) stay exact to 1 %; answers that fall into the
//! collapsed bucket over-estimate. Which buckets survive depends only on the multiset of values,
//! never on insertion or merge order, so merging stays exact under the cap too.
//!
//! # Cost
//!
//! [`QuantileSketch::insert`] is one `ln`, a binary search over at most 1024 buckets and, when
//! a bucket is new, a vector insert: about 30 ns natively and 45 ns in wasm32 (measured on
//! exponential data filling 700 buckets). [`QuantileSketch::merge`] is a linear merge of the
//! two bucket lists, and [`QuantileSketch::quantile`] a linear scan. With postcard a sketch is
//! the zero count (a varint), the minimum and maximum (2 to 4 bytes each for whole numbers,
//! absent when empty), and 2 or 3 bytes per non-empty bucket (its gap to the previous one and
//! its count): an empty sketch takes 3 bytes and ten engaged times 30 (see the
//! `ten_values_fit_in_32_bytes` test).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `α`: every quantile estimate is within this fraction of a true value of the data at the
/// asked rank (for values at or above [`MIN_INDEXABLE_VALUE`]).
pub const RELATIVE_ACCURACY: f64 = 0.01;

/// The most non-empty buckets a sketch keeps; beyond it the lowest buckets are collapsed.
pub const MAX_BUCKETS: usize = 1024;

/// The smallest value that gets a logarithmic bucket: the smallest positive normal `f64`.
/// Zero and the subnormal values below it are counted together as zeros.
pub const MIN_INDEXABLE_VALUE: f64 = f64::MIN_POSITIVE;

/// `ln γ = ln((1 + α) / (1 − α)) = 2·artanh(α)`, from its series; the terms past `α⁹` are
/// below `f64` precision.
const LN_GAMMA: f64 = {
    let a = RELATIVE_ACCURACY;
    let a2 = a * a;
    2.0 * a * (1.0 + a2 / 3.0 + a2 * a2 / 5.0 + a2 * a2 * a2 / 7.0 + a2 * a2 * a2 * a2 / 9.0)
};

/// `1 / ln γ`, so that indexing is a multiplication.
const INV_LN_GAMMA: f64 = 1.0 / LN_GAMMA;

/// `ln(1 − α) = −artanh(α) + ln(1 − α²) / 2`: the log of a bucket's answer relative to its top.
const LN_ONE_MINUS_ALPHA: f64 = {
    let a2 = RELATIVE_ACCURACY * RELATIVE_ACCURACY;
    -LN_GAMMA / 2.0 - 0.5 * (a2 + a2 * a2 / 2.0 + a2 * a2 * a2 / 3.0 + a2 * a2 * a2 * a2 / 4.0)
};

/// The bucket of [`MIN_INDEXABLE_VALUE`], the lowest a sketch can hold.
const MIN_INDEX: i32 = -35_418;
/// The bucket of `f64::MAX`, the highest a sketch can hold.
const MAX_INDEX: i32 = 35_488;

/// A mergeable sketch of a distribution of non-negative values, answering any quantile within
/// 1 % relative error (see the [module documentation](self) for the exact guarantee).
///
/// ```
/// use tacit_aggregate::quantiles::QuantileSketch;
///
/// let mut monday = QuantileSketch::new();
/// let mut tuesday = QuantileSketch::new();
/// for ms in 1..=500 {
///     monday.insert(f64::from(ms));
///     tuesday.insert(f64::from(ms + 500));
/// }
/// monday.merge(&tuesday);
/// let median = monday.quantile(0.5).unwrap();
/// assert!((median - 500.0).abs() <= 0.01 * 500.0, "{median}");
/// assert_eq!(monday.count(), 1000);
/// ```
///
/// Serialized, a sketch is validated on the way in: bytes that do not describe a sketch this
/// code could have built are rejected with a [`QuantileSketchError`].
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(try_from = "StoredQuantileSketch")]
pub struct QuantileSketch {
    /// Every counted value: `zero_count` plus the bucket counts.
    count: u64,
    /// Values below [`MIN_INDEXABLE_VALUE`].
    zero_count: u64,
    /// The smallest value counted; `+∞` when empty.
    min: f64,
    /// The largest value counted; `−∞` when empty.
    max: f64,
    /// Non-empty buckets as `(index, count)`, strictly increasing by index, at most
    /// [`MAX_BUCKETS`] long, every count positive.
    bins: Vec<(i32, u64)>,
}

impl QuantileSketch {
    /// An empty sketch.
    pub fn new() -> QuantileSketch {
        QuantileSketch {
            count: 0,
            zero_count: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            bins: Vec::new(),
        }
    }

    /// Counts `value` once. Negative values, NaN and infinities are ignored: they are not
    /// measurements, and the edge validates beacons before they get here.
    pub fn insert(&mut self, value: f64) {
        self.insert_n(value, 1);
    }

    /// Counts `value` `n` times, exactly as `n` calls of [`QuantileSketch::insert`] would.
    /// Counts saturate at `u64::MAX` instead of overflowing.
    pub fn insert_n(&mut self, value: f64, n: u64) {
        // NaN and −∞ fail `is_finite` too.
        if n == 0 || !value.is_finite() || value < 0.0 {
            return;
        }
        // Turns −0.0 into 0.0, so that the minimum is never negative zero.
        let value = value.abs();
        self.count = self.count.saturating_add(n);
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        if value < MIN_INDEXABLE_VALUE {
            self.zero_count = self.zero_count.saturating_add(n);
            return;
        }
        let index = index_of(value);
        match self.bins.binary_search_by_key(&index, |&(i, _)| i) {
            Ok(pos) => self.bins[pos].1 = self.bins[pos].1.saturating_add(n),
            // At the cap, a bucket below the lowest would be collapsed into the lowest at once.
            Err(0) if self.bins.len() == MAX_BUCKETS => {
                self.bins[0].1 = self.bins[0].1.saturating_add(n);
            }
            Err(pos) => {
                self.bins.insert(pos, (index, n));
                if self.bins.len() > MAX_BUCKETS {
                    let (_, lowest) = self.bins.remove(0);
                    self.bins[0].1 = self.bins[0].1.saturating_add(lowest);
                }
            }
        }
    }

    /// Takes back one count of `value`, which an earlier [`QuantileSketch::insert`] counted (a
    /// leave beacon replaced by its update). Afterwards the buckets are exactly those of a sketch
    /// that never counted it. The minimum and maximum stay exact unless the value was one of
    /// them: then the sketch no longer knows the next one exactly, only its bucket, and an
    /// estimate within `α` of it stands in (the next bucket's answer when the bucket was left
    /// empty). Quantiles keep their guarantee. Returns `false`, changing nothing, when no
    /// counted value could be that one.
    pub fn remove(&mut self, value: f64) -> bool {
        if self.count == 0 || !value.is_finite() || value < 0.0 {
            return false;
        }
        // Which extreme lost the last value of its bucket (or of the zeros), if any.
        let (mut lowest_emptied, mut highest_emptied) = (false, false);
        if value < MIN_INDEXABLE_VALUE {
            if self.zero_count == 0 {
                return false;
            }
            self.zero_count -= 1;
            lowest_emptied = self.zero_count == 0;
        } else {
            let index = index_of(value);
            let pos = match self.bins.binary_search_by_key(&index, |&(i, _)| i) {
                Ok(pos) => pos,
                // At the cap, values below the lowest bucket were collapsed into it.
                Err(0) if self.bins.len() == MAX_BUCKETS => 0,
                Err(_) => return false,
            };
            self.bins[pos].1 -= 1;
            if self.bins[pos].1 == 0 {
                self.bins.remove(pos);
                lowest_emptied = pos == 0 && self.zero_count == 0;
                highest_emptied = pos == self.bins.len();
            } else if self.min < self.max {
                // The bucket keeps values. If `value` was an extreme, the next one is in the same
                // bucket, between `value` and the bucket's other end: up to a bucket's width
                // (about 2α) from `value`, so the value nearest to that whole range stands in.
                let index = self.bins[pos].0;
                if value == self.max && pos + 1 == self.bins.len() {
                    let bottom = bucket_top(index - 1).max(self.min);
                    self.max = nearest_to_all(bottom, value);
                }
                if value == self.min && pos == 0 && self.zero_count == 0 {
                    let top = bucket_top(index).min(self.max);
                    self.min = nearest_to_all(value, top);
                }
            }
        }
        self.count -= 1;
        if self.count == 0 {
            *self = QuantileSketch::new();
            return true;
        }
        let answer = |&(index, _): &(i32, u64)| value_of(index).max(MIN_INDEXABLE_VALUE);
        if highest_emptied {
            // Only zeros left when there is no bucket: the smallest of them stands in.
            self.max = self.bins.last().map_or(self.min, answer).max(self.min);
        }
        if lowest_emptied {
            // There is a bucket: the count is not zero and no zero is left.
            self.min = self.bins.first().map_or(self.max, answer).min(self.max);
        }
        true
    }

    /// Adds every value of `other`: afterwards `self` is, bucket for bucket, the sketch that
    /// inserting both sketches' values into one would have built. Merging is therefore
    /// commutative and associative, and a week's sketch is the same whichever way its days are
    /// grouped.
    pub fn merge(&mut self, other: &QuantileSketch) {
        if other.count == 0 {
            return;
        }
        self.count = self.count.saturating_add(other.count);
        self.zero_count = self.zero_count.saturating_add(other.zero_count);
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        if other.bins.is_empty() {
            return;
        }
        let (ours, theirs) = (&self.bins, &other.bins);
        let mut merged = Vec::with_capacity(ours.len() + theirs.len());
        let (mut i, mut j) = (0, 0);
        while i < ours.len() && j < theirs.len() {
            let ((a, m), (b, n)) = (ours[i], theirs[j]);
            if a == b {
                merged.push((a, m.saturating_add(n)));
                i += 1;
                j += 1;
            } else if a < b {
                merged.push((a, m));
                i += 1;
            } else {
                merged.push((b, n));
                j += 1;
            }
        }
        merged.extend_from_slice(&ours[i..]);
        merged.extend_from_slice(&theirs[j..]);
        if merged.len() > MAX_BUCKETS {
            // Collapse everything below the MAX_BUCKETS-th highest bucket into it.
            let excess = merged.len() - MAX_BUCKETS;
            let collapsed =
                merged[..=excess].iter().fold(0u64, |sum, &(_, n)| sum.saturating_add(n));
            merged.drain(..excess);
            merged[0].1 = collapsed;
        }
        self.bins = merged;
    }

    /// How many values were counted.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Whether no value was counted.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The smallest value counted, exactly unless [`QuantileSketch::remove`] took it away
    /// (then within `α`); `None` when empty.
    pub fn min(&self) -> Option<f64> {
        (self.count > 0).then_some(self.min)
    }

    /// The largest value counted, exactly unless [`QuantileSketch::remove`] took it away (then
    /// within `α`); `None` when empty.
    pub fn max(&self) -> Option<f64> {
        (self.count > 0).then_some(self.max)
    }

    /// How many non-empty logarithmic buckets the sketch holds (at most [`MAX_BUCKETS`]).
    pub fn bucket_count(&self) -> usize {
        self.bins.len()
    }

    /// The estimated `q`-quantile, `q` in `0.0..=1.0`: the value of 0-based rank `⌊q·(n − 1)⌋`
    /// within 1 % (see the [module documentation](self)). The lowest and highest ranks
    /// (`quantile(0.0)` and `quantile(1.0)`) are answered with the minimum and maximum.
    /// `None` when the sketch is empty or `q` is outside `0.0..=1.0` (NaN included).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 || !(0.0..=1.0).contains(&q) {
            return None;
        }
        // Truncation is the floor for these non-negative values, and saturates if rounding
        // ever pushed the product past u64::MAX.
        let rank = (q * (self.count - 1) as f64) as u64;
        let estimate = if rank == 0 {
            self.min
        } else if rank >= self.count - 1 {
            self.max
        } else if rank < self.zero_count {
            0.0
        } else {
            let mut seen = self.zero_count;
            let bucket = self.bins.iter().find(|&&(_, n)| {
                seen = seen.saturating_add(n);
                seen > rank
            });
            // Counts are consistent for every sketch this code builds or decodes, except after
            // saturation: then the top is the best answer left.
            bucket.map_or(self.max, |&(index, _)| value_of(index))
        };
        // max-then-min rather than clamp: never panics, even if the bounds were inconsistent.
        Some(estimate.max(self.min).min(self.max))
    }
}

impl Default for QuantileSketch {
    fn default() -> QuantileSketch {
        QuantileSketch::new()
    }
}

/// The bucket of a value `x ≥ MIN_INDEXABLE_VALUE`, finite: `⌈log_γ x⌉`. The clamp only guards
/// against a platform's `ln` rounding the extreme values one bucket outwards.
fn index_of(value: f64) -> i32 {
    ((value.ln() * INV_LN_GAMMA).ceil() as i32).clamp(MIN_INDEX, MAX_INDEX)
}

/// The value nearest to every value in `[low, high]` (`0 < low ≤ high`), in relative terms: their
/// harmonic mean `2·low·high / (low + high)`, within `(high − low) / (high + low)` of each. For
/// a range inside one bucket (`high ≤ γ·low`) that is within `α`.
fn nearest_to_all(low: f64, high: f64) -> f64 {
    // Divided first, so that values near f64::MAX do not overflow; clamped, against rounding.
    (low * (2.0 / (1.0 + low / high))).max(low).min(high)
}

/// The top of bucket `index`, `γ^index` (infinite for the highest bucket); the bucket below
/// ends where this one begins.
fn bucket_top(index: i32) -> f64 {
    (f64::from(index) * LN_GAMMA).exp()
}

/// The answer for bucket `index`: `(1 − α)·γ^index`, within `α` of every value in the bucket.
/// Computed in the log domain so that the top bucket does not overflow.
fn value_of(index: i32) -> f64 {
    (f64::from(index) * LN_GAMMA + LN_ONE_MINUS_ALPHA).exp()
}

/// Why serialized bytes do not describe a valid [`QuantileSketch`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuantileSketchError {
    /// More buckets than [`MAX_BUCKETS`].
    TooManyBuckets {
        /// How many buckets the bytes hold.
        len: usize,
    },
    /// A bucket index no finite value maps to.
    IndexOutOfRange {
        /// The offending index.
        index: i32,
    },
    /// A bucket with a count of zero: the sketch only stores non-empty buckets.
    EmptyBucket {
        /// The bucket's index.
        index: i32,
    },
    /// Bucket indices are not strictly increasing.
    UnsortedBuckets {
        /// The first index that is not above its predecessor.
        index: i32,
    },
    /// The bucket counts add up to more than `u64::MAX`.
    CountOverflow,
    /// The minimum and maximum do not fit the counts: present in an empty sketch, missing
    /// from a non-empty one, or not finite, non-negative, ordered, and on the right side of
    /// [`MIN_INDEXABLE_VALUE`] for the zero count and the buckets.
    InvalidMinMax,
}

impl fmt::Display for QuantileSketchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuantileSketchError::TooManyBuckets { len } => {
                write!(f, "quantile sketch has {len} buckets, more than {MAX_BUCKETS}")
            }
            QuantileSketchError::IndexOutOfRange { index } => {
                write!(f, "quantile sketch bucket index {index} is out of range")
            }
            QuantileSketchError::EmptyBucket { index } => {
                write!(f, "quantile sketch bucket {index} has a count of zero")
            }
            QuantileSketchError::UnsortedBuckets { index } => {
                write!(f, "quantile sketch bucket {index} is out of order")
            }
            QuantileSketchError::CountOverflow => f.write_str("quantile sketch counts overflow"),
            QuantileSketchError::InvalidMinMax => {
                f.write_str("quantile sketch min and max do not fit its counts")
            }
        }
    }
}

impl std::error::Error for QuantileSketchError {}

/// A sketch's parts as the stored layout holds them, bucket indices restored, checked by
/// `TryFrom` before they become a sketch: the total count is implied by the others, so it is
/// not stored, and the minimum and maximum are absent from an empty sketch.
struct QuantileSketchParts {
    zero_count: u64,
    extremes: Option<(f64, f64)>,
    bins: Vec<(i32, u64)>,
}

/// The stored layout: [`QuantileSketchParts`] with each bucket index stored as its gap to the one
/// before (the first as it is), one byte instead of two for neighbouring buckets, and the minimum
/// and maximum as [`CompactF64`]s, 2 to 4 bytes for whole numbers instead of 8.
#[derive(Deserialize)]
struct StoredQuantileSketch {
    zero_count: u64,
    extremes: Option<(CompactF64, CompactF64)>,
    bins: Vec<(i32, u64)>,
}

/// [`StoredQuantileSketch`], borrowed, so that serializing does not copy the buckets.
#[derive(Serialize)]
struct StoredQuantileSketchRef<'a> {
    zero_count: u64,
    extremes: Option<(CompactF64, CompactF64)>,
    bins: IndexGaps<'a>,
}

impl<'a> StoredQuantileSketchRef<'a> {
    fn new(
        zero_count: u64,
        extremes: Option<(f64, f64)>,
        bins: &'a [(i32, u64)],
    ) -> StoredQuantileSketchRef<'a> {
        StoredQuantileSketchRef {
            zero_count,
            extremes: extremes.map(|(min, max)| (CompactF64(min), CompactF64(max))),
            bins: IndexGaps(bins),
        }
    }
}

/// Buckets as `(gap to the previous index, count)`, the first gap counted from 0.
struct IndexGaps<'a>(&'a [(i32, u64)]);

impl Serialize for IndexGaps<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut previous = 0i32;
        serializer.collect_seq(self.0.iter().map(|&(index, count)| {
            // Indices lie within MIN_INDEX..=MAX_INDEX, so their differences fit an i32.
            let gap = index.wrapping_sub(previous);
            previous = index;
            (gap, count)
        }))
    }
}

/// An `f64` stored as a varint of its bits in reverse order. A number with few significant
/// bits (a whole number of milliseconds, a percentage) has its sign, exponent and leading
/// mantissa bits at the top and zeros below them, so reversed it is a small integer: 6 696.0
/// takes 3 bytes. Exact for every `f64`; one with a full mantissa takes 10 bytes.
#[derive(Clone, Copy)]
struct CompactF64(f64);

impl Serialize for CompactF64 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.0.to_bits().reverse_bits())
    }
}

impl<'de> Deserialize<'de> for CompactF64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<CompactF64, D::Error> {
        u64::deserialize(deserializer).map(|bits| CompactF64(f64::from_bits(bits.reverse_bits())))
    }
}

impl Serialize for QuantileSketch {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let extremes = (self.count > 0).then_some((self.min, self.max));
        StoredQuantileSketchRef::new(self.zero_count, extremes, &self.bins).serialize(serializer)
    }
}

impl TryFrom<StoredQuantileSketch> for QuantileSketch {
    type Error = QuantileSketchError;

    fn try_from(stored: StoredQuantileSketch) -> Result<QuantileSketch, QuantileSketchError> {
        let mut index = 0i64;
        let bins = stored
            .bins
            .into_iter()
            .map(|(gap, count)| {
                index += i64::from(gap);
                // Clamped, an index beyond i32 is still out of range, and refused as such.
                (index.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32, count)
            })
            .collect();
        let extremes = stored.extremes.map(|(min, max)| (min.0, max.0));
        QuantileSketch::try_from(QuantileSketchParts {
            zero_count: stored.zero_count,
            extremes,
            bins,
        })
    }
}

impl TryFrom<QuantileSketchParts> for QuantileSketch {
    type Error = QuantileSketchError;

    fn try_from(parts: QuantileSketchParts) -> Result<QuantileSketch, QuantileSketchError> {
        let QuantileSketchParts { zero_count, extremes, bins } = parts;
        if bins.len() > MAX_BUCKETS {
            return Err(QuantileSketchError::TooManyBuckets { len: bins.len() });
        }
        let mut count = zero_count;
        let mut previous = None;
        for &(index, n) in &bins {
            if !(MIN_INDEX..=MAX_INDEX).contains(&index) {
                return Err(QuantileSketchError::IndexOutOfRange { index });
            }
            if n == 0 {
                return Err(QuantileSketchError::EmptyBucket { index });
            }
            if previous.is_some_and(|p| p >= index) {
                return Err(QuantileSketchError::UnsortedBuckets { index });
            }
            previous = Some(index);
            count = count.checked_add(n).ok_or(QuantileSketchError::CountOverflow)?;
        }
        let (min, max) = match (count, extremes) {
            (0, None) => (f64::INFINITY, f64::NEG_INFINITY),
            (1.., Some(extremes)) => extremes,
            _ => return Err(QuantileSketchError::InvalidMinMax),
        };
        // Comparisons with a constant only: re-deriving bucket indices of min and max here
        // could disagree with the `ln` of the platform that wrote them.
        let extremes_fit = count == 0
            || min.is_finite()
                && max.is_finite()
                && 0.0 <= min
                && min <= max
                && (zero_count > 0) == (min < MIN_INDEXABLE_VALUE)
                && bins.is_empty() == (max < MIN_INDEXABLE_VALUE)
                // −0.0 is never stored (insert turns it into 0.0).
                && min.is_sign_positive();
        if !extremes_fit {
            return Err(QuantileSketchError::InvalidMinMax);
        }
        Ok(QuantileSketch { count, zero_count, min, max, bins })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;

    /// The tolerance every accuracy check uses: `α`, plus 1e-9 relative for the `ln`/`exp`
    /// rounding of a value that lies exactly on a bucket boundary (observed errors of such
    /// values exceed `α` by about 1e-15).
    const TOLERANCE: f64 = RELATIVE_ACCURACY * (1.0 + 1e-9);

    use crate::test_rng::SplitMix64;

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
        let mut sketch =
            sketch_of(&(0..10_000).map(|_| rng.unit_nonzero() * 1e4).collect::<Vec<_>>());
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
            let owned = QuantileSketchParts {
                zero_count: parts.zero_count,
                extremes: parts.extremes,
                bins,
            };
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
        let bad_extremes =
            [(2.0, 1.0), (f64::NAN, 2.0), (-1.0, 2.0), (0.0, 2.0), (1.0, f64::INFINITY)];
        for (min, max) in bad_extremes {
            let parts = PartsRef { extremes: Some((min, max)), ..with_bins(&[(1, 1)]) };
            check(parts, QuantileSketchError::InvalidMinMax);
        }
        // Extremes in an empty sketch, none in a non-empty one.
        check(with_bins(&[]), QuantileSketchError::InvalidMinMax);
        check(
            PartsRef { extremes: None, ..with_bins(&[(1, 1)]) },
            QuantileSketchError::InvalidMinMax,
        );
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
            let (sa, sb) = (sketch_of(&a), sketch_of(&b));
            let mut ab = sa.clone();
            ab.merge(&sb);
            let mut ba = sb.clone();
            ba.merge(&sa);
            prop_assert_eq!(ab, ba);
        }

        #[test]
        fn merge_is_associative(a in values(1_000), b in values(1_000), c in values(1_000)) {
            let (sa, sb, sc) = (sketch_of(&a), sketch_of(&b), sketch_of(&c));
            let mut left = sa.clone();
            left.merge(&sb);
            left.merge(&sc);
            let mut bc = sb.clone();
            bc.merge(&sc);
            let mut right = sa.clone();
            right.merge(&bc);
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
                    assert!(
                        v.is_finite() && sketch.min().unwrap() <= v && v <= sketch.max().unwrap()
                    )
                }
            }
        }
        let mut merged = sketch.clone();
        merged.merge(sketch);
        merged.insert(1.0);
        let _ = merged.quantile(0.5);
    }
}
