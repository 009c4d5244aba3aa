//! How a [`QuantileSketch`] is stored: the zero count, the extremes when there are any, and the
//! buckets as gaps between their indices, checked as they are read.

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::sketch::{QuantileSketch, MAX_INDEX, MIN_INDEX};
use super::{MAX_BUCKETS, MIN_INDEXABLE_VALUE};

/// The record format version that introduced this layout. A change to the layout sets it to the
/// next format version, and the codec then refuses to build until its format version follows.
pub(crate) const LAYOUT_VERSION: u8 = 3;

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
pub(super) struct QuantileSketchParts {
    pub(super) zero_count: u64,
    pub(super) extremes: Option<(f64, f64)>,
    pub(super) bins: Vec<(i32, u64)>,
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
pub(super) struct StoredQuantileSketchRef<'a> {
    zero_count: u64,
    extremes: Option<(CompactF64, CompactF64)>,
    bins: IndexGaps<'a>,
}

impl<'a> StoredQuantileSketchRef<'a> {
    pub(super) fn new(
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
pub(super) struct CompactF64(pub(super) f64);

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

impl<'de> Deserialize<'de> for QuantileSketch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<QuantileSketch, D::Error> {
        let stored = StoredQuantileSketch::deserialize(deserializer)?;
        QuantileSketch::try_from(stored).map_err(D::Error::custom)
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
