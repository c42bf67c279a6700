#!/usr/bin/env bash
# Runs the Autobahn|Testsuite fuzzing client (cases 1.* to 10.*, plus 12/13
# which we expect UNIMPLEMENTED: no permessage-deflate) against collab-echo and
# prints a summary. Exits non-zero if any case FAILED.
#
#   Tests/Autobahn/run.sh            # plain ws://
#   Tests/Autobahn/run.sh --tls      # wss:// with a throwaway self-signed cert
#   AUTOBAHN_CASES='["1.*"]' Tests/Autobahn/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work="$root/.build-autobahn"
venv="$work/venv"
mkdir -p "$work"

tls=0
[ "${1:-}" = "--tls" ] && tls=1

# wstest runs on Python 2.7 (pyenv provides it on our machines).
if [ ! -x "$venv/bin/wstest" ]; then
    py27=""
    # pyenv's `python2.7` shim exists but fails unless 2.7 is selected, so try each
    # candidate by running it.
    pyenv_root=$(pyenv root 2>/dev/null || echo /root/.pyenv)
    for c in "${PYTHON27:-}" "$pyenv_root"/versions/2.7*/bin/python2.7 "$(command -v python2.7 || true)"; do
        if [ -n "$c" ] && [ -x "$c" ] && "$c" -c 'import sys; assert sys.version_info[0] == 2' 2>/dev/null; then
            py27="$c"; break
        fi
    done
    [ -n "$py27" ] || { echo "autobahn: no Python 2.7 found (set PYTHON27)"; exit 1; }
    "$py27" -m virtualenv --version >/dev/null 2>&1 || "$py27" -m pip install -q virtualenv
    "$py27" -m virtualenv -q "$venv"
    "$venv/bin/pip" install -q autobahntestsuite 2>&1 | grep -v DEPRECATION || true
fi

(cd "$root" && swift build -c release --product collab-echo >/dev/null)
bin="$(cd "$root" && swift build -c release --show-bin-path)/collab-echo"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
args=(--port "$port" --max-message-bytes 16777216)
scheme=ws
if [ $tls = 1 ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
        -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1
    args+=(--tls-cert "$work/cert.pem" --tls-key "$work/key.pem")
    scheme=wss
fi
"$bin" "${args[@]}" >"$work/echo.log" 2>&1 &
echo_pid=$!
trap 'kill $echo_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null && break
    sleep 0.1
done

cases="${AUTOBAHN_CASES:-[\"1.*\",\"2.*\",\"3.*\",\"4.*\",\"5.*\",\"6.*\",\"7.*\",\"8.*\",\"9.*\",\"10.*\",\"12.1.1\",\"13.1.1\"]}"
rm -rf "$work/reports"
cat >"$work/fuzzingclient.json" <<JSON
{
  "outdir": "$work/reports",
  "servers": [{"agent": "collab-echo", "url": "$scheme://127.0.0.1:$port"}],
  "cases": $cases,
  "exclude-cases": [],
  "exclude-agent-cases": {}
}
JSON
(cd "$work" && "$venv/bin/wstest" -m fuzzingclient -s fuzzingclient.json >"$work/wstest.log" 2>&1) || true

python3 "$here/summary.py" "$work/reports/index.json"
