//! How the bridge reads an answer's body from Hydra and Kratos, against a scripted server on a
//! real socket: chunked however it arrives, broken chunks, the body cap with a length or without
//! one, and a body that stalls past the call's deadline.

use crate::fakes::scripted;

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::upstream::{base, call, client};
use kratos_hydra_bridge::config::UpstreamSettings;
use kratos_hydra_bridge::metrics::Metrics;
use kratos_hydra_bridge::ory::http::{ErrorKind, Upstream};
use reqwest::Method;
use scripted::{Scripted, Step, ok_json};

#[tokio::test]
async fn chunked_answers_are_decoded_however_they_arrive() {
    let server = Scripted::start(|_, _| {
        vec![
            Step::Send(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":".to_vec(),
            ),
            Step::Pause(10),
            Step::Send(b"\r\n3;x=y\r\n12}\r\n".to_vec()),
            Step::Pause(10),
            Step::Send(b"0\r\n\r\n".to_vec()),
        ]
    })
    .await;
    let (upstream, base) = client(&server, 1024);
    for _ in 0..2 {
        let (status, body) = call(&upstream, &base, Method::GET, "/c").await.unwrap();
        assert_eq!((status, body.as_slice()), (200, &b"{\"a\":12}"[..]));
    }
    assert_eq!(
        server.connections(),
        1,
        "a chunked answer leaves the connection reusable"
    );
}

#[tokio::test]
async fn broken_chunks_are_an_invalid_body() {
    let server = Scripted::start(|_, _| {
        vec![Step::Send(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n".to_vec(),
        )]
    })
    .await;
    let (upstream, base) = client(&server, 1024);
    let result = call(&upstream, &base, Method::GET, "/c").await;
    assert_fails_with!(result, ErrorKind::InvalidBody(_));
}

#[tokio::test]
async fn a_chunked_body_over_the_cap_is_refused() {
    let server = Scripted::start(|_, _| {
        let mut answer = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..20 {
            answer.extend_from_slice(b"40\r\n");
            answer.extend_from_slice(&[b'a'; 64]);
            answer.extend_from_slice(b"\r\n");
        }
        answer.extend_from_slice(b"0\r\n\r\n");
        vec![Step::Send(answer)]
    })
    .await;
    let (upstream, base) = client(&server, 1000);
    let result = call(&upstream, &base, Method::GET, "/big").await;
    assert_fails_with!(result, ErrorKind::TooLarge(1000));
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused_by_its_length_or_without_one() {
    let server = Scripted::start(|n, _| {
        let body = "a".repeat(5000);
        if n == 0 {
            vec![ok_json(&body)]
        } else {
            // No length: the body runs until the server closes.
            let mut answer = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
            answer.extend_from_slice(body.as_bytes());
            vec![Step::Send(answer), Step::Close]
        }
    })
    .await;
    let (upstream, base) = client(&server, 1000);
    for _ in 0..2 {
        let result = call(&upstream, &base, Method::GET, "/big").await;
        assert_fails_with!(result, ErrorKind::TooLarge(1000));
    }
}

#[tokio::test]
async fn a_body_that_stalls_past_the_deadline_is_a_timeout() {
    let server = Scripted::start(|_, _| {
        let head = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"a\"";
        vec![Step::Send(head.to_vec()), Step::Pause(3000)]
    })
    .await;
    let settings = UpstreamSettings {
        request_timeout: Duration::from_millis(300),
        ..UpstreamSettings::default()
    };
    let upstream = Upstream::new(&settings, Arc::new(Metrics::new())).unwrap();
    let started = Instant::now();
    let result = call(&upstream, &base(&upstream, &server), Method::GET, "/slow").await;
    assert_fails_with!(result, ErrorKind::Timeout);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}
