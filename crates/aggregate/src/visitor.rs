//! Visitor identity without identifiers: a keyed hash that lives for one request.
//!
//! The hash of (daily salt, site, IP address, user agent) tells two page views of the same
//! visitor apart from two visitors on the same day, and nothing more: the salt is random, it
//! changes at 00:00 UTC and is deleted after 48 hours, after which no one — tacit included —
//! can recompute a hash from an IP address. The hash itself is only ever inserted into a
//! [`crate::VisitorSketch`], never stored or logged.
//!
//! At rest a salt is [sealed](DailySalt::sealed) with a key that never touches storage:
//! SQLite may keep the bytes of a deleted row (in write-ahead-log frames and free pages) until
//! they are overwritten, and a sealed salt that lingers there after its 48 hours is useless
//! without the key.

use std::hash::Hasher;

use sha2::{Digest, Sha256};
use siphasher::sip::SipHasher13;
use siphasher::sip128::{Hasher128, SipHasher24};

use crate::Day;
use tacit_beacon::SiteId;

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

    /// The salt as it is stored: XORed with a one-time pad, SipHash-2-4-128 under `key` of
    /// `context` (which shard, which day), so each stored salt has its own pad.
    pub fn sealed(&self, key: &SaltSealingKey, context: &[u8]) -> [u8; 16] {
        xor(self.0, key.pad(context))
    }

    /// The salt that [`DailySalt::sealed`] stored as `sealed`, with the same key and context.
    /// Another key yields another salt: rotating the key shreds every stored salt.
    pub fn unseal(sealed: [u8; 16], key: &SaltSealingKey, context: &[u8]) -> DailySalt {
        DailySalt(xor(sealed, key.pad(context)))
    }

    /// Whether the salt made for `salt_day` must be deleted on `today`: a salt is used during
    /// its own day and kept at most through the next, so it never lives beyond 48 hours.
    pub fn is_expired(salt_day: Day, today: Day) -> bool {
        today.days_after(salt_day) >= 2
    }
}

/// The key that seals salts at rest, derived from a secret the edge holds outside storage (the
/// `SALT_KEY` Worker secret). Like a salt, it has no `Debug` and no `Serialize`.
#[derive(Clone)]
pub struct SaltSealingKey([u8; 16]);

impl SaltSealingKey {
    /// The key of `secret`: the first 16 bytes of its SHA-256.
    pub fn from_secret(secret: &str) -> SaltSealingKey {
        let digest = Sha256::digest(secret.as_bytes());
        SaltSealingKey(digest[..16].try_into().expect("a SHA-256 digest has 32 bytes"))
    }

    fn pad(&self, context: &[u8]) -> [u8; 16] {
        let mut hasher = SipHasher24::new_with_key(&self.0);
        hasher.write(context);
        hasher.finish128().as_bytes()
    }
}

fn xor(a: [u8; 16], b: [u8; 16]) -> [u8; 16] {
    std::array::from_fn(|i| a[i] ^ b[i])
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
    fn a_sealed_salt_opens_only_with_its_key_and_context() {
        let salt = DailySalt::from_bytes(*b"0123456789abcdef");
        let key = SaltSealingKey::from_secret("a long random secret");
        let sealed = salt.sealed(&key, b"shard-a/20415");
        assert_ne!(sealed, salt.to_bytes());
        assert!(DailySalt::unseal(sealed, &key, b"shard-a/20415") == salt);
        assert!(DailySalt::unseal(sealed, &key, b"shard-b/20415") != salt);
        let other = SaltSealingKey::from_secret("another secret");
        assert!(DailySalt::unseal(sealed, &other, b"shard-a/20415") != salt);
        assert_ne!(salt.sealed(&key, b"shard-a/20416"), sealed, "each day has its own pad");
        // Pinned: tests/support/visitor-hash.mjs opens stored salts with the same value.
        let hex: String = sealed.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "82fa2dd04758840173a7a5649e898291");
    }

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
