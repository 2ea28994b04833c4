//! Hydra or Kratos stopped and started again in the middle of a sign-in.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::Env;
use crate::browser::{AuthRequest, Person};
use crate::flows::{PASSWORD, SCOPES, allow, client_and_customer, kratos_ui};
use crate::oauth::exchange;
use crate::ory::Ory;
use crate::stack::{Stack, Subject};

async fn ready(stack: &Stack) -> u16 {
    let r = stack
        .http
        .get(format!("{}/health/ready", stack.bridge))
        .send()
        .await
        .expect("ready");
    r.status().as_u16()
}

async fn ready_becomes(stack: &Stack, status: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while ready(stack).await != status {
        assert!(
            Instant::now() < deadline,
            "/health/ready never answered {status}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub async fn hydra_restarted_mid_sign_in(env: &Env) {
    let stack = env.own_stack(Subject::ExternalIdOrId).await;
    let (client, email, id) = client_and_customer(&stack, "restart").await;
    let mut person = Person::new(&stack);
    let ui = kratos_ui(
        person.authorize(&AuthRequest::new(&client, SCOPES)).await,
        "login",
    );

    stack.hydra.stop();
    let (url, status, body) = person
        .log_in_with_password(&ui, &email, PASSWORD)
        .await
        .page();
    assert!(
        url.as_str().starts_with(&stack.bridge),
        "the bridge answers: {url}"
    );
    assert_eq!(status, 502, "Hydra unreachable:\n{body}");
    assert!(
        body.contains("<html"),
        "an error page, not a bare answer:\n{body}"
    );
    ready_becomes(&stack, 503).await;

    stack.start_again(Ory::Hydra).await;
    ready_becomes(&stack, 200).await;

    // The next sign-in works; the Kratos session from before the restart is reused.
    let request = AuthRequest::new(&client, SCOPES);
    let page = person.authorize(&request).await;
    let done = allow(&mut person, page, &[], false).await;
    assert_eq!(exchange(&stack, &request, &done.away()).await.sub(), id);
}

pub async fn kratos_restarted_mid_sign_in(env: &Env) {
    let stack = env.own_stack(Subject::ExternalIdOrId).await;
    let (client, email, id) = client_and_customer(&stack, "restart-kratos").await;
    let mut person = Person::new(&stack);
    let request = AuthRequest::new(&client, SCOPES);
    let ui = kratos_ui(person.authorize(&request).await, "login");
    // The person signs in at Kratos; Kratos goes away before the browser is back at the bridge.
    let flow = person.flow("login", &ui).await;
    let body = json!({ "method": "password", "identifier": email, "password": PASSWORD });
    let (status, answer) = person.submit_flow("login", &flow, body).await;
    assert_eq!(status, 200, "password login: {answer}");
    let back = flow["return_to"].as_str().expect("return_to").to_string();

    stack.kratos.stop();
    let asked = Instant::now();
    let (url, status, body) = person.open(&back).await.page();
    let took = asked.elapsed();
    assert!(
        url.as_str().starts_with(&stack.bridge),
        "the bridge answers: {url}"
    );
    // Nothing listens on Kratos's port: refused at once, so no timeout.
    assert_eq!(status, 502, "Kratos unreachable:\n{body}");
    assert!(
        took < Duration::from_secs(5),
        "within the bridge's request timeout (5 s): {took:?}"
    );
    assert!(body.contains("Sign-in is unavailable"), "{body}");
    ready_becomes(&stack, 503).await;

    stack.start_again(Ory::Kratos).await;
    ready_becomes(&stack, 200).await;

    // The same sign-in goes on: Kratos kept the session in its database file.
    let page = person.open(&back).await;
    let done = allow(&mut person, page, &[], false).await;
    assert_eq!(exchange(&stack, &request, &done.away()).await.sub(), id);
}
