//! What a real Ory server answered to one call, as kept in `tests/fixtures/ory/<version>/`, and how
//! answers are made comparable: every value that changes from run to run (ports, ids, challenges,
//! tokens, times) is replaced by a `{placeholder}`. The end-to-end recorder writes these files and
//! the checks of the fakes read them, both through this file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One call and its answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fixture {
    /// What the call is, in words.
    pub about: String,
    pub request: Request,
    pub response: Response,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    pub method: String,
    /// The server's placeholder: `{hydra_admin}`, `{kratos_public}`, ...
    pub server: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Response {
    pub status: u16,
    /// Empty when the answer had none.
    pub content_type: String,
    /// The headers a client may act on (see `HEADERS`), normalized.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Each `Set-Cookie` as its name and attributes, without the changing values.
    #[serde(default)]
    pub set_cookies: Vec<String>,
    /// `json`, `text` or `empty`.
    pub body_kind: String,
    /// The JSON body, normalized (`null` for other kinds).
    #[serde(default)]
    pub body: Value,
    /// A body that is no JSON, normalized.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

/// The response headers kept besides `Content-Type` and `Set-Cookie`.
pub const HEADERS: &[&str] = &[
    "location",
    "cache-control",
    "vary",
    "allow",
    "x-kratos-authenticated-identity-id",
    "link",
];

/// The placeholder that matches any value in a comparison.
pub const ANY: &str = "{token}";

/// Known values and their placeholders; then the generic ones (`{uuid}`, `{time}`, `{token}`).
#[derive(Debug, Clone, Default)]
pub struct Names {
    pairs: Vec<(String, String)>,
}

impl Names {
    /// `value` (also form-encoded, once or twice) will read `placeholder`.
    pub fn add(&mut self, value: &str, placeholder: &str) {
        assert!(value.len() >= 5, "too short to replace safely: {value:?}");
        self.pairs
            .push((value.to_string(), placeholder.to_string()));
    }

    /// Every form of every known value, longest first so that a URL wins over its origin.
    fn forms(&self) -> Vec<(String, &str)> {
        let mut forms: Vec<(String, &str)> = Vec::new();
        for (value, placeholder) in &self.pairs {
            let once = encode(value);
            let twice = encode(&once);
            forms.push((value.clone(), placeholder));
            forms.push((once, placeholder));
            forms.push((twice, placeholder));
        }
        forms.sort_by_key(|(form, _)| std::cmp::Reverse(form.len()));
        forms
    }

    pub fn text(&self, s: &str) -> String {
        let mut out = s.to_string();
        for (form, placeholder) in self.forms() {
            out = out.replace(&form, placeholder);
        }
        ports(&tokens(&uuids(&times(&out))))
    }

    /// Every string in `value` normalized (object keys stay).
    pub fn json(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.json(v)).collect()),
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), self.json(v))).collect())
            }
            other => other.clone(),
        }
    }

    /// `name=value; Path=/; Expires=…; Max-Age=86400` → `name; Path=/; Expires; Max-Age`: the
    /// name (Kratos's CSRF cookie's hashed suffix as `{hash}`), the attributes without the values that
    /// change, and `Max-Age=0` kept as the mark of a removed cookie.
    pub fn cookie(&self, set_cookie: &str) -> String {
        let mut parts = set_cookie.split(';').map(str::trim);
        let name = parts
            .next()
            .and_then(|p| p.split_once('='))
            .map(|(n, _)| n)
            .unwrap_or_default();
        let name = match name.strip_prefix("csrf_token_") {
            Some(_) => "csrf_token_{hash}".to_string(),
            None => self.text(name),
        };
        let mut out = vec![name];
        for attribute in parts.filter(|p| !p.is_empty()) {
            let (key, value) = attribute.split_once('=').unwrap_or((attribute, ""));
            let kept = match key.to_ascii_lowercase().as_str() {
                "expires" => key.to_string(),
                "max-age" if value == "0" => format!("{key}=0"),
                "max-age" => key.to_string(),
                "domain" => format!("{key}={}", self.text(value)),
                _ => attribute.to_string(),
            };
            out.push(kept);
        }
        out.join("; ")
    }
}

pub fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `2026-12-07T14:00:00.123456Z` (with an offset, or fractions, or neither) → `{time}`.
fn times(s: &str) -> String {
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| {
        b.get(from..from + n)
            .is_some_and(|r| r.iter().all(u8::is_ascii_digit))
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let date = digits(i, 4) && at(i + 4, b'-') && digits(i + 5, 2) && at(i + 7, b'-');
        let clock = digits(i + 8, 2) && at(i + 10, b'T') && digits(i + 11, 2) && at(i + 13, b':');
        if date && clock && digits(i + 14, 2) && at(i + 16, b':') && digits(i + 17, 2) {
            let mut j = i + 19;
            if at(j, b'.') {
                j += 1;
                while b.get(j).is_some_and(u8::is_ascii_digit) {
                    j += 1;
                }
            }
            if at(j, b'Z') {
                j += 1;
            } else if (at(j, b'+') || at(j, b'-')) && digits(j + 1, 2) && at(j + 3, b':') {
                j += 6;
            }
            out.push_str("{time}");
            i = j;
        } else {
            let c = s[i..].chars().next().unwrap_or_default();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex) → `{uuid}`.
fn uuids(s: &str) -> String {
    let b = s.as_bytes();
    let is_uuid = |i: usize| {
        b.get(i..i + 36).is_some_and(|w| {
            w.iter().enumerate().all(|(k, c)| match k {
                8 | 13 | 18 | 23 => *c == b'-',
                _ => c.is_ascii_hexdigit(),
            })
        }) && !b.get(i + 36).is_some_and(u8::is_ascii_hexdigit)
            && (i == 0 || !b[i - 1].is_ascii_hexdigit())
    };
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if is_uuid(i) {
            out.push_str("{uuid}");
            i += 36;
        } else {
            let c = s[i..].chars().next().unwrap_or_default();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `127.0.0.1:48016` (a client's address; the servers' own are known values) → `127.0.0.1:{port}`.
fn ports(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find("127.0.0.1:") {
        let after = &rest[at + 10..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        out.push_str(&rest[..at + 10]);
        if digits > 0 {
            out.push_str("{port}");
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// A run of base64url characters (with its `=` or `%3D` padding) of 20 or more, holding both
/// letters and digits, is a generated secret: → `{token}`. Placeholders are left alone.
fn tokens(s: &str) -> String {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut out = String::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c == '{'
            && let Some(end) = rest.find('}')
        {
            out.push_str(&rest[..=end]);
            rest = &rest[end + 1..];
            continue;
        }
        // A percent-escape is no part of a word: `%3Flogout_verifier` holds no secret.
        if c == '%' && rest.len() >= 3 && rest.as_bytes()[1..3].iter().all(u8::is_ascii_hexdigit) {
            out.push_str(&rest[..3]);
            rest = &rest[3..];
            continue;
        }
        if !word(c) {
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let mut end = rest.find(|c: char| !word(c)).unwrap_or(rest.len());
        loop {
            if rest[end..].starts_with('=') {
                end += 1;
            } else if rest[end..].starts_with("%3D") {
                end += 3;
            } else {
                break;
            }
        }
        let run = &rest[..end];
        let letters = run.chars().any(|c| c.is_ascii_alphabetic());
        let digits = run.chars().any(|c| c.is_ascii_digit());
        // Words joined by `_` in lower case are names (`session_aal2_required`), not secrets.
        let name = run.contains('_') && !run.chars().any(|c| c.is_ascii_uppercase());
        if run.len() >= 20 && letters && digits && !name {
            out.push_str(ANY);
        } else {
            out.push_str(run);
        }
        rest = &rest[end..];
    }
    out
}

/// Where `fake` differs from `fixture`: objects must have the same keys, values the same type,
/// numbers, booleans and strings the same value, where `{token}` in a fixture's string stands for
/// any text. An array's items are compared with the fixture's item at the same place, or its last
/// one; an empty fixture array says nothing about the items.
pub fn differences(path: &str, fixture: &Value, fake: &Value, out: &mut Vec<String>) {
    match (fixture, fake) {
        (Value::Object(a), Value::Object(b)) => {
            let missing: Vec<&String> = a.keys().filter(|k| !b.contains_key(*k)).collect();
            let extra: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
            if !missing.is_empty() {
                out.push(format!("{path}: the fake lacks {missing:?}"));
            }
            if !extra.is_empty() {
                out.push(format!("{path}: the fake adds {extra:?}"));
            }
            for (k, v) in a {
                if let Some(w) = b.get(k) {
                    differences(&format!("{path}.{k}"), v, w, out);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, w) in b.iter().enumerate() {
                if let Some(v) = a.get(i).or(a.last()) {
                    differences(&format!("{path}[{i}]"), v, w, out);
                }
            }
        }
        (Value::String(a), Value::String(b)) => {
            if !matches(a, b) {
                out.push(format!("{path}: recorded {a:?}, the fake {b:?}"));
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{path}: recorded {a}, the fake {b}")),
    }
}

/// `pattern` with each `{token}` standing for any non-empty text.
pub fn matches(pattern: &str, text: &str) -> bool {
    let Some((head, tail)) = pattern.split_once(ANY) else {
        return pattern == text;
    };
    let Some(rest) = text.strip_prefix(head) else {
        return false;
    };
    (1..=rest.len())
        .filter(|&i| rest.is_char_boundary(i))
        .any(|i| matches(tail, &rest[i..]))
}
