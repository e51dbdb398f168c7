#!/usr/bin/env bash
# fuzz/seed.sh [WORK_DIR]: builds the generated seed corpora into WORK_DIR/seeds/<target>/
# (default $BUILD_DIR/fuzz-work), one file per seed, from the repository's manifests
# (tests/golden, examples, charts): raw manifests, AdmissionReviews, HTTP requests, watch
# streams, list pages, regexes (fuzz/bodies/seeds.cpp). Builds nothing: it runs the fuzz_seeds
# tool of a -DMESHWARD_FUZZ=ON build directory ($BUILD_DIR, default build-sanitize).
# The small hand-picked seeds in fuzz/seeds/<target>/ are committed and used as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build-sanitize}"
WORK_DIR="${1:-${FUZZ_WORK_DIR:-$BUILD_DIR/fuzz-work}}"
tool="$BUILD_DIR/fuzz/fuzz_seeds"
if [ ! -x "$tool" ]; then
  echo "seed.sh: $tool not found: build it first (fuzz/README.md)" >&2
  exit 2
fi
rm -rf "$WORK_DIR/seeds"
mkdir -p "$WORK_DIR/seeds"
MESHWARD_SOURCE_DIR="$PWD" "$tool" "$WORK_DIR/seeds"
