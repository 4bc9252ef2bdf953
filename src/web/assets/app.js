// cabind's live view: renders the snapshots and events the daemon pushes over /ws.
// Plain DOM, no framework; text goes in through textContent only (never innerHTML).
'use strict';

const state = { previous: new Map(), changedAt: new Map(), chart: null, history: [], events: [] };
const $ = (id) => document.getElementById(id);

function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text === undefined || text === null ? '' : String(text);
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

function rows(tableId, items, fill) {
  const body = $(tableId).querySelector('tbody');
  body.replaceChildren(...items.map((item) => {
    const tr = document.createElement('tr');
    fill(tr, item);
    return tr;
  }));
}

function number(v) {
  if (typeof v !== 'number') return '';
  return Math.abs(v) >= 1000 || Number.isInteger(v) ? String(Math.round(v * 1000) / 1000) : v.toFixed(3);
}

function age(a) { return typeof a === 'number' ? `${a.toFixed(2)} s` : '—'; }

function renderDriver(s) {
  const el = $('driver');
  if (!s.driver) {
    el.className = 'driver none';
    el.textContent = 'no driver';
  } else {
    const d = s.driver;
    el.className = 'driver';
    const who = d.name ? `${d.name} (${d.id})` : d.id;
    const how = d.source ? ` by ${d.source}` : '';
    const since = typeof d.since === 'number' ? ` since ${d.since.toFixed(1)} s (${(s.time - d.since).toFixed(1)} s ago)` : '';
    el.textContent = `${who}${how}${since}${d.reason ? ' — ' + d.reason : ''}`;
    el.dataset.driver = d.id;
  }
  rows('claims', s.claims, (tr, c) => {
    cell(tr, c.signal); cell(tr, c.kind); cell(tr, c.priority);
    cell(tr, c.value !== undefined ? c.value : (c.validity || ''), c.validity);
    cell(tr, c.claims ? 'claims' : '—', c.claims ? 'holds' : 'muted');
  });
}

function renderInterlocks(s) {
  rows('interlocks', s.interlocks, (tr, i) => {
    tr.dataset.name = i.name;
    cell(tr, i.name);
    cell(tr, i.holds ? 'holds' : 'blocked', i.holds ? 'holds' : 'blocked');
    cell(tr, i.holds ? '' : i.reason, 'reason');
  });
  rows('outputs', s.outputs, (tr, o) => {
    tr.dataset.name = o.name;
    cell(tr, o.name); cell(tr, o.phase, `phase-${o.phase}`); cell(tr, o.rule || ''); cell(tr, o.last || '', 'reason');
  });
}

function renderBuses(s) {
  rows('buses', s.buses, (tr, b) => {
    const e = b.errors || {};
    const errors = Object.entries(e).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ');
    cell(tr, b.name); cell(tr, b.interface); cell(tr, b.state, b.state === 'up' || b.state === 'replay' ? 'valid' : 'invalid');
    cell(tr, b.fps.toFixed(1)); cell(tr, b.frames); cell(tr, errors || 'none', errors ? 'invalid' : 'muted');
  });
}

// Bits that changed since the previous payload stay lit for two seconds.
function payloadCell(tr, m, now) {
  const key = `${m.bus}:${m.name}`;
  const before = state.previous.get(key);
  let lit = state.changedAt.get(key) || [];
  const td = cell(tr, '', 'bytes');
  for (let i = 0; i < m.data.length / 2; i++) {
    const byte = parseInt(m.data.substr(i * 2, 2), 16);
    const old = before && before.length > i * 2 ? parseInt(before.substr(i * 2, 2), 16) : byte;
    const span = document.createElement('span');
    span.className = 'byte';
    span.title = `byte ${i}: 0x${m.data.substr(i * 2, 2)}`;
    for (let bit = 7; bit >= 0; bit--) {
      const index = i * 8 + bit;
      if (((byte ^ old) >> bit) & 1) lit[index] = now;
      const b = document.createElement('span');
      const recent = lit[index] && now - lit[index] < 2000;
      b.className = `bit${(byte >> bit) & 1 ? ' on' : ''}${recent ? ' changed' : ''}`;
      span.appendChild(b);
    }
    td.appendChild(span);
  }
  state.previous.set(key, m.data);
  state.changedAt.set(key, lit);
}

function renderMessages(s) {
  const now = Date.now();
  rows('messages', s.messages, (tr, m) => {
    cell(tr, m.bus); cell(tr, m.name); cell(tr, m.id); cell(tr, `${m.rate.toFixed(1)}/s`);
    payloadCell(tr, m, now);
  });
}

function renderSignals(s) {
  rows('signals', s.signals, (tr, g) => {
    tr.dataset.name = g.name;
    tr.dataset.validity = g.validity;
    if (g.name === state.chart) tr.className = 'selected';
    tr.addEventListener('click', () => { state.chart = g.name; state.history = []; $('chart-name').textContent = g.name; });
    cell(tr, g.name);
    cell(tr, g.value !== undefined ? `${number(g.value)} ${g.unit}` : '—');
    cell(tr, g.validity, g.validity);
    cell(tr, age(g.age));
  });
  if (!state.chart) return;
  const g = s.signals.find((x) => x.name === state.chart);
  if (g) state.history.push({ t: s.time, v: g.validity === 'valid' ? g.value : null });
  while (state.history.length > 300) state.history.shift();
  drawChart();
}

function drawChart() {
  const canvas = $('chart');
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const points = state.history.filter((p) => p.v !== null);
  if (points.length === 0) return;
  let lo = Math.min(...points.map((p) => p.v)), hi = Math.max(...points.map((p) => p.v));
  if (hi === lo) { hi += 1; lo -= 1; }
  const t0 = state.history[0].t, t1 = Math.max(state.history[state.history.length - 1].t, t0 + 1);
  const x = (t) => 40 + (canvas.width - 50) * (t - t0) / (t1 - t0);
  const y = (v) => canvas.height - 15 - (canvas.height - 30) * (v - lo) / (hi - lo);
  ctx.fillStyle = '#6b7280'; ctx.font = '11px sans-serif';
  ctx.fillText(number(hi), 2, 14); ctx.fillText(number(lo), 2, canvas.height - 12);
  ctx.strokeStyle = '#2563eb'; ctx.lineWidth = 2; ctx.beginPath();
  let pen = false;
  for (const p of state.history) {
    if (p.v === null) { pen = false; continue; }  // a gap where it was not valid
    if (pen) ctx.lineTo(x(p.t), y(p.v)); else ctx.moveTo(x(p.t), y(p.v));
    pen = true;
  }
  ctx.stroke();
}

function renderSnapshot(s) {
  $('clock').textContent = `engine time ${s.time.toFixed(2)} s`;
  renderDriver(s); renderInterlocks(s); renderBuses(s); renderMessages(s); renderSignals(s);
  if (s.events) { state.events = []; s.events.forEach(addEvent); }
}

function eventItem(e) {
  const li = document.createElement('li');
  li.dataset.kind = e.kind;
  const kind = document.createElement('span');
  kind.className = `kind k-${e.kind}`;
  kind.textContent = e.kind;
  li.append(`${e.time.toFixed(3)} `, kind, ` ${e.text}`);
  return li;
}

function matches(e) {
  const text = $('filter').value.trim().toLowerCase();
  const kind = $('kind').value;
  return (!kind || e.kind === kind) && (!text || e.text.toLowerCase().includes(text));
}

function addEvent(e) {
  state.events.push(e);
  if (state.events.length > 1000) state.events.shift();
  const select = $('kind');
  if (![...select.options].some((o) => o.value === e.kind)) select.add(new Option(e.kind, e.kind));
  if (matches(e)) $('timeline').prepend(eventItem(e));
}

function refilter() {
  $('timeline').replaceChildren(...state.events.filter(matches).reverse().map(eventItem));
}

function connect() {
  const token = new URLSearchParams(location.search).get('token');
  const url = `ws://${location.host}/ws${token ? '?token=' + encodeURIComponent(token) : ''}`;
  const ws = new WebSocket(url);
  let dropped = 0;
  ws.onopen = () => { $('connection').textContent = 'live'; $('connection').className = 'badge ok'; };
  ws.onclose = () => {
    $('connection').textContent = 'disconnected, retrying'; $('connection').className = 'badge bad';
    setTimeout(connect, 1000);
  };
  ws.onmessage = (message) => {
    const m = JSON.parse(message.data);
    if (m.type === 'snapshot') renderSnapshot(m);
    else if (m.type === 'event') addEvent(m);
    else if (m.type === 'dropped') {
      dropped += m.count;
      $('dropped').textContent = `dropped ${dropped} updates (this page was too slow)`;
      $('dropped').classList.remove('hidden');
    }
  };
}

document.addEventListener('DOMContentLoaded', () => {
  $('filter').addEventListener('input', refilter);
  $('kind').addEventListener('change', refilter);
  connect();
});
