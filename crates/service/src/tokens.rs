//! API and agent tokens: random generation and the hash under which the hub stores them.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix of agent tokens.
pub const AGENT_PREFIX: &str = "hpa_";
/// Prefix of API (admin) tokens.
pub const API_PREFIX: &str = "hpt_";

/// A new random token: `prefix` followed by 64 hex characters (256 bits).
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// The hex SHA-256 of a token; only this is stored.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_prefixed_and_hash_stably() {
        let a = generate(AGENT_PREFIX);
        let b = generate(AGENT_PREFIX);
        assert_ne!(a, b);
        assert!(a.starts_with("hpa_") && a.len() == 68);
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
        assert_eq!(hash(&a).len(), 64);
    }
}
