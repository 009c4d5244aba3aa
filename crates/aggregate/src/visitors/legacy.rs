//! A visitor sketch as format versions 1 and 2 stored it, in the layout of `hyperloglogplus`
//! 0.4, which wrote them, checked before it becomes a [`VisitorSketch`].
//!
//! The crate serialized its whole inner state (sizes, a hash set, a delta-encoded list, packed
//! registers) and trusted it when read back: a stored sketch whose sizes disagree with its
//! precision, whose list holds a truncated varint or whose hash codes point past the registers
//! decoded fine and panicked later, when it was counted or merged (the codec fuzz target found
//! one). [`StoredSketch`] mirrors that layout field by field and checks every invariant the
//! sketch relies on; `mirrors_the_crates_layout` below checks the layout against the crate.

use std::marker::PhantomData;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

use super::{
    check_precision, check_registers, code_is_valid, Invalid, Registers, SparseCodes,
    VisitorSketch, SPARSE_PRECISION,
};
use crate::codec::Legacy;

/// Bits per dense register, and registers per 32-bit word.
const REGISTER_BITS: u32 = 6;
const REGISTERS_PER_WORD: usize = (32 / REGISTER_BITS) as usize;
/// The longest varint of a `u32`.
const MAX_VARINT_BYTES: usize = 5;

/// `HyperLogLogPlus<u64, PassThrough>` as serde sees it, in field order.
#[derive(Serialize, Deserialize)]
pub(super) struct StoredSketch {
    /// The crate's hasher builder, which had no state.
    builder: (),
    precision: u8,
    /// Dense registers, sparse codes before conversion, dense size in bytes: all follow from
    /// the precision.
    counts: (usize, usize, usize),
    /// Hash codes not yet merged into `sparse` (a `HashSet<u32>` in the crate).
    tmpset: Vec<u32>,
    sparse: DeltaList,
    registers: Option<Registers6>,
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
struct Registers6 {
    buf: Vec<u32>,
    count: usize,
    zeros: usize,
}

impl StoredSketch {
    /// The sketch, when every part of it is consistent with its precision.
    fn into_sketch(self) -> Result<VisitorSketch, Invalid> {
        check_precision(self.precision)?;
        if self.counts != counts(self.precision) {
            return Err("sketch sizes do not match its precision");
        }
        if !self.tmpset.iter().all(|&code| code_is_valid(code)) {
            return Err("sketch holds an invalid hash code");
        }
        let sorted = self.sparse.decode()?;
        if !sorted.iter().all(|&code| code_is_valid(code)) {
            return Err("sketch holds an invalid hash code");
        }
        let registers = match &self.registers {
            Some(registers) => {
                if !self.tmpset.is_empty() || !sorted.is_empty() {
                    return Err("a dense sketch holds sparse codes");
                }
                let registers = registers.unpack(self.counts.0)?;
                check_registers(&registers, self.precision)?;
                Registers::Dense(registers)
            }
            None => {
                // A hash set, in whatever order it was iterated.
                let mut recent = self.tmpset;
                recent.sort_unstable();
                recent.dedup();
                Registers::Sparse(SparseCodes { sorted, recent })
            }
        };
        Ok(VisitorSketch { precision: self.precision, registers })
    }
}

impl<'de> Deserialize<'de> for Legacy<VisitorSketch> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stored = StoredSketch::deserialize(deserializer)?;
        stored.into_sketch().map(Legacy).map_err(D::Error::custom)
    }
}

/// The crate's sizes for `precision`: dense registers, the sparse register count it estimated
/// with, and the dense registers' bytes.
fn counts(precision: u8) -> (usize, usize, usize) {
    let sketch = VisitorSketch::with_precision(precision);
    (1 << precision, 1 << (SPARSE_PRECISION - 1), sketch.dense_bytes())
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

impl Registers6 {
    /// One byte per register, when there are `register_count` and the count of zeros is right.
    fn unpack(&self, register_count: usize) -> Result<Vec<u8>, Invalid> {
        if self.count != register_count
            || self.buf.len() != register_count.div_ceil(REGISTERS_PER_WORD)
        {
            return Err("sketch registers do not match its precision");
        }
        let registers: Vec<u8> = self
            .buf
            .iter()
            .flat_map(|word| {
                (0..REGISTERS_PER_WORD as u32)
                    .map(move |i| ((word >> (i * REGISTER_BITS)) & 0x3f) as u8)
            })
            .take(register_count)
            .collect();
        if registers.iter().filter(|&&value| value == 0).count() != self.zeros {
            return Err("sketch register count of zeros is wrong");
        }
        Ok(registers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::visitors::tests::{crate_sketch, PassThrough};
    use crate::visitors::PAGE_PRECISION;
    use hyperloglogplus::HyperLogLog;

    /// A sketch of `visitors` hashes as `hyperloglogplus` stored it.
    fn encoded(visitors: u64) -> Vec<u8> {
        let mut sketch = crate_sketch(PAGE_PRECISION);
        for v in 0..visitors {
            sketch.insert(&v.wrapping_mul(0x9E37_79B9_7F4A_7C15));
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
            let mut sketch = postcard::from_bytes::<Legacy<VisitorSketch>>(&bytes).unwrap().0;
            let mut theirs: hyperloglogplus::HyperLogLogPlus<u64, PassThrough> =
                postcard::from_bytes(&bytes).unwrap();
            assert_eq!(sketch.estimate(), theirs.count().round() as u64, "{visitors} visitors");
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
        assert!(corrupted(3, |s| s.precision = 12).is_err());
    }

    #[test]
    fn refuses_codes_past_the_registers_and_broken_lists() {
        assert!(corrupted(3, |s| s.tmpset.push(u32::MAX - 1)).is_err());
        assert!(corrupted(300, |s| s.sparse.buf.push(0x80)).is_err(), "truncated varint");
        assert!(corrupted(300, |s| s.sparse.count += 1).is_err());
        assert!(corrupted(300, |s| s.sparse.buf.extend([0xff; 6])).is_err(), "overlong varint");
    }
}
