//! GET /error: Hydra's urls.error, with everything escaped and debug text only when configured.

use crate::support::*;

const SCRIPT: &str = "%3Cscript%3Ealert(1)%3C%2Fscript%3E";

#[tokio::test]
async fn script_in_every_field_is_escaped_and_debug_hidden() {
    let app = TestApp::spawn().await;
    let response = app
        .get(
            &format!("/error?error={SCRIPT}&error_description={SCRIPT}desc&error_hint={SCRIPT}hint&error_debug={SCRIPT}debug"),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(response.headers().get("x-frame-options").unwrap(), "DENY");
    let html = response.text().await.unwrap();
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("desc"));
    assert!(html.contains("hint"));
    assert!(
        !html.contains("debug"),
        "debug text is hidden by default: {html}"
    );
    assert!(html.contains("Something prevented the sign-in from completing."));
}

#[tokio::test]
async fn known_codes_are_explained_and_link_home() {
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__ERROR__HOME_URL", "https://app.test/")
        .spawn()
        .await;
    let response = app
        .get("/error?error=invalid_scope&error_description=The+requested+scope+is+invalid.+The+OAuth+2.0+Client+is+not+allowed+to+request+scope+%27admin%27.", None)
        .await;
    let html = response.text().await.unwrap();
    assert!(html.contains("The application asked for permissions it may not have."));
    assert!(
        html.contains("not allowed to request scope &#39;admin&#39;")
            || html.contains("not allowed to request scope &#x27;admin&#x27;"),
        "{html}"
    );
    assert!(html.contains("href=\"https://app.test/\""));
    assert!(html.contains("invalid_scope"));
}

#[tokio::test]
async fn debug_is_shown_when_configured() {
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__ERROR__SHOW_DEBUG", "true")
        .spawn()
        .await;
    let html = app
        .get(
            &format!("/error?error=server_error&error_debug={SCRIPT}trace"),
            None,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("trace"));
    assert!(!html.contains("<script>"));
}

#[tokio::test]
async fn an_empty_error_page_still_helps() {
    let app = TestApp::spawn().await;
    let response = app.get("/error", None).await;
    assert_eq!(response.status().as_u16(), 400);
    let html = response.text().await.unwrap();
    assert!(html.contains("Sign-in could not be completed"));
    assert!(html.contains(&format!("href=\"{}/\"", app.address)));
}
