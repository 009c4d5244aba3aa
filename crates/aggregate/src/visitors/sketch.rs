//! The algorithm: HyperLogLog++'s sparse and dense representations, insert, merge and the
//! estimate.

use super::{bias, PAGE_PRECISION, SITE_PRECISION, SPARSE_PRECISION};
use crate::VisitorHash;

/// A mergeable estimate of how many distinct visitors were seen.
///
/// Visitor hashes are already uniform 64-bit keyed hashes, so the sketch uses them as they are
/// instead of hashing them again.
///
/// A stored sketch is checked as it is decoded, so a corrupted one is an error of the codec,
/// never a panic when it is counted.
#[derive(Clone, Debug)]
pub struct VisitorSketch {
    /// [`PAGE_PRECISION`] or [`SITE_PRECISION`].
    pub(super) precision: u8,
    pub(super) registers: Registers,
}

/// A sketch's two representations: sparse hash codes while they take less room than the dense
/// registers would, then the registers.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Registers {
    Sparse(SparseCodes),
    /// `2^p` registers, each the most leading zeros (plus one) seen among the hashes whose
    /// first `p` bits are its index.
    Dense(Vec<u8>),
}

/// Sparse hash codes (see [`encode_hash`]), kept as the crate kept them: a sorted list, and the
/// codes inserted since it was last rebuilt, which are merged into it in batches.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct SparseCodes {
    /// Distinct codes in increasing order.
    pub(super) sorted: Vec<u32>,
    /// Codes inserted since, distinct among themselves and in increasing order (some may also
    /// be in `sorted`).
    pub(super) recent: Vec<u32>,
}

impl VisitorSketch {
    /// An empty sketch for a page's record ([`PAGE_PRECISION`]).
    pub fn for_page() -> VisitorSketch {
        VisitorSketch::with_precision(PAGE_PRECISION)
    }

    /// An empty sketch for a site's rollup ([`SITE_PRECISION`]).
    pub fn for_site() -> VisitorSketch {
        VisitorSketch::with_precision(SITE_PRECISION)
    }

    pub(super) fn with_precision(precision: u8) -> VisitorSketch {
        VisitorSketch { precision, registers: Registers::Sparse(SparseCodes::default()) }
    }

    /// Records that `visitor` was seen.
    pub fn insert(&mut self, visitor: VisitorHash) {
        let hash = visitor.as_u64();
        let precision = self.precision;
        match &mut self.registers {
            Registers::Dense(registers) => {
                let (index, zeros) = dense_index_and_zeros(hash, precision);
                registers[index] = registers[index].max(zeros);
            }
            Registers::Sparse(codes) => {
                let code = encode_hash(hash, precision);
                if let Err(position) = codes.recent.binary_search(&code) {
                    codes.recent.insert(position, code);
                }
                self.fold_recent_when_due();
            }
        }
    }

    /// Adds every visitor of `other`: afterwards `self` estimates the union of both.
    ///
    /// Both must be of one kind (page or site). Records only ever merge with records of their
    /// own kind, and the codec rejects a decoded sketch of the wrong precision, so they are.
    pub fn merge(&mut self, other: &VisitorSketch) {
        assert_eq!(self.precision, other.precision, "merged visitor sketches share one precision");
        let precision = self.precision;
        match &other.registers {
            Registers::Sparse(theirs) => match &mut self.registers {
                Registers::Sparse(ours) => {
                    ours.recent = union(&union(&ours.recent, &theirs.sorted), &theirs.recent);
                    self.fold_recent_when_due();
                }
                Registers::Dense(registers) => {
                    for &code in theirs.sorted.iter().chain(&theirs.recent) {
                        let (index, zeros) = decode_hash(code, precision);
                        registers[index] = registers[index].max(zeros);
                    }
                }
            },
            Registers::Dense(theirs) => {
                self.fold_recent();
                self.make_dense();
                if let Registers::Dense(ours) = &mut self.registers {
                    for (mine, &their) in ours.iter_mut().zip(theirs) {
                        *mine = (*mine).max(their);
                    }
                }
            }
        }
    }

    /// Whether the sketch has precision `precision`, the condition for [`VisitorSketch::merge`].
    pub(crate) fn has_precision(&self, precision: u8) -> bool {
        self.precision == precision
    }

    /// The estimated number of distinct visitors. It needs `&mut self` because the sketch
    /// folds its recent sparse codes into the sorted ones first, as the crate did.
    pub fn estimate(&mut self) -> u64 {
        self.fold_recent();
        let estimate = match &self.registers {
            // The crate counts sparse codes as if there were 2^24 registers, although their
            // index has 25 bits; kept, so that small sets estimate what the crate estimates.
            Registers::Sparse(codes) => {
                let registers = 1usize << (SPARSE_PRECISION - 1);
                linear_count(registers, registers - codes.sorted.len())
            }
            Registers::Dense(registers) => dense_estimate(registers, self.precision),
        };
        estimate.round() as u64
    }

    /// How many bytes the dense registers took in the crate (five 6-bit registers to a 4-byte
    /// word): the sparse codes switch to dense registers once their encoding is longer.
    fn dense_bytes(&self) -> usize {
        4 * (1 << self.precision) / 5
    }

    /// Folds the recent codes into the sorted ones once there are more than 1 % of
    /// [`VisitorSketch::dense_bytes`] of them, the crate's batch size.
    fn fold_recent_when_due(&mut self) {
        if let Registers::Sparse(codes) = &self.registers {
            if codes.recent.len() * 100 > self.dense_bytes() {
                self.fold_recent();
            }
        }
    }

    /// Folds the recent codes into the sorted ones, and turns the sketch dense if the sorted
    /// codes, delta- and varint-encoded, now take more than [`VisitorSketch::dense_bytes`].
    fn fold_recent(&mut self) {
        let dense_bytes = self.dense_bytes();
        let Registers::Sparse(codes) = &mut self.registers else { return };
        if !codes.recent.is_empty() {
            codes.sorted = union(&codes.sorted, &codes.recent);
            codes.recent.clear();
        }
        if delta_varint_len(&codes.sorted) > dense_bytes {
            self.make_dense();
        }
    }

    /// Turns a sparse sketch dense, from its sorted codes (the recent ones must have been
    /// folded in).
    fn make_dense(&mut self) {
        let precision = self.precision;
        if let Registers::Sparse(codes) = &self.registers {
            let mut registers = vec![0u8; 1 << precision];
            for &code in &codes.sorted {
                let (index, zeros) = decode_hash(code, precision);
                registers[index] = registers[index].max(zeros);
            }
            self.registers = Registers::Dense(registers);
        }
    }
}

/// The register index of `hash` (its first `precision` bits) and the number of leading zeros
/// of the rest plus one, at most `64 − precision + 1`.
pub(super) fn dense_index_and_zeros(hash: u64, precision: u8) -> (usize, u8) {
    let index = (hash >> (64 - precision)) as usize;
    // The set bit ends the count of zeros where the hash's bits run out.
    let rest = (hash << precision) | (1 << (precision - 1));
    (index, rest.leading_zeros() as u8 + 1)
}

/// The sparse code of `hash`: its first 25 bits as an index, shifted left by one. When the bits
/// of that index past the dense precision are all zero, the dense register's count of zeros
/// cannot be read back from the index, so the code keeps it: the index shifted left by seven,
/// the count of zeros past bit 25 (plus one) in the next six bits, and the lowest bit set.
pub(super) fn encode_hash(hash: u64, precision: u8) -> u32 {
    let index = hash >> (64 - SPARSE_PRECISION);
    let past_dense = index & ((1 << (SPARSE_PRECISION - u32::from(precision))) - 1);
    if past_dense != 0 {
        return (index << 1) as u32;
    }
    let rest = (hash << SPARSE_PRECISION) | (1 << (SPARSE_PRECISION - 1));
    let zeros = rest.leading_zeros() + 1;
    ((index as u32) << 7) | (zeros << 1) | 1
}

/// The dense register index and count of zeros of a sparse code, as [`dense_index_and_zeros`]
/// gives them for the hash it was made from.
pub(super) fn decode_hash(code: u32, precision: u8) -> (usize, u8) {
    let precision = u32::from(precision);
    if code & 1 == 1 {
        let zeros = ((code >> 1) & 0x3f) + (SPARSE_PRECISION - precision);
        return ((code >> (32 - precision)) as usize, zeros as u8);
    }
    let index = (code >> (SPARSE_PRECISION + 1 - precision)) & ((1 << precision) - 1);
    // The index bits past the dense precision, moved to the top; one is set (see encode_hash).
    let past_dense = code << (32 - SPARSE_PRECISION + precision - 1);
    (index as usize, past_dense.leading_zeros() as u8 + 1)
}

/// The sorted union of two sorted lists of distinct codes.
pub(super) fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut merged = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        merged.push(x.min(y));
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    merged.extend_from_slice(&a[i..]);
    merged.extend_from_slice(&b[j..]);
    merged
}

/// How many bytes `codes` take as varints of their differences (the first from zero).
fn delta_varint_len(codes: &[u32]) -> usize {
    let mut last = 0;
    codes
        .iter()
        .map(|&code| {
            let delta = code - last;
            last = code;
            (32 - delta.leading_zeros()).max(1).div_ceil(7) as usize
        })
        .sum()
}

/// HyperLogLog++'s estimate from dense registers: linear counting while some registers are
/// still zero and it stays below the precision's empirical threshold, else the raw harmonic
/// mean estimate, less its empirical bias up to five times the register count.
fn dense_estimate(registers: &[u8], precision: u8) -> f64 {
    let count = registers.len();
    let zeros = registers.iter().filter(|&&value| value == 0).count();
    if zeros != 0 {
        let linear = linear_count(count, zeros);
        if linear <= linear_counting_threshold(precision) {
            return linear;
        }
    }
    // Summed in register order, as the crate did, so that the float is the same to the bit.
    let sum: f64 = registers.iter().map(|&value| 1.0 / (1u64 << value) as f64).sum();
    let alpha = 0.7213 / (1.0 + 1.079 / count as f64);
    let raw = alpha * (count * count) as f64 / sum;
    if raw <= 5.0 * count as f64 {
        raw - bias(raw, precision)
    } else {
        raw
    }
}

/// `m · ln(m / zeros)`: the expected number of distinct hashes that leave `zeros` of `m`
/// registers empty.
fn linear_count(count: usize, zeros: usize) -> f64 {
    count as f64 * (count as f64 / zeros as f64).ln()
}

/// Below this estimate, linear counting errs less than the bias-corrected raw estimate
/// (the paper's empirical thresholds).
fn linear_counting_threshold(precision: u8) -> f64 {
    if precision == SITE_PRECISION {
        50_000.0
    } else {
        11_500.0
    }
}

/// The empirical bias of raw estimate `raw`, interpolated linearly between the two measured
/// raw estimates around it (the first or last bias outside them).
fn bias(raw: f64, precision: u8) -> f64 {
    let (estimates, biases): (&[f64], &[f64]) = if precision == SITE_PRECISION {
        (&bias::RAW_ESTIMATES_16, &bias::BIASES_16)
    } else {
        (&bias::RAW_ESTIMATES_14, &bias::BIASES_14)
    };
    let last = estimates.len() - 1;
    if raw <= estimates[0] {
        return biases[0];
    }
    if raw >= estimates[last] {
        return biases[last];
    }
    let above = estimates.partition_point(|&estimate| estimate < raw);
    let below = above - 1;
    let ratio = (raw - estimates[below]) / (estimates[above] - estimates[below]);
    biases[below] + ratio * (biases[above] - biases[below])
}
