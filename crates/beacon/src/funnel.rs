//! Funnels: a site's ordered steps that a visit may go through, each a page (a path pattern such
//! as `/pricing` or `/blog/*`) or a goal (`goal:Signed up`). The snippet keeps, with journey
//! consent, how far the tab's visit got in each funnel, and sends a `funnel` beacon each time it
//! reaches the next step: the edge counts visits per step with no identifier and no linking of
//! beacons (DESIGN: "The aggregate").
//!
//! Steps count in order: a visit reaches step 3 only after steps 1 and 2, so a visit that skips a
//! step does not count past it, and one that goes back counts each step once.
//!
//! ```
//! use tacit_beacon::funnel::{Progress, Reached};
//!
//! // What `GET /f/<site>` answers: one funnel per line, its id, then its steps.
//! let definitions = "7\t/pricing\t/signup\tgoal:Signed up";
//! let mut visit = Progress::default();
//! let mut steps = Vec::new();
//! for reached in [Reached::Page("/pricing"), Reached::Goal("Signed up"), Reached::Page("/signup")] {
//!     visit.advance(definitions, reached, |funnel, step| steps.push((funnel, step)));
//! }
//! assert_eq!(steps, [(7, 1), (7, 2)], "the goal came before its step, /signup");
//! assert_eq!(visit, Progress(2));
//! ```

use alloc::string::String;

use serde::{Deserialize, Serialize};

use crate::agent::DeviceClass;
use crate::channel::ChannelGroup;
use crate::push_decimal;
use crate::scrub::{split_ascii, Utm};

/// The most funnels a site may define.
pub const MAX_FUNNELS: usize = 10;
/// The fewest steps of a funnel.
pub const MIN_STEPS: usize = 2;
/// The most steps of a funnel.
pub const MAX_STEPS: usize = 8;
/// The longest step, in bytes.
pub const MAX_STEP_LEN: usize = 200;
/// What a goal step starts with.
pub const GOAL_PREFIX: &str = "goal:";

/// What a `funnel` beacon reports: the tab's visit reached step `step` of funnel `funnel`.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelStep {
    /// The funnel's id ([`funnel_id`]).
    pub funnel: u32,
    /// The step reached, from 1.
    pub step: u8,
    /// The visit's entry, for the segments the step counts in.
    pub entry: VisitEntry,
}

/// What a funnel beacon repeats of its visit's entry view (kept in the tab with journey
/// consent), as a leave repeats its view's: the channel group and the kind of visitor of those
/// who reach or leave a step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitEntry {
    /// The entry's external referrer host.
    pub referrer: Option<String>,
    /// The entry's campaign tags.
    pub utm: Utm,
    /// Whether the browser had visited the site before the entry.
    pub returning: Option<bool>,
    /// The viewport's class.
    pub viewport: Option<DeviceClass>,
}

impl VisitEntry {
    /// The channel group that brought the visit.
    pub fn channel_group(&self) -> ChannelGroup {
        ChannelGroup::of(self.referrer.as_deref(), &self.utm)
    }
}

/// What a visit just did: viewed a page (its scrubbed path) or reached a goal (its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reached<'a> {
    /// A page view.
    Page(&'a str),
    /// A goal.
    Goal(&'a str),
}

/// Whether `step` (as a site defines it, see [`check_step`]) is what the visit `reached`.
pub fn step_matches(step: &str, reached: Reached) -> bool {
    // Bytes, not `str::strip_prefix`: its searcher would weigh on the snippet.
    let goal = step.as_bytes().strip_prefix(GOAL_PREFIX.as_bytes());
    match (goal, reached) {
        (Some(goal), Reached::Goal(name)) => goal == name.as_bytes(),
        (None, Reached::Page(path)) => path_matches(step.as_bytes(), path.as_bytes()),
        _ => false,
    }
}

/// Whether `path` matches `pattern`, where `*` stands for any run of characters, `/` included.
fn path_matches(pattern: &[u8], path: &[u8]) -> bool {
    match pattern.iter().position(|&b| b == b'*') {
        None => pattern == path,
        Some(star) => {
            let (head, rest) = (&pattern[..star], &pattern[star + 1..]);
            path.starts_with(head)
                && (head.len()..=path.len()).any(|from| path_matches(rest, &path[from..]))
        }
    }
}

/// Why a step is not one: a page step is a path starting with `/` (`*` matches anything), a
/// goal step `goal:` and the goal's name; at most [`MAX_STEP_LEN`] bytes, without tabs, line
/// breaks or other control characters.
pub fn check_step(step: &str) -> Result<(), &'static str> {
    let valid = if let Some(goal) = step.strip_prefix(GOAL_PREFIX) {
        !goal.trim().is_empty() && goal.trim() == goal
    } else {
        step.starts_with('/') && !step.contains(char::is_whitespace)
    };
    if !valid || step.len() > MAX_STEP_LEN || step.chars().any(char::is_control) {
        return Err("a step is a path that starts with '/' ('*' matches any characters), or \
                    'goal:' and a goal's name, at most 200 bytes");
    }
    Ok(())
}

/// A funnel's id: a hash of its steps (FNV-1a, 31 bits), so that changing the steps makes a new
/// funnel whose figures start afresh, while renaming it keeps them.
pub fn funnel_id<'a>(steps: impl IntoIterator<Item = &'a str>) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for step in steps {
        for byte in step.bytes().chain([b'\n']) {
            hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
        }
    }
    hash >> 1
}

/// The definitions the snippet reads (`GET /f/<site>`): one funnel per line, its id and then its
/// steps, separated by tabs.
pub fn write_definitions<'a>(funnels: impl IntoIterator<Item = &'a [String]>) -> String {
    let mut text = String::new();
    for steps in funnels {
        push_decimal(&mut text, u64::from(funnel_id(steps.iter().map(String::as_str))));
        for step in steps {
            text.push('\t');
            text.push_str(step);
        }
        text.push('\n');
    }
    text
}

/// How far a visit got: for each funnel of the definitions the visit read (see
/// [`write_definitions`]), in their order, the steps it reached, four bits each (the first
/// funnel's in the lowest). A number, because the snippet keeps numbers already. The
/// definitions are read once per visit, so the order holds for the visit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress(pub u64);

impl Progress {
    /// The steps reached in the definitions' `funnel`th funnel.
    fn steps(self, funnel: usize) -> u8 {
        (self.0 >> (4 * funnel) & 0xf) as u8
    }

    /// The visit `reached` something: every funnel of `definitions` whose next step it is moves
    /// on, and `moved` hears its id and the step number (from 1). A count past the last step
    /// (the page may have changed what the snippet kept) moves nothing.
    pub fn advance(&mut self, definitions: &str, reached: Reached, mut moved: impl FnMut(u32, u8)) {
        for (i, line) in split_ascii(definitions, b'\n').take(MAX_FUNNELS).enumerate() {
            let mut fields = split_ascii(line, b'\t');
            let Some(id) = fields.next().and_then(number) else { continue };
            let done = self.steps(i);
            if usize::from(done) < MAX_STEPS
                && fields.nth(usize::from(done)).is_some_and(|step| step_matches(step, reached))
            {
                self.0 += 1 << (4 * i);
                moved(id, done + 1);
            }
        }
    }
}

/// A funnel id or step count: decimal digits that fit 32 bits.
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 10 {
        return None;
    }
    text.bytes().try_fold(0u32, |n, b| {
        b.is_ascii_digit().then_some(())?;
        n.checked_mul(10)?.checked_add(u32::from(b - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec::Vec;

    #[test]
    fn a_star_matches_any_run_of_characters() {
        let matches = |pattern: &str, path: &str| step_matches(pattern, Reached::Page(path));
        assert!(matches("/pricing", "/pricing"));
        assert!(!matches("/pricing", "/pricing/team"));
        assert!(matches("/blog/*", "/blog/a"));
        assert!(matches("/blog/*", "/blog/2026/a"));
        assert!(matches("/blog/*", "/blog/"));
        assert!(!matches("/blog/*", "/blog"));
        assert!(matches("/*/checkout", "/shop/checkout"));
        assert!(!matches("/*/checkout", "/shop/checkout/done"));
        assert!(matches("/*", "/"));
        assert!(matches("/a*b*c", "/aXbYc"));
        assert!(!matches("/a*b*c", "/aXcYb"));
        assert!(!matches("goal:/pricing", "/pricing"), "a goal step is no page");
    }

    #[test]
    fn a_goal_step_matches_its_goal_only() {
        assert!(step_matches("goal:Signed up", Reached::Goal("Signed up")));
        assert!(!step_matches("goal:Signed up", Reached::Goal("signed up")));
        assert!(!step_matches("/signup", Reached::Goal("/signup")));
    }

    #[test]
    fn steps_are_paths_or_goals() {
        for step in ["/", "/pricing", "/blog/*", "goal:Signed up", "goal:a"] {
            assert_eq!(check_step(step), Ok(()), "{step}");
        }
        let long = "/".repeat(MAX_STEP_LEN + 1);
        for step in ["pricing", "", "goal:", "goal: x", "/a b", "/a\tb", "goal:a\nb", &long] {
            assert!(check_step(step).is_err(), "{step:?}");
        }
    }

    #[test]
    fn a_funnels_id_follows_its_steps_not_its_name() {
        let id = funnel_id(["/pricing", "/signup"]);
        assert_eq!(id, funnel_id(["/pricing", "/signup"]));
        assert_ne!(id, funnel_id(["/pricing", "/signup", "goal:Signed up"]));
        assert_ne!(id, funnel_id(["/pricing/signup"]), "steps stay apart");
        assert!(id < 1 << 31);
    }

    fn definitions() -> String {
        write_definitions([
            &["/pricing".to_string(), "/signup".into(), "goal:Signed up".into()][..],
            &["/blog/*".to_string(), "/pricing".into()][..],
        ])
    }

    /// The steps `reached` moves `visit` on.
    fn advance(visit: &mut Progress, definitions: &str, reached: Reached) -> Vec<(u32, u8)> {
        let mut moved = Vec::new();
        visit.advance(definitions, reached, |funnel, step| moved.push((funnel, step)));
        moved
    }

    #[test]
    fn a_visit_moves_through_steps_in_order_and_each_counts_once() {
        let definitions = definitions();
        let [signup, blog] = [
            funnel_id(["/pricing", "/signup", "goal:Signed up"]),
            funnel_id(["/blog/*", "/pricing"]),
        ];
        let visit = &mut Progress::default();
        assert_eq!(advance(visit, &definitions, Reached::Page("/blog/a")), [(blog, 1)]);
        assert_eq!(
            advance(visit, &definitions, Reached::Page("/pricing")),
            [(signup, 1), (blog, 2)]
        );
        // Back and forth: nothing counts twice.
        assert!(advance(visit, &definitions, Reached::Page("/blog/b")).is_empty());
        assert!(advance(visit, &definitions, Reached::Page("/pricing")).is_empty());
        // The goal before its step does not count; after it, it does.
        assert!(advance(visit, &definitions, Reached::Goal("Signed up")).is_empty());
        assert_eq!(advance(visit, &definitions, Reached::Page("/signup")), [(signup, 2)]);
        assert_eq!(advance(visit, &definitions, Reached::Goal("Signed up")), [(signup, 3)]);
        assert!(advance(visit, &definitions, Reached::Goal("Signed up")).is_empty(), "the end");
        assert_eq!(*visit, Progress(0x23), "four bits a funnel, in the definitions' order");
    }

    #[test]
    fn a_count_past_the_last_step_moves_nothing() {
        let eight = (1..=MAX_STEPS).map(|n| alloc::format!("/{n}")).collect::<Vec<_>>();
        let definitions = write_definitions([&eight[..]]);
        let id = funnel_id(eight.iter().map(String::as_str));
        assert_eq!(advance(&mut Progress(7), &definitions, Reached::Page("/8")), [(id, 8)]);
        for kept in [8, 0xf] {
            let visit = &mut Progress(kept);
            assert!(advance(visit, &definitions, Reached::Page("/1")).is_empty(), "{kept}");
            assert_eq!(*visit, Progress(kept));
        }
    }

    #[test]
    fn funnels_past_the_tenth_are_not_followed() {
        let definitions = "1\t/a\t/b\n".repeat(MAX_FUNNELS + 2);
        let visit = &mut Progress::default();
        assert_eq!(advance(visit, &definitions, Reached::Page("/a")).len(), MAX_FUNNELS);
    }

    #[test]
    fn definitions_that_make_no_sense_move_nothing() {
        let visit = &mut Progress::default();
        for definitions in ["", "\n\n", "x\t/pricing", "12", "-3\t/pricing"] {
            let moved = advance(visit, definitions, Reached::Page("/pricing"));
            assert!(moved.is_empty(), "{definitions}");
        }
    }
}
