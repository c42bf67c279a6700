// collab-editor.js: a <textarea> bound to a Collab.CollabClient, with the other users'
// cursors and selections drawn in their colours on a mirror layer over the text (it lets
// pointer events through).
//
// Local edits: the textarea's value is diffed against the last known text (common prefix and
// suffix) into one op. Remote edits: the new text is written back and the own selection is
// moved through the op. Positions cross between UTF-16 (the DOM) and code points (the wire)
// only through Collab.utf16Index / Collab.cpIndex.
(function (root) {
  'use strict';
  const C = root.Collab;
  const LABEL_MILLIS = 4000;

  class CollabEditor {
    /** Builds the editor inside `container` and binds it to `client`. */
    constructor(container, client, options = {}) {
      this.client = client;
      this.text = client.text;
      this.composing = false;
      this.activity = new Map(); // clientId -> {key, at}: when a remote selection last moved
      this.quietTimer = null;

      this.element = document.createElement('div');
      this.element.className = 'ce';
      this.mirror = document.createElement('div');
      this.mirror.className = 'ce-mirror';
      this.mirror.setAttribute('aria-hidden', 'true');
      this.textarea = document.createElement('textarea');
      this.textarea.className = 'ce-text';
      this.textarea.spellcheck = false;
      this.textarea.placeholder = options.placeholder || 'Start typing…';
      this.textarea.setAttribute('aria-label', 'Document text');
      this.textarea.disabled = true; // until the first snapshot
      this.element.append(this.mirror, this.textarea);
      container.append(this.element);

      const ta = this.textarea;
      ta.addEventListener('input', () => { if (!this.composing) this.flush(); });
      ta.addEventListener('compositionstart', () => { this.composing = true; });
      ta.addEventListener('compositionend', () => { this.composing = false; this.flush(); });
      ta.addEventListener('scroll', () => { this.mirror.scrollTop = ta.scrollTop; });
      for (const name of ['select', 'keyup', 'mouseup', 'focus']) ta.addEventListener(name, () => this.reportSelection());
      document.addEventListener('selectionchange', () => {
        if (document.activeElement === ta) this.reportSelection();
      });

      client.on('willChange', () => this.flush());
      client.on('text', (op, source) => this.remoteChange(op, source));
      client.on('participants', () => this.render());
      if (typeof ResizeObserver !== 'undefined') new ResizeObserver(() => this.render()).observe(ta);
    }

    /** Turns whatever the user typed since the last call into an op for the client. */
    flush() {
      const ta = this.textarea;
      let value = ta.value;
      if (value === this.text) return;
      const clean = C.wellFormed(value);
      if (clean !== value) {
        // A lone surrogate (a broken paste): the contract refuses it, so store U+FFFD instead.
        const { selectionStart, selectionEnd } = ta;
        ta.value = value = clean;
        ta.setSelectionRange(selectionStart, selectionEnd);
      }
      const op = C.diff(this.text, value);
      this.text = value;
      if (op) this.client.applyLocal(op);
      this.render();
      this.reportSelection();
    }

    /** The own selection as [[anchor, head]] in code points of the current text. */
    selectionRanges() {
      const ta = this.textarea;
      const start = C.cpIndex(this.text, ta.selectionStart);
      const end = C.cpIndex(this.text, ta.selectionEnd);
      return ta.selectionDirection === 'backward' ? [[end, start]] : [[start, end]];
    }

    reportSelection() {
      if (this.textarea.value !== this.text) return; // an input event follows
      this.client.setSelection(document.activeElement === this.textarea ? this.selectionRanges() : null);
    }

    remoteChange(op, source) {
      const ta = this.textarea;
      const focused = document.activeElement === ta;
      const [[anchor, head]] = this.selectionRanges();
      const scrollTop = ta.scrollTop;
      const old = this.text;
      this.text = this.client.text;
      ta.value = this.text;
      if (source !== 'reset' && op) {
        const a = C.utf16Index(this.text, C.transformPosition(anchor, op));
        const h = C.utf16Index(this.text, C.transformPosition(head, op));
        ta.setSelectionRange(Math.min(a, h), Math.max(a, h), a > h ? 'backward' : 'forward');
        ta.scrollTop = scrollTop;
      } else if (old === '') {
        ta.setSelectionRange(0, 0);
      }
      ta.disabled = false;
      ta.readOnly = this.client.role === 'viewer';
      if (focused) ta.focus();
      this.render();
    }

    /** Redraws the other users' cursors and selections on the mirror layer. */
    render() {
      const text = this.text;
      const marks = []; // {from, to, color} in UTF-16 indices
      const carets = []; // {at, color, name, quiet}
      const now = Date.now();
      for (const [id, p] of this.client.participants) {
        if (!p.selection) continue;
        // Name labels show while someone is active and fold to a dot after a few seconds.
        const key = JSON.stringify(p.selection);
        const seen = this.activity.get(id);
        if (!seen || seen.key !== key) this.activity.set(id, { key, at: now });
        const quiet = now - this.activity.get(id).at > LABEL_MILLIS;
        const color = p.user.color || '#888888';
        for (const [anchor, head] of p.selection) {
          const a = C.utf16Index(text, anchor);
          const h = C.utf16Index(text, head);
          if (a !== h) marks.push({ from: Math.min(a, h), to: Math.max(a, h), color });
          carets.push({ at: h, color, name: p.user.name || p.user.id || 'someone', quiet });
        }
      }
      const points = new Set([0, text.length]);
      for (const m of marks) { points.add(m.from); points.add(m.to); }
      for (const c of carets) points.add(c.at);
      const sorted = [...points].sort((x, y) => x - y);
      const fragment = document.createDocumentFragment();
      for (let i = 0; i < sorted.length; i++) {
        const at = sorted[i];
        for (const c of carets) {
          if (c.at !== at) continue;
          const caret = document.createElement('span');
          caret.className = c.quiet ? 'ce-caret ce-quiet' : 'ce-caret';
          caret.style.setProperty('--c', c.color);
          const label = document.createElement('span');
          label.className = 'ce-label';
          label.textContent = c.name;
          caret.append(label);
          fragment.append(caret);
        }
        if (i + 1 === sorted.length) break;
        const piece = text.slice(at, sorted[i + 1]);
        const cover = marks.filter((m) => m.from <= at && m.to >= sorted[i + 1]).pop();
        if (cover) {
          const span = document.createElement('span');
          span.className = 'ce-mark';
          span.style.setProperty('--c', cover.color);
          span.textContent = piece;
          fragment.append(span);
        } else {
          fragment.append(piece);
        }
      }
      fragment.append('\u200b'); // gives a trailing empty line its height
      this.mirror.replaceChildren(fragment);
      this.mirror.scrollTop = this.textarea.scrollTop;
      clearTimeout(this.quietTimer);
      if (carets.some((c) => !c.quiet)) this.quietTimer = setTimeout(() => this.render(), LABEL_MILLIS + 50);
    }
  }

  root.CollabEditor = CollabEditor;
})(typeof self !== 'undefined' ? self : this);
