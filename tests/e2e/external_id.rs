//! The subject rule with an external_id: the identifier a customer system gave the identity is the
//! `sub` everywhere Hydra puts one, and the consent step finds the identity by it.

use serde_json::{Value, json};
use url::Url;

use crate::Env;
use crate::browser::{AuthRequest, Landing, Person, query, random};
use crate::flows::{PASSWORD, SCOPES, allow, assert_subject, sign_in};
use crate::oauth::{exchange, exchange_keeping_answer, introspect, refresh, userinfo};
use crate::stack::{Stack, Subject};

/// A customer with an external_id, a name and a customer number; returns (email, external_id, id).
async fn customer_with_external_id(stack: &Stack, label: &str) -> (String, String, String) {
    let extra = json!({
        "traits": { "name": { "first": "Ada", "last": "Lovelace" } },
        "metadata_public": { "customer_id": "C-4711" },
    });
    crate::flows::customer_with_external_id(stack, label, extra).await
}

/// What the bridge releases for this customer with `openid email profile customer` granted: the
/// standard claims from traits and the compose config's `customer_id` from `metadata_public`.
fn assert_customer_claims(claims: &Value, address: &str) {
    assert_eq!(claims["email"], address, "{claims}");
    assert_eq!(claims["email_verified"], true, "{claims}");
    assert_eq!(claims["name"], "Ada Lovelace", "{claims}");
    assert_eq!(claims["given_name"], "Ada", "{claims}");
    assert_eq!(claims["family_name"], "Lovelace", "{claims}");
    assert_eq!(claims["customer_id"], "C-4711", "{claims}");
}

pub async fn external_id_is_the_subject_of_the_id_token_the_access_token_and_userinfo(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let client = stack.create_client("external-id", SCOPES).await;
    let (address, external_id, id) = customer_with_external_id(&stack, "external-id").await;
    let mut person = Person::new(&stack);
    let tokens = sign_in(&mut person, &AuthRequest::new(&client, SCOPES), &address).await;
    assert_subject(&stack, &tokens, &external_id).await;
    assert_customer_claims(&tokens.id_claims, &address);
    assert!(
        !tokens.id_claims.to_string().contains(&id),
        "the identity's UUID is not in the id_token: {}",
        tokens.id_claims
    );
    let info = userinfo(&stack, &tokens.access_token).await;
    assert_customer_claims(&info, &address);
    // `token: both`: the customer number is on the access token too.
    let introspection = introspect(&stack, &tokens.access_token).await;
    assert_eq!(
        introspection["ext"]["customer_id"], "C-4711",
        "{introspection}"
    );
}

pub async fn external_id_stays_the_subject_after_a_refresh_token_grant(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let client = stack.create_client("refresh", SCOPES).await;
    let (address, external_id, _) = customer_with_external_id(&stack, "refresh").await;
    let mut person = Person::new(&stack);
    let request = AuthRequest::new(&client, SCOPES);
    let ui = crate::flows::kratos_ui(person.authorize(&request).await, "login");
    let back = person.log_in_with_password(&ui, &address, PASSWORD).await;
    let done = allow(&mut person, back, &[], false).await;
    let (tokens, answer) = exchange_keeping_answer(&stack, &request, &done.away()).await;
    assert_eq!(tokens.sub(), external_id);
    let refresh_token = answer["refresh_token"]
        .as_str()
        .unwrap_or_else(|| panic!("offline_access gives a refresh_token: {answer}"));

    let (renewed, answer) = refresh(&stack, &client, refresh_token).await;
    assert_ne!(
        renewed.access_token, tokens.access_token,
        "a new access token"
    );
    assert!(
        answer["refresh_token"]
            .as_str()
            .is_some_and(|r| r != refresh_token),
        "Hydra rotates the refresh token: {answer}"
    );
    assert_subject(&stack, &renewed, &external_id).await;
    // The consent session's claims come along with the refreshed tokens.
    assert_customer_claims(&renewed.id_claims, &address);
    assert_eq!(
        introspect(&stack, &renewed.access_token).await["ext"]["customer_id"],
        "C-4711"
    );
}

/// Plays the login app for the login step: starts the authorization, takes the challenge from
/// Hydra's redirect to the bridge's /login without following it, and accepts the login at Hydra's
/// admin API with `subject` and no `context`. Returns where Hydra's redirect_to leads the browser.
async fn login_accepted_without_context(
    person: &mut Person<'_>,
    request: &AuthRequest,
    subject: &str,
) -> Landing {
    let stack = person.stack;
    let r = person
        .http
        .get(request.url(stack))
        .send()
        .await
        .expect("authorization");
    let location = r
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("Hydra answered {} without a redirect", r.status()));
    let login = Url::parse(location).expect("a URL");
    assert!(
        login
            .as_str()
            .starts_with(&format!("{}/login", stack.bridge)),
        "Hydra sends the browser to the bridge's login: {login}"
    );
    let challenge = query(&login, "login_challenge").expect("login_challenge");
    let url = format!(
        "{}/admin/oauth2/auth/requests/login/accept?login_challenge={challenge}",
        stack.hydra_admin
    );
    let r = stack
        .http
        .put(&url)
        .json(&json!({ "subject": subject }))
        .send()
        .await
        .expect("login accept");
    let status = r.status();
    let answer: Value = r.json().await.expect("login accept JSON");
    assert!(status.is_success(), "login accept: {status} {answer}");
    let next = answer["redirect_to"].as_str().expect("redirect_to");
    person.open(next).await
}

/// The consent request Hydra holds for the consent page at `page`.
async fn consent_request(stack: &Stack, page: &Url) -> Value {
    let challenge = query(page, "consent_challenge").expect("consent_challenge");
    stack
        .get_json(&format!(
            "{}/admin/oauth2/auth/requests/consent?consent_challenge={challenge}",
            stack.hydra_admin
        ))
        .await
}

pub async fn consent_without_context_finds_the_identity_by_external_id(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let client = stack.create_client("by-external", SCOPES).await;
    let (address, external_id, _) = customer_with_external_id(&stack, "by-external").await;
    let mut person = Person::new(&stack);
    let request = AuthRequest::new(&client, SCOPES);
    let page = login_accepted_without_context(&mut person, &request, &external_id).await;
    let Landing::Page { url, status, body } = page else {
        panic!("expected the consent page, went to {page:?}");
    };
    let held = consent_request(&stack, &url).await;
    assert_eq!(held["subject"], external_id.as_str(), "{held}");
    assert!(
        held["context"].is_null() || held["context"] == json!({}),
        "the consent request carries no context: {held}"
    );
    // The page names the account: the bridge found the identity behind the external_id.
    assert!(body.contains(&address), "the page shows {address}:\n{body}");

    let page = Landing::Page { url, status, body };
    let done = allow(&mut person, page, &[], false).await;
    let tokens = exchange(&stack, &request, &done.away()).await;
    assert_subject(&stack, &tokens, &external_id).await;
    assert_customer_claims(&tokens.id_claims, &address);
}

pub async fn consent_for_a_subject_no_identity_maps_to_is_rejected(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let client = stack.create_client("no-identity", SCOPES).await;
    // Nobody has this external_id; the second identity has one, so its UUID is not its subject.
    let (_, _, id) = customer_with_external_id(&stack, "not-by-uuid").await;
    for subject in [format!("CUST-nobody-{}", random()), id] {
        let mut person = Person::new(&stack);
        let request = AuthRequest::new(&client, SCOPES);
        let callback = login_accepted_without_context(&mut person, &request, &subject)
            .await
            .away();
        assert!(
            callback.as_str().starts_with(&stack.callback),
            "back to the client: {callback}"
        );
        assert_eq!(
            query(&callback, "error").as_deref(),
            Some("access_denied"),
            "subject {subject}: {callback}"
        );
        assert_eq!(query(&callback, "state").as_deref(), Some(&*request.state));
        assert_eq!(query(&callback, "code"), None, "no code: {callback}");
        let bridge_pages = person
            .visited
            .iter()
            .filter(|u| u.as_str().starts_with(&format!("{}/consent", stack.bridge)))
            .count();
        assert_eq!(bridge_pages, 1, "went through the bridge's consent once");
    }
}

pub async fn strict_external_id_signs_in_with_the_external_id(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOnly).await;
    let client = stack.create_client("strict-with", SCOPES).await;
    let (address, external_id, _) = customer_with_external_id(&stack, "strict-with").await;
    let mut person = Person::new(&stack);
    let tokens = sign_in(&mut person, &AuthRequest::new(&client, SCOPES), &address).await;
    assert_subject(&stack, &tokens, &external_id).await;
    assert_customer_claims(&tokens.id_claims, &address);
}
