//! The binary's trace-level log through a device sign-in: it carries neither the user code, nor the
//! device challenge, nor the signed tokens and cookies of the code form.

use crate::support::binary::start;
use crate::support::*;

#[tokio::test]
async fn device_sign_in_logs_no_codes_challenges_or_tokens() {
    let hydra = FakeHydra::start(HydraVersion::Lenient).await;
    let kratos = FakeKratos::start().await;
    let config = write_config(&base_config(&hydra.url, &kratos, "http://127.0.0.1:3000"));
    let running = start(&config, &[("BRIDGE__LOG__LEVEL", "trace")]).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = format!("http://127.0.0.1:{}", running.port);
    let (challenge, code) = hydra.start_device(DeviceSpec {
        client_id: "tv-SECRETLESS-client".into(),
        ..DeviceSpec::default()
    });
    let form = client
        .get(format!(
            "{base}/device?device_challenge={}&user_code={code}",
            encode(&challenge)
        ))
        .send()
        .await
        .unwrap();
    let csrf_cookie = set_cookie_named(&form, "khb_csrf").expect("the form cookie");
    let html = form.text().await.unwrap();
    let csrf_token = form_field(&html, "csrf_token").unwrap();
    let post = |typed: String, cookie: String| {
        let body = format!(
            "device_challenge={}&csrf_token={csrf_token}&user_code={typed}",
            encode(&challenge)
        );
        client
            .post(format!("{base}/device"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", "http://127.0.0.1:3000")
            .header("cookie", cookie)
            .body(body)
            .send()
    };
    // A wrong code (its count comes back as a signed cookie), then the right one.
    let wrong = post("aaaaaaaa".into(), csrf_cookie.clone()).await.unwrap();
    assert_eq!(wrong.status().as_u16(), 200);
    let attempts = wrong
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("khb_device="))
        .and_then(|v| v.split(';').next())
        .expect("the attempts cookie")
        .to_string();
    let right = post(
        code.clone(),
        format!("{csrf_cookie}; khb_device={attempts}"),
    )
    .await
    .unwrap();
    assert_eq!(right.status().as_u16(), 303);
    let redirect = location(&right);
    let verifier = query_param(&redirect, "device_verifier").unwrap();
    let success = client
        .get(format!(
            "{base}/device/success?client_id=tv-SECRETLESS-client"
        ))
        .send()
        .await
        .unwrap();
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
    for secret in [
        code.as_str(),
        &challenge,
        &csrf_token,
        csrf_value,
        &attempts,
        &verifier,
    ] {
        let piece = &secret[secret.len().saturating_sub(24)..];
        assert!(!all.contains(piece), "log leaks {piece}");
    }
}
