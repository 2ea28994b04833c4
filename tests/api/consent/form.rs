//! The consent form's defences: CSRF, expiry and malformed bodies.

use std::time::Duration;

use super::{consent_for, customer, open_page, post, submit};
use crate::support::*;

#[tokio::test]
async fn csrf_failures_are_403_and_reach_no_hydra_answer() {
    let app = TestApp::spawn().await;
    app.kratos.add_identity(customer());
    let challenge = app.hydra.add_consent(consent_for(IDENTITY_ID));
    let other = app.hydra.add_consent(consent_for(IDENTITY_ID));
    let page = open_page(&app, &challenge).await;
    let other_page = open_page(&app, &other).await;
    let base = app.address.clone();
    // (form, cookie header, Origin header)
    type Case<'a> = (Vec<(&'a str, &'a str)>, Option<String>, Option<&'a str>);
    let cases: Vec<Case> = vec![
        // no token
        (
            vec![("consent_challenge", &challenge), ("action", "allow")],
            Some(page.cookie.clone()),
            Some(&base),
        ),
        // no cookie
        (
            vec![
                ("consent_challenge", &challenge),
                ("csrf_token", &page.csrf_token),
                ("action", "allow"),
            ],
            None,
            Some(&base),
        ),
        // another browser's cookie
        (
            vec![
                ("consent_challenge", &challenge),
                ("csrf_token", &page.csrf_token),
                ("action", "allow"),
            ],
            Some("khb_csrf=000000000000000000000000000000000000000000000000".into()),
            Some(&base),
        ),
        // the token of another challenge
        (
            vec![
                ("consent_challenge", &challenge),
                ("csrf_token", &other_page.csrf_token),
                ("action", "allow"),
            ],
            Some(other_page.cookie.clone()),
            Some(&base),
        ),
        // a forged token
        (
            vec![
                ("consent_challenge", &challenge),
                ("csrf_token", "eyJhbGciOiJIUzI1NiJ9.e30.x"),
                ("action", "deny"),
            ],
            Some(page.cookie.clone()),
            Some(&base),
        ),
        // posted from another site
        (
            vec![
                ("consent_challenge", &challenge),
                ("csrf_token", &page.csrf_token),
                ("action", "allow"),
            ],
            Some(page.cookie.clone()),
            Some("https://evil.example"),
        ),
    ];
    for (form, cookie, origin) in cases {
        let response = post(&app, &form, cookie.as_deref(), origin).await;
        assert_eq!(
            response.status().as_u16(),
            403,
            "{form:?} {cookie:?} {origin:?}"
        );
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("This form has expired")
        );
    }
    // Neither Origin nor Sec-Fetch-Site: no browser posts like that.
    let response = post(
        &app,
        &[
            ("consent_challenge", &challenge),
            ("csrf_token", &page.csrf_token),
            ("action", "allow"),
        ],
        Some(&page.cookie),
        None,
    )
    .await;
    assert_eq!(response.status().as_u16(), 403);
    // Sec-Fetch-Site tells a cross-site post when Origin is absent.
    let response = app
        .client
        .post(format!("{}/consent", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &page.cookie)
        .header("sec-fetch-site", "cross-site")
        .body(format!(
            "consent_challenge={}&csrf_token={}&action=allow",
            encode(&challenge),
            page.csrf_token
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    assert!(app.hydra.accepted_consents().is_empty());
    assert!(app.hydra.rejected_consents().is_empty());
    // The real form still works afterwards.
    assert_eq!(
        submit(&app, &challenge, &page, "allow", &[], false)
            .await
            .status()
            .as_u16(),
        303
    );
}

#[tokio::test]
async fn an_expired_form_is_refused() {
    let app = TestApp::builder()
        .hydra(HydraVersion::Strict)
        .env("BRIDGE__SERVE__FORM_TTL_SECS", "1")
        .spawn()
        .await;
    app.kratos.add_identity(customer());
    let challenge = app.hydra.add_consent(consent_for(IDENTITY_ID));
    let page = open_page(&app, &challenge).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let response = submit(&app, &challenge, &page, "allow", &["email"], false).await;
    assert_eq!(response.status().as_u16(), 403);
    assert!(app.hydra.accepted_consents().is_empty());
}

#[tokio::test]
async fn malformed_forms_are_refused_with_pages() {
    let app = TestApp::spawn().await;
    app.kratos.add_identity(customer());
    let challenge = app.hydra.add_consent(consent_for(IDENTITY_ID));
    let page = open_page(&app, &challenge).await;
    let json = app
        .client
        .post(format!("{}/consent", app.address))
        .header("content-type", "application/json")
        .header("cookie", &page.cookie)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(json.status().as_u16(), 415);
    let missing_action = post(
        &app,
        &[
            ("consent_challenge", &challenge),
            ("csrf_token", &page.csrf_token),
        ],
        Some(&page.cookie),
        None,
    )
    .await;
    assert_eq!(missing_action.status().as_u16(), 400);
    let bad_action = post(
        &app,
        &[
            ("consent_challenge", &challenge),
            ("csrf_token", &page.csrf_token),
            ("action", "maybe"),
        ],
        Some(&page.cookie),
        None,
    )
    .await;
    assert_eq!(bad_action.status().as_u16(), 400);
    let twice = post(
        &app,
        &[
            ("consent_challenge", &challenge),
            ("consent_challenge", "b3RoZXI="),
            ("csrf_token", &page.csrf_token),
            ("action", "allow"),
        ],
        Some(&page.cookie),
        None,
    )
    .await;
    assert_eq!(twice.status().as_u16(), 400);
    let huge = "a".repeat(300 * 1024);
    let too_large = post(
        &app,
        &[("consent_challenge", &huge)],
        Some(&page.cookie),
        None,
    )
    .await;
    assert_eq!(too_large.status().as_u16(), 413);
    assert!(app.hydra.accepted_consents().is_empty() && app.hydra.rejected_consents().is_empty());
}
