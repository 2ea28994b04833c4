//! Several runtimes sharing the clients, as the bridge's workers do (each its own runtime): an
//! answer nobody asked for that reached a connection made on one runtime, while that runtime was
//! busy, never reaches a call made on another.

use std::sync::{Arc, mpsc};
use std::time::Duration;

use super::upstream_misbehaving::{session_of, threaded_server};
use kratos_hydra_bridge::config::UpstreamSettings;
use kratos_hydra_bridge::metrics::Metrics;
use kratos_hydra_bridge::ory::http::{Call, Request, Upstream};
use reqwest::Method;
use reqwest::header::HeaderMap;

const CALL: Call = Call::new("kratos", "test");

async fn get(
    upstream: &Upstream,
    base: &kratos_hydra_bridge::ory::http::Base,
    path: &str,
) -> String {
    let request = Request::new(Method::GET, base, base.target(path));
    let response = upstream.send(CALL, request).await.unwrap();
    String::from_utf8(upstream.read_body(CALL, response).unwrap()).unwrap()
}

#[tokio::test]
async fn an_answer_nobody_asked_for_on_another_runtimes_connection_is_never_delivered() {
    let (go, go_rx) = mpsc::channel();
    let (sent_tx, sent) = mpsc::channel();
    let (url, _log) = threaded_server(go_rx, sent_tx, false);
    let upstream = Upstream::new(&UpstreamSettings::default(), Arc::new(Metrics::new())).unwrap();
    let base = Arc::new(upstream.base(&url.parse().unwrap(), HeaderMap::new()));

    // The other worker: its first call leaves a pooled connection whose task runs on its runtime;
    // then it is busy (blocked) until told to go on.
    let (ready_tx, ready) = mpsc::channel();
    let (resume, resume_rx) = mpsc::channel::<()>();
    let (up, b) = (upstream.clone(), base.clone());
    let worker = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            assert_eq!(
                get(&up, &b, "/user-1").await,
                session_of("GET /user-1 HTTP/1.1")
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
            ready_tx.send(()).unwrap();
            resume_rx.recv().unwrap();
            // Idle again, so that whatever is queued on this runtime runs.
            tokio::time::sleep(Duration::from_millis(200)).await;
        });
    });
    ready.recv().unwrap();
    go.send(()).unwrap();
    sent.recv().unwrap();

    // This runtime's call, while the other is still busy.
    let (answer, ()) = tokio::join!(get(&upstream, &base, "/user-2"), async {
        tokio::time::sleep(Duration::from_millis(30)).await;
        resume.send(()).unwrap();
    });
    assert_eq!(answer, session_of("GET /user-2 HTTP/1.1"));
    worker.join().unwrap();
}
