//! One upstream call: one deadline, at most one repeat (see [`may_retry`]), the body cap, metrics
//! and the error mapping, the same for every upstream and scheme.

use std::sync::PoisonError;
use std::time::Duration;

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, COOKIE, HeaderValue, LINK};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use super::failure::{Failure, body_error, classify, framing_error, may_retry, reason};
use super::{Base, Call, ErrorKind, Request, Upstream, UpstreamError};
use crate::metrics::BodyFailureLabels;
use crate::otel;
use tracing::Instrument;

/// An upstream answer: its status, and its body (read whole, within the size cap, before the
/// answer is handed over) or why it could not be read.
pub struct Response {
    status: StatusCode,
    /// The `Link` header (Hydra's next page), its values joined by `,`.
    link: Option<String>,
    body: Result<Vec<u8>, UpstreamError>,
}

impl Response {
    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn link(&self) -> Option<&str> {
        self.link.as_deref()
    }
}

type Attempt = Result<Response, (Failure, String)>;

/// The outcome label of one attempt, for metrics.
pub(super) fn outcome(result: &Attempt) -> &'static str {
    match result {
        Ok(r) if r.status.is_success() => "ok",
        Ok(r) if r.status.is_redirection() => "redirect",
        Ok(r) if r.status.is_client_error() => "http_4xx",
        Ok(_) => "http_5xx",
        Err((Failure::Timeout, _)) => "timeout",
        // An answer, but not a usable HTTP/1.1 one: the upstream is there and misbehaves.
        Err((Failure::Protocol, _)) => "protocol",
        Err(_) => "unreachable",
    }
}

/// 50–150 ms, so that replicas retrying together do not arrive together.
pub(super) fn backoff() -> Duration {
    let mut byte = [0u8; 1];
    let spread = getrandom::fill(&mut byte)
        .map(|_| u64::from(byte[0]))
        .unwrap_or(128);
    Duration::from_millis(50 + spread * 100 / 255)
}

impl Upstream {
    /// Sends a request under one deadline, counts each attempt, and sends it once more on a new
    /// connection where [`may_retry`] allows: at once after a lost connection (the upstream is
    /// fine, that connection was not), after a short pause when none could be made.
    pub async fn send(&self, call: Call, request: Request<'_>) -> Result<Response, UpstreamError> {
        let deadline = Instant::now() + self.request_timeout;
        let mut fresh = false;
        loop {
            let built = request
                .build()
                .map_err(|e| call.error(ErrorKind::Encode(e.to_string())))?;
            let attempt = self.attempt(call, &request, built, fresh, deadline);
            let (failure, reason) = match attempt.await {
                Ok(response) => return Ok(response),
                Err(failed) => failed,
            };
            if fresh || !may_retry(failure, request.repeatable) {
                return Err(call.error(match failure {
                    Failure::Timeout => ErrorKind::Timeout,
                    Failure::Protocol => ErrorKind::Protocol(reason),
                    Failure::Connect | Failure::Lost => ErrorKind::Unreachable(reason),
                }));
            }
            fresh = true;
            if failure == Failure::Connect {
                tokio::time::sleep_until(deadline.min(Instant::now() + backoff())).await;
            }
        }
    }

    /// One exchange, counted, logged (at debug level: a failure is logged once, where it becomes
    /// the user's answer) and, when tracing is on, a client span of its own, whose `traceparent`
    /// goes with the request.
    async fn attempt(
        &self,
        call: Call,
        sent: &Request<'_>,
        mut request: reqwest::Request,
        fresh: bool,
        deadline: Instant,
    ) -> Attempt {
        let template = sent.template.map(|t| (sent.base.prefix.as_str(), t));
        let span = otel::spans::client(call.service, call.operation, &request, template, fresh);
        otel::spans::inject(&span, request.headers_mut());
        let started = Instant::now();
        let result = self
            .exchange(call, sent.base, request, fresh, deadline)
            .instrument(span.clone())
            .await;
        otel::spans::client_ended(
            &span,
            match &result {
                Ok(response) => Ok(response.status.as_u16()),
                Err((failure, _)) => Err(failure.label()),
            },
        );
        let elapsed = started.elapsed();
        let outcome = outcome(&result);
        self.metrics
            .upstream(call.service, call.operation, outcome, elapsed.as_secs_f64());
        tracing::debug!(
            target_service = call.service,
            operation = call.operation,
            outcome,
            status = result.as_ref().map(|r| r.status.as_u16()).unwrap_or(0),
            error = result.as_ref().err().map(|(_, reason)| reason.as_str()),
            resend = fresh,
            elapsed_ms = elapsed.as_millis() as u64,
            "upstream call"
        );
        result
    }

    /// One request and its answer before the deadline. A deadline hit after the head arrived is
    /// the body's failure.
    async fn exchange(
        &self,
        call: Call,
        base: &Base,
        mut request: reqwest::Request,
        fresh: bool,
        deadline: Instant,
    ) -> Attempt {
        let client = if fresh {
            self.fresh.clone()
        } else {
            // HTTP/1.1 cannot tell an answer from bytes that came before the request: hyper
            // drops a pooled connection that received bytes or a close while idle (it reads
            // before it writes, and hands a request it has not started to another connection),
            // but only once the runtime has seen the socket become readable. A busy runtime may
            // not have looked for a while. tokio wakes a task that yielded only after it has
            // polled for I/O (its current behaviour, not a documented promise;
            // tests/api/operations/upstream_misbehaving.rs fails without this yield).
            tokio::task::yield_now().await;
            match self.pooled(base) {
                Ok(client) => client,
                Err(e) => return Err((Failure::Connect, reason(e))),
            }
        };
        // reqwest's timeout runs from connecting to the body's end.
        *request.timeout_mut() = Some(deadline.saturating_duration_since(Instant::now()));
        let response = client.execute(request).await.map_err(classify)?;
        let status = response.status();
        // A 101 is hyper's cue for an upgrade, which no call asks for; its connection is not
        // pooled.
        if status.is_informational() {
            return Err((Failure::Protocol, format!("unexpected status {status}")));
        }
        if let Some(reason) = framing_error(response.headers()) {
            // The connection may be back in its pool, and reqwest cannot close one connection:
            // the pools go, and their connections close once the calls still using them are done.
            base.pools
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clear();
            return Err((Failure::Protocol, reason.to_string()));
        }
        let links: Vec<&str> = response
            .headers()
            .get_all(LINK)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let link = (!links.is_empty()).then(|| links.join(","));
        let body = self.collect(call, response).await;
        Ok(Response { status, link, body })
    }

    /// The body, whole, or why not; one over the cap is refused as soon as it is known to be.
    async fn collect(
        &self,
        call: Call,
        mut response: reqwest::Response,
    ) -> Result<Vec<u8>, UpstreamError> {
        let limit = self.max_body;
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(call.error(ErrorKind::TooLarge(limit)));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| body_error(call, e))? {
            if body.len() + chunk.len() > limit {
                return Err(call.error(ErrorKind::TooLarge(limit)));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
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
            .map_err(|e| call.error(ErrorKind::InvalidBody(e.to_string())))
            .inspect_err(|e| self.count_body_failure(call, e))
    }

    /// Answers whose headers arrived but whose body could not be used (the call itself counted "ok").
    fn count_body_failure(&self, call: Call, error: &UpstreamError) {
        let cause = match error.kind {
            ErrorKind::TooLarge(_) => "too_large",
            ErrorKind::InvalidBody(_) => "invalid",
            ErrorKind::Timeout => "timeout",
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

    /// `GET {base}{path}`: ready when it answers 200.
    pub async fn check_ready(
        &self,
        call: Call,
        base: &Base,
        path: &str,
    ) -> Result<(), UpstreamError> {
        let request = Request::new(Method::GET, base, base.target(path));
        let response = self.send(call, request).await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(call.error(ErrorKind::Status(response.status())))
        }
    }
}

impl Request<'_> {
    /// The request for one attempt: the base's headers, then the cookie and the body.
    fn build(&self) -> Result<reqwest::Request, url::ParseError> {
        let mut request = reqwest::Request::new(self.method.clone(), self.target.parse()?);
        let headers = request.headers_mut();
        headers.clone_from(&self.base.headers);
        if let Some(cookie) = &self.cookie {
            headers.insert(COOKIE, cookie.clone());
        }
        match &self.json {
            Some(json) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                *request.body_mut() = Some(json.clone().into());
            }
            // A PUT without a body still says so; some servers want a length on every PUT.
            None if self.method == Method::PUT => {
                headers.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
            }
            None => {}
        }
        Ok(request)
    }
}
