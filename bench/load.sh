#!/usr/bin/env bash
# Load figures for `meshward serve` (issue 6), each beside a baseline measured in the same
# command: nginx (Debian's nginx-light) answering a fixed AdmissionReview response over TLS
# with the same certificate. Every client POSTs a real ~3 KB AdmissionReview (a
# VirtualService create as `kubectl apply` sends it, with last-applied-configuration and
# managedFields).
#
#   wrk repeated       wrk, keep-alive connections (the API server keeps its connections), one
#                      change reviewed again and again with a new request.uid each time (a GitOps
#                      controller's periodic dry-runs): its findings are reused
#   wrk distinct       the same, with a new object name in every review: each one is evaluated
#   h2load keep-alive  h2load --h1 (HTTP/1.1 over TLS), keep-alive connections, the body as is
#   h2load handshake   h2load --h1 with `Connection: close`: a new TCP connection and a full
#                      TLS handshake for every request (the API server after a restart, or
#                      clients that do not pool)
#
# For each: requests/s, p50/p99 latency, the server's CPU time per request (user+system,
# from /proc: steadier than req/s when the client shares the cores) and the ratio
# meshward/nginx of requests/s. Timings are figures for people, never assertions; this is
# not part of CI.
#
# Usage: bench/load.sh [--duration 15s] [--connections 16] [--threads 2] [--world PATH]...
#                      [--world-objects N] [--handshakes N]
#                      [--only wrk|distinct|h2load|handshake]...
#   --world PATH       manifests meshward serves (repeatable; default examples/bookinfo)
#   --world-objects N  also serve a generated world of about N objects (bench/gen_world.cpp,
#                      written by $BUILD_DIR/bench/admission_bench --write-world=N)
#   --handshakes N     requests (= connections) in the handshake run (default 3000)
#   --only NAME        run only the named figures (repeatable; default all four)
# Environment: BUILD_DIR (default build), MESHWARD (default $BUILD_DIR/meshward).
# Needs wrk, h2load (nghttp2-client) and nginx: installed with apt-get when missing and
# running as root.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=15s CONNECTIONS=16 WRK_THREADS=2 HANDSHAKES=3000 WORLD_OBJECTS=0
WORLDS=() ONLY=()
usage() {
  echo "usage: $0 [--duration D] [--connections N] [--threads N] [--world PATH]... [--world-objects N]" \
       "[--handshakes N] [--only wrk|distinct|h2load|handshake]..." >&2
  exit 2
}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --threads) WRK_THREADS="$2"; shift 2 ;;
    --world) WORLDS+=("$2"); shift 2 ;;
    --world-objects) WORLD_OBJECTS="$2"; shift 2 ;;
    --handshakes) HANDSHAKES="$2"; shift 2 ;;
    --only) case "$2" in wrk|distinct|h2load|handshake) ONLY+=("$2") ;; *) usage ;; esac; shift 2 ;;
    *) usage ;;
  esac
done
[[ ${#WORLDS[@]} -gt 0 ]] || WORLDS=(examples/bookinfo)
[[ ${#ONLY[@]} -gt 0 ]] || ONLY=(wrk distinct h2load handshake)
wanted() { [[ " ${ONLY[*]} " == *" $1 "* ]]; }
BUILD_DIR="${BUILD_DIR:-build}"
MESHWARD="${MESHWARD:-$BUILD_DIR/meshward}"
[[ -x "$MESHWARD" ]] || { echo "load.sh: $MESHWARD not built (run ./scripts/build.sh)" >&2; exit 2; }
if [[ "$WORLD_OBJECTS" -gt 0 && ! -x "$BUILD_DIR/bench/admission_bench" ]]; then
  echo "load.sh: --world-objects needs $BUILD_DIR/bench/admission_bench (ninja -C $BUILD_DIR admission_bench)" >&2
  exit 2
fi

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v h2load >/dev/null || need+=(nghttp2-client)
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

# wrk's requests: the review with a new request.uid each time, as the API server sends it;
# with VARY_NAME also a new object name (metadata.name, request.name, the host), so every
# review is a change meshward has not seen. Without it, each review repeats one change (a
# GitOps controller's periodic dry-runs): all but the first reuse its findings
# (admission/findings_cache.h). Each wrk thread numbers its own requests.
write_lua() {  # file vary_name
  cat > "$1" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/review.json", "rb"); local body = f:read("*a"); f:close()
local vary_name = $2
-- The body as literal pieces and markers (1 = uid, 2 = name), joined anew per request.
body = body:gsub("6f2d1c4e%-1f0a%-4a55%-9b6b%-2c7f9f1e0d42", "\1")
if vary_name then body = body:gsub("reviews%-bench", "\2") end
local pieces = {}
for text, marker in body:gmatch("([^\1\2]*)([\1\2]?)") do
  pieces[#pieces + 1] = text
  if marker ~= "" then pieces[#pieces + 1] = marker:byte() end
end
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
local n = 0
function request()
  n = n + 1
  local id = tostring(tid or 0) .. "-" .. tostring(n)
  local out = {}
  for i, p in ipairs(pieces) do
    if p == 1 then out[i] = "uid-" .. id
    elseif p == 2 then out[i] = "reviews-bench-" .. id
    else out[i] = p end
  end
  return wrk.format(nil, nil, nil, table.concat(out))
end
LUA
}
write_lua "$work/post.lua" false
write_lua "$work/post-distinct.lua" true

world_args=()
for w in "${WORLDS[@]}"; do world_args+=(--world "$w"); done
if [[ "$WORLD_OBJECTS" -gt 0 ]]; then
  "$BUILD_DIR/bench/admission_bench" --write-world="$WORLD_OBJECTS" > "$work/generated-world.json"
  world_args+=(--world "$work/generated-world.json")
fi

# meshward on 127.0.0.1:18443 (a large world takes a while to load and evaluate).
"$MESHWARD" serve --listen 127.0.0.1:18443 --tls-cert "$work/certs/tls.crt" \
  --tls-key "$work/certs/tls.key" "${world_args[@]}" > "$work/serve.out" 2> "$work/serve.log" &
pids+=($!)
m_pids=$!
for _ in $(seq 1200); do grep -q "serving on" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
grep -q "serving on" "$work/serve.out" || { echo "load.sh: meshward did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }
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
nginx_master=$!
sleep 0.5
n_pids="$nginx_master $(pgrep -P "$nginx_master" | tr '\n' ' ')"

M_URL=https://127.0.0.1:18443/validate
N_URL=https://127.0.0.1:18444/validate
answer=$(curl -sk -H 'Content-Type: application/json' --data-binary @"$work/review.json" "$M_URL")
echo "meshward's answer: $answer"

cpu_ticks() {  # pid... -> user+system clock ticks of those processes
  local total=0 p f
  for p in "$@"; do
    f=$(cut -d')' -f2- "/proc/$p/stat" 2>/dev/null) || continue
    total=$((total + $(awk '{print $12 + $13}' <<<"$f")))
  done
  echo "$total"
}
HZ=$(getconf CLK_TCK)

# Each runner prints "req/s p50 p99 requests" (latencies as the tool prints them).
run_wrk_with() {  # script name url
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$1" "$3" > "$work/$2.out"
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} / requests in / {n=$1}
       END {print rps, p50, p99, n}' "$work/$2.out"
}
run_wrk() { run_wrk_with "$work/post.lua" "$@"; }                    # name url
run_wrk_distinct() { run_wrk_with "$work/post-distinct.lua" "$@"; }  # name url
# h2load prints no percentiles: they come from its per-request log (start, status, µs).
h2load_figures() {  # name
  local rps n
  rps=$(awk '/^finished in/ {print $4}' "$work/$1.out")
  n=$(awk '/^requests:/ {print $8}' "$work/$1.out")
  python3 - "$work/$1.log" "$rps" "$n" <<'PY'
import sys
d = sorted(int(l.split("\t")[2]) for l in open(sys.argv[1]) if l.count("\t") == 2 and l.split("\t")[1] == "200")
def pct(p):
    if not d: return "-"
    us = d[min(len(d) - 1, int(len(d) * p))]
    return f"{us / 1000:.2f}ms" if us >= 1000 else f"{us}us"
print(sys.argv[2], pct(0.50), pct(0.99), sys.argv[3])
PY
}
run_h2load() {  # name url
  h2load --h1 -c "$CONNECTIONS" -t "$WRK_THREADS" -D "$DURATION" -d "$work/review.json" \
    -H 'Content-Type: application/json' --log-file="$work/$1.log" "$2" > "$work/$1.out" 2>&1
  h2load_figures "$1"
}
run_handshake() {  # name url
  # h2load reconnects after each `Connection: close` answer; a count, not a duration (h2load
  # 1.52 does not stop a timed run whose clients reconnect).
  h2load --h1 -c "$CONNECTIONS" -t "$WRK_THREADS" -n "$HANDSHAKES" -d "$work/review.json" \
    -H 'Content-Type: application/json' -H 'Connection: close' --log-file="$work/$1.log" "$2" \
    > "$work/$1.out" 2>&1
  h2load_figures "$1"
}

rows=()
measure() {  # label runner
  local label=$1 runner=$2 t0 t1 rps p50 p99 n m_row n_row
  for target in meshward nginx; do
    local url=$M_URL ps=$m_pids
    [[ $target == nginx ]] && url=$N_URL ps=$n_pids
    # shellcheck disable=SC2086
    t0=$(cpu_ticks $ps)
    read -r rps p50 p99 n < <("$runner" "$runner-$target" "$url")
    # shellcheck disable=SC2086
    t1=$(cpu_ticks $ps)
    local cpu
    cpu=$(awk -v t=$((t1 - t0)) -v hz="$HZ" -v n="$n" 'BEGIN { if (n > 0) printf "%.0fus", t * 1e6 / hz / n; else print "-" }')
    rows+=("$(printf '%-18s %-9s %10s %9s %9s %12s' "$label" "$target" "$rps" "$p50" "$p99" "$cpu")")
    [[ $target == meshward ]] && m_row=$rps || n_row=$rps
  done
  rows+=("$(awk -v l="$label" -v m="$m_row" -v n="$n_row" 'BEGIN { if (n > 0) printf "%-18s %-9s %10.2f\n", l, "ratio", m / n }')")
}
wanted wrk && measure "wrk repeated" run_wrk
wanted distinct && measure "wrk distinct" run_wrk_distinct
wanted h2load && measure "h2load keep-alive" run_h2load
wanted handshake && measure "h2load handshake" run_handshake

printf '%-18s %-9s %10s %9s %9s %12s\n' test target req/s p50 p99 "server CPU/req"
printf '%s\n' "${rows[@]}"
echo "ratio = meshward req/s / nginx req/s in the same run; server CPU/req = user+system time of the server process(es) per answered request"
echo "meshward peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/"$m_pids"/status 2>/dev/null || echo unknown)"
echo "meshward log: $(wc -c < "$work/serve.log") bytes, $(wc -l < "$work/serve.log") lines"
