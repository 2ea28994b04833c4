//! Sending one upstream call: one HTTP client (hyper-util's pooled client) for every upstream and
//! scheme, one retry rule, one timeout, one body cap, one error mapping.

use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::StatusCode;
use hyper::body::{Bytes, Incoming};
use hyper::header::{
    CONTENT_LENGTH, CONTENT_TYPE, COOKIE, HOST, HeaderMap, HeaderValue, USER_AGENT,
};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use serde::de::DeserializeOwned;

use super::connect::{Connector, tls_config};
use super::failure::{Failure, body_error, classify, framing_error, may_retry, reason};
use super::{Base, Call, Method, Request, UpstreamError};
use crate::config::UpstreamSettings;
use crate::metrics::{BodyFailureLabels, Metrics};

const AGENT: HeaderValue =
    HeaderValue::from_static(concat!("kratos-hydra-bridge/", env!("CARGO_PKG_VERSION")));

/// Idle connections kept per upstream; beyond this a finished connection is closed.
const MAX_IDLE_PER_HOST: usize = 64;

/// Idle connections older than this are closed rather than reused (servers drop idle ones too).
const IDLE_FOR: Duration = Duration::from_secs(60);

/// Pooled connections found unusable before a request went out on them that a call moves past
/// (each is closed; the next try takes another or opens one).
const MAX_UNUSED: usize = 4;

/// An upstream answer: its status, and its body (read whole, within the size cap, before the
/// answer is handed over) or why it could not be read.
pub struct Response {
    status: StatusCode,
    body: Result<Vec<u8>, UpstreamError>,
}

impl Response {
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

/// What every upstream call shares: the HTTP client (connection pool, TLS), the timeout, the body
/// cap and the metrics.
#[derive(Clone)]
pub struct Upstream {
    client: Client<Connector, Full<Bytes>>,
    request_timeout: Duration,
    pub max_body: usize,
    pub metrics: Arc<Metrics>,
}

type Attempt = Result<Response, (Failure, String)>;

/// The outcome label of one attempt, for metrics.
fn outcome(result: &Attempt) -> &'static str {
    match result {
        Ok(r) if r.status.is_success() => "ok",
        Ok(r) if r.status.is_redirection() => "redirect",
        Ok(r) if r.status.is_client_error() => "http_4xx",
        Ok(_) => "http_5xx",
        Err((Failure::Timeout, _)) => "timeout",
        Err(_) => "unreachable",
    }
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
    /// The one client: HTTP/1.1, pooled keep-alive connections, connect timeout from config, no
    /// redirects followed, retries only by [`may_retry`] (hyper-util itself only re-sends a
    /// request that never left because its pooled connection closed first).
    pub fn new(settings: &UpstreamSettings, metrics: Arc<Metrics>) -> Result<Self, rustls::Error> {
        Ok(Self::with_tls(settings, metrics, tls_config()?))
    }

    /// The same, trusting what `tls` trusts.
    pub(super) fn with_tls(
        settings: &UpstreamSettings,
        metrics: Arc<Metrics>,
        tls: rustls::ClientConfig,
    ) -> Self {
        let connector = Connector::new(tls, Duration::from_millis(settings.connect_timeout_ms));
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(IDLE_FOR)
            .pool_max_idle_per_host(MAX_IDLE_PER_HOST)
            .pool_timer(TokioTimer::new())
            // Each base has its Host header ready.
            .set_host(false)
            .build(connector);
        Self {
            client,
            request_timeout: Duration::from_millis(settings.request_timeout_ms),
            max_body: settings.max_body_bytes,
            metrics,
        }
    }

    /// Sends a request, counts it, and retries it once where that is safe (see [`may_retry`]). A
    /// pooled connection found unusable before anything went out is no failure of the upstream:
    /// the call moves on to another at once.
    pub async fn send(&self, call: Call, request: Request<'_>) -> Result<Response, UpstreamError> {
        let uri = request
            .base
            .uri(&request.target)
            .map_err(|e| call.encode(e))?;
        let (mut unused, mut retried) = (0, false);
        let failure = loop {
            let (failure, reason) = match self.attempt(call, &request, uri.clone()).await {
                Ok(response) => return Ok(response),
                Err(failed) => failed,
            };
            if failure == Failure::Unused && unused < MAX_UNUSED {
                unused += 1;
                continue;
            }
            if retried || !may_retry(failure, request.method.idempotent()) {
                break (failure, reason);
            }
            retried = true;
            let wait = backoff();
            // Debug only: a failure is logged once, where it becomes the user's answer.
            tracing::debug!(
                target_service = call.service,
                operation = call.operation,
                error = %reason,
                retry_in_ms = wait.as_millis() as u64,
                "upstream call failed, retrying once"
            );
            tokio::time::sleep(wait).await;
        };
        Err(match failure {
            (Failure::Timeout, _) => call.timeout(),
            (Failure::Protocol, reason) => call.protocol(reason),
            (Failure::Connect | Failure::Unused | Failure::Transport, reason) => {
                call.unreachable(reason)
            }
        })
    }

    /// One exchange, counted and logged. A pooled connection found unusable is not counted: nothing
    /// reached the upstream.
    async fn attempt(&self, call: Call, request: &Request<'_>, uri: hyper::Uri) -> Attempt {
        let started = Instant::now();
        let result = self.exchange(call, request.build(uri)).await;
        let elapsed = started.elapsed();
        if let Err((Failure::Unused, reason)) = &result {
            tracing::debug!(
                target_service = call.service,
                operation = call.operation,
                reason,
                "pooled upstream connection unusable, taking another"
            );
            return result;
        }
        let outcome = outcome(&result);
        self.metrics
            .upstream(call.service, call.operation, outcome, elapsed.as_secs_f64());
        tracing::debug!(
            target_service = call.service,
            operation = call.operation,
            outcome,
            status = result.as_ref().map(|r| r.status.as_u16()).unwrap_or(0),
            elapsed_ms = elapsed.as_millis() as u64,
            "upstream call"
        );
        result
    }

    /// One request and its answer under one deadline (one timer). A deadline hit after the head
    /// arrived is the body's failure.
    async fn exchange(&self, call: Call, request: hyper::Request<Full<Bytes>>) -> Attempt {
        let head = std::cell::Cell::new(None);
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| (classify(&e), reason(&e)))?;
            let status = response.status();
            // A 101 is hyper's cue for an upgrade, which no call asks for; its connection is not
            // pooled.
            if status.is_informational() {
                return Err((Failure::Protocol, format!("unexpected status {status}")));
            }
            // Dropping an answer unread closes its connection.
            if let Some(reason) = framing_error(response.headers()) {
                return Err((Failure::Protocol, reason.to_string()));
            }
            head.set(Some(status));
            let body = self.collect(call, response.into_body()).await;
            Ok(Response { status, body })
        };
        match tokio::time::timeout(self.request_timeout, exchange).await {
            Ok(result) => result,
            Err(_) => match head.get() {
                Some(status) => Ok(Response {
                    status,
                    body: Err(call.timeout()),
                }),
                None => Err((Failure::Timeout, "no answer".into())),
            },
        }
    }

    /// The body, whole, or why not; one over the cap is refused as soon as it is known to be.
    async fn collect(&self, call: Call, mut body: Incoming) -> Result<Vec<u8>, UpstreamError> {
        use hyper::body::Body as _;
        let limit = self.max_body;
        if body.size_hint().lower() > limit as u64 {
            return Err(call.too_large(limit));
        }
        let mut collected = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| body_error(call, &e))?;
            if let Ok(data) = frame.into_data() {
                if collected.len() + data.len() > limit {
                    return Err(call.too_large(limit));
                }
                collected.extend_from_slice(&data);
            }
        }
        Ok(collected)
    }

    /// The body, within the size limit; a larger one is an error, never a truncated parse.
    pub fn read_body(&self, call: Call, response: Response) -> Result<Vec<u8>, UpstreamError> {
        response
            .body
            .inspect_err(|e| self.count_body_failure(call, e))
    }

    /// Decodes a JSON body.
    pub fn read_json<T: DeserializeOwned>(
        &self,
        call: Call,
        response: Response,
    ) -> Result<T, UpstreamError> {
        let body = self.read_body(call, response)?;
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
        base: &Base,
        path: &str,
        headers: &HeaderMap,
    ) -> Result<(), UpstreamError> {
        let request = Request::new(Method::Get, base, base.target(path), headers);
        let response = self.send(call, request).await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(call.status(response.status()))
        }
    }
}

impl Request<'_> {
    /// The request for one attempt: the headers, then Host, User-Agent, the cookie and the body.
    fn build(&self, uri: hyper::Uri) -> hyper::Request<Full<Bytes>> {
        let method = match self.method {
            Method::Get => hyper::Method::GET,
            Method::Put => hyper::Method::PUT,
            Method::Delete => hyper::Method::DELETE,
        };
        let body = self.json.clone().map(Bytes::from).unwrap_or_default();
        let mut built = hyper::Request::new(Full::new(body));
        *built.method_mut() = method;
        *built.uri_mut() = uri;
        let headers = built.headers_mut();
        headers.clone_from(self.headers);
        headers.insert(HOST, self.base.host.clone());
        headers.insert(USER_AGENT, AGENT);
        if let Some(cookie) = &self.cookie {
            headers.insert(COOKIE, cookie.clone());
        }
        match &self.json {
            Some(json) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                headers.insert(CONTENT_LENGTH, HeaderValue::from(json.len()));
            }
            // A PUT without a body still says so; some servers want a length on every PUT.
            None if self.method == Method::Put => {
                headers.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
            }
            None => {}
        }
        built
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_jittered_within_bounds() {
        for _ in 0..50 {
            let d = backoff();
            assert!((50..=150).contains(&(d.as_millis() as u64)));
        }
    }
}
