//! The Kratos identity and session as the decisions read them. Kratos's JSON deserializes straight
//! into these (unknown fields ignored, `null` as empty), so that the claims mapping, the subject
//! rule and the login decision need nothing from the client that fetched them; whoami's answer as
//! a whole is one [`KratosSession`].

use serde::Deserialize;
use time::OffsetDateTime;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AuthenticationMethod {
    #[serde(default, deserialize_with = "null_as_default")]
    pub method: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct VerifiableAddress {
    pub value: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub verified: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub via: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Identity {
    pub id: String,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub schema_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub traits: serde_json::Value,
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata_public: serde_json::Value,
    #[serde(default, deserialize_with = "null_as_default")]
    pub verifiable_addresses: Vec<VerifiableAddress>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub state: String,
}

impl Identity {
    /// Kratos marks identities that may not log in as `inactive`; absent means active.
    pub fn is_active(&self) -> bool {
        self.state.is_empty() || self.state == "active"
    }
}

/// The session's identity: only what login and logout read. Traits and the rest are skipped
/// unparsed; consent reads them from the admin API when a granted scope needs them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SessionIdentity {
    pub id: String,
    #[serde(default)]
    pub external_id: Option<String>,
}

/// `session` as whoami returns it, the fields the flows read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Session {
    pub id: String,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub authenticated_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub authenticator_assurance_level: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub authentication_methods: Vec<AuthenticationMethod>,
    pub identity: SessionIdentity,
}

impl Session {
    /// The assurance level Kratos reports (`aal1` → 1, …); a session always has the first factor.
    pub fn aal(&self) -> u8 {
        aal_level(&self.authenticator_assurance_level).unwrap_or(1)
    }
}

/// `aal1` → 1, … ; anything else is not an assurance level.
pub fn aal_level(value: &str) -> Option<u8> {
    match value {
        "aal0" => Some(0),
        "aal1" => Some(1),
        "aal2" => Some(2),
        "aal3" => Some(3),
        _ => None,
    }
}

/// The browser's Kratos session, as whoami reported it: the one value every flow reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KratosSession {
    /// No cookie, or none Kratos honours: expired, revoked, or an inactive identity.
    None,
    /// A session Kratos hides until a second factor is given (403 `session_aal2_required`): its
    /// person and age are unknown.
    Aal2Required,
    Active(Box<Session>),
}

impl KratosSession {
    /// The session, when Kratos shows it.
    pub fn active(&self) -> Option<&Session> {
        match self {
            KratosSession::Active(session) => Some(session),
            KratosSession::None | KratosSession::Aal2Required => None,
        }
    }
}

/// Deserializes `null` or a missing field as the type's default.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
impl KratosSession {
    /// An active session of the identity `9f425a8d-…`, authenticated at `at` with level `aal`.
    pub(crate) fn active_at(at: Option<OffsetDateTime>, aal: u8) -> Self {
        KratosSession::Active(Box::new(Session {
            id: "s1".into(),
            active: Some(true),
            authenticated_at: at,
            expires_at: None,
            authenticator_assurance_level: format!("aal{aal}"),
            authentication_methods: Vec::new(),
            identity: SessionIdentity {
                id: "9f425a8d-7efc-4768-8f23-7647a74fdf13".into(),
                external_id: None,
            },
        }))
    }
}
