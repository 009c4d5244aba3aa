//! The maintained crawler list: the patterns of the npm package `crawler-user-agents`, vendored
//! in `data/` at the version `package.json` pins, as markers that `build.rs` derives from them
//! (how, and why that matches at least what each pattern matches, is said there), less the few
//! patterns that match people's browsers too (`build.rs` names them and says why).

/// Pieces of text that a user agent holds in this order, case for case, at its start or end if
/// anchored there.
#[derive(Debug)]
pub(super) struct Marker {
    pub(super) at_start: bool,
    pub(super) at_end: bool,
    pub(super) pieces: &'static [&'static str],
}

/// Every marker of the list, in the list's order.
pub(super) static MARKERS: &[Marker] = include!(concat!(env!("OUT_DIR"), "/crawler_markers.rs"));

/// The patterns of the list that have no marker.
#[cfg(test)]
pub(super) static EXCLUDED: &[&str] = include!(concat!(env!("OUT_DIR"), "/crawler_excluded.rs"));

impl Marker {
    /// Whether `user_agent` holds this marker.
    pub(super) fn matches(&self, user_agent: &str) -> bool {
        let Some((last, init)) = self.pieces.split_last() else { return false };
        let mut rest = user_agent;
        for (i, piece) in init.iter().enumerate() {
            // The earliest place of each piece leaves the most room for the pieces after it.
            let after = if i == 0 && self.at_start {
                rest.strip_prefix(piece)
            } else {
                rest.find(piece).map(|at| &rest[at + piece.len()..])
            };
            let Some(after) = after else { return false };
            rest = after;
        }
        match (self.at_start && init.is_empty(), self.at_end) {
            (true, true) => rest == *last,
            (true, false) => rest.starts_with(last),
            (false, true) => rest.ends_with(last),
            (false, false) => rest.contains(last),
        }
    }
}

/// Whether `user_agent`, as sent, holds a marker of the list.
pub(super) fn listed(user_agent: &str) -> bool {
    MARKERS.iter().any(|marker| marker.matches(user_agent))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(at_start: bool, at_end: bool, pieces: &'static [&'static str]) -> Marker {
        Marker { at_start, at_end, pieces }
    }

    #[test]
    fn a_marker_matches_its_pieces_in_order_at_its_anchors() {
        let anywhere = marker(false, false, &["curl"]);
        assert!(anywhere.matches("curl/8.5") && anywhere.matches("x curl"));
        let start = marker(true, false, &["curl"]);
        assert!(start.matches("curl/8.5") && !start.matches("x curl/8.5"));
        let end = marker(false, true, &["ssl labs"]);
        assert!(end.matches("qualys ssl labs") && !end.matches("ssl labs/1.0"));
        let whole = marker(true, true, &["whatsapp"]);
        assert!(
            whole.matches("whatsapp")
                && !whole.matches("whatsapp/2")
                && !whole.matches("a whatsapp")
        );
        let gap = marker(false, false, &["spider", "spider.com"]);
        assert!(gap.matches("spider/1 (+https://spider.com)"));
        assert!(!gap.matches("spider.com"), "two pieces need two places");
        assert!(!gap.matches("spider.com spider"), "in order");
        let both = marker(true, true, &["a", "b"]);
        assert!(
            both.matches("a-b")
                && both.matches("ab")
                && !both.matches("a-b-")
                && !both.matches("-a-b")
        );
    }

    /// The list's patterns and their examples, as `data/crawler-user-agents.json` gives them.
    fn list() -> Vec<(String, Vec<String>)> {
        let list: serde_json::Value =
            serde_json::from_str(include_str!("../../data/crawler-user-agents.json")).unwrap();
        let entries = list.as_array().unwrap().iter();
        entries
            .map(|entry| {
                let examples = entry["instances"].as_array().into_iter().flatten();
                let examples = examples.map(|example| example.as_str().unwrap().to_owned());
                (entry["pattern"].as_str().unwrap().to_owned(), examples.collect())
            })
            .collect()
    }

    #[test]
    fn every_example_of_the_list_is_listed_but_those_of_excluded_patterns() {
        let list = list();
        let examples: usize = list.iter().map(|(_, examples)| examples.len()).sum();
        assert!(examples > 2000, "the list's examples were read: {examples}");
        assert!(EXCLUDED
            .iter()
            .all(|excluded| list.iter().any(|(pattern, _)| pattern == excluded)));
        for (pattern, examples) in list {
            if !EXCLUDED.contains(&pattern.as_str()) {
                for example in examples {
                    assert!(listed(&example), "{pattern}: {example}");
                }
            }
        }
    }

    #[test]
    fn every_pattern_but_the_excluded_has_a_marker() {
        assert!(MARKERS.len() >= list().len() - EXCLUDED.len());
        assert!(MARKERS
            .iter()
            .all(|m| !m.pieces.is_empty() && m.pieces.iter().all(|p| !p.is_empty())));
    }
}
