//! Random identifiers: 128 bits as 32 hex digits, unguessable, for the links that give
//! owners access to their cases and claims, and for the names of stored files.

use rand::RngCore;

/// A fresh random id.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A secret token of 256 bits (a session cookie).
pub fn random_token() -> String {
    format!("{}{}", random_id(), random_id())
}

/// Whether `id` has the form of a [`random_id`]; anything else never reaches a query or
/// names a file.
pub fn is_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_128_bits_and_tokens_256() {
        let id = random_id();
        assert!(is_id(&id));
        assert_ne!(id, random_id());
        assert_eq!(random_token().len(), 64);
        assert!(!is_id("../../etc/passwd"));
        assert!(!is_id(&"g".repeat(32)));
    }
}
