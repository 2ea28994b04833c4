//! What every page of the bridge must be, checked on an answer.

/// A page of the bridge with this `status` that shows `needle`, with the headers every page has,
/// and nothing an upstream answered echoed: its HTML.
pub async fn assert_page(response: reqwest::Response, status: u16, needle: &str) -> String {
    assert_eq!(response.status().as_u16(), status);
    let content_type = header_value(&response, "content-type");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert_page_headers(&response);
    let body = response.text().await.unwrap();
    assert!(body.contains(needle), "page lacks {needle:?}: {body}");
    assert!(
        !body.contains("secret-upstream-body"),
        "upstream body echoed"
    );
    body
}

/// Never framed, never cached.
pub fn assert_page_headers(response: &reqwest::Response) {
    assert_eq!(header_value(response, "x-frame-options"), "DENY");
    assert_eq!(header_value(response, "cache-control"), "no-store");
    let csp = header_value(response, "content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
}

/// A header the response must carry, as text.
pub fn header_value(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name}"))
        .to_str()
        .unwrap()
        .to_string()
}
