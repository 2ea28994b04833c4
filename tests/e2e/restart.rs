//! Hydra stopped and started again in the middle of a sign-in.

use std::time::{Duration, Instant};

use crate::Env;
use crate::browser::{AuthRequest, Person};
use crate::flows::{PASSWORD, SCOPES, allow, client_and_customer, kratos_ui};
use crate::oauth::exchange;
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

    stack.hydra.start();
    let http = stack.http.clone();
    let hydra_ready = format!("{}/health/ready", stack.hydra_admin);
    stack.hydra.wait_ready(&http, &hydra_ready).await;
    ready_becomes(&stack, 200).await;

    // The next sign-in works; the Kratos session from before the restart is reused.
    let request = AuthRequest::new(&client, SCOPES);
    let page = person.authorize(&request).await;
    let done = allow(&mut person, page, &[], false).await;
    assert_eq!(exchange(&stack, &request, &done.away()).await.sub(), id);
}
