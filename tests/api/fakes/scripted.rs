//! A raw HTTP/1.1 server on a real socket that answers each request with scripted bytes: for what
//! no HTTP framework sends (answers nobody asked for, protocol switches, odd framing, broken heads).
//! It keeps a connection for the next request unless the script closes it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does after reading a request.
#[derive(Clone)]
pub enum Step {
    Send(Vec<u8>),
    Pause(u64),
    /// Close the connection (after the steps before it).
    Close,
}

/// A complete answer with a length.
pub fn answer(status: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

pub fn ok_json(body: &str) -> Step {
    Step::Send(answer("200 OK", body))
}

type Script = dyn Fn(usize, &str) -> Vec<Step> + Send + Sync;

/// One request as it arrived: head (request line and headers) and body.
#[derive(Debug, Clone)]
pub struct Seen {
    pub head: String,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn line(&self) -> &str {
        self.head.lines().next().unwrap_or_default()
    }

    /// A header's value, the name matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

pub struct Scripted {
    pub url: String,
    connections: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Scripted {
    /// `script(n, request_line)` gives the steps for the n-th request (from 0, over all connections).
    pub async fn start(script: impl Fn(usize, &str) -> Vec<Step> + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (c, r, script) = (connections.clone(), seen.clone(), Arc::new(script));
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(socket, r.clone(), script.clone()));
            }
        });
        Self {
            url,
            connections,
            seen,
        }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Request lines ("GET /path HTTP/1.1") in arrival order.
    pub fn requests(&self) -> Vec<String> {
        self.seen().iter().map(|s| s.line().to_string()).collect()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn read_more(socket: &mut TcpStream, buf: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 4096];
    match socket.read(&mut chunk).await {
        Ok(0) | Err(_) => false,
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            true
        }
    }
}

async fn serve(mut socket: TcpStream, seen: Arc<Mutex<Vec<Seen>>>, script: Arc<Script>) {
    let mut buf = Vec::new();
    loop {
        // One request: head, then a body of Content-Length bytes.
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            if !read_more(&mut socket, &mut buf).await {
                return;
            }
        };
        let mut request = Seen {
            head: String::from_utf8_lossy(&buf[..head_end]).to_string(),
            body: Vec::new(),
        };
        let length: usize = request
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + length {
            if !read_more(&mut socket, &mut buf).await {
                return;
            }
        }
        request.body = buf[head_end..head_end + length].to_vec();
        buf.drain(..head_end + length);
        let line = request.line().to_string();
        let n = {
            let mut seen = seen.lock().unwrap();
            seen.push(request);
            seen.len() - 1
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
