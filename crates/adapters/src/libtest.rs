//! (being written)

use crate::{ParseError, Parsed};

/// Whether `head` (the first bytes of an input) looks like this format.
pub fn sniff(_head: &[u8]) -> bool {
    false
}

/// Parses a whole input.
pub fn parse(_bytes: &[u8]) -> Result<Parsed, ParseError> {
    Err(ParseError::input("this adapter is being written"))
}
