// collab-client.js: the client half of the collab.v1 protocol, for browsers (and Node).
//
// No DOM in here: text operations (apply / compose / transform in Unicode code points, as on
// the wire), conversion between the browser's UTF-16 strings and code-point positions, and
// CollabClient, the ot.js-style state machine (synchronized -> awaiting ack -> awaiting
// with buffer) with reconnects, catch-up and presence. Loaded as a classic script it defines
// `window.Collab`; in Node, `require()` returns the same object.
(function (root, factory) {
  'use strict';
  const api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.Collab = api;
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  // ---------------------------------------------------------------------------------------
  // Code points <-> UTF-16. JavaScript strings are UTF-16; the contract counts code points,
  // so an emoji such as "😀" is 2 string units but 1 position.

  const isHigh = (c) => c >= 0xd800 && c <= 0xdbff;
  const isLow = (c) => c >= 0xdc00 && c <= 0xdfff;

  /** Number of code points in `s` (a lone surrogate counts as one). */
  function cpLength(s) {
    let n = 0;
    for (let i = 0; i < s.length; i++, n++) {
      if (isHigh(s.charCodeAt(i)) && i + 1 < s.length && isLow(s.charCodeAt(i + 1))) i++;
    }
    return n;
  }

  /** The UTF-16 index of code point `cp` in `s` (clamped to the end). */
  function utf16Index(s, cp) {
    let i = 0;
    for (let n = 0; n < cp && i < s.length; n++) {
      i += isHigh(s.charCodeAt(i)) && i + 1 < s.length && isLow(s.charCodeAt(i + 1)) ? 2 : 1;
    }
    return i;
  }

  /** The code-point position of UTF-16 index `u` in `s`; an index inside a pair rounds down. */
  function cpIndex(s, u) {
    let n = 0;
    for (let i = 0; i < u && i < s.length; i++) {
      if (isHigh(s.charCodeAt(i)) && i + 1 < s.length && isLow(s.charCodeAt(i + 1))) {
        if (i + 1 >= u) break; // u splits the pair
        i++;
      }
      n++;
    }
    return n;
  }

  const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

  /** `s` with every lone surrogate replaced by U+FFFD (the contract refuses them in inserts). */
  function wellFormed(s) {
    return s.replace(LONE_SURROGATE, '\ufffd');
  }

  // ---------------------------------------------------------------------------------------
  // Text operations, in the wire's shape: an array of components applied left to right,
  // n > 0 keeps n code points, a non-empty string inserts it, {d: n} deletes n. Whatever
  // follows the last component is kept. Builders below keep ops normalized as the server
  // stores them: adjacent components merged, insert before delete, no trailing keep.

  const isRetain = (c) => typeof c === 'number';
  const isInsert = (c) => typeof c === 'string';
  const isDelete = (c) => c !== null && typeof c === 'object';
  const componentLength = (c) => (isRetain(c) ? c : isInsert(c) ? cpLength(c) : c.d);

  function pushRetain(ops, n) {
    if (n <= 0) return;
    if (isRetain(ops[ops.length - 1])) ops[ops.length - 1] += n;
    else ops.push(n);
  }

  function pushInsert(ops, s) {
    if (s === '') return;
    const last = ops[ops.length - 1];
    if (isInsert(last)) {
      ops[ops.length - 1] = last + s;
    } else if (isDelete(last)) {
      // Insert and delete at one position: the insert goes first.
      if (isInsert(ops[ops.length - 2])) ops[ops.length - 2] += s;
      else ops.splice(ops.length - 1, 0, s);
    } else {
      ops.push(s);
    }
  }

  function pushDelete(ops, n) {
    if (n <= 0) return;
    const last = ops[ops.length - 1];
    if (isDelete(last)) ops[ops.length - 1] = { d: last.d + n };
    else ops.push({ d: n });
  }

  function trimmed(ops) {
    while (ops.length > 0 && isRetain(ops[ops.length - 1])) ops.pop();
    return ops;
  }

  /** `op` normalized (merged, insert before delete, no trailing keep). Throws on invalid components. */
  function normalize(op) {
    if (!Array.isArray(op)) throw new Error('an op is an array');
    const out = [];
    for (const c of op) {
      if (isRetain(c) && Number.isInteger(c) && c > 0) pushRetain(out, c);
      else if (isInsert(c) && c !== '') pushInsert(out, c);
      else if (isDelete(c) && Number.isInteger(c.d) && c.d > 0) pushDelete(out, c.d);
      else throw new Error('invalid component ' + JSON.stringify(c));
    }
    return trimmed(out);
  }

  /** True when `op` changes nothing. */
  const isNoop = (op) => op.every(isRetain);

  /**
   * Walks an op component by component, splitting components on demand; past the end it
   * yields an endless keep (what follows the last component is kept).
   */
  class OpCursor {
    constructor(op) {
      this.op = op;
      this.index = 0;
      this.offset = 0; // code points of op[index] already taken
      this.length = op.length > 0 ? componentLength(op[0]) : 0;
    }
    get done() { return this.index >= this.op.length; }
    peek() { return this.op[this.index]; }
    remaining() { return this.done ? Infinity : this.length - this.offset; }
    advance(n) {
      this.offset += n;
      if (this.offset >= this.length) {
        this.index++;
        this.offset = 0;
        this.length = this.done ? 0 : componentLength(this.op[this.index]);
      }
    }
    /** The next piece of at most `n` code points: a number, a string or {d}. */
    take(n) {
      if (this.done) return n;
      const c = this.peek();
      const k = Math.min(n, this.remaining());
      let piece;
      if (isRetain(c)) piece = k;
      else if (isDelete(c)) piece = { d: k };
      else if (this.offset === 0 && k === this.length) piece = c;
      else piece = c.slice(utf16Index(c, this.offset), utf16Index(c, this.offset + k));
      this.advance(k);
      return piece;
    }
  }

  /** `text` with `op` applied. Throws if the op keeps or deletes past the end. */
  function apply(text, op) {
    const parts = [];
    let i = 0; // UTF-16 index into text
    for (const c of op) {
      if (isInsert(c)) {
        parts.push(c);
        continue;
      }
      const n = isRetain(c) ? c : c.d;
      let j = i;
      for (let k = 0; k < n; k++) {
        if (j >= text.length) throw new Error('op reaches past the end of the document');
        j += isHigh(text.charCodeAt(j)) && j + 1 < text.length && isLow(text.charCodeAt(j + 1)) ? 2 : 1;
      }
      if (isRetain(c)) parts.push(text.slice(i, j));
      i = j;
    }
    parts.push(text.slice(i));
    return parts.join('');
  }

  /** One op with the effect of `a` then `b`. */
  function compose(a, b) {
    const out = [];
    const ca = new OpCursor(a);
    const cb = new OpCursor(b);
    for (;;) {
      if (!cb.done && isInsert(cb.peek())) {
        pushInsert(out, cb.take(Infinity));
        continue;
      }
      if (!ca.done && isDelete(ca.peek())) {
        pushDelete(out, ca.take(Infinity).d);
        continue;
      }
      if (ca.done && cb.done) break;
      const n = Math.min(ca.remaining(), cb.remaining());
      const pa = ca.take(n); // a keep or an insert
      const pb = cb.take(n); // a keep or a delete
      if (isRetain(pa)) {
        if (isRetain(pb)) pushRetain(out, pb);
        else pushDelete(out, pb.d);
      } else if (isRetain(pb)) {
        pushInsert(out, pa);
      } // an insert of a deleted by b: nothing
    }
    return trimmed(out);
  }

  /**
   * [a', b'] for ops `a` and `b` made on the same text, where a' applies after b and b' after
   * a, and apply(apply(t, a), b') == apply(apply(t, b), a'). `a` is the op committed first:
   * at a tie (both insert at one position) a's insert stands first. A client transforms a
   * server op S over its pending op P as transform(S, P).
   */
  function transform(a, b) {
    const a1 = [];
    const b1 = [];
    const ca = new OpCursor(a);
    const cb = new OpCursor(b);
    for (;;) {
      if (!ca.done && isInsert(ca.peek())) {
        const s = ca.take(Infinity);
        pushInsert(a1, s);
        pushRetain(b1, cpLength(s));
        continue;
      }
      if (!cb.done && isInsert(cb.peek())) {
        const s = cb.take(Infinity);
        pushRetain(a1, cpLength(s));
        pushInsert(b1, s);
        continue;
      }
      if (ca.done && cb.done) break;
      const n = Math.min(ca.remaining(), cb.remaining());
      const pa = ca.take(n);
      const pb = cb.take(n);
      if (isRetain(pa) && isRetain(pb)) {
        pushRetain(a1, n);
        pushRetain(b1, n);
      } else if (isDelete(pa) && isRetain(pb)) {
        pushDelete(a1, n);
      } else if (isRetain(pa) && isDelete(pb)) {
        pushDelete(b1, n);
      } // both delete the same text: nothing left to do
    }
    return [trimmed(a1), trimmed(b1)];
  }

  /**
   * Where position `p` (code points) is after `op`. An insert exactly at `p` moves it past the
   * inserted text, as the contract says for cursors.
   */
  function transformPosition(p, op) {
    let at = 0; // position in the text before op
    let result = p;
    for (const c of op) {
      if (at > p) break;
      if (isRetain(c)) {
        at += c;
      } else if (isInsert(c)) {
        result += cpLength(c);
      } else {
        if (at < p) result -= Math.min(c.d, p - at);
        at += c.d;
      }
    }
    return result;
  }

  /** Where position `q` of the text after `op` was before it (inside an insert: at its start). */
  function positionBefore(q, op) {
    let before = 0;
    let after = 0;
    for (const c of op) {
      if (isRetain(c)) {
        if (q <= after + c) return before + (q - after);
        before += c;
        after += c;
      } else if (isInsert(c)) {
        const n = cpLength(c);
        if (q <= after + n) return before;
        after += n;
      } else {
        before += c.d;
      }
    }
    return before + (q - after);
  }

  const mapRanges = (ranges, f) => ranges && ranges.map(([anchor, head]) => [f(anchor), f(head)]);

  /** The op turning `oldText` into `newText` (common prefix and suffix), or null if equal. */
  function diff(oldText, newText) {
    if (oldText === newText) return null;
    let prefix = 0;
    const max = Math.min(oldText.length, newText.length);
    while (prefix < max && oldText.charCodeAt(prefix) === newText.charCodeAt(prefix)) prefix++;
    if (prefix > 0 && isHigh(oldText.charCodeAt(prefix - 1))) prefix--; // never split a pair
    let suffix = 0;
    while (suffix < max - prefix &&
           oldText.charCodeAt(oldText.length - 1 - suffix) === newText.charCodeAt(newText.length - 1 - suffix)) suffix++;
    if (suffix > 0 && isLow(oldText.charCodeAt(oldText.length - suffix))) suffix--;
    const op = [];
    pushRetain(op, cpLength(oldText.slice(0, prefix)));
    pushInsert(op, newText.slice(prefix, newText.length - suffix));
    pushDelete(op, cpLength(oldText.slice(prefix, oldText.length - suffix)));
    return trimmed(op);
  }

  /** Inserted and deleted code points and the first changed position, for history lists. */
  function summarize(op) {
    let inserted = 0, deleted = 0, at = 0, first = null;
    for (const c of op) {
      if (isRetain(c)) { at += c; continue; }
      if (first === null) first = at;
      if (isInsert(c)) inserted += cpLength(c);
      else { deleted += c.d; at += c.d; }
    }
    return { inserted, deleted, at: first === null ? 0 : first };
  }

  /** [`text` with `op` applied, the op that undoes it on the result]: the deleted text is kept. */
  function applyWithInverse(text, op) {
    const parts = [];
    const inverse = [];
    let i = 0; // UTF-16 index into text
    for (const c of op) {
      if (isInsert(c)) {
        parts.push(c);
        pushDelete(inverse, cpLength(c));
        continue;
      }
      const n = isRetain(c) ? c : c.d;
      let j = i;
      for (let k = 0; k < n; k++) {
        if (j >= text.length) throw new Error('op reaches past the end of the document');
        j += isHigh(text.charCodeAt(j)) && j + 1 < text.length && isLow(text.charCodeAt(j + 1)) ? 2 : 1;
      }
      if (isRetain(c)) {
        parts.push(text.slice(i, j));
        pushRetain(inverse, n);
      } else {
        pushInsert(inverse, text.slice(i, j));
      }
      i = j;
    }
    parts.push(text.slice(i));
    return [parts.join(''), trimmed(inverse)];
  }

  /**
   * The span an op changes, {from, to} in code points: `before` in the text it applies to
   * (deleted text included), `after` in the result (inserted text included). Null for a no-op.
   */
  function changedSpan(op) {
    let at = 0, out = 0;
    let first = null, last = null;
    for (const c of op) {
      if (isRetain(c)) { at += c; out += c; continue; }
      if (first === null) first = { before: at, after: out };
      if (isInsert(c)) out += cpLength(c);
      else at += c.d;
      last = { before: at, after: out };
    }
    if (first === null) return null;
    return { before: { from: first.before, to: last.before }, after: { from: first.after, to: last.after } };
  }

  /** True when `op` changes something inside or at the edges of [from, to] (code points). */
  function touches(op, from, to) {
    let at = 0;
    for (const c of op) {
      if (at > to) return false;
      if (isRetain(c)) at += c;
      else if (isInsert(c)) { if (at >= from) return true; }
      else { if (at + c.d >= from) return true; at += c.d; }
    }
    return false;
  }

  /**
   * `u` (an undo op valid before the ops in `gap`) brought after them: [u', gap'], where gap'
   * is `gap` transformed to apply after u. The gap's ops were committed first, so at a tie
   * their inserts stand first.
   */
  function threadThrough(u, gap) {
    const after = [];
    for (const r of gap) {
      const [r1, u1] = transform(r, u);
      after.push(r1);
      u = u1;
    }
    return [u, after];
  }

  /**
   * The local user's undo and redo stacks (ot.js's model, made lazy). Entry i holds the op
   * undoing one step, valid on the text as it was when the entries above it had been undone,
   * followed by `gap`: the other users' ops that came after it. Undoing the top entry threads
   * it through its gap (every later remote op) and hands the transformed gap down to the
   * entry below, so a remote op is transformed only when an undo needs it. A step whose
   * text others deleted entirely becomes a no-op and is skipped.
   */
  class UndoHistory {
    constructor(options = {}) {
      this.mergeMillis = options.mergeMillis ?? 500; // keystrokes this close form one step
      this.depth = options.depth ?? 500; // steps kept
      this.foldAfter = options.foldAfter ?? 5000; // gap ops kept before threading them down
      this.clear();
    }

    clear() {
      this.undoStack = [];
      this.redoStack = [];
    }

    /** A local edit `op` (with `inverse`, valid after it), made at `now`. */
    recordEdit(op, inverse, now, selectedBefore, mergeable = true) {
      this.redoStack = [];
      const span = changedSpan(op);
      if (!span) return;
      const top = this.undoStack[this.undoStack.length - 1];
      if (mergeable && top && top.open && now - top.time <= this.mergeMillis &&
          span.before.from <= top.to && span.before.to >= top.from) {
        // Bring the step to the current text (over remote ops that did not touch it), then merge.
        if (top.gap.length) this.passDown(this.undoStack, this.undoStack.length - 1);
        top.op = compose(inverse, top.op);
        top.from = Math.min(span.after.from, transformPosition(top.from, op));
        top.to = Math.max(span.after.to, transformPosition(top.to, op));
        top.time = now;
        return;
      }
      if (top) top.open = false;
      this.undoStack.push({ op: inverse, gap: [], open: mergeable, time: now, selectedBefore,
                            from: span.after.from, to: span.after.to });
      if (this.undoStack.length > this.depth) this.undoStack.shift();
    }

    /** An op someone else made, applied to the local text. */
    recordRemote(op) {
      for (const stack of [this.undoStack, this.redoStack]) {
        const top = stack[stack.length - 1];
        if (!top) continue;
        top.gap.push(op);
        if (stack === this.undoStack && top.open) {
          if (touches(op, top.from, top.to)) top.open = false;
          top.from = transformPosition(top.from, op);
          top.to = transformPosition(top.to, op);
        }
        if (top.gap.length > this.foldAfter) this.fold(stack);
      }
    }

    /** Threads the entry at `index` through its gap and appends the rest to the entry below. */
    passDown(stack, index) {
      const entry = stack[index];
      const [u, after] = threadThrough(entry.op, entry.gap);
      entry.op = u;
      entry.gap = [];
      if (index > 0) {
        const below = stack[index - 1];
        for (const r of after) below.gap.push(r);
      }
    }

    /** Threads every gap down the stack (bounds the memory the gaps hold). */
    fold(stack) {
      for (let i = stack.length - 1; i >= 0; i--) this.passDown(stack, i);
    }

    /** The next non-empty op of `stack`, brought to the current text, or null. */
    pop(stack) {
      const top = this.undoStack[this.undoStack.length - 1];
      if (top) top.open = false;
      while (stack.length) {
        this.passDown(stack, stack.length - 1);
        const entry = stack.pop();
        if (!isNoop(entry.op)) return entry;
      }
      return null;
    }

    /** The op undoing the last step (or null), and pushes its redo. */
    undo(applyInverse) {
      const entry = this.pop(this.undoStack);
      if (!entry) return null;
      const inverse = applyInverse(entry.op);
      this.redoStack.push({ op: inverse, gap: [], selectedBefore: entry.selectedBefore });
      return entry;
    }

    /** The op redoing the last undone step (or null), and pushes it back on the undo stack. */
    redo(applyInverse) {
      const entry = this.pop(this.redoStack);
      if (!entry) return null;
      const inverse = applyInverse(entry.op);
      const span = changedSpan(entry.op);
      this.undoStack.push({ op: inverse, gap: [], open: false, time: 0, selectedBefore: entry.selectedBefore,
                            from: span ? span.after.from : 0, to: span ? span.after.to : 0 });
      return entry;
    }
  }

  // ---------------------------------------------------------------------------------------
  // CollabClient

  const STORAGE_PREFIX = 'collab.pending.';

  const isOp = (op) => Array.isArray(op) && op.every((c) =>
    (isRetain(c) && Number.isInteger(c) && c > 0) || (isInsert(c) && c !== '') ||
    (isDelete(c) && Number.isInteger(c.d) && c.d > 0));

  /** True for a state saved by saveLocalState for `docId` (anything else is ignored). */
  function isSavedState(s, docId) {
    const count = (n) => Number.isInteger(n) && n >= 0;
    return !!s && typeof s === 'object' && s.format === 1 && s.docId === docId &&
      typeof s.clientId === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(s.clientId) &&
      (s.version === null || count(s.version)) && count(s.seq) && typeof s.text === 'string' &&
      (s.outstanding === null || (typeof s.outstanding === 'object' && isOp(s.outstanding.op) &&
        count(s.outstanding.seq) && s.outstanding.seq <= s.seq && count(s.outstanding.edits))) &&
      (s.buffer === null || isOp(s.buffer)) && count(s.pendingEdits) && Number.isFinite(s.savedAt);
  }

  const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

  /** A fresh clientId (16 random characters of the contract's alphabet). */
  function makeClientId() {
    const bytes = new Uint8Array(16);
    globalThis.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
  }

  /** Reconnect delay: exponential backoff with full jitter, 1, 2, 4, ... capped at 30 s. */
  function backoffDelay(attempt, random = Math.random) {
    const cap = Math.min(30000, 1000 * 2 ** Math.min(attempt, 15));
    return Math.floor(random() * cap);
  }

  // Close codes after which the client reconnects at once and after which it stays offline.
  const RETRY_AT_ONCE = new Set([1001, 1013]);
  const FINAL_CLOSE = { 4000: 'replaced by another connection with the same clientId', 4401: 'token expired' };

  /**
   * One editing session on one document: keeps the local text, sends local edits one op at a
   * time, transforms what the server sends, reconnects and catches up.
   *
   * Options: server (http(s) base URL), docId, token (optional), user ({name, color}),
   * clientId (optional), WebSocket and fetch (optional implementations, for tests),
   * undo ({mergeMillis: 500, depth: 500}), now (a clock, for tests), storage (a Storage such as
   * localStorage: unacknowledged edits are kept there until acknowledged) and restore (a state
   * from CollabClient.savedStates: rejoin with its clientId, version and edits).
   * Events (client.on(name, fn)): 'willChange' (a change is about to be applied: report
   * local edits first), 'text' (op, source: 'remote' | 'reset' | 'undo' | 'redo' | 'anyone'),
   * 'status', 'participants', 'ack', 'error' ({code, message}).
   */
  class CollabClient {
    constructor(options) {
      this.server = options.server.replace(/\/+$/, '');
      this.docId = options.docId;
      this.token = options.token || null;
      this.user = options.user || null;
      this.clientId = options.clientId || makeClientId();
      this.WebSocket = options.WebSocket || globalThis.WebSocket;
      // `fetch: null` turns off the HTTP probe after a failed handshake.
      this.fetch = 'fetch' in options ? options.fetch : globalThis.fetch && globalThis.fetch.bind(globalThis);
      this.random = options.random || Math.random;

      this.text = '';
      this.version = null; // the last server version held; null before the first snapshot
      this.seq = 0;
      // The sync state: outstanding (sent, unacknowledged) and buffer (typed meanwhile).
      this.outstanding = null; // {op, seq}
      this.buffer = null; // op
      this.pendingEdits = 0; // local edits not yet acknowledged, for the status line

      this.selection = null; // own ranges in local code points
      this.participants = new Map(); // clientId -> {user, selection (local code points) | null}
      this.role = null;

      this.phase = 'idle'; // idle | connecting | joining | connected | waiting | offline
      this.socket = null;
      this.attempt = 0;
      this.retryAt = null;
      this.retryTimer = null;
      this.offlineReason = null;
      this.opened = false;
      this.closeIntent = null; // why we closed the socket ourselves
      this.presenceTimer = null;
      this.rtt = null;
      this.pingTimer = null;
      this.pingSent = new Map();
      this.listeners = {};

      this.now = options.now || Date.now;
      this.history = new UndoHistory(options.undo || {});
      // Ops undoing the latest changes by anyone, newest last; each valid once those above it
      // are undone (for undoLastChangeByAnyone).
      this.anyoneStack = [];
      this.anyoneDepth = 100;
      this.storage = options.storage || null;
      if (options.restore) this.adopt(options.restore);
    }

    // -- offline edits that survive a reload -----------------------------------------------

    /** Where this client keeps its unacknowledged edits in `storage`. */
    get storageKey() {
      return STORAGE_PREFIX + this.docId + '.' + this.clientId;
    }

    /**
     * Saved states of `docId` in `storage` (each {key, state}), oldest first: clients that
     * stopped (a reload, a crashed tab) with edits not yet acknowledged. Malformed ones are
     * skipped.
     */
    static savedStates(storage, docId) {
      const found = [];
      const prefix = STORAGE_PREFIX + docId + '.';
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i);
        if (!key || !key.startsWith(prefix)) continue;
        let state = null;
        try { state = JSON.parse(storage.getItem(key)); } catch { /* skipped below */ }
        if (isSavedState(state, docId)) found.push({ key, state });
      }
      return found.sort((a, b) => a.state.savedAt - b.state.savedAt);
    }

    adopt(state) {
      if (!isSavedState(state, this.docId)) throw new Error('not a saved state of document ' + this.docId);
      this.clientId = state.clientId;
      this.version = state.version;
      this.seq = state.seq;
      this.text = state.text;
      this.outstanding = state.outstanding;
      this.buffer = state.buffer;
      this.pendingEdits = state.pendingEdits;
    }

    /**
     * Keeps the unacknowledged edits, with the version they follow and their clientId/seq, in
     * `storage`; forgets them once everything is acknowledged. Called after each local edit
     * and ack: a state saved before later remote ops is still consistent (the catch-up from
     * its version brings them again).
     */
    saveLocalState() {
      if (!this.storage) return;
      try {
        if (!this.outstanding && !this.buffer) {
          this.storage.removeItem(this.storageKey);
          return;
        }
        this.storage.setItem(this.storageKey, JSON.stringify({
          format: 1, docId: this.docId, clientId: this.clientId, version: this.version, seq: this.seq,
          text: this.text, outstanding: this.outstanding, buffer: this.buffer,
          pendingEdits: this.pendingEdits, savedAt: Date.now(),
        }));
      } catch {
        // Storage full or refused: the edits still live in memory and are sent on reconnect.
      }
    }

    on(name, fn) {
      (this.listeners[name] || (this.listeners[name] = [])).push(fn);
      return this;
    }

    off(name, fn) {
      const list = this.listeners[name] || [];
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
      return this;
    }

    emit(name, ...args) {
      for (const fn of this.listeners[name] || []) fn(...args);
    }

    /** 'synchronized' | 'awaitingAck' | 'awaitingWithBuffer'. */
    get syncState() {
      return !this.outstanding ? 'synchronized' : this.buffer ? 'awaitingWithBuffer' : 'awaitingAck';
    }

    /** What the status indicator shows. */
    get status() {
      return {
        phase: this.phase,
        retryAt: this.retryAt,
        pendingEdits: this.pendingEdits,
        reason: this.offlineReason,
        rtt: this.rtt,
        version: this.version,
      };
    }

    // -- connection -----------------------------------------------------------------------

    /** Connects now (cancelling any wait). */
    connect() {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.retryAt = null;
      this.offlineReason = null;
      if (this.socket) return;
      const base = this.server.replace(/^http/, 'ws');
      const query = this.token ? '?token=' + encodeURIComponent(this.token) : '';
      this.opened = false;
      this.closeIntent = null;
      this.setPhase('connecting');
      let socket;
      try {
        socket = new this.WebSocket(base + '/v1/docs/' + this.docId + query, 'collab.v1');
      } catch (error) {
        this.setOffline(String(error.message || error));
        return;
      }
      this.socket = socket;
      socket.onopen = () => {
        if (socket !== this.socket) return;
        this.opened = true;
        const join = { type: 'join', clientId: this.clientId };
        if (this.version !== null) join.version = this.version;
        if (this.user) join.user = this.user;
        this.setPhase('joining');
        socket.send(JSON.stringify(join));
      };
      socket.onmessage = (event) => {
        if (socket !== this.socket) return;
        let message;
        try {
          message = JSON.parse(event.data);
        } catch {
          return;
        }
        this.receive(message);
      };
      socket.onclose = (event) => {
        if (socket !== this.socket) return;
        this.socket = null;
        this.closed(event.code, event.reason);
      };
      socket.onerror = () => {}; // onclose follows
    }

    /** Closes the connection and stays offline (pending edits are kept). */
    disconnect(reason = 'disconnected') {
      this.closeIntent = 'offline:' + reason;
      this.stopTimers();
      if (this.socket) this.closeSocket(1000);
      else this.setOffline(reason);
    }

    /** Drops the connection as a network failure would; the client reconnects on its own. */
    drop() {
      if (this.socket) this.closeSocket(3000);
    }

    /** Reconnects at once if waiting or offline (e.g. the browser came back online). */
    reconnectNow() {
      if (this.phase === 'waiting' || this.phase === 'offline' || this.phase === 'idle') this.connect();
    }

    closeSocket(code) {
      const socket = this.socket;
      this.socket = null;
      try { socket.close(code); } catch { /* already closed */ }
      this.closed(code, '');
    }

    stopTimers() {
      clearTimeout(this.retryTimer);
      clearTimeout(this.presenceTimer);
      clearInterval(this.pingTimer);
      this.retryTimer = this.presenceTimer = this.pingTimer = null;
    }

    closed(code, reason) {
      clearInterval(this.pingTimer);
      this.pingTimer = null;
      const previous = this.participants.size;
      this.participants.clear();
      if (previous) this.emit('participants');
      const intent = this.closeIntent;
      this.closeIntent = null;
      if (intent && intent.startsWith('offline:')) return this.setOffline(intent.slice(8));
      if (FINAL_CLOSE[code]) return this.setOffline(FINAL_CLOSE[code]);
      if (code === 4409 || code === 4410 || intent === 'resync') {
        // Our copy is unusable (version ahead / history gone / a rejected op): start afresh.
        this.dropLocalState();
        return this.connect();
      }
      if (intent === 'gap') return this.connect();
      if (RETRY_AT_ONCE.has(code) && this.attempt === 0) {
        this.attempt = 1;
        return this.connect();
      }
      this.wait();
      if (!this.opened && this.fetch) {
        // The handshake failed; browsers hide its status, so ask over HTTP whether it was auth.
        this.probeAuth().then((refusal) => {
          if (refusal && this.phase === 'waiting') this.setOffline(refusal);
        });
      }
    }

    async probeAuth() {
      if (!this.fetch) return null;
      try {
        const headers = this.token ? { Authorization: 'Bearer ' + this.token } : {};
        const response = await this.fetch(this.server + '/v1/docs/' + this.docId, { headers });
        if (response.status === 401) return 'not signed in (401)';
        if (response.status === 403) return 'not allowed on this document (403)';
      } catch { /* network down: retry */ }
      return null;
    }

    wait() {
      const delay = backoffDelay(this.attempt, this.random);
      this.attempt++;
      this.retryAt = Date.now() + delay;
      this.setPhase('waiting');
      this.retryTimer = setTimeout(() => this.connect(), delay);
    }

    setOffline(reason) {
      this.stopTimers();
      this.retryAt = null;
      this.offlineReason = reason;
      this.setPhase('offline');
    }

    setPhase(phase) {
      this.phase = phase;
      this.emit('status', this.status);
    }

    dropLocalState() {
      if (this.outstanding) {
        this.emit('error', { code: 'edits_lost', message: 'unsent edits were dropped to resynchronize' });
      }
      this.version = null;
      this.outstanding = null;
      this.buffer = null;
      this.pendingEdits = 0;
      this.saveLocalState();
    }

    send(message) {
      if (this.socket && this.socket.readyState === 1) this.socket.send(JSON.stringify(message));
    }

    // -- messages -------------------------------------------------------------------------

    receive(m) {
      switch (m.type) {
        case 'snapshot': return this.receiveSnapshot(m);
        case 'ops': for (const record of m.ops || []) this.receiveRecord(record); return;
        case 'op': return this.receiveRecord(m);
        case 'joined': return this.receiveJoined(m);
        case 'ack': return this.receiveAck(m.seq, m.v);
        case 'presence': return this.receivePresence(m);
        case 'leave':
          if (this.participants.delete(m.clientId)) this.emit('participants');
          return;
        case 'pong': {
          const sent = this.pingSent.get(m.id);
          this.pingSent.delete(m.id);
          if (sent !== undefined) { this.rtt = Date.now() - sent; this.emit('status', this.status); }
          return;
        }
        case 'error': return this.receiveError(m);
        default: return; // unknown types are ignored
      }
    }

    receiveSnapshot(m) {
      this.emit('willChange');
      if (this.outstanding) this.dropLocalState(); // the server cannot replay to our version
      this.version = m.version;
      this.text = m.text;
      // Undo steps refer to the text they were made on: a new text starts them afresh.
      this.history.clear();
      this.anyoneStack = [];
      for (const p of this.participants.values()) p.selection = null;
      this.emit('text', null, 'reset');
    }

    receiveJoined(m) {
      this.version = m.version;
      this.role = m.role;
      this.participants.clear();
      for (const p of m.presence || []) this.storePresence(p);
      this.attempt = 0;
      this.setPhase('connected');
      this.emit('participants');
      // Resubmit the op in flight with the same seq (the server acks it once, whatever happened).
      if (this.outstanding) this.sendOutstanding();
      this.schedulePresence(0);
      clearInterval(this.pingTimer);
      let id = 0;
      this.pingTimer = setInterval(() => {
        id++;
        this.pingSent.clear();
        this.pingSent.set(id, Date.now());
        this.send({ type: 'ping', id });
      }, 10000);
    }

    receiveRecord(r) {
      if (this.version === null || r.v < this.version) return; // already held
      if (r.v > this.version) {
        // A gap: reconnect, the catch-up fills it.
        this.closeIntent = 'gap';
        if (this.socket) this.closeSocket(3001);
        return;
      }
      this.emit('willChange'); // lets an editor hand over what was typed but not yet reported
      if (this.outstanding && r.clientId === this.clientId && r.seq === this.outstanding.seq) {
        // Our own op in the catch-up (or broadcast): it is the ack, not something to apply.
        return this.receiveAck(r.seq, r.v);
      }
      let op = normalize(r.op);
      if (this.outstanding) {
        const [s1, o1] = transform(op, this.outstanding.op);
        this.outstanding.op = o1;
        op = s1;
        if (this.buffer) {
          const [s2, b1] = transform(op, this.buffer);
          this.buffer = b1;
          op = s2;
        }
      }
      if (!isNoop(op)) {
        const [text, inverse] = applyWithInverse(this.text, op);
        this.text = text;
        this.history.recordRemote(op);
        this.pushAnyone(inverse);
      }
      this.version = r.v + 1;
      for (const p of this.participants.values()) {
        p.selection = mapRanges(p.selection, (x) => transformPosition(x, op));
      }
      this.selection = mapRanges(this.selection, (x) => transformPosition(x, op));
      this.emit('text', op, 'remote', r);
    }

    receiveAck(seq, v) {
      if (!this.outstanding || seq !== this.outstanding.seq) return; // an old ack
      if (v !== this.version) {
        // Every op below v should have arrived first; if not, catch up again.
        this.closeIntent = 'gap';
        if (this.socket) this.closeSocket(3001);
        return;
      }
      this.version = v + 1;
      this.pendingEdits -= this.outstanding.edits;
      this.outstanding = null;
      if (this.buffer) {
        this.outstanding = { op: this.buffer, seq: ++this.seq, edits: this.pendingEdits };
        this.buffer = null;
        if (this.phase === 'connected') this.sendOutstanding();
      }
      this.saveLocalState();
      this.emit('ack', seq, v);
      this.emit('status', this.status);
    }

    receiveError(m) {
      this.emit('error', { code: m.code, message: m.message });
      const ours = this.outstanding && m.seq === this.outstanding.seq;
      if (!ours) return;
      if (m.code === 'rate_limited') {
        setTimeout(() => { if (this.phase === 'connected' && this.outstanding) this.sendOutstanding(); }, 1000);
      } else if (m.code === 'bad_op' || m.code === 'too_large' || m.code === 'forbidden') {
        // The op changed nothing and never will: resynchronize from a snapshot.
        this.closeIntent = 'resync';
        if (this.socket) this.closeSocket(3002);
      }
    }

    storePresence(p) {
      let selection = p.selection || null;
      if (selection && p.v === this.version) {
        // At the server's version: bring it over our pending ops to the local text.
        const pending = this.pendingOps();
        selection = mapRanges(selection, (x) => pending.reduce((pos, op) => transformPosition(pos, op), x));
      }
      const length = cpLength(this.text);
      selection = mapRanges(selection, (x) => Math.max(0, Math.min(length, x)));
      this.participants.set(p.clientId, { user: p.user || {}, selection });
    }

    receivePresence(p) {
      if (p.clientId === this.clientId) return;
      this.storePresence(p);
      this.emit('participants');
    }

    pendingOps() {
      return [this.outstanding && this.outstanding.op, this.buffer].filter(Boolean);
    }

    sendOutstanding() {
      this.send({ type: 'op', seq: this.outstanding.seq, v: this.version, op: this.outstanding.op });
    }

    // -- local edits ------------------------------------------------------------------------

    /**
     * Applies a local edit (an op on the current local text) and sends it when it may.
     * Edits are undo steps (keystrokes within undo.mergeMillis of each other form one); the
     * undo and redo calls pass their own origin. Returns the op undoing it (null for a no-op).
     */
    applyLocal(op, options = {}) {
      op = normalize(op);
      if (isNoop(op)) return null;
      const origin = options.origin || 'input';
      const selectedBefore = !!(this.selection && this.selection.some(([a, h]) => a !== h));
      const [text, inverse] = applyWithInverse(this.text, op);
      this.text = text;
      if (origin === 'input' || origin === 'anyone') {
        this.history.recordEdit(op, inverse, this.now(), selectedBefore, origin === 'input');
      }
      if (origin !== 'anyone') this.pushAnyone(inverse);
      for (const p of this.participants.values()) {
        p.selection = mapRanges(p.selection, (x) => transformPosition(x, op));
      }
      this.pendingEdits++;
      if (this.outstanding) {
        this.buffer = this.buffer ? compose(this.buffer, op) : op;
      } else {
        this.outstanding = { op, seq: ++this.seq, edits: 1 };
        if (this.phase === 'connected') this.sendOutstanding();
      }
      this.saveLocalState();
      this.emit('status', this.status);
      return inverse;
    }

    pushAnyone(inverse) {
      this.anyoneStack.push(inverse);
      if (this.anyoneStack.length > this.anyoneDepth) this.anyoneStack.shift();
    }

    // -- undo and redo ----------------------------------------------------------------------

    /** Undoes the local user's last step (never anyone else's edits); false if none is left. */
    undo() {
      return this.revert('undo');
    }

    /** Redoes the last undone step; false if none is left. */
    redo() {
      return this.revert('redo');
    }

    /** Whether undo() has a step to try (one that others erased entirely is skipped then). */
    get canUndo() { return this.history.undoStack.length > 0; }

    /** Whether redo() has a step to try. */
    get canRedo() { return this.history.redoStack.length > 0; }

    revert(kind) {
      this.emit('willChange'); // the editor reports what was typed first
      let applied = null;
      const entry = this.history[kind]((op) => {
        applied = op;
        return this.applyLocal(op, { origin: kind });
      });
      if (!entry) return false;
      // The selection comes back with the edit: the restored text selected if it was selected
      // before, else the caret at the end of what changed.
      const span = changedSpan(applied).after;
      this.selection = kind === 'undo' && entry.selectedBefore && span.to > span.from
        ? [[span.from, span.to]] : [[span.to, span.to]];
      this.schedulePresence(50);
      this.emit('text', applied, kind);
      return true;
    }

    /**
     * Undoes the most recent change by anyone (the local user's or another's), then the one
     * before on the next call. Not what Ctrl-Z does; the local user can undo it as a step.
     */
    undoLastChangeByAnyone() {
      this.emit('willChange');
      const op = this.anyoneStack.pop();
      if (!op) return false;
      this.applyLocal(op, { origin: 'anyone' });
      const span = changedSpan(op);
      if (span) this.selection = [[span.after.to, span.after.to]];
      this.schedulePresence(50);
      this.emit('text', op, 'anyone');
      return true;
    }

    /** Sets the own selection ([[anchor, head], ...] in local code points, or null). */
    setSelection(ranges) {
      const same = JSON.stringify(ranges) === JSON.stringify(this.selection);
      this.selection = ranges;
      if (!same) this.schedulePresence(50);
    }

    schedulePresence(delay) {
      if (this.presenceTimer) return;
      this.presenceTimer = setTimeout(() => {
        this.presenceTimer = null;
        if (this.phase !== 'connected' || this.version === null) return;
        // Presence is at the server's version: map the local selection back over pending ops.
        const pending = this.pendingOps().reverse();
        const selection = mapRanges(this.selection,
          (x) => pending.reduce((pos, op) => positionBefore(pos, op), x));
        this.send({ type: 'presence', v: this.version, selection });
      }, delay);
    }
  }

  return {
    cpLength, utf16Index, cpIndex, wellFormed,
    normalize, isNoop, apply, applyWithInverse, compose, transform, transformPosition, positionBefore, diff,
    summarize, changedSpan, makeClientId, backoffDelay, UndoHistory, CollabClient,
  };
});
