//! `prompt=registration&identity_schema=…`: a new person registers at Kratos in the chosen schema,
//! verifies the address or not, and comes back signed in to the application.

use serde_json::{Value, json};

use crate::Env;
use crate::browser::{AuthRequest, Person};
use crate::flows::{PASSWORD, SCOPES, allow, assert_subject, email, kratos_ui};
use crate::oauth::exchange;
use crate::second_factor::code_sent_to;
use crate::stack::Subject;

/// Registers a new person in `schema` through the bridge; with `verify` the person types the mailed
/// code before going back to the application, without it they go straight back (the session hook
/// signed them in).
async fn register(env: &Env, schema: &str, verify: bool) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let client = stack.create_client("register", SCOPES).await;
    let address = email(&format!("new-{schema}"));
    let mut person = Person::new(&stack);
    let request = AuthRequest::new(&client, SCOPES)
        .with("prompt", "registration")
        .with("identity_schema", schema);
    let ui = kratos_ui(person.authorize(&request).await, "registration");
    let flow = person.flow("registration", &ui).await;
    let traits = json!({ "email": address, "name": { "first": "Grace", "last": "Hopper" } });
    let body = json!({ "method": "password", "traits": traits, "password": PASSWORD });
    let (status, answer) = person.submit_flow("registration", &flow, body).await;
    assert_eq!(status, 200, "registration: {answer}");
    assert_eq!(answer["identity"]["schema_id"], schema, "{answer}");
    let id = answer["identity"]["id"]
        .as_str()
        .expect("new identity")
        .to_string();

    // Kratos asks the UI to show its verification page next; the person may do so or not.
    let verification = answer["continue_with"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["action"] == "show_verification_ui")
        .map(|c| {
            c["flow"]["id"]
                .as_str()
                .expect("verification flow id")
                .to_string()
        })
        .expect("Kratos asks for the address to be verified");
    if verify {
        let ui_url = url::Url::parse(&format!(
            "http://127.0.0.1:4455/verification?flow={verification}"
        ))
        .unwrap();
        let code = code_sent_to(&stack, &address).await;
        let vflow = person.flow("verification", &ui_url).await;
        let (status, answer) = person
            .submit_flow(
                "verification",
                &vflow,
                json!({ "method": "code", "code": code }),
            )
            .await;
        assert_eq!(status, 200, "verification: {answer}");
        assert_eq!(answer["state"], "passed_challenge", "{answer}");
    }

    // Back to the application, as Kratos's UI does after registering.
    let back = flow["return_to"]
        .as_str()
        .expect("registration flow has return_to")
        .to_string();
    let page = person.open(&back).await;
    let done = allow(&mut person, page, &[], false).await;
    let tokens = exchange(&stack, &request, &done.away()).await;
    // No external_id from a self-service registration: the subject rule falls back to the UUID.
    assert_subject(&stack, &tokens, &id).await;
    assert_eq!(tokens.id_claims["email"], address.as_str());
    assert_eq!(tokens.id_claims["email_verified"], verify);
    assert_eq!(tokens.id_claims["name"], "Grace Hopper");
    let identity: Value = stack
        .get_json(&format!("{}/admin/identities/{id}", stack.kratos_admin))
        .await;
    assert_eq!(identity["schema_id"], schema, "{identity}");
    assert_eq!(
        identity["verifiable_addresses"][0]["verified"], verify,
        "{identity}"
    );
}

pub async fn registration_ends_signed_in_with_tokens_after_verifying_the_address(env: &Env) {
    register(env, "customer", true).await;
}

pub async fn registration_as_employee_after_verifying_the_address(env: &Env) {
    register(env, "employee", true).await;
}

pub async fn registration_as_customer_without_verifying_signs_in_at_once(env: &Env) {
    register(env, "customer", false).await;
}

pub async fn registration_as_employee_without_verifying_signs_in_at_once(env: &Env) {
    register(env, "employee", false).await;
}
