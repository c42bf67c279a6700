#!/usr/bin/env bash
# Runs every `collab bench server` scenario against a fresh `collab serve` (release build,
# temporary database, open mode on loopback) and prints a summary against the targets.
# Client and server share this machine.
#
# Usage: Benchmarks/server-bench.sh   (env: RUNS=3 DURATION=10s WARMUP=2s WRITERS="200 500 1000"
#                                       IDLE=2000 SCENARIOS="latency throughput writers coldjoin footprint"
#                                       SERVE_ARGS="" SKIP_BUILD=1 KEEP=1)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
WRITERS=${WRITERS:-"200 500 1000"}
IDLE=${IDLE:-2000}
SCENARIOS=${SCENARIOS:-"latency throughput writers coldjoin footprint"}
SERVE_ARGS=${SERVE_ARGS:-}

# The server (started from this shell) and the client both hold thousands of sockets.
ulimit -n "$(ulimit -Hn)"

if [[ -z "${SKIP_BUILD:-}" ]]; then
    swift build -c release --product collab >&2
fi
COLLAB="$(swift build -c release --show-bin-path)/collab"
WORK=$(mktemp -d /tmp/collab-server-bench.XXXXXX)

SERVER_PID=""
URL=""
DB=""
stop_server() {
    if [[ -n "$SERVER_PID" ]]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}
cleanup() {
    stop_server
    if [[ -z "${KEEP:-}" ]]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi
}
trap cleanup EXIT

# start_server NAME: a fresh server on a free port with its own database; sets SERVER_PID, URL, DB.
start_server() {
    local name=$1 log="$WORK/$1.log"
    DB="$WORK/$name.sqlite"
    rm -f "$DB" "$DB-wal" "$DB-shm"
    # The load comes from one address (and user): no per-address or per-user connection limits.
    # shellcheck disable=SC2086
    "$COLLAB" serve --port 0 --db "$DB" --max-connections 0 --max-connections-per-user 0 \
        --max-connections-per-address 0 $SERVE_ARGS 2>"$log" &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        URL=$(sed -n 's/^collab: listening on \(ws:\/\/[^ ]*\).*/\1/p' "$log" | head -1)
        if [[ -n "$URL" ]]; then return 0; fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
        sleep 0.1
    done
    cat "$log" >&2
    echo "error: collab serve did not start" >&2
    exit 1
}

declare -A RESULT
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
# bench LABEL ARGS...: runs `collab bench server` against a fresh server, keeps its result lines as LABEL.key.
bench() {
    local label=$1; shift
    start_server "$label"
    echo "== $label: collab bench server --url $URL --server-pid $SERVER_PID $*" >&2
    local out
    out=$("$COLLAB" bench server --url "$URL" --server-pid "$SERVER_PID" --warmup "$WARMUP" "$@" | tee -a /dev/stderr)
    stop_server
    while read -r _ key value; do RESULT[$label.$key]=$value; done < <(grep '^result ' <<<"$out")
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for scenario in $SCENARIOS; do
    case $scenario in
        latency) bench latency --scenario latency --duration "$DURATION" --runs "$RUNS" ;;
        throughput) bench throughput --scenario throughput --duration "$DURATION" --runs "$RUNS" ;;
        writers)
            for n in $WRITERS; do
                bench "writers$n" --scenario writers --editors "$n" --duration "$DURATION" --runs "$RUNS"
            done ;;
        coldjoin)
            start_server coldjoin
            echo "== coldjoin: collab bench server --url $URL --scenario coldjoin --db $DB --runs $RUNS" >&2
            out=$("$COLLAB" bench server --url "$URL" --server-pid "$SERVER_PID" --scenario coldjoin --db "$DB" \
                      --runs "$RUNS" | tee -a /dev/stderr)
            stop_server
            while read -r _ key value; do RESULT[coldjoin.$key]=$value; done < <(grep '^result ' <<<"$out") ;;
        footprint)
            # A fresh server per run: memory freed by one run would hide the next run's growth.
            declare -A PARTS=()
            for run in $(seq 1 "$RUNS"); do
                bench "footprint$run" --scenario footprint --idle "$IDLE" --duration "$DURATION" --runs 1
                for key in server_cpu_us_per_op_1x10 server_cpu_us_per_op_50x4 server_kib_per_active_room \
                           server_kib_per_idle_connection; do
                    PARTS[$key]+="${RESULT[footprint$run.$key]:-nan} "
                done
            done
            for key in "${!PARTS[@]}"; do
                RESULT[footprint.$key]=$(tr ' ' '\n' <<<"${PARTS[$key]}" | grep -v '^$' | median)
            done
            # What the kernel alone charges for those ops' wake-ups, sends and commits here.
            echo "== floor: collab bench floor --dir $WORK --runs $RUNS" >&2
            out=$("$COLLAB" bench floor --dir "$WORK" --runs "$RUNS" | tee -a /dev/stderr)
            while read -r _ key value; do RESULT[floor.$key]=$value; done < <(grep '^result ' <<<"$out") ;;
        *) echo "unknown scenario $scenario" >&2; exit 64 ;;
    esac
done

r() { echo "${RESULT[$1]:-n/a}"; }
echo
echo "collab bench server summary (median of $RUNS runs, $(nproc) cores, client on the same machine;"
echo "load average at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-58s %14s   %s\n' figure value target
row() { printf '%-58s %14s   %s\n' "$1" "$2" "$3"; }
if [[ $SCENARIOS == *latency* ]]; then
    row "latency: ack p50 / p99 ms (10 editors, 1,000 op/s)" "$(r latency.ack_p50_ms) / $(r latency.ack_p99_ms)" "p99 ≤ 10"
    row "latency: propagation p50 / p99 ms" "$(r latency.propagation_p50_ms) / $(r latency.propagation_p99_ms)" "p99 ≤ 10"
fi
if [[ $SCENARIOS == *throughput* ]]; then
    row "throughput: committed op/s (100 docs × 4 editors)" "$(r throughput.committed_ops_per_s)" "≥ 20,000"
fi
if [[ $SCENARIOS == *writers* ]]; then
    for n in $WRITERS; do
        row "writers: $n editors × 1 op/s, propagation p95 ms" "$(r "writers$n.propagation_p95_ms")" "(report)"
    done
fi
if [[ $SCENARIOS == *coldjoin* ]]; then
    row "coldjoin: 260k-op document, connect → joined ms" "$(r coldjoin.cold_connect_to_joined_ms)" "≤ 50"
fi
if [[ $SCENARIOS == *footprint* ]]; then
    row "footprint: server CPU µs/op, 1 doc × 10 editors" "$(r footprint.server_cpu_us_per_op_1x10)" "≤ 287 (y-websocket 860)"
    row "  kernel floor (collab bench floor)" "$(r floor.floor_one_document_us)" ""
    row "footprint: server CPU µs/op, 50 docs × 4 editors" "$(r footprint.server_cpu_us_per_op_50x4)" "≤ 42 (y-websocket 125)"
    row "  kernel floor (collab bench floor)" "$(r floor.floor_fifty_documents_us)" ""
    row "footprint: server KiB per idle connection" "$(r footprint.server_kib_per_idle_connection)" "≤ 6.7 (y-websocket 20)"
    row "footprint: server KiB per active room (with its 4 editors)" "$(r footprint.server_kib_per_active_room)" "(report)"
fi
