//! The user-agent reducer on any string: no panic, and the answers do not depend on what the
//! reduction promises to ignore.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tacit_beacon::agent::{is_bot, is_evident_bot, reduce};
use tacit_fuzz::BoundedAllocator;

#[global_allocator]
static ALLOCATOR: BoundedAllocator = BoundedAllocator;

fuzz_target!(|user_agent: &str| {
    let bot = is_bot(user_agent);
    let evident = is_evident_bot(user_agent);
    let agent = reduce(user_agent);
    // The snippet's check is part of the edge's.
    assert!(bot || !evident, "an evident bot that is_bot lets through");
    // tacit's own markers are matched without regard to ASCII case (the crawler list's patterns
    // match case for case).
    assert_eq!(
        is_evident_bot(&user_agent.to_ascii_uppercase()),
        evident,
        "case changed is_evident_bot"
    );
    // A crawler's token makes any user agent a bot's.
    assert!(is_bot(&format!("{user_agent} Googlebot/2.1")));
    // The reduction is a function of the string alone.
    assert_eq!(reduce(user_agent), agent);
});
