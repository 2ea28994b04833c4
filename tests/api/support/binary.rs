//! The real binary, started as a child process with its log captured: for tests of the CLI, of
//! shutdown and of what the log may contain.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const BIN: &str = env!("CARGO_BIN_EXE_kratos-hydra-bridge");

pub struct Running {
    child: Child,
    pub port: u16,
    lines: tokio::sync::mpsc::UnboundedReceiver<String>,
    log: Vec<String>,
}

/// Starts the binary and waits for its "listening" log line.
pub async fn start(config: &Path, env: &[(&str, &str)]) -> Running {
    let mut command = Command::new(BIN);
    command
        .args(["--config", config.to_str().unwrap()])
        .env_remove("RUST_LOG")
        .env("BRIDGE__SERVE__PORT", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("start the binary");
    let stdout = child.stdout.take().unwrap();
    let (tx, mut lines) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut reader = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = reader.next_line().await {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut log = Vec::new();
    let port = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(line) = lines.recv().await {
            log.push(line.clone());
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
                && v["message"] == "listening"
            {
                let address = v["address"].as_str().unwrap().to_string();
                return address.rsplit_once(':').unwrap().1.parse::<u16>().unwrap();
            }
        }
        panic!("the binary exited before listening: {log:?}");
    })
    .await
    .expect("the binary listens within seconds");
    Running {
        child,
        port,
        lines,
        log,
    }
}

impl Running {
    pub fn terminate(&self) {
        let pid = self.child.id().expect("running").to_string();
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for exit and collects the rest of the log.
    pub async fn wait(mut self) -> (Option<i32>, Vec<String>) {
        let status = tokio::time::timeout(Duration::from_secs(15), self.child.wait())
            .await
            .expect("exits after SIGTERM")
            .unwrap();
        while let Ok(Some(line)) =
            tokio::time::timeout(Duration::from_secs(2), self.lines.recv()).await
        {
            self.log.push(line);
        }
        (status.code(), self.log)
    }
}

/// A config the binary accepts, whose upstreams nobody needs to answer (for `--check-config`
/// and config errors).
pub const MINIMAL_CONFIG: &str = "serve:\n  base_url: http://127.0.0.1:3000\n\
hydra:\n  admin_url: http://127.0.0.1:4445\n\
kratos:\n  public_url: http://127.0.0.1:4433\n  admin_url: http://127.0.0.1:4434\n  \
browser_url: http://127.0.0.1:4433\n";

/// Runs the binary to completion with a deadline; returns (exit code, stdout, stderr).
pub async fn run(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
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

/// Starts the binary on a config holding `yaml` that it must refuse: it exits with 2, and says so
/// naming the config file and `key`, without a panic. What it said.
pub async fn refused_config(yaml: &str, env: &[(&str, &str)], key: &str) -> String {
    refused(yaml, env, key, &[]).await
}

/// The same refusal from `--check-config`.
pub async fn refused_check(yaml: &str, env: &[(&str, &str)], key: &str) -> String {
    refused(yaml, env, key, &["--check-config"]).await
}

async fn refused(yaml: &str, env: &[(&str, &str)], key: &str, flags: &[&str]) -> String {
    let path = super::write_config(yaml);
    let mut args = vec!["--config", path.to_str().unwrap()];
    args.extend_from_slice(flags);
    let (code, _, stderr) = run(&args, env).await;
    assert_eq!(code, Some(2), "{yaml} {env:?}: {stderr}");
    assert!(
        stderr.contains(path.to_str().unwrap()),
        "names the file: {stderr}"
    );
    assert!(stderr.contains(key), "names {key}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// Runs `--check-config` on a config holding `yaml`; (exit code, stderr).
pub async fn check_config(yaml: &str, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let path = super::write_config(yaml);
    let args = ["--config", path.to_str().unwrap(), "--check-config"];
    let (code, _, stderr) = run(&args, env).await;
    (code, stderr)
}
