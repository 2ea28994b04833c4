//! Running the service: health, metrics, traces, the binary, load, and the connections to Hydra
//! and Kratos.
//!
//! The connections: faults on the wire, stale and misbehaving upstreams, the HTTP client against
//! scripted servers, and several runtimes sharing it.

/// The call failed with an error of the kind `$kind`, a pattern on `ErrorKind`; the message, when
/// given, says more than the result.
macro_rules! assert_fails_with {
    ($result:expr, $kind:pat) => {{
        let result = &$result;
        assert_fails_with!(result, $kind, "{result:?}");
    }};
    ($result:expr, $kind:pat, $($message:tt)+) => {
        assert!(
            matches!(
                &$result,
                Err(kratos_hydra_bridge::ory::http::UpstreamError { kind: $kind, .. })
            ),
            $($message)+
        )
    };
}

mod cli;
mod faults;
mod health;
mod load;
mod metrics;
mod stale_connections;
mod tracing;
mod upstream;
mod upstream_bodies;
mod upstream_framing;
mod upstream_misbehaving;
mod upstream_runtimes;

use std::sync::Arc;
use std::time::Duration;

use crate::support::TestApp;
use kratos_hydra_bridge::config::UpstreamSettings;
use kratos_hydra_bridge::metrics::Metrics;
use kratos_hydra_bridge::ory::http::Upstream;

/// The bridge in front of a Hydra admin API at `hydra_url`: a raw or scripted server.
async fn app_against(hydra_url: &str) -> TestApp {
    TestApp::builder().hydra_admin_url(hydra_url).spawn().await
}

/// Hydra's answer to a login request's GET, the least of it the bridge reads.
fn login_request_json(challenge: &str) -> String {
    serde_json::json!({
        "challenge": challenge, "skip": false, "subject": "",
        "client": { "client_id": "demo-client" },
        "request_url": "https://hydra.test/oauth2/auth?client_id=demo-client&response_type=code",
        "requested_scope": ["openid"], "requested_access_token_audience": []
    })
    .to_string()
}

/// The bridge's HTTP client to Hydra and Kratos, as the upstream tests drive it on its own: short
/// timeouts, and answers up to `max_body` bytes.
fn upstream_client(max_body: usize) -> Upstream {
    let settings = UpstreamSettings {
        connect_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(2),
        max_body_bytes: max_body,
    };
    Upstream::new(&settings, Arc::new(Metrics::new())).unwrap()
}
