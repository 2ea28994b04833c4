//! Steps that several end-to-end tests share.

use url::Url;

use crate::browser::{AuthRequest, Landing, Person};
use crate::oauth::{Tokens, exchange, form_action, form_fields, introspect, userinfo};
use crate::stack::Stack;

pub const PASSWORD: &str = "e2e-Correct-Horse-Battery-42";
pub const SCOPES: &str = "openid offline_access email profile customer";

/// A fresh address per test, so tests can share a stack.
pub fn email(label: &str) -> String {
    format!("{label}-{}@example.com", crate::browser::random())
}

/// Kratos's login UI page the browser was sent to, or a panic naming where it went instead.
pub fn kratos_ui(landing: Landing, what: &str) -> Url {
    let url = landing.away();
    assert!(
        url.path().ends_with(&format!("/{what}")),
        "expected Kratos's {what} UI, went to {url}"
    );
    url
}

/// On the bridge's consent page: submits Allow with `untick` left out (and `remember` ticked if asked).
pub async fn allow(
    person: &mut Person<'_>,
    page: Landing,
    untick: &[&str],
    remember: bool,
) -> Landing {
    let (url, status, body) = page.page();
    assert_eq!(status, 200, "consent page at {url}:\n{body}");
    assert!(
        url.path().ends_with("/consent"),
        "expected the consent page, got {url}:\n{body}"
    );
    let tick: &[&str] = if remember { &["true"] } else { &[] };
    let mut fields = form_fields(&body, untick, tick);
    fields.push(("action".into(), "allow".into()));
    let action = form_action(&url, &body);
    person.submit(&action, &fields).await
}

/// The whole sign-in of a person without a session: authorization, Kratos's password login, the
/// consent page (everything allowed), the token exchange.
pub async fn sign_in(person: &mut Person<'_>, request: &AuthRequest, email: &str) -> Tokens {
    let ui = kratos_ui(person.authorize(request).await, "login");
    let back = person.log_in_with_password(&ui, email, PASSWORD).await;
    let done = allow(person, back, &[], true).await;
    exchange(person.stack, request, &done.away()).await
}

/// A client and a customer identity on `stack`, for tests that need one of each.
pub async fn client_and_customer(stack: &Stack, label: &str) -> (String, String, String) {
    let client = stack.create_client(label, SCOPES).await;
    let email = email(label);
    let id = stack
        .create_identity("customer", &email, PASSWORD, serde_json::json!({}))
        .await;
    (client, email, id)
}

/// A client, and a new customer signed in to it in a browser of its own (consent remembered);
/// returns the person, the client, the customer's address and identity id.
pub async fn signed_in_customer<'s>(
    stack: &'s Stack,
    label: &str,
) -> (Person<'s>, String, String, String) {
    let (client, email, id) = client_and_customer(stack, label).await;
    let mut person = Person::new(stack);
    sign_in(&mut person, &AuthRequest::new(&client, SCOPES), &email).await;
    (person, client, email, id)
}

/// A customer with a top-level external_id of its own and `extra` merged into the admin API's
/// body; returns its address, external_id and identity id.
pub async fn customer_with_external_id(
    stack: &Stack,
    label: &str,
    extra: serde_json::Value,
) -> (String, String, String) {
    let address = email(label);
    let external_id = format!("CUST-{}", crate::browser::random());
    let mut body = serde_json::json!({ "external_id": external_id });
    crate::admin::merge(&mut body, extra);
    let id = stack
        .create_identity_with("customer", &address, PASSWORD, body)
        .await;
    (address, external_id, id)
}

/// `sub` is `expected` in the id_token, in the access token's introspection and in Hydra's userinfo.
pub async fn assert_subject(stack: &Stack, tokens: &Tokens, expected: &str) {
    assert_eq!(tokens.sub(), expected, "id_token: {}", tokens.id_claims);
    let introspection = introspect(stack, &tokens.access_token).await;
    assert_eq!(introspection["active"], true, "{introspection}");
    assert_eq!(
        introspection["sub"], expected,
        "introspection: {introspection}"
    );
    let info = userinfo(stack, &tokens.access_token).await;
    assert_eq!(info["sub"], expected, "userinfo: {info}");
}
