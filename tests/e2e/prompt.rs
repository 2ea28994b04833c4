//! OIDC Core 3.1.2.1 `prompt=none` and `id_token_hint`: when the person cannot be signed in
//! silently as asked, the application gets an error at its callback, never a page.

use std::time::Duration;

use serde_json::json;
use url::Url;

use crate::Env;
use crate::browser::{AuthRequest, Landing, Person, query};
use crate::flows::{
    PASSWORD, SCOPES, allow, client_and_customer, email, kratos_ui, sign_in, signed_in_customer,
};
use crate::oauth::exchange;
use crate::stack::{Stack, Subject};

/// The client's callback after `request`: its `error`, with the state and without a code.
fn callback_error(stack: &Stack, request: &AuthRequest, landing: Landing) -> String {
    let url = landing.away();
    assert!(
        url.as_str().starts_with(&stack.callback),
        "expected the client's callback, went to {url}"
    );
    assert_eq!(
        query(&url, "state").as_deref(),
        Some(request.state.as_str())
    );
    assert_eq!(query(&url, "code"), None, "no code: {url}");
    query(&url, "error").unwrap_or_else(|| panic!("no error in {url}"))
}

/// Where a browser went, without the long queries: for failure messages.
fn trail(urls: &[Url]) -> Vec<String> {
    urls.iter()
        .map(|u| {
            let prompt = query(u, "prompt").map(|p| format!(" prompt={p}"));
            format!(
                "{}{}{}",
                u.origin().ascii_serialization(),
                u.path(),
                prompt.unwrap_or_default()
            )
        })
        .collect()
}

/// Authorizes with `request` and checks that the browser saw no Kratos page on the way.
async fn silently(person: &mut Person<'_>, request: &AuthRequest) -> Landing {
    let before = person.visited.len();
    let landing = person.authorize(request).await;
    let kratos = person.stack.kratos_public.as_str();
    let path = &person.visited[before..];
    assert!(
        !path.iter().any(|u| u.as_str().starts_with(kratos)),
        "no Kratos page under prompt=none: {:?}",
        trail(path)
    );
    landing
}

async fn revoke_kratos_sessions(stack: &Stack, identity: &str) {
    let url = format!(
        "{}/admin/identities/{identity}/sessions",
        stack.kratos_admin
    );
    let r = stack.http.delete(&url).send().await.expect("revoke");
    assert_eq!(r.status().as_u16(), 204, "revoking the sessions");
}

/// Signs `email` in at Kratos directly (its own login page, no application involved).
async fn kratos_login(person: &mut Person<'_>, email: &str) {
    let start = format!("{}/self-service/login/browser", person.stack.kratos_public);
    let ui = kratos_ui(person.open(&start).await, "login");
    let flow = person.flow("login", &ui).await;
    let body = json!({ "method": "password", "identifier": email, "password": PASSWORD });
    let (status, answer) = person.submit_flow("login", &flow, body).await;
    assert_eq!(status, 200, "Kratos login: {answer}");
}

/// A second customer on `stack`: its address and id.
async fn another_customer(stack: &Stack, label: &str) -> (String, String) {
    let address = email(label);
    let id = stack
        .create_identity("customer", &address, PASSWORD, json!({}))
        .await;
    (address, id)
}

fn none(client: &str) -> AuthRequest {
    AuthRequest::new(client, SCOPES).with("prompt", "none")
}

pub async fn prompt_none_after_the_kratos_session_ended_gives_login_required(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let (mut person, client, _, id) = signed_in_customer(&stack, "none-revoked").await;
    // While the Kratos session lives, prompt=none signs the person in without a page.
    let request = none(&client);
    let callback = silently(&mut person, &request).await.away();
    assert_eq!(exchange(&stack, &request, &callback).await.sub(), id);

    revoke_kratos_sessions(&stack, &id).await;
    // Hydra still remembers the person and sends the bridge a login to skip.
    let request = none(&client);
    let landing = silently(&mut person, &request).await;
    assert_eq!(callback_error(&stack, &request, landing), "login_required");
}

pub async fn prompt_none_with_another_persons_kratos_session_gives_login_required(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let (client, a, a_id) = client_and_customer(&stack, "none-first").await;
    let (b, _) = another_customer(&stack, "none-second").await;
    let mut person = Person::new(&stack);
    sign_in(&mut person, &AuthRequest::new(&client, SCOPES), &a).await;
    revoke_kratos_sessions(&stack, &a_id).await;
    kratos_login(&mut person, &b).await;

    let request = none(&client);
    let landing = silently(&mut person, &request).await;
    assert_eq!(callback_error(&stack, &request, landing), "login_required");
    assert!(
        person.whoami().await.is_some(),
        "the other person's Kratos session is left alone"
    );
}

pub async fn prompt_none_past_max_age_gives_login_required(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let (mut person, client, _, _) = signed_in_customer(&stack, "none-max-age").await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    let request = none(&client).with("max_age", "1");
    let landing = silently(&mut person, &request).await;
    assert_eq!(callback_error(&stack, &request, landing), "login_required");
}

pub async fn prompt_none_for_a_client_never_consented_to_gives_consent_required(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let (client, email, _) = client_and_customer(&stack, "none-consented").await;
    let other = stack.create_client("none-new-client", SCOPES).await;
    let mut person = Person::new(&stack);
    sign_in(&mut person, &AuthRequest::new(&client, SCOPES), &email).await;

    let request = none(&other);
    // A consent page would be a page here, not the callback.
    let landing = silently(&mut person, &request).await;
    assert_eq!(
        callback_error(&stack, &request, landing),
        "consent_required"
    );
}

/// OIDC forbids `none` beside another value. Hydra answers these itself, before any login request
/// reaches the bridge: with `login` it sets the login it remembers aside and then may not ask for a
/// new one (`login_required`); with `consent` it answers `invalid_request`.
pub async fn prompt_none_beside_another_value_is_refused(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let (mut person, client, _, _) = signed_in_customer(&stack, "none-and").await;

    for (prompt, error) in [
        ("none login", "login_required"),
        ("login none", "login_required"),
        ("none consent", "invalid_request"),
        ("consent none", "invalid_request"),
    ] {
        let request = AuthRequest::new(&client, SCOPES).with("prompt", prompt);
        let landing = silently(&mut person, &request).await;
        assert_eq!(
            callback_error(&stack, &request, landing),
            error,
            "prompt={prompt}"
        );
    }
}

/// Follows a sign-in the person may be asked to complete (as `email` at Kratos, allowing on the
/// consent page) to wherever it ends away from the stack.
async fn go_along(person: &mut Person<'_>, mut landing: Landing, email: &str) -> Url {
    for _ in 0..3 {
        landing = match landing {
            Landing::Away(url)
                if url.path().ends_with("/login") && query(&url, "flow").is_some() =>
            {
                person.log_in_with_password(&url, email, PASSWORD).await
            }
            Landing::Away(url) => return url,
            page => allow(person, page, &[], false).await,
        };
    }
    landing.away()
}

pub async fn id_token_hint_for_another_person_signs_nobody_in_as_someone_else(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let (client, a, a_id) = client_and_customer(&stack, "hint-named").await;
    let (b, _) = another_customer(&stack, "hint-other").await;
    let mut person = Person::new(&stack);
    let hint = sign_in(&mut person, &AuthRequest::new(&client, SCOPES), &a)
        .await
        .id_token;
    revoke_kratos_sessions(&stack, &a_id).await;
    kratos_login(&mut person, &b).await;

    // Hydra remembers A, whom the hint names; Kratos's session is B's.
    hint_signs_nobody_in(&mut person, &client, &hint, &b).await;

    // A browser where Hydra remembers nobody and Kratos's session is B's: the same.
    let mut fresh = Person::new(&stack);
    kratos_login(&mut fresh, &b).await;
    hint_signs_nobody_in(&mut fresh, &client, &hint, &b).await;
}

/// With Kratos's session `b`'s and a `hint` naming someone else, neither prompt=none nor a plain
/// authorization (where the person may be asked to sign in, as `b`) ends signed in as `b`.
async fn hint_signs_nobody_in(person: &mut Person<'_>, client: &str, hint: &str, b: &str) {
    let stack = person.stack;
    let request = none(client).with("id_token_hint", hint);
    let landing = silently(person, &request).await;
    assert_eq!(callback_error(stack, &request, landing), "login_required");

    let request = AuthRequest::new(client, SCOPES).with("id_token_hint", hint);
    let landing = person.authorize(&request).await;
    let end = go_along(person, landing, b).await;
    assert_eq!(
        callback_error(stack, &request, Landing::Away(end)),
        "login_required"
    );
}
