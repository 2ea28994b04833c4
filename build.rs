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
    let axe = axe_cache().join("node_modules/axe-core/axe.min.js");
    println!("cargo::rustc-env=AXE_MIN_JS={}", axe.display());
    // Watch the file, or the nearest folder above it that exists, so that an install is noticed.
    // Not a path that does not exist: cargo would then rerun this script on every build.
    if let Some(watched) = axe.ancestors().take(5).find(|p| p.exists()) {
        println!("cargo::rerun-if-changed={}", watched.display());
    }
    if !axe.is_file() && !ci {
        println!("cargo::rustc-cfg=axe_missing");
    }
}

/// The same folder as scripts/install-axe.sh picks.
fn axe_cache() -> PathBuf {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = env("AXE_CACHE_DIR") {
        return dir.into();
    }
    let cache = env("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    cache.join("kratos-hydra-bridge/npm")
}
