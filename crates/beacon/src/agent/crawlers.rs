//! The maintained crawler list: the patterns of the npm package `crawler-user-agents`, vendored
//! in `data/` at the version `package.json` pins, as markers that `build.rs` derives from them
//! (how, and why that matches at least what each pattern matches, is said there), less the few
//! patterns that match people's browsers too (`build.rs` names them and says why).

/// Every marker of the list, one a line, in the list's order: pieces of text that a user agent
/// holds in this order, case for case, separated by tabs; `^` before a marker anchored at the
/// start of the user agent, `$` after one anchored at its end. Text rather than a table of
/// string slices: in the worker, the slices' pointers would double the bytes.
static MARKERS: &str = include_str!(concat!(env!("OUT_DIR"), "/crawler_markers.txt"));

/// The patterns of the list that have no marker.
#[cfg(test)]
static EXCLUDED: &[&str] = include!(concat!(env!("OUT_DIR"), "/crawler_excluded.rs"));

/// Whether `user_agent`, as sent, holds a marker of the list.
pub(super) fn listed(user_agent: &str) -> bool {
    MARKERS.lines().any(|marker| holds(user_agent, marker))
}

/// Whether `user_agent` holds `marker`, a line of [`MARKERS`].
fn holds(user_agent: &str, marker: &str) -> bool {
    let (at_start, marker) = match marker.strip_prefix('^') {
        Some(rest) => (true, rest),
        None => (false, marker),
    };
    let (at_end, marker) = match marker.strip_suffix('$') {
        Some(rest) => (true, rest),
        None => (false, marker),
    };
    let (init, last) = marker.rsplit_once('\t').unwrap_or(("", marker));
    let mut rest = user_agent;
    for (i, piece) in init.split('\t').filter(|piece| !piece.is_empty()).enumerate() {
        // The earliest place of each piece leaves the most room for the pieces after it.
        let after = if i == 0 && at_start {
            rest.strip_prefix(piece)
        } else {
            rest.find(piece).map(|at| &rest[at + piece.len()..])
        };
        let Some(after) = after else { return false };
        rest = after;
    }
    match (at_start && init.is_empty(), at_end) {
        (true, true) => rest == last,
        (true, false) => rest.starts_with(last),
        (false, true) => rest.ends_with(last),
        (false, false) => rest.contains(last),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_holds_its_pieces_in_order_at_its_anchors() {
        assert!(holds("curl/8.5", "curl") && holds("x curl", "curl"));
        assert!(holds("curl/8.5", "^curl") && !holds("x curl/8.5", "^curl"));
        assert!(holds("Qualys SSL Labs", "SSL Labs$") && !holds("SSL Labs/1.0", "SSL Labs$"));
        assert!(holds("WhatsApp", "^WhatsApp$") && !holds("WhatsApp/2", "^WhatsApp$"));
        assert!(!holds("a WhatsApp", "^WhatsApp$"));
        assert!(!holds("whatsapp", "WhatsApp"), "case for case");
        let gap = "Spider\tspider.com";
        assert!(holds("Spider/1 (+https://spider.com)", gap));
        assert!(!holds("spider.com", gap) && !holds("Spider.com", gap), "two pieces, two places");
        assert!(!holds("spider.com Spider", gap), "in order");
        let both = "^a\tb$";
        assert!(holds("a-b", both) && holds("ab", both));
        assert!(!holds("a-b-", both) && !holds("-a-b", both));
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
        assert!(MARKERS.lines().count() >= list().len() - EXCLUDED.len());
        let pieces = |line: &'static str| line.trim_start_matches('^').trim_end_matches('$');
        assert!(MARKERS.lines().all(|line| pieces(line).split('\t').all(|p| !p.is_empty())));
    }
}
