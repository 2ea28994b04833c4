//! The operator's brand on the pages: header and title, the logo and stylesheet the bridge serves,
//! and a Content-Security-Policy that allows exactly what the brand adds.

use crate::support::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/brand");
/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xfc, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

fn full_brand() -> String {
    format!(
        "brand:\n  product_name: Acme Cloud\n  logo_file: {FIXTURES}/logo.svg\n  \
         primary_color: \"#0B6E4F\"\n  background_color: \"#fdf6e3\"\n  \
         stylesheet_file: {FIXTURES}/extra.css\n"
    )
}

/// The bridge with this `brand` section (and the rest of its config).
async fn branded(yaml: &str) -> TestApp {
    TestApp::against(HydraVersion::Strict)
        .config_yaml(yaml)
        .spawn()
        .await
}

/// The HTML of `/error`, a page every brand shows on.
async fn error_page(app: &TestApp) -> String {
    app.get("/error", None).await.text().await.unwrap()
}

fn csp(response: &reqwest::Response) -> String {
    header_value(response, "content-security-policy")
}

/// The value of `attribute` on the first tag that has `marker` in it.
fn attribute(html: &str, marker: &str, attribute: &str) -> String {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker}: {html}"));
    let tag_start = html[..start].rfind('<').unwrap();
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>').unwrap()];
    let needle = format!("{attribute}=\"");
    let value = &tag[tag.find(&needle).unwrap_or_else(|| panic!("{tag}")) + needle.len()..];
    value[..value.find('"').unwrap()].replace("&amp;", "&")
}

#[tokio::test]
async fn product_name_is_in_the_header_and_title_of_every_page() {
    let app = branded(&full_brand()).await;
    let (challenge, _) = app.hydra.start_device(DeviceSpec::default());
    app.hydra.add_client("demo-client", "Demo");
    let pages = [
        ("/error?error=access_denied".to_string(), 400),
        (
            format!("/device?device_challenge={}", encode(&challenge)),
            200,
        ),
        ("/device/success?client_id=demo-client".to_string(), 200),
        ("/nope".to_string(), 404),
        ("/login?login_challenge=%3Cscript%3E".to_string(), 400),
    ];
    for (page, status) in pages {
        let response = app.get(&page, None).await;
        assert_eq!(response.status().as_u16(), status, "{page}");
        let html = response.text().await.unwrap();
        let title = &html[html.find("<title>").unwrap() + 7..html.find("</title>").unwrap()];
        assert!(title.ends_with(" – Acme Cloud"), "{page}: {title}");
        assert!(
            html.contains("<header class=\"brand\">")
                && html.contains("<span class=\"brand-name\">Acme Cloud</span>"),
            "{page}: {html}"
        );
        // Root-relative, so that they work from /device/success as from /consent.
        let logo = attribute(&html, "class=\"brand-logo\"", "src");
        assert!(logo.starts_with("/assets/logo?v="), "{page}: {logo}");
        let css = attribute(&html, "/assets/brand.css", "href");
        assert!(css.starts_with("/assets/brand.css?v="), "{page}: {css}");
        // After the built-in stylesheet, so that it wins.
        assert!(html.find("assets/style.css").unwrap() < html.find("/assets/brand.css").unwrap());
    }
}

/// Error pages, whatever made them (a wrong method, an upstream fault, a form that is none, the
/// deadline), carry the brand and the browser's language.
#[tokio::test]
async fn every_error_page_carries_the_brand_and_the_language() {
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__SERVE__REQUEST_TIMEOUT_MS", "400")
        .config_yaml(&full_brand())
        .spawn()
        .await;
    let challenge = app.hydra.add_login(LoginSpec::default());
    let send = |request: reqwest::RequestBuilder| async move {
        let response = request
            .header("accept-language", "de")
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    };
    let login = format!(
        "{}/login?login_challenge={}",
        app.address,
        encode(&challenge)
    );
    let mut pages = vec![(
        send(app.client.delete(format!("{}/logout", app.address))).await,
        405,
        "Methode nicht erlaubt",
    )];
    pages.push((
        send(
            app.client
                .post(format!("{}/consent", app.address))
                .header("content-type", "application/json")
                .body("{}"),
        )
        .await,
        415,
        "Dieses Formular konnte nicht gelesen werden",
    ));
    app.hydra.set_fault(Some(Fault::Status(500)));
    pages.push((
        send(app.client.get(&login)).await,
        502,
        "Die Anmeldung ist nicht verfügbar",
    ));
    // Hydra answers after the request's deadline: the middleware's page.
    app.hydra.set_fault(Some(Fault::Hang));
    pages.push((
        send(app.client.get(&login)).await,
        504,
        "Die Anmeldung dauert zu lange",
    ));
    for ((status, html), expected, title) in pages {
        assert_eq!(status, expected, "{html}");
        assert!(html.contains("<html lang=\"de\">"), "{expected}: {html}");
        assert!(
            html.contains(&format!("<h1>{title}</h1>")),
            "{expected}: {html}"
        );
        assert!(
            html.contains(&format!("<title>{title} – Acme Cloud</title>"))
                && html.contains("<span class=\"brand-name\">Acme Cloud</span>")
                && html.contains("/assets/brand.css?v="),
            "{expected}: {html}"
        );
    }
}

#[tokio::test]
async fn the_logo_and_the_brand_stylesheet_are_served_with_their_types() {
    let app = branded(&full_brand()).await;
    let html = error_page(&app).await;

    let logo = app
        .get(&attribute(&html, "class=\"brand-logo\"", "src"), None)
        .await;
    assert_eq!(logo.status().as_u16(), 200);
    assert_eq!(logo.headers()["content-type"], "image/svg+xml");
    assert_eq!(logo.headers()["x-content-type-options"], "nosniff");
    assert!(csp(&logo).contains("default-src 'none'"));
    let svg = std::fs::read(format!("{FIXTURES}/logo.svg")).unwrap();
    assert_eq!(logo.bytes().await.unwrap(), svg);

    let css = app
        .get(&attribute(&html, "/assets/brand.css", "href"), None)
        .await;
    assert_eq!(css.status().as_u16(), 200);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    let css = css.text().await.unwrap();
    // The configured colours, with the text colours derived from them.
    assert!(
        css.contains(":root { --primary: #0b6e4f; --on-primary: #ffffff;"),
        "{css}"
    );
    // The background in the light scheme only: the dark scheme keeps its own.
    assert!(
        css.contains(
            "@media not all and (prefers-color-scheme: dark) { :root { --background: #fdf6e3; \
             --on-background: #000000; } }"
        ),
        "{css}"
    );
    assert!(css.contains("@media (prefers-color-scheme: dark)"), "{css}");
    // Then the operator's stylesheet, as it is.
    let extra = std::fs::read_to_string(format!("{FIXTURES}/extra.css")).unwrap();
    assert!(css.ends_with(&extra), "{css}");
    assert!(css.find("--primary").unwrap() < css.find(&extra).unwrap());
}

#[tokio::test]
async fn a_png_logo_is_served_as_png() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logo.png");
    std::fs::write(&path, PNG).unwrap();
    let yaml = format!(
        "brand:\n  product_name: Acme\n  logo_file: {}\n",
        path.display()
    );
    let app = branded(&yaml).await;
    let html = error_page(&app).await;
    let logo = app
        .get(&attribute(&html, "class=\"brand-logo\"", "src"), None)
        .await;
    assert_eq!(logo.headers()["content-type"], "image/png");
    assert_eq!(logo.bytes().await.unwrap(), PNG);
    // Nothing but the logo: no brand stylesheet to link.
    assert!(!html.contains("/assets/brand.css"), "{html}");
}

#[tokio::test]
async fn the_product_name_is_escaped() {
    let yaml = "brand:\n  product_name: \"<b>Acme</b> & Co\"\n";
    let app = branded(yaml).await;
    let html = error_page(&app).await;
    assert!(
        html.contains("&#60;b&#62;Acme&#60;/b&#62; &#38; Co")
            || html.contains("&lt;b&gt;Acme&lt;/b&gt; &amp; Co"),
        "{html}"
    );
    assert!(!html.contains("<b>Acme"), "{html}");
}

#[tokio::test]
async fn the_product_name_can_come_from_the_environment() {
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__BRAND__PRODUCT_NAME", "Env Brand")
        .spawn()
        .await;
    let html = error_page(&app).await;
    assert!(
        html.contains("<span class=\"brand-name\">Env Brand</span>"),
        "{html}"
    );
}

#[tokio::test]
async fn the_csp_allows_exactly_the_configured_logo_origin() {
    let yaml = "brand:\n  product_name: Acme\n  logo_url: https://cdn.example.com:8443/brand/logo.png?v=2\n";
    let app = branded(yaml).await;
    for page in ["/error", "/nope", "/health/alive"] {
        let response = app.get(page, None).await;
        let csp = csp(&response);
        assert!(
            csp.contains("; img-src 'self' https://cdn.example.com:8443;"),
            "{page}: {csp}"
        );
        assert!(!csp.contains("https: ") && !csp.contains("data:"), "{csp}");
    }
    let html = error_page(&app).await;
    assert_eq!(
        attribute(&html, "class=\"brand-logo\"", "src"),
        "https://cdn.example.com:8443/brand/logo.png?v=2"
    );
    // The bridge serves no logo of its own then.
    assert_eq!(app.get("/assets/logo", None).await.status().as_u16(), 404);
}

#[tokio::test]
async fn without_a_brand_images_come_from_the_bridge_only() {
    let app = TestApp::spawn().await;
    let response = app.get("/error", None).await;
    let csp = csp(&response);
    assert_eq!(
        csp,
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; \
         frame-ancestors 'none'"
    );
    let html = response.text().await.unwrap();
    assert!(
        !html.contains("class=\"brand\"") && !html.contains("brand.css"),
        "{html}"
    );
    assert!(
        html.contains("<title>Something went wrong</title>") || !html.contains(" – "),
        "{html}"
    );
    for asset in ["/assets/brand.css", "/assets/logo"] {
        assert_eq!(app.get(asset, None).await.status().as_u16(), 404, "{asset}");
    }
}

#[tokio::test]
async fn the_consent_page_allows_its_clients_logo_origin_alone() {
    let app = TestApp::spawn().await;
    app.kratos
        .add_identity(IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID)));
    let challenge = app.hydra.add_consent(ConsentSpec {
        subject: IDENTITY_ID.into(),
        client_name: "Acme Shop".into(),
        logo_uri: "https://img.shop.example/logo.png".into(),
        requested_scope: vec!["openid".into(), "email".into()],
        context: Some(serde_json::json!({ "identity_id": IDENTITY_ID })),
        ..ConsentSpec::default()
    });
    let response = app.consent(&challenge).await;
    assert_eq!(response.status().as_u16(), 200);
    let csp = csp(&response);
    assert!(
        csp.contains("; img-src 'self' https://img.shop.example;"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    // Other pages do not inherit it.
    let csp = csp_of(&app, "/error").await;
    assert!(csp.contains("; img-src 'self';"), "{csp}");
}

async fn csp_of(app: &TestApp, page: &str) -> String {
    csp(&app.get(page, None).await)
}

/// Every page links the stylesheets under `serve.base_url`'s path, however deep the page's own
/// path: a relative link from an error page at `/a/b/c` would point nowhere.
#[tokio::test]
async fn pages_at_any_depth_link_the_stylesheet_under_the_base_url_path() {
    let app = TestApp::builder()
        .env("BRIDGE__SERVE__BASE_URL", "https://login.example/auth")
        .spawn()
        .await;
    for path in ["/nowhere", "/a/b/c", "/device/success", "/login"] {
        let html = app.get(path, None).await.text().await.unwrap();
        assert!(
            html.contains(r#"<link rel="stylesheet" href="/auth/assets/style.css">"#),
            "{path}: {html}"
        );
    }
}
