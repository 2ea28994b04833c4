//! A stack's admin APIs: identities in Kratos, OAuth2 clients in Hydra, and plain admin GETs and POSTs
//! that fail the test on anything but a success.

use serde_json::{Value, json};

use crate::stack::Stack;

pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Merges `extra` into `into`: objects key by key, anything else replaced.
pub fn merge(into: &mut Value, extra: Value) {
    match (into, extra) {
        (Value::Object(into), Value::Object(extra)) => {
            for (key, value) in extra {
                merge(into.entry(key).or_insert(Value::Null), value);
            }
        }
        (into, extra) => *into = extra,
    }
}

impl Stack {
    /// Creates an identity through Kratos's admin API; returns its id.
    pub async fn create_identity(
        &self,
        schema: &str,
        email: &str,
        password: &str,
        metadata_public: Value,
    ) -> String {
        self.create_identity_with(
            schema,
            email,
            password,
            json!({ "metadata_public": metadata_public }),
        )
        .await
    }

    /// As `create_identity`, with `extra` merged into the admin API's body (objects key by key), e.g.
    /// `{"external_id": "CUST-1", "traits": {"name": {"first": "Ada"}}}`.
    pub async fn create_identity_with(
        &self,
        schema: &str,
        email: &str,
        password: &str,
        extra: Value,
    ) -> String {
        let mut body = json!({
            "schema_id": schema,
            "traits": { "email": email },
            "verifiable_addresses": [{ "value": email, "via": "email", "verified": true, "status": "completed" }],
            "credentials": { "password": { "config": { "password": password } } },
        });
        merge(&mut body, extra);
        let r = self
            .admin_post(&format!("{}/admin/identities", self.kratos_admin), body)
            .await;
        r["id"].as_str().expect("identity id").to_string()
    }

    /// Creates an OAuth2 client through Hydra's admin API (a public client: PKCE, no secret).
    pub async fn create_client(&self, name: &str, scope: &str) -> String {
        self.create_client_at(&self.hydra_admin, self.client_body(name, scope))
            .await
    }

    /// The admin API's body for a public client of this stack's callback.
    pub fn client_body(&self, name: &str, scope: &str) -> Value {
        json!({
            "client_name": name,
            "redirect_uris": [self.callback],
            "post_logout_redirect_uris": [format!("{}/logged-out", self.callback)],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "scope": scope,
            "token_endpoint_auth_method": "none",
        })
    }

    /// A public client that may use the device grant (RFC 8628).
    pub async fn create_device_client(&self, name: &str, scope: &str) -> String {
        let body = json!({
            "client_name": name,
            "grant_types": [DEVICE_GRANT, "refresh_token"],
            "scope": scope,
            "token_endpoint_auth_method": "none",
        });
        self.create_client_at(&self.hydra_admin, body).await
    }

    /// Creates a client at the Hydra whose admin API is at `hydra_admin`; returns its id.
    pub async fn create_client_at(&self, hydra_admin: &str, body: Value) -> String {
        let r = self
            .admin_post(&format!("{hydra_admin}/admin/clients"), body)
            .await;
        r["client_id"].as_str().expect("client_id").to_string()
    }

    pub async fn admin_post(&self, url: &str, body: Value) -> Value {
        let r = self
            .http
            .post(url)
            .json(&body)
            .send()
            .await
            .expect("admin call");
        let status = r.status();
        let text = r.text().await.expect("admin answer");
        assert!(status.is_success(), "POST {url}: {status} {text}");
        serde_json::from_str(&text).expect("admin answer is JSON")
    }

    pub async fn get_json(&self, url: &str) -> Value {
        let r = self.http.get(url).send().await.expect("admin call");
        let status = r.status();
        let text = r.text().await.expect("admin answer");
        assert!(status.is_success(), "GET {url}: {status} {text}");
        serde_json::from_str(&text).expect("admin answer is JSON")
    }
}
