//! A `[[bench]]`'s `http = { url, method, headers, body, body_file, urls_file }` (SPEC §4.3): the
//! request an HTTP bench sends as its load, and what such a bench cannot have (a command and
//! what runs around each of its runs, its output, parameters).

use std::num::NonZeroUsize;
use std::path::PathBuf;

use toml::de::DeValue;

use super::{Ctx, Section, expand};
use crate::{ConfigError, HttpSettings, MAX_HTTP_HEADERS, MAX_HTTP_THREADS};

const HTTP_KEYS: [&str; 8] = [
    "url",
    "urls_file",
    "method",
    "headers",
    "body",
    "body_file",
    "http2",
    "threads",
];
/// Bench keys an HTTP bench cannot have, with why.
const NOT_WITH_HTTP: [(&str, &str); 8] = [
    ("command", "give `command` or `http`, not both"),
    (
        "prepare",
        "runs before each run of a command; an HTTP bench has `setup`, run once before the load",
    ),
    (
        "conclude",
        "runs after each run of a command; an HTTP bench has `cleanup`, run once after the load",
    ),
    (
        "input",
        "is a command's standard input; an HTTP bench sends `http.body`",
    ),
    (
        "params",
        "are substituted into a command; an HTTP bench has none",
    ),
    (
        "metrics",
        "are read from a command's output; an HTTP bench has none",
    ),
    ("check", "reads a command's output; an HTTP bench has none"),
    (
        "output_file",
        "is a command's output; an HTTP bench has none",
    ),
];

/// `http`, with the variables it uses that are unset but allowed to be (`requires.env`); `None`
/// when the bench has no `http`.
pub(super) fn http_settings(
    ctx: &Ctx,
    s: &Section,
    allowed_unset: &[String],
) -> Result<Option<(HttpSettings, Vec<String>)>, ConfigError> {
    let Some(h) = s.table(ctx, "http")? else {
        return Ok(None);
    };
    for (key, why) in NOT_WITH_HTTP {
        if let Some(value) = s.get(key) {
            return Err(s.bad(ctx, key, value, format!("not with `http`: {why}")));
        }
    }
    if ["concurrency", "rate"]
        .iter()
        .all(|key| s.get(key).is_none())
        && let Some(value) = s.get("http")
    {
        return Err(s.bad(
            ctx,
            "http",
            value,
            "needs `concurrency` (closed model) or `rate` (open model): an HTTP bench is load",
        ));
    }
    if s.get("memory").is_some()
        && s.get("watch").is_none()
        && let Some(value) = s.get("memory")
    {
        return Err(s.bad(
            ctx,
            "memory",
            value,
            "an HTTP bench starts no process to sample; add `watch = { pid_file = ... }` for the server's",
        ));
    }
    h.check_keys(ctx, &HTTP_KEYS)?;
    let mut missing = Vec::new();
    let mut text = |key: &str| -> Result<Option<String>, ConfigError> {
        match h.string(ctx, key)? {
            None => Ok(None),
            Some((t, value)) => {
                let (expanded, unset) = expand(ctx, &h, key, t, value, allowed_unset)?;
                missing.extend(unset);
                Ok(Some(expanded))
            }
        }
    };
    let url = text("url")?;
    let urls_file = text("urls_file")?.map(PathBuf::from);
    let body = text("body")?;
    let body_file = text("body_file")?.map(PathBuf::from);
    match (&url, &urls_file, h.get("urls_file")) {
        (Some(_), Some(_), Some(value)) => {
            return Err(h.bad(
                ctx,
                "urls_file",
                value,
                "give `url` or `urls_file`, not both",
            ));
        }
        (None, None, _) => return Err(h.missing(ctx, "url")),
        _ => {}
    }
    if let (Some(_), Some(_), Some(value)) = (&body, &body_file, h.get("body_file")) {
        return Err(h.bad(
            ctx,
            "body_file",
            value,
            "give `body` or `body_file`, not both",
        ));
    }
    let method = match h.string(ctx, "method")? {
        None => "GET".to_string(),
        Some((m, value)) => {
            if !m.bytes().all(|b| b.is_ascii_alphabetic()) || m.len() > 32 {
                return Err(h.bad(
                    ctx,
                    "method",
                    value,
                    format!("expected an HTTP method such as \"GET\" or \"POST\", found {m:?}"),
                ));
            }
            m.to_ascii_uppercase()
        }
    };
    let http2 = match h.get("http2") {
        None => false,
        Some(value) => match value.get_ref() {
            DeValue::Boolean(b) => *b,
            _ => return Err(h.wrong_type(ctx, "http2", value, "true or false")),
        },
    };
    let threads = match h.get("threads") {
        None => None,
        Some(value) => {
            let DeValue::Integer(i) = value.get_ref() else {
                return Err(h.wrong_type(ctx, "threads", value, "an integer"));
            };
            let n = i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| (1..=MAX_HTTP_THREADS).contains(n))
                .and_then(NonZeroUsize::new);
            match n {
                Some(n) => Some(n),
                None => {
                    return Err(h.bad(
                        ctx,
                        "threads",
                        value,
                        format!("must be from 1 to {MAX_HTTP_THREADS}"),
                    ));
                }
            }
        }
    };
    let mut headers = Vec::new();
    if let Some(t) = h.table(ctx, "headers")? {
        for (name, value) in t.table.iter() {
            let name = name.get_ref().to_string();
            let DeValue::String(v) = value.get_ref() else {
                return Err(t.wrong_type(ctx, &name, value, "a string"));
            };
            if headers.len() == MAX_HTTP_HEADERS {
                return Err(t.bad(
                    ctx,
                    &name,
                    value,
                    format!("at most {MAX_HTTP_HEADERS} headers"),
                ));
            }
            let (expanded, unset) = expand(ctx, &t, &name, v, value, allowed_unset)?;
            missing.extend(unset);
            headers.push((name, expanded));
        }
    }
    Ok(Some((
        HttpSettings {
            urls: url.into_iter().collect(),
            urls_file,
            method,
            headers,
            body,
            body_file,
            http2,
            threads,
        },
        missing,
    )))
}
