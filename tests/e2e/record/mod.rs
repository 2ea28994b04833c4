//! Not a test: records what the real Hydra and Kratos answer to every call the bridge makes, and to
//! the self-service URLs it sends browsers to, into `tests/fixtures/ory/<version>/` (run on purpose
//! with `cargo test --test e2e -- --ignored record`). The checks of the fake servers
//! (`tests/api/fakes/`) compare the fakes with these files.

mod hydra;
mod hydra_expiry;
mod hydra_flows;
mod hydra_logout;
mod hydra_sessions;
mod kratos;
mod kratos_aal2;
mod kratos_browser;

use std::path::PathBuf;
use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

#[allow(dead_code)]
#[path = "../../api/fakes/recorded.rs"]
mod recorded;

use crate::Env;
use crate::ory::repo_file;
use crate::stack::{Stack, Subject};
use recorded::{Fixture, HEADERS, Names, Request, Response};

/// SQLite options of the recorder's own servers: nothing else writes to their databases, so they
/// go without the stack's WAL and immediate locks.
pub const SQLITE: &str = "_fk=true&mode=rwc&_busy_timeout=10000";

/// One call to record: to which server (by its placeholder), what, and with what.
pub struct Call {
    pub method: Method,
    pub server: &'static str,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl Call {
    pub fn new(method: Method, server: &'static str, path: &str) -> Self {
        Self {
            method,
            server,
            path: path.to_string(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn get(server: &'static str, path: &str) -> Self {
        Self::new(Method::GET, server, path)
    }

    pub fn put(server: &'static str, path: &str, body: &str) -> Self {
        Self::new(Method::PUT, server, path).body(body)
    }

    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_string(), value.to_string()));
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// `Accept: application/json`, as the bridge's calls to Kratos send it.
    pub fn accept_json(self) -> Self {
        self.header("accept", "application/json")
    }

    pub fn body(mut self, body: &str) -> Self {
        self.body = Some(body.to_string());
        self
    }
}

/// What came back, as the scenario needs it to go on.
pub struct Answer {
    pub json: Value,
    pub headers: reqwest::header::HeaderMap,
}

pub struct Recorder {
    pub http: reqwest::Client,
    pub names: Names,
    servers: Vec<(&'static str, String)>,
    dir: PathBuf,
    pub written: Vec<String>,
}

impl Recorder {
    pub fn new(stack: &Stack, dir: PathBuf) -> Self {
        let servers = vec![
            ("{hydra_public}", stack.hydra_public.clone()),
            ("{hydra_admin}", stack.hydra_admin.clone()),
            ("{kratos_public}", stack.kratos_public.clone()),
            ("{kratos_admin}", stack.kratos_admin.clone()),
            ("{bridge}", stack.bridge.clone()),
            ("{callback}", stack.callback.clone()),
        ];
        let mut names = Names::default();
        for (placeholder, url) in &servers {
            names.add(url, placeholder);
        }
        // The self-service UI of the compose stack's kratos.yml, which the stack does not run.
        names.add("http://127.0.0.1:4455", "{ui}");
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .expect("http client"),
            names,
            servers,
            dir,
            written: Vec::new(),
        }
    }

    /// Calls to `placeholder` go to `url` from now on (a second Kratos), which reads the same.
    pub fn replace_server(&mut self, placeholder: &'static str, url: &str) {
        self.servers.retain(|(p, _)| *p != placeholder);
        self.servers.push((placeholder, url.to_string()));
        self.names.add(url, placeholder);
    }

    pub fn url(&self, server: &str) -> String {
        self.servers
            .iter()
            .find(|(p, _)| *p == server)
            .map(|(_, url)| url.clone())
            .unwrap_or_else(|| panic!("no server {server}"))
    }

    /// A call on the way to what is recorded, not recorded itself; it has to succeed.
    pub async fn send(&self, call: Call) -> Value {
        let mut url =
            url::Url::parse(&format!("{}{}", self.url(call.server), call.path)).expect("URL");
        url.query_pairs_mut().extend_pairs(&call.query);
        let response = self
            .http
            .request(call.method, url)
            .header("content-type", "application/json")
            .body(call.body.unwrap_or_default())
            .send()
            .await
            .expect("Ory");
        assert!(response.status().is_success(), "{}", response.status());
        response.json().await.expect("Ory's JSON")
    }

    /// Records `calls` one after the other, for answers the scenario does not read.
    pub async fn record_all(&mut self, calls: impl IntoIterator<Item = (&str, &str, Call)>) {
        for (name, about, call) in calls {
            self.record(name, about, call).await;
        }
    }

    /// Sends `call`, writes `<name>.json`, and returns the answer.
    pub async fn record(&mut self, name: &str, about: &str, call: Call) -> Answer {
        let mut url =
            url::Url::parse(&format!("{}{}", self.url(call.server), call.path)).expect("a URL");
        if !call.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&call.query);
        }
        let mut request = self.http.request(call.method.clone(), url.clone());
        for (k, v) in &call.headers {
            request = request.header(k, v);
        }
        if let Some(body) = &call.body {
            request = request
                .header("content-type", "application/json")
                .body(body.clone());
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let header = |n: &str| {
            headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let body_kind = if text.is_empty() {
            "empty"
        } else if serde_json::from_str::<Value>(&text).is_ok() {
            "json"
        } else {
            "text"
        };
        let n = &self.names;
        let fixture = Fixture {
            about: about.to_string(),
            request: Request {
                method: call.method.to_string(),
                server: call.server.to_string(),
                path: n.text(&call.path),
                query: call
                    .query
                    .iter()
                    .map(|(k, v)| (k.clone(), n.text(v)))
                    .collect(),
                headers: call
                    .headers
                    .iter()
                    .map(|(k, v)| (k.clone(), n.text(v)))
                    .collect(),
                body: call.body.as_deref().map(|b| n.text(b)),
            },
            response: Response {
                status,
                content_type: header("content-type").unwrap_or_default(),
                headers: HEADERS
                    .iter()
                    .filter_map(|h| header(h).map(|v| (h.to_string(), n.text(&v))))
                    .collect(),
                set_cookies: headers
                    .get_all("set-cookie")
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .map(|c| n.cookie(c))
                    .collect(),
                body_kind: body_kind.to_string(),
                body: n.json(&json),
                text: if body_kind == "text" {
                    n.text(&text)
                } else {
                    String::new()
                },
            },
        };
        let file = self.dir.join(format!("{name}.json"));
        let mut pretty = serde_json::to_string_pretty(&fixture).expect("fixture JSON");
        pretty.push('\n');
        std::fs::write(&file, pretty).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        self.written.push(name.to_string());
        println!("{name}: {} {} -> {status}", call.method, call.path);
        Answer { json, headers }
    }
}

/// Records every call into `tests/fixtures/ory/<hydra version>/` (Hydra and Kratos are the same
/// release there), replacing what was recorded before.
pub async fn ory_answers(env: &Env) {
    assert_eq!(
        env.versions.hydra, env.versions.kratos,
        "one folder per release"
    );
    let dir = repo_file(&format!("tests/fixtures/ory/{}", env.versions.hydra));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("old recordings removed");
    }
    std::fs::create_dir_all(&dir).expect("fixture folder");
    let stack = env.own_stack(Subject::ExternalIdOrId).await;
    let mut recorder = Recorder::new(&stack, dir);
    hydra::record(&stack, &mut recorder).await;
    hydra_sessions::record(&stack, &mut recorder).await;
    hydra_expiry::record(env, &stack, &mut recorder).await;
    kratos::record(env, &stack, &mut recorder).await;
    println!("{} answers recorded", recorder.written.len());
}
