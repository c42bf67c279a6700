// bindings/codemirror5.js: a CodeMirror 5 editor bound to a Collab.CollabClient.
//
// Works with the CodeMirror 5 of Debian's libjs-codemirror (/usr/share/javascript/codemirror;
// not shipped here). Load collab-client.js and CodeMirror first, then this file, then:
//
//     const editor = CodeMirror(document.body);
//     const binding = bindCodeMirror(client, editor);
//
// CodeMirror counts UTF-16 units, the wire counts code points: positions are converted here.
// Remote edits are applied with the origin 'collab' and never reported back; CodeMirror's own
// history is cleared after each of them (it must not undo other users' edits), and
// Ctrl/Cmd-Z, Ctrl/Cmd-Shift-Z and Ctrl-Y (and cm.undo()/cm.redo()) use the client's stack,
// which undoes only this user's edits. Other users' selections are marks and their cursors
// bookmarks, in their colours.
(function (root) {
  'use strict';
  const C = root.Collab;
  const ORIGIN = 'collab';

  /** The UTF-16 index `n` code points after UTF-16 index `i` of `text`. */
  function advance(text, i, n) {
    for (let k = 0; k < n && i < text.length; k++) {
      const c = text.charCodeAt(i);
      i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length &&
        text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff ? 2 : 1;
    }
    return i;
  }

  class CodeMirrorBinding {
    constructor(client, editor) {
      this.client = client;
      this.editor = editor;
      this.text = client.text; // the editor's text, as the client last saw it
      this.applying = false; // true while this binding writes into the editor
      this.presence = []; // marks and bookmarks drawn for other users
      // Only "\n" separates lines, so the editor's text is exactly the document's ("\r" stays).
      editor.setOption('lineSeparator', '\n');
      if (client.version !== null) this.reset();
      else editor.setOption('readOnly', 'nocursor'); // until the first snapshot

      this.editorListeners = [
        ['change', (cm, change) => this.localChange(change)],
        ['cursorActivity', () => this.reportSelection()],
        ['focus', () => this.reportSelection()],
        ['blur', () => this.reportSelection()],
      ];
      for (const [name, fn] of this.editorListeners) editor.on(name, fn);
      this.keyMap = {
        'Ctrl-Z': () => client.undo(), 'Cmd-Z': () => client.undo(),
        'Shift-Ctrl-Z': () => client.redo(), 'Shift-Cmd-Z': () => client.redo(), 'Ctrl-Y': () => client.redo(),
      };
      editor.addKeyMap(this.keyMap);
      // Menus and other keymaps call cm.undo()/cm.redo(): they go to the client's stack too.
      this.ownHistory = { undo: editor.undo, redo: editor.redo };
      editor.undo = () => client.undo();
      editor.redo = () => client.redo();

      this.clientListeners = [
        ['text', (op, source) => this.clientChange(op, source)],
        ['participants', () => this.drawPresence()],
      ];
      for (const [name, fn] of this.clientListeners) client.on(name, fn);
    }

    /** Unbinds: the editor keeps its text and gets its own history commands back. */
    destroy() {
      for (const [name, fn] of this.editorListeners) this.editor.off(name, fn);
      for (const [name, fn] of this.clientListeners) this.client.off(name, fn);
      this.editor.removeKeyMap(this.keyMap);
      this.editor.undo = this.ownHistory.undo;
      this.editor.redo = this.ownHistory.redo;
      for (const mark of this.presence) mark.clear();
    }

    /** Code points before UTF-16 index `u` of the current text. */
    codePoint(u) {
      return C.cpIndex(this.text, u);
    }

    /** The editor position of code point `cp`. */
    position(cp) {
      return this.editor.posFromIndex(C.utf16Index(this.text, cp));
    }

    /** A change typed (or pasted, or deleted) in the editor: one op for the client. */
    localChange(change) {
      // Our own writes: by origin too, since inside an outer operation (a key handler's)
      // CodeMirror signals changes only when that operation ends.
      if (this.applying || change.origin === ORIGIN) return;
      const editor = this.editor;
      const start = editor.indexFromPos(change.from); // the text before `from` did not change
      const removed = change.removed.join('\n');
      const typed = change.text.join('\n');
      const inserted = C.wellFormed(typed);
      const at = this.codePoint(start);
      const op = C.normalize([...(at ? [at] : []), ...(inserted ? [inserted] : []),
                              ...(removed ? [{ d: C.cpLength(removed) }] : [])]);
      if (inserted !== typed) {
        // A lone surrogate (a broken paste): the contract refuses it; the editor shows U+FFFD too.
        this.write(() => editor.replaceRange(inserted, change.from,
          editor.posFromIndex(start + typed.length), ORIGIN));
      }
      this.client.applyLocal(op);
      this.text = this.client.text;
      this.drawPresence();
    }

    /** Runs `fn` (which changes the editor) without reporting its changes as local edits. */
    write(fn) {
      this.applying = true;
      try { this.editor.operation(fn); } finally { this.applying = false; }
    }

    reset() {
      const editor = this.editor;
      this.write(() => editor.replaceRange(this.client.text, { line: editor.firstLine(), ch: 0 },
                                           { line: editor.lastLine() }, ORIGIN));
      this.text = this.client.text;
      this.editor.clearHistory();
      this.editor.setOption('readOnly', this.client.role === 'viewer');
      this.drawPresence();
    }

    /** The client's text changed (a remote op, a reset, an undo or redo): apply it. */
    clientChange(op, source) {
      if (source === 'reset' || !op) return this.reset();
      const before = this.text;
      const editor = this.editor;
      this.write(() => {
        let i = 0; // UTF-16 index in the text before the op
        let u = 0; // UTF-16 index in the editor as it is being changed
        for (const c of op) {
          if (typeof c === 'number') {
            const j = advance(before, i, c);
            u += j - i;
            i = j;
          } else if (typeof c === 'string') {
            const at = editor.posFromIndex(u);
            editor.replaceRange(c, at, at, ORIGIN);
            u += c.length;
          } else {
            const j = advance(before, i, c.d);
            editor.replaceRange('', editor.posFromIndex(u), editor.posFromIndex(u + j - i), ORIGIN);
            i = j;
          }
        }
        this.text = this.client.text;
        if (source === 'undo' || source === 'redo' || source === 'anyone') {
          // The selection comes back with the undone edit (the client says where).
          const ranges = this.client.selection || [[0, 0]];
          editor.setSelections(ranges.map(([a, h]) => ({ anchor: this.position(a), head: this.position(h) })));
          editor.scrollIntoView(null);
        }
      });
      // CodeMirror's history must not hold others' edits (nor ours: the client's stack does).
      editor.clearHistory();
      editor.setOption('readOnly', this.client.role === 'viewer');
      this.drawPresence();
    }

    reportSelection() {
      const editor = this.editor;
      if (!editor.hasFocus()) return this.client.setSelection(null);
      this.client.setSelection(editor.listSelections().map((range) => [
        this.codePoint(editor.indexFromPos(range.anchor)), this.codePoint(editor.indexFromPos(range.head)),
      ]));
    }

    /** Other users' selections as marks and their cursors as bookmarks, in their colours. */
    drawPresence() {
      for (const mark of this.presence) mark.clear();
      this.presence = [];
      const editor = this.editor;
      for (const [clientId, p] of this.client.participants) {
        if (!p.selection) continue;
        const color = /^#[0-9a-fA-F]{6}$/.test(p.user.color || '') ? p.user.color : '#888888';
        const name = p.user.name || p.user.id || 'someone';
        for (const [anchor, head] of p.selection) {
          const a = this.position(anchor);
          const h = this.position(head);
          if (anchor !== head) {
            const [from, to] = anchor < head ? [a, h] : [h, a];
            this.presence.push(editor.markText(from, to, {
              css: 'background-color: ' + color + '33',
              attributes: { 'data-collab-client': clientId, title: name },
            }));
          }
          const caret = document.createElement('span');
          caret.className = 'collab-cm-caret';
          caret.title = name;
          caret.dataset.collabClient = clientId;
          caret.style.cssText = 'border-left: 2px solid ' + color + '; margin-left: -1px; margin-right: -1px;' +
            ' height: 1.2em; display: inline-block; vertical-align: text-bottom; width: 0;';
          this.presence.push(editor.setBookmark(h, { widget: caret, insertLeft: true }));
        }
      }
    }
  }

  /**
   * Binds a CodeMirror 5 editor to a CollabClient: its text follows the document, edits typed
   * in it are sent, undo/redo use the client's stack. Returns the binding (`destroy()` unbinds).
   */
  function bindCodeMirror(client, editor) {
    return new CodeMirrorBinding(client, editor);
  }

  root.bindCodeMirror = bindCodeMirror;
  if (C) C.bindCodeMirror = bindCodeMirror;
})(typeof self !== 'undefined' ? self : this);
