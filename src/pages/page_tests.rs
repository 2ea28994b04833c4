use std::sync::Arc;

use actix_web::FromRequest;
use actix_web::test::TestRequest;

use super::*;

fn frame(default: &str) -> Arc<Frame> {
    let catalogs = Catalogs::load(None, default).unwrap();
    Arc::new(Frame::new(catalogs, PageBrand::default()))
}

fn tags(tags: &[&str]) -> Vec<String> {
    tags.iter().map(|t| t.to_string()).collect()
}

#[test]
fn the_browser_chooses_unless_the_request_names_a_language() {
    let page = Page::new(frame("en"), Some("es-MX,es;q=0.9,en;q=0.5"));
    assert_eq!(page.lang(), "es");
    let mut page = page;
    page.prefer(&tags(&["fr-CA", "de"]));
    assert_eq!(page.lang(), "fr");
    assert_eq!(page.t().text("error-not-found-title"), "Page introuvable");
}

#[test]
fn ui_locales_without_a_catalog_leave_the_browsers_choice() {
    let mut page = Page::new(frame("en"), Some("de"));
    page.prefer(&tags(&["ja", "x-not-a-tag!", ""]));
    assert_eq!(page.lang(), "de");
    page.prefer(&[]);
    assert_eq!(page.lang(), "de");
    // The request's languages come first, the browser's after them, then the default.
    let mut page = Page::new(frame("en"), Some("ja, fr;q=0.5"));
    page.prefer(&tags(&["ko"]));
    assert_eq!(page.lang(), "fr");
}

#[test]
fn without_a_language_the_configured_default() {
    assert_eq!(Page::new(frame("de"), None).lang(), "de");
    assert_eq!(Page::new(frame("de"), Some("ja, *")).lang(), "de");
    let mut page = Page::new(frame("es"), Some(""));
    page.prefer(&tags(&["zz"]));
    assert_eq!(page.lang(), "es");
}

#[test]
fn only_the_start_of_a_long_accept_language_is_read() {
    let padding = "x-pad;q=0.1, ".repeat(60);
    let page = Page::new(frame("en"), Some(&format!("{padding}de")));
    assert_eq!(page.lang(), "en");
    let page = Page::new(frame("en"), Some(&format!("de, {padding}")));
    assert_eq!(page.lang(), "de");
}

#[actix_web::test]
async fn one_page_per_request_made_by_its_extractor() {
    let req = TestRequest::default()
        .insert_header(("accept-language", "fr"))
        .to_http_request();
    assert!(req.extensions().get::<Page>().is_none());
    let page = Page::extract(&req).await.unwrap();
    // A request outside the application (no state) still gets a page: shipped texts, no brand.
    assert_eq!(page.lang(), "fr");
    assert!(page.brand().product_name.is_none());
    assert!(req.extensions().get::<Page>().is_some());
    // What later extractors and middleware see is that same page.
    let mut own = Page::of(&req);
    own.prefer(&tags(&["de"]));
    assert_eq!(own.lang(), "de");
    assert_eq!(Page::of(&req).lang(), "fr");
}
