//! The consent page of a client that is not trusted: what is granted is what the token carries.

use serde_json::{Value, json};

use crate::Env;
use crate::browser::{AuthRequest, Person};
use crate::flows::{PASSWORD, SCOPES, allow, email, kratos_ui};
use crate::oauth::{Tokens, exchange, introspect};
use crate::stack::{Stack, Subject};

/// Signs a new identity of `schema` in, unticking `untick` on the consent page; returns the tokens
/// and the introspection of the access token.
async fn grant(
    stack: &Stack,
    client: &str,
    schema: &str,
    customer_id: &str,
    untick: &[&str],
) -> (Tokens, Value) {
    let address = email(schema);
    stack
        .create_identity(
            schema,
            &address,
            PASSWORD,
            json!({ "customer_id": customer_id }),
        )
        .await;
    let mut person = Person::new(stack);
    let request = AuthRequest::new(client, "openid email customer");
    let ui = kratos_ui(person.authorize(&request).await, "login");
    let page = person.log_in_with_password(&ui, &address, PASSWORD).await;
    let done = allow(&mut person, page, untick, false).await;
    let tokens = exchange(stack, &request, &done.away()).await;
    assert_eq!(
        tokens.id_claims["email"],
        address.as_str(),
        "email is granted every time"
    );
    let introspection = introspect(stack, &tokens.access_token).await;
    assert_eq!(introspection["active"], true);
    (tokens, introspection)
}

/// Neither the id_token nor the access token carries the customer number.
fn assert_no_customer_id(tokens: &Tokens, introspection: &Value) {
    assert!(
        tokens.id_claims.get("customer_id").is_none(),
        "{}",
        tokens.id_claims
    );
    assert!(
        introspection["ext"].get("customer_id").is_none(),
        "{introspection}"
    );
}

pub async fn consent_grants_only_the_ticked_scopes_and_their_claims(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let client = stack.create_client("consent", SCOPES).await;

    // The customer scope unticked: neither the scope nor the claim it releases.
    let (tokens, introspection) = grant(&stack, &client, "customer", "C-100", &["customer"]).await;
    assert_eq!(tokens.scopes(), ["email", "openid"]);
    assert_eq!(introspection["scope"], "openid email");
    assert_no_customer_id(&tokens, &introspection);

    // Granted: the claim from metadata_public in the id_token and on the access token.
    let (tokens, introspection) = grant(&stack, &client, "customer", "C-200", &[]).await;
    assert_eq!(tokens.scopes(), ["customer", "email", "openid"]);
    assert_eq!(tokens.id_claims["customer_id"], "C-200");
    assert_eq!(
        introspection["ext"]["customer_id"], "C-200",
        "{introspection}"
    );

    // Granted, but the mapping is for the customer schema only.
    let (tokens, introspection) = grant(&stack, &client, "employee", "C-300", &[]).await;
    assert_eq!(tokens.scopes(), ["customer", "email", "openid"]);
    assert_no_customer_id(&tokens, &introspection);
}
