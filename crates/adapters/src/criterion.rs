//! (being written)

use std::collections::BTreeSet;
use std::path::Path;

use crate::{ParseError, Parsed};

/// The JSON files of a criterion directory: paths relative to it, with `/` separators.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    pub files: Vec<(String, Vec<u8>)>,
}

/// Reads the JSON files under `dir` (a `target/criterion` directory).
pub fn read_tree(_dir: &Path) -> std::io::Result<Tree> {
    Ok(Tree::default())
}

/// Whether `dir` looks like a criterion directory.
pub fn looks_like(_dir: &Path) -> bool {
    false
}

/// The baselines the tree holds (`new`, `base`, names given to `--save-baseline`).
pub fn baselines(_tree: &Tree) -> BTreeSet<String> {
    BTreeSet::new()
}

/// The benchmarks of one baseline of the tree.
pub fn parse(_tree: &Tree, _baseline: &str) -> Result<Parsed, ParseError> {
    Err(ParseError::input("this adapter is being written"))
}

/// Whether `cargo bench` output comes from criterion.
pub fn sniff_stdout(_head: &[u8]) -> bool {
    false
}

/// The baseline `--save-baseline NAME` names in cargo bench arguments.
pub fn saved_baseline(_args: &[String]) -> Option<String> {
    None
}
