#!/usr/bin/env bash
# Builds the real Ory Hydra and Ory Kratos servers that the end-to-end tests run, from their published
# Go modules, into a cache outside the work tree (one folder per program and version). A second run
# finds them there and builds nothing.
#
#   scripts/install-ory.sh            # build what is missing, print the paths
#   ORY_CACHE_DIR=/somewhere scripts/install-ory.sh
#
# Versions: Hydra v2.3.0 and Kratos v1.3.1, the newest releases that the Go module proxy serves as
# module versions. Later Ory releases (v25.x, v26.x) are tagged without the /vN module suffix their
# numbers would need, so the proxy serves them only as pseudo-versions of a commit, and a proxy that
# serves listed versions only (as the one this project's CI reaches) refuses them. Kratos v1.3.1 has
# no identity external_id: the tests that need one say so and run against the fake Kratos instead.
#
# Needs Go (1.22 or newer) and a C compiler (cgo, for SQLite).
set -euo pipefail

HYDRA_VERSION=v2.3.0
KRATOS_VERSION=v1.3.1

cache="${ORY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kratos-hydra-bridge/ory}"

require_tools() {
    if ! command -v go >/dev/null 2>&1; then
        echo "error: Go is required to build Ory Hydra and Kratos (https://go.dev/doc/install, 1.22 or newer)" >&2
        exit 1
    fi
    if ! command -v "${CC:-gcc}" >/dev/null 2>&1 && ! command -v cc >/dev/null 2>&1; then
        echo "error: a C compiler (gcc) is required: Hydra and Kratos use cgo for SQLite" >&2
        exit 1
    fi
}

# build NAME VERSION MODULE TAGS VERSION_VAR < replace-block
#   Writes a small build module that requires the server and repeats the server's own replace
#   directives (`go install module@version` refuses modules that have any), then builds it.
build() {
    local name=$1 version=$2 module=$3 tags=$4 version_var=$5
    local dir="$cache/$name-$version"
    local bin="$dir/$name"
    local replaces
    replaces=$(cat)
    if [ -x "$bin" ] && "$bin" version >/dev/null 2>&1; then
        echo "$name $version: $bin (cached)"
        return
    fi
    require_tools
    echo "$name $version: building into $dir (a few minutes the first time)"
    rm -rf "$dir/build"
    mkdir -p "$dir/build"
    if ! (
        cd "$dir/build"
        printf 'module kratos-hydra-bridge/ory-build/%s\n\ngo 1.22\n\n%s\n' "$name" "$replaces" >go.mod
        export GOFLAGS=-mod=mod CGO_ENABLED=1
        go get -tool "$module@$version"
        go build -trimpath -tags "$tags" \
            -ldflags "-s -w -X $version_var=$version" \
            -o "$bin.tmp" "$module"
    ) >"$dir/build.log" 2>&1; then
        tail -n 40 "$dir/build.log" >&2
        echo "error: building $name $version failed (whole log: $dir/build.log)" >&2
        exit 1
    fi
    mv "$bin.tmp" "$bin"
    rm -rf "$dir/build"
    echo "$name $version: $bin"
}

build hydra "$HYDRA_VERSION" github.com/ory/hydra/v2 sqlite,sqlite_omit_load_extension \
    github.com/ory/hydra/v2/driver/config.Version <<'REPLACE'
replace github.com/gobuffalo/pop/v6 => github.com/ory/pop/v6 v6.2.1-0.20241121111754-e5dfc0f3344b

// Hydra points this at a folder of its repository, which its module does not carry; the published
// SDK of the version Hydra requires has the same API.
replace github.com/ory/hydra-client-go/v2 => github.com/ory/hydra-client-go/v2 v2.2.1
REPLACE

build kratos "$KRATOS_VERSION" github.com/ory/kratos sqlite \
    github.com/ory/kratos/driver/config.Version <<'REPLACE'
replace (
	github.com/go-swagger/go-swagger => github.com/aeneasr/go-swagger v0.19.1-0.20241013070044-bccef3a12e26
	github.com/gobuffalo/pop/v6 => github.com/ory/pop/v6 v6.2.0
	github.com/gorilla/sessions => github.com/ory/sessions v1.2.2-0.20220110165800-b09c17334dc2
	github.com/mattn/go-sqlite3 => github.com/mattn/go-sqlite3 v1.14.22
	// Kratos points this at a folder of its repository; only its tests import it.
	github.com/ory/client-go => github.com/ory/client-go v1.14.3
)
REPLACE
