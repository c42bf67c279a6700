#!/usr/bin/env bash
# The browser client in a real browser: Node unit/simulation tests of collab-client.js, then
# headless Chromium (Debian's `chromium`, installed by .ci/run) running several editors on one
# document against `collab serve`, which must all converge on the server's text; then the
# editors' undo, IME, CodeMirror binding and reload tests, and the history timeslider.
# The undo figure (not run here): node Tests/Browser/undo-bench.mjs, browser_test.py bench;
# the timeslider figure: browser_test.py timeslider-bench.
# Usage: Tests/Browser/run.sh [SEED]   (a fixed seed repeats a run; default: time-based)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"

if command -v node >/dev/null 2>&1; then
    node Tests/Browser/ot-unit.mjs
    node Tests/Browser/timeslider-unit.mjs
else
    echo "browser test: node not found; the unit tests run in Chromium only"
fi

# The same virtual environment as Tests/Python/run.sh.
if [ ! -x .build-pyvenv/bin/python ]; then
    python3 -m venv .build-pyvenv
fi
.build-pyvenv/bin/python -c "import websockets" 2>/dev/null || .build-pyvenv/bin/pip install --quiet websockets

swift build --product collab
collab="$(swift build --show-bin-path)/collab"
seed="${1:-$(( $(date +%s) % 100000 ))}"
# The same unit tests inside Chromium (on the collab-client.js the server embeds), then two
# convergence runs: three editors, and four with the next seed.
.build-pyvenv/bin/python Tests/Browser/browser_test.py unit "$collab"
.build-pyvenv/bin/python Tests/Browser/browser_test.py convergence "$collab" --seed "$seed" --editors 3
.build-pyvenv/bin/python Tests/Browser/browser_test.py convergence "$collab" --seed "$((seed + 1))" --editors 4 --edits 60
# The editors: Ctrl-Z undoes only one's own text, an IME composition survives remote edits,
# the view stays put when text is inserted above it,
# CodeMirror 5 (Debian's libjs-codemirror, installed by .ci/run) converges with two
# textareas, and edits pending at a reload land exactly once.
.build-pyvenv/bin/python Tests/Browser/browser_test.py undo "$collab"
.build-pyvenv/bin/python Tests/Browser/browser_test.py ime "$collab"
.build-pyvenv/bin/python Tests/Browser/browser_test.py scroll "$collab"
.build-pyvenv/bin/python Tests/Browser/browser_test.py codemirror "$collab" --seed "$seed"
.build-pyvenv/bin/python Tests/Browser/browser_test.py reload "$collab"
# The history timeslider: scrub, step, play, change highlighting, name, diff, restore, back.
.build-pyvenv/bin/python Tests/Browser/browser_test.py timeslider "$collab"
