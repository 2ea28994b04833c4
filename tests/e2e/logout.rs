//! Logout started by the application at Hydra, ending the Kratos session of that person only.

use crate::Env;
use crate::browser::{AuthRequest, Person, query};
use crate::flows::{PASSWORD, SCOPES, email, sign_in};
use crate::stack::Subject;

pub async fn logout_ends_the_kratos_session_and_returns_to_the_client(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let client = stack.create_client("logout", SCOPES).await;
    let (a, b) = (email("leaving"), email("staying"));
    stack
        .create_identity("customer", &a, PASSWORD, serde_json::json!({}))
        .await;
    stack
        .create_identity("customer", &b, PASSWORD, serde_json::json!({}))
        .await;
    let mut leaving = Person::new(&stack);
    let mut staying = Person::new(&stack);
    let tokens = sign_in(&mut leaving, &AuthRequest::new(&client, SCOPES), &a).await;
    sign_in(&mut staying, &AuthRequest::new(&client, SCOPES), &b).await;

    let back = format!("{}/logged-out", stack.callback);
    let mut url =
        url::Url::parse(&format!("{}/oauth2/sessions/logout", stack.hydra_public)).unwrap();
    url.query_pairs_mut()
        .append_pair("id_token_hint", &tokens.id_token)
        .append_pair("post_logout_redirect_uri", &back)
        .append_pair("state", "bye");
    let landed = leaving.open(url.as_str()).await.away();
    assert!(
        landed.as_str().starts_with(&back),
        "lands on the client's page: {landed}"
    );
    assert_eq!(query(&landed, "state").as_deref(), Some("bye"));
    assert!(leaving.whoami().await.is_none(), "the Kratos session ended");
    assert!(
        staying.whoami().await.is_some(),
        "another person's session is untouched"
    );

    // The logout page opened again afterwards (back button): a page, not an error.
    let page = format!("{}/logout", stack.bridge);
    let again = leaving
        .visited
        .iter()
        .find(|u| u.as_str().starts_with(&page))
        .cloned();
    let (_, status, body) = leaving
        .open(again.expect("went through the bridge").as_str())
        .await
        .page();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("You are signed out"), "{body}");
}
