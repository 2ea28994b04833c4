//! The accessibility audit: axe-core run on the page headless Chromium shows, against the WCAG
//! 2.0 and 2.1 A and AA rules, in the light and the dark colour scheme.
//!
//! axe-core comes from scripts/install-axe.sh (a cache outside the work tree; build.rs passes its
//! path as AXE_MIN_JS). Where it or Chromium is missing the tests that audit are ignored, and
//! under `CI` they fail instead (see build.rs).

use serde_json::json;

use super::browser::Browser;

const AXE_MIN_JS: &str = env!("AXE_MIN_JS");
const WCAG_TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const SCHEMES: [&str; 2] = ["light", "dark"];

pub fn axe_source() -> String {
    std::fs::read_to_string(AXE_MIN_JS).unwrap_or_else(|e| {
        panic!("axe-core is not installed at {AXE_MIN_JS} ({e}): run scripts/install-axe.sh")
    })
}

/// A page to audit: its name, its path, and what the browser does there before the audit.
pub struct Visit {
    name: &'static str,
    path: String,
    steps: Vec<Step>,
}

/// What the browser does on a page: types into a field, clicks (once the element is there), or
/// waits for an element, each named by a CSS selector.
pub enum Step {
    Type(&'static str, &'static str),
    Click(&'static str),
    WaitFor(&'static str),
}

impl Visit {
    pub fn open(name: &'static str, path: impl Into<String>) -> Self {
        Visit {
            name,
            path: path.into(),
            steps: Vec::new(),
        }
    }

    pub fn then(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }

    async fn show(&self, browser: &Browser, address: &str) -> &'static str {
        browser.goto(&format!("{address}{}", self.path)).await;
        for step in &self.steps {
            match *step {
                Step::Type(css, text) => browser.type_into(css, text).await,
                Step::Click(css) => {
                    browser.wait_for_selector(css).await;
                    browser.click(css).await;
                }
                Step::WaitFor(css) => browser.wait_for_selector(css).await,
            }
        }
        self.name
    }
}

/// Audits each page in both schemes, checking it is written in `lang`; panics listing every
/// violation.
pub async fn audit_all(browser: &Browser, axe: &str, address: &str, visits: &[Visit], lang: &str) {
    let mut failures = Vec::new();
    for scheme in SCHEMES {
        browser.set_color_scheme(scheme).await;
        for visit in visits {
            let name = visit.show(browser, address).await;
            let shown = browser
                .execute("return document.documentElement.lang", json!([]))
                .await;
            assert_eq!(shown, lang, "{name} is not in the browser's language");
            for violation in audit(browser, axe).await {
                failures.push(format!("{name} [{scheme}]: {violation}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} accessibility violations:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Runs axe-core on the page the browser shows; returns the violations, one line per rule and node.
async fn audit(browser: &Browser, axe: &str) -> Vec<String> {
    // The page's CSP allows no script; WebDriver's scripts are not subject to it.
    let loaded = browser
        .execute(&format!("{axe}\n;return typeof window.axe;"), json!([]))
        .await;
    assert_eq!(loaded, "object", "axe-core did not load");
    let result = browser
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {
                 runOnly: { type: 'tag', values: arguments[0] },
                 resultTypes: ['violations'],
             }).then(r => done({
                 passes: r.passes.length,
                 violations: r.violations.map(v => ({
                     id: v.id, impact: v.impact, help: v.help,
                     nodes: v.nodes.map(n => ({
                         target: n.target.join(' '), html: n.html, summary: n.failureSummary,
                     })),
                 })),
             })).catch(e => done({ error: String(e) }));",
            json!([WCAG_TAGS]),
        )
        .await;
    assert!(result.get("error").is_none(), "axe-core failed: {result}");
    // A page with nothing to check would pass vacuously.
    assert!(result["passes"].as_u64().unwrap_or(0) > 5, "{result}");
    let mut found = Vec::new();
    for violation in result["violations"].as_array().unwrap() {
        for node in violation["nodes"].as_array().unwrap() {
            found.push(format!(
                "{} ({}): {} at `{}`: {} / {}",
                violation["id"].as_str().unwrap_or_default(),
                violation["impact"].as_str().unwrap_or_default(),
                violation["help"].as_str().unwrap_or_default(),
                node["target"].as_str().unwrap_or_default(),
                node["html"].as_str().unwrap_or_default(),
                node["summary"]
                    .as_str()
                    .unwrap_or_default()
                    .replace('\n', " "),
            ));
        }
    }
    found
}
