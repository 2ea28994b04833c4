//! Why an upstream call failed, and what may follow: the retry rule, and how reqwest's errors and
//! odd answers are sorted for it.

use std::error::Error;
use std::io;

use reqwest::header::{CONTENT_LENGTH, HeaderMap, TRANSFER_ENCODING};

use super::{Call, ErrorKind, UpstreamError};

/// Why an attempt got no usable answer, for the retry rule and the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No answer within the deadline (connecting included).
    Timeout,
    /// No connection could be made: nothing was sent.
    Connect,
    /// The connection failed or closed after the request may have gone out, before a complete
    /// head came back.
    Lost,
    /// Something came back that is not a usable answer (malformed head, protocol switch, odd
    /// framing). The same upstream would most likely send it again.
    Protocol,
}

impl Failure {
    /// The `error.type` of a client span that got no usable answer.
    pub fn label(self) -> &'static str {
        match self {
            Failure::Timeout => "timeout",
            Failure::Connect => "connect",
            Failure::Lost => "connection_lost",
            Failure::Protocol => "protocol",
        }
    }
}

/// Whether a failed attempt may be sent once more, on a new connection. Never after a timeout
/// (the deadline is spent) or once a head arrived. Always when nothing was sent. After a lost
/// connection only for a repeatable request: one the upstream answers the same however often it
/// comes (GET, DELETE, and the Hydra calls marked so), because it may have reached the upstream.
///
/// hyper reports a head cut off midway exactly like no answer at all ("connection closed before
/// message completed"), so "lost" means "no complete head": a repeatable request whose answer was
/// cut off in its head is sent again too, never one that is not repeatable.
pub fn may_retry(failure: Failure, repeatable: bool) -> bool {
    match failure {
        Failure::Connect => true,
        Failure::Lost => repeatable,
        Failure::Timeout | Failure::Protocol => false,
    }
}

/// hyper's words for a connection that ended before an answer's head was complete, or before the
/// request went out. reqwest passes hyper's errors on only as sources, and hyper is no dependency
/// of this crate to downcast to; the stale-connection tests in tests/api/operations fail if a new
/// hyper words these differently.
const LOST: [&str; 3] = [
    "connection closed before message completed",
    "operation was canceled",
    "channel closed",
];

fn chain<'a>(e: &'a (dyn Error + 'static)) -> impl Iterator<Item = &'a (dyn Error + 'static)> {
    std::iter::successors(Some(e), |&e: &&'a (dyn Error + 'static)| e.source())
}

/// Sorts a failed exchange for the retry rule, and says why it failed.
pub fn classify(e: reqwest::Error) -> (Failure, String) {
    let failure = if e.is_timeout() {
        Failure::Timeout
    } else if e.is_connect() {
        Failure::Connect
    } else if chain(&e).any(|e| e.is::<io::Error>() || LOST.contains(&e.to_string().as_str())) {
        Failure::Lost
    } else {
        Failure::Protocol
    };
    (failure, reason(e))
}

/// An error with its causes, without the URL (its query holds the challenge).
pub fn reason(e: reqwest::Error) -> String {
    let e = e.without_url();
    let causes: Vec<String> = chain(&e).map(ToString::to_string).collect();
    causes.join(": ")
}

/// What a body read failed on: the deadline, a broken chunked framing (an invalid body), or
/// anything else (closed, reset: an interrupted one).
pub fn body_error(call: Call, e: reqwest::Error) -> UpstreamError {
    if e.is_timeout() {
        return call.error(ErrorKind::Timeout);
    }
    let invalid = chain(&e)
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .any(|io| {
            matches!(
                io.kind(),
                io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput
            )
        });
    call.error(if invalid {
        ErrorKind::InvalidBody(reason(e))
    } else {
        ErrorKind::Unreachable(reason(e))
    })
}

/// Only `chunked`, alone, or no transfer coding at all: hyper would read `gzip, chunked` as
/// chunked and `gzip` as "until close", and neither is an answer Hydra or Kratos gives. A length
/// beside a transfer coding is how response splitting starts, and hyper would keep such a
/// connection for the next request.
pub fn framing_error(headers: &HeaderMap) -> Option<&'static str> {
    let mut codings = headers.get_all(TRANSFER_ENCODING).iter();
    let first = codings.next()?;
    if headers.contains_key(CONTENT_LENGTH) {
        return Some("both a transfer coding and a length");
    }
    let chunked_alone = codings.next().is_none()
        && first
            .as_bytes()
            .trim_ascii()
            .eq_ignore_ascii_case(b"chunked");
    (!chunked_alone).then_some("a transfer coding other than chunked")
}
