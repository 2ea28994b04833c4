//! `POST /apps`: withdrawing after a confirmation, only for the person's own listed applications.

use super::*;

#[tokio::test]
async fn withdrawing_one_application_asks_first_then_revokes_every_grant_of_it() {
    let (app, cookie, list) = listed().await;
    let (status, html) = posted(
        &app,
        &list,
        &cookie,
        &[("client", "shop"), ("action", "ask")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(app.hydra.revocations().is_empty(), "asking changes nothing");
    assert!(html.contains("Withdraw access for Acme Shop?"), "{html}");
    assert!(html.contains("stays with it"), "says what it does not do");
    let confirm = FormPage {
        csrf_token: form_field(&html, "csrf_token").unwrap(),
        html,
        ..list
    };
    let (status, html) = posted(&app, &confirm, &cookie, &SHOP).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Acme Shop no longer has access to your account."),
        "{html}"
    );
    assert_eq!(app.hydra.revocations(), under_both("shop"));
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
    let (app, cookie, list) = listed().await;
    let kept = post(
        &app,
        &list,
        &cookie,
        &[("all", "yes"), ("action", "cancel")],
    )
    .await;
    assert_eq!(kept.status(), 303);
    assert_eq!(location(&kept), app.url("/apps"));
    assert!(app.hydra.revocations().is_empty());
}

#[tokio::test]
async fn an_application_not_on_the_persons_list_is_never_touched() {
    let (app, cookie, list) = listed().await;
    // Someone else's application, and one never heard of.
    for client in ["wiki", "no-such-client"] {
        let fields = [("client", client), ("action", "confirm")];
        let (status, html) = posted(&app, &list, &cookie, &fields).await;
        assert_eq!(status, 409, "{client}");
        assert!(html.contains("Nothing was changed."), "{html}");
        assert!(html.contains("Acme Shop"), "the list as it is now");
    }
    // Removed after the list was shown: gone from the list, with the note.
    app.hydra.delete_client("blog");
    let fields = [("client", "blog"), ("action", "confirm")];
    let (status, html) = posted(&app, &list, &cookie, &fields).await;
    assert_eq!(status, 409);
    assert!(html.contains("was removed in the meantime"), "{html}");
    assert!(!html.contains("Blog"), "{html}");
    assert!(app.hydra.revocations().is_empty());
}

#[tokio::test]
async fn a_form_that_is_not_the_persons_own_changes_nothing_and_says_so() {
    let (app, cookie, list) = listed().await;
    // No token.
    let stale = FormPage {
        csrf_token: String::new(),
        ..app.open_form("/apps", Some(&cookie)).await
    };
    // Another person's page: its token is bound to that person.
    let other = someone_else(&app);
    let theirs = app.open_form("/apps", Some(&other)).await;
    let foreign = FormPage {
        cookie: list.cookie.clone(),
        ..theirs
    };
    for page in [&stale, &foreign] {
        let (status, html) = posted(&app, page, &cookie, &SHOP).await;
        assert_eq!(status, 403);
        assert!(html.contains("Nothing was changed"), "{html}");
    }
    // From another site.
    let r = app
        .client
        .post(app.url("/apps"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("{cookie}; {}", list.cookie))
        .header("origin", "https://evil.example")
        .body(form_body(&[
            SHOP[0],
            SHOP[1],
            ("csrf_token", &list.csrf_token),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(app.hydra.revocations().is_empty());
    // The person's own form still works.
    let r = post(&app, &list, &cookie, &SHOP).await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn withdrawing_all_reaches_every_subject_of_the_person() {
    let (app, cookie, list) = listed().await;
    let (_, html) = posted(&app, &list, &cookie, &[("all", "yes"), ("action", "ask")]).await;
    assert!(
        html.contains("Withdraw access for all applications?"),
        "{html}"
    );
    assert!(html.contains("<li>Acme Shop</li>") && html.contains("Blog"));
    let (status, html) = posted(&app, &list, &cookie, &ALL).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("No application has access to your account any more."),
        "{html}"
    );
    assert_eq!(app.hydra.revocations(), under_both("*"));
    assert_eq!(app.hydra.grants(), [("CUST-999".into(), "wiki".into())]);
}

#[tokio::test]
async fn withdrawing_all_that_fails_midway_says_which_were_withdrawn_and_which_not() {
    let (app, cookie) = with_grants(bridge()).await;
    app.hydra
        .add_grant(GrantSpec::new(EXTERNAL_ID, "news", "Daily News"));
    app.hydra.fail_revocations_of(IDENTITY_ID);
    let list = app.open_form("/apps", Some(&cookie)).await;
    let (status, html) = posted(&app, &list, &cookie, &ALL).await;
    assert_eq!(status, 502);
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
    let (app, cookie, list) = listed().await;
    app.hydra.fail_revocations_of(EXTERNAL_ID);
    app.hydra.fail_revocations_of(IDENTITY_ID);
    let (status, html) = posted(&app, &list, &cookie, &SHOP).await;
    assert_eq!(status, 502);
    assert!(html.contains("Access was not withdrawn"), "{html}");
    assert!(html.contains("they may still have access:"));
}

#[tokio::test]
async fn a_withdrawal_without_a_session_signs_in_first() {
    let (app, _, list) = listed().await;
    let r = post(&app, &list, "x=1", &SHOP).await;
    assert_eq!(r.status(), 303);
    assert!(location(&r).contains("/self-service/login/browser?"));
    assert!(app.hydra.revocations().is_empty());
}

#[tokio::test]
async fn a_form_without_its_fields_is_refused() {
    let (app, cookie, list) = listed().await;
    for fields in [
        vec![("action", "confirm")],
        vec![("client", "shop"), ("all", "yes"), ("action", "confirm")],
        vec![("client", "shop"), ("action", "delete")],
        vec![("client", "shop")],
    ] {
        let r = post(&app, &list, &cookie, &fields).await;
        assert_eq!(r.status(), 400, "{fields:?}");
    }
    assert!(app.hydra.revocations().is_empty());
}

#[tokio::test]
async fn asking_to_withdraw_all_names_as_many_as_the_list_and_counts_the_rest() {
    let (app, cookie) = with_many_grants("3", 5).await;
    let list = app.open_form("/apps", Some(&cookie)).await;
    let (status, html) = posted(&app, &list, &cookie, &[("all", "yes"), ("action", "ask")]).await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("<li>App ").count(), 3, "{html}");
    assert!(html.contains("And 2 more applications."), "{html}");
}
