//! The parts of the client that are this project's own: headers, paths, the retry rule, framing.

use std::collections::BTreeMap;
use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use secrecy::SecretString;

use super::failure::{Failure, framing_error, may_retry};
use super::send::{backoff, outcome};
use super::{Call, ErrorKind, Upstream, admin_headers, encode_path};
use crate::config::UpstreamSettings;
use crate::metrics::Metrics;

#[test]
fn credentials_that_cannot_be_sent_are_an_error_not_left_out() {
    let token = SecretString::from("ory_pat_x".to_string());
    let headers = admin_headers("hydra", Some(&token), &BTreeMap::new()).unwrap();
    assert_eq!(headers[AUTHORIZATION], "Bearer ory_pat_x");
    assert!(headers[AUTHORIZATION].is_sensitive());
    let bad = SecretString::from("ory_pat_x\n".to_string());
    let Err(e) = admin_headers("hydra", Some(&bad), &BTreeMap::new()) else {
        panic!("a token with a line break was sent");
    };
    assert_eq!(
        e.to_string(),
        "cannot use the configured credentials: hydra: the configured admin_token cannot be sent \
         as an HTTP header"
    );
    let extra = BTreeMap::from([("X-Key".to_string(), bad)]);
    assert!(admin_headers("kratos", None, &extra).is_err());
}

#[test]
fn errors_name_the_call_and_never_more_than_the_reason() {
    let call = Call::new("kratos", "whoami");
    for (kind, text) in [
        (ErrorKind::Timeout, "no answer within the timeout"),
        (
            ErrorKind::Status(StatusCode::FORBIDDEN),
            "unexpected status 403",
        ),
        (ErrorKind::TooLarge(1000), "response body over 1000 bytes"),
        (ErrorKind::Protocol("x".into()), "invalid answer: x"),
    ] {
        assert_eq!(
            call.error(kind).to_string(),
            format!("kratos whoami: {text}")
        );
    }
}

#[test]
fn paths_keep_every_segment_on_its_level() {
    assert_eq!(
        encode_path(&["admin", "identities", "by", "external", "a/b?c#d e%"]).as_deref(),
        Some("/admin/identities/by/external/a%2Fb%3Fc%23d%20e%25")
    );
    assert_eq!(encode_path(&["admin", "identities", ".."]), None);
    assert_eq!(encode_path(&["admin", "identities", "."]), None);
    assert_eq!(
        encode_path(&["admin", "identities", "..."]).as_deref(),
        Some("/admin/identities/...")
    );
}

#[tokio::test]
async fn a_base_keeps_its_path() {
    let upstream = Upstream::new(&UpstreamSettings::default(), Arc::new(Metrics::new())).unwrap();
    let base = |url: &str| upstream.base(&url.parse().unwrap(), HeaderMap::new());
    assert_eq!(
        base("http://hydra:4445/prefix/").target("/admin/x?c=1"),
        "http://hydra:4445/prefix/admin/x?c=1"
    );
    assert_eq!(
        base("https://kratos.example").target("/sessions/whoami"),
        "https://kratos.example/sessions/whoami"
    );
    assert_eq!(
        base("http://[::1]:4433/").target("/a"),
        "http://[::1]:4433/a"
    );
}

#[test]
fn retries_only_where_safe() {
    for repeatable in [true, false] {
        assert!(
            !may_retry(Failure::Timeout, repeatable),
            "a timeout already spent the deadline"
        );
        assert!(
            !may_retry(Failure::Protocol, repeatable),
            "a broken answer is no stale connection"
        );
        assert!(
            may_retry(Failure::Connect, repeatable),
            "nothing was sent: any call may go again"
        );
    }
    assert!(
        may_retry(Failure::Lost, true),
        "a repeatable call may go again"
    );
    assert!(
        !may_retry(Failure::Lost, false),
        "a call whose answer was lost and that is not repeatable must not go again"
    );
}

#[test]
fn backoff_is_jittered_within_bounds() {
    for _ in 0..50 {
        let d = backoff();
        assert!((50..=150).contains(&(d.as_millis() as u64)));
    }
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

#[test]
fn only_plain_chunked_framing_is_accepted() {
    assert_eq!(framing_error(&headers(&[("content-length", "2")])), None);
    assert_eq!(framing_error(&headers(&[])), None);
    assert_eq!(
        framing_error(&headers(&[("transfer-encoding", "Chunked")])),
        None
    );
    for bad in [
        &[("transfer-encoding", "gzip, chunked")][..],
        &[("transfer-encoding", "gzip")],
        &[
            ("transfer-encoding", "chunked"),
            ("transfer-encoding", "chunked"),
        ],
        &[("transfer-encoding", "chunked"), ("content-length", "2")],
    ] {
        assert!(framing_error(&headers(bad)).is_some(), "{bad:?}");
    }
}

#[test]
fn an_unusable_answer_is_counted_apart_from_an_unreachable_upstream() {
    let failed = |failure| Err((failure, String::new()));
    assert_eq!(outcome(&failed(Failure::Protocol)), "protocol");
    assert_eq!(outcome(&failed(Failure::Connect)), "unreachable");
    assert_eq!(outcome(&failed(Failure::Lost)), "unreachable");
    assert_eq!(outcome(&failed(Failure::Timeout)), "timeout");
}
