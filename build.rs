//! Marks the browser tests as ignored on a machine without Chromium and chromedriver, and the
//! accessibility audits as ignored where axe-core (scripts/install-axe.sh) is missing too, so that
//! the test runner counts them as ignored rather than passed. Under `CI` they always run (and fail
//! when something is missing).

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo::rustc-check-cfg=cfg(browser_missing)");
    println!("cargo::rustc-check-cfg=cfg(axe_missing)");
    println!("cargo::rerun-if-env-changed=CI");
    // The folder changes when a package adds or removes a program there.
    println!("cargo::rerun-if-changed=/usr/bin");
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    let present =
        Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists();
    if !present && !ci {
        println!("cargo::rustc-cfg=browser_missing");
    }

    // Where scripts/install-axe.sh puts axe-core; the tests read it from AXE_MIN_JS.
    for var in ["AXE_CACHE_DIR", "XDG_CACHE_HOME", "HOME"] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    let (cache, own_parent) = axe_cache();
    let axe = cache.join("node_modules/axe-core/axe.min.js");
    println!("cargo::rustc-env=AXE_MIN_JS={}", axe.display());
    // Watch the file, or else the cache folder, or else the project's own cache folder above it,
    // so that an install is noticed. Never a path that does not exist (cargo would rerun this
    // script on every build), nor a folder outside those (cargo scans a folder recursively).
    let watched = [
        Some(axe.as_path()),
        Some(cache.as_path()),
        own_parent.as_deref(),
    ];
    if let Some(path) = watched.into_iter().flatten().find(|p| p.exists()) {
        println!("cargo::rerun-if-changed={}", path.display());
    }
    if !axe.is_file() && !ci {
        println!("cargo::rustc-cfg=axe_missing");
    }
}

/// The same folder as scripts/install-axe.sh picks, and for the default one the project's cache
/// folder it lies in.
fn axe_cache() -> (PathBuf, Option<PathBuf>) {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = env("AXE_CACHE_DIR") {
        return (dir.into(), None);
    }
    let own = env("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"))
        .join("kratos-hydra-bridge");
    (own.join("npm"), Some(own))
}
