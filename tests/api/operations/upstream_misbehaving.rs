//! An upstream that misbehaves on the wire, against a scripted server on a real socket: answers
//! nobody asked for must never reach a later call, a connection that received them is not reused,
//! and a protocol switch, an odd transfer coding or a malformed head is a clean error that no
//! call repeats as if the connection had merely gone stale.

use crate::fakes::scripted;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use super::upstream_client;
use kratos_hydra_bridge::ory::http::{Call, ErrorKind, Request, Upstream, UpstreamError};
use reqwest::Method;
use reqwest::header::HeaderMap;
use scripted::{Scripted, Step, answer, ok_json};

const CALL: Call = Call::new("kratos", "test");

async fn call(
    upstream: &Upstream,
    server: &Scripted,
    method: Method,
    path: &str,
) -> Result<(u16, String), UpstreamError> {
    let base = upstream.base(&server.url.parse().unwrap(), HeaderMap::new());
    let mut request = Request::new(method.clone(), &base, base.target(path));
    if method == Method::PUT {
        request = request.json(b"{}".to_vec());
    }
    let response = upstream.send(CALL, request).await?;
    let status = response.status().as_u16();
    let body = upstream.read_body(CALL, response)?;
    Ok((status, String::from_utf8(body).unwrap()))
}

/// The session of the user whose request this is: the path names them.
pub fn session_of(line: &str) -> String {
    let user = line
        .split(' ')
        .nth(1)
        .unwrap_or_default()
        .trim_start_matches('/');
    format!("{{\"identity\":\"{user}\"}}")
}

pub const SOMEONE_ELSE: &str = "{\"identity\":\"someone-else\"}";

#[tokio::test]
async fn an_answer_nobody_asked_for_is_never_delivered_to_a_later_call() {
    // Every answer comes with a second one behind it in the same write, as from an upstream (or
    // a proxy in front of it) that answers twice.
    let server = Scripted::start(|_, line| {
        let mut bytes = answer("200 OK", &session_of(line));
        bytes.extend_from_slice(&answer("200 OK", SOMEONE_ELSE));
        vec![Step::Send(bytes)]
    })
    .await;
    let upstream = upstream_client(4096);
    for n in 0..60 {
        let user = format!("user-{n}");
        let (status, body) = call(&upstream, &server, Method::GET, &format!("/{user}"))
            .await
            .unwrap();
        assert_eq!(
            (status, body),
            (200, format!("{{\"identity\":\"{user}\"}}")),
            "call {n}"
        );
    }
    assert_eq!(
        server.connections(),
        60,
        "no connection with an extra answer on it is used again"
    );
}

#[tokio::test]
async fn a_pooled_connection_that_received_unsolicited_bytes_is_not_reused() {
    // The extra answer comes a little later, while the connection waits in the pool.
    let server = Scripted::start(|_, line| {
        vec![
            ok_json(&session_of(line)),
            Step::Pause(20),
            Step::Send(answer("200 OK", SOMEONE_ELSE)),
        ]
    })
    .await;
    let upstream = upstream_client(4096);
    for n in 0..5 {
        let user = format!("user-{n}");
        let (_, body) = call(&upstream, &server, Method::GET, &format!("/{user}"))
            .await
            .unwrap();
        assert_eq!(body, format!("{{\"identity\":\"{user}\"}}"), "call {n}");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    // A PUT not marked repeatable is never sent twice, so it must not even start on such a
    // connection.
    let (_, body) = call(&upstream, &server, Method::PUT, "/accept")
        .await
        .unwrap();
    assert_eq!(body, session_of("PUT /accept HTTP/1.1"));
    assert_eq!(server.connections(), 6);
    assert_eq!(server.requests().len(), 6, "every call went once");
}

/// Request lines, each with the number of the connection it came on (from 0).
pub type Log = Arc<Mutex<Vec<(usize, String)>>>;

/// A server on plain threads, outside the test's runtime: it answers every request with the session
/// its path names; after the first answer it waits for `go`, sends an answer nobody asked for on
/// that connection (or closes it, with `close`), and says so on `sent`.
pub fn threaded_server(
    go: mpsc::Receiver<()>,
    sent: mpsc::Sender<()>,
    close: bool,
) -> (String, Log) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let log: Log = Arc::default();
    let seen = log.clone();
    std::thread::spawn(move || {
        let mut stray = Some((go, sent));
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { return };
            let (seen, mut stray) = (seen.clone(), stray.take());
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                loop {
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        let mut chunk = [0u8; 4096];
                        match stream.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(k) => buf.extend_from_slice(&chunk[..k]),
                        }
                    }
                    let head = String::from_utf8_lossy(&buf).to_string();
                    buf.clear();
                    let line = head.lines().next().unwrap_or_default().to_string();
                    seen.lock().unwrap().push((n, line.clone()));
                    stream
                        .write_all(&answer("200 OK", &session_of(&line)))
                        .unwrap();
                    if let Some((go, sent)) = stray.take() {
                        go.recv().unwrap();
                        if close {
                            drop(stream);
                            sent.send(()).unwrap();
                            return;
                        }
                        stream.write_all(&answer("200 OK", SOMEONE_ELSE)).unwrap();
                        sent.send(()).unwrap();
                    }
                }
            });
        }
    });
    (url, log)
}

/// The runtime learns that a socket became readable only when it polls for events, and a busy
/// worker may go a while without. Here the test's thread is blocked while the extra answer (or the
/// close) arrives, so the runtime has not seen it when the next call takes the pooled connection.
async fn found_before_a_request_goes_out(close: bool) {
    let (go, go_rx) = mpsc::channel();
    let (sent_tx, sent) = mpsc::channel();
    let (url, log) = threaded_server(go_rx, sent_tx, close);
    let upstream = upstream_client(4096);
    let base = upstream.base(&url.parse().unwrap(), HeaderMap::new());
    let send = |method: Method, path: &str| {
        let mut request = Request::new(method.clone(), &base, base.target(path));
        if method == Method::PUT {
            request = request.json(b"{}".to_vec());
        }
        let upstream = &upstream;
        async move {
            let response = upstream.send(CALL, request).await?;
            let body = upstream.read_body(CALL, response)?;
            Ok::<_, UpstreamError>(String::from_utf8(body).unwrap())
        }
    };
    assert_eq!(
        send(Method::GET, "/user-1").await.unwrap(),
        session_of("GET /user-1 HTTP/1.1")
    );
    // Let the pooled connection settle: hyper now waits for it to become readable.
    tokio::time::sleep(Duration::from_millis(50)).await;
    go.send(()).unwrap();
    sent.recv().unwrap();
    // A PUT not marked repeatable, which is never sent twice: the connection must be refused
    // before it goes out.
    assert_eq!(
        send(Method::PUT, "/user-2").await.unwrap(),
        session_of("PUT /user-2 HTTP/1.1")
    );
    assert_eq!(
        *log.lock().unwrap(),
        [
            (0, "GET /user-1 HTTP/1.1".to_string()),
            (1, "PUT /user-2 HTTP/1.1".to_string())
        ],
        "the PUT went once, on a new connection"
    );
}

#[tokio::test]
async fn bytes_that_arrived_unseen_by_the_runtime_are_found_before_a_request_goes_out() {
    found_before_a_request_goes_out(false).await;
}

#[tokio::test]
async fn a_close_that_arrived_unseen_by_the_runtime_is_found_before_a_request_goes_out() {
    found_before_a_request_goes_out(true).await;
}

/// Answers the first request with `first`, later ones properly.
async fn server_answering_first_with(first: &'static [u8]) -> Scripted {
    Scripted::start(move |n, line| match n {
        0 => vec![Step::Send(first.to_vec())],
        _ => vec![ok_json(&session_of(line))],
    })
    .await
}

/// A call that gets `first` fails with a protocol error, goes out once, and leaves no connection
/// behind: the next call gets its own answer on a new connection.
async fn refused_once_and_not_reused(first: &'static [u8], method: Method) {
    let server = server_answering_first_with(first).await;
    let upstream = upstream_client(4096);
    let result = call(&upstream, &server, method, "/first").await;
    assert_fails_with!(
        result,
        ErrorKind::Protocol(_),
        "{:?}: {result:?}",
        String::from_utf8_lossy(first)
    );
    assert_eq!(
        server.requests().len(),
        1,
        "{:?}: sent once",
        String::from_utf8_lossy(first)
    );
    let (status, body) = call(&upstream, &server, Method::GET, "/next")
        .await
        .unwrap();
    assert_eq!((status, body), (200, session_of("GET /next HTTP/1.1")));
    assert_eq!(server.connections(), 2);
}

const SWITCH: &[u8] =
    b"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n{\"identity\":\"someone-else\"}";

#[tokio::test]
async fn a_protocol_switch_is_a_clean_error() {
    refused_once_and_not_reused(SWITCH, Method::PUT).await;
    refused_once_and_not_reused(SWITCH, Method::GET).await;
}

#[tokio::test]
async fn a_transfer_coding_other_than_plain_chunked_is_a_clean_error() {
    for first in [
        &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"[..],
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 7\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    ] {
        refused_once_and_not_reused(first, Method::PUT).await;
    }
}

#[tokio::test]
async fn a_malformed_head_is_a_clean_error() {
    for first in [
        &b"HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\n{}"[..],
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\n{}",
        b"SSH-2.0-OpenSSH_9.6\r\n",
    ] {
        refused_once_and_not_reused(first, Method::PUT).await;
    }
}

#[tokio::test]
async fn a_malformed_head_on_a_reused_connection_is_not_taken_for_a_stale_one() {
    // A GET may go again after a lost connection; a broken answer is not one.
    let server = Scripted::start(|n, line| match n {
        1 => vec![Step::Send(
            b"HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\n{}".to_vec(),
        )],
        _ => vec![ok_json(&session_of(line))],
    })
    .await;
    let upstream = upstream_client(4096);
    call(&upstream, &server, Method::GET, "/first")
        .await
        .unwrap();
    let result = call(&upstream, &server, Method::GET, "/second").await;
    assert_fails_with!(result, ErrorKind::Protocol(_));
    assert_eq!(
        server.requests(),
        ["GET /first HTTP/1.1", "GET /second HTTP/1.1"]
    );
}
