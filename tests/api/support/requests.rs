//! What a browser does with the bridge, as helpers on `TestApp`: open a page, follow a redirect,
//! fill in a form.

use super::{TestApp, encode, fake_kratos, form_field};

/// A page with a form, as a browser holds it: the status, the CSRF cookie (`name=value`, when set),
/// the form's token (when there is a form) and the HTML.
pub struct FormPage {
    pub status: u16,
    pub cookie: String,
    pub csrf_token: String,
    pub html: String,
}

impl TestApp {
    /// GETs a page that may carry a form.
    pub async fn open_form(&self, path_and_query: &str, cookie: Option<&str>) -> FormPage {
        let response = self.get(path_and_query, cookie).await;
        let status = response.status().as_u16();
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .unwrap_or_default()
            .to_string();
        let html = response.text().await.unwrap();
        let csrf_token = form_field(&html, "csrf_token").unwrap_or_default();
        FormPage {
            status,
            cookie,
            csrf_token,
            html,
        }
    }

    /// Posts an urlencoded `body` as the browser would from the bridge's own page: its origin and
    /// the form's cookie. `path_and_query` may carry a query of its own.
    pub async fn post_form(
        &self,
        path_and_query: &str,
        cookie: &str,
        body: String,
    ) -> reqwest::Response {
        self.client
            .post(format!("{}{}", self.address, path_and_query))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", cookie)
            .header("origin", &self.origin)
            .body(body)
            .send()
            .await
            .expect("every browser is answered")
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

    /// `GET /login?login_challenge=C` with the given Kratos session cookie value.
    pub async fn login(&self, challenge: &str, session: Option<&str>) -> reqwest::Response {
        let cookie = session.map(|s| format!("{}={s}", fake_kratos::COOKIE_NAME));
        self.get(
            &format!("/login?login_challenge={}", encode(challenge)),
            cookie.as_deref(),
        )
        .await
    }

    /// Follows an absolute URL the bridge redirected to (the fake Kratos or the bridge itself).
    pub async fn follow(&self, url: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(url);
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        request.send().await.expect("follow redirect")
    }
}
