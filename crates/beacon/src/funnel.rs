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
//! assert_eq!(visit.advance(definitions, Reached::Page("/pricing")), [(7, 1)]);
//! assert!(visit.advance(definitions, Reached::Goal("Signed up")).is_empty(), "skips /signup");
//! assert_eq!(visit.advance(definitions, Reached::Page("/signup")), [(7, 2)]);
//! assert_eq!(visit.advance(definitions, Reached::Goal("Signed up")), [(7, 3)]);
//! assert_eq!(Progress::parse(&visit.as_text()), visit);
//! ```

use alloc::string::String;
use alloc::vec::Vec;

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
/// [`write_definitions`]), in their order, one digit: the steps it reached. The definitions are
/// read once per visit, so the order holds for the visit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress(Vec<u8>);

impl Progress {
    /// Progress as [`Progress::as_text`] wrote it; a byte that is no step count counts as none
    /// (the page may have changed it).
    pub fn parse(text: &str) -> Progress {
        Progress(text.bytes().map(|b| b.wrapping_sub(b'0').min(MAX_STEPS as u8)).collect())
    }

    /// One digit per funnel.
    pub fn as_text(&self) -> String {
        self.0.iter().map(|steps| char::from(b'0' + steps)).collect()
    }

    /// The visit `reached` something: every funnel of `definitions` whose next step it is moves
    /// on. Answers each such funnel's id and step number (from 1).
    pub fn advance(&mut self, definitions: &str, reached: Reached) -> Vec<(u32, u8)> {
        let mut moved = Vec::new();
        for (i, line) in split_ascii(definitions, b'\n').enumerate() {
            let mut fields = split_ascii(line, b'\t');
            let Some(id) = fields.next().and_then(number) else { continue };
            if self.0.len() <= i {
                self.0.resize(i + 1, 0);
            }
            let done = self.0[i];
            if fields.nth(usize::from(done)).is_some_and(|step| step_matches(step, reached)) {
                self.0[i] = done + 1;
                moved.push((id, done + 1));
            }
        }
        moved
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
    use alloc::vec;

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

    #[test]
    fn a_visit_moves_through_steps_in_order_and_each_counts_once() {
        let definitions = definitions();
        let [signup, blog] = [
            funnel_id(["/pricing", "/signup", "goal:Signed up"]),
            funnel_id(["/blog/*", "/pricing"]),
        ];
        let mut visit = Progress::default();
        assert_eq!(visit.advance(&definitions, Reached::Page("/blog/a")), [(blog, 1)]);
        assert_eq!(
            visit.advance(&definitions, Reached::Page("/pricing")),
            [(signup, 1), (blog, 2)]
        );
        // Back and forth: nothing counts twice.
        assert!(visit.advance(&definitions, Reached::Page("/blog/b")).is_empty());
        assert!(visit.advance(&definitions, Reached::Page("/pricing")).is_empty());
        // The goal before its step does not count; after it, it does.
        assert!(visit.advance(&definitions, Reached::Goal("Signed up")).is_empty());
        assert_eq!(visit.advance(&definitions, Reached::Page("/signup")), [(signup, 2)]);
        assert_eq!(visit.advance(&definitions, Reached::Goal("Signed up")), [(signup, 3)]);
        assert!(visit.advance(&definitions, Reached::Goal("Signed up")).is_empty(), "the end");
        assert_eq!(visit.as_text(), "32", "in the definitions' order");
    }

    #[test]
    fn progress_reads_back_what_it_wrote_and_nothing_else() {
        let progress = Progress(vec![0, 1, 8]);
        assert_eq!(progress.as_text(), "018");
        assert_eq!(Progress::parse("018"), progress);
        assert_eq!(Progress::parse(""), Progress::default());
        assert_eq!(Progress::parse("9x/"), Progress(vec![8, 8, 8]), "past the last step");
    }

    #[test]
    fn definitions_that_make_no_sense_move_nothing() {
        let mut visit = Progress::default();
        for definitions in ["", "\n\n", "x\t/pricing", "12", "-3\t/pricing"] {
            assert!(
                visit.advance(definitions, Reached::Page("/pricing")).is_empty(),
                "{definitions}"
            );
        }
    }
}
