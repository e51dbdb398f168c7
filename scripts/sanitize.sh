#!/usr/bin/env bash
# CI's second build (docs/hardening.md): clang 14 with AddressSanitizer + UndefinedBehaviorSanitizer
# and libFuzzer coverage on every target; runs the test suite in it (any sanitizer report aborts
# the test that caused it), then each fuzz target for FUZZ_SECONDS (default 20) seconds.
# Not one of the README's two commands; .ci/run calls it after ./scripts/test.sh.
# -O0: half the compile time of -O1 for a build CI makes from scratch (the suite runs a little
# slower); a long fuzzing campaign wants -O1 (fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh clang-14 libclang-rt-14-dev llvm-14
BUILD_DIR="${SANITIZE_BUILD_DIR:-build-sanitize}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"  # as build.sh
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-O0 -gline-tables-only" -DMESHWARD_SANITIZE=address,undefined \
  -DMESHWARD_FUZZ=ON -DMESHWARD_BUILD_BENCH=OFF -DMESHWARD_WERROR=ON >/dev/null
ninja -C "$BUILD_DIR"

export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export ASAN_SYMBOLIZER_PATH="${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer-14 || true)}"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" ${SANITIZE_CTEST_ARGS:-}
# One input may take 3 s here, not 1: the -O0 build runs the slowest bodies (decode on a large
# seed) several times slower than -O1, and a false timeout would fail CI. An endless loop is
# still caught.
# A fixed seed (FUZZ_SEED) makes a failure here one that reproduces with the same command.
BUILD_DIR="$BUILD_DIR" FUZZ_TIMEOUT="${FUZZ_TIMEOUT:-3}" FUZZ_ARGS="-seed=${FUZZ_SEED:-1} ${FUZZ_ARGS:-}" \
  ./fuzz/run.sh "${FUZZ_SECONDS:-20}"
