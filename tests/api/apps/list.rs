//! `GET /apps`: the person's applications, read for every subject they have, and nobody else's.

use super::*;

#[tokio::test]
async fn without_a_session_the_browser_signs_in_at_kratos_and_comes_back() {
    let app = bridge().spawn().await;
    let response = app.get("/apps", None).await;
    assert_eq!(response.status(), 303);
    let to = location(&response);
    assert!(
        to.starts_with(&format!("{}/self-service/login/browser?", app.kratos.url)),
        "{to}"
    );
    assert_eq!(query_param(&to, "return_to"), Some(app.url("/apps")));
    assert!(session_calls(&app).is_empty());
}

#[tokio::test]
async fn every_application_of_the_persons_subjects_is_listed_once() {
    let (app, cookie) = with_grants(bridge()).await;
    let response = app.get("/apps", Some(&cookie)).await;
    assert_eq!(response.status(), 200);
    let csp = header_value(&response, "content-security-policy");
    let html = response.text().await.unwrap();
    assert!(
        csp.contains("img-src 'self' https://cdn.shop.example;"),
        "{csp}"
    );
    assert_eq!(html.matches("<li class=\"app\">").count(), 2, "{html}");
    assert!(html.contains("Acme Shop"));
    assert!(
        html.contains("Blog &#60;b&#62;Nine&#60;/b&#62;") || html.contains("Blog &lt;b&gt;"),
        "escaped: {html}"
    );
    assert!(!html.contains("<b>Nine"));
    assert!(!html.contains("Wiki"), "someone else's grant");
    // Shop's newest grant: remembered for an hour from 14 March 2026.
    assert!(html.contains("Allowed on March 14, 2026"), "{html}");
    assert!(html.contains("It will not ask for your permission again until March 14, 2026."));
    assert!(
        html.contains("until you withdraw access"),
        "Blog: remember_for 0"
    );
    assert!(html.contains("Your email address"), "scope descriptions");
    assert!(html.contains("Access to “customer”"));
    assert!(html.contains("src=\"https://cdn.shop.example/logo.png\""));
    assert!(html.contains("href=\"https://shop.example/terms\""));
    assert!(!html.contains("javascript:"), "only http and https links");
    // The former subject's mark, on both (Shop is held under both).
    assert_eq!(html.matches("identifier changed").count(), 2, "{html}");
    assert_eq!(session_calls(&app), ["GET", "GET"], "one list per subject");
}

#[tokio::test]
async fn with_use_external_id_off_the_uuid_is_current_and_the_external_id_former() {
    let (app, cookie) = with_grants(TestApp::builder()).await;
    let html = app.get("/apps", Some(&cookie)).await.text().await.unwrap();
    // Shop is held under both identifiers, Blog only under the UUID, now current.
    assert_eq!(html.matches("<li class=\"app\">").count(), 2, "{html}");
    assert_eq!(html.matches("identifier changed").count(), 1, "{html}");
}

#[tokio::test]
async fn every_page_is_read_and_the_page_says_how_many_more_there_are() {
    let (app, cookie) = with_many_grants("5", 130).await;
    let html = app.get("/apps", Some(&cookie)).await.text().await.unwrap();
    assert_eq!(html.matches("<li class=\"app\">").count(), 5);
    assert!(html.contains("App 000") && html.contains("App 004") && !html.contains("App 005"));
    assert!(
        html.contains("125 more applications have access and are not listed here."),
        "{html}"
    );
    // 130 under the external_id (two pages of 100), none under the UUID.
    assert_eq!(session_calls(&app).len(), 3);
}

#[tokio::test]
async fn the_page_is_in_the_browsers_language() {
    let (app, cookie) = with_grants(bridge()).await;
    let html = app
        .client
        .get(app.url("/apps"))
        .header("cookie", &cookie)
        .header("accept-language", "de-DE,de;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"de\">"), "{html}");
    assert!(html.contains("Erlaubt am 14. März 2026"), "{html}");
    assert!(html.contains("Zugriff widerrufen"));
}

#[tokio::test]
async fn nobody_has_access_yet() {
    let app = bridge().spawn().await;
    let cookie = person(&app);
    let response = app.get("/apps", Some(&cookie)).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("No application has access to your account."));
    assert!(!html.contains("withdraw-all"));
}

#[tokio::test]
async fn the_path_is_configurable_and_the_page_can_be_turned_off() {
    let (app, cookie) = with_grants(bridge().env("BRIDGE__APPS__PATH", "/account/apps")).await;
    assert_eq!(app.get("/apps", Some(&cookie)).await.status(), 404);
    let page = app.open_form("/account/apps", Some(&cookie)).await;
    assert_eq!(page.status, 200);
    assert!(
        page.html.contains("action=\"/account/apps\""),
        "{}",
        page.html
    );
    assert!(page.html.contains("href=\"/assets/style.css\""));
    let to = location(&app.get("/account/apps", None).await);
    assert_eq!(
        query_param(&to, "return_to"),
        Some(app.url("/account/apps"))
    );

    let off = bridge().env("BRIDGE__APPS__ENABLED", "false").spawn().await;
    let cookie = person(&off);
    assert_eq!(off.get("/apps", Some(&cookie)).await.status(), 404);
}

#[tokio::test]
async fn a_logo_whose_host_carries_policy_syntax_is_not_shown_nor_allowed() {
    let app = bridge().spawn().await;
    let mut shop = GrantSpec::new(EXTERNAL_ID, "shop", "Acme Shop");
    shop.logo_uri = "https://cdn.evil.example;sandbox/l.png".into();
    app.hydra.add_grant(shop);
    let cookie = person(&app);
    let response = app.get("/apps", Some(&cookie)).await;
    assert_eq!(response.status(), 200);
    let csp = header_value(&response, "content-security-policy");
    assert!(!csp.contains("sandbox") && !csp.contains("evil"), "{csp}");
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Acme Shop") && !html.contains("evil.example"),
        "{html}"
    );
}
