//! A stored visitor sketch, checked before it becomes a [`HyperLogLogPlus`].
//!
//! `hyperloglogplus` serializes its whole inner state (sizes, a hash set, a delta-encoded list,
//! packed registers) and trusts it when read back: a stored sketch whose sizes disagree with its
//! precision, whose list holds a truncated varint or whose hash codes point past the registers
//! decodes fine and panics later, when it is counted or merged (the codec fuzz target found
//! one). [`StoredSketch`] mirrors that layout field by field, checks every invariant the
//! crate's code relies on, and only then hands the same fields to the crate.
//!
//! The layout is `hyperloglogplus` 0.4's (`Cargo.toml` pins the minor version);
//! `mirrors_the_crates_layout` below fails if an upgrade changes it.

use std::marker::PhantomData;

use hyperloglogplus::HyperLogLogPlus;
use serde::{Deserialize, Serialize};

use super::PassThrough;

/// The precision of the sparse representation's hash codes (`PRIME_PRECISION` in the crate).
const SPARSE_PRECISION: u32 = 25;
/// Bits per dense register, and registers per 32-bit word.
const REGISTER_BITS: u32 = 6;
const REGISTERS_PER_WORD: usize = (32 / REGISTER_BITS) as usize;
/// The longest varint of a `u32`.
const MAX_VARINT_BYTES: usize = 5;

/// `HyperLogLogPlus<u64, PassThrough>` as serde sees it, in field order.
#[derive(Serialize, Deserialize)]
pub(super) struct StoredSketch {
    builder: PassThrough,
    precision: u8,
    /// Dense registers, sparse codes before conversion, dense size in bytes: all follow from
    /// the precision.
    counts: (usize, usize, usize),
    /// Hash codes not yet merged into `sparse` (a `HashSet<u32>` in the crate).
    tmpset: Vec<u32>,
    sparse: DeltaList,
    registers: Option<Registers>,
    phantom: PhantomData<u64>,
}

/// Sorted hash codes, each stored as a varint of its difference to the previous one.
#[derive(Serialize, Deserialize)]
struct DeltaList {
    count: usize,
    last: u32,
    buf: Vec<u8>,
}

/// Dense registers, five 6-bit registers to a word.
#[derive(Serialize, Deserialize)]
struct Registers {
    buf: Vec<u32>,
    count: usize,
    zeros: usize,
}

/// Why a stored sketch is refused.
pub(super) type Invalid = &'static str;

impl StoredSketch {
    /// The sketch, when every part of it is consistent with its precision.
    pub(super) fn into_sketch(self) -> Result<HyperLogLogPlus<u64, PassThrough>, Invalid> {
        self.check()?;
        // Same fields, same order: the crate reads back exactly what was checked.
        let bytes = postcard::to_allocvec(&self).map_err(|_| "sketch does not re-encode")?;
        postcard::from_bytes(&bytes).map_err(|_| "sketch does not decode")
    }

    fn check(&self) -> Result<(), Invalid> {
        let precision = u32::from(self.precision);
        let fresh = HyperLogLogPlus::<u64, PassThrough>::new(self.precision, PassThrough)
            .map_err(|_| "sketch precision is out of range")?;
        let fresh: StoredSketch = postcard::from_bytes(
            &postcard::to_allocvec(&fresh).map_err(|_| "sketch does not encode")?,
        )
        .map_err(|_| "sketch layout differs")?;
        if self.counts != fresh.counts {
            return Err("sketch sizes do not match its precision");
        }
        let register_count = self.counts.0;
        if !self.tmpset.iter().all(|&code| code_is_valid(code)) {
            return Err("sketch holds an invalid hash code");
        }
        let codes = self.sparse.decode()?;
        if !codes.iter().all(|&code| code_is_valid(code)) {
            return Err("sketch holds an invalid hash code");
        }
        if let Some(registers) = &self.registers {
            if !self.tmpset.is_empty() || !codes.is_empty() {
                return Err("a dense sketch holds sparse codes");
            }
            registers.check(register_count, precision)?;
        }
        Ok(())
    }
}

/// Whether `code` is a sparse hash code as the crate writes them: an odd code keeps a 25-bit
/// index and a 6-bit count of leading zeros (at most what a 64-bit hash has after its 25 index
/// bits), an even code a 25-bit index only.
fn code_is_valid(code: u32) -> bool {
    if code & 1 == 1 {
        let zeros = (code >> 1) & 0x3f;
        (1..=64 - SPARSE_PRECISION + 1).contains(&zeros)
    } else {
        code >> 1 < 1 << SPARSE_PRECISION
    }
}

impl DeltaList {
    /// The codes, or an error for a truncated or overlong varint, a count or a last code that
    /// disagrees with the list, or codes out of order.
    fn decode(&self) -> Result<Vec<u32>, Invalid> {
        let mut codes = Vec::with_capacity(self.count.min(self.buf.len()));
        let mut bytes = self.buf.iter();
        let mut last = 0u32;
        while bytes.len() > 0 {
            let mut delta = 0u64;
            for shift in 0..MAX_VARINT_BYTES {
                let Some(&byte) = bytes.next() else { return Err("sketch list is truncated") };
                delta |= u64::from(byte & 0x7f) << (7 * shift);
                if byte & 0x80 == 0 {
                    break;
                }
                if shift == MAX_VARINT_BYTES - 1 {
                    return Err("sketch list holds an overlong number");
                }
            }
            let code = u64::from(last) + delta;
            last = u32::try_from(code).map_err(|_| "sketch list holds an overlong number")?;
            if !codes.is_empty() && delta == 0 {
                return Err("sketch list is not strictly increasing");
            }
            codes.push(last);
        }
        if codes.len() != self.count || last != self.last {
            return Err("sketch list disagrees with its count");
        }
        Ok(codes)
    }
}

impl Registers {
    fn check(&self, register_count: usize, precision: u32) -> Result<(), Invalid> {
        if self.count != register_count
            || self.buf.len() != register_count.div_ceil(REGISTERS_PER_WORD)
        {
            return Err("sketch registers do not match its precision");
        }
        let max_value = 64 - precision + 1;
        let values = self.buf.iter().flat_map(|word| {
            (0..REGISTERS_PER_WORD as u32).map(move |i| (word >> (i * REGISTER_BITS)) & 0x3f)
        });
        let mut zeros = 0;
        for value in values.take(register_count) {
            if value > max_value {
                return Err("sketch register is out of range");
            }
            zeros += usize::from(value == 0);
        }
        if zeros != self.zeros {
            return Err("sketch register count of zeros is wrong");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{VisitorHash, VisitorSketch};

    fn encoded(visitors: u64) -> Vec<u8> {
        let mut sketch = VisitorSketch::for_page();
        for v in 0..visitors {
            sketch.insert(VisitorHash::from_u64(v.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        }
        postcard::to_allocvec(&sketch).unwrap()
    }

    #[test]
    fn mirrors_the_crates_layout() {
        // Empty, sparse with codes still in the set, and dense.
        for visitors in [0, 3, 20_000] {
            let bytes = encoded(visitors);
            let stored: StoredSketch = postcard::from_bytes(&bytes).unwrap();
            assert_eq!(postcard::to_allocvec(&stored).unwrap(), bytes, "{visitors} visitors");
            stored.check().unwrap();
        }
    }

    fn corrupted(visitors: u64, corrupt: impl Fn(&mut StoredSketch)) -> Result<(), Invalid> {
        let mut stored: StoredSketch = postcard::from_bytes(&encoded(visitors)).unwrap();
        corrupt(&mut stored);
        stored.into_sketch().map(drop)
    }

    #[test]
    fn refuses_sizes_that_do_not_match_the_precision() {
        // The codec fuzz target's first panic: registers sized 0 for a precision-14 sketch.
        assert!(corrupted(3, |s| s.counts.0 = 0).is_err());
        assert!(corrupted(20_000, |s| s.registers.as_mut().unwrap().buf.pop().map(drop).unwrap())
            .is_err());
        assert!(corrupted(20_000, |s| s.registers.as_mut().unwrap().zeros += 1).is_err());
    }

    #[test]
    fn refuses_codes_past_the_registers_and_broken_lists() {
        assert!(corrupted(3, |s| s.tmpset.push(u32::MAX - 1)).is_err());
        assert!(corrupted(300, |s| s.sparse.buf.push(0x80)).is_err(), "truncated varint");
        assert!(corrupted(300, |s| s.sparse.count += 1).is_err());
        assert!(corrupted(300, |s| s.sparse.buf.extend([0xff; 6])).is_err(), "overlong varint");
    }
}
