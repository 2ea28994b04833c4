//! How the bridge speaks HTTP to Hydra and Kratos, against a scripted server on a real socket:
//! keep-alive reuse, connections the server closed while idle, dropped answers and which requests
//! go again after one, what a request carries, and https going through TLS. Bodies are in
//! `upstream_bodies.rs`.

use crate::fakes::scripted;

use std::time::Duration;

use super::upstream_client;
use kratos_hydra_bridge::ory::http::{Base, Call, ErrorKind, Request, Upstream, UpstreamError};
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderValue};
use scripted::{Scripted, Step, ok_json};

const CALL: Call = Call::new("hydra", "test");

pub(super) async fn call(
    upstream: &Upstream,
    base: &Base,
    method: Method,
    path: &str,
) -> Result<(u16, Vec<u8>), UpstreamError> {
    let mut request = Request::new(method.clone(), base, base.target(path));
    if method == Method::PUT {
        request = request.json(br#"{"subject":"s"}"#.to_vec());
    }
    let response = upstream.send(CALL, request).await?;
    let status = response.status().as_u16();
    Ok((status, upstream.read_body(CALL, response)?))
}

pub(super) fn base(upstream: &Upstream, server: &Scripted) -> Base {
    upstream.base(&server.url.parse().unwrap(), HeaderMap::new())
}

/// The client with a body cap of `max_body`, for `server`.
pub(super) fn client(server: &Scripted, max_body: usize) -> (Upstream, Base) {
    let upstream = upstream_client(max_body);
    let base = base(&upstream, server);
    (upstream, base)
}

/// A server that answers `GET /a`, then reads the next request on that connection and drops it
/// unanswered: what a server closing an idle connection at the same moment looks like. Every
/// later request gets `{}`. The client has made its first call.
async fn dropping_the_second_request() -> (Scripted, Upstream, Base) {
    let server = Scripted::start(|n, _| match n {
        1 => vec![Step::Close],
        _ => vec![ok_json("{}")],
    })
    .await;
    let (upstream, base) = client(&server, 1024);
    call(&upstream, &base, Method::GET, "/a").await.unwrap();
    (server, upstream, base)
}

#[tokio::test]
async fn sequential_calls_share_one_connection() {
    let server = Scripted::start(|n, _| vec![ok_json(&format!("{{\"n\":{n}}}"))]).await;
    let (upstream, base) = client(&server, 1024);
    for n in 0..5 {
        let (status, body) = call(&upstream, &base, Method::GET, "/a").await.unwrap();
        assert_eq!((status, body), (200, format!("{{\"n\":{n}}}").into_bytes()));
    }
    assert_eq!(
        server.connections(),
        1,
        "keep-alive: one connection for all"
    );
    assert_eq!(server.requests().len(), 5);
}

#[tokio::test]
async fn a_connection_the_server_closed_while_idle_is_not_used_even_for_a_put() {
    // The server answers, then drops the idle connection shortly after.
    let server = Scripted::start(|_, _| vec![ok_json("{}"), Step::Pause(20), Step::Close]).await;
    let (upstream, base) = client(&server, 1024);
    call(&upstream, &base, Method::GET, "/first").await.unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    // A PUT not marked repeatable is never sent twice, so the closed connection must be noticed
    // before sending.
    let (status, _) = call(&upstream, &base, Method::PUT, "/accept")
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        server.requests(),
        ["GET /first HTTP/1.1", "PUT /accept HTTP/1.1"],
        "the PUT went once, on a new connection"
    );
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn a_get_on_a_connection_dropped_without_answer_goes_again() {
    let (server, upstream, base) = dropping_the_second_request().await;
    let (status, _) = call(&upstream, &base, Method::GET, "/b").await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        server.requests(),
        ["GET /a HTTP/1.1", "GET /b HTTP/1.1", "GET /b HTTP/1.1"]
    );
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn a_put_not_marked_repeatable_on_a_dropped_connection_is_not_sent_again() {
    let (server, upstream, base) = dropping_the_second_request().await;
    let lost = call(&upstream, &base, Method::PUT, "/accept").await;
    assert_fails_with!(lost, ErrorKind::Unreachable(_));
    assert_eq!(server.requests().len(), 2, "the PUT was sent once");
}

#[tokio::test]
async fn a_repeatable_put_on_a_connection_dropped_without_answer_goes_again_on_a_new_one() {
    let (server, upstream, base) = dropping_the_second_request().await;
    let request = Request::new(Method::PUT, &base, base.target("/accept"))
        .json(b"{}".to_vec())
        .repeatable();
    let response = upstream.send(CALL, request).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        server.requests(),
        [
            "GET /a HTTP/1.1",
            "PUT /accept HTTP/1.1",
            "PUT /accept HTTP/1.1"
        ]
    );
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn a_head_cut_off_midway_counts_as_no_answer() {
    // hyper reports a head cut off midway like no answer at all: a repeatable call goes once more,
    // another does not.
    let server =
        Scripted::start(|_, _| vec![Step::Send(b"HTTP/1.1 200 OK\r\nCont".to_vec()), Step::Close])
            .await;
    let (upstream, base) = client(&server, 1024);
    let request = Request::new(Method::PUT, &base, base.target("/accept"))
        .json(b"{}".to_vec())
        .repeatable();
    let lost = upstream.send(CALL, request).await;
    assert_fails_with!(lost, ErrorKind::Unreachable(_), "{:?}", lost.err());
    assert_eq!(server.requests().len(), 2, "sent once more, and no more");
}

#[tokio::test]
async fn a_put_not_marked_repeatable_whose_head_is_cut_off_is_not_sent_again() {
    let server =
        Scripted::start(|_, _| vec![Step::Send(b"HTTP/1.1 200 OK\r\nCont".to_vec()), Step::Close])
            .await;
    let (upstream, base) = client(&server, 1024);
    let lost = call(&upstream, &base, Method::PUT, "/accept").await;
    assert!(lost.is_err(), "{lost:?}");
    assert_eq!(server.requests().len(), 1, "the PUT was sent once");
}

#[tokio::test]
async fn answers_that_end_the_connection_are_not_reused() {
    let server = Scripted::start(|_, _| {
        vec![Step::Send(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}".to_vec(),
        )]
    })
    .await;
    let (upstream, base) = client(&server, 1024);
    for _ in 0..3 {
        let (_, body) = call(&upstream, &base, Method::GET, "/d").await.unwrap();
        assert_eq!(body, b"{}");
    }
    assert_eq!(server.connections(), 3);
}

#[tokio::test]
async fn requests_carry_host_length_headers_and_the_base_path() {
    let server =
        Scripted::start(|_, _| vec![Step::Send(b"HTTP/1.1 204 No Content\r\n\r\n".to_vec())]).await;
    let mut headers = HeaderMap::new();
    headers.insert("authorization", HeaderValue::from_static("Bearer t"));
    let upstream = upstream_client(1024);
    let url = format!("{}prefix/", server.url).parse().unwrap();
    let base = upstream.base(&url, headers);
    let request = Request::new(Method::PUT, &base, base.target("/x?c=a%20b"))
        .cookie(HeaderValue::from_static("ory_kratos_session=v"))
        .json(br#"{"subject":"s"}"#.to_vec());
    let response = upstream.send(CALL, request).await.unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(upstream.read_body(CALL, response).unwrap(), b"");
    // And a PUT without a body says so.
    let request = Request::new(Method::PUT, &base, base.target("/y"));
    upstream.send(CALL, request).await.unwrap();

    let seen = server.seen();
    assert_eq!(seen[0].line(), "PUT /prefix/x?c=a%20b HTTP/1.1");
    let authority = server
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/');
    assert_eq!(seen[0].header("host"), Some(authority));
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    assert_eq!(seen[0].header("content-length"), Some("15"));
    assert_eq!(seen[0].header("authorization"), Some("Bearer t"));
    assert_eq!(seen[0].header("cookie"), Some("ory_kratos_session=v"));
    assert!(
        seen[0]
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("kratos-hydra-bridge/"))
    );
    assert_eq!(seen[0].body, br#"{"subject":"s"}"#);
    assert_eq!(seen[1].line(), "PUT /prefix/y HTTP/1.1");
    assert_eq!(seen[1].header("content-length"), Some("0"));
}

#[tokio::test]
async fn an_https_upstream_goes_through_tls() {
    // A plain HTTP server behind an https URL: the TLS handshake fails, and no request line
    // ever reaches it in the clear.
    let server = Scripted::start(|_, _| vec![ok_json("{}")]).await;
    let url = server.url.replace("http://", "https://");
    let upstream = upstream_client(1024);
    let base = upstream.base(&url.parse().unwrap(), HeaderMap::new());
    let result = call(&upstream, &base, Method::GET, "/secret").await;
    assert_fails_with!(result, ErrorKind::Unreachable(_) | ErrorKind::Timeout);
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[tokio::test]
async fn errors_never_carry_the_url() {
    // The query holds the challenge; reqwest's errors name the URL unless told not to.
    let server = Scripted::start(|_, _| vec![Step::Close]).await;
    let upstream = upstream_client(1024);
    let closed = crate::support::closed_port_url().parse().unwrap();
    for base in [
        base(&upstream, &server),
        upstream.base(&closed, HeaderMap::new()),
    ] {
        let error = call(&upstream, &base, Method::GET, "/x?login_challenge=SECRET")
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                UpstreamError {
                    kind: ErrorKind::Unreachable(_),
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(
            !format!("{error} {error:?}").contains("SECRET"),
            "{error:?}"
        );
    }
}
