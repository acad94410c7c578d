#!/usr/bin/env bash
# Starts loomnet's EchoServer for ../shared/bench (the harness runs it with the port as $1):
#   SERVER_CMD='/path/to/net-tests/bench/loomnet.sh {PORT}' ./run.sh loomnet
#   SERVER_CMD='/path/to/net-tests/bench/loomnet.sh {PORT} pipe' ./run.sh loomnet-pipe
#   SERVER_CMD='/path/to/net-tests/bench/loomnet.sh {PORT} streams' ./run.sh loomnet-streams
#   SERVER_CMD='/path/to/net-tests/bench/loomnet.sh {PORT} onread' ./run.sh loomnet-onread
# Build first: ./mvnw -q -B package -DskipTests (from the repository root).
# Extra JVM flags: LOOMNET_JVM_FLAGS (e.g. -Djdk.pollerMode=1), added after the harness's SERVER_JVM_FLAGS.
set -euo pipefail
[[ "${1:-}" =~ ^[0-9]+$ ]] || { echo "usage: $(basename "$0") PORT [events|pipe|streams|onread]" >&2; exit 64; }
PORT=$1
VARIANT=${2:-events}
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
pick_jdk() {  # the first JDK >= 21 in the machine's JVM folder, unless JAVA_HOME is one
  local j v
  if [[ -n "${JAVA_HOME:-}" ]]; then
    v=$("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
    [[ -n $v && $v -ge 21 ]] && { echo "$JAVA_HOME"; return 0; }
  fi
  for j in /usr/lib/jvm/*/bin/java; do
    v=$("$j" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
    [[ -n $v && $v -ge 21 ]] && { dirname "$(dirname "$j")"; return 0; }
  done
  echo "no JDK >= 21 found in /usr/lib/jvm" >&2; return 1
}
JDK="$(pick_jdk)"
JSPECIFY="$(ls ~/.m2/repository/org/jspecify/jspecify/1.0.0/jspecify-1.0.0.jar)"
CP="$ROOT/net-api/target/classes:$ROOT/net-loom/target/classes:$ROOT/net-tests/target/classes:$JSPECIFY"
for d in net-api/target/classes net-loom/target/classes net-tests/target/classes; do
  [[ -d "$ROOT/$d" ]] || { echo "missing $ROOT/$d: run ./mvnw -q -B package -DskipTests first" >&2; exit 65; }
done
# shellcheck disable=SC2086
exec "$JDK/bin/java" -XX:+PrintCommandLineFlags ${SERVER_JVM_FLAGS:-} ${LOOMNET_JVM_FLAGS:-} \
  -cp "$CP" dev.loomnet.examples.EchoServer "$PORT" "$VARIANT" 127.0.0.1
