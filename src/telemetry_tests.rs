use super::*;
use proptest::prelude::*;
use std::sync::{Arc, Mutex};
use tracing_subscriber::Registry;

/// Runs `f` under a JSON subscriber and returns the lines it logged, each parsed.
fn logged(f: impl FnOnce()) -> Vec<serde_json::Value> {
    let buffer = Arc::new(Mutex::new(Vec::<u8>::new()));
    let sink = buffer.clone();
    let subscriber = Registry::default().with(format_layer(
        LogFormat::Json,
        move || Sink(sink.clone()),
        false,
    ));
    tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8(buffer.lock().unwrap().clone()).unwrap();
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_line_carries_the_event_and_its_span() {
    let lines = logged(|| {
        let span = tracing::info_span!(
            "request",
            path = "/login",
            n = 3u64,
            late = tracing::field::Empty
        );
        let _entered = span.enter();
        span.record("late", "yes");
        tracing::info!(status = 302u64, ok = true, ratio = 0.5, "request");
        tracing::warn!(error = %"x", "outside nothing");
    });
    assert_eq!(lines.len(), 2);
    let line = &lines[0];
    assert_eq!(line["level"], "INFO");
    assert_eq!(line["message"], "request");
    assert_eq!(
        (line["status"].as_u64(), line["ok"].as_bool()),
        (Some(302), Some(true))
    );
    assert_eq!(line["ratio"], 0.5);
    assert_eq!(line["span"]["name"], "request");
    assert_eq!(line["span"]["path"], "/login");
    assert_eq!(line["span"]["n"], 3);
    assert_eq!(line["span"]["late"], "yes");
    let ts = line["timestamp"].as_str().unwrap();
    assert!(
        time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339).is_ok(),
        "{ts}"
    );
    assert_eq!(lines[1]["level"], "WARN");
}

#[test]
fn notes_land_on_the_span_that_declares_them() {
    let lines = logged(|| {
        let span = tracing::info_span!("request", outcome = Empty, client_id = Empty);
        let _entered = span.enter();
        note("outcome", "accepted");
        note("not_declared", "x");
        tracing::info!("request");
    });
    assert_eq!(lines[0]["span"]["outcome"], "accepted");
    assert!(lines[0]["span"].get("client_id").is_none(), "{}", lines[0]);
    assert!(
        !lines[0].to_string().contains("not_declared"),
        "{}",
        lines[0]
    );
}

#[test]
fn notes_recorded_together_all_land_and_undeclared_ones_are_dropped() {
    let lines = logged(|| {
        // `path` comes first: the slot an undeclared name takes points at it, and must stay
        // empty-handed.
        let span = tracing::info_span!(
            "request",
            path = "/login",
            outcome = Empty,
            subject_source = Empty,
            client_id = Empty
        );
        let _entered = span.enter();
        notes([
            ("subject_source", "external_id"),
            ("not_declared", "x"),
            ("client_id", "app \"1\""),
            ("outcome", "accepted"),
        ]);
        tracing::info!("first");
        note("outcome", "accepted_skip");
        tracing::info!("second");
    });
    let span = &lines[0]["span"];
    assert_eq!(span["path"], "/login", "{}", lines[0]);
    assert_eq!(span["subject_source"], "external_id");
    assert_eq!(span["client_id"], "app \"1\"");
    assert_eq!(span["outcome"], "accepted");
    assert!(
        !lines[0].to_string().contains("not_declared") && !lines[0].to_string().contains("\"x\""),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[1]["span"]["outcome"], "accepted_skip",
        "the later note wins"
    );
    assert_eq!(lines[1]["span"]["client_id"], "app \"1\"");
}

#[test]
fn notes_outside_any_span_are_dropped() {
    let lines = logged(|| {
        notes([("outcome", "accepted"), ("client_id", "app")]);
        tracing::info!("started");
    });
    assert!(lines[0].get("span").is_none(), "{}", lines[0]);
    assert!(!lines[0].to_string().contains("accepted"), "{}", lines[0]);
}

#[test]
fn a_line_outside_any_span_has_no_span() {
    let lines = logged(|| tracing::info!("started"));
    assert_eq!(lines[0]["message"], "started");
    assert!(lines[0].get("span").is_none());
}

proptest! {
    /// Whatever a value holds (quotes, backslashes, control characters, any Unicode), the line
    /// stays one valid JSON object and gives the value back unchanged.
    #[test]
    fn any_value_survives_the_line(value in any::<String>(), shown in any::<String>()) {
        let lines = logged(|| {
            let span = tracing::info_span!("request", path = %value);
            let _entered = span.enter();
            tracing::info!(client_id = value.as_str(), shown = ?shown, "{}", value);
        });
        prop_assert_eq!(lines.len(), 1);
        prop_assert_eq!(lines[0]["client_id"].as_str(), Some(value.as_str()));
        prop_assert_eq!(lines[0]["message"].as_str(), Some(value.as_str()));
        prop_assert_eq!(lines[0]["span"]["path"].as_str(), Some(value.as_str()));
        let debug = format!("{shown:?}");
        prop_assert_eq!(lines[0]["shown"].as_str(), Some(debug.as_str()));
    }
}
