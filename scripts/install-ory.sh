#!/usr/bin/env bash
# Builds the real Ory Hydra and Ory Kratos servers that the end-to-end tests run, into a cache outside
# the work tree (one folder per program and version). A second run finds them there and builds nothing.
#
#   scripts/install-ory.sh                                # build what is missing, print the paths
#   ORY_SOURCE_DIR=/path/to/sources scripts/install-ory.sh
#   ORY_CACHE_DIR=/somewhere scripts/install-ory.sh
#
# Versions:
# - Hydra and Kratos v26.2.0 (what users run, and what docker-compose.yml ships) and v25.4.0 (the oldest
#   release with Kratos's external_id and Hydra's device flow). These releases are tagged without the /vN
#   module suffix their numbers would need, so the Go module proxy does not serve them as modules: they
#   are built from their release source trees. With ORY_SOURCE_DIR set, the trees come from that folder,
#   which holds `<name>-<version>.tar.xz` (a `git archive` of the tag, with the folder `<name>-<version>/`)
#   and a `SHA256SUMS` file that must list each tarball; otherwise from a shallow clone of the tag.
# - Hydra v2.3.0 from the Go module proxy: the last v2 release, whose strict decoding refuses unknown
#   fields in an accept body.
# Every dependency comes from the Go module proxy. Needs Go (1.26 or newer: the v26 releases' go.mod asks for it), a C compiler (cgo, for
# SQLite), and git for the clone.
set -euo pipefail

MATRIX_VERSIONS=(v26.2.0 v25.4.0)
HYDRA_MODULE_VERSION=v2.3.0
GO_MIN=1.26

cache="${ORY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kratos-hydra-bridge/ory}"
sources="${ORY_SOURCE_DIR:-}"
# Absolute, because the builds run in folders of their own.
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
if [ -n "$sources" ]; then
    if [ ! -d "$sources" ]; then
        echo "error: ORY_SOURCE_DIR=$sources is not a folder" >&2
        exit 1
    fi
    sources=$(cd "$sources" && pwd)
fi

require_tools() {
    if ! command -v go >/dev/null 2>&1; then
        echo "error: Go is required to build Ory Hydra and Kratos (https://go.dev/doc/install, $GO_MIN or newer)" >&2
        exit 1
    fi
    local have
    have=$(go env GOVERSION 2>/dev/null | sed -n 's/^go\([0-9][0-9.]*\).*/\1/p')
    if [ -n "$have" ] && [ "$(printf '%s\n%s\n' "$GO_MIN" "$have" | sort -V | head -n1)" != "$GO_MIN" ]; then
        echo "error: Go $have is too old to build Ory Hydra and Kratos v26.2.0: $GO_MIN or newer is needed" >&2
        exit 1
    fi
    if ! command -v "${CC:-gcc}" >/dev/null 2>&1 && ! command -v cc >/dev/null 2>&1; then
        echo "error: a C compiler (gcc) is required: Hydra and Kratos use cgo for SQLite" >&2
        exit 1
    fi
}

tags_of() {
    case $1 in
        hydra) echo sqlite,sqlite_omit_load_extension ;;
        kratos) echo sqlite ;;
    esac
}

version_var_of() {
    case $1 in
        hydra) echo github.com/ory/hydra/v2/driver/config.Version ;;
        kratos) echo github.com/ory/kratos/driver/config.Version ;;
    esac
}

cached() {
    local bin=$1
    [ -x "$bin" ] && "$bin" version >/dev/null 2>&1
}

# unpack NAME VERSION DEST: puts the release tree of NAME at VERSION into DEST/NAME-VERSION.
unpack() {
    local name=$1 version=$2 dest=$3
    if [ -n "$sources" ]; then
        local tarball="$name-$version.tar.xz"
        if [ ! -f "$sources/$tarball" ] || [ ! -f "$sources/SHA256SUMS" ]; then
            echo "error: ORY_SOURCE_DIR=$sources must hold $tarball and SHA256SUMS" >&2
            return 1
        fi
        if ! grep -qE "[[:space:]]\*?$tarball\$" "$sources/SHA256SUMS"; then
            echo "error: $sources/SHA256SUMS does not list $tarball" >&2
            return 1
        fi
        if ! (cd "$sources" && grep -E "[[:space:]]\*?$tarball\$" SHA256SUMS | sha256sum --check --quiet -); then
            echo "error: $sources/$tarball does not match its checksum in SHA256SUMS" >&2
            return 1
        fi
        tar -xJf "$sources/$tarball" -C "$dest"
    else
        if ! command -v git >/dev/null 2>&1; then
            echo "error: git is required to fetch $name $version (or set ORY_SOURCE_DIR)" >&2
            return 1
        fi
        git -c advice.detachedHead=false clone --quiet --depth 1 --branch "$version" \
            "https://github.com/ory/$name.git" "$dest/$name-$version"
    fi
}

# build NAME VERSION STEP [ARGS...]: unless the program is cached, runs `STEP NAME VERSION OUT ARGS...`
# in a new build folder (its output in build.log), which writes the program to OUT, then puts it in place.
build() {
    local name=$1 version=$2 step=$3
    shift 3
    local dir="$cache/$name-$version"
    local bin="$dir/$name"
    if cached "$bin"; then
        echo "$name $version: $bin (cached)"
        return
    fi
    require_tools
    echo "$name $version: building into $dir (a few minutes the first time)"
    rm -rf "$dir/build"
    mkdir -p "$dir/build"
    # Started in the background and then waited for: a subshell tested directly by `if` would run
    # with `set -e` off, and go on after a failed step.
    (
        set -e
        cd "$dir/build"
        "$step" "$name" "$version" "$bin.tmp" "$@"
    ) >"$dir/build.log" 2>&1 &
    if ! wait $!; then
        tail -n 40 "$dir/build.log" >&2
        echo "error: building $name $version failed (whole log: $dir/build.log)" >&2
        exit 1
    fi
    mv "$bin.tmp" "$bin"
    rm -rf "$dir/build"
    echo "$name $version: $bin"
}

# A release from its own source tree and go.mod.
from_source() {
    local name=$1 version=$2 out=$3
    unpack "$name" "$version" .
    cd "$name-$version"
    export GOFLAGS=-mod=mod CGO_ENABLED=1 GOTOOLCHAIN=local
    go build -trimpath -tags "$(tags_of "$name")" \
        -ldflags "-s -w -X $(version_var_of "$name")=$version" -o "$out" .
}

# A published module version, through a small build module that repeats the server's own replace
# directives (`go install module@version` refuses modules that have any).
from_module() {
    local name=$1 version=$2 out=$3 module=$4 replaces=$5
    printf 'module kratos-hydra-bridge/ory-build/%s\n\ngo 1.22\n\n%s\n' "$name" "$replaces" >go.mod
    export GOFLAGS=-mod=mod CGO_ENABLED=1
    go get -tool "$module@$version"
    go build -trimpath -tags "$(tags_of "$name")" \
        -ldflags "-s -w -X $(version_var_of "$name")=$version" -o "$out" "$module"
}

for version in "${MATRIX_VERSIONS[@]}"; do
    build kratos "$version" from_source
    build hydra "$version" from_source
done

build hydra "$HYDRA_MODULE_VERSION" from_module github.com/ory/hydra/v2 "$(cat <<'REPLACE'
replace github.com/gobuffalo/pop/v6 => github.com/ory/pop/v6 v6.2.1-0.20241121111754-e5dfc0f3344b

// Hydra points this at a folder of its repository, which its module does not carry; the published
// SDK of the version Hydra requires has the same API.
replace github.com/ory/hydra-client-go/v2 => github.com/ory/hydra-client-go/v2 v2.2.1
REPLACE
)"
