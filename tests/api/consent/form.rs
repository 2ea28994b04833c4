//! The consent form's defences: CSRF, expiry and malformed bodies.

use std::time::Duration;

use super::{consent_for, customer, customer_page, open_page, post, submit};
use crate::support::*;

#[tokio::test]
async fn csrf_failures_are_403_and_reach_no_hydra_answer() {
    let app = TestApp::spawn().await;
    app.kratos.add_identity(customer());
    let challenge = app.hydra.add_consent(consent_for(IDENTITY_ID));
    let other = app.hydra.add_consent(consent_for(IDENTITY_ID));
    let page = open_page(&app, &challenge).await;
    let other_page = open_page(&app, &other).await;
    let base = app.address.as_str();
    // (the form's token, its action, the cookie header, the Origin header)
    let cases = [
        // no token
        (None, "allow", Some(page.cookie.clone()), Some(base)),
        // no cookie
        (Some(page.csrf_token.as_str()), "allow", None, Some(base)),
        // another browser's cookie
        (
            Some(&page.csrf_token),
            "allow",
            Some("khb_csrf=000000000000000000000000000000000000000000000000".into()),
            Some(base),
        ),
        // the token of another challenge
        (
            Some(&other_page.csrf_token),
            "allow",
            Some(other_page.cookie.clone()),
            Some(base),
        ),
        // a forged token
        (
            Some("eyJhbGciOiJIUzI1NiJ9.e30.x"),
            "deny",
            Some(page.cookie.clone()),
            Some(base),
        ),
        // posted from another site
        (
            Some(&page.csrf_token),
            "allow",
            Some(page.cookie.clone()),
            Some("https://evil.example"),
        ),
    ];
    for (token, action, cookie, origin) in cases {
        let mut form = vec![("consent_challenge", challenge.as_str())];
        form.extend(token.map(|token| ("csrf_token", token)));
        form.push(("action", action));
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
    let allow = [
        ("consent_challenge", challenge.as_str()),
        ("csrf_token", &page.csrf_token),
        ("action", "allow"),
    ];
    let response = post(&app, &allow, Some(&page.cookie), None).await;
    assert_eq!(response.status().as_u16(), 403);
    // Sec-Fetch-Site tells a cross-site post when Origin is absent.
    let headers = [
        ("cookie", page.cookie.as_str()),
        ("sec-fetch-site", "cross-site"),
    ];
    let response = app
        .post_form_with_headers("/consent", &headers, form_body(&allow))
        .await;
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
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__SERVE__FORM_TTL_SECS", "1")
        .spawn()
        .await;
    let (challenge, page) = customer_page(&app).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let response = submit(&app, &challenge, &page, "allow", &["email"], false).await;
    assert_eq!(response.status().as_u16(), 403);
    assert!(app.hydra.accepted_consents().is_empty());
}

#[tokio::test]
async fn malformed_forms_are_refused_with_pages() {
    let app = TestApp::spawn().await;
    let (challenge, page) = customer_page(&app).await;
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
    let (challenge, token) = (challenge.as_str(), page.csrf_token.as_str());
    for form in [
        // no action
        vec![("consent_challenge", challenge), ("csrf_token", token)],
        // an action there is not
        vec![
            ("consent_challenge", challenge),
            ("csrf_token", token),
            ("action", "maybe"),
        ],
        // the challenge twice
        vec![
            ("consent_challenge", challenge),
            ("consent_challenge", "b3RoZXI="),
            ("csrf_token", token),
            ("action", "allow"),
        ],
    ] {
        let response = post(&app, &form, Some(&page.cookie), None).await;
        assert_eq!(response.status().as_u16(), 400, "{form:?}");
    }
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
