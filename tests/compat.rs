//! The flows against every supported upstream version: Hydra v2.1 (hex challenges), v2.2/v2.3 (strict
//! bodies), v25.4+ (lenient bodies, stateless logout challenges); Kratos before v25.4 (no identity
//! lookup by external_id) and after. Login, then consent with the context the login left, then logout.

mod fakes;
mod support;

use serde_json::Value;
use support::*;

async fn run_flows(version: HydraVersion, old_kratos: bool, use_external_id: bool) {
    let flag = if use_external_id { "true" } else { "false" };
    let app = spawn_app_with(
        version,
        &[("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", flag)],
    )
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
        skip: true,
        subject: expected.into(),
        context: Some(context),
        ..ConsentSpec::default()
    });
    let response = app
        .get(
            &format!("/consent?consent_challenge={}", encode(&consent)),
            None,
        )
        .await;
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
    let bare = app.hydra.add_consent(ConsentSpec {
        skip: true,
        subject: expected.into(),
        context: None,
        ..ConsentSpec::default()
    });
    let response = app
        .get(
            &format!("/consent?consent_challenge={}", encode(&bare)),
            None,
        )
        .await;
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
        client: Some(("demo-client".into(), "Demo".into(), true)),
        aead_challenge: version == HydraVersion::Lenient,
        ..LogoutSpec::default()
    });
    let cookie = format!("{}={token}", fake_kratos::COOKIE_NAME);
    let response = app
        .get(
            &format!("/logout?logout_challenge={}", encode(&logout)),
            Some(&cookie),
        )
        .await;
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
