//! Replays a recorded call against a fake and compares the answers (see `recorded`).

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

use super::recorded::{Fixture, Names, differences, matches};

/// The release the fixtures were recorded from.
pub const VERSION: &str = "v26.2.0";

/// The headers whose recorded value a fake must match (others are kept for reading only).
const COMPARED_HEADERS: &[&str] = &[
    "location",
    "allow",
    "x-kratos-authenticated-identity-id",
    "link",
];

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/ory/{VERSION}"))
}

pub fn load(name: &str) -> Fixture {
    let path = folder().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A fake as the fixtures name things: where each `{server}` is, what each placeholder of a request
/// stands for here, and the names that normalize the fake's answers.
pub struct Replay {
    servers: Vec<(&'static str, String)>,
    values: Vec<(String, String)>,
    pub names: Names,
    http: reqwest::Client,
    checked: BTreeSet<String>,
    found: Vec<String>,
    /// The `Link` header of the fake's last answer (Hydra's next page).
    pub last_link: String,
}

impl Replay {
    /// Where each `{server}` of the recordings is; a URL named twice reads as the first name.
    pub fn new(servers: &[(&'static str, &str)]) -> Self {
        let mut names = Names::default();
        for (placeholder, url) in servers {
            names.add(url, placeholder);
        }
        Self {
            servers: servers.iter().map(|(p, u)| (*p, u.to_string())).collect(),
            // An id no record has.
            values: vec![(
                "{uuid}".into(),
                "3f2504e0-4f89-41d3-9a0c-0305e82c3301".into(),
            )],
            names,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            checked: BTreeSet::new(),
            found: Vec::new(),
            last_link: String::new(),
        }
    }

    /// `placeholder` in a request stands for `value`, and `value` in an answer reads `placeholder`.
    pub fn bind(&mut self, placeholder: &str, value: &str) {
        self.values.retain(|(p, _)| p != placeholder);
        self.values.push((placeholder.into(), value.into()));
        self.names.add(value, placeholder);
    }

    fn fill(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (placeholder, value) in self.values.iter().rev() {
            out = out.replace(placeholder, value);
        }
        for (placeholder, url) in &self.servers {
            out = out.replace(placeholder, url);
        }
        out
    }

    /// `check`s each of these in turn.
    pub async fn check_all(&mut self, names: &[&str]) {
        for name in names {
            self.check(name).await;
        }
    }

    /// Sends the recorded request of `name` to the fake and notes every difference in the answer.
    /// Returns the fake's JSON answer, for the scenario to go on with.
    pub async fn check(&mut self, name: &str) -> Value {
        let fixture = load(name);
        self.checked.insert(name.to_string());
        let request = &fixture.request;
        let server = self
            .servers
            .iter()
            .find(|(p, _)| *p == request.server)
            .map(|(_, url)| url.clone())
            .unwrap_or_else(|| panic!("{name}: no fake for {}", request.server));
        let mut url = url::Url::parse(&format!("{server}{}", self.fill(&request.path))).unwrap();
        if !request.query.is_empty() {
            let query: Vec<(String, String)> = request
                .query
                .iter()
                .map(|(k, v)| (k.clone(), self.fill(v)))
                .collect();
            url.query_pairs_mut().extend_pairs(query);
        }
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).unwrap();
        let mut call = self.http.request(method, url);
        for (k, v) in &request.headers {
            call = call.header(k, self.fill(v));
        }
        if let Some(body) = &request.body {
            call = call
                .header("content-type", "application/json")
                .body(self.fill(body));
        }
        let response = call.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let header = |h: &str| {
            headers
                .get(h)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        self.last_link = header("link");
        let recorded = &fixture.response;
        let mut found = Vec::new();
        if status != recorded.status {
            found.push(format!(
                "status: recorded {}, the fake {status}",
                recorded.status
            ));
        }
        if header("content-type") != recorded.content_type {
            found.push(format!(
                "Content-Type: recorded {:?}, the fake {:?}",
                recorded.content_type,
                header("content-type")
            ));
        }
        for h in COMPARED_HEADERS {
            let want = recorded.headers.get(*h).cloned().unwrap_or_default();
            let got = self.names.text(&header(h));
            if !matches(&want, &got) {
                found.push(format!("{h}: recorded {want:?}, the fake {got:?}"));
            }
        }
        let cookies: Vec<String> = headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|c| self.names.cookie(c))
            .collect();
        if cookies != recorded.set_cookies {
            found.push(format!(
                "Set-Cookie: recorded {:?}, the fake {cookies:?}",
                recorded.set_cookies
            ));
        }
        let json: Option<Value> = serde_json::from_str(&text).ok();
        let kind = match (&json, text.is_empty()) {
            (_, true) => "empty",
            (Some(_), _) => "json",
            (None, _) => "text",
        };
        if kind != recorded.body_kind {
            found.push(format!(
                "body: recorded {}, the fake {kind}: {text}",
                recorded.body_kind
            ));
        } else if kind == "json" {
            let fake = self.names.json(json.as_ref().unwrap());
            differences("body", &recorded.body, &fake, &mut found);
        } else if kind == "text" && !matches(&recorded.text, &self.names.text(&text)) {
            found.push(format!(
                "text: recorded {:?}, the fake {text:?}",
                recorded.text
            ));
        }
        self.found
            .extend(found.into_iter().map(|d| format!("{name}: {d}")));
        json.unwrap_or(Value::Null)
    }

    /// Fails with every difference found, and with every recording of `prefix` nothing checked.
    pub fn finish(self, prefix: &str) {
        let mut found = self.found;
        let files = std::fs::read_dir(folder()).unwrap();
        for file in files {
            let name = file.unwrap().file_name().to_string_lossy().into_owned();
            if let Some(name) = name.strip_suffix(".json")
                && name.starts_with(prefix)
                && !self.checked.contains(name)
            {
                found.push(format!("{name}: recorded, but no check calls the fake so"));
            }
        }
        assert!(
            found.is_empty(),
            "the fake answers otherwise than the {prefix}* answers of {VERSION}:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn what_changes_from_run_to_run_reads_as_placeholders_and_names_stay() {
    let mut names = Names::default();
    names.add("http://127.0.0.1:4433", "{kratos_public}");
    assert_eq!(
        names.text(
            "http://127.0.0.1:4433/self-service/logout?return_to=http%3A%2F%2F127.0.0.1%3A4433\
             %2Fx%3Flogout_verifier%3Dabc&token=ory_lo_AbC123dEf456GhI789jKl0"
        ),
        "{kratos_public}/self-service/logout?return_to={kratos_public}%2Fx%3Flogout_verifier%3Dabc\
         &token={token}"
    );
    for name in [
        "session_aal2_required",
        "self_service_flow_return_to_forbidden",
    ] {
        assert_eq!(names.text(name), name);
    }
    assert_eq!(
        names.text("3f2504e0-4f89-41d3-9a0c-0305e82c3301 at 2026-12-07T14:00:00.123456Z"),
        "{uuid} at {time}"
    );
    assert_eq!(names.text("127.0.0.1:48016"), "127.0.0.1:{port}");
    assert_eq!(
        names.cookie("ory_kratos_session=abc; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; HttpOnly"),
        "ory_kratos_session; Path=/; Expires; Max-Age=0; HttpOnly"
    );
}

#[test]
fn only_a_token_placeholder_stands_for_any_text() {
    assert!(matches("a={token}&b=1", "a=xyz&b=1"));
    assert!(!matches("a={token}&b=1", "a=&b=1"));
    assert!(!matches("a={token}&b=1", "a=xyz&b=2"));
    assert!(!matches("{uuid}", "d1"));
    let mut found = Vec::new();
    differences(
        "body",
        &serde_json::json!({ "id": "{uuid}", "n": 1, "list": [] }),
        &serde_json::json!({ "id": "{uuid}", "n": 2, "extra": true, "list": [1] }),
        &mut found,
    );
    assert_eq!(
        found,
        [
            "body: the fake adds [\"extra\"]",
            "body.n: recorded 1, the fake 2"
        ]
    );
}
