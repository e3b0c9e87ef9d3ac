//! Benchmark-name globs (docs/config.md): `*` matches any run of characters, `/` included, `?`
//! exactly one character, and everything else matches itself. Matched by `globset`, with the
//! pattern written so that globset's own syntax (`[…]`, `{…}`, `\`, `**` components) never
//! applies: names such as `parse/[1,2]` are common and must match themselves.

use globset::{GlobBuilder, GlobMatcher};

/// A compiled benchmark-name glob: compile once, match many names.
#[derive(Debug, Clone)]
pub struct NameGlob {
    matcher: GlobMatcher,
}

/// A glob globset would not compile.
#[derive(Debug, thiserror::Error)]
#[error("invalid glob {pattern:?}: {reason}")]
pub struct GlobError {
    pub pattern: String,
    pub reason: String,
}

impl NameGlob {
    pub fn new(pattern: &str) -> Result<NameGlob, GlobError> {
        let glob = GlobBuilder::new(&globset_pattern(pattern))
            // `*` and `?` cross `/`, as documented.
            .literal_separator(false)
            // A backslash is an ordinary character in a benchmark name on every platform.
            .backslash_escape(false)
            .build()
            .map_err(|e| GlobError {
                pattern: pattern.to_string(),
                reason: e.kind().to_string(),
            })?;
        Ok(NameGlob {
            matcher: glob.compile_matcher(),
        })
    }

    /// Whether the whole of `name` matches.
    pub fn is_match(&self, name: &str) -> bool {
        self.matcher.is_match(name)
    }
}

/// Whether the whole of `name` matches `pattern`; a pattern that does not compile matches
/// nothing. Compiles `pattern` on every call: a loop over names compiles a [`NameGlob`] once.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    NameGlob::new(pattern).is_ok_and(|glob| glob.is_match(name))
}

/// `pattern` in globset's syntax: `*` and `?` kept (a run of stars as one star, so `**` is never
/// globset's recursive component), globset's other special characters as one-character classes.
fn globset_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    for c in pattern.chars() {
        match c {
            '*' if out.ends_with('*') => {}
            '[' | ']' | '{' | '}' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    out
}
