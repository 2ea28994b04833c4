//! A raw TCP server for faults no HTTP framework will produce: a connection closed before any
//! answer, or an answer cut off in the middle of its body.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the server does with the n-th request (counted from 0).
pub enum RawAnswer {
    /// Close the connection without a byte.
    Close,
    /// Send these bytes, then close.
    Send(String),
}

pub struct RawServer {
    pub url: String,
    requests: Arc<Mutex<Vec<String>>>,
    count: Arc<AtomicUsize>,
}

/// A complete JSON answer.
pub fn json_answer(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// An answer that promises more body than it sends.
pub fn truncated_answer(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.len() + 500,
        body
    )
}

impl RawServer {
    pub async fn start(answer: impl Fn(usize, &str) -> RawAnswer + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let count = Arc::new(AtomicUsize::new(0));
        let (requests2, count2) = (requests.clone(), count.clone());
        let answer = Arc::new(answer);
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (requests, count, answer) = (requests2.clone(), count2.clone(), answer.clone());
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 65536];
                    let mut read = 0;
                    // Read the head (and a small body, if any) of one request.
                    loop {
                        match socket.read(&mut buf[read..]).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => read += n,
                        }
                        if buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                            break;
                        }
                    }
                    let head = String::from_utf8_lossy(&buf[..read]).to_string();
                    let line = head.lines().next().unwrap_or_default().to_string();
                    let n = count.fetch_add(1, Ordering::SeqCst);
                    requests.lock().unwrap().push(line.clone());
                    if let RawAnswer::Send(bytes) = answer(n, &line) {
                        let _ = socket.write_all(bytes.as_bytes()).await;
                        let _ = socket.flush().await;
                    }
                    let _ = socket.shutdown().await;
                });
            }
        });
        Self {
            url,
            requests,
            count,
        }
    }

    /// Request lines ("GET /path HTTP/1.1") in arrival order.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}
