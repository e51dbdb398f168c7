#!/usr/bin/env bash
# Generates development TLS material for `meshward serve`: a CA and a server certificate
# (ECDSA P-256) valid for localhost, 127.0.0.1, ::1 and the in-cluster Service names
# meshward.meshward.svc[.cluster.local]. Never use these in production.
#
# Usage: certs/gen-dev-certs.sh OUT_DIR [--force]
#   Writes OUT_DIR/ca.crt, ca.key, tls.crt, tls.key (the names a kubernetes.io/tls Secret
#   mounts). Idempotent: existing files are kept unless --force is given or the server
#   certificate expires within 7 days. Keys are written 0600.
set -euo pipefail

out="${1:-}"
force="${2:-}"
if [[ -z "$out" ]]; then
  echo "usage: $0 OUT_DIR [--force]" >&2
  exit 2
fi
mkdir -p "$out"
cd "$out"

days="${MESHWARD_CERT_DAYS:-365}"
if [[ "$force" != "--force" && -s ca.crt && -s ca.key && -s tls.crt && -s tls.key ]] &&
   openssl x509 -in tls.crt -noout -checkend $((7 * 24 * 3600)) >/dev/null 2>&1; then
  echo "gen-dev-certs: $out already holds a valid certificate (use --force to regenerate)"
  exit 0
fi

umask 077
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# 1. The development CA.
openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/ca.key" 2>/dev/null
openssl req -x509 -new -key "$tmp/ca.key" -sha256 -days "$days" -subj "/O=meshward-dev/CN=meshward dev CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out "$tmp/ca.crt" 2>/dev/null

# 2. The server key and certificate, signed by the CA.
openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/tls.key.ec" 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$tmp/tls.key.ec" -out "$tmp/tls.key"
openssl req -new -key "$tmp/tls.key" -subj "/O=meshward-dev/CN=meshward.meshward.svc" -out "$tmp/tls.csr" 2>/dev/null
cat > "$tmp/ext.cnf" <<CNF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1,DNS:meshward.meshward.svc,DNS:meshward.meshward.svc.cluster.local,DNS:meshward
CNF
openssl x509 -req -in "$tmp/tls.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial \
  -days "$days" -sha256 -extfile "$tmp/ext.cnf" -out "$tmp/tls.crt" 2>/dev/null

# Move into place: certificate and key together, so a watcher sees a consistent pair soon.
chmod 600 "$tmp/ca.key" "$tmp/tls.key"
chmod 644 "$tmp/ca.crt" "$tmp/tls.crt"
mv -f "$tmp/ca.key" ca.key
mv -f "$tmp/ca.crt" ca.crt
mv -f "$tmp/tls.key" tls.key
mv -f "$tmp/tls.crt" tls.crt
echo "gen-dev-certs: wrote $out/{ca.crt,ca.key,tls.crt,tls.key} (ECDSA P-256, $days days)"
