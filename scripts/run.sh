#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, and runs meshward on the
# bundled Bookinfo world. Until the webhook server lands (issue 6), the main job is the
# offline check; extra arguments are passed to `meshward check`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
./scripts/build.sh
exec "${BUILD_DIR:-build}/meshward" check -f examples/bookinfo "$@"
