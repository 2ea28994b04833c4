use serde_json::Value;

use super::{call, get_with, header, json_of, set_cookies};
use crate::support::*;

/// The fake Kratos's answers are the ones Kratos v1.3.1 gave to the same calls, where v26.2.0, which
/// the fake follows, answers alike (`v26_kratos` compares it with every v26.2.0 answer recorded).
#[tokio::test]
async fn the_fake_kratos_answers_as_kratos_v1_3_1_does() {
    use serde_json::json;
    let kratos = FakeKratos::start().await;
    let (public, admin) = (kratos.url.clone(), kratos.admin_url.clone());
    kratos.allow_return_url("http://bridge.test/");
    let back = "http://bridge.test/login?login_challenge=abc";
    let token = kratos.add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 60);
    let cookie = session_cookie(&token);
    let json_accept = ("accept", "application/json");

    // whoami: only the cookie counts.
    let whoami = format!("{public}/sessions/whoami");
    let (status, headers, body) = get_with(&whoami, &[]).await;
    assert_eq!((status, header(&headers, "vary")), (401, "Cookie"));
    assert_eq!(
        json_of(&body),
        json!({ "error": { "code": 401, "status": "Unauthorized", "reason": "No valid session credentials found in the request.", "message": "The request could not be authorized" } })
    );
    assert_eq!(
        get_with(&whoami, &[("x-session-token", &token)]).await.0,
        401
    );
    let (status, headers, body) = get_with(&whoami, &[("cookie", &cookie)]).await;
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "x-kratos-authenticated-identity-id"),
        IDENTITY_ID
    );
    let identity = &json_of(&body)["identity"];
    assert!(identity.get("credentials").is_none() && identity.get("metadata_admin").is_none());

    // The browser login: errors are redirects to the error UI unless JSON was asked for.
    let login = |query: &str| format!("{public}/self-service/login/browser?{query}");
    let evil = login("return_to=https%3A%2F%2Fevil.example%2Fx");
    let (status, headers, _) = get_with(&evil, &[]).await;
    assert_eq!(status, 303);
    assert!(header(&headers, "location").contains("/error?id="));
    let (status, _, body) = get_with(&evil, &[json_accept]).await;
    assert_eq!(status, 400);
    assert_eq!(
        json_of(&body),
        json!({ "error": { "id": "self_service_flow_return_to_forbidden", "code": 400, "status": "Bad Request", "reason": "Requested return_to URL \"https://evil.example/x\" is not allowed.", "message": "The request was malformed or contained invalid parameters" } })
    );
    let aal2 = login(&format!("aal=aal2&return_to={}", encode(back)));
    assert_eq!(get_with(&aal2, &[]).await.0, 303);
    let (status, _, body) = get_with(&aal2, &[json_accept]).await;
    assert_eq!(
        (status, json_of(&body)["error"]["id"].as_str()),
        (401, Some("session_aal1_required"))
    );
    let (status, headers, _) = get_with(&login(&format!("return_to={}", encode(back))), &[]).await;
    assert_eq!(status, 303);
    assert!(
        header(&headers, "location").contains("/login?flow="),
        "to the UI's form"
    );
    assert!(set_cookies(&headers)[0].starts_with("csrf_token_"));
    // A session that needs a second factor is still a session to a plain login: straight back.
    kratos.require_aal2(&token);
    let (status, headers, _) = get_with(
        &login(&format!("return_to={}", encode(back))),
        &[("cookie", &cookie)],
    )
    .await;
    assert_eq!((status, header(&headers, "location")), (303, back));
    // Signing in sets the session cookie with its lifetime.
    kratos.set_next_login(IdentitySpec::new(IDENTITY_ID, None));
    let (_, headers, _) = get_with(&login(&format!("return_to={}", encode(back))), &[]).await;
    let session = set_cookies(&headers)
        .into_iter()
        .find(|c| c.starts_with("ory_kratos_session="))
        .unwrap();
    assert!(
        session.contains("; Path=/; Expires=")
            && session.ends_with("; Max-Age=86399; HttpOnly; SameSite=Lax"),
        "{session}"
    );

    // Whoami asks for a second factor.
    let (status, _, body) = get_with(&whoami, &[("cookie", &cookie)]).await;
    let body = json_of(&body);
    assert_eq!(
        (status, body["error"]["id"].as_str()),
        (403, Some("session_aal2_required"))
    );
    assert_eq!(
        body["redirect_browser_to"],
        format!("{public}/self-service/login/browser?aal=aal2")
    );

    // The browser logout.
    let logout = format!(
        "{public}/self-service/logout/browser?return_to={}",
        encode(back)
    );
    let (status, _, body) = get_with(&logout, &[json_accept]).await;
    assert_eq!(status, 401);
    assert_eq!(
        json_of(&body),
        json!({ "error": { "id": "session_inactive", "code": 401, "status": "Unauthorized", "reason": "No active session was found in this request.", "message": "request does not have a valid authentication session" } })
    );
    let (_, _, first) = get_with(&logout, &[json_accept, ("cookie", &cookie)]).await;
    let (_, _, second) = get_with(&logout, &[json_accept, ("cookie", &cookie)]).await;
    assert_eq!(first, second, "one logout token per session");
    let logout_url = json_of(&first)["logout_url"].as_str().unwrap().to_string();
    assert!(
        logout_url.starts_with(&format!("{public}/self-service/logout?return_to="))
            && logout_url.contains("&token=ory_lo_")
    );
    assert_eq!(
        get_with(&logout_url, &[]).await.0,
        303,
        "no cookie: to the error UI"
    );
    let other = kratos.add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 60);
    let other = session_cookie(&other);
    let (status, _, body) = get_with(&logout_url, &[json_accept, ("cookie", &other)]).await;
    assert_eq!(status, 403);
    assert_eq!(
        json_of(&body)["error"]["message"],
        "The requested action was forbidden"
    );
    let (status, headers, _) = get_with(&logout_url, &[("cookie", &cookie)]).await;
    assert_eq!((status, header(&headers, "location")), (303, back));
    assert!(set_cookies(&headers).iter().any(|c| c.starts_with("ory_kratos_session=")
        && c.ends_with("; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; HttpOnly; SameSite=Lax")));
    assert_eq!(get_with(&whoami, &[("cookie", &cookie)]).await.0, 401);
    let registration = format!(
        "{public}/self-service/registration/browser?return_to={}",
        encode(back)
    );
    let (status, headers, _) = get_with(&registration, &[("cookie", &other)]).await;
    assert_eq!((status, header(&headers, "location")), (303, back));

    // The admin API, on its own port.
    kratos.add_identity(IdentitySpec::new(IDENTITY_ID, None));
    let no_rows = json!({ "error": { "code": 404, "status": "Not Found", "message": "Unable to locate the resource" } });
    for id in ["3f2504e0-4f89-41d3-9a0c-0305e82c3301", "not-a-uuid"] {
        let (status, _, body) = get_with(&format!("{admin}/admin/identities/{id}"), &[]).await;
        assert_eq!((status, json_of(&body)), (404, no_rows.clone()), "{id}");
    }
    let (status, _, body) = get_with(&format!("{admin}/admin/identities/{IDENTITY_ID}"), &[]).await;
    let identity = json_of(&body);
    assert_eq!(status, 200);
    assert!(identity["credentials"]["password"]["identifiers"].is_array());
    assert!(identity.get("metadata_admin").is_some_and(Value::is_null));
    let (status, headers, _) =
        get_with(&format!("{public}/admin/identities/{IDENTITY_ID}"), &[]).await;
    assert_eq!(status, 307);
    assert_eq!(
        header(&headers, "location"),
        format!("{admin}/admin/identities/{IDENTITY_ID}")
    );
    // Kratos v1.3.1 redirected this one (307 to `/admin/health/ready`); v26.2.0 answers it.
    let (status, headers, _) = get_with(&format!("{admin}/health/ready"), &[]).await;
    assert_eq!((status, header(&headers, "location")), (200, ""));
    assert_eq!(
        get_with(&format!("{admin}/admin/health/ready"), &[])
            .await
            .0,
        200
    );
    let session_id = kratos.session(other.split_once('=').unwrap().1).unwrap().id;
    let revoke = |id: &str| {
        let url = format!("{admin}/admin/sessions/{id}");
        async move { call(reqwest::Method::DELETE, &url, None).await }
    };
    assert_eq!(revoke(&session_id).await.0, 204);
    assert_eq!(
        revoke(&session_id).await.0,
        204,
        "an ended session is still there"
    );
    let (status, _, body) = revoke("3f2504e0-4f89-41d3-9a0c-0305e82c3301").await;
    assert_eq!((status, json_of(&body)), (404, no_rows));
    let (status, _, body) = revoke("not-a-uuid").await;
    assert_eq!(status, 400);
    assert_eq!(
        json_of(&body),
        json!({ "error": { "code": 400, "status": "Bad Request", "message": "uuid: incorrect UUID length 10 in string \"not-a-uuid\"" } })
    );
}
