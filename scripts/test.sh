#!/usr/bin/env bash
# Sets up, builds and runs every test (unit and integration) through ctest, then the query
# parser's and the peer codec's fuzzers for a short while (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
ctest --test-dir build --output-on-failure --timeout 900 "$@"
scripts/fuzz.sh 40
