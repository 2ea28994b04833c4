//! `POST /apps`: withdrawing after a confirmation, only for the person's own listed applications.

use super::*;

#[tokio::test]
async fn withdrawing_one_application_asks_first_then_revokes_every_grant_of_it() {
    let app = app_with(&[]).await;
    grants(&app);
    let cookie = person(&app);
    let list = open(&app, &cookie, "/apps").await;
    let asked = post(
        &app,
        &list,
        &cookie,
        &[("client", "shop"), ("action", "ask")],
    )
    .await;
    assert_eq!(asked.status(), 200);
    assert!(revoked(&app).is_empty(), "asking changes nothing");
    let html = asked.text().await.unwrap();
    assert!(html.contains("Withdraw access for Acme Shop?"), "{html}");
    assert!(html.contains("stays with it"), "says what it does not do");
    let confirm = FormPage {
        csrf_token: form_field(&html, "csrf_token").unwrap(),
        html,
        ..list
    };
    let done = post(
        &app,
        &confirm,
        &cookie,
        &[("client", "shop"), ("action", "confirm")],
    )
    .await;
    assert_eq!(done.status(), 200);
    let html = done.text().await.unwrap();
    assert!(
        html.contains("Acme Shop no longer has access to your account."),
        "{html}"
    );
    assert_eq!(
        revoked(&app),
        [
            (EXTERNAL_ID.to_string(), "shop".to_string()),
            (IDENTITY_ID.to_string(), "shop".to_string())
        ]
    );
    let left = app.hydra.grants();
    assert!(left.iter().all(|(_, client)| client != "shop"), "{left:?}");
    assert!(
        left.contains(&("CUST-999".into(), "wiki".into())),
        "someone else's stays"
    );
    assert!(left.contains(&(IDENTITY_ID.into(), "blog".into())));
}

#[tokio::test]
async fn keeping_access_changes_nothing() {
    let app = app_with(&[]).await;
    grants(&app);
    let cookie = person(&app);
    let list = open(&app, &cookie, "/apps").await;
    let kept = post(
        &app,
        &list,
        &cookie,
        &[("all", "yes"), ("action", "cancel")],
    )
    .await;
    assert_eq!(kept.status(), 303);
    assert_eq!(location(&kept), format!("{}/apps", app.address));
    assert!(revoked(&app).is_empty());
}

#[tokio::test]
async fn an_application_not_on_the_persons_list_is_never_touched() {
    let app = app_with(&[]).await;
    grants(&app);
    let cookie = person(&app);
    let list = open(&app, &cookie, "/apps").await;
    // Someone else's application, and one never heard of.
    for client in ["wiki", "no-such-client"] {
        let r = post(
            &app,
            &list,
            &cookie,
            &[("client", client), ("action", "confirm")],
        )
        .await;
        assert_eq!(r.status(), 409, "{client}");
        let html = r.text().await.unwrap();
        assert!(html.contains("Nothing was changed."), "{html}");
        assert!(html.contains("Acme Shop"), "the list as it is now");
    }
    // Removed after the list was shown: gone from the list, with the note.
    app.hydra.delete_client("blog");
    let r = post(
        &app,
        &list,
        &cookie,
        &[("client", "blog"), ("action", "confirm")],
    )
    .await;
    assert_eq!(r.status(), 409);
    let html = r.text().await.unwrap();
    assert!(html.contains("was removed in the meantime"), "{html}");
    assert!(!html.contains("Blog"), "{html}");
    assert!(revoked(&app).is_empty());
}

#[tokio::test]
async fn a_form_that_is_not_the_persons_own_changes_nothing_and_says_so() {
    let app = app_with(&[]).await;
    grants(&app);
    let cookie = person(&app);
    let list = open(&app, &cookie, "/apps").await;
    let confirm = [("client", "shop"), ("action", "confirm")];
    // No token.
    let stale = FormPage {
        csrf_token: String::new(),
        ..open(&app, &cookie, "/apps").await
    };
    // Another person's page: its token is bound to that person.
    let other = someone_else(&app);
    let theirs = open(&app, &other, "/apps").await;
    let foreign = FormPage {
        cookie: list.cookie.clone(),
        ..theirs
    };
    for page in [&stale, &foreign] {
        let r = post(&app, page, &cookie, &confirm).await;
        assert_eq!(r.status(), 403);
        let html = r.text().await.unwrap();
        assert!(html.contains("Nothing was changed"), "{html}");
    }
    // From another site.
    let body = format!(
        "client=shop&action=confirm&csrf_token={}",
        encode(&list.csrf_token)
    );
    let r = app
        .client
        .post(format!("{}/apps", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("{cookie}; {}", list.cookie))
        .header("origin", "https://evil.example")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(revoked(&app).is_empty());
    // The person's own form still works.
    let r = post(&app, &list, &cookie, &confirm).await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn withdrawing_all_reaches_every_subject_of_the_person() {
    let app = app_with(&[]).await;
    grants(&app);
    let cookie = person(&app);
    let list = open(&app, &cookie, "/apps").await;
    let asked = post(&app, &list, &cookie, &[("all", "yes"), ("action", "ask")]).await;
    let html = asked.text().await.unwrap();
    assert!(
        html.contains("Withdraw access for all applications?"),
        "{html}"
    );
    assert!(html.contains("<li>Acme Shop</li>") && html.contains("Blog"));
    let done = post(
        &app,
        &list,
        &cookie,
        &[("all", "yes"), ("action", "confirm")],
    )
    .await;
    assert_eq!(done.status(), 200);
    let html = done.text().await.unwrap();
    assert!(
        html.contains("No application has access to your account any more."),
        "{html}"
    );
    assert_eq!(
        revoked(&app),
        [
            (EXTERNAL_ID.to_string(), "*".to_string()),
            (IDENTITY_ID.to_string(), "*".to_string())
        ]
    );
    assert_eq!(app.hydra.grants(), [("CUST-999".into(), "wiki".into())]);
}

#[tokio::test]
async fn withdrawing_all_that_fails_midway_says_which_were_withdrawn_and_which_not() {
    let app = app_with(&[]).await;
    grants(&app);
    app.hydra
        .add_grant(GrantSpec::new(EXTERNAL_ID, "news", "Daily News"));
    app.hydra.fail_revocations_of(IDENTITY_ID);
    let cookie = person(&app);
    let list = open(&app, &cookie, "/apps").await;
    let done = post(
        &app,
        &list,
        &cookie,
        &[("all", "yes"), ("action", "confirm")],
    )
    .await;
    assert_eq!(done.status(), 502);
    let html = done.text().await.unwrap();
    assert!(html.contains("Access was only partly withdrawn"), "{html}");
    let withdrawn =
        &html[html.find("id=\"withdrawn\"").unwrap()..html.find("id=\"kept\"").unwrap()];
    let kept = &html[html.find("id=\"kept\"").unwrap()..];
    // Shop was held under the UUID too: it keeps that grant.
    assert!(
        kept.contains("Acme Shop") && kept.contains("Blog"),
        "{html}"
    );
    assert!(!withdrawn.contains("Acme Shop"), "{html}");
    assert!(
        withdrawn.contains("Daily News") && !kept.contains("Daily News"),
        "{html}"
    );
}

#[tokio::test]
async fn a_withdrawal_that_fails_says_so() {
    let app = app_with(&[]).await;
    grants(&app);
    app.hydra.fail_revocations_of(EXTERNAL_ID);
    app.hydra.fail_revocations_of(IDENTITY_ID);
    let cookie = person(&app);
    let list = open(&app, &cookie, "/apps").await;
    let done = post(
        &app,
        &list,
        &cookie,
        &[("client", "shop"), ("action", "confirm")],
    )
    .await;
    assert_eq!(done.status(), 502);
    let html = done.text().await.unwrap();
    assert!(html.contains("Access was not withdrawn"), "{html}");
    assert!(html.contains("they may still have access:"));
}

#[tokio::test]
async fn a_withdrawal_without_a_session_signs_in_first() {
    let app = app_with(&[]).await;
    grants(&app);
    let cookie = person(&app);
    let list = open(&app, &cookie, "/apps").await;
    let r = post(
        &app,
        &list,
        "x=1",
        &[("client", "shop"), ("action", "confirm")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert!(location(&r).contains("/self-service/login/browser?"));
    assert!(revoked(&app).is_empty());
}

#[tokio::test]
async fn a_form_without_its_fields_is_refused() {
    let app = app_with(&[]).await;
    grants(&app);
    let cookie = person(&app);
    let list = open(&app, &cookie, "/apps").await;
    for fields in [
        vec![("action", "confirm")],
        vec![("client", "shop"), ("all", "yes"), ("action", "confirm")],
        vec![("client", "shop"), ("action", "delete")],
        vec![("client", "shop")],
    ] {
        let r = post(&app, &list, &cookie, &fields).await;
        assert_eq!(r.status(), 400, "{fields:?}");
    }
    assert!(revoked(&app).is_empty());
}
