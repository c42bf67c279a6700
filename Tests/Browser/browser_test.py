#!/usr/bin/env python3
"""The sample web editor in a real browser: headless Chromium driven over the DevTools protocol.

Usage:
  browser_test.py convergence PATH/TO/collab [--seed N] [--editors N] [--edits N]
      Starts `collab serve --port 0` on a temporary database and Chromium, loads
      Tests/Browser/convergence.html (which opens several editors with the real
      collab-client.js on one document, types random edits with emoji into all of them at
      once, takes one offline and drops another), waits for its report, then fails unless
      every editor's text (client and textarea) equals the server's (GET /v1/docs/{id}).
  browser_test.py unit PATH/TO/collab
      Runs Tests/Browser/ot-unit.mjs in Chromium on the served collab-client.js.
  browser_test.py undo PATH/TO/collab
      Two sample editors (two tabs): Ada types, Bob types elsewhere, Ada presses Ctrl-Z
      (DevTools key events): Ada's text is gone and Bob's intact on both sides; Ctrl-Shift-Z
      and Ctrl-Y redo; Bob's Ctrl-Z then removes only Bob's text.
  browser_test.py ime PATH/TO/collab
      An IME composition (Input.imeSetComposition, then Input.insertText) while a raw client
      inserts text: the textarea is not rewritten meanwhile and the composed text lands once.
  browser_test.py scroll PATH/TO/collab
      20 lines inserted by another user above the viewport: the scroll position follows them
      and the selection stays on its text.
  browser_test.py codemirror PATH/TO/collab [--seed N] [--edits N] [--codemirror DIR]
      Tests/Browser/codemirror.html: a CodeMirror 5 editor (Debian's libjs-codemirror, loaded
      from DIR, default /usr/share/javascript/codemirror) and two textarea editors type
      random edits with emoji (and undo) at once and must converge on the server's text.
  browser_test.py reload PATH/TO/collab
      A page with an op whose ack is lost, an edit queued behind it and an edit made offline
      is reloaded: the edits land exactly once (GET /v1/docs/{id} and /ops).
  browser_test.py timeslider PATH/TO/collab
      A document with a known history (a raw client's ops): the sample's timeslider shows the
      text at a scrubbed-to version (= GET ?version=N), an insert step in green and a delete
      step struck through in red, steps with Previous/Next and Play, names a version (listed by
      GET /versions, a mark on the slider), a diff between two versions, restores a version (a
      new version with that text, seen by the editor) and goes back to live editing.
  browser_test.py timeslider-bench PATH/TO/collab [--trace FILE] [--steps N]
      Loads an editing trace (default: automerge-paper) into the server's database with
      `collab bench server --scenario coldjoin`, opens the timeslider on it and prints the
      median and p95 of single steps forward and backward and of random jumps (each until the
      text and its change are drawn and laid out).
  browser_test.py bench PATH/TO/collab
      Tests/Browser/undo-bench.mjs in Chromium: prints the median time of undoing one step
      on a 100k-character document through 1,000 later remote ops.
  browser_test.py screenshot PATH/TO/collab OUTPUT.png
      Opens the real editor at / as Ada while Bob and Cy (raw protocol clients) edit and
      place a cursor and a selection, and saves a screenshot for the README.

Chromium's `--dump-dom` returns before any WebSocket traffic, hence the DevTools protocol.
"""
import argparse
import asyncio
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import websockets

HERE = os.path.dirname(os.path.abspath(__file__))


def chromium_binary():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("browser test: no chromium on PATH (apt-get install chromium)")


def wait_for_line(path, pattern, process, timeout, what):
    """The first match of `pattern` in the file `path`, which `process` is writing."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(path, errors="replace") as handle:
            match = re.search(pattern, handle.read())
        if match:
            return match
        if process.poll() is not None:
            break
        time.sleep(0.05)
    with open(path, errors="replace") as handle:
        raise SystemExit(f"browser test: {what} did not start:\n{handle.read()}")


class Processes:
    """collab serve and Chromium, in a temporary directory, stopped on exit."""

    def __init__(self, collab, directory):
        self.directory = directory
        self.server_log = os.path.join(directory, "server.log")
        with open(self.server_log, "w") as log:
            self.server = subprocess.Popen(
                [collab, "serve", "--port", "0", "--db", os.path.join(directory, "collab.sqlite")],
                stdout=log, stderr=subprocess.STDOUT)
        match = wait_for_line(self.server_log, r"listening on ws://127\.0\.0\.1:(\d+)", self.server, 20,
                              "collab serve")
        self.port = int(match.group(1))
        self.chromium_log = os.path.join(directory, "chromium.log")
        with open(self.chromium_log, "w") as log:
            self.chromium = subprocess.Popen(
                [chromium_binary(), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--no-default-browser-check", "--disable-extensions", "--mute-audio",
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows", "--window-size=1280,800",
                 f"--user-data-dir={os.path.join(directory, 'profile')}",
                 "--remote-debugging-port=0", "about:blank"],
                stdout=log, stderr=subprocess.STDOUT)
        match = wait_for_line(self.chromium_log, r"DevTools listening on (ws://\S+)", self.chromium, 30,
                              "chromium")
        self.devtools_port = int(re.search(r":(\d+)/", match.group(1)).group(1))

    def http(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        for process in (self.chromium, self.server):
            if process.poll() is None:
                process.terminate()
        for process in (self.chromium, self.server):
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


class Page:
    """One page target over the DevTools protocol."""

    def __init__(self, socket):
        self.socket = socket
        self.next_id = 0
        self.pending = {}
        self.console = []
        self.exceptions = []
        self.reader = asyncio.create_task(self.read())

    @classmethod
    async def open(cls, devtools_port):
        """The browser's first tab."""
        with urllib.request.urlopen(f"http://127.0.0.1:{devtools_port}/json/list", timeout=5) as response:
            targets = [t for t in json.loads(response.read()) if t["type"] == "page"]
        return await cls.attach(targets[0])

    @classmethod
    async def new(cls, devtools_port):
        """A new tab."""
        request = urllib.request.Request(f"http://127.0.0.1:{devtools_port}/json/new?about:blank", method="PUT")
        with urllib.request.urlopen(request, timeout=5) as response:
            return await cls.attach(json.loads(response.read()))

    @classmethod
    async def attach(cls, target):
        socket = await websockets.connect(target["webSocketDebuggerUrl"], max_size=None)
        page = cls(socket)
        await page.call("Runtime.enable")
        await page.call("Page.enable")
        # Every tab behaves as focused (key events, focus and selection work in background tabs).
        await page.call("Emulation.setFocusEmulationEnabled", enabled=True)
        return page

    async def read(self):
        async for raw in self.socket:
            message = json.loads(raw)
            if "id" in message:
                future = self.pending.pop(message["id"], None)
                if future and not future.done():
                    future.set_result(message)
            elif message.get("method") == "Runtime.consoleAPICalled":
                args = message["params"]["args"]
                self.console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in args))
            elif message.get("method") == "Runtime.exceptionThrown":
                details = message["params"]["exceptionDetails"]
                self.exceptions.append(details.get("exception", {}).get("description") or details.get("text"))

    async def call(self, method, timeout=30, **params):
        self.next_id += 1
        future = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        await self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        message = await asyncio.wait_for(future, timeout)
        if "error" in message:
            raise RuntimeError(f"{method}: {message['error']}")
        return message["result"]

    async def evaluate(self, expression, timeout=30):
        result = await self.call("Runtime.evaluate", timeout=timeout, expression=expression, returnByValue=True,
                                 awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluate {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def navigate(self, url):
        await self.call("Page.navigate", url=url)
        deadline = time.monotonic() + 15
        while await self.evaluate("document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not load")
            await asyncio.sleep(0.05)

    async def until(self, expression, what, timeout=15):
        """Waits until `expression` is truthy in the page; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                fail(f"timed out waiting for {what} ({expression})", self)
            await asyncio.sleep(0.05)

    async def press(self, key, code, keycode, modifiers=0):
        """A key press as the keyboard sends it (modifiers: 2 Ctrl, 4 Meta, 8 Shift)."""
        for kind in ("rawKeyDown", "keyUp"):
            await self.call("Input.dispatchKeyEvent", type=kind, key=key, code=code, modifiers=modifiers,
                            windowsVirtualKeyCode=keycode, nativeVirtualKeyCode=keycode)

    async def close(self):
        self.reader.cancel()
        await self.socket.close()


def http_json(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def fail(message, page=None):
    print(f"browser test: FAIL: {message}", file=sys.stderr)
    if page:
        for line in page.console[-20:]:
            print(f"  console: {line}", file=sys.stderr)
        for line in page.exceptions[-5:]:
            print(f"  exception: {line}", file=sys.stderr)
    sys.exit(1)


async def convergence(processes, arguments):
    page = await Page.open(processes.devtools_port)
    doc = f"browser-test-{arguments.seed}"
    test_page = "file://" + os.path.join(HERE, "convergence.html")
    query = f"?server={processes.http()}&doc={doc}&seed={arguments.seed}&editors={arguments.editors}&edits={arguments.edits}"
    started = time.monotonic()
    await page.navigate(test_page + query)
    result = None
    while result is None:
        if time.monotonic() - started > 120:
            fail("the test page did not finish within 120 s", page)
        await asyncio.sleep(0.25)
        result = await page.evaluate("window.testResult")
    if not result.get("ok"):
        fail(f"the test page failed: {result.get('error')}", page)
    if page.exceptions:
        fail(f"uncaught exceptions in the page", page)
    server = http_json(f"{processes.http()}/v1/docs/{doc}")
    edits = sum(s["edits"] for s in result["stats"])
    print(f"browser test: {len(result['instances'])} editors, {edits} edits typed in {result['millis']} ms; "
          f"server at version {server['version']} with {len(server['text'])} UTF-16 units")
    if not any(ord(ch) > 0xFFFF for ch in server["text"]):
        fail("the final text has no character outside the BMP: emoji did not get through", page)
    if not (result["stats"][0].get("offline") and result["stats"][0].get("restored")):
        fail("editor 0 was not taken offline and back", page)
    if not result["stats"][1].get("dropped"):
        fail("editor 1's connection was not dropped", page)
    for index, instance in enumerate(result["instances"]):
        for field in ("text", "textarea"):
            if instance[field] != server["text"]:
                fail(f"editor {index}'s {field} differs from the server's text:\n"
                     f"  editor: {instance[field]!r}\n  server: {server['text']!r}", page)
        if instance["version"] != server["version"]:
            fail(f"editor {index} is at version {instance['version']}, the server at {server['version']}", page)
    print(f"browser test: ok - every editor ends with the server's text (seed {arguments.seed})")
    await page.close()


def check_static_files(base):
    """The sample's files at / and /{file}: Content-Type, no-cache, and 304 on a matching ETag."""
    expected = {"/": "text/html; charset=utf-8", "/collab-client.js": "text/javascript; charset=utf-8",
                "/style.css": "text/css; charset=utf-8", "/favicon.svg": "image/svg+xml",
                "/bindings/codemirror5.js": "text/javascript; charset=utf-8"}  # a subfolder too
    for path, content_type in expected.items():
        with urllib.request.urlopen(base + path, timeout=5) as response:
            body = response.read()
            headers = response.headers
        if headers["Content-Type"] != content_type or headers["Cache-Control"] != "no-cache" or not body:
            fail(f"GET {path}: {headers['Content-Type']!r}, {headers['Cache-Control']!r}, {len(body)} bytes")
        request = urllib.request.Request(base + path, headers={"If-None-Match": headers["ETag"]})
        try:
            urllib.request.urlopen(request, timeout=5)
            fail(f"GET {path} with its ETag did not answer 304")
        except urllib.error.HTTPError as error:
            if error.code != 304:
                fail(f"GET {path} with its ETag answered {error.code}")
    print(f"browser test: ok - the sample is served at / with its types, no-cache and ETags")


async def unit(processes, arguments):
    """Tests/Browser/ot-unit.mjs inside Chromium, on the collab-client.js the server serves."""
    check_static_files(processes.http())
    page = await Page.open(processes.devtools_port)
    await page.navigate(f"{processes.http()}/?doc=unit-test-page")
    with open(os.path.join(HERE, "ot-unit.mjs")) as handle:
        source = handle.read()
    result = await page.evaluate("(async () => {\n" + source + "\n;return globalThis.otUnitResult;})()")
    for line in result["messages"]:
        print(f"  {line}", file=sys.stderr)
    print(f"browser test: in Chromium: {result['summary']}")
    if result["failures"]:
        fail("the unit tests failed in the browser", page)
    await page.close()


async def raw_client(port, doc, client_id, name, color):
    """A raw protocol client (as in Samples/python) joined to `doc`; returns (socket, version)."""
    socket = await websockets.connect(f"ws://127.0.0.1:{port}/v1/docs/{doc}", subprotocols=["collab.v1"])
    await socket.send(json.dumps({"type": "join", "clientId": client_id, "user": {"name": name, "color": color}}))
    while True:
        message = json.loads(await socket.recv())
        if message["type"] == "joined":
            return socket, message["version"]


async def drain_until_ack(socket, seq):
    while True:
        message = json.loads(await socket.recv())
        if message["type"] == "ack" and message["seq"] == seq:
            return message["v"]


def code_points(text):
    return len(text)  # Python strings index code points, as the protocol does


async def screenshot(processes, arguments):
    doc = "meeting-notes"
    port = processes.port
    bob, version = await raw_client(port, doc, "bob-sample-0001", "Bob", "#2f9e44")
    cy, _ = await raw_client(port, doc, "cy-sample-00001", "Cy", "#ae3ec9")
    opening = ("Team sync — 22 November 🗓️\n\nAgenda\n"
               "- Ship the browser editor 🚀\n"
               "- Budget for 2026\n"
               "- Offsite: Lisbon or Porto? 🇵🇹\n\n"
               "Notes\n")
    await bob.send(json.dumps({"type": "op", "seq": 1, "v": version, "op": [opening]}))
    version = await drain_until_ack(bob, 1) + 1
    line = "- Remote cursors work with emoji 👍🏽 and accents: café, naïve\n"
    await cy.send(json.dumps({"type": "op", "seq": 1, "v": version, "op": [code_points(opening), line]}))
    version = await drain_until_ack(cy, 1) + 1
    text = opening + line

    page = await Page.open(processes.devtools_port)
    await page.call("Emulation.setDeviceMetricsOverride", width=1200, height=700, deviceScaleFactor=1, mobile=False)
    await page.navigate(f"{processes.http()}/?doc={doc}&name=Ada&color=%231c7ed6")
    deadline = time.monotonic() + 10
    while await page.evaluate("window.collab && window.collab.client.phase") != "connected":
        if time.monotonic() > deadline:
            fail("the editor did not connect", page)
        await asyncio.sleep(0.05)
    # Ada types a line through the textarea, as a keyboard would.
    await page.evaluate("""(() => {
        const ta = window.collab.editor.textarea;
        ta.focus();
        ta.setSelectionRange(ta.value.length, ta.value.length);
        document.execCommand('insertText', false, '- Ada: draft the README section ✍️');
    })()""")
    await asyncio.sleep(0.5)
    # Bob's cursor after "Budget", Cy selecting "Lisbon or Porto?".
    version = (await page.evaluate("window.collab.client.version"))
    budget = text.index("Budget for 2026") + len("Budget")
    lisbon = text.index("Lisbon or Porto?")
    await bob.send(json.dumps({"type": "presence", "v": version, "selection": [[budget, budget]]}))
    await cy.send(json.dumps({"type": "presence", "v": version,
                              "selection": [[lisbon, lisbon + len("Lisbon or Porto?")]]}))
    await asyncio.sleep(1.0)
    await page.evaluate("document.activeElement.blur(); window.collab.editor.textarea.focus()")
    await asyncio.sleep(0.6)
    shot = await page.call("Page.captureScreenshot", format="png")
    with open(arguments.output, "wb") as handle:
        handle.write(base64.b64decode(shot["data"]))
    print(f"browser test: screenshot written to {arguments.output}")
    if page.exceptions:
        fail("uncaught exceptions in the page", page)
    await page.close()
    await bob.close()
    await cy.close()


TEXTAREA = "document.querySelector('textarea[aria-label=\"Document text\"]')"
STATUS = "document.getElementById('status-text').textContent"


async def open_sample(page, base, doc, name):
    """The sample editor at / on `doc` as `name`, connected."""
    await page.navigate(f"{base}/?doc={doc}&name={name}")
    await page.until("window.collab && window.collab.client.phase === 'connected'", f"{name}'s editor to connect")
    if not await page.evaluate(f"!!{TEXTAREA}"):
        fail("the sample has no textarea labelled 'Document text'", page)


async def expect_text(pages, expected, what):
    for page in pages:
        await page.until(f"{TEXTAREA}.value === {json.dumps(expected)} && !window.collab.client.outstanding",
                         f"{what}: the textarea to read {expected!r}")


def server_text(processes, doc):
    return http_json(f"{processes.http()}/v1/docs/{doc}")["text"]


async def undo(processes, arguments):
    """Two editors: Ada types, Bob types elsewhere, Ada's Ctrl-Z removes only Ada's text."""
    doc = "undo-test"
    base = processes.http()
    ada = await Page.open(processes.devtools_port)
    bob = await Page.new(processes.devtools_port)
    await open_sample(ada, base, doc, "Ada")
    await open_sample(bob, base, doc, "Bob")
    ada_line, bob_line = "Ada's line 😀\n", "Bob was here 👍🏽"
    await ada.evaluate(f"{TEXTAREA}.focus()")
    await ada.call("Input.insertText", text=ada_line)
    await expect_text([bob], ada_line, "Ada's line reaches Bob")
    await bob.evaluate(f"(() => {{ const ta = {TEXTAREA}; ta.focus(); ta.setSelectionRange(ta.value.length, ta.value.length); }})()")
    await bob.call("Input.insertText", text=bob_line)
    await expect_text([ada, bob], ada_line + bob_line, "Bob's line reaches Ada")

    await ada.press("z", "KeyZ", 90, modifiers=2)  # Ctrl-Z
    await expect_text([ada, bob], bob_line, "Ada's Ctrl-Z")
    if server_text(processes, doc) != bob_line:
        fail(f"after Ada's Ctrl-Z the server has {server_text(processes, doc)!r}", ada)
    caret = await ada.evaluate(f"[{TEXTAREA}.selectionStart, {TEXTAREA}.selectionEnd]")
    if caret != [0, 0]:
        fail(f"after the undo Ada's caret is at {caret}, not where her line was (0)", ada)
    await ada.press("Z", "KeyZ", 90, modifiers=2 | 8)  # Ctrl-Shift-Z
    await expect_text([ada, bob], ada_line + bob_line, "Ada's Ctrl-Shift-Z")
    await ada.press("z", "KeyZ", 90, modifiers=2)
    await expect_text([ada, bob], bob_line, "Ada's second Ctrl-Z")
    await ada.press("y", "KeyY", 89, modifiers=2)  # Ctrl-Y
    await expect_text([ada, bob], ada_line + bob_line, "Ada's Ctrl-Y")
    await bob.press("z", "KeyZ", 90, modifiers=2)
    await expect_text([ada, bob], ada_line, "Bob's Ctrl-Z")
    if server_text(processes, doc) != ada_line:
        fail(f"after Bob's Ctrl-Z the server has {server_text(processes, doc)!r}", bob)
    for page in (ada, bob):
        status = await page.evaluate(STATUS)
        if not status.startswith("connected"):
            fail(f"the status reads {status!r}, not 'connected'", page)
        if page.exceptions:
            fail("uncaught exceptions in the page", page)
    print("browser test: ok - Ctrl-Z undoes only the typist's own text on both sides; "
          "Ctrl-Shift-Z and Ctrl-Y redo it")
    await bob.close()
    await ada.close()


async def ime(processes, arguments):
    """An IME composition while another user's edits arrive: the composed text lands once."""
    doc = "ime-test"
    ada = await Page.open(processes.devtools_port)
    await open_sample(ada, processes.http(), doc, "Ada")
    bob, version = await raw_client(processes.port, doc, "bob-ime-0000001", "Bob", "#2f9e44")
    await ada.evaluate(f"{TEXTAREA}.focus()")
    await ada.call("Input.insertText", text="Ada: ")
    await expect_text([ada], "Ada: ", "Ada's first words")
    version = await ada.evaluate("window.collab.client.version")
    await ada.call("Input.imeSetComposition", text="にほ", selectionStart=2, selectionEnd=2)
    await ada.until("window.collab.editor.composing", "the composition to start")
    seq = 0

    async def bob_types(piece):
        nonlocal seq, version
        seq += 1
        await bob.send(json.dumps({"type": "op", "seq": seq, "v": version, "op": [piece]}))
        version = await drain_until_ack(bob, seq) + 1
        await ada.until(f"window.collab.client.version === {version}", "Bob's edit to reach Ada's client")

    await bob_types("Bob 1. ")
    await bob_types("Bob 2. ")
    during = await ada.evaluate(f"{TEXTAREA}.value")
    if during != "Ada: にほ":
        fail(f"the textarea was rewritten during the composition: {during!r}", ada)
    await ada.call("Input.imeSetComposition", text="にほんご", selectionStart=4, selectionEnd=4)
    await bob_types("Bob 3. ")
    during = await ada.evaluate(f"{TEXTAREA}.value")
    if during != "Ada: にほんご":
        fail(f"the textarea was rewritten during the composition: {during!r}", ada)
    await ada.call("Input.insertText", text="日本語")  # commits the composition
    expected = "Bob 3. Bob 2. Bob 1. Ada: 日本語"
    await expect_text([ada], expected, "the composition's end")
    if server_text(processes, doc) != expected:
        fail(f"the server has {server_text(processes, doc)!r}, not {expected!r}", ada)
    caret = await ada.evaluate(f"[{TEXTAREA}.selectionStart, {TEXTAREA}.selectionEnd]")
    if caret != [len(expected), len(expected)]:
        fail(f"Ada's caret is at {caret}, not after the composed text ({len(expected)})", ada)
    client_id = await ada.evaluate("window.collab.client.clientId")
    ops = http_json(f"{processes.http()}/v1/docs/{doc}/ops")
    inserted = [c for record in ops if record["clientId"] == client_id for c in record["op"] if isinstance(c, str)]
    if "".join(inserted).count("日本語") != 1 or any(ch in "".join(inserted) for ch in "にほんご"):
        fail(f"Ada's ops inserted {inserted!r}: the composed text must be sent once, and no partial text", ada)
    if ada.exceptions:
        fail("uncaught exceptions in the page", ada)
    print("browser test: ok - a composition survives remote edits and is sent once")
    await bob.close()
    await ada.close()


async def codemirror(processes, arguments):
    """A CodeMirror 5 editor and two textarea editors converge on a document with emoji."""
    library = arguments.codemirror
    if not os.path.exists(os.path.join(library, "lib", "codemirror.js")):
        fail(f"no CodeMirror 5 at {library} (apt-get install libjs-codemirror)")
    page = await Page.open(processes.devtools_port)
    doc = f"codemirror-{arguments.seed}"
    query = (f"?server={processes.http()}&doc={doc}&seed={arguments.seed}&edits={arguments.edits}"
             f"&codemirror=file://{library}")
    await page.navigate("file://" + os.path.join(HERE, "codemirror.html") + query)
    result = await page.until("window.testResult", "the CodeMirror test page to finish", timeout=120)
    if not result.get("ok"):
        fail(f"the test page failed: {result.get('error')}", page)
    if page.exceptions:
        fail("uncaught exceptions in the page", page)
    server = http_json(f"{processes.http()}/v1/docs/{doc}")
    if not any(ord(ch) > 0xFFFF for ch in server["text"]):
        fail("the final text has no character outside the BMP: emoji did not get through", page)
    for instance in result["instances"]:
        for field in ("text", "view"):
            if instance[field] != server["text"]:
                fail(f"{instance['kind']}'s {field} differs from the server's text:\n"
                     f"  editor: {instance[field]!r}\n  server: {server['text']!r}", page)
    if result["carets"] < 1:
        fail("CodeMirror shows no remote cursor", page)
    if result["historyAfterRemote"] != 0:
        fail(f"CodeMirror's own history holds {result['historyAfterRemote']} steps after a remote edit", page)
    print(f"browser test: ok - CodeMirror 5 and two textareas converge ({result['edits']} edits, "
          f"{len(server['text'])} UTF-16 units, {result['undos']} undos, {result['carets']} remote cursors in "
          f"CodeMirror; seed {arguments.seed})")
    await page.close()


async def scroll(processes, arguments):
    """Remote edits above the viewport: the text the user looks at and the selection stay put."""
    doc = "scroll-test"
    page = await Page.open(processes.devtools_port)
    bob, version = await raw_client(processes.port, doc, "bob-scroll-00001", "Bob", "#2f9e44")
    lines = "".join(f"line {i:03} 😀\n" for i in range(200))
    await bob.send(json.dumps({"type": "op", "seq": 1, "v": version, "op": [lines]}))
    version = await drain_until_ack(bob, 1) + 1
    await open_sample(page, processes.http(), doc, "Ada")
    # Ada selects "line 150" and scrolls so that line 140 is at the top.
    await page.evaluate(f"""(() => {{
        const ta = {TEXTAREA};
        ta.focus();
        const at = ta.value.indexOf('line 150');
        ta.setSelectionRange(at, at + 8);
        const lineHeight = parseFloat(getComputedStyle(ta).lineHeight);
        ta.scrollTop = 140 * lineHeight;
    }})()""")
    before = await page.evaluate(f"[{TEXTAREA}.scrollTop, parseFloat(getComputedStyle({TEXTAREA}).lineHeight)]")
    await bob.send(json.dumps({"type": "op", "seq": 2, "v": version,
                               "op": ["".join(f"new {i:02}\n" for i in range(20))]}))
    version = await drain_until_ack(bob, 2) + 1
    await page.until(f"window.collab.client.version === {version}", "Bob's lines to arrive")
    after = await page.evaluate(f"""(() => {{
        const ta = {TEXTAREA};
        return [ta.scrollTop, ta.value.slice(ta.selectionStart, ta.selectionEnd)];
    }})()""")
    if after[1] != "line 150":
        fail(f"Ada's selection moved to {after[1]!r}", page)
    shift = after[0] - before[0]
    if abs(shift - 20 * before[1]) > 2:
        fail(f"20 lines inserted above the viewport moved it by {shift}px, not {20 * before[1]}px", page)
    print(f"browser test: ok - 20 lines inserted above the viewport: the view follows ({shift:.0f}px), "
          "the selection stays on its text")
    await bob.close()
    await page.close()


# Drops every ack the page receives: the server stores the op, the page never learns it.
DROP_ACKS = """
(() => {
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    set onmessage(fn) {
      super.onmessage = (event) => { if (!String(event.data).includes('"type":"ack"')) fn(event); };
    }
    get onmessage() { return super.onmessage; }
  };
})();
"""


async def reload(processes, arguments):
    """A page reloaded with unacknowledged and offline edits: they land exactly once."""
    doc = "reload-test"
    page = await Page.open(processes.devtools_port)
    script = await page.call("Page.addScriptToEvaluateOnNewDocument", source=DROP_ACKS)
    await open_sample(page, processes.http(), doc, "Ada")
    client_id = await page.evaluate("window.collab.client.clientId")
    await page.evaluate(f"{TEXTAREA}.focus()")
    await page.call("Input.insertText", text="one 🌍 ")  # sent and stored; its ack is lost
    await page.until("window.collab.client.outstanding && window.collab.client.outstanding.seq === 1", "the op to be sent")
    deadline = time.monotonic() + 10
    while not _stored(processes, doc, "one 🌍 "):
        if time.monotonic() > deadline:
            fail("the first op was not stored", page)
        await asyncio.sleep(0.05)
    await page.call("Input.insertText", text="two ")  # waits behind the unacknowledged op
    await page.evaluate("window.collab.client.disconnect('test')")
    await page.call("Input.insertText", text="three")  # typed offline
    status = await page.until(f"{STATUS}.startsWith('offline with') && {STATUS}", "the offline status")
    if not status.startswith("offline with 3 pending edits"):
        fail(f"the status reads {status!r}, not 'offline with 3 pending edits'", page)
    saved = await page.evaluate(f"Object.keys(localStorage).filter((k) => k.startsWith('collab.pending.{doc}.'))")
    if saved != [f"collab.pending.{doc}.{client_id}"]:
        fail(f"localStorage holds {saved}, not the edits of {client_id}", page)

    await page.call("Page.removeScriptToEvaluateOnNewDocument", identifier=script["identifier"])
    await page.call("Page.reload")
    await asyncio.sleep(0.3)
    await page.until("document.readyState === 'complete' && window.collab && window.collab.client.phase === 'connected'"
                     " && !window.collab.client.outstanding", "the reloaded page to send its edits")
    expected = "one 🌍 two three"
    if not await page.evaluate("window.collab.restored"):
        fail("the reloaded page did not adopt the saved edits", page)
    if await page.evaluate("window.collab.client.clientId") != client_id:
        fail("the reloaded page did not rejoin with the saved clientId", page)
    await expect_text([page], expected, "after the reload")
    if server_text(processes, doc) != expected:
        fail(f"the server has {server_text(processes, doc)!r}, not {expected!r}", page)
    ops = http_json(f"{processes.http()}/v1/docs/{doc}/ops")
    seqs = [record["seq"] for record in ops if record["clientId"] == client_id]
    if len(seqs) != len(set(seqs)) or len(ops) != len(seqs):
        fail(f"stored ops: {ops}", page)
    left = await page.evaluate(f"Object.keys(localStorage).filter((k) => k.startsWith('collab.pending.'))")
    if left:
        fail(f"saved edits left in localStorage once acknowledged: {left}", page)
    print(f"browser test: ok - edits pending at a reload land exactly once ({len(ops)} ops, seqs {seqs})")
    await page.close()


def _stored(processes, doc, piece):
    """Whether the server's text of `doc` contains `piece` (a document with no op yet is 404)."""
    try:
        return piece in server_text(processes, doc)
    except urllib.error.HTTPError:
        return False



def button_named(name):
    """A JS expression: the button whose accessible name (aria-label or text) is `name`."""
    return ("[...document.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') || "
            f"b.textContent.trim()) === {json.dumps(name)})")


def view_text(skip):
    """A JS expression: the timeslider view's text, leaving out what is inside `skip` elements."""
    return ("(() => { const w = document.createTreeWalker(document.getElementById('ts-view'), NodeFilter.SHOW_TEXT); "
            f"let s = ''; for (let n; (n = w.nextNode());) if (!n.parentElement.closest('{skip}')) s += n.data; return s; }})()")


VIEW_TEXT = view_text("del")
VIEW_RUNS = ("[...document.getElementById('ts-view').querySelectorAll('ins, del')].map((e) => [e.nodeName, e.textContent])")


async def shown(page, version, what):
    await page.until(f"(() => {{ const v = document.getElementById('ts-view'); return !v.hidden && "
                     f"v.dataset.version === '{version}' && v.dataset.mode === 'version' && !v.dataset.busy; }})()",
                     f"{what}: the timeslider to show version {version}")


async def timeslider(processes, arguments):
    """The sample's timeslider on a document with a known history."""
    doc = "timeslider-test"
    base = processes.http()
    bob, version = await raw_client(processes.port, doc, "bob-slider-00001", "Bob", "#2f9e44")
    # (op, what it does) on "Hello world 😀\n"; versions 1.. are the texts after each op.
    ops = [
        ["Hello world 😀\n"],
        [6, "brave new ", 8],                     # v2: an insert
        [6, {"d": 6}, 12],                        # v3: a delete ("brave ")
        [18, "Second line 👍🏽\n"],                 # v4
        [10, {"d": 5}, "planet", 18],             # v5: "world" -> "planet"
    ] + [[0, f"{i} "] for i in range(6, 13)]      # v6..v12: short inserts at the start
    seq = 0
    for op in ops:
        seq += 1
        if op[0] == 0:
            op = [op[1], len(server_text(processes, doc))]  # code points, as Python counts
        await bob.send(json.dumps({"type": "op", "seq": seq, "v": version, "op": op}))
        version = await drain_until_ack(bob, seq) + 1
    texts = {v: http_json(f"{base}/v1/docs/{doc}?version={v}")["text"] for v in range(version + 1)}
    if texts[3] != "Hello new world 😀\n" or texts[2] != "Hello brave new world 😀\n":
        fail(f"the test history is not what it should be: {texts}")

    page = await Page.open(processes.devtools_port)
    await open_sample(page, base, doc, "Ada")
    for name in ("Open timeslider",):
        if not await page.evaluate(f"!!{button_named(name)}"):
            fail(f"no button named {name!r}", page)
    await page.evaluate(f"{button_named('Open timeslider')}.click()")
    await shown(page, version, "opening")
    if not await page.evaluate(f"{TEXTAREA}.offsetParent === null"):
        fail("the editable textarea is still shown in the timeslider", page)
    for name in ("Previous version", "Next version", "Play", "Name this version", "Restore this version",
                 "Back to live editing"):
        if not await page.evaluate(f"!!{button_named(name)} && {button_named(name)}.offsetParent !== null"):
            fail(f"the timeslider has no visible button named {name!r}", page)
    slider = "document.querySelector('input[type=range][aria-label=\"Version\"]')"
    if await page.evaluate(f"{slider} && {slider}.max") != str(version):
        fail(f"no slider labelled 'Version' up to {version}", page)

    # Scrub: the slider set as a user drags it (input events), to several versions.
    for n in (3, 9, 1, 5):
        await page.evaluate(f"(() => {{ const s = {slider}; s.value = '{n}'; s.dispatchEvent(new Event('input', {{ bubbles: true }})); }})()")
        await shown(page, n, f"scrubbing to {n}")
        if await page.evaluate(VIEW_TEXT) != texts[n]:
            fail(f"at version {n} the timeslider shows {await page.evaluate(VIEW_TEXT)!r}, not {texts[n]!r}", page)
    # An insert step and a delete step, with Next and Previous.
    await page.evaluate(f"(() => {{ const s = {slider}; s.value = '2'; s.dispatchEvent(new Event('input')); }})()")
    await shown(page, 2, "scrubbing to 2")
    runs = await page.evaluate(VIEW_RUNS)
    if runs != [["INS", "brave new "]]:
        fail(f"the insert step at version 2 is drawn as {runs}, not one green 'brave new '", page)
    color = await page.evaluate("getComputedStyle(document.querySelector('#ts-view ins')).backgroundColor")
    rgb = [float(x) for x in re.findall(r"[\d.]+", color)[:3]]
    if not (rgb[1] > rgb[0] and rgb[1] > rgb[2]):
        fail(f"the insert is not drawn green: {color}", page)
    await page.evaluate(f"{button_named('Next version')}.click()")
    await shown(page, 3, "Next version")
    runs = await page.evaluate(VIEW_RUNS)
    if runs != [["DEL", "brave "]] or await page.evaluate(VIEW_TEXT) != texts[3]:
        fail(f"the delete step at version 3 is drawn as {runs}, not one struck-through 'brave '", page)
    style = await page.evaluate("(() => { const s = getComputedStyle(document.querySelector('#ts-view del')); "
                                "return [s.textDecorationLine, s.color]; })()")
    rgb = [float(x) for x in re.findall(r"[\d.]+", style[1])[:3]]
    if "line-through" not in style[0] or not (rgb[0] > rgb[1] and rgb[0] > rgb[2]):
        fail(f"the delete is not struck through in red: {style}", page)
    change = await page.evaluate("document.getElementById('ts-change').textContent")
    if "Bob" not in change and "bob" not in change.lower():
        fail(f"the step's author is not shown: {change!r}", page)
    await page.evaluate(f"{button_named('Previous version')}.click()")
    await shown(page, 2, "Previous version")
    await page.evaluate(f"{button_named('Previous version')}.click()")
    await shown(page, 1, "Previous version")
    if await page.evaluate(VIEW_TEXT) != texts[1] or await page.evaluate(VIEW_RUNS) != [["INS", texts[1]]]:
        fail(f"version 1 is shown as {await page.evaluate(VIEW_RUNS)}", page)
    # Play runs to the live version and stops.
    await page.evaluate(f"{button_named('Play')}.click()")
    await shown(page, version, "Play")
    await page.until(f"{button_named('Play')}.getAttribute('aria-pressed') === 'false'", "Play to stop at the end")

    # Name version 3.
    await page.evaluate(f"(() => {{ const s = {slider}; s.value = '3'; s.dispatchEvent(new Event('input')); }})()")
    await shown(page, 3, "scrubbing to 3")
    await page.evaluate("document.querySelector('input[aria-label=\"Version name\"]').value = 'Draft one ✍️'")
    await page.evaluate(f"{button_named('Name this version')}.click()")
    await page.until("!!document.querySelector('.ts-mark[data-name=\"Draft one ✍️\"][data-version=\"3\"]')",
                     "a mark for the named version")
    names = http_json(f"{base}/v1/docs/{doc}/versions")
    if not any(n["name"] == "Draft one ✍️" and n["version"] == 3 for n in names):
        fail(f"GET /versions lists {names}, not 'Draft one ✍️' at 3", page)

    # A diff between versions 1 and 5.
    await page.evaluate("document.getElementById('ts-from').value = '1'; document.getElementById('ts-to').value = '5';"
                        f"{button_named('Show diff')}.click()")
    await page.until("document.getElementById('ts-view').dataset.mode === 'diff'", "the diff view")
    after = await page.evaluate(view_text("del"))
    before = await page.evaluate(view_text("ins"))
    if after != texts[5] or before != texts[1]:
        fail(f"the diff 1→5 reads {before!r} → {after!r}", page)

    # Restore version 3: a new version with its text, which the editor receives.
    await page.evaluate(f"(() => {{ const s = {slider}; s.value = '3'; s.dispatchEvent(new Event('input')); }})()")
    await shown(page, 3, "scrubbing to 3 again")
    await page.evaluate(f"{button_named('Restore this version')}.click()")
    await page.until(f"{TEXTAREA}.offsetParent !== null && {TEXTAREA}.value === {json.dumps(texts[3])}",
                     "the restored text in the editor")
    restored = http_json(f"{base}/v1/docs/{doc}")
    if restored["version"] != version + 1 or restored["text"] != texts[3]:
        fail(f"after the restore the server is at {restored['version']} with {restored['text']!r}", page)
    version += 1

    # Back to live editing: the textarea is editable again.
    await page.evaluate(f"{button_named('Open timeslider')}.click()")
    await shown(page, version, "reopening")
    runs = await page.evaluate(VIEW_RUNS)
    if not runs or ["INS", "brave "] in runs:
        fail(f"the restore step is drawn as {runs}", page)
    await page.evaluate(f"{button_named('Back to live editing')}.click()")
    await page.until(f"{TEXTAREA}.offsetParent !== null && document.activeElement === {TEXTAREA}", "the editor back")
    await page.evaluate(f"{TEXTAREA}.setSelectionRange(0, 0)")
    await page.call("Input.insertText", text="Live: ")
    await expect_text([page], "Live: " + texts[3], "typing after the timeslider")
    # A viewer sees no editing buttons.
    await page.evaluate("window.collab.client.role = 'viewer'")
    await page.evaluate(f"{button_named('Open timeslider')}.click()")
    await shown(page, version + 1, "reopening as a viewer")
    if await page.evaluate(f"{button_named('Restore this version')}.offsetParent !== null || "
                           f"{button_named('Name this version')}.offsetParent !== null"):
        fail("a viewer is offered Name this version / Restore this version", page)
    if page.exceptions:
        fail("uncaught exceptions in the page", page)
    print(f"browser test: ok - the timeslider scrubs, steps, plays, draws inserts and deletes, names, diffs, "
          f"restores (version {version}) and returns to live editing")
    await bob.close()
    await page.close()



TIMESLIDER_BENCH = """
(async (steps, jumps, seed) => {
  const ts = window.collab.timeslider;
  const view = document.getElementById('ts-view');
  let state = seed >>> 0;
  const random = () => { state = (Math.imul(state, 1664525) + 1013904223) >>> 0; return state / 4294967296; };
  const latest = window.collab.client.version;
  // One move until the text and its change are drawn and laid out.
  const timed = async (n) => {
    const start = performance.now();
    await ts.go(n);
    view.getBoundingClientRect();
    const millis = performance.now() - start;
    if (ts.track.version !== n || view.dataset.version !== String(n)) throw new Error('not at ' + n);
    return millis;
  };
  const forward = [], backward = [], jump = [];
  for (let round = 0; round < 3; round++) {
    const at = 1000 + Math.floor(random() * (latest - 2000 - steps));
    await timed(at);
    for (let k = 1; k <= steps; k++) forward.push(await timed(at + k));
    for (let k = steps - 1; k >= -steps; k--) backward.push(await timed(at + k));
  }
  for (let k = 0; k < jumps; k++) jump.push(await timed(1 + Math.floor(random() * (latest - 1))));
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
    return { n: s.length, median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
  };
  return { latest, chars: window.Collab.cpLength(window.collab.client.text), forward: stats(forward), backward: stats(backward),
           jump: stats(jump), requests: ts.track.requests };
})
"""


async def timeslider_bench(processes, arguments):
    """The timeslider on a large traced document: single steps and random jumps, timed in Chromium."""
    url = f"ws://127.0.0.1:{processes.port}"
    loaded = subprocess.run([arguments.collab, "bench", "server", "--scenario", "coldjoin", "--runs", "1",
                             "--db", os.path.join(processes.directory, "collab.sqlite"), "--url", url,
                             "--trace", arguments.trace], capture_output=True, text=True, timeout=1800)
    match = re.search(r"stored (\d+) ops of (\S+)", loaded.stdout + loaded.stderr)
    if loaded.returncode != 0 or not match:
        fail(f"collab bench server --scenario coldjoin failed:\n{loaded.stdout}\n{loaded.stderr}")
    ops, doc = int(match.group(1)), match.group(2)
    print(f"browser test: {ops} ops of {arguments.trace} stored as {doc}")
    page = await Page.open(processes.devtools_port)
    await open_sample(page, processes.http(), doc, "Bench")
    await page.evaluate("window.collab.timeslider.open()")
    await shown(page, ops, "opening the timeslider")
    result = await page.evaluate(f"{TIMESLIDER_BENCH}({arguments.steps}, {arguments.jumps}, {arguments.seed})",
                                 timeout=900)
    for kind in ("forward", "backward", "jump"):
        r = result[kind]
        print(f"timeslider {kind:8} n={r['n']:4}  median {r['median']:6.1f} ms  p95 {r['p95']:6.1f} ms  max {r['max']:6.1f} ms")
    print(f"browser test: {result['latest']} versions, {result['chars']} characters at the end; "
          f"{result['requests']} requests to the server")
    if page.exceptions:
        fail("uncaught exceptions in the page", page)
    await page.close()


async def bench(processes, arguments):
    """Tests/Browser/undo-bench.mjs in Chromium: undo of one step through 1,000 later ops."""
    page = await Page.open(processes.devtools_port)
    await page.navigate(f"{processes.http()}/?doc=bench-page")
    with open(os.path.join(HERE, "undo-bench.mjs")) as handle:
        source = handle.read()
    result = await page.evaluate("(async () => {\n" + source + "\n;return globalThis.undoBenchResult;})()")
    print(f"browser test: in Chromium: {result['summary']}")
    if not result["ok"]:
        fail("the undo benchmark failed", page)
    await page.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    conv = sub.add_parser("convergence")
    conv.add_argument("collab")
    conv.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    conv.add_argument("--editors", type=int, default=3)
    conv.add_argument("--edits", type=int, default=80)
    unit_parser = sub.add_parser("unit")
    unit_parser.add_argument("collab")
    for mode in ("undo", "ime", "scroll", "reload", "bench", "timeslider"):
        sub.add_parser(mode).add_argument("collab")
    tsb = sub.add_parser("timeslider-bench")
    tsb.add_argument("collab")
    tsb.add_argument("--trace", default="/work/shared/data/traces/automerge-paper.json")
    tsb.add_argument("--steps", type=int, default=200)
    tsb.add_argument("--jumps", type=int, default=40)
    tsb.add_argument("--seed", type=int, default=1)
    cm = sub.add_parser("codemirror")
    cm.add_argument("collab")
    cm.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    cm.add_argument("--edits", type=int, default=40)
    cm.add_argument("--codemirror", default="/usr/share/javascript/codemirror")
    shot = sub.add_parser("screenshot")
    shot.add_argument("collab")
    shot.add_argument("output")
    arguments = parser.parse_args()
    # Chromium's helper processes may still write to the profile for a moment after it exits.
    with tempfile.TemporaryDirectory(prefix="collab-browser-", ignore_cleanup_errors=True) as directory:
        processes = Processes(arguments.collab, directory)
        try:
            run = {"convergence": convergence, "unit": unit, "screenshot": screenshot, "undo": undo, "ime": ime,
                   "codemirror": codemirror, "reload": reload, "bench": bench, "scroll": scroll,
                   "timeslider": timeslider, "timeslider-bench": timeslider_bench}[arguments.mode]
            asyncio.run(run(processes, arguments))
        finally:
            processes.stop()


if __name__ == "__main__":
    main()
