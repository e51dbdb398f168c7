#!/usr/bin/env bash
# Configures and builds meshward (release-ish, with tests and benchmarks) into build/.
# Used by the README's commands, CI and the Dockerfile, so all build the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build}"
# ccache keys on paths relative to the checkout, so a fresh clone elsewhere (CI) reuses what
# an earlier build of the same sources compiled.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
  -DMESHWARD_WERROR="${MESHWARD_WERROR:-ON}" "$@" >/dev/null
ninja -C "$BUILD_DIR"
