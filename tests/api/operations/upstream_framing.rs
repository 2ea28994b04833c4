//! Answers framed two ways at once (a length beside `Transfer-Encoding: chunked`, or a coding
//! stacked on chunked) are refused, and the connection that carried one is never used again, even
//! when hyper would have kept it: its pool is replaced.

use crate::fakes::scripted;

use std::sync::Arc;

use kratos_hydra_bridge::config::UpstreamSettings;
use kratos_hydra_bridge::metrics::Metrics;
use kratos_hydra_bridge::ory::http::{Call, ErrorKind, Request, Upstream};
use reqwest::Method;
use reqwest::header::HeaderMap;
use scripted::{Scripted, Step, ok_json};

const CALL: Call = Call::new("hydra", "test");

/// The first answer is `first`, each later one `{"n":N}` with N the request's number.
async fn after(first: &'static [u8], method: Method) {
    let server = Scripted::start(move |n, _| match n {
        0 => vec![Step::Send(first.to_vec())],
        _ => vec![ok_json(&format!("{{\"n\":{n}}}"))],
    })
    .await;
    let what = String::from_utf8_lossy(first);
    let settings = UpstreamSettings::default();
    let upstream = Upstream::new(&settings, Arc::new(Metrics::new())).unwrap();
    let base = upstream.base(&server.url.parse().unwrap(), HeaderMap::new());
    let mut request = Request::new(method.clone(), &base, base.target("/first"));
    if method == Method::PUT {
        request = request.json(b"{}".to_vec()).repeatable();
    }
    let result = upstream.send(CALL, request).await;
    assert_fails_with!(
        result,
        ErrorKind::Protocol(_),
        "{what:?}: {:?}",
        result.err()
    );
    assert_eq!(server.requests().len(), 1, "{what:?}: sent once");
    for n in 1..3 {
        let request = Request::new(Method::GET, &base, base.target("/next"));
        let response = upstream.send(CALL, request).await.unwrap();
        let body = upstream.read_body(CALL, response).unwrap();
        assert_eq!(body, format!("{{\"n\":{n}}}").as_bytes(), "{what:?}");
    }
    assert_eq!(
        server.connections(),
        2,
        "{what:?}: a new connection after the refused answer, kept for the next call"
    );
}

#[tokio::test]
async fn a_length_beside_chunks_leaves_no_connection_behind() {
    for first in [
        // The whole chunked body is the last chunk: hyper finishes it the moment the answer is
        // dropped and would keep the connection.
        &b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"[..],
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 7\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    ] {
        after(first, Method::PUT).await;
        after(first, Method::GET).await;
    }
}

#[tokio::test]
async fn stacked_codings_leave_no_connection_behind() {
    for first in [
        &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"[..],
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ] {
        after(first, Method::GET).await;
    }
}
