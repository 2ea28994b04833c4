//! The real binary: flags, config errors at start, the README's run command, graceful shutdown, and
//! logs that never carry secrets.

use std::path::Path;
use std::time::Duration;

use crate::support::binary::{BIN, start};
use crate::support::*;
use tokio::process::Command;

fn example_config() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.yaml"))
}

/// Runs the binary to completion with a deadline; returns (exit code, stdout, stderr).
async fn run(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("BRIDGE_CONFIG");
    for (k, v) in env {
        command.env(k, v);
    }
    let output = tokio::time::timeout(Duration::from_secs(10), command.output())
        .await
        .expect("the binary exits within seconds")
        .expect("the binary runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn version_flag() {
    let (code, stdout, _) = run(&["--version"], &[]).await;
    assert_eq!(code, Some(0));
    assert!(stdout.contains(env!("CARGO_PKG_VERSION")));
}

#[tokio::test]
async fn example_config_is_valid() {
    let config = example_config().to_str().unwrap();
    let (code, stdout, stderr) = run(&["--config", config, "--check-config"], &[]).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("valid"));
    // The path can come from BRIDGE_CONFIG as well.
    let (code, _, stderr) = run(&["--check-config"], &[("BRIDGE_CONFIG", config)]).await;
    assert_eq!(code, Some(0), "{stderr}");
}

const GOOD: &str = "serve:\n  base_url: http://127.0.0.1:3000\nhydra:\n  admin_url: http://127.0.0.1:4445\n\
kratos:\n  public_url: http://127.0.0.1:4433\n  admin_url: http://127.0.0.1:4434\n  browser_url: http://127.0.0.1:4433\n";

#[tokio::test]
async fn bad_configs_exit_non_zero_naming_file_and_key() {
    // (config, env overrides, the key the error must name)
    type Case = (String, Vec<(&'static str, &'static str)>, &'static str);
    let cases: Vec<Case> = vec![
        ("serve: [unclosed\n".into(), vec![], ""),
        (
            GOOD.replace("http://127.0.0.1:4445", "not a url"),
            vec![],
            "hydra.admin_url",
        ),
        (
            GOOD.replace("http://127.0.0.1:4445", "ftp://hydra"),
            vec![],
            "hydra.admin_url",
        ),
        (
            format!("{GOOD}device:\n  max_attempts: 0\n"),
            vec![],
            "device.max_attempts",
        ),
        (
            GOOD.into(),
            vec![("BRIDGE__DEVICE__USER_CODE_ENTROPY_PRESET", "extreme")],
            "device.user_code_entropy_preset",
        ),
        (
            format!("{GOOD}device:\n  user_code_character_set: \"A B\"\n"),
            vec![],
            "device.user_code_character_set",
        ),
        (
            format!("{GOOD}oauth2_provider:\n  use_external_id: maybe\n"),
            vec![],
            "oauth2_provider.use_external_id",
        ),
        (
            format!("{GOOD}oauth2_provider:\n  use_external_idd: true\n"),
            vec![],
            "oauth2_provider.use_external_idd",
        ),
        (
            format!("{GOOD}oauth2_provider:\n  subject_source: email\n"),
            vec![],
            "oauth2_provider.subject_source",
        ),
        (format!("{GOOD}serve2: {{}}\n"), vec![], "serve2"),
        (
            GOOD.replace(
                "admin_url: http://127.0.0.1:4445\n",
                "admin_url: http://127.0.0.1:4445\n  admin_headers:\n    Host: other\n",
            ),
            vec![],
            "hydra.admin_headers",
        ),
        (
            format!("{GOOD}secrets:\n  signing_keys: [short]\n"),
            vec![],
            "secrets.signing_keys",
        ),
        (
            GOOD.replace("  browser_url: http://127.0.0.1:4433\n", ""),
            vec![],
            "kratos.browser_url",
        ),
        (
            GOOD.into(),
            vec![("BRIDGE__SERVE__PORT", "seventy")],
            "serve.port",
        ),
        (
            format!(
                "{GOOD}claims:\n  mappings:\n    - {{ claim: iss, source: id, scope: openid }}\n"
            ),
            vec![],
            "claims.mappings[0].claim",
        ),
        (
            format!(
                "{GOOD}claims:\n  mappings:\n    - {{ claim: x, source: metadata_admin.secret, scope: openid }}\n"
            ),
            vec![],
            "claims.mappings[0].source",
        ),
        (
            GOOD.into(),
            vec![("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", "yes please")],
            "BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID",
        ),
        (
            format!("{GOOD}oauth2_provider:\n  subject_source: id\n"),
            vec![("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", "true")],
            "oauth2_provider.subject_source",
        ),
        // A token no header can carry, or none at all, is refused rather than left out of requests.
        (
            GOOD.into(),
            vec![("BRIDGE__HYDRA__ADMIN_TOKEN", "ory_pat_first\nsecond")],
            "hydra.admin_token",
        ),
        (
            GOOD.into(),
            vec![("BRIDGE__KRATOS__ADMIN_TOKEN", " \n")],
            "kratos.admin_token",
        ),
        (
            format!("{GOOD}health:\n  ready_cache_ms: 600000\n"),
            vec![],
            "health.ready_cache_ms",
        ),
        // Durations that cannot be 0 are refused by their type, with the same clarity.
        (
            GOOD.into(),
            vec![("BRIDGE__SERVE__REQUEST_TIMEOUT_MS", "0")],
            "BRIDGE__SERVE__REQUEST_TIMEOUT_MS",
        ),
        (
            format!("{GOOD}upstream:\n  connect_timeout_ms: 0\n"),
            vec![],
            "upstream.connect_timeout_ms",
        ),
    ];
    for (yaml, env, key) in cases {
        let path = write_config(&yaml);
        let (code, _, stderr) = run(&["--config", path.to_str().unwrap()], &env).await;
        assert_eq!(code, Some(2), "{yaml} {env:?}: {stderr}");
        assert!(
            stderr.contains(path.to_str().unwrap()),
            "names the file: {stderr}"
        );
        assert!(stderr.contains(key), "names {key}: {stderr}");
        assert!(
            !stderr.contains("ory_pat_"),
            "never prints a token: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let (code, _, stderr) = run(&["--config", "/nonexistent/bridge.yaml"], &[]).await;
    assert_eq!(code, Some(2));
    assert!(stderr.contains("/nonexistent/bridge.yaml"));
}

#[tokio::test]
async fn env_list_overrides_parse() {
    let path = write_config(GOOD);
    let (code, _, stderr) = run(
        &["--config", path.to_str().unwrap(), "--check-config"],
        &[
            ("BRIDGE__CONSENT__TRUSTED_CLIENTS", "a,b"),
            ("BRIDGE__KRATOS__IDENTITY_SCHEMAS", "customer,employee"),
        ],
    )
    .await;
    assert_eq!(code, Some(0), "{stderr}");
}

#[tokio::test]
async fn probe_exits_zero_only_on_a_success() {
    let running = start(example_config(), &[]).await;
    let base = format!("http://127.0.0.1:{}", running.port);
    let (code, _, stderr) = run(&["--probe", &format!("{base}/health/alive")], &[]).await;
    assert_eq!(code, Some(0), "{stderr}");
    let (code, _, stderr) = run(&["--probe", &format!("{base}/nowhere")], &[]).await;
    assert_eq!(code, Some(1));
    assert!(stderr.contains("404"), "{stderr}");
    running.terminate();
    running.wait().await;
    let (code, _, stderr) = run(&["--probe", &format!("{base}/health/alive")], &[]).await;
    assert_eq!(code, Some(1));
    assert!(stderr.contains("probe failed"), "{stderr}");
}

#[tokio::test]
async fn readme_run_command_serves_health_and_stops_on_sigterm() {
    let running = start(example_config(), &[]).await;
    let response = reqwest::get(format!("http://127.0.0.1:{}/health/alive", running.port))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    running.terminate();
    let (code, log) = running.wait().await;
    assert_eq!(code, Some(0), "{log:?}");
}

#[tokio::test]
async fn sigterm_under_load_lets_in_flight_requests_finish() {
    let hydra = FakeHydra::start(HydraVersion::Strict).await;
    let kratos = FakeKratos::start().await;
    let challenge = hydra.add_login(LoginSpec::default());
    hydra.set_fault(Some(Fault::Delay(Duration::from_millis(1500))));
    let config = write_config(&base_config(&hydra.url, &kratos, "http://127.0.0.1:3000"));
    let running = start(
        &config,
        &[("BRIDGE__UPSTREAM__REQUEST_TIMEOUT_MS", "10000")],
    )
    .await;
    let port = running.port;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = format!(
        "http://127.0.0.1:{port}/login?login_challenge={}",
        encode(&challenge)
    );
    // Under load: 40 requests in flight, each waiting on the slow Hydra.
    let in_flight: Vec<_> = (0..40)
        .map(|_| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move { client.get(url).send().await })
        })
        .collect();
    // Let them reach the delayed Hydra call, then ask the service to stop.
    tokio::time::sleep(Duration::from_millis(500)).await;
    running.terminate();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let refused = reqwest::get(format!("http://127.0.0.1:{port}/health/alive")).await;
    assert!(
        refused.is_err(),
        "new connections are refused while stopping"
    );
    for request in in_flight {
        let response = request
            .await
            .unwrap()
            .expect("every in-flight request is answered");
        assert_eq!(response.status().as_u16(), 303);
    }
    let (code, log) = running.wait().await;
    assert_eq!(code, Some(0), "{log:?}");
    // Stopped: nothing listens any more.
    let refused = reqwest::get(format!("http://127.0.0.1:{port}/health/alive")).await;
    assert!(refused.is_err());
}

#[tokio::test]
async fn logs_never_carry_cookies_tokens_or_challenges() {
    let hydra = FakeHydra::start(HydraVersion::Strict).await;
    let kratos = FakeKratos::start().await;
    hydra.require_bearer("ory_pat_SECRET_admin_token_value");
    let config = write_config(&base_config(&hydra.url, &kratos, "http://127.0.0.1:3000"));
    let running = start(
        &config,
        &[
            ("BRIDGE__LOG__LEVEL", "trace"),
            (
                "BRIDGE__HYDRA__ADMIN_TOKEN",
                "ory_pat_SECRET_admin_token_value",
            ),
            (
                "BRIDGE__KRATOS__ADMIN_TOKEN",
                "ory_pat_SECRET_kratos_admin_token",
            ),
            (
                "BRIDGE__SECRETS__SIGNING_KEYS",
                "SECRET-signing-key-material-0123456789abcdef",
            ),
        ],
    )
    .await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = format!("http://127.0.0.1:{}", running.port);

    // A login that goes to Kratos (reauth token minted), one that is accepted, and one that fails upstream.
    let token = kratos.add_session(IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID)), 1, 30);
    let prompt = hydra.add_login(LoginSpec {
        auth_query: "prompt=login".into(),
        ..LoginSpec::default()
    });
    let first = client
        .get(format!("{base}/login?login_challenge={}", encode(&prompt)))
        .header("Cookie", format!("ory_kratos_session={token}"))
        .send()
        .await
        .unwrap();
    let return_to = query_param(&location(&first), "return_to").unwrap();
    let reauth = query_param(&return_to, "reauth").unwrap();
    let plain = hydra.add_login(LoginSpec::default());
    let accepted = client
        .get(format!("{base}/login?login_challenge={}", encode(&plain)))
        .header("Cookie", format!("ory_kratos_session={token}; other=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status().as_u16(), 303);
    // Back from Kratos without re-authenticating: the error page's retry link holds the challenge and
    // a fresh token, and the error is logged; neither may reach the log.
    let incomplete = client
        .get(format!(
            "{base}/login?login_challenge={}&reauth={reauth}",
            encode(&prompt)
        ))
        .header("Cookie", format!("ory_kratos_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(incomplete.status().as_u16(), 403);
    let retry_link = incomplete.text().await.unwrap();
    let retry_token = retry_link
        .split("reauth%3D")
        .nth(1)
        .map(|rest| {
            rest.split(['"', '&', '%'])
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .expect("the retry link carries a new token");
    assert!(
        retry_token.len() > 100 && retry_token.matches('.').count() == 2,
        "{retry_token}"
    );
    // An expired request: Hydra's 401 becomes a page, logged without the challenge.
    hydra.expire_login(&prompt);
    let expired = client
        .get(format!("{base}/login?login_challenge={}", encode(&prompt)))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status().as_u16(), 410);
    kratos.set_fault(Some(Fault::Status(500)));
    let failed = client
        .get(format!("{base}/login?login_challenge={}", encode(&plain)))
        .header("Cookie", format!("ory_kratos_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status().as_u16(), 502);

    running.terminate();
    let (code, log) = running.wait().await;
    assert_eq!(code, Some(0));
    let all = log.join("\n");
    assert!(
        all.contains("\"subject_source\":\"id\"") && all.contains("\"outcome\":\"accepted\""),
        "the log is captured: {all}"
    );
    // Written just before exit, while the batch writer still holds it: the exit's flush gets it
    // out. (At trace level the runtime's own shutdown may log after it.)
    assert!(
        log.iter().any(|l| l.contains("\"message\":\"stopped\"")),
        "the stop is logged: {all}"
    );
    for secret in [
        token.as_str(),
        &prompt,
        &plain,
        &reauth,
        &retry_token,
        "ory_pat_SECRET_admin_token_value",
        "ory_pat_SECRET_kratos_admin_token",
        "SECRET-signing-key-material-0123456789abcdef",
    ] {
        // Any 24-character piece of a secret is enough to count as a leak.
        let piece = &secret[secret.len().saturating_sub(24)..];
        assert!(!all.contains(piece), "log leaks {piece}");
    }
}
