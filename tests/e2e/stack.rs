//! One sign-in stack: real Hydra and Kratos (SQLite files in a temporary folder) and the bridge
//! binary in front of them, each on its own loopback port, configured from the compose stack's files.

use std::time::Duration;

use serde_json::json;
use tempfile::TempDir;

use crate::ory::{Binaries, Server, Versions, free_port, repo_file, run_once};

/// The bridge's subject settings for one stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    /// `use_external_id: true`.
    ExternalIdOrId,
    /// `use_external_id: false`.
    Id,
    /// `subject_source: external_id` (strict: no external_id, no sign-in).
    ExternalIdOnly,
}

/// Settings of a test's own, added to each server's environment.
#[derive(Default, Clone, Copy)]
pub struct Extra<'a> {
    pub hydra: &'a [(&'a str, &'a str)],
    pub kratos: &'a [(&'a str, &'a str)],
    pub bridge: &'a [(&'a str, &'a str)],
}

pub struct Stack {
    pub versions: Versions,
    pub hydra_public: String,
    pub hydra_admin: String,
    pub kratos_public: String,
    pub kratos_admin: String,
    pub bridge: String,
    /// Where clients of this stack are sent back to; nothing listens there.
    pub callback: String,
    pub hydra: Server,
    pub kratos: Server,
    pub bridge_server: Server,
    pub http: reqwest::Client,
    _dir: TempDir,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn pairs(items: &[(&str, String)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

impl Stack {
    pub async fn start(bins: &Binaries, versions: Versions, subject: Subject) -> Self {
        Self::start_with(bins, versions, subject, &[]).await
    }

    /// As `start`, with `hydra_extra` added to Hydra's environment (a test's own settings, such as
    /// a short `TTL_DEVICE_USER_CODE`).
    pub async fn start_with(
        bins: &Binaries,
        versions: Versions,
        subject: Subject,
        hydra_extra: &[(&str, &str)],
    ) -> Self {
        let extra = Extra {
            hydra: hydra_extra,
            ..Extra::default()
        };
        Self::start_extra(bins, versions, subject, extra).await
    }

    /// As `start`, with settings of a test's own in each server's environment.
    pub async fn start_extra(
        bins: &Binaries,
        versions: Versions,
        subject: Subject,
        extra: Extra<'_>,
    ) -> Self {
        let hydra_extra = extra.hydra;
        let dir = tempfile::Builder::new()
            .prefix("khb-e2e-")
            .tempdir()
            .expect("temp dir");
        let d = dir.path();
        let (hp, ha, kp, ka, bp, cb) = (
            free_port(),
            free_port(),
            free_port(),
            free_port(),
            free_port(),
            free_port(),
        );
        let hydra_public = format!("http://127.0.0.1:{hp}");
        let hydra_admin = format!("http://127.0.0.1:{ha}");
        let kratos_public = format!("http://127.0.0.1:{kp}");
        let kratos_admin = format!("http://127.0.0.1:{ka}");
        let bridge = format!("http://127.0.0.1:{bp}");
        let callback = format!("http://127.0.0.1:{cb}/callback");

        let kratos_dir = repo_file("deploy/compose/kratos");
        let schema = |id: &str| {
            json!({
                "id": id,
                "url": format!("file://{}", kratos_dir.join(format!("identity.{id}.schema.json")).display()),
                "selfservice_selectable": true,
            })
        };
        // Only what differs from the compose stack: ports, URLs, files and the database. Tests run
        // in parallel: SQLite waits for a lock instead of failing at once ("database is locked").
        let kratos_env = pairs(&[
            (
                "DSN",
                format!(
                    "sqlite://{}/kratos.sqlite?_fk=true&mode=rwc&_journal_mode=WAL&_busy_timeout=10000&_txlock=immediate",
                    d.display()
                ),
            ),
            ("SERVE_PUBLIC_HOST", "127.0.0.1".into()),
            ("SERVE_PUBLIC_PORT", kp.to_string()),
            ("SERVE_PUBLIC_BASE_URL", format!("{kratos_public}/")),
            ("SERVE_ADMIN_HOST", "127.0.0.1".into()),
            ("SERVE_ADMIN_PORT", ka.to_string()),
            ("SERVE_ADMIN_BASE_URL", format!("{kratos_admin}/")),
            (
                "IDENTITY_SCHEMAS",
                json!([schema("customer"), schema("employee")]).to_string(),
            ),
            (
                "SELFSERVICE_ALLOWED_RETURN_URLS",
                json!([
                    "http://127.0.0.1:4455",
                    format!("{bridge}/"),
                    format!("{hydra_public}/oauth2/sessions/logout")
                ])
                .to_string(),
            ),
            (
                "COURIER_SMTP_CONNECTION_URI",
                "smtp://127.0.0.1:1/?disable_starttls=true".into(),
            ),
            // The tests run offline: the leaked-password check would retry haveibeenpwned.com
            // for about 15 seconds on every registration before giving up.
            (
                "SELFSERVICE_METHODS_PASSWORD_CONFIG_HAVEIBEENPWNED_ENABLED",
                "false".into(),
            ),
            ("LOG_LEVEL", "debug".into()),
        ]);
        let mut kratos_env = kratos_env;
        kratos_env.extend(
            extra
                .kratos
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let kratos_config = kratos_dir.join("kratos.yml").display().to_string();
        let kratos_bin = bins.kratos.display().to_string();
        run_once(
            "kratos migrate",
            &strings(&[
                &kratos_bin,
                "migrate",
                "sql",
                "-e",
                "--yes",
                "-c",
                &kratos_config,
            ]),
            &kratos_env,
            &d.join("kratos.log"),
        );
        let kratos = Server::new(
            "kratos",
            strings(&[&kratos_bin, "serve", "--dev", "-c", &kratos_config]),
            kratos_env,
            d.join("kratos.log"),
        );

        let hydra_config = repo_file("deploy/compose/hydra/hydra.yml")
            .display()
            .to_string();
        let mut hydra_env = pairs(&[
            (
                "DSN",
                format!(
                    "sqlite://{}/hydra.sqlite?_fk=true&mode=rwc&_journal_mode=WAL&_busy_timeout=10000&_txlock=immediate",
                    d.display()
                ),
            ),
            ("SERVE_PUBLIC_HOST", "127.0.0.1".into()),
            ("SERVE_PUBLIC_PORT", hp.to_string()),
            ("SERVE_ADMIN_HOST", "127.0.0.1".into()),
            ("SERVE_ADMIN_PORT", ha.to_string()),
            ("URLS_SELF_ISSUER", hydra_public.clone()),
            ("URLS_LOGIN", format!("{bridge}/login")),
            ("URLS_CONSENT", format!("{bridge}/consent")),
            ("URLS_LOGOUT", format!("{bridge}/logout")),
            ("URLS_REGISTRATION", format!("{bridge}/registration")),
            ("URLS_ERROR", format!("{bridge}/error")),
            (
                "URLS_POST_LOGOUT_REDIRECT",
                format!("{callback}/logged-out"),
            ),
            ("URLS_IDENTITY_PROVIDER_URL", kratos_admin.clone()),
            ("LOG_LEVEL", "debug".into()),
        ]);
        // As docker-compose.yml sets them: Hydra v2 refuses these keys.
        if versions.has_device_flow() {
            hydra_env.extend(pairs(&[
                ("URLS_DEVICE_VERIFICATION", format!("{bridge}/device")),
                ("URLS_DEVICE_SUCCESS", format!("{bridge}/device/success")),
            ]));
        }
        hydra_env.extend(
            hydra_extra
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let hydra_bin = bins.hydra.display().to_string();
        run_once(
            "hydra migrate",
            &strings(&[
                &hydra_bin,
                "migrate",
                "sql",
                "up",
                "-e",
                "--yes",
                "-c",
                &hydra_config,
            ]),
            &hydra_env,
            &d.join("hydra.log"),
        );
        let hydra = Server::new(
            "hydra",
            strings(&[&hydra_bin, "serve", "all", "--dev", "-c", &hydra_config]),
            hydra_env,
            d.join("hydra.log"),
        );

        // The compose stack's bridge config; only addresses and the subject rule differ.
        let subject_env = match subject {
            Subject::ExternalIdOrId => ("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", "true"),
            Subject::Id => ("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", "false"),
            Subject::ExternalIdOnly => ("BRIDGE__OAUTH2_PROVIDER__SUBJECT_SOURCE", "external_id"),
        };
        let bridge_env = pairs(&[
            ("BRIDGE__SERVE__HOST", "127.0.0.1".into()),
            ("BRIDGE__SERVE__PORT", bp.to_string()),
            ("BRIDGE__SERVE__BASE_URL", bridge.clone()),
            ("BRIDGE__HYDRA__ADMIN_URL", hydra_admin.clone()),
            ("BRIDGE__KRATOS__PUBLIC_URL", kratos_public.clone()),
            ("BRIDGE__KRATOS__ADMIN_URL", kratos_admin.clone()),
            ("BRIDGE__KRATOS__BROWSER_URL", kratos_public.clone()),
            (
                "BRIDGE__SECRETS__SIGNING_KEYS",
                "e2e-signing-key-0123456789abcdef0123456789".into(),
            ),
            ("BRIDGE__UPSTREAM__CONNECT_TIMEOUT_MS", "1000".into()),
            ("BRIDGE__UPSTREAM__REQUEST_TIMEOUT_MS", "5000".into()),
            ("BRIDGE__LOG__FORMAT", "json".into()),
            (subject_env.0, subject_env.1.into()),
        ]);
        let mut bridge_env = bridge_env;
        bridge_env.extend(
            extra
                .bridge
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let bridge_server = Server::new(
            "bridge",
            strings(&[
                env!("CARGO_BIN_EXE_kratos-hydra-bridge"),
                "--config",
                &repo_file("deploy/compose/bridge/config.yaml")
                    .display()
                    .to_string(),
            ]),
            bridge_env,
            d.join("bridge.log"),
        );

        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("http client");
        kratos.start();
        hydra.start();
        bridge_server.start();
        kratos
            .wait_ready(&http, &format!("{kratos_admin}/admin/health/ready"))
            .await;
        hydra
            .wait_ready(&http, &format!("{hydra_admin}/health/ready"))
            .await;
        bridge_server
            .wait_ready(&http, &format!("{bridge}/health/ready"))
            .await;
        Self {
            versions,
            hydra_public,
            hydra_admin,
            kratos_public,
            kratos_admin,
            bridge,
            callback,
            hydra,
            kratos,
            bridge_server,
            http,
            _dir: dir,
        }
    }

    /// Every server's log, for a failing test's message.
    pub fn logs(&self) -> String {
        format!(
            "--- bridge ---\n{}\n--- hydra ---\n{}\n--- kratos ---\n{}",
            self.bridge_server.log_tail(),
            self.hydra.log_tail(),
            self.kratos.log_tail()
        )
    }
}
