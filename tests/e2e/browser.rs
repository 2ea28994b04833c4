//! A person at a browser: one cookie jar, redirects followed by hand, forms read from the pages.
//! Kratos's login and registration pages are a UI the stack does not run; the person does what
//! that UI's script would do: reads the flow from Kratos's JSON API and submits it as JSON.

use std::sync::Arc;
use std::time::Duration;

use reqwest::cookie::Jar;
use reqwest::header::{ACCEPT, LOCATION};
use serde_json::{Value, json};
use url::Url;

use crate::stack::Stack;

/// Where following the redirects ended.
#[derive(Debug)]
pub enum Landing {
    /// A page that answered without redirecting.
    Page { url: Url, status: u16, body: String },
    /// A redirect to an address nobody in the stack serves (the client's callback, Kratos's UI).
    Away(Url),
}

impl Landing {
    pub fn away(self) -> Url {
        match self {
            Landing::Away(url) => url,
            Landing::Page { url, status, body } => {
                panic!("expected a redirect away, got {status} at {url}:\n{body}")
            }
        }
    }

    pub fn page(self) -> (Url, u16, String) {
        match self {
            Landing::Page { url, status, body } => (url, status, body),
            Landing::Away(url) => panic!("expected a page, was sent to {url}"),
        }
    }
}

pub struct Person<'s> {
    pub stack: &'s Stack,
    pub http: reqwest::Client,
    /// Every URL visited, in order: what a test asserts about the path taken.
    pub visited: Vec<Url>,
}

impl<'s> Person<'s> {
    pub fn new(stack: &'s Stack) -> Self {
        Self::with_headers(stack, reqwest::header::HeaderMap::new())
    }

    /// A person whose every request carries `headers` (a `traceparent`, as an instrumented
    /// ingress in front of every server would add).
    pub fn with_headers(stack: &'s Stack, headers: reqwest::header::HeaderMap) -> Self {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .cookie_provider(jar)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("http client");
        Self {
            stack,
            http,
            visited: Vec::new(),
        }
    }

    fn served(&self, url: &Url) -> bool {
        let origin = url.origin().ascii_serialization();
        [
            &self.stack.hydra_public,
            &self.stack.kratos_public,
            &self.stack.bridge,
        ]
        .iter()
        .any(|o| **o == origin)
    }

    /// Opens `url` and follows redirects within the stack.
    pub async fn open(&mut self, url: &str) -> Landing {
        let url = Url::parse(url).expect("absolute URL");
        let response = self
            .http
            .get(url.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        self.visited.push(url.clone());
        self.land(url, response).await
    }

    /// Submits a form (urlencoded) and follows the redirects.
    pub async fn submit(&mut self, url: &str, fields: &[(String, String)]) -> Landing {
        let url = Url::parse(url).expect("absolute URL");
        let response = self
            .http
            .post(url.clone())
            // A browser posting a page's form back to the page's own origin.
            .header("Origin", url.origin().ascii_serialization())
            .header("Sec-Fetch-Site", "same-origin")
            .form(fields)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {url}: {e}"));
        self.visited.push(url.clone());
        self.land(url, response).await
    }

    async fn land(&mut self, mut url: Url, mut response: reqwest::Response) -> Landing {
        for _ in 0..20 {
            if !response.status().is_redirection() {
                let status = response.status().as_u16();
                let body = response.text().await.unwrap_or_default();
                return Landing::Page { url, status, body };
            }
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_else(|| panic!("redirect without Location from {url}"));
            let next = url.join(location).expect("Location is a URL");
            if !self.served(&next) {
                self.visited.push(next.clone());
                return Landing::Away(next);
            }
            url = next;
            self.visited.push(url.clone());
            response = self
                .http
                .get(url.clone())
                .send()
                .await
                .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        }
        panic!("more than 20 redirects; visited {:?}", self.visited);
    }

    /// Starts an authorization at Hydra and returns where the redirects ended.
    pub async fn authorize(&mut self, request: &AuthRequest) -> Landing {
        self.open(&request.url(self.stack)).await
    }

    /// GET of a Kratos public API URL, asking for JSON as Kratos's UI does.
    async fn kratos_json(&self, url: &str) -> reqwest::Response {
        self.http
            .get(url)
            .header(ACCEPT, "application/json")
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"))
    }

    /// Kratos's whoami with this person's cookies: the session, or None on 401.
    pub async fn whoami(&self) -> Option<Value> {
        let r = self
            .kratos_json(&format!("{}/sessions/whoami", self.stack.kratos_public))
            .await;
        match r.status().as_u16() {
            200 => Some(r.json().await.expect("session JSON")),
            401 => None,
            other => panic!(
                "whoami answered {other}: {}",
                r.text().await.unwrap_or_default()
            ),
        }
    }

    /// Reads a Kratos self-service flow the way its UI would.
    pub async fn flow(&self, kind: &str, ui: &Url) -> Value {
        let id = query(ui, "flow").unwrap_or_else(|| panic!("no flow id in {ui}"));
        let url = format!(
            "{}/self-service/{kind}/flows?id={id}",
            self.stack.kratos_public
        );
        let r = self.kratos_json(&url).await;
        assert!(r.status().is_success(), "GET {url}: {}", r.status());
        r.json().await.expect("flow JSON")
    }

    /// Submits a Kratos flow as its UI would (JSON); returns Kratos's answer and its status.
    pub async fn submit_flow(&self, kind: &str, flow: &Value, mut body: Value) -> (u16, Value) {
        let id = flow["id"].as_str().expect("flow id");
        body["csrf_token"] = json!(csrf_token(flow));
        let url = format!("{}/self-service/{kind}?flow={id}", self.stack.kratos_public);
        let r = self
            .http
            .post(&url)
            .header(ACCEPT, "application/json")
            .json(&body)
            .send()
            .await
            .expect("flow submit");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Completes Kratos's password login on the flow its UI was sent to, then goes where the
    /// flow says to return (the bridge), as Kratos's UI does after a successful login.
    pub async fn log_in_with_password(&mut self, ui: &Url, email: &str, password: &str) -> Landing {
        let flow = self.flow("login", ui).await;
        let body = json!({ "method": "password", "identifier": email, "password": password });
        let (status, answer) = self.submit_flow("login", &flow, body).await;
        assert_eq!(status, 200, "password login: {answer}");
        let back = flow["return_to"]
            .as_str()
            .expect("login flow has return_to")
            .to_string();
        self.open(&back).await
    }
}

pub fn csrf_token(flow: &Value) -> String {
    flow["ui"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|n| n["attributes"]["name"] == "csrf_token")
        .and_then(|n| n["attributes"]["value"].as_str())
        .expect("csrf_token node")
        .to_string()
}

pub fn query(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// An OAuth2 authorization request with PKCE.
pub struct AuthRequest {
    pub client_id: String,
    pub scope: String,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    pub extra: Vec<(String, String)>,
}

impl AuthRequest {
    pub fn new(client_id: &str, scope: &str) -> Self {
        Self {
            client_id: client_id.to_string(),
            scope: scope.to_string(),
            state: random(),
            nonce: random(),
            verifier: format!("{}{}", random(), random()),
            extra: Vec::new(),
        }
    }

    pub fn with(mut self, key: &str, value: &str) -> Self {
        self.extra.push((key.to_string(), value.to_string()));
        self
    }

    pub fn url(&self, stack: &Stack) -> String {
        use base64::Engine as _;
        use sha2::Digest as _;
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(self.verifier.as_bytes()));
        let mut url = Url::parse(&format!("{}/oauth2/auth", stack.hydra_public)).expect("URL");
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", &stack.callback)
            .append_pair("scope", &self.scope)
            .append_pair("state", &self.state)
            .append_pair("nonce", &self.nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .extend_pairs(&self.extra);
        url.to_string()
    }
}

pub fn random() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
