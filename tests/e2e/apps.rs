//! Connected apps through the real Hydra and Kratos: a person sees the applications they allowed
//! on the bridge's page, withdraws one, and Hydra then refuses that application's tokens while the
//! other's, and another person's, keep working.

use serde_json::{Value, json};
use url::Url;

use crate::Env;
use crate::browser::{AuthRequest, Person};
use crate::flows::{PASSWORD, SCOPES, allow, customer_with_external_id, email, kratos_ui};
use crate::oauth::{Tokens, exchange_keeping_answer, introspect, refresh};
use crate::stack::{Stack, Subject};

/// A sign-in to `client` with "remember this decision" ticked: the tokens and the refresh token.
/// `first` signs in at Kratos; later sign-ins reuse the browser's session.
async fn sign_in(
    person: &mut Person<'_>,
    client: &str,
    address: &str,
    first: bool,
) -> (Tokens, String) {
    let request = AuthRequest::new(client, SCOPES);
    let landing = person.authorize(&request).await;
    let consent_page = if first {
        let ui = kratos_ui(landing, "login");
        person.log_in_with_password(&ui, address, PASSWORD).await
    } else {
        landing
    };
    let done = allow(person, consent_page, &[], true).await;
    let (tokens, answer) = exchange_keeping_answer(person.stack, &request, &done.away()).await;
    let refresh_token = answer["refresh_token"]
        .as_str()
        .unwrap_or_else(|| panic!("offline_access gives a refresh_token: {answer}"))
        .to_string();
    (tokens, refresh_token)
}

/// The refresh-token grant, answered as it is: (status, body).
async fn try_refresh(stack: &Stack, client: &str, refresh_token: &str) -> (u16, Value) {
    let r = stack
        .http
        .post(format!("{}/oauth2/token", stack.hydra_public))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", client),
        ])
        .send()
        .await
        .expect("token endpoint");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The value of a hidden field in `html`, after `from`.
fn field(html: &str, from: usize, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html[from..].find(&marker).expect(name) + from + marker.len();
    let end = html[start..].find('"').expect("end of value");
    html[start..start + end].to_string()
}

/// Withdraws `client` on the page as the person does: "Withdraw access", then confirmed.
async fn withdraw(person: &mut Person<'_>, client: &str) -> String {
    let apps = format!("{}/apps", person.stack.bridge);
    let (_, status, list) = person.open(&apps).await.page();
    assert_eq!(status, 200, "{list}");
    let entry = list
        .find(&format!("name=\"client\" value=\"{client}\""))
        .unwrap_or_else(|| panic!("{client} is not on the page:\n{list}"));
    let token = field(&list, entry, "csrf_token");
    let ask = [
        ("client", client),
        ("csrf_token", &token),
        ("action", "ask"),
    ];
    let fields = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let (_, status, confirm) = person.submit(&apps, &fields(&ask)).await.page();
    assert_eq!(status, 200, "{confirm}");
    let token = field(&confirm, 0, "csrf_token");
    let yes = [
        ("client", client),
        ("csrf_token", &token),
        ("action", "confirm"),
    ];
    let (_, status, done) = person.submit(&apps, &fields(&yes)).await.page();
    assert_eq!(status, 200, "{done}");
    done
}

pub async fn withdrawing_access_revokes_that_applications_tokens_and_nothing_else(env: &Env) {
    let stack = env.stack(Subject::ExternalIdOrId).await;
    let shop = stack.create_client("Apps Shop", SCOPES).await;
    let blog = stack.create_client("Apps Blog", SCOPES).await;
    let (address, external_id, _) = customer_with_external_id(&stack, "apps", json!({})).await;
    let mut person = Person::new(&stack);
    let (shop_tokens, shop_refresh) = sign_in(&mut person, &shop, &address, true).await;
    let (blog_tokens, blog_refresh) = sign_in(&mut person, &blog, &address, false).await;
    assert_eq!(shop_tokens.sub(), external_id);

    // Another person, at the same application.
    let other_address = email("apps-other");
    stack
        .create_identity("customer", &other_address, PASSWORD, json!({}))
        .await;
    let mut other = Person::new(&stack);
    let (other_tokens, other_refresh) = sign_in(&mut other, &shop, &other_address, true).await;

    let (_, status, page) = person.open(&format!("{}/apps", stack.bridge)).await.page();
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Apps Shop") && page.contains("Apps Blog"),
        "{page}"
    );
    assert!(page.contains("Your email address"), "{page}");

    let done = withdraw(&mut person, &shop).await;
    assert!(done.contains("Apps Shop no longer has access"), "{done}");

    // Hydra refuses the shop's refresh token and no longer knows its access token.
    let (status, answer) = try_refresh(&stack, &shop, &shop_refresh).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("invalid_grant")),
        "{answer}"
    );
    let introspection = introspect(&stack, &shop_tokens.access_token).await;
    assert_eq!(introspection["active"], false, "{introspection}");
    // The blog's tokens still work.
    assert_eq!(
        introspect(&stack, &blog_tokens.access_token).await["active"],
        true
    );
    let (renewed, _) = refresh(&stack, &blog, &blog_refresh).await;
    assert_eq!(renewed.sub(), external_id);
    // The other person's grant to the shop is untouched.
    assert_eq!(
        introspect(&stack, &other_tokens.access_token).await["active"],
        true
    );
    let (status, answer) = try_refresh(&stack, &shop, &other_refresh).await;
    assert_eq!(status, 200, "{answer}");

    // The page no longer lists the shop; its next authorization asks for consent again.
    let (_, _, page) = person.open(&format!("{}/apps", stack.bridge)).await.page();
    assert!(
        !page.contains("Apps Shop") && page.contains("Apps Blog"),
        "{page}"
    );
    let again = person.authorize(&AuthRequest::new(&shop, SCOPES)).await;
    let (url, status, body) = again.page();
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        Url::parse(&format!("{}/consent", stack.bridge))
            .unwrap()
            .path(),
        url.path(),
        "the consent page again: {url}"
    );
    // The blog, still remembered, signs in without asking.
    let request = AuthRequest::new(&blog, SCOPES);
    let callback = person.authorize(&request).await.away();
    assert!(callback.as_str().starts_with(&stack.callback), "{callback}");
}
