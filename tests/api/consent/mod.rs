//! Consent, GET/POST /consent, by topic; the page and form helpers the topics share.

mod auto_accept;
mod form;
mod hydra;
mod identity;
mod page;
mod prompt_none;

use crate::support::*;
use serde_json::{Value, json};

const CUSTOMER_CLAIMS: &str = "claims:\n  mappings:\n    - claim: customer_id\n      source: metadata_public.customer_id\n      scope: customer\n      schemas: [customer]\n      token: both\n";

fn customer() -> IdentitySpec {
    let mut identity = IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID));
    identity.metadata_public = json!({ "customer_id": "C-0042" });
    identity
}

/// A consent request whose context carries the identity id, as the bridge's login step leaves it.
fn consent_for(subject: &str) -> ConsentSpec {
    ConsentSpec {
        subject: subject.into(),
        context: Some(json!({ "identity_id": IDENTITY_ID, "subject_source": "id" })),
        ..ConsentSpec::default()
    }
}

/// The same request, which Hydra skips: the person consented before.
fn skipped(spec: ConsentSpec) -> ConsentSpec {
    ConsentSpec { skip: true, ..spec }
}

/// The customer's consent request, as the bridge's login left it, and its page open in a browser.
async fn customer_page(app: &TestApp) -> (String, FormPage) {
    app.kratos.add_identity(customer());
    let challenge = app.hydra.add_consent(consent_for(IDENTITY_ID));
    let page = open_page(app, &challenge).await;
    (challenge, page)
}

/// A consent request that needs no page: the browser goes straight on to Hydra, which got one
/// answer, this accept (its body).
async fn accepted_without_page(app: &TestApp, spec: ConsentSpec) -> Value {
    let challenge = app.hydra.add_consent(spec);
    let response = app.consent(&challenge).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).contains("consent_verifier="));
    only_accept(app, &challenge)
}

fn only_accept(app: &TestApp, challenge: &str) -> Value {
    let accepted = app.hydra.accepted_consents();
    assert_eq!(accepted.len(), 1, "{accepted:?}");
    assert_eq!(accepted[0].0, challenge);
    assert!(app.hydra.rejected_consents().is_empty());
    accepted[0].1.clone()
}

fn only_reject(app: &TestApp, challenge: &str) -> Value {
    let rejected = app.hydra.rejected_consents();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0].0, challenge);
    assert!(app.hydra.accepted_consents().is_empty());
    rejected[0].1.clone()
}

/// The consent page, with its form and the cookie that goes with it as every form page of the
/// bridge sets it (over http: no `Secure`).
async fn open_page(app: &TestApp, challenge: &str) -> FormPage {
    let response = app.consent(challenge).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_page_headers(&response);
    let page = FormPage::read(response).await;
    let set_cookie = &page.set_cookie;
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    assert!(
        !set_cookie.contains("Secure"),
        "http base_url: no Secure flag"
    );
    assert!(!page.csrf_token.is_empty(), "csrf field");
    assert_eq!(
        unescape(&form_field(&page.html, "consent_challenge").unwrap()),
        challenge
    );
    page
}

/// A post to `/consent` with the form's cookie and an origin, each when given.
async fn post(
    app: &TestApp,
    form: &[(&str, &str)],
    cookie: Option<&str>,
    origin: Option<&str>,
) -> reqwest::Response {
    let headers: Vec<(&str, &str)> = [("cookie", cookie), ("origin", origin)]
        .into_iter()
        .filter_map(|(name, value)| Some((name, value?)))
        .collect();
    app.post_form_with_headers("/consent", &headers, form_body(form))
        .await
}

async fn submit(
    app: &TestApp,
    challenge: &str,
    page: &FormPage,
    action: &str,
    scopes: &[&str],
    remember: bool,
) -> reqwest::Response {
    let mut form = vec![
        ("consent_challenge", challenge),
        ("csrf_token", page.csrf_token.as_str()),
        ("action", action),
    ];
    for scope in scopes {
        form.push(("grant_scope", scope));
    }
    if remember {
        form.push(("remember", "true"));
    }
    post(app, &form, Some(&page.cookie), Some(&app.address)).await
}
