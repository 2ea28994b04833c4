//! End-to-end sign-ins through the real Ory Hydra and Kratos servers and the bridge binary.
//!
//! `scripts/install-ory.sh` builds the servers. Without them the tests are reported as ignored,
//! and under `CI=true` they fail. Each stack (Hydra, Kratos, bridge) runs on free loopback ports
//! with SQLite in a temporary folder; tests that share a stack use identities and clients of
//! their own.

mod browser;
mod consent;
mod flows;
mod login;
mod logout;
mod measure;
mod oauth;
mod ory;
mod registration;
mod restart;
mod second_factor;
mod stack;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use libtest_mimic::{Arguments, Trial};
use tokio::sync::OnceCell;

use ory::Binaries;
use stack::{Stack, Subject};

/// What the tests share: the servers' paths and one stack per subject rule, started on first use.
pub struct Env {
    binaries: Result<Binaries, String>,
    stacks: [OnceCell<Arc<Stack>>; 3],
}

impl Env {
    pub fn binaries(&self) -> &Binaries {
        match &self.binaries {
            Ok(b) => b,
            Err(why) => panic!("{why}"),
        }
    }

    pub async fn stack(&self, subject: Subject) -> Arc<Stack> {
        let cell = &self.stacks[subject as usize];
        cell.get_or_init(|| async { Arc::new(Stack::start(self.binaries(), subject).await) })
            .await
            .clone()
    }

    fn logs(&self) -> String {
        self.stacks
            .iter()
            .filter_map(|c| c.get())
            .map(|s| s.logs())
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
    let binaries = Binaries::find();
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    let ignored = binaries.is_err() && !ci;
    if let Err(why) = &binaries {
        eprintln!(
            "{}: {why}",
            if ci {
                "error (CI)"
            } else {
                "ignoring the end-to-end tests"
            }
        );
    }
    let runtime = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("tokio runtime"),
    );
    let env = Arc::new(Env {
        binaries,
        stacks: Default::default(),
    });
    let tests = tests![
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
    ];
    // Run on purpose only (`-- --ignored measure`): it measures, it does not test.
    let measurements = tests![measure::cpu_share_of_a_sign_in];
    let trials = tests
        .into_iter()
        .map(|t| (t, ignored))
        .chain(measurements.into_iter().map(|t| (t, true)))
        .map(|((name, test), ignored)| {
            let (env, runtime) = (env.clone(), runtime.clone());
            Trial::test(name.replace(' ', ""), move || {
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
    let conclusion = libtest_mimic::run(&args, trials);
    // Stops every server before exiting.
    drop(env);
    conclusion.exit_code()
}
