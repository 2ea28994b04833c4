#!/usr/bin/env bash
# Installs axe-core, the accessibility rules the browser tests run on every page, from the npm
# registry into a cache outside the work tree. A second run finds it there and installs nothing.
#
#   scripts/install-axe.sh              # install when missing, print the path of axe.min.js
#   AXE_CACHE_DIR=/somewhere scripts/install-axe.sh
#
# The tests read $AXE_CACHE_DIR/node_modules/axe-core/axe.min.js (the same default as here, see
# build.rs). Needs Node.js with npm.
set -euo pipefail

AXE_VERSION=4.14.1

cache="${AXE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kratos-hydra-bridge/npm}"
package="$cache/node_modules/axe-core"

installed_version() {
    node -p "require(process.argv[1]).version" "$package/package.json" 2>/dev/null || true
}

if [ -f "$package/axe.min.js" ] && [ "$(installed_version)" = "$AXE_VERSION" ]; then
    echo "axe-core $AXE_VERSION: $package/axe.min.js (cached)"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "error: npm is required to install axe-core (apt-get install nodejs npm)" >&2
    exit 1
fi
mkdir -p "$cache"
# A package.json of its own keeps npm from looking for one in a parent folder.
[ -f "$cache/package.json" ] || printf '{ "private": true }\n' >"$cache/package.json"
npm install --prefix "$cache" --no-audit --no-fund --ignore-scripts --save-exact \
    "axe-core@$AXE_VERSION" >/dev/null
if [ ! -f "$package/axe.min.js" ] || [ "$(installed_version)" != "$AXE_VERSION" ]; then
    echo "error: npm did not install axe-core $AXE_VERSION into $cache" >&2
    exit 1
fi
echo "axe-core $AXE_VERSION: $package/axe.min.js"
