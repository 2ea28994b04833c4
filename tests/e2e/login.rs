//! Sign-ins: the subject rule, single sign-on, re-authentication demands.

use std::time::Duration;

use serde_json::json;

use crate::Env;
use crate::browser::{AuthRequest, Person};
use crate::flows::{
    PASSWORD, SCOPES, assert_subject, client_and_customer, customer_with_external_id, kratos_ui,
    sign_in, signed_in_customer,
};
use crate::oauth::exchange;
use crate::stack::Subject;

/// An identity without an external_id: with `use_external_id: true` the subject is the UUID.
pub async fn code_flow_with_pkce_signs_in_with_the_uuid_when_there_is_no_external_id(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let (client, email, id) = client_and_customer(&stack, "pkce").await;
    let mut person = Person::new(&stack);
    let request = AuthRequest::new(&client, SCOPES);
    let tokens = sign_in(&mut person, &request, &email).await;
    assert_subject(&stack, &tokens, &id).await;
    assert_eq!(tokens.id_claims["email"], email.as_str());
    assert_eq!(
        tokens.scopes(),
        ["customer", "email", "offline_access", "openid", "profile"]
    );
}

/// With `use_external_id: false` an identity's external_id is ignored.
pub async fn use_external_id_off_signs_in_with_the_uuid(env: &Env) {
    let stack = env.stack(Subject::Id).await;
    let client = stack.create_client("uuid", SCOPES).await;
    let (email, _, id) = customer_with_external_id(&stack, "uuid", json!({})).await;
    let mut person = Person::new(&stack);
    let tokens = sign_in(&mut person, &AuthRequest::new(&client, "openid"), &email).await;
    assert_subject(&stack, &tokens, &id).await;
}

pub async fn strict_external_id_without_one_gives_no_tokens_and_says_why(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOnly).await;
    let (client, email, _) = client_and_customer(&stack, "strict").await;
    let mut person = Person::new(&stack);
    let ui = kratos_ui(
        person.authorize(&AuthRequest::new(&client, "openid")).await,
        "login",
    );
    let landing = person.log_in_with_password(&ui, &email, PASSWORD).await;
    let (url, status, body) = landing.page();
    assert!(
        url.as_str().starts_with(&stack.bridge),
        "ends on the bridge's page, not {url}"
    );
    assert!(status >= 400, "status {status}");
    assert!(
        body.to_lowercase().contains("external"),
        "the page says why:\n{body}"
    );
    assert!(
        !person
            .visited
            .iter()
            .any(|u| u.as_str().starts_with(&stack.callback)),
        "no code for the client"
    );
}

/// Authorizes `client` again: straight back to the client, with no page on the way (consent
/// remembered) and no trip to Kratos; returns the subject of the tokens.
async fn signed_in_without_kratos(person: &mut Person<'_>, client: &str) -> String {
    let before = person.visited.len();
    let request = AuthRequest::new(client, SCOPES);
    let callback = person.authorize(&request).await.away();
    let kratos = &person.stack.kratos_public;
    let path = &person.visited[before..];
    assert!(
        !path.iter().any(|u| u.as_str().starts_with(kratos.as_str())),
        "no Kratos login: {path:?}"
    );
    exchange(person.stack, &request, &callback)
        .await
        .sub()
        .to_string()
}

pub async fn second_authorization_skips_login_and_consent_until_the_session_is_revoked(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let (mut person, client, _, id) = signed_in_customer(&stack, "sso").await;

    // Hydra's skip with the Kratos session alive.
    assert_eq!(signed_in_without_kratos(&mut person, &client).await, id);

    let url = format!("{}/admin/identities/{id}/sessions", stack.kratos_admin);
    let r = stack
        .http
        .delete(&url)
        .send()
        .await
        .expect("revoke sessions");
    assert_eq!(r.status().as_u16(), 204, "revoking the sessions");
    assert!(
        person.whoami().await.is_none(),
        "Kratos no longer knows the session"
    );
    // Hydra still remembers the person; the bridge must not accept on that alone.
    kratos_ui(
        person.authorize(&AuthRequest::new(&client, SCOPES)).await,
        "login",
    );
}

fn authenticated_at(session: &serde_json::Value) -> time::OffsetDateTime {
    let s = session["authenticated_at"]
        .as_str()
        .expect("authenticated_at");
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .expect("a timestamp")
}

pub async fn prompt_login_and_max_age_force_reauthentication(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let (mut person, client, email, id) = signed_in_customer(&stack, "fresh").await;
    let first = authenticated_at(&person.whoami().await.expect("session"));

    for (key, value) in [("prompt", "login"), ("max_age", "1")] {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let request = AuthRequest::new(&client, SCOPES).with(key, value);
        let ui = kratos_ui(person.authorize(&request).await, "login");
        let flow = person.flow("login", &ui).await;
        assert_eq!(
            flow["refresh"],
            json!(true),
            "{key}={value} asks Kratos for a fresh login"
        );
        let back = person.log_in_with_password(&ui, &email, PASSWORD).await;
        let callback = back.away();
        let tokens = exchange(&stack, &request, &callback).await;
        assert_eq!(tokens.sub(), id);
        let now = authenticated_at(&person.whoami().await.expect("session"));
        assert!(
            now > first,
            "{key}={value}: authenticated_at moved ({first} -> {now})"
        );
        let auth_time = tokens.id_claims["auth_time"].as_i64().expect("auth_time");
        assert!(
            auth_time >= now.unix_timestamp() - 1,
            "auth_time {auth_time} is the fresh login {now}"
        );
    }
    // Without a demand the same person is signed in with no Kratos round trip.
    assert_eq!(signed_in_without_kratos(&mut person, &client).await, id);
}

pub async fn acr_values_aal2_asks_for_a_second_factor(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let (mut person, client, email, _) = signed_in_customer(&stack, "aal2").await;

    let request = AuthRequest::new(&client, SCOPES).with("acr_values", "aal2");
    let ui = kratos_ui(person.authorize(&request).await, "login");
    let flow = person.flow("login", &ui).await;
    assert_eq!(
        flow["requested_aal"], "aal2",
        "the bridge asks Kratos for aal2: {flow}"
    );
    let back = crate::second_factor::with_email_code(&mut person, &stack, &ui, &email).await;
    let tokens = exchange(&stack, &request, &back.away()).await;
    assert_eq!(tokens.id_claims["acr"], "aal2");
    assert_eq!(
        person.whoami().await.expect("session")["authenticator_assurance_level"],
        "aal2"
    );
}
