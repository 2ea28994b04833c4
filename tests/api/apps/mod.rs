//! The connected-apps page against the fakes: who is listed, withdrawing, and failures.

mod browser;
mod failures;
mod list;
mod withdraw;

use crate::support::*;

/// The Kratos session cookie of the person (`IDENTITY_ID`, external_id `EXTERNAL_ID`).
pub fn person(app: &TestApp) -> String {
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID)), 1, 60);
    format!("{}={token}", fake_kratos::COOKIE_NAME)
}

/// Another person's session.
pub fn someone_else(app: &TestApp) -> String {
    let identity = IdentitySpec::new("0d7b6c5a-1111-4222-8333-944455556666", Some("CUST-999"));
    let token = app.kratos.add_session(identity, 1, 60);
    format!("{}={token}", fake_kratos::COOKIE_NAME)
}

/// The bridge with `use_external_id: true` and `extra` settings.
pub async fn app_with(env: &[(&str, &str)]) -> TestApp {
    let mut all = vec![("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", "true")];
    all.extend_from_slice(env);
    spawn_app_with(HydraVersion::Lenient, &all).await
}

/// Shop under the external_id (and under the UUID too), Blog only under the UUID (from before
/// `use_external_id`), and someone else's Wiki.
pub fn grants(app: &TestApp) {
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

/// The page as a browser holds it, with the person's session.
pub async fn open(app: &TestApp, cookie: &str, path: &str) -> FormPage {
    app.open_form(path, Some(cookie)).await
}

/// Posts the page's form: `fields` besides the CSRF token, with both cookies.
pub async fn post(
    app: &TestApp,
    page: &FormPage,
    session: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut body: Vec<(&str, &str)> = fields.to_vec();
    body.push(("csrf_token", &page.csrf_token));
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(body)
        .finish();
    let cookies = format!("{session}; {}", page.cookie);
    app.post_form("/apps", &cookies, body).await
}

/// The subject and client (or `*`) of each revocation Hydra was asked for.
pub fn revoked(app: &TestApp) -> Vec<(String, String)> {
    app.hydra.revocations()
}
