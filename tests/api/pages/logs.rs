//! What the error page and the 404 and 405 pages leave in the binary's log: a fixed outcome with the
//! OAuth2 error code in a bounded field of its own (never the link's text), and a scan's 404s and
//! 405s at INFO, not WARN.

use serde_json::Value;

use crate::support::binary::start;
use crate::support::*;

/// The log lines of the requests to `path`, parsed.
fn lines_for<'a>(log: &'a [Value], path: &str) -> Vec<&'a Value> {
    log.iter().filter(|l| l["span"]["path"] == path).collect()
}

#[tokio::test]
async fn the_error_page_logs_only_known_codes_and_scans_log_at_info() {
    let hydra = FakeHydra::start(HydraVersion::Lenient).await;
    let kratos = FakeKratos::start().await;
    let config = write_config(&base_config(&hydra.url, &kratos, "http://127.0.0.1:3000"));
    let running = start(&config, &[]).await;
    let base = format!("http://127.0.0.1:{}", running.port);
    let client = reqwest::Client::new();
    let forged = "ATTACKER-TEXT\"},\"level\":\"ERROR";
    let error_page = |query: String| client.get(format!("{base}/error?{query}")).send();
    assert_eq!(
        error_page(format!("error={}", encode(forged)))
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(
        error_page("error=access_denied".into())
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(
        error_page("error_description=x".into())
            .await
            .unwrap()
            .status(),
        400
    );
    for n in 0..20 {
        let r = client.get(format!("{base}/scan/{n}")).send().await.unwrap();
        assert_eq!(r.status(), 404);
    }
    let r = client.delete(format!("{base}/login")).send().await.unwrap();
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
