//! Where the bridge sends the browser (Kratos's login and registration flows, opened as a browser
//! does), and the bridge's browser logout followed by the browser opening the logout URL.

use super::kratos::{PUBLIC, bridge_login, cookie, logout_flow, sign_in, whoami, with};
use super::{Call, Recorder};
use crate::stack::Stack;

/// Where the bridge sends the browser: Kratos's login and registration flows.
pub async fn self_service(stack: &Stack, r: &mut Recorder, ada: &[(String, String)]) {
    let back = bridge_login(stack);
    let login = || Call::get(PUBLIC, "/self-service/login/browser");
    let registration = || Call::get(PUBLIC, "/self-service/registration/browser");
    r.record(
        "kratos_login_browser",
        "a first login",
        login().query("return_to", &back),
    )
    .await;
    r.record(
        "kratos_login_browser_session",
        "a login with a session",
        with(login().query("return_to", &back), ada),
    )
    .await;
    r.record(
        "kratos_login_browser_refresh",
        "a re-authentication",
        with(
            login().query("refresh", "true").query("return_to", &back),
            ada,
        ),
    )
    .await;
    r.record(
        "kratos_login_browser_aal2",
        "a second factor",
        with(login().query("aal", "aal2").query("return_to", &back), ada),
    )
    .await;
    r.record(
        "kratos_login_browser_refresh_aal2",
        "a re-authentication with a second factor",
        with(
            login()
                .query("refresh", "true")
                .query("aal", "aal2")
                .query("return_to", &back),
            ada,
        ),
    )
    .await;
    r.record(
        "kratos_login_browser_aal2_no_session",
        "a second factor without a session",
        login().query("aal", "aal2").query("return_to", &back),
    )
    .await;
    r.record(
        "kratos_login_browser_aal2_no_session_json",
        "the same, asking for JSON",
        login()
            .query("aal", "aal2")
            .query("return_to", &back)
            .accept_json(),
    )
    .await;
    r.record(
        "kratos_login_browser_identity_schema",
        "a first login with an identity schema",
        login()
            .query("identity_schema", "employee")
            .query("return_to", &back),
    )
    .await;
    let evil = "https://evil.example/x";
    r.record(
        "kratos_login_browser_bad_return_to",
        "a return_to Kratos does not allow",
        login().query("return_to", evil),
    )
    .await;
    r.record(
        "kratos_login_browser_bad_return_to_json",
        "the same, asking for JSON",
        login().query("return_to", evil).accept_json(),
    )
    .await;
    r.record(
        "kratos_login_browser_login_challenge_json",
        "a login_challenge, which Kratos would take over",
        login().query("login_challenge", "abc").accept_json(),
    )
    .await;
    r.record(
        "kratos_registration_browser",
        "a registration with an identity schema",
        registration()
            .query("identity_schema", "customer")
            .query("return_to", &back),
    )
    .await;
    r.record(
        "kratos_registration_browser_no_schema",
        "a registration without one",
        registration().query("return_to", &back),
    )
    .await;
    r.record(
        "kratos_registration_browser_unknown_schema",
        "a registration with a schema Kratos does not have",
        registration()
            .query("identity_schema", "nope")
            .query("return_to", &back),
    )
    .await;
    r.record(
        "kratos_registration_browser_unknown_schema_json",
        "the same, asking for JSON",
        registration()
            .query("identity_schema", "nope")
            .query("return_to", &back)
            .accept_json(),
    )
    .await;
    r.record(
        "kratos_registration_browser_session",
        "a registration with a session",
        with(
            registration()
                .query("identity_schema", "customer")
                .query("return_to", &back),
            ada,
        ),
    )
    .await;
    r.record(
        "kratos_registration_browser_session_json",
        "the same, asking for JSON",
        with(registration().query("return_to", &back).accept_json(), ada),
    )
    .await;
}

/// The bridge's browser logout, then the browser opening the logout URL.
pub async fn logout(stack: &Stack, r: &mut Recorder, session: &str) {
    let flow = || logout_flow(stack);
    let ada = [cookie(session)];
    let first = r
        .record(
            "kratos_logout_browser",
            "the bridge's browser logout with a session",
            with(flow(), &ada),
        )
        .await;
    r.record(
        "kratos_logout_browser_again",
        "the same again",
        with(flow(), &ada),
    )
    .await;
    r.record(
        "kratos_logout_browser_no_cookie",
        "without a cookie",
        flow(),
    )
    .await;
    r.record(
        "kratos_logout_browser_bad_cookie",
        "with a cookie that is no session",
        with(flow(), &[cookie("not-a-session")]),
    )
    .await;
    let evil = Call::get(PUBLIC, "/self-service/logout/browser")
        .query("return_to", "https://evil.example/x")
        .accept_json();
    r.record(
        "kratos_logout_browser_bad_return_to",
        "a return_to Kratos does not allow",
        with(evil, &ada),
    )
    .await;

    let logout_url =
        url::Url::parse(first.json["logout_url"].as_str().expect("logout_url")).expect("URL");
    let query: Vec<(String, String)> = logout_url.query_pairs().into_owned().collect();
    let open = || {
        query
            .iter()
            .fold(Call::get(PUBLIC, "/self-service/logout"), |c, (k, v)| {
                c.query(k, v)
            })
    };
    let grace = sign_in(&stack.kratos_public, "grace@example.com").await;
    r.names.add(&grace, "{other_session_cookie}");
    r.record(
        "kratos_logout_other_session_json",
        "the logout URL with another person's session, asking for JSON",
        with(open().accept_json(), &[cookie(&grace)]),
    )
    .await;
    r.record(
        "kratos_logout_no_session",
        "the logout URL without a cookie",
        open(),
    )
    .await;
    r.record(
        "kratos_logout",
        "the browser opens the logout URL",
        with(open(), &ada),
    )
    .await;
    r.record(
        "kratos_logout_done",
        "the logout URL again, once the session ended",
        with(open(), &ada),
    )
    .await;
    r.record(
        "kratos_whoami_logged_out",
        "whoami with the cookie of an ended session",
        with(whoami(), &ada),
    )
    .await;
}
