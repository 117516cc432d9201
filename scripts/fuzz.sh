#!/usr/bin/env bash
# Builds the query parser's libFuzzer target with clang into ./build-fuzz and runs it for a short
# while (default 60 s) over the committed seed corpus; new inputs stay in build-fuzz, a crash
# fails the run and leaves its input there. Usage: scripts/fuzz.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
  -DCMAKE_CXX_COMPILER=clang++-14 -DGK_FUZZ=ON -DGK_BUILD_TESTS=OFF -DGK_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target gk_query_fuzz
mkdir -p build-fuzz/fuzz_parser_corpus
build-fuzz/query/gk_query_fuzz -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
  -artifact_prefix=build-fuzz/ -dict=query/fuzz_parser.dict \
  build-fuzz/fuzz_parser_corpus query/fuzz_corpus 2>&1 | tail -n 12
