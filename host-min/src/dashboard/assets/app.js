// The dashboard page: renders the lattice picture the host keeps (inline
// on load, then pushed over server-sent events) and posts actions. No
// framework: the tables are rebuilt as strings, and only when they change.
"use strict";
// Where a page load's time goes (the dashboard bench reads these marks).
performance.mark("script-start");

const csrf = document.querySelector('meta[name="csrf-token"]').content;
const $ = (sel) => document.querySelector(sel);
let state = null;
const rendered = {};

function esc(v) {
  return String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// An upload is known by its digest, not by a path or a 64-digit reference.
function imageRef(r) {
  const m = /(?:\/uploads\/sha256-|^upload:sha256:)([0-9a-f]{12})[0-9a-f]*/.exec(r || "");
  return m ? `upload sha256:${m[1]}…` : r || "";
}

function short(id) {
  return id && id.length > 12 ? id.slice(0, 12) + "…" : id || "";
}

function hostName(id) {
  const h = state.hosts.find((h) => h.id === id);
  return h && h.friendly_name ? h.friendly_name : short(id);
}

function uptime(h) {
  let s = h.uptime_seconds + Math.max(0, Math.floor(Date.now() / 1000) - h.uptime_at);
  const parts = [];
  for (const [unit, n] of [["d", 86400], ["h", 3600], ["m", 60]]) {
    if (s >= n) { parts.push(Math.floor(s / n) + unit); s %= n; }
  }
  parts.push(s + "s");
  return parts.join(" ");
}

// Rows a long table gets before the first paint (a screenful); the rest
// follow once that paint is on screen, a slice per task so the browser
// stays responsive meanwhile: a lattice of thousands paints as fast as a
// small one.
const FIRST_ROWS = 30;
const MORE_ROWS = 250;

// Sets a table's rows, `row(item)` each: replaces the body only when its
// rows changed, and not while the user is typing in it (the next update
// catches up).
function setRows(table, items, row, emptyText, columns) {
  const body = $(table + " tbody");
  const gen = (generation[table] = (generation[table] || 0) + 1);
  if (!painted && items.length > FIRST_ROWS) {
    // The first picture of a long table: only the rows of the first paint
    // are even formatted before it.
    const first = items.slice(0, FIRST_ROWS).map(row);
    body.innerHTML = first.join("");
    rendered[table] = null;
    pending++;
    shown(() => {
      const rows = first.concat(items.slice(FIRST_ROWS).map(row));
      if (generation[table] === gen) rendered[table] = rows.join("");
      let at = FIRST_ROWS;
      const more = () => {
        // A newer picture may have replaced this one meanwhile.
        if (generation[table] !== gen) at = rows.length;
        if (at < rows.length) {
          body.insertAdjacentHTML("beforeend", rows.slice(at, at + MORE_ROWS).join(""));
          at += MORE_ROWS;
          setTimeout(more);
        } else if (--pending === 0) {
          afterPaint(() => performance.mark("lattice-complete"));
        }
      };
      more();
    });
    return;
  }
  const html = items.length ? items.map(row).join("") : `<tr><td colspan="${columns}" class="empty">${emptyText}</td></tr>`;
  if (rendered[table] === html) return;
  if (body.contains(document.activeElement) && document.activeElement.tagName === "INPUT") return;
  rendered[table] = html;
  body.innerHTML = html;
}
const generation = {};
let pending = 0;

// Runs `f` just after the next paint: a frame callback runs just before
// a paint, a task queued from it just after.
function afterPaint(f) {
  requestAnimationFrame(() => setTimeout(f));
}

// Runs `f` once the next paint is on screen: a frame later, so that work
// does not hold up drawing it.
function shown(f) {
  afterPaint(() => afterPaint(f));
}

function actorsOf(state) {
  const rows = [];
  for (const h of state.hosts) {
    for (const a of (h.inventory && h.inventory.actors) || []) rows.push({ host: h, actor: a });
  }
  return rows;
}

function providersOf(state) {
  const rows = [];
  for (const h of state.hosts) {
    for (const p of (h.inventory && h.inventory.providers) || []) rows.push({ host: h, provider: p });
  }
  return rows;
}

function renderHosts() {
  const row = (h) => {
    const inv = h.inventory || { actors: [], providers: [] };
    const labels = Object.entries(h.labels || {}).map(([k, v]) => `<span class="label">${esc(k)}=${esc(v)}</span>`).join("");
    const err = h.error ? `<div class="badge failed" title="${esc(h.error)}">inventory unavailable</div>` : "";
    return `<tr data-host="${esc(h.id)}"><td>${esc(h.friendly_name)}${h.id === state.this_host ? ' <span class="badge">this host</span>' : ""}${err}</td>` +
      `<td class="key" title="${esc(h.id)}">${esc(h.id)}</td><td>${labels}</td><td class="uptime">${uptime(h)}</td>` +
      `<td>${esc(h.version)}</td><td>${inv.actors.length}</td><td>${inv.providers.length}</td>` +
      `<td><button class="danger" data-stop-host="${esc(h.id)}">Stop host</button></td></tr>`;
  };
  $("#host-count").textContent = `(${state.hosts.length})`;
  setRows("#hosts", state.hosts, row, "no hosts answer", 8);
}

function renderActors() {
  const rows = actorsOf(state);
  const row = ({ host, actor }) => {
    const claims = state.claims[actor.id] || {};
    const caps = (claims.caps || "").split(",").filter(Boolean).map((c) => `<span class="label">${esc(c)}</span>`).join("");
    const n = actor.count;
    return `<tr data-actor="${esc(actor.id)}" data-host="${esc(host.id)}"><td>${esc(actor.name || claims.name)}</td>` +
      `<td class="key" title="${esc(actor.id)}">${esc(actor.id)}</td><td class="mono" title="${esc(actor.image_ref)}">${esc(imageRef(actor.image_ref))}</td>` +
      `<td title="${esc(host.id)}">${esc(hostName(host.id))}</td><td class="instances">${n}</td><td>${caps}</td>` +
      `<td><input type="number" min="0" value="${n}" aria-label="instances" class="scale-count"> ` +
      `<button data-scale>Scale</button> <button class="danger" data-stop-actor>Stop</button></td></tr>`;
  };
  $("#actor-count").textContent = `(${new Set(rows.map((r) => r.actor.id)).size})`;
  setRows("#actors", rows, row, "no actors", 7);
}

function healthOf(hostId, p) {
  return state.health.find((x) => x.host_id === hostId && x.provider_id === p.id && x.link_name === p.link_name);
}

function renderProviders() {
  const rows = providersOf(state);
  const row = ({ host, provider: p }) => {
    const h = healthOf(host.id, p);
    const health = h && h.status ? `<span class="badge ${esc(h.status)}" title="${esc(h.message)}">${h.status === "passed" ? "healthy" : "unhealthy"}</span>` :
      `<span class="badge">${p.image_ref && p.image_ref.startsWith("builtin:") ? "in process" : "no check yet"}</span>`;
    return `<tr data-provider="${esc(p.id)}" data-link="${esc(p.link_name)}" data-host="${esc(host.id)}" data-contract="${esc(p.contract_id)}">` +
      `<td>${esc(p.name)}</td><td class="key" title="${esc(p.id)}">${esc(p.id)}</td><td>${esc(p.contract_id)}</td><td>${esc(p.link_name)}</td>` +
      `<td title="${esc(host.id)}">${esc(hostName(host.id))}</td><td class="health">${health}</td><td class="restarts">${h ? h.restarts : 0}</td>` +
      `<td class="mono" title="${esc(p.image_ref)}">${esc(imageRef(p.image_ref))}</td><td><button class="danger" data-stop-provider>Stop</button></td></tr>`;
  };
  $("#provider-count").textContent = `(${rows.length})`;
  setRows("#providers", rows, row, "no providers", 9);
}

function actorName(id) {
  for (const { actor } of actorsOf(state)) if (actor.id === id && actor.name) return actor.name;
  return short(id);
}

function providerName(id) {
  for (const { provider } of providersOf(state)) if (provider.id === id && provider.name) return provider.name;
  return short(id);
}

function renderLinks() {
  const row = (l) => {
    const values = Object.entries(l.values || {}).map(([k, v]) => `<span class="label">${esc(k)}=${esc(v)}</span>`).join("");
    return `<tr data-link-actor="${esc(l.actor_id)}" data-link-contract="${esc(l.contract_id)}" data-link-name="${esc(l.link_name)}">` +
      `<td title="${esc(l.actor_id)}">${esc(actorName(l.actor_id))}</td><td title="${esc(l.provider_id)}">${esc(providerName(l.provider_id))}</td>` +
      `<td>${esc(l.contract_id)}</td><td>${esc(l.link_name)}</td><td>${values}</td>` +
      `<td><button class="danger" data-delete-link>Delete</button></td></tr>`;
  };
  $("#link-count").textContent = `(${state.links.length})`;
  setRows("#links", state.links, row, "no links", 6);
}

function describe(ev) {
  const d = ev.data || {};
  const parts = [];
  for (const k of ["public_key", "actor_id", "provider_id", "image_ref", "actor_ref", "provider_ref", "link_name", "contract_id", "count", "remaining", "restarts", "error", "message"]) {
    if (d[k] !== undefined && d[k] !== "" && d[k] !== null) parts.push(`${k}=${d[k]}`);
  }
  if (d.values) parts.push("values=" + Object.entries(d.values).map(([k, v]) => `${k}:${v}`).join(","));
  return parts.join(" ");
}

function renderFeed() {
  const html = state.feed.map((ev) =>
    `<li data-kind="${esc(ev.kind)}"><time>${esc((ev.time || "").replace("T", " ").replace(/\..*|Z$/, ""))}</time>` +
    `<span class="kind">${esc(ev.kind)}</span><span class="from">${esc(ev.source === "n/a" ? "" : hostName(ev.source))}</span> ` +
    `<span class="mono">${esc(describe(ev))}</span></li>`).join("");
  if (rendered.feed !== html) {
    rendered.feed = html;
    $("#feed").innerHTML = html || '<li class="empty">no events yet</li>';
  }
}

// Keeps a select's options in step with the picture, and its choice.
function setOptions(select, options, first) {
  const keep = select.value;
  const html = (first ? `<option value="">${esc(first)}</option>` : "") +
    options.map(([v, label]) => `<option value="${esc(v)}">${esc(label)}</option>`).join("");
  if (select.dataset.html === html) return;
  select.dataset.html = html;
  select.innerHTML = html;
  if ([...select.options].some((o) => o.value === keep)) select.value = keep;
}

function renderChoices() {
  const hosts = state.hosts.map((h) => [h.id, `${h.friendly_name || short(h.id)} (${short(h.id)})`]);
  for (const s of document.querySelectorAll("select.host-choice")) {
    setOptions(s, state.mode === "lattice" ? hosts : [], state.mode === "lattice" ? "auction picks" : "this host");
  }
  const actors = new Map();
  for (const { actor } of actorsOf(state)) actors.set(actor.id, `${actor.name || ""} (${short(actor.id)})`);
  setOptions($("#link-actor"), [...actors], null);
  const providers = new Map();
  for (const { provider: p } of providersOf(state)) providers.set(p.id + "|" + p.contract_id + "|" + p.link_name, `${p.name || ""} ${p.contract_id} (${p.link_name})`);
  setOptions($("#link-provider"), [...providers], null);
}

function render() {
  $("#lattice-name").textContent = state.mode === "lattice" ? `lattice ${state.lattice}` : "single host";
  $("#mode").textContent = state.mode === "lattice" ? "" : "(no lattice)";
  const errors = Object.entries(state.errors || {}).map(([k, v]) => `${k}: ${v}`);
  $("#errors").hidden = errors.length === 0;
  $("#errors").textContent = errors.join("; ");
  renderHosts();
  renderActors();
  renderProviders();
  renderLinks();
  renderFeed();
  // The forms' lists wait for the first paint (a thousand options are
  // layout the first picture does not need).
  if (painted) renderChoices();
  else shown(renderChoices);
  document.body.dataset.version = state.version;
}

function show(ok, text) {
  const r = $("#result");
  r.hidden = false;
  r.className = ok ? "ok" : "error";
  r.textContent = text;
}

async function post(url, body, contentType) {
  const resp = await fetch(url, {
    method: "POST",
    headers: { "content-type": contentType, "x-csrf-token": csrf },
    body,
    credentials: "same-origin",
  });
  let reply;
  try { reply = await resp.json(); } catch (e) { reply = { error: `HTTP ${resp.status}` }; }
  if (!resp.ok || reply.error) throw new Error(reply.error || `HTTP ${resp.status}`);
  return reply.ok;
}

// Runs an action with its button disabled; shows the host's answer.
async function run(button, action) {
  if (button) button.disabled = true;
  show(true, "working…");
  try {
    show(true, await action());
  } catch (e) {
    show(false, e.message);
  } finally {
    if (button) button.disabled = false;
  }
}

function formJson(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.type === "file" || el.closest("fieldset#link-values")) continue;
    out[el.name] = el.type === "number" ? Number(el.value) : el.value;
  }
  return out;
}

function addValueRow(key = "", value = "") {
  const row = document.createElement("div");
  row.className = "row";
  row.innerHTML = `<input placeholder="key" class="value-key" value="${esc(key)}"><input placeholder="value" class="value-value" value="${esc(value)}">`;
  $("#link-values").appendChild(row);
}

function wire() {
  for (const form of document.querySelectorAll("form[data-action]")) {
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const body = formJson(form);
      if (form.id === "put-link") {
        const [provider, contract, link] = (body.provider_id || "").split("|");
        body.provider_id = provider;
        if (!body.contract_id) body.contract_id = contract;
        if (!body.link_name) body.link_name = link || "";
        body.values = {};
        for (const row of form.querySelectorAll("#link-values .row")) {
          const k = row.querySelector(".value-key").value.trim();
          if (k) body.values[k] = row.querySelector(".value-value").value;
        }
      }
      run(form.querySelector("button:not([type=button])"), () => post(form.dataset.action, JSON.stringify(body), "application/json"));
    });
  }
  for (const form of document.querySelectorAll("form[data-upload]")) {
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const file = form.elements.file.files[0];
      const params = new URLSearchParams();
      for (const name of ["link_name", "host_id"]) {
        if (form.elements[name] && form.elements[name].value) params.set(name, form.elements[name].value);
      }
      const query = params.toString();
      const url = form.dataset.upload + (query ? "?" + query : "");
      run(form.querySelector("button"), () => post(url, file, "application/octet-stream"));
    });
  }
  $("#link-provider").addEventListener("change", (e) => {
    const [, contract, link] = e.target.value.split("|");
    $("#link-contract").value = contract || "";
    $("#link-name").value = link || "";
  });
  $("#add-value").addEventListener("click", () => addValueRow());
  addValueRow();
  // Row buttons, delegated: rows are rebuilt on every change.
  document.addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (!b) return;
    const row = b.closest("tr");
    const json = (url, body) => run(b, () => post(url, JSON.stringify(body), "application/json"));
    if (b.dataset.stopHost !== undefined) {
      if (confirm(`Stop host ${b.dataset.stopHost}?`)) json("/api/hosts/stop", { host_id: b.dataset.stopHost });
    } else if (b.dataset.scale !== undefined) {
      const actor = actorsOf(state).find((r) => r.actor.id === row.dataset.actor && r.host.id === row.dataset.host);
      json("/api/actors/scale", { host_id: row.dataset.host, actor_id: row.dataset.actor, actor_ref: actor ? actor.actor.image_ref || "" : "", count: Number(row.querySelector(".scale-count").value) });
    } else if (b.dataset.stopActor !== undefined) {
      json("/api/actors/stop", { host_id: row.dataset.host, actor_id: row.dataset.actor });
    } else if (b.dataset.stopProvider !== undefined) {
      json("/api/providers/stop", { host_id: row.dataset.host, provider_id: row.dataset.provider, link_name: row.dataset.link, contract_id: row.dataset.contract });
    } else if (b.dataset.deleteLink !== undefined) {
      json("/api/links/delete", { actor_id: row.dataset.linkActor, contract_id: row.dataset.linkContract, link_name: row.dataset.linkName });
    }
  });
}

function follow() {
  const live = $("#live");
  // The page has the picture of its version: the stream sends only newer
  // ones (a reconnection too: versions grow, also across host restarts).
  const es = new EventSource(`/api/stream?since=${state.version}`);
  es.onopen = () => {
    live.textContent = "live";
    live.className = "badge live";
  };
  es.addEventListener("state", (e) => {
    state = JSON.parse(e.data);
    render();
  });
  es.onerror = () => {
    live.textContent = "reconnecting…";
    live.className = "badge offline";
  };
}

// Just after the first frame with the picture: what the dashboard bench
// reads, with `lattice-complete` once every row is in (see setRows).
// Asked for before rendering, so that it runs before the rest of a long
// table goes in.
let painted = false;
afterPaint(() => {
  painted = true;
  performance.mark("lattice-painted");
  if (pending === 0) performance.mark("lattice-complete");
});
state = JSON.parse($("#initial-state").textContent);
render();
performance.mark("rendered");
wire();
// After the first paint: nothing the stream brings is needed for it.
shown(follow);
// Uptimes count on between updates.
setInterval(() => {
  for (const td of document.querySelectorAll("#hosts tr[data-host] td.uptime")) {
    const h = state.hosts.find((x) => x.id === td.parentElement.dataset.host);
    if (h) td.textContent = uptime(h);
  }
}, 1000);
