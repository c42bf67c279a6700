#!/usr/bin/env bash
# Undo of one step on a 100k-scalar document with 1,000 later remote ops to transform through
# (issue 15: ≤ 5 ms). Builds the CollabClient library in release, compiles
# Benchmarks/undo/main.swift against it with -O (outside the package: no benchmark code in the
# library, no target in Package.swift) and prints the median of `runs` runs.
#
# Usage: Benchmarks/undo-bench.sh [runs]   (default 30; env: SKIP_BUILD=1)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${SKIP_BUILD:-}" ]]; then
    swift build -c release --target CollabClient >&2
fi
BIN=$(swift build -c release --show-bin-path)
WORK=$(mktemp -d /tmp/collab-undo-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

mapfile -t OBJECTS < <(find "$BIN"/CollabClient.build "$BIN"/CollabOT.build "$BIN"/CollabJSON.build \
    "$BIN"/CollabTransport.build -name '*.o')
swiftc -O -module-name UndoBenchmark -I "$BIN/Modules" \
    -Xcc -fmodule-map-file=Sources/COpenSSL/module.modulemap -Xcc -fmodule-map-file=Sources/CLinux/module.modulemap \
    Benchmarks/undo/main.swift "${OBJECTS[@]}" -lssl -lcrypto -o "$WORK/undo-bench"
"$WORK/undo-bench" "${1:-30}"
