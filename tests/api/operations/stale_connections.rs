//! Connections an upstream closes under the bridge: a call that may have reached it is sent once
//! more, on a new connection, where the upstream answers a repeat the same; never once an answer
//! began to come back.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{app_against, login_request_json};
use crate::fakes::closing::{ClosingServer, keep_alive_answer};
use crate::fakes::raw::{RawAnswer, RawServer, json_answer};
use crate::support::*;
use domain::claims::TokenClaims;
use kratos_hydra_bridge::config::{HydraSettings, UpstreamSettings};
use kratos_hydra_bridge::metrics::Metrics;
use kratos_hydra_bridge::ory::http::Upstream;
use kratos_hydra_bridge::ory::hydra::{AcceptConsent, AcceptLogin, HydraClient, Reject};

const REDIRECT: &str = "https://hydra.test/oauth2/auth?login_verifier=v";

#[tokio::test]
async fn logins_succeed_while_hydra_closes_each_connection_just_after_its_answer() {
    let hydra = ClosingServer::start(|line| {
        let body = if line.starts_with("GET") {
            login_request_json("YWJj")
        } else {
            format!("{{\"redirect_to\":\"{REDIRECT}\"}}")
        };
        keep_alive_answer("200 OK", &body)
    })
    .await;
    let app = app_against(&hydra.url).await;
    let token = app.signed_in(30);
    let mut failed = Vec::new();
    for n in 0..100 {
        let response = app.login("YWJj", Some(&token)).await;
        if response.status().as_u16() != 303 || location(&response) != REDIRECT {
            failed.push((n, response.status().as_u16()));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of 100 logins failed: {failed:?}",
        failed.len()
    );
    // Each call was answered once: a repeat went only where the first got no answer.
    let requests = hydra.requests();
    let gets = requests.iter().filter(|l| l.starts_with("GET")).count();
    assert_eq!((gets, requests.len() - gets), (100, 100));
}

/// A head and part of the body, then the connection closes.
fn cut_off(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        body.len(),
        &body[..body.len() / 2]
    )
}

#[tokio::test]
async fn a_call_whose_answer_began_is_never_sent_again() {
    // The login request.
    let raw = RawServer::start(|_, _| RawAnswer::Send(cut_off(&login_request_json("YWJj")))).await;
    let app = app_against(&raw.url).await;
    let response = app.login("YWJj", None).await;
    assert_page(response, 502, "not working right now").await;
    assert_eq!(
        raw.requests(),
        ["GET /admin/oauth2/auth/requests/login?login_challenge=YWJj HTTP/1.1"]
    );

    // The accept.
    let raw = RawServer::start(|_, line| {
        RawAnswer::Send(if line.starts_with("GET") {
            json_answer("200 OK", &login_request_json("YWJj"))
        } else {
            cut_off(&format!("{{\"redirect_to\":\"{REDIRECT}\"}}"))
        })
    })
    .await;
    let app = app_against(&raw.url).await;
    let token = app.signed_in(30);
    let response = app.login("YWJj", Some(&token)).await;
    assert_page(response, 502, "not working right now").await;
    let puts = raw
        .requests()
        .iter()
        .filter(|l| l.starts_with("PUT"))
        .count();
    assert_eq!(puts, 1, "{:?}", raw.requests());
}

#[tokio::test]
async fn only_calls_hydra_answers_the_same_twice_are_sent_again() {
    let raw = RawServer::start(|_, _| RawAnswer::Close).await;
    let upstream = Upstream::new(&UpstreamSettings::default(), Arc::new(Metrics::new())).unwrap();
    let settings = HydraSettings {
        admin_url: raw.url.parse().unwrap(),
        admin_token: None,
        admin_headers: BTreeMap::new(),
    };
    let hydra = HydraClient::new(upstream, &settings).unwrap();
    let login = AcceptLogin {
        subject: "s".into(),
        remember: false,
        remember_for: 0,
        acr: None,
        amr: Vec::new(),
        identity_provider_session_id: None,
        context: serde_json::Value::Null,
    };
    let consent = AcceptConsent {
        grant_scope: Vec::new(),
        grant_access_token_audience: Vec::new(),
        remember: false,
        remember_for: 0,
        session: TokenClaims::default(),
    };
    let reject = Reject {
        error: "access_denied".into(),
        error_description: "no".into(),
        status_code: None,
    };
    let c = "YWJj";
    // Each call fails; what matters is how often it reached the server.
    assert!(hydra.get_login_request(c).await.is_err());
    assert!(hydra.accept_login_request(c, &login).await.is_err());
    assert!(hydra.reject_login_request(c, &reject).await.is_err());
    assert!(hydra.accept_consent_request(c, &consent).await.is_err());
    assert!(hydra.reject_consent_request(c, &reject).await.is_err());
    assert!(hydra.accept_logout_request(c).await.is_err());
    assert!(hydra.accept_device_request(c, "ABCDEFGH").await.is_err());
    assert!(hydra.reject_logout_request(c).await.is_err());
    let paths: Vec<String> = raw
        .requests()
        .iter()
        .map(|l| {
            let target = l.split(' ').nth(1).unwrap_or_default();
            target.split('?').next().unwrap_or_default().to_string()
        })
        .collect();
    let path = |p: &str| format!("/admin/oauth2/auth/requests/{p}");
    let mut expected = Vec::new();
    for p in [
        "login",
        "login/accept",
        "login/reject",
        "consent/accept",
        "consent/reject",
        "logout/accept",
        "device/accept",
    ] {
        expected.extend([path(p), path(p)]);
    }
    // Hydra answers a second logout reject by the rows it changed: on MySQL a 404.
    expected.push(path("logout/reject"));
    assert_eq!(paths, expected);
}
