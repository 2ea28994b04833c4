use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, ResponseError};

use super::*;
use crate::i18n::Catalogs;
use crate::pages::{Frame, PageBrand};

fn page(accept_language: &str) -> Page {
    let brand = PageBrand {
        product_name: Some("Acme Cloud".into()),
        ..PageBrand::default()
    };
    let frame = Frame::new(Catalogs::load(None, "en").unwrap(), brand);
    Page::new(Arc::new(frame), Some(accept_language))
}

fn body(response: HttpResponse) -> String {
    let bytes = response.into_body().try_into_bytes().unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn an_error_page_is_written_once_in_the_pages_language_with_its_brand() {
    let failure = page("de").fail(AppError::NotFound);
    assert_eq!(failure.status_code(), StatusCode::NOT_FOUND);
    let response = failure.error_response();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = body(response);
    assert!(html.contains("<html lang=\"de\">"), "{html}");
    assert!(html.contains("<h1>Seite nicht gefunden</h1>"), "{html}");
    assert!(
        html.contains("<title>Seite nicht gefunden – Acme Cloud</title>"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"brand-name\">Acme Cloud</span>"),
        "{html}"
    );
}

#[test]
fn the_page_a_handler_chose_is_the_one_its_error_is_shown_on() {
    let mut on = page("es");
    on.prefer(&["fr".to_string()]);
    let html = body(on.fail(AppError::Deadline).error_response());
    assert!(html.contains("<html lang=\"fr\">"), "{html}");
    assert!(html.contains("La connexion prend trop de temps"), "{html}");
}

#[test]
fn a_bad_link_says_why() {
    let error = AppError::BadInput(InputError::Missing("login_challenge"));
    let response = error.respond(&page("en"));
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = body(response);
    assert!(html.contains("This link is not valid"), "{html}");
    assert!(
        html.contains("the `login_challenge` parameter is missing"),
        "{html}"
    );
}

#[test]
fn a_request_handled_already_follows_hydra_or_says_so() {
    let handled = |redirect_to: &str| {
        AppError::Hydra(HydraError::AlreadyHandled {
            flow: "login",
            redirect_to: redirect_to.into(),
        })
        .respond(&page("de"))
    };
    let response = handled("https://hydra.example/oauth2/auth?x=1");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers().get(LOCATION).unwrap(),
        "https://hydra.example/oauth2/auth?x=1"
    );
    let response = handled("/oauth2/auth?x=1");
    assert_eq!(response.status(), StatusCode::GONE);
    assert!(body(response).contains("Diese Anfrage ist bereits abgeschlossen"));
    let response = handled("javascript:alert(1)");
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert!(response.headers().get(LOCATION).is_none());
}
