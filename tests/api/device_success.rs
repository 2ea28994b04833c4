//! `GET /device/success`, Hydra's `urls.device.success`: names the client when Hydra can, and never
//! fails.

use std::time::{Duration, Instant};

use crate::support::*;

async fn success(app: &TestApp, query: &str) -> (u16, String) {
    let response = app.get(&format!("/device/success{query}"), None).await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

fn client_lookups(app: &TestApp) -> Vec<String> {
    app.hydra
        .calls()
        .into_iter()
        .filter(|c| c.path.starts_with("/admin/clients/"))
        .map(|c| c.path)
        .collect()
}

#[tokio::test]
async fn names_the_client_hydra_knows() {
    let app = spawn_app_with(HydraVersion::Lenient, &[]).await;
    app.hydra.add_client("tv-app", "Living Room TV");
    let (status, html) = success(&app, "?client_id=tv-app").await;
    assert_eq!(status, 200);
    assert!(html.contains("You are signed in on your device"));
    assert!(html.contains("Living Room TV"), "{html}");
    assert!(html.contains("You can close this page"));
    // The page lives one level down: its stylesheet link is root-relative.
    assert!(html.contains(r#"href="/assets/style.css""#));
    assert_eq!(client_lookups(&app), vec!["/admin/clients/tv-app"]);
}

#[tokio::test]
async fn names_are_escaped_and_bounded() {
    let app = spawn_app_with(HydraVersion::Lenient, &[]).await;
    app.hydra.add_client("evil", "<script>alert(1)</script>");
    let (_, html) = success(&app, "?client_id=evil").await;
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("script&#62;alert(1)&#60;/script"), "{html}");
    let long = "N".repeat(300);
    app.hydra.add_client("long", &long);
    let (_, html) = success(&app, "?client_id=long").await;
    assert!(html.contains(&format!("{}…", "N".repeat(100))));
    assert!(!html.contains(&"N".repeat(101)));
}

#[tokio::test]
async fn without_a_name_the_page_still_says_it_worked() {
    let app = spawn_app_with(HydraVersion::Lenient, &[]).await;
    // No client_id, an unknown one, one that cannot be a client id, a repeated one.
    for query in [
        "",
        "?client_id=unknown",
        "?client_id=a%0Ab",
        "?client_id=a&client_id=b",
        "?client_id=..",
        "?client_id=%FF",
    ] {
        let (status, html) = success(&app, query).await;
        assert_eq!(status, 200, "{query}");
        assert!(html.contains("You are signed in on your device"), "{query}");
        assert!(!html.contains("You signed in to"), "{query}");
    }
    assert_eq!(client_lookups(&app), vec!["/admin/clients/unknown"]);
    // Ids are one path segment, whatever they hold.
    let (status, _) = success(&app, "?client_id=..%2Fhealth%2Fready").await;
    assert_eq!(status, 200);
    assert_eq!(
        client_lookups(&app).last().map(String::as_str),
        Some("/admin/clients/..%2Fhealth%2Fready")
    );
}

#[tokio::test]
async fn hydra_failing_leaves_out_the_name_and_nothing_else() {
    let app = spawn_app_with(HydraVersion::Lenient, &[]).await;
    app.hydra.add_client("tv-app", "Living Room TV");
    for fault in [
        Fault::Status(503),
        Fault::MalformedJson,
        Fault::HugeBody,
        Fault::Redirect,
        Fault::Hang,
    ] {
        app.hydra.set_fault(Some(fault.clone()));
        let (status, html) = success(&app, "?client_id=tv-app").await;
        assert_eq!(status, 200, "{fault:?}");
        assert!(html.contains("You are signed in on your device"));
        assert!(!html.contains("Living Room TV"), "{fault:?}");
    }
    app.hydra.set_fault(None);
    let dead = spawn_app_with(
        HydraVersion::Lenient,
        &[("BRIDGE__HYDRA__ADMIN_URL", &closed_port_url())],
    )
    .await;
    let (status, _) = success(&dead, "?client_id=tv-app").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_hanging_lookup_ends_within_the_request_limit_with_the_page() {
    // The whole request may take less than one upstream call: the page still comes, not a 504.
    let app = spawn_app_with(
        HydraVersion::Lenient,
        &[("BRIDGE__SERVE__REQUEST_TIMEOUT_MS", "300")],
    )
    .await;
    app.hydra.add_client("tv-app", "Living Room TV");
    app.hydra.set_fault(Some(Fault::Hang));
    let started = Instant::now();
    let (status, html) = success(&app, "?client_id=tv-app").await;
    let elapsed = started.elapsed();
    assert_eq!(status, 200);
    assert!(html.contains("You are signed in on your device"));
    // The request's 300 ms limit ends the lookup, long before the upstream timeout (1.5 s) would.
    assert!(
        elapsed < Duration::from_millis(1000),
        "answered after {elapsed:?}"
    );
}
