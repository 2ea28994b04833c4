//! Clients for Hydra's admin API and Kratos's public and admin APIs, on one shared HTTP client.

pub mod hydra;
pub mod kratos;

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use crate::config::UpstreamSettings;

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
    #[error("{service} {operation}: response body over {limit} bytes")]
    TooLarge {
        service: &'static str,
        operation: &'static str,
        limit: usize,
    },
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

    pub fn transport(self, e: reqwest::Error) -> UpstreamError {
        if e.is_timeout() {
            return UpstreamError::Timeout {
                service: self.service,
                operation: self.operation,
            };
        }
        // The URL holds the challenge: drop it before the error is printed.
        let e = e.without_url();
        let mut reason = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            reason.push_str(": ");
            reason.push_str(&s.to_string());
            source = s.source();
        }
        UpstreamError::Unreachable {
            service: self.service,
            operation: self.operation,
            reason,
        }
    }

    pub fn status(self, status: reqwest::StatusCode) -> UpstreamError {
        UpstreamError::Status {
            service: self.service,
            operation: self.operation,
            status: status.as_u16(),
        }
    }

    pub fn invalid_body(self, reason: impl ToString) -> UpstreamError {
        UpstreamError::InvalidBody {
            service: self.service,
            operation: self.operation,
            reason: reason.to_string(),
        }
    }
}

/// Builds the one HTTP client every upstream call shares: rustls, no redirects followed,
/// pooled keep-alive connections, connect and whole-call timeouts from config.
pub fn build_http_client(settings: &UpstreamSettings) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_millis(settings.connect_timeout_ms))
        .timeout(Duration::from_millis(settings.request_timeout_ms))
        .pool_idle_timeout(Duration::from_secs(60))
        .tcp_nodelay(true)
        .user_agent(concat!("kratos-hydra-bridge/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Default headers for an admin API: JSON, plus the configured bearer token and extra headers.
/// Values are marked sensitive so that no debug output of a request shows them.
pub fn admin_headers(
    token: Option<&SecretString>,
    extra: &BTreeMap<String, SecretString>,
) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    for (name, value) in extra {
        // Validated at config load; an invalid one cannot reach here.
        if let (Ok(name), Ok(mut value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value.expose_secret()),
        ) {
            value.set_sensitive(true);
            headers.insert(name, value);
        }
    }
    if let Some(token) = token
        && let Ok(mut value) = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
    {
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
    }
    headers
}

/// Reads at most `limit` bytes of a body; a larger one is an error, never a truncated parse.
pub async fn read_body(
    call: Call,
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, UpstreamError> {
    let too_large = || UpstreamError::TooLarge {
        service: call.service,
        operation: call.operation,
        limit,
    };
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| call.transport(e))? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads and decodes a JSON body within the size limit.
pub async fn read_json<T: DeserializeOwned>(
    call: Call,
    response: reqwest::Response,
    limit: usize,
) -> Result<T, UpstreamError> {
    let body = read_body(call, response, limit).await?;
    serde_json::from_slice(&body).map_err(|e| call.invalid_body(e))
}

/// Sends a request and maps transport failures.
pub async fn send(
    call: Call,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, UpstreamError> {
    let started = std::time::Instant::now();
    let result = request.send().await;
    let elapsed_ms = started.elapsed().as_millis() as u64;
    match result {
        Ok(response) => {
            tracing::debug!(
                service = call.service,
                operation = call.operation,
                status = response.status().as_u16(),
                elapsed_ms,
                "upstream call"
            );
            Ok(response)
        }
        Err(e) => Err(call.transport(e)),
    }
}

/// `GET {base}/health/ready`: ready when it answers 200.
pub async fn check_ready(
    http: &reqwest::Client,
    call: Call,
    base: &url::Url,
    headers: HeaderMap,
) -> Result<(), UpstreamError> {
    let url = crate::config::join_url(base, "/health/ready");
    let response = send(call, http.get(url).headers(headers)).await?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(call.status(response.status()))
    }
}

/// Deserializes `null` or a missing field as the type's default.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
