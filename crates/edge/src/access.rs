//! Who may read or change what. The admin token (a Worker secret) opens every route, and only
//! from the `Authorization` header; a site's viewer token opens its summaries and pages, its
//! auditor token its status, change log and privacy report, from the header or a link's
//! `?key=`. Beacons need no token.
//!
//! The worker tells the admin token apart itself ([`credential`]); a site's tokens are checked
//! by the site's first shard, which holds their hashes ([`grants`]).

use serde::{Deserialize, Serialize};
use worker::{Request, Url};

use crate::error::AppResult;
use crate::tokens::{hashes_match, token_sha256};

/// Who is asking, as the worker passes it on to a shard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Credential {
    /// The holder of the admin token, or the worker itself once the first shard has checked
    /// the request's token.
    Admin,
    /// The SHA-256 of whatever token the request presented (of the empty string for none).
    Token(String),
}

/// What a site token may be for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Marketers: summaries and pages.
    Viewer,
    /// Privacy officers: status, change log, privacy report.
    Auditor,
}

/// The hashes of a site's two tokens, the only form in which they are stored. A further shard
/// of a site (index ≥ 1) holds empty ones, which no token matches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenHashes {
    /// SHA-256 of the viewer token, in hex.
    pub viewer_sha256: String,
    /// SHA-256 of the auditor token, in hex.
    pub auditor_sha256: String,
}

/// A token as a request presents it, and where: the admin token counts only in the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresentedToken {
    /// `Authorization: Bearer <token>` (the scheme in any case).
    Header(String),
    /// `?key=<token>`, for links that can be shared. A URL ends up in histories and logs, so a
    /// site token here opens its routes, but the admin token opens nothing.
    Link(String),
}

impl PresentedToken {
    /// The token itself.
    pub fn secret(&self) -> &str {
        match self {
            PresentedToken::Header(token) | PresentedToken::Link(token) => token,
        }
    }

    /// The key a page's links carry on: the one its URL came with, never a header's token.
    pub fn link_key(&self) -> Option<&str> {
        match self {
            PresentedToken::Link(key) => Some(key),
            PresentedToken::Header(_) => None,
        }
    }
}

/// The token a request presents: `Authorization: Bearer <token>`, or else `?key=<token>`. An
/// `Authorization` header of another scheme (a proxy's Basic credentials) is not tacit's, so
/// the URL's key still counts.
pub fn presented_token(authorization: Option<&str>, url: &Url) -> Option<PresentedToken> {
    if let Some(token) = authorization.and_then(bearer_token) {
        return Some(PresentedToken::Header(token.to_owned()));
    }
    url.query_pairs()
        .find(|(name, _)| name == "key")
        .map(|(_, token)| PresentedToken::Link(token.into_owned()))
}

/// The token of an `Authorization` header of the Bearer scheme, whose name is
/// case-insensitive (RFC 9110, 11.1).
fn bearer_token(header: &str) -> Option<&str> {
    let header = header.trim();
    let (scheme, token) = header.split_once(char::is_whitespace).unwrap_or((header, ""));
    scheme.eq_ignore_ascii_case("Bearer").then(|| token.trim())
}

/// The token `req` presents (see [`presented_token`]).
pub fn token_of(req: &Request) -> AppResult<Option<PresentedToken>> {
    Ok(presented_token(req.headers().get("Authorization")?.as_deref(), &req.url()?))
}

/// What a request's token is: the admin token (when the deployment has one and the token came
/// in the header), or the hash of a possibly-site token.
pub fn credential(presented: Option<&PresentedToken>, admin_token: Option<&str>) -> Credential {
    let hash = token_sha256(presented.map_or("", PresentedToken::secret));
    match (presented, admin_token) {
        (Some(PresentedToken::Header(_)), Some(admin))
            if hashes_match(&hash, &token_sha256(admin)) =>
        {
            Credential::Admin
        }
        _ => Credential::Token(hash),
    }
}

/// Whether `credential` opens a route for `role` on a site whose tokens hash to `tokens`.
pub fn grants(tokens: &TokenHashes, credential: &Credential, role: Role) -> bool {
    match credential {
        Credential::Admin => true,
        Credential::Token(sha256) => {
            let expected = match role {
                Role::Viewer => &tokens.viewer_sha256,
                Role::Auditor => &tokens.auditor_sha256,
            };
            hashes_match(expected, sha256)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(query: &str) -> Url {
        Url::parse(&format!("https://edge.test/s/demo{query}")).unwrap()
    }

    fn header(token: &str) -> Option<PresentedToken> {
        Some(PresentedToken::Header(token.into()))
    }

    fn link(key: &str) -> Option<PresentedToken> {
        Some(PresentedToken::Link(key.into()))
    }

    #[test]
    fn a_token_comes_from_the_bearer_header_or_the_key_parameter() {
        assert_eq!(presented_token(Some("Bearer abc "), &url("")), header("abc"));
        assert_eq!(presented_token(None, &url("?from=2026-01-01&key=k1")), link("k1"));
        assert_eq!(presented_token(None, &url("")), None);
        // The header wins over the URL.
        assert_eq!(presented_token(Some("Bearer abc"), &url("?key=k1")), header("abc"));
        assert_eq!(presented_token(Some("Bearer"), &url("?key=k1")), header(""));
    }

    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        // Regression (issue 18): `bearer <token>` presented no token.
        for value in ["bearer abc", "BEARER abc", "bEaReR\tabc", "  Bearer   abc  "] {
            assert_eq!(presented_token(Some(value), &url("")), header("abc"), "{value:?}");
        }
        assert_eq!(presented_token(Some("Bearerabc"), &url("")), None, "no scheme of that name");
    }

    #[test]
    fn a_header_of_another_scheme_leaves_the_key_parameter_in_force() {
        // Regression (issue 18): a proxy's Basic credentials broke every ?key= link.
        assert_eq!(presented_token(Some("Basic dXNlcjpwYXNz"), &url("?key=k1")), link("k1"));
        assert_eq!(presented_token(Some("Basic dXNlcjpwYXNz"), &url("")), None);
    }

    #[test]
    fn a_page_carries_on_only_a_key_its_url_came_with() {
        assert_eq!(link("k1").unwrap().link_key(), Some("k1"));
        assert_eq!(header("abc").unwrap().link_key(), None);
        assert_eq!(header("abc").unwrap().secret(), "abc");
    }

    #[test]
    fn only_the_admin_token_in_the_header_is_admin_and_none_is_without_the_secret() {
        assert_eq!(credential(header("root").as_ref(), Some("root")), Credential::Admin);
        assert_eq!(
            credential(header("guess").as_ref(), Some("root")),
            Credential::Token(token_sha256("guess"))
        );
        assert_eq!(credential(None, Some("root")), Credential::Token(token_sha256("")));
        // Regression (issue 18): the admin token in a URL opened the admin API. In a link it
        // is only the hash of a token, which no site holds.
        assert_eq!(
            credential(link("root").as_ref(), Some("root")),
            Credential::Token(token_sha256("root"))
        );
        // No secret set: the admin API is closed, even to an empty token.
        assert_eq!(credential(None, None), Credential::Token(token_sha256("")));
        assert_eq!(
            credential(header("root").as_ref(), None),
            Credential::Token(token_sha256("root"))
        );
    }

    #[test]
    fn each_site_token_opens_its_own_role_and_the_admin_every_one() {
        let tokens = TokenHashes {
            viewer_sha256: token_sha256("viewer"),
            auditor_sha256: token_sha256("auditor"),
        };
        let token = |token: &str| Credential::Token(token_sha256(token));
        let opened = |credential: &Credential| {
            [Role::Viewer, Role::Auditor].map(|role| grants(&tokens, credential, role))
        };
        assert_eq!(opened(&Credential::Admin), [true, true]);
        assert_eq!(opened(&token("viewer")), [true, false]);
        assert_eq!(opened(&token("auditor")), [false, true]);
        assert_eq!(opened(&token("")), [false, false]);
        // A further shard holds no tokens: only the worker opens it.
        let none = TokenHashes::default();
        assert!(!grants(&none, &token(""), Role::Auditor));
        assert!(!grants(&none, &token("viewer"), Role::Viewer));
        assert!(grants(&none, &Credential::Admin, Role::Viewer));
    }
}
