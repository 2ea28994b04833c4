//! The real Ory servers and the bridge binary as child processes on free loopback ports.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One pairing of Hydra and Kratos releases the tests run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Versions {
    pub hydra: &'static str,
    pub kratos: &'static str,
}

/// What users run, and what docker-compose.yml ships: every end-to-end test runs here.
pub const CURRENT: Versions = Versions {
    hydra: "v26.2.0",
    kratos: "v26.2.0",
};
/// The oldest releases with Kratos's external_id and Hydra's device flow.
pub const OLDEST: Versions = Versions {
    hydra: "v25.4.0",
    kratos: "v25.4.0",
};
/// Hydra's last v2 release, which refuses unknown fields in accept bodies, with the current Kratos.
pub const STRICT_HYDRA: Versions = Versions {
    hydra: "v2.3.0",
    kratos: "v26.2.0",
};

impl Versions {
    /// `hydra-v26.2.0+kratos-v26.2.0`: the prefix of each test's name in the runner's output.
    pub fn label(&self) -> String {
        format!("hydra-{}+kratos-{}", self.hydra, self.kratos)
    }

    /// Hydra's device authorization grant (RFC 8628) came with v25.4.0.
    pub fn has_device_flow(&self) -> bool {
        !self.hydra.starts_with("v2.")
    }
}

#[derive(Debug, Clone)]
pub struct Binaries {
    pub hydra: PathBuf,
    pub kratos: PathBuf,
}

impl Binaries {
    /// Where `scripts/install-ory.sh` puts the versions asked for (`ORY_CACHE_DIR` moves the cache).
    pub fn find(versions: Versions) -> Result<Self, String> {
        let cache = cache_dir()?;
        let pick = |name: &str, version: &str| {
            let path = cache.join(format!("{name}-{version}")).join(name);
            if path.is_file() {
                Ok(path)
            } else {
                Err(format!(
                    "{name} {version} not found at {} (run scripts/install-ory.sh)",
                    path.display()
                ))
            }
        };
        Ok(Self {
            hydra: pick("hydra", versions.hydra)?,
            kratos: pick("kratos", versions.kratos)?,
        })
    }
}

/// The folder `scripts/install-ory.sh` and `scripts/install-jaeger.sh` build into.
fn cache_dir() -> Result<PathBuf, String> {
    std::env::var_os("ORY_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("XDG_CACHE_HOME")
                .map(|d| PathBuf::from(d).join("kratos-hydra-bridge/ory"))
        })
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join(".cache/kratos-hydra-bridge/ory"))
        })
        .ok_or_else(|| "neither ORY_CACHE_DIR nor HOME is set".to_string())
}

/// The Jaeger release the tracing test exports to.
pub const JAEGER: &str = "v1.75.0";

/// Where `scripts/install-jaeger.sh` puts Jaeger.
pub fn jaeger() -> Result<PathBuf, String> {
    let path = cache_dir()?.join(format!("jaeger-{JAEGER}/jaeger"));
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "jaeger {JAEGER} not found at {} (run scripts/install-jaeger.sh)",
            path.display()
        ))
    }
}

pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    listener.local_addr().expect("bound address").port()
}

/// The repository's own files (the compose stack's Ory configuration is the tested one).
pub fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// A server process that can be stopped and started again with the same command; killed on drop.
pub struct Server {
    name: String,
    command: Vec<String>,
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Mutex<Option<Child>>,
}

impl Server {
    pub fn new(name: &str, command: Vec<String>, env: Vec<(String, String)>, log: PathBuf) -> Self {
        Self {
            name: name.to_string(),
            command,
            env,
            log,
            child: Mutex::new(None),
        }
    }

    pub fn start(&self) {
        let mut slot = self.child.lock().expect("server lock");
        assert!(slot.is_none(), "{} is already running", self.name);
        let log = File::options()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("log file");
        let child = Command::new(&self.command[0])
            .args(&self.command[1..])
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", self.name));
        *slot = Some(child);
    }

    pub fn stop(&self) {
        let child = self
            .child
            .lock()
            .map(|mut slot| slot.take())
            .unwrap_or_default();
        if let Some(mut child) = child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Panics with the end of the server's log when it exits early or is not ready in time.
    pub async fn wait_ready(&self, http: &reqwest::Client, url: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let exited = match self.child.lock().expect("server lock").as_mut() {
                Some(child) => child.try_wait().ok().flatten(),
                None => None,
            };
            if let Some(status) = exited {
                panic!("{} exited with {status}:\n{}", self.name, self.log_tail());
            }
            if let Ok(r) = http.get(url).send().await
                && r.status().is_success()
            {
                return;
            }
            if Instant::now() > deadline {
                panic!("{} not ready at {url}:\n{}", self.name, self.log_tail());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The process id while running.
    pub fn pid(&self) -> Option<u32> {
        self.child.lock().ok()?.as_ref().map(Child::id)
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(60)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs a one-shot command (migrations) to completion, with its output in `log`.
pub fn run_once(name: &str, command: &[String], env: &[(String, String)], log: &Path) {
    let file = File::options()
        .create(true)
        .append(true)
        .open(log)
        .expect("log file");
    let status = Command::new(&command[0])
        .args(&command[1..])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(file.try_clone().expect("log file"))
        .stderr(file)
        .status()
        .unwrap_or_else(|e| panic!("running {name}: {e}"));
    let text = std::fs::read_to_string(log).unwrap_or_default();
    assert!(status.success(), "{name} failed with {status}:\n{text}");
}

/// A temporary folder for a server's database and log, removed on drop.
pub fn temp_dir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .expect("temp dir")
}

/// A free loopback port and the base URL it serves.
pub fn loopback() -> (u16, String) {
    let port = free_port();
    (port, format!("http://127.0.0.1:{port}"))
}

/// Environment variables as `Server::new` and `run_once` take them.
pub fn pairs(items: &[(&str, String)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// Hydra or Kratos as the compose stack configures it; what the tests set differs per server only
/// in the environment.
#[derive(Debug, Clone, Copy)]
pub enum Ory {
    Hydra,
    Kratos,
}

impl Ory {
    fn name(self) -> &'static str {
        match self {
            Ory::Hydra => "hydra",
            Ory::Kratos => "kratos",
        }
    }

    /// Where the admin API says it is ready (Kratos serves it under `/admin`).
    pub fn ready(self, admin: &str) -> String {
        match self {
            Ory::Hydra => format!("{admin}/health/ready"),
            Ory::Kratos => format!("{admin}/admin/health/ready"),
        }
    }

    /// Loopback ports, and a SQLite database in `dir` opened with `sqlite_options`.
    pub fn listen_env(
        self,
        dir: &Path,
        sqlite_options: &str,
        public: u16,
        admin: u16,
    ) -> Vec<(String, String)> {
        let name = self.name();
        let mut env = pairs(&[
            (
                "DSN",
                format!("sqlite://{}/{name}.sqlite?{sqlite_options}", dir.display()),
            ),
            ("SERVE_PUBLIC_HOST", "127.0.0.1".into()),
            ("SERVE_PUBLIC_PORT", public.to_string()),
            ("SERVE_ADMIN_HOST", "127.0.0.1".into()),
            ("SERVE_ADMIN_PORT", admin.to_string()),
        ]);
        // Kratos puts its own addresses into the links and cookies it hands out.
        if let Ory::Kratos = self {
            env.extend(pairs(&[
                (
                    "SERVE_PUBLIC_BASE_URL",
                    format!("http://127.0.0.1:{public}/"),
                ),
                ("SERVE_ADMIN_BASE_URL", format!("http://127.0.0.1:{admin}/")),
            ]));
        }
        env
    }

    /// Migrates the database `env` names, then returns the server, not started yet, logging to
    /// `<dir>/<hydra|kratos>.log`.
    pub fn server(self, label: &str, bin: &Path, env: Vec<(String, String)>, dir: &Path) -> Server {
        let name = self.name();
        let config = match self {
            Ory::Hydra => repo_file("deploy/compose/hydra/hydra.yml"),
            Ory::Kratos => repo_file("deploy/compose/kratos/kratos.yml"),
        };
        let (config, bin) = (config.display().to_string(), bin.display().to_string());
        // Hydra's commands have one word more than Kratos's: `migrate sql up`, `serve all`.
        let (migrate, serve): (&[&str], &[&str]) = match self {
            Ory::Hydra => (
                &["migrate", "sql", "up", "-e", "--yes"],
                &["serve", "all", "--dev"],
            ),
            Ory::Kratos => (&["migrate", "sql", "-e", "--yes"], &["serve", "--dev"]),
        };
        let command = |args: &[&str]| {
            let mut command = vec![bin.clone()];
            command.extend(args.iter().map(|s| s.to_string()));
            command.extend(["-c".to_string(), config.clone()]);
            command
        };
        let log = dir.join(format!("{name}.log"));
        run_once(&format!("{name} migrate"), &command(migrate), &env, &log);
        Server::new(label, command(serve), env, log)
    }
}

/// The compose stack's identity schemas, read from the repository's files.
pub fn identity_schemas() -> String {
    let kratos_dir = repo_file("deploy/compose/kratos");
    let schema = |id: &str| {
        let file = kratos_dir.join(format!("identity.{id}.schema.json"));
        serde_json::json!({
            "id": id,
            "url": format!("file://{}", file.display()),
            "selfservice_selectable": true,
        })
    };
    serde_json::json!([schema("customer"), schema("employee")]).to_string()
}
