//! Faults on the wire: connections closed or cut off mid-body, and which calls are retried.

use std::time::{Duration, Instant};

use super::{app_against, login_request_json};
use crate::fakes::raw::{RawAnswer, RawServer, json_answer, truncated_answer};
use crate::support::*;

#[tokio::test]
async fn a_get_whose_connection_drops_is_retried_once() {
    let raw = RawServer::start(|n, _| {
        if n == 0 {
            RawAnswer::Close
        } else {
            RawAnswer::Send(json_answer("200 OK", &login_request_json("YWJj")))
        }
    })
    .await;
    let app = app_against(&raw.url).await;
    let response = app.login("YWJj", None).await;
    assert_eq!(response.status().as_u16(), 303, "answered after one retry");
    assert!(location(&response).starts_with(&app.kratos.login_browser_url()));
    assert_eq!(raw.count(), 2);
}

#[tokio::test]
async fn a_get_that_keeps_failing_is_retried_only_once() {
    let raw = RawServer::start(|_, _| RawAnswer::Close).await;
    let app = app_against(&raw.url).await;
    let response = app.login("YWJj", None).await;
    assert_eq!(response.status().as_u16(), 502);
    assert_eq!(raw.count(), 2);
}

#[tokio::test]
async fn an_accept_whose_answer_is_lost_is_sent_once_more_and_no_more() {
    // Hydra answers a repeated accept the same, so the accept goes once more on a new connection;
    // when that one is lost too, the browser gets one clear failure.
    let raw = RawServer::start(|_, line| {
        if line.starts_with("GET") {
            RawAnswer::Send(json_answer("200 OK", &login_request_json("YWJj")))
        } else {
            RawAnswer::Close
        }
    })
    .await;
    let app = app_against(&raw.url).await;
    let token = app.signed_in(30);
    let response = app.login("YWJj", Some(&token)).await;
    assert_eq!(response.status().as_u16(), 502);
    let puts = raw
        .requests()
        .iter()
        .filter(|l| l.starts_with("PUT"))
        .count();
    assert_eq!(puts, 2);
}

#[tokio::test]
async fn a_body_cut_off_midway_is_a_502() {
    let raw =
        RawServer::start(|_, _| RawAnswer::Send(truncated_answer(&login_request_json("YWJj"))))
            .await;
    let app = app_against(&raw.url).await;
    let response = app.login("YWJj", None).await;
    assert_eq!(response.status().as_u16(), 502);
    assert!(!response.text().await.unwrap().contains("YWJj"));
    // The service is fine afterwards.
    assert_eq!(app.get("/health/alive", None).await.status().as_u16(), 200);
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("bridge_upstream_body_failures_total{target=\"hydra\",operation=\"get_login_request\",cause=\"interrupted\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn malformed_and_oversized_bodies_are_counted() {
    let app = TestApp::spawn().await;
    let challenge = app.hydra.add_login(LoginSpec::default());
    app.hydra.set_fault(Some(Fault::MalformedJson));
    assert_eq!(app.login(&challenge, None).await.status().as_u16(), 502);
    app.hydra.set_fault(Some(Fault::HugeBody));
    assert_eq!(app.login(&challenge, None).await.status().as_u16(), 502);
    let metrics = app.metrics().await;
    assert!(metrics.contains("bridge_upstream_body_failures_total{target=\"hydra\",operation=\"get_login_request\",cause=\"invalid\"} 1"), "{metrics}");
    assert!(metrics.contains("bridge_upstream_body_failures_total{target=\"hydra\",operation=\"get_login_request\",cause=\"too_large\"} 1"), "{metrics}");
}

/// One browser request that reaches the upstream call under test.
#[derive(Debug, Clone, Copy)]
enum Step {
    LoginGet,
    LoginAccept,
    Whoami,
    ConsentGet,
    ConsentAccept,
    ConsentReject,
    IdentityById,
    IdentityByExternalId,
    LogoutGet,
    LogoutAccept,
    LogoutReject,
    DeviceAccept,
}

impl Step {
    /// (which fake, the path of the call under test)
    fn target(self) -> (&'static str, &'static str) {
        match self {
            Step::LoginGet => ("hydra", "/admin/oauth2/auth/requests/login"),
            Step::LoginAccept => ("hydra", "/admin/oauth2/auth/requests/login/accept"),
            Step::Whoami => ("kratos", "/sessions/whoami"),
            Step::ConsentGet => ("hydra", "/admin/oauth2/auth/requests/consent"),
            Step::ConsentAccept => ("hydra", "/admin/oauth2/auth/requests/consent/accept"),
            Step::ConsentReject => ("hydra", "/admin/oauth2/auth/requests/consent/reject"),
            Step::IdentityById => ("kratos", "/admin/identities/"),
            Step::IdentityByExternalId => ("kratos", "/admin/identities/by/external/"),
            Step::LogoutGet => ("hydra", "/admin/oauth2/auth/requests/logout"),
            Step::LogoutAccept => ("hydra", "/admin/oauth2/auth/requests/logout/accept"),
            Step::LogoutReject => ("hydra", "/admin/oauth2/auth/requests/logout/reject"),
            Step::DeviceAccept => ("hydra", "/admin/oauth2/auth/requests/device/accept"),
        }
    }

    async fn run(self, app: &TestApp) -> reqwest::Response {
        let token = app.signed_in_with_external_id(30);
        let cookie = session_cookie(&token);
        app.kratos
            .add_identity(IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID)));
        match self {
            Step::LoginGet | Step::LoginAccept | Step::Whoami => {
                let challenge = app.hydra.add_login(LoginSpec::default());
                app.login(&challenge, Some(&token)).await
            }
            Step::ConsentGet | Step::ConsentAccept | Step::IdentityById => {
                let challenge = app.hydra.add_consent(ConsentSpec::remembered(IDENTITY_ID));
                app.consent(&challenge).await
            }
            Step::IdentityByExternalId => {
                let challenge = app.hydra.add_consent(ConsentSpec::remembered(EXTERNAL_ID));
                app.consent(&challenge).await
            }
            Step::ConsentReject => {
                let challenge = app.hydra.add_consent(ConsentSpec {
                    skip: true,
                    subject: "not-the-identity".into(),
                    context: Some(serde_json::json!({ "identity_id": IDENTITY_ID })),
                    ..ConsentSpec::default()
                });
                app.consent(&challenge).await
            }
            Step::LogoutGet | Step::LogoutAccept => {
                let challenge = app.hydra.add_logout(LogoutSpec {
                    subject: IDENTITY_ID.into(),
                    ..LogoutSpec::of_client("Demo", true)
                });
                app.get(&logout_path(&challenge), Some(&cookie)).await
            }
            Step::LogoutReject => {
                let challenge = app.hydra.add_logout(LogoutSpec {
                    subject: IDENTITY_ID.into(),
                    ..LogoutSpec::default()
                });
                let page = app.open_form(&logout_path(&challenge), None).await;
                let body = format!(
                    "logout_challenge={challenge}&csrf_token={}&action=cancel",
                    page.csrf_token
                );
                app.post_form("/logout", &page.cookie, body).await
            }
            Step::DeviceAccept => {
                let (challenge, code) = app.hydra.start_device(DeviceSpec::default());
                crate::device::post_code(app, &challenge, &code, None).await
            }
        }
    }
}

#[tokio::test]
async fn every_upstream_call_under_every_fault_gets_its_page_in_time() {
    const TIMEOUT_MS: u64 = 700;
    let steps = [
        Step::LoginGet,
        Step::LoginAccept,
        Step::Whoami,
        Step::ConsentGet,
        Step::ConsentAccept,
        Step::ConsentReject,
        Step::IdentityById,
        Step::IdentityByExternalId,
        Step::LogoutGet,
        Step::LogoutAccept,
        Step::LogoutReject,
        Step::DeviceAccept,
    ];
    let faults = UPSTREAM_FAULTS;
    for step in steps {
        let (service, path) = step.target();
        let use_external = matches!(step, Step::IdentityByExternalId);
        // The device flow exists from Hydra v25.4 on.
        let version = if matches!(step, Step::DeviceAccept) {
            HydraVersion::Lenient
        } else {
            HydraVersion::Strict
        };
        let app = TestApp::against(version)
            .env("BRIDGE__UPSTREAM__REQUEST_TIMEOUT_MS", "700")
            .env(
                "BRIDGE__OAUTH2_PROVIDER__SUBJECT_SOURCE",
                if use_external { "external_id" } else { "id" },
            )
            .spawn()
            .await;
        for (fault, expected) in &faults {
            // A wrong shape is a valid answer for calls whose answer the bridge does not read.
            if matches!(fault, Fault::WrongShape)
                && !matches!(
                    step,
                    Step::LoginGet
                        | Step::Whoami
                        | Step::ConsentGet
                        | Step::IdentityById
                        | Step::IdentityByExternalId
                        | Step::LogoutGet
                )
            {
                continue;
            }
            match service {
                "hydra" => app.hydra.fault_on(path, Some(fault.clone())),
                _ => app.kratos.fault_on(path, Some(fault.clone())),
            }
            let started = Instant::now();
            let response = step.run(&app).await;
            let elapsed = started.elapsed();
            app.hydra.fault_on("", None);
            app.kratos.fault_on("", None);
            let status = response.status().as_u16();
            assert_eq!(status, *expected, "{step:?} under {fault:?}");
            // Within the timeout plus a margin (a retried GET may take two attempts' worth of faults,
            // but never two timeouts).
            assert!(
                elapsed < Duration::from_millis(TIMEOUT_MS + 1500),
                "{step:?} under {fault:?} took {elapsed:?}"
            );
            let body = response.text().await.unwrap();
            assert!(
                !body.contains("secret-upstream-body") && !body.contains("upstream exploded"),
                "{step:?}: upstream body echoed"
            );
        }
        // Healthy for the next request: the same flow, without the fault, succeeds.
        let again = step.run(&app).await.status().as_u16();
        let success = if matches!(step, Step::LogoutReject) {
            200
        } else {
            303
        };
        assert_eq!(again, success, "{step:?} after the faults");
        // And every fault was counted.
        let metrics = app.metrics().await;
        assert!(
            metrics.contains("outcome=\"http_5xx\""),
            "{step:?}: {metrics}"
        );
        assert!(metrics.contains("outcome=\"timeout\""), "{step:?}");
        assert!(
            metrics.contains("cause=\"invalid\"") && metrics.contains("cause=\"too_large\""),
            "{step:?}"
        );
    }
}
