#!/usr/bin/env python3
"""collab.v1 checked by an independent client (Python's `websockets`).

Usage: protocol_test.py PATH/TO/collab
Starts `collab serve --port 0` on a temporary database, joins two clients, edits,
and checks acks, broadcasts, convergence over HTTP, bad_message and bad_op.
"""
import asyncio
import json
import os
import re
import sys
import tempfile
import urllib.request

import websockets


async def start_server(binary, database):
    process = await asyncio.create_subprocess_exec(
        binary, "serve", "--port", "0", "--db", database,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    line = (await asyncio.wait_for(process.stderr.readline(), 10)).decode()
    match = re.search(r"ws://127\.0\.0\.1:(\d+)", line)
    if not match:
        process.kill()
        raise RuntimeError(f"no start line: {line!r}")
    return process, int(match.group(1))


async def receive(ws, wanted):
    """Messages until one of type `wanted`."""
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if message["type"] == wanted:
            return message


def http_json(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        return json.loads(response.read())


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"ok - {what}")


async def main(binary):
    with tempfile.TemporaryDirectory() as directory:
        process, port = await start_server(binary, os.path.join(directory, "collab.sqlite"))
        try:
            await run_checks(port)
        finally:
            process.terminate()
            code = await asyncio.wait_for(process.wait(), 15)
        check(code == 0, "SIGTERM stops the server with status 0")


async def run_checks(port):
    url = f"ws://127.0.0.1:{port}/v1/docs/py-doc"
    async with websockets.connect(url, subprotocols=["collab.v1"]) as ada, \
            websockets.connect(url, subprotocols=["collab.v1"]) as bob:
        check(ada.subprotocol == "collab.v1", "the server echoes the collab.v1 subprotocol")
        await ada.send(json.dumps({"type": "join", "clientId": "py-ada-01", "user": {"name": "Ada"}}))
        snapshot = json.loads(await ada.recv())
        check(snapshot == {"type": "snapshot", "version": 0, "text": ""}, "an empty document joins as snapshot v0")
        joined = json.loads(await ada.recv())
        check(joined["type"] == "joined" and joined["version"] == 0, "joined follows the snapshot")

        await bob.send(json.dumps({"type": "join", "clientId": "py-bob-01"}))
        joined = await receive(bob, "joined")
        check([p["clientId"] for p in joined["presence"]] == ["py-ada-01"], "joined lists the other client")
        presence = await receive(ada, "presence")
        check(presence["clientId"] == "py-bob-01" and presence["selection"] is None, "the others see the joiner")

        await ada.send(json.dumps({"type": "op", "seq": 1, "v": 0, "op": ["héllo 😀"]}))
        ack = await receive(ada, "ack")
        check(ack == {"type": "ack", "seq": 1, "v": 0}, "the author gets its ack")
        record = await receive(bob, "op")
        check(record["v"] == 0 and record["clientId"] == "py-ada-01" and record["op"] == ["héllo 😀"],
              "the other client gets the OP_RECORD")

        # Concurrent edits at v1: positions count code points (the emoji is one).
        await ada.send(json.dumps({"type": "op", "seq": 2, "v": 1, "op": [7, "!"]}))
        await bob.send(json.dumps({"type": "op", "seq": 1, "v": 1, "op": [{"d": 1}, "H"]}))
        await receive(ada, "ack")
        await receive(bob, "ack")
        document = http_json(port, "/v1/docs/py-doc")
        check(document["version"] == 3 and document["text"] == "Héllo 😀!",
              f"both edits converge over HTTP: {document['text']!r}")
        ops = http_json(port, "/v1/docs/py-doc/ops?from=1")
        check([op["v"] for op in ops] == [1, 2], "the op log pages from a version")

        await ada.send("{not json")
        error = await receive(ada, "error")
        check(error["code"] == "bad_message", "invalid JSON is bad_message")
        await ada.send(json.dumps({"type": "op", "seq": 3, "v": 3, "op": [99, "x"]}))
        error = await receive(ada, "error")
        check(error["code"] == "bad_op" and error["seq"] == 3, "a skip past the end is bad_op with its seq")
        await ada.send(json.dumps({"type": "ping", "id": 7}))
        check(await receive(ada, "pong") == {"type": "pong", "id": 7}, "ping gets pong")

    async with websockets.connect(url) as carol:
        await carol.send(json.dumps({"type": "join", "clientId": "py-carol-1", "version": 1}))
        catch_up = json.loads(await carol.recv())
        check(catch_up["type"] == "ops" and [r["v"] for r in catch_up["ops"]] == [1, 2],
              "a join with a version catches up with ops")
        check((await receive(carol, "joined"))["version"] == 3, "then joined at the current version")

    try:
        async with websockets.connect(f"ws://127.0.0.1:{port}/v1/docs/bad%20id"):
            check(False, "a bad document id is refused")
    except websockets.exceptions.InvalidStatus as refusal:
        check(refusal.response.status_code == 400, "a bad document id is HTTP 400")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: protocol_test.py PATH/TO/collab")
    asyncio.run(main(sys.argv[1]))
