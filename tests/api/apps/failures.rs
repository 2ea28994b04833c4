//! The page when Hydra or Kratos fails: the error page, with its status, within the deadline.

use std::time::{Duration, Instant};

use super::*;

const SESSIONS: &str = "/admin/oauth2/auth/sessions/consent";

#[tokio::test]
async fn hydra_down_gives_the_error_page() {
    let app = app_with(&[]).await;
    grants(&app);
    app.hydra.fault_on(SESSIONS, Some(Fault::Status(503)));
    let cookie = person(&app);
    let response = app.get("/apps", Some(&cookie)).await;
    assert_eq!(response.status(), 502);
    let html = response.text().await.unwrap();
    assert!(html.contains("Error 502"), "{html}");
    assert!(!html.contains("secret-upstream-body"));
}

#[tokio::test]
async fn hydra_too_slow_gives_the_timeout_page_within_the_deadline() {
    let app = app_with(&[("BRIDGE__SERVE__REQUEST_TIMEOUT_MS", "1000")]).await;
    grants(&app);
    app.hydra.fault_on(SESSIONS, Some(Fault::Hang));
    let cookie = person(&app);
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
    let app = app_with(&[("BRIDGE__SERVE__REQUEST_TIMEOUT_MS", "2000")]).await;
    grants(&app);
    let cookie = person(&app);
    let list = open(&app, &cookie, "/apps").await;
    // Each call now takes 0.7 s: the two lists leave too little time for a revocation.
    app.hydra
        .fault_on(SESSIONS, Some(Fault::Delay(Duration::from_millis(700))));
    let started = Instant::now();
    let r = post(
        &app,
        &list,
        &cookie,
        &[("all", "yes"), ("action", "confirm")],
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        r.status(),
        502,
        "the page says what happened, not a bare 504"
    );
    let html = r.text().await.unwrap();
    assert!(html.contains("Access was not withdrawn"), "{html}");
    assert!(
        html.contains("Acme Shop") && html.contains("Blog"),
        "{html}"
    );
}

#[tokio::test]
async fn kratos_down_gives_the_error_page() {
    let app = app_with(&[]).await;
    let cookie = person(&app);
    app.kratos.set_fault(Some(Fault::Status(500)));
    let response = app.get("/apps", Some(&cookie)).await;
    assert_eq!(response.status(), 502);
    assert!(app.hydra.calls().iter().all(|c| c.path != SESSIONS));
}
