//! The service's own limit on wrong device codes: kept on the server, so a client that drops its
//! cookies, uses a new cookie jar or starts new device requests is still counted; past a budget the
//! page is a 429 with `Retry-After`, and Hydra is not asked, not even for the right code.

use super::*;
use crate::support::binary::{MINIMAL_CONFIG, check_config, refused_check};
use crate::support::*;

/// A wrong code of Hydra's default alphabet (the fake never issues it).
const WRONG: &str = "aaaaaaaa";

/// Posts `code` from a freshly opened form, as a client that keeps no cookie of the bridge's but
/// the form's, sending `headers` with both requests.
async fn post_fresh(
    app: &TestApp,
    challenge: &str,
    code: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let with = |mut request: reqwest::RequestBuilder| {
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request
    };
    let form = with(app.client.get(app.url(&device_path(challenge))));
    let page = FormPage::read(form.send().await.unwrap()).await;
    assert_eq!(page.status, 200);
    with(app.client.post(app.url("/device")))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &page.cookie)
        .header("origin", &app.origin)
        .body(code_form(challenge, &page.csrf_token, code))
        .send()
        .await
        .unwrap()
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response
        .headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn six_hundred_wrong_codes_from_one_address_stop_reaching_hydra() {
    let app = TestApp::spawn().await;
    let (_, right) = app.hydra.start_device(DeviceSpec::default());
    let mut limited = 0;
    // Dropping the count cookie each time, and a new device request every 100 codes.
    for round in 0..6 {
        let challenge = app.hydra.add_device_challenge();
        for _ in 0..100 {
            let response = post_code(&app, &challenge, WRONG, None).await;
            match response.status().as_u16() {
                200 => {}
                429 => limited += 1,
                other => panic!("round {round}: {other}"),
            }
        }
    }
    // The default budget for one address: 30 a minute (the test ends well within one or two).
    let reached = accept_calls(&app);
    assert!(
        (30..=60).contains(&reached),
        "{reached} codes reached Hydra"
    );
    assert_eq!(reached + limited, 600);
    // The right code is held back too: the limit cannot know it is right without asking.
    let challenge = app.hydra.add_device_challenge();
    let response = post_code(&app, &challenge, &right, None).await;
    assert_eq!(response.status(), 429);
    assert!((1..=60).contains(&retry_after(&response)));
    assert!(
        attempts_cookie(&response).is_none(),
        "the browser's count stays"
    );
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Too many wrong codes have been entered here recently"),
        "{html}"
    );
    assert_eq!(
        form_field(&html, "user_code").as_deref(),
        Some(right.as_str())
    );
    assert_eq!(accept_calls(&app), reached);
    assert!(app.hydra.accepted_devices().is_empty());
}

#[tokio::test]
async fn two_hundred_fresh_cookie_jars_are_one_client_and_the_page_speaks_their_language() {
    let app = TestApp::builder()
        .env("BRIDGE__DEVICE__WRONG_CODES_PER_IP_PER_MINUTE", "10")
        .spawn()
        .await;
    let (challenge, _) = app.hydra.start_device(DeviceSpec::default());
    let mut statuses = Vec::new();
    for _ in 0..200 {
        let response = post_fresh(&app, &challenge, WRONG, &[]).await;
        statuses.push(response.status().as_u16());
    }
    assert_eq!(accept_calls(&app), 10);
    assert_eq!(statuses.iter().filter(|&&s| s == 429).count(), 190);
    let response = post_fresh(&app, &challenge, WRONG, &[("accept-language", "de")]).await;
    assert_eq!(response.status(), 429);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Hier wurden zuletzt zu viele falsche Codes"),
        "{html}"
    );
    assert!(html.contains("lang=\"de\""));
    assert_eq!(accept_calls(&app), 10);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_and_everyone_have_a_budget() {
    let app = TestApp::builder()
        .env("BRIDGE__SERVE__TRUSTED_PROXIES", "127.0.0.1")
        .env("BRIDGE__DEVICE__WRONG_CODES_PER_IP_PER_MINUTE", "2")
        .env("BRIDGE__DEVICE__WRONG_CODES_PER_MINUTE", "9")
        .spawn()
        .await;
    let (challenge, _) = app.hydra.start_device(DeviceSpec::default());
    // Three clients behind the proxy, three codes each: two each reach Hydra.
    for client in ["198.51.100.1", "198.51.100.2", "2001:db8::1"] {
        for n in 0..3 {
            // What a client writes itself, left of what the proxy appended, changes nothing.
            let forwarded = format!("203.0.113.{n}, {client}");
            let headers = [("x-forwarded-for", forwarded.as_str())];
            let status = post_fresh(&app, &challenge, WRONG, &headers).await.status();
            assert_eq!(status, if n < 2 { 200 } else { 429 }, "{client} #{n}");
        }
    }
    assert_eq!(accept_calls(&app), 6);
    // Everyone's budget: three more clients share what is left of the nine.
    let mut reached = 0;
    for client in ["198.51.100.7", "198.51.100.8", "198.51.100.9"] {
        for _ in 0..2 {
            let headers = [("x-forwarded-for", client)];
            if post_fresh(&app, &challenge, WRONG, &headers).await.status() == 200 {
                reached += 1;
            }
        }
    }
    assert_eq!(reached, 3);
    assert_eq!(accept_calls(&app), 9);
}

#[tokio::test]
async fn without_trusted_proxies_the_header_is_ignored() {
    let app = TestApp::builder()
        .env("BRIDGE__DEVICE__WRONG_CODES_PER_IP_PER_MINUTE", "2")
        .spawn()
        .await;
    let (challenge, _) = app.hydra.start_device(DeviceSpec::default());
    for n in 0..5 {
        let forwarded = format!("198.51.100.{n}");
        let headers = [("x-forwarded-for", forwarded.as_str())];
        post_fresh(&app, &challenge, WRONG, &headers).await;
    }
    assert_eq!(accept_calls(&app), 2);
}

#[tokio::test]
async fn right_codes_use_up_no_budget() {
    let app = TestApp::builder()
        .env("BRIDGE__DEVICE__WRONG_CODES_PER_IP_PER_MINUTE", "2")
        .spawn()
        .await;
    for _ in 0..5 {
        let (challenge, code) = app.hydra.start_device(DeviceSpec::default());
        let response = post_fresh(&app, &challenge, &code, &[]).await;
        assert_eq!(response.status(), 303);
    }
    let (challenge, _) = app.hydra.start_device(DeviceSpec::default());
    assert_eq!(post_fresh(&app, &challenge, WRONG, &[]).await.status(), 200);
    assert_eq!(post_fresh(&app, &challenge, WRONG, &[]).await.status(), 200);
    assert_eq!(post_fresh(&app, &challenge, WRONG, &[]).await.status(), 429);
}

#[tokio::test]
async fn codes_hydra_could_not_judge_use_up_no_budget() {
    let app = TestApp::builder()
        .env("BRIDGE__DEVICE__WRONG_CODES_PER_IP_PER_MINUTE", "2")
        .spawn()
        .await;
    let (challenge, _) = app.hydra.start_device(DeviceSpec::default());
    app.hydra.fault_on(
        "/admin/oauth2/auth/requests/device/accept",
        Some(Fault::Status(503)),
    );
    for _ in 0..3 {
        assert_eq!(post_fresh(&app, &challenge, WRONG, &[]).await.status(), 502);
    }
    app.hydra.fault_on("/", None);
    assert_eq!(post_fresh(&app, &challenge, WRONG, &[]).await.status(), 200);
    assert_eq!(post_fresh(&app, &challenge, WRONG, &[]).await.status(), 200);
    assert_eq!(post_fresh(&app, &challenge, WRONG, &[]).await.status(), 429);
}

#[tokio::test]
async fn check_config_refuses_the_low_preset_without_a_chosen_budget() {
    let low = format!("{MINIMAL_CONFIG}device:\n  user_code_entropy_preset: low\n");
    let stderr = refused_check(&low, &[], "key `device.wrong_codes_per_minute`").await;
    assert!(stderr.contains("config file "), "{stderr}");
    let (code, stderr) = check_config(&format!("{low}  wrong_codes_per_minute: 6\n"), &[]).await;
    assert_eq!(code, Some(0), "{stderr}");
    let proxies = MINIMAL_CONFIG.replace(
        "serve:\n",
        "serve:\n  trusted_proxies: [\"10.0.0.0/8\", \"proxy.local\"]\n",
    );
    let stderr = refused_check(&proxies, &[], "key `serve.trusted_proxies").await;
    assert!(stderr.contains("proxy.local"), "{stderr}");
}
