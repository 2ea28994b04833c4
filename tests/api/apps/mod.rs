//! The connected-apps page, GET/POST /apps: who is listed, withdrawing, and failures.
//!
//! The helpers here give the person their applications and post the page's form.

mod browser;
mod failures;
mod list;
mod withdraw;

use crate::support::*;

/// The bridge as the page expects it: subjects are `external_id`s where the identity has one.
fn bridge() -> TestAppBuilder {
    TestApp::builder().use_external_id()
}

/// The Kratos session cookie of the person (`IDENTITY_ID`, external_id `EXTERNAL_ID`).
fn person(app: &TestApp) -> String {
    session_cookie(&app.signed_in_with_external_id(60))
}

/// Another person's session.
fn someone_else(app: &TestApp) -> String {
    let identity = IdentitySpec::new(OTHER_IDENTITY, Some("CUST-999"));
    session_cookie(&app.kratos.add_session(identity, 1, 60))
}

/// Shop under the external_id (and under the UUID too), Blog only under the UUID (from before
/// `use_external_id`), and someone else's Wiki.
fn grants(app: &TestApp) {
    let mut shop = GrantSpec::new(EXTERNAL_ID, "shop", "Acme Shop");
    shop.logo_uri = "https://cdn.shop.example/logo.png".into();
    shop.client_uri = "https://shop.example".into();
    shop.policy_uri = "javascript:alert(1)".into();
    shop.tos_uri = "https://shop.example/terms".into();
    app.hydra.add_grant(shop.clone());
    app.hydra.add_grant(GrantSpec {
        subject: IDENTITY_ID.into(),
        remember: false,
        handled_at: "2025-11-02T08:00:00Z".into(),
        ..shop
    });
    let mut blog = GrantSpec::new(IDENTITY_ID, "blog", "Blog <b>Nine</b>");
    blog.scopes = vec!["openid".into(), "customer".into()];
    blog.remember_for = 0;
    app.hydra.add_grant(blog);
    app.hydra
        .add_grant(GrantSpec::new("CUST-999", "wiki", "Someone's Wiki"));
}

/// The bridge (`bridge`, then `.spawn()`) with the `grants`: the app and the person's cookie.
async fn with_grants(builder: TestAppBuilder) -> (TestApp, String) {
    let app = builder.spawn().await;
    grants(&app);
    let cookie = person(&app);
    (app, cookie)
}

/// The bridge listing at most `max_entries` applications, and the person's cookie; the person
/// has `count` applications under the `external_id`: `client-000`, named `App 000`, and on.
async fn with_many_grants(max_entries: &str, count: usize) -> (TestApp, String) {
    let app = bridge()
        .env("BRIDGE__APPS__MAX_ENTRIES", max_entries)
        .spawn()
        .await;
    for n in 0..count {
        let client = format!("client-{n:03}");
        let name = format!("App {n:03}");
        app.hydra
            .add_grant(GrantSpec::new(EXTERNAL_ID, &client, &name));
    }
    let cookie = person(&app);
    (app, cookie)
}

/// The same, and the list as the person's browser holds it.
async fn listed() -> (TestApp, String, FormPage) {
    let (app, cookie) = with_grants(bridge()).await;
    let list = app.open_form("/apps", Some(&cookie)).await;
    (app, cookie, list)
}

/// Posts the page's form: `fields` besides the CSRF token, with both cookies.
async fn post(
    app: &TestApp,
    page: &FormPage,
    session: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut body: Vec<(&str, &str)> = fields.to_vec();
    body.push(("csrf_token", &page.csrf_token));
    let cookies = format!("{session}; {}", page.cookie);
    app.post_form("/apps", &cookies, form_body(&body)).await
}

/// Posts the form and reads the page that answers: its status and HTML.
async fn posted(
    app: &TestApp,
    page: &FormPage,
    session: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let response = post(app, page, session, fields).await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// The methods of the calls to a subject's consent sessions at Hydra (GET lists, DELETE revokes).
fn session_calls(app: &TestApp) -> Vec<String> {
    let calls = app.hydra.calls().into_iter();
    calls
        .filter(|c| c.path == SESSIONS)
        .map(|c| c.method)
        .collect()
}

const SESSIONS: &str = "/admin/oauth2/auth/sessions/consent";

/// The form's fields that withdraw Shop, and all applications, once confirmed.
const SHOP: [(&str, &str); 2] = [("client", "shop"), ("action", "confirm")];
const ALL: [(&str, &str); 2] = [("all", "yes"), ("action", "confirm")];

/// The revocations of `client` (`*`: all) Hydra was asked for under each of the person's subjects,
/// the `external_id` first.
fn under_both(client: &str) -> Vec<(String, String)> {
    [EXTERNAL_ID, IDENTITY_ID]
        .map(|subject| (subject.to_string(), client.to_string()))
        .to_vec()
}
