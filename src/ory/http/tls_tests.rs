//! https upstreams against a TLS server on plain threads (outside the test's runtime), with a test
//! certificate authority: connections are reused although the server sends TLS records of its own
//! (session tickets), an answer nobody asked for is found under TLS too, and a certificate from
//! another authority is refused.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use reqwest::Method;
use reqwest::header::HeaderMap;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::UpstreamSettings;
use crate::metrics::Metrics;
use crate::ory::http::{Base, Call, ErrorKind, Request, Upstream, UpstreamError, client};

const CA: &[u8] = include_bytes!("testdata/test-ca.pem");
const CERT: &[u8] = include_bytes!("testdata/test-localhost.pem");
const KEY: &[u8] = include_bytes!("testdata/test-localhost.key");

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn answer(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Request lines, each with the number of the connection it came on.
type Log = Arc<Mutex<Vec<(usize, String)>>>;

/// A TLS server answering each request with its request line. With `stray`, after the first
/// answer it waits for the signal, sends an answer nobody asked for and says so.
fn tls_server(mut stray: Option<(mpsc::Receiver<()>, mpsc::Sender<()>)>) -> (String, Log) {
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from_pem_slice(CERT).unwrap()],
            PrivateKeyDer::from_pem_slice(KEY).unwrap(),
        )
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}/", listener.local_addr().unwrap());
    let log: Log = Arc::default();
    let seen = log.clone();
    std::thread::spawn(move || {
        for (n, tcp) in listener.incoming().enumerate() {
            let Ok(tcp) = tcp else { return };
            let connection = rustls::ServerConnection::new(config.clone()).unwrap();
            let (seen, mut stray) = (seen.clone(), stray.take());
            std::thread::spawn(move || {
                let mut tls = rustls::StreamOwned::new(connection, tcp);
                let mut buf = Vec::new();
                loop {
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        let mut chunk = [0u8; 4096];
                        match tls.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(k) => buf.extend_from_slice(&chunk[..k]),
                        }
                    }
                    let line = String::from_utf8_lossy(&buf)
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    buf.clear();
                    seen.lock().unwrap().push((n, line.clone()));
                    tls.write_all(&answer(&line)).unwrap();
                    if let Some((go, sent)) = stray.take() {
                        go.recv().unwrap();
                        tls.write_all(&answer("stray")).unwrap();
                        sent.send(()).unwrap();
                    }
                }
            });
        }
    });
    (url, log)
}

fn upstream() -> Upstream {
    let settings = UpstreamSettings {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(2),
        max_body_bytes: 4096,
    };
    let root = reqwest::Certificate::from_pem(CA).unwrap();
    Upstream {
        fresh: client(settings.connect_timeout, Some(&root), 0).unwrap(),
        root: Some(root),
        ..Upstream::new(&settings, Arc::new(Metrics::new())).unwrap()
    }
}

fn base(upstream: &Upstream, url: &str) -> Base {
    upstream.base(&url.parse().unwrap(), HeaderMap::new())
}

async fn call(upstream: &Upstream, base: &Base, method: Method, path: &str) -> String {
    const CALL: Call = Call::new("hydra", "test");
    let mut request = Request::new(method.clone(), base, base.target(path));
    if method == Method::PUT {
        request = request.json(b"{}".to_vec());
    }
    let response = upstream.send(CALL, request).await.unwrap();
    let body = upstream.read_body(CALL, response).unwrap();
    String::from_utf8(body).unwrap()
}

#[tokio::test]
async fn https_connections_are_reused() {
    let (url, log) = tls_server(None);
    let upstream = upstream();
    let base = base(&upstream, &url);
    for n in 0..4 {
        let path = format!("/{n}");
        let body = call(&upstream, &base, Method::GET, &path).await;
        assert_eq!(body, format!("GET {path} HTTP/1.1"));
        // Time for the server's session tickets to arrive while the connection is idle.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let connections: Vec<usize> = log.lock().unwrap().iter().map(|(c, _)| *c).collect();
    assert_eq!(connections, [0, 0, 0, 0], "one connection for all");
}

#[tokio::test]
async fn an_answer_nobody_asked_for_is_found_under_tls() {
    let (go, go_rx) = mpsc::channel();
    let (sent_tx, sent) = mpsc::channel();
    let (url, log) = tls_server(Some((go_rx, sent_tx)));
    let upstream = upstream();
    let base = base(&upstream, &url);
    assert_eq!(
        call(&upstream, &base, Method::GET, "/1").await,
        "GET /1 HTTP/1.1"
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    go.send(()).unwrap();
    // The test's thread, and with it the runtime, waits while the answer arrives unseen.
    sent.recv().unwrap();
    assert_eq!(
        call(&upstream, &base, Method::PUT, "/2").await,
        "PUT /2 HTTP/1.1"
    );
    assert_eq!(
        *log.lock().unwrap(),
        [
            (0, "GET /1 HTTP/1.1".to_string()),
            (1, "PUT /2 HTTP/1.1".to_string())
        ]
    );
}

#[tokio::test]
async fn a_certificate_from_an_unknown_authority_is_refused() {
    let (url, log) = tls_server(None);
    let settings = UpstreamSettings::default();
    let upstream = Upstream::new(&settings, Arc::new(Metrics::new())).unwrap();
    let base = base(&upstream, &url);
    let request = Request::new(Method::GET, &base, base.target("/"));
    let result = upstream.send(Call::new("hydra", "test"), request).await;
    assert!(
        matches!(
            result,
            Err(UpstreamError {
                kind: ErrorKind::Unreachable(_),
                ..
            })
        ),
        "{:?}",
        result.err()
    );
    assert!(log.lock().unwrap().is_empty());
}
