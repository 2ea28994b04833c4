//! The one error type of upstream calls, and the call names it carries.

use reqwest::StatusCode;

/// Where a call goes and what it does, for errors and logs.
#[derive(Debug, Clone, Copy)]
pub struct Call {
    pub service: &'static str,
    pub operation: &'static str,
}

impl Call {
    pub const fn new(service: &'static str, operation: &'static str) -> Self {
        Self { service, operation }
    }

    pub fn error(self, kind: ErrorKind) -> UpstreamError {
        UpstreamError { call: self, kind }
    }
}

/// One upstream failure that is not an answer the flow understands. Messages never carry URLs
/// (they hold challenges) or bodies (they may hold tokens).
#[derive(Debug, thiserror::Error)]
#[error("{} {}: {kind}", .call.service, .call.operation)]
pub struct UpstreamError {
    pub call: Call,
    pub kind: ErrorKind,
}

#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    #[error("no answer within the timeout")]
    Timeout,
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// The upstream answered with something that is not a usable HTTP/1.1 answer (a malformed
    /// head, a protocol switch, a transfer coding other than chunked). Never retried.
    #[error("invalid answer: {0}")]
    Protocol(String),
    #[error("unexpected status {}", .0.as_u16())]
    Status(StatusCode),
    #[error("invalid response body: {0}")]
    InvalidBody(String),
    #[error("cannot encode the request: {0}")]
    Encode(String),
    #[error("response body over {0} bytes")]
    TooLarge(usize),
}

impl UpstreamError {
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, ErrorKind::Timeout)
    }
}
