//! The URL scrubber on any string: no panic, and what it keeps is what it promises to keep.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tacit_beacon::scrub::{
    external_referrer_host, same_site_previous_path, scrub_path, scrub_url, MAX_PARAM_LEN,
    MAX_PATH_LEN,
};
use tacit_fuzz::BoundedAllocator;

/// A site-search parameter and an own hostname for the functions that take one.
const SEARCH_PARAM: &str = "q";
const OWN_HOSTNAME: &str = "example.com";

#[global_allocator]
static ALLOCATOR: BoundedAllocator = BoundedAllocator;

fuzz_target!(|url: &str| {
    let path = scrub_path(url);
    assert!(path.starts_with('/'), "{path:?} does not start with '/'");
    assert!(path.len() <= MAX_PATH_LEN, "{} bytes kept", path.len());
    // No query, fragment, path parameter or empty segment survives.
    assert!(!path.contains(['?', '#', ';']), "{path:?} keeps a query, fragment or parameter");
    assert!(!path.contains("//"), "{path:?} keeps an empty segment");
    // Scrubbing is idempotent: the edge scrubs what the snippet scrubbed, and must agree.
    assert_eq!(scrub_path(&path), path, "scrubbing {url:?} twice changed it");

    let scrubbed = scrub_url(url, Some(SEARCH_PARAM));
    assert_eq!(scrubbed.path, path);
    let utm = &scrubbed.utm;
    let kept = [&utm.source, &utm.medium, &utm.campaign, &utm.term, &utm.content];
    for value in kept.into_iter().chain([&scrubbed.search_term]).flatten() {
        assert_kept_text(value);
    }

    // A leave beacon carries its view's tags again: cleaning them twice must change nothing.
    assert_eq!(utm.cleaned(), *utm, "campaign tags not idempotent");
    if let Some(host) = external_referrer_host(url, OWN_HOSTNAME) {
        assert!(!host.is_empty() && !host.eq_ignore_ascii_case(OWN_HOSTNAME));
        assert!(!host.contains(['/', '?', '#', '@']), "{host:?} is more than a host");
    }
    if let Some(previous) = same_site_previous_path(url, OWN_HOSTNAME) {
        assert_eq!(scrub_path(&previous), previous);
    }
});

/// A kept parameter value: non-empty, capped, trimmed, no control characters.
fn assert_kept_text(value: &str) {
    assert!(!value.is_empty() && value.len() <= MAX_PARAM_LEN, "{value:?}");
    assert_eq!(value.trim(), value, "{value:?} is not trimmed");
    assert!(!value.chars().any(char::is_control), "{value:?} keeps a control character");
}
