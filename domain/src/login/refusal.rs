//! When a login request is rejected at Hydra instead of carried on: the application then gets an
//! OAuth2 error at its redirect URI, and the person sees no page of the bridge's or of Kratos's.

use serde_json::Value;

use super::demands::AuthParams;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `prompt=none` beside another prompt value, which OIDC Core 3.1.2.1 forbids.
    PromptConflict,
    /// `prompt=none`, and the login needs the person: a Kratos login, refresh, step-up or
    /// registration, or a page of the bridge's.
    InteractionNeeded,
    /// Hydra remembers another person for this browser than the session's, and the request cannot
    /// start again with a fresh sign-in (`prompt=none`, or a `prompt` the bridge cannot change).
    OtherRemembered,
    /// The session's person is not the one the application named with `id_token_hint`.
    NotTheHinted,
}

impl Refusal {
    /// The OAuth2 error code the application gets.
    pub fn error(self) -> &'static str {
        match self {
            Refusal::PromptConflict => "invalid_request",
            Refusal::InteractionNeeded | Refusal::OtherRemembered | Refusal::NotTheHinted => {
                "login_required"
            }
        }
    }

    /// The `error_description` the application gets: short, and in English, as OAuth2 errors are.
    pub fn description(self) -> &'static str {
        match self {
            Refusal::PromptConflict => "prompt=none cannot be combined with other prompt values.",
            Refusal::InteractionNeeded => {
                "Signing in needs the person's interaction, which prompt=none does not allow."
            }
            Refusal::OtherRemembered => {
                "Another account is signed in than the one remembered for this browser, and the \
                 request allows no fresh sign-in in its place."
            }
            Refusal::NotTheHinted => {
                "The signed-in account is not the one the application named in id_token_hint."
            }
        }
    }

    /// The request's `outcome` in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::PromptConflict => "rejected_prompt_conflict",
            Refusal::InteractionNeeded => "rejected_prompt_none",
            Refusal::OtherRemembered => "rejected_other_subject",
            Refusal::NotTheHinted => "rejected_id_token_hint",
        }
    }
}

/// What a request gets instead of a page or a trip to Kratos: `None` when it allows interaction.
pub fn refuse_interaction(params: &AuthParams) -> Option<Refusal> {
    if params.prompt_conflict {
        Some(Refusal::PromptConflict)
    } else if params.prompt_none {
        Some(Refusal::InteractionNeeded)
    } else {
        None
    }
}

/// The subject `id_token_hint` names, from Hydra's `oidc_context.id_token_hint_claims`: its `sub`
/// when that is a string. `None` for a `pairwise` client: Hydra obfuscated that `sub` per client,
/// so it cannot be compared with the bridge's subject (Hydra compares it itself when it issues
/// the token).
pub fn hint_subject<'a>(claims: &'a Value, subject_type: &str) -> Option<&'a str> {
    if subject_type == "pairwise" {
        return None;
    }
    claims.get("sub")?.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_malformed_prompt_is_an_invalid_request() {
        assert_eq!(Refusal::PromptConflict.error(), "invalid_request");
        for refusal in [
            Refusal::InteractionNeeded,
            Refusal::OtherRemembered,
            Refusal::NotTheHinted,
        ] {
            assert_eq!(refusal.error(), "login_required");
        }
    }

    #[test]
    fn the_hint_names_a_subject_only_where_it_can_be_compared() {
        let claims = serde_json::json!({ "sub": "CUST-1", "iss": "https://hydra.test" });
        assert_eq!(hint_subject(&claims, "public"), Some("CUST-1"));
        assert_eq!(hint_subject(&claims, ""), Some("CUST-1"));
        // Pairwise: Hydra obfuscated the sub per client.
        assert_eq!(hint_subject(&claims, "pairwise"), None);
        for no_hint in [
            serde_json::Value::Null,
            serde_json::json!({}),
            serde_json::json!({ "sub": 7 }),
            serde_json::json!(["CUST-1"]),
            serde_json::json!("CUST-1"),
        ] {
            assert_eq!(hint_subject(&no_hint, "public"), None, "{no_hint}");
        }
    }
}
