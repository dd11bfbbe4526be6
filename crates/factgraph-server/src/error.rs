//! The server's errors: [`ServerError`] for starting and running it, [`ApiError`] for
//! one request, answered as JSON with the kind, message and span the CLI would show
//! (`docs/server.md` lists the kinds and their HTTP statuses).

use std::net::SocketAddr;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use factgraph::ErrorKind;
use serde_json::json;

/// Why a server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The address could not be bound, or serving on it failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// A non-loopback address without a token.
    #[error(
        "refusing to listen on {0} without a token: anyone who can reach it could write; \
         set FACTGRAPH_TOKEN or pass --token-file, or bind to 127.0.0.1"
    )]
    OpenWithoutToken(SocketAddr),
    /// The token could not be made or is unusable.
    #[error("token: {0}")]
    Token(String),
    /// The async runtime could not start.
    #[error("cannot start the server's runtime: {0}")]
    Runtime(std::io::Error),
    /// The server's thread panicked (a bug).
    #[error("the server's thread stopped unexpectedly")]
    Panicked,
}

/// What went wrong with one request.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: serde_json::Value,
}

impl ApiError {
    /// An error of the server's own (not the library's): `kind` is one of
    /// `unauthorized`, `too_large`, `bad_request`, `read_only`, `not_found`.
    pub fn new(status: StatusCode, kind: &str, message: impl Into<String>) -> ApiError {
        ApiError { status, body: json!({ "error": { "kind": kind, "message": message.into() } }) }
    }

    /// A malformed request.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// Something asked for by id that is not there.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// A library error about `text` (the query), with its span as byte offsets and
    /// as a line and column.
    pub fn from_library(e: &factgraph::Error, text: &str) -> ApiError {
        // An error in a loaded file: its place is in that file, which is named.
        if let factgraph::Error::InFile { path, source } = e {
            let file_text = std::fs::read_to_string(path).unwrap_or_default();
            let mut inner = ApiError::from_library(source, &file_text);
            inner.body["error"]["file"] = json!(path.display().to_string());
            inner.body["error"]["message"] = json!(e.to_string());
            return inner;
        }
        let kind = e.kind();
        let mut error = json!({ "kind": kind.as_str(), "message": e.to_string() });
        let span = match e {
            factgraph::Error::Parse(p) => Some(p.span),
            factgraph::Error::Query(q) => q.span(),
            _ => None,
        };
        if let Some(s) = span {
            let (line, column) = factgraph::line_col(text, s.start);
            error["start"] = s.start.into();
            error["end"] = s.end.into();
            error["line"] = line.into();
            error["column"] = column.into();
        }
        ApiError { status: status_of(kind), body: json!({ "error": error }) }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The JSON body, `{"error": {...}}`.
    pub fn body(&self) -> &serde_json::Value {
        &self.body
    }
}

/// The HTTP status for a library error's kind.
fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Syntax | ErrorKind::UnknownName | ErrorKind::Ambiguous | ErrorKind::Invalid | ErrorKind::Load => {
            StatusCode::BAD_REQUEST
        }
        // Past a bound the server set: asking for less (or of a server with more) helps.
        ErrorKind::Limit | ErrorKind::ResourceExhausted => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::Timeout => StatusCode::GATEWAY_TIMEOUT,
        // A cancelled query's client has gone; the status is for the log.
        ErrorKind::Cancelled => StatusCode::REQUEST_TIMEOUT,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::ReadOnly => StatusCode::FORBIDDEN,
        ErrorKind::InUse => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}
