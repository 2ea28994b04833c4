//! The operator's brand, prepared once at start: the header and title values every page reads, the
//! stylesheet and logo the bridge serves, and the Content-Security-Policy that allows exactly them.
//! `routes::brand` serves them.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};
use domain::colour;
use sha2::{Digest, Sha256};

use crate::config::{BrandSettings, Settings};
use crate::pages::PageBrand;

/// Where the bridge serves the logo file and the brand stylesheet.
pub const LOGO_PATH: &str = "/assets/logo";
pub const STYLESHEET_PATH: &str = "/assets/brand.css";

/// The brand, prepared once at start.
pub struct Brand {
    page: PageBrand,
    stylesheet: Option<web::Bytes>,
    /// (content, content type)
    logo: Option<(web::Bytes, &'static str)>,
    /// The origins every page may show images from: the bridge's and the configured logo's.
    img_src: Vec<String>,
    csp: String,
}

impl Brand {
    pub fn new(settings: &Settings) -> Self {
        let brand = &settings.brand;
        let loaded = &brand.loaded;
        // Root-relative links work from every page, however deep, and under a base_url path.
        let root = settings.serve.base_url.path().trim_end_matches('/');
        let mut stylesheet = colour::stylesheet(loaded.primary, loaded.background);
        if let Some(extra) = &loaded.stylesheet {
            stylesheet.push_str("/* brand.stylesheet_file */\n");
            stylesheet.push_str(extra);
        }
        let stylesheet = (!stylesheet.is_empty()).then_some(stylesheet);
        let logo_src = match (&brand.logo_url, &loaded.logo) {
            (Some(url), _) => Some(url.to_string()),
            (None, Some(file)) => Some(format!("{root}{LOGO_PATH}?v={}", fingerprint(&file.bytes))),
            (None, None) => None,
        };
        let page = PageBrand {
            base_stylesheet_href: format!("{root}/assets/style.css"),
            product_name: brand.product_name.as_ref().map(|n| n.trim().to_string()),
            logo_src,
            stylesheet_href: stylesheet
                .as_ref()
                .map(|css| format!("{root}{STYLESHEET_PATH}?v={}", fingerprint(css.as_bytes()))),
        };
        let img_src = image_origins(brand);
        Self {
            page,
            stylesheet: stylesheet.map(web::Bytes::from),
            logo: loaded
                .logo
                .as_ref()
                .map(|l| (web::Bytes::copy_from_slice(&l.bytes), l.content_type)),
            csp: content_security_policy(&img_src),
            img_src,
        }
    }

    /// The policy every answer carries.
    pub fn csp(&self) -> &str {
        &self.csp
    }

    /// What every page's frame shows.
    pub fn page(&self) -> &PageBrand {
        &self.page
    }

    /// The brand stylesheet, when there is anything in it.
    pub fn stylesheet(&self) -> Option<&web::Bytes> {
        self.stylesheet.as_ref()
    }

    /// The logo file and its content type, when one is configured.
    pub fn logo(&self) -> Option<&(web::Bytes, &'static str)> {
        self.logo.as_ref()
    }

    /// Lets one answer show an image from `url`'s origin (the consent page's client logo), on top
    /// of what every page may load. `url` must be an https URL; anything else changes nothing.
    pub fn allow_page_image(&self, response: &mut HttpResponse, url: Option<&str>) {
        self.allow_page_images(response, url);
    }

    /// Lets one answer show images from each of `urls`' origins (the applications' logos), as
    /// [`allow_page_image`](Self::allow_page_image) does for one.
    pub fn allow_page_images<'u>(
        &self,
        response: &mut HttpResponse,
        urls: impl IntoIterator<Item = &'u str>,
    ) {
        let mut img_src = self.img_src.clone();
        for url in urls {
            let Some(origin) = url::Url::parse(url)
                .ok()
                .filter(|u| u.scheme() == "https" && u.host().is_some())
                .map(|u| u.origin().ascii_serialization())
                .filter(|origin| is_plain_origin(origin))
            else {
                continue;
            };
            if !img_src.contains(&origin) {
                img_src.push(origin);
            }
        }
        if img_src.len() == self.img_src.len() {
            return;
        }
        if let Ok(value) = HeaderValue::from_str(&content_security_policy(&img_src)) {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// An origin that cannot end a CSP source list or start a directive: a URL parser lets `;`, `,`
/// and quotes through in a host.
fn is_plain_origin(origin: &str) -> bool {
    origin
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b".-:/[]".contains(&b))
}

/// A short content hash for links, so that a changed file is fetched again despite caching.
fn fingerprint(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where every page may show images from: the bridge itself, and the configured logo's origin.
fn image_origins(brand: &BrandSettings) -> Vec<String> {
    let mut origins = vec!["'self'".to_string()];
    origins.extend(brand.logo_origin());
    origins
}

/// The Content-Security-Policy: styles from the bridge itself, images from `img_src`. No script,
/// font, frame or anything else.
pub fn content_security_policy(img_src: &[String]) -> String {
    format!(
        "default-src 'none'; style-src 'self'; img-src {}; base-uri 'none'; \
         frame-ancestors 'none'",
        img_src.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_only_the_configured_logo_origin() {
        let policy = content_security_policy(&image_origins(&BrandSettings::default()));
        assert!(policy.contains("img-src 'self';"), "{policy}");
        assert!(
            !policy.contains("https:") && !policy.contains("data:"),
            "{policy}"
        );
        let brand = BrandSettings {
            logo_url: Some(url::Url::parse("https://cdn.example.com/img/logo.svg").unwrap()),
            ..Default::default()
        };
        let policy = content_security_policy(&image_origins(&brand));
        assert!(
            policy.contains("img-src 'self' https://cdn.example.com;"),
            "{policy}"
        );
    }

    #[test]
    fn a_page_image_adds_its_origin_once() {
        let settings: Settings = serde_json::from_value(serde_json::json!({
            "serve": { "base_url": "https://auth.example" },
            "hydra": { "admin_url": "http://127.0.0.1:4445" },
            "kratos": {
                "public_url": "http://127.0.0.1:4433",
                "admin_url": "http://127.0.0.1:4434",
                "browser_url": "http://127.0.0.1:4433",
            },
            "brand": { "logo_url": "https://cdn.example.com/logo.svg" },
        }))
        .unwrap();
        let brand = Brand::new(&settings);
        let csp = |url: Option<&str>| {
            let mut response = HttpResponse::Ok().finish();
            brand.allow_page_image(&mut response, url);
            response
                .headers()
                .get(header::CONTENT_SECURITY_POLICY)
                .map(|v| v.to_str().unwrap().to_string())
        };
        assert_eq!(csp(None), None);
        assert_eq!(csp(Some("http://client.example/logo.png")), None);
        assert_eq!(csp(Some("https://cdn.example.com/other.png")), None);
        assert_eq!(csp(Some("https://evil.example;sandbox/l.png")), None);
        assert_eq!(csp(Some("https://evil.example,x/l.png")), None);
        let policy = csp(Some("https://client.example/logo.png")).unwrap();
        assert!(
            policy.contains("img-src 'self' https://cdn.example.com https://client.example;"),
            "{policy}"
        );
        let mut response = HttpResponse::Ok().finish();
        let logos = [
            "https://a.example/1.png",
            "http://b.example/2.png",
            "https://a.example/3.png",
            "https://c.example:8443/4.png",
        ];
        brand.allow_page_images(&mut response, logos);
        let policy = response
            .headers()
            .get(header::CONTENT_SECURITY_POLICY)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            policy.contains(
                "img-src 'self' https://cdn.example.com https://a.example https://c.example:8443;"
            ),
            "{policy}"
        );
    }
}
