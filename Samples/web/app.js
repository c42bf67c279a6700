// app.js: the sample page. Picks the document (?doc=NAME), the user's name and colour,
// and wires one CollabClient + CollabEditor to the status pill, the people list and the
// history panel (GET /v1/docs/{id}/ops, an admin call: fine in open mode or with ?token=).
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
      return li;
    }
    client.on('text', scheduleHistory);
    client.on('ack', scheduleHistory);
    client.on('status', scheduleHistory);

    client.on('error', (e) => console.warn('collab:', e.code, e.message || ''));
    client.connect();
  }

  start();
})();
