//! The fake Hydra (`HydraVersion::Lenient`) against every answer recorded from Hydra v26.2.0: the
//! fake is put in the state the real server was in, asked the same, and must answer alike.

use serde_json::json;

use super::replay::Replay;
use crate::support::*;

const SCOPES: [&str; 4] = ["openid", "offline_access", "email", "profile"];
const SUBJECT: &str = IDENTITY_ID;

fn scopes() -> Vec<String> {
    SCOPES.iter().map(|s| s.to_string()).collect()
}

fn login_spec() -> LoginSpec {
    LoginSpec {
        requested_scope: scopes(),
        ..LoginSpec::default()
    }
}

fn consent_spec(skip: bool) -> ConsentSpec {
    ConsentSpec {
        skip,
        subject: SUBJECT.into(),
        requested_scope: scopes(),
        audience: vec![],
        context: Some(json!({ "identity_id": SUBJECT })),
        ..ConsentSpec::default()
    }
}

async fn start() -> (FakeHydra, Replay) {
    let hydra = FakeHydra::start(HydraVersion::Lenient).await;
    // One fake serves both sides; what it answers names its public side.
    let mut replay = Replay::new(&[
        ("{hydra_public}", &hydra.url),
        ("{hydra_admin}", &hydra.url),
    ]);
    replay.bind("{subject}", SUBJECT);
    replay.bind("{client_id}", "demo-client");
    replay.bind("{device_client_id}", "tv-app");
    replay.bind("{callback}", "https://app.test/callback");
    replay.names.add(fake_hydra::PUBLIC_URL, "{hydra_public}");
    (hydra, replay)
}

#[tokio::test]
async fn the_fake_hydra_answers_as_hydra_v26_2_0_does() {
    let (hydra, mut r) = start().await;
    r.check_all(&[
        "hydra_health_ready",
        "hydra_route_not_found",
        "hydra_method_not_allowed",
        "hydra_method_not_allowed_put",
        "hydra_client_get_unknown",
    ])
    .await;
    hydra.add_client("tv-app", "Living Room TV");
    r.check("hydra_client_get_device").await;

    let login = hydra.add_login(login_spec());
    r.bind("{login_challenge}", &login);
    r.check_all(&[
        "hydra_login_get",
        "hydra_login_get_unknown",
        "hydra_login_get_missing",
        "hydra_login_accept_wrong_type",
        "hydra_login_accept_empty_body",
        "hydra_login_accept_no_subject",
        "hydra_login_accept_not_json",
        "hydra_login_accept_unknown",
        "hydra_login_accept_missing",
        "hydra_login_accept_unknown_field",
        "hydra_login_accept",
        "hydra_login_accept_again",
        "hydra_login_get_accepted",
        "hydra_login_get_used",
        "hydra_login_accept_used",
        "hydra_login_accept_fresh",
    ])
    .await;
    let remembered = hydra.add_login(LoginSpec {
        skip: true,
        subject: SUBJECT.into(),
        ..login_spec()
    });
    r.bind("{login_challenge}", &remembered);
    r.check_all(&[
        "hydra_login_get_skip",
        "hydra_login_accept_other_subject",
        "hydra_login_accept_skip",
    ])
    .await;
    let rejected = hydra.add_login(LoginSpec {
        auth_query: "ui_locales=de-AT+fr&acr_values=aal2+aal1&login_hint=ada%40example.com".into(),
        acr_values: vec!["aal2".into(), "aal1".into()],
        ..login_spec()
    });
    r.bind("{login_challenge}", &rejected);
    r.check_all(&[
        "hydra_login_get_oidc_context",
        "hydra_login_reject_wrong_type",
        "hydra_login_reject_empty_body",
        "hydra_login_reject_unknown_field",
        "hydra_login_reject_unknown",
        "hydra_login_reject",
        "hydra_login_reject_again",
    ])
    .await;

    let consent = hydra.add_consent(consent_spec(false));
    r.bind("{consent_challenge}", &consent);
    r.check_all(&[
        "hydra_consent_get",
        "hydra_consent_get_unknown",
        "hydra_consent_get_missing",
        "hydra_consent_accept_wrong_type",
        "hydra_consent_accept_empty_body",
        "hydra_consent_accept_not_json",
        "hydra_consent_accept_unknown",
        "hydra_consent_accept_unknown_field",
        "hydra_consent_accept",
        "hydra_consent_accept_again",
        "hydra_consent_get_used",
        "hydra_consent_accept_used",
        "hydra_consent_reject_wrong_type",
        "hydra_consent_reject_empty_body",
        "hydra_consent_reject_unknown",
        "hydra_consent_reject",
        "hydra_consent_reject_again",
    ])
    .await;
    let remembered = hydra.add_consent(consent_spec(true));
    r.bind("{consent_challenge}", &remembered);
    r.check("hydra_consent_get_skip").await;

    logout(&hydra, &mut r).await;
    consent_sessions(&hydra, &mut r).await;
    device(&hydra, &mut r).await;
    expiry(&hydra, &mut r).await;
    r.finish("hydra_");
}

async fn logout(hydra: &FakeHydra, r: &mut Replay) {
    let started_by_hydra = hydra.add_logout(LogoutSpec {
        subject: SUBJECT.into(),
        ..LogoutSpec::default()
    });
    r.bind("{logout_challenge}", &started_by_hydra);
    r.check_all(&[
        "hydra_logout_get",
        "hydra_logout_get_unknown",
        "hydra_logout_get_garbled",
        "hydra_logout_get_missing",
        "hydra_logout_reject_unknown",
        "hydra_logout_accept_unknown",
        "hydra_logout_reject",
        "hydra_logout_get_rejected",
        "hydra_logout_reject_again",
        "hydra_logout_accept_rejected",
    ])
    .await;
    let started_by_client = hydra.add_logout(LogoutSpec {
        subject: SUBJECT.into(),
        rp_initiated: true,
        client: Some(("demo-client".into(), "Demo App".into(), false)),
        aead_challenge: false,
    });
    r.bind("{logout_challenge}", &started_by_client);
    r.bind("{id_token}", fake_hydra::ID_TOKEN_HINT);
    r.check("hydra_logout_get_rp").await;
    r.check("hydra_logout_accept").await;
    let accepted = r.check("hydra_logout_accept_again").await;
    // The browser completes the logout at Hydra.
    let verifier = accepted["redirect_to"].as_str().unwrap();
    assert_eq!(reqwest::get(verifier).await.unwrap().status(), 200);
    r.check_all(&[
        "hydra_logout_get_done",
        "hydra_logout_accept_done",
        "hydra_logout_reject_done",
    ])
    .await;
}

async fn device(hydra: &FakeHydra, r: &mut Replay) {
    let (challenge, code) = hydra.start_device(DeviceSpec {
        requested_scope: vec!["openid".into(), "offline_access".into()],
        ..DeviceSpec::default()
    });
    r.bind("{device_challenge}", &challenge);
    r.bind("{user_code}", &code);
    r.check_all(&[
        "hydra_device_accept_missing",
        "hydra_device_accept_unknown",
        "hydra_device_accept_wrong_code",
        "hydra_device_accept_empty_code",
        "hydra_device_accept_empty_body",
        "hydra_device_accept_challenge_alias",
        "hydra_device_accept",
        "hydra_device_accept_again",
    ])
    .await;
}

/// Past `ttl.login_consent_request`: login and consent requests expire; logout requests do not.
async fn expiry(hydra: &FakeHydra, r: &mut Replay) {
    let login = hydra.add_login(login_spec());
    hydra.expire_login(&login);
    r.bind("{login_challenge}", &login);
    let consent = hydra.add_consent(consent_spec(false));
    hydra.expire_consent(&consent);
    r.bind("{consent_challenge}", &consent);
    let logout = hydra.add_logout(LogoutSpec {
        subject: SUBJECT.into(),
        ..LogoutSpec::default()
    });
    r.bind("{logout_challenge}", &logout);
    r.check_all(&[
        "hydra_login_get_expired",
        "hydra_login_accept_expired",
        "hydra_login_reject_expired",
        "hydra_consent_get_expired",
        "hydra_consent_accept_expired",
        "hydra_consent_reject_expired",
        "hydra_logout_get_old",
        "hydra_logout_accept_old",
    ])
    .await;
}

/// The subject's consent sessions: listed whole and page by page, revoked for one client and all.
async fn consent_sessions(hydra: &FakeHydra, r: &mut Replay) {
    let grant = || GrantSpec::new(SUBJECT, "demo-client", "Demo App");
    hydra.add_grant(grant());
    r.check("hydra_consent_sessions_list_one").await;
    // Consented again with prompt=consent, in a login session Hydra still has.
    let again = || GrantSpec {
        login_session_id: "c3f1b9a6-5d2e-4e7f-8a1b-2c3d4e5f6a7b".into(),
        auth_query: "prompt=consent".into(),
        ..grant()
    };
    hydra.add_grant(again());
    r.check("hydra_consent_sessions_list").await;
    r.check("hydra_consent_sessions_list_page_1").await;
    let next = r
        .last_link
        .split(',')
        .find(|l| l.contains("rel=\"next\""))
        .and_then(|l| l.split_once("page_token=")?.1.split(['&', '>']).next())
        .map(|t| {
            url::form_urlencoded::parse(format!("t={t}").as_bytes())
                .next()
                .unwrap()
                .1
                .into_owned()
        })
        .unwrap_or_else(|| panic!("no next page in {:?}", r.last_link));
    r.bind("{page_token}", &next);
    r.check_all(&[
        "hydra_consent_sessions_list_page_2",
        "hydra_consent_sessions_list_none",
        "hydra_consent_sessions_list_missing",
        "hydra_consent_sessions_revoke_missing",
        "hydra_consent_sessions_revoke_client_and_all",
        "hydra_consent_sessions_revoke",
        "hydra_consent_sessions_list_revoked",
        "hydra_consent_sessions_revoke_again",
    ])
    .await;
    hydra.add_grant(again());
    r.check("hydra_consent_sessions_revoke_all").await;
    r.check("hydra_consent_sessions_list_all_revoked").await;
}
