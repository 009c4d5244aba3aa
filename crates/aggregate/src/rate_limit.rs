//! Ingest protection in memory: fixed-window rate limits and recently seen beacon ids.
//!
//! Both live in the memory of the site's Durable Object and are bounded, so no client can make
//! them grow without limit. [`FixedWindow`] counts requests per key in the current window
//! (aligned to multiples of its length since the Unix epoch) and forgets every key when the
//! window ends; [`RecentIds`] remembers beacon ids for a while so a retried beacon is counted
//! once. Callers pass the time in, so both are deterministic.
//!
//! ```
//! use tacit_aggregate::rate_limit::{FixedWindow, RecentIds};
//!
//! let mut limiter = FixedWindow::new(60_000, 10_000);
//! assert!(limiter.check(7, 2, 1_000).is_ok());
//! assert!(limiter.check(7, 2, 2_000).is_ok());
//! assert_eq!(limiter.check(7, 2, 3_000), Err(57)); // seconds until the window ends
//! assert!(limiter.check(7, 2, 60_000).is_ok()); // a new window
//!
//! let mut ids = RecentIds::new(600_000, 100_000);
//! assert!(ids.insert(42, 0));
//! assert!(!ids.insert(42, 1_000)); // a retry
//! assert!(ids.insert(42, 600_000)); // the window has passed
//! ```

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::Hasher;

use siphasher::sip::SipHasher13;

use crate::VisitorHash;

/// Rate limits count beacons per minute.
pub const RATE_WINDOW_MS: i64 = 60_000;
/// How long a beacon id is remembered: a retry within 10 minutes is not counted again.
pub const DEDUP_WINDOW_MS: i64 = 600_000;

/// The key a visitor is rate-limited by: 32 bits of a keyed hash of the visitor hash, under a
/// random `secret` that lives in memory only (the shard draws one when it starts). Short and
/// keyed, so the limiter's map can tell visitors apart for a minute and identify no one: it
/// cannot be linked to the stored sketches, to another shard's keys, or across restarts.
pub fn limiter_key(secret: &[u8; 16], visitor: VisitorHash) -> u64 {
    let mut hasher = SipHasher13::new_with_key(secret);
    hasher.write_u64(visitor.as_u64());
    hasher.finish() >> 32
}

/// Fixed-window counters per key.
///
/// Memory is bounded by `max_keys`; once that many keys have been seen in a window, a new key
/// is let through uncounted (a separate, single-key limit for the whole site still applies).
#[derive(Debug, Clone)]
pub struct FixedWindow {
    window_ms: i64,
    max_keys: usize,
    window: i64,
    counts: HashMap<u64, u32>,
}

impl FixedWindow {
    /// A limiter whose windows last `window_ms` (≥ 1) and which tracks at most `max_keys` keys.
    pub fn new(window_ms: i64, max_keys: usize) -> FixedWindow {
        FixedWindow {
            window_ms: window_ms.max(1),
            max_keys,
            window: i64::MIN,
            counts: HashMap::new(),
        }
    }

    /// Counts one request for `key` at `now_ms`: `Ok` while the key has made at most `limit`
    /// requests in the current window, else `Err` with the whole seconds (≥ 1) until the window
    /// ends, for a `Retry-After` header. A refused request is not counted.
    pub fn check(&mut self, key: u64, limit: u32, now_ms: i64) -> Result<(), u32> {
        let window = now_ms.div_euclid(self.window_ms);
        if window != self.window {
            self.window = window;
            self.counts.clear();
        }
        if !self.counts.contains_key(&key) && self.counts.len() >= self.max_keys {
            return Ok(());
        }
        let count = self.counts.entry(key).or_default();
        if *count >= limit {
            let window_end = (window + 1) * self.window_ms;
            let seconds = (window_end - now_ms + 999) / 1000;
            return Err(seconds.clamp(1, i64::from(u32::MAX)) as u32);
        }
        *count += 1;
        Ok(())
    }

    /// How many keys the current window tracks.
    pub fn keys(&self) -> usize {
        self.counts.len()
    }
}

/// Beacon ids seen within the last `window_ms`, at most `max_ids` of them (the oldest are
/// forgotten first).
#[derive(Debug, Clone)]
pub struct RecentIds {
    window_ms: i64,
    max_ids: usize,
    seen: HashSet<u64>,
    order: VecDeque<(i64, u64)>,
}

impl RecentIds {
    /// Remembers ids for `window_ms`, at most `max_ids` (≥ 1) at a time.
    pub fn new(window_ms: i64, max_ids: usize) -> RecentIds {
        RecentIds {
            window_ms,
            max_ids: max_ids.max(1),
            seen: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    /// Records `id` as seen at `now_ms`; `false` when it was already seen within the window (a
    /// retry, not to be counted again). Ids must be inserted in time order.
    pub fn insert(&mut self, id: u64, now_ms: i64) -> bool {
        self.expire(now_ms);
        if !self.seen.insert(id) {
            return false;
        }
        if self.order.len() >= self.max_ids {
            if let Some((_, oldest)) = self.order.pop_front() {
                self.seen.remove(&oldest);
            }
        }
        self.order.push_back((now_ms, id));
        true
    }

    /// Forgets the ids seen `window_ms` or longer before `now_ms`.
    pub fn expire(&mut self, now_ms: i64) {
        while let Some(&(seen_ms, id)) = self.order.front() {
            if now_ms - seen_ms < self.window_ms {
                break;
            }
            self.order.pop_front();
            self.seen.remove(&id);
        }
    }

    /// How many ids are remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_keys_are_short_and_depend_on_the_secret() {
        let visitor = VisitorHash::from_u64(12_345);
        let key = limiter_key(&[1; 16], visitor);
        assert!(key <= u64::from(u32::MAX));
        assert_eq!(key, limiter_key(&[1; 16], visitor));
        assert_ne!(key, limiter_key(&[2; 16], visitor));
        assert_ne!(key, limiter_key(&[1; 16], VisitorHash::from_u64(12_346)));
    }

    #[test]
    fn limits_each_key_separately_within_a_window() {
        let mut limiter = FixedWindow::new(60_000, 100);
        for _ in 0..3 {
            assert!(limiter.check(1, 3, 10_000).is_ok());
        }
        assert_eq!(limiter.check(1, 3, 10_000), Err(50));
        assert!(limiter.check(2, 3, 10_000).is_ok(), "another key has its own count");
        assert_eq!(limiter.check(1, 3, 59_999), Err(1), "never less than a second");
        assert!(limiter.check(1, 3, 60_000).is_ok(), "the next window starts afresh");
        assert_eq!(limiter.keys(), 1, "keys of past windows are forgotten");
    }

    #[test]
    fn tracks_at_most_max_keys() {
        let mut limiter = FixedWindow::new(60_000, 2);
        assert!(limiter.check(1, 1, 0).is_ok());
        assert!(limiter.check(2, 1, 0).is_ok());
        // A third key is not tracked: it is let through, always, and memory stays bounded.
        for _ in 0..5 {
            assert!(limiter.check(3, 1, 0).is_ok());
        }
        assert_eq!(limiter.keys(), 2);
        assert!(limiter.check(1, 1, 0).is_err(), "tracked keys are still limited");
    }

    #[test]
    fn recognises_a_retry_within_the_window_only() {
        let mut ids = RecentIds::new(600_000, 10);
        assert!(ids.insert(1, 0));
        assert!(ids.insert(2, 100));
        assert!(!ids.insert(1, 599_999));
        assert!(ids.insert(1, 600_000), "seen 10 minutes ago: counted again");
        assert!(!ids.insert(2, 600_000 - 1), "id 2 is younger");
        assert_eq!(ids.len(), 2);
        ids.expire(10_000_000);
        assert!(ids.is_empty());
    }

    #[test]
    fn forgets_the_oldest_ids_beyond_the_bound() {
        let mut ids = RecentIds::new(600_000, 3);
        for id in 0..5 {
            assert!(ids.insert(id, id as i64));
        }
        assert_eq!(ids.len(), 3);
        assert!(ids.insert(0, 10), "id 0 was pushed out");
        assert!(!ids.insert(4, 10));
    }
}
