//! URL scrubbing: what is left of a URL before anything about it is sent or stored.
//!
//! Query strings and fragments are dropped, and path segments that look like personal data or
//! secrets are replaced by placeholders, so `/users/jane@example.com/orders/84467315` is kept
//! as `/users/:email/orders/:id`. The snippet scrubs in the browser and the edge scrubs again:
//! a client is never trusted to have done it.

/// The longest path kept, in bytes; longer paths are cut at a character boundary.
pub const MAX_PATH_LEN: usize = 512;

/// Digits in a row from which a segment counts as an identifier (`/orders/84467315`), while
/// years and small page numbers (`/2026`, `/page/12`) stay readable.
const MIN_ID_DIGITS: usize = 6;

/// Length from which a run of letters and digits with both kinds in it counts as a token.
const MIN_TOKEN_LEN: usize = 16;

/// Returns the scrubbed path of `url`, which may be a path with query and fragment
/// (`/a?b=c#d`) or a whole URL (`https://host/a`). The result always starts with `/`.
pub fn scrub_path(url: &str) -> String {
    let without_origin = match url.find("://") {
        Some(scheme_end) => {
            let after = &url[scheme_end + 3..];
            after.find(['/', '?', '#']).map_or("", |i| &after[i..])
        }
        None => url,
    };
    let path = without_origin.split(['?', '#']).next().unwrap_or("");

    let mut scrubbed = String::with_capacity(path.len() + 1);
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        scrubbed.push('/');
        scrubbed.push_str(placeholder(segment).unwrap_or(segment));
    }
    if scrubbed.is_empty() || (path.ends_with('/') && path.len() > 1) {
        scrubbed.push('/');
    }
    truncate_at_char_boundary(&mut scrubbed, MAX_PATH_LEN);
    scrubbed
}

/// The host of `referrer` (a full URL, as in `document.referrer`), lower-cased and without port,
/// when it is another site than `own_hostname`; `None` for same-site, empty or unparsable
/// referrers. Internal navigation is a journey edge, not a referral.
pub fn external_referrer_host(referrer: &str, own_hostname: &str) -> Option<String> {
    let after_scheme = &referrer[referrer.find("://")? + 3..];
    let authority = after_scheme.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = match host_port.strip_prefix('[') {
        Some(ipv6) => &host_port[..ipv6.find(']')? + 2],
        None => host_port.split(':').next()?,
    };
    let host = host.to_ascii_lowercase();
    (!host.is_empty() && !host.eq_ignore_ascii_case(own_hostname)).then_some(host)
}

/// The placeholder that replaces `segment`, when it looks like personal data or a secret.
fn placeholder(segment: &str) -> Option<&'static str> {
    let lower = segment.to_ascii_lowercase();
    if looks_like_email(&lower) {
        Some(":email")
    } else if looks_like_uuid(segment) {
        Some(":uuid")
    } else if longest_digit_run(segment) >= MIN_ID_DIGITS {
        Some(":id")
    } else if looks_like_token(segment) {
        Some(":token")
    } else {
        None
    }
}

fn looks_like_email(lower: &str) -> bool {
    let at = lower.find('@').or_else(|| lower.find("%40"));
    at.is_some_and(|at| at > 0 && lower[at..].contains('.'))
}

fn looks_like_uuid(segment: &str) -> bool {
    let groups: Vec<&str> = segment.split('-').collect();
    groups.len() == 5
        && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn longest_digit_run(segment: &str) -> usize {
    segment.split(|c: char| !c.is_ascii_digit()).map(str::len).max().unwrap_or(0)
}

/// A token is a long run of URL-safe characters that mixes letters and digits: session ids,
/// reset links, API keys. Ordinary slugs (`how-to-bake-bread-2`) have too few digits.
fn looks_like_token(segment: &str) -> bool {
    let token_char = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.';
    let digits = segment.bytes().filter(u8::is_ascii_digit).count();
    let letters = segment.bytes().filter(u8::is_ascii_alphabetic).count();
    segment.len() >= MIN_TOKEN_LEN
        && segment.bytes().all(token_char)
        && digits >= 3
        && letters >= 3
        && !segment.contains("--")
        && segment.bytes().filter(|&b| b == b'-').count() * 4 < segment.len() / 2
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
mod tests {
    use super::*;

    #[test]
    fn scrubs_real_looking_urls() {
        let cases = [
            ("/", "/"),
            ("", "/"),
            ("/pricing", "/pricing"),
            ("/pricing/", "/pricing/"),
            ("/pricing?plan=pro", "/pricing"),
            ("/pricing#faq", "/pricing"),
            ("/pricing?utm_source=news#top", "/pricing"),
            ("https://acme.example/docs/start?x=1", "/docs/start"),
            ("https://acme.example", "/"),
            ("https://acme.example?q=1", "/"),
            ("//double//slashes//", "/double/slashes/"),
            ("/users/jane.doe@example.com/settings", "/users/:email/settings"),
            ("/unsubscribe/jane%40example.com", "/unsubscribe/:email"),
            ("/orders/84467315", "/orders/:id"),
            ("/orders/84467315/invoice.pdf", "/orders/:id/invoice.pdf"),
            ("/invoice-2026000123", "/:id"),
            ("/blog/2026/11/launch", "/blog/2026/11/launch"),
            ("/page/12", "/page/12"),
            ("/u/3f2b8c1e-9a4d-4c3b-8f21-6d5e4a3b2c1d/profile", "/u/:uuid/profile"),
            ("/u/3F2B8C1E-9A4D-4C3B-8F21-6D5E4A3B2C1D", "/u/:uuid"),
            ("/reset/eyJhbGciOiJIUzI1NiJ9x7Qa9", "/reset/:token"),
            ("/s/a8Kd93jfL02mZq7X", "/s/:token"),
            ("/api/keys/sk_live_51HkT8zL2eQ9rX", "/api/keys/:token"),
            ("/how-to-bake-sourdough-bread", "/how-to-bake-sourdough-bread"),
            ("/guides/getting-started-with-tacit", "/guides/getting-started-with-tacit"),
            ("/products/iphone-15-pro-max-256gb", "/products/iphone-15-pro-max-256gb"),
            ("/docs/v2/api", "/docs/v2/api"),
            ("/café/menü", "/café/menü"),
        ];
        for (input, expected) in cases {
            assert_eq!(scrub_path(input), expected, "input: {input}");
        }
    }

    #[test]
    fn keeps_only_the_host_of_external_referrers() {
        let cases = [
            ("https://news.example.com/story?id=1", Some("news.example.com")),
            ("https://News.Example.com:8443/", Some("news.example.com")),
            ("https://user:secret@forum.example.org/t/1", Some("forum.example.org")),
            ("http://[2001:db8::1]:8080/x", Some("[2001:db8::1]")),
            ("https://acme.example/pricing", None),
            ("https://ACME.example/", None),
            ("", None),
            ("not a url", None),
        ];
        for (referrer, expected) in cases {
            assert_eq!(
                external_referrer_host(referrer, "acme.example").as_deref(),
                expected,
                "{referrer}"
            );
        }
    }

    #[test]
    fn cuts_long_paths_at_a_character_boundary() {
        let long = format!("/{}", "é".repeat(400));
        let scrubbed = scrub_path(&long);
        assert!(scrubbed.len() <= MAX_PATH_LEN);
        assert!(scrubbed.starts_with("/éé"));
    }

    #[test]
    fn scrubbing_twice_changes_nothing() {
        for input in ["/users/a@b.co/x", "/orders/1234567", "/p?q=1#f", "/a/b/"] {
            let once = scrub_path(input);
            assert_eq!(scrub_path(&once), once);
        }
    }
}
