//! `TestApp`: the bridge on a loopback port in front of a fake Hydra and a fake Kratos of its own,
//! started from a builder that says what the test changes:
//!
//! ```ignore
//! let app = TestApp::spawn().await; // the defaults: Hydra v25.4+ (recorded from v26.2.0)
//! let app = TestApp::against(HydraVersion::Strict) // or `builder()`, for the default release
//!     .env("BRIDGE__LOGIN__REAUTHENTICATE", "always")
//!     .config_yaml("consent:\n  trusted_clients: [first-party]\n")
//!     .spawn()
//!     .await;
//! ```

use std::time::Duration;

use kratos_hydra_bridge::config::Settings;
use kratos_hydra_bridge::startup::Application;

use super::binary::{self, Running};
use super::{FakeHydra, FakeKratos, HydraVersion, write_config};

pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    pub port: u16,
    pub hydra: FakeHydra,
    pub kratos: FakeKratos,
    /// A client that never follows redirects, so each hop can be checked.
    pub client: reqwest::Client,
    /// The separate metrics listener's port, when `metrics.address` is set.
    pub metrics_port: Option<u16>,
    /// The bridge's `serve.base_url`: the origin its own forms are posted from.
    pub origin: String,
}

/// The binary picks its port at start, after its config is written: its `serve.base_url` is this.
pub const BINARY_BASE_URL: &str = "http://127.0.0.1:3000";

/// What a test changes in the bed: which Hydra release the fake plays, `BRIDGE__…` overrides and
/// YAML added to the base config. Everything else is the base config (`base_config`).
#[derive(Debug, Clone)]
pub struct TestAppBuilder {
    hydra: HydraVersion,
    env: Vec<(String, String)>,
    config_yaml: String,
}

impl TestApp {
    /// A builder for the bridge in front of the default Hydra release, `Lenient` (v25.4+).
    pub fn builder() -> TestAppBuilder {
        Self::against(HydraVersion::Lenient)
    }

    /// A builder for the bridge in front of a fake Hydra answering as `version`.
    pub fn against(version: HydraVersion) -> TestAppBuilder {
        TestAppBuilder {
            hydra: version,
            env: Vec::new(),
            config_yaml: String::new(),
        }
    }

    /// The bridge with the base config, the fakes answering as the releases users run (Hydra
    /// v25.4+, as recorded from v26.2.0).
    pub async fn spawn() -> TestApp {
        Self::builder().spawn().await
    }
}

impl TestAppBuilder {
    /// A `BRIDGE__SECTION__KEY` override, as an operator sets one in the environment (with
    /// `spawn_binary`, any variable of the binary's environment, such as `OTEL_…`).
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// `oauth2_provider.use_external_id` on: the subject is the identity's `external_id`.
    pub fn use_external_id(self) -> Self {
        self.env("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", "true")
    }

    /// `oauth2_provider.subject_source`: which of the identity's identifiers is the subject.
    pub fn subject_source(self, source: &str) -> Self {
        self.env("BRIDGE__OAUTH2_PROVIDER__SUBJECT_SOURCE", source)
    }

    /// Hydra's admin API elsewhere than at the fake: a raw server, a closed port.
    pub fn hydra_admin_url(self, url: &str) -> Self {
        self.env("BRIDGE__HYDRA__ADMIN_URL", url)
    }

    /// Hydra's admin API where nothing listens: connection refused.
    pub fn hydra_unreachable(self) -> Self {
        self.hydra_admin_url(&super::closed_port_url())
    }

    /// YAML appended to the base config: whole sections it does not have already.
    pub fn config_yaml(mut self, yaml: &str) -> Self {
        self.config_yaml.push_str(yaml);
        self
    }

    /// Starts the fakes, then the bridge in this process on a port of its own.
    pub async fn spawn(self) -> TestApp {
        let (hydra, kratos) = self.fakes().await;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind app");
        let port = listener.local_addr().unwrap().port();
        let address = format!("http://127.0.0.1:{port}");
        let config = self.config_file(&hydra, &kratos, &address);
        let settings = Settings::load(&config, self.env).expect("test config loads");
        let app = Application::from_listener(settings, listener).expect("app builds");
        let metrics_port = app.metrics_port();
        tokio::spawn(app.run_until_stopped());
        TestApp::new(port, &address, hydra, kratos, metrics_port)
    }

    /// Starts the fakes, then the real binary as a child process with its log captured, for tests
    /// of shutdown and of what the log may hold; its `serve.base_url` is `BINARY_BASE_URL`.
    pub async fn spawn_binary(self) -> (TestApp, Running) {
        let (hydra, kratos) = self.fakes().await;
        let config = self.config_file(&hydra, &kratos, BINARY_BASE_URL);
        let env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let running = binary::start(&config, &env).await;
        let app = TestApp::new(running.port, BINARY_BASE_URL, hydra, kratos, None);
        (app, running)
    }

    async fn fakes(&self) -> (FakeHydra, FakeKratos) {
        (
            FakeHydra::start(self.hydra).await,
            FakeKratos::start().await,
        )
    }

    fn config_file(
        &self,
        hydra: &FakeHydra,
        kratos: &FakeKratos,
        base_url: &str,
    ) -> tempfile::TempPath {
        kratos.allow_return_url(&format!("{base_url}/"));
        // Logout returns to Hydra's public logout endpoint (the fake serves it itself).
        kratos.allow_return_url(&format!("{}/oauth2/sessions/logout", hydra.url));
        write_config(&format!(
            "{}{}",
            base_config(&hydra.url, kratos, base_url),
            self.config_yaml
        ))
    }
}

impl TestApp {
    fn new(
        port: u16,
        base_url: &str,
        hydra: FakeHydra,
        kratos: FakeKratos,
        metrics_port: Option<u16>,
    ) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            port,
            hydra,
            kratos,
            client,
            metrics_port,
            origin: base_url.into(),
        }
    }
}

/// The bridge's config for a Hydra admin URL and a fake Kratos (its public and admin ports).
fn base_config(hydra: &str, kratos: &FakeKratos, base_url: &str) -> String {
    let (public, admin) = (&kratos.url, &kratos.admin_url);
    format!(
        "serve:\n  host: 127.0.0.1\n  port: 0\n  base_url: {base_url}\n  workers: 2\n\
         hydra:\n  admin_url: {hydra}\n\
         kratos:\n  public_url: {public}\n  admin_url: {admin}\n  browser_url: {public}\n\
         secrets:\n  signing_keys: [\"test-signing-key-0123456789abcdef0123456789\"]\n\
         upstream:\n  connect_timeout_ms: 500\n  request_timeout_ms: 1500\n"
    )
}
