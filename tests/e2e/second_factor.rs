//! Kratos's one-time code by email as a second factor, completed without a UI: the code is read
//! from the message Kratos's courier queued (admin API), as a person would read it from the mail.

use std::time::Duration;

use serde_json::{Value, json};
use url::Url;

use crate::browser::{Landing, Person};
use crate::stack::Stack;

/// The newest six-digit code Kratos queued for `address`.
pub async fn code_sent_to(stack: &Stack, address: &str) -> String {
    for _ in 0..50 {
        let url = format!(
            "{}/admin/courier/messages?recipient={}",
            stack.kratos_admin,
            urlencode(address)
        );
        let messages = stack.get_json(&url).await;
        let newest = messages
            .as_array()
            .into_iter()
            .flatten()
            .max_by_key(|m| m["created_at"].as_str().unwrap_or_default().to_string());
        if let Some(code) = newest.and_then(|m| six_digits(m["body"].as_str().unwrap_or_default()))
        {
            return code;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("Kratos queued no code for {address}");
}

fn six_digits(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(5)).find_map(|i| {
        let run = &bytes[i..i + 6];
        let bounded = (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 6).is_none_or(|b| !b.is_ascii_digit());
        (bounded && run.iter().all(u8::is_ascii_digit)).then(|| text[i..i + 6].to_string())
    })
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// On an aal2 login flow: asks for the code, reads it, submits it, returns to the bridge.
pub async fn with_email_code(
    person: &mut Person<'_>,
    stack: &Stack,
    ui: &Url,
    email: &str,
) -> Landing {
    let flow = person.flow("login", ui).await;
    let (status, answer) = person
        .submit_flow(
            "login",
            &flow,
            json!({ "method": "code", "address": email }),
        )
        .await;
    // Kratos answers the "code sent" state with the flow itself (400 for a JSON submission).
    assert!(
        status == 400 || status == 200,
        "asking for a code: {status} {answer}"
    );
    let code = code_sent_to(stack, email).await;
    let flow: Value = person.flow("login", ui).await;
    let (status, answer) = person
        .submit_flow(
            "login",
            &flow,
            json!({ "method": "code", "code": code, "address": email }),
        )
        .await;
    assert_eq!(status, 200, "submitting the code: {answer}");
    let back = flow["return_to"].as_str().expect("return_to").to_string();
    person.open(&back).await
}
