//! What the API answers when a request cannot be served: a status and a JSON body saying why.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answer: `{"error": message}`, plus `parameter` (a query or path parameter at fault)
/// or `path` (the JSON path of the problem in an uploaded body) when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub parameter: Option<String>,
    pub path: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            parameter: None,
            path: None,
        }
    }

    /// A bad value of the query or path parameter `name`: 400, naming it.
    pub fn parameter(name: &str, message: impl std::fmt::Display) -> ApiError {
        ApiError {
            parameter: Some(name.to_string()),
            ..ApiError::new(StatusCode::BAD_REQUEST, format!("{name}: {message}"))
        }
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    /// The store failed: the client did nothing wrong.
    pub fn internal(message: impl std::fmt::Display) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "error": self.message });
        if let Some(parameter) = self.parameter {
            body["parameter"] = parameter.into();
        }
        if let Some(path) = self.path {
            body["path"] = path.into();
        }
        (self.status, Json(body)).into_response()
    }
}
