//! The rules the browser snippet and the edge both run: the first two stages of tacit's
//! pipeline (capture → ingest → aggregate → summarize → present).
//!
//! - [`Beacon`] is what the snippet sends to `POST /e`: [`Beacon::parse`] turns an untrusted
//!   body into a typed, validated beacon or a [`BeaconError`] that says what is wrong;
//!   [`SiteId`] is a validated site name.
//! - [`scrub`] strips query strings (but campaign and site-search parameters), fragments and
//!   identifying path segments: the snippet runs it before sending, the edge again.
//! - [`agent`] tells bots from people and reduces a user agent to a browser family and a
//!   device class.
//! - [`channel`] groups the channels that bring visits (search, social, email, ...).
//! - [`funnel`] matches a visit's pages and goals to a site's funnel steps, in order.
//! - [`consent`] names the consent states, their sources and the site's consent modes;
//!   [`admission`] decides, in one function, what a beacon may add.
//! - [`signal`] is what the aggregate learns from one beacon: a [`signal::View`],
//!   [`signal::Leave`] or [`signal::Event`], nothing in it identifying a visitor.
//!
//! ```
//! use tacit_beacon::{Beacon, BeaconBody};
//!
//! let beacon = Beacon::parse(br#"{"site":"demo","path":"/pricing?plan=pro#faq"}"#).unwrap();
//! let BeaconBody::View(view) = &beacon.body else { unreachable!("a beacon without type is a view") };
//! assert_eq!(view.path, "/pricing");
//! assert!(Beacon::parse(br#"{"site":"demo","path":"/","email":"a@b.c"}"#).is_err());
//! ```
//!
//! Not here: anything that touches the network, storage, a clock or randomness, and anything
//! the browser does not need. The crate is `no_std` with `alloc`, because the snippet ships it
//! in its WebAssembly and `std`'s panic and formatting machinery would be most of that.
// Its unit tests run with `std`, as test harnesses do, and so do the schemas of `openapi`.
#![cfg_attr(not(any(test, feature = "openapi")), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub mod admission;
pub mod agent;
mod beacon;
pub mod channel;
pub mod consent;
pub mod funnel;
pub mod scrub;
pub mod signal;
mod site;

pub use beacon::{
    push_decimal, Beacon, BeaconBody, BeaconError, BeaconId, ViewBeacon, MAX_BEACON_BYTES,
};
pub use site::{SiteId, SiteIdError};

#[cfg(feature = "openapi")]
pub use beacon::BeaconSchema;
