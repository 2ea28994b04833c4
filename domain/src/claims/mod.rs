//! Claims for the tokens Hydra issues, built from the Kratos identity and the granted scopes only.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::identity::{Identity, VerifiableAddress};

mod standard;

use standard::standard_claims;
pub use standard::{STANDARD_SCOPES, standard_scope_of};

/// Claims Hydra sets itself, or that would confuse a relying party; never configurable.
const RESERVED: &[&str] = &[
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "nbf",
    "jti",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "azp",
    "at_hash",
    "c_hash",
    "s_hash",
    "sid",
    "client_id",
    "scp",
    "scope",
    "ext",
    "rat",
    "ext_claims",
];

pub fn is_reserved(claim: &str) -> bool {
    RESERVED.contains(&claim)
}

pub fn is_valid_claim_name(claim: &str) -> bool {
    !claim.is_empty()
        && claim.len() <= 128
        && claim
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':' | b'/'))
}

/// Where a configured claim's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum ClaimSource {
    Id,
    ExternalId,
    SchemaId,
    /// `traits.a.b`: a path into the identity's traits.
    Traits(Vec<String>),
    /// `metadata_public.a.b`: admin-set, not user-editable.
    MetadataPublic(Vec<String>),
    /// `verifiable_addresses.<via>` (the value) or `verifiable_addresses.<via>.verified`.
    VerifiableAddress {
        via: String,
        verified: bool,
    },
}

impl TryFrom<String> for ClaimSource {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let mut parts = value.split('.');
        let head = parts.next().unwrap_or_default();
        let rest: Vec<String> = parts.map(str::to_owned).collect();
        if rest.iter().any(String::is_empty) {
            return Err(format!("`{value}` has an empty path segment"));
        }
        match (head, rest.as_slice()) {
            ("id", []) => Ok(Self::Id),
            ("external_id", []) => Ok(Self::ExternalId),
            ("schema_id", []) => Ok(Self::SchemaId),
            ("traits", [_, ..]) => Ok(Self::Traits(rest)),
            ("metadata_public", [_, ..]) => Ok(Self::MetadataPublic(rest)),
            ("verifiable_addresses", [via]) => Ok(Self::VerifiableAddress {
                via: via.clone(),
                verified: false,
            }),
            ("verifiable_addresses", [via, flag]) if flag == "verified" => {
                Ok(Self::VerifiableAddress {
                    via: via.clone(),
                    verified: true,
                })
            }
            _ => Err(format!(
                "`{value}` is not a claim source: use id, external_id, schema_id, traits.<path>, \
                 metadata_public.<path> or verifiable_addresses.<via>[.verified]"
            )),
        }
    }
}

/// The `claims` section: which claims are released, from where, for which scope and client.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimsSettings {
    /// The OIDC standard claims for the `email`, `profile`, `phone` and `address` scopes, from traits.
    #[serde(default = "default_true")]
    pub standard: bool,
    #[serde(default)]
    pub mappings: Vec<ClaimMapping>,
}

impl Default for ClaimsSettings {
    fn default() -> Self {
        Self {
            standard: true,
            mappings: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ClaimTarget {
    #[default]
    IdToken,
    AccessToken,
    Both,
}

/// One configured claim: where its value comes from, which scope releases it, and for whom.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimMapping {
    pub claim: String,
    pub source: ClaimSource,
    /// The claim is released only when this scope is granted.
    pub scope: String,
    /// Only for identities of these schemas (empty: all).
    #[serde(default)]
    pub schemas: Vec<String>,
    /// Only for these OAuth2 clients (empty: all).
    #[serde(default)]
    pub clients: Vec<String>,
    #[serde(default)]
    pub token: ClaimTarget,
}

fn default_true() -> bool {
    true
}

/// `session.id_token` and `session.access_token` of a consent accept.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TokenClaims {
    pub id_token: Map<String, Value>,
    pub access_token: Map<String, Value>,
}

fn path<'a>(root: &'a Value, segments: &[impl AsRef<str>]) -> Option<&'a Value> {
    segments
        .iter()
        .try_fold(root, |value, segment| match value {
            Value::Object(map) => map.get(segment.as_ref()),
            Value::Array(items) => segment
                .as_ref()
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i)),
            _ => None,
        })
}

/// A trait value that is present and not null or an empty string.
fn present(value: Option<&Value>) -> Option<&Value> {
    value.filter(|v| !v.is_null() && v.as_str() != Some(""))
}

fn address<'a>(
    identity: &'a Identity,
    via: &str,
    value: Option<&str>,
) -> Option<&'a VerifiableAddress> {
    identity
        .verifiable_addresses
        .iter()
        .find(|a| a.via == via && value.is_none_or(|v| a.value.eq_ignore_ascii_case(v)))
}

pub fn source_value(identity: &Identity, source: &ClaimSource) -> Option<Value> {
    match source {
        ClaimSource::Id => Some(Value::String(identity.id.clone())),
        ClaimSource::ExternalId => identity
            .external_id
            .as_ref()
            .filter(|e| !e.is_empty())
            .map(|e| Value::String(e.clone())),
        ClaimSource::SchemaId => Some(Value::String(identity.schema_id.clone()))
            .filter(|_| !identity.schema_id.is_empty()),
        ClaimSource::Traits(p) => present(path(&identity.traits, p)).cloned(),
        ClaimSource::MetadataPublic(p) => present(path(&identity.metadata_public, p)).cloned(),
        ClaimSource::VerifiableAddress { via, verified } => address(identity, via, None).map(|a| {
            if *verified {
                Value::Bool(a.verified)
            } else {
                Value::String(a.value.clone())
            }
        }),
    }
}

/// Whether any claim could be released for `granted` to `client_id`, i.e. whether the identity must be
/// read at all. Conservative: a mapping limited to some schemas counts, as the schema is not known yet.
pub fn claims_need_identity(
    granted: &[String],
    client_id: &str,
    settings: &ClaimsSettings,
) -> bool {
    let standard = settings.standard
        && granted
            .iter()
            .any(|scope| STANDARD_SCOPES.contains(&scope.as_str()));
    standard
        || settings.mappings.iter().any(|m| {
            granted.contains(&m.scope)
                && (m.clients.is_empty() || m.clients.iter().any(|c| c == client_id))
        })
}

/// All claims released for `granted` scopes to `client_id`. Pure: only claims whose gating scope is
/// granted ever appear, and never a reserved one.
pub fn build_claims(
    identity: &Identity,
    granted: &[String],
    client_id: &str,
    settings: &ClaimsSettings,
) -> TokenClaims {
    let mut out = TokenClaims::default();
    if settings.standard {
        out.id_token = standard_claims(identity, granted);
    }
    for mapping in &settings.mappings {
        let applies = granted.contains(&mapping.scope)
            && !is_reserved(&mapping.claim)
            && (mapping.schemas.is_empty() || mapping.schemas.contains(&identity.schema_id))
            && (mapping.clients.is_empty() || mapping.clients.iter().any(|c| c == client_id));
        if !applies {
            continue;
        }
        let Some(value) = source_value(identity, &mapping.source) else {
            continue;
        };
        if matches!(mapping.token, ClaimTarget::IdToken | ClaimTarget::Both) {
            out.id_token.insert(mapping.claim.clone(), value.clone());
        }
        if matches!(mapping.token, ClaimTarget::AccessToken | ClaimTarget::Both) {
            out.access_token.insert(mapping.claim.clone(), value);
        }
    }
    out
}

#[cfg(test)]
mod tests;
