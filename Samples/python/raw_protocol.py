#!/usr/bin/env python3
"""The collab.v1 wire protocol by hand, for people writing a client in another language.

Usage:
    pip install websockets            # the only dependency
    collab serve                      # in another terminal (open mode, port 8080)
    python3 raw_protocol.py [DOC] [--url ws://127.0.0.1:8080] [--token JWT]

It joins DOC (default "welcome"), prints the snapshot and the `joined` answer, appends one
line to the document as an op, prints the ack, then prints everyone else's ops and presence
until Ctrl-C. Open http://localhost:8080/?doc=welcome in a browser to watch and type along.

Positions and lengths count Unicode code points: Python's str indexes the same way, so
len(text) is right here (in JavaScript it would not be: "😀".length == 2).
"""
import argparse
import asyncio
import json
import secrets
import string
from urllib.parse import quote

import websockets


def apply(text, op):
    """Applies an op: n keeps n code points, a string inserts it, {"d": n} deletes n."""
    out, at = [], 0
    for component in op:
        if isinstance(component, int):
            out.append(text[at:at + component])
            at += component
        elif isinstance(component, str):
            out.append(component)
        else:
            at += component["d"]
    out.append(text[at:])  # what follows the last component is kept
    return "".join(out)


async def main(arguments):
    url = f"{arguments.url}/v1/docs/{arguments.doc}"
    if arguments.token:
        url += "?token=" + quote(arguments.token)
    # One clientId per editing session, reused on reconnects: the server deduplicates by it.
    client_id = "py-" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(12))
    async with websockets.connect(url, subprotocols=["collab.v1"]) as socket:
        # 1. join. Without "version" the server answers with a snapshot, then "joined".
        await socket.send(json.dumps({"type": "join", "clientId": client_id,
                                      "user": {"name": "Python", "color": "#3776ab"}}))
        text, version = "", 0
        while True:
            message = json.loads(await socket.recv())
            print("<-", message)
            if message["type"] == "snapshot":
                text, version = message["text"], message["version"]
            elif message["type"] == "joined":
                version = message["version"]
                break

        # 2. one op: append a line at the end (keep len(text) code points, then insert).
        line = "Hello from Python 🐍\n"
        op = [len(text), line] if text else [line]
        seq = 1  # per clientId, +1 for each new op; resend the same seq after a reconnect
        await socket.send(json.dumps({"type": "op", "seq": seq, "v": version, "op": op}))
        print("->", {"type": "op", "seq": seq, "v": version, "op": op})
        # Ops by others committed before ours arrive first; the ack comes once ours is on disk.
        # (A real client transforms its pending op over them: see Samples/web/collab-client.js.)
        others = []
        while True:
            message = json.loads(await socket.recv())
            print("<-", message)
            if message["type"] == "ack" and message["seq"] == seq:
                break
            if message["type"] in ("op", "ops"):
                others += message["ops"] if message["type"] == "ops" else [message]
            elif message["type"] == "error":
                raise SystemExit(f"refused: {message}")
        version = message["v"] + 1  # ours is version message["v"]; we hold everything up to it
        print(f"acknowledged: our op is version {message['v']}")
        # With nothing concurrent, ours was stored as sent; otherwise it was transformed and we
        # stop tracking the text (a real client would have transformed its own copy).
        text = apply(text, op) if not others else None

        # 3. show a cursor at the start of the document (presence), then watch the others.
        await socket.send(json.dumps({"type": "presence", "v": version, "selection": [[0, 0]]}))
        print("watching; Ctrl-C to stop")
        async for raw in socket:
            message = json.loads(raw)
            records = message["ops"] if message["type"] == "ops" else [message] if message["type"] == "op" else []
            for record in records:
                print(f"v{record['v']} by {record['user']}: {json.dumps(record['op'], ensure_ascii=False)}")
                if text is not None:
                    text = apply(text, record["op"])
                    print(f"   text now: {text!r}")
            if message["type"] == "presence":
                print(f"{message['user'].get('name')} selects {message['selection']} at v{message['v']}")
            elif message["type"] == "leave":
                print(f"{message['clientId']} left")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="collab.v1 by hand")
    parser.add_argument("doc", nargs="?", default="welcome")
    parser.add_argument("--url", default="ws://127.0.0.1:8080")
    parser.add_argument("--token", help="a JWT, when the server has a secret (collab token ...)")
    try:
        asyncio.run(main(parser.parse_args()))
    except KeyboardInterrupt:
        pass
