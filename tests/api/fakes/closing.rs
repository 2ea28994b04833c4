//! A raw keep-alive HTTP/1.1 server that closes each connection silently a moment after its answer
//! (no `Connection: close`), as a server shutting down gracefully in a rolling deploy does: a client
//! that reuses the connection finds it closing, or closed, under its next request. A request that
//! arrives in that moment is left unanswered.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

type Answer = dyn Fn(&str) -> String + Send + Sync;

pub struct ClosingServer {
    pub url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl ClosingServer {
    /// `answer(request_line)` gives the whole answer; the n-th connection closes n % 4 ms (0–3 ms)
    /// after it.
    pub async fn start(answer: impl Fn(&str) -> String + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let opened = AtomicUsize::new(0);
        let seen = requests.clone();
        let answer: Arc<Answer> = Arc::new(answer);
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let n = opened.fetch_add(1, Ordering::SeqCst);
                let (seen, answer) = (seen.clone(), answer.clone());
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(k) => buf.extend_from_slice(&chunk[..k]),
                        }
                    }
                    let head = String::from_utf8_lossy(&buf).to_string();
                    let line = head.lines().next().unwrap_or_default().to_string();
                    seen.lock().unwrap().push(line.clone());
                    let _ = socket.write_all(answer(&line).as_bytes()).await;
                    tokio::time::sleep(Duration::from_millis(n as u64 % 4)).await;
                    // Dropped unread: whatever came after the answer is never answered.
                });
            }
        });
        Self { url, requests }
    }

    /// Request lines ("GET /path HTTP/1.1") in arrival order.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

/// A complete JSON answer that keeps the connection open, as far as its headers say.
pub fn keep_alive_answer(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}
