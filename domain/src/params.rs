//! Checks of values browsers send (Hydra challenges, identity schema ids), and why one is refused;
//! the service reads queries and forms into them.

/// Why a query parameter was refused; shown on the 400 page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("the `{0}` parameter is missing")]
    Missing(&'static str),
    #[error("the `{0}` parameter is empty")]
    Empty(&'static str),
    #[error("the `{0}` parameter is too long")]
    TooLong(&'static str),
    #[error("the `{0}` parameter contains characters it never has")]
    BadCharacters(&'static str),
    /// A parameter that could not be read into its field (given twice where once is meant).
    #[error("the `{name}` parameter {problem}")]
    Unreadable { name: String, problem: String },
    #[error("the {0} could not be read")]
    Malformed(&'static str),
    #[error("the {0} is too large")]
    Oversized(&'static str),
    #[error("the identity schema `{0}` is not offered here")]
    SchemaNotAllowed(String),
}

/// Checks a Hydra challenge: padded base64url (Hydra v2.2+, 1 kB and more), 32 hex characters (v2.1)
/// or a UUID (logout challenges of released versions) all pass; anything else is refused here.
pub fn validate_challenge(
    name: &'static str,
    value: Option<&str>,
    max_bytes: usize,
) -> Result<String, InputError> {
    let value = value.ok_or(InputError::Missing(name))?;
    if value.is_empty() {
        return Err(InputError::Empty(name));
    }
    if value.len() > max_bytes {
        return Err(InputError::TooLong(name));
    }
    let body = value.trim_end_matches('=');
    let padding = value.len() - body.len();
    let alphabet_ok = body
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if body.is_empty() || !alphabet_ok || padding > 2 {
        return Err(InputError::BadCharacters(name));
    }
    Ok(value.to_owned())
}

/// Kratos identity schema ids as Hydra forwards them: short and plain.
pub fn is_valid_identity_schema(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Validates an optional `identity_schema` against the syntax and, when configured, the allow-list.
pub fn validate_identity_schema(
    value: Option<&str>,
    allowed: &[String],
) -> Result<Option<String>, InputError> {
    let Some(value) = value else { return Ok(None) };
    if value.is_empty() {
        return Ok(None);
    }
    if !is_valid_identity_schema(value) {
        return Err(InputError::BadCharacters("identity_schema"));
    }
    if !allowed.is_empty() && !allowed.iter().any(|a| a == value) {
        return Err(InputError::SchemaNotAllowed(value.to_owned()));
    }
    Ok(Some(value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MAX: usize = 64 * 1024;

    #[test]
    fn accepts_real_shapes() {
        for c in [
            "f2c8a2b4a6e84b3a9ea1c2f0b1e2d3c4",
            "2a0d4b8c-5d7e-4f3a-9b1c-0e2d3f4a5b6c",
            "aGVsbG8-d29ybGRf",
            "aGVsbG8gd29ybGQ=",
            "aGVsbG8gd29ybA==",
        ] {
            assert_eq!(validate_challenge("c", Some(c), MAX).as_deref(), Ok(c));
        }
        let long = "A".repeat(4000) + "==";
        assert!(validate_challenge("c", Some(&long), MAX).is_ok());
    }

    #[test]
    fn refuses_bad_ones() {
        assert_eq!(
            validate_challenge("c", None, MAX),
            Err(InputError::Missing("c"))
        );
        assert_eq!(
            validate_challenge("c", Some(""), MAX),
            Err(InputError::Empty("c"))
        );
        for bad in [
            "a b", "a+b", "a/b", "abc%3D", "<script>", "===", "ab=c", "abc===", "é",
        ] {
            assert_eq!(
                validate_challenge("c", Some(bad), MAX),
                Err(InputError::BadCharacters("c")),
                "{bad}"
            );
        }
        assert_eq!(
            validate_challenge("c", Some(&"a".repeat(65)), 64),
            Err(InputError::TooLong("c"))
        );
    }

    #[test]
    fn schemas() {
        assert_eq!(validate_identity_schema(None, &[]), Ok(None));
        assert_eq!(
            validate_identity_schema(Some("customer"), &[]),
            Ok(Some("customer".into()))
        );
        assert!(validate_identity_schema(Some("a/b"), &[]).is_err());
        assert!(validate_identity_schema(Some(&"a".repeat(65)), &[]).is_err());
        let allowed = vec!["customer".to_string()];
        assert!(matches!(
            validate_identity_schema(Some("employee"), &allowed),
            Err(InputError::SchemaNotAllowed(_))
        ));
    }

    proptest! {
        /// A challenge is accepted exactly when it fits the limit and is URL-safe base64 with at most
        /// two `=` of padding, so it can travel to Hydra and back without escaping surprises.
        #[test]
        fn accepted_challenges_are_url_safe(
            s in prop_oneof![
                "[A-Za-z0-9_-]{1,200}={0,2}",
                // No body, or too much padding.
                "={0,4}",
                "[A-Za-z0-9_-]{0,20}={0,4}",
                // One stray character.
                ("[A-Za-z0-9_-]{0,20}", prop_oneof!["[ -~]", "\\PC"], "[A-Za-z0-9_-]{0,20}={0,2}")
                    .prop_map(|(a, b, c)| format!("{a}{b}{c}")),
                "\\PC{0,200}",
            ],
            max in 1usize..300,
            near_length in proptest::option::of(-2isize..=2),
        ) {
            // Half the limits lie at the challenge's own length, give or take two.
            let max = near_length.map_or(max, |d| s.len().saturating_add_signed(d).max(1));
            let result = validate_challenge("c", Some(&s), max);
            // Up to two `=` off the end, and what is left is the alphabet.
            let body = s.strip_suffix("==").or_else(|| s.strip_suffix('=')).unwrap_or(&s);
            let url_safe = !body.is_empty()
                && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            let expected = if s.is_empty() {
                Err(InputError::Empty("c"))
            } else if s.len() > max {
                Err(InputError::TooLong("c"))
            } else if !url_safe {
                Err(InputError::BadCharacters("c"))
            } else {
                Ok(s.clone())
            };
            prop_assert_eq!(result, expected);
        }

        #[test]
        fn base64url_always_accepted(bytes in proptest::collection::vec(any::<u8>(), 1..2000)) {
            let c = b64url_padded(&bytes);
            prop_assert!(validate_challenge("c", Some(&c), MAX).is_ok());
        }
    }

    fn b64url_padded(bytes: &[u8]) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = (chunk[0] as u32) << 16
                | (*chunk.get(1).unwrap_or(&0) as u32) << 8
                | *chunk.get(2).unwrap_or(&0) as u32;
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}
