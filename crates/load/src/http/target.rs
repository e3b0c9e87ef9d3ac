//! What one HTTP operation sends: method, URL, headers and body, validated before any load runs
//! so a mistake is one clear error rather than a level full of failures.

use std::net::{SocketAddr, ToSocketAddrs};

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HOST, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Uri};

/// Why a target was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpTargetError {
    #[error("bad URL '{url}': {reason}")]
    BadUrl { url: String, reason: String },
    #[error("bad URL '{url}': no scheme; write http://{url}")]
    NoScheme { url: String },
    #[error("bad URL '{url}': https is not supported yet; use an http:// URL")]
    Https { url: String },
    #[error("bad URL '{url}': the scheme must be http, not {scheme}")]
    Scheme { url: String, scheme: String },
    #[error(
        "bad URL '{url}': credentials in the URL are not supported; send an authorization header"
    )]
    Credentials { url: String },
    #[error("bad HTTP method '{0}'")]
    Method(String),
    #[error("bad header '{name}': {reason}")]
    Header { name: String, reason: String },
    #[error("cannot resolve the host of '{url}': {reason}")]
    Resolve { url: String, reason: String },
}

/// Most URLs a URL list may hold.
pub const MAX_URL_LIST_ENTRIES: usize = 100_000;

/// What a URL list's lines without their own method, and all its requests, get.
#[derive(Debug, Clone)]
pub struct ListDefaults {
    /// For a line that is only a URL.
    pub method: String,
    /// Added to every request, in order (as [`HttpTarget::header`]).
    pub headers: Vec<(String, String)>,
    /// Sent with every request.
    pub body: Bytes,
}

impl Default for ListDefaults {
    /// `GET`, no headers, no body.
    fn default() -> Self {
        Self {
            method: "GET".to_string(),
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }
}

/// Why a URL list was refused; `line` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlListError {
    #[error("line {line}: {error}")]
    Target { line: usize, error: HttpTargetError },
    #[error("line {line}: expected `[METHOD] URL [@BODY_FILE]`, found {found}")]
    Syntax { line: usize, found: String },
    /// The line's `@FILE` body could not be had (`message` says why).
    #[error("line {line}: {message}")]
    Body { line: usize, message: String },
    #[error("line {line}: more than {MAX_URL_LIST_ENTRIES} URLs; a list holds at most that many")]
    TooMany { line: usize },
    #[error("no URL in the list (only blank lines and # comments)")]
    Empty,
    /// A default header or method is itself bad (no line to blame).
    #[error(transparent)]
    Defaults(HttpTargetError),
}

/// One request to send again and again: `http://` only (loopback and plain HTTP; TLS is not
/// built in yet). The `Host` header is the URL's authority unless a `host` header is given.
#[derive(Debug, Clone)]
pub struct HttpTarget {
    method: Method,
    url: String,
    /// Host and port to connect to (IPv6 without brackets).
    host: String,
    port: u16,
    /// What goes on the request line: path and query.
    path: Uri,
    /// The whole URL: what an HTTP/2 request carries (its `:scheme` and `:authority`).
    absolute: Uri,
    headers: HeaderMap,
    body: Bytes,
    /// HTTP/2 with prior knowledge (h2c) instead of HTTP/1.1.
    http2: bool,
}

impl HttpTarget {
    /// A `GET` of `url`.
    pub fn get(url: &str) -> Result<Self, HttpTargetError> {
        Self::new("GET", url)
    }

    /// `method` (any token: `GET`, `POST`, `PURGE`…) of `url`, which must be `http://host[:port][/path]`.
    pub fn new(method: &str, url: &str) -> Result<Self, HttpTargetError> {
        let method = Method::from_bytes(method.as_bytes())
            .map_err(|_| HttpTargetError::Method(method.to_string()))?;
        let bad = |reason: &str| HttpTargetError::BadUrl {
            url: url.to_string(),
            reason: reason.to_string(),
        };
        // `host:port/path` does not parse as a URI at all: say what is missing, not "invalid".
        if !url.contains("://") {
            let lower = url.to_ascii_lowercase();
            if lower.starts_with("http:") || lower.starts_with("https:") {
                return Err(bad("expected http://host[:port][/path]"));
            }
            return Err(HttpTargetError::NoScheme {
                url: url.to_string(),
            });
        }
        if url.ends_with("://") {
            return Err(bad("no host"));
        }
        let uri: Uri = url
            .parse()
            .map_err(|error: hyper::http::uri::InvalidUri| bad(&error.to_string()))?;
        match uri.scheme_str() {
            None => {
                return Err(HttpTargetError::NoScheme {
                    url: url.to_string(),
                });
            }
            Some(scheme) if scheme.eq_ignore_ascii_case("http") => {}
            Some(scheme) if scheme.eq_ignore_ascii_case("https") => {
                return Err(HttpTargetError::Https {
                    url: url.to_string(),
                });
            }
            Some(scheme) => {
                return Err(HttpTargetError::Scheme {
                    url: url.to_string(),
                    scheme: scheme.to_string(),
                });
            }
        }
        let authority = uri.authority().ok_or_else(|| bad("no host"))?;
        if authority.as_str().contains('@') {
            return Err(HttpTargetError::Credentials {
                url: url.to_string(),
            });
        }
        let host = authority.host();
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        // A port that is not a u16 parses as no port at all: it must not mean port 80.
        let after_host = authority
            .as_str()
            .rsplit_once(']')
            .map_or(authority.as_str(), |(_, rest)| rest);
        let port = match (uri.port_u16(), after_host.contains(':')) {
            (Some(0), _) | (None, true) => {
                return Err(bad("the port must be a number from 1 to 65535"));
            }
            (Some(port), _) => port,
            (None, false) => 80,
        };
        let path = uri
            .path_and_query()
            .map_or("/", |path| path.as_str())
            .parse::<Uri>()
            .map_err(|error| bad(&error.to_string()))?;
        let mut headers = HeaderMap::new();
        let host_header =
            HeaderValue::from_str(authority.as_str()).map_err(|error| bad(&error.to_string()))?;
        headers.insert(HOST, host_header);
        Ok(Self {
            method,
            url: url.to_string(),
            host,
            port,
            path,
            absolute: uri.clone(),
            headers,
            body: Bytes::new(),
            http2: false,
        })
    }

    /// Adds a header (a `host` header replaces the URL's; others add to any of the same name).
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, HttpTargetError> {
        let invalid = |reason: String| HttpTargetError::Header {
            name: name.to_string(),
            reason,
        };
        let header_name =
            HeaderName::from_bytes(name.as_bytes()).map_err(|error| invalid(error.to_string()))?;
        let header_value =
            HeaderValue::from_str(value).map_err(|error| invalid(error.to_string()))?;
        if header_name == HOST {
            self.headers.insert(header_name, header_value);
        } else {
            self.headers.append(header_name, header_value);
        }
        Ok(self)
    }

    /// The request body sent with every request (a `content-length` is added for it).
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// Speak HTTP/2 with prior knowledge (h2c: no upgrade, no TLS) instead of HTTP/1.1: for a
    /// server known to serve HTTP/2 in clear text.
    pub fn with_http2(mut self, http2: bool) -> Self {
        self.http2 = http2;
        self
    }

    pub fn is_http2(&self) -> bool {
        self.http2
    }

    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The URL as given.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub fn body_bytes(&self) -> &Bytes {
        &self.body
    }

    /// The address to connect to: the first the host resolves to (an IP address resolves to
    /// itself without a lookup).
    pub fn resolve(&self) -> Result<SocketAddr, HttpTargetError> {
        let failed = |reason: String| HttpTargetError::Resolve {
            url: self.url.clone(),
            reason,
        };
        (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|error| failed(error.to_string()))?
            .next()
            .ok_or_else(|| failed("no address".to_string()))
    }

    /// Parses a URL list: one `[METHOD] URL` per line (`GET http://h/a`, or just the URL for
    /// `defaults.method`), blank lines and lines starting with `#` skipped, at most
    /// [`MAX_URL_LIST_ENTRIES`] URLs; every target gets `defaults`' headers and body. A line
    /// naming its own body (`POST URL @FILE`) is refused here: use [`Self::parse_list_with_bodies`].
    pub fn parse_list(text: &str, defaults: &ListDefaults) -> Result<Vec<Self>, UrlListError> {
        Self::parse_list_with_bodies(text, defaults, &mut |name| {
            Err(format!("no body files here, so '@{name}' cannot be read"))
        })
    }

    /// [`Self::parse_list`], where a line may end with `@FILE`: that request's body (instead of
    /// `defaults.body`), as `bodies` reads it — so a list can upload N distinct documents, one
    /// per request. `bodies` gets the name after `@` and does the I/O (and its limits); what it
    /// refuses is blamed on the line.
    pub fn parse_list_with_bodies(
        text: &str,
        defaults: &ListDefaults,
        bodies: &mut dyn FnMut(&str) -> Result<Bytes, String>,
    ) -> Result<Vec<Self>, UrlListError> {
        // The defaults are checked once, so a bad header is not blamed on line 1.
        let template = Self::new(&defaults.method, "http://localhost/")
            .and_then(|template| {
                defaults
                    .headers
                    .iter()
                    .try_fold(template, |target, (name, value)| target.header(name, value))
            })
            .map_err(UrlListError::Defaults)?;
        let mut targets = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if targets.len() == MAX_URL_LIST_ENTRIES {
                return Err(UrlListError::TooMany { line });
            }
            let mut words: Vec<&str> = trimmed.split_whitespace().collect();
            let body_file = match words.last() {
                Some(last) if words.len() > 1 && last.starts_with('@') => {
                    let name = &last[1..];
                    words.pop();
                    if name.is_empty() {
                        return Err(UrlListError::Syntax {
                            line,
                            found: "'@' without a file name after it".to_string(),
                        });
                    }
                    Some(name)
                }
                _ => None,
            };
            let (method, url) = match words.as_slice() {
                [url] if !url.contains("://") && is_method_like(url) => {
                    return Err(UrlListError::Syntax {
                        line,
                        found: format!("only the method '{url}' (no URL after it)"),
                    });
                }
                [url] => (template.method.as_str(), *url),
                [method, url] => (*method, *url),
                _ => {
                    return Err(UrlListError::Syntax {
                        line,
                        found: format!("{} words: '{trimmed}'", words.len()),
                    });
                }
            };
            let mut target =
                Self::new(method, url).map_err(|error| UrlListError::Target { line, error })?;
            for (name, value) in template.headers.iter() {
                if name == HOST {
                    continue;
                }
                target.headers.append(name.clone(), value.clone());
            }
            if let Some(host) = defaults
                .headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("host"))
            {
                target = target
                    .header(&host.0, &host.1)
                    .map_err(UrlListError::Defaults)?;
            }
            target.body = match body_file {
                Some(name) => {
                    bodies(name).map_err(|message| UrlListError::Body { line, message })?
                }
                None => defaults.body.clone(),
            };
            targets.push(target);
        }
        if targets.is_empty() {
            return Err(UrlListError::Empty);
        }
        Ok(targets)
    }

    /// The host (IPv6 without brackets) and port to connect to.
    pub(crate) fn host_port(&self) -> (&str, u16) {
        (&self.host, self.port)
    }

    /// A fresh request for one operation.
    pub(crate) fn request(&self) -> Request<Full<Bytes>> {
        self.request_as(self.method.clone(), self.body.clone())
    }

    /// An `OPTIONS` request to the same URL with the same headers and no body (a probe's, when
    /// the method is not safe to send once more).
    pub(crate) fn options_request(&self) -> Request<Full<Bytes>> {
        let mut request = self.request_as(Method::OPTIONS, Bytes::new());
        request.headers_mut().remove(hyper::header::CONTENT_TYPE);
        request
    }

    fn request_as(&self, method: Method, body: Bytes) -> Request<Full<Bytes>> {
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = method;
        if self.http2 {
            *request.uri_mut() = self.absolute.clone();
            *request.version_mut() = hyper::Version::HTTP_2;
        } else {
            *request.uri_mut() = self.path.clone();
        }
        *request.headers_mut() = self.headers.clone();
        request
    }
}

/// An all-uppercase word such as `GET` or `PURGE`: a method where a URL was expected.
fn is_method_like(word: &str) -> bool {
    word.bytes().all(|byte| byte.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(text: &str) -> Result<Vec<(String, String)>, String> {
        HttpTarget::parse_list(text, &ListDefaults::default())
            .map(|targets| {
                targets
                    .iter()
                    .map(|t| (t.method().to_string(), t.url().to_string()))
                    .collect()
            })
            .map_err(|error| error.to_string())
    }

    #[test]
    fn a_url_list_has_one_method_and_url_per_line_and_skips_comments_and_blanks() {
        let text = "# the catalogue\nhttp://127.0.0.1:8080/a\n\n  POST   http://127.0.0.1:8080/b  \n\t# done\nhttp://[::1]:9/c?x=1\n";
        assert_eq!(
            list(text).unwrap(),
            [
                ("GET".to_string(), "http://127.0.0.1:8080/a".to_string()),
                ("POST".to_string(), "http://127.0.0.1:8080/b".to_string()),
                ("GET".to_string(), "http://[::1]:9/c?x=1".to_string()),
            ]
        );
        let defaults = ListDefaults {
            method: "PUT".to_string(),
            headers: vec![
                ("x-token".to_string(), "abc".to_string()),
                ("Host".to_string(), "api.test".to_string()),
            ],
            body: Bytes::from_static(b"{}"),
        };
        let targets =
            HttpTarget::parse_list("http://127.0.0.1/a\nGET http://127.0.0.1/b", &defaults)
                .unwrap();
        assert_eq!(targets[0].method(), Method::PUT);
        assert_eq!(targets[1].method(), Method::GET);
        for target in &targets {
            assert_eq!(target.headers()["x-token"], "abc");
            assert_eq!(target.headers().get_all("host").iter().count(), 1);
            assert_eq!(target.headers()["host"], "api.test");
            assert_eq!(target.body_bytes().as_ref(), b"{}");
        }
    }

    /// Each line may carry its own body: N distinct documents uploaded, one per request, read
    /// through the caller's reader (which owns the I/O and its limits); the rest keep the default.
    #[test]
    fn a_line_ending_in_at_file_sends_that_files_body_and_a_refused_file_names_the_line() {
        let defaults = ListDefaults {
            method: "POST".to_string(),
            body: Bytes::from_static(b"default"),
            ..ListDefaults::default()
        };
        let mut asked = Vec::new();
        let targets = HttpTarget::parse_list_with_bodies(
            "http://h/runs @run-1.json\nPUT http://h/runs @run-2.json\nhttp://h/runs\n",
            &defaults,
            &mut |name| {
                asked.push(name.to_string());
                Ok(Bytes::from(format!("<{name}>")))
            },
        )
        .unwrap();
        assert_eq!(asked, ["run-1.json", "run-2.json"]);
        let sent: Vec<(String, &[u8])> = targets
            .iter()
            .map(|t| (t.method().to_string(), t.body_bytes().as_ref()))
            .collect();
        assert_eq!(
            sent,
            [
                ("POST".to_string(), &b"<run-1.json>"[..]),
                ("PUT".to_string(), &b"<run-2.json>"[..]),
                ("POST".to_string(), &b"default"[..]),
            ]
        );
        let refused = HttpTarget::parse_list_with_bodies(
            "http://h/a @ok\nhttp://h/b @missing.json\n",
            &defaults,
            &mut |name| match name {
                "ok" => Ok(Bytes::new()),
                other => Err(format!("cannot read {other}: not found")),
            },
        )
        .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "line 2: cannot read missing.json: not found"
        );
        assert_eq!(
            list("http://h/a @").unwrap_err(),
            "line 1: expected `[METHOD] URL [@BODY_FILE]`, found '@' without a file name after it"
        );
        assert_eq!(
            list("POST http://h/a @body.json").unwrap_err(),
            "line 1: no body files here, so '@body.json' cannot be read"
        );
    }

    #[test]
    fn a_bad_url_list_names_the_line_and_what_was_expected() {
        assert_eq!(
            list("# ok\nhttp://h/a\nlocalhost:8080/b\n").unwrap_err(),
            "line 3: bad URL 'localhost:8080/b': no scheme; write http://localhost:8080/b"
        );
        assert_eq!(
            list("\n\nGET http://h/ extra\n").unwrap_err(),
            "line 3: expected `[METHOD] URL [@BODY_FILE]`, found 3 words: 'GET http://h/ extra'"
        );
        assert_eq!(
            list("http://h/\nPOST\n").unwrap_err(),
            "line 2: expected `[METHOD] URL [@BODY_FILE]`, found only the method 'POST' (no URL after it)"
        );
        assert_eq!(
            list("GE(T http://h/").unwrap_err(),
            "line 1: bad HTTP method 'GE(T'"
        );
        assert_eq!(
            list("# nothing\n\n").unwrap_err(),
            "no URL in the list (only blank lines and # comments)"
        );
        let bad_header = HttpTarget::parse_list(
            "http://h/",
            &ListDefaults {
                headers: vec![("x-bad".to_string(), "a\nb".to_string())],
                ..ListDefaults::default()
            },
        )
        .unwrap_err();
        assert!(
            bad_header.to_string().starts_with("bad header 'x-bad': "),
            "{bad_header}"
        );
    }

    #[test]
    fn a_url_list_holds_at_most_a_hundred_thousand_urls() {
        let mut text = "# many\n".to_string();
        for n in 0..MAX_URL_LIST_ENTRIES {
            text.push_str(&format!("http://127.0.0.1/{n}\n"));
        }
        assert_eq!(
            HttpTarget::parse_list(&text, &ListDefaults::default())
                .unwrap()
                .len(),
            MAX_URL_LIST_ENTRIES
        );
        text.push_str("\n# one more\nhttp://127.0.0.1/last\n");
        assert_eq!(
            list(&text).unwrap_err(),
            "line 100004: more than 100000 URLs; a list holds at most that many"
        );
    }

    fn refused(method: &str, url: &str) -> String {
        HttpTarget::new(method, url).unwrap_err().to_string()
    }

    #[test]
    fn an_http_url_splits_into_address_path_and_host_header() {
        let target = HttpTarget::new("POST", "http://127.0.0.1:8080/api/v1?x=1")
            .unwrap()
            .header("x-token", "abc")
            .unwrap()
            .body("payload");
        assert_eq!(target.resolve().unwrap(), "127.0.0.1:8080".parse().unwrap());
        let request = target.request();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(request.uri(), "/api/v1?x=1");
        assert_eq!(request.headers()["host"], "127.0.0.1:8080");
        assert_eq!(request.headers()["x-token"], "abc");
        let bare = HttpTarget::get("http://[::1]").unwrap();
        assert_eq!(bare.resolve().unwrap(), "[::1]:80".parse().unwrap());
        assert_eq!(bare.request().uri(), "/");
        let renamed = bare.header("Host", "example.test").unwrap();
        assert_eq!(renamed.headers().get_all("host").iter().count(), 1);
        assert_eq!(renamed.headers()["host"], "example.test");
    }

    #[test]
    fn mistyped_urls_say_what_is_wrong_instead_of_connecting_elsewhere() {
        // An out-of-range port used to be dropped silently: the load went to port 80.
        assert_eq!(
            refused("GET", "http://127.0.0.1:80800/"),
            "bad URL 'http://127.0.0.1:80800/': the port must be a number from 1 to 65535"
        );
        assert_eq!(
            refused("GET", "http://127.0.0.1:0/"),
            "bad URL 'http://127.0.0.1:0/': the port must be a number from 1 to 65535"
        );
        assert_eq!(
            refused("GET", "http://[::1]:x/"),
            "bad URL 'http://[::1]:x/': the port must be a number from 1 to 65535"
        );
        assert_eq!(
            refused("GET", "http:/127.0.0.1/"),
            "bad URL 'http:/127.0.0.1/': expected http://host[:port][/path]"
        );
        assert_eq!(refused("GET", "http://"), "bad URL 'http://': no host");
        assert_eq!(
            HttpTarget::get("http://[::1]:8080/")
                .unwrap()
                .resolve()
                .unwrap(),
            "[::1]:8080".parse().unwrap()
        );
    }

    #[test]
    fn bad_targets_are_refused_with_the_url_and_what_to_do() {
        assert_eq!(
            refused("GET", "https://127.0.0.1/"),
            "bad URL 'https://127.0.0.1/': https is not supported yet; use an http:// URL"
        );
        assert_eq!(
            refused("GET", "localhost:8080"),
            "bad URL 'localhost:8080': no scheme; write http://localhost:8080"
        );
        assert_eq!(
            refused("GET", "ftp://host/x"),
            "bad URL 'ftp://host/x': the scheme must be http, not ftp"
        );
        assert!(refused("GET", "http://exa mple/").starts_with("bad URL 'http://exa mple/': "));
        assert!(
            refused("GET", "http://u:p@host/").contains("credentials in the URL are not supported")
        );
        assert_eq!(refused("GE T", "http://h/"), "bad HTTP method 'GE T'");
        let header = HttpTarget::get("http://h/")
            .unwrap()
            .header("x-bad", "line\nbreak")
            .unwrap_err();
        assert!(
            header.to_string().starts_with("bad header 'x-bad': "),
            "{header}"
        );
        let unresolvable = HttpTarget::get("http://no-such-host.invalid/")
            .unwrap()
            .resolve()
            .unwrap_err();
        assert!(
            unresolvable
                .to_string()
                .starts_with("cannot resolve the host of 'http://no-such-host.invalid/': "),
            "{unresolvable}"
        );
    }
}
