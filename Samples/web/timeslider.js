// timeslider.js: the history panel's model, with no DOM (Node-testable).
//
// VersionTrack holds the text at one version of a document and moves it: a step of ±1 applies
// the op at v (forward) or undoes it with the text it deleted (backward); a jump asks the server
// for the text just before the target (it answers from its nearest snapshot), so nothing is ever
// replayed from version 0. Each version's change (op v-1, which made version v) is known with
// the text it deleted, so it can be drawn: inserts green, deletes struck through in red.
// Ops are fetched in pages and cached; the deleted text of earlier ops, which a backward step
// needs, is found by replaying a short block from the text at its start, ahead of time.
// Loaded as a classic script it defines `window.Timeslider`; in Node, `require()` returns it.
(function (root, factory) {
  'use strict';
  const api = factory(root.Collab || (typeof require === 'function' ? require('./collab-client.js') : null));
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.Timeslider = api;
})(typeof self !== 'undefined' ? self : this, function (C) {
  'use strict';
  const isRetain = (c) => typeof c === 'number';
  const isInsert = (c) => typeof c === 'string';

  /** The UTF-16 index `n` code points after UTF-16 index `i` in `text`; throws past the end. */
  function advance(text, i, n) {
    let j = i;
    for (let k = 0; k < n; k++) {
      if (j >= text.length) throw new Error('op reaches past the end of the text');
      const c = text.charCodeAt(j);
      j += c >= 0xd800 && c <= 0xdbff && j + 1 < text.length && (text.charCodeAt(j + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
    }
    return j;
  }

  /** `text` with `op` applied, and the strings the op's deletes removed, in order. */
  function applyKeepingDeleted(text, op) {
    const parts = [];
    const deleted = [];
    let i = 0;
    for (const c of op) {
      if (isInsert(c)) { parts.push(c); continue; }
      const j = advance(text, i, isRetain(c) ? c : c.d);
      if (isRetain(c)) parts.push(text.slice(i, j));
      else deleted.push(text.slice(i, j));
      i = j;
    }
    parts.push(text.slice(i));
    return { text: parts.join(''), deleted };
  }

  /** The text before `op`, from the text after it and the strings it deleted. */
  function unapply(after, op, deleted) {
    const parts = [];
    let i = 0;
    let d = 0;
    for (const c of op) {
      if (isRetain(c)) {
        const j = advance(after, i, c);
        parts.push(after.slice(i, j));
        i = j;
      } else if (isInsert(c)) {
        i = advance(after, i, C.cpLength(c));
      } else {
        if (d >= deleted.length) throw new Error('fewer deleted strings than deletes');
        parts.push(deleted[d++]);
      }
    }
    parts.push(after.slice(i));
    return parts.join('');
  }

  /**
   * The text after `op` cut into runs to draw: {kind: 'same' | 'ins' | 'del', text}. 'del' runs
   * are the deleted strings, placed where they were; neighbours of one kind are merged.
   */
  function changeSegments(after, op, deleted) {
    const runs = [];
    const push = (kind, text) => {
      if (!text) return;
      const last = runs[runs.length - 1];
      if (last && last.kind === kind) last.text += text;
      else runs.push({ kind, text });
    };
    let i = 0;
    let d = 0;
    for (const c of op) {
      if (isRetain(c)) {
        const j = advance(after, i, c);
        push('same', after.slice(i, j));
        i = j;
      } else if (isInsert(c)) {
        const j = advance(after, i, C.cpLength(c));
        push('ins', after.slice(i, j));
        i = j;
      } else {
        push('del', deleted[d++] || '');
      }
    }
    push('same', after.slice(i));
    return runs;
  }

  /**
   * `runs` cut into lines (arrays of runs), each but the last ending with its "\n", so that a
   * view can draw one block per line and redraw only the lines a step changed. Each line has a
   * `key` that is equal for lines drawn the same.
   */
  function lineRuns(runs) {
    const lines = [];
    let line = [];
    let key = '';
    for (const run of runs) {
      const pieces = run.text.split('\n');
      pieces.forEach((piece, k) => {
        const text = k < pieces.length - 1 ? piece + '\n' : piece;
        if (text) {
          line.push({ kind: run.kind, text });
          key += run.kind === 'same' ? text : '\u0000' + run.kind + text + '\u0000';
        }
        if (k < pieces.length - 1) {
          lines.push(Object.assign(line, { key }));
          line = [];
          key = '';
        }
      });
    }
    lines.push(Object.assign(line, { key }));
    return lines;
  }

  /** An HTTP-like failure with its status (410 for a version below the compaction horizon). */
  class VersionError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  class VersionTrack {
    /**
     * `source`: { text(v) → Promise<string>, ops(from, limit) → Promise<[{v, op, user, ts, ...}]> }.
     * Options: page (ops per request), block (ops replayed to find deleted text ahead of
     * backward steps), lookahead (how early that replay starts).
     */
    constructor(source, options = {}) {
      this.source = source;
      this.page = options.page || 200;
      this.block = options.block || 64;
      this.lookahead = options.lookahead || 24;
      this.version = null;
      this.text = null;
      this.records = new Map(); // v -> op record (op v takes version v to v+1)
      this.deleted = new Map(); // v -> strings op v deleted
      this.pages = new Map(); // page start -> Promise of its records
      this.blocks = new Map(); // last v of a block -> Promise (replays in flight)
      this.requests = 0; // server requests made, for the tests
    }

    /** Op record v, fetched with its page if need be. */
    async record(v) {
      if (!this.records.has(v)) {
        const start = v - (v % this.page);
        if (!this.pages.has(start)) {
          this.requests++;
          // A page that ends at the live version is fetched again later: new ops land there.
          const load = this.source.ops(start, this.page).then((list) => {
            for (const r of list) this.records.set(r.v, r);
            if (list.length < this.page) this.pages.delete(start);
          });
          this.pages.set(start, load);
          load.catch(() => this.pages.delete(start));
        }
        await this.pages.get(start);
      }
      const record = this.records.get(v);
      if (!record) throw new VersionError('version ' + (v + 1) + ' does not exist', 404);
      return record;
    }

    /** Fetches the deleted strings of ops from..to by replaying them from the text at `from`. */
    async replay(from, to) {
      if (this.blocks.has(to)) return this.blocks.get(to);
      const work = (async () => {
        this.requests++;
        const [start] = await Promise.all([this.source.text(from), this.record(from), this.record(to)]);
        let text = start;
        for (let v = from; v <= to; v++) {
          const next = applyKeepingDeleted(text, (await this.record(v)).op);
          this.deleted.set(v, next.deleted);
          text = next.text;
        }
      })();
      this.blocks.set(to, work);
      try { await work; } finally { this.blocks.delete(to); }
    }

    /** Makes sure the deleted strings of op v are known (a block replay ending at v if not). */
    async knowDeleted(v) {
      if (v < 0 || this.deleted.has(v)) return;
      for (const [to, work] of this.blocks) if (to >= v && to - this.block < v) return work;
      await this.replay(Math.max(0, v - this.block + 1), v);
    }

    /** Starts replaying the block below the lowest known deleted text near `v`, if it is close. */
    prefetchBelow(v) {
      let k = v;
      while (k >= 0 && k > v - this.lookahead && this.deleted.has(k)) k--;
      if (k >= 0 && k > v - this.lookahead) this.knowDeleted(k).catch(() => {});
    }

    /** Moves to version `n`: a step when it is next to the current one, a jump otherwise. */
    async go(n) {
      if (n === this.version) return;
      if (this.version !== null && n === this.version + 1) {
        const record = await this.record(this.version);
        const next = applyKeepingDeleted(this.text, record.op);
        this.deleted.set(this.version, next.deleted);
        this.text = next.text;
        this.version = n;
        return;
      }
      if (this.version !== null && n === this.version - 1 && this.deleted.has(n)) {
        const record = await this.record(n);
        this.text = unapply(this.text, record.op, this.deleted.get(n));
        this.version = n;
        await this.knowDeleted(n - 1);
        this.prefetchBelow(n - 2);
        return;
      }
      if (n === 0) {
        this.requests++;
        this.text = await this.source.text(0);
        this.version = 0;
        return;
      }
      // A jump: the text just before n, then op n-1 forward, so its change can be drawn.
      this.requests++;
      const [before, record] = await Promise.all([this.source.text(n - 1), this.record(n - 1)]);
      const next = applyKeepingDeleted(before, record.op);
      this.deleted.set(n - 1, next.deleted);
      this.text = next.text;
      this.version = n;
    }

    /** The op record that made the current version (null at 0 or unknown). */
    get change() {
      return this.version ? this.records.get(this.version - 1) || null : null;
    }

    /** The current text cut into 'same' / 'ins' / 'del' runs for op version-1. */
    segments() {
      const record = this.change;
      if (!record || !this.deleted.has(record.v)) return [{ kind: 'same', text: this.text }];
      return changeSegments(this.text, record.op, this.deleted.get(record.v));
    }
  }

  return { applyKeepingDeleted, unapply, changeSegments, lineRuns, VersionTrack, VersionError };
});
