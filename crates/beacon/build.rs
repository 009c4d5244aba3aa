//! Turns the vendored crawler list (`data/crawler-user-agents.json`, see `data/README.md`) into
//! the bot markers of `agent::crawlers`, so that the crate matches the maintained list without a
//! regular-expression engine: the snippet ships this crate, and the edge runs it on every beacon.
//!
//! The list's patterns are regular expressions, nearly all of them plain text, and match case
//! for case. Each becomes one or more markers: pieces of text that must appear in order, each
//! marker possibly anchored at the start or the end of the user agent. The translation never
//! narrows a pattern, so its markers match every user agent the pattern matches (the tests check
//! the list's own examples):
//!
//! - alternatives (`Ahrefs(Bot|SiteAudit)`, `(^| )sentry\/`) and classes of a few characters
//!   (`[wW]get`) become one marker each;
//! - any other class of characters, repeated or not (`\d+`, `[^-]`, `[\s\S]*`), becomes a gap that
//!   matches any text, which matches more than the class: `AdsBot-Google([^-]|$)` becomes
//!   `AdsBot-Google`, whose one other match, `AdsBot-Google-Mobile`, is a crawler of the list too.
//!
//! A construct outside this set fails the build, naming the pattern: a new version of the list
//! that uses one needs the translation extended, not a marker silently dropped.

use std::{env, fs, path::Path};

const LIST: &str = "data/crawler-user-agents.json";

/// Patterns of the list left out, because each matches the browser of people, not only a bot:
/// tacit would drop their visits. The tests in `src/agent.rs` hold an example of each.
const EXCLUDED: &[(&str, &str)] = &[
    ("MetaIAB Facebook", "Facebook's in-app browser, in which people open links"),
    ("Viber", "Viber's in-app browser, in which people open links"),
    ("AP3A\\.240617\\.008", "an Android build number, sent by every phone on that build"),
    ("Sonic", "also a word of the Slack desktop app's user agent"),
    ("Code\\/1\\.", "the Visual Studio Code editor, whose built-in browser people use too"),
    ("Trae\\/", "the Trae editor, whose built-in browser people use too"),
    ("Fluid", "a Mac app that turns a site into an app for people to browse"),
];

fn main() {
    println!("cargo::rerun-if-changed={LIST}");
    let json = fs::read_to_string(LIST).unwrap_or_else(|e| panic!("{LIST}: {e}"));
    let list: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{LIST}: {e}"));
    let entries = list.as_array().unwrap_or_else(|| panic!("{LIST}: not an array"));
    let patterns: Vec<&str> = entries
        .iter()
        .map(|entry| entry["pattern"].as_str())
        .collect::<Option<_>>()
        .unwrap_or_else(|| panic!("{LIST}: an entry without a pattern"));
    for (excluded, _) in EXCLUDED {
        // An exclusion outlives its pattern only by mistake: say so when the list drops it.
        assert!(
            patterns.contains(excluded),
            "{LIST} no longer has {excluded:?}: drop it from EXCLUDED"
        );
    }
    let mut markers = String::new();
    for &pattern in &patterns {
        if EXCLUDED.iter().any(|(excluded, _)| *excluded == pattern) {
            continue;
        }
        let alternatives =
            translate(pattern).unwrap_or_else(|e| panic!("{LIST}: pattern {pattern:?}: {e}"));
        for marker in alternatives {
            markers.push_str(&marker.line().unwrap_or_else(|e| panic!("{LIST}: {pattern:?}: {e}")));
            markers.push('\n');
        }
    }
    let excluded: Vec<&str> = EXCLUDED.iter().map(|(pattern, _)| *pattern).collect();
    let out = Path::new(&env::var("OUT_DIR").unwrap()).to_owned();
    for (file, text) in
        [("crawler_markers.txt", markers), ("crawler_excluded.rs", format!("&{excluded:?}"))]
    {
        fs::write(out.join(file), text).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
}

/// One marker.
#[derive(Debug, PartialEq)]
struct Marker {
    at_start: bool,
    at_end: bool,
    pieces: Vec<String>,
}

impl Marker {
    /// The marker as a line of `agent::crawlers::MARKERS`: its pieces separated by tabs, `^`
    /// before it if anchored at the start, `$` after it if anchored at the end.
    fn line(&self) -> Result<String, String> {
        let ambiguous = |piece: &String| piece.contains(['\t', '\n', '\r']);
        if self.pieces.iter().any(ambiguous)
            || self.pieces[0].starts_with('^')
            || self.pieces[self.pieces.len() - 1].ends_with('$')
        {
            return Err(format!("{:?} cannot be written as a line", self.pieces));
        }
        let start = if self.at_start { "^" } else { "" };
        let end = if self.at_end { "$" } else { "" };
        Ok(format!("{start}{}{end}", self.pieces.join("\t")))
    }
}

/// What a pattern is made of once its alternatives are spelled out.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    Start,
    End,
    Char(char),
    /// Any text, empty included.
    Gap,
}

/// The markers of `pattern`, one for each of its alternatives.
fn translate(pattern: &str) -> Result<Vec<Marker>, String> {
    let mut parser = Parser { chars: pattern.chars().collect(), at: 0 };
    let alternatives = parser.alternation()?;
    if parser.at != parser.chars.len() {
        return Err(format!("unbalanced ')' at {}", parser.at));
    }
    alternatives.iter().map(|tokens| marker(tokens)).collect()
}

/// The marker for one alternative: its anchors, then its text cut into pieces at its gaps.
fn marker(tokens: &[Token]) -> Result<Marker, String> {
    let starts = tokens.iter().take_while(|&&t| t == Token::Start).count();
    let ends = tokens[starts..].iter().rev().take_while(|&&t| t == Token::End).count();
    let body = &tokens[starts..tokens.len() - ends];
    let mut pieces = Vec::new();
    let mut piece = String::new();
    for &token in body {
        match token {
            Token::Char(c) => piece.push(c),
            Token::Gap if piece.is_empty() => {}
            Token::Gap => pieces.push(std::mem::take(&mut piece)),
            Token::Start | Token::End => return Err("an anchor inside the text".into()),
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    if pieces.is_empty() {
        return Err("an alternative without text matches every user agent".into());
    }
    // A gap next to an anchor lets any text stand between them: the anchor no longer holds.
    Ok(Marker {
        at_start: starts > 0 && body.first() != Some(&Token::Gap),
        at_end: ends > 0 && body.last() != Some(&Token::Gap),
        pieces,
    })
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        self.at += usize::from(c.is_some());
        c
    }

    /// `a|b|...`: the token strings of every alternative.
    fn alternation(&mut self) -> Result<Vec<Vec<Token>>, String> {
        let mut alternatives = self.sequence()?;
        while self.peek() == Some('|') {
            self.at += 1;
            alternatives.extend(self.sequence()?);
        }
        Ok(alternatives)
    }

    /// Atoms one after another, up to `|`, `)` or the end.
    fn sequence(&mut self) -> Result<Vec<Vec<Token>>, String> {
        let mut alternatives = vec![Vec::new()];
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            alternatives = alternatives
                .iter()
                .flat_map(|prefix| {
                    atom.iter().map(move |tail| prefix.iter().chain(tail).copied().collect())
                })
                .collect();
        }
        Ok(alternatives)
    }

    /// One atom and its repetition, as the token strings it may stand for.
    fn atom(&mut self) -> Result<Vec<Vec<Token>>, String> {
        let at = self.at;
        let atom = match self.next() {
            Some('^') => vec![vec![Token::Start]],
            Some('$') => vec![vec![Token::End]],
            Some('(') => {
                if self.chars[self.at..].starts_with(&['?', ':']) {
                    self.at += 2;
                } else if self.peek() == Some('?') {
                    return Err(format!("unsupported group at {at}"));
                }
                let group = self.alternation()?;
                if self.next() != Some(')') {
                    return Err(format!("unclosed '(' at {at}"));
                }
                group
            }
            Some('[') => self.class()?,
            Some('\\') => match self.next() {
                Some('d' | 'D' | 's' | 'S' | 'w' | 'W') => vec![vec![Token::Gap]],
                Some(c) if c.is_ascii_alphanumeric() => {
                    return Err(format!("unsupported escape \\{c} at {at}"))
                }
                Some(c) => vec![vec![Token::Char(c)]],
                None => return Err("a trailing '\\'".into()),
            },
            // No pattern has one yet: `www.example.com` would most likely mean its dots.
            Some(c @ ('.' | '*' | '+' | '?' | '{' | '}' | ']')) => {
                return Err(format!("unexpected '{c}' at {at}"))
            }
            Some(c) => vec![vec![Token::Char(c)]],
            None => unreachable!("atom is called before the end"),
        };
        match self.peek() {
            Some('*' | '+' | '?' | '{') => {
                // Repeated: a gap, if the atom already stands for any text.
                if atom != [[Token::Gap]] {
                    return Err(format!("unsupported repetition of the atom at {at}"));
                }
                if self.next() == Some('{') {
                    while self.next().is_some_and(|c| c != '}') {}
                }
                Ok(atom)
            }
            _ => Ok(atom),
        }
    }

    /// After `[`: a class of a few plain characters (`[wW]`) is each of them, any other class
    /// (`[^-]`, `[a-z]`, `[\s\S]`) a gap.
    fn class(&mut self) -> Result<Vec<Vec<Token>>, String> {
        let start = self.at;
        let mut members = Vec::new();
        let mut plain = self.peek() != Some('^');
        loop {
            match self.next() {
                Some(']') if self.at - 1 > start => break,
                Some('\\') => {
                    let c = self.next().ok_or("a trailing '\\'")?;
                    // `\s`, `\d`, ...: a class of its own.
                    plain &= !c.is_ascii_alphanumeric();
                    members.push(c);
                }
                Some('-') if self.at - 1 > start && self.peek() != Some(']') => plain = false,
                Some(c) => members.push(c),
                None => return Err(format!("unclosed '[' at {}", start - 1)),
            }
        }
        Ok(if plain {
            members.into_iter().map(|c| vec![Token::Char(c)]).collect()
        } else {
            vec![vec![Token::Gap]]
        })
    }
}
