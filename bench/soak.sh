#!/usr/bin/env bash
# Soak run for `meshward serve` (issue 9; not part of CI): a steady mix of AdmissionReviews
# for DURATION while everything that changes under a running webhook changes:
#
#   - the serving certificate rotates every 30 s: a new key and certificate from the same CA,
#     swapped in the way kubelet updates a Secret volume (a new timestamped directory, then an
#     atomic rename of the `..data` symlink the file names point through);
#   - the world directory changes every 10 s (one file rewritten: a Service added or removed);
#   - a second server reads its world from the in-test Kubernetes API server run standalone
#     ($BUILD_DIR/tests/fake_apiserver, commands on stdin): an object changes every 5 s, every
#     watch and connection is dropped every 20 s, and history is compacted every 45 s (watches
#     get 410 Gone and relist).
#
# The client (python3, keep-alive connections, one new connection and TLS handshake every 100
# requests per connection, so rotated certificates are met) sends allowed, denied and
# malformed reviews at RATE requests/s, half to each server, and checks every answer: the
# uid echoed and `allowed` as expected for a valid review, 400 for a malformed one. RSS and
# open fds of both servers are sampled every 5 s.
#
# Prints: requests, failed answers to valid requests (must be 0), crashes (must be 0), and
# RSS / fds of each server after warm-up and at the end. Exit status 1 when either count is
# not 0. Timings are figures for people, never assertions.
#
# Environment: DURATION (default 10m; s/m/h suffix), RATE (default 100 requests/s), WARMUP
# (default 30s), BUILD_DIR (default build), MESHWARD (default $BUILD_DIR/meshward),
# FAKE_APISERVER (default $BUILD_DIR/tests/fake_apiserver; without it only the file-world
# server runs). Needs python3 with PyYAML (Debian: python3-yaml) and openssl.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds() {  # 10m -> 600
  local v=$1
  case "$v" in
    *h) echo $(( ${v%h} * 3600 )) ;;
    *m) echo $(( ${v%m} * 60 )) ;;
    *s) echo "${v%s}" ;;
    *) echo "$v" ;;
  esac
}
DURATION_S=$(seconds "${DURATION:-10m}")
WARMUP_S=$(seconds "${WARMUP:-30s}")
RATE="${RATE:-100}"
BUILD_DIR="${BUILD_DIR:-build}"
MESHWARD="${MESHWARD:-$BUILD_DIR/meshward}"
FAKE_APISERVER="${FAKE_APISERVER:-$BUILD_DIR/tests/fake_apiserver}"
[[ -x "$MESHWARD" ]] || { echo "soak.sh: $MESHWARD not built (ninja -C $BUILD_DIR meshward)" >&2; exit 2; }
python3 -c 'import yaml' 2>/dev/null || { echo "soak.sh: needs python3-yaml" >&2; exit 2; }
kube=1
if [[ ! -x "$FAKE_APISERVER" ]]; then
  echo "soak.sh: $FAKE_APISERVER not built (ninja -C $BUILD_DIR fake_apiserver): file world only" >&2
  kube=0
fi
(( WARMUP_S < DURATION_S )) || WARMUP_S=$(( DURATION_S / 4 ))

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- Certificates: one CA; the serving pair behind a kubelet-style ..data symlink. ---------
./certs/gen-dev-certs.sh "$work/ca" >/dev/null
mkdir -p "$work/tls"
generation=0
new_serving_cert() {  # writes a fresh key and certificate into $work/tls/..<generation>
  generation=$((generation + 1))
  local d="$work/tls/..gen_$generation"
  mkdir -p "$d"
  openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out "$d/tls.key"
  openssl req -new -key "$d/tls.key" -subj "/O=meshward-soak/CN=meshward.meshward.svc" -out "$d/tls.csr" 2>/dev/null
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$d/ext.cnf"
  openssl x509 -req -in "$d/tls.csr" -CA "$work/ca/ca.crt" -CAkey "$work/ca/ca.key" -CAcreateserial \
    -days 2 -sha256 -extfile "$d/ext.cnf" -out "$d/tls.crt" 2>/dev/null
  rm -f "$d/tls.csr" "$d/ext.cnf"
  ln -sfn "..gen_$generation" "$work/tls/..data_tmp"
  mv -T "$work/tls/..data_tmp" "$work/tls/..data"   # atomic, as kubelet does
  [[ $generation -gt 1 ]] && rm -rf "$work/tls/..gen_$((generation - 1))"
  return 0
}
new_serving_cert
ln -s ..data/tls.crt "$work/tls/tls.crt"
ln -s ..data/tls.key "$work/tls/tls.key"

# --- Worlds: the bundled example as files, and in the standalone API server. --------------
mkdir -p "$work/world"
cp examples/bookinfo/*.yaml "$work/world/"
world_change=0
rewrite_world() {  # adds or removes a Service in a file of its own
  world_change=$((world_change + 1))
  if (( world_change % 2 )); then
    printf 'apiVersion: v1\nkind: Service\nmetadata: {name: churn-%d, namespace: bookinfo}\nspec:\n  ports: [{name: http, port: 9080}]\n' \
      "$world_change" > "$work/world/churn.yaml.tmp"
    mv "$work/world/churn.yaml.tmp" "$work/world/churn.yaml"
  else
    rm -f "$work/world/churn.yaml"
  fi
}

serve() {  # name port args... -> starts meshward serve, records its pid
  local name=$1 port=$2
  shift 2
  "$MESHWARD" serve --listen "127.0.0.1:$port" --tls-cert "$work/tls/tls.crt" --tls-key "$work/tls/tls.key" \
    --threads 2 "$@" > "$work/$name.out" 2> "$work/$name.log" &
  pids+=($!)
  eval "${name}_pid=$!"
}
ready() {  # port
  for _ in $(seq 600); do
    [[ "$(curl -s --cacert "$work/ca/ca.crt" "https://127.0.0.1:$1/readyz" 2>/dev/null)" == "ready" ]] && return 0
    sleep 0.2
  done
  return 1
}

serve files 18543 --world "$work/world"
ports=(18543)
names=(files)
if (( kube )); then
  mkfifo "$work/api.cmd"
  "$FAKE_APISERVER" "$work/kubeconfig" < "$work/api.cmd" > "$work/api.out" 2> "$work/api.log" &
  pids+=($!)
  api_pid=$!
  exec 3> "$work/api.cmd"
  for _ in $(seq 300); do grep -q '^ready' "$work/api.out" 2>/dev/null && break; sleep 0.1; done
  grep -q '^ready' "$work/api.out" || { echo "soak.sh: fake_apiserver did not start" >&2; cat "$work/api.log" >&2; exit 1; }
  # The same bookinfo objects, as JSON, one `put` per line.
  python3 - examples/bookinfo/*.yaml >&3 <<'PY'
import json, sys, yaml
for path in sys.argv[1:]:
    for doc in yaml.safe_load_all(open(path)):
        if doc:
            print("put " + json.dumps(doc, separators=(",", ":")))
PY
  serve kube 18544 --kubeconfig "$work/kubeconfig"
  ports+=(18544)
  names+=(kube)
fi
for p in "${ports[@]}"; do
  ready "$p" || { echo "soak.sh: server on $p not ready" >&2; cat "$work"/*.log >&2; exit 1; }
done
echo "soak: ${DURATION_S}s at $RATE req/s against ${names[*]} (warm-up ${WARMUP_S}s)"

# --- The client. ----------------------------------------------------------------------------
cat > "$work/client.py" <<'PY'
import http.client, json, ssl, sys, time
ca, duration, rate = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
ports = [int(p) for p in sys.argv[4:]]
ctx = ssl.create_default_context(cafile=ca)

def review(uid, name, http_routes):
    vs = {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
          "metadata": {"name": name, "namespace": "bookinfo"},
          "spec": {"hosts": [name], "http": http_routes}}
    return json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": uid, "kind": {"group": "networking.istio.io", "version": "v1", "kind": "VirtualService"},
        "resource": {"group": "networking.istio.io", "version": "v1", "resource": "virtualservices"},
        "namespace": "bookinfo", "name": name, "operation": "CREATE", "object": vs, "dryRun": False}})

allow_routes = [{"name": "canary", "route": [
    {"destination": {"host": "reviews", "subset": "v1"}, "weight": 90},
    {"destination": {"host": "reviews", "subset": "v3"}, "weight": 10}]}]
deny_routes = [{"name": "no-action"}]  # MW1201: an HTTP route without an action
CONNS_PER_PORT, RECONNECT = 2, 100

class Conn:
    def __init__(self, port):
        self.port, self.c, self.used = port, None, 0
    def get(self):
        if self.c is None or self.used >= RECONNECT:
            if self.c is not None:
                self.c.close()
            self.c = http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=30)
            self.used = 0
        self.used += 1
        return self.c
    def reset(self):
        if self.c is not None:
            self.c.close()
        self.c = None

conns = [Conn(p) for p in ports for _ in range(CONNS_PER_PORT)]
stats = {"requests": 0, "valid": 0, "malformed": 0, "valid_failed": 0, "malformed_failed": 0,
         "allowed": 0, "denied": 0, "handshakes": 0, "failures": []}
start = time.monotonic()
i = 0
while True:
    due = start + i / rate
    now = time.monotonic()
    if now - start >= duration:
        break
    if due > now:
        time.sleep(due - now)
    kind = ("allow", "deny", "allow", "malformed")[i % 4]
    uid = f"{kind}-{i}"
    body = {"allow": lambda: review(uid, "soak-allow", allow_routes),
            "deny": lambda: review(uid, "soak-deny", deny_routes),
            "malformed": lambda: '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":'}[kind]()
    conn = conns[(i + i // 4) % len(conns)]  # every kind of review reaches every connection
    i += 1
    stats["requests"] += 1
    valid = kind != "malformed"
    stats["valid" if valid else "malformed"] += 1
    problem = None
    try:
        c = conn.get()
        if conn.used == 1:
            stats["handshakes"] += 1
        c.request("POST", "/validate?timeout=10s", body=body, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read()
        if valid:
            if r.status != 200:
                problem = f"status {r.status}: {data[:200]!r}"
            else:
                resp = json.loads(data)["response"]
                if resp.get("uid") != uid:
                    problem = f"uid {resp.get('uid')} for {uid}"
                elif resp.get("allowed") != (kind == "allow"):
                    problem = f"allowed={resp.get('allowed')} for {kind}: {data[:300]!r}"
                else:
                    stats["allowed" if kind == "allow" else "denied"] += 1
        elif r.status != 400:
            problem = f"malformed answered {r.status}"
        if r.getheader("Connection", "").lower() == "close":
            conn.reset()
    except Exception as e:  # a connection error is a failed answer too
        problem = f"{type(e).__name__}: {e}"
        conn.reset()
    if problem:
        stats["valid_failed" if valid else "malformed_failed"] += 1
        if len(stats["failures"]) < 20:
            stats["failures"].append(f"port {conn.port} {uid}: {problem}")
stats["seconds"] = round(time.monotonic() - start, 1)
print(json.dumps(stats))
PY
python3 "$work/client.py" "$work/ca/ca.crt" "$DURATION_S" "$RATE" "${ports[@]}" > "$work/client.json" &
client_pid=$!
pids+=("$client_pid")

# --- Churn and samples, once a second. ------------------------------------------------------
sample() {  # pid -> "RSS_KiB FDS"
  local rss fds
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0)
  fds=$(ls "/proc/$1/fd" 2>/dev/null | wc -l)
  echo "${rss:-0} $fds"
}
declare -A warm end_ peak
crashes=0
t=0
kube_obj=0
while kill -0 "$client_pid" 2>/dev/null; do
  sleep 1
  t=$((t + 1))
  (( t % 30 == 0 )) && new_serving_cert
  (( t % 10 == 0 )) && rewrite_world
  if (( kube )); then
    if (( t % 5 == 0 )); then
      kube_obj=$((kube_obj + 1))
      echo "put {\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"churn-$((kube_obj % 3))\",\"namespace\":\"bookinfo\",\"labels\":{\"gen\":\"$kube_obj\"}},\"spec\":{\"ports\":[{\"name\":\"http\",\"port\":9080}]}}" >&3
    fi
    (( t % 20 == 0 )) && echo drop >&3
    (( t % 45 == 0 )) && echo compact >&3
  fi
  if (( t % 5 == 0 )); then
    for n in "${names[@]}"; do
      pid_var="${n}_pid"
      read -r rss fds < <(sample "${!pid_var}")
      (( t <= WARMUP_S )) && warm[$n]="$rss $fds"
      end_[$n]="$rss $fds"
      read -r prss _ <<< "${peak[$n]:-0 0}"
      (( rss > prss )) && peak[$n]="$rss $fds"
      echo "$t $n $rss $fds" >> "$work/samples.txt"
    done
  fi
done
wait "$client_pid" || true

for n in "${names[@]}"; do
  pid_var="${n}_pid"
  kill -0 "${!pid_var}" 2>/dev/null || { echo "soak: $n server died" >&2; crashes=$((crashes + 1)); }
done
# The server's own view: each family summed over its labels.
for i in "${!names[@]}"; do
  curl -s --cacert "$work/ca/ca.crt" "https://127.0.0.1:${ports[$i]}/metrics" | awk -v n="${names[$i]}" '
    /^#/ { next }
    { name = $1; sub(/\{.*/, "", name); if ($1 ~ /result="error"/) name = name "_failed"; v[name] += $2 }
    END {
      split("tls_certificate_loads_total tls_certificate_reload_errors_total world_reloads_total " \
            "world_reloads_total_failed world_generation http_errors_total requests_shed_total " \
            "connections_evicted_total connections_timed_out_total connections_rejected_total " \
            "watch_streams_total watch_restarts_total watch_errors_total", want, " ")
      line = n " server metrics:"
      for (j = 1; j in want; j++) if (("meshward_" want[j]) in v) line = line " " want[j] "=" v["meshward_" want[j]]
      print line
    }' || true
done
if (( kube )); then echo stats >&3; sleep 0.5; echo "fake API server: $(grep '^lists' "$work/api.out" | tail -1)"; fi
# A clean stop: SIGTERM, exit status 0.
for n in "${names[@]}"; do
  pid_var="${n}_pid"
  if kill -0 "${!pid_var}" 2>/dev/null; then
    kill -TERM "${!pid_var}"
    if ! wait "${!pid_var}"; then echo "soak: $n server exited non-zero" >&2; crashes=$((crashes + 1)); fi
  fi
done

python3 - "$work/client.json" "$crashes" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"requests: {s['requests']} in {s['seconds']} s ({s['requests'] / max(s['seconds'], 1):.0f}/s; "
      f"{s['valid']} valid: {s['allowed']} allowed, {s['denied']} denied; {s['malformed']} malformed; "
      f"{s['handshakes']} TLS handshakes)")
print(f"failed answers to valid requests: {s['valid_failed']}")
print(f"wrong answers to malformed requests: {s['malformed_failed']}")
print(f"crashes: {sys.argv[2]}")
for f in s["failures"]:
    print("  " + f)
PY
for n in "${names[@]}"; do
  read -r wr wf <<< "${warm[$n]:-0 0}"
  read -r er ef <<< "${end_[$n]:-0 0}"
  read -r pr _ <<< "${peak[$n]:-0 0}"
  echo "$n server: RSS warm-up ${wr} KiB, end ${er} KiB (peak ${pr} KiB); fds warm-up ${wf}, end ${ef}"
done
echo "certificate rotations: $((generation - 1)), world rewrites: $world_change$( (( kube )) && echo ", API server object changes: $kube_obj, drops: $((t / 20)), compactions: $((t / 45))")"
valid_failed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["valid_failed"])' "$work/client.json")
[[ "$valid_failed" == 0 && "$crashes" == 0 ]]
