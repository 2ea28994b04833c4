//! The one error type of upstream calls, and the call names it carries.

use reqwest::StatusCode;

/// One upstream failure that is not an answer the flow understands. Messages never carry URLs
/// (they hold challenges) or bodies (they may hold tokens).
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("{service} {operation}: no answer within the timeout")]
    Timeout {
        service: &'static str,
        operation: &'static str,
    },
    #[error("{service} {operation}: unreachable: {reason}")]
    Unreachable {
        service: &'static str,
        operation: &'static str,
        reason: String,
    },
    /// The upstream answered with something that is not a usable HTTP/1.1 answer (a malformed
    /// head, a protocol switch, a transfer coding other than chunked). Never retried.
    #[error("{service} {operation}: invalid answer: {reason}")]
    Protocol {
        service: &'static str,
        operation: &'static str,
        reason: String,
    },
    #[error("{service} {operation}: unexpected status {status}")]
    Status {
        service: &'static str,
        operation: &'static str,
        status: u16,
    },
    #[error("{service} {operation}: invalid response body: {reason}")]
    InvalidBody {
        service: &'static str,
        operation: &'static str,
        reason: String,
    },
    #[error("{service} {operation}: cannot encode the request: {reason}")]
    Encode {
        service: &'static str,
        operation: &'static str,
        reason: String,
    },
    #[error("{service} {operation}: response body over {limit} bytes")]
    TooLarge {
        service: &'static str,
        operation: &'static str,
        limit: usize,
    },
    /// A configured credential no HTTP header can carry. The config check refuses these at load;
    /// this keeps a request from ever going out without them.
    #[error("{service}: the configured {what} cannot be sent as an HTTP header")]
    Credentials { service: &'static str, what: String },
}

impl UpstreamError {
    pub fn is_timeout(&self) -> bool {
        matches!(self, UpstreamError::Timeout { .. })
    }
}

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

    pub fn status(self, status: StatusCode) -> UpstreamError {
        UpstreamError::Status {
            service: self.service,
            operation: self.operation,
            status: status.as_u16(),
        }
    }

    pub fn encode(self, reason: impl ToString) -> UpstreamError {
        UpstreamError::Encode {
            service: self.service,
            operation: self.operation,
            reason: reason.to_string(),
        }
    }

    pub fn invalid_body(self, reason: impl ToString) -> UpstreamError {
        UpstreamError::InvalidBody {
            service: self.service,
            operation: self.operation,
            reason: reason.to_string(),
        }
    }

    pub fn timeout(self) -> UpstreamError {
        UpstreamError::Timeout {
            service: self.service,
            operation: self.operation,
        }
    }

    pub fn unreachable(self, reason: impl ToString) -> UpstreamError {
        UpstreamError::Unreachable {
            service: self.service,
            operation: self.operation,
            reason: reason.to_string(),
        }
    }

    pub fn protocol(self, reason: impl ToString) -> UpstreamError {
        UpstreamError::Protocol {
            service: self.service,
            operation: self.operation,
            reason: reason.to_string(),
        }
    }

    pub fn too_large(self, limit: usize) -> UpstreamError {
        UpstreamError::TooLarge {
            service: self.service,
            operation: self.operation,
            limit,
        }
    }
}
