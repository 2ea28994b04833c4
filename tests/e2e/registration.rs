//! `prompt=registration`: a new person registers at Kratos, verifies the address and comes back
//! signed in to the application.

use serde_json::{Value, json};

use crate::Env;
use crate::browser::{AuthRequest, Person};
use crate::flows::{PASSWORD, SCOPES, allow, email, kratos_ui};
use crate::oauth::exchange;
use crate::second_factor::code_sent_to;
use crate::stack::Subject;

pub async fn registration_ends_signed_in_with_tokens_after_verifying_the_address(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let client = stack.create_client("register", SCOPES).await;
    let address = email("newcomer");
    let mut person = Person::new(&stack);
    let request = AuthRequest::new(&client, SCOPES)
        .with("prompt", "registration")
        .with("identity_schema", "customer");
    let ui = kratos_ui(person.authorize(&request).await, "registration");
    let flow = person.flow("registration", &ui).await;
    let body =
        json!({ "method": "password", "traits": { "email": address }, "password": PASSWORD });
    let (status, answer) = person.submit_flow("registration", &flow, body).await;
    assert_eq!(status, 200, "registration: {answer}");
    let id = answer["identity"]["id"]
        .as_str()
        .expect("new identity")
        .to_string();

    // Kratos asks the UI to show its verification page first; the person types the mailed code.
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

    // Back to the application, as Kratos's UI does after registering.
    let back = flow["return_to"]
        .as_str()
        .expect("registration flow has return_to")
        .to_string();
    let page = person.open(&back).await;
    let done = allow(&mut person, page, &[], false).await;
    let tokens = exchange(&stack, &request, &done.away()).await;
    assert_eq!(tokens.sub(), id);
    assert_eq!(tokens.id_claims["email"], address.as_str());
    let identity: Value = stack
        .get_json(&format!("{}/admin/identities/{id}", stack.kratos_admin))
        .await;
    assert_eq!(identity["schema_id"], "customer");
    assert_eq!(identity["verifiable_addresses"][0]["verified"], true);
}
