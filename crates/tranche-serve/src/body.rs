//! The JSON body of a request: at most the server's body limit, parsed strictly, every
//! mistake a JSON error naming where it is.

use crate::error::ApiError;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|r| {
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::too_large(
                        "request body: larger than the server's limit; a scenario is a few hundred bytes (vectors at most 720 values)",
                    )
                } else {
                    ApiError::bad(format!("request body: {}", r.body_text()))
                }
            })?;
        parse(&bytes).map(JsonBody)
    }
}

/// `bytes` as JSON of `T`.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad(
            "request body: empty; expected a JSON object (`{}` for the deal's pricing assumption)",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad(format!(
            "request body: {e}; expected JSON as /api/openapi.json describes"
        ))
    })
}
