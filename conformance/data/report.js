(() => {
'use strict';
const D = JSON.parse(document.getElementById('report-data').textContent);
const VERDICTS = ['pass', 'fail', 'warn', 'xfail', 'inconc', 'blocked', 'skip', 'error'];
const VERDICT_NAMES = {pass: 'pass', fail: 'fail', warn: 'warn', xfail: 'expected-fail', inconc: 'inconclusive',
                       blocked: 'blocked', skip: 'skip', error: 'error'};
const MARKS = {regression: '▼ regression', new: 'new', fixed: '▲ fixed', expected: 'expected', stale: 'stale', unmet: 'unmet'};
const SVG = 'http://www.w3.org/2000/svg';
const state = {verdict: '', category: '', level: '', surface: '', profile: '', target: '', search: ''};
const rows = [];    // {tr, ci}
const groups = [];  // {tr, members: [row]}
const rowByCase = new Map();

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid === null || kid === undefined || kid === false) continue;
    e.append(kid instanceof Node ? kid : String(kid));
  }
  return e;
}

function section(title, ...kids) { return el('section', null, el('h4', null, title), ...kids); }
function tag(text, cls) { return el('span', {class: 'tag ' + (cls || '')}, text); }
function cell(ti, ci) { return D.cells[ti][ci]; }

// ------------------------------------------------------------ layout

function build() {
  const header = el('header', null,
    el('h1', null, 'routecheck report'),
    el('p', {class: 'meta'}, `${D.targets.length} target${D.targets.length === 1 ? '' : 's'} · ${D.cases.length} cases · ` +
      `suite ${D.suite_version} · generated ${D.generated}`),
    el('nav', null,
      el('button', {id: 'tab-results', class: 'on', onclick: () => showView('results')}, 'Results'),
      el('button', {id: 'tab-documented', onclick: () => showView('documented')}, 'Documented parameters')));
  const results = el('section', {id: 'view-results'},
    el('div', {id: 'targets'}, D.targets.map(targetCard)), filters(), el('p', {id: 'shown'}), matrix());
  const documented = el('section', {id: 'view-documented', class: 'hide'}, documentedView());
  const details = el('aside', {id: 'details', class: 'hide', 'aria-live': 'polite'},
    el('button', {class: 'close', title: 'close (Esc)', onclick: closeDetails}, '×'), el('div', {id: 'details-body'}));
  document.body.append(header, el('main', null, results, documented), details);
  document.addEventListener('keydown', e => { if (e.key === 'Escape') closeDetails(); });
  window.addEventListener('hashchange', fromHash);
  apply();
  fromHash();
}

function showView(name) {
  for (const v of ['results', 'documented']) {
    document.getElementById('view-' + v).classList.toggle('hide', v !== name);
    document.getElementById('tab-' + v).classList.toggle('on', v === name);
  }
}

// ------------------------------------------------------------ target cards

function verdictCounts(ti) {
  const n = Object.fromEntries(VERDICTS.map(v => [v, 0]));
  for (const c of D.cells[ti]) if (c) n[c.v] += 1;
  return n;
}

function targetCard(t, ti) {
  const n = verdictCounts(ti);
  const chips = VERDICTS.filter(v => n[v]).map(v => el('button', {
    class: `chip c-${v}`, 'data-ti': ti, 'data-verdict': v, title: `show the ${VERDICT_NAMES[v]} cases of ${t.label}`,
    onclick: () => setFilters({verdict: v, target: String(ti)})}, `${VERDICT_NAMES[v]} ${n[v]}`));
  // the profiles grouped by API surface, the surfaces side by side (chat completions, Messages, Responses)
  const bySurface = {};
  for (const p of t.profiles.filter(p => t.counts[p])) (bySurface[t.surfaces[p] || 'chat_completions'] ||= []).push(p);
  const profiles = Object.keys(bySurface).sort().map(s => el('div', {class: 'surface', 'data-surface': s},
    el('h4', null, `surface ${s}`), bySurface[s].map(p => profileTable(t, p))));
  return el('div', {class: 'card', 'data-ti': ti},
    el('h3', null, t.label),
    urlLine(t),
    el('p', {class: 'sub'}, `model ${t.model} · started ${t.started} · ${t.duration_s} s · ${t.cost.requests || 0} requests · suite ${t.suite_version}`),
    el('div', {class: 'chips'}, chips),
    t.notes.map(note => el('p', {class: 'note'}, note)),
    t.gate && gateBlock(t.gate, ti),
    el('div', {class: 'profiles'}, profiles));
}

function urlLine(t) {
  const urls = [...new Set(Object.values(t.urls))];
  if (urls.length < 2) return el('p', {class: 'sub'}, t.url);
  return el('details', {class: 'sub'}, el('summary', null, `${urls.length} base URLs, one per profile`),
    Object.entries(t.urls).map(([p, u]) => el('div', null, `${p}: ${u}`)));
}

function profileTable(t, profile) {
  const cats = D.categories.filter(c => t.counts[profile][c]);
  const ratio = (counts) => {
    const total = VERDICTS.reduce((s, v) => s + (counts[v] || 0), 0);
    return total ? `${counts.pass || 0}/${total}` : '–';
  };
  return el('table', {class: 'counts', 'data-profile': profile},
    el('tr', null, el('th', null, profile), el('th', {class: 'num'}, 'MUST pass'), el('th', {class: 'num'}, 'SHOULD pass'), el('th', null, '')),
    cats.map(c => {
      const k = t.counts[profile][c];
      return el('tr', null, el('td', null, c), el('td', {class: 'num'}, ratio(k.MUST)), el('td', {class: 'num'}, ratio(k.SHOULD)),
        el('td', null, bars(k, `${profile} ${c}`)));
    }));
}

function bars(k, what) {
  const W = 150, H = 7;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'bars');
  svg.setAttribute('width', W);
  svg.setAttribute('height', 2 * H + 2);
  svg.setAttribute('role', 'img');
  ['MUST', 'SHOULD'].forEach((level, row) => {
    const counts = k[level];
    const total = VERDICTS.reduce((s, v) => s + (counts[v] || 0), 0);
    const y = row * (H + 2);
    if (!total) { svg.append(rect(0, y, W, H, 'b-empty', `${what} ${level}: no cases`)); return; }
    let x = 0;
    for (const v of VERDICTS) {
      if (!counts[v]) continue;
      const w = W * counts[v] / total;
      svg.append(rect(x, y, w, H, 'b-' + v, `${what} ${level}: ${counts[v]} ${VERDICT_NAMES[v]} of ${total}`));
      x += w;
    }
  });
  return svg;
}

function rect(x, y, w, h, cls, title) {
  const r = document.createElementNS(SVG, 'rect');
  for (const [k, v] of Object.entries({x, y, width: w, height: h, class: cls})) r.setAttribute(k, v);
  const t = document.createElementNS(SVG, 'title');
  t.textContent = title;
  r.append(t);
  return r;
}

function gateBlock(g, ti) {
  const verdict = el('span', {class: g.exit_code === 0 ? 'good' : 'bad'}, `gate ${g.verdict} (exit ${g.exit_code})`);
  const list = (title, items) => items.length ? [el('div', null, `${title} (${items.length})`),
    el('ul', null, items.slice(0, 50).map(([id, text]) => el('li', null, caseLink(id, ti), ' ', text)),
      items.length > 50 ? el('li', null, `… and ${items.length - 50} more (filter: changed)`) : null)] : null;
  const changes = (cs) => cs.map(c => [c.id, `[${c.level}] ${c.before || 'not in baseline'} → ${c.after}`]);
  return el('div', {class: 'gate'}, verdict,
    g.baseline ? el('div', null, `baseline: the run of ${g.baseline}`) : null,
    g.notes.map(note => el('div', {class: 'note'}, note)),
    list('regressions', changes(g.regressions)),
    list('new MUST failures', changes(g.new_failures)),
    list('fixes', changes(g.fixes)),
    list('expected failures', Object.entries(g.expected).map(([id, e]) => [id, e.reason])),
    list('stale expectations (now passing)', Object.entries(g.stale).map(([id, e]) => [id, `matched by ${e.case}`])),
    list('expectations not met', Object.entries(g.mismatched).map(([id, e]) => [id, `expected ${e.verdict}, got ${e.outcome}`])),
    g.unused.length ? el('div', null, `expectations matching no case: ${g.unused.map(e => e.case).join(', ')}`) : null);
}

function caseLink(id, ti) {
  return el('button', {class: 'link', onclick: () => openCase(rowByCase.get(id), ti)}, id);
}

// ------------------------------------------------------------ matrix

function matrix() {
  const head = el('tr', null, el('th', null, 'case'), el('th', null, 'level'),
    D.targets.map((t, ti) => el('th', {'data-ti': ti, title: t.url}, t.label)));
  const body = el('tbody');
  const group = (cls, text) => {
    const g = {tr: body.appendChild(el('tr', {class: cls}, el('th', {colspan: 2 + D.targets.length}, text))), members: []};
    groups.push(g);
    return g;
  };
  let cat = null, param = null;
  D.cases.forEach((c, ci) => {
    if (!cat || c.category !== cat.name) {
      cat = Object.assign(group('g-cat', c.category), {name: c.category});
      param = null;
    }
    if (!param || c.parameter !== param.name) param = Object.assign(group('g-param', c.parameter || '(no parameter)'), {name: c.parameter});
    const tr = el('tr', {class: 'case', 'data-id': c.id, 'data-ci': ci},
      el('td', {class: 'case'}, el('button', {class: 'link caseid'}, c.id), el('span', {class: 't'}, c.title)),
      el('td', {class: 'lv'}, c.level),
      D.targets.map((t, ti) => verdictCell(ti, ci)));
    body.append(tr);
    const row = {tr, ci};
    rows.push(row);
    rowByCase.set(c.id, ci);
    cat.members.push(row);
    param.members.push(row);
  });
  body.addEventListener('click', e => {
    const tr = e.target.closest('tr.case');
    if (!tr) return;
    const ci = Number(tr.dataset.ci);
    const td = e.target.closest('td.v');
    if (td && !td.classList.contains('missing')) openCase(ci, Number(td.dataset.ti));
    else if (e.target.closest('.caseid')) openCase(ci, firstInteresting(ci));
  });
  const only = D.targets.map((t, ti) => `#matrix[data-only="${ti}"] [data-ti]:not([data-ti="${ti}"]){display:none}`).join('');
  document.head.append(el('style', null, only));
  return el('table', {id: 'matrix', class: 'matrix'}, el('thead', null, head), body);
}

function verdictCell(ti, ci) {
  const c = cell(ti, ci);
  if (!c) return el('td', {class: 'v missing', 'data-ti': ti}, el('span', {class: 'v v-none', title: 'not run against this target'}, '—'));
  return el('td', {class: 'v', 'data-ti': ti, 'data-verdict': c.v},
    el('button', {class: 'v v-' + c.v, title: c.n || `${D.targets[ti].label}: ${VERDICT_NAMES[c.v]}`}, c.v,
      c.k ? el('span', {class: 'mark'}, MARKS[c.k] || c.k) : null));
}

function firstInteresting(ci) {
  const tis = D.targets.map((t, ti) => ti).filter(ti => cell(ti, ci));
  return tis.find(ti => cell(ti, ci).v !== 'pass') ?? tis[0] ?? 0;
}

// ------------------------------------------------------------ filters

function options(values, all) { return [['', all], ...values.map(v => Array.isArray(v) ? v : [v, v])]; }

function filters() {
  const unique = key => [...new Set(D.cases.map(c => c[key]))];
  const select = (key, label, opts) => el('label', null, label + ' ',
    el('select', {id: 'f-' + key, onchange: e => { state[key] = e.target.value; apply(); }},
      opts.map(([v, text]) => el('option', {value: v}, text))));
  const verdicts = [['problems', 'not passing'], ...VERDICTS.map(v => [v, VERDICT_NAMES[v]]),
    ['differs', 'differs between targets'], ['changed', 'changed (baseline / expectations)']];
  return el('div', {id: 'filters'},
    select('verdict', 'Verdict', options(verdicts, 'any')),
    select('category', 'Category', options(D.categories.filter(c => unique('category').includes(c)), 'all')),
    select('level', 'Level', options(['MUST', 'SHOULD'], 'all')),
    select('surface', 'Surface', options(unique('surface').sort(), 'all')),
    select('profile', 'Profile', options(unique('profile').sort(), 'all')),
    select('target', 'Target', options(D.targets.map((t, ti) => [String(ti), t.label]), 'all')),
    el('label', null, 'Case ID ', el('input', {id: 'f-search', type: 'search', placeholder: 'contains…',
      oninput: e => { state.search = e.target.value.trim().toLowerCase(); apply(); }})),
    el('button', {id: 'f-reset', onclick: () => setFilters({verdict: '', category: '', level: '', surface: '', profile: '', target: '', search: ''})}, 'reset'));
}

function setFilters(values) {
  Object.assign(state, values);
  for (const key of Object.keys(values)) document.getElementById('f-' + key).value = values[key];
  showView('results');
  apply();
  document.getElementById('filters').scrollIntoView({block: 'start'});
}

function verdictMatches(ci) {
  const tis = state.target === '' ? D.targets.map((t, ti) => ti) : [Number(state.target)];
  const present = tis.map(ti => cell(ti, ci)).filter(Boolean);
  switch (state.verdict) {
    case '': return true;
    case 'problems': return present.some(c => c.v !== 'pass');
    case 'differs': return new Set(D.cells.map(col => col[ci]).filter(Boolean).map(c => c.v)).size > 1;
    case 'changed': return present.some(c => c.k);
    default: return present.some(c => c.v === state.verdict);
  }
}

function apply() {
  let shown = 0;
  for (const row of rows) {
    const c = D.cases[row.ci];
    const ok = (!state.category || c.category === state.category) && (!state.level || c.level === state.level) &&
      (!state.surface || c.surface === state.surface) && (!state.profile || c.profile === state.profile) && (!state.search || c.id.toLowerCase().includes(state.search)) &&
      verdictMatches(row.ci);
    row.tr.classList.toggle('hide', !ok);
    row.visible = ok;
    shown += ok ? 1 : 0;
  }
  for (const g of groups) g.tr.classList.toggle('hide', !g.members.some(r => r.visible));
  const table = document.getElementById('matrix');
  if (state.target === '') delete table.dataset.only; else table.dataset.only = state.target;
  document.getElementById('shown').textContent = `${shown} of ${rows.length} cases shown`;
}

// ------------------------------------------------------------ details

function openCase(ci, ti) {
  if (ci === undefined) return;
  const hash = '#case=' + encodeURIComponent(D.cases[ci].id) + '&t=' + ti;
  showCase(ci, ti);
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

function fromHash() {
  const m = /^#case=([^&]+)&t=(\d+)$/.exec(location.hash);
  if (!m) return;
  const ci = rowByCase.get(decodeURIComponent(m[1]));
  const ti = Number(m[2]);
  if (ci !== undefined && ti < D.targets.length) showCase(ci, ti);
}

function closeDetails() { document.getElementById('details').classList.add('hide'); }

function showDetails(...content) {
  document.getElementById('details-body').replaceChildren(...content.flat(Infinity).filter(Boolean));
  const panel = document.getElementById('details');
  panel.classList.remove('hide');
  panel.scrollTop = 0;
}

function requirement(sourceIndex) {
  const [doc, quote, schema, note] = D.sources[sourceIndex];
  return [
    quote ? el('blockquote', {class: 'quote'}, quote) : el('p', null, `schema: ${schema || '(none)'}`),
    el('p', {class: 'cite'}, '— ', el('b', {class: 'document'}, D.titles[doc] || doc),
      D.titles[doc] && D.titles[doc] !== doc ? el('span', {class: 'sub'}, ` (${doc})`) : null),
    note ? el('p', {class: 'note'}, note) : null];
}

function showCase(ci, ti) {
  const c = D.cases[ci];
  const x = cell(ti, ci);
  showDetails(
    el('h2', {class: 'case-id'}, c.id),
    el('p', null, c.title),
    el('p', null, tag(c.level, 'lv-' + c.level), tag(c.profile), tag('surface ' + c.surface), tag(c.category), c.parameter ? tag('parameter ' + c.parameter) : null, tag('rule ' + c.rule)),
    el('div', {class: 'verdicts'}, D.targets.map((t, i) => {
      const y = cell(i, ci);
      return el('button', {class: `v v-${y ? y.v : 'none'}${i === ti ? ' current' : ''}`, disabled: !y,
        onclick: () => openCase(ci, i)}, `${t.label}: ${y ? VERDICT_NAMES[y.v] : 'not run'}`);
    })),
    section('Requirement', requirement(c.source)),
    section('Expected', el('p', null, c.expected)),
    x ? verdict(x, ti) : el('p', null, `${D.targets[ti].label} did not run this case.`),
    x ? exchange(D.exchanges[ti][x.x]) : null);
}

function verdict(x, ti) {
  const actual = x.m && /^\s*Actual:\s*(.*)$/m.exec(x.m);
  const why = x.v === 'pass' ? 'The answer met the requirement.' : actual ? actual[1] : (x.m || '');
  return section(`Verdict on ${D.targets[ti].label}: ${VERDICT_NAMES[x.v]}`,
    el('p', {class: 'why'}, why),
    x.n ? el('p', {class: 'note'}, x.n) : null,
    x.m ? el('details', null, el('summary', null, 'full message'), el('pre', null, x.m)) : null);
}

function indented(json) {
  try { return JSON.stringify(JSON.parse(json), null, 1); } catch (e) { return json; }  // a truncated body stays as it is
}

function headerLines(headers) { return Object.entries(headers || {}).map(([k, v]) => `${k}: ${v}`).join('\n'); }

function exchange(ex) {
  const sent = section('Sent', el('p', {class: 'sent'}, el('b', null, `${ex.method} ${ex.path}`)),
    el('pre', {class: 'sent-headers'}, headerLines(ex.headers)),
    ex.raw_body !== undefined ? el('pre', {class: 'sent-body'}, ex.raw_body)
      : ex.body !== undefined ? el('pre', {class: 'sent-body'}, indented(ex.body)) : el('p', null, '(no body)'));
  const r = ex.response;
  let received;
  if (!r) received = section('Received', el('p', null, 'nothing (the request was not sent)'));
  else received = section('Received',
    el('p', {class: 'status'}, el('b', null, r.status === null || r.status === undefined ? 'no status' : `status ${r.status}`),
      r.elapsed_ms !== undefined ? ` · ${r.elapsed_ms} ms` : '', r.attempts > 1 ? ` · ${r.attempts} attempts` : ''),
    r.error ? el('p', {class: 'note'}, r.error) : null,
    el('pre', {class: 'received-headers'}, headerLines(r.headers)),
    r.events ? [
      el('p', null, `stream: ${r.events_total} events${r.events_total > r.events.length ? ` (${r.events.length} shown)` : ''}, ended: ${r.ended || '?'}`),
      el('ol', {class: 'events'}, r.events.map(ev => el('li', null, 'data: ' + ev)))]
      : el('pre', {class: 'received-body'}, r.body || '(empty body)'),
    r.anomalies ? el('ul', null, r.anomalies.map(a => el('li', null, a))) : null);
  return [sent, forwarded(ex.upstream), received, section('Reproduce', el('pre', {class: 'curl'}, ex.curl))];
}

function forwarded(records) {  // --upstream: what reached the recording upstream for this request (marker stripped)
  if (records === undefined) return null;
  if (!records.length) return section('Forwarded upstream', el('p', null, 'nothing reached the upstream'));
  return section('Forwarded upstream', records.map(r => [
    el('p', {class: 'sent'}, el('b', null, `${r.method} ${r.path}`),
      ` · the upstream answered ${r.status === null ? 'nothing' : r.status} · marker found in ${r.marker_via || 'nothing'}`),
    el('pre', {class: 'sent-headers'}, headerLines(r.credentials) || '(no credential)'),
    el('pre', {class: 'sent-body'}, indented(r.body))]));
}

// ------------------------------------------------------------ documented parameters

function documentedView() {
  const doc = D.documented;
  const legend = el('p', {class: 'legend'},
    'What each provider\'s document states, parameter by parameter (click a cell for its quotes). ',
    el('span', {class: 'fact inherited'}, 'like this'),
    ': the document is silent, so the OpenAI baseline\'s convention applies at SHOULD only. ● marks profiles in these results.');
  const head = el('tr', null, el('th', null, 'parameter'),
    doc.profiles.map(p => el('th', {class: p.tested ? 'tested' : null, title: `${p.title} (${p.document})`}, p.name)));
  const body = el('tbody', null, doc.rows.map((row, ri) => el('tr', {'data-row': row.name}, el('th', null, row.name),
    row.cells.map((facts, pi) => facts === null ? el('td', {class: 'none', title: 'not documented, not in the baseline'}, '—')
      : el('td', {'data-pi': pi, 'data-ri': ri}, facts.map(f => el('span', {class: 'fact' + (f.i ? ' inherited' : ''), title: f.l + ' · ' + (D.titles[D.sources[f.s][0]] || D.sources[f.s][0])}, f.t)))))));
  body.addEventListener('click', e => {
    const td = e.target.closest('td[data-ri]');
    if (td) showDocumented(Number(td.dataset.ri), Number(td.dataset.pi));
  });
  return [legend, el('table', {id: 'documented', class: 'documented'}, el('thead', null, head), body)];
}

function showDocumented(ri, pi) {
  const row = D.documented.rows[ri], profile = D.documented.profiles[pi];
  showDetails(el('h2', null, `${row.name} — ${profile.name}`), el('p', {class: 'sub'}, `${profile.title} (${profile.document})`),
    row.cells[pi].map(f => section(f.t, el('p', null, tag(f.l, 'lv-' + f.l), tag('rule ' + f.r),
      f.i ? tag('inherited from the OpenAI baseline: SHOULD only') : null), requirement(f.s))));
}

build();
})();
