//! What a browser does with the bridge, as helpers on `TestApp`: open a page, follow a redirect,
//! fill in a form.

use super::{
    EXTERNAL_ID, IDENTITY_ID, IdentitySpec, LoginSpec, TestApp, consent_path, fake_kratos,
    form_field, location, login_path, logout_path, session_cookie, set_cookie_named,
};

/// A page with a form, as a browser holds it: the status, the CSRF cookie (`name=value`, when set),
/// the form's token (when there is a form) and the HTML.
#[derive(Debug, Clone)]
pub struct FormPage {
    pub status: u16,
    /// The whole `Set-Cookie` of the CSRF cookie, its attributes included (empty when none).
    pub set_cookie: String,
    pub cookie: String,
    pub csrf_token: String,
    pub html: String,
}

impl FormPage {
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let set_cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let cookie = set_cookie.split(';').next().unwrap_or_default().to_string();
        let html = response.text().await.unwrap();
        let csrf_token = form_field(&html, "csrf_token").unwrap_or_default();
        FormPage {
            status,
            set_cookie,
            cookie,
            csrf_token,
            html,
        }
    }
}

/// An urlencoded form body.
pub fn form_body(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

impl TestApp {
    /// GETs a page that may carry a form.
    pub async fn open_form(&self, path_and_query: &str, cookie: Option<&str>) -> FormPage {
        FormPage::read(self.get(path_and_query, cookie).await).await
    }

    /// Posts an urlencoded `body` as the browser would from the bridge's own page: its origin and
    /// the form's cookie. `path_and_query` may carry a query of its own.
    pub async fn post_form(
        &self,
        path_and_query: &str,
        cookie: &str,
        body: String,
    ) -> reqwest::Response {
        let headers = [("cookie", cookie), ("origin", self.origin.as_str())];
        self.post_form_with_headers(path_and_query, &headers, body)
            .await
    }

    /// Posts an urlencoded `body` with only these headers: a post from another site, or from no
    /// browser at all.
    pub async fn post_form_with_headers(
        &self,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(self.url(path_and_query))
            .header("content-type", "application/x-www-form-urlencoded");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request
            .body(body)
            .send()
            .await
            .expect("every browser is answered")
    }

    /// The bridge's absolute URL for a path, for a browser to open.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.address)
    }

    pub async fn get(&self, path_and_query: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut request = self
            .client
            .get(format!("{}{}", self.address, path_and_query));
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        request.send().await.expect("request to the bridge")
    }

    /// The Prometheus text of `/metrics` on the service's own port.
    pub async fn metrics(&self) -> String {
        self.get("/metrics", None).await.text().await.unwrap()
    }

    /// `GET /login?login_challenge=C`, with the Kratos session whose token is given.
    pub async fn login(&self, challenge: &str, session: Option<&str>) -> reqwest::Response {
        let cookie = session.map(session_cookie);
        self.get(&login_path(challenge), cookie.as_deref()).await
    }

    /// A login request for `spec`, opened with the Kratos session `token`; the bridge redirects
    /// (303), to Kratos or to Hydra. Returns the challenge.
    pub async fn login_redirects(&self, spec: LoginSpec, token: &str) -> String {
        let challenge = self.hydra.add_login(spec);
        let response = self.login(&challenge, Some(token)).await;
        assert_eq!(response.status().as_u16(), 303);
        challenge
    }

    /// `GET /consent?consent_challenge=C`.
    pub async fn consent(&self, challenge: &str) -> reqwest::Response {
        self.get(&consent_path(challenge), None).await
    }

    /// `GET /logout?logout_challenge=C`, with the Kratos session whose token is given.
    pub async fn logout(&self, challenge: &str, session: Option<&str>) -> reqwest::Response {
        let cookie = session.map(session_cookie);
        self.get(&logout_path(challenge), cookie.as_deref()).await
    }

    /// Follows an absolute URL the bridge redirected to (the fake Kratos or the bridge itself).
    pub async fn follow(&self, url: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(url);
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        request.send().await.expect("follow redirect")
    }

    /// The round trip through Kratos: the browser follows the bridge's redirect `to` Kratos with
    /// its `cookie`, Kratos signs the person in (the fake does at once) and sends it back; the
    /// bridge's answer to that.
    pub async fn via_kratos(&self, to: &str, cookie: Option<&str>) -> reqwest::Response {
        let kratos = self.follow(to, cookie).await;
        assert_eq!(
            kratos.status().as_u16(),
            303,
            "Kratos sends the browser back"
        );
        self.follow(&location(&kratos), cookie).await
    }

    /// The first sign-in: the browser, with no session yet, follows the bridge's redirect `to`
    /// Kratos, where the person signs in (`FakeKratos::set_next_login` says who) and is sent back
    /// with the session cookie Kratos set: that cookie (`name=value`), and the bridge's answer.
    pub async fn sign_in_via_kratos(&self, to: &str) -> (String, reqwest::Response) {
        let kratos = self.follow(to, None).await;
        assert_eq!(
            kratos.status().as_u16(),
            303,
            "Kratos accepted the return_to"
        );
        let cookie = set_cookie_named(&kratos, fake_kratos::COOKIE_NAME)
            .expect("Kratos set its session cookie");
        let back = self.follow(&location(&kratos), Some(&cookie)).await;
        (cookie, back)
    }

    /// The person (`IDENTITY_ID`, no `external_id`) signed in to Kratos `secs_ago` with a password
    /// (aal1): the session's token.
    pub fn signed_in(&self, secs_ago: i64) -> String {
        self.kratos
            .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, secs_ago)
    }

    /// The same, for an identity with the `external_id` `EXTERNAL_ID`.
    pub fn signed_in_with_external_id(&self, secs_ago: i64) -> String {
        let identity = IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID));
        self.kratos.add_session(identity, 1, secs_ago)
    }
}
