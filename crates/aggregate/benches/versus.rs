//! `make bench` (or `cargo bench -p tacit-aggregate --features test-support --bench versus`):
//! tacit's unique-visitor sketch next to Apache DataSketches' HLL (the `datasketches` crate), on
//! the same seeded streams, at the same memory. Prints `name=value` lines that
//! `scripts/bench-report.mjs` collects:
//!
//!   sketch_<n>_trials=N                    how many seeded streams of n visitors
//!   sketch_<name>_bytes=N                  serialized size once dense (after 1M visitors)
//!   sketch_<name>_mem_bytes=N              in memory (DataSketches' own estimate; tacit: n/a)
//!   sketch_<name>_<n>_mean_rel_err_pct=X   mean |estimate - n| / n over the trials
//!   sketch_<name>_<n>_p95_rel_err_pct=X    95th percentile of the same
//!   sketch_<name>_<n>_insert_ns=X          median over the trials of the time per insert
//!
//! Same registers: tacit's dense `VisitorSketch` holds 2^p registers (p = 14 for a page, 16 for
//! a site), a byte each in memory and 6 bits each stored, as DataSketches' `Hll6` at lg_k = p
//! holds 2^p registers of 6 bits. DataSketches' compact
//! `Hll4` (4 bits a register plus an exception table) at the same lg_k is shown too, as the
//! type its documentation recommends for storage.
//!
//! Both sketches get the same 64-bit visitor hashes, the edge's keyed hash of a visitor. tacit
//! uses them as they are; DataSketches' API hashes every value again (MurmurHash3), so its
//! insert time includes a hash that tacit's does not: that is how each is used.

#[allow(dead_code)] // the `aggregate` bench uses other parts of it
mod common;

use std::hint::black_box;
use std::time::Instant;

use datasketches::hll::{HllSketch, HllType};
use tacit_aggregate::{VisitorSketch, PAGE_PRECISION, SITE_PRECISION};

use common::{median, trial_start, visitor, STREAMS};

/// One contender: how to make an empty sketch, insert a visitor hash, estimate and measure it.
trait Distinct {
    fn insert(&mut self, hash: u64);
    fn estimate(&mut self) -> f64;
    fn serialized_bytes(&self) -> usize;
    fn memory_bytes(&self) -> Option<usize>;
}

impl Distinct for VisitorSketch {
    fn insert(&mut self, hash: u64) {
        VisitorSketch::insert(self, tacit_aggregate::VisitorHash::from_u64(hash));
    }

    fn estimate(&mut self) -> f64 {
        VisitorSketch::estimate(self) as f64
    }

    /// What a record stores: the sketch in the codec's postcard encoding.
    fn serialized_bytes(&self) -> usize {
        postcard::to_allocvec(self).expect("a sketch serializes").len()
    }

    /// tacit's sketch does not report its memory (2^p bytes once dense, see `VisitorSketch`).
    fn memory_bytes(&self) -> Option<usize> {
        None
    }
}

impl Distinct for HllSketch {
    fn insert(&mut self, hash: u64) {
        self.update(hash);
    }

    fn estimate(&mut self) -> f64 {
        HllSketch::estimate(self)
    }

    fn serialized_bytes(&self) -> usize {
        self.serialize().len()
    }

    fn memory_bytes(&self) -> Option<usize> {
        Some(self.estimated_size())
    }
}

struct Contender {
    name: String,
    make: Box<dyn Fn() -> Box<dyn Distinct>>,
}

/// Each of tacit's two sketches, then DataSketches' `Hll6` and `Hll4` with as many registers.
fn contenders() -> Vec<Contender> {
    let make_page: fn() -> VisitorSketch = VisitorSketch::for_page;
    let tacit =
        [("page", PAGE_PRECISION, make_page), ("site", SITE_PRECISION, VisitorSketch::for_site)];
    tacit
        .into_iter()
        .flat_map(|(kind, p, make)| {
            let ours = Contender {
                name: format!("tacit_{kind}_p{p}"),
                make: Box::new(move || Box::new(make()) as Box<dyn Distinct>),
            };
            let theirs =
                [("hll6", HllType::Hll6), ("hll4", HllType::Hll4)].map(|(label, kind)| Contender {
                    name: format!("datasketches_{label}_lg{p}"),
                    make: Box::new(move || {
                        Box::new(HllSketch::new(p, kind).expect("lg_k within 4..=21"))
                            as Box<dyn Distinct>
                    }),
                });
            std::iter::once(ours).chain(theirs)
        })
        .collect()
}

fn main() {
    let contenders = contenders();
    for (n, trials, label) in STREAMS {
        println!("sketch_{label}_trials={trials}");
        // The streams are generated once and outside the timed loops, so every contender
        // inserts exactly the same hashes and only the inserts are timed.
        let streams: Vec<Vec<u64>> = (0..trials)
            .map(|trial| (0..n).map(|i| visitor(trial_start(trial) + i).as_u64()).collect())
            .collect();
        for contender in &contenders {
            let mut errors = Vec::new();
            let mut insert_ns = Vec::new();
            let mut last = None;
            for stream in &streams {
                let mut sketch = (contender.make)();
                let start = Instant::now();
                for &hash in stream {
                    sketch.insert(hash);
                }
                // tacit's sketch folds its buffer of recent inserts into the registers when
                // asked for an estimate: that work belongs to the inserts, so it is timed too.
                let estimate = black_box(sketch.estimate());
                insert_ns.push(start.elapsed().as_nanos() as f64 / n as f64);
                errors.push((estimate - n as f64).abs() / n as f64 * 100.0);
                last = Some(sketch);
            }
            let mean = errors.iter().sum::<f64>() / errors.len() as f64;
            let name = &contender.name;
            println!("sketch_{name}_{label}_mean_rel_err_pct={mean:.3}");
            println!(
                "sketch_{name}_{label}_p95_rel_err_pct={:.3}",
                common::percentile(errors, 0.95)
            );
            println!("sketch_{name}_{label}_insert_ns={:.1}", median(insert_ns));
            if n == 1_000_000 {
                let sketch = last.expect("at least one trial");
                println!("sketch_{name}_bytes={}", sketch.serialized_bytes());
                if let Some(bytes) = sketch.memory_bytes() {
                    println!("sketch_{name}_mem_bytes={bytes}");
                }
            }
        }
    }
}
