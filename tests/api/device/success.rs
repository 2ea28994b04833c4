//! `GET /device/success`, Hydra's `urls.device.success?client_id=C`: it names the client only to the
//! browser that just finished that device sign-in (a signed cookie set when its code was accepted),
//! and a link alone makes no Hydra call. It never fails.

use std::time::{Duration, Instant};

use super::post_code;
use crate::support::*;

fn client_lookups(app: &TestApp) -> usize {
    app.hydra
        .calls()
        .iter()
        .filter(|c| c.path.starts_with("/admin/clients/"))
        .count()
}

/// A device sign-in for `client_id` whose code is accepted: the cookie that names it, if set.
async fn accepted(app: &TestApp, client_id: &str, client_name: &str) -> Option<String> {
    let (challenge, code) = app.hydra.start_device(DeviceSpec {
        client_id: client_id.into(),
        client_name: client_name.into(),
        ..DeviceSpec::default()
    });
    let response = post_code(app, &challenge, &code, None).await;
    assert_eq!(response.status(), 303);
    set_cookie_named(&response, "khb_device_done")
}

async fn success(app: &TestApp, query: &str, cookie: Option<&str>) -> (u16, String) {
    let response = app.get(&format!("/device/success{query}"), cookie).await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn the_browser_that_finished_sees_the_clients_name_once() {
    let app = TestApp::spawn().await;
    let cookie = accepted(&app, "tv-app", "Living Room TV").await.unwrap();
    assert_eq!(
        client_lookups(&app),
        1,
        "looked up once, with the accepted code"
    );
    let response = app
        .get("/device/success?client_id=tv-app", Some(&cookie))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        set_cookie_named(&response, "khb_device_done").as_deref(),
        Some("khb_device_done="),
        "shown once"
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("You are signed in on your device"));
    assert!(html.contains("Living Room TV"), "{html}");
    assert!(html.contains("You can close this page"));
    // The page lives one level down: its stylesheet link is root-relative.
    assert!(html.contains(r#"href="/assets/style.css""#));
    assert_eq!(
        client_lookups(&app),
        1,
        "the success page asks Hydra nothing"
    );
}

#[tokio::test]
async fn a_link_alone_names_no_client_and_asks_hydra_nothing() {
    let app = TestApp::spawn().await;
    app.hydra.add_client("tv-app", "Living Room TV");
    for query in [
        "?client_id=tv-app",
        "",
        "?client_id=unknown",
        "?client_id=a%0Ab",
        "?client_id=a&client_id=b",
        "?client_id=%FF",
    ] {
        let (status, html) = success(&app, query, None).await;
        assert_eq!(status, 200, "{query}");
        assert!(html.contains("You are signed in on your device"), "{query}");
        assert!(!html.contains("Living Room TV"), "{query}");
    }
    // Another client's cookie, or a forged one, names nobody either.
    let cookie = accepted(&app, "game-console", "Console").await.unwrap();
    let (_, html) = success(&app, "?client_id=tv-app", Some(&cookie)).await;
    assert!(!html.contains("Living Room TV") && !html.contains("Console"));
    let forged = "khb_device_done=eyJhbGciOiJIUzI1NiJ9.e30.x";
    let (_, html) = success(&app, "?client_id=tv-app", Some(forged)).await;
    assert!(!html.contains("Living Room TV"));
    assert_eq!(client_lookups(&app), 1, "only the accepted code's");
}

#[tokio::test]
async fn names_are_escaped_and_bounded() {
    let app = TestApp::spawn().await;
    let cookie = accepted(&app, "evil", "<script>alert(1)</script>")
        .await
        .unwrap();
    let (_, html) = success(&app, "?client_id=evil", Some(&cookie)).await;
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("script&#62;alert(1)&#60;/script"), "{html}");
    let cookie = accepted(&app, "long", &"N".repeat(300)).await.unwrap();
    let (_, html) = success(&app, "?client_id=long", Some(&cookie)).await;
    assert!(html.contains(&format!("{}…", "N".repeat(100))));
    assert!(!html.contains(&"N".repeat(101)));
}

#[tokio::test]
async fn a_failing_lookup_leaves_out_the_name_and_nothing_else() {
    let app = TestApp::spawn().await;
    for fault in [
        Fault::Status(503),
        Fault::MalformedJson,
        Fault::HugeBody,
        Fault::Redirect,
    ] {
        app.hydra.fault_on("/admin/clients/", Some(fault.clone()));
        assert_eq!(
            accepted(&app, "tv-app", "Living Room TV").await,
            None,
            "{fault:?}"
        );
        app.hydra.fault_on("/", None);
    }
    // A client without a name gets no cookie either.
    assert_eq!(accepted(&app, "nameless", "  ").await, None);
}

#[tokio::test]
async fn a_hanging_lookup_does_not_hold_up_the_accepted_code() {
    let app = TestApp::builder()
        .env("BRIDGE__SERVE__REQUEST_TIMEOUT_MS", "800")
        .spawn()
        .await;
    app.hydra.fault_on("/admin/clients/", Some(Fault::Hang));
    let started = Instant::now();
    assert_eq!(accepted(&app, "tv-app", "Living Room TV").await, None);
    // The lookup gets a quarter of the request's 800 ms, far less than the upstream timeout.
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_millis(700), "took {elapsed:?}");
}

#[tokio::test]
async fn a_slow_accept_leaves_the_lookup_only_the_time_that_is_left() {
    let app = TestApp::builder()
        .env("BRIDGE__SERVE__REQUEST_TIMEOUT_MS", "800")
        .spawn()
        .await;
    // The accept takes most of the request's time; the lookup then hangs.
    app.hydra.fault_on(
        "/admin/oauth2/auth/requests/device/accept",
        Some(Fault::Delay(Duration::from_millis(650))),
    );
    app.hydra.fault_on("/admin/clients/", Some(Fault::Hang));
    // Hydra accepted the code, so the browser goes on to it, without the name, not to a 504.
    assert_eq!(accepted(&app, "tv-app", "Living Room TV").await, None);
    assert_eq!(app.hydra.accepted_devices().len(), 1);
}
