// The browser view's behaviour: name completion, the query box with its history, the
// answer as a table and as a cytoscape.js graph, the evidence panel, neighbour
// expansion and exports. It speaks only the JSON API of docs/server.md; no framework,
// no build step, so what is served is what is written here.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const HISTORY_KEY = 'factgraph.history';
  const TOKEN_KEY = 'factgraph.token';
  const HISTORY_MAX = 200;
  // A graph this large makes cose (a force simulation) slow; concentric is instant.
  const COSE_MAX_NODES = 400;

  // Exposed for the browser test (it reads edge positions from `cy`) and for anyone
  // poking at the page from the console.
  const view = {
    cy: null,
    query: '',
    toSvg: () => toSvg(view.cy),
    // The current query's subgraph as `factgraph dot` writes it; `{}` is the whole store.
    dot: () => api('POST', '/dot', view.query ? { query: view.query } : {}),
  };
  window.factgraph = view;
  // Uncaught errors are kept, so the browser test can fail on a script error that
  // leaves the page looking fine.
  view.errors = [];
  window.addEventListener('error', (ev) => view.errors.push(String(ev.message)));
  window.addEventListener('unhandledrejection', (ev) => view.errors.push(String(ev.reason)));

  /** Builds an element: h('a', {href: '#'}, 'text', child…). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else el.setAttribute(k, v === true ? '' : v);
    }
    // Children may come in nested arrays (a map's [dt, dd] pairs); all are flattened.
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      el.append(c instanceof Node ? c : String(c));
    }
    return el;
  }

  function setState(state) {
    // The test and assistive tools can tell a finished answer from one in flight; the
    // answer itself is not a live region (a table read out whole is noise), the
    // status line after it says how many rows came back.
    document.body.dataset.state = state;
    $('answer').setAttribute('aria-busy', String(state === 'busy'));
  }

  // ---- talking to the server ----------------------------------------------------

  function storage(kind) {
    // Storage throws in some private modes; the page then simply forgets.
    try {
      return window[kind];
    } catch {
      return null;
    }
  }

  /** Calls the API; rejects with an Error whose `api` is the server's error object. */
  async function api(method, path, body, signal) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const token = storage('sessionStorage')?.getItem(TOKEN_KEY);
    if (token) headers.Authorization = 'Bearer ' + token;
    let res;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw Object.assign(new Error('The server cannot be reached.'), {
        api: { kind: 'network', message: 'The server cannot be reached (' + e.message + ').' },
      });
    }
    const type = res.headers.get('content-type') || '';
    if (!res.ok) {
      let err = { kind: 'http', message: `${res.status} ${res.statusText}` };
      if (type.includes('json')) {
        try {
          const j = await res.json();
          if (j && j.error) err = j.error;
        } catch {
          // Not the JSON it claimed to be: keep the status line.
        }
      }
      throw Object.assign(new Error(err.message), { api: err, status: res.status });
    }
    return type.includes('json') ? res.json() : res.text();
  }

  async function showHealth() {
    try {
      const h_ = await api('GET', '/health');
      const c = h_.counts || {};
      const parts = [
        `${c.entities ?? '?'} entities`,
        `${c.statements ?? '?'} statements`,
        `${c.evidence ?? '?'} citations`,
      ];
      if (h_.read_only) parts.push('read-only');
      $('store').textContent = parts.join(' · ');
      $('store').title = h_.store ? `${h_.store} (factgraph ${h_.version})` : '';
      if (h_.read_only) $('token-box').hidden = true;
    } catch (e) {
      $('store').textContent = e.api ? e.api.message : String(e);
    }
  }

  // ---- the query box: history, running, errors -------------------------------------

  const queryBox = $('query');
  let history = loadHistory();
  let historyPos = history.length;
  let draft = '';

  function loadHistory() {
    try {
      const h_ = JSON.parse(storage('localStorage')?.getItem(HISTORY_KEY) || '[]');
      return Array.isArray(h_) ? h_.filter((x) => typeof x === 'string') : [];
    } catch {
      return [];
    }
  }

  function remember(q) {
    history = history.filter((x) => x !== q);
    history.push(q);
    if (history.length > HISTORY_MAX) history = history.slice(-HISTORY_MAX);
    historyPos = history.length;
    try {
      storage('localStorage')?.setItem(HISTORY_KEY, JSON.stringify(history));
    } catch {
      // Full or forbidden: history lasts for this page only.
    }
  }

  queryBox.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      runFromBox();
      return;
    }
    if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    const { value, selectionStart: s, selectionEnd: e } = queryBox;
    if (s !== e) return;
    // Up on the first line and Down on the last recall history, as in a shell; inside a
    // multi-line query they move the caret as usual.
    if (ev.key === 'ArrowUp' && !value.slice(0, s).includes('\n') && historyPos > 0) {
      if (historyPos === history.length) draft = value;
      historyPos -= 1;
      recall(history[historyPos]);
      ev.preventDefault();
    } else if (ev.key === 'ArrowDown' && !value.slice(s).includes('\n') && historyPos < history.length) {
      historyPos += 1;
      recall(historyPos === history.length ? draft : history[historyPos]);
      ev.preventDefault();
    }
  });

  function recall(text) {
    queryBox.value = text;
    queryBox.setSelectionRange(text.length, text.length);
    clearError();
  }

  queryBox.addEventListener('input', clearError);

  $('query-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    runFromBox();
  });

  $('examples').addEventListener('change', (ev) => {
    const q = ev.target.value;
    ev.target.value = '';
    if (!q) return;
    queryBox.value = q;
    runFromBox();
  });

  function runFromBox() {
    run(queryBox.value);
  }

  // Writes run once only: /graph executes the query again, so a query that changes the
  // store is sent to /query alone. The check is a cheap look for the write keywords of
  // both forms of the language; a false alarm costs only the graph of a read.
  const WRITES = /^\s*(create|merge|entity|assert|aka|load|set|delete|remove|retract)\b|\b(create|merge|set|delete|detach|remove)\s/im;

  let inflight = null;

  /**
   * Runs `text`: the table from POST /query, then the graph from POST /graph (or, when
   * `neighboursOf` names an entity, from its neighbours).
   */
  async function run(text, neighboursOf) {
    const q = text.trim();
    if (!q) {
      queryBox.focus();
      return;
    }
    if (inflight) inflight.abort();
    const ctl = new AbortController();
    inflight = ctl;
    remember(q);
    view.query = q;
    try {
      window.history.replaceState(null, '', '#q=' + encodeURIComponent(q));
    } catch {
      // A page opened from a file has no history to write to; nothing is lost.
    }
    clearError();
    setState('busy');
    // The Run button stays enabled (disabling it would drop the focus it may hold); a
    // second run cancels the first, whose request the server then stops.
    $('status').textContent = 'Running…';
    try {
      const answer = await api('POST', '/query', { query: q }, ctl.signal);
      renderAnswer(answer);
      $('status').textContent = `${countRows(answer)} rows in ${fmtMs(answer.elapsed_ms)}`;
      let graph = null;
      if (neighboursOf !== undefined) {
        graph = await api('GET', `/api/entities/${neighboursOf}/neighbours?limit=200`, undefined, ctl.signal);
      } else if (!WRITES.test(q)) {
        graph = await api('POST', '/graph', { query: q }, ctl.signal);
      }
      if (graph) drawGraph(graph, neighboursOf === undefined ? null : 'e' + neighboursOf);
      setState('done');
    } catch (e) {
      if (e.name === 'AbortError') return;
      showError(e, q);
      setState('error');
    } finally {
      if (inflight === ctl) inflight = null;
    }
  }

  function countRows(answer) {
    return (answer.results || []).reduce((n, r) => n + (r.rows || []).length, 0);
  }

  function fmtMs(ms) {
    if (typeof ms !== 'number') return '?';
    return ms < 10 ? `${ms.toFixed(2)} ms` : `${Math.round(ms)} ms`;
  }

  /** The JS string index of byte offset `byte` of `text` in UTF-8 (the server's spans). */
  function byteToIndex(text, byte) {
    let b = 0;
    let i = 0;
    while (i < text.length && b < byte) {
      const cp = text.codePointAt(i);
      b += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      i += cp > 0xffff ? 2 : 1;
    }
    return i;
  }

  function clearError() {
    const box = $('query-error');
    box.hidden = true;
    box.replaceChildren();
    queryBox.removeAttribute('aria-invalid');
    queryBox.classList.remove('bad');
  }

  /** Shows an API error; when it has a place, draws a caret under it and selects it. */
  function showError(e, q) {
    const err = e.api || { kind: 'error', message: String(e.message || e) };
    $('status').textContent = '';
    const box = $('query-error');
    const parts = [h('strong', {}, err.kind ? err.kind.replace(/_/g, ' ') : 'error'), ': ', err.message];
    if (err.line && err.column) parts.unshift(`line ${err.line}, column ${err.column}: `);
    const children = [h('p', {}, parts)];
    const sent = queryBox.value.trim() === q ? q : null;
    if (sent !== null && typeof err.start === 'number') {
      const start = byteToIndex(q, err.start);
      const end = Math.max(start + 1, byteToIndex(q, typeof err.end === 'number' ? err.end : err.start));
      const lineStart = q.lastIndexOf('\n', start - 1) + 1;
      let lineEnd = q.indexOf('\n', start);
      if (lineEnd < 0) lineEnd = q.length;
      const line = q.slice(lineStart, lineEnd);
      const width = Math.max(1, Math.min(end, lineEnd + 1) - start);
      children.push(
        h('pre', { class: 'caret', 'aria-hidden': 'true' }, line, '\n', ' '.repeat(start - lineStart) + '^'.repeat(width)),
      );
      // The box holds the trimmed query's text plus whatever whitespace led it; select
      // the same span there so the place is marked in the box itself.
      const lead = queryBox.value.indexOf(q);
      queryBox.classList.add('bad');
      queryBox.setAttribute('aria-invalid', 'true');
      queryBox.focus();
      queryBox.setSelectionRange(lead + start, lead + Math.min(end, q.length));
    }
    if (err.kind === 'unauthorized') {
      children.push(h('p', {}, 'This query writes to the store: enter the server\u2019s token under “Write token” and run it again.'));
      $('token-box').open = true;
      $('token').focus();
    }
    box.replaceChildren(...children);
    box.hidden = false;
  }

  // ---- the write token ---------------------------------------------------------------

  const tokenBox = $('token');
  tokenBox.value = storage('sessionStorage')?.getItem(TOKEN_KEY) || '';
  tokenBox.addEventListener('input', () => {
    const s = storage('sessionStorage');
    if (!s) return;
    if (tokenBox.value.trim()) s.setItem(TOKEN_KEY, tokenBox.value.trim());
    else s.removeItem(TOKEN_KEY);
  });

  // ---- the answer as a table -----------------------------------------------------------

  function renderAnswer(answer) {
    const out = $('answer');
    const results = answer.results || [];
    if (results.length === 0) {
      out.replaceChildren(h('p', { class: 'hint' }, 'No answer.'));
      return;
    }
    out.replaceChildren(...results.map((r, i) => renderResult(r, i, results.length)));
  }

  function renderResult(r, index, of) {
    const rows = r.rows || [];
    const columns = r.columns || [];
    const withEvidence = rows.some((row) => (row.provenance || []).length > 0);
    const caption = [`${rows.length} ${rows.length === 1 ? 'row' : 'rows'}`];
    if (of > 1) caption.unshift(`Statement ${index + 1}: `);
    if (r.ordered) caption.push(' (ordered)');
    const body = h('tbody');
    for (const row of rows) {
      // Each cell carries its column's name: a phone shows rows as cards, name beside value.
      const tr = h('tr', {}, (row.cells || []).map((c, i) => h('td', { 'data-label': columns[i] }, renderCell(c))));
      body.append(tr);
      if (withEvidence) {
        const prov = row.provenance || [];
        const td = h('td', { class: 'ev', 'data-label': 'evidence' });
        tr.append(td);
        if (prov.length) {
          const detail = h('tr', { class: 'provenance', hidden: true }, h('td', { colspan: columns.length + 1 }, renderProvenance(prov)));
          const btn = h('button', {
            type: 'button',
            class: 'link',
            'aria-expanded': 'false',
            onclick: () => {
              const open = detail.hidden;
              detail.hidden = !open;
              btn.setAttribute('aria-expanded', String(open));
            },
          }, `${prov.length} ${prov.length === 1 ? 'citation' : 'citations'}`);
          td.append(btn);
          body.append(detail);
        }
      }
    }
    const head = h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)), withEvidence ? h('th', { scope: 'col' }, 'evidence') : null);
    return h('div', { class: 'result' },
      h('p', { class: 'meta' }, caption, r.note ? h('span', { class: 'note' }, ' — ', r.note) : null),
      columns.length ? h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, head), body)) : null);
  }

  function renderProvenance(prov) {
    return h('ul', { class: 'citations' }, prov.map((p) => h('li', {},
      p.claim ? h('p', { class: 'claim' }, p.statement !== undefined
        ? h('button', { type: 'button', class: 'link', onclick: () => showStatement(p.statement) }, p.claim)
        : p.claim) : null,
      p.quote ? h('blockquote', {}, p.quote) : null,
      h('p', { class: 'source' },
        p.outlet ? h('span', { class: 'outlet' }, p.outlet) : null,
        p.title ? [p.outlet ? ' — ' : '', h('cite', {}, p.title)] : null,
        p.document ? h('span', { class: 'doc' }, ` (${p.document})`) : null),
      h('p', { class: 'credit' }, 'credited to ', p.attribution ? h('strong', {}, p.attribution) : 'the document\u2019s own voice'))));
  }

  function renderCell(c) {
    if (c === null || c === undefined) return h('span', { class: 'null' }, '—');
    switch (c.type) {
      case 'null':
        return h('span', { class: 'null', title: 'null' }, '—');
      case 'entity':
        return h('span', { class: 'entity' },
          h('button', {
            type: 'button',
            class: 'link',
            title: `${c.kind}: show it with its neighbours in the graph`,
            onclick: () => showEntity(c.id, true),
          }, c.name || `#${c.id}`),
          h('span', { class: `kind k-${kindClass(c.kind)}` }, c.kind));
      case 'statement':
        return h('span', { class: 'statement' },
          h('button', { type: 'button', class: 'link', title: 'show its evidence', onclick: () => showStatement(c.id) }, c.text),
          renderQualifiers(c.qualifiers));
      case 'value':
        return h('span', { class: 'value' }, fmtValue(c.value));
      case 'text':
        return longText(c.text);
      case 'list':
        return h('ul', { class: 'list' }, (c.items || []).map((x) => h('li', {}, renderCell(x))));
      case 'map':
        return h('dl', { class: 'map' }, (c.entries || []).map(([k, v]) => [h('dt', {}, k), h('dd', {}, renderCell(v))]));
      case 'path':
        return renderPath(c);
      default:
        return h('code', {}, JSON.stringify(c));
    }
  }

  /** Text cells (quotes, titles) are cut to a few lines until clicked, so a wide
   *  answer stays scannable; the whole text is one click (or Enter) away. */
  function longText(text) {
    if (String(text).length < 140) return h('span', { class: 'text' }, text);
    const el = h('span', { class: 'text long', tabindex: '0', role: 'button', 'aria-expanded': 'false', title: 'Show all' }, text);
    const toggle = () => el.setAttribute('aria-expanded', String(el.getAttribute('aria-expanded') !== 'true'));
    el.addEventListener('click', toggle);
    el.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        toggle();
      }
    });
    return el;
  }

  /** A path: its nodes with the relations between them, each way as it points; a
   *  path given only in words is shown in words. */
  function renderPath(c) {
    const nodes = c.nodes || [];
    if (!nodes.length) return h('span', { class: 'path' }, (c.steps || []).join(' '));
    const rels = c.relationships || [];
    const forward = c.forward || [];
    const out = h('span', { class: 'path' });
    nodes.forEach((n, i) => {
      out.append(renderCell(n));
      if (i >= rels.length) return;
      const r = rels[i];
      const label = r && r.type === 'statement' ? r.relation : '';
      const fwd = forward[i] !== false;
      const text = fwd ? ` —${label}→ ` : ` ←${label}— `;
      out.append(r && r.type === 'statement'
        ? h('button', { type: 'button', class: 'link step', title: r.text, onclick: () => showStatement(r.id) }, text)
        : h('span', { class: 'step' }, text));
    });
    return out;
  }

  function renderQualifiers(q) {
    if (!q || typeof q !== 'object') return null;
    const entries = Object.entries(q);
    if (!entries.length) return null;
    return h('span', { class: 'qualifiers' }, entries.map(([k, v]) => h('span', { class: 'chip' }, `${k}: ${fmtValue(v)}`)));
  }

  function fmtValue(v) {
    if (v === null || v === undefined) return '—';
    if (typeof v !== 'object') return String(v);
    return JSON.stringify(v);
  }

  function kindClass(kind) {
    return String(kind || 'Thing').replace(/[^A-Za-z0-9]/g, '');
  }

  // ---- the graph -----------------------------------------------------------------------

  const KIND_COLOURS = {
    Person: '#2f6fb0',
    Organization: '#2a9d8f',
    Country: '#8a5cb8',
    Place: '#6b8e23',
    Event: '#d17a22',
    Concept: '#b5478a',
    Document: '#7a6a55',
    Statement: '#9aa3ad',
    Value: '#c9b458',
  };

  const STYLE = [
    {
      selector: 'node',
      style: {
        'background-color': '#5b6b7c',
        label: 'data(label)',
        'font-size': 10,
        color: '#1d2430',
        'text-valign': 'bottom',
        'text-margin-y': 3,
        'text-wrap': 'ellipsis',
        'text-max-width': 140,
        'text-background-color': '#ffffff',
        'text-background-opacity': 0.75,
        'text-background-padding': 1,
        width: 18,
        height: 18,
      },
    },
    ...Object.entries(KIND_COLOURS).map(([k, c]) => ({ selector: `node[kind = "${k}"]`, style: { 'background-color': c } })),
    { selector: 'node[kind = "Statement"]', style: { shape: 'round-rectangle', width: 14, height: 14, 'font-size': 8, 'text-max-width': 160 } },
    { selector: 'node[kind = "Value"]', style: { shape: 'rectangle', width: 12, height: 12, 'font-size': 9 } },
    {
      selector: 'edge',
      style: {
        width: 1.6,
        'line-color': '#8a94a6',
        'target-arrow-color': '#8a94a6',
        'target-arrow-shape': 'triangle',
        'arrow-scale': 0.9,
        'curve-style': 'bezier',
        label: 'data(label)',
        'font-size': 8,
        color: '#3b4656',
        'text-rotation': 'autorotate',
        'text-background-color': '#ffffff',
        'text-background-opacity': 0.85,
        'text-background-padding': 1,
        // Relation labels too small to read are left out rather than drawn as smudges.
        'min-zoomed-font-size': 6,
      },
    },
    {
      selector: 'edge.answers',
      style: { width: 1, 'line-color': '#b9c2ce', 'target-arrow-color': '#b9c2ce', 'target-arrow-shape': 'vee', color: '#7a8595' },
    },
    { selector: 'edge.hedged', style: { 'line-style': 'dashed', 'line-dash-pattern': [6, 4] } },
    { selector: 'edge.negated', style: { 'line-style': 'dotted', 'line-color': '#7b3fa0', 'target-arrow-color': '#7b3fa0', 'target-arrow-shape': 'tee' } },
    { selector: 'edge.conflict', style: { 'line-color': '#c62828', 'target-arrow-color': '#c62828', width: 3, color: '#c62828' } },
    { selector: 'node.focus', style: { 'border-width': 3, 'border-color': '#f4b400' } },
    { selector: ':selected', style: { 'overlay-color': '#f4b400', 'overlay-opacity': 0.25, 'overlay-padding': 4 } },
  ];

  function initGraph() {
    if (typeof window.cytoscape !== 'function') {
      $('graph-note').textContent = 'The graph library did not load; the table still works.';
      return;
    }
    const cy = window.cytoscape({
      container: $('graph'),
      style: STYLE,
      minZoom: 0.1,
      maxZoom: 4,
      boxSelectionEnabled: false,
    });
    cy.on('tap', 'edge', (ev) => showEdge(ev.target));
    cy.on('tap', 'node', (ev) => showNode(ev.target));
    cy.on('dbltap', 'node', (ev) => expandNode(ev.target));
    cy.on('select unselect', () => {
      $('expand').disabled = cy.$('node:selected[entity]').length === 0;
    });
    view.cy = cy;
  }

  /** cytoscape elements for the nodes and edges of a /graph answer. */
  function toElements(g, skipExisting) {
    const cy = view.cy;
    const out = [];
    const ids = new Set();
    for (const n of g.nodes || []) {
      if (skipExisting && cy.getElementById(n.id).nonempty()) {
        ids.add(n.id);
        continue;
      }
      ids.add(n.id);
      const label = n.name !== undefined && n.name !== null ? n.name : fmtValue(n.value);
      out.push({ group: 'nodes', data: { id: n.id, label, kind: n.kind || 'Thing', entity: n.entity, statement: n.statement } });
    }
    for (const e of g.edges || []) {
      // Edge ids are the statement's ("s41"), as are those of statements drawn as nodes,
      // so edges get a prefix of their own: cytoscape wants ids unique across both.
      const id = 'edge-' + e.id;
      if (skipExisting && cy.getElementById(id).nonempty()) continue;
      if (!ids.has(e.source) && cy.getElementById(e.source).empty()) continue;
      if (!ids.has(e.target) && cy.getElementById(e.target).empty()) continue;
      // A `source` edge runs from an entity that answers a row (an outlet) to the
      // subject of a claim its row cites: drawn lighter than the claims themselves.
      const classes = [e.kind === 'source' && 'answers', e.hedged && 'hedged', e.negated && 'negated', e.conflict && 'conflict'].filter(Boolean);
      out.push({
        group: 'edges',
        data: {
          id,
          source: e.source,
          target: e.target,
          label: (e.negated ? 'not ' : '') + e.relation,
          statement: e.statement,
          relation: e.relation,
          kind: e.kind || 'statement',
          modality: e.modality,
          polarity: e.polarity,
          hedged: !!e.hedged,
          negated: !!e.negated,
          conflict: !!e.conflict,
          sources: e.sources || [],
          evidence: e.evidence,
        },
        classes: classes.join(' '),
      });
    }
    return out;
  }

  function layout(randomize) {
    const cy = view.cy;
    if (!cy || cy.nodes().empty()) return;
    const opts = cy.nodes().length > COSE_MAX_NODES
      ? { name: 'concentric', animate: false, padding: 30, minNodeSpacing: 12 }
      : {
        name: 'cose',
        animate: false,
        randomize,
        padding: 30,
        nodeDimensionsIncludeLabels: true,
        // cytoscape's own demo values: hubs with many leaves (a document and the
        // claims it supports) spread out instead of piling up in the middle.
        idealEdgeLength: () => 100,
        nodeRepulsion: () => 400000,
        edgeElasticity: () => 100,
        nodeOverlap: 20,
        gravity: 80,
        numIter: 1000,
        initialTemp: 200,
        coolingFactor: 0.95,
        minTemp: 1.0,
      };
    cy.layout(opts).run();
  }

  /** Fits the picture in the view, but never zooms a small one up past readable size. */
  function fitView() {
    const cy = view.cy;
    if (!cy || cy.elements().empty()) return;
    cy.fit(undefined, 30);
    if (cy.zoom() > 1.6) {
      cy.zoom(1.6);
      cy.center();
    }
  }

  function drawGraph(g, focusId) {
    const cy = view.cy;
    if (!cy) return;
    cy.elements().remove();
    cy.add(toElements(g, false));
    layout(true);
    fitView();
    if (focusId) cy.getElementById(focusId).addClass('focus');
    graphNote(g);
  }

  function graphNote(g) {
    const cy = view.cy;
    const parts = [];
    if (cy.elements().empty()) parts.push('Nothing to draw: the answer holds no entities or statements, only values.');
    else parts.push(`${cy.nodes().length} nodes, ${cy.edges().length} edges. Click an edge for its evidence; double-click a node for its neighbours.`);
    if (g && g.truncated) parts.push('The answer touches more: only the first edges are drawn.');
    $('graph-note').textContent = parts.join(' ');
  }

  async function expandEntity(id) {
    const cy = view.cy;
    if (!cy) return;
    setState('busy');
    try {
      const g = await api('GET', `/api/entities/${id}/neighbours?limit=200`);
      const centre = cy.getElementById('e' + id);
      const at = centre.nonempty() ? centre.position() : { x: 0, y: 0 };
      const added = cy.add(toElements(g, true));
      // New nodes start on a small ring round the node they came from, so the layout
      // (which keeps the others where they are) grows the picture from there.
      const fresh = added.nodes();
      fresh.forEach((n, i) => {
        const a = (2 * Math.PI * i) / Math.max(1, fresh.length);
        n.position({ x: at.x + 60 * Math.cos(a), y: at.y + 60 * Math.sin(a) });
      });
      if (fresh.nonempty() || cy.nodes().length === added.length) layout(cy.nodes().length === added.length);
      cy.nodes().removeClass('focus');
      const c = cy.getElementById('e' + id);
      c.addClass('focus');
      fitView();
      graphNote(g);
      setState('done');
    } catch (e) {
      $('graph-note').textContent = e.api ? e.api.message : String(e);
      setState('error');
    }
  }

  function expandNode(node) {
    if (node.data('entity') !== undefined) expandEntity(node.data('entity'));
  }

  $('fit').addEventListener('click', () => fitView());
  $('relayout').addEventListener('click', () => {
    layout(true);
    fitView();
  });
  $('expand').addEventListener('click', () => {
    view.cy && view.cy.$('node:selected[entity]').forEach((n) => expandNode(n));
  });

  // ---- the details panel ----------------------------------------------------------------

  const panel = $('panel');

  // Where focus was before the panel took it, to give it back on closing.
  let focusBefore = null;

  function openPanel(...children) {
    if (!panel.contains(document.activeElement)) focusBefore = document.activeElement;
    panel.replaceChildren(
      h('button', { type: 'button', class: 'close', 'aria-label': 'Close the details', onclick: closePanel }, '×'),
      // replaceChildren would write a null as the text "null".
      ...children.filter((c) => c !== null && c !== undefined && c !== false),
    );
    panel.hidden = false;
    // Over the graph (wide screens) it is in view already; under it (a phone) the
    // reader is brought to it, as the tap asked for it.
    panel.focus({ preventScroll: true });
    if (getComputedStyle(panel).position !== 'absolute') panel.scrollIntoView({ block: 'nearest' });
  }

  function closePanel() {
    const hadFocus = panel.contains(document.activeElement);
    panel.hidden = true;
    panel.replaceChildren();
    if (hadFocus && focusBefore && focusBefore !== document.body && focusBefore.isConnected) focusBefore.focus();
    focusBefore = null;
  }

  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && !panel.hidden && !$('find-list').contains(document.activeElement)) closePanel();
  });

  function showEdge(edge) {
    const d = { ...edge.data() };
    if (d.kind === 'source') d.answeredBy = edge.source().data('label');
    showStatement(d.statement, d);
  }

  function showNode(node) {
    const d = node.data();
    if (d.entity !== undefined) showEntity(d.entity, false);
    else if (d.statement !== undefined) showStatement(d.statement);
    else openPanel(h('h2', {}, d.label), h('p', {}, d.kind));
  }

  /** The panel for an entity; `expand` also draws its neighbours (a table click). */
  async function showEntity(id, expand) {
    // Whatever is drawn stays; this one's neighbourhood is added to it.
    if (expand) expandEntity(id);
    try {
      const e = await api('GET', `/api/entities/${id}`);
      const props = Object.entries(e.properties || {});
      openPanel(
        h('h2', {}, e.name, ' ', h('span', { class: `kind k-${kindClass(e.kind)}` }, e.kind)),
        (e.aliases || []).length ? h('p', { class: 'aliases' }, 'Also written: ', e.aliases.join(' · ')) : null,
        props.length ? h('dl', { class: 'map' }, props.map(([k, v]) => [h('dt', {}, k), h('dd', {}, fmtValue(v))])) : null,
        h('p', { class: 'actions' },
          h('button', { type: 'button', onclick: () => expandEntity(id) }, 'Add its neighbours'),
          ' ',
          h('button', { type: 'button', onclick: () => { queryBox.value = `describe ${quoteName(e.name)}`; runFromBox(); } }, 'Describe')),
      );
    } catch (err) {
      openPanel(h('p', { class: 'error' }, err.api ? err.api.message : String(err)));
    }
  }

  /** The panel for a statement and all its evidence; `edge` adds what the graph knows. */
  async function showStatement(id, edge) {
    try {
      const s = await api('GET', `/api/statements/${id}`);
      const conflict = edge ? edge.conflict : false;
      const flags = [
        s.modality && h('span', { class: 'chip hedged' }, `modality: ${s.modality}`),
        s.polarity && h('span', { class: 'chip negated' }, `polarity: ${s.polarity}`),
        s.hedged && !s.modality && h('span', { class: 'chip hedged' }, 'hedged'),
        s.negated && h('span', { class: 'chip negated' }, 'negated'),
        conflict && h('span', { class: 'chip conflict' }, 'sources conflict'),
      ].filter(Boolean);
      const quals = Object.entries(s.qualifiers || {}).filter(([k]) => k !== 'modality' && k !== 'polarity');
      const ev = s.evidence || [];
      openPanel(
        h('h2', {}, 'Statement'),
        edge && edge.answeredBy ? h('p', { class: 'answered' }, h('strong', {}, edge.answeredBy), ' answers with this claim:') : null,
        h('p', { class: 'triple' }, endpoint(s.subject), h('span', { class: 'rel' }, ` ${s.negated ? 'not ' : ''}${s.relation} `), endpoint(s.object)),
        flags.length ? h('p', { class: 'flags' }, flags) : null,
        quals.length ? h('dl', { class: 'map' }, quals.map(([k, v]) => [h('dt', {}, k), h('dd', {}, fmtValue(v))])) : null,
        h('h3', {}, `Evidence (${ev.length})`),
        h('ul', { class: 'citations evidence' }, ev.map((c) => h('li', {},
          h('blockquote', { class: 'quote' }, c.quote),
          h('p', { class: 'source' },
            c.outlet ? h('span', { class: 'outlet' }, c.outlet) : null,
            c.title ? [c.outlet ? ' — ' : '', h('cite', { class: 'title' }, c.title)] : null,
            c.document ? h('span', { class: 'doc' }, ` (${c.document})`) : null),
          h('p', { class: 'credit' }, 'credited to ', c.attribution ? h('strong', {}, c.attribution) : 'the document\u2019s own voice')))),
      );
    } catch (err) {
      openPanel(h('p', { class: 'error' }, err.api ? err.api.message : String(err)));
    }
  }

  function endpoint(x) {
    if (!x) return h('span', { class: 'null' }, '—');
    if (x.id !== undefined && x.name !== undefined) {
      return h('button', { type: 'button', class: 'link', title: x.kind, onclick: () => showEntity(x.id, true) }, x.name);
    }
    if (x.statement !== undefined) {
      return h('button', { type: 'button', class: 'link', onclick: () => showStatement(x.statement) }, `(${x.text})`);
    }
    if ('value' in x) return h('span', { class: 'value' }, fmtValue(x.value));
    return h('code', {}, JSON.stringify(x));
  }

  // ---- finding names ------------------------------------------------------------------

  const find = $('find');
  const list = $('find-list');
  let matches = [];
  let active = -1;
  let completeTimer = 0;
  let completeSeq = 0;

  function quoteName(name) {
    return '"' + name.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
  }

  find.addEventListener('input', () => {
    clearTimeout(completeTimer);
    // A short pause between keys saves a request per keystroke of a fast typist.
    completeTimer = setTimeout(complete, 120);
  });

  async function complete() {
    const prefix = find.value.trim();
    const seq = ++completeSeq;
    if (!prefix) {
      closeList();
      return;
    }
    try {
      const r = await api('GET', `/api/complete?prefix=${encodeURIComponent(prefix)}&limit=10`);
      // Answers can come back out of order; only the latest request's is shown.
      if (seq !== completeSeq) return;
      matches = r.matches || [];
      renderList();
    } catch {
      if (seq === completeSeq) closeList();
    }
  }

  function renderList() {
    active = matches.length ? 0 : -1;
    list.replaceChildren(...(matches.length ? matches.map((m, i) => h('li', {
      id: `find-${i}`,
      role: 'option',
      'aria-selected': String(i === active),
      onmousedown: (ev) => {
        // mousedown, not click: the input's blur would close the list first.
        ev.preventDefault();
        choose(i);
      },
    }, h('span', { class: 'match' }, m.text),
    m.entity && m.entity.name !== m.text ? h('span', { class: 'canonical' }, ` → ${m.entity.name}`) : null,
    m.entity ? h('span', { class: `kind k-${kindClass(m.entity.kind)}` }, m.entity.kind) : null)) : [h('li', { class: 'none', role: 'option', 'aria-disabled': 'true' }, 'No such name')]));
    list.hidden = false;
    find.setAttribute('aria-expanded', 'true');
    syncActive();
  }

  function syncActive() {
    [...list.children].forEach((li, i) => li.setAttribute('aria-selected', String(i === active)));
    if (active >= 0) find.setAttribute('aria-activedescendant', `find-${active}`);
    else find.removeAttribute('aria-activedescendant');
  }

  function closeList() {
    list.hidden = true;
    list.replaceChildren();
    matches = [];
    active = -1;
    find.setAttribute('aria-expanded', 'false');
    find.removeAttribute('aria-activedescendant');
  }

  find.addEventListener('keydown', (ev) => {
    if (list.hidden || !matches.length) return;
    if (ev.key === 'ArrowDown') {
      active = (active + 1) % matches.length;
    } else if (ev.key === 'ArrowUp') {
      active = (active - 1 + matches.length) % matches.length;
    } else if (ev.key === 'Escape') {
      closeList();
    } else {
      return;
    }
    ev.preventDefault();
    syncActive();
  });

  $('find-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (matches.length) {
      choose(Math.max(0, active));
      return;
    }
    // Enter before the list came back: ask once more and take the best match.
    await complete();
    if (matches.length) choose(0);
  });

  find.addEventListener('blur', () => setTimeout(closeList, 150));

  /** A chosen name: describe it in the table and draw its neighbourhood. */
  function choose(i) {
    const m = matches[i];
    if (!m || !m.entity) return;
    find.value = m.entity.name;
    closeList();
    queryBox.value = `describe ${quoteName(m.entity.name)}`;
    run(queryBox.value, m.entity.id);
  }

  // ---- exports ---------------------------------------------------------------------------

  function download(name, blob) {
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  $('export-png').addEventListener('click', () => {
    if (!view.cy || view.cy.elements().empty()) return;
    download('factgraph.png', view.cy.png({ output: 'blob', full: true, scale: 2, bg: '#ffffff' }));
  });

  $('export-svg').addEventListener('click', () => {
    if (!view.cy || view.cy.elements().empty()) return;
    download('factgraph.svg', new Blob([toSvg(view.cy)], { type: 'image/svg+xml' }));
  });

  $('export-dot').addEventListener('click', async () => {
    try {
      const dot = await view.dot();
      download('factgraph.dot', new Blob([dot], { type: 'text/vnd.graphviz' }));
    } catch (e) {
      $('graph-note').textContent = e.api ? e.api.message : String(e);
    }
  });

  function esc(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  }

  /**
   * The picture as standalone SVG, from the positions cytoscape computed: curves
   * through the edges' control points, arrow heads, dashes as drawn, labels. A small
   * serializer rather than another vendored plugin.
   */
  function toSvg(cy) {
    const bb = cy.elements().boundingBox({ includeLabels: true });
    const pad = 20;
    const x0 = bb.x1 - pad;
    const y0 = bb.y1 - pad;
    const w = bb.w + 2 * pad;
    const hgt = bb.h + 2 * pad;
    const colours = new Set();
    const edges = [];
    cy.edges().forEach((e) => {
      const s = e.sourceEndpoint();
      const t = e.targetEndpoint();
      const cps = e.controlPoints() || [];
      const colour = e.style('line-color');
      colours.add(colour);
      let d = `M${s.x.toFixed(1)},${s.y.toFixed(1)} `;
      if (cps.length === 1) d += `Q${cps[0].x.toFixed(1)},${cps[0].y.toFixed(1)} `;
      else if (cps.length >= 2) d += `C${cps[0].x.toFixed(1)},${cps[0].y.toFixed(1)} ${cps[1].x.toFixed(1)},${cps[1].y.toFixed(1)} `;
      else d += 'L';
      d += `${t.x.toFixed(1)},${t.y.toFixed(1)}`;
      const style = e.style('line-style');
      const dash = style === 'dashed' ? ' stroke-dasharray="6 4"' : style === 'dotted' ? ' stroke-dasharray="1.5 3"' : '';
      const m = e.midpoint();
      edges.push(`<path d="${d}" fill="none" stroke="${esc(colour)}" stroke-width="${parseFloat(e.style('width'))}"${dash} marker-end="url(#a${[...colours].indexOf(colour)})"><title>${esc(e.data('label'))}</title></path>`);
      edges.push(`<text x="${m.x.toFixed(1)}" y="${(m.y - 2).toFixed(1)}" font-size="8" text-anchor="middle" fill="${esc(e.style('color'))}">${esc(e.data('label'))}</text>`);
    });
    const markers = [...colours].map((c, i) => `<marker id="a${i}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="${esc(c)}"/></marker>`);
    const nodes = [];
    cy.nodes().forEach((n) => {
      const p = n.position();
      const nw = n.width();
      const nh = n.height();
      const fill = esc(n.style('background-color'));
      const shape = n.style('shape');
      if (shape === 'ellipse') nodes.push(`<ellipse cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" rx="${nw / 2}" ry="${nh / 2}" fill="${fill}"/>`);
      else nodes.push(`<rect x="${(p.x - nw / 2).toFixed(1)}" y="${(p.y - nh / 2).toFixed(1)}" width="${nw}" height="${nh}" rx="${shape === 'round-rectangle' ? 3 : 0}" fill="${fill}"/>`);
      nodes.push(`<text x="${p.x.toFixed(1)}" y="${(p.y + nh / 2 + 11).toFixed(1)}" font-size="${parseFloat(n.style('font-size'))}" text-anchor="middle" fill="#1d2430">${esc(n.data('label'))}</text>`);
    });
    return [
      `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${x0.toFixed(1)} ${y0.toFixed(1)} ${w.toFixed(1)} ${hgt.toFixed(1)}" width="${Math.ceil(w)}" height="${Math.ceil(hgt)}" font-family="system-ui, sans-serif">`,
      `<defs>${markers.join('')}</defs>`,
      `<rect x="${x0.toFixed(1)}" y="${y0.toFixed(1)}" width="${w.toFixed(1)}" height="${hgt.toFixed(1)}" fill="#ffffff"/>`,
      ...edges,
      ...nodes,
      '</svg>',
    ].join('\n');
  }

  // ---- start -------------------------------------------------------------------------------

  initGraph();
  showHealth();
  setState('idle');
  // A link to `#q=…` runs its query: on opening, and when followed from the page.
  function runFromHash() {
    const m = /^#q=(.*)$/.exec(window.location.hash);
    if (!m) return;
    let q;
    try {
      q = decodeURIComponent(m[1]);
    } catch {
      return; // A mangled link: leave the page as it is.
    }
    if (q.trim() === view.query) return;
    queryBox.value = q;
    runFromBox();
  }
  window.addEventListener('hashchange', runFromHash);
  runFromHash();
})();
