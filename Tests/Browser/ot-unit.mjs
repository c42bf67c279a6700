// Unit and simulation tests of Samples/web/collab-client.js, under Node (no browser).
// Usage: node Tests/Browser/ot-unit.mjs [SEED_COUNT]   (or in Chromium: browser_test.py unit)
// Seeded and repeatable: every failure prints its seed.
//   1. code points <-> UTF-16 (emoji, lone surrogates) and the textarea diff;
//   2. apply / compose / transform / positions on random texts with emoji;
//   3. CollabClient against an in-memory server that follows the contract, with several
//      clients, random delivery order, dropped connections, lost messages, undo/redo and
//      reloads from saved state: every client must end with the server's text;
//   4. undo and redo properties (only the local user's edits are undone, redo restores),
//      merging of keystrokes, skipped steps, undo by anyone, and offline edits kept in storage
//      that land exactly once after a reload.
// Runs under Node, and in the browser (Tests/Browser/browser_test.py unit evaluates this file
// in a page that loaded collab-client.js), so it has no static imports.
const inNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node);
let C = globalThis.Collab;
if (!C) {
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  const require = createRequire(process.argv[1]);
  C = require(path.join(path.dirname(process.argv[1]), '../../Samples/web/collab-client.js'));
}

const seeds = Number((inNode && process.argv[2]) || globalThis.otUnitSeeds || 300);
let failures = 0;
let checks = 0;
const messages = [];

function check(condition, message) {
  checks++;
  if (!condition) {
    failures++;
    messages.push('FAIL: ' + message());
    if (failures > 20) throw new Error(messages.join('\n'));
  }
}

/** SplitMix64 on BigInt, for seeded and repeatable random cases. */
function splitmix(seed) {
  let state = BigInt.asUintN(64, BigInt(seed));
  const next = () => {
    state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
    let z = state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  };
  const float = () => Number(next() >> 11n) / 2 ** 53;
  return { float, int: (n) => Math.floor(float() * n), pick: (xs) => xs[Math.floor(float() * xs.length)] };
}

const ALPHABET = ['a', 'b', 'c', ' ', '\n', 'é', '😀', '👍🏽', '🇫🇷', '中', '𝄞'];
const randomText = (r, max) => Array.from({ length: r.int(max) }, () => r.pick(ALPHABET)).join('');

/** A random valid op on a text of `length` code points. */
function randomOp(r, length) {
  const op = [];
  let left = length;
  while (left > 0 || op.length === 0) {
    const roll = r.float();
    if (roll < 0.35 && left > 0) {
      const n = 1 + r.int(left);
      op.push(n);
      left -= n;
    } else if (roll < 0.6 && left > 0) {
      const n = 1 + r.int(Math.min(left, 4));
      op.push({ d: n });
      left -= n;
    } else if (roll < 0.9) {
      op.push(randomText(r, 4) || 'x');
    } else {
      break;
    }
  }
  return C.normalize(op);
}

// --- 1. code points <-> UTF-16 ----------------------------------------------------------
{
  check(C.cpLength('a😀b') === 3, () => 'cpLength of a😀b');
  check(C.cpLength('\ud83d') === 1, () => 'a lone surrogate is one code point');
  check(C.utf16Index('a😀b', 2) === 3, () => 'utf16Index past an emoji');
  check(C.cpIndex('a😀b', 2) === 1, () => 'cpIndex inside a pair rounds down');
  check(C.wellFormed('x\ud83dy\ude00') === 'x\ufffdy\ufffd', () => 'wellFormed replaces lone surrogates');
  check(JSON.stringify(C.diff('a😀', 'a😁')) === JSON.stringify([1, '😁', { d: 1 }]),
    () => 'diff never splits a pair sharing its high surrogate: ' + JSON.stringify(C.diff('a😀', 'a😁')));
  check(JSON.stringify(C.diff('\ud83d\ude00x', '\ud83e\ude00x')) === JSON.stringify(['\ud83e\ude00', { d: 1 }]),
    () => 'diff never splits a pair sharing its low surrogate');
  for (let seed = 1; seed <= seeds; seed++) {
    const r = splitmix(seed);
    const s = randomText(r, 30);
    const points = [...s];
    check(C.cpLength(s) === points.length, () => `seed ${seed}: cpLength`);
    for (let cp = 0; cp <= points.length; cp++) {
      const u = C.utf16Index(s, cp);
      check(u === points.slice(0, cp).join('').length && C.cpIndex(s, u) === cp,
        () => `seed ${seed}: index round trip at ${cp}`);
    }
    const t = randomText(r, 30);
    const op = C.diff(s, t);
    check((op === null && s === t) || C.apply(s, op) === t, () => `seed ${seed}: diff ${JSON.stringify([s, t])}`);
  }
}

// --- 2. operations ------------------------------------------------------------------------
{
  check(C.apply('hello world', [6, { d: 5 }, 'there']) === 'hello there', () => 'the contract example');
  check(JSON.stringify(C.normalize([2, { d: 1 }, 'x', 3])) === JSON.stringify([2, 'x', { d: 1 }]),
    () => 'normalize: insert before delete, no trailing keep');
  const [a1, b1] = C.transform(['X'], ['Y']);
  check(C.apply(C.apply('', ['X']), b1) === 'XY' && C.apply(C.apply('', ['Y']), a1) === 'XY',
    () => 'tie: the op committed first (a) stands first');
  check(C.transformPosition(2, [2, '😀']) === 3, () => 'a cursor at an insert moves after it');
  check(C.transformPosition(3, [1, { d: 4 }]) === 1, () => 'a cursor in a deleted range moves to its start');
  let threw = false;
  try { C.apply('ab', [3]); } catch { threw = true; }
  check(threw, () => 'apply refuses a keep past the end');

  for (let seed = 1; seed <= seeds * 3; seed++) {
    const r = splitmix(seed * 7919);
    const doc = randomText(r, 20);
    const n = C.cpLength(doc);
    const a = randomOp(r, n);
    const b = randomOp(r, n);
    const [a1, b1] = C.transform(a, b);
    const viaA = C.apply(C.apply(doc, a), b1);
    const viaB = C.apply(C.apply(doc, b), a1);
    check(viaA === viaB, () => `seed ${seed}: transform converges ${JSON.stringify({ doc, a, b })}`);
    const afterA = C.apply(doc, a);
    const c = randomOp(r, C.cpLength(afterA));
    check(C.apply(afterA, c) === C.apply(doc, C.compose(a, c)),
      () => `seed ${seed}: compose ${JSON.stringify({ doc, a, c })}`);
    // Transforming S over outstanding then buffer agrees with S over their composition's effect.
    const [s1, a2] = C.transform(b, a);
    const [s2, c2] = C.transform(s1, c);
    check(C.apply(C.apply(doc, b), C.compose(a2, c2)) === C.apply(C.apply(afterA, c), s2),
      () => `seed ${seed}: transform over outstanding then buffer ${JSON.stringify({ doc, a, b, c })}`);
    // Positions: mapping forward then back lands where the text before op still is.
    const p = r.int(n + 1);
    const q = C.transformPosition(p, a);
    check(q >= 0 && q <= C.cpLength(afterA), () => `seed ${seed}: transformed position in range`);
    const back = C.positionBefore(q, a);
    check(back >= 0 && back <= n, () => `seed ${seed}: positionBefore in range`);
    const s = C.summarize(a);
    check(C.cpLength(afterA) === n + s.inserted - s.deleted, () => `seed ${seed}: summarize counts`);
  }
}

// --- 3. CollabClient against an in-memory server -----------------------------------------

/** A server that follows the contract closely enough for one document. */
class FakeServer {
  constructor(check) {
    this.check = check;
    this.text = '';
    this.log = []; // {v, op, clientId, seq}
    this.stored = new Map(); // clientId:seq -> v
    this.lastStored = new Map(); // clientId -> {seq, v}
    this.connections = new Set();
  }
  get version() { return this.log.length; }
  open(conn) { this.connections.add(conn); }
  close(conn) {
    if (!this.connections.delete(conn)) return;
    if (conn.clientId) for (const other of this.connections) if (other.joined) other.push({ type: 'leave', clientId: conn.clientId });
  }
  receive(conn, text) {
    const m = JSON.parse(text);
    if (m.type === 'join') {
      conn.clientId = m.clientId;
      for (const other of this.connections) {
        if (other !== conn && other.clientId === m.clientId) { this.connections.delete(other); other.serverClose(4000); }
      }
      if (m.version === undefined) conn.push({ type: 'snapshot', version: this.version, text: this.text });
      else if (m.version > this.version) { conn.push({ type: 'error', code: 'version_ahead' }); return conn.serverClose(4409); }
      else if (m.version < this.version) conn.push({ type: 'ops', ops: this.log.slice(m.version) });
      conn.joined = true;
      conn.push({ type: 'joined', version: this.version, clientId: m.clientId, role: 'editor', presence: [] });
      for (const other of this.connections) {
        if (other !== conn && other.joined) other.push({ type: 'presence', clientId: m.clientId, user: { id: m.clientId }, v: this.version, selection: null });
      }
      return;
    }
    if (m.type === 'presence') {
      this.check(m.v <= this.version, () => `presence at v ${m.v} above the server's ${this.version}`);
      return;
    }
    if (m.type !== 'op') return;
    const key = conn.clientId + ':' + m.seq;
    if (this.stored.has(key)) return conn.push({ type: 'ack', seq: m.seq, v: this.stored.get(key) });
    const last = this.lastStored.get(conn.clientId);
    this.check(!last || m.v > last.v, () => `op_in_flight: seq ${m.seq} at v ${m.v} made without seeing the ack of v ${last.v}`);
    this.check(!last || m.seq > last.seq, () => `seq went backwards: ${m.seq} after ${last && last.seq}`);
    this.check(m.v <= this.version, () => `op at v ${m.v} above the server's ${this.version}`);
    let op = C.normalize(m.op);
    for (const committed of this.log.slice(m.v)) op = C.transform(committed.op, op)[1];
    this.text = C.apply(this.text, op);
    const record = { type: 'op', v: this.version, op, clientId: conn.clientId, seq: m.seq, user: 'u', ts: 0 };
    this.log.push(record);
    this.stored.set(key, record.v);
    this.lastStored.set(conn.clientId, { seq: m.seq, v: record.v });
    conn.push({ type: 'ack', seq: m.seq, v: record.v });
    for (const other of this.connections) if (other !== conn && other.joined) other.push(record);
  }
}

/** The network: per connection, queues in both directions delivered in random order. */
function makeNetwork(r, server) {
  const connections = [];
  class FakeSocket {
    constructor() {
      this.readyState = 0;
      this.toServer = [];
      this.toClient = [{ kind: 'open' }];
      this.joined = false;
      this.clientId = null;
      connections.push(this);
      server.open(this);
    }
    send(text) { if (this.readyState === 1) this.toServer.push(text); }
    push(message) { if (this.readyState !== 3) this.toClient.push({ kind: 'message', data: JSON.stringify(message) }); }
    serverClose(code) { this.toClient.push({ kind: 'close', code }); server.close(this); }
    close() {
      // Closed by the client: what was sent may or may not have reached the server.
      const lucky = r.float() < 0.5;
      if (lucky) for (const text of this.toServer) server.receive(this, text);
      this.toServer = [];
      this.readyState = 3;
      server.close(this);
    }
    deliverToClient() {
      const event = this.toClient.shift();
      if (event.kind === 'open') { this.readyState = 1; this.onopen && this.onopen(); }
      else if (event.kind === 'message') this.onmessage && this.onmessage({ data: event.data });
      else { this.readyState = 3; this.onclose && this.onclose({ code: event.code, reason: '' }); }
    }
  }
  const live = () => connections.filter((c) => (c.readyState !== 3 && c.toServer.length) || c.toClient.length);
  function step() {
    const candidates = live();
    if (candidates.length === 0) return false;
    const conn = r.pick(candidates);
    if (conn.readyState !== 3 && conn.toServer.length && (!conn.toClient.length || r.float() < 0.5)) {
      server.receive(conn, conn.toServer.shift());
    } else if (conn.toClient.length) {
      conn.deliverToClient();
    } else {
      return step();
    }
    return true;
  }
  return { FakeSocket, step };
}

function simulate(seed) {
  const r = splitmix(seed * 104729);
  const problems = [];
  const fail = (cond, msg) => { if (!cond) problems.push(msg()); };
  const server = new FakeServer(fail);
  const net = makeNetwork(r, server);
  const clients = Array.from({ length: 2 + r.int(3) }, (_, i) => new C.CollabClient({
    server: 'http://sim', docId: 'sim', clientId: 'client-' + seed + '-' + i,
    WebSocket: net.FakeSocket, fetch: null, random: () => 0.99,
  }));
  for (const client of clients) client.connect();
  for (let t = 0; t < 400; t++) {
    const roll = r.float();
    const client = r.pick(clients);
    if (roll < 0.3 && client.version !== null) {
      client.applyLocal(randomOp(r, C.cpLength(client.text)));
      if (r.float() < 0.3) client.setSelection([[r.int(C.cpLength(client.text) + 1), 0]]);
    } else if (roll < 0.31 && client.version !== null) {
      client.undo();
    } else if (roll < 0.315 && client.version !== null) {
      client.redo();
    } else if (roll < 0.33) {
      client.drop();
    } else if (roll < 0.36) {
      client.reconnectNow();
    } else {
      net.step();
    }
  }
  // Heal: everyone reconnects, then deliver everything.
  for (let round = 0; round < 20; round++) {
    for (const client of clients) client.reconnectNow();
    let steps = 0;
    while (net.step()) if (++steps > 5000) break;
    if (clients.every((c) => c.phase === 'connected' && !c.outstanding)) break;
  }
  for (const client of clients) {
    fail(client.phase === 'connected', () => `client ${client.clientId} is ${client.phase}`);
    fail(!client.outstanding, () => `client ${client.clientId} still has an op in flight`);
    fail(client.text === server.text, () => `client ${client.clientId} has ${JSON.stringify(client.text)}, the server ${JSON.stringify(server.text)}`);
    fail(client.version === server.version, () => `client ${client.clientId} at v ${client.version}, the server at ${server.version}`);
    client.disconnect();
  }
  for (const p of problems.slice(0, 3)) check(false, () => `simulation seed ${seed}: ${p}`);
  if (!problems.length) checks++;
  return server.version;
}

let committed = 0;
for (let seed = 1; seed <= seeds; seed++) committed += simulate(seed);

// --- 4. undo and redo, offline edits in storage -------------------------------------------

/** A client that is acknowledged at once, with a settable clock: local and remote edits in order. */
function undoHarness(text = '') {
  const clock = { t: 1000 };
  const client = new C.CollabClient({ server: 'http://x', docId: 'undo', clientId: 'undo-client-1', fetch: null,
                                      now: () => clock.t });
  client.receive({ type: 'snapshot', version: 0, text });
  let remoteSeq = 0;
  return {
    client, clock,
    local(op, millis = 100) {
      clock.t += millis;
      client.applyLocal(op);
      if (client.outstanding) client.receive({ type: 'ack', seq: client.outstanding.seq, v: client.version });
    },
    remote(op) {
      client.receive({ type: 'op', v: client.version, op, clientId: 'someone-else', seq: ++remoteSeq, user: 'o', ts: 0 });
    },
    // Undo/redo ops are sent as local ops too: acknowledge them.
    settle() { if (client.outstanding) client.receive({ type: 'ack', seq: client.outstanding.seq, v: client.version }); },
  };
}

/** `model` (an array of {ch, author}) with `op` applied; returns the deleted entries. */
function applyToModel(model, op, author) {
  const out = [];
  const deleted = [];
  let i = 0;
  for (const c of op) {
    if (typeof c === 'number') { out.push(...model.slice(i, i + c)); i += c; }
    else if (typeof c === 'string') out.push(...[...c].map((ch) => ({ ch, author })));
    else { deleted.push(...model.slice(i, i + c.d)); i += c.d; }
  }
  out.push(...model.slice(i));
  model.splice(0, model.length, ...out);
  return deleted;
}

const sortedChars = (s) => [...s].sort().join('');

{
  // Unit cases.
  let h = undoHarness('hello world');
  h.local([5, ',']); h.local([6, ' big'], 100); // ", big" typed as two keystrokes 100 ms apart
  h.remote(['>> ']); // someone types elsewhere meanwhile
  check(h.client.text === '>> hello, big world', () => 'undo unit: setup ' + h.client.text);
  check(h.client.undo() && h.client.text === '>> hello world', () => 'undo: one step for keystrokes within 500 ms, others\' text kept: ' + h.client.text);
  check(JSON.stringify(h.client.selection) === '[[8,8]]', () => 'undo: the caret goes where the undone text was: ' + JSON.stringify(h.client.selection));
  check(h.client.redo() && h.client.text === '>> hello, big world', () => 'redo restores: ' + h.client.text);
  h.settle();

  h = undoHarness('abc');
  h.local([3, 'x']); h.local([4, 'y'], 800); // 800 ms apart: two steps
  h.client.undo();
  check(h.client.text === 'abcx', () => 'undo: a pause of 800 ms splits steps: ' + h.client.text);

  h = undoHarness('abc');
  h.local([3, 'x']); h.remote([4, 'R']); h.local([5, 'y'], 100); // a remote edit at the step's edge splits it
  h.client.undo();
  check(h.client.text === 'abcxR', () => 'undo: a remote edit touching the step splits it: ' + h.client.text);

  h = undoHarness('one two');
  h.local([7, '!']);
  h.remote([{ d: 3 }]); // someone deletes "one"
  h.local([{ d: 1 }], 1000); // I delete the space
  h.remote([3, { d: 1 }]); // someone deletes my "!"
  check(h.client.text === 'two', () => 'skip setup ' + h.client.text);
  check(h.client.undo() && h.client.text === ' two', () => 'undo restores my deletion: ' + h.client.text);
  h.settle();
  check(!h.client.undo() && h.client.text === ' two', () => 'a step others erased entirely is skipped, no error: ' + h.client.text);

  h = undoHarness('ab');
  h.remote([1, 'X']);
  check(!h.client.undo() && h.client.text === 'aXb', () => 'undo never undoes another user\'s edit');
  check(h.client.undoLastChangeByAnyone() && h.client.text === 'ab', () => 'undoLastChangeByAnyone removes the remote edit');
  h.settle();
  check(h.client.undo() && h.client.text === 'aXb', () => 'and that is itself an undo step: ' + h.client.text);

  h = undoHarness('keep');
  h.client.setSelection([[0, 4]]);
  h.local(['new', { d: 4 }]); // typed over a selection
  h.client.undo();
  check(h.client.text === 'keep' && JSON.stringify(h.client.selection) === '[[0,4]]',
    () => 'undo of typing over a selection selects the restored text: ' + JSON.stringify(h.client.selection));
}

{
  // Properties, seeded: thousands of cases.
  const cases = seeds * 7;
  for (let seed = 1; seed <= cases; seed++) {
    const r = splitmix(seed * 31337);
    const start = randomText(r, 12);
    const onlyLocal = seed % 3 === 0;
    const h = undoHarness(start);
    const model = [...start].map((ch) => ({ ch, author: 'base' }));
    const deletedByOthers = [];
    const othersInserted = [];
    const steps = 1 + r.int(12);
    for (let i = 0; i < steps; i++) {
      const op = randomOp(r, C.cpLength(h.client.text));
      h.local(op, r.float() < 0.5 ? 50 : 900);
      applyToModel(model, op, 'me');
      if (!onlyLocal && r.float() < 0.6) {
        const remote = randomOp(r, C.cpLength(h.client.text));
        h.remote(remote);
        deletedByOthers.push(...applyToModel(model, remote, 'other'));
        othersInserted.push(...model.filter((e) => e.author === 'other' && !othersInserted.includes(e)));
      }
    }
    const before = h.client.text;
    let undone = 0;
    let wrong = null;
    let applied = null;
    h.client.on('text', (op, kind) => { if (kind === 'undo') applied = op; });
    while (undone < 100) {
      applied = null;
      if (!h.client.undo()) break;
      h.settle();
      undone++;
      // An undo deletes only what I typed (or what an earlier undo put back), never text that
      // others typed or that was there at the start.
      const gone = applyToModel(model, applied, 'restored');
      if (!wrong && gone.some((e) => e.author === 'other' || e.author === 'base')) wrong = gone;
    }
    check(model.map((e) => e.ch).join('') === h.client.text, () => `undo seed ${seed}: the model follows the text`);
    if (onlyLocal) {
      check(h.client.text === start, () => `undo seed ${seed}: undoing every local step returns the start: ${JSON.stringify({ start, before, now: h.client.text })}`);
    } else {
      // Every character of others (and of the start) that others did not delete is there, and
      // nothing I typed is left: compared as multisets of characters.
      const expected = [...start, ...othersInserted.map((e) => e.ch)];
      for (const e of deletedByOthers) if (e.author !== 'me') expected.splice(expected.indexOf(e.ch), 1);
      check(sortedChars(h.client.text) === expected.sort().join(''),
        () => `undo seed ${seed}: after undoing every step the text holds exactly the others' text and the start's: ${JSON.stringify({ start, before, now: h.client.text, expected: expected.join('') })}`);
      check(!wrong, () => `undo seed ${seed}: an undo deleted someone else's text ${JSON.stringify(wrong)}`);
    }
    // Redo everything (no one typed meanwhile): back to the text before the undos.
    let redone = 0;
    while (redone < undone && h.client.redo()) { h.settle(); redone++; }
    check(h.client.text === before, () => `undo seed ${seed}: redo after undo restores ${JSON.stringify({ before, now: h.client.text })}`);
  }
}

/** A Storage (getItem, setItem, removeItem, key, length) in memory. */
class MemoryStorage {
  constructor() { this.map = new Map(); }
  get length() { return this.map.size; }
  key(i) { return [...this.map.keys()][i] ?? null; }
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) { this.map.set(k, String(v)); }
  removeItem(k) { this.map.delete(k); }
}

/**
 * Reloads: one client types unique tokens (inserted at token boundaries), goes offline and
 * online, and is "reloaded" at random moments (the old page dies mid-flight, a new client
 * adopts its saved state) while another types too. Every token must land exactly once.
 */
function reloadSimulation(seed) {
  const r = splitmix(seed * 7727);
  const problems = [];
  const fail = (cond, msg) => { if (!cond) problems.push(msg()); };
  const server = new FakeServer(fail);
  const net = makeNetwork(r, server);
  const storage = new MemoryStorage();
  const make = (options) => new C.CollabClient({ server: 'http://sim', docId: 'reload', WebSocket: net.FakeSocket,
                                                 fetch: null, random: () => 0.99, storage, ...options });
  let a = make({ clientId: 'reloading-' + seed });
  const b = make({ clientId: 'steady-' + seed, storage: new MemoryStorage() }); // another browser
  a.connect(); b.connect();
  const tokens = [];
  {
  // The stacks survive a reconnect and its catch-up: Ada's step is undone through Bob's edits
  // made while she was away.
  const r = splitmix(99);
  const server = new FakeServer((cond, msg) => check(cond, msg));
  const net = makeNetwork(r, server);
  const make = (id) => new C.CollabClient({ server: 'http://sim', docId: 'away', clientId: id,
                                            WebSocket: net.FakeSocket, fetch: null, random: () => 0.99 });
  const ada = make('ada-away-1');
  const bob = make('bob-away-1');
  const run = () => { let n = 0; while (net.step() && ++n < 10000); };
  ada.connect(); bob.connect(); run();
  ada.applyLocal(['hello ']); run();
  ada.disconnect('away'); run();
  bob.applyLocal([6, 'world']); bob.applyLocal(['> ']); run();
  ada.connect(); run();
  check(ada.text === '> hello world', () => 'catch-up: ' + ada.text);
  check(ada.undo(), () => 'undo after a catch-up');
  run();
  check(server.text === '> world' && bob.text === '> world' && ada.text === '> world',
    () => `undo after a catch-up removes only Ada's text: server ${JSON.stringify(server.text)}, bob ${JSON.stringify(bob.text)}`);
  ada.disconnect(); bob.disconnect();
}

let reloads = 0;
  const boundaries = (text) => [0, ...[...text].flatMap((ch, i) => (ch === '>' ? [i + 1] : []))];
  for (let t = 0; t < 300; t++) {
    const roll = r.float();
    if (roll < 0.2 && a.version !== null) {
      const token = '<a' + tokens.length + '>';
      tokens.push(token);
      a.applyLocal(C.normalize([r.pick(boundaries(a.text)) || [], token].flat()));
    } else if (roll < 0.3 && b.version !== null) {
      const token = '<b' + tokens.length + '>';
      tokens.push(token);
      b.applyLocal(C.normalize([r.pick(boundaries(b.text)) || [], token].flat()));
    } else if (roll < 0.33) {
      a.disconnect('offline');
    } else if (roll < 0.36) {
      a.reconnectNow();
    } else if (roll < 0.39) {
      // The page dies: whatever it sent may or may not arrive; a new page adopts the saved state.
      if (a.socket) { const s = a.socket; a.socket = null; s.close(); }
      a.stopTimers();
      const saved = C.CollabClient.savedStates(storage, 'reload');
      fail(saved.length <= 1, () => `${saved.length} saved states for one client`);
      a = saved.length ? make({ restore: saved[0].state }) : make({});
      a.connect();
      reloads++;
    } else {
      net.step();
    }
  }
  for (let round = 0; round < 20; round++) {
    for (const client of [a, b]) client.reconnectNow();
    let steps = 0;
    while (net.step()) if (++steps > 5000) break;
    if ([a, b].every((c) => c.phase === 'connected' && !c.outstanding)) break;
  }
  for (const token of tokens) {
    const count = server.text.split(token).length - 1;
    fail(count === 1, () => `token ${token} is in the server's text ${count} times`);
  }
  fail(a.text === server.text && b.text === server.text, () => 'clients differ from the server');
  fail(storage.length === 0, () => `${storage.length} saved states left once everything is acknowledged`);
  a.disconnect(); b.disconnect();
  for (const p of problems.slice(0, 3)) check(false, () => `reload seed ${seed}: ${p}`);
  if (!problems.length) checks++;
  return reloads;
}

let reloads = 0;
for (let seed = 1; seed <= seeds; seed++) reloads += reloadSimulation(seed);
check(reloads > seeds, () => 'the reload simulation reloaded');
{
  // A corrupt or foreign saved state is ignored, never adopted.
  const storage = new MemoryStorage();
  storage.setItem('collab.pending.doc.abcdefgh', '{not json');
  storage.setItem('collab.pending.doc.ijklmnop', JSON.stringify({ format: 1, docId: 'doc', clientId: 'ijklmnop' }));
  check(C.CollabClient.savedStates(storage, 'doc').length === 0, () => 'malformed saved states are skipped');
}

check(C.backoffDelay(0, () => 0.999) < 1000 && C.backoffDelay(3, () => 0.999) >= 7000 &&
      C.backoffDelay(10, () => 0.999) < 30000 && C.backoffDelay(10, () => 0.999) > 29000,
  () => 'backoff caps: 1, 2, 4, ... 30 s');

const summary = failures
  ? `ot-unit: ${failures} of ${checks} checks failed`
  : `ot-unit: ${checks} checks passed (${seeds} seeds; ${committed} ops committed in simulations)`;
globalThis.otUnitResult = { failures, checks, messages, summary };
if (inNode) {
  for (const line of messages) console.error(line);
  if (failures) {
    console.error(summary);
    process.exit(1);
  }
  console.log(summary);
}
