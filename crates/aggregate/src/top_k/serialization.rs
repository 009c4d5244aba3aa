//! How a [`TopK`] is stored: its capacity and total, then its counters, each key as the part
//! it does not share with the key before, then the value sums when any is not zero; checked as
//! it is read.

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::sketch::{without_negative_zero, Counter, Slot, TopK};
use super::{MAX_CAPACITY, MAX_KEY_BYTES, MIN_CAPACITY};

/// The record format version that introduced this layout. A change to the layout sets it to the
/// next format version, and the codec then refuses to build until its format version follows.
pub(crate) const LAYOUT_VERSION: u8 = 3;

/// Why serialized bytes do not describe a valid [`TopK`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TopKError {
    /// The capacity is outside [`MIN_CAPACITY`]`..=`[`MAX_CAPACITY`].
    CapacityOutOfRange {
        /// The capacity the bytes hold.
        capacity: u32,
    },
    /// More counters than the capacity.
    TooManyCounters {
        /// How many counters the bytes hold.
        len: usize,
        /// The capacity the bytes hold.
        capacity: usize,
    },
    /// A key longer than [`MAX_KEY_BYTES`].
    KeyTooLong {
        /// The key's length in bytes.
        len: usize,
    },
    /// Two counters for one key.
    DuplicateKey {
        /// The repeated key.
        key: String,
    },
    /// A counter with a count of zero.
    ZeroCount {
        /// The counter's key.
        key: String,
    },
    /// A counter whose error exceeds the sketch's threshold, which the bounds rely on.
    ErrorAboveThreshold {
        /// The counter's key.
        key: String,
    },
    /// The counts add up to more than the total.
    CountsExceedTotal,
    /// A value sum that is NaN or infinite.
    NonFiniteValue {
        /// The counter's key.
        key: String,
    },
    /// Value sums stored for some counters but not all.
    ValueSumsMismatch {
        /// How many value sums the bytes hold.
        sums: usize,
        /// How many counters they hold.
        counters: usize,
    },
    /// A key said to share more of the previous key than it has, or to split a character.
    BrokenSharedPrefix {
        /// The rest of the key, after the shared prefix.
        rest: String,
    },
}

impl fmt::Display for TopKError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TopKError::CapacityOutOfRange { capacity } => {
                write!(f, "top-k capacity {capacity} is outside {MIN_CAPACITY}..={MAX_CAPACITY}")
            }
            TopKError::TooManyCounters { len, capacity } => {
                write!(f, "top-k has {len} counters, more than its capacity {capacity}")
            }
            TopKError::KeyTooLong { len } => {
                write!(f, "top-k key of {len} bytes is longer than {MAX_KEY_BYTES}")
            }
            TopKError::DuplicateKey { key } => write!(f, "top-k key {key:?} appears twice"),
            TopKError::ZeroCount { key } => write!(f, "top-k key {key:?} has a count of zero"),
            TopKError::ErrorAboveThreshold { key } => {
                write!(f, "top-k key {key:?} has an error above the sketch's threshold")
            }
            TopKError::CountsExceedTotal => f.write_str("top-k counts exceed its total"),
            TopKError::NonFiniteValue { key } => {
                write!(f, "top-k key {key:?} has a value sum that is not finite")
            }
            TopKError::ValueSumsMismatch { sums, counters } => {
                write!(f, "top-k has {sums} value sums for {counters} counters")
            }
            TopKError::BrokenSharedPrefix { rest } => {
                write!(f, "top-k key ending in {rest:?} shares more than the previous key has")
            }
        }
    }
}

impl std::error::Error for TopKError {}

/// The stored layout. Each key is stored as the length of the prefix it shares with the key before
/// it and the rest: the pages of a site share their first segments, so a list of `/docs/...` pages
/// stores `/docs/` once. Value sums follow the counters, one for each, or none at all when every
/// one is zero (lists without values, all but goals).
#[derive(Deserialize)]
pub(super) struct StoredTopK {
    capacity: u32,
    total: u64,
    counters: Vec<StoredCounter>,
    value_sums: Vec<f64>,
}

#[derive(Deserialize)]
struct StoredCounter {
    /// Bytes shared with the previous key, at most [`MAX_KEY_BYTES`], on a character boundary.
    shared: u8,
    rest: String,
    count: u64,
    error: u64,
}

/// [`StoredTopK`], borrowed, so that serializing copies no key.
#[derive(Serialize)]
pub(super) struct StoredTopKRef<'a> {
    capacity: u32,
    total: u64,
    counters: StoredCountersRef<'a>,
    value_sums: ValueSumsRef<'a>,
}

impl<'a> StoredTopKRef<'a> {
    pub(super) fn new(
        capacity: u32,
        total: u64,
        counts: &'a [u64],
        slots: &'a [Slot],
    ) -> StoredTopKRef<'a> {
        StoredTopKRef {
            capacity,
            total,
            counters: StoredCountersRef { counts, slots },
            value_sums: ValueSumsRef(slots),
        }
    }
}

struct StoredCountersRef<'a> {
    counts: &'a [u64],
    slots: &'a [Slot],
}

#[derive(Serialize)]
pub(super) struct StoredCounterRef<'a> {
    pub(super) shared: u8,
    pub(super) rest: &'a str,
    pub(super) count: u64,
    pub(super) error: u64,
}

impl Serialize for StoredCountersRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut previous = "";
        serializer.collect_seq(self.counts.iter().zip(self.slots).map(|(&count, slot)| {
            let key = slot.key.as_str();
            let shared = shared_prefix_len(previous, key);
            previous = key;
            // Keys are at most MAX_KEY_BYTES (200) long, so the shared length fits a u8.
            StoredCounterRef {
                shared: shared as u8,
                rest: &key[shared..],
                count,
                error: slot.error,
            }
        }))
    }
}

/// The length of the longest common prefix of `a` and `b` that ends on a character boundary.
pub(super) fn shared_prefix_len(a: &str, b: &str) -> usize {
    let mut len = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !b.is_char_boundary(len) {
        len -= 1;
    }
    len
}

struct ValueSumsRef<'a>(&'a [Slot]);

impl Serialize for ValueSumsRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let stored = if self.0.iter().any(|slot| slot.value_sum != 0.0) { self.0 } else { &[] };
        serializer.collect_seq(stored.iter().map(|slot| slot.value_sum))
    }
}

impl Serialize for TopK {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // MAX_CAPACITY fits a u32.
        StoredTopKRef::new(self.capacity as u32, self.total, &self.counts, &self.slots)
            .serialize(serializer)
    }
}

impl TryFrom<StoredTopK> for TopK {
    type Error = TopKError;

    fn try_from(stored: StoredTopK) -> Result<TopK, TopKError> {
        let StoredTopK { capacity, total, counters: stored_counters, value_sums } = stored;
        if !value_sums.is_empty() && value_sums.len() != stored_counters.len() {
            return Err(TopKError::ValueSumsMismatch {
                sums: value_sums.len(),
                counters: stored_counters.len(),
            });
        }
        let mut previous = String::new();
        let mut counters = Vec::with_capacity(stored_counters.len());
        for (i, StoredCounter { shared, rest, count, error }) in
            stored_counters.into_iter().enumerate()
        {
            let shared = usize::from(shared);
            if !previous.is_char_boundary(shared) {
                return Err(TopKError::BrokenSharedPrefix { rest });
            }
            let mut key = String::with_capacity(shared + rest.len());
            key.push_str(&previous[..shared]);
            key.push_str(&rest);
            // Checked here already, so that a chain of long keys cannot grow before it is.
            if key.len() > MAX_KEY_BYTES {
                return Err(TopKError::KeyTooLong { len: key.len() });
            }
            previous.clone_from(&key);
            let value_sum = without_negative_zero(value_sums.get(i).copied().unwrap_or(0.0));
            counters.push(Counter { count, slot: Slot { key, error, value_sum } });
        }
        checked(capacity, total, counters)
    }
}

/// The sketch of `counters`, when they keep every invariant the guarantee rests on.
fn checked(capacity: u32, total: u64, counters: Vec<Counter>) -> Result<TopK, TopKError> {
    let m = capacity as usize;
    if !(MIN_CAPACITY..=MAX_CAPACITY).contains(&m) {
        return Err(TopKError::CapacityOutOfRange { capacity });
    }
    if counters.len() > m {
        return Err(TopKError::TooManyCounters { len: counters.len(), capacity: m });
    }
    let mut sum = 0u64;
    for Counter { count, slot } in &counters {
        if *count == 0 {
            return Err(TopKError::ZeroCount { key: slot.key.clone() });
        }
        if !slot.value_sum.is_finite() {
            return Err(TopKError::NonFiniteValue { key: slot.key.clone() });
        }
        sum = sum.checked_add(*count).ok_or(TopKError::CountsExceedTotal)?;
    }
    if sum > total {
        return Err(TopKError::CountsExceedTotal);
    }
    let mut keys: Vec<&str> = counters.iter().map(|c| c.slot.key.as_str()).collect();
    keys.sort_unstable();
    if let Some(pair) = keys.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(TopKError::DuplicateKey { key: pair[0].to_owned() });
    }
    let mut sketch = TopK::with_capacity(m);
    sketch.total = total;
    sketch.set_counters(counters);
    let threshold = sketch.threshold();
    if let Some(slot) = sketch.slots.iter().find(|slot| slot.error > threshold) {
        return Err(TopKError::ErrorAboveThreshold { key: slot.key.clone() });
    }
    Ok(sketch)
}

impl<'de> Deserialize<'de> for TopK {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<TopK, D::Error> {
        let stored = StoredTopK::deserialize(deserializer)?;
        TopK::try_from(stored).map_err(D::Error::custom)
    }
}
