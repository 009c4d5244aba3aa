//! What the `aggregate` and `versus` benches share: a seeded stream of visitors and the
//! statistics they print. Each bench uses part of it, hence `#[allow(dead_code)]` where it is
//! included.

use tacit_aggregate::test_rng::SplitMix64;
use tacit_aggregate::VisitorHash;

/// Visitor `i` of a stream: its keyed hash, as the edge would compute it.
pub fn visitor(i: u64) -> VisitorHash {
    let mut rng = SplitMix64(i ^ 0x5EED);
    VisitorHash::from_u64(rng.next_u64())
}

pub fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

pub fn percentile(mut samples: Vec<f64>, p: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

/// The stream sizes the accuracy figures are taken at, with how many seeded trials each
/// (fewer for the larger streams, whose errors vary less and which take longer), and the label
/// in the printed names.
pub const STREAMS: [(u64, u64, &str); 3] =
    [(10_000, 40, "10k"), (100_000, 20, "100k"), (1_000_000, 10, "1m")];

/// The first visitor of trial `trial`: trials draw from disjoint ranges of the stream.
pub fn trial_start(trial: u64) -> u64 {
    trial * 10_000_000
}
