#!/usr/bin/env bash
# Runs ../shared/bench (the TCP echo harness) for loomnet against its peers, in interleaved rounds like the
# harness's runall.sh, and prints a table with ratios (net-tests/bench/harness_report.py).
#
#   net-tests/bench/run-harness.sh OUT_DIR [SCENARIO...]
#
# OUT_DIR receives results/*.jsonl (one line per scenario run, from the harness's run.sh), the harness's
# own RESULTS.md, report.md (the ratio table), env.txt (machine, JDK, commit) and load.txt (the load
# averages when each server's turn in a round began). SCENARIO defaults to all
# of the harness's (pingpong1 pingpong50 pingpong1000 stream1 stream16 idle10k idlemax churn).
#
# Environment:
#   SERVERS   default "loomnet loomnet-pipe loomnet-streams loomnet-onread raw-vt netty node". loomnet =
#             EchoServer events variant, loomnet-pipe = pipe variant, loomnet-streams = streams variant (the
#             blocking style), loomnet-onread = onread variant, all through net-tests/bench/loomnet.sh; any other
#             name is a launch script in the harness's servers/ folder. With BASE_ROOT set (another built
#             checkout, e.g. main unpacked with git archive and built with ./mvnw -pl net-tests -am package),
#             loomnet-base and loomnet-base-pipe/-streams/-onread run that checkout's EchoServer: an A/B of two
#             builds in the same interleaved rounds. loomnet-f1 .. loomnet-f9 run the events variant with the
#             extra JVM flags in LOOMNET_F1 .. LOOMNET_F9 (an A/B of flags in the same rounds).
#   RUNS      rounds (default 2); each round runs every server once, in the SERVERS order.
#   SHARED_BENCH  the read-only harness (default: ../shared/bench next to this repository); it is copied
#             to BENCH_COPY first (the harness builds into its own folders).
#   BENCH_COPY    default: a new mktemp -d /tmp/loomnet-bench.XXXXXX
#   SKIP_BUILD=1  reuse BENCH_COPY's build and loomnet's target/classes
#   WARMUP, DURATION, HOLD, LOADGEN_THREADS, SERVER_JVM_FLAGS, LOOMNET_JVM_FLAGS: passed through to the
#             harness's run.sh / loomnet.sh.
#
# A full run (6 servers x 8 scenarios x 2 rounds) takes about 21 minutes and loads both cores: run it on a
# quiet machine. A tiny check: WARMUP=1 DURATION=2 RUNS=1 SERVERS="raw-vt loomnet" \
#   net-tests/bench/run-harness.sh /tmp/h pingpong1
set -euo pipefail
[[ $# -ge 1 ]] || { sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 64; }
OUT="$(mkdir -p "$1" && cd "$1" && pwd)"; shift
SCENARIOS=("$@")
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SHARED_BENCH="${SHARED_BENCH:-$(cd "$ROOT/.." && pwd)/shared/bench}"
RUNS="${RUNS:-2}"
read -r -a SERVER_LIST <<<"${SERVERS:-loomnet loomnet-pipe loomnet-streams loomnet-onread raw-vt netty node}"
LOOMNET_SH="$ROOT/net-tests/bench/loomnet.sh"

log() { printf '[run-harness %s] %s\n' "$(date +%T)" "$*" >&2; }

if [[ -z "${BENCH_COPY:-}" ]]; then
  BENCH_COPY="$(mktemp -d /tmp/loomnet-bench.XXXXXX)"
fi
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  [[ -d "$SHARED_BENCH" ]] || { echo "no harness at $SHARED_BENCH (set SHARED_BENCH)" >&2; exit 65; }
  log "copying $SHARED_BENCH to $BENCH_COPY"
  cp -r "$SHARED_BENCH/." "$BENCH_COPY/"
  chmod -R u+w "$BENCH_COPY"
  rm -rf "$BENCH_COPY/results" "$BENCH_COPY/logs"          # the copy's old results are not this run's
  log "building the harness"
  (cd "$BENCH_COPY" && ./build.sh >&2)
  log "building loomnet"
  (cd "$ROOT" && ./mvnw -q -B -pl net-tests -am package -DskipTests >&2)
fi
[[ -x "$BENCH_COPY/run.sh" ]] || { echo "no harness in $BENCH_COPY" >&2; exit 65; }

mkdir -p "$OUT/results"
{
  echo "date: $(date -u +%FT%TZ)"
  echo "commit: $(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown) $(git -C "$ROOT" status --porcelain 2>/dev/null | grep -q . && echo '(dirty)')"
  echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r)"
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "servers: ${SERVER_LIST[*]}; rounds: $RUNS; scenarios: ${SCENARIOS[*]:-all}"
  echo "WARMUP=${WARMUP:-3} DURATION=${DURATION:-10} HOLD=${HOLD:-5} SERVER_JVM_FLAGS=${SERVER_JVM_FLAGS:-} LOOMNET_JVM_FLAGS=${LOOMNET_JVM_FLAGS:-}"
  echo "harness copy: $BENCH_COPY"
} >"$OUT/env.txt"
cat "$OUT/env.txt" >&2

for r in $(seq 1 "$RUNS"); do
  for s in "${SERVER_LIST[@]}"; do
    run_id="r$r-$(date -u +%Y%m%dT%H%M%SZ)"
    log "round $r: $s ($run_id)"
    case "$s" in
      loomnet)      cmd="$LOOMNET_SH {PORT} events" ;;
      loomnet-pipe|loomnet-streams|loomnet-onread) cmd="$LOOMNET_SH {PORT} ${s#loomnet-}" ;;
      loomnet-f[0-9]) v="LOOMNET_F${s#loomnet-f}"
                    cmd="env LOOMNET_JVM_FLAGS='${LOOMNET_JVM_FLAGS:-} ${!v:-}' $LOOMNET_SH {PORT} events" ;;
      loomnet-base) cmd="${BASE_ROOT:?BASE_ROOT is not set}/net-tests/bench/loomnet.sh {PORT} events" ;;
      loomnet-base-*) cmd="${BASE_ROOT:?BASE_ROOT is not set}/net-tests/bench/loomnet.sh {PORT} ${s#loomnet-base-}" ;;
      *)            cmd="" ;;
    esac
    echo "$run_id $s $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/load.txt"
    if [[ -n "$cmd" ]]; then
      SERVER_CMD="$cmd" RUN_ID="$run_id" RESULTS_DIR="$OUT/results" "$BENCH_COPY/run.sh" "$s" "${SCENARIOS[@]}" \
        || log "run.sh $s exited with $? (continuing)"
    else
      (unset SERVER_CMD; RUN_ID="$run_id" RESULTS_DIR="$OUT/results" "$BENCH_COPY/run.sh" "$s" "${SCENARIOS[@]}") \
        || log "run.sh $s exited with $? (continuing)"
    fi
  done
done

python3 "$BENCH_COPY/report.py" --results "$OUT/results" --out "$OUT/RESULTS.md" --notes /dev/null >&2 \
  || log "the harness's report.py failed (continuing)"
python3 "$ROOT/net-tests/bench/harness_report.py" "$OUT/results" | tee "$OUT/report.md"
