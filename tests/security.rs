//! Security properties every page shares: headers, cookies.

mod support;

use support::*;

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let app = spawn_app().await;
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
        format!("/consent?consent_challenge={}", encode(&consent)),
        format!("/logout?logout_challenge={logout}"),
        "/login".to_string(),
        "/login?login_challenge=dW5rbm93bg%3D%3D".to_string(),
        "/error?error=access_denied".to_string(),
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
    let app = spawn_app_with(
        HydraVersion::Strict,
        &[("BRIDGE__SERVE__BASE_URL", "https://auth.example.com")],
    )
    .await;
    app.kratos
        .add_identity(IdentitySpec::new(IDENTITY_ID, None));
    let consent = app.hydra.add_consent(ConsentSpec {
        subject: IDENTITY_ID.into(),
        ..ConsentSpec::default()
    });
    let response = app
        .get(
            &format!("/consent?consent_challenge={}", encode(&consent)),
            None,
        )
        .await;
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
    let post = app
        .client
        .post(format!("{}/consent", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookie.split(';').next().unwrap())
        .header("origin", &app.address)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(post.status().as_u16(), 403);
}

#[tokio::test]
async fn bad_percent_encoding_and_utf8_are_400_pages() {
    let app = spawn_app().await;
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
    let response = app
        .client
        .post(format!("{}/logout", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", &app.address)
        .body(vec![
            b'l', b'o', b'g', b'o', b'u', b't', b'_', b'c', b'=', 0xff, 0xfe,
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
}
