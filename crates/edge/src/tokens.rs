//! Tokens: random bearer secrets, stored only as SHA-256 hashes and compared in constant time.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use wasm_bindgen::JsCast;

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

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0xf)]])
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_kept_as_its_sha256_in_lower_case_hex() {
        assert_eq!(
            token_sha256(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
    }

    #[test]
    fn hashes_match_only_when_equal() {
        let a = token_sha256("a");
        assert!(hashes_match(&a, &token_sha256("a")));
        assert!(!hashes_match(&a, &token_sha256("b")));
        assert!(!hashes_match(&a, &a[..63]), "a prefix is another hash");
        assert!(!hashes_match(&a, ""));
    }
}
