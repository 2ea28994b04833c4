//! The identity behind a consent: subject checks, lookups by id or `external_id`, and claims.

use super::{CUSTOMER_CLAIMS, accepted_without_page, consent_for, customer, only_reject, skipped};
use crate::support::*;
use serde_json::{Value, json};

#[tokio::test]
async fn a_subject_that_is_not_the_identitys_is_rejected() {
    let app = TestApp::spawn().await;
    app.kratos.add_identity(customer());
    // The context points at an identity whose UUID is not the request's subject.
    let challenge = app.hydra.add_consent(consent_for("someone-else"));
    let response = app.consent(&challenge).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).contains("consent_verifier="));
    assert_eq!(only_reject(&app, &challenge)["error"], "access_denied");
}

#[tokio::test]
async fn an_inactive_identity_is_rejected() {
    let app = TestApp::spawn().await;
    let mut identity = customer();
    identity.state = "inactive";
    app.kratos.add_identity(identity);
    let challenge = app.hydra.add_consent(skipped(consent_for(IDENTITY_ID)));
    app.consent(&challenge).await;
    only_reject(&app, &challenge);
}

#[tokio::test]
async fn lookup_by_external_id_when_there_is_no_context() {
    let app = TestApp::against(HydraVersion::Strict)
        .use_external_id()
        .config_yaml(CUSTOMER_CLAIMS)
        .spawn()
        .await;
    app.kratos.add_identity(customer());
    let spec = ConsentSpec {
        requested_scope: vec!["openid".into(), "customer".into()],
        ..ConsentSpec::remembered(EXTERNAL_ID)
    };
    let body = accepted_without_page(&app, spec).await;
    assert_eq!(body["session"]["id_token"]["customer_id"], "C-0042");
    assert_eq!(body["session"]["access_token"]["customer_id"], "C-0042");
    assert_eq!(
        app.kratos.admin_calls(),
        vec![format!("/admin/identities/by/external/{EXTERNAL_ID}")]
    );
}

#[tokio::test]
async fn lookup_by_id_when_there_is_no_context() {
    let app = TestApp::spawn().await;
    app.kratos.add_identity(customer());
    accepted_without_page(&app, ConsentSpec::remembered(IDENTITY_ID)).await;
    assert_eq!(
        app.kratos.admin_calls(),
        vec![format!("/admin/identities/{IDENTITY_ID}")]
    );
}

#[tokio::test]
async fn kratos_without_external_lookup_uses_the_context_or_rejects() {
    let app = TestApp::against(HydraVersion::Strict)
        .use_external_id()
        .spawn()
        .await;
    app.kratos.disable_external_lookup();
    app.kratos.add_identity(customer());
    let with_context = app.hydra.add_consent(ConsentSpec {
        context: Some(json!({ "identity_id": IDENTITY_ID, "subject_source": "external_id" })),
        ..ConsentSpec::remembered(EXTERNAL_ID)
    });
    assert_eq!(app.consent(&with_context).await.status().as_u16(), 303);
    assert_eq!(app.hydra.accepted_consents().len(), 1);
    let without = app.hydra.add_consent(ConsentSpec {
        context: Some(Value::Null),
        ..ConsentSpec::remembered(EXTERNAL_ID)
    });
    let response = app.consent(&without).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(app.hydra.rejected_consents().len(), 1);
    assert_eq!(app.hydra.rejected_consents()[0].0, without);
}

#[tokio::test]
async fn the_customer_id_claim_follows_scope_and_schema() {
    let app = TestApp::against(HydraVersion::Strict)
        .config_yaml(CUSTOMER_CLAIMS)
        .spawn()
        .await;
    let mut employee = IdentitySpec::new(OTHER_IDENTITY, None);
    employee.schema_id = "employee".into();
    employee.metadata_public = json!({ "customer_id": "should-not-appear" });
    app.kratos.add_identity(customer());
    app.kratos.add_identity(employee);
    let scopes = vec!["openid".to_string(), "customer".to_string()];
    let for_customer = app.hydra.add_consent(skipped(ConsentSpec {
        requested_scope: scopes.clone(),
        ..consent_for(IDENTITY_ID)
    }));
    let for_employee = app.hydra.add_consent(ConsentSpec {
        requested_scope: scopes,
        ..ConsentSpec::remembered(OTHER_IDENTITY)
    });
    let without_scope = app.hydra.add_consent(skipped(consent_for(IDENTITY_ID)));
    for c in [&for_customer, &for_employee, &without_scope] {
        app.consent(c).await;
    }
    let accepted = app.hydra.accepted_consents();
    let claims =
        |c: &str| accepted.iter().find(|(x, _)| x == c).unwrap().1["session"]["id_token"].clone();
    assert_eq!(claims(&for_customer)["customer_id"], "C-0042");
    assert!(claims(&for_employee).get("customer_id").is_none());
    assert!(claims(&without_scope).get("customer_id").is_none());
}
