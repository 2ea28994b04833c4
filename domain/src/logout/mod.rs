//! The logout decisions, free of I/O: whether to ask first. [`plan::start`] and [`plan::plan`] put
//! them together into the one answer the handler carries out; [`ending`] says how a logout that
//! goes through ends, and that it fails closed.

pub mod ending;
pub mod plan;

use url::Url;

use crate::identity::KratosSession;
use crate::subject::{SubjectSource, subject_for};

/// When a logout asks first, and where "No" goes: the subject rule and `logout.*`, built once at
/// start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutPolicy {
    pub subject_source: SubjectSource,
    /// `logout.confirm`: ask unless the client skips it or the logout is RP-initiated.
    pub confirm: bool,
    /// `logout.cancel_url`: where "No, stay signed in" goes; `None` shows a page instead.
    pub cancel_url: Option<Url>,
}

/// Hydra's logout request, as the decisions read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogoutFacts<'a> {
    /// The relying party proved the user with a valid `id_token_hint`.
    pub rp_initiated: bool,
    /// The client's `skip_logout_consent` (Hydra only forwards it).
    pub client_skips: bool,
    /// The client's name, else its id; `None` for a logout the OpenID provider itself started.
    pub client_name: Option<&'a str>,
    /// Whose Hydra session ends.
    pub subject: &'a str,
}

/// Whether to ask "Log out of <client>?" first. Not when the client opted out, when the relying
/// party proved the user, or when confirmation is off in config (`logout.confirm`).
pub fn needs_confirmation(request: &LogoutFacts<'_>, confirm: bool) -> bool {
    confirm && !request.client_skips && !request.rp_initiated
}

/// Whether the browser is signed in to Kratos as someone other than the logout's `subject`. A link
/// to someone else's logout must not end this browser's session without asking (forced logout).
pub fn session_of_someone_else(
    session: &KratosSession,
    source: SubjectSource,
    subject: &str,
) -> bool {
    match session {
        KratosSession::None => false,
        // The session's identity is hidden until a second factor; ask rather than guess.
        KratosSession::Aal2Required => true,
        KratosSession::Active(session) => subject_for(
            source,
            &session.identity.id,
            session.identity.external_id.as_deref(),
        )
        .map_or(true, |s| s.value != subject),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    const ID: &str = "9f425a8d-7efc-4768-8f23-7647a74fdf13";

    fn session(external_id: Option<&str>) -> KratosSession {
        KratosSession::Active(
            serde_json::from_value(json!({
                "id": "s1", "identity": { "id": ID, "external_id": external_id }
            }))
            .unwrap(),
        )
    }

    #[test]
    fn someone_else_is_anyone_but_the_subject() {
        let source = SubjectSource::ExternalIdOrId;
        assert!(!session_of_someone_else(
            &KratosSession::None,
            source,
            "CUST-1"
        ));
        assert!(session_of_someone_else(
            &KratosSession::Aal2Required,
            source,
            "CUST-1"
        ));
        let mine = session(Some("CUST-1"));
        assert!(!session_of_someone_else(&mine, source, "CUST-1"));
        assert!(session_of_someone_else(&mine, source, "CUST-2"));
        assert!(session_of_someone_else(&mine, SubjectSource::Id, "CUST-1"));
        // Without the external_id the subject rule demands, the session is no one's.
        let bare = session(None);
        assert!(session_of_someone_else(
            &bare,
            SubjectSource::ExternalId,
            ""
        ));
    }

    proptest! {
        /// An active session is someone else exactly when its subject is not the logout's.
        #[test]
        fn someone_else_iff_another_subject(external in proptest::option::of("[A-Z0-9-]{0,6}"), other in "[A-Z0-9-]{0,6}",
                                            own in any::<bool>()) {
            let s = session(external.as_deref());
            for source in [SubjectSource::Id, SubjectSource::ExternalId, SubjectSource::ExternalIdOrId] {
                let mapped = subject_for(source, ID, external.as_deref()).ok().map(|m| m.value);
                // Half the cases log out the session's own subject.
                let subject = if own { mapped.clone().unwrap_or_default() } else { other.clone() };
                prop_assert_eq!(
                    session_of_someone_else(&s, source, &subject),
                    mapped.as_deref() != Some(subject.as_str())
                );
            }
        }
    }

    fn request(rp: bool, skip: Option<bool>) -> LogoutFacts<'static> {
        LogoutFacts {
            rp_initiated: rp,
            client_skips: skip == Some(true),
            client_name: skip.map(|_| "App"),
            subject: "CUST-1",
        }
    }

    #[test]
    fn confirmation_rules() {
        let on = true;
        let off = false;
        assert!(needs_confirmation(&request(false, None), on));
        assert!(needs_confirmation(&request(false, Some(false)), on));
        assert!(!needs_confirmation(&request(false, Some(true)), on));
        assert!(!needs_confirmation(&request(true, Some(false)), on));
        assert!(!needs_confirmation(&request(false, None), off));
    }
}
