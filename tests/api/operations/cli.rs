//! The real binary: flags, config errors at start, the README's run command, graceful shutdown, and
//! logs that never carry secrets.

use std::path::Path;
use std::time::Duration;

use crate::support::binary::{MINIMAL_CONFIG, refused_config, run, start};
use crate::support::*;

fn example_config() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.yaml"))
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

#[tokio::test]
async fn bad_configs_exit_non_zero_naming_file_and_key() {
    // (config, env overrides, the key the error must name)
    type Case = (String, Vec<(&'static str, &'static str)>, &'static str);
    let cases: Vec<Case> = vec![
        ("serve: [unclosed\n".into(), vec![], ""),
        (
            MINIMAL_CONFIG.replace("http://127.0.0.1:4445", "not a url"),
            vec![],
            "hydra.admin_url",
        ),
        (
            MINIMAL_CONFIG.replace("http://127.0.0.1:4445", "ftp://hydra"),
            vec![],
            "hydra.admin_url",
        ),
        (
            format!("{MINIMAL_CONFIG}device:\n  max_attempts: 0\n"),
            vec![],
            "device.max_attempts",
        ),
        (
            MINIMAL_CONFIG.into(),
            vec![("BRIDGE__DEVICE__USER_CODE_ENTROPY_PRESET", "extreme")],
            "device.user_code_entropy_preset",
        ),
        (
            format!("{MINIMAL_CONFIG}device:\n  user_code_character_set: \"A B\"\n"),
            vec![],
            "device.user_code_character_set",
        ),
        (
            format!("{MINIMAL_CONFIG}oauth2_provider:\n  use_external_id: maybe\n"),
            vec![],
            "oauth2_provider.use_external_id",
        ),
        (
            format!("{MINIMAL_CONFIG}oauth2_provider:\n  use_external_idd: true\n"),
            vec![],
            "oauth2_provider.use_external_idd",
        ),
        (
            format!("{MINIMAL_CONFIG}oauth2_provider:\n  subject_source: email\n"),
            vec![],
            "oauth2_provider.subject_source",
        ),
        (format!("{MINIMAL_CONFIG}serve2: {{}}\n"), vec![], "serve2"),
        (
            MINIMAL_CONFIG.replace(
                "admin_url: http://127.0.0.1:4445\n",
                "admin_url: http://127.0.0.1:4445\n  admin_headers:\n    Host: other\n",
            ),
            vec![],
            "hydra.admin_headers",
        ),
        (
            format!("{MINIMAL_CONFIG}secrets:\n  signing_keys: [short]\n"),
            vec![],
            "secrets.signing_keys",
        ),
        (
            MINIMAL_CONFIG.replace("  browser_url: http://127.0.0.1:4433\n", ""),
            vec![],
            "kratos.browser_url",
        ),
        (
            MINIMAL_CONFIG.into(),
            vec![("BRIDGE__SERVE__PORT", "seventy")],
            "serve.port",
        ),
        (
            format!(
                "{MINIMAL_CONFIG}claims:\n  mappings:\n    - {{ claim: iss, source: id, scope: openid }}\n"
            ),
            vec![],
            "claims.mappings[0].claim",
        ),
        (
            format!(
                "{MINIMAL_CONFIG}claims:\n  mappings:\n    - {{ claim: x, source: metadata_admin.secret, scope: openid }}\n"
            ),
            vec![],
            "claims.mappings[0].source",
        ),
        (
            MINIMAL_CONFIG.into(),
            vec![("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", "yes please")],
            "BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID",
        ),
        (
            format!("{MINIMAL_CONFIG}oauth2_provider:\n  subject_source: id\n"),
            vec![("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", "true")],
            "oauth2_provider.subject_source",
        ),
        // A token no header can carry, or none at all, is refused rather than left out of requests.
        (
            MINIMAL_CONFIG.into(),
            vec![("BRIDGE__HYDRA__ADMIN_TOKEN", "ory_pat_first\nsecond")],
            "hydra.admin_token",
        ),
        (
            MINIMAL_CONFIG.into(),
            vec![("BRIDGE__KRATOS__ADMIN_TOKEN", " \n")],
            "kratos.admin_token",
        ),
        (
            format!("{MINIMAL_CONFIG}health:\n  ready_cache_ms: 600000\n"),
            vec![],
            "health.ready_cache_ms",
        ),
        // Durations that cannot be 0 are refused by their type, with the same clarity.
        (
            MINIMAL_CONFIG.into(),
            vec![("BRIDGE__SERVE__REQUEST_TIMEOUT_MS", "0")],
            "BRIDGE__SERVE__REQUEST_TIMEOUT_MS",
        ),
        (
            format!("{MINIMAL_CONFIG}upstream:\n  connect_timeout_ms: 0\n"),
            vec![],
            "upstream.connect_timeout_ms",
        ),
    ];
    for (yaml, env, key) in cases {
        let stderr = refused_config(&yaml, &env, key).await;
        assert!(
            !stderr.contains("ory_pat_"),
            "never prints a token: {stderr}"
        );
    }
    let (code, _, stderr) = run(&["--config", "/nonexistent/bridge.yaml"], &[]).await;
    assert_eq!(code, Some(2));
    assert!(stderr.contains("/nonexistent/bridge.yaml"));
}

#[tokio::test]
async fn env_list_overrides_parse() {
    let path = write_config(MINIMAL_CONFIG);
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
    let (app, running) = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__UPSTREAM__REQUEST_TIMEOUT_MS", "10000")
        .spawn_binary()
        .await;
    let challenge = app.hydra.add_login(LoginSpec::default());
    app.hydra
        .set_fault(Some(Fault::Delay(Duration::from_millis(1500))));
    let port = running.port;
    let client = app.client.clone();
    let url = format!(
        "{}/login?login_challenge={}",
        app.address,
        encode(&challenge)
    );
    // Under load: 40 requests in flight, each waiting on the slow Hydra.
    let in_flight: Vec<_> = (0..40)
        .map(|_| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move { client.get(url).send().await })
        })
        .collect();
    // Let them all reach the delayed Hydra call (a loaded machine may take a while to get there),
    // then ask the service to stop.
    let waiting_since = std::time::Instant::now();
    while app.hydra.calls().len() < in_flight.len() {
        assert!(
            waiting_since.elapsed() < Duration::from_secs(10),
            "only {} of the requests reached Hydra",
            app.hydra.calls().len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    running.terminate();
    // The listener closes once the signal is handled: poll rather than guess how long that takes.
    let stopping_since = std::time::Instant::now();
    while reqwest::get(format!("http://127.0.0.1:{port}/health/alive"))
        .await
        .is_ok()
    {
        assert!(
            stopping_since.elapsed() < Duration::from_secs(5),
            "new connections are refused while stopping"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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
    let (app, running) = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__LOG__LEVEL", "trace")
        .env(
            "BRIDGE__HYDRA__ADMIN_TOKEN",
            "ory_pat_SECRET_admin_token_value",
        )
        .env(
            "BRIDGE__KRATOS__ADMIN_TOKEN",
            "ory_pat_SECRET_kratos_admin_token",
        )
        .env(
            "BRIDGE__SECRETS__SIGNING_KEYS",
            "SECRET-signing-key-material-0123456789abcdef",
        )
        .spawn_binary()
        .await;
    app.hydra.require_bearer("ory_pat_SECRET_admin_token_value");

    // A login that goes to Kratos (reauth token minted), one that is accepted, and one that fails upstream.
    let token = app.signed_in_with_external_id(30);
    let prompt = app.hydra.add_login(LoginSpec::asking("prompt=login"));
    let first = app.login(&prompt, Some(&token)).await;
    let return_to = query_param(&location(&first), "return_to").unwrap();
    let reauth = query_param(&return_to, "reauth").unwrap();
    let plain = app.hydra.add_login(LoginSpec::default());
    let accepted = app
        .get(
            &login_path(&plain),
            Some(&format!("ory_kratos_session={token}; other=1")),
        )
        .await;
    assert_eq!(accepted.status().as_u16(), 303);
    // Back from Kratos without re-authenticating: the error page's retry link holds the challenge and
    // a fresh token, and the error is logged; neither may reach the log.
    let incomplete = app
        .get(
            &format!("{}&reauth={reauth}", login_path(&prompt)),
            Some(&format!("ory_kratos_session={token}")),
        )
        .await;
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
    app.hydra.expire_login(&prompt);
    let expired = app.login(&prompt, None).await;
    assert_eq!(expired.status().as_u16(), 410);
    app.kratos.set_fault(Some(Fault::Status(500)));
    let failed = app.login(&plain, Some(&token)).await;
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
