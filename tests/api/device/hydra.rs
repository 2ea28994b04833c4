//! Hydra's device answers: as the bridge's client reads them (only Hydra's "no such user code" is a
//! wrong code; its other refusals are errors, never a wrong code the person could retry), the pages
//! they become, the login that follows an accepted code, and the counts of each outcome.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::*;
use crate::support::*;
use kratos_hydra_bridge::config::{HydraSettings, UpstreamSettings};
use kratos_hydra_bridge::metrics::Metrics;
use kratos_hydra_bridge::ory::http::Upstream;
use kratos_hydra_bridge::ory::hydra::device::DeviceAccept;
use kratos_hydra_bridge::ory::hydra::{HydraClient, HydraError};

fn client(hydra: &FakeHydra) -> HydraClient {
    let upstream = Upstream::new(&UpstreamSettings::default(), Arc::new(Metrics::new()))
        .expect("the client builds");
    HydraClient::new(
        upstream,
        &HydraSettings {
            admin_url: hydra.url.parse().unwrap(),
            admin_token: None,
            admin_headers: BTreeMap::new(),
        },
    )
    .expect("no credentials to refuse")
}

#[tokio::test]
async fn each_answer_of_the_accept() {
    let hydra = FakeHydra::start(HydraVersion::Lenient).await;
    let client = client(&hydra);
    let (challenge, code) = hydra.start_device(DeviceSpec::default());

    let answer = client
        .accept_device_request(&challenge, "aaaaaaaa")
        .await
        .unwrap();
    assert_eq!(answer, DeviceAccept::UnknownCode);

    // The same code twice (the browser went back) is accepted twice, as at Hydra.
    for _ in 0..2 {
        let answer = client.accept_device_request(&challenge, &code).await;
        assert!(
            matches!(&answer, Ok(DeviceAccept::Accepted { redirect_to }) if redirect_to.contains("device_verifier=")),
            "{answer:?}"
        );
    }

    // An empty code or no challenge: Hydra's other 400s, refused requests of ours.
    for (challenge, code) in [(challenge.as_str(), ""), ("", code.as_str())] {
        let answer = client.accept_device_request(challenge, code).await;
        assert!(
            matches!(answer, Err(HydraError::Refused { status: 400, .. })),
            "{answer:?}"
        );
    }

    let unknown = client
        .accept_device_request("ZGV2aWNlLXVua25vd24", &code)
        .await;
    assert!(
        matches!(unknown, Err(HydraError::NotFound("device"))),
        "{unknown:?}"
    );
    hydra.expire_device_challenge(&challenge);
    let expired = client.accept_device_request(&challenge, &code).await;
    assert!(
        matches!(expired, Err(HydraError::Expired("device"))),
        "{expired:?}"
    );
}

#[tokio::test]
async fn clients_by_id() {
    let hydra = FakeHydra::start(HydraVersion::Lenient).await;
    hydra.add_client("tv/app", "Slash TV");
    let client = client(&hydra);
    let found = client.get_client("tv/app").await.unwrap().expect("known");
    assert_eq!(found.client_name, "Slash TV");
    assert!(client.get_client("nobody").await.unwrap().is_none());
    assert!(client.get_client("..").await.unwrap().is_none());
    hydra.set_fault(Some(Fault::Status(500)));
    assert!(client.get_client("tv/app").await.is_err());
}

#[tokio::test]
async fn hydras_other_answers_become_the_usual_pages() {
    let app = TestApp::spawn().await;
    let (challenge, code) = app.hydra.start_device(DeviceSpec::default());
    app.hydra.expire_device_challenge(&challenge);
    let response = post_code(&app, &challenge, &code, None).await;
    assert_eq!(response.status(), 410);
    // A challenge Hydra never issued.
    let unknown = "ZGV2aWNlLWNoYWxsZW5nZS11bmtub3du";
    let response = post_code(&app, unknown, &code, None).await;
    assert_eq!(response.status(), 404);
    // A redirect_to no browser should follow.
    let (challenge, code) = app.hydra.start_device(DeviceSpec::default());
    app.hydra.answer_accepts_with(Some("javascript:alert(1)"));
    let response = post_code(&app, &challenge, &code, None).await;
    assert_eq!(response.status(), 502);
    app.hydra.answer_accepts_with(None);
    // Hydra failing.
    app.hydra.fault_on(
        "/admin/oauth2/auth/requests/device/accept",
        Some(Fault::Status(503)),
    );
    let response = post_code(&app, &challenge, &code, None).await;
    assert_eq!(response.status(), 502);
    let html = response.text().await.unwrap();
    assert!(!html.contains("secret-upstream-body"));
}

#[tokio::test]
async fn hydra_before_v25_4_has_no_device_flow() {
    let app = TestApp::against(HydraVersion::Strict).spawn().await;
    let (challenge, code) = app.hydra.start_device(DeviceSpec::default());
    let response = post_code(&app, &challenge, &code, None).await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn the_login_that_follows_is_the_usual_one_with_the_subject_rule() {
    let app = TestApp::builder().use_external_id().spawn().await;
    app.hydra.set_login_url(&format!("{}/login", app.address));
    let session = app.signed_in_with_external_id(60);
    let (challenge, code) = app.hydra.start_device(DeviceSpec::default());
    let response = post_code(&app, &challenge, &code, None).await;
    assert_eq!(response.status(), 303);
    // Hydra's public verify endpoint sends the browser to the login with a login challenge.
    let response = app.follow(&location(&response), None).await;
    assert_eq!(response.status(), 302);
    let login = location(&response);
    assert!(login.starts_with(&format!("{}/login?login_challenge=", app.address)));
    let cookie = format!("{}={session}", fake_kratos::COOKIE_NAME);
    let response = app.follow(&login, Some(&cookie)).await;
    assert_eq!(response.status(), 303, "{:?}", response.text().await);
    let accepted = app.hydra.accepted_logins();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].1["subject"], EXTERNAL_ID);
}

#[tokio::test]
async fn attempts_are_counted_by_outcome() {
    let app = TestApp::builder()
        .env("BRIDGE__DEVICE__MAX_ATTEMPTS", "1")
        .spawn()
        .await;
    let (challenge, code) = app.hydra.start_device(DeviceSpec::default());
    let response = post_code(&app, &challenge, "aaaaaaaa", None).await;
    assert_eq!(response.status(), 429);
    let attempts = attempts_cookie(&response).unwrap();
    post_code(&app, &challenge, &code, Some(&attempts)).await;
    let (challenge, code) = app.hydra.start_device(DeviceSpec::default());
    assert_eq!(post_code(&app, &challenge, &code, None).await.status(), 303);
    let (challenge, code) = app.hydra.start_device(DeviceSpec::default());
    app.hydra.expire_device_challenge(&challenge);
    post_code(&app, &challenge, &code, None).await;
    let text = app.metrics().await;
    for (outcome, n) in [
        ("wrong_code", 1),
        ("too_many", 1),
        ("accepted", 1),
        ("expired", 1),
    ] {
        let line = format!("bridge_device_codes_total{{outcome=\"{outcome}\"}} {n}");
        assert!(text.contains(&line), "{line} in\n{text}");
    }
}
