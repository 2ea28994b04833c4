//! Load with faults: 1,000 interleaved logins and consents through the real service on loopback, one
//! upstream call in ten failing. Checked from the fakes' records: no accept with a wrong subject, no
//! scope beyond those requested, every browser answered, the service alive afterwards.

use std::collections::HashMap;

use crate::support::*;
use futures_util::stream::{self, StreamExt};
use serde_json::{Value, json};

const FLOWS_PER_MODE: usize = 500;
const IDENTITIES: usize = 40;
const CONCURRENCY: usize = 32;

fn identity(i: usize) -> IdentitySpec {
    let external = i.is_multiple_of(2).then(|| format!("CUST-{i:05}"));
    let mut spec = IdentitySpec::new(
        &format!("00000000-0000-4000-8000-{i:012}"),
        external.as_deref(),
    );
    spec.traits = json!({ "email": format!("user{i}@example.com") });
    spec
}

/// The subject the bridge must accept for an identity in this mode.
fn expected_subject(spec: &IdentitySpec, use_external_id: bool) -> String {
    match (&spec.external_id, use_external_id) {
        (Some(external), true) => external.clone(),
        _ => spec.id.clone(),
    }
}

enum Flow {
    Login { challenge: String, token: String },
    Consent { challenge: String, with_page: bool },
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_interleaved_logins_and_consents_under_faults() {
    for use_external_id in [false, true] {
        let flag = if use_external_id { "true" } else { "false" };
        let app = TestApp::against(HydraVersion::Strict)
            .env("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", flag)
            .env("BRIDGE__UPSTREAM__REQUEST_TIMEOUT_MS", "300")
            .spawn()
            .await;
        let identities: Vec<IdentitySpec> = (0..IDENTITIES).map(identity).collect();
        let tokens: Vec<String> = identities
            .iter()
            .map(|i| app.kratos.add_session(i.clone(), 1, 60))
            .collect();
        for i in &identities {
            app.kratos.add_identity(i.clone());
        }

        // Who each challenge belongs to, and what each consent asked for.
        let mut login_owner: HashMap<String, usize> = HashMap::new();
        let mut consent_request: HashMap<String, (usize, Vec<String>)> = HashMap::new();
        let mut flows = Vec::new();
        for n in 0..FLOWS_PER_MODE {
            let who = (n * 7) % IDENTITIES;
            if n % 2 == 0 {
                let challenge = app.hydra.add_login(LoginSpec::default());
                login_owner.insert(challenge.clone(), who);
                flows.push(Flow::Login {
                    challenge,
                    token: tokens[who].clone(),
                });
            } else {
                let requested: Vec<String> = if n % 3 == 0 {
                    vec!["openid".into(), "email".into()]
                } else {
                    vec![
                        "openid".into(),
                        "profile".into(),
                        "email".into(),
                        "offline_access".into(),
                    ]
                };
                let with_page = n % 4 == 1;
                let challenge = app.hydra.add_consent(ConsentSpec {
                    skip: !with_page,
                    subject: expected_subject(&identities[who], use_external_id),
                    requested_scope: requested.clone(),
                    context: (n % 5 != 0).then(|| json!({ "identity_id": identities[who].id })),
                    ..ConsentSpec::default()
                });
                consent_request.insert(challenge.clone(), (who, requested));
                flows.push(Flow::Consent {
                    challenge,
                    with_page,
                });
            }
        }

        app.hydra.fail_every(10);
        app.kratos.fail_every(10);
        let app_ref = &app;
        let answers: Vec<u16> = stream::iter(flows)
            .map(|flow| async move {
                match flow {
                    Flow::Login { challenge, token } => app_ref.login(&challenge, Some(&token)).await.status().as_u16(),
                    Flow::Consent { challenge, with_page } => {
                        let page = app_ref
                            .open_form(&consent_path(&challenge), None)
                            .await;
                        if !with_page || page.status != 200 {
                            return page.status;
                        }
                        // A forged extra scope rides along with every post.
                        let body = format!(
                            "consent_challenge={}&csrf_token={}&action=allow&grant_scope=email&grant_scope=admin&grant_scope=profile",
                            encode(&challenge),
                            page.csrf_token
                        );
                        app_ref.post_form("/consent", &page.cookie, body).await.status().as_u16()
                    }
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;

        // Every browser got an answer, and only the expected kinds.
        assert_eq!(answers.len(), FLOWS_PER_MODE);
        for status in &answers {
            assert!(
                [303, 502, 504].contains(status),
                "unexpected status {status}"
            );
        }
        let redirects = answers.iter().filter(|s| **s == 303).count();
        assert!(
            redirects > FLOWS_PER_MODE / 2,
            "most flows succeed despite faults: {redirects}"
        );
        assert!(
            answers.contains(&502) && answers.contains(&504),
            "the faults did happen"
        );

        // No accept with a wrong subject.
        let logins = app.hydra.accepted_logins();
        assert!(!logins.is_empty());
        for (challenge, body) in &logins {
            let who = login_owner[challenge];
            assert_eq!(
                body["subject"],
                Value::String(expected_subject(&identities[who], use_external_id))
            );
        }
        // No scope beyond those requested, and claims only of the identity behind the subject.
        let consents = app.hydra.accepted_consents();
        assert!(!consents.is_empty());
        for (challenge, body) in &consents {
            let (who, requested) = &consent_request[challenge];
            for scope in body["grant_scope"].as_array().unwrap() {
                assert!(
                    requested.iter().any(|r| r == scope.as_str().unwrap()),
                    "{scope} was not requested"
                );
            }
            if let Some(email) = body["session"]["id_token"].get("email") {
                assert_eq!(email, &json!(format!("user{who}@example.com")));
            }
        }
        // Alive afterwards.
        app.hydra.fail_every(0);
        app.kratos.fail_every(0);
        assert_eq!(app.get("/health/alive", None).await.status().as_u16(), 200);
        assert_eq!(app.get("/health/ready", None).await.status().as_u16(), 200);
    }
}
