//! Upstream faults and timeouts, the admin token, and wrong methods or paths.

use std::time::{Duration, Instant};

use crate::support::*;

#[tokio::test]
async fn hydra_faults_give_gateway_pages_in_time() {
    let app = TestApp::spawn().await;
    let challenge = app.hydra.add_login(LoginSpec::default());
    for (fault, status) in UPSTREAM_FAULTS {
        app.hydra.set_fault(Some(fault.clone()));
        let started = Instant::now();
        let response = app.login(&challenge, None).await;
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{fault:?} took {:?}",
            started.elapsed()
        );
        assert_page(response, status, "").await;
    }
    // The service is healthy afterwards.
    app.hydra.set_fault(None);
    let token = app.signed_in(30);
    assert_eq!(
        app.login(&challenge, Some(&token)).await.status().as_u16(),
        303
    );
}

#[tokio::test]
async fn slow_upstreams_add_up_to_one_deadline() {
    // Each call is within its own timeout (1.5 s); together they pass the request's deadline.
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__SERVE__REQUEST_TIMEOUT_MS", "1200")
        .spawn()
        .await;
    let token = app.signed_in(30);
    let challenge = app.hydra.add_login(LoginSpec::default());
    app.hydra
        .set_fault(Some(Fault::Delay(Duration::from_millis(800))));
    app.kratos
        .set_fault(Some(Fault::Delay(Duration::from_millis(800))));
    let started = Instant::now();
    let response = app.login(&challenge, Some(&token)).await;
    let elapsed = started.elapsed();
    // The deadline (1.2 s) cuts the second call short; three calls would take 2.4 s, and a deadline
    // checked only between calls would answer after the second, at 1.6 s.
    assert!(
        elapsed < Duration::from_millis(1550),
        "answered after {elapsed:?}"
    );
    assert_page(response, 504, "taking too long").await;
    assert!(app.hydra.accepted_logins().is_empty());
}

#[tokio::test]
async fn hydra_unreachable_is_a_502_page() {
    let app = TestApp::builder().hydra_unreachable().spawn().await;
    let response = app.login("YWJjZGVm", None).await;
    assert_page(response, 502, "not working right now").await;
}

#[tokio::test]
async fn kratos_faults_give_gateway_pages_and_no_accept() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(30);
    for (fault, status) in [
        (Fault::Status(500), 502),
        (Fault::Status(403), 502),
        (Fault::MalformedJson, 502),
        (Fault::WrongShape, 502),
        (Fault::Redirect, 502),
        (Fault::Hang, 504),
    ] {
        let challenge = app.hydra.add_login(LoginSpec::default());
        app.kratos.set_fault(Some(fault.clone()));
        let response = app.login(&challenge, Some(&token)).await;
        assert_page(response, status, "").await;
    }
    assert!(app.hydra.accepted_logins().is_empty());
}

#[tokio::test]
async fn hydra_admin_token_is_sent_as_bearer() {
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__HYDRA__ADMIN_TOKEN", "ory_pat_test_token")
        .spawn()
        .await;
    app.hydra.require_bearer("ory_pat_test_token");
    let token = app.signed_in(30);
    app.login_redirects(LoginSpec::default(), &token).await;
    assert!(
        app.hydra
            .calls()
            .iter()
            .all(|c| c.authorization.as_deref() == Some("Bearer ory_pat_test_token"))
    );
}

#[tokio::test]
async fn a_wrong_admin_token_is_not_mistaken_for_an_expired_request() {
    let app = TestApp::spawn().await;
    app.hydra.require_bearer("expected");
    let challenge = app.hydra.add_login(LoginSpec::default());
    assert_page(app.login(&challenge, None).await, 502, "").await;
}

#[tokio::test]
async fn wrong_methods_and_unknown_paths_get_pages() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(format!("{}/login?login_challenge=abc", app.address))
        .send()
        .await
        .unwrap();
    assert_page(response, 405, "Method not allowed").await;
    assert_page(app.get("/nope", None).await, 404, "Page not found").await;
}
