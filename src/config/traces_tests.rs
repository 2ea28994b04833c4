use super::*;
use crate::config::Settings;

const GOOD: &str = "serve:\n  base_url: http://127.0.0.1:3000\nhydra:\n  admin_url: http://127.0.0.1:4445\n\
kratos:\n  public_url: http://127.0.0.1:4433\n  admin_url: http://127.0.0.1:4434\n  browser_url: http://127.0.0.1:4433\n";

const ON: &str = "tracing:\n  provider: otel\n  providers:\n    otlp:\n      server_url: jaeger:4318\n      insecure: true\n";

fn load(yaml: &str, env: &[(&str, &str)]) -> Result<Settings, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.yaml");
    std::fs::write(&path, format!("{GOOD}{yaml}")).unwrap();
    let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    Settings::load(&path, env).map_err(|e| e.to_string())
}

fn export(yaml: &str, env: &[(&str, &str)]) -> Option<OtlpExport> {
    load(yaml, env).unwrap().tracing.export
}

#[test]
fn off_unless_the_provider_is_otel() {
    assert!(export("", &[]).is_none());
    assert!(export("tracing:\n  provider: \"\"\n", &[]).is_none());
    // The variables alone never turn it on: Hydra and Kratos need `provider` too.
    assert!(export("", &[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318")]).is_none());
}

#[test]
fn the_settings_as_hydra_and_kratos_read_them() {
    let e = export(ON, &[]).unwrap();
    assert_eq!(e.endpoint.as_str(), "http://jaeger:4318/v1/traces");
    assert_eq!(e.service_name, DEFAULT_SERVICE_NAME);
    assert_eq!(
        e.sampler,
        Sampler {
            parent_based: true,
            ratio: 1.0
        }
    );
    assert!(e.authorization.is_none());
    assert_eq!(
        (e.timeout, e.max_queue_size),
        (Duration::from_secs(10), 2048)
    );
    // Without `insecure`, HTTPS, as in Hydra and Kratos.
    let e = export(&ON.replace("      insecure: true\n", ""), &[]).unwrap();
    assert_eq!(e.endpoint.as_str(), "https://jaeger:4318/v1/traces");
}

#[test]
fn every_key_has_its_environment_override() {
    let e = export(
        "",
        &[
            ("BRIDGE__TRACING__PROVIDER", "otel"),
            ("BRIDGE__TRACING__SERVICE_NAME", "bridge-eu"),
            ("BRIDGE__TRACING__DEPLOYMENT_ENVIRONMENT", "staging"),
            (
                "BRIDGE__TRACING__PROVIDERS__OTLP__SERVER_URL",
                "10.0.0.1:4318",
            ),
            ("BRIDGE__TRACING__PROVIDERS__OTLP__INSECURE", "true"),
            (
                "BRIDGE__TRACING__PROVIDERS__OTLP__SAMPLING__SAMPLING_RATIO",
                "0.25",
            ),
            (
                "BRIDGE__TRACING__PROVIDERS__OTLP__AUTHORIZATION_HEADER",
                "Bearer s3cr3t",
            ),
        ],
    )
    .unwrap();
    assert_eq!(e.endpoint.as_str(), "http://10.0.0.1:4318/v1/traces");
    assert_eq!(e.service_name, "bridge-eu");
    assert_eq!(e.deployment_environment.as_deref(), Some("staging"));
    assert_eq!(e.sampler.ratio, 0.25);
    assert_eq!(
        e.authorization.as_ref().map(|a| a.expose_secret()),
        Some("Bearer s3cr3t")
    );
    // A whole number is a ratio too.
    let e = export(
        ON,
        &[(
            "BRIDGE__TRACING__PROVIDERS__OTLP__SAMPLING__SAMPLING_RATIO",
            "0",
        )],
    )
    .unwrap();
    assert_eq!(e.sampler.ratio, 0.0);
}

#[test]
fn the_settings_win_over_the_opentelemetry_variables() {
    let otel = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://other:4318"),
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://other:4318/x"),
        ("OTEL_SERVICE_NAME", "from-env"),
        ("OTEL_TRACES_SAMPLER", "always_off"),
    ];
    let yaml =
        format!("{ON}      sampling:\n        sampling_ratio: 0.5\n  service_name: from-file\n");
    let e = export(&yaml, &otel).unwrap();
    assert_eq!(e.endpoint.as_str(), "http://jaeger:4318/v1/traces");
    assert_eq!(e.service_name, "from-file");
    assert_eq!(
        e.sampler,
        Sampler {
            parent_based: true,
            ratio: 0.5
        }
    );
}

#[test]
fn the_opentelemetry_variables_fill_in_what_the_settings_leave_out() {
    let on = "tracing:\n  provider: otel\n";
    let e = export(
        on,
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", "https://c.example/otlp/")],
    )
    .unwrap();
    assert_eq!(e.endpoint.as_str(), "https://c.example/otlp/v1/traces");
    let e = export(
        on,
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318"),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://b:4318/custom"),
            ("OTEL_SERVICE_NAME", "from-env"),
            ("OTEL_TRACES_SAMPLER", "traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.1"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"),
            ("OTEL_BSP_MAX_QUEUE_SIZE", "16"),
        ],
    )
    .unwrap();
    assert_eq!(e.endpoint.as_str(), "http://b:4318/custom");
    assert_eq!(e.service_name, "from-env");
    assert_eq!(
        e.sampler,
        Sampler {
            parent_based: false,
            ratio: 0.1
        }
    );
    assert_eq!(
        (e.timeout, e.max_queue_size),
        (Duration::from_millis(2500), 16)
    );
    for (value, parent_based, ratio) in [
        ("always_on", false, 1.0),
        ("parentbased_always_off", true, 0.0),
        ("parentbased_traceidratio", true, 1.0),
    ] {
        let e = export(ON, &[("OTEL_TRACES_SAMPLER", value)]).unwrap();
        assert_eq!(
            e.sampler,
            Sampler {
                parent_based,
                ratio
            },
            "{value}"
        );
    }
}

#[test]
fn the_variables_that_turn_it_off() {
    assert!(export(ON, &[("OTEL_SDK_DISABLED", "TRUE")]).is_none());
    assert!(export(ON, &[("OTEL_TRACES_EXPORTER", "none")]).is_none());
    assert!(export(ON, &[("OTEL_SDK_DISABLED", "false")]).is_some());
}

#[test]
fn refusals_name_the_key_and_where_the_value_came_from() {
    // (YAML, environment, what the refusal must name)
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: &[Case] = &[
        (
            "tracing:\n  provider: jaeger\n",
            &[],
            &["tracing.provider", "`jaeger`"],
        ),
        (
            "tracing:\n  provider: otel\n",
            &[],
            &["tracing.providers.otlp.server_url", "required"],
        ),
        (
            &ON.replace("jaeger:4318", "http://jaeger:4318"),
            &[],
            &["tracing.providers.otlp.server_url", "host:port"],
        ),
        (
            &ON.replace("jaeger:4318", "jaeger"),
            &[],
            &["tracing.providers.otlp.server_url", "port"],
        ),
        (
            ON,
            &[(
                "BRIDGE__TRACING__PROVIDERS__OTLP__SAMPLING__SAMPLING_RATIO",
                "1.5",
            )],
            &[
                "tracing.providers.otlp.sampling.sampling_ratio",
                "between 0 and 1",
                "BRIDGE__TRACING__PROVIDERS__OTLP__SAMPLING__SAMPLING_RATIO",
            ],
        ),
        (
            ON,
            &[("BRIDGE__TRACING__PROVIDERS__OTLP__INSECURE", "maybe")],
            &[
                "tracing.providers.otlp.insecure",
                "BRIDGE__TRACING__PROVIDERS__OTLP__INSECURE",
            ],
        ),
        (
            "tracing:\n  provider: otel\n  providers:\n    otlp:\n      servr_url: x:1\n",
            &[],
            &["servr_url"],
        ),
        (
            ON,
            &[("OTEL_TRACES_SAMPLER", "jaeger_remote")],
            &[
                "tracing.providers.otlp.sampling.sampling_ratio",
                "OTEL_TRACES_SAMPLER=`jaeger_remote`",
            ],
        ),
        (
            ON,
            &[
                ("OTEL_TRACES_SAMPLER", "traceidratio"),
                ("OTEL_TRACES_SAMPLER_ARG", "lots"),
            ],
            &["OTEL_TRACES_SAMPLER_ARG=`lots`"],
        ),
        (
            "tracing:\n  provider: otel\n",
            &[("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")],
            &[
                "tracing.providers.otlp.server_url",
                "OTEL_EXPORTER_OTLP_ENDPOINT",
            ],
        ),
        (
            ON,
            &[("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")],
            &["OTEL_EXPORTER_OTLP_PROTOCOL=`grpc`", "http/protobuf"],
        ),
        (
            ON,
            &[("OTEL_BSP_MAX_QUEUE_SIZE", "0")],
            &["OTEL_BSP_MAX_QUEUE_SIZE"],
        ),
        (
            ON,
            &[("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "soon")],
            &["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"],
        ),
        (
            ON,
            &[("OTEL_TRACES_EXPORTER", "zipkin")],
            &["OTEL_TRACES_EXPORTER"],
        ),
    ];
    for (yaml, env, wanted) in cases {
        let e = load(yaml, env).expect_err(yaml);
        assert!(e.contains("config file"), "{e}");
        for w in *wanted {
            assert!(e.contains(w), "`{w}` missing from: {e}");
        }
    }
}

#[test]
fn the_authorization_header_is_never_printed() {
    let secret = "Bearer top\u{7f}secret";
    let e = load(
        ON,
        &[(
            "BRIDGE__TRACING__PROVIDERS__OTLP__AUTHORIZATION_HEADER",
            secret,
        )],
    )
    .unwrap_err();
    assert!(
        e.contains("tracing.providers.otlp.authorization_header"),
        "{e}"
    );
    assert!(!e.contains("top"), "{e}");
    let s = load(
        ON,
        &[(
            "BRIDGE__TRACING__PROVIDERS__OTLP__AUTHORIZATION_HEADER",
            "Bearer topsecret",
        )],
    )
    .unwrap();
    for shown in [format!("{s:?}"), crate::config::Redacted(&s).to_string()] {
        assert!(!shown.contains("topsecret"), "{shown}");
    }
}

#[test]
fn endpoints_name_only_a_host_and_port_and_hold_no_credentials() {
    for server in [
        "collector?x:4318",
        "collector#x:4318",
        "user:pw@collector:4318",
    ] {
        let e = load(&ON.replace("jaeger:4318", server), &[]).expect_err(server);
        assert!(e.contains("tracing.providers.otlp.server_url"), "{e}");
    }
    for endpoint in [
        "https://user:hunter2@collector:4318",
        "https://collector:4318/v1/traces?api_key=hunter2",
    ] {
        let env = [("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", endpoint)];
        let e = load("tracing:\n  provider: otel\n", &env).expect_err(endpoint);
        assert!(e.contains("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"), "{e}");
        assert!(
            !e.contains("hunter2"),
            "the refusal shows no credential: {e}"
        );
    }
}
