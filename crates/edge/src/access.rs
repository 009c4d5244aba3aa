//! Who may read or change what. The admin token (a Worker secret) opens every route; a site's
//! viewer token opens its summaries and pages, its auditor token its status, change log and
//! privacy report. Beacons need no token.
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

/// The token a request presents: `Authorization: Bearer <token>`, or `?key=<token>` for links
/// that can be shared. An `Authorization` header of another scheme presents none, whatever the
/// URL says.
pub fn presented_token(authorization: Option<&str>, url: &Url) -> Option<String> {
    if let Some(header) = authorization {
        return header.strip_prefix("Bearer ").map(|token| token.trim().to_owned());
    }
    url.query_pairs().find(|(name, _)| name == "key").map(|(_, token)| token.into_owned())
}

/// The token `req` presents (see [`presented_token`]).
pub fn token_of(req: &Request) -> AppResult<Option<String>> {
    Ok(presented_token(req.headers().get("Authorization")?.as_deref(), &req.url()?))
}

/// What a request's token is: the admin token (when the deployment has one), or the hash of a
/// possibly-site token.
pub fn credential(presented: Option<&str>, admin_token: Option<&str>) -> Credential {
    let presented = token_sha256(presented.unwrap_or_default());
    match admin_token {
        Some(admin) if hashes_match(&presented, &token_sha256(admin)) => Credential::Admin,
        _ => Credential::Token(presented),
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

    #[test]
    fn a_token_comes_from_the_bearer_header_or_the_key_parameter() {
        assert_eq!(presented_token(Some("Bearer abc "), &url("")).as_deref(), Some("abc"));
        assert_eq!(presented_token(None, &url("?from=2026-01-01&key=k1")).as_deref(), Some("k1"));
        assert_eq!(presented_token(None, &url("")), None);
        // A header of another scheme wins over the URL and presents nothing.
        assert_eq!(presented_token(Some("Basic abc"), &url("?key=k1")), None);
    }

    #[test]
    fn only_the_admin_token_is_admin_and_none_is_without_the_secret() {
        assert_eq!(credential(Some("root"), Some("root")), Credential::Admin);
        assert_eq!(
            credential(Some("guess"), Some("root")),
            Credential::Token(token_sha256("guess"))
        );
        assert_eq!(credential(None, Some("root")), Credential::Token(token_sha256("")));
        // No secret set: the admin API is closed, even to an empty token.
        assert_eq!(credential(None, None), Credential::Token(token_sha256("")));
        assert_eq!(credential(Some("root"), None), Credential::Token(token_sha256("root")));
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
