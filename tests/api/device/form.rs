//! Device sign-in against the fake Hydra v25.4+: the code form, what a typed code becomes, wrong
//! codes and their limit, and forms that are not the bridge's own.

use super::*;
use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn the_form_asks_for_the_code_without_calling_hydra() {
    let app = TestApp::spawn().await;
    let (challenge, code) = app.hydra.start_device(DeviceSpec::default());
    let page = app.open_form(&device_path(&challenge), None).await;
    assert_eq!(page.status, 200);
    assert!(page.cookie.starts_with("khb_csrf="), "{}", page.cookie);
    assert!(!page.csrf_token.is_empty());
    assert_eq!(
        form_field(&page.html, "device_challenge").map(|c| unescape(&c)),
        Some(challenge.clone())
    );
    assert!(
        page.html
            .contains("capital and small letters are different")
    );
    assert!(page.html.contains(r#"name="user_code" value="""#));
    // Prefilled from a link the device showed, in the form Hydra issued it.
    let spaced = format!("{} {}", &code[..4], &code[4..]);
    let page = app
        .open_form(
            &format!("{}&user_code={}", device_path(&challenge), encode(&spaced)),
            None,
        )
        .await;
    assert_eq!(form_field(&page.html, "user_code"), Some(code.clone()));
    // Something that is no code is not put in the field.
    let page = app
        .open_form(
            &format!("{}&user_code=%3Cscript%3E", device_path(&challenge)),
            None,
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(!page.html.contains("<script>"));
    assert_eq!(form_field(&page.html, "user_code"), Some(String::new()));
    assert!(app.hydra.calls().is_empty(), "{:?}", app.hydra.calls());
}

#[tokio::test]
async fn a_missing_or_malformed_challenge_is_a_400_page_without_an_upstream_call() {
    let app = TestApp::builder()
        .env("BRIDGE__LOGIN__CHALLENGE_MAX_BYTES", "2048")
        .spawn()
        .await;
    for query in [
        "",
        "?device_challenge=",
        "?device_challenge=%3Cscript%3E",
        "?device_challenge=a%20b",
        "?device_challenge=abc&device_challenge=abd",
        "?challenge=abc",
        "?device_challenge=%FF",
    ] {
        let response = app.get(&format!("/device{query}"), None).await;
        assert_eq!(response.status(), 400, "{query}");
        let html = response.text().await.unwrap();
        assert!(html.contains("This link is not valid"), "{query}");
    }
    assert_eq!(
        app.get(&device_path(&"a".repeat(2049)), None)
            .await
            .status(),
        400
    );
    assert_eq!(
        app.get(&device_path(&"a".repeat(2048)), None)
            .await
            .status(),
        200
    );
    // The post checks the challenge before anything else.
    let response = app
        .post_form(
            "/device",
            "khb_csrf=x",
            "device_challenge=%3C&user_code=abc".into(),
        )
        .await;
    assert_eq!(response.status(), 400);
    assert!(app.hydra.calls().is_empty());
}

#[tokio::test]
async fn the_right_code_is_accepted_and_the_browser_goes_on_to_hydra() {
    let app = TestApp::spawn().await;
    let (challenge, code) = app.hydra.start_device(DeviceSpec::default());
    // Typed in two groups, with a dash and spaces around.
    let typed = format!("  {}-{} ", &code[..4], &code[4..]);
    let response = post_code(&app, &challenge, &typed, None).await;
    assert_eq!(response.status(), 303);
    let target = location(&response);
    assert!(
        target.starts_with(&format!(
            "{}/oauth2/device/verify?client_id=tv-app&device_verifier=",
            app.hydra.url
        )),
        "{target}"
    );
    assert_eq!(attempts_cookie(&response).as_deref(), Some("khb_device="));
    assert_eq!(
        app.hydra.accepted_devices(),
        vec![(challenge.clone(), json!({ "user_code": code }))]
    );
    let call = app
        .hydra
        .calls()
        .into_iter()
        .find(|c| c.path == "/admin/oauth2/auth/requests/device/accept")
        .expect("the accept call");
    assert_eq!(call.method, "PUT");
    assert_eq!(call.challenge.as_deref(), Some(challenge.as_str()));
}

#[tokio::test]
async fn case_is_changed_only_where_hydras_alphabet_allows() {
    let app = TestApp::spawn().await;
    // `b`, `i`, `s`, `z` exist only small and `L` only capital; `a` and `A` both exist.
    let (challenge, code) = app.hydra.start_device(DeviceSpec {
        user_code: Some("bisLaAkK".into()),
        ..DeviceSpec::default()
    });
    let response = post_code(&app, &challenge, "BISl aAkK", None).await;
    assert_eq!(response.status(), 303);
    assert_eq!(app.hydra.accepted_devices()[0].1["user_code"], code);
    // The wrong case of a letter that exists in both cases is a wrong code, as at Hydra.
    let (challenge, _) = app.hydra.start_device(DeviceSpec {
        user_code: Some("kKaAcCdD".into()),
        ..DeviceSpec::default()
    });
    let response = post_code(&app, &challenge, "KkAaCcDd", None).await;
    assert_wrong_code(response).await;
}

#[tokio::test]
async fn medium_preset_codes_may_be_typed_in_any_case() {
    let app = TestApp::builder()
        .env("BRIDGE__DEVICE__USER_CODE_ENTROPY_PRESET", "medium")
        .spawn()
        .await;
    let (challenge, code) = app.hydra.start_device(DeviceSpec {
        user_code: Some("QWERTYUI".into()),
        ..DeviceSpec::default()
    });
    let page = app.open_form(&device_path(&challenge), None).await;
    assert!(page.html.contains("Capital or small letters"));
    assert!(page.html.contains(r#"autocapitalize="characters""#));
    let response = post_code(&app, &challenge, "qwer-tyui", None).await;
    assert_eq!(response.status(), 303);
    assert_eq!(app.hydra.accepted_devices()[0].1["user_code"], code);
}

#[tokio::test]
async fn a_wrong_code_shows_the_form_again_with_a_plain_message() {
    let app = TestApp::spawn().await;
    let (challenge, _) = app.hydra.start_device(DeviceSpec::default());
    let response = post_code(&app, &challenge, "aaaa-aaaa", None).await;
    let cookie = attempts_cookie(&response).expect("the attempt is counted");
    assert!(cookie.len() > "khb_device=".len());
    let html = assert_wrong_code(response).await;
    assert!(html.contains("4 more tries left"), "{html}");
    assert_eq!(form_field(&html, "user_code").as_deref(), Some("aaaa-aaaa"));
    assert!(form_field(&html, "csrf_token").is_some_and(|t| !t.is_empty()));
    assert_eq!(accept_calls(&app), 1);
    // A spent (expired or used) code is just as wrong: Hydra says the same for all of them.
    let (challenge, code) = app.hydra.start_device(DeviceSpec::default());
    app.hydra.spend_user_code(&code);
    let response = post_code(&app, &challenge, &code, None).await;
    assert_wrong_code(response).await;
}

#[tokio::test]
async fn codes_that_cannot_be_hydras_are_wrong_without_asking_hydra() {
    let app = TestApp::spawn().await;
    let (challenge, _) = app.hydra.start_device(DeviceSpec::default());
    for typed in ["0000-OOOO", "<script>", "1l1l1l1l", &"a".repeat(65)] {
        let response = post_code(&app, &challenge, typed, None).await;
        assert_eq!(response.status(), 200, "{typed}");
        assert!(attempts_cookie(&response).is_some(), "{typed} counts");
        let html = response.text().await.unwrap();
        assert!(html.contains("That code did not work"), "{typed}");
        assert!(!html.contains("<script>"));
    }
    // An empty field asks again and counts nothing.
    let response = post_code(&app, &challenge, " - ", None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(attempts_cookie(&response), None);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Enter the code shown on your device")
    );
    assert_eq!(accept_calls(&app), 0);
}

#[tokio::test]
async fn after_the_last_wrong_code_the_person_must_start_again_on_the_device() {
    let app = TestApp::builder()
        .env("BRIDGE__DEVICE__MAX_ATTEMPTS", "3")
        .spawn()
        .await;
    let (challenge, code) = app.hydra.start_device(DeviceSpec::default());
    let mut attempts: Option<String> = None;
    for round in 1..=3 {
        let response = post_code(&app, &challenge, "aaaaaaaa", attempts.as_deref()).await;
        attempts = attempts_cookie(&response);
        let status = response.status();
        let html = response.text().await.unwrap();
        if round < 3 {
            assert_eq!(status, 200, "round {round}");
            assert!(html.contains(&format!("{} more", 3 - round)), "{html}");
        } else {
            assert_eq!(status, 429);
            assert!(html.contains("Too many wrong codes"));
            assert!(html.contains("Start again on your device"));
        }
    }
    assert_eq!(accept_calls(&app), 3);
    let attempts = attempts.expect("the count is kept");
    // Even the right code is not sent any more, and the form is not shown again.
    let response = post_code(&app, &challenge, &code, Some(&attempts)).await;
    assert_eq!(response.status(), 429);
    let response = app.get(&device_path(&challenge), Some(&attempts)).await;
    assert_eq!(response.status(), 429);
    assert_eq!(accept_calls(&app), 3);
    assert!(app.hydra.accepted_devices().is_empty());
    // The count belongs to its device request: a new one starts afresh.
    let (other, other_code) = app.hydra.start_device(DeviceSpec::default());
    let response = post_code(&app, &other, &other_code, Some(&attempts)).await;
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn forged_or_foreign_forms_are_refused_before_hydra() {
    let app = TestApp::spawn().await;
    let (challenge, code) = app.hydra.start_device(DeviceSpec::default());
    let page = app.open_form(&device_path(&challenge), None).await;
    let body = code_form(&challenge, &page.csrf_token, &code);
    // No cookie, another cookie, no token.
    for (cookie, body) in [
        ("", body.clone()),
        (
            "khb_csrf=0123456789abcdef0123456789abcdef0123456789abcdef",
            body.clone(),
        ),
        (page.cookie.as_str(), code_form(&challenge, "", &code)),
    ] {
        let response = app.post_form("/device", cookie, body).await;
        assert_eq!(response.status(), 403);
    }
    // Another device request's token.
    let (other, _) = app.hydra.start_device(DeviceSpec::default());
    let response = app
        .post_form(
            "/device",
            &page.cookie,
            code_form(&other, &page.csrf_token, &code),
        )
        .await;
    assert_eq!(response.status(), 403);
    // Another site.
    let headers = [
        ("cookie", page.cookie.as_str()),
        ("origin", "https://evil.example"),
    ];
    let response = app.post_form_with_headers("/device", &headers, body).await;
    assert_eq!(response.status(), 403);
    assert_eq!(accept_calls(&app), 0);
}
