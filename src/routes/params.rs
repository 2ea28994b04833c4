//! Query strings and form bodies read into serde-typed structs, within `serve.max_form_bytes`.
//! Unknown parameters are ignored (Hydra and applications add their own). A repeated key fills a
//! `Vec` field; a field that takes one value says what a repeated one means: [`once`] refuses it
//! (two challenges cannot both be meant), [`first`] and [`unless_repeated`] are for what is only
//! shown or typed by the person.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::{DeserializeOwned, Error};
use serde::{Deserialize, Deserializer};

use super::extract::{app_state, on_page};
use crate::error::{AppError, Failure};
use domain::params::InputError;

/// What [`once`] says of a repeated key.
const REPEATED: &str = "is given more than once";

/// A parameter given at most once; a repeated one is refused.
pub fn once<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let mut values = Vec::<String>::deserialize(d)?;
    match values.len() {
        0 | 1 => Ok(values.pop()),
        _ => Err(D::Error::custom(REPEATED)),
    }
}

/// The first value of a parameter, however often it is given.
pub fn first<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Vec::<String>::deserialize(d)?.into_iter().next())
}

/// A parameter given once; `None` when it is repeated, as when it is absent.
pub fn unless_repeated<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let mut values = Vec::<String>::deserialize(d)?;
    Ok(if values.len() == 1 {
        values.pop()
    } else {
        None
    })
}

/// `application/x-www-form-urlencoded` text (a query or a form body) read into `T`; a refusal
/// names the parameter.
pub fn decode<T: DeserializeOwned>(text: &[u8]) -> Result<T, InputError> {
    let deserializer = serde_html_form::Deserializer::from_bytes(text);
    serde_path_to_error::deserialize(deserializer).map_err(|e| InputError::Unreadable {
        name: e.path().to_string(),
        problem: e.into_inner().to_string(),
    })
}

/// The query string of `req` read into `T`, when it is no longer than `serve.max_form_bytes`.
pub fn query<T: DeserializeOwned>(req: &HttpRequest) -> Result<T, AppError> {
    let limit = app_state(req)?.settings.serve.max_form_bytes.get();
    let text = req.query_string();
    if text.len() > limit {
        return Err(InputError::Oversized("query").into());
    }
    Ok(decode(text.as_bytes())?)
}

/// The query string, read into `T`.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = Failure;
    type Future = Ready<Result<Self, Failure>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(on_page(req, || query(req).map(Query)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Deserialize)]
    struct Link {
        #[serde(default, deserialize_with = "once")]
        login_challenge: Option<String>,
        #[serde(default, deserialize_with = "first")]
        error: Option<String>,
        #[serde(default, deserialize_with = "unless_repeated")]
        user_code: Option<String>,
        #[serde(default)]
        grant_scope: Vec<String>,
    }

    fn read(query: &str) -> Result<Link, InputError> {
        decode(query.as_bytes())
    }

    #[test]
    fn each_field_reads_repeated_keys_its_own_way() {
        let link = read("login_challenge=abc%3D%3D&error=a&error=b&user_code=X&grant_scope=openid&grant_scope=email&other=1&other=2").unwrap();
        assert_eq!(link.login_challenge.as_deref(), Some("abc=="));
        assert_eq!(link.error.as_deref(), Some("a"));
        assert_eq!(link.user_code.as_deref(), Some("X"));
        assert_eq!(link.grant_scope, ["openid", "email"]);
        let link = read("user_code=X&user_code=Y&login_challenge=").unwrap();
        assert_eq!(link.user_code, None);
        assert_eq!(link.login_challenge.as_deref(), Some(""));
        let link = read("").unwrap();
        assert!(link.login_challenge.is_none() && link.grant_scope.is_empty());
        assert_eq!(
            read("login_challenge=a&x=1&login_challenge=b")
                .unwrap_err()
                .to_string(),
            "the `login_challenge` parameter is given more than once"
        );
    }

    #[test]
    fn bytes_that_are_no_text_never_fail_the_reading_itself() {
        let link = decode::<Link>(b"login_challenge=%FF%FE&error=\xff").unwrap();
        assert_eq!(link.login_challenge.as_deref(), Some("\u{FFFD}\u{FFFD}"));
    }

    proptest! {
        /// `once` gives the decoded value of a key given once and refuses one given more often;
        /// a `Vec` field gets every value of its key, in order.
        #[test]
        fn repeated_keys_are_refused_and_values_decoded(pairs in proptest::collection::vec(
            (prop_oneof![Just("login_challenge".to_string()), Just("grant_scope".to_string()), "[a-z]{1,5}"], "\\PC{0,20}"),
            0..6,
        )) {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&pairs)
                .finish();
            let values = |key: &str| pairs.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect::<Vec<_>>();
            let challenges = values("login_challenge");
            match (read(&query), challenges.as_slice()) {
                (Ok(link), [] | [_]) => {
                    prop_assert_eq!(link.login_challenge, challenges.first().cloned());
                    prop_assert_eq!(link.grant_scope, values("grant_scope"));
                }
                (Err(e), [_, _, ..]) => prop_assert_eq!(
                    e,
                    InputError::Unreadable { name: "login_challenge".into(), problem: REPEATED.into() }
                ),
                (other, _) => prop_assert!(false, "{:?} for {}", other, query),
            }
        }
    }
}
