//! How the bridge speaks HTTP to Hydra and Kratos, against a scripted server on a real socket:
//! keep-alive reuse, connections the server closed while idle, chunked answers, framing it must
//! not trust, and https going through TLS.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kratos_hydra_bridge::config::UpstreamSettings;
use kratos_hydra_bridge::metrics::Metrics;
use kratos_hydra_bridge::upstream::{
    Base, Call, Method, Request, Upstream, UpstreamError, build_tls_client,
};
use reqwest::header::HeaderMap;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does after reading a request.
#[derive(Clone)]
enum Step {
    Send(Vec<u8>),
    Pause(u64),
    /// Close the connection (after the steps before it).
    Close,
}

fn ok_json(body: &str) -> Step {
    Step::Send(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

type Script = dyn Fn(usize, &str) -> Vec<Step> + Send + Sync;

/// A server that answers each request (`n` counts them from 0) with the scripted steps and keeps
/// the connection for the next one unless told to close.
struct Scripted {
    url: String,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Scripted {
    async fn start(script: impl Fn(usize, &str) -> Vec<Step> + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (c, r, script) = (connections.clone(), requests.clone(), Arc::new(script));
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(socket, r.clone(), script.clone()));
            }
        });
        Self {
            url,
            connections,
            requests,
        }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

async fn serve(mut socket: TcpStream, requests: Arc<Mutex<Vec<String>>>, script: Arc<Script>) {
    let mut buf = Vec::new();
    loop {
        // One request: head, then a body of Content-Length bytes.
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 4096];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + length {
            let mut chunk = [0u8; 4096];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf.drain(..head_end + length);
        let line = head.lines().next().unwrap_or_default().to_string();
        let n = {
            let mut requests = requests.lock().unwrap();
            requests.push(line.clone());
            requests.len() - 1
        };
        for step in script(n, &line) {
            match step {
                Step::Send(bytes) => {
                    if socket.write_all(&bytes).await.is_err() {
                        return;
                    }
                }
                Step::Pause(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
                Step::Close => {
                    let _ = socket.shutdown().await;
                    return;
                }
            }
        }
    }
}

fn upstream(max_body: usize) -> Upstream {
    let settings = UpstreamSettings {
        connect_timeout_ms: 1000,
        request_timeout_ms: 2000,
        max_body_bytes: max_body,
    };
    let tls = build_tls_client(&settings).unwrap();
    Upstream::new(&settings, Some(tls), Arc::new(Metrics::new()))
}

const CALL: Call = Call::new("hydra", "test");

async fn call(
    upstream: &Upstream,
    base: &Base,
    method: Method,
    path: &str,
) -> Result<(u16, Vec<u8>), UpstreamError> {
    let headers = HeaderMap::new();
    let mut request = Request::new(method, base, base.target(path), &headers);
    if method == Method::Put {
        request = request.json(br#"{"subject":"s"}"#.to_vec());
    }
    let response = upstream.send(CALL, request).await?;
    let status = response.status().as_u16();
    Ok((status, upstream.read_body(CALL, response)?))
}

#[tokio::test]
async fn sequential_calls_share_one_connection() {
    let server = Scripted::start(|n, _| vec![ok_json(&format!("{{\"n\":{n}}}"))]).await;
    let (upstream, base) = (upstream(1024), Base::new(&server.url.parse().unwrap()));
    for n in 0..5 {
        let (status, body) = call(&upstream, &base, Method::Get, "/a").await.unwrap();
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
async fn a_connection_the_server_closed_while_idle_is_not_used_even_for_an_accept() {
    // The server answers, then drops the idle connection shortly after.
    let server = Scripted::start(|_, _| vec![ok_json("{}"), Step::Pause(20), Step::Close]).await;
    let (upstream, base) = (upstream(1024), Base::new(&server.url.parse().unwrap()));
    call(&upstream, &base, Method::Get, "/first").await.unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    // A PUT is never sent twice, so the closed connection must be noticed before sending.
    let (status, _) = call(&upstream, &base, Method::Put, "/accept")
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        server.requests(),
        ["GET /first HTTP/1.1", "PUT /accept HTTP/1.1"],
        "the accept went once, on a new connection"
    );
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn a_get_on_a_connection_dropped_without_answer_goes_again_at_once() {
    // The second request on the first connection is read and dropped unanswered: what a server
    // closing an idle connection at the same moment looks like.
    let server = Scripted::start(|n, _| match n {
        1 => vec![Step::Close],
        _ => vec![ok_json("{}")],
    })
    .await;
    let (upstream, base) = (upstream(1024), Base::new(&server.url.parse().unwrap()));
    call(&upstream, &base, Method::Get, "/a").await.unwrap();
    let started = std::time::Instant::now();
    let (status, _) = call(&upstream, &base, Method::Get, "/b").await.unwrap();
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < Duration::from_millis(50),
        "a reused connection's loss is not an upstream failure: no backoff"
    );
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn an_accept_on_a_connection_dropped_without_answer_is_not_repeated() {
    let server = Scripted::start(|n, _| match n {
        1 => vec![Step::Close],
        _ => vec![ok_json("{}")],
    })
    .await;
    let (upstream, base) = (upstream(1024), Base::new(&server.url.parse().unwrap()));
    call(&upstream, &base, Method::Get, "/a").await.unwrap();
    let lost = call(&upstream, &base, Method::Put, "/accept").await;
    assert!(
        matches!(lost, Err(UpstreamError::Unreachable { .. })),
        "{lost:?}"
    );
    assert_eq!(server.requests().len(), 2, "the accept was sent once");
}

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
    let (upstream, base) = (upstream(1024), Base::new(&server.url.parse().unwrap()));
    for _ in 0..2 {
        let (status, body) = call(&upstream, &base, Method::Get, "/c").await.unwrap();
        assert_eq!((status, body.as_slice()), (200, &b"{\"a\":12}"[..]));
    }
    assert_eq!(
        server.connections(),
        1,
        "a chunked answer leaves the connection reusable"
    );
}

#[tokio::test]
async fn answers_that_end_the_connection_or_overrun_their_length_are_not_reused() {
    let server = Scripted::start(|n, _| match n % 2 {
        0 => vec![Step::Send(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}".to_vec(),
        )],
        _ => vec![Step::Send(
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}EXTRA".to_vec(),
        )],
    })
    .await;
    let (upstream, base) = (upstream(1024), Base::new(&server.url.parse().unwrap()));
    for _ in 0..4 {
        let (_, body) = call(&upstream, &base, Method::Get, "/d").await.unwrap();
        assert_eq!(body, b"{}");
    }
    assert_eq!(server.connections(), 4);
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
    let (upstream, base) = (upstream(1000), Base::new(&server.url.parse().unwrap()));
    let result = call(&upstream, &base, Method::Get, "/big").await;
    assert!(
        matches!(result, Err(UpstreamError::TooLarge { limit: 1000, .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_body_without_length_is_held_to_the_cap_too() {
    // The whole body arrives with the head, then the server closes.
    let server = Scripted::start(|_, _| {
        let mut answer = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
        answer.extend_from_slice(&[b'a'; 5000]);
        vec![Step::Send(answer), Step::Close]
    })
    .await;
    let (upstream, base) = (upstream(1000), Base::new(&server.url.parse().unwrap()));
    let result = call(&upstream, &base, Method::Get, "/big").await;
    assert!(
        matches!(result, Err(UpstreamError::TooLarge { limit: 1000, .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn requests_carry_host_length_and_the_base_path() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let record = seen.clone();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 4096];
        let mut read = 0;
        while !buf[..read].ends_with(b"{\"subject\":\"s\"}") {
            read += socket.read(&mut buf[read..]).await.unwrap();
        }
        record.lock().unwrap().extend_from_slice(&buf[..read]);
        let _ = socket.write_all(b"HTTP/1.1 204 No Content\r\n\r\n").await;
    });
    let base = Base::new(&format!("http://127.0.0.1:{port}/prefix/").parse().unwrap());
    let (status, body) = call(&upstream(1024), &base, Method::Put, "/x?c=a%20b")
        .await
        .unwrap();
    assert_eq!((status, body.len()), (204, 0));
    let text = String::from_utf8(seen.lock().unwrap().clone()).unwrap();
    assert!(
        text.starts_with("PUT /prefix/x?c=a%20b HTTP/1.1\r\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("\r\nHost: 127.0.0.1:{port}\r\n")),
        "{text}"
    );
    assert!(text.contains("\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n"));
}

#[tokio::test]
async fn an_https_upstream_goes_through_tls() {
    // A plain HTTP server behind an https URL: the TLS handshake fails, and no request line
    // ever reaches it in the clear.
    let server = Scripted::start(|_, _| vec![ok_json("{}")]).await;
    let url = server.url.replace("http://", "https://");
    let (upstream, base) = (upstream(1024), Base::new(&url.parse().unwrap()));
    let result = call(&upstream, &base, Method::Get, "/secret").await;
    assert!(
        matches!(
            result,
            Err(UpstreamError::Unreachable { .. } | UpstreamError::Timeout { .. })
        ),
        "{result:?}"
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}
