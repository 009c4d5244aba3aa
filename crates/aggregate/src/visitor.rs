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
//! without the key. Sealing is ChaCha20-Poly1305, an authenticated cipher: a stored salt that
//! was altered, moved to another shard or day, or sealed under another key does not open.

use std::fmt;
use std::hash::Hasher;

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce, Tag};
use hkdf::Hkdf;
use sha2::Sha256;
use siphasher::sip::SipHasher13;

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

    /// The salt as it is stored: `nonce`, then the salt encrypted with ChaCha20-Poly1305 under
    /// `key`, then the authentication tag, with `context` (which shard, which day) as associated
    /// data. `nonce` must be random and never reused with the key (the edge draws it with
    /// `crypto.getRandomValues`, as it draws the salt).
    pub fn sealed(
        &self,
        key: &SaltSealingKey,
        context: &[u8],
        nonce: [u8; SALT_NONCE_LEN],
    ) -> [u8; SEALED_SALT_LEN] {
        let mut salt = self.0;
        let tag = key
            .cipher()
            .encrypt_in_place_detached(Nonce::from_slice(&nonce), context, &mut salt)
            .expect("ChaCha20-Poly1305 seals any 16 bytes");
        let mut sealed = [0; SEALED_SALT_LEN];
        sealed[..SALT_NONCE_LEN].copy_from_slice(&nonce);
        sealed[SALT_NONCE_LEN..SALT_NONCE_LEN + 16].copy_from_slice(&salt);
        sealed[SALT_NONCE_LEN + 16..].copy_from_slice(&tag);
        sealed
    }

    /// The salt that [`DailySalt::sealed`] stored as `sealed`, with the same key and context;
    /// an error when the bytes were altered, belong to another context, were sealed under
    /// another key (after a `SALT_KEY` rotation), or are not a sealed salt at all.
    pub fn unseal(
        sealed: &[u8],
        key: &SaltSealingKey,
        context: &[u8],
    ) -> Result<DailySalt, SaltDoesNotOpen> {
        let sealed: &[u8; SEALED_SALT_LEN] = sealed.try_into().map_err(|_| SaltDoesNotOpen)?;
        let (nonce, rest) = sealed.split_at(SALT_NONCE_LEN);
        let (encrypted, tag) = rest.split_at(16);
        let mut salt: [u8; 16] = encrypted.try_into().expect("split at 16 bytes");
        key.cipher()
            .decrypt_in_place_detached(
                Nonce::from_slice(nonce),
                context,
                &mut salt,
                Tag::from_slice(tag),
            )
            .map_err(|_| SaltDoesNotOpen)?;
        Ok(DailySalt(salt))
    }

    /// Whether the salt made for `salt_day` must be deleted on `today`: a salt is used during
    /// its own day and kept at most through the next, so it never lives beyond 48 hours.
    pub fn is_expired(salt_day: Day, today: Day) -> bool {
        today.days_after(salt_day) >= 2
    }
}

/// Bytes of the random nonce a sealed salt starts with.
pub const SALT_NONCE_LEN: usize = 12;

/// Bytes of a sealed salt: the nonce, the encrypted salt and the 16-byte authentication tag.
pub const SEALED_SALT_LEN: usize = SALT_NONCE_LEN + 16 + 16;

/// A stored salt that does not open: altered, moved, sealed under another key, or not a
/// sealed salt. It says nothing more, by design of the cipher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaltDoesNotOpen;

impl fmt::Display for SaltDoesNotOpen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a stored salt failed authentication")
    }
}

impl std::error::Error for SaltDoesNotOpen {}

/// The key that seals salts at rest, derived from a secret the edge holds outside storage (the
/// `SALT_KEY` Worker secret). Like a salt, it has no `Debug` and no `Serialize`.
#[derive(Clone)]
pub struct SaltSealingKey([u8; 32]);

impl SaltSealingKey {
    /// The key of `secret`: HKDF-SHA-256 of it, with an `info` that names this one use.
    pub fn from_secret(secret: &str) -> SaltSealingKey {
        let mut key = [0; 32];
        Hkdf::<Sha256>::new(None, secret.as_bytes())
            .expand(b"tacit salt sealing v1", &mut key)
            .expect("32 bytes is a valid HKDF-SHA-256 output length");
        SaltSealingKey(key)
    }

    fn cipher(&self) -> ChaCha20Poly1305 {
        ChaCha20Poly1305::new(Key::from_slice(&self.0))
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
    fn a_sealed_salt_opens_only_with_its_key_and_context() {
        let salt = DailySalt::from_bytes(*b"0123456789abcdef");
        let key = SaltSealingKey::from_secret("a long random secret");
        let nonce = *b"nonce-twelve";
        let sealed = salt.sealed(&key, b"shard-a/20415", nonce);
        assert!(!sealed.windows(16).any(|w| w == salt.to_bytes()), "the salt is not in the clear");
        assert!(DailySalt::unseal(&sealed, &key, b"shard-a/20415") == Ok(salt.clone()));
        assert_eq!(DailySalt::unseal(&sealed, &key, b"shard-b/20415").err(), Some(SaltDoesNotOpen));
        let other = SaltSealingKey::from_secret("another secret");
        assert_eq!(
            DailySalt::unseal(&sealed, &other, b"shard-a/20415").err(),
            Some(SaltDoesNotOpen)
        );
        assert_ne!(salt.sealed(&key, b"shard-a/20415", *b"other nonce!"), sealed);
        // Pinned: tests/support/visitor-hash.mjs opens stored salts the same way.
        let hex: String = sealed.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, PINNED_SEALED);
    }

    const PINNED_SEALED: &str =
        "6e6f6e63652d7477656c7665bc595aa369596d428ab483793339dea5652be152f3a30cd96e487d045343445b";

    #[test]
    fn a_tampered_or_cut_salt_does_not_open() {
        let key = SaltSealingKey::from_secret("a long random secret");
        let sealed = DailySalt::from_bytes([7; 16]).sealed(&key, b"ctx", [1; SALT_NONCE_LEN]);
        for at in 0..SEALED_SALT_LEN {
            let mut tampered = sealed;
            tampered[at] ^= 1;
            assert_eq!(
                DailySalt::unseal(&tampered, &key, b"ctx").err(),
                Some(SaltDoesNotOpen),
                "byte {at}"
            );
        }
        assert_eq!(DailySalt::unseal(&sealed[1..], &key, b"ctx").err(), Some(SaltDoesNotOpen));
        assert_eq!(DailySalt::unseal(&[0; 16], &key, b"ctx").err(), Some(SaltDoesNotOpen));
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
