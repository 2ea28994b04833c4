//! What every page shares: the error page, language, brand, accessibility, keyboard use and real
//! browsers, security headers and cookies, and redirects only where Hydra, Kratos or the config say.

mod accessibility;
mod brand;
mod browser;
mod browser_language;
mod error;
mod keyboard;
mod language;
mod redirects;
mod security;
