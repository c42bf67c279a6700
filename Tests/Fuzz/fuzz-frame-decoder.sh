#!/bin/sh
# Builds and runs the libFuzzer target for the WebSocket frame decoder.
# Usage: Tests/Fuzz/fuzz-frame-decoder.sh [seconds]   (default 60)
set -eu
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN="${1:-60}"
OUT=.build/fuzz
mkdir -p "$OUT/corpus"
SRC=Sources/CollabTransport
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name FrameDecoderFuzz \
    -I Sources/COpenSSL -lssl -lcrypto \
    Tests/Fuzz/FrameDecoderFuzz.swift \
    $SRC/WebSocketRole.swift $SRC/WebSocketOpcode.swift $SRC/WebSocketCloseCode.swift \
    $SRC/WebSocketFrame.swift $SRC/WebSocketMessage.swift $SRC/WebSocketConfiguration.swift \
    $SRC/WebSocketProtocolError.swift $SRC/WebSocketMaskingKey.swift $SRC/UTF8Validator.swift \
    $SRC/WebSocketFrameDecoder.swift $SRC/WebSocketMessageAssembler.swift \
    $SRC/WebSocketFrameEncoder.swift $SRC/WebSocketClosePayload.swift \
    $SRC/WebSocketConnectionStateMachine.swift \
    -o "$OUT/frame-decoder-fuzz"
"$OUT/frame-decoder-fuzz" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 "$OUT/corpus"
