#!/usr/bin/env bash
# Builds Jaeger (v2: an OTLP receiver with in-memory storage and the query API) for the end-to-end
# tracing test, from the Go module proxy into a cache outside the work tree. A second run builds
# nothing.
#
#   scripts/install-jaeger.sh
#   ORY_CACHE_DIR=/somewhere scripts/install-jaeger.sh   # the same cache folder as install-ory.sh
#
# Needs Go (1.24 or newer).
set -euo pipefail

VERSION=v1.75.0
MODULE=github.com/jaegertracing/jaeger

cache="${ORY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kratos-hydra-bridge/ory}"
# Absolute, because the build runs in a folder of its own.
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
dir="$cache/jaeger-$VERSION"
bin="$dir/jaeger"

if [ -x "$bin" ] && "$bin" version >/dev/null 2>&1; then
    echo "jaeger $VERSION: $bin (cached)"
    exit 0
fi
if ! command -v go >/dev/null 2>&1; then
    echo "error: Go is required to build Jaeger (https://go.dev/doc/install, 1.24 or newer)" >&2
    exit 1
fi
echo "jaeger $VERSION: building into $dir (a few minutes the first time)"
rm -rf "$dir/build"
mkdir -p "$dir/build"
# In the background and then waited for, so that `set -e` holds in the subshell (under `if` it would
# be off, and a failed `go get` would go on to `go build`).
(
    set -e
    cd "$dir/build"
    printf 'module kratos-hydra-bridge/jaeger-build\n\ngo 1.24\n' >go.mod
    export GOFLAGS=-mod=mod
    go get -tool "$MODULE/cmd/jaeger@$VERSION"
    go build -trimpath -ldflags "-s -w" -o "$bin.tmp" "$MODULE/cmd/jaeger"
) >"$dir/build.log" 2>&1 &
if ! wait $!; then
    tail -n 40 "$dir/build.log" >&2
    echo "error: building jaeger $VERSION failed (whole log: $dir/build.log)" >&2
    exit 1
fi
mv "$bin.tmp" "$bin"
rm -rf "$dir/build"
echo "jaeger $VERSION: $bin"
