#!/usr/bin/env bash
# Checks the server against an independent client: Python's `websockets` library.
# Creates a virtual environment in .build-pyvenv, builds collab, runs protocol_test.py.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -x .build-pyvenv/bin/python ]; then
    python3 -m venv .build-pyvenv
fi
.build-pyvenv/bin/python -c "import websockets" 2>/dev/null || .build-pyvenv/bin/pip install --quiet websockets

swift build --product collab
exec .build-pyvenv/bin/python Tests/Python/protocol_test.py "$(swift build --show-bin-path)/collab"
