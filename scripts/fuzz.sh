#!/usr/bin/env bash
# Builds the libFuzzer targets with clang into ./build-fuzz and runs each for a short while
# (default 60 s each) over its committed seed corpus: the query parser (query/fuzz_corpus) and
# the peer message codec (replication/transport/fuzz_corpus). New inputs stay in build-fuzz;
# a crash fails the run and leaves its input there (build-fuzz/<target>-crash-*).
# Usage: scripts/fuzz.sh [seconds per target]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
  -DCMAKE_CXX_COMPILER=clang++-14 -DGK_FUZZ=ON -DGK_BUILD_TESTS=OFF -DGK_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target gk_query_fuzz gk_peer_fuzz

echo "fuzz: query parser, ${seconds} s"
mkdir -p build-fuzz/fuzz_parser_corpus
build-fuzz/query/gk_query_fuzz -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
  -artifact_prefix=build-fuzz/gk_query_fuzz- -dict=query/fuzz_parser.dict \
  build-fuzz/fuzz_parser_corpus query/fuzz_corpus 2>&1 | tail -n 12

echo "fuzz: peer message codec, ${seconds} s"
mkdir -p build-fuzz/fuzz_peer_corpus
build-fuzz/replication/gk_peer_fuzz -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
  -artifact_prefix=build-fuzz/gk_peer_fuzz- -max_len=65536 \
  build-fuzz/fuzz_peer_corpus replication/transport/fuzz_corpus 2>&1 | tail -n 12
