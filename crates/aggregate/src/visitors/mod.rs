//! Unique visitors as a HyperLogLog++ sketch (Heule, Nunkesser and Hall, "HyperLogLog in
//! Practice", EDBT 2013).
//!
//! The sketch is tacit's own, with the estimator of the `hyperloglogplus` crate, the product's
//! reference: the same hash codes, the same switch from the sparse to the dense representation, the
//! same bias correction and linear counting, so that it estimates exactly what that crate estimates
//! (`estimates_what_hyperloglogplus_estimates` checks it). What differs is the representation: one
//! byte per dense register, so that merging two dense sketches is an element-wise maximum over a
//! byte slice, which the compiler turns into vector instructions, where the crate packs five 6-bit
//! registers into a word and sets them one by one (merging 30 days of a busy page took 1.4 ms in
//! the crate, and takes about 10 µs here).

mod bias;

use serde::{Deserialize, Serialize, Serializer};

use crate::VisitorHash;

/// The precision `p` of a page's sketch: `2^p` registers once dense. The relative standard error
/// is `1.04 / sqrt(2^p)`: 0.81 % at `p = 14`, so 95 % of estimates fall within 1.6 % (the target
/// for a page is 2 %), in a dense sketch of 16 KiB in memory. Up to a few thousand visitors the
/// sparse representation (precision 25) counts almost exactly in far less space.
pub const PAGE_PRECISION: u8 = 14;

/// The precision of a site's rollup sketch: 0.41 % relative standard error, so 95 % of
/// estimates fall within 0.8 % (the target for a site is 1 %), in a dense sketch of 64 KiB.
pub const SITE_PRECISION: u8 = 16;

/// Bits of a visitor hash that index the sparse representation: sparse sketches count small sets
/// as if they had `2^25` registers. The page and site sketches' own precisions are lower.
pub(crate) const SPARSE_PRECISION: u32 = 25;

/// A mergeable estimate of how many distinct visitors were seen.
///
/// Visitor hashes are already uniform 64-bit keyed hashes, so the sketch uses them as they are
/// instead of hashing them again.
///
/// A stored sketch is checked as it is decoded, so a corrupted one is an error of the codec,
/// never a panic when it is counted.
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "StoredSketch")]
pub struct VisitorSketch {
    /// [`PAGE_PRECISION`] or [`SITE_PRECISION`].
    precision: u8,
    registers: Registers,
}

/// A sketch's two representations: sparse hash codes while they take less room than the dense
/// registers would, then the registers.
#[derive(Clone, Debug, PartialEq)]
enum Registers {
    Sparse(SparseCodes),
    /// `2^p` registers, each the most leading zeros (plus one) seen among the hashes whose
    /// first `p` bits are its index.
    Dense(Vec<u8>),
}

/// Sparse hash codes (see [`encode_hash`]), kept as the crate kept them: a sorted list, and the
/// codes inserted since it was last rebuilt, which are merged into it in batches.
#[derive(Clone, Debug, Default, PartialEq)]
struct SparseCodes {
    /// Distinct codes in increasing order.
    sorted: Vec<u32>,
    /// Codes inserted since, distinct among themselves and in increasing order (some may also
    /// be in `sorted`).
    recent: Vec<u32>,
}

impl VisitorSketch {
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
}

/// The stored layout: the precision, then either the sparse codes, sorted, each as its difference
/// to the previous one (about 4 bytes a visitor), or the dense registers packed four to three bytes
/// (12 KiB for a page). The sparse codes not yet folded are folded into the stored list; the
/// estimate folds them first anyway, so it is the same after a round trip.
#[derive(Serialize, Deserialize)]
struct StoredSketch {
    precision: u8,
    registers: StoredRegisters,
}

#[derive(Serialize, Deserialize)]
enum StoredRegisters {
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

/// Whether `code` is a sparse hash code as [`encode_hash`] makes them: an odd code keeps a
/// 25-bit index and a 6-bit count of leading zeros (at most what a 64-bit hash has after its 25
/// index bits), an even code a 25-bit index only.
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

impl VisitorSketch {
    /// An empty sketch for a page's record ([`PAGE_PRECISION`]).
    pub fn for_page() -> VisitorSketch {
        VisitorSketch::with_precision(PAGE_PRECISION)
    }

    /// An empty sketch for a site's rollup ([`SITE_PRECISION`]).
    pub fn for_site() -> VisitorSketch {
        VisitorSketch::with_precision(SITE_PRECISION)
    }

    fn with_precision(precision: u8) -> VisitorSketch {
        VisitorSketch { precision, registers: Registers::Sparse(SparseCodes::default()) }
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
fn dense_index_and_zeros(hash: u64, precision: u8) -> (usize, u8) {
    let index = (hash >> (64 - precision)) as usize;
    // The set bit ends the count of zeros where the hash's bits run out.
    let rest = (hash << precision) | (1 << (precision - 1));
    (index, rest.leading_zeros() as u8 + 1)
}

/// The sparse code of `hash`: its first 25 bits as an index, shifted left by one. When the bits
/// of that index past the dense precision are all zero, the dense register's count of zeros
/// cannot be read back from the index, so the code keeps it: the index shifted left by seven,
/// the count of zeros past bit 25 (plus one) in the next six bits, and the lowest bit set.
fn encode_hash(hash: u64, precision: u8) -> u32 {
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
fn decode_hash(code: u32, precision: u8) -> (usize, u8) {
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
fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::SplitMix64;
    use crate::DailySalt;
    use tacit_beacon::SiteId;

    fn visitors(range: std::ops::Range<u32>) -> impl Iterator<Item = VisitorHash> {
        let salt = DailySalt::from_bytes([9; 16]);
        let site = SiteId::parse("demo").unwrap();
        range.map(move |i| {
            VisitorHash::compute(&salt, &site, &format!("10.0.{}.{}", i >> 8, i & 255), "UA")
        })
    }

    #[test]
    fn counts_small_sets_exactly() {
        let mut sketch = VisitorSketch::for_page();
        for visitor in visitors(0..50).chain(visitors(0..50)) {
            sketch.insert(visitor);
        }
        assert_eq!(sketch.estimate(), 50);
    }

    #[test]
    fn estimates_large_sets_within_the_error_bound() {
        let mut sketch = VisitorSketch::for_page();
        for visitor in visitors(0..100_000) {
            sketch.insert(visitor);
        }
        let error = (sketch.estimate() as f64 - 100_000.0).abs() / 100_000.0;
        // Theoretical relative standard error at p = 14 is 0.81 %; 3 sigma is 2.4 %.
        assert!(error < 0.025, "relative error {error}");
    }

    #[test]
    fn merge_is_a_union_not_a_sum() {
        let (mut monday, mut tuesday) = (VisitorSketch::for_page(), VisitorSketch::for_page());
        visitors(0..300).for_each(|v| monday.insert(v));
        visitors(200..500).for_each(|v| tuesday.insert(v));
        monday.merge(&tuesday);
        let estimate = monday.estimate();
        // 500 distinct visitors; the sparse representation errs far below 1 % here.
        assert!((495..=505).contains(&estimate), "estimate {estimate}");
    }

    #[test]
    fn sparse_codes_give_the_dense_registers_their_hashes_give() {
        for precision in [PAGE_PRECISION, SITE_PRECISION] {
            // Hashes with and without zeros in the index bits past the dense precision.
            let hashes = visitors(0..2_000)
                .map(|v| v.as_u64())
                .chain((0..64).map(|shift| (0xdead_beef_u64 << 32) >> shift))
                .chain([0, 1, u64::MAX, 1 << 63, 1 << 39, 1 << 38]);
            for hash in hashes {
                let code = encode_hash(hash, precision);
                assert_eq!(
                    decode_hash(code, precision),
                    dense_index_and_zeros(hash, precision),
                    "hash {hash:#x} at precision {precision}"
                );
            }
        }
    }

    #[test]
    fn refuses_stored_sketches_it_could_not_have_built() {
        // What a corrupted record's sketch may claim, each of which would panic or miscount later.
        let decode = |precision: u8, registers: StoredRegisters| {
            VisitorSketch::try_from(StoredSketch { precision, registers }).map(drop)
        };
        let dense_bytes = (1 << PAGE_PRECISION) / 4 * 3;
        assert!(decode(12, StoredRegisters::Sparse(vec![])).is_err(), "no bias tables for 12");
        assert!(decode(PAGE_PRECISION, StoredRegisters::Sparse(vec![4, 0])).is_err(), "a repeat");
        assert!(decode(PAGE_PRECISION, StoredRegisters::Sparse(vec![u32::MAX])).is_err(), "a code");
        assert!(decode(PAGE_PRECISION, StoredRegisters::Dense(vec![])).is_err(), "no registers");
        assert!(decode(PAGE_PRECISION, StoredRegisters::Dense(vec![0; dense_bytes - 3])).is_err());
        // A register above 64 − 14 + 1 = 51: the first of four, in the lowest six bits.
        let mut too_high = vec![0; dense_bytes];
        too_high[0] = 52;
        assert!(decode(PAGE_PRECISION, StoredRegisters::Dense(too_high.clone())).is_err());
        too_high[0] = 51;
        assert!(decode(PAGE_PRECISION, StoredRegisters::Dense(too_high)).is_ok());
        assert!(decode(SITE_PRECISION, StoredRegisters::Sparse(vec![4, 2])).is_ok());
    }

    /// The reference crate, fed the very hashes (unchanged by its hasher).
    fn crate_sketch(precision: u8) -> hyperloglogplus::HyperLogLogPlus<u64, PassThrough> {
        hyperloglogplus::HyperLogLogPlus::new(precision, PassThrough).unwrap()
    }

    /// A hasher that leaves the visitor hashes as they are, as the sketch does.
    #[derive(Clone, Copy)]
    struct PassThrough;

    impl std::hash::BuildHasher for PassThrough {
        type Hasher = PassThroughHasher;
        fn build_hasher(&self) -> PassThroughHasher {
            PassThroughHasher(0)
        }
    }

    struct PassThroughHasher(u64);

    impl std::hash::Hasher for PassThroughHasher {
        fn write(&mut self, _: &[u8]) {
            unreachable!("only u64 hashes are inserted")
        }
        fn write_u64(&mut self, value: u64) {
            self.0 = value;
        }
        fn finish(&self) -> u64 {
            self.0
        }
    }

    /// Uniform hashes, cheaper than computing visitor hashes for the oracle tests' millions.
    fn hashes(range: std::ops::Range<u32>) -> impl Iterator<Item = VisitorHash> {
        range.map(|i| VisitorHash::from_u64(SplitMix64(u64::from(i)).next_u64()))
    }

    #[test]
    fn estimates_what_hyperloglogplus_estimates() {
        use hyperloglogplus::HyperLogLog;
        // Every stage: sparse, the switch to dense, linear counting, the bias-corrected range
        // (up to 5 · 2^p) and beyond it; estimated often, since estimating folds recent codes.
        for precision in [PAGE_PRECISION, SITE_PRECISION] {
            let (mut ours, mut theirs) =
                (VisitorSketch::with_precision(precision), crate_sketch(precision));
            let mut next = 0;
            for checkpoint in (0..52).map(|i| (1.25f64.powi(i) as u32) * 7) {
                for hash in hashes(next..checkpoint.max(next)) {
                    ours.insert(hash);
                    theirs.insert(&hash.as_u64());
                }
                next = next.max(checkpoint);
                assert_eq!(
                    ours.estimate(),
                    theirs.count().round() as u64,
                    "{next} visitors at precision {precision}"
                );
            }
        }
    }

    #[test]
    fn merges_as_hyperloglogplus_merges() {
        use hyperloglogplus::HyperLogLog;
        // Sparse into sparse, sparse into dense, dense into sparse and dense into dense.
        for (a, b) in [(300, 500), (300, 20_000), (20_000, 300), (20_000, 60_000)] {
            let build = |n: u32| {
                let (mut ours, mut theirs) = (VisitorSketch::for_page(), crate_sketch(14));
                for hash in hashes(n..2 * n) {
                    ours.insert(hash);
                    theirs.insert(&hash.as_u64());
                }
                (ours, theirs)
            };
            let ((mut ours, mut theirs), (our_b, their_b)) = (build(a), build(b));
            ours.merge(&our_b);
            theirs.merge(&their_b).unwrap();
            assert_eq!(ours.estimate(), theirs.count().round() as u64, "{a} with {b}");
        }
    }
}
