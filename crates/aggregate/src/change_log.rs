//! A site's configuration change log, hash-chained so that editing or dropping an entry shows.
//!
//! Each [`ChangeEntry`] carries the SHA-256 of its own fields and of the previous entry's hash
//! (the first entry chains to [`GENESIS_HASH`]). [`verify_chain`] recomputes every hash and
//! reports the first entry that does not fit. The chain proves integrity against edits of the
//! stored rows, not authorship: whoever can rewrite the whole table can rewrite the chain, so a
//! privacy officer who keeps the latest hash (the privacy page shows it) can detect that too.
//!
//! ```
//! use tacit_aggregate::change_log::{verify_chain, ChangeEntry};
//!
//! let first = ChangeEntry::next(None, 1_000, "admin", "k", "5", "10");
//! let second = ChangeEntry::next(Some(&first), 2_000, "admin", "consent_mode", "\"exempt\"", "\"opt-in\"");
//! let mut log = vec![first, second];
//! assert!(verify_chain(&log).is_ok());
//! log[0].new = "1".into();
//! assert_eq!(verify_chain(&log).unwrap_err().seq, 1);
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash the first entry chains to: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One configuration change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeEntry {
    /// 1 for the first entry, then one more for each.
    pub seq: u64,
    /// When, in milliseconds since the Unix epoch.
    pub time_ms: i64,
    /// Which token acted: `admin`, or a token's id. Never the token itself.
    pub actor: String,
    /// The field (or `site`, `tokens`) that changed.
    pub field: String,
    /// The old value, as JSON (`null` when there was none).
    pub old: String,
    /// The new value, as JSON.
    pub new: String,
    /// Hex SHA-256 of the previous entry's hash and this entry's fields.
    pub hash: String,
}

impl ChangeEntry {
    /// The entry that follows `previous` (or starts the chain).
    pub fn next(
        previous: Option<&ChangeEntry>,
        time_ms: i64,
        actor: &str,
        field: &str,
        old: &str,
        new: &str,
    ) -> ChangeEntry {
        let (seq, prev_hash) = previous.map_or((1, GENESIS_HASH), |p| (p.seq + 1, p.hash.as_str()));
        let mut entry = ChangeEntry {
            seq,
            time_ms,
            actor: actor.to_owned(),
            field: field.to_owned(),
            old: old.to_owned(),
            new: new.to_owned(),
            hash: String::new(),
        };
        entry.hash = entry.expected_hash(prev_hash);
        entry
    }

    /// The hash this entry must have when it follows an entry whose hash is `prev_hash`.
    pub fn expected_hash(&self, prev_hash: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(b"tacit change log v1");
        let seq = self.seq.to_le_bytes();
        let time = self.time_ms.to_le_bytes();
        let fields: [&[u8]; 7] = [
            prev_hash.as_bytes(),
            &seq,
            &time,
            self.actor.as_bytes(),
            self.field.as_bytes(),
            self.old.as_bytes(),
            self.new.as_bytes(),
        ];
        for field in fields {
            // Length prefixes keep ("ab", "c") and ("a", "bc") apart.
            hasher.update((field.len() as u64).to_le_bytes());
            hasher.update(field);
        }
        hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Where a chain breaks: the sequence number of the first entry that does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainError {
    /// The expected sequence number at the break.
    pub seq: u64,
    /// What is wrong there.
    pub kind: ChainErrorKind,
}

/// What is wrong at a [`ChainError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainErrorKind {
    /// An entry is missing, repeated or out of order.
    Sequence,
    /// The entry's fields or its predecessor's hash were changed.
    Hash,
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ChainErrorKind::Sequence => {
                write!(f, "change log entry {} is missing or out of order", self.seq)
            }
            ChainErrorKind::Hash => {
                write!(f, "change log entry {} does not match its hash", self.seq)
            }
        }
    }
}

impl std::error::Error for ChainError {}

/// Checks that `entries` are the whole chain from its first entry, in order, unaltered.
pub fn verify_chain(entries: &[ChangeEntry]) -> Result<(), ChainError> {
    let mut prev_hash = GENESIS_HASH;
    for (index, entry) in entries.iter().enumerate() {
        let seq = index as u64 + 1;
        if entry.seq != seq {
            return Err(ChainError { seq, kind: ChainErrorKind::Sequence });
        }
        if entry.hash != entry.expected_hash(prev_hash) {
            return Err(ChainError { seq, kind: ChainErrorKind::Hash });
        }
        prev_hash = &entry.hash;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<ChangeEntry> {
        let mut entries: Vec<ChangeEntry> = Vec::new();
        for i in 0..n {
            let entry = ChangeEntry::next(
                entries.last(),
                1_000 * i as i64,
                "admin",
                "k",
                &i.to_string(),
                &(i + 1).to_string(),
            );
            entries.push(entry);
        }
        entries
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(verify_chain(&[]), Ok(()));
        assert_eq!(verify_chain(&chain(5)), Ok(()));
    }

    #[test]
    fn detects_an_edited_field_in_any_entry() {
        let edits: [fn(&mut ChangeEntry); 5] = [
            |e| e.time_ms += 1,
            |e| e.actor = "viewer".into(),
            |e| e.field = "retention_days".into(),
            |e| e.old = "99".into(),
            |e| e.new = "99".into(),
        ];
        for edit in edits {
            for at in 0..4 {
                let mut entries = chain(4);
                edit(&mut entries[at]);
                assert_eq!(
                    verify_chain(&entries),
                    Err(ChainError { seq: at as u64 + 1, kind: ChainErrorKind::Hash })
                );
            }
        }
    }

    #[test]
    fn detects_a_rehashed_entry_by_its_successor() {
        // Recomputing the edited entry's own hash is not enough: the next entry chains to it.
        let mut entries = chain(3);
        entries[1].new = "42".into();
        entries[1].hash = entries[1].expected_hash(&entries[0].hash.clone());
        assert_eq!(verify_chain(&entries), Err(ChainError { seq: 3, kind: ChainErrorKind::Hash }));
    }

    #[test]
    fn detects_dropped_and_reordered_entries() {
        let mut dropped = chain(4);
        dropped.remove(1);
        assert_eq!(verify_chain(&dropped).unwrap_err().seq, 2);
        let mut swapped = chain(4);
        swapped.swap(1, 2);
        assert_eq!(verify_chain(&swapped).unwrap_err().kind, ChainErrorKind::Sequence);
    }
}
