//! The `brand:` section: the operator's product name, logo, colours and stylesheet on the pages.
//! Files are read once, at start; a bad value or an unreadable file stops the start.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use url::Url;

use domain::colour::{self, Rgb};

/// The largest logo file the bridge serves.
pub const MAX_LOGO_BYTES: u64 = 512 * 1024;
/// The largest operator stylesheet.
pub const MAX_STYLESHEET_BYTES: u64 = 256 * 1024;
/// The longest product name, in characters.
pub const MAX_PRODUCT_NAME_CHARS: usize = 80;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandSettings {
    /// Shown in the page header and in every page's title.
    #[serde(default)]
    pub product_name: Option<String>,
    /// An https logo the browser loads from elsewhere; its origin joins the CSP's img-src.
    #[serde(default)]
    pub logo_url: Option<Url>,
    /// A png, svg or webp file that the bridge serves itself, at `/assets/logo`.
    #[serde(default)]
    pub logo_file: Option<PathBuf>,
    /// `#rgb` or `#rrggbb`.
    #[serde(default)]
    pub primary_color: Option<String>,
    /// `#rgb` or `#rrggbb`: the light scheme's page background.
    #[serde(default)]
    pub background_color: Option<String>,
    /// A CSS file served after the built-in one.
    #[serde(default)]
    pub stylesheet_file: Option<PathBuf>,
    /// What `load` read and checked; empty until then.
    #[serde(skip)]
    pub loaded: LoadedBrand,
}

/// The brand as the pages use it: checked values and the files' contents.
#[derive(Clone, Default)]
pub struct LoadedBrand {
    pub primary: Option<Rgb>,
    pub background: Option<Rgb>,
    pub logo: Option<LogoFile>,
    pub stylesheet: Option<Arc<str>>,
}

#[derive(Clone)]
pub struct LogoFile {
    pub bytes: Arc<[u8]>,
    pub content_type: &'static str,
}

/// Lengths only: the files' contents stay out of debug output.
impl fmt::Debug for LoadedBrand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadedBrand")
            .field("primary", &self.primary)
            .field("background", &self.background)
            .field("logo_bytes", &self.logo.as_ref().map(|l| l.bytes.len()))
            .field(
                "stylesheet_bytes",
                &self.stylesheet.as_ref().map(|s| s.len()),
            )
            .finish()
    }
}

impl BrandSettings {
    /// Checks every value and reads the files (relative paths are taken from `config_dir`, the
    /// config file's folder). Returns the offending key and why.
    pub(super) fn load(&mut self, config_dir: &Path) -> Result<(), (String, String)> {
        let key = |k: &str| format!("brand.{k}");
        if let Some(name) = &self.product_name
            && let Err(reason) = check_product_name(name)
        {
            return Err((key("product_name"), reason));
        }
        let primary =
            check_colour(self.primary_color.as_deref()).map_err(|r| (key("primary_color"), r))?;
        let background = check_colour(self.background_color.as_deref())
            .map_err(|r| (key("background_color"), r))?;
        if let Some(url) = &self.logo_url {
            if self.logo_file.is_some() {
                return Err((
                    key("logo_url"),
                    "set either brand.logo_url or brand.logo_file, not both".into(),
                ));
            }
            check_logo_url(url).map_err(|r| (key("logo_url"), r))?;
        }
        if (self.logo_url.is_some() || self.logo_file.is_some()) && self.product_name.is_none() {
            let which = if self.logo_url.is_some() {
                "logo_url"
            } else {
                "logo_file"
            };
            return Err((
                key(which),
                "needs brand.product_name, which names the page's owner beside the logo".into(),
            ));
        }
        let logo = match &self.logo_file {
            Some(path) => {
                let path = config_dir.join(path);
                let bytes =
                    read_capped(&path, MAX_LOGO_BYTES).map_err(|r| (key("logo_file"), r))?;
                let content_type =
                    logo_content_type(&path, &bytes).map_err(|r| (key("logo_file"), r))?;
                Some(LogoFile {
                    bytes: bytes.into(),
                    content_type,
                })
            }
            None => None,
        };
        let stylesheet = match &self.stylesheet_file {
            Some(path) => {
                let path = config_dir.join(path);
                let bytes = read_capped(&path, MAX_STYLESHEET_BYTES)
                    .map_err(|r| (key("stylesheet_file"), r))?;
                let text = String::from_utf8(bytes).map_err(|_| {
                    (
                        key("stylesheet_file"),
                        format!("{} is not UTF-8 text", path.display()),
                    )
                })?;
                Some(Arc::from(text))
            }
            None => None,
        };
        self.loaded = LoadedBrand {
            primary,
            background,
            logo,
            stylesheet,
        };
        Ok(())
    }

    /// The configured logo URL's origin (`https://cdn.example.com`), for the CSP's img-src.
    pub fn logo_origin(&self) -> Option<String> {
        self.logo_url
            .as_ref()
            .map(|u| u.origin().ascii_serialization())
    }
}

fn check_product_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("is empty; leave it out for no product name".into());
    }
    if name.chars().count() > MAX_PRODUCT_NAME_CHARS {
        return Err(format!(
            "is longer than {MAX_PRODUCT_NAME_CHARS} characters"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("holds a line break or other control character".into());
    }
    Ok(())
}

fn check_colour(value: Option<&str>) -> Result<Option<Rgb>, String> {
    value
        .map(|v| {
            colour::parse(v.trim())
                .ok_or_else(|| format!("`{v}` is not a colour: write #rgb or #rrggbb"))
        })
        .transpose()
}

fn check_logo_url(url: &Url) -> Result<(), String> {
    if url.scheme() != "https" {
        return Err(format!("`{url}` must be an https URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{url}` has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials".into());
    }
    Ok(())
}

fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("cannot read {shown}: not a regular file"));
    }
    if meta.len() > cap {
        return Err(format!(
            "{shown} is {} bytes, more than the {cap} allowed",
            meta.len()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    // The file may have grown since the metadata was read.
    if bytes.len() as u64 > cap {
        return Err(format!("{shown} is more than the {cap} bytes allowed"));
    }
    Ok(bytes)
}

/// The logo's type, from its extension, checked against its first bytes so that a file named
/// `.png` is a PNG and is served as one.
pub fn logo_content_type(path: &Path, bytes: &[u8]) -> Result<&'static str, String> {
    let shown = path.display();
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let (content_type, matches) = match extension.as_deref() {
        Some("png") => ("image/png", bytes.starts_with(b"\x89PNG\r\n\x1a\n")),
        Some("webp") => (
            "image/webp",
            bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
        ),
        Some("svg") => ("image/svg+xml", looks_like_svg(bytes)),
        _ => {
            return Err(format!(
                "{shown}: the logo must be a .png, .svg or .webp file"
            ));
        }
    };
    if matches {
        Ok(content_type)
    } else {
        Err(format!("{shown} is not an {content_type} file"))
    }
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|text| text.contains("<svg"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(settings: &mut BrandSettings) -> Result<(), (String, String)> {
        settings.load(Path::new("/nonexistent-dir"))
    }

    #[test]
    fn nothing_configured_loads_nothing() {
        let mut s = BrandSettings::default();
        load(&mut s).unwrap();
        assert!(s.loaded.primary.is_none() && s.loaded.logo.is_none());
        assert_eq!(s.logo_origin(), None);
    }

    #[test]
    fn colours_are_checked_and_kept() {
        let mut s = BrandSettings {
            primary_color: Some("#0A0".into()),
            ..Default::default()
        };
        load(&mut s).unwrap();
        assert_eq!(s.loaded.primary, Some(Rgb(0, 0xaa, 0)));
        s.background_color = Some("white".into());
        let (key, reason) = load(&mut s).unwrap_err();
        assert_eq!(key, "brand.background_color");
        assert!(reason.contains("white"), "{reason}");
    }

    #[test]
    fn logo_url_must_be_https_and_alone() {
        let mut s = BrandSettings {
            product_name: Some("Acme".into()),
            logo_url: Some(Url::parse("http://cdn.example.com/logo.png").unwrap()),
            ..Default::default()
        };
        assert_eq!(load(&mut s).unwrap_err().0, "brand.logo_url");
        s.logo_url = Some(Url::parse("https://cdn.example.com:8443/a/logo.png").unwrap());
        load(&mut s).unwrap();
        assert_eq!(
            s.logo_origin().as_deref(),
            Some("https://cdn.example.com:8443")
        );
        s.logo_file = Some("logo.png".into());
        assert_eq!(load(&mut s).unwrap_err().0, "brand.logo_url");
        s.logo_file = None;
        s.product_name = None;
        assert_eq!(load(&mut s).unwrap_err().0, "brand.logo_url");
    }

    #[test]
    fn product_names_are_bounded() {
        for bad in ["", "  ", "a\nb", &"x".repeat(81)] {
            let mut s = BrandSettings {
                product_name: Some(bad.into()),
                ..Default::default()
            };
            assert_eq!(load(&mut s).unwrap_err().0, "brand.product_name", "{bad:?}");
        }
    }

    #[test]
    fn missing_files_name_the_key_and_the_path() {
        let mut s = BrandSettings {
            stylesheet_file: Some("brand.css".into()),
            ..Default::default()
        };
        let (key, reason) = load(&mut s).unwrap_err();
        assert_eq!(key, "brand.stylesheet_file");
        assert!(reason.contains("/nonexistent-dir/brand.css"), "{reason}");
    }

    #[test]
    fn logo_types_follow_extension_and_content() {
        let png = b"\x89PNG\r\n\x1a\n....";
        assert_eq!(logo_content_type(Path::new("a.PNG"), png), Ok("image/png"));
        assert!(logo_content_type(Path::new("a.svg"), png).is_err());
        assert_eq!(
            logo_content_type(Path::new("a.svg"), b"<?xml?><svg xmlns=\"\"/>"),
            Ok("image/svg+xml")
        );
        assert_eq!(
            logo_content_type(Path::new("a.webp"), b"RIFF\0\0\0\0WEBPVP8 "),
            Ok("image/webp")
        );
        assert!(logo_content_type(Path::new("a.gif"), b"GIF89a").is_err());
        assert!(logo_content_type(Path::new("logo"), png).is_err());
    }
}
