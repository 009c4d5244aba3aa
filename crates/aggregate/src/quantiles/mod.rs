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
//! # Parameters
//!
//! None to choose: `α` and the bucket cap are constants, shared by every sketch so that any two
//! merge. Values are finite and non-negative; [`QuantileSketch::insert`] ignores any other.
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
//! exponential data filling 700 buckets). The search is narrowed to the positions the bucket's
//! distance to the first and last buckets allows, one position where the buckets are
//! contiguous. A value counted in several sketches (a page's and its segments') takes the `ln`
//! once, as a [`Measurement`]. [`QuantileSketch::merge`] is a linear merge of the
//! two bucket lists, and [`QuantileSketch::quantile`] a linear scan. With postcard a sketch is
//! the zero count (a varint), the minimum and maximum (2 to 4 bytes each for whole numbers,
//! absent when empty), and 2 or 3 bytes per non-empty bucket (its gap to the previous one and
//! its count): an empty sketch takes 3 bytes and ten engaged times 30 (see the
//! `ten_values_fit_in_32_bytes` test).
//!
//! `sketch.rs` holds the algorithm, `serialization.rs` the stored layout and its checks.

mod serialization;
mod sketch;
#[cfg(test)]
mod tests;

pub use serialization::QuantileSketchError;
pub(crate) use serialization::LAYOUT_VERSION;
pub use sketch::{Measurement, QuantileSketch};

/// `α`: every quantile estimate is within this fraction of a true value of the data at the
/// asked rank (for values at or above [`MIN_INDEXABLE_VALUE`]).
pub const RELATIVE_ACCURACY: f64 = 0.01;

/// The most non-empty buckets a sketch keeps; beyond it the lowest buckets are collapsed.
pub const MAX_BUCKETS: usize = 1024;

/// The smallest value that gets a logarithmic bucket: the smallest positive normal `f64`.
/// Zero and the subnormal values below it are counted together as zeros.
pub const MIN_INDEXABLE_VALUE: f64 = f64::MIN_POSITIVE;
