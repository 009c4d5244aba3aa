//! Tokens: random bearer secrets, stored only as SHA-256 hashes and compared in constant time.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use wasm_bindgen::JsCast;
use worker::Request;

use crate::error::{AppError, AppResult};

/// Fills a buffer from the runtime's cryptographically secure generator.
pub fn random_bytes<const N: usize>() -> AppResult<[u8; N]> {
    let mut bytes = [0u8; N];
    let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    global
        .crypto()
        .and_then(|crypto| crypto.get_random_values_with_u8_array(&mut bytes))
        .map_err(|_| AppError::Internal("crypto.getRandomValues failed".into()))?;
    Ok(bytes)
}

/// A new token: 32 random bytes as 64 hex characters.
pub fn new_token() -> AppResult<String> {
    Ok(hex(&random_bytes::<32>()?))
}

/// The hex SHA-256 of a token, the only form in which a token is stored.
pub fn token_sha256(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Compares two token hashes in time that does not depend on where they differ (`subtle`).
pub fn hashes_match(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// The token a request carries: `Authorization: Bearer <token>`, or `?key=<token>` for links
/// that can be shared. `None` when it carries neither.
pub fn presented_token(req: &Request) -> AppResult<Option<String>> {
    if let Some(header) = req.headers().get("Authorization")? {
        return Ok(header.strip_prefix("Bearer ").map(|token| token.trim().to_owned()));
    }
    let url = req.url()?;
    Ok(url.query_pairs().find(|(name, _)| name == "key").map(|(_, token)| token.into_owned()))
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0xf)]])
        .map(char::from)
        .collect()
}

/// The bytes of lower-case or upper-case hex, or `None` when it is not hex.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_hashes_match_only_when_equal() {
        let hash = token_sha256("a token");
        assert!(hashes_match(&hash, &token_sha256("a token")));
        assert!(!hashes_match(&hash, &token_sha256("another token")));
        assert!(!hashes_match(&hash, &hash[..hash.len() - 1]));
        assert!(!hashes_match(&hash, ""));
    }
}
