//! The user-agent reducer on any string: no panic, and the answers do not depend on what the
//! reduction promises to ignore.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tacit_beacon::agent::{is_bot, reduce};
use tacit_fuzz::BoundedAllocator;

#[global_allocator]
static ALLOCATOR: BoundedAllocator = BoundedAllocator;

fuzz_target!(|user_agent: &str| {
    let bot = is_bot(user_agent);
    let agent = reduce(user_agent);
    // Bot markers are matched without regard to ASCII case.
    assert_eq!(is_bot(&user_agent.to_ascii_uppercase()), bot, "case changed is_bot");
    // A crawler's token makes any user agent a bot's.
    assert!(is_bot(&format!("{user_agent} Googlebot/2.1")));
    // The reduction is a function of the string alone.
    assert_eq!(reduce(user_agent), agent);
});
