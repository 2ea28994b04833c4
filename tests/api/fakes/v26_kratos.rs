//! The fake Kratos against every answer recorded from Kratos v26.2.0: the fake is put in the state
//! the real server was in, asked the same, and must answer alike. The fake plays the person at the
//! UI's forms too; here nobody completes a form, as with the real server.

use super::replay::Replay;
use crate::support::*;

const OTHER_ID: &str = "0d2b9c4e-5f60-4a71-8b92-a3b4c5d6e7f8";

fn ada() -> IdentitySpec {
    IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID))
}

fn grace() -> IdentitySpec {
    let mut grace = IdentitySpec::new(OTHER_ID, None);
    grace.traits["email"] = "grace@example.com".into();
    grace
}

#[tokio::test]
async fn the_fake_kratos_answers_as_kratos_v26_2_0_does() {
    let kratos = FakeKratos::start().await;
    kratos.leave_forms();
    kratos.allow_return_url("http://bridge.test/");
    kratos.allow_return_url("http://hydra.test/oauth2/sessions/logout");
    let mut r = Replay::new(&[
        ("{kratos_public}", &kratos.url),
        ("{kratos_admin}", &kratos.admin_url),
    ]);
    r.names.add(&format!("{}/ui", kratos.url), "{ui}");
    r.bind("{bridge}", "http://bridge.test");
    r.bind("{hydra_public}", "http://hydra.test");
    r.check_all(&[
        "kratos_health_ready_public",
        "kratos_health_ready_admin",
        "kratos_health_ready_admin_unprefixed",
    ])
    .await;

    kratos.add_identity(ada());
    kratos.add_identity(grace());
    r.bind("{identity_id}", IDENTITY_ID);
    r.bind("{other_identity_id}", OTHER_ID);
    r.check_all(&[
        "kratos_identity_get",
        "kratos_identity_get_no_external_id",
        "kratos_identity_get_unknown",
        "kratos_identity_get_malformed",
        "kratos_identity_by_external",
        "kratos_identity_by_external_unknown",
        "kratos_identity_on_public_port",
    ])
    .await;

    let session = kratos.add_session(ada(), 1, 60);
    r.bind("{session_cookie}", &session);
    r.bind("{session_id}", &kratos.session(&session).unwrap().id);
    r.check_all(&[
        "kratos_whoami",
        "kratos_whoami_no_cookie",
        "kratos_whoami_bad_cookie",
        "kratos_login_browser",
        "kratos_login_browser_session",
        "kratos_login_browser_refresh",
        "kratos_login_browser_aal2",
        "kratos_login_browser_refresh_aal2",
        "kratos_login_browser_aal2_no_session",
        "kratos_login_browser_aal2_no_session_json",
        "kratos_login_browser_identity_schema",
        "kratos_login_browser_bad_return_to",
        "kratos_login_browser_bad_return_to_json",
        "kratos_login_browser_login_challenge_json",
        "kratos_registration_browser",
        "kratos_registration_browser_no_schema",
        "kratos_registration_browser_unknown_schema",
        "kratos_registration_browser_unknown_schema_json",
        "kratos_registration_browser_session",
        "kratos_registration_browser_session_json",
    ])
    .await;

    let flow = r.check("kratos_logout_browser").await;
    let logout_url = flow["logout_url"].as_str().unwrap();
    r.bind("{token}", &query_param(logout_url, "token").unwrap());
    let other = kratos.add_session(grace(), 1, 60);
    r.bind("{other_session_cookie}", &other);
    r.check_all(&[
        "kratos_logout_browser_again",
        "kratos_logout_browser_no_cookie",
        "kratos_logout_browser_bad_cookie",
        "kratos_logout_browser_bad_return_to",
        "kratos_logout_other_session_json",
        "kratos_logout_no_session",
        "kratos_logout",
        "kratos_logout_done",
        "kratos_whoami_logged_out",
    ])
    .await;

    let revoked = kratos.add_session(grace(), 1, 60);
    r.bind("{session_cookie}", &revoked);
    r.bind("{session_id}", &kratos.session(&revoked).unwrap().id);
    r.check_all(&[
        "kratos_session_revoke",
        "kratos_session_revoke_again",
        "kratos_session_revoke_unknown",
        "kratos_session_revoke_malformed",
        "kratos_whoami_revoked",
    ])
    .await;

    // A session whose identity has a second factor it has not used, where whoami wants it.
    let partial = kratos.add_session(ada(), 1, 60);
    kratos.require_aal2(&partial);
    r.bind("{session_cookie}", &partial);
    r.check_all(&[
        "kratos_whoami_aal2_required",
        "kratos_login_browser_session_aal2_required",
        "kratos_login_browser_aal2_session_aal2_required",
        "kratos_logout_browser_aal2_required",
    ])
    .await;
    r.finish("kratos_");
}
