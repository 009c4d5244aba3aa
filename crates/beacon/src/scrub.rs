//! URL scrubbing: what is left of a URL before anything about it is sent or stored.
//!
//! Query strings and fragments are dropped, and path segments that look like personal data or
//! secrets are replaced by placeholders, so `/users/jane@example.com/orders/84467315` is kept
//! as `/users/:email/orders/:id`. The snippet scrubs in the browser and the edge scrubs again:
//! a client is never trusted to have done it.
//!
//! The placeholders, tried in this order on each segment (percent-decoded for the test only):
//!
//! - `:email` — an `@` between a local part and a domain with a dot and letters after it
//!   (`jane@example.com`, `jane%40example.com`), but not a version pin (`react@18.3.1`).
//! - `:uuid` — a UUID of any version, in either case, anywhere in the segment.
//! - `:token` — a run of letters and digits that looks random: hex hashes of 16 digits or more
//!   (MD5, SHA-1, reset tokens) and runs of 12 characters or more that switch between lower case,
//!   upper case and digits the way random strings do (API keys, `cus_NffrFeUfNV2Hib`, JWTs,
//!   base64url). Slugs (`10-tips-for-rust-2026`) and CamelCase names (`iPhone15ProMax`) don't.
//! - `:id` — six digits or more in a row (order numbers, phone numbers), or digit groups written
//!   the way phone numbers and IP addresses are (`+49 151 1234 5678`, `555-123-4567`,
//!   `203.0.113.9`). Dates (`2026-11-23`), years and versions (`v2.3.1`) stay readable.
//!
//! A path is a label here, not a file path: `.` and `..` segments are kept as sent (browsers
//! resolve them before a page loads, so they only come from hand-made requests, and resolving
//! them could only make different labels collide). Empty segments (`//`) are dropped, a trailing
//! slash is kept, and path parameters (`;jsessionid=...`) are dropped like a query string.
//! Scrubbing is idempotent: a scrubbed path scrubs to itself.
//!
//! [`scrub_url`] also keeps the few query parameters that are allowed: the UTM campaign tags and
//! the site-search term, cleaned and capped at [`MAX_PARAM_LEN`] bytes.

use alloc::borrow::{Cow, ToOwned};
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

/// The longest path kept, in bytes; longer paths are cut at a character boundary.
pub const MAX_PATH_LEN: usize = 512;

/// The longest UTM value or search term kept, in bytes; longer ones are cut at a character
/// boundary.
pub const MAX_PARAM_LEN: usize = 100;

/// The longest custom property key accepted, in bytes: a name such as `plan` or `source`.
pub const MAX_PROPERTY_KEY_LEN: usize = 40;

/// The longest custom property value accepted, in bytes: as long as a UTM value.
pub const MAX_PROPERTY_VALUE_LEN: usize = MAX_PARAM_LEN;

/// Digits in a row from which a segment counts as an identifier (`/orders/84467315`), while
/// years and small page numbers (`/2026`, `/page/12`) stay readable.
const MIN_ID_DIGITS: usize = 6;

/// Digits from which groups of digits with separators between them count as a phone number
/// (`555-123-4567`), when there are at least three groups and they are not a date.
const MIN_GROUPED_ID_DIGITS: usize = 8;

/// Length from which a run of ASCII letters and digits that looks random counts as a token.
const MIN_TOKEN_LEN: usize = 12;

/// Length from which a run of hex digits with both letters and digits counts as a hash.
const MIN_HEX_TOKEN_LEN: usize = 16;

/// The UTM campaign tags of a URL, the only marketing parameters kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Utm {
    /// `utm_source`, lower-cased: `"newsletter"`, `"google"`.
    pub source: Option<String>,
    /// `utm_medium`, lower-cased: `"email"`, `"cpc"`.
    pub medium: Option<String>,
    /// `utm_campaign`, as written: `"Spring Sale"`.
    pub campaign: Option<String>,
    /// `utm_term`, as written: the paid keyword, `"privacy analytics"`.
    pub term: Option<String>,
    /// `utm_content`, as written: which ad or link, `"header-banner"`.
    pub content: Option<String>,
}

/// What is kept of a page URL: the scrubbed path and the allow-listed query parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScrubbedUrl {
    /// The path, as [`scrub_path`] gives it.
    pub path: String,
    /// The UTM campaign tags.
    pub utm: Utm,
    /// The site-search term, when the site has a search parameter and the URL carries one that
    /// does not look like personal data.
    pub search_term: Option<String>,
}

/// Returns the scrubbed path of `url`, which may be a path with query and fragment
/// (`/a?b=c#d`) or a whole URL (`https://host/a`). The result always starts with `/`.
pub fn scrub_path(url: &str) -> String {
    let path = split_url(url).0;
    let mut scrubbed = String::with_capacity(path.len().min(MAX_PATH_LEN) + 1);
    for segment in split_ascii(path, b'/') {
        let segment = &segment[..until_any(segment, b";")];
        if segment.is_empty() {
            continue;
        }
        if scrubbed.len() > MAX_PATH_LEN {
            break;
        }
        scrubbed.push('/');
        scrubbed.push_str(placeholder(segment).unwrap_or(segment));
    }
    if scrubbed.is_empty() || (path.ends_with('/') && path.len() > 1) {
        scrubbed.push('/');
    }
    if scrubbed.len() > MAX_PATH_LEN {
        truncate_at_char_boundary(&mut scrubbed, MAX_PATH_LEN);
        // What is left of the cut segment is tested again, so that scrubbing stays idempotent.
        let last = after_last(scrubbed.as_bytes(), b'/');
        if let Some(placeholder) = placeholder(&scrubbed[last..]) {
            scrubbed.truncate(last);
            scrubbed.push_str(placeholder);
        }
    }
    scrubbed
}

/// Scrubs `url` like [`scrub_path`] and keeps the allow-listed query parameters: `utm_source`,
/// `utm_medium`, `utm_campaign`, `utm_term` and `utm_content` (names in any case), and the
/// site-search parameter named
/// `search_param` (exactly), if the site has one. All other parameters are dropped.
///
/// Values are percent-decoded (`+` is a space; invalid escapes are kept as written, invalid UTF-8
/// is replaced), trimmed and cut to [`MAX_PARAM_LEN`] bytes; empty values are `None`, and when a
/// parameter repeats, the first non-empty value counts. Source and medium are lower-cased, the
/// campaign, term and content are kept as written. A UTM value that looks like an e-mail address is dropped.
///
/// The search term is lower-cased with its whitespace collapsed. A term that looks like personal
/// data (an e-mail address, a phone or account number, a token — see the module docs) is dropped
/// whole: people paste all sorts of things into search boxes.
pub fn scrub_url(url: &str, search_param: Option<&str>) -> ScrubbedUrl {
    let (_, query) = split_url(url);
    let search_param = search_param.filter(|name| !name.is_empty());
    let mut scrubbed = ScrubbedUrl { path: scrub_path(url), ..ScrubbedUrl::default() };
    for pair in split_ascii(query, b'&') {
        let (key, value) = split_once_ascii(pair, b'=').unwrap_or((pair, ""));
        let key = percent_decode(key, true);
        if search_param == Some(&*key) && scrubbed.search_term.is_none() {
            scrubbed.search_term = clean_search_term(value);
        }
        let (slot, lower) = if key.eq_ignore_ascii_case("utm_source") {
            (&mut scrubbed.utm.source, true)
        } else if key.eq_ignore_ascii_case("utm_medium") {
            (&mut scrubbed.utm.medium, true)
        } else if key.eq_ignore_ascii_case("utm_campaign") {
            (&mut scrubbed.utm.campaign, false)
        } else if key.eq_ignore_ascii_case("utm_term") {
            (&mut scrubbed.utm.term, false)
        } else if key.eq_ignore_ascii_case("utm_content") {
            (&mut scrubbed.utm.content, false)
        } else {
            continue;
        };
        if slot.is_none() {
            *slot = clean_utm_value(value, lower);
        }
    }
    scrubbed
}

/// The scrubbed path of `referrer` when it is a page of this site (`own_hostname`): the
/// previous page of a journey. `None` for other sites, empty or unparsable referrers.
pub fn same_site_previous_path(referrer: &str, own_hostname: &str) -> Option<String> {
    let host = url_host(referrer)?;
    (!host.is_empty() && host.eq_ignore_ascii_case(own_hostname)).then(|| scrub_path(referrer))
}

/// The host of `referrer` (a full URL, as in `document.referrer`), lower-cased and without port,
/// when it is another site than `own_hostname`; `None` for same-site, empty or unparsable
/// referrers. Internal navigation is a journey edge, not a referral.
pub fn external_referrer_host(referrer: &str, own_hostname: &str) -> Option<String> {
    let host = url_host(referrer)?.to_ascii_lowercase();
    (!host.is_empty() && !host.eq_ignore_ascii_case(own_hostname)).then_some(host)
}

/// The host of an absolute URL (`scheme://user@host:port/...`) as written, without credentials
/// and port; an IPv6 address keeps its brackets (`[2001:db8::1]`). `None` without `://`, or
/// for an IPv6 address without its closing bracket.
pub fn url_host(url: &str) -> Option<&str> {
    let after_scheme = &url[find(url, "://")? + 3..];
    let authority = &after_scheme[..until_any(after_scheme, b"/?#")];
    let host_port = &authority[after_last(authority.as_bytes(), b'@')..];
    match host_port.strip_prefix('[') {
        Some(ipv6) => Some(&host_port[..ipv6.bytes().position(|b| b == b']')? + 2]),
        None => Some(&host_port[..until_any(host_port, b":")]),
    }
}

/// Where what follows the last `byte` in `text` starts: 0 without one. A byte search, as
/// `find` is; for an ASCII `byte` the index is a character boundary.
pub fn after_last(text: &[u8], byte: u8) -> usize {
    text.iter().rposition(|&b| b == byte).map_or(0, |at| at + 1)
}

/// Where the first of the ASCII `stops` is in `text`, or its length without one: a character
/// boundary, found without `str`'s character searchers (see `find`).
pub fn until_any(text: &str, stops: &[u8]) -> usize {
    text.bytes().position(|b| stops.contains(&b)).unwrap_or(text.len())
}

/// The parts of `text` between the ASCII `separator`s, as `str::split` gives them, found
/// without `str`'s character searchers (see `find`): each part starts and ends at a
/// character boundary, since no byte of a multi-byte character is ASCII.
pub fn split_ascii(text: &str, separator: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    core::iter::from_fn(move || {
        let current = rest?;
        match split_once_ascii(current, separator) {
            Some((part, after)) => {
                rest = Some(after);
                Some(part)
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// `text` before and after its first ASCII `separator`, as `str::split_once` gives it.
pub fn split_once_ascii(text: &str, separator: u8) -> Option<(&str, &str)> {
    let at = text.bytes().position(|b| b == separator)?;
    Some((&text[..at], &text[at + 1..]))
}

/// Where `needle` first occurs in `text`. A plain byte-by-byte search: the needles here are a
/// few bytes long, and `str::find`'s two-way searcher would be about 3 KB of the snippet's
/// WebAssembly. An ASCII needle always matches at a character boundary.
pub(crate) fn find(text: &str, needle: &str) -> Option<usize> {
    text.as_bytes().windows(needle.len()).position(|window| window == needle.as_bytes())
}

/// The path and the query of `url`, without the scheme, the authority (credentials included)
/// and the fragment. A `://` only starts a URL when a scheme precedes it, so a path or a query
/// that carries a URL (`/login?next=https://...`) is not mistaken for one.
fn split_url(url: &str) -> (&str, &str) {
    let rest = match find(url, "://") {
        Some(scheme_end) if is_scheme(&url[..scheme_end]) => {
            let after = &url[scheme_end + 3..];
            &after[until_any(after, b"/?#")..]
        }
        _ => url,
    };
    let rest = &rest[..until_any(rest, b"#")];
    split_once_ascii(rest, b'?').unwrap_or((rest, ""))
}

/// A URL scheme: a letter, then letters, digits, `+`, `-` or `.`.
fn is_scheme(text: &str) -> bool {
    let mut bytes = text.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// The placeholder that replaces `segment`, when it looks like personal data or a secret,
/// written as it is or percent-encoded.
fn placeholder(segment: &str) -> Option<&'static str> {
    sensitive_kind(&percent_decode_bytes(segment, false))
}

/// The placeholder for decoded `text` that holds personal data or a secret anywhere in it.
///
/// The checks read bytes, not characters: every byte of a non-ASCII character (or of invalid
/// UTF-8) is 0x80 or above, and every rule treats all such bytes alike, so this is the same as
/// checking the text, without the snippet carrying UTF-8 decoding.
fn sensitive_kind(text: &[u8]) -> Option<&'static str> {
    if looks_like_email(text) {
        Some(":email")
    } else if contains_uuid(text) {
        Some(":uuid")
    } else if contains_token(text) {
        Some(":token")
    } else if contains_long_number(text) {
        Some(":id")
    } else {
        None
    }
}

/// An `@` with a local part before it and, after it, a domain with a dot followed by letters.
fn looks_like_email(bytes: &[u8]) -> bool {
    let local_char = |b: u8| b.is_ascii_alphanumeric() || b >= 0x80 || b"._%+-'".contains(&b);
    let domain_char = |b: u8| b.is_ascii_alphanumeric() || b >= 0x80 || b == b'-' || b == b'.';
    (1..bytes.len()).any(|at| {
        if bytes[at] != b'@' || !local_char(bytes[at - 1]) {
            return false;
        }
        let domain = &bytes[at + 1..];
        let domain =
            &domain[..domain.iter().position(|&b| !domain_char(b)).unwrap_or(domain.len())];
        domain.first().is_some_and(|&b| b != b'.')
            && domain
                .windows(3)
                .any(|w| w[0] == b'.' && w[1].is_ascii_alphabetic() && w[2].is_ascii_alphabetic())
    })
}

/// A UUID of any version (`8-4-4-4-12` hex digits) anywhere in `text`.
fn contains_uuid(text: &[u8]) -> bool {
    text.windows(36).any(|w| {
        w.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
    })
}

/// A run of ASCII letters and digits in `text` that is a hex hash or looks random.
fn contains_token(text: &[u8]) -> bool {
    text.split(|b| !b.is_ascii_alphanumeric())
        .any(|word| looks_like_hex(word) || looks_random(word))
}

/// Hex digits only, long enough, and both letters and digits: MD5, SHA-1, SHA-256, hex tokens.
/// A long run of digits alone is a number, and no word is made of `a` to `f` only at this length.
fn looks_like_hex(word: &[u8]) -> bool {
    word.len() >= MIN_HEX_TOKEN_LEN
        && word.iter().all(u8::is_ascii_hexdigit)
        && word.iter().any(u8::is_ascii_digit)
        && word.iter().any(u8::is_ascii_alphabetic)
}

/// Whether a run of ASCII letters and digits switches between lower case, upper case and digits
/// as often as random strings do (about 6 times in 10 characters for base62, hardly ever for
/// words). CamelCase switches often too, but its lower-case runs are words: a lone lower-case
/// letter between capitals or digits (`NffrFeUf`) is what gives a random string away.
fn looks_random(bytes: &[u8]) -> bool {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Digit,
        Upper,
        Lower,
    }
    let class = |b: u8| match b {
        b'0'..=b'9' => Class::Digit,
        b'A'..=b'Z' => Class::Upper,
        _ => Class::Lower,
    };
    if bytes.len() < MIN_TOKEN_LEN {
        return false;
    }
    let switches = bytes.windows(2).filter(|w| class(w[0]) != class(w[1])).count();
    if switches < 4 || switches * 3 < bytes.len() {
        return false;
    }
    let has_lower = bytes.iter().any(|&b| class(b) == Class::Lower);
    let lone_lower = (1..bytes.len()).any(|i| {
        class(bytes[i]) == Class::Lower
            && class(bytes[i - 1]) != Class::Lower
            && bytes.get(i + 1).is_none_or(|&next| class(next) != Class::Lower)
    });
    !has_lower || lone_lower
}

/// A number that can single a person out: [`MIN_ID_DIGITS`] digits or more in a row, or digit
/// groups joined by separators the way phone numbers and IP addresses are written:
/// `+` and 7 digits or more, three groups or more with [`MIN_GROUPED_ID_DIGITS`] digits or more
/// (except dates, `2026-11-23` and `23.11.2026`), or four dotted groups of an IPv4 address.
/// Dotted runs are otherwise versions (`122.0.6261.94`) unless they have five groups or more
/// (`06.12.34.56.78`).
fn contains_long_number(bytes: &[u8]) -> bool {
    let separator = |b: u8| matches!(b, b' ' | b'-' | b'.' | b'(' | b')' | b'/');
    let mut i = 0;
    while i < bytes.len() {
        let plus = bytes[i] == b'+';
        if !plus && !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        if plus {
            i += 1;
        }
        let (mut groups, mut digits, mut lens, mut dotted, mut ipv4) = (0, 0, [0; 3], true, true);
        loop {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let len = i - start;
            if len == 0 {
                break;
            }
            if len >= MIN_ID_DIGITS {
                return true;
            }
            let value = bytes[start..i].iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
            ipv4 &= len <= 3 && value <= 255;
            if groups < lens.len() {
                lens[groups] = len;
            }
            groups += 1;
            digits += len;
            // One or two separators, `) ` in `(555) 123-4567`, lead to the next group.
            let mut next = i;
            while next < bytes.len() && next - i < 2 && separator(bytes[next]) {
                dotted &= bytes[next] == b'.';
                next += 1;
            }
            if next == i || next == bytes.len() || !bytes[next].is_ascii_digit() {
                break;
            }
            i = next;
        }
        let date = groups == 3 && (lens == [4, 2, 2] || lens == [2, 2, 4]);
        let phone = if dotted {
            (groups == 4 && ipv4) || (groups >= 5 && digits >= MIN_GROUPED_ID_DIGITS)
        } else {
            groups >= 3 && digits >= MIN_GROUPED_ID_DIGITS && !date
        };
        if phone || (plus && digits > MIN_ID_DIGITS) {
            return true;
        }
    }
    false
}

/// Decodes `%XX` escapes, and `+` as a space when `plus_as_space` (query strings). Invalid
/// escapes are kept as written and invalid UTF-8 is replaced by U+FFFD. Borrows when there is
/// nothing to decode.
fn percent_decode(text: &str, plus_as_space: bool) -> Cow<'_, str> {
    match percent_decode_bytes(text, plus_as_space) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        Cow::Owned(decoded) => Cow::Owned(
            String::from_utf8(decoded)
                .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned()),
        ),
    }
}

/// [`percent_decode`] without the UTF-8 check: the bytes, which may not be UTF-8.
fn percent_decode_bytes(text: &str, plus_as_space: bool) -> Cow<'_, [u8]> {
    if !(text.contains('%') || (plus_as_space && text.contains('+'))) {
        return Cow::Borrowed(text.as_bytes());
    }
    let hex = |b: Option<&u8>| b.and_then(|&b| (b as char).to_digit(16));
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => match (hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
                (Some(high), Some(low)) => {
                    decoded.push((high * 16 + low) as u8);
                    i += 2;
                }
                _ => decoded.push(b'%'),
            },
            b'+' if plus_as_space => decoded.push(b' '),
            b => decoded.push(b),
        }
        i += 1;
    }
    Cow::Owned(decoded)
}

/// A UTM value from a URL's raw parameter value: percent-decoded, then [`clean_utm_tag`].
fn clean_utm_value(raw: &str, lower: bool) -> Option<String> {
    clean_utm_tag(&percent_decode(raw, true), lower)
}

/// A decoded UTM value: trimmed, lower-cased if asked, capped; `None` if empty, if it holds a
/// control character, or if it looks like personal data by the rules paths and search terms
/// follow (campaign tools put recipients' addresses, phone numbers and customer ids there).
/// Checked before lower-casing, which would hide random tokens, and again as kept, so that
/// cleaning a kept value keeps it.
fn clean_utm_tag(decoded: &str, lower: bool) -> Option<String> {
    let trimmed = decoded.trim();
    let identifies = |value: &str| sensitive_kind(value.as_bytes()).is_some();
    if trimmed.is_empty() || trimmed.chars().any(char::is_control) || identifies(trimmed) {
        return None;
    }
    let value = if lower { trimmed.to_lowercase() } else { trimmed.to_owned() };
    capped(value).filter(|kept| !identifies(kept))
}

/// A key or a value of a custom property is longer than [`MAX_PROPERTY_KEY_LEN`] or
/// [`MAX_PROPERTY_VALUE_LEN`] bytes: the call (in the snippet) or the beacon (at the edge) is
/// refused, since a cut could change what the property means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropertyTooLong;

/// A custom property (`plan: "pro"`) as it is kept: key and value cleaned as a campaign name is
/// (trimmed, and dropped when empty, with a control character, or when it looks like personal
/// data: an e-mail address, a phone or account number, a UUID, a token). `Ok(None)` drops the
/// property and keeps the goal or event; both the snippet and the edge clean with this.
pub fn clean_property(key: &str, value: &str) -> Result<Option<(String, String)>, PropertyTooLong> {
    check_property_lengths(key, value)?;
    Ok(clean_utm_tag(key, false).zip(clean_utm_tag(value, false)))
}

/// Whether the snippet may send a custom property, trimmed of ASCII spaces: the byte checks of
/// [`may_send_text`] on key and value, which [`clean_property`] makes too. The edge cleans it
/// fully again.
pub fn may_send_property(key: &str, value: &str) -> Result<bool, PropertyTooLong> {
    check_property_lengths(key, value)?;
    Ok(may_send_text(key.trim_ascii()) && may_send_text(value.trim_ascii()))
}

fn check_property_lengths(key: &str, value: &str) -> Result<(), PropertyTooLong> {
    if key.len() > MAX_PROPERTY_KEY_LEN || value.len() > MAX_PROPERTY_VALUE_LEN {
        return Err(PropertyTooLong);
    }
    Ok(())
}

impl Utm {
    /// The tags cleaned as [`scrub_url`] cleans them, for tags that arrive already decoded
    /// (in a beacon): the edge never trusts the client to have done it.
    pub fn cleaned(&self) -> Utm {
        let clean =
            |tag: &Option<String>, lower| tag.as_deref().and_then(|t| clean_utm_tag(t, lower));
        Utm {
            source: clean(&self.source, true),
            medium: clean(&self.medium, true),
            campaign: clean(&self.campaign, false),
            term: clean(&self.term, false),
            content: clean(&self.content, false),
        }
    }
}

/// A search term from a URL's raw parameter value: percent-decoded, then [`search_term`].
fn clean_search_term(raw: &str) -> Option<String> {
    search_term(&percent_decode(raw, true))
}

/// A site-search term as it is kept, from the decoded value of the search parameter (a URL's,
/// or a beacon's `search` field): whitespace collapsed, lower-cased, cut to [`MAX_PARAM_LEN`]
/// bytes; `None` when empty, with control characters, or when it looks like personal data (an
/// e-mail address, a phone or account number, a token — see the module docs). The check runs
/// before lower-casing, which would hide random tokens.
pub fn search_term(decoded: &str) -> Option<String> {
    let mut term = String::with_capacity(decoded.len());
    for word in decoded.split_whitespace() {
        if !term.is_empty() {
            term.push(' ');
        }
        term.push_str(word);
    }
    // Control characters are refused as in a UTM value: a term is shown in pages and CSV.
    if !may_send_text(&term) || term.chars().any(char::is_control) {
        return None;
    }
    // Checked again as kept, so that cleaning a kept term keeps it (the edge cleans what the
    // snippet sent): lower case, or a cut, can make a term look like an identifier.
    capped(term.to_lowercase()).filter(|kept| may_send_text(kept))
}

/// Whether a search term, or a custom property's key or value, may leave the browser: not
/// empty, no ASCII control character, and nothing that looks like personal data. The
/// snippet's check, on bytes only (no Unicode tables in the WebAssembly); the edge cleans them
/// fully with [`search_term`] and [`clean_property`].
pub fn may_send_text(text: &str) -> bool {
    !text.is_empty()
        && !text.bytes().any(|b| b < 0x20 || b == 0x7f)
        && sensitive_kind(text.as_bytes()).is_none()
}

/// `value` cut to [`MAX_PARAM_LEN`] bytes, without trailing whitespace; `None` if empty.
fn capped(mut value: String) -> Option<String> {
    truncate_at_char_boundary(&mut value, MAX_PARAM_LEN);
    value.truncate(value.trim_end().len());
    (!value.is_empty()).then_some(value)
}

fn truncate_at_char_boundary(text: &mut String, max_len: usize) {
    if text.len() > max_len {
        let mut end = max_len;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
}

#[cfg(test)]
mod tests;
