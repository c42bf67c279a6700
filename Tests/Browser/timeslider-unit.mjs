// Unit tests of Samples/web/timeslider.js under Node: seeded random histories with emoji.
// Usage: node Tests/Browser/timeslider-unit.mjs [SEED_COUNT]
//   1. applyKeepingDeleted / unapply are inverses; changeSegments rebuilds both texts;
//   2. VersionTrack over an in-memory server: random steps, scrubs and jumps always show the
//      text at that version and its change, and never ask for a text far below the target
//      (no replay from version 0).
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const here = path.dirname(new URL(import.meta.url).pathname);
const C = require(path.join(here, '../../Samples/web/collab-client.js'));
const T = require(path.join(here, '../../Samples/web/timeslider.js'));

const seeds = Number(process.argv[2] || 200);
let failures = 0;
let checks = 0;
function check(condition, message) {
  checks++;
  if (!condition) {
    failures++;
    console.error('FAIL: ' + message());
    if (failures > 20) process.exit(1);
  }
}

/** Mulberry32: seeded and repeatable. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const PIECES = ['a', 'b', 'xy', ' ', '\n', '😀', 'é', '👍🏽', 'zz', '日本'];

/** A random op on `text` (code points): keeps, one insert and/or one delete. */
function randomOp(text, rnd) {
  const n = C.cpLength(text);
  const at = Math.floor(rnd() * (n + 1));
  const op = [];
  if (at) op.push(at);
  const kind = rnd();
  if (kind < 0.6 || n === at) {
    let s = '';
    for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) s += PIECES[Math.floor(rnd() * PIECES.length)];
    op.push(s);
    if (n - at) op.push(n - at);
  } else {
    const d = 1 + Math.floor(rnd() * Math.min(5, n - at));
    if (kind < 0.8) op.push(PIECES[Math.floor(rnd() * PIECES.length)]);
    op.push({ d });
    if (n - at - d) op.push(n - at - d);
  }
  return C.normalize ? C.normalize(op) : op;
}

function history(seed, length) {
  const rnd = random(seed);
  const texts = [''];
  const records = [];
  for (let v = 0; v < length; v++) {
    const op = randomOp(texts[v], rnd);
    records.push({ type: 'op', v, op, clientId: 'c' + (v % 3), seq: v, user: 'u' + (v % 3), ts: 1000 + v });
    texts.push(C.apply(texts[v], op));
  }
  return { texts, records, rnd };
}

// 1. The pure helpers.
for (let seed = 1; seed <= seeds; seed++) {
  const { texts, records } = history(seed, 30);
  for (const r of records) {
    const before = texts[r.v];
    const { text, deleted } = T.applyKeepingDeleted(before, r.op);
    check(text === texts[r.v + 1], () => `seed ${seed} v${r.v}: applyKeepingDeleted gives the next text`);
    check(T.unapply(text, r.op, deleted) === before, () => `seed ${seed} v${r.v}: unapply gives the text before`);
    const runs = T.changeSegments(text, r.op, deleted);
    const join = (kinds) => runs.filter((s) => kinds.includes(s.kind)).map((s) => s.text).join('');
    check(join(['same', 'ins']) === text, () => `seed ${seed} v${r.v}: same+ins runs are the text after`);
    check(join(['same', 'del']) === before, () => `seed ${seed} v${r.v}: same+del runs are the text before`);
    check(join(['ins']) === r.op.filter((c) => typeof c === 'string').join(''),
      () => `seed ${seed} v${r.v}: ins runs are the op's inserts`);
    const lines = T.lineRuns(runs);
    check(lines.map((l) => l.map((x) => x.text).join('')).join('') === runs.map((x) => x.text).join('') &&
      lines.every((l, i) => i === lines.length - 1 || l[l.length - 1].text.endsWith('\n')) &&
      lines.every((l) => l.every((x, k) => !x.text.slice(0, -1).includes('\n') && (k === l.length - 1 || !x.text.includes('\n')))),
      () => `seed ${seed} v${r.v}: lineRuns cuts the runs at each newline`);
    check(lines.every((l) => (l.key === l.map((x) => x.text).join('')) === l.every((x) => x.kind === 'same')),
      () => `seed ${seed} v${r.v}: a line's key is its text when nothing in it changed`);
    check(runs.every((s, i) => s.text && (i === 0 || runs[i - 1].kind !== s.kind)), () => `seed ${seed}: runs are merged`);
  }
}
{
  // An example a reader can check by eye: "héllo 😀 world" -> delete "😀 ", insert "big ".
  const op = [6, { d: 2 }, 'big ', 5];
  const { text, deleted } = T.applyKeepingDeleted('héllo 😀 world', op);
  check(text === 'héllo big world' && deleted.length === 1 && deleted[0] === '😀 ', () => 'the example op: ' + text);
  const runs = T.changeSegments(text, op, deleted);
  check(JSON.stringify(runs) === JSON.stringify([{ kind: 'same', text: 'héllo ' }, { kind: 'del', text: '😀 ' },
    { kind: 'ins', text: 'big ' }, { kind: 'same', text: 'world' }]), () => 'the example runs: ' + JSON.stringify(runs));
}

// 2. VersionTrack against an in-memory server.
async function walk(seed) {
  const length = 150;
  const { texts, records, rnd } = history(seed + 10000, length);
  const asked = [];
  const source = {
    text: async (v) => { asked.push(v); if (v >= texts.length) throw new T.VersionError('no', 404); return texts[v]; },
    ops: async (from, limit) => records.slice(from, from + limit),
  };
  const track = new T.VersionTrack(source, { page: 16, block: 8, lookahead: 4 });
  let target = Math.floor(rnd() * (length + 1));
  for (let move = 0; move < 120; move++) {
    const r = rnd();
    const previous = track.version;
    if (r < 0.4 && track.version !== null) target = Math.min(length, track.version + 1);
    else if (r < 0.8 && track.version !== null) target = Math.max(0, track.version - 1);
    else target = Math.floor(rnd() * (length + 1));
    const before = asked.length;
    await track.go(target);
    check(track.version === target && track.text === texts[target],
      () => `seed ${seed}: at version ${target} the text is that version's`);
    for (const v of asked.slice(before)) {
      check(v >= target - 2 * 8 && v <= target, () => `seed ${seed}: going to ${target} asked for the text at ${v}`);
    }
    if (previous !== null && Math.abs(previous - target) === 1 && target > previous) {
      check(asked.length === before, () => `seed ${seed}: a step forward from ${previous} fetched a text`);
    }
    if (target > 0) {
      const runs = track.segments();
      const join = (kinds) => runs.filter((s) => kinds.includes(s.kind)).map((s) => s.text).join('');
      check(join(['same', 'ins']) === texts[target] && join(['same', 'del']) === texts[target - 1],
        () => `seed ${seed}: the change shown at ${target} is op ${target - 1}`);
      check(track.change && track.change.v === target - 1, () => `seed ${seed}: the change record at ${target}`);
    }
  }
  // The document grows while the timeslider is open: the new versions can be shown.
  const grown = history(seed + 10000, length + 3);
  texts.splice(0, texts.length, ...grown.texts);
  records.splice(0, records.length, ...grown.records);
  await track.go(length + 3);
  check(track.text === texts[length + 3], () => `seed ${seed}: a version added later is shown`);
  let refused = null;
  try { await track.go(length + 8); } catch (error) { refused = error; }
  check(refused && refused.status === 404, () => `seed ${seed}: a version past the end is refused with 404`);
}
for (let seed = 1; seed <= Math.max(10, seeds / 4); seed++) await walk(seed);

const summary = `timeslider-unit: ${failures ? failures + ' of ' + checks + ' checks failed' : checks + ' checks passed'}`;
if (failures) {
  console.error(summary);
  process.exit(1);
}
console.log(summary);
