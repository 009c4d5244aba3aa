//! Unique visitors as a HyperLogLog++ sketch (Heule, Nunkesser and Hall, "HyperLogLog in
//! Practice", EDBT 2013).
//!
//! A [`VisitorSketch`] answers "how many distinct visitors did this page, or the site, have
//! today?" from the visitors' keyed hashes, in bounded memory, without keeping a hash. Sketches
//! merge: the sketch of a date range is the union of its days'.
//!
//! # Error bounds
//!
//! A dense sketch of precision `p` has a relative standard error of `1.04 / sqrt(2^p)`: 0.81 %
//! for a page ([`PAGE_PRECISION`] = 14), so 95 % of estimates fall within 1.6 %; 0.41 % for a
//! site ([`SITE_PRECISION`] = 16), so 95 % fall within 0.8 %. Up to a few thousand visitors the
//! sparse representation (25-bit hash codes) counts almost exactly, in far less space.
//!
//! # Parameters
//!
//! The precision is 14 ([`VisitorSketch::for_page`]) or 16 ([`VisitorSketch::for_site`]), the
//! two the estimator has bias tables for: a stored sketch of any other precision is refused, and
//! only sketches of one precision merge.
//!
//! # The reference
//!
//! The sketch is tacit's own, with the estimator of the `hyperloglogplus` crate, the product's
//! reference: the same hash codes, the same switch from the sparse to the dense representation,
//! the same bias correction and linear counting, so that it estimates exactly what that crate
//! estimates (`estimates_what_hyperloglogplus_estimates` checks it). What differs is the
//! representation: one byte per dense register, so that merging two dense sketches is an
//! element-wise maximum over a byte slice, which the compiler turns into vector instructions,
//! where the crate packs five 6-bit registers into a word and sets them one by one (merging 30
//! days of a busy page took 1.4 ms in the crate, and takes about 10 µs here).
//!
//! `sketch.rs` holds the algorithm, `bias.rs` the estimator's bias tables, `serialization.rs`
//! the stored layout.

mod bias;
mod serialization;
mod sketch;
#[cfg(test)]
mod tests;

pub(crate) use serialization::LAYOUT_VERSION;
pub use sketch::VisitorSketch;

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
