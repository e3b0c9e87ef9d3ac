//! Bearer tokens (SPEC §9): a request that writes needs a write token; reads need a read or
//! write token only when the server is private. Tokens are looked up by their SHA-256
//! ([`benchgate_store::token_hash`]), so no stored secret is ever compared with the one sent.
//!
//! A token limited to a project (`benchgate token create --project P`) uploads into P only and,
//! on a private server, reads P only: the guard hands the handlers the [`Caller`], and each
//! handler asks it once it knows which project a request touches.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use benchgate_store::{DEFAULT_PROJECT, Store, TokenRecord, TokenScope, token_hash};

use crate::error::ApiError;

/// Who may read: anyone, or only holders of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadAccess {
    Public,
    Private,
}

#[derive(Clone)]
pub(crate) struct Guard {
    pub store: Arc<dyn Store>,
    pub access: ReadAccess,
}

/// Who sent a request, as the guard found out: anyone (a read of a public server), or the holder
/// of a stored token.
#[derive(Debug, Clone)]
pub(crate) enum Caller {
    Anyone,
    Token(TokenRecord),
}

impl Caller {
    /// The project a token is limited to, if it is.
    pub fn limited_to(&self) -> Option<&str> {
        match self {
            Caller::Anyone => None,
            Caller::Token(record) => record.project.as_deref(),
        }
    }

    /// Whether the caller may read `project`: 403 for a token limited to another one.
    pub fn may_read(&self, project: &str) -> Result<(), ApiError> {
        match self.limited_to() {
            Some(own) if own != project => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!("this token is for project {own:?}; it cannot read project {project:?}"),
            )),
            _ => Ok(()),
        }
    }

    /// The project an upload goes into: the token's, or the one `asked` (`?project=`), else
    /// the default; 403 when a token limited to one project asks for another.
    pub fn upload_project(&self, asked: Option<&str>) -> Result<String, ApiError> {
        match (self.limited_to(), asked) {
            (Some(own), Some(asked)) if own != asked => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!(
                    "this token is for project {own:?}; it cannot upload to project {asked:?}; nothing was stored"
                ),
            )),
            (Some(own), _) => Ok(own.to_string()),
            (None, Some(asked)) => Ok(asked.to_string()),
            (None, None) => Ok(DEFAULT_PROJECT.to_string()),
        }
    }
}

/// 401 with `WWW-Authenticate: Bearer`, as RFC 6750 asks.
fn unauthorized(message: &str) -> Response {
    let mut response = ApiError::new(StatusCode::UNAUTHORIZED, message).into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// The token of an `Authorization: Bearer TOKEN` header (the scheme in any case), `None` without
/// the header, an error for any other form.
fn bearer(request: &Request) -> Result<Option<String>, Response> {
    let Some(value) = request.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || unauthorized("the Authorization header is not `Bearer TOKEN`");
    let text = value.to_str().map_err(|_| malformed())?;
    match text.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim().to_string()))
        }
        _ => Err(malformed()),
    }
}

pub(crate) async fn check(
    State(guard): State<Guard>,
    mut request: Request,
    next: Next,
) -> Response {
    let writes = request.method() != Method::GET && request.method() != Method::HEAD;
    if !writes && guard.access == ReadAccess::Public {
        request.extensions_mut().insert(Caller::Anyone);
        return next.run(request).await;
    }
    let token = match bearer(&request) {
        Ok(token) => token,
        Err(response) => return response,
    };
    let Some(token) = token else {
        return unauthorized(if writes {
            "a write token is needed: send Authorization: Bearer TOKEN (benchgate token create --scope write makes one)"
        } else {
            "this server is private: send Authorization: Bearer TOKEN (a read or write token)"
        });
    };
    // Found by its hash, so no secret is compared byte by byte here: a timing side channel
    // would reveal bits of a hash, not of a token, and a constant-time comparison is not needed.
    let hash = token_hash(&token);
    let store = Arc::clone(&guard.store);
    let found = tokio::task::spawn_blocking(move || store.token_by_hash(&hash)).await;
    let record = match found {
        Ok(Ok(record)) => record,
        Ok(Err(e)) => return ApiError::internal(e).into_response(),
        Err(e) => {
            return ApiError::internal(format!("the store call failed: {e}")).into_response();
        }
    };
    match record {
        None => unauthorized("unknown token"),
        Some(record) if writes && record.scope != TokenScope::Write => ApiError::new(
            StatusCode::FORBIDDEN,
            "this token may only read; uploading a run needs a write token",
        )
        .into_response(),
        Some(record) => {
            request.extensions_mut().insert(Caller::Token(record));
            next.run(request).await
        }
    }
}
