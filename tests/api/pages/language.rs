//! Pages in the person's language: the OIDC `ui_locales` Hydra passes on, else the browser's
//! `Accept-Language`, else `ui.default_locale`; `<html lang>` names the catalog used.

use crate::support::binary::MINIMAL_CONFIG;
use crate::support::*;
use serde_json::json;

/// A consent request whose context names the identity, as the bridge's login step leaves it.
fn consent(ui_locales: &[&str]) -> ConsentSpec {
    ConsentSpec {
        subject: IDENTITY_ID.into(),
        context: Some(json!({ "identity_id": IDENTITY_ID, "subject_source": "id" })),
        ui_locales: ui_locales.iter().map(|s| s.to_string()).collect(),
        ..ConsentSpec::default()
    }
}

async fn get(app: &TestApp, path: &str, accept_language: Option<&str>) -> (u16, String) {
    let mut request = app.client.get(format!("{}{path}", app.address));
    if let Some(languages) = accept_language {
        request = request.header("accept-language", languages);
    }
    let response = request.send().await.expect("the bridge answers");
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn consent_page(app: &TestApp, ui_locales: &[&str], accept_language: Option<&str>) -> String {
    app.kratos
        .add_identity(IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID)));
    let challenge = app.hydra.add_consent(consent(ui_locales));
    let path = consent_path(&challenge);
    let (status, html) = get(app, &path, accept_language).await;
    assert_eq!(status, 200, "{html}");
    html
}

#[tokio::test]
async fn the_consent_page_follows_ui_locales_before_the_browser() {
    let app = TestApp::spawn().await;
    let html = consent_page(&app, &["de"], Some("fr-FR,fr;q=0.9")).await;
    assert!(html.contains("<html lang=\"de\">"), "{html}");
    assert!(
        html.contains("<title>Demo App autorisieren</title>"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"client-name\">Demo App</span> möchte auf Ihr Konto zugreifen"),
        "{html}"
    );
    for text in [
        "Angemeldet als <strong>",
        "Ihr Name und grundlegende Profilangaben",
        "Ihre E-Mail-Adresse",
        "Diese Entscheidung merken",
        ">Ablehnen</button>",
        ">Erlauben</button>",
    ] {
        assert!(html.contains(text), "{text}: {html}");
    }
    assert!(!html.contains("Allow"), "{html}");
    // A regional tag falls back to its language; an unknown one to the next the request names.
    let html = consent_page(&app, &["it", "de-AT"], None).await;
    assert!(html.contains("<html lang=\"de\">"), "{html}");
}

#[tokio::test]
async fn the_consent_page_follows_accept_language() {
    let app = TestApp::spawn().await;
    let html = consent_page(&app, &[], Some("fr-FR,fr;q=0.9")).await;
    assert!(html.contains("<html lang=\"fr\">"), "{html}");
    for text in [
        "souhaite accéder à votre compte",
        "Votre adresse e-mail",
        ">Refuser</button>",
        ">Autoriser</button>",
    ] {
        assert!(html.contains(text), "{text}: {html}");
    }
    // The highest q-value wins, wherever it stands.
    let html = consent_page(&app, &[], Some("fr;q=0.5, es;q=0.8, en;q=0.1")).await;
    assert!(html.contains("<html lang=\"es\">"), "{html}");
    assert!(html.contains(">Permitir</button>"), "{html}");
}

#[tokio::test]
async fn the_consent_page_is_english_otherwise() {
    let app = TestApp::spawn().await;
    for accept_language in [None, Some("pt-BR, it;q=0.9"), Some("*"), Some("de;q=0")] {
        let html = consent_page(&app, &["zz"], accept_language).await;
        assert!(
            html.contains("<html lang=\"en\">"),
            "{accept_language:?}: {html}"
        );
        assert!(
            html.contains(
                "<span class=\"client-name\">Demo App</span> wants to access your account"
            ),
            "{html}"
        );
        assert!(html.contains(">Allow</button>"), "{html}");
    }
}

#[tokio::test]
async fn the_default_locale_and_per_language_scope_descriptions() {
    let app = TestApp::against(HydraVersion::Strict).env("BRIDGE__UI__DEFAULT_LOCALE", "de").config_yaml("consent:\n  scope_descriptions:\n    email: Your work address\n    profile:\n      en: Your staff profile\n      de: Ihr Mitarbeiterprofil\n").spawn()
    .await;
    let html = consent_page(&app, &[], None).await;
    assert!(html.contains("<html lang=\"de\">"), "{html}");
    assert!(html.contains("Ihr Mitarbeiterprofil"), "{html}");
    assert!(
        html.contains("Your work address"),
        "a plain text is for every language"
    );
    let html = consent_page(&app, &[], Some("en-GB")).await;
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert!(html.contains("Your staff profile"), "{html}");
    // No text for French: the default language's.
    let html = consent_page(&app, &[], Some("fr")).await;
    assert!(html.contains("<html lang=\"fr\">"), "{html}");
    assert!(html.contains("Ihr Mitarbeiterprofil"), "{html}");
}

#[tokio::test]
async fn error_pages_follow_accept_language() {
    let app = TestApp::spawn().await;
    let (status, html) = get(&app, "/consent", Some("es-ES,es;q=0.9,en;q=0.5")).await;
    assert_eq!(status, 400);
    assert!(html.contains("<html lang=\"es\">"), "{html}");
    assert!(html.contains("<h1>Este enlace no es válido</h1>"), "{html}");
    assert!(html.contains("Error 400"), "{html}");
    let (status, html) = get(&app, "/nowhere", Some("es")).await;
    assert_eq!(status, 404);
    assert!(html.contains("Página no encontrada"), "{html}");
    let (status, html) = get(&app, "/error?error=access_denied", Some("es-MX")).await;
    assert_eq!(status, 400);
    assert!(html.contains("<html lang=\"es\">"), "{html}");
    assert!(html.contains("La solicitud se ha denegado"), "{html}");
    assert!(html.contains("Volver al inicio"), "{html}");
    let unknown = format!("/consent?consent_challenge={}", "a".repeat(40));
    let (status, html) = get(&app, &unknown, Some("es")).await;
    assert_eq!(status, 404);
    assert!(
        html.contains("No se reconoce esta solicitud de consentimiento."),
        "{html}"
    );
    let (_, html) = get(&app, "/consent", None).await;
    assert!(html.contains("<html lang=\"en\">") && html.contains("This link is not valid"));
}

#[tokio::test]
async fn a_login_error_page_follows_the_requests_ui_locales() {
    let app = TestApp::against(HydraVersion::Strict)
        .subject_source("external_id")
        .spawn()
        .await;
    let token = app.signed_in(30);
    let challenge = app
        .hydra
        .add_login(LoginSpec::asking("ui_locales=fr-CA%20de"));
    let response = app
        .client
        .get(format!(
            "{}/login?login_challenge={}",
            app.address,
            encode(&challenge)
        ))
        .header("cookie", session_cookie(&token))
        .header("accept-language", "es")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"fr\">"), "{html}");
    assert!(
        html.contains("Compte non prêt pour cette application"),
        "{html}"
    );
}

#[tokio::test]
async fn device_pages_count_tries_in_the_persons_language() {
    let app = TestApp::spawn().await;
    let (status, html) = get(&app, "/device?device_challenge=abcdef", Some("de-DE")).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<html lang=\"de\">"), "{html}");
    assert!(html.contains("Auf Ihrem Gerät anmelden"), "{html}");
    assert!(
        html.contains("Groß- und Kleinbuchstaben werden unterschieden"),
        "{html}"
    );
    let (_, html) = get(&app, "/device/success", Some("fr")).await;
    assert!(
        html.contains("Vous êtes connecté sur votre appareil"),
        "{html}"
    );
}

/// Runs `--check-config` on a config with `ui` settings; (exit code, stderr).
async fn check_config(ui_yaml: &str, env: &[(&str, &str)]) -> (Option<i32>, String) {
    binary::check_config(&format!("{MINIMAL_CONFIG}{ui_yaml}"), env).await
}

#[tokio::test]
async fn a_broken_catalog_stops_the_start_naming_file_and_message() {
    let dir = tempfile::tempdir().unwrap();
    let locales = dir.path().display().to_string();
    std::fs::create_dir_all(dir.path().join("it")).unwrap();
    std::fs::write(dir.path().join("it/main.ftl"), "consent-allow = Consenti\n").unwrap();
    let (code, stderr) = check_config(&format!("ui:\n  locales_dir: {locales}\n"), &[]).await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("key `ui.locales_dir`"), "{stderr}");
    assert!(stderr.contains(&format!("{locales}/it")), "{stderr}");
    assert!(
        stderr.contains("message `") && stderr.contains("is missing"),
        "{stderr}"
    );

    std::fs::remove_dir_all(dir.path().join("it")).unwrap();
    std::fs::create_dir_all(dir.path().join("de")).unwrap();
    std::fs::write(dir.path().join("de/extra.ftl"), "consent-allow = { $\n").unwrap();
    let (code, stderr) = check_config("", &[("BRIDGE__UI__LOCALES_DIR", &locales)]).await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{locales}/de/extra.ftl: syntax error: line 1")),
        "{stderr}"
    );

    std::fs::write(
        dir.path().join("de/extra.ftl"),
        "consent-allow = Zulassen\n",
    )
    .unwrap();
    let ui = format!("ui:\n  locales_dir: {locales}\n  default_locale: de\n");
    let (code, stderr) = check_config(&ui, &[]).await;
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stderr) = check_config(&ui, &[("BRIDGE__UI__DEFAULT_LOCALE", "pt")]).await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("key `ui.default_locale`") && stderr.contains("`pt` has no catalog"),
        "{stderr}"
    );
}
