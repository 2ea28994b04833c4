//! Security properties every page shares: headers, cookies.

use crate::support::*;

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    app.kratos
        .add_identity(IdentitySpec::new(IDENTITY_ID, None));
    let consent = app.hydra.add_consent(ConsentSpec {
        subject: IDENTITY_ID.into(),
        ..ConsentSpec::default()
    });
    let logout = app.hydra.add_logout(LogoutSpec {
        subject: IDENTITY_ID.into(),
        ..LogoutSpec::default()
    });
    let pages = [
        consent_path(&consent),
        format!("/logout?logout_challenge={logout}"),
        "/login".to_string(),
        "/login?login_challenge=dW5rbm93bg%3D%3D".to_string(),
        "/error?error=access_denied".to_string(),
        "/device?device_challenge=ZGV2aWNl".to_string(),
        "/device".to_string(),
        "/device/success?client_id=demo-client".to_string(),
        "/nope".to_string(),
        "/health/alive".to_string(),
    ];
    for page in &pages {
        let response = app.get(page, None).await;
        let h = response.headers();
        assert_eq!(h.get("x-frame-options").unwrap(), "DENY", "{page}");
        assert_eq!(h.get("referrer-policy").unwrap(), "no-referrer", "{page}");
        assert_eq!(
            h.get("x-content-type-options").unwrap(),
            "nosniff",
            "{page}"
        );
        assert_eq!(h.get("cache-control").unwrap(), "no-store", "{page}");
        let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"),
            "{page}"
        );
    }
    let response = app
        .client
        .delete(format!("{}/logout", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(response.headers().get("x-frame-options").unwrap(), "DENY");
}

#[tokio::test]
async fn form_cookies_are_secure_behind_https() {
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__SERVE__BASE_URL", "https://auth.example.com")
        .spawn()
        .await;
    app.kratos
        .add_identity(IdentitySpec::new(IDENTITY_ID, None));
    let consent = app.hydra.add_consent(ConsentSpec {
        subject: IDENTITY_ID.into(),
        ..ConsentSpec::default()
    });
    let response = app.consent(&consent).await;
    let cookie = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    // A post from the http origin is not from https://auth.example.com.
    let html = response.text().await.unwrap();
    let body = format!(
        "consent_challenge={}&csrf_token={}&action=allow",
        encode(&consent),
        form_field(&html, "csrf_token").unwrap()
    );
    let headers = [
        ("cookie", cookie.split(';').next().unwrap()),
        ("origin", app.address.as_str()),
    ];
    let post = app.post_form_with_headers("/consent", &headers, body).await;
    assert_eq!(post.status().as_u16(), 403);
}

#[tokio::test]
async fn bad_percent_encoding_and_utf8_are_400_pages() {
    let app = TestApp::spawn().await;
    for query in [
        "login_challenge=%ZZ",
        "login_challenge=%FF%FE%FD",
        "login_challenge=abc%",
        "login_challenge=a%00b",
    ] {
        let response = app.get(&format!("/login?{query}"), None).await;
        assert_eq!(response.status().as_u16(), 400, "{query}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("This link is not valid")
        );
    }
    let not_utf8 = vec![
        b'l', b'o', b'g', b'o', b'u', b't', b'_', b'c', b'=', 0xff, 0xfe,
    ];
    let headers = [("origin", app.address.as_str())];
    let response = app
        .post_form_with_headers("/logout", &headers, not_utf8)
        .await;
    assert_eq!(response.status().as_u16(), 400);
}

/// Sends raw bytes and returns the status line of the answer.
async fn raw_status(port: u16, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut socket = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let _ = socket.write_all(request).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        socket.read_to_end(&mut answer),
    )
    .await;
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn oversized_heads_and_broken_paths_are_4xx_never_5xx() {
    let app = TestApp::spawn().await;
    let big_header = format!(
        "GET /health/alive HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(200_000)
    );
    assert!(
        raw_status(app.port, big_header.as_bytes())
            .await
            .starts_with("HTTP/1.1 431")
    );
    let big_url = format!(
        "GET /login?login_challenge={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(200_000)
    );
    assert!(
        raw_status(app.port, big_url.as_bytes())
            .await
            .starts_with("HTTP/1.1 431")
    );
    let many: String = (0..200).map(|i| format!("X-H{i}: 1\r\n")).collect();
    let many_headers = format!("GET /health/alive HTTP/1.1\r\nHost: x\r\n{many}\r\n");
    assert!(
        raw_status(app.port, many_headers.as_bytes())
            .await
            .starts_with("HTTP/1.1 431")
    );
    let status = raw_status(app.port, b"GET /log\xffin HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert!(status.starts_with("HTTP/1.1 4"), "{status}");
    // And the service is fine afterwards.
    assert_eq!(app.get("/health/alive", None).await.status().as_u16(), 200);
}

/// A token from a mounted secret usually ends in a newline. It is sent without it, never dropped:
/// no admin call goes out without the configured credentials.
#[tokio::test]
async fn an_admin_token_with_a_trailing_newline_is_sent_trimmed() {
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__HYDRA__ADMIN_TOKEN", "ory_pat_mounted\n")
        .env("BRIDGE__KRATOS__ADMIN_TOKEN", " ory_pat_kratos\r\n")
        .spawn()
        .await;
    app.hydra.require_bearer("ory_pat_mounted");
    let token = app.signed_in(30);
    let challenge = app.hydra.add_login(LoginSpec::default());
    let response = app.login(&challenge, Some(&token)).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).contains("login_verifier="));
    let calls = app.hydra.calls();
    assert!(!calls.is_empty());
    assert!(
        calls
            .iter()
            .all(|c| c.authorization.as_deref() == Some("Bearer ory_pat_mounted"))
    );
}
