//! The flows against every supported upstream version: Hydra v2.1 (hex challenges), v2.2/v2.3 (strict
//! bodies), v25.4+ (lenient bodies, stateless logout challenges); Kratos before v25.4 (no identity
//! lookup by external_id) and after. Login, then consent with the context the login left, then logout.

use crate::support::*;
use serde_json::Value;

async fn run_flows(version: HydraVersion, old_kratos: bool, use_external_id: bool) {
    let flag = if use_external_id { "true" } else { "false" };
    let app = TestApp::against(version)
        .env("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", flag)
        .spawn()
        .await;
    if old_kratos {
        app.kratos.disable_external_lookup();
    }
    let identity = IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID));
    app.kratos.add_identity(identity.clone());
    let token = app.kratos.add_session(identity, 1, 30);
    let expected = if use_external_id {
        EXTERNAL_ID
    } else {
        IDENTITY_ID
    };
    let mode = format!("{version:?} old_kratos={old_kratos} external={use_external_id}");

    // Login.
    let login = app.hydra.add_login(LoginSpec::default());
    let response = app.login(&login, Some(&token)).await;
    assert_eq!(response.status().as_u16(), 303, "{mode}");
    let accepted = app.hydra.accepted_logins();
    let body = &accepted[0].1;
    assert_eq!(body["subject"], expected, "{mode}");

    // Consent: Hydra hands the login's context to the consent request.
    let context: Value = body["context"].clone();
    let consent = app.hydra.add_consent(ConsentSpec {
        context: Some(context),
        ..ConsentSpec::remembered(expected)
    });
    let response = app.consent(&consent).await;
    assert_eq!(response.status().as_u16(), 303, "{mode}");
    let consents = app.hydra.accepted_consents();
    assert_eq!(
        consents.len(),
        1,
        "{mode}: {:?}",
        app.hydra.rejected_consents()
    );
    assert_eq!(
        consents[0].1["session"]["id_token"]["email"], "ada@example.com",
        "{mode}"
    );

    // A consent without the context (another login app accepted the login): the identity is looked
    // up by the subject, which Kratos before v25.4 cannot do for an external_id.
    let bare = app.hydra.add_consent(ConsentSpec::remembered(expected));
    let response = app.consent(&bare).await;
    assert_eq!(response.status().as_u16(), 303, "{mode}");
    let looked_up_by_external = app
        .kratos
        .admin_calls()
        .iter()
        .any(|c| c.starts_with("/admin/identities/by/external/"));
    assert_eq!(looked_up_by_external, use_external_id, "{mode}");
    if old_kratos && use_external_id {
        assert_eq!(
            app.hydra.rejected_consents().len(),
            1,
            "{mode}: cannot confirm the identity"
        );
    } else {
        assert_eq!(app.hydra.accepted_consents().len(), 2, "{mode}");
    }

    // Logout: released Hydra sends UUID challenges, newer Hydra stateless ones.
    let logout = app.hydra.add_logout(LogoutSpec {
        subject: expected.into(),
        aead_challenge: version == HydraVersion::Lenient,
        ..LogoutSpec::of_client("Demo", true)
    });
    let cookie = session_cookie(&token);
    let response = app.get(&logout_path(&logout), Some(&cookie)).await;
    assert_eq!(response.status().as_u16(), 303, "{mode}");
    let kratos_logout = location(&response);
    let done = app.follow(&kratos_logout, Some(&cookie)).await;
    assert_eq!(done.status().as_u16(), 303, "{mode}");
    assert!(app.kratos.session(&token).is_none(), "{mode}");
}

#[tokio::test]
async fn every_supported_version_runs_the_flows() {
    for version in [
        HydraVersion::V2_1,
        HydraVersion::Strict,
        HydraVersion::Lenient,
    ] {
        for old_kratos in [false, true] {
            for use_external_id in [false, true] {
                run_flows(version, old_kratos, use_external_id).await;
            }
        }
    }
}

/// Hydra remembers another person for this browser than the Kratos session's: v2.1 would refuse
/// the accept (400), newer versions would restart the request themselves. The bridge sends the
/// person through the authorization request again with `prompt=login` before any accept, on every
/// version, and they get in after signing in afresh.
#[tokio::test]
async fn another_remembered_subject_restarts_with_a_fresh_login_on_every_hydra_version() {
    for version in [
        HydraVersion::V2_1,
        HydraVersion::Strict,
        HydraVersion::Lenient,
    ] {
        let app = TestApp::against(version).spawn().await;
        let token = app
            .kratos
            .add_session(IdentitySpec::new(OTHER_IDENTITY, None), 1, 600);
        let cookie = session_cookie(&token);
        let challenge = app.hydra.add_login(LoginSpec::remembered(
            IDENTITY_ID,
            "prompt=consent&nonce=n-1",
        ));
        let response = app.login(&challenge, Some(&token)).await;
        assert_eq!(response.status().as_u16(), 303, "{version:?}");
        let to = location(&response);
        assert!(
            to.starts_with(&format!("{}/oauth2/auth?", fake_hydra::PUBLIC_URL)),
            "{version:?}: {to}"
        );
        assert!(!to.contains("login_verifier"), "{version:?}: {to}");
        let url = url::Url::parse(&to).unwrap();
        let mut prompts = url.query_pairs().filter(|(k, _)| k == "prompt");
        assert!(
            prompts.any(|(_, v)| v.split(' ').any(|p| p == "login")),
            "{version:?}: {to}"
        );
        assert_eq!(
            query_param(&to, "nonce").as_deref(),
            Some("n-1"),
            "{version:?}"
        );
        assert!(
            app.hydra.accepted_logins().is_empty(),
            "{version:?}: an accept was tried first"
        );

        // Hydra's new request for it: no skip, prompt=login. A fresh sign-in, and the person is in.
        let again = app.hydra.add_login(LoginSpec::asking("prompt=login"));
        let first = app.login(&again, Some(&token)).await;
        assert_eq!(
            query_param(&location(&first), "refresh").as_deref(),
            Some("true")
        );
        let kratos = app.follow(&location(&first), Some(&cookie)).await;
        let done = app.follow(&location(&kratos), Some(&cookie)).await;
        assert!(location(&done).contains("login_verifier="), "{version:?}");
        let accepted = app.hydra.accepted_logins();
        let last = &accepted.last().unwrap().1;
        assert_eq!(last["subject"], OTHER_IDENTITY, "{version:?}");
    }
}

/// Where a fresh sign-in cannot be asked for (`prompt=none`, or a request object whose `prompt`
/// would win), the application gets `login_required` and can start again, on every version.
#[tokio::test]
async fn another_remembered_subject_and_no_interaction_is_login_required() {
    for version in [
        HydraVersion::V2_1,
        HydraVersion::Strict,
        HydraVersion::Lenient,
    ] {
        another_remembered_subject_and_no_interaction(version).await;
    }
}

async fn another_remembered_subject_and_no_interaction(version: HydraVersion) {
    let app = TestApp::against(version).spawn().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(OTHER_IDENTITY, None), 1, 600);
    for query in ["prompt=none", "request=e30.e30."] {
        let challenge = app
            .hydra
            .add_login(LoginSpec::remembered(IDENTITY_ID, query));
        let response = app.login(&challenge, Some(&token)).await;
        assert_eq!(response.status().as_u16(), 303, "{version:?} {query}");
        let to = location(&response);
        // Hydra answers a reject with its own URL; it sends the error to the application itself.
        assert!(
            to.starts_with("https://hydra.test/oauth2/auth?") && to.contains("login_verifier="),
            "{version:?} {query}: {to}"
        );
        let rejected = app.hydra.rejected_logins();
        let (rejected_challenge, body) = rejected.last().unwrap();
        assert_eq!(rejected_challenge, &challenge);
        assert_eq!(body["error"], "login_required");
    }
    assert!(app.hydra.accepted_logins().is_empty(), "{version:?}");
}
