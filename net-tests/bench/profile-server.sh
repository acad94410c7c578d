#!/usr/bin/env bash
# Profiles one server under one of the harness's load scenarios: where its CPU per message goes.
#
#   net-tests/bench/profile-server.sh OUT_DIR SERVER [SCENARIO]
#
# SERVER is loomnet (EchoServer events variant), loomnet-pipe/-streams/-onread, or a launch script in the
# harness's servers/ folder (netty, raw-vt, ...). SCENARIO is pingpong1 (default), pingpong50 or pingpong1000.
# The server runs under a JFR recording of CPU-time samples (JDK 25's jdk.CPUTimeSample: every thread, system
# calls included) while the harness's load generator drives it; OUT_DIR receives:
#   SERVER-SCENARIO.json      the load generator's result line (msg/s, server CPU from /proc)
#   SERVER-SCENARIO.jfr       the recording; SERVER-SCENARIO-breakdown.txt its summary (jfr_breakdown.py)
#   SERVER-SCENARIO-perf.txt  with perf on the machine: system calls and context switches counted by the kernel
#                             over 10 s of the window (perf stat on syscall tracepoints; needs root)
# and a summary is printed: server CPU per message, system calls per message, the breakdown in µs per message.
# JFR's sampling costs a few percent of CPU: compare servers profiled the same way, not with harness runs.
#
# Environment: BENCH_COPY (required: a harness copy built by run-harness.sh, e.g. its /tmp/loomnet-bench.*),
# WARMUP (s, default 3), DURATION (s, default 15, at least 12), JFR=0 (perf counters only, no recording).
set -euo pipefail
[[ $# -ge 2 ]] || { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 64; }
OUT="$(mkdir -p "$1" && cd "$1" && pwd)"; SERVER=$2; SC=${3:-pingpong1}
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
: "${BENCH_COPY:?set BENCH_COPY to a harness copy built by run-harness.sh}"
WARMUP=${WARMUP:-3}; DURATION=${DURATION:-15}
case "$SC" in
  pingpong1) CONNS=1 ;; pingpong50) CONNS=50 ;; pingpong1000) CONNS=1000 ;;
  *) echo "unknown scenario $SC (pingpong1, pingpong50, pingpong1000)" >&2; exit 64 ;;
esac
case "$SERVER" in
  loomnet) LAUNCH=("$ROOT/net-tests/bench/loomnet.sh" PORT events) ;;
  loomnet-*) LAUNCH=("$ROOT/net-tests/bench/loomnet.sh" PORT "${SERVER#loomnet-}") ;;
  *) LAUNCH=("$BENCH_COPY/servers/$SERVER.sh" PORT)
     [[ -x "${LAUNCH[0]}" ]] || { echo "no ${LAUNCH[0]}" >&2; exit 64; } ;;
esac
pick_jdk() {  # the first JDK >= 25 in the machine's JVM folder (the servers' scripts pick the first >= 21)
  local j v
  for j in /usr/lib/jvm/*/bin/java; do
    v=$("$j" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
    [[ -n $v && $v -ge 25 ]] && { dirname "$(dirname "$j")"; return 0; }
  done
  echo "no JDK >= 25 in /usr/lib/jvm (jdk.CPUTimeSample)" >&2; return 1
}
JDK="$(pick_jdk)"
NAME="$SERVER-$SC"
FLAGS=""
if [[ "${JFR:-1}" != 0 ]]; then
  # CPU-time samples every millisecond of CPU; the socket events off, so that JFR does not add to the I/O path.
  "$JDK/bin/jfr" configure --input default jdk.CPUTimeSample#enabled=true jdk.CPUTimeSample#throttle=1ms \
      jdk.SocketRead#enabled=false jdk.SocketWrite#enabled=false --output "$OUT/cpu.jfc" >/dev/null
  FLAGS="-XX:StartFlightRecording:settings=$OUT/cpu.jfc,filename=$OUT/$NAME.jfr,delay=$((WARMUP + 1))s,duration=$((DURATION - 2))s"
fi
PORT=$(( 20000 + RANDOM % 12000 ))
LAUNCH=("${LAUNCH[@]/PORT/$PORT}")
SERVER_JVM_FLAGS="${SERVER_JVM_FLAGS:-} $FLAGS" "${LAUNCH[@]}" >"$OUT/$NAME-server.log" 2>&1 &
SP=$!
trap 'kill -TERM $SP 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
sleep 0.5
PERF_PID=""
if command -v perf >/dev/null; then
  events=task-clock,context-switches
  for s in read write readv writev recvfrom sendto epoll_ctl epoll_wait epoll_pwait epoll_pwait2 futex sched_yield; do
    events+=",syscalls:sys_enter_$s"
  done
  (sleep $((WARMUP + 1)); perf stat -x, -e "$events" -p $SP -o "$OUT/$NAME-perf.txt" -- sleep 10 >/dev/null 2>&1) &
  PERF_PID=$!
fi
load="$(cut -d' ' -f1-3 /proc/loadavg)"
"$JDK/bin/java" -Xms512m -Xmx512m -XX:+UseSerialGC -jar "$BENCH_COPY/loadgen/target/loadgen.jar" \
    --scenario pingpong --conns $CONNS --port $PORT --warmup "$WARMUP" --duration "$DURATION" --threads 2 \
    --server-pid $SP 2>/dev/null | tail -1 | jq -c --arg load "$load" '. + {load_at_start: $load}' >"$OUT/$NAME.json"
[[ -n $PERF_PID ]] && wait $PERF_PID || true
kill -TERM $SP; wait $SP 2>/dev/null || true
trap - EXIT

us=$(jq -r 'if .msgs_per_s > 0 then .server_cpu_pct * 10000 / .msgs_per_s else 0 end' "$OUT/$NAME.json")
jq -r --arg us "$us" '"'"$SERVER $SC"': \(.msgs_per_s) msg/s, server CPU \(.server_cpu_pct)% = \($us | tonumber | . * 100 | round / 100) us/msg, load \(.load_at_start)"' \
    "$OUT/$NAME.json" 2>/dev/null || cat "$OUT/$NAME.json"
if [[ -s "$OUT/$NAME-perf.txt" ]]; then
  msgs=$(jq -r '.msgs_per_s * 10' "$OUT/$NAME.json")
  awk -F, -v m="$msgs" '$1 ~ /^[0-9.]+$/ && $1 > 0 { n = $3; sub("syscalls:sys_enter_", "", n)
      if (n == "task-clock") printf "  perf: %.2f us of CPU per msg;", $1 * 1000 / m
      else if ($1 / m >= 0.01) printf " %s %.2f", n, $1 / m } END { print " (per msg)" }' "$OUT/$NAME-perf.txt"
fi
if [[ -s "$OUT/$NAME.jfr" ]]; then
  "$JDK/bin/jfr" print --json --events jdk.CPUTimeSample --stack-depth 64 "$OUT/$NAME.jfr" >"$OUT/$NAME-cpu.json"
  python3 "$ROOT/net-tests/bench/jfr_breakdown.py" "$OUT/$NAME-cpu.json" --us-per-unit "$us" \
      >"$OUT/$NAME-breakdown.txt" || true
  rm -f "$OUT/$NAME-cpu.json"
  cat "$OUT/$NAME-breakdown.txt"
fi
