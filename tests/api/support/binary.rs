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
