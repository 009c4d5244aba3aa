//! The beacon parser on any request body: no panic, every path and custom property it accepts
//! is scrubbed, and what it accepts survives the snippet's writer (`Beacon::to_json`) unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tacit_beacon::scrub::{clean_property, scrub_path};
use tacit_beacon::signal::Event;
use tacit_beacon::{Beacon, BeaconBody, MAX_BEACON_BYTES};
use tacit_fuzz::BoundedAllocator;

#[global_allocator]
static ALLOCATOR: BoundedAllocator = BoundedAllocator;

fuzz_target!(|body: &[u8]| {
    let Ok(beacon) = Beacon::parse(body) else { return };
    let mut paths: Vec<&str> = Vec::new();
    match &beacon.body {
        BeaconBody::View(view) => paths.extend(
            [Some(&view.path), view.previous.as_ref()].into_iter().flatten().map(String::as_str),
        ),
        BeaconBody::Leave { path, leave } => paths
            .extend([Some(path), leave.next.as_ref()].into_iter().flatten().map(String::as_str)),
        BeaconBody::LeaveUpdate { path, leave, replaced, .. } => paths.extend(
            [Some(path), leave.next.as_ref(), replaced.next.as_ref()]
                .into_iter()
                .flatten()
                .map(String::as_str),
        ),
        BeaconBody::Event { path, event, context } => {
            paths.push(path);
            if let Some(entry) = &context.entry {
                assert_eq!(entry.utm.cleaned(), entry.utm, "a goal's entry tags are not cleaned");
            }
            if let Event::Download { file } = event {
                paths.push(file);
            }
            for (key, value) in event.named().map_or(&[][..], |(_, _, props)| props) {
                let cleaned = clean_property(key, value);
                assert_eq!(cleaned, Ok(Some((key.clone(), value.clone()))), "not cleaned");
            }
        }
        BeaconBody::Funnel(step) => {
            assert_eq!(
                step.entry.utm.cleaned(),
                step.entry.utm,
                "a step's entry tags are not cleaned"
            );
        }
        BeaconBody::Consent | BeaconBody::Dropped => {}
    }
    for path in paths {
        assert_eq!(scrub_path(path), path, "an accepted path is not scrubbed");
    }
    let json = beacon.to_json();
    // The writer may escape what the body sent raw; a beacon it makes too large cannot be sent.
    if json.len() <= MAX_BEACON_BYTES {
        assert_eq!(Beacon::parse(json.as_bytes()), Ok(beacon), "round trip through {json}");
    }
});
