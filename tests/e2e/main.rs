//! End-to-end sign-ins through the real Ory Hydra and Kratos servers and the bridge binary.
//!
//! `scripts/install-ory.sh` builds the servers. Without them the tests are reported as ignored,
//! and under `CI=true` they fail. Each stack (Hydra, Kratos, bridge) runs on free loopback ports
//! with SQLite in a temporary folder; tests that share a stack use identities and clients of
//! their own.

mod admin;
mod apps;
mod browser;
mod consent;
mod device;
mod external_id;
mod flows;
mod login;
mod logout;
mod measure;
mod oauth;
mod ory;
mod prompt;
mod record;
mod registration;
mod restart;
mod second_factor;
mod stack;
mod traces;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use libtest_mimic::{Arguments, Trial};
use tokio::sync::OnceCell;

use ory::{Binaries, CURRENT, OLDEST, STRICT_HYDRA, Versions};
use stack::{Stack, Subject};

type StackCell = Arc<OnceCell<Arc<Stack>>>;

/// What every test shares: the servers found for each pairing of versions, and one stack per
/// pairing and subject rule, started on first use.
struct Shared {
    binaries: HashMap<Versions, Result<Binaries, String>>,
    stacks: Mutex<HashMap<(Versions, Subject), StackCell>>,
}

/// A test's view: the shared stacks of the versions it runs against.
pub struct Env {
    shared: Arc<Shared>,
    pub versions: Versions,
}

impl Env {
    pub fn binaries(&self) -> &Binaries {
        match &self.shared.binaries[&self.versions] {
            Ok(b) => b,
            Err(why) => panic!("{why}"),
        }
    }

    pub async fn stack(&self, subject: Subject) -> Arc<Stack> {
        let cell = self
            .shared
            .stacks
            .lock()
            .expect("stacks lock")
            .entry((self.versions, subject))
            .or_default()
            .clone();
        cell.get_or_init(|| async {
            Arc::new(Stack::start(self.binaries(), self.versions, subject).await)
        })
        .await
        .clone()
    }

    /// A stack of this test's own (for tests that stop servers or change their settings).
    pub async fn own_stack(&self, subject: Subject) -> Stack {
        Stack::start(self.binaries(), self.versions, subject).await
    }

    fn logs(&self) -> String {
        let stacks = self.shared.stacks.lock().expect("stacks lock");
        stacks
            .iter()
            .filter(|((versions, _), _)| *versions == self.versions)
            .filter_map(|(_, cell)| cell.get().map(|s| s.logs()))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

type Test = for<'a> fn(&'a Env) -> Pin<Box<dyn Future<Output = ()> + 'a>>;

macro_rules! tests {
    ($($path:path),* $(,)?) => {
        vec![$((stringify!($path), (|env| Box::pin($path(env))) as Test)),*]
    };
}

fn main() -> std::process::ExitCode {
    let mut args = Arguments::from_args();
    // One at a time unless asked otherwise: Kratos on SQLite refuses concurrent writes now and then
    // ("database is locked") even with a busy timeout, and that is no finding about the bridge.
    args.test_threads.get_or_insert(1);
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    let binaries: HashMap<Versions, Result<Binaries, String>> = [CURRENT, OLDEST, STRICT_HYDRA]
        .into_iter()
        .map(|v| (v, Binaries::find(v)))
        .collect();
    for (versions, found) in &binaries {
        if let Err(why) = found {
            let what = if ci {
                "error (CI)".to_string()
            } else {
                format!("ignoring the end-to-end tests on {}", versions.label())
            };
            eprintln!("{what}: {why}");
        }
    }
    let runtime = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("tokio runtime"),
    );
    let shared = Arc::new(Shared {
        binaries,
        stacks: Mutex::default(),
    });
    // Every test on the current releases.
    let current = tests![
        login::code_flow_with_pkce_signs_in_with_the_uuid_when_there_is_no_external_id,
        login::use_external_id_off_signs_in_with_the_uuid,
        login::strict_external_id_without_one_gives_no_tokens_and_says_why,
        login::second_authorization_skips_login_and_consent_until_the_session_is_revoked,
        login::prompt_login_and_max_age_force_reauthentication,
        login::acr_values_aal2_asks_for_a_second_factor,
        consent::consent_grants_only_the_ticked_scopes_and_their_claims,
        logout::logout_ends_the_kratos_session_and_returns_to_the_client,
        registration::registration_ends_signed_in_with_tokens_after_verifying_the_address,
        restart::hydra_restarted_mid_sign_in,
        external_id::external_id_is_the_subject_of_the_id_token_the_access_token_and_userinfo,
        external_id::external_id_stays_the_subject_after_a_refresh_token_grant,
        external_id::consent_without_context_finds_the_identity_by_external_id,
        external_id::consent_for_a_subject_no_identity_maps_to_is_rejected,
        external_id::strict_external_id_signs_in_with_the_external_id,
        registration::registration_as_employee_after_verifying_the_address,
        registration::registration_as_customer_without_verifying_signs_in_at_once,
        registration::registration_as_employee_without_verifying_signs_in_at_once,
        restart::kratos_restarted_mid_sign_in,
        prompt::prompt_none_after_the_kratos_session_ended_gives_login_required,
        prompt::prompt_none_with_another_persons_kratos_session_gives_login_required,
        prompt::prompt_none_past_max_age_gives_login_required,
        prompt::prompt_none_for_a_client_never_consented_to_gives_consent_required,
        prompt::prompt_none_beside_another_value_is_refused,
        prompt::id_token_hint_for_another_person_signs_nobody_in_as_someone_else,
        apps::withdrawing_access_revokes_that_applications_tokens_and_nothing_else,
        traces::one_sign_in_is_one_trace_through_hydra_the_bridge_and_kratos,
    ];
    // The code flow with its subject, consent, single sign-on and logout on the older pairings too.
    let compat = tests![
        login::code_flow_with_pkce_signs_in_with_the_uuid_when_there_is_no_external_id,
        consent::consent_grants_only_the_ticked_scopes_and_their_claims,
        login::second_authorization_skips_login_and_consent_until_the_session_is_revoked,
        logout::logout_ends_the_kratos_session_and_returns_to_the_client,
        external_id::external_id_is_the_subject_of_the_id_token_the_access_token_and_userinfo,
        external_id::external_id_stays_the_subject_after_a_refresh_token_grant,
        external_id::consent_without_context_finds_the_identity_by_external_id,
        external_id::consent_for_a_subject_no_identity_maps_to_is_rejected,
    ];
    // Device sign-in wherever Hydra has it.
    let device: Vec<(&str, Test)> = tests![
        device::device_sign_in_gives_the_device_tokens_for_the_external_id,
        device::wrong_codes_are_refused_up_to_the_limit_then_no_code_is_tried,
        device::expired_codes_and_requests_have_their_pages,
    ];
    let mut runs: Vec<(Versions, &str, Test, bool)> = Vec::new();
    let mut add = |versions: Versions, list: &[(&'static str, Test)], measure: bool| {
        for (name, test) in list {
            runs.push((versions, name, *test, measure));
        }
    };
    add(CURRENT, &current, false);
    for versions in [OLDEST, STRICT_HYDRA] {
        add(versions, &compat, false);
    }
    for versions in [CURRENT, OLDEST, STRICT_HYDRA] {
        if versions.has_device_flow() {
            add(versions, &device, false);
        }
    }
    // Run on purpose only (`-- --ignored measure`): it measures, it does not test.
    let measurements = tests![measure::cpu_share_of_a_sign_in, record::ory_answers];
    add(CURRENT, &measurements, true);
    let trials = runs
        .into_iter()
        .map(|(versions, name, test, measure)| {
            let missing = shared.binaries[&versions].is_err();
            let ignored = measure || (missing && !ci);
            let env = Env {
                shared: shared.clone(),
                versions,
            };
            let runtime = runtime.clone();
            let name = format!("{}::{}", versions.label(), name.replace(' ', ""));
            Trial::test(name, move || {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    runtime.block_on(test(&env))
                }));
                outcome.map_err(|panic| {
                    let message = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    format!("{message}\n{}", env.logs()).into()
                })
            })
            .with_ignored_flag(ignored)
        })
        .collect();
    let trials = ignored_without_jaeger(trials, ci);
    let conclusion = libtest_mimic::run(&args, trials);
    // Stops every server before exiting.
    drop(shared);
    conclusion.exit_code()
}

/// The tracing test needs Jaeger as well: without it, it is ignored (and fails under CI).
fn ignored_without_jaeger(trials: Vec<Trial>, ci: bool) -> Vec<Trial> {
    let jaeger = ory::jaeger();
    if let Err(why) = &jaeger {
        let what = if ci {
            "error (CI)"
        } else {
            "ignoring the tracing end-to-end test"
        };
        eprintln!("{what}: {why}");
    }
    trials
        .into_iter()
        .map(|trial| {
            let needs_jaeger = trial.name().contains("::traces::");
            let ignored = trial.has_ignored_flag() || (needs_jaeger && jaeger.is_err() && !ci);
            trial.with_ignored_flag(ignored)
        })
        .collect()
}
