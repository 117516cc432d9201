#!/usr/bin/env bash
# Configures and builds GraphKeeper into ./build (optimised, with debug info).
# Usage: scripts/build.sh [target ...]   (no target: everything, tests included)
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if [ $# -eq 0 ]; then
  cmake --build build -j"$(nproc)"
else
  cmake --build build -j"$(nproc)" --target "$@"
fi
