//! The logout's plan: whether the browser's Kratos session must be read first, and then the one
//! answer the handler carries out.

use url::Url;

use super::{LogoutFacts, LogoutPolicy, needs_confirmation, session_of_someone_else};
use crate::identity::KratosSession;

/// What is known of the logout: Hydra's request, or the person's answer on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logout<'a> {
    /// Hydra's request has just arrived (`GET /logout`).
    Requested(LogoutFacts<'a>),
    /// The person answered "Log out?" (`POST /logout`): `true` for yes.
    Answered { log_out: bool },
}

/// The first step: the plan, or the browser's Kratos session to read first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    Planned(LogoutPlan),
    /// Whose session the browser holds decides whether to ask: read it, then [`plan`].
    ReadSession,
}

/// What the logout handler does, with everything it needs to do it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogoutPlan {
    /// In this order: accept the logout at Hydra, which only says where the browser goes next;
    /// end the browser's Kratos session (Kratos's browser logout, else the admin API); then send
    /// the browser on to complete Hydra's logout, or, when the session lives on, fail closed
    /// ([`super::ending`]).
    LogOut,
    /// Ask "Log out of <client>?" first.
    Confirm { client_name: Option<String> },
    /// The person stays signed in: reject the logout at Hydra, then go to `to`, or show a page
    /// that says so.
    Stay { to: Option<Url> },
}

/// The first step. Asking first and an answer are decided at once; a logout that would go through
/// without asking first checks whose session the browser holds.
pub fn start(logout: &Logout<'_>, policy: &LogoutPolicy) -> Start {
    match logout {
        Logout::Answered { log_out } => Start::Planned(answered(*log_out, policy)),
        Logout::Requested(request) if needs_confirmation(request, policy.confirm) => {
            Start::Planned(confirm(request))
        }
        Logout::Requested(_) => Start::ReadSession,
    }
}

/// The plan, with the browser's Kratos session. A link to someone else's logout must not end this
/// browser's session without asking (forced logout).
pub fn plan(logout: &Logout<'_>, policy: &LogoutPolicy, session: &KratosSession) -> LogoutPlan {
    match logout {
        Logout::Answered { log_out } => answered(*log_out, policy),
        Logout::Requested(request)
            if needs_confirmation(request, policy.confirm)
                || session_of_someone_else(session, policy.subject_source, request.subject) =>
        {
            confirm(request)
        }
        Logout::Requested(_) => LogoutPlan::LogOut,
    }
}

fn answered(log_out: bool, policy: &LogoutPolicy) -> LogoutPlan {
    if log_out {
        LogoutPlan::LogOut
    } else {
        LogoutPlan::Stay {
            to: policy.cancel_url.clone(),
        }
    }
}

fn confirm(request: &LogoutFacts<'_>) -> LogoutPlan {
    LogoutPlan::Confirm {
        client_name: request
            .client_name
            .filter(|name| !name.is_empty())
            .map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subject::SubjectSource;
    use proptest::prelude::*;

    const ID: &str = "9f425a8d-7efc-4768-8f23-7647a74fdf13";

    fn policy(confirm: bool) -> LogoutPolicy {
        LogoutPolicy {
            subject_source: SubjectSource::Id,
            confirm,
            cancel_url: None,
        }
    }

    fn requested(rp_initiated: bool, subject: &str) -> Logout<'_> {
        Logout::Requested(LogoutFacts {
            rp_initiated,
            client_skips: false,
            client_name: Some("App"),
            subject,
        })
    }

    #[test]
    fn a_logout_that_asks_first_needs_no_session() {
        let logout = requested(false, ID);
        let ask = LogoutPlan::Confirm {
            client_name: Some("App".into()),
        };
        assert_eq!(start(&logout, &policy(true)), Start::Planned(ask.clone()));
        assert_eq!(start(&logout, &policy(false)), Start::ReadSession);
        assert_eq!(
            plan(&logout, &policy(false), &KratosSession::active_at(None, 1)),
            LogoutPlan::LogOut
        );
        // Someone else's session, or one whose person is hidden: ask.
        let other = requested(true, "someone-else");
        for session in [
            KratosSession::active_at(None, 1),
            KratosSession::Aal2Required,
        ] {
            assert_eq!(plan(&other, &policy(false), &session), ask);
        }
        assert_eq!(
            plan(&other, &policy(false), &KratosSession::None),
            LogoutPlan::LogOut
        );
    }

    #[test]
    fn an_answer_needs_no_session() {
        let cancel = Url::parse("https://app.test/account").unwrap();
        let policy = LogoutPolicy {
            cancel_url: Some(cancel.clone()),
            ..policy(true)
        };
        let stay = Logout::Answered { log_out: false };
        assert_eq!(
            start(&stay, &policy),
            Start::Planned(LogoutPlan::Stay { to: Some(cancel) })
        );
        let go = Logout::Answered { log_out: true };
        assert_eq!(start(&go, &policy), Start::Planned(LogoutPlan::LogOut));
    }

    proptest! {
        /// A logout goes through without asking only when confirmation is not needed and the
        /// browser holds no session of another person; where the first step skips reading the
        /// session, the session would have changed nothing.
        #[test]
        fn never_logs_out_someone_else_unasked(
            rp in any::<bool>(), skips in any::<bool>(), confirm in any::<bool>(),
            subject in prop_oneof![Just(ID.to_string()), "[a-z]{0,6}"],
            kind in 0u8..3,
        ) {
            let logout = Logout::Requested(LogoutFacts { rp_initiated: rp, client_skips: skips, client_name: None, subject: &subject });
            let session = match kind {
                0 => KratosSession::None,
                1 => KratosSession::Aal2Required,
                _ => KratosSession::active_at(None, 1),
            };
            let policy = policy(confirm);
            let planned = plan(&logout, &policy, &session);
            if planned == LogoutPlan::LogOut {
                prop_assert!(!confirm || rp || skips);
                prop_assert!(kind == 0 || (kind == 2 && subject == ID));
            }
            if let Start::Planned(early) = start(&logout, &policy) {
                prop_assert_eq!(early, planned);
            }
        }
    }
}
