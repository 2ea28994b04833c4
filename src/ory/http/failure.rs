//! Why an upstream call failed, and what may follow: the retry rule and how hyper's errors and
//! answers are sorted for it.

use std::io;

use hyper::header::{CONTENT_LENGTH, HeaderMap, TRANSFER_ENCODING};

use super::Call;
use super::UpstreamError;
use super::connect::Unusable;

/// Why an attempt got no usable answer, for the retry rule and the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No answer within the deadline (connecting included).
    Timeout,
    /// No connection could be made: nothing was sent.
    Connect,
    /// A pooled connection was found closed or holding bytes nobody asked for before the request
    /// went out on it: nothing was sent, and that connection is gone.
    Unused,
    /// The connection failed or closed after the request may have been sent, before an answer.
    Transport,
    /// Something came back that is not a usable answer (malformed head, protocol switch, unknown
    /// transfer coding). The same upstream would most likely send it again.
    Protocol,
}

/// Whether a failed attempt may be repeated. Never after a timeout (the deadline is spent) or a
/// protocol error. Always when nothing was sent. After a transport failure only for idempotent
/// methods: a lost answer to an accept must not turn into a second accept behind the browser's
/// back.
pub fn may_retry(failure: Failure, idempotent: bool) -> bool {
    match failure {
        Failure::Connect | Failure::Unused => true,
        Failure::Transport => idempotent,
        Failure::Timeout | Failure::Protocol => false,
    }
}

/// An error with its causes. hyper's errors never hold the URL (which holds the challenge).
pub fn reason(e: &(dyn std::error::Error + 'static)) -> String {
    let mut reason = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    reason
}

/// An error and its causes.
fn chain<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> + 'a {
    std::iter::successors(Some(e), |&e: &&'a (dyn std::error::Error + 'static)| {
        e.source()
    })
}

/// The I/O errors in an error's chain.
fn io_errors<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a io::Error> + 'a {
    chain(e).filter_map(|e| e.downcast_ref::<io::Error>())
}

/// Sorts a failed exchange for the retry rule. hyper tells a broken message (a parse error) from a
/// broken connection (I/O, closed or cancelled before the answer).
pub fn classify(e: &hyper_util::client::legacy::Error) -> Failure {
    for io in io_errors(e) {
        if io.get_ref().is_some_and(|inner| inner.is::<Unusable>()) {
            return Failure::Unused;
        }
        if io.kind() == io::ErrorKind::TimedOut {
            return Failure::Timeout;
        }
    }
    if e.is_connect() {
        return Failure::Connect;
    }
    let hyper = chain(e).find_map(|e| e.downcast_ref::<hyper::Error>());
    match hyper {
        Some(h) if h.is_parse() || h.is_user() => Failure::Protocol,
        Some(h) if h.is_incomplete_message() || h.is_canceled() || h.is_closed() => {
            Failure::Transport
        }
        _ if io_errors(e).next().is_some() => Failure::Transport,
        _ => Failure::Protocol,
    }
}

/// What a body read failed on: a broken chunked framing is an invalid body, anything else (closed,
/// reset) an interrupted one.
pub fn body_error(call: Call, e: &hyper::Error) -> UpstreamError {
    let invalid = io_errors(e).any(|io| {
        matches!(
            io.kind(),
            io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput
        )
    });
    if invalid {
        call.invalid_body(reason(e))
    } else {
        call.unreachable(reason(e))
    }
}

/// Only `chunked`, alone, or no transfer coding at all: hyper would read `gzip, chunked` as
/// chunked and `gzip` as "until close", and neither is an answer Hydra or Kratos gives. A length
/// beside a transfer coding is how response splitting starts.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_only_where_safe() {
        for idempotent in [true, false] {
            assert!(
                !may_retry(Failure::Timeout, idempotent),
                "a timeout already spent the deadline"
            );
            assert!(
                !may_retry(Failure::Protocol, idempotent),
                "a broken answer is no stale connection"
            );
            assert!(
                may_retry(Failure::Connect, idempotent),
                "nothing was sent: even an accept may go again"
            );
        }
        assert!(
            may_retry(Failure::Unused, false),
            "nothing was sent on the dead connection"
        );
        assert!(may_retry(Failure::Transport, true), "a GET may go again");
        assert!(
            !may_retry(Failure::Transport, false),
            "an accept whose answer was lost must not repeat"
        );
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                hyper::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                hyper::header::HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    #[test]
    fn only_plain_chunked_framing_is_accepted() {
        assert_eq!(framing_error(&headers(&[("content-length", "2")])), None);
        assert_eq!(framing_error(&headers(&[])), None);
        assert_eq!(
            framing_error(&headers(&[("transfer-encoding", "Chunked")])),
            None
        );
        for bad in [
            &[("transfer-encoding", "gzip, chunked")][..],
            &[("transfer-encoding", "gzip")],
            &[
                ("transfer-encoding", "chunked"),
                ("transfer-encoding", "chunked"),
            ],
            &[("transfer-encoding", "chunked"), ("content-length", "2")],
        ] {
            assert!(framing_error(&headers(bad)).is_some(), "{bad:?}");
        }
    }
}
