#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, makes development
# certificates (build/dev-certs) and starts the admission webhook on the bundled Bookinfo
# world: `meshward serve` on https://127.0.0.1:8443 until Ctrl-C. Extra arguments are
# passed to `meshward serve` (e.g. --listen 127.0.0.1:9443, --threads 2).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
./scripts/build.sh
BUILD_DIR="${BUILD_DIR:-build}"
CERT_DIR="${CERT_DIR:-$BUILD_DIR/dev-certs}"
./certs/gen-dev-certs.sh "$CERT_DIR" >&2
echo "meshward: try: curl --cacert $CERT_DIR/ca.crt https://127.0.0.1:8443/readyz" >&2
exec "$BUILD_DIR/meshward" serve --listen 127.0.0.1:8443 \
  --tls-cert "$CERT_DIR/tls.crt" --tls-key "$CERT_DIR/tls.key" \
  --world examples/bookinfo "$@"
