//! Visitor identity without identifiers: a keyed hash that lives for one request.
//!
//! The hash of (daily salt, site, IP address, user agent) tells two page views of the same
//! visitor apart from two visitors on the same day, and nothing more: the salt is random, it
//! changes at 00:00 UTC and is deleted after 48 hours, after which no one — tacit included —
//! can recompute a hash from an IP address. The hash itself is only ever inserted into a
//! [`crate::VisitorSketch`], never stored or logged.

use std::hash::Hasher;

use siphasher::sip::SipHasher13;

use crate::{Day, SiteId};

/// The random key of one UTC day's visitor hashes.
///
/// Its bytes come from the caller (the edge draws them from `crypto.getRandomValues`), so this
/// crate stays deterministic. It implements no `Debug` and no `Serialize`, so it cannot end up
/// in a log line or a record by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct DailySalt([u8; 16]);

impl DailySalt {
    /// A salt from 16 random bytes.
    pub fn from_bytes(bytes: [u8; 16]) -> DailySalt {
        DailySalt(bytes)
    }

    /// The salt's bytes, for the edge to persist until it is deleted.
    pub fn to_bytes(&self) -> [u8; 16] {
        self.0
    }

    /// Whether the salt made for `salt_day` must be deleted on `today`: a salt is used during
    /// its own day and kept at most through the next, so it never lives beyond 48 hours.
    pub fn is_expired(salt_day: Day, today: Day) -> bool {
        today.days_after(salt_day) >= 2
    }
}

/// A visitor's keyed 64-bit hash for one day on one site.
///
/// SipHash-1-3 over length-prefixed little-endian input gives the same value on every
/// platform (wasm32 at the edge, x86_64 in tests), unlike `std`'s `Hash` for `usize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VisitorHash(u64);

impl VisitorHash {
    /// Hashes the visitor seen from `ip` with `user_agent` on `site`, keyed by `salt`.
    pub fn compute(salt: &DailySalt, site: &SiteId, ip: &str, user_agent: &str) -> VisitorHash {
        let mut hasher = SipHasher13::new_with_key(&salt.0);
        for field in [site.as_str(), ip, user_agent] {
            // The length prefix keeps ("ab", "c") and ("a", "bc") apart.
            hasher.write(&(field.len() as u64).to_le_bytes());
            hasher.write(field.as_bytes());
        }
        VisitorHash(hasher.finish())
    }

    /// The hash as a number, for sketches to take apart.
    pub fn as_u64(self) -> u64 {
        self.0
    }

    /// A hash from a number, for tests and synthetic streams.
    pub fn from_u64(value: u64) -> VisitorHash {
        VisitorHash(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: &str) -> SiteId {
        SiteId::parse(id).unwrap()
    }

    #[test]
    fn is_stable_across_runs_and_platforms() {
        // Pinned values: if these change, every unique-visitor count of the open day breaks.
        let salt = DailySalt::from_bytes(*b"0123456789abcdef");
        let hash = VisitorHash::compute(&salt, &site("demo"), "203.0.113.9", "Mozilla/5.0");
        assert_eq!(hash.as_u64(), PINNED_HASH);
    }

    const PINNED_HASH: u64 = 17_795_668_845_693_522_449;

    #[test]
    fn changes_with_every_input() {
        let salt = DailySalt::from_bytes([1; 16]);
        let base = VisitorHash::compute(&salt, &site("demo"), "203.0.113.9", "UA");
        let others = [
            VisitorHash::compute(
                &DailySalt::from_bytes([2; 16]),
                &site("demo"),
                "203.0.113.9",
                "UA",
            ),
            VisitorHash::compute(&salt, &site("demo2"), "203.0.113.9", "UA"),
            VisitorHash::compute(&salt, &site("demo"), "203.0.113.10", "UA"),
            VisitorHash::compute(&salt, &site("demo"), "203.0.113.9", "UA2"),
            // Shifting a byte between fields must not collide.
            VisitorHash::compute(&salt, &site("demo"), "203.0.113.9U", "A"),
        ];
        for other in others {
            assert_ne!(base, other);
        }
        assert_eq!(base, VisitorHash::compute(&salt, &site("demo"), "203.0.113.9", "UA"));
    }

    #[test]
    fn salts_expire_after_their_day_and_the_next() {
        let day = Day::parse("2026-11-23").unwrap();
        assert!(!DailySalt::is_expired(day, day));
        assert!(!DailySalt::is_expired(day, day.add_days(1)));
        assert!(DailySalt::is_expired(day, day.add_days(2)));
    }
}
