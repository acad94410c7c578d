#!/usr/bin/env bash
# TLS benchmark rows (issue 17): TLS echo servers measured by a TLS load generator on the JDK's SSLSocket
# (net-tests/src/bench/java/dev/loomnet/bench/tls), in interleaved rounds, loopback only.
#
#   net-tests/bench/run-tls-bench.sh OUT_DIR [SCENARIO...]
#
# Servers (SERVERS, default "netty-jdk loomnet loomnet-pipe node"):
#   netty-jdk     Netty 4.2.18 with SslHandler on the JDK provider (TlsEchoNetty), epoll
#   loomnet       Tls.createServer with PEM key/cert, DATA listener echo with pause/drain (TlsEchoLoomnet events)
#   loomnet-pipe  the same with socket.pipe(socket)
#   node          Node's tls.createServer + socket.pipe(socket) (tls-echo.js)
# Scenarios (default all):
#   stream16      16 connections (all handshaken first) streaming 16 KiB writes, echo read back, bytes and
#                 CRC32C checked: MB/s
#   stream16-staggered  the same, but each connection starts streaming as soon as its handshake is done, so
#                 later handshakes run beside streaming connections
#   hs-full       8 workers: connect, full handshake (fresh client SSLContext), 1 byte echo, close: handshakes/s
#   hs-resume     the same sharing one client SSLContext, whose session cache resumes: handshakes/s
# The certificate is a self-signed EC P-256 one for 127.0.0.1/localhost, made with openssl into a temp dir at
# start (nothing is committed). Each scenario gets a freshly started server; its CPU comes from /proc.
#
# OUT_DIR receives results.jsonl (one line per run, with the load averages at its start), env.txt, the
# servers' logs (logs/) and report.md (medians, server CPU per MB / per handshake, ratios vs netty-jdk).
#
# Environment: RUNS (rounds, default 3), WARMUP (s, default 3), DURATION (s, default 8), SERVERS,
#   SKIP_BUILD=1 (reuse net-tests/target/benchmarks.jar), JVM_FLAGS (extra flags for the Java servers).
# Build: ./mvnw -q -B -P bench -pl net-tests -am package -DskipTests (done here unless SKIP_BUILD=1).
set -euo pipefail
[[ $# -ge 1 ]] || { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 64; }
OUT="$(mkdir -p "$1" && cd "$1" && pwd)"; shift
SCENARIOS=("$@")
[[ ${#SCENARIOS[@]} -gt 0 ]] || SCENARIOS=(stream16 hs-full hs-resume stream16-staggered)
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
RUNS="${RUNS:-3}"
WARMUP="${WARMUP:-3}"
DURATION="${DURATION:-8}"
read -r -a SERVER_LIST <<<"${SERVERS:-netty-jdk loomnet loomnet-pipe node}"
JAR="$ROOT/net-tests/target/benchmarks.jar"

log() { printf '[run-tls-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
pick_jdk() {
  local j v
  for j in /usr/lib/jvm/*/bin/java; do
    v=$("$j" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
    [[ -n $v && $v -ge 21 ]] && { dirname "$(dirname "$j")"; return 0; }
  done
  return 1
}
JAVA="$(pick_jdk)/bin/java"
command -v openssl >/dev/null || { echo "openssl is required (certificate)" >&2; exit 65; }
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  log "building net-tests with -P bench"
  (cd "$ROOT" && ./mvnw -q -B -P bench -pl net-tests -am package -DskipTests >&2)
fi
[[ -f "$JAR" ]] || { echo "missing $JAR (build with -P bench)" >&2; exit 65; }

CERTS="$(mktemp -d /tmp/loomnet-tls-bench.XXXXXX)"
SERVER_PID=""
stop_server() {
  local pid="$SERVER_PID"
  [[ -n "$pid" ]] || return 0
  SERVER_PID=""
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
trap 'stop_server; rm -rf "$CERTS"' EXIT
trap 'stop_server; rm -rf "$CERTS"; exit 130' INT TERM
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$CERTS/key.pem" -out "$CERTS/cert.pem" 2>/dev/null

mkdir -p "$OUT/logs"
{
  echo "date: $(date -u +%FT%TZ)"
  echo "commit: $(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown) $(git -C "$ROOT" status --porcelain 2>/dev/null | grep -q . && echo '(dirty)')"
  echo "machine: $(nproc) CPUs, kernel $(uname -r); java: $("$JAVA" -version 2>&1 | head -1); node: $(node --version 2>/dev/null || echo none)"
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "servers: ${SERVER_LIST[*]}; rounds: $RUNS; scenarios: ${SCENARIOS[*]}; WARMUP=$WARMUP DURATION=$DURATION"
  echo "certificate: self-signed EC P-256 (openssl), TLS version negotiated by default (1.3)"
} >"$OUT/env.txt"
cat "$OUT/env.txt" >&2

free_port() {
  local p used
  used="$(ss -Htan 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u)"
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 12000 ))
    grep -qx "$p" <<<"$used" || { echo "$p"; return 0; }
  done
  return 1
}

start_server() {  # NAME PORT LOGFILE
  local name=$1 port=$2 logf=$3
  # shellcheck disable=SC2086
  case "$name" in
    netty-jdk) exec "$JAVA" ${JVM_FLAGS:-} -cp "$JAR" dev.loomnet.bench.tls.TlsEchoNetty "$port" "$CERTS/cert.pem" "$CERTS/key.pem" ;;
    loomnet) exec "$JAVA" ${JVM_FLAGS:-} -cp "$JAR" dev.loomnet.bench.tls.TlsEchoLoomnet "$port" "$CERTS/cert.pem" "$CERTS/key.pem" events ;;
    loomnet-pipe) exec "$JAVA" ${JVM_FLAGS:-} -cp "$JAR" dev.loomnet.bench.tls.TlsEchoLoomnet "$port" "$CERTS/cert.pem" "$CERTS/key.pem" pipe ;;
    node) exec node "$ROOT/net-tests/bench/tls-echo.js" "$port" "$CERTS/cert.pem" "$CERTS/key.pem" ;;
    *) echo "unknown server $name" >&2; return 64 ;;
  esac >"$logf" 2>&1 &                  # exec: the backgrounded subshell becomes the server, measured by PID
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    grep -q '^READY' "$logf" 2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  log "$name did not start; log follows"; tail -20 "$logf" >&2
  stop_server
  return 1
}

scenario_args() {
  case "$1" in
    stream16)  echo "stream --conns 16 --write-size 16384" ;;
    stream16-staggered) echo "stream --conns 16 --write-size 16384 --staggered true" ;;
    hs-full)   echo "handshake --conns 8 --resume false" ;;
    hs-resume) echo "handshake --conns 8 --resume true" ;;
    *) return 1 ;;
  esac
}

for r in $(seq 1 "$RUNS"); do
  for s in "${SERVER_LIST[@]}"; do
    for sc in "${SCENARIOS[@]}"; do
      args="$(scenario_args "$sc")" || { echo "unknown scenario $sc" >&2; exit 64; }
      port="$(free_port)"
      slog="$OUT/logs/$s-r$r-$sc.log"
      load="$(cut -d' ' -f1-3 /proc/loadavg)"
      start_server "$s" "$port" "$slog" || { echo "{\"server\":\"$s\",\"name\":\"$sc\",\"round\":$r,\"ok\":false,\"error\":\"server did not start\"}" >>"$OUT/results.jsonl"; continue; }
      set +e
      # shellcheck disable=SC2086
      line="$(timeout --kill-after=5 $(( WARMUP + DURATION + 90 )) "$JAVA" -Xms256m -Xmx256m -XX:+UseSerialGC \
          -cp "$JAR" dev.loomnet.bench.tls.TlsLoad $args --port "$port" --ca "$CERTS/cert.pem" \
          --warmup "$WARMUP" --duration "$DURATION" --server-pid "$SERVER_PID" 2>>"$OUT/logs/loadgen.log" | tail -1)"
      rc=$?
      set -e
      alive=true; kill -0 "$SERVER_PID" 2>/dev/null || alive=false
      stop_server
      stats="$(grep -m1 '^STATS' "$slog" || true)"
      if [[ "$line" == \{* ]]; then
        line="${line%\}},\"server\":\"$s\",\"name\":\"$sc\",\"round\":$r,\"loadavg\":\"$load\",\"server_alive_after\":$alive,\"loadgen_rc\":$rc,\"server_stats\":\"$stats\"}"
      else
        line="{\"server\":\"$s\",\"name\":\"$sc\",\"round\":$r,\"ok\":false,\"loadavg\":\"$load\",\"loadgen_rc\":$rc,\"server_alive_after\":$alive,\"error\":\"no result line\"}"
      fi
      echo "$line" >>"$OUT/results.jsonl"
      log "round $r $s $sc: $line"
    done
  done
done
python3 "$ROOT/net-tests/bench/tls_report.py" "$OUT/results.jsonl" | tee "$OUT/report.md"
