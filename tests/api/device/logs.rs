//! The binary's trace-level log through a device sign-in: it carries neither the user code, nor the
//! device challenge, nor the signed tokens and cookies of the code form.

use super::{attempts_cookie, code_form, device_path};
use crate::support::*;

#[tokio::test]
async fn device_sign_in_logs_no_codes_challenges_or_tokens() {
    let (app, running) = TestApp::builder()
        .env("BRIDGE__LOG__LEVEL", "trace")
        .spawn_binary()
        .await;
    let (challenge, code) = app.hydra.start_device(DeviceSpec {
        client_id: "tv-SECRETLESS-client".into(),
        ..DeviceSpec::default()
    });
    let form = app
        .get(
            &format!("{}&user_code={code}", device_path(&challenge)),
            None,
        )
        .await;
    let csrf_cookie = set_cookie_named(&form, "khb_csrf").expect("the form cookie");
    let html = form.text().await.unwrap();
    let csrf_token = form_field(&html, "csrf_token").unwrap();
    let post = |typed: &str, cookie: String| {
        let (app, body) = (&app, code_form(&challenge, &csrf_token, typed));
        async move { app.post_form("/device", &cookie, body).await }
    };
    // A wrong code (its count comes back as a signed cookie), then the right one.
    let wrong = post("aaaaaaaa", csrf_cookie.clone()).await;
    assert_eq!(wrong.status().as_u16(), 200);
    let attempts = attempts_cookie(&wrong).expect("the attempts cookie");
    let right = post(&code, format!("{csrf_cookie}; {attempts}")).await;
    assert_eq!(right.status().as_u16(), 303);
    let redirect = location(&right);
    let verifier = query_param(&redirect, "device_verifier").unwrap();
    let success = app
        .get("/device/success?client_id=tv-SECRETLESS-client", None)
        .await;
    assert_eq!(success.status().as_u16(), 200);

    running.terminate();
    let (code_exit, log) = running.wait().await;
    assert_eq!(code_exit, Some(0));
    let all = log.join("\n");
    assert!(
        all.contains("\"outcome\":\"device_accepted\"")
            && all.contains("\"outcome\":\"device_wrong_code\""),
        "the log is captured: {all}"
    );
    let csrf_value = csrf_cookie.trim_start_matches("khb_csrf=");
    let attempts = attempts.trim_start_matches("khb_device=");
    for secret in [
        code.as_str(),
        &challenge,
        &csrf_token,
        csrf_value,
        attempts,
        &verifier,
    ] {
        let piece = &secret[secret.len().saturating_sub(24)..];
        assert!(!all.contains(piece), "log leaks {piece}");
    }
}
