//! What the error page and the 404 and 405 pages leave in the binary's log: a fixed outcome with the
//! OAuth2 error code in a bounded field of its own (never the link's text), and a scan's 404s and
//! 405s at INFO, not WARN.

use serde_json::Value;

use crate::support::*;

/// The log lines of the requests to `path`, parsed.
fn lines_for<'a>(log: &'a [Value], path: &str) -> Vec<&'a Value> {
    log.iter().filter(|l| l["span"]["path"] == path).collect()
}

#[tokio::test]
async fn the_error_page_logs_only_known_codes_and_scans_log_at_info() {
    let (app, running) = TestApp::builder().spawn_binary().await;
    let forged = "ATTACKER-TEXT\"},\"level\":\"ERROR";
    for query in [
        format!("error={}", encode(forged)),
        "error=access_denied".into(),
        "error_description=x".into(),
    ] {
        let response = app.get(&format!("/error?{query}"), None).await;
        assert_eq!(response.status(), 400, "{query}");
    }
    for n in 0..20 {
        let r = app.get(&format!("/scan/{n}"), None).await;
        assert_eq!(r.status(), 404);
    }
    let r = app.client.delete(app.url("/login")).send().await.unwrap();
    assert_eq!(r.status(), 405);

    running.terminate();
    let (_, log) = running.wait().await;
    let all = log.join("\n");
    assert!(
        !all.contains("ATTACKER-TEXT"),
        "the link's text is logged: {all}"
    );
    let log: Vec<Value> = log
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let errors = lines_for(&log, "/error");
    assert_eq!(errors.len(), 3, "{all}");
    let fields: Vec<(Value, Value)> = errors
        .iter()
        .map(|l| {
            (
                l["span"]["outcome"].clone(),
                l["span"]["oauth_error"].clone(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        vec![
            ("oauth_error".into(), "other".into()),
            ("oauth_error".into(), "access_denied".into()),
            ("no_code".into(), Value::Null),
        ]
    );
    for path in ["/scan/0", "/scan/19", "/login"] {
        let lines = lines_for(&log, path);
        assert!(!lines.is_empty(), "{path}: {all}");
        for line in lines {
            assert_eq!(line["level"], "INFO", "{line}");
        }
    }
    assert!(
        !log.iter()
            .any(|l| l["level"] == "WARN" && l["status"].is_number()),
        "no request is logged at WARN: {all}"
    );
}
