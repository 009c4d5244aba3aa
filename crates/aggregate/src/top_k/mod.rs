//! Heavy hitters as a bounded Space-Saving sketch (Metwally, Agrawal and El Abbadi, "Efficient
//! computation of frequent and top-k elements in data streams", ICDT 2005), merged as a
//! mergeable summary (Agarwal, Cormode, Huang, Phillips, Wei and Yi, "Mergeable summaries",
//! PODS 2012).
//!
//! A [`TopK`] answers "which referrers, campaigns, previous and next pages, search terms and
//! goals matter most on this page?" in a fixed amount of memory, however many distinct keys a
//! day brings, and keeps a value sum per key for goals that carry one (revenue).
//!
//! # How it works
//!
//! The sketch holds at most `m` counters (`m` = [`TopK::capacity`], chosen at construction
//! within [`MIN_CAPACITY`]`..=`[`MAX_CAPACITY`]). A key that has a counter adds its weight to
//! it. A new key takes a free counter while there is one; after that it takes over the counter
//! with the smallest count `c_min`, starts at `c_min + weight` and records `c_min` as its
//! possible over-count (`max_error`).
//!
//! # Guarantee
//!
//! With `N` = [`TopK::total`] the weight inserted so far and `t` = [`TopK::threshold`]
//! (`0` while a counter is free, else the smallest count, and always `t ≤ N / m`):
//!
//! - every reported count over-estimates: `count − max_error ≤ true count ≤ count`, with
//!   `max_error ≤ t ≤ N / m`;
//! - every key whose true count exceeds `t` (so every key above `N / m`) is reported;
//! - while no more than `m` distinct keys were seen, every count is exact (`max_error = 0`).
//!
//! With `m = 64`, any key above 1.6 % of the weight is guaranteed to be listed, and each count
//! is at most 1.6 % of the total too high; guaranteeing every key above 1 % takes `m ≥ 100`.
//! On skewed data `t` is somewhat below `N / m` (on the tests' Zipf streams over 10 000 keys,
//! `0.82·N/m` for exponent 1 and `0.57·N/m` for 1.2): keys well above `t` are counted almost
//! exactly, while keys near `t` are listed or not depending on when they last arrived, with
//! counts close to `t` that say little. A report should show `count − max_error` alongside
//! `count`, or leave out entries whose `max_error` is most of their count.
//!
//! `value_sum` is the sum of the values inserted while the key held a counter. When
//! `max_error = 0` it is exact; otherwise it misses the values of the occurrences that were
//! counted before the key was last evicted (or that another sketch lost before a merge).
//!
//! # Merging
//!
//! [`TopK::merge`] treats a key missing from one sketch as having that sketch's threshold as
//! both its count and its error, adds counts, errors and value sums, and keeps the `m` largest
//! counts (`m` is the smaller of the two capacities). The result keeps every bound above with
//! the merged `N` and `m`, so a week of daily sketches is a valid sketch of the week. Merging
//! is exactly commutative; it is not exactly associative (which keys survive a truncation
//! depends on the grouping), but every grouping satisfies the bounds.
//!
//! # Cost
//!
//! Counters live in parallel vectors: their keys' 64-bit hashes, their counts, and the rest.
//! An insert scans the hashes (512 bytes at `m = 64`, eight at a time) for the key and, for a
//! new key in a full sketch, the counts for the first smallest one, usually stopping early
//! because it remembers the smallest count. It does not allocate when the key already has a
//! counter, nor when it takes over one whose key buffer (rounded up to 32 bytes) is long
//! enough. That is O(m); the paper's O(1) Stream-Summary needs a hash map and linked buckets
//! besides, which for the `m` a page's breakdowns need (16 to 256) did not seem worth its
//! memory and code (it was not benchmarked). Measured on a Zipf(1) stream of URL-like keys
//! over 10 000 distinct keys, per insert:
//!
//! | m    | native x86-64, release | wasm32 (`opt-level = "z"`, Node 20) |
//! |------|------------------------|-------------------------------------|
//! | 16   | 25 ns                  | 60 ns                               |
//! | 64   | 45 ns                  | 100 ns                              |
//! | 256  | 90 ns                  | 195 ns                              |
//! | 1024 | 195 ns                 | 440 ns                              |
//!
//! A key that already has a counter costs about 20 ns natively at `m = 64`; the worst case,
//! a new key on every insert, about 40 ns at 64, 125 ns at 256 and 440 ns at 1024. So keep
//! `m ≤ 256` where the 300 ns per beacon budget matters.
//!
//! Keys longer than [`MAX_KEY_BYTES`] are cut at the last character boundary within it.
//!
//! `sketch.rs` holds the algorithm, `serialization.rs` the stored layout and its checks.

mod serialization;
mod sketch;
#[cfg(test)]
mod tests;

pub use serialization::TopKError;
pub(crate) use serialization::LAYOUT_VERSION;
pub use sketch::{TopK, TopKEntry};

/// The smallest capacity [`TopK::with_capacity`] accepts: `N / 8` is already a coarse bound.
pub const MIN_CAPACITY: usize = 8;

/// The largest capacity [`TopK::with_capacity`] accepts. Inserts cost O(m): past `m = 256`
/// a worst-case insert exceeds a beacon's budget (see the [module documentation](self)).
pub const MAX_CAPACITY: usize = 1024;

/// The longest key, in bytes, a [`TopK`] stores; longer keys are truncated to the last
/// character boundary at or before it, so `"a".repeat(250)` and `"a".repeat(300)` count as the
/// same key.
pub const MAX_KEY_BYTES: usize = 200;
