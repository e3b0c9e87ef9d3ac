//! Bearer tokens (SPEC §9): a request that writes needs a write token; reads need a read or
//! write token only when the server is private. Tokens are looked up by their SHA-256
//! ([`benchgate_store::token_hash`]), so no stored secret is ever compared with the one sent.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use benchgate_store::{Store, TokenScope, token_hash};

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

pub(crate) async fn check(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let writes = request.method() != Method::GET && request.method() != Method::HEAD;
    if !writes && guard.access == ReadAccess::Public {
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
        Some(_) => next.run(request).await,
    }
}
