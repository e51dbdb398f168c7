#!/usr/bin/env bash
# fuzz/run.sh SECONDS [TARGET...]: runs each fuzz target (all by default) for SECONDS seconds
# with its seeds and dictionary; exits non-zero when any target crashes, times out (one input
# over 1 s), leaks, or goes over its memory limit. Builds nothing: the fuzz_* executables come
# from a -DMESHWARD_FUZZ=ON build directory ($BUILD_DIR, default build-sanitize).
#
# Environment: BUILD_DIR; FUZZ_WORK_DIR (default $BUILD_DIR/fuzz-work: corpora that grow
# from run to run, generated seeds, merged dictionaries, crash artifacts, logs);
# FUZZ_RSS_LIMIT_MB (default 2048); FUZZ_TIMEOUT (seconds one input may take, default 1); FUZZ_JOBS (default 1: libFuzzer processes per target, the
# extra ones as -fork workers); FUZZ_ARGS (more libFuzzer flags).
set -uo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || ! [[ "$1" =~ ^[0-9]+$ ]]; then
  echo "usage: fuzz/run.sh SECONDS [TARGET...]" >&2
  exit 2
fi
seconds="$1"
shift
all_targets=(decode admission http kube_watch kube_list kubeconfig policy regex)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

BUILD_DIR="${BUILD_DIR:-build-sanitize}"
WORK_DIR="${FUZZ_WORK_DIR:-$BUILD_DIR/fuzz-work}"
RSS_LIMIT_MB="${FUZZ_RSS_LIMIT_MB:-2048}"
TIMEOUT="${FUZZ_TIMEOUT:-1}"
JOBS="${FUZZ_JOBS:-1}"
export MESHWARD_SOURCE_DIR="$PWD"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
export ASAN_SYMBOLIZER_PATH="${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || true)}"

for t in "${targets[@]}"; do
  if [ ! -x "$BUILD_DIR/fuzz/fuzz_$t" ]; then
    echo "run.sh: $BUILD_DIR/fuzz/fuzz_$t not found (targets: ${all_targets[*]}; build: fuzz/README.md)" >&2
    exit 2
  fi
done
if [ ! -d "$WORK_DIR/seeds" ]; then
  BUILD_DIR="$BUILD_DIR" ./fuzz/seed.sh "$WORK_DIR" >/dev/null || exit 2
fi

dict_for() {
  case "$1" in
    decode) cat fuzz/dict/yaml.dict fuzz/dict/json.dict ;;
    admission | kube_watch | kube_list) cat fuzz/dict/json.dict ;;
    http) cat fuzz/dict/http.dict fuzz/dict/json.dict ;;
    kubeconfig | policy) cat fuzz/dict/yaml.dict ;;
    regex) cat fuzz/dict/regex.dict ;;
  esac
}

failed=()
mkdir -p "$WORK_DIR/dict" "$WORK_DIR/logs"
printf '%-11s %10s %8s %8s %8s  %s\n' target execs cov ft corpus result
for t in "${targets[@]}"; do
  corpus="$WORK_DIR/corpus/$t"
  artifacts="$WORK_DIR/artifacts/$t"
  log="$WORK_DIR/logs/$t.log"
  mkdir -p "$corpus" "$artifacts" "$WORK_DIR/seeds/$t"
  dict_for "$t" > "$WORK_DIR/dict/$t.dict"
  extra=()
  [ "$JOBS" -gt 1 ] && extra+=("-fork=$JOBS" "-ignore_crashes=0" "-ignore_timeouts=0" "-ignore_ooms=0")
  # New inputs go to the first directory; the others (seeds, regressions) are only read.
  # libFuzzer exits on a directory that does not exist (git keeps no empty ones).
  inputs=("$corpus" "$WORK_DIR/seeds/$t")
  for d in "fuzz/seeds/$t" "fuzz/regressions/$t"; do
    [ -d "$d" ] && inputs+=("$d")
  done
  "$BUILD_DIR/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout="$TIMEOUT" -rss_limit_mb="$RSS_LIMIT_MB" \
    -dict="$WORK_DIR/dict/$t.dict" -artifact_prefix="$artifacts/" \
    -print_final_stats=1 -detect_leaks=1 "${extra[@]}" ${FUZZ_ARGS:-} \
    "${inputs[@]}" </dev/null >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s+=$2} END {print s+0}')
  last=$(grep -E '#[0-9]+.*(cov|ft):' "$log" | tail -1)
  [ "$execs" = 0 ] && execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
  size=$(find "$corpus" -type f | wc -l)
  result=ok
  if [ $rc -ne 0 ]; then
    result="FAILED (exit $rc; log $log; artifacts in $artifacts/)"
    failed+=("$t")
  fi
  printf '%-11s %10s %8s %8s %8s  %s\n' "$t" "$execs" "${cov:-?}" "${ft:-?}" "$size" "$result"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  for t in "${failed[@]}"; do
    echo "---- $t: $WORK_DIR/logs/$t.log (end)" >&2
    grep -E 'ERROR|SUMMARY|==[0-9]+==|Test unit written|meshward fuzz|runtime error' "$WORK_DIR/logs/$t.log" | head -20 >&2
  done
  exit 1
fi
