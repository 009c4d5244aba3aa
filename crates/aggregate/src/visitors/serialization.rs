//! How a [`VisitorSketch`] is stored: the precision, then either its sparse codes or its dense
//! registers, checked as they are read.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::sketch::{union, Registers, SparseCodes, VisitorSketch};
use super::{PAGE_PRECISION, SITE_PRECISION, SPARSE_PRECISION};

/// The record format version that introduced this layout. A change to the layout sets it to the
/// next format version, and the codec then refuses to build until its format version follows.
pub(crate) const LAYOUT_VERSION: u8 = 3;

/// The stored layout: the precision, then either the sparse codes, sorted, each as its difference
/// to the previous one (about 4 bytes a visitor), or the dense registers packed four to three bytes
/// (12 KiB for a page). The sparse codes not yet folded are folded into the stored list; the
/// estimate folds them first anyway, so it is the same after a round trip.
#[derive(Serialize, Deserialize)]
pub(super) struct StoredSketch {
    pub(super) precision: u8,
    pub(super) registers: StoredRegisters,
}

#[derive(Serialize, Deserialize)]
pub(super) enum StoredRegisters {
    /// Code differences, the first counted from 0.
    Sparse(Vec<u32>),
    /// 6-bit registers, four to three bytes, the first in the lowest bits.
    Dense(Vec<u8>),
}

impl Serialize for VisitorSketch {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let registers = match &self.registers {
            Registers::Sparse(codes) => {
                let mut previous = 0;
                let gaps = union(&codes.sorted, &codes.recent)
                    .into_iter()
                    .map(|code| {
                        let gap = code - previous;
                        previous = code;
                        gap
                    })
                    .collect();
                StoredRegisters::Sparse(gaps)
            }
            Registers::Dense(registers) => StoredRegisters::Dense(
                registers
                    .chunks(4)
                    .flat_map(|four| {
                        let word = four
                            .iter()
                            .rev()
                            .fold(0u32, |word, &register| (word << 6) | u32::from(register));
                        [word as u8, (word >> 8) as u8, (word >> 16) as u8]
                    })
                    .collect(),
            ),
        };
        StoredSketch { precision: self.precision, registers }.serialize(serializer)
    }
}

impl TryFrom<StoredSketch> for VisitorSketch {
    type Error = Invalid;

    fn try_from(stored: StoredSketch) -> Result<VisitorSketch, Invalid> {
        let precision = stored.precision;
        check_precision(precision)?;
        let registers = match stored.registers {
            StoredRegisters::Sparse(gaps) => {
                let mut sorted = Vec::with_capacity(gaps.len());
                let mut code = 0u32;
                for (i, gap) in gaps.into_iter().enumerate() {
                    if i > 0 && gap == 0 {
                        return Err("sketch codes are not strictly increasing");
                    }
                    code = code.checked_add(gap).ok_or("sketch code is out of range")?;
                    if !code_is_valid(code) {
                        return Err("sketch holds an invalid hash code");
                    }
                    sorted.push(code);
                }
                Registers::Sparse(SparseCodes { sorted, recent: Vec::new() })
            }
            StoredRegisters::Dense(packed) => {
                if packed.len() != (1 << precision) / 4 * 3 {
                    return Err("sketch registers do not match its precision");
                }
                let registers: Vec<u8> = packed
                    .chunks(3)
                    .flat_map(|three| {
                        let word = u32::from_le_bytes([three[0], three[1], three[2], 0]);
                        [0, 6, 12, 18].map(|shift| ((word >> shift) & 0x3f) as u8)
                    })
                    .collect();
                check_registers(&registers, precision)?;
                Registers::Dense(registers)
            }
        };
        Ok(VisitorSketch { precision, registers })
    }
}

/// Why a stored sketch is refused.
type Invalid = &'static str;

/// Only a page's and a site's precision have the estimator's bias tables.
fn check_precision(precision: u8) -> Result<(), Invalid> {
    if [PAGE_PRECISION, SITE_PRECISION].contains(&precision) {
        Ok(())
    } else {
        Err("sketch precision is neither a page's nor a site's")
    }
}

/// Whether `code` is a sparse hash code as [`encode_hash`](super::sketch::encode_hash) makes them:
/// an odd code keeps a 25-bit index and a 6-bit count of leading zeros (at most what a 64-bit hash
/// has after its 25 index bits), an even code a 25-bit index only.
fn code_is_valid(code: u32) -> bool {
    if code & 1 == 1 {
        let zeros = (code >> 1) & 0x3f;
        (1..=64 - SPARSE_PRECISION + 1).contains(&zeros)
    } else {
        code >> 1 < 1 << SPARSE_PRECISION
    }
}

/// Dense registers are `2^precision`, none above what a hash can give.
fn check_registers(registers: &[u8], precision: u8) -> Result<(), Invalid> {
    if registers.len() != 1 << precision {
        return Err("sketch registers do not match its precision");
    }
    let max_value = 64 - precision + 1;
    if registers.iter().any(|&value| value > max_value) {
        return Err("sketch register is out of range");
    }
    Ok(())
}

impl<'de> Deserialize<'de> for VisitorSketch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<VisitorSketch, D::Error> {
        let stored = StoredSketch::deserialize(deserializer)?;
        VisitorSketch::try_from(stored).map_err(D::Error::custom)
    }
}
