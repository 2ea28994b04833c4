//! Clients for Hydra's admin API and Kratos's public and admin APIs, on one shared HTTP client.

pub mod hydra;
pub mod kratos;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use tracing::Instrument;

use crate::config::UpstreamSettings;
use crate::metrics::{BodyFailureLabels, Metrics};

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

/// The shared HTTP client with what every upstream call needs: the body cap and the metrics.
#[derive(Clone)]
pub struct Upstream {
    pub http: reqwest::Client,
    pub max_body: usize,
    pub metrics: Arc<Metrics>,
}

/// The outcome label of one attempt, for metrics.
fn outcome(result: &Result<reqwest::Response, reqwest::Error>) -> &'static str {
    match result {
        Ok(r) if r.status().is_success() => "ok",
        Ok(r) if r.status().is_redirection() => "redirect",
        Ok(r) if r.status().is_client_error() => "http_4xx",
        Ok(_) => "http_5xx",
        Err(e) if e.is_timeout() => "timeout",
        Err(_) => "unreachable",
    }
}

/// Whether a failed attempt may be repeated. Never after a timeout (the deadline is spent). Always
/// when the connection could not be made, since nothing was sent. Otherwise only for idempotent
/// methods: a lost answer to an accept must not turn into a second accept behind the browser's back.
pub fn may_retry(error_is_timeout: bool, error_is_connect: bool, idempotent: bool) -> bool {
    !error_is_timeout && (error_is_connect || idempotent)
}

/// 50–150 ms, so that replicas retrying together do not arrive together.
fn backoff() -> Duration {
    let mut byte = [0u8; 1];
    let spread = getrandom::fill(&mut byte)
        .map(|_| u64::from(byte[0]))
        .unwrap_or(128);
    Duration::from_millis(50 + spread * 100 / 255)
}

impl Upstream {
    pub fn new(http: reqwest::Client, max_body: usize, metrics: Arc<Metrics>) -> Self {
        Self {
            http,
            max_body,
            metrics,
        }
    }

    /// Sends a request inside an `upstream` span, counts it, and retries it once on a connection
    /// error where that is safe (see [`may_retry`]).
    pub async fn send(
        &self,
        call: Call,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, UpstreamError> {
        let request = request.build().map_err(|e| call.transport(e))?;
        let idempotent = matches!(
            *request.method(),
            reqwest::Method::GET | reqwest::Method::HEAD | reqwest::Method::DELETE
        );
        let second = request.try_clone();
        let first = self.attempt(call, request).await;
        let result = match (first, second) {
            (Err(e), Some(second)) if may_retry(e.is_timeout(), e.is_connect(), idempotent) => {
                let wait = backoff();
                // Debug only: a failure is logged once, where it becomes the user's answer.
                tracing::debug!(
                    target_service = call.service,
                    operation = call.operation,
                    error = %call.transport(e),
                    retry_in_ms = wait.as_millis() as u64,
                    "upstream call failed, retrying once"
                );
                tokio::time::sleep(wait).await;
                self.attempt(call, second).await
            }
            (first, _) => first,
        };
        result.map_err(|e| call.transport(e))
    }

    async fn attempt(
        &self,
        call: Call,
        request: reqwest::Request,
    ) -> Result<reqwest::Response, reqwest::Error> {
        let span = tracing::debug_span!(
            "upstream",
            target = call.service,
            operation = call.operation
        );
        let started = Instant::now();
        let result = self.http.execute(request).instrument(span.clone()).await;
        let elapsed = started.elapsed();
        let outcome = outcome(&result);
        self.metrics
            .upstream(call.service, call.operation, outcome, elapsed.as_secs_f64());
        span.in_scope(|| {
            tracing::debug!(
                outcome,
                status = result.as_ref().map(|r| r.status().as_u16()).unwrap_or(0),
                elapsed_ms = elapsed.as_millis() as u64,
                "upstream call"
            );
        });
        result
    }

    /// Reads at most `max_body` bytes of a body; a larger one is an error, never a truncated parse.
    pub async fn read_body(
        &self,
        call: Call,
        response: reqwest::Response,
    ) -> Result<Vec<u8>, UpstreamError> {
        self.collect(call, response)
            .await
            .inspect_err(|e| self.count_body_failure(call, e))
    }

    async fn collect(
        &self,
        call: Call,
        mut response: reqwest::Response,
    ) -> Result<Vec<u8>, UpstreamError> {
        let limit = self.max_body;
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
        &self,
        call: Call,
        response: reqwest::Response,
    ) -> Result<T, UpstreamError> {
        let body = self.read_body(call, response).await?;
        serde_json::from_slice(&body)
            .map_err(|e| call.invalid_body(e))
            .inspect_err(|e| self.count_body_failure(call, e))
    }

    /// Answers whose headers arrived but whose body could not be used (the call itself counted "ok").
    fn count_body_failure(&self, call: Call, error: &UpstreamError) {
        let cause = match error {
            UpstreamError::TooLarge { .. } => "too_large",
            UpstreamError::InvalidBody { .. } => "invalid",
            UpstreamError::Timeout { .. } => "timeout",
            _ => "interrupted",
        };
        self.metrics
            .upstream_body_failures
            .get_or_create(&BodyFailureLabels {
                target: call.service,
                operation: call.operation,
                cause,
            })
            .inc();
    }

    /// `GET {base}/health/ready`: ready when it answers 200.
    pub async fn check_ready(
        &self,
        call: Call,
        base: &url::Url,
        headers: HeaderMap,
    ) -> Result<(), UpstreamError> {
        let url = crate::config::join_url(base, "/health/ready");
        let response = self.send(call, self.http.get(url).headers(headers)).await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(call.status(response.status()))
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_only_where_safe() {
        // timeout, connect, idempotent
        assert!(
            !may_retry(true, false, true),
            "a timeout already spent the deadline"
        );
        assert!(
            may_retry(false, true, false),
            "nothing was sent: even an accept may go again"
        );
        assert!(may_retry(false, false, true), "a GET may go again");
        assert!(
            !may_retry(false, false, false),
            "an accept whose answer was lost must not repeat"
        );
    }

    #[test]
    fn backoff_is_jittered_within_bounds() {
        for _ in 0..50 {
            let d = backoff();
            assert!((50..=150).contains(&(d.as_millis() as u64)));
        }
    }
}
