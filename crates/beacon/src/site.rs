//! Site identifiers: the name a site owner puts in `data-site`, and the key of everything stored.

use alloc::borrow::ToOwned;
use alloc::string::String;
use core::fmt;

use serde::{Deserialize, Serialize};

/// The longest site id accepted; it keeps storage keys and URLs short.
const MAX_SITE_ID_LEN: usize = 64;

/// A validated site id: 1 to 64 characters of `a-z`, `0-9` and `-`, not starting with `-`.
///
/// The restricted alphabet makes a site id safe to use as a Durable Object name, a URL path
/// segment and an HTML attribute without further escaping.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SiteId(String);

/// Why a string is not a valid [`SiteId`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteIdError {
    /// The id is empty.
    Empty,
    /// The id is longer than 64 characters.
    TooLong,
    /// The id contains a character outside `a-z`, `0-9`, `-`, or starts with `-`.
    InvalidCharacter,
}

impl SiteId {
    /// Validates `id` as a site id.
    pub fn parse(id: &str) -> Result<SiteId, SiteIdError> {
        if id.is_empty() {
            return Err(SiteIdError::Empty);
        }
        if id.len() > MAX_SITE_ID_LEN {
            return Err(SiteIdError::TooLong);
        }
        let allowed = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-';
        if id.starts_with('-') || !id.bytes().all(allowed) {
            return Err(SiteIdError::InvalidCharacter);
        }
        Ok(SiteId(id.to_owned()))
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SiteId {
    type Error = SiteIdError;

    fn try_from(id: String) -> Result<SiteId, SiteIdError> {
        SiteId::parse(&id)
    }
}

impl From<SiteId> for String {
    fn from(id: SiteId) -> String {
        id.0
    }
}

impl fmt::Display for SiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for SiteIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SiteIdError::Empty => "site id is empty",
            SiteIdError::TooLong => "site id is longer than 64 characters",
            SiteIdError::InvalidCharacter => "site id may only contain a-z, 0-9 and '-'",
        })
    }
}

impl core::error::Error for SiteIdError {}

/// In the OpenAPI document a site id is the string it is in JSON, with [`SiteId::parse`]'s rule.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for SiteId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let longest_after_first = MAX_SITE_ID_LEN - 1;
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .pattern(Some(alloc::format!("^[a-z0-9][a-z0-9-]{{0,{longest_after_first}}}$")))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for SiteId {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_lowercase_names_with_digits_and_dashes() {
        for id in ["demo", "acme-notes", "a", "site-2026", &"x".repeat(64)] {
            assert_eq!(SiteId::parse(id).unwrap().as_str(), id);
        }
    }

    #[test]
    fn rejects_what_could_break_a_url_or_a_key() {
        assert_eq!(SiteId::parse(""), Err(SiteIdError::Empty));
        assert_eq!(SiteId::parse(&"x".repeat(65)), Err(SiteIdError::TooLong));
        for id in ["Demo", "-demo", "de mo", "demo/../x", "démo", "a_b", "<b>"] {
            assert_eq!(SiteId::parse(id), Err(SiteIdError::InvalidCharacter), "{id}");
        }
    }
}
