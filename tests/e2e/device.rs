//! Device sign-in (RFC 8628): the device asks Hydra for a code, the person enters it on the
//! bridge's `/device` page, signs in at Kratos, consents, and the device's polling gets the tokens.

use std::time::Duration;

use serde_json::{Value, json};
use url::Url;

use crate::Env;
use crate::admin::DEVICE_GRANT;
use crate::browser::{Landing, Person};
use crate::flows::{PASSWORD, allow, customer_with_external_id, kratos_ui};
use crate::oauth::{form_action, form_fields, verify_id_token};
use crate::stack::{Stack, Subject};

const SCOPES: &str = "openid offline_access email";
/// Hydra's default user-code characters (`randx.AlphaNumNoAmbiguous`).
const ALPHABET: &str = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679";

/// What `POST /oauth2/device/auth` gave the device.
pub struct DeviceAuth {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: String,
}

/// The device asks Hydra for a code to show, for `scope`.
pub async fn device_auth(stack: &Stack, client: &str, scope: &str) -> DeviceAuth {
    let r = stack
        .http
        .post(format!("{}/oauth2/device/auth", stack.hydra_public))
        .form(&[("client_id", client), ("scope", scope)])
        .send()
        .await
        .expect("device authorization");
    let status = r.status();
    let body: Value = r.json().await.expect("device authorization JSON");
    assert!(status.is_success(), "device authorization: {status} {body}");
    let field = |name: &str| {
        body[name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name} in {body}"))
            .to_string()
    };
    DeviceAuth {
        device_code: field("device_code"),
        user_code: field("user_code"),
        verification_uri: field("verification_uri"),
        verification_uri_complete: field("verification_uri_complete"),
    }
}

/// One poll of the token endpoint, as the device does it: its status and answer.
async fn poll(stack: &Stack, client: &str, device_code: &str) -> (u16, Value) {
    let r = stack
        .http
        .post(format!("{}/oauth2/token", stack.hydra_public))
        .form(&[
            ("grant_type", DEVICE_GRANT),
            ("device_code", device_code),
            ("client_id", client),
        ])
        .send()
        .await
        .expect("token endpoint");
    let status = r.status().as_u16();
    (status, r.json().await.expect("token answer JSON"))
}

/// The bridge's code form as a browser reads it from the page.
struct CodeForm {
    action: String,
    fields: Vec<(String, String)>,
}

impl CodeForm {
    fn read(page: &Url, body: &str) -> Self {
        Self {
            action: form_action(page, body),
            fields: form_fields(body, &[], &[]),
        }
    }

    fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name} in the form: {:?}", self.fields))
    }
}

/// Opens the bridge's code page (through Hydra): its URL and its form.
async fn code_page(person: &mut Person<'_>, url: &str) -> (Url, CodeForm) {
    let (page, status, body) = person.open(url).await.page();
    assert_eq!(status, 200, "the code page at {page}:\n{body}");
    assert!(
        page.as_str()
            .starts_with(&format!("{}/device?", person.stack.bridge)),
        "Hydra sends the person to the bridge's code page, not {page}"
    );
    assert!(
        page.query_pairs().any(|(k, _)| k == "device_challenge"),
        "with the challenge: {page}"
    );
    let form = CodeForm::read(&page, &body);
    (page, form)
}

/// Submits the code form with `code` typed in.
async fn enter(person: &mut Person<'_>, form: &CodeForm, code: &str) -> Landing {
    let mut fields = form.fields.clone();
    fields.retain(|(k, _)| k != "user_code");
    fields.push(("user_code".into(), code.into()));
    person.submit(&form.action, &fields).await
}

/// Another code of Hydra's shape: `code` with its first character changed.
fn other_code(code: &str, n: usize) -> String {
    let first = code.chars().next().expect("a code");
    let other = ALPHABET
        .chars()
        .filter(|c| *c != first)
        .nth(n)
        .expect("enough characters");
    format!("{other}{}", &code[first.len_utf8()..])
}

pub async fn device_sign_in_gives_the_device_tokens_for_the_external_id(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let client = stack.create_device_client("Device e2e", SCOPES).await;
    let (address, external_id, _) = customer_with_external_id(&stack, "device", json!({})).await;
    let auth = device_auth(&stack, &client, SCOPES).await;
    assert_eq!(
        auth.verification_uri,
        format!("{}/oauth2/device/verify", stack.hydra_public)
    );
    let (status, pending) = poll(&stack, &client, &auth.device_code).await;
    assert_eq!(
        (status, pending["error"].as_str()),
        (400, Some("authorization_pending")),
        "{pending}"
    );

    let mut person = Person::new(&stack);
    let (_, form) = code_page(&mut person, &auth.verification_uri).await;
    assert_eq!(form.field("user_code"), "", "nothing prefilled");
    let ui = kratos_ui(enter(&mut person, &form, &auth.user_code).await, "login");
    let consent = person.log_in_with_password(&ui, &address, PASSWORD).await;
    let (done, status, body) = allow(&mut person, consent, &[], false).await.page();
    assert_eq!(status, 200, "{body}");
    assert!(
        done.as_str()
            .starts_with(&format!("{}/device/success", stack.bridge)),
        "ends on the bridge's success page, not {done}"
    );
    assert!(body.contains("You are signed in on your device"), "{body}");
    assert!(body.contains("Device e2e"), "names the client:\n{body}");
    // The same link in another browser names no client: only the one whose code was accepted.
    let (_, _, elsewhere) = Person::new(&stack).open(done.as_str()).await.page();
    assert!(
        elsewhere.contains("You are signed in on your device") && !elsewhere.contains("Device e2e"),
        "{elsewhere}"
    );

    let (status, tokens) = poll(&stack, &client, &auth.device_code).await;
    assert_eq!(status, 200, "{tokens}");
    let id_token = tokens["id_token"].as_str().expect("id_token");
    let claims = verify_id_token(&stack, id_token, &client).await;
    assert_eq!(claims["sub"], external_id.as_str(), "{claims}");
    assert_eq!(claims["email"], address.as_str(), "{claims}");
    assert!(tokens["refresh_token"].is_string(), "{tokens}");
    let mut granted: Vec<&str> = tokens["scope"].as_str().unwrap_or("").split(' ').collect();
    granted.sort_unstable();
    assert_eq!(granted, ["email", "offline_access", "openid"]);
    // The device code is spent.
    let (status, again) = poll(&stack, &client, &auth.device_code).await;
    assert_eq!(status, 400, "{again}");
}

pub async fn wrong_codes_are_refused_up_to_the_limit_then_no_code_is_tried(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let client = stack.create_device_client("Device limit", SCOPES).await;
    let auth = device_auth(&stack, &client, SCOPES).await;
    let mut person = Person::new(&stack);
    // The link with the code in it fills the field; the person still confirms it.
    let (first, mut form) = code_page(&mut person, &auth.verification_uri_complete).await;
    assert_eq!(form.field("user_code"), auth.user_code);

    // The compose stack keeps the default limit: five wrong codes.
    for left in (1..5).rev() {
        let wrong = other_code(&auth.user_code, left);
        let (url, status, body) = enter(&mut person, &form, &wrong).await.page();
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("That code did not work"), "{body}");
        let tries = if left == 1 { "try" } else { "tries" };
        assert!(
            body.contains(&format!("{left} more {tries} left")),
            "{left} left:\n{body}"
        );
        assert!(body.contains("aria-invalid=\"true\""), "{body}");
        form = CodeForm::read(&url, &body);
        assert_eq!(form.field("user_code"), wrong, "what was typed is kept");
    }
    let last = other_code(&auth.user_code, 0);
    let (_, status, body) = enter(&mut person, &form, &last).await.page();
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("Too many wrong codes"), "{body}");

    // Now even the right code is refused without asking Hydra (which would accept it) ...
    let (_, status, body) = enter(&mut person, &form, &auth.user_code).await.page();
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("Too many wrong codes"), "{body}");
    // ... and the page itself no longer offers the form.
    let (_, status, body) = person.open(first.as_str()).await.page();
    assert_eq!(status, 429, "{body}");
    assert!(!body.contains("name=\"user_code\""), "{body}");

    // The limit is this browser's: the code itself still works in a browser that starts again.
    let mut fresh = Person::new(&stack);
    let (_, form) = code_page(&mut fresh, &auth.verification_uri_complete).await;
    kratos_ui(enter(&mut fresh, &form, &auth.user_code).await, "login");
}

pub async fn expired_codes_and_requests_have_their_pages(env: &Env) {
    // Device codes live 8 s here and a request Hydra sends to the bridge 3 s.
    let hydra = [
        ("TTL_DEVICE_USER_CODE", "8s"),
        ("TTL_LOGIN_CONSENT_REQUEST", "3s"),
    ];
    let stack = Stack::start_with(
        env.binaries(),
        env.versions,
        Subject::ExternalIdOrId,
        &hydra,
    )
    .await;
    let client = stack.create_device_client("Device expiry", SCOPES).await;
    let expiring = device_auth(&stack, &client, SCOPES).await;
    let started = tokio::time::Instant::now();

    // The request behind the code page expires while the page is open.
    let auth = device_auth(&stack, &client, SCOPES).await;
    let mut person = Person::new(&stack);
    let (_, form) = code_page(&mut person, &auth.verification_uri).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let (url, status, body) = enter(&mut person, &form, &auth.user_code).await.page();
    assert!(url.as_str().starts_with(&stack.bridge), "{url}");
    assert_eq!(status, 410, "{body}");
    assert!(body.contains("This device request expired"), "{body}");
    // The code itself was still good: a new request takes it.
    let mut again = Person::new(&stack);
    let (_, form) = code_page(&mut again, &auth.verification_uri_complete).await;
    kratos_ui(enter(&mut again, &form, &auth.user_code).await, "login");

    // The first code has expired: the device gets no tokens (Hydra looks at whether the code was
    // used before it looks at its age, so it answers `authorization_pending` where RFC 8628 has
    // `expired_token`), and the page says the code did not work.
    tokio::time::sleep_until(started + Duration::from_secs(9)).await;
    let (status, answer) = poll(&stack, &client, &expiring.device_code).await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        matches!(
            answer["error"].as_str(),
            Some("authorization_pending" | "expired_token")
        ),
        "{answer}"
    );
    let mut late = Person::new(&stack);
    let (_, form) = code_page(&mut late, &expiring.verification_uri_complete).await;
    let (_, status, body) = enter(&mut late, &form, &expiring.user_code).await.page();
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("That code did not work") && body.contains("it may have expired"),
        "{body}"
    );
}
