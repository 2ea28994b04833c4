//! The page when Hydra or Kratos fails: the error page, with its status, within the deadline.

use std::time::{Duration, Instant};

use super::*;

#[tokio::test]
async fn hydra_down_gives_the_error_page() {
    let (app, cookie) = with_grants(bridge()).await;
    app.hydra.fault_on(SESSIONS, Some(Fault::Status(503)));
    let response = app.get("/apps", Some(&cookie)).await;
    assert_page(response, 502, "Error 502").await;
}

#[tokio::test]
async fn hydra_too_slow_gives_the_timeout_page_within_the_deadline() {
    let builder = bridge().env("BRIDGE__SERVE__REQUEST_TIMEOUT_MS", "1000");
    let (app, cookie) = with_grants(builder).await;
    app.hydra.fault_on(SESSIONS, Some(Fault::Hang));
    let started = Instant::now();
    let response = app.get("/apps", Some(&cookie)).await;
    assert_eq!(response.status(), 504);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_withdrawal_hydra_does_not_confirm_in_time_is_reported_before_the_deadline() {
    let builder = bridge().env("BRIDGE__SERVE__REQUEST_TIMEOUT_MS", "3000");
    let (app, cookie) = with_grants(builder).await;
    let list = app.open_form("/apps", Some(&cookie)).await;
    // Each call now takes 1 s: the two lists leave too little time for a revocation.
    app.hydra
        .fault_on(SESSIONS, Some(Fault::Delay(Duration::from_millis(1000))));
    let started = Instant::now();
    let (status, html) = posted(&app, &list, &cookie, &ALL).await;
    // A 502 and not the deadline's 504: the bridge answered before its own deadline. The clock
    // here only guards against a hang (a loaded machine adds its own delays).
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(status, 502, "the page says what happened, not a bare 504");
    assert!(html.contains("Access was not withdrawn"), "{html}");
    assert!(
        html.contains("Acme Shop") && html.contains("Blog"),
        "{html}"
    );
}

#[tokio::test]
async fn kratos_down_gives_the_error_page() {
    let app = bridge().spawn().await;
    let cookie = person(&app);
    app.kratos.set_fault(Some(Fault::Status(500)));
    let response = app.get("/apps", Some(&cookie)).await;
    assert_eq!(response.status(), 502);
    assert!(session_calls(&app).is_empty());
}
