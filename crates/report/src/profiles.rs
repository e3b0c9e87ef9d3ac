//! What every format says of a profile link: a heading with the profiler, and per benchmark its
//! files or the reason it has none.

use benchgate_model::ProfileLink;

/// The heading of a report's profiles: `profiles (flamegraph)`, or each profiler when several.
pub(crate) fn heading(links: &[ProfileLink]) -> String {
    let mut profilers: Vec<&str> = links.iter().map(|l| l.profiler.as_str()).collect();
    profilers.sort_unstable();
    profilers.dedup();
    format!("profiles ({})", profilers.join(", "))
}

/// The reason a link has no profile, as reports say it.
pub(crate) fn not_taken(link: &ProfileLink) -> Option<String> {
    match (&link.unavailable, link.files.is_empty()) {
        (Some(reason), _) => Some(format!("no profile: {reason}")),
        (None, true) => Some("no profile".to_string()),
        (None, false) => None,
    }
}

/// A file's path as a URL path: characters outside a safe set percent-encoded, so a Markdown
/// link or an HTML `href` holds it as it is on disk, whatever its name.
pub(crate) fn href(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The last component of `path` (what a link shows).
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_encode_what_would_end_or_break_a_link() {
        assert_eq!(
            href(".benchgate/profiles/a b/x(1)<y>.svg"),
            ".benchgate/profiles/a%20b/x%281%29%3Cy%3E.svg"
        );
        assert_eq!(href("/tmp/é.svg"), "/tmp/%C3%A9.svg");
        assert_eq!(file_name("a/b/c.svg"), "c.svg");
        assert_eq!(file_name("c.svg"), "c.svg");
    }
}
