//! API tokens of the team server (SPEC §9): only a token's SHA-256 is stored, never the token.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::StoreError;

/// What a token allows: `read` the history, or `write` runs to it (which includes reading).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenScope {
    Read,
    Write,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }

    /// `read` or `write`.
    pub fn parse(text: &str) -> Option<TokenScope> {
        match text {
            "read" => Some(TokenScope::Read),
            "write" => Some(TokenScope::Write),
            _ => None,
        }
    }
}

impl std::fmt::Display for TokenScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored token, without the token itself (which is never stored).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRecord {
    pub id: i64,
    pub scope: TokenScope,
    /// The project it is limited to, when it is (not yet enforced: one project per server).
    pub project: Option<String>,
    pub created_at: OffsetDateTime,
}

/// The SHA-256 of `token`, as 64 lowercase hex digits: what the store keeps and looks up.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A hash as [`token_hash`] writes it, else an error (a hash is never user text, but a store
/// method must not trust its caller to have made one).
pub(crate) fn check_hash(sha256: &str) -> crate::Result<()> {
    if sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(())
    } else {
        Err(StoreError::InvalidArgument(format!(
            "a token hash is 64 lowercase hex digits, got {} characters",
            sha256.len()
        )))
    }
}

/// A row of the `tokens` table: id, scope, project, creation time.
pub(crate) fn decode_token(
    id: i64,
    scope: &str,
    project: Option<String>,
    created_at: &str,
) -> crate::Result<TokenRecord> {
    let scope = TokenScope::parse(scope)
        .ok_or_else(|| StoreError::Corrupt(format!("token {id} has the scope {scope:?}")))?;
    let created_at =
        OffsetDateTime::parse(created_at, &time::format_description::well_known::Rfc3339)
            .map_err(|_| StoreError::Corrupt(format!("{created_at:?} is not a timestamp")))?;
    Ok(TokenRecord {
        id,
        scope,
        project,
        created_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_sha256_in_lowercase_hex() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(check_hash(&token_hash("x")).is_ok());
        assert!(check_hash("ABC").is_err());
    }
}
