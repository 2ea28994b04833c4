//! The connected-apps pages: the list, the confirmation, and what a withdrawal did.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use domain::apps::plan::{Listing, Outcome, Report};
use domain::apps::{Entry, Remembered};
use time::OffsetDateTime;

use super::PURPOSE;
use crate::config::join_url;
use crate::error::AppError;
use crate::i18n::{Arg, Localizer};
use crate::pages::{self, Page, add_cookie};
use crate::redirect::Redirect;
use crate::routes::consent::scope_description;
use crate::routes::forms;
use crate::routes::state::AppState;

/// Where the page's links and forms point: root-relative, as the page may sit at any depth.
struct Paths {
    /// The page, which its forms post to as well.
    list: String,
}

impl Paths {
    fn of(state: &AppState) -> Self {
        let settings = &state.settings;
        let root = settings.serve.base_url.path().trim_end_matches('/');
        Self {
            list: format!("{root}{}", settings.apps.path),
        }
    }
}

/// A date in the page's language.
fn date(t: &Localizer, at: OffsetDateTime) -> String {
    t.format(
        "apps-date",
        &[
            ("day", Arg::Number(f64::from(at.day()))),
            ("month", Arg::Number(f64::from(u8::from(at.month())))),
            ("year", Arg::Number(f64::from(at.year()))),
        ],
    )
}

struct ScopeView<'a> {
    name: &'a str,
    description: String,
}

struct EntryView<'a> {
    client_id: &'a str,
    name: &'a str,
    logo: Option<&'a str>,
    site: Option<&'a str>,
    policy: Option<&'a str>,
    terms: Option<&'a str>,
    scopes: Vec<ScopeView<'a>>,
    given: Option<String>,
    remembered: String,
    former: bool,
}

fn entry_view<'a>(entry: &'a Entry, state: &AppState, t: &Localizer) -> EntryView<'a> {
    let descriptions = &state.policies.scope_descriptions;
    let remembered = match entry.remembered {
        Remembered::Not => t.text("apps-not-remembered"),
        Remembered::UntilWithdrawn => t.text("apps-remembered-always"),
        Remembered::Until(at) => t.with("apps-remembered-until", "date", &date(t, at)),
    };
    EntryView {
        client_id: &entry.client_id,
        name: &entry.name,
        logo: entry.logo.as_deref(),
        site: entry.site.as_deref(),
        policy: entry.policy.as_deref(),
        terms: entry.terms.as_deref(),
        scopes: entry
            .scopes
            .iter()
            .map(|scope| ScopeView {
                name: scope,
                description: scope_description(scope, descriptions, t),
            })
            .collect(),
        given: entry
            .given
            .map(|at| t.with("apps-given", "date", &date(t, at))),
        remembered,
        former: entry.former,
    }
}

#[derive(Template)]
#[template(path = "apps.html")]
struct ListPage<'a> {
    page: &'a Page,
    paths: &'a Paths,
    csrf_token: &'a str,
    entries: Vec<EntryView<'a>>,
    more: u32,
    /// What the person's last form did not do, in words.
    note: Option<String>,
}

pub(super) fn list(
    page: &Page,
    req: &HttpRequest,
    state: &AppState,
    identity_id: &str,
    listing: &Listing,
    note: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let t = page.t();
    let csrf = forms::issue_csrf(req, state, PURPOSE, identity_id)?;
    let paths = Paths::of(state);
    let template = ListPage {
        page,
        paths: &paths,
        csrf_token: &csrf.token,
        entries: listing
            .shown
            .iter()
            .map(|e| entry_view(e, state, &t))
            .collect(),
        more: u32::try_from(listing.more).unwrap_or(u32::MAX),
        note: note.map(|id| t.text(id)),
    };
    let mut response = pages::render(status, &template);
    let logos = listing.shown.iter().filter_map(|e| e.logo.as_deref());
    state.brand.allow_page_images(&mut response, logos);
    add_cookie(&mut response, &csrf.cookie)?;
    Ok(response)
}

#[derive(Template)]
#[template(path = "apps_confirm.html")]
struct ConfirmPage<'a> {
    page: &'a Page,
    paths: &'a Paths,
    csrf_token: &'a str,
    /// The one application, or `None` for all of them.
    client: Option<(&'a str, &'a str)>,
    names: Vec<&'a str>,
    /// Applications withdrawn too that `names` leaves out.
    more: u32,
}

pub(super) fn confirm(
    page: &Page,
    req: &HttpRequest,
    state: &AppState,
    identity_id: &str,
    entries: &[Entry],
    all: bool,
) -> Result<HttpResponse, AppError> {
    let csrf = forms::issue_csrf(req, state, PURPOSE, identity_id)?;
    let paths = Paths::of(state);
    // As many names as the list shows; the rest are counted.
    let shown = state.policies.apps.max_entries;
    let client = match (all, entries.first()) {
        (false, Some(entry)) => Some((entry.client_id.as_str(), entry.name.as_str())),
        _ => None,
    };
    let template = ConfirmPage {
        page,
        paths: &paths,
        csrf_token: &csrf.token,
        client,
        names: entries
            .iter()
            .take(shown)
            .map(|e| e.name.as_str())
            .collect(),
        more: u32::try_from(entries.len().saturating_sub(shown)).unwrap_or(u32::MAX),
    };
    let mut response = pages::render(StatusCode::OK, &template);
    add_cookie(&mut response, &csrf.cookie)?;
    Ok(response)
}

#[derive(Template)]
#[template(path = "apps_done.html")]
struct DonePage<'a> {
    page: &'a Page,
    paths: &'a Paths,
    title: String,
    message: String,
    withdrawn: Vec<&'a str>,
    kept: Vec<&'a str>,
}

/// What the withdrawal did: 200 when everything went, else 502 with which still have access.
pub(super) fn done(page: &Page, state: &AppState, report: &Report, all: bool) -> HttpResponse {
    let t = page.t();
    let names =
        |list: &'_ [Entry]| -> Vec<String> { list.iter().map(|e| e.name.clone()).collect() };
    let (status, title, message) = match report.outcome() {
        Outcome::Done if all => (
            StatusCode::OK,
            t.text("apps-done-title"),
            t.text("apps-done-all"),
        ),
        Outcome::Done => (
            StatusCode::OK,
            t.text("apps-done-title"),
            t.with(
                "apps-done-one",
                "client",
                &names(&report.withdrawn).join(", "),
            ),
        ),
        Outcome::Partly => (
            StatusCode::BAD_GATEWAY,
            t.text("apps-partly-title"),
            t.text("apps-try-again"),
        ),
        Outcome::Failed => (
            StatusCode::BAD_GATEWAY,
            t.text("apps-failed-title"),
            t.text("apps-try-again"),
        ),
    };
    let paths = Paths::of(state);
    // One application withdrawn alone is named in the message already.
    let single = report.outcome() == Outcome::Done && !all;
    let template = DonePage {
        page,
        paths: &paths,
        title,
        message,
        withdrawn: if single {
            Vec::new()
        } else {
            report.withdrawn.iter().map(|e| e.name.as_str()).collect()
        },
        kept: report.kept.iter().map(|e| e.name.as_str()).collect(),
    };
    pages::render(status, &template)
}

/// A form that is not the person's own (expired, or made elsewhere): nothing changes.
pub(super) fn refused(page: &Page, state: &AppState) -> HttpResponse {
    let t = page.t();
    let paths = Paths::of(state);
    page.message(
        StatusCode::FORBIDDEN,
        &t.text("apps-form-refused-title"),
        &t.text("apps-form-refused-message"),
        None,
        Some((&paths.list, &t.text("apps-back"))),
    )
}

/// Back to the list.
pub(super) fn back(state: &AppState) -> Redirect {
    let settings = &state.settings;
    Redirect::from_config(join_url(&settings.serve.base_url, &settings.apps.path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_pages_language() {
        let catalogs = crate::i18n::Catalogs::load(None, "en").unwrap();
        let at = time::macros::datetime!(2026-03-04 23:59 UTC);
        for (lang, written) in [
            ("en", "March 4, 2026"),
            ("de", "4. März 2026"),
            ("fr", "4 mars 2026"),
            ("es", "4 de marzo de 2026"),
        ] {
            let t = catalogs.choose(&[lang.parse().unwrap()], &[]);
            assert_eq!(date(&t, at), written, "{lang}");
        }
        let t = catalogs.default_localizer();
        let december = time::macros::datetime!(2027-12-31 00:00 UTC);
        assert_eq!(date(&t, december), "December 31, 2027");
    }
}
