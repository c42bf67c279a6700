#!/usr/bin/env bash
# `collab bench server` against one SQLite node and 1, 2 and 3 nodes on one PostgreSQL (with
# Redis for commit notices), all started here on loopback (release build, open mode), and a
# summary: committed op/s, ack and propagation p50/p99, CPU per committed op of the nodes,
# of PostgreSQL and of Redis, version conflicts per 1,000 ops.
#
# CPU is utime+stime from /proc over the whole bench invocation (joins and warm-up included),
# divided by the ops the nodes committed in it (from /metrics); PostgreSQL's is every process
# of its cluster. Client, nodes, PostgreSQL and Redis share this machine's cores.
#
# Usage: Benchmarks/cluster-bench.sh  (env: RUNS=3 DURATION=10s WARMUP=2s DOCUMENTS=100 EDITORS=4
#        RATE=5 CONFIGS="sqlite pg1 pg2-doc pg2-editor pg3-editor" SKIP_BUILD=1
#        METRICS_DIR=DIR: each node's /metrics after each run, as DIR/CONFIG-RUN-nNODE.txt)
set -euo pipefail
[[ -n "${TRACE:-}" ]] && set -x
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
DOCUMENTS=${DOCUMENTS:-100}
EDITORS=${EDITORS:-4}
RATE=${RATE:-5}
CONFIGS=${CONFIGS:-"sqlite pg1 pg2-doc pg2-editor pg3-editor"}
ulimit -n "$(ulimit -Hn)"

if [[ -z "${SKIP_BUILD:-}" ]]; then
    swift build -c release --product collab >&2
fi
COLLAB="$(swift build -c release --show-bin-path)/collab"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
WORK=$(mktemp -d /tmp/collab-cluster-bench.XXXXXX)
chmod 755 "$WORK"
NODE_PIDS=()
REDIS_PID=""

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() {  # utime+stime of the given pids, in clock ticks
    local total=0 pid
    for pid in "$@"; do
        if [[ -r /proc/$pid/stat ]]; then
            total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
        fi
    done
    echo "$total"
}
pg_pids() { pgrep -u postgres -f "$WORK/pg" | tr '\n' ' '; pgrep -u postgres -P "$(head -1 "$WORK/pg/postmaster.pid")" | tr '\n' ' '; }
stop_nodes() {
    for pid in "${NODE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    NODE_PIDS=()
}
cleanup() {
    stop_nodes
    [[ -n "$REDIS_PID" ]] && kill "$REDIS_PID" 2>/dev/null || true
    runuser -u postgres -- "$PGBIN/pg_ctl" stop -m fast -D "$WORK/pg" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# PostgreSQL with its defaults (fsync, synchronous_commit on), SCRAM over TCP.
PGPORT=$(free_port)
mkdir "$WORK/pg" && chown postgres "$WORK/pg"
runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg" -U postgres -A trust --auth-host=scram-sha-256 >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" start -w -D "$WORK/pg" -l "$WORK/pg/server.log" \
    -o "-p $PGPORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c max_connections=100" >/dev/null
psql -q -h "$WORK/pg" -p "$PGPORT" -U postgres -c "CREATE ROLE collab LOGIN PASSWORD 'bench'"
REDISPORT=$(free_port)
redis-server --port "$REDISPORT" --bind 127.0.0.1 --save "" --appendonly no >/dev/null 2>&1 &
REDIS_PID=$!

start_node() {  # db extra-args... ; appends to NODE_PIDS and URLS
    local log="$WORK/node-${#NODE_PIDS[@]}.log"
    "$COLLAB" serve --port 0 --db "$1" --metrics-open --max-connections-per-address 0 "${@:2}" >/dev/null 2>"$log" &
    NODE_PIDS+=($!)
    for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
    URLS+=("$(sed -n 's/.*listening on \(ws:\/\/[0-9.:]*\).*/\1/p' "$log" | head -1)")
}
metric_sum() {  # name url...
    local total=0 url value
    for url in "${@:2}"; do
        value=$(curl -s "${url/ws:/http:}/metrics" | awk -v n="$1" '$1 == n {print $2}')
        total=$(python3 -c "print(int($total + ${value:-0}))")
    done
    echo "$total"
}

printf '%-12s %9s %9s %9s %9s %9s %10s %10s %10s %10s\n' config "op/s" "ack p50" "ack p99" "prop p50" "prop p99" \
    "node µs/op" "pg µs/op" "redis µs/op" "confl/1k"
TICK=$(getconf CLK_TCK)
for config in $CONFIGS; do
    for run in $(seq "$RUNS"); do
        URLS=()
        route=document
        case $config in
        sqlite) start_node "$WORK/bench-$run.sqlite" ;;
        pg*)
            db="c_${config//-/_}_$run"
            psql -q -h "$WORK/pg" -p "$PGPORT" -U postgres -c "CREATE DATABASE $db OWNER collab"
            count=${config:2:1}
            [[ $config == *-editor ]] && route=editor
            for i in $(seq "$count"); do
                start_node "postgres://collab:bench@127.0.0.1:$PGPORT/$db" --pubsub "redis://127.0.0.1:$REDISPORT" --node-id "n$i"
            done ;;
        esac
        url_args=()
        for url in "${URLS[@]}"; do url_args+=(--url "$url"); done
        ops0=$(metric_sum collab_ops_committed_total "${URLS[@]}")
        conflicts0=$(metric_sum collab_version_conflicts_total "${URLS[@]}")
        nodes0=$(cpu_ticks "${NODE_PIDS[@]}"); pg0=$(cpu_ticks $(pg_pids)); redis0=$(cpu_ticks "$REDIS_PID")
        out=$("$COLLAB" bench server "${url_args[@]}" --route "$route" --scenario throughput --documents "$DOCUMENTS" \
            --editors "$EDITORS" --rate "$RATE" --duration "$DURATION" --warmup "$WARMUP" --runs 1 2>"$WORK/bench.err") || {
            printf '%-12s failed: %s\n' "$config" "$(grep -m1 error "$WORK/bench.err" <<<"$out$(cat "$WORK/bench.err")" | cut -c1-150)"
            [[ -n "${METRICS_DIR:-}" ]] && mkdir -p "$METRICS_DIR" && cp "$WORK"/node-*.log "$METRICS_DIR/"
            stop_nodes; continue; }
        nodes1=$(cpu_ticks "${NODE_PIDS[@]}"); pg1=$(cpu_ticks $(pg_pids)); redis1=$(cpu_ticks "$REDIS_PID")
        ops=$(( $(metric_sum collab_ops_committed_total "${URLS[@]}") - ops0 ))
        conflicts=$(( $(metric_sum collab_version_conflicts_total "${URLS[@]}") - conflicts0 ))
        result() { echo "$out" | awk -v k="$1" '$1 == "result" && $2 == k {print $3}' | tail -1; }
        if [[ -n "${METRICS_DIR:-}" ]]; then
            mkdir -p "$METRICS_DIR"
            for i in "${!URLS[@]}"; do curl -s "${URLS[$i]/ws:/http:}/metrics" >"$METRICS_DIR/$config-$run-n$i.txt"; done
        fi
        python3 - "$config" "$ops" "$conflicts" "$TICK" "$((nodes1 - nodes0))" "$((pg1 - pg0))" "$((redis1 - redis0))" \
            "$(result committed_ops_per_s)" "$(result ack_p50_ms)" "$(result ack_p99_ms)" "$(result propagation_p50_ms)" \
            "$(result propagation_p99_ms)" <<'PY'
import sys
config, ops, conflicts, tick, nodes, pg, redis, rate, a50, a99, p50, p99 = sys.argv[1:]
ops = max(1, int(ops)); tick = int(tick)
us = lambda ticks: int(ticks) / tick * 1e6 / ops
print(f"{config:<12} {rate:>9} {a50:>9} {a99:>9} {p50:>9} {p99:>9} {us(nodes):>10.0f} {us(pg):>10.0f} {us(redis):>10.0f} {int(conflicts)*1000/ops:>10.1f}")
PY
        stop_nodes
    done
done
