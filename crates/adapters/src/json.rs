//! Reading JSON inputs with errors that carry the JSON path, line and column.

use serde::de::DeserializeOwned;

use crate::ParseError;

/// Deserialises `bytes` as `T`; an error names the JSON path where it went wrong
/// (`$.results[0].times[3]`) and the line and column of the text.
pub(crate) fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ParseError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = json_path(&e.path().to_string());
        let inner = e.into_inner();
        ParseError::json(
            path,
            inner.line(),
            inner.column(),
            strip_position(&inner.to_string()),
        )
    })?;
    de.end()
        .map_err(|e| ParseError::json("$", e.line(), e.column(), strip_position(&e.to_string())))?;
    Ok(value)
}

/// Whether `key` (quoted, e.g. `b"\"benchmarks\""`) occurs in `head` as an object key: followed
/// by optional whitespace and a colon. For sniffing the first bytes of a JSON input cheaply.
pub(crate) fn has_key(head: &[u8], key: &[u8]) -> bool {
    memchr::memmem::find_iter(head, key).any(|at| {
        head.get(at + key.len()..)
            .and_then(|rest| rest.iter().find(|b| !b.is_ascii_whitespace()))
            == Some(&b':')
    })
}

/// serde_path_to_error writes `results[0].times`, `.` for the root, and `?` for a key it had not
/// read yet (a syntax error inside an object): that segment is left out, the parent is named.
pub(crate) fn json_path(path: &str) -> String {
    let mut path = path;
    while let Some(parent) = path.strip_suffix(".?").or_else(|| path.strip_suffix('?')) {
        path = parent;
    }
    if path == "." || path.is_empty() {
        "$".into()
    } else {
        format!("$.{}", path.trim_start_matches('.'))
    }
}

/// serde_json appends " at line L column C"; the location is reported once, by [`ParseError`].
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Doc {
        results: Vec<Item>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        times: Vec<f64>,
    }

    #[test]
    fn errors_carry_the_json_path_and_position() {
        let err = from_slice::<Doc>(b"{\"results\": [{\"times\": [1.0,\n \"x\"]}]}").unwrap_err();
        assert_eq!(
            err.to_string(),
            "$.results[0].times[1]: invalid type: string \"x\", expected f64 (line 2, column 4)"
        );
        let err = from_slice::<Doc>(b"{\"results\": [{\"times\": [1], x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "$.results[0]: key must be a string (line 1, column 29)"
        );
        let err = from_slice::<Doc>(b"{\"results\": []} trailing").unwrap_err();
        assert_eq!(
            err.to_string(),
            "$: trailing characters (line 1, column 17)"
        );
    }
}
