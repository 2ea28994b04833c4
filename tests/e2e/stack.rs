//! One sign-in stack: real Hydra and Kratos (SQLite files in a temporary folder) and the bridge
//! binary in front of them, each on its own loopback port, configured from the compose stack's files.

use std::time::Duration;

use serde_json::json;
use tempfile::TempDir;

use crate::ory::{
    Binaries, Ory, Server, Versions, identity_schemas, loopback, pairs, repo_file, temp_dir,
};

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

/// A test's own settings, added after the stack's so that they win.
fn owned(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
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
        let dir = temp_dir("khb-e2e-");
        let d = dir.path();
        let (hp, hydra_public) = loopback();
        let (ha, hydra_admin) = loopback();
        let (kp, kratos_public) = loopback();
        let (ka, kratos_admin) = loopback();
        let (bp, bridge) = loopback();
        let callback = format!("{}/callback", loopback().1);
        // Tests run in parallel: SQLite waits for a lock instead of failing at once ("database is
        // locked").
        let sqlite = "_fk=true&mode=rwc&_journal_mode=WAL&_busy_timeout=10000&_txlock=immediate";

        // Only what differs from the compose stack: ports, URLs, files and the database.
        let mut kratos_env = Ory::Kratos.listen_env(d, sqlite, kp, ka);
        kratos_env.extend(pairs(&[
            ("IDENTITY_SCHEMAS", identity_schemas()),
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
        ]));
        kratos_env.extend(owned(extra.kratos));
        let kratos = Ory::Kratos.server("kratos", &bins.kratos, kratos_env, d);

        let mut hydra_env = Ory::Hydra.listen_env(d, sqlite, hp, ha);
        hydra_env.extend(pairs(&[
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
        ]));
        // As docker-compose.yml sets them: Hydra v2 refuses these keys.
        if versions.has_device_flow() {
            hydra_env.extend(pairs(&[
                ("URLS_DEVICE_VERIFICATION", format!("{bridge}/device")),
                ("URLS_DEVICE_SUCCESS", format!("{bridge}/device/success")),
            ]));
        }
        hydra_env.extend(owned(extra.hydra));
        let hydra = Ory::Hydra.server("hydra", &bins.hydra, hydra_env, d);

        // The compose stack's bridge config; only addresses and the subject rule differ.
        let subject_env = match subject {
            Subject::ExternalIdOrId => ("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", "true"),
            Subject::Id => ("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", "false"),
            Subject::ExternalIdOnly => ("BRIDGE__OAUTH2_PROVIDER__SUBJECT_SOURCE", "external_id"),
        };
        let mut bridge_env = pairs(&[
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
        bridge_env.extend(owned(extra.bridge));
        let bridge_server = Server::new(
            "bridge",
            vec![
                env!("CARGO_BIN_EXE_kratos-hydra-bridge").to_string(),
                "--config".to_string(),
                repo_file("deploy/compose/bridge/config.yaml")
                    .display()
                    .to_string(),
            ],
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
            .wait_ready(&http, &Ory::Kratos.ready(&kratos_admin))
            .await;
        hydra
            .wait_ready(&http, &Ory::Hydra.ready(&hydra_admin))
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

    /// Starts a server stopped by the test again and waits until it is ready.
    pub async fn start_again(&self, which: Ory) {
        let (server, admin) = match which {
            Ory::Hydra => (&self.hydra, &self.hydra_admin),
            Ory::Kratos => (&self.kratos, &self.kratos_admin),
        };
        server.start();
        server.wait_ready(&self.http, &which.ready(admin)).await;
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
