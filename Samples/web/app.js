// app.js: the sample page. Picks the document (?doc=NAME), the user's name and colour,
// and wires one CollabClient + CollabEditor to the status pill, the people list and the
// history panel (GET /v1/docs/{id}/ops, an admin call: fine in open mode or with ?token=),
// and the timeslider: the text at any version, read-only, with that step's change drawn.
(function () {
  'use strict';
  const C = window.Collab;
  const $ = (id) => document.getElementById(id);
  const DOC_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
  const NAMES = ['Ada', 'Grace', 'Alan', 'Barbara', 'Edsger', 'Frances', 'Ken', 'Radia', 'Donald', 'Margaret'];
  const COLORS = ['#e8590c', '#1c7ed6', '#2f9e44', '#ae3ec9', '#e03131', '#0c8599', '#f08c00', '#5f3dc4'];
  const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];

  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  const server = location.origin;
  const recent = JSON.parse(localStorage.getItem('collab.recent') || '[]').filter((d) => DOC_ID.test(d));
  let docId = params.get('doc') || recent[0] || 'welcome';
  if (!DOC_ID.test(docId)) docId = 'welcome';
  localStorage.setItem('collab.recent', JSON.stringify([docId, ...recent.filter((d) => d !== docId)].slice(0, 8)));

  const me = {
    name: params.get('name') || localStorage.getItem('collab.name') || pick(NAMES),
    color: params.get('color') || localStorage.getItem('collab.color') || pick(COLORS),
  };
  localStorage.setItem('collab.name', me.name);
  localStorage.setItem('collab.color', me.color);

  // -- header ------------------------------------------------------------------------------
  document.title = docId + ' · collab';
  $('doc-title').textContent = docId;
  $('doc-name').value = docId;
  const suggest = (ids) => $('recent-docs').replaceChildren(
    ...ids.map((d) => Object.assign(document.createElement('option'), { value: d })));
  suggest(recent);
  // The server's documents too, when it lists them (GET /v1/docs; admin, as the history).
  fetch(server + '/v1/docs' + (token ? '?token=' + encodeURIComponent(token) : ''), { cache: 'no-store' })
    .then((response) => (response.ok ? response.json() : []))
    .then((docs) => suggest([...new Set([...recent, ...docs.map((d) => d.id).filter((d) => typeof d === 'string')])].slice(0, 40)))
    .catch(() => {});
  $('doc-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const next = $('doc-name').value.trim();
    if (!DOC_ID.test(next)) return $('doc-name').reportValidity();
    const query = new URLSearchParams({ doc: next });
    if (token) query.set('token', token);
    location.search = query.toString();
  });
  $('my-name').value = me.name;
  $('my-color').style.background = me.color;

  // -- client and editor -------------------------------------------------------------------
  // Edits not yet acknowledged are kept in localStorage; a reload (or a crashed tab) adopts
  // them and rejoins with their clientId and version, so they land exactly once. Another
  // open tab's saved edits are left alone: each page holds a Web Lock named after its clientId.
  const lockName = (clientId) => 'collab:' + docId + ':' + clientId;
  async function savedState() {
    let saved;
    try { saved = C.CollabClient.savedStates(localStorage, docId); } catch { return null; }
    if (!saved.length) return null;
    let held = new Set();
    if (navigator.locks) {
      try { held = new Set(((await navigator.locks.query()).held || []).map((lock) => lock.name)); } catch { /* none */ }
    }
    const free = saved.filter((s) => !held.has(lockName(s.state.clientId)));
    return free.length ? free[free.length - 1].state : null;
  }
  async function start() {
    const restore = await savedState();
    const client = new C.CollabClient({ server, docId, token, user: me, storage: localStorage, restore });
    if (navigator.locks) navigator.locks.request(lockName(client.clientId), () => new Promise(() => {})).catch(() => {});
    const editor = new window.CollabEditor($('editor'), client, { placeholder: 'Start typing — everyone here sees it live.' });
    window.collab = { client, editor, restored: !!restore }; // for the console and the tests
    wire(client);
  }

  /** Connects the page's status pill, people list and history panel to `client`. */
  function wire(client) {
    $('my-name').addEventListener('change', () => {
      me.name = $('my-name').value.trim() || me.name;
      $('my-name').value = me.name;
      localStorage.setItem('collab.name', me.name);
      // The name travels in `join`: reconnect (pending edits are kept and resent).
      client.user = me;
      client.disconnect('renaming');
      client.connect();
    });
    $('my-color').addEventListener('click', () => {
      me.color = COLORS[(COLORS.indexOf(me.color) + 1) % COLORS.length];
      $('my-color').style.background = me.color;
      localStorage.setItem('collab.color', me.color);
      client.user = me;
      client.disconnect('recolouring');
      client.connect();
    });
    $('retry').addEventListener('click', () => client.reconnectNow());
    window.addEventListener('online', () => client.reconnectNow());
    window.addEventListener('offline', () => client.drop());

    // -- connection indicator --------------------------------------------------------------------
    const plural = (n, word) => n + ' ' + word + (n === 1 ? '' : 's');
    function showStatus() {
      const s = client.status;
      const pending = s.pendingEdits ? ' · ' + plural(s.pendingEdits, 'edit') + ' pending' : '';
      let text, tone;
      switch (s.phase) {
        case 'connected':
          tone = 'ok';
          text = 'connected' + (s.rtt !== null ? ' · ' + s.rtt + ' ms' : '') + pending;
          break;
        case 'waiting': {
          tone = 'warn';
          const secs = Math.max(0, Math.ceil((s.retryAt - Date.now()) / 1000));
          text = (secs > 0 ? 'reconnecting in ' + secs + ' s' : 'reconnecting…') + pending;
          break;
        }
        case 'offline':
          tone = 'bad';
          // "offline with N pending edits" first (screen readers and tests rely on it), then why.
          text = 'offline' + (s.pendingEdits ? ' with ' + plural(s.pendingEdits, 'pending edit') : '') + (s.reason ? ' (' + s.reason + ')' : '');
          break;
        default:
          tone = 'warn';
          text = 'connecting…' + pending;
      }
      $('status').dataset.tone = tone;
      $('status-text').textContent = text;
      $('retry').hidden = !(s.phase === 'waiting' || s.phase === 'offline');
      $('doc-meta').textContent = s.version === null ? '' :
        'version ' + s.version + ' · ' + plural(C.cpLength(client.text), 'character');
    }
    client.on('status', showStatus);
    client.on('text', showStatus);
    setInterval(showStatus, 500);

    // -- people ----------------------------------------------------------------------------------
    const names = new Map([[client.clientId, 'you']]); // clientId -> name, for the history
    function showPeople() {
      const rows = [{ name: me.name + ' (you)', color: me.color, where: client.selection }];
      for (const [id, p] of client.participants) {
        names.set(id, p.user.name || p.user.id);
        rows.push({ name: p.user.name || p.user.id || id, color: p.user.color || '#888', where: p.selection });
      }
      $('people-count').textContent = String(rows.length);
      $('people').replaceChildren(...rows.map((row) => {
        const li = document.createElement('li');
        const dot = document.createElement('span');
        dot.className = 'avatar';
        dot.style.background = row.color;
        dot.textContent = [...row.name][0].toUpperCase();
        const name = document.createElement('span');
        name.className = 'who';
        name.textContent = row.name;
        const where = document.createElement('span');
        where.className = 'where';
        const range = row.where && row.where[0];
        where.textContent = !range ? 'idle' : range[0] === range[1] ? 'at ' + range[1] : 'selecting ' + Math.abs(range[1] - range[0]);
        li.append(dot, name, where);
        return li;
      }));
    }
    client.on('participants', showPeople);
    client.on('status', showPeople);

    // -- history ---------------------------------------------------------------------------------
    const HISTORY_SIZE = 60;
    let historyTimer = null;
    let historyShown = -1;
    function scheduleHistory() {
      if (historyTimer || client.version === null || client.version === historyShown) return;
      historyTimer = setTimeout(loadHistory, 400);
    }
    async function loadHistory() {
      const version = client.version;
      const from = Math.max(0, version - HISTORY_SIZE);
      const query = '?from=' + from + '&limit=' + HISTORY_SIZE + (token ? '&token=' + encodeURIComponent(token) : '');
      const list = $('history');
      try {
        const response = await fetch(server + '/v1/docs/' + docId + '/ops' + query, { cache: 'no-store' });
        if (response.status === 404) {
          list.replaceChildren(note('No edits yet.'));
        } else if (response.status === 401 || response.status === 403) {
          list.replaceChildren(note('The history needs an admin token.'));
        } else if (response.ok) {
          const records = await response.json();
          list.replaceChildren(...records.reverse().map(historyRow));
          if (!records.length) list.replaceChildren(note('No edits yet.'));
        }
        historyShown = version;
      } catch {
        // Offline: try again on the next change.
      } finally {
        historyTimer = null;
        scheduleHistory();
      }
    }
    function note(text) {
      const li = document.createElement('li');
      li.className = 'empty';
      li.textContent = text;
      return li;
    }
    function historyRow(record) {
      const { inserted, deleted, at } = C.summarize(record.op);
      const li = document.createElement('li');
      const version = document.createElement('span');
      version.className = 'v';
      version.textContent = 'v' + record.v;
      const who = document.createElement('span');
      who.className = 'who';
      who.textContent = names.get(record.clientId) || record.user;
      const what = document.createElement('span');
      what.className = 'what';
      const ins = record.op.filter((c) => typeof c === 'string').join('');
      const snippet = ins ? ' “' + ([...ins].length > 18 ? [...ins].slice(0, 18).join('') + '…' : ins).replace(/\n/g, '⏎') + '”' : '';
      what.innerHTML = '';
      if (inserted) what.append(Object.assign(document.createElement('b'), { className: 'ins', textContent: '+' + inserted }));
      if (deleted) what.append(Object.assign(document.createElement('b'), { className: 'del', textContent: '−' + deleted }));
      what.append(' at ' + at + snippet);
      const when = document.createElement('time');
      const date = new Date(record.ts);
      when.dateTime = date.toISOString();
      when.textContent = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
      li.append(version, who, when, what);
      // A click opens the timeslider at the version this op made.
      li.className = 'ts-jump';
      li.title = 'Show version ' + (record.v + 1) + ' in the timeslider';
      li.addEventListener('click', () => window.collab.timeslider.open(record.v + 1));
      return li;
    }
    client.on('text', scheduleHistory);
    client.on('ack', scheduleHistory);
    client.on('status', scheduleHistory);

    wireTimeslider(client, names);

    client.on('error', (e) => console.warn('collab:', e.code, e.message || ''));
    client.connect();
  }

  // -- timeslider ----------------------------------------------------------------------------
  /** An HTTP call to the document's history; throws a Timeslider.VersionError with the server's message. */
  async function api(path, init = {}) {
    const headers = Object.assign({}, init.headers || {});
    if (token) headers.Authorization = 'Bearer ' + token;
    if (init.body) headers['Content-Type'] = 'application/json';
    const response = await fetch(server + '/v1/docs/' + encodeURIComponent(docId) + path,
      Object.assign({ cache: 'no-store' }, init, { headers }));
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      throw new window.Timeslider.VersionError((body && body.message) || 'HTTP ' + response.status, response.status);
    }
    return body;
  }

  /** The timeslider over `client`'s document: a VersionTrack, its slider, marks and buttons. */
  function wireTimeslider(client, names) {
    const T = window.Timeslider;
    const track = new T.VersionTrack({
      text: async (v) => (await api('?version=' + v)).text,
      ops: (from, limit) => api('/ops?from=' + from + '&limit=' + limit).catch((error) => {
        if (error.status === 404) return []; // no op stored yet
        throw error;
      }),
    });
    const slider = $('ts-slider');
    const view = $('ts-view');
    const change = $('ts-change');
    let target = null; // the version asked for last
    let moving = null; // the promise moving the track there
    let playing = null;
    let named = [];

    const latest = () => client.version || 0;
    const canWrite = () => client.role !== 'viewer';
    const plural = (n, word) => n + ' ' + word + (n === 1 ? '' : 's');
    const timeOf = (ts) => {
      const date = new Date(ts);
      return date.toLocaleDateString([], { day: 'numeric', month: 'short' }) + ' ' +
        date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    };

    function setMax() {
      slider.max = String(latest());
      $('ts-from').max = $('ts-to').max = String(latest());
      showMarks();
    }
    function showMarks() {
      const max = Math.max(1, latest());
      $('ts-marks').replaceChildren(...named.filter((n) => n.version <= latest()).map((n) => {
        const mark = document.createElement('button');
        mark.type = 'button';
        mark.className = 'ts-mark';
        mark.style.left = (100 * n.version / max) + '%';
        mark.title = n.name + ' (version ' + n.version + ', ' + n.user + ')';
        mark.setAttribute('aria-label', 'Named version ' + n.name + ', version ' + n.version);
        mark.dataset.version = String(n.version);
        mark.dataset.name = n.name;
        mark.addEventListener('click', () => go(n.version));
        return mark;
      }));
    }
    async function loadNames() {
      try { named = await api('/versions'); } catch { named = []; }
      showMarks();
    }

    // The view holds one block per line: a step redraws only the lines whose runs changed, so
    // the browser lays out a few lines, not the whole document.
    let drawnKeys = [];
    function lineElement(line) {
      const element = document.createElement('div');
      element.className = 'ts-line';
      for (const run of line) {
        element.append(run.kind === 'same' ? run.text : Object.assign(document.createElement(run.kind), { textContent: run.text }));
      }
      return element;
    }
    function draw(runs, fresh) {
      const lines = T.lineRuns(runs);
      if (fresh) drawnKeys = [];
      const old = drawnKeys;
      let start = 0;
      while (start < old.length && start < lines.length && old[start] === lines[start].key) start++;
      let end = 0;
      while (end < old.length - start && end < lines.length - start &&
             old[old.length - 1 - end] === lines[lines.length - 1 - end].key) end++;
      const fragment = document.createDocumentFragment();
      for (let k = start; k < lines.length - end; k++) fragment.append(lineElement(lines[k]));
      if (start === 0 && end === 0) {
        view.replaceChildren(fragment);
      } else {
        const children = view.children;
        const after = children[old.length - end] || null;
        for (let k = old.length - end - 1; k >= start; k--) children[k].remove();
        view.insertBefore(fragment, after);
      }
      drawnKeys = lines.map((line) => line.key);
    }

    /** Draws the text at the track's version with its change, and what made it. */
    function render() {
      const v = track.version;
      draw(track.segments(), view.dataset.mode !== 'version');
      view.dataset.version = String(v);
      view.dataset.mode = 'version';
      view.setAttribute('aria-label', 'Text at version ' + v);
      slider.value = String(v);
      $('ts-position').textContent = 'v' + v + ' of ' + latest();
      const record = track.change;
      const here = named.filter((n) => n.version === v).map((n) => '“' + n.name + '”');
      if (!record) {
        change.textContent = v === 0 ? 'Version 0: the empty document.' : 'Version ' + v + '.';
      } else {
        const { inserted, deleted, at } = C.summarize(record.op);
        const who = names.get(record.clientId) || record.user;
        change.replaceChildren('Version ' + v + (here.length ? ' ' + here.join(', ') : '') + ': ',
          Object.assign(document.createElement('b'), { textContent: who }), ' · ' + timeOf(record.ts) + ' · ' +
          [inserted ? '+' + plural(inserted, 'character') : '', deleted ? '−' + plural(deleted, 'character') : '']
            .filter(Boolean).join(' ') + ' at ' + at);
      }
      const first = view.querySelector('ins, del');
      if (first) first.scrollIntoView({ block: 'center' });
    }
    function showError(error) {
      const what = error.status === 410 ? 'That version is gone: the history below it was compacted.' :
        error.status === 401 || error.status === 403 ? 'The history needs a token that may read it.' :
        'Could not load that version: ' + error.message;
      change.replaceChildren(Object.assign(document.createElement('span'), { className: 'error', textContent: what }));
      if (track.version !== null) slider.value = String(track.version);
    }

    /** Moves to version `n` (clamped); scrubbing coalesces: only the last target is shown. */
    function go(n) {
      target = Math.max(0, Math.min(latest(), Math.round(n)));
      if (!moving) {
        moving = (async () => {
          await null; // so that `moving` is set before the finally below clears it
          view.dataset.busy = 'true';
          try {
            while (track.version !== target) {
              try {
                await track.go(target);
              } catch (error) {
                showError(error);
                target = track.version;
                return;
              }
            }
            render();
          } finally {
            delete view.dataset.busy;
            moving = null;
          }
        })();
      }
      return moving;
    }
    const current = () => (target !== null ? target : track.version || 0);

    function stopPlaying() {
      if (!playing) return;
      clearTimeout(playing);
      playing = null;
      $('ts-play').setAttribute('aria-pressed', 'false');
      $('ts-play').textContent = '⏵';
    }
    function play() {
      if (playing) return stopPlaying();
      if (current() >= latest()) go(0);
      $('ts-play').setAttribute('aria-pressed', 'true');
      $('ts-play').textContent = '⏸';
      const tick = async () => {
        await go(current() + 1);
        if (!playing) return;
        if (track.version >= latest()) return stopPlaying();
        playing = setTimeout(tick, 80);
      };
      playing = setTimeout(tick, 0);
    }

    function open(version) {
      $('timeslider').hidden = false;
      view.hidden = false;
      $('editor').hidden = true;
      $('ts-open').hidden = true;
      for (const button of document.querySelectorAll('.ts-edit')) button.hidden = !canWrite();
      setMax();
      loadNames();
      return go(version === undefined ? latest() : version);
    }
    function close() {
      stopPlaying();
      $('timeslider').hidden = true;
      view.hidden = true;
      $('editor').hidden = false;
      $('ts-open').hidden = false;
      const textarea = document.querySelector('textarea[aria-label="Document text"]');
      if (textarea) textarea.focus();
    }

    async function nameVersion() {
      const v = track.version;
      const name = $('ts-name').value.trim() || 'Version ' + v;
      try {
        await api('/versions', { method: 'POST', body: JSON.stringify({ name, version: v }) });
        $('ts-name').value = '';
        await loadNames();
        render();
      } catch (error) {
        change.replaceChildren(Object.assign(document.createElement('span'), {
          className: 'error', textContent: error.status === 409 ? 'The name “' + name + '” is taken.' : error.message,
        }));
      }
    }
    async function restore() {
      const v = track.version;
      try {
        const answer = await api('/restore', { method: 'POST', body: JSON.stringify({ version: v }) });
        close();
        $('doc-meta').textContent = answer.unchanged ? 'version ' + v + ' is the current text'
          : 'restored version ' + v + ' as version ' + answer.version;
      } catch (error) {
        change.replaceChildren(Object.assign(document.createElement('span'), { className: 'error', textContent: error.message }));
      }
    }
    /** The changes between two versions: the text at `from` with one minimal op to `to` drawn over it. */
    async function compare(from, to) {
      stopPlaying();
      try {
        const [before, diff] = await Promise.all([api('?version=' + from), api('/diff?from=' + from + '&to=' + to)]);
        const { text, deleted } = T.applyKeepingDeleted(before.text, diff.op);
        const runs = T.changeSegments(text, diff.op, deleted);
        draw(runs, true);
        view.dataset.mode = 'diff';
        view.setAttribute('aria-label', 'Changes from version ' + from + ' to version ' + to);
        const { inserted, deleted: gone } = C.summarize(diff.op);
        change.textContent = 'Changes from version ' + from + ' to version ' + to + ': +' + plural(inserted, 'character') + ' −' + plural(gone, 'character');
        const first = view.querySelector('ins, del');
        if (first) first.scrollIntoView({ block: 'center' });
      } catch (error) {
        showError(error);
      }
    }

    slider.addEventListener('input', () => { stopPlaying(); go(Number(slider.value)); });
    $('ts-prev').addEventListener('click', () => { stopPlaying(); go(current() - 1); });
    $('ts-next').addEventListener('click', () => { stopPlaying(); go(current() + 1); });
    $('ts-play').addEventListener('click', play);
    $('ts-open').addEventListener('click', () => open());
    $('ts-back').addEventListener('click', close);
    $('ts-name-button').addEventListener('click', nameVersion);
    $('ts-restore').addEventListener('click', restore);
    $('ts-diff').addEventListener('submit', (event) => {
      event.preventDefault();
      compare(Number($('ts-from').value), Number($('ts-to').value));
    });
    view.addEventListener('keydown', (event) => {
      if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
        event.preventDefault();
        go(current() + (event.key === 'ArrowLeft' ? -1 : 1));
      }
    });
    client.on('text', () => { if (!$('timeslider').hidden) setMax(); });
    window.collab.timeslider = { track, open, close, go, compare };
  }

  start();
})();
