//! GET/POST /consent against fake Hydra and Kratos: auto-accepts, the page, the form, CSRF, identity
//! checks, claims and failures.

use std::time::Duration;

use crate::support::*;
use serde_json::{Value, json};

const CUSTOMER_CLAIMS: &str = "claims:\n  mappings:\n    - claim: customer_id\n      source: metadata_public.customer_id\n      scope: customer\n      schemas: [customer]\n      token: both\n";

fn customer() -> IdentitySpec {
    let mut identity = IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID));
    identity.metadata_public = json!({ "customer_id": "C-0042" });
    identity
}

/// A consent request whose context carries the identity id, as the bridge's login step leaves it.
fn consent_for(subject: &str) -> ConsentSpec {
    ConsentSpec {
        subject: subject.into(),
        context: Some(json!({ "identity_id": IDENTITY_ID, "subject_source": "id" })),
        ..ConsentSpec::default()
    }
}

fn only_accept(app: &TestApp, challenge: &str) -> Value {
    let accepted = app.hydra.accepted_consents();
    assert_eq!(accepted.len(), 1, "{accepted:?}");
    assert_eq!(accepted[0].0, challenge);
    assert!(app.hydra.rejected_consents().is_empty());
    accepted[0].1.clone()
}

fn only_reject(app: &TestApp, challenge: &str) -> Value {
    let rejected = app.hydra.rejected_consents();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0].0, challenge);
    assert!(app.hydra.accepted_consents().is_empty());
    rejected[0].1.clone()
}

struct Page {
    csrf_token: String,
    cookie: String,
    html: String,
}

async fn open_page(app: &TestApp, challenge: &str) -> Page {
    let response = app
        .get(
            &format!("/consent?consent_challenge={}", encode(challenge)),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let set_cookie = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    assert!(
        !set_cookie.contains("Secure"),
        "http base_url: no Secure flag"
    );
    assert_eq!(response.headers().get("x-frame-options").unwrap(), "DENY");
    assert_eq!(response.headers().get("cache-control").unwrap(), "no-store");
    let csp = response
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("frame-ancestors 'none'"));
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let html = response.text().await.unwrap();
    let csrf_token = form_field(&html, "csrf_token").expect("csrf field");
    assert_eq!(
        unescape(&form_field(&html, "consent_challenge").unwrap()),
        challenge
    );
    Page {
        csrf_token,
        cookie,
        html,
    }
}

async fn post(
    app: &TestApp,
    form: &[(&str, &str)],
    cookie: Option<&str>,
    origin: Option<&str>,
) -> reqwest::Response {
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut request = app
        .client
        .post(format!("{}/consent", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    request.send().await.unwrap()
}

async fn submit(
    app: &TestApp,
    challenge: &str,
    page: &Page,
    action: &str,
    scopes: &[&str],
    remember: bool,
) -> reqwest::Response {
    let mut form = vec![
        ("consent_challenge", challenge),
        ("csrf_token", page.csrf_token.as_str()),
        ("action", action),
    ];
    for scope in scopes {
        form.push(("grant_scope", scope));
    }
    if remember {
        form.push(("remember", "true"));
    }
    post(app, &form, Some(&page.cookie), Some(&app.address)).await
}

#[tokio::test]
async fn skip_accepts_everything_requested_without_a_page() {
    let app = spawn_app().await;
    app.kratos.add_identity(customer());
    let challenge = app.hydra.add_consent(ConsentSpec {
        skip: true,
        ..consent_for(IDENTITY_ID)
    });
    let response = app
        .get(
            &format!("/consent?consent_challenge={}", encode(&challenge)),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).contains("consent_verifier="));
    let body = only_accept(&app, &challenge);
    assert_eq!(body["grant_scope"], json!(["openid", "profile", "email"]));
    assert_eq!(
        body["grant_access_token_audience"],
        json!(["https://api.test"])
    );
    assert_eq!(body["remember"], false);
    let id_token = &body["session"]["id_token"];
    assert_eq!(id_token["email"], "ada@example.com");
    assert_eq!(id_token["email_verified"], true);
    assert_eq!(id_token["name"], "Ada Lovelace");
    assert!(id_token.get("sub").is_none());
    // The context carried the id: one lookup by id, none by subject.
    assert_eq!(
        app.kratos.admin_calls(),
        vec![format!("/admin/identities/{IDENTITY_ID}")]
    );
}

#[tokio::test]
async fn no_kratos_call_when_nothing_granted_needs_the_identity() {
    let app = spawn_app().await;
    app.kratos.add_identity(customer());
    let challenge = app.hydra.add_consent(ConsentSpec {
        skip: true,
        requested_scope: vec!["openid".into(), "offline_access".into()],
        ..consent_for(IDENTITY_ID)
    });
    let response = app
        .get(
            &format!("/consent?consent_challenge={}", encode(&challenge)),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let body = only_accept(&app, &challenge);
    assert_eq!(body["grant_scope"], json!(["openid", "offline_access"]));
    assert_eq!(body["session"]["id_token"], json!({}));
    assert!(
        app.kratos.admin_calls().is_empty(),
        "the context named the identity, no claims needed"
    );
    // Without the context the subject must still be checked against an identity.
    let without = app.hydra.add_consent(ConsentSpec {
        skip: true,
        subject: IDENTITY_ID.into(),
        requested_scope: vec!["openid".into()],
        context: None,
        ..ConsentSpec::default()
    });
    app.get(
        &format!("/consent?consent_challenge={}", encode(&without)),
        None,
    )
    .await;
    assert_eq!(app.kratos.admin_calls().len(), 1);
}

#[tokio::test]
async fn skip_consent_clients_are_accepted_without_a_page() {
    let app = spawn_app().await;
    app.kratos.add_identity(customer());
    let challenge = app.hydra.add_consent(ConsentSpec {
        skip_consent: true,
        ..consent_for(IDENTITY_ID)
    });
    let response = app
        .get(
            &format!("/consent?consent_challenge={}", encode(&challenge)),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        only_accept(&app, &challenge)["grant_scope"],
        json!(["openid", "profile", "email"])
    );
}

#[tokio::test]
async fn trusted_clients_are_accepted_without_a_page() {
    let app = spawn_app_with(
        HydraVersion::Strict,
        &[("BRIDGE__CONSENT__TRUSTED_CLIENTS", "other,first-party")],
    )
    .await;
    app.kratos.add_identity(customer());
    let challenge = app.hydra.add_consent(ConsentSpec {
        client_id: "first-party".into(),
        ..consent_for(IDENTITY_ID)
    });
    let response = app
        .get(
            &format!("/consent?consent_challenge={}", encode(&challenge)),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    only_accept(&app, &challenge);
}

#[tokio::test]
async fn the_page_shows_client_scopes_and_escapes_everything() {
    let app = spawn_app().await;
    let mut identity = customer();
    identity.traits = json!({ "email": "<b>ada</b>@example.com" });
    app.kratos.add_identity(identity);
    let challenge = app.hydra.add_consent(ConsentSpec {
        client_name: "<script>alert('x')</script>Shop".into(),
        logo_uri: "javascript:alert(1)".into(),
        requested_scope: vec![
            "openid".into(),
            "email".into(),
            "offline_access".into(),
            "weird\"><i>".into(),
        ],
        ..consent_for(IDENTITY_ID)
    });
    let page = open_page(&app, &challenge).await;
    assert!(!page.html.contains("<script>alert"));
    assert!(
        page.html.contains("&#60;script&#62;") || page.html.contains("&lt;script&gt;"),
        "{}",
        page.html
    );
    assert!(!page.html.contains("<b>ada</b>"));
    assert!(!page.html.contains("\"><i>"));
    assert!(!page.html.contains("javascript:"));
    assert!(page.html.contains("Your email address"));
    assert!(page.html.contains("stay signed in"));
    assert!(page.html.contains("Remember this decision"));
    assert!(app.hydra.accepted_consents().is_empty());
}

#[tokio::test]
async fn allow_with_a_subset_grants_only_that_subset_and_its_claims() {
    let app = spawn_app().await;
    app.kratos.add_identity(customer());
    let challenge = app.hydra.add_consent(consent_for(IDENTITY_ID));
    let page = open_page(&app, &challenge).await;
    let response = submit(&app, &challenge, &page, "allow", &["email"], false).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).contains("consent_verifier="));
    let body = only_accept(&app, &challenge);
    assert_eq!(body["grant_scope"], json!(["openid", "email"]));
    assert_eq!(
        body["grant_access_token_audience"],
        json!(["https://api.test"])
    );
    assert_eq!(body["remember"], false);
    let id_token = body["session"]["id_token"].as_object().unwrap();
    assert!(id_token.contains_key("email"));
    assert!(
        !id_token.contains_key("name"),
        "profile was not granted: {id_token:?}"
    );
}

#[tokio::test]
async fn a_forged_extra_scope_is_never_granted() {
    let app = spawn_app().await;
    app.kratos.add_identity(customer());
    let challenge = app.hydra.add_consent(consent_for(IDENTITY_ID));
    let page = open_page(&app, &challenge).await;
    let response = submit(
        &app,
        &challenge,
        &page,
        "allow",
        &["profile", "admin", "offline_access", "profile"],
        false,
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        only_accept(&app, &challenge)["grant_scope"],
        json!(["openid", "profile"])
    );
}

#[tokio::test]
async fn remember_uses_the_configured_lifetime() {
    let app = spawn_app_with(
        HydraVersion::Strict,
        &[("BRIDGE__CONSENT__REMEMBER_FOR", "3600")],
    )
    .await;
    app.kratos.add_identity(customer());
    let challenge = app.hydra.add_consent(consent_for(IDENTITY_ID));
    let page = open_page(&app, &challenge).await;
    submit(
        &app,
        &challenge,
        &page,
        "allow",
        &["profile", "email"],
        true,
    )
    .await;
    let body = only_accept(&app, &challenge);
    assert_eq!(body["remember"], true);
    assert_eq!(body["remember_for"], 3600);
}

#[tokio::test]
async fn deny_rejects_with_access_denied() {
    let app = spawn_app().await;
    app.kratos.add_identity(customer());
    let challenge = app.hydra.add_consent(consent_for(IDENTITY_ID));
    let page = open_page(&app, &challenge).await;
    let response = submit(&app, &challenge, &page, "deny", &["email"], false).await;
    assert_eq!(response.status().as_u16(), 303);
    // Hydra answers a reject with its own URL (and a verifier); it tells the client itself.
    let to = location(&response);
    assert!(
        to.starts_with("https://hydra.test/oauth2/auth?") && to.contains("consent_verifier="),
        "{to}"
    );
    assert_eq!(only_reject(&app, &challenge)["error"], "access_denied");
}

#[tokio::test]
async fn csrf_failures_are_403_and_reach_no_hydra_answer() {
    let app = spawn_app().await;
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
    let app = spawn_app_with(
        HydraVersion::Strict,
        &[("BRIDGE__SERVE__FORM_TTL_SECS", "1")],
    )
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
async fn a_subject_that_is_not_the_identitys_is_rejected() {
    let app = spawn_app().await;
    app.kratos.add_identity(customer());
    // The context points at an identity whose UUID is not the request's subject.
    let challenge = app.hydra.add_consent(consent_for("someone-else"));
    let response = app
        .get(
            &format!("/consent?consent_challenge={}", encode(&challenge)),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).contains("consent_verifier="));
    assert_eq!(only_reject(&app, &challenge)["error"], "access_denied");
}

#[tokio::test]
async fn an_inactive_identity_is_rejected() {
    let app = spawn_app().await;
    let mut identity = customer();
    identity.state = "inactive";
    app.kratos.add_identity(identity);
    let challenge = app.hydra.add_consent(ConsentSpec {
        skip: true,
        ..consent_for(IDENTITY_ID)
    });
    app.get(
        &format!("/consent?consent_challenge={}", encode(&challenge)),
        None,
    )
    .await;
    only_reject(&app, &challenge);
}

#[tokio::test]
async fn lookup_by_external_id_when_there_is_no_context() {
    let app = spawn_app_full(
        HydraVersion::Strict,
        &[("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", "true")],
        CUSTOMER_CLAIMS,
    )
    .await;
    app.kratos.add_identity(customer());
    let challenge = app.hydra.add_consent(ConsentSpec {
        skip: true,
        subject: EXTERNAL_ID.into(),
        requested_scope: vec!["openid".into(), "customer".into()],
        context: None,
        ..ConsentSpec::default()
    });
    let response = app
        .get(
            &format!("/consent?consent_challenge={}", encode(&challenge)),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let body = only_accept(&app, &challenge);
    assert_eq!(body["session"]["id_token"]["customer_id"], "C-0042");
    assert_eq!(body["session"]["access_token"]["customer_id"], "C-0042");
    assert_eq!(
        app.kratos.admin_calls(),
        vec![format!("/admin/identities/by/external/{EXTERNAL_ID}")]
    );
}

#[tokio::test]
async fn lookup_by_id_when_there_is_no_context() {
    let app = spawn_app().await;
    app.kratos.add_identity(customer());
    let challenge = app.hydra.add_consent(ConsentSpec {
        skip: true,
        subject: IDENTITY_ID.into(),
        ..ConsentSpec::default()
    });
    assert_eq!(
        app.get(
            &format!("/consent?consent_challenge={}", encode(&challenge)),
            None
        )
        .await
        .status()
        .as_u16(),
        303
    );
    only_accept(&app, &challenge);
    assert_eq!(
        app.kratos.admin_calls(),
        vec![format!("/admin/identities/{IDENTITY_ID}")]
    );
}

#[tokio::test]
async fn kratos_without_external_lookup_uses_the_context_or_rejects() {
    let app = spawn_app_with(
        HydraVersion::Strict,
        &[("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", "true")],
    )
    .await;
    app.kratos.disable_external_lookup();
    app.kratos.add_identity(customer());
    let with_context = app.hydra.add_consent(ConsentSpec {
        skip: true,
        subject: EXTERNAL_ID.into(),
        context: Some(json!({ "identity_id": IDENTITY_ID, "subject_source": "external_id" })),
        ..ConsentSpec::default()
    });
    assert_eq!(
        app.get(
            &format!("/consent?consent_challenge={}", encode(&with_context)),
            None
        )
        .await
        .status()
        .as_u16(),
        303
    );
    assert_eq!(app.hydra.accepted_consents().len(), 1);
    let without = app.hydra.add_consent(ConsentSpec {
        skip: true,
        subject: EXTERNAL_ID.into(),
        context: Some(Value::Null),
        ..ConsentSpec::default()
    });
    let response = app
        .get(
            &format!("/consent?consent_challenge={}", encode(&without)),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(app.hydra.rejected_consents().len(), 1);
    assert_eq!(app.hydra.rejected_consents()[0].0, without);
}

#[tokio::test]
async fn the_customer_id_claim_follows_scope_and_schema() {
    let app = spawn_app_full(HydraVersion::Strict, &[], CUSTOMER_CLAIMS).await;
    let mut employee = IdentitySpec::new("1b4e28ba-2fa1-41d2-883f-0016d3cca427", None);
    employee.schema_id = "employee".into();
    employee.metadata_public = json!({ "customer_id": "should-not-appear" });
    app.kratos.add_identity(customer());
    app.kratos.add_identity(employee);
    let scopes = vec!["openid".to_string(), "customer".to_string()];
    let for_customer = app.hydra.add_consent(ConsentSpec {
        skip: true,
        requested_scope: scopes.clone(),
        ..consent_for(IDENTITY_ID)
    });
    let for_employee = app.hydra.add_consent(ConsentSpec {
        skip: true,
        requested_scope: scopes,
        subject: "1b4e28ba-2fa1-41d2-883f-0016d3cca427".into(),
        context: None,
        ..ConsentSpec::default()
    });
    let without_scope = app.hydra.add_consent(ConsentSpec {
        skip: true,
        ..consent_for(IDENTITY_ID)
    });
    for c in [&for_customer, &for_employee, &without_scope] {
        app.get(&format!("/consent?consent_challenge={}", encode(c)), None)
            .await;
    }
    let accepted = app.hydra.accepted_consents();
    let claims =
        |c: &str| accepted.iter().find(|(x, _)| x == c).unwrap().1["session"]["id_token"].clone();
    assert_eq!(claims(&for_customer)["customer_id"], "C-0042");
    assert!(claims(&for_employee).get("customer_id").is_none());
    assert!(claims(&without_scope).get("customer_id").is_none());
}

#[tokio::test]
async fn hydra_answers_map_to_pages() {
    let app = spawn_app().await;
    app.kratos.add_identity(customer());
    let unknown = app
        .get("/consent?consent_challenge=dW5rbm93bg%3D%3D", None)
        .await;
    assert_eq!(unknown.status().as_u16(), 404);
    let expired = app.hydra.add_consent(consent_for(IDENTITY_ID));
    app.hydra.expire_consent(&expired);
    let response = app
        .get(
            &format!("/consent?consent_challenge={}", encode(&expired)),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 410);
    assert!(response.text().await.unwrap().contains("expired"));
    // Only Hydra v2.1 answers 410 (later challenges stay readable until they expire).
    let v2_1 = spawn_app_with(HydraVersion::V2_1, &[]).await;
    let handled = v2_1.hydra.add_consent(consent_for(IDENTITY_ID));
    v2_1.hydra.handle_consent(&handled);
    let response = v2_1
        .get(
            &format!("/consent?consent_challenge={}", encode(&handled)),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).starts_with("https://hydra.test/oauth2/auth"));
    for bad in [
        "",
        "?consent_challenge=",
        "?consent_challenge=a%20b",
        "?consent_challenge=a&consent_challenge=b",
    ] {
        assert_eq!(
            app.get(&format!("/consent{bad}"), None)
                .await
                .status()
                .as_u16(),
            400,
            "{bad}"
        );
    }
    let live = app.hydra.add_consent(consent_for(IDENTITY_ID));
    app.hydra.set_fault(Some(Fault::Status(500)));
    assert_eq!(
        app.get(
            &format!("/consent?consent_challenge={}", encode(&live)),
            None
        )
        .await
        .status()
        .as_u16(),
        502
    );
    app.hydra.set_fault(None);
    app.kratos.set_fault(Some(Fault::Hang));
    assert_eq!(
        app.get(
            &format!("/consent?consent_challenge={}", encode(&live)),
            None
        )
        .await
        .status()
        .as_u16(),
        504
    );
}

#[tokio::test]
async fn a_post_for_an_expired_request_gets_the_expired_page() {
    let app = spawn_app().await;
    app.kratos.add_identity(customer());
    let challenge = app.hydra.add_consent(consent_for(IDENTITY_ID));
    let page = open_page(&app, &challenge).await;
    app.hydra.expire_consent(&challenge);
    let response = submit(&app, &challenge, &page, "allow", &["email"], false).await;
    assert_eq!(response.status().as_u16(), 410);
}

#[tokio::test]
async fn malformed_forms_are_refused_with_pages() {
    let app = spawn_app().await;
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

#[tokio::test]
async fn strict_and_lenient_hydra_both_take_the_accept_body() {
    for version in [
        HydraVersion::Strict,
        HydraVersion::Lenient,
        HydraVersion::V2_1,
    ] {
        let app = spawn_app_full(version, &[], CUSTOMER_CLAIMS).await;
        app.kratos.add_identity(customer());
        let challenge = app.hydra.add_consent(ConsentSpec {
            requested_scope: vec!["openid".into(), "email".into(), "customer".into()],
            ..consent_for(IDENTITY_ID)
        });
        let page = open_page(&app, &challenge).await;
        let response = submit(
            &app,
            &challenge,
            &page,
            "allow",
            &["email", "customer"],
            true,
        )
        .await;
        assert_eq!(response.status().as_u16(), 303, "{version:?}");
        only_accept(&app, &challenge);
    }
}
