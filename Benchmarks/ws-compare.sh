#!/usr/bin/env bash
# Compares our WebSocket echo server (collab-echo) with node's `ws` (Benchmarks/ws-echo-node.js):
# echo throughput (round trips/s) and idle memory per connection, both measured by
# `collab bench ws` on this machine; prints the ratio collab/ws.
#
# Usage: Benchmarks/ws-compare.sh            (env: DURATION=10s RUNS=3 CONNECTIONS=100 IDLE=10000
#                                              COLLAB_ECHO_ARGS="--port {port}" SKIP_BUILD=1)
# If collab-echo does not start listening (not built yet), only node ws is measured.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
RUNS=${RUNS:-3}
CONNECTIONS=${CONNECTIONS:-100}
IDLE=${IDLE:-10000}
COLLAB_PORT=${COLLAB_PORT:-9301}
NODE_PORT=${NODE_PORT:-9302}
# How to tell collab-echo its port; {port} is replaced.
COLLAB_ECHO_ARGS=${COLLAB_ECHO_ARGS:-"--port {port}"}

# Servers and client inherit the raised descriptor limit (10,000 idle sockets each).
ulimit -n "$(ulimit -Hn)"

if [[ -z "${SKIP_BUILD:-}" ]]; then
    swift build -c release --product collab >&2
    swift build -c release --product collab-echo >&2
fi
BIN=$(swift build -c release --show-bin-path)
COLLAB="$BIN/collab"

SERVER_PID=""
stop_server() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}
trap stop_server EXIT

# start_server NAME PORT: starts it in the background, sets SERVER_PID; fails if it never listens.
start_server() {
    local name=$1 port=$2
    case "$name" in
        collab) "$BIN/collab-echo" ${COLLAB_ECHO_ARGS//\{port\}/$port} >/tmp/ws-compare-collab.log 2>&1 & ;;
        ws) node Benchmarks/ws-echo-node.js "$port" >/tmp/ws-compare-ws.log 2>&1 & ;;
    esac
    SERVER_PID=$!
    for _ in $(seq 1 50); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
        sleep 0.1
    done
    stop_server
    return 1
}

# result LINE...: the number from the "result:" line of a bench run.
result_of() { grep '^result:' | awk '{ gsub(",", "", $2); print $2 }'; }

declare -A ECHO IDLE_KIB
SERVERS=()
for name in collab ws; do
    port=$COLLAB_PORT; [[ $name == ws ]] && port=$NODE_PORT
    if ! start_server "$name" "$port"; then
        echo "note: $name echo server did not start; skipping it" >&2
        continue
    fi
    SERVERS+=("$name")
    echo "== $name: echo" >&2
    out=$("$COLLAB" bench ws --url "ws://127.0.0.1:$port/" --scenario echo --connections "$CONNECTIONS" \
              --duration "$DURATION" --runs "$RUNS" | tee -a /dev/stderr)
    ECHO[$name]=$(result_of <<<"$out")
    stop_server
    # Memory: a fresh server per run, so neither the echo run's heap nor an earlier idle run
    # (whose memory the allocator or GC keeps) blurs the figure; median of the runs.
    figures=()
    for run in $(seq 1 "$RUNS"); do
        start_server "$name" "$port"
        echo "== $name: idle, run $run/$RUNS" >&2
        out=$("$COLLAB" bench ws --url "ws://127.0.0.1:$port/" --scenario idle --connections "$IDLE" \
                  --server-pid "$SERVER_PID" --runs 1 | tee -a /dev/stderr)
        figures+=("$(result_of <<<"$out")")
        stop_server
    done
    IDLE_KIB[$name]=$(printf '%s\n' "${figures[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
done

echo
printf '%-8s %16s %22s\n' server "echo msg/s" "idle KiB/connection"
for name in "${SERVERS[@]}"; do
    printf '%-8s %16s %22s\n' "$name" "${ECHO[$name]}" "${IDLE_KIB[$name]}"
done
if [[ -n "${ECHO[collab]:-}" && -n "${ECHO[ws]:-}" ]]; then
    awk -v a="${ECHO[collab]}" -v b="${ECHO[ws]}" -v c="${IDLE_KIB[collab]}" -v d="${IDLE_KIB[ws]}" 'BEGIN {
        printf "ratio collab/ws: throughput %.2fx, memory per connection %.2fx\n", a / b, (d > 0 ? c / d : 0) }'
fi
