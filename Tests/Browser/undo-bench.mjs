// Undo cost in the browser client (Samples/web/collab-client.js): one undo step on a
// 100,000-character document after 1,000 later remote ops it must be transformed through.
// Usage: node Tests/Browser/undo-bench.mjs [TRIALS]   (in Chromium: browser_test.py bench)
// Prints the median and the range over the trials; each trial builds the situation afresh
// (a local step, then 1,000 remote inserts and deletes elsewhere) and times client.undo():
// threading the step through the 1,000 ops, applying it to the text, and the 'text' event.
const inNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node);
let C = globalThis.Collab;
if (!C) {
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  const require = createRequire(process.argv[1]);
  C = require(path.join(path.dirname(process.argv[1]), '../../Samples/web/collab-client.js'));
}
const now = () => (globalThis.performance ? performance.now() : Date.now());
const trials = Number((inNode && process.argv[2]) || globalThis.undoBenchTrials || 15);
const LENGTH = 100000;
const LATER_OPS = 1000;
const MINE = 'hello, world 👋';

let state = 0x9e3779b9;
const random = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (n) => Math.floor(random() * n);

const words = ['lorem ', 'ipsum ', 'dolor ', 'sit ', 'amet ', 'café ', '😀 ', '中文 ', '\n'];
let start = '';
while (C.cpLength(start) < LENGTH) start += words[int(words.length)];
start = [...start].slice(0, LENGTH).join('');

const times = [];
let ok = true;
let error = null;
for (let trial = 0; trial < trials; trial++) {
  const client = new C.CollabClient({ server: 'http://bench', docId: 'bench', clientId: 'bench-client-1', fetch: null });
  client.receive({ type: 'snapshot', version: 0, text: start });
  const at = LENGTH / 2;
  client.applyLocal([at, MINE]);
  client.receive({ type: 'ack', seq: 1, v: 0 });
  // 1,000 remote edits elsewhere (never inside or next to MINE): inserts and deletes.
  let mine = at; // where MINE starts now
  const mineLength = C.cpLength(MINE);
  for (let i = 0; i < LATER_OPS; i++) {
    const length = C.cpLength(client.text);
    let p = int(length - 4);
    if (p >= mine - 4 && p <= mine + mineLength + 1) p = mine > 10 ? 0 : length - 4;
    const op = random() < 0.6 ? [p, words[int(words.length)]] : [p, { d: 1 + int(3) }];
    client.receive({ type: 'op', v: client.version, op: C.normalize(op.filter((c) => c !== 0)), clientId: 'someone',
                     seq: i + 1, user: 'o', ts: 0 });
    mine = C.transformPosition(mine, C.normalize(op.filter((c) => c !== 0)));
  }
  const before = client.text;
  const began = now();
  const undone = client.undo();
  times.push(now() - began);
  const expected = before.slice(0, C.utf16Index(before, mine)) + before.slice(C.utf16Index(before, mine + mineLength));
  if (!undone || client.text !== expected) {
    ok = false;
    error = 'trial ' + trial + ': the undo did not remove exactly the local text';
    break;
  }
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const summary = ok
  ? `undo of one step on a ${LENGTH}-character document through ${LATER_OPS} later remote ops: ` +
    `median ${median.toFixed(2)} ms (min ${times[0].toFixed(2)}, max ${times[times.length - 1].toFixed(2)}; ${times.length} trials)`
  : 'undo-bench: ' + error;
globalThis.undoBenchResult = { ok, median, times, summary };
if (inNode) {
  console.log(summary);
  if (!ok) process.exit(1);
}
