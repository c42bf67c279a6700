#!/usr/bin/env bash
# Takes docs/screenshot.png for the README: the sample editor at / as Ada, with Bob's cursor
# and Cy's selection. Needs chromium (and fonts-noto-color-emoji for colour emoji).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
if [ ! -x .build-pyvenv/bin/python ]; then
    python3 -m venv .build-pyvenv
fi
.build-pyvenv/bin/python -c "import websockets" 2>/dev/null || .build-pyvenv/bin/pip install --quiet websockets
swift build --product collab
exec .build-pyvenv/bin/python Tests/Browser/browser_test.py screenshot "$(swift build --show-bin-path)/collab" docs/screenshot.png
