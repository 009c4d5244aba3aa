//! The algorithm: Space-Saving counters, insert, retract, merge and the top keys.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::{MAX_CAPACITY, MAX_KEY_BYTES, MIN_CAPACITY};

/// One key's line in a [`TopK`] report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopKEntry {
    /// The key, at most [`MAX_KEY_BYTES`] long.
    pub key: String,
    /// The estimated count, never below the true count.
    pub count: u64,
    /// How much `count` may exceed the true count: the true count is at least
    /// `count - max_error`. Zero means `count` and `value_sum` are exact.
    pub max_error: u64,
    /// The sum of the values inserted with this key while it was tracked (see the
    /// [module documentation](super)).
    pub value_sum: f64,
}

/// A bounded, mergeable sketch of the heaviest keys of a stream, with a value sum per key.
///
/// ```
/// use tacit_aggregate::top_k::TopK;
///
/// let mut referrers = TopK::with_capacity(16);
/// for _ in 0..30 {
///     referrers.insert("news.ycombinator.com", 1, 0.0);
/// }
/// referrers.insert("duckduckgo.com", 2, 0.0);
/// let mut goals = TopK::with_capacity(16);
/// goals.insert("purchase", 1, 49.0);
/// goals.insert("purchase", 1, 19.5);
///
/// let top = referrers.top(1);
/// assert_eq!(top[0].key, "news.ycombinator.com");
/// assert_eq!((top[0].count, top[0].max_error), (30, 0));
/// assert_eq!(referrers.total(), 32);
/// assert_eq!(goals.top(1)[0].value_sum, 68.5);
/// ```
///
/// Serialized, a sketch is validated on the way in: bytes that break the invariants the
/// guarantee rests on are rejected with a [`TopKError`](super::TopKError).
#[derive(Clone, Debug)]
pub struct TopK {
    /// `m`, within `MIN_CAPACITY..=MAX_CAPACITY`.
    pub(super) capacity: usize,
    /// `N`, the weight inserted, at least the sum of the counts.
    pub(super) total: u64,
    /// The counters, as parallel vectors so that the two scans of an insert (for the key, for
    /// the smallest count) each read one contiguous array of `u64`: `key_hash` of each key, ...
    pub(super) hashes: Vec<u64>,
    /// ... each count, ...
    pub(super) counts: Vec<u64>,
    /// ... and the rest. At most `capacity` counters, with distinct keys.
    pub(super) slots: Vec<Slot>,
    /// Never more than the smallest count: counts only grow, so a counter equal to it is a
    /// smallest one, found without a pass to compute the minimum. 0 when unknown. Derived,
    /// so neither serialized nor compared.
    min_hint: u64,
}

impl PartialEq for TopK {
    fn eq(&self, other: &TopK) -> bool {
        (self.capacity, self.total) == (other.capacity, other.total)
            && self.hashes == other.hashes
            && self.counts == other.counts
            && self.slots == other.slots
    }
}

/// A counter, apart from its hash and its count.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Slot {
    pub(super) key: String,
    pub(super) error: u64,
    pub(super) value_sum: f64,
}

/// A whole counter, while merging and decoding.
pub(super) struct Counter {
    pub(super) count: u64,
    pub(super) slot: Slot,
}

impl TopK {
    /// An empty sketch with `m` counters, `m` in [`MIN_CAPACITY`]`..=`[`MAX_CAPACITY`]. Each
    /// counter costs 56 bytes plus its key; reported counts are at most `N / m` too high.
    ///
    /// # Panics
    ///
    /// If `m` is outside that range: the capacity is a constant of the calling code.
    pub fn with_capacity(m: usize) -> TopK {
        assert!(
            (MIN_CAPACITY..=MAX_CAPACITY).contains(&m),
            "TopK capacity {m} is outside {MIN_CAPACITY}..={MAX_CAPACITY}"
        );
        // The counters are allocated as keys come, not up front: most lists of a page's day
        // hold a few keys, and a range read decodes and merges thousands of records.
        TopK {
            capacity: m,
            total: 0,
            hashes: Vec::new(),
            counts: Vec::new(),
            slots: Vec::new(),
            min_hint: 0,
        }
    }

    /// Counts `key` with `weight` (usually 1) and adds `value` to its value sum.
    ///
    /// A `weight` of 0 is ignored. A NaN or infinite `value` is counted as 0, and −0 as 0.
    /// Counts and the total saturate at `u64::MAX`; value sums saturate at `±f64::MAX`.
    pub fn insert(&mut self, key: &str, weight: u64, value: f64) {
        if weight == 0 {
            return;
        }
        let key = truncate_key(key);
        let value = if value.is_finite() { without_negative_zero(value) } else { 0.0 };
        let hash = key_hash(key);
        self.total = self.total.saturating_add(weight);
        if let Some(i) = self.position(hash, key) {
            self.counts[i] = self.counts[i].saturating_add(weight);
            self.slots[i].value_sum = add_values(self.slots[i].value_sum, value);
        } else if self.slots.len() < self.capacity {
            self.hashes.push(hash);
            self.counts.push(weight);
            self.slots.push(Slot { key: key_buffer(key), error: 0, value_sum: value });
        } else {
            let i = self.smallest();
            let slot = &mut self.slots[i];
            slot.error = self.counts[i];
            slot.value_sum = value;
            // Reuses the evicted key's buffer.
            slot.key.clear();
            slot.key.push_str(key);
            self.counts[i] = self.counts[i].saturating_add(weight);
            self.hashes[i] = hash;
        }
    }

    /// Takes back one occurrence of `key` that an earlier `insert(key, 1, 0.0)` counted (a leave
    /// beacon replaced by its update), keeping every bound of the
    /// [module documentation](super):
    ///
    /// - while a counter is free every count is exact: the key's count and the total go down
    ///   by one, and a key counted once leaves the sketch;
    /// - in a full sketch, a count above the threshold goes down by one with the total (its
    ///   error is cut to the new count, since the occurrence may have been one of those the
    ///   error stood for). A count at the threshold keeps its value and takes one more error
    ///   instead: lowering it would lower the threshold, under which an untracked key may
    ///   then be hiding;
    /// - an untracked key changes nothing: its occurrence stays in the total, which only
    ///   leaves the bounds a little more cautious than they need to be.
    pub fn retract(&mut self, key: &str) {
        let key = truncate_key(key);
        let Some(i) = self.position(key_hash(key), key) else { return };
        let count = self.counts[i];
        if self.slots.len() < self.capacity && count == 1 {
            self.hashes.swap_remove(i);
            self.counts.swap_remove(i);
            self.slots.swap_remove(i);
            self.total -= 1;
        } else if self.slots.len() < self.capacity || count > self.threshold() {
            // total ≥ the sum of the counts > 1.
            self.counts[i] = count - 1;
            self.total -= 1;
            self.slots[i].error = self.slots[i].error.min(count - 1);
            self.min_hint = self.min_hint.min(count - 1);
        } else {
            self.slots[i].error = (self.slots[i].error + 1).min(count);
        }
    }

    /// Adds everything `other` counted: afterwards `self` is a sketch of both streams, with
    /// the smaller of the two capacities, whose counts are within the bounds of the
    /// [module documentation](super) for the combined total.
    ///
    /// A key that one side does not track may still have occurred there up to that side's
    /// [`TopK::threshold`] times, so it is credited with that threshold as both count and
    /// error; then the `m` largest counts are kept (ties broken by key), in canonical order.
    /// `a.merge(&b)` and `b.merge(&a)` give equal sketches.
    pub fn merge(&mut self, other: &TopK) {
        let (ours_floor, theirs_floor) = (self.threshold(), other.threshold());
        let capacity = self.capacity.min(other.capacity);
        // Their counters, sorted by key hash, to look up each of ours in O(log m).
        let mut theirs: Vec<(u64, usize)> =
            other.hashes.iter().copied().enumerate().map(|(i, h)| (h, i)).collect();
        theirs.sort_unstable();
        let mut matched = vec![false; other.slots.len()];
        let mut merged = Vec::with_capacity(self.slots.len() + other.slots.len());
        let ours = self.hashes.drain(..).zip(self.counts.drain(..)).zip(self.slots.drain(..));
        for ((hash, count), slot) in ours {
            let start = theirs.partition_point(|&(h, _)| h < hash);
            let found = theirs[start..]
                .iter()
                .take_while(|&&(h, _)| h == hash)
                .map(|&(_, i)| i)
                .find(|&i| other.slots[i].key == slot.key);
            let (their_count, their_error, their_value) = match found {
                Some(i) => {
                    matched[i] = true;
                    (other.counts[i], other.slots[i].error, other.slots[i].value_sum)
                }
                None => (theirs_floor, theirs_floor, 0.0),
            };
            merged.push(Counter {
                count: count.saturating_add(their_count),
                slot: Slot {
                    error: slot.error.saturating_add(their_error),
                    value_sum: add_values(slot.value_sum, their_value),
                    key: slot.key,
                },
            });
        }
        for (i, slot) in other.slots.iter().enumerate().filter(|&(i, _)| !matched[i]) {
            merged.push(Counter {
                count: other.counts[i].saturating_add(ours_floor),
                slot: Slot {
                    key: slot.key.clone(),
                    error: slot.error.saturating_add(ours_floor),
                    value_sum: slot.value_sum,
                },
            });
        }
        // Keys are distinct, so this order is total and the result independent of which
        // sketch was `self`.
        merged.sort_unstable_by(|a, b| by_count_then_key((a.count, &a.slot), (b.count, &b.slot)));
        merged.truncate(capacity);
        self.capacity = capacity;
        self.total = self.total.saturating_add(other.total);
        self.set_counters(merged);
    }

    /// `N`: the total weight inserted, including merged sketches' totals.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// `m`: the most counters the sketch keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many keys the sketch tracks, at most [`TopK::capacity`].
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no key was counted.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The guaranteed threshold `t`: 0 while a counter is free, else the smallest count; never
    /// more than [`TopK::total`]` / `[`TopK::capacity`]. Every key whose true count exceeds it
    /// is reported, and no reported count is more than it too high.
    pub fn threshold(&self) -> u64 {
        if self.slots.len() < self.capacity {
            0
        } else {
            self.counts.iter().copied().min().unwrap_or(0)
        }
    }

    /// The `n` keys with the largest counts, largest first, ties by key in byte order.
    pub fn top(&self, n: usize) -> Vec<TopKEntry> {
        let mut order: Vec<usize> = (0..self.slots.len()).collect();
        order.sort_unstable_by(|&a, &b| {
            by_count_then_key((self.counts[a], &self.slots[a]), (self.counts[b], &self.slots[b]))
        });
        order
            .into_iter()
            .take(n)
            .map(|i| TopKEntry {
                key: self.slots[i].key.clone(),
                count: self.counts[i],
                max_error: self.slots[i].error,
                value_sum: self.slots[i].value_sum,
            })
            .collect()
    }

    /// The index of `key`'s counter: compares hashes first, keys only on a hash match.
    fn position(&self, hash: u64, key: &str) -> Option<usize> {
        // Eight hashes at a time without an early exit inside a chunk, which the compiler can
        // turn into vector compares (and is branch-free where it cannot); then the candidates
        // of a chunk that has one are confirmed one by one.
        for (c, chunk) in self.hashes.chunks(8).enumerate() {
            if chunk.iter().fold(false, |any, &h| any | (h == hash)) {
                for (j, &h) in chunk.iter().enumerate() {
                    if h == hash && self.slots[c * 8 + j].key == key {
                        return Some(c * 8 + j);
                    }
                }
            }
        }
        None
    }

    /// The index of the first counter with the smallest count. In a long tail many counters
    /// share the smallest count, so one short scan for `min_hint` usually finds one; only when
    /// none is left is the minimum recomputed.
    fn smallest(&mut self) -> usize {
        let hint = self.min_hint;
        if let Some(i) = self.counts.iter().position(|&c| c == hint) {
            return i;
        }
        self.min_hint = self.counts.iter().copied().min().unwrap_or(0);
        let min = self.min_hint;
        self.counts.iter().position(|&c| c == min).unwrap_or(0)
    }

    /// Replaces every counter with `counters`, in their order.
    pub(super) fn set_counters(&mut self, counters: Vec<Counter>) {
        self.min_hint = 0;
        self.hashes.clear();
        self.counts.clear();
        self.slots.clear();
        self.hashes.reserve(counters.len());
        self.counts.reserve(counters.len());
        self.slots.reserve(counters.len());
        for Counter { count, slot } in counters {
            self.hashes.push(key_hash(&slot.key));
            self.counts.push(count);
            self.slots.push(slot);
        }
    }
}

/// Larger counts first, then keys in byte order.
fn by_count_then_key((a_count, a): (u64, &Slot), (b_count, b): (u64, &Slot)) -> Ordering {
    b_count.cmp(&a_count).then_with(|| a.key.cmp(&b.key))
}

/// `value`, with −0 as +0 (`−0 + 0 = +0`, and every other value is unchanged). A list whose
/// sums are all zero is stored without sums (`−0 == 0`), so a −0 would not survive storage.
pub(super) fn without_negative_zero(value: f64) -> f64 {
    value + 0.0
}

/// Adds two finite values, saturating at `±f64::MAX` so that sums stay finite.
fn add_values(a: f64, b: f64) -> f64 {
    let sum = a + b;
    if sum.is_finite() {
        sum
    } else {
        f64::MAX.copysign(sum)
    }
}

/// A new counter's copy of `key`, with room to spare so that the keys that take the counter
/// over later (often of similar length: hosts, paths) reuse the buffer instead of growing it.
fn key_buffer(key: &str) -> String {
    let mut buffer = String::with_capacity(key.len().next_multiple_of(32));
    buffer.push_str(key);
    buffer
}

/// `key`, cut to at most [`MAX_KEY_BYTES`] bytes at a character boundary.
fn truncate_key(key: &str) -> &str {
    if key.len() <= MAX_KEY_BYTES {
        return key;
    }
    let mut end = MAX_KEY_BYTES;
    while !key.is_char_boundary(end) {
        end -= 1;
    }
    &key[..end]
}

/// A fast, portable 64-bit hash of a key (FxHash's mixing, eight bytes at a time). It only
/// speeds up comparisons: equal hashes are always confirmed by comparing the keys, so a
/// collision, even a crafted one, costs time and never correctness. It is never stored.
fn key_hash(key: &str) -> u64 {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let mix = |hash: u64, word: u64| (hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    let bytes = key.as_bytes();
    let mut hash = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        hash = mix(hash, u64::from_le_bytes(word));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0; 8];
        word[..rest.len()].copy_from_slice(rest);
        hash = mix(hash, u64::from_le_bytes(word));
    }
    hash
}
