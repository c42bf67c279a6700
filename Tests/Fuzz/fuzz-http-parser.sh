#!/bin/sh
# Builds and runs the libFuzzer target for the HTTP/1.1 request parser: no crash, no hang,
# and whole vs. split feeding must agree.
# Usage: Tests/Fuzz/fuzz-http-parser.sh [seconds]   (default 60)
set -eu
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN="${1:-60}"
OUT=.build/fuzz
mkdir -p "$OUT/http-corpus"
SRC=Sources/CollabTransport
printf 'GET /v1/docs/a HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n' >"$OUT/http-corpus/seed-get"
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name HTTPRequestParserFuzz \
    Tests/Fuzz/HTTPRequestParserFuzz.swift \
    $SRC/HTTPRequestParser.swift $SRC/HTTPParseError.swift $SRC/HTTPRequestHead.swift \
    $SRC/HTTPHeaders.swift $SRC/HTTPStatus.swift \
    -o "$OUT/http-parser-fuzz"
"$OUT/http-parser-fuzz" -max_total_time="$SECONDS_TO_RUN" -max_len=20000 -timeout=5 -rss_limit_mb=512 "$OUT/http-corpus"
