// collab-editor.js: a <textarea> bound to a Collab.CollabClient.
//
// bindTextarea(client, textarea) is the binding: local edits (the textarea's value diffed
// against the last known text into one op), remote edits (written back with the selection and
// scroll position kept), undo and redo through the client's stack, and IME compositions that
// remote edits never disturb. CollabEditor builds a textarea with a mirror layer over it that
// draws the other users' cursors and selections in their colours (it lets pointer events
// through). Positions cross between UTF-16 (the DOM) and code points (the wire) only through
// Collab.utf16Index / Collab.cpIndex.
(function (root) {
  'use strict';
  const C = root.Collab;
  const LABEL_MILLIS = 4000;
  const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || '');

  /** 'undo', 'redo' or null for a keydown: Ctrl/Cmd-Z, Ctrl/Cmd-Shift-Z and Ctrl-Y. */
  function historyKey(event) {
    const mod = isMac ? event.metaKey : event.ctrlKey;
    if (!mod || event.altKey) return null;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (key === 'z') return event.shiftKey ? 'redo' : 'undo';
    if (key === 'y' && !isMac && !event.shiftKey) return 'redo';
    return null;
  }

  class TextareaBinding {
    /**
     * Binds `textarea` to `client`. Options: mirror (an element laid out as the textarea, for
     * the other users' cursors; without it none are drawn).
     */
    constructor(client, textarea, options = {}) {
      this.client = client;
      this.textarea = textarea;
      this.mirror = options.mirror || null;
      this.text = client.text; // what the textarea held after the last flush or remote write
      this.composing = false;
      this.held = null; // remote ops that arrived during a composition, composed
      this.activity = new Map(); // clientId -> {key, at}: when a remote selection last moved
      this.quietTimer = null;
      this.measure = null;
      if (this.mirror) {
        // A hidden twin of the mirror: measures where text positions are laid out.
        this.measure = document.createElement('div');
        this.measure.className = this.mirror.className;
        this.measure.setAttribute('aria-hidden', 'true');
        this.measure.style.visibility = 'hidden';
        this.measure.style.zIndex = '-1';
        this.mirror.after(this.measure);
      }

      const ta = textarea;
      if (client.version !== null) {
        // A client that already holds a text (restored from storage, or joined earlier).
        ta.value = this.text;
        ta.disabled = false;
      }
      this.listeners = [];
      const listen = (target, name, fn) => { target.addEventListener(name, fn); this.listeners.push([target, name, fn]); };
      listen(ta, 'input', () => { if (!this.composing) this.flush(); });
      listen(ta, 'compositionstart', () => { this.flush(); this.composing = true; });
      listen(ta, 'compositionend', () => { this.composing = false; this.endComposition(); });
      listen(ta, 'keydown', (event) => this.keydown(event));
      listen(ta, 'beforeinput', (event) => {
        // The browser's own Edit > Undo / Redo (and some keyboards) arrive as beforeinput.
        if (event.inputType === 'historyUndo' || event.inputType === 'historyRedo') {
          event.preventDefault();
          this.history(event.inputType === 'historyUndo' ? 'undo' : 'redo');
        }
      });
      listen(ta, 'scroll', () => { if (this.mirror) this.mirror.scrollTop = ta.scrollTop; });
      for (const name of ['select', 'keyup', 'mouseup', 'focus']) listen(ta, name, () => this.reportSelection());
      listen(document, 'selectionchange', () => {
        if (document.activeElement === ta) this.reportSelection();
      });

      this.clientListeners = [
        ['willChange', () => this.flush()],
        ['text', (op, source) => this.clientChange(op, source)],
        ['participants', () => this.render()],
      ];
      for (const [name, fn] of this.clientListeners) client.on(name, fn);
      if (this.mirror && typeof ResizeObserver !== 'undefined') {
        this.resizeObserver = new ResizeObserver(() => this.render());
        this.resizeObserver.observe(ta);
      }
    }

    /** Unbinds: removes every listener (the textarea keeps its text). */
    destroy() {
      for (const [target, name, fn] of this.listeners) target.removeEventListener(name, fn);
      for (const [name, fn] of this.clientListeners) this.client.off(name, fn);
      if (this.resizeObserver) this.resizeObserver.disconnect();
      if (this.measure) this.measure.remove();
      clearTimeout(this.quietTimer);
    }

    keydown(event) {
      const action = historyKey(event);
      if (!action) return;
      event.preventDefault(); // the textarea's own stack would undo others' edits, or nothing
      if (event.isComposing || this.composing) return;
      this.history(action);
    }

    /** Undo or redo through the client's stack (only this user's own edits). */
    history(action) {
      if (this.composing) return;
      if (action === 'undo') this.client.undo();
      else this.client.redo();
    }

    /** Turns whatever the user typed since the last call into an op for the client. */
    flush() {
      if (this.composing) return; // the composition is sent once, when it ends
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

    /**
     * After a composition: the textarea holds the text before the held remote ops plus the
     * composed text. The composed text is sent once (transformed over the held ops), then the
     * held ops are written, transformed over it.
     */
    endComposition() {
      const held = this.held;
      this.held = null;
      if (held === null) return this.flush();
      const ta = this.textarea;
      if (held === 'reset') {
        // The document was replaced meanwhile: the composition cannot be placed in it.
        this.text = ta.value;
        return this.clientChange(null, 'reset');
      }
      const value = C.wellFormed(ta.value);
      const local = C.diff(this.text, value);
      let remote = held;
      if (local) {
        const [remoteAfter, localAfter] = C.transform(held, local);
        this.client.applyLocal(localAfter);
        remote = remoteAfter;
      }
      this.text = value;
      this.clientChange(remote, 'remote');
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
      if (this.composing || this.textarea.value !== this.text) return; // an input event follows
      this.client.setSelection(document.activeElement === this.textarea ? this.selectionRanges() : null);
    }

    /** The client's text changed (a remote op, a reset, or an undo/redo): show it. */
    clientChange(op, source) {
      if (this.composing) {
        // Never touch the textarea during a composition: hold the op for compositionend.
        if (source === 'reset' || this.held === 'reset') this.held = 'reset';
        else this.held = this.held ? C.compose(this.held, op) : op;
        return;
      }
      const ta = this.textarea;
      const focused = document.activeElement === ta;
      const [[anchor, head]] = this.selectionRanges();
      const scrollTop = ta.scrollTop;
      const old = this.text;
      this.text = this.client.text;
      const shift = source === 'remote' && op ? this.scrollShift(old, this.text, op, scrollTop) : 0;
      ta.value = this.text;
      if (source === 'undo' || source === 'redo' || source === 'anyone') {
        // The selection comes back with the undone edit (the client says where).
        const [[a0, h0]] = this.client.selection || [[0, 0]];
        const a = C.utf16Index(this.text, a0);
        const h = C.utf16Index(this.text, h0);
        ta.setSelectionRange(Math.min(a, h), Math.max(a, h), a > h ? 'backward' : 'forward');
        ta.scrollTop = scrollTop;
      } else if (source !== 'reset' && op) {
        const a = C.utf16Index(this.text, C.transformPosition(anchor, op));
        const h = C.utf16Index(this.text, C.transformPosition(head, op));
        ta.setSelectionRange(Math.min(a, h), Math.max(a, h), a > h ? 'backward' : 'forward');
        ta.scrollTop = scrollTop + shift;
      } else if (old === '') {
        ta.setSelectionRange(0, 0);
      }
      ta.disabled = false;
      ta.readOnly = this.client.role === 'viewer';
      if (focused) ta.focus();
      this.render();
    }

    /**
     * How far the text the user is looking at moves down (px) when `op` turns `before` into
     * `after`: an edit that ends above the viewport shifts everything below it, so the scroll
     * position follows; an edit in or below the viewport moves nothing the user sees.
     */
    scrollShift(before, after, op, scrollTop) {
      if (!this.measure || scrollTop === 0) return 0;
      const span = C.changedSpan(op);
      if (!span) return 0;
      const endBefore = C.utf16Index(before, span.before.to);
      const top = this.offsetOf(before, endBefore);
      if (top >= scrollTop) return 0;
      return this.offsetOf(after, C.utf16Index(after, span.after.to)) - top;
    }

    /** The vertical offset (px) of UTF-16 index `u` of `text` as laid out in the textarea. */
    offsetOf(text, u) {
      const marker = document.createElement('span');
      marker.textContent = '\u200b';
      this.measure.replaceChildren(text.slice(0, u), marker);
      const offset = marker.offsetTop;
      this.measure.replaceChildren();
      return offset;
    }

    /** Redraws the other users' cursors and selections on the mirror layer. */
    render() {
      if (!this.mirror) return;
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

  /**
   * Binds an existing <textarea> to a CollabClient: typing becomes ops, remote edits appear
   * with the selection and scroll kept, Ctrl/Cmd-Z, Ctrl/Cmd-Shift-Z and Ctrl-Y use the
   * client's undo stack, IME compositions are never disturbed. Returns the binding
   * (`destroy()` unbinds).
   */
  function bindTextarea(client, element, options = {}) {
    return new TextareaBinding(client, element, options);
  }

  /** The sample's editor: a textarea labelled "Document text" with the others' cursors over it. */
  class CollabEditor extends TextareaBinding {
    /** Builds the editor inside `container` and binds it to `client`. */
    constructor(container, client, options = {}) {
      const element = document.createElement('div');
      element.className = 'ce';
      const mirror = document.createElement('div');
      mirror.className = 'ce-mirror';
      mirror.setAttribute('aria-hidden', 'true');
      const textarea = document.createElement('textarea');
      textarea.className = 'ce-text';
      textarea.spellcheck = false;
      textarea.placeholder = options.placeholder || 'Start typing…';
      textarea.setAttribute('aria-label', 'Document text');
      textarea.disabled = true; // until the first snapshot
      element.append(mirror, textarea);
      container.append(element);
      super(client, textarea, { mirror });
      this.element = element;
    }
  }

  root.CollabEditor = CollabEditor;
  root.bindTextarea = bindTextarea;
  if (C) C.bindTextarea = bindTextarea;
})(typeof self !== 'undefined' ? self : this);
