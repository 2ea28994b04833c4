use serde_json::Value;

use super::{INVALID, call, json_of};
use crate::support::*;

/// The fake Hydra's answers are the ones Hydra v2.3.0 gave to the same calls.
#[tokio::test]
async fn the_fake_hydra_answers_as_hydra_v2_3_0_does() {
    use reqwest::Method;
    let hydra = FakeHydra::start(HydraVersion::Strict).await;
    let login = format!("{}/admin/oauth2/auth/requests/login", hydra.url);
    let challenge = hydra.add_login(LoginSpec::default());
    let c = encode(&challenge);
    let accept = format!("{login}/accept?login_challenge={c}");
    let invalid = |hint: &str| format!("{INVALID} {hint}");

    let (status, content_type, body) = call(Method::GET, &login, None).await;
    assert_eq!((status, content_type.as_str()), (400, "application/json"));
    assert_eq!(
        json_of(&body),
        serde_json::json!({ "error": "invalid_request", "error_description": invalid("Query parameter 'challenge' is not defined but should have been.") })
    );
    let (status, _, body) = call(Method::GET, &format!("{login}?login_challenge=abc"), None).await;
    assert_eq!(status, 404);
    assert_eq!(
        json_of(&body),
        serde_json::json!({ "error": "Not Found", "error_description": "Unable to locate the requested resource" })
    );
    for (sent, expected) in [
        (
            r#"{"subject":"u1","bogus":1}"#,
            "Unable to decode body because: json: unknown field 'bogus'",
        ),
        (
            r#"{"subject":"u1","remember":"yes"}"#,
            "Unable to decode body because: json: cannot unmarshal string into Go struct field HandledLoginRequest.remember of type bool",
        ),
        ("", "Unable to decode body because: EOF"),
        ("null", "Field 'subject' must not be empty."),
        (r#"{"subject":""}"#, "Field 'subject' must not be empty."),
    ] {
        let (status, _, body) = call(Method::PUT, &accept, Some(sent)).await;
        assert_eq!(status, 400, "{sent}");
        assert_eq!(
            json_of(&body)["error_description"],
            invalid(expected),
            "{sent}"
        );
    }
    // The body is read before the challenge: a bad body for an unknown challenge is still a 400.
    let unknown = format!("{login}/accept?login_challenge=abc");
    assert_eq!(call(Method::PUT, &unknown, Some("{}")).await.0, 400);
    assert_eq!(
        call(Method::PUT, &unknown, Some(r#"{"subject":"u1"}"#))
            .await
            .0,
        404
    );
    // A sealed challenge stays open: accepted twice, still readable, never 410.
    let body = r#"{"subject":"u1","remember":true,"remember_for":-3,"context":"any"}"#;
    for _ in 0..2 {
        let (status, content_type, answer) = call(Method::PUT, &accept, Some(body)).await;
        assert_eq!(
            (status, content_type.as_str()),
            (200, "application/json; charset=utf-8")
        );
        assert!(
            json_of(&answer)["redirect_to"]
                .as_str()
                .unwrap()
                .contains("login_verifier=")
        );
    }
    let (status, _, answer) =
        call(Method::GET, &format!("{login}?login_challenge={c}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(json_of(&answer)["oidc_context"], serde_json::json!({}));
    hydra.expire_login(&challenge);
    let (status, _, answer) = call(Method::PUT, &accept, Some(r#"{"subject":"u1"}"#)).await;
    assert_eq!(status, 401);
    assert_eq!(
        json_of(&answer),
        serde_json::json!({ "error": "request_unauthorized", "error_description": "The request could not be authorized. The login request has expired, please try again." })
    );

    // Consent: no context is `null`; any undecodable body gets the same 400; `null` is a body.
    let consent = hydra.add_consent(ConsentSpec::default());
    let base = format!("{}/admin/oauth2/auth/requests/consent", hydra.url);
    let (_, _, answer) = call(
        Method::GET,
        &format!("{base}?consent_challenge={}", encode(&consent)),
        None,
    )
    .await;
    let answer = json_of(&answer);
    assert_eq!(answer["context"], Value::Null);
    assert!(answer.get("consent_request_id").is_none());
    let accept = format!("{base}/accept?consent_challenge={}", encode(&consent));
    for sent in [
        r#"{"bogus":1}"#,
        r#"{"session":{"bogus":{}}}"#,
        r#"{"grant_scope":"openid"}"#,
        "",
    ] {
        let (status, _, answer) = call(Method::PUT, &accept, Some(sent)).await;
        assert_eq!(status, 400, "{sent}");
        assert_eq!(
            json_of(&answer),
            serde_json::json!({ "error": "error", "error_description": "The error is unrecognizable" })
        );
    }
    assert_eq!(call(Method::PUT, &accept, Some("null")).await.0, 200);
    let reject = format!("{base}/reject?consent_challenge={}", encode(&consent));
    let (status, _, answer) =
        call(Method::PUT, &reject, Some(r#"{"error":"access_denied"}"#)).await;
    assert_eq!(status, 200);
    assert!(
        json_of(&answer)["redirect_to"]
            .as_str()
            .unwrap()
            .starts_with(fake_hydra::PUBLIC_URL)
    );

    // Logout: rows in a table. Unknown rows, rejected rows, and 410 only once the browser used
    // the verifier, with the request's relative URL.
    let base = format!("{}/admin/oauth2/auth/requests/logout", hydra.url);
    let no_rows =
        serde_json::json!({ "error": "Unable to locate the resource", "error_description": "" });
    assert_eq!(json_of(&call(Method::GET, &base, None).await.2), no_rows);
    let unknown = format!("{base}/reject?logout_challenge=3f2504e0-4f89-41d3-9a0c-000000000001");
    let (status, _, answer) = call(Method::PUT, &unknown, None).await;
    assert_eq!(
        (status, json_of(&answer)["error"].as_str()),
        (404, Some("Not Found"))
    );
    let logout = hydra.add_logout(LogoutSpec::default());
    let get = format!("{base}?logout_challenge={logout}");
    let accept = format!("{base}/accept?logout_challenge={logout}");
    let reject = format!("{base}/reject?logout_challenge={logout}");
    let (_, _, first) = call(Method::PUT, &accept, Some(r#"{"ignored":true}"#)).await;
    assert_eq!(call(Method::GET, &get, None).await.0, 200);
    assert_eq!(call(Method::PUT, &reject, None).await.0, 204);
    assert_eq!(json_of(&call(Method::GET, &get, None).await.2), no_rows);
    assert_eq!(call(Method::PUT, &reject, None).await.0, 204);
    let (status, _, second) = call(Method::PUT, &accept, None).await;
    assert_eq!((status, json_of(&second)), (200, json_of(&first)));
    let verifier_url = json_of(&first)["redirect_to"].as_str().unwrap().to_string();
    assert_eq!(call(Method::GET, &verifier_url, None).await.0, 200);
    let (status, _, gone) = call(Method::GET, &get, None).await;
    assert_eq!(status, 410);
    assert_eq!(
        json_of(&gone),
        serde_json::json!({ "redirect_to": "/oauth2/sessions/logout" })
    );
    assert_eq!(call(Method::PUT, &accept, None).await.0, 200);

    let (status, content_type, _) = call(Method::POST, &login, None).await;
    assert_eq!(
        (status, content_type.as_str()),
        (405, "text/plain; charset=utf-8")
    );
    let (status, content_type, _) = call(
        Method::GET,
        &format!("{}/admin/nonexistent", hydra.url),
        None,
    )
    .await;
    assert_eq!(
        (status, content_type.as_str()),
        (404, "text/html; charset=utf-8")
    );
}

/// Hydra puts the authorization request's `ui_locales` (space-separated there) into the
/// `oidc_context` of its login and consent requests as an array, and leaves the field out when the
/// request had none.
#[tokio::test]
async fn the_fake_hydra_carries_ui_locales_as_hydra_does() {
    use reqwest::Method;
    let hydra = FakeHydra::start(HydraVersion::Strict).await;
    let get = |path: &str, param: &str, challenge: &str| {
        format!(
            "{}/admin/oauth2/auth/requests/{path}?{param}={}",
            hydra.url,
            encode(challenge)
        )
    };
    let login = hydra.add_login(LoginSpec {
        auth_query: "ui_locales=de-AT%20fr".into(),
        ..LoginSpec::default()
    });
    let (_, _, body) = call(Method::GET, &get("login", "login_challenge", &login), None).await;
    assert_eq!(
        json_of(&body)["oidc_context"],
        serde_json::json!({ "ui_locales": ["de-AT", "fr"] })
    );
    let consent = hydra.add_consent(ConsentSpec {
        ui_locales: vec!["de".into()],
        ..ConsentSpec::default()
    });
    let (_, _, body) = call(
        Method::GET,
        &get("consent", "consent_challenge", &consent),
        None,
    )
    .await;
    let body = json_of(&body);
    assert_eq!(
        body["oidc_context"],
        serde_json::json!({ "ui_locales": ["de"] })
    );
    assert!(
        body["request_url"]
            .as_str()
            .unwrap()
            .contains("ui_locales=de")
    );
    let plain = hydra.add_consent(ConsentSpec::default());
    let (_, _, body) = call(
        Method::GET,
        &get("consent", "consent_challenge", &plain),
        None,
    )
    .await;
    assert_eq!(json_of(&body)["oidc_context"], serde_json::json!({}));
}
