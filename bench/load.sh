#!/usr/bin/env bash
# Load figures for `meshward serve` (issue 6): wrk with keep-alive connections POSTing a real
# ~3 KB AdmissionReview (a VirtualService create as `kubectl apply` sends it, with
# last-applied-configuration and managedFields), beside a baseline: nginx (Debian's
# nginx-light) answering a fixed AdmissionReview response over TLS with the same
# certificate. Prints requests/s, p50/p99 latency and the ratio to the baseline.
#
# Usage: bench/load.sh [--duration 15s] [--connections 16] [--threads 2] [--world PATH]
# Needs: a built build/meshward (BUILD_DIR to change), wrk and nginx (installed with apt-get
# when missing and running as root). Timings are figures, never assertions.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=15s CONNECTIONS=16 WRK_THREADS=2 WORLD=examples/bookinfo
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --threads) WRK_THREADS="$2"; shift 2 ;;
    --world) WORLD="$2"; shift 2 ;;
    *) echo "usage: $0 [--duration D] [--connections N] [--threads N] [--world PATH]" >&2; exit 2 ;;
  esac
done
BUILD_DIR="${BUILD_DIR:-build}"
MESHWARD="$BUILD_DIR/meshward"
[[ -x "$MESHWARD" ]] || { echo "load.sh: $MESHWARD not built (run ./scripts/build.sh)" >&2; exit 2; }

need=()
command -v wrk >/dev/null || need+=(wrk)
[[ -x /usr/sbin/nginx ]] || need+=(nginx-light)
if [[ ${#need[@]} -gt 0 ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "load.sh: missing ${need[*]}; install them (apt-get install ${need[*]})" >&2
    exit 2
  fi
  # Do not let the package start a system nginx on port 80.
  own_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >/dev/null
  [[ $own_policy -eq 1 ]] && rm -f /usr/sbin/policy-rc.d
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

./certs/gen-dev-certs.sh "$work/certs" >/dev/null

# A VirtualService create as kubectl sends it: ~3 KB with the last-applied annotation and
# managedFields.
python3 - "$work/review.json" <<'PY'
import json, sys
vs = {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
      "metadata": {"name": "reviews-bench", "namespace": "bookinfo", "generation": 1,
                   "uid": "0b5f3d8e-5d3c-4d6e-9b59-0f1c8d2a7e11",
                   "creationTimestamp": "2026-11-25T20:00:00Z",
                   "labels": {"app": "reviews", "team": "bookstore"}},
      "spec": {"hosts": ["reviews-bench"], "http": [
          {"name": "jason", "match": [{"headers": {"end-user": {"exact": "jason"}}}],
           "route": [{"destination": {"host": "reviews", "subset": "v2"}}],
           "retries": {"attempts": 3, "perTryTimeout": "1s", "retryOn": "5xx,connect-failure"},
           "timeout": "3s"},
          {"name": "canary", "route": [
              {"destination": {"host": "reviews", "subset": "v1"}, "weight": 90},
              {"destination": {"host": "reviews", "subset": "v3"}, "weight": 10}]}]}}
last = json.dumps({k: vs[k] for k in ("apiVersion", "kind", "spec")} |
                  {"metadata": {"name": "reviews-bench", "namespace": "bookinfo"}})
vs["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": last + "\n"}
vs["metadata"]["managedFields"] = [{
    "apiVersion": "networking.istio.io/v1", "fieldsType": "FieldsV1", "manager": "kubectl-client-side-apply",
    "operation": "Update", "time": "2026-11-25T20:00:00Z",
    "fieldsV1": {"f:metadata": {"f:annotations": {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}},
                                "f:labels": {".": {}, "f:app": {}, "f:team": {}}},
                 "f:spec": {".": {}, "f:hosts": {}, "f:http": {}}}}]
review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
    "uid": "6f2d1c4e-1f0a-4a55-9b6b-2c7f9f1e0d42",
    "kind": {"group": "networking.istio.io", "version": "v1", "kind": "VirtualService"},
    "resource": {"group": "networking.istio.io", "version": "v1", "resource": "virtualservices"},
    "requestKind": {"group": "networking.istio.io", "version": "v1", "kind": "VirtualService"},
    "requestResource": {"group": "networking.istio.io", "version": "v1", "resource": "virtualservices"},
    "name": "reviews-bench", "namespace": "bookinfo", "operation": "CREATE",
    "userInfo": {"username": "kubernetes-admin", "groups": ["system:masters", "system:authenticated"]},
    "object": vs, "oldObject": None, "dryRun": False,
    "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions", "fieldManager": "kubectl-client-side-apply",
                "fieldValidation": "Strict"}}}
open(sys.argv[1], "w").write(json.dumps(review))
PY
echo "review body: $(wc -c < "$work/review.json") bytes"

cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/review.json", "rb"); wrk.body = f:read("*a"); f:close()
LUA

# meshward on 127.0.0.1:18443.
"$MESHWARD" serve --listen 127.0.0.1:18443 --tls-cert "$work/certs/tls.crt" \
  --tls-key "$work/certs/tls.key" --world "$WORLD" > "$work/serve.out" 2> "$work/serve.log" &
pids+=($!)
for _ in $(seq 100); do grep -q "serving on" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
cat "$work/serve.out"

# nginx baseline on 127.0.0.1:18444: a fixed AdmissionReview response.
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx; uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server {
    listen 127.0.0.1:18444 ssl;
    ssl_certificate $work/certs/tls.crt;
    ssl_certificate_key $work/certs/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    client_max_body_size 3m;
    keepalive_requests 1000000;
    location /validate {
      default_type application/json;
      return 200 '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"6f2d1c4e-1f0a-4a55-9b6b-2c7f9f1e0d42","allowed":true}}';
    }
  }
}
NGINX
/usr/sbin/nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
sleep 0.5

run() {  # name url -> "rps p50 p99"
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/post.lua" "$2" > "$work/$1.wrk"
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print rps, p50, p99}' "$work/$1.wrk"
}
read -r m_rps m_p50 m_p99 < <(run meshward https://127.0.0.1:18443/validate)
read -r n_rps n_p50 n_p99 < <(run nginx https://127.0.0.1:18444/validate)
printf '%-10s %12s %10s %10s\n' target req/s p50 p99
printf '%-10s %12s %10s %10s\n' meshward "$m_rps" "$m_p50" "$m_p99"
printf '%-10s %12s %10s %10s\n' nginx "$n_rps" "$n_p50" "$n_p99"
awk -v m="$m_rps" -v n="$n_rps" 'BEGIN { if (n > 0) printf "ratio meshward/nginx: %.2f\n", m / n }'
echo "meshward peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/"${pids[0]}"/status 2>/dev/null || echo unknown)"
