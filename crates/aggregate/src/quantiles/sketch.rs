//! The algorithm: logarithmic buckets, insert, remove, merge and quantiles.

use super::{MAX_BUCKETS, MIN_INDEXABLE_VALUE, RELATIVE_ACCURACY};

/// `ln γ = ln((1 + α) / (1 − α)) = 2·artanh(α)`, from its series; the terms past `α⁹` are
/// below `f64` precision.
pub(super) const LN_GAMMA: f64 = {
    let a = RELATIVE_ACCURACY;
    let a2 = a * a;
    2.0 * a * (1.0 + a2 / 3.0 + a2 * a2 / 5.0 + a2 * a2 * a2 / 7.0 + a2 * a2 * a2 * a2 / 9.0)
};

/// `1 / ln γ`, so that indexing is a multiplication.
const INV_LN_GAMMA: f64 = 1.0 / LN_GAMMA;

/// `ln(1 − α) = −artanh(α) + ln(1 − α²) / 2`: the log of a bucket's answer relative to its top.
pub(super) const LN_ONE_MINUS_ALPHA: f64 = {
    let a2 = RELATIVE_ACCURACY * RELATIVE_ACCURACY;
    -LN_GAMMA / 2.0 - 0.5 * (a2 + a2 * a2 / 2.0 + a2 * a2 * a2 / 3.0 + a2 * a2 * a2 * a2 / 4.0)
};

/// The bucket of [`MIN_INDEXABLE_VALUE`], the lowest a sketch can hold.
pub(super) const MIN_INDEX: i32 = -35_418;
/// The bucket of `f64::MAX`, the highest a sketch can hold.
pub(super) const MAX_INDEX: i32 = 35_488;

/// A mergeable sketch of a distribution of non-negative values, answering any quantile within
/// 1 % relative error (see the [module documentation](super) for the exact guarantee).
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
/// code could have built are rejected with a [`QuantileSketchError`](super::QuantileSketchError).
#[derive(Clone, Debug, PartialEq)]
pub struct QuantileSketch {
    /// Every counted value: `zero_count` plus the bucket counts.
    pub(super) count: u64,
    /// Values below [`MIN_INDEXABLE_VALUE`].
    pub(super) zero_count: u64,
    /// The smallest value counted; `+∞` when empty.
    pub(super) min: f64,
    /// The largest value counted; `−∞` when empty.
    pub(super) max: f64,
    /// Non-empty buckets as `(index, count)`, strictly increasing by index, at most
    /// [`MAX_BUCKETS`] long, every count positive.
    pub(super) bins: Vec<(i32, u64)>,
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
        if let Some(measurement) = Measurement::new(value) {
            self.insert_measurement_n(measurement, n);
        }
    }

    /// Counts `measurement` once, as [`QuantileSketch::insert`] counts its value.
    pub fn insert_measurement(&mut self, measurement: Measurement) {
        self.insert_measurement_n(measurement, 1);
    }

    fn insert_measurement_n(&mut self, Measurement { value, bucket }: Measurement, n: u64) {
        if n == 0 {
            return;
        }
        self.count = self.count.saturating_add(n);
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        let Some(index) = bucket else {
            self.zero_count = self.zero_count.saturating_add(n);
            return;
        };
        match self.position(index) {
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

    /// Where bucket `index` is in `bins` (`Ok`), or would be inserted (`Err`). Indices are
    /// distinct integers, so the bucket at position `p` is at least `p` above the first and at
    /// least `len − 1 − p` below the last: that narrows the search to the positions those allow.
    /// The ends of that range are where the bucket is when the buckets above it, or below it,
    /// are contiguous, as real measurements mostly fill them (whole milliseconds leave gaps
    /// only below 50 ms), so they are tried first.
    pub(super) fn position(&self, index: i32) -> Result<usize, usize> {
        let (Some(&(first, _)), Some(&(last, _))) = (self.bins.first(), self.bins.last()) else {
            return Err(0);
        };
        if index < first {
            return Err(0);
        }
        if index > last {
            return Err(self.bins.len());
        }
        let top = self.bins.len() - 1;
        let high = top.min(index.abs_diff(first) as usize);
        let low = top.saturating_sub(last.abs_diff(index) as usize).min(high);
        for end in [low, high] {
            if self.bins[end].0 == index {
                return Ok(end);
            }
        }
        match self.bins[low..=high].binary_search_by_key(&index, |&(i, _)| i) {
            Ok(pos) => Ok(low + pos),
            Err(pos) => Err(low + pos),
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
        Measurement::new(value).is_some_and(|measurement| self.remove_measurement(measurement))
    }

    /// Takes back one count of `measurement`, as [`QuantileSketch::remove`] takes back its value.
    pub fn remove_measurement(&mut self, Measurement { value, bucket }: Measurement) -> bool {
        if self.count == 0 {
            return false;
        }
        // Which extreme lost the last value of its bucket (or of the zeros), if any.
        let (mut lowest_emptied, mut highest_emptied) = (false, false);
        if let Some(index) = bucket {
            let pos = match self.position(index) {
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
        } else {
            if self.zero_count == 0 {
                return false;
            }
            self.zero_count -= 1;
            lowest_emptied = self.zero_count == 0;
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
    /// within 1 % (see the [module documentation](super)). The lowest and highest ranks
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

/// A value to count, with its bucket worked out: a leave's engaged time counts in its page's
/// distribution and in each of its segments', at the cost of one logarithm.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measurement {
    /// The value, non-negative and finite (never `−0.0`).
    value: f64,
    /// Its bucket; `None` below [`MIN_INDEXABLE_VALUE`], counted among the zeros.
    bucket: Option<i32>,
}

impl Measurement {
    /// `value` ready to count; `None` for a negative value, NaN or an infinity, which
    /// [`QuantileSketch::insert`] ignores.
    pub fn new(value: f64) -> Option<Measurement> {
        // NaN and −∞ fail `is_finite` too.
        if !value.is_finite() || value < 0.0 {
            return None;
        }
        // Turns −0.0 into 0.0, so that the minimum is never negative zero.
        let value = value.abs();
        Some(Measurement { value, bucket: (value >= MIN_INDEXABLE_VALUE).then(|| index_of(value)) })
    }
}

/// The bucket of a value `x ≥ MIN_INDEXABLE_VALUE`, finite: `⌈log_γ x⌉`. The clamp only guards
/// against a platform's `ln` rounding the extreme values one bucket outwards.
pub(super) fn index_of(value: f64) -> i32 {
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
pub(super) fn bucket_top(index: i32) -> f64 {
    (f64::from(index) * LN_GAMMA).exp()
}

/// The answer for bucket `index`: `(1 − α)·γ^index`, within `α` of every value in the bucket.
/// Computed in the log domain so that the top bucket does not overflow.
pub(super) fn value_of(index: i32) -> f64 {
    (f64::from(index) * LN_GAMMA + LN_ONE_MINUS_ALPHA).exp()
}
