#!/usr/bin/env bash
# The CPU of one sign-in through the real Hydra and Kratos (the end-to-end tests' stack, release
# build of the bridge): how much of it each server uses, for a first sign-in (Kratos password login,
# consent page, token exchange) and for single sign-on. Needs scripts/install-ory.sh first.
#
#   bench/real-sign-in.sh            # 50 people
#   SIGN_INS=200 bench/real-sign-in.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-ory.sh
cargo test --release --test e2e -- --ignored --nocapture --test-threads 1 measure
