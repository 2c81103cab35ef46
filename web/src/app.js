// serai web app: route planner and network map over the serai HTTP API (same origin).
// Built with `npm run build` in web/ into serai/api/static/app.js (MapLibre GL JS bundled).
import * as maplibregl from "maplibre-gl";

maplibregl.setWorkerUrl(new URL("/static/maplibre-gl-worker.mjs", location.href).href);

const COLOURS = ["#0b5cad", "#d1495b", "#2a9d8f", "#e9a03b", "#6a4c93", "#3d405b", "#8ab17d", "#bc6c25"];
const MODE_COLOUR = { rail: "#222", road: "#9a9a9a", sea: "#5fa8d3", ferry: "#1d4e89", transfer: "#e07a1f" };
const $ = (sel) => document.querySelector(sel);
const state = { routes: [], selected: 0, vias: [], jobs: {}, years: null };

// ------------------------------------------------------------------ map
const map = new maplibregl.Map({
  container: "map",
  style: {
    version: 8,
    sources: { countries: { type: "geojson", data: "/static/countries.geojson" } },
    layers: [
      { id: "sea", type: "background", paint: { "background-color": "#dbe9f4" } },
      { id: "land", type: "fill", source: "countries", paint: { "fill-color": "#f4f1ea", "fill-outline-color": "#b9b3a7" } },
      { id: "borders", type: "line", source: "countries", paint: { "line-color": "#a39e93", "line-width": 0.6 } },
    ],
  },
  center: [62, 42],
  zoom: 2.6,
  attributionControl: { compact: true, customAttribution: "© OpenStreetMap contributors (ODbL), Natural Earth, Eurostat SeaRoute" },
});
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
const mapReady = new Promise((resolve) => map.on("load", resolve));

const networkLoaded = {};
async function ensureNetwork(kind) {
  await mapReady;
  if (networkLoaded[kind]) return;
  networkLoaded[kind] = true;
  if (kind === "links") {
    map.addSource("net-links", { type: "geojson", data: "/api/network/links.geojson" });
    for (const mode of ["sea", "road", "rail", "ferry"]) {
      map.addLayer({
        id: `net-${mode}`, type: "line", source: "net-links",
        filter: ["all", ["==", ["get", "mode"], mode], ["!", ["has", "status"]]],
        layout: { visibility: "none" },
        paint: { "line-color": MODE_COLOUR[mode], "line-width": mode === "road" ? 0.6 : 1, "line-opacity": 0.75 },
      }, firstRouteLayer());
    }
    map.addLayer({
      id: "net-planned", type: "line", source: "net-links", filter: ["has", "status"],
      layout: { visibility: "none" },
      paint: { "line-color": "#e4572e", "line-width": 2, "line-dasharray": [2, 1.5] },
    }, firstRouteLayer());
  } else if (kind === "places") {
    map.addSource("net-places", { type: "geojson", data: "/api/network/places.geojson" });
    map.addLayer({
      id: "net-places", type: "circle", source: "net-places",
      paint: { "circle-radius": ["case", ["==", ["get", "kind"], "point"], 3.5, 2.5], "circle-color": ["case", ["==", ["get", "kind"], "point"], "#13293d", "#1d4e89"], "circle-stroke-color": "#fff", "circle-stroke-width": 1 },
    });
    popupOn("net-places", (p) => `<b>${esc(p.name || p.id)}</b><br>${esc(p.kind)}${p.country ? " · " + esc(p.country) : ""}`);
  } else if (kind === "borders") {
    map.addSource("net-borders", { type: "geojson", data: "/api/network/borders.geojson" });
    map.addLayer({ id: "net-borders", type: "circle", source: "net-borders", layout: { visibility: "none" },
      paint: { "circle-radius": 3, "circle-color": "#c1121f", "circle-stroke-color": "#fff", "circle-stroke-width": 1 } });
    popupOn("net-borders", (p) => `<b>border ${esc(p.country_a)} – ${esc(p.country_b)}</b><br>${esc(p.mode || "")} ${p.name ? esc(p.name) : ""}`);
  }
}
function firstRouteLayer() { return map.getLayer("route-0") ? "route-0" : undefined; }
function popupOn(layer, html) {
  map.on("click", layer, (e) => {
    const f = e.features && e.features[0];
    if (f) new maplibregl.Popup().setLngLat(e.lngLat).setHTML(html(f.properties)).addTo(map);
  });
  map.on("mouseenter", layer, () => (map.getCanvas().style.cursor = "pointer"));
  map.on("mouseleave", layer, () => (map.getCanvas().style.cursor = ""));
}
async function setLayer(name, on) {
  if (name === "flows") { for (const id of ["flows-lines", "flows-elements"]) if (map.getLayer(id)) map.setLayoutProperty(id, "visibility", on ? "visible" : "none"); return; }
  const layerIds = { rail: ["net-rail"], road: ["net-road"], sea: ["net-sea"], ferry: ["net-ferry"], planned: ["net-planned"], borders: ["net-borders"], places: ["net-places"] }[name];
  await ensureNetwork(["borders", "places"].includes(name) ? name : "links");
  for (const id of layerIds) if (map.getLayer(id)) map.setLayoutProperty(id, "visibility", on ? "visible" : "none");
}
if (window.matchMedia("(max-width: 820px)").matches) $("#layers").open = false;  // phones: folded
document.querySelectorAll(".layers input").forEach((box) => {
  box.addEventListener("change", () => setLayer(box.dataset.layer, box.checked));
  if (box.checked && box.dataset.layer !== "flows") setLayer(box.dataset.layer, true);
});

// ------------------------------------------------------------------ type-ahead
function esc(s) { return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]); }

function typeahead(input) {
  const list = document.getElementById(input.getAttribute("aria-controls"));
  let items = [], active = -1, timer = null, seq = 0;
  const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; input.removeAttribute("aria-activedescendant"); };
  const choose = (i) => {
    const it = items[i];
    if (it) {
      // namesakes: "Suzhou, Anhui" picks the one chosen
      const twins = items.filter((x) => x.name === it.name).length > 1;
      input.value = twins && it.admin1 ? `${it.name}, ${it.admin1}` : it.name;
      input.dataset.placeId = it.id;
    }
    close();
  };
  const render = () => {
    list.innerHTML = items.map((p, i) => `<li id="${list.id}-${i}" role="option" aria-selected="${i === active}" data-i="${i}">${esc(p.name)} <small>${esc([p.admin1 && p.admin1 !== p.name ? p.admin1 : "", p.country, p.matched !== p.name ? p.matched : ""].filter(Boolean).join(" · "))}</small></li>`).join("");
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", String(items.length > 0));
    if (active >= 0) input.setAttribute("aria-activedescendant", `${list.id}-${active}`);
  };
  input.addEventListener("input", () => {
    delete input.dataset.placeId;
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) { items = []; render(); return; }
    timer = setTimeout(async () => {
      const mine = ++seq;
      const yr = yearProblem($("#year").value) ? "" : $("#year").value;  // a bad year: today's
      const r = await fetch(`/api/places?limit=8&q=${encodeURIComponent(q)}${yr ? "&year=" + yr : ""}`);
      if (mine !== seq || !r.ok) return;
      items = (await r.json()).places; active = items.length ? 0 : -1; render();
    }, 120);
  });
  input.addEventListener("keydown", (e) => {
    if (list.hidden) return;
    if (e.key === "ArrowDown") { active = Math.min(items.length - 1, active + 1); render(); e.preventDefault(); }
    else if (e.key === "ArrowUp") { active = Math.max(0, active - 1); render(); e.preventDefault(); }
    else if (e.key === "Enter" && active >= 0) { choose(active); e.preventDefault(); }
    else if (e.key === "Escape") { close(); }
    else if (e.key === "Tab" && active >= 0) { choose(active); }
  });
  list.addEventListener("mousedown", (e) => { const li = e.target.closest("li"); if (li) { choose(+li.dataset.i); e.preventDefault(); } });
  input.addEventListener("blur", () => setTimeout(close, 150));
}
typeahead($("#origin"));
typeahead($("#destination"));

function addVia(value = "") {
  const i = state.vias.length;
  const wrap = document.createElement("div");
  wrap.className = "field place";
  wrap.innerHTML = `<label for="via-${i}">Via ${i + 1}</label><input id="via-${i}" role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="via-${i}-list" value="${esc(value)}"><ul id="via-${i}-list" role="listbox" class="suggest" hidden></ul>`;
  $("#vias").appendChild(wrap);
  const input = wrap.querySelector("input");
  typeahead(input);
  state.vias.push(input);
  return input;
}
$("#add-via").addEventListener("click", () => addVia().focus());

// ------------------------------------------------------------------ query <-> URL (permalinks)
function readForm() {
  const f = $("#planner");
  const checked = (name) => [...f.querySelectorAll(`input[name=${name}]:checked`)].map((x) => x.value);
  const modes = checked("modes");
  return {
    from: $("#origin").value.trim(), to: $("#destination").value.trim(),
    via: state.vias.map((x) => x.value.trim()).filter(Boolean),
    commodity: $("#commodity").value, year: $("#year").value, objective: $("#objective").value,
    mode: $("#mode").value, avoid: $("#avoid").value.split(/[,;\s]+/).map((s) => s.trim().toUpperCase()).filter(Boolean),
    passages: checked("passage"), modes: modes.length === 4 ? [] : modes,
    rel: $("#reliability").checked ? "1" : "", month: $("#month").value, deadline: $("#deadline").value,
    flows: state.jobs.flows || "", compare: state.jobs.compare || "",
  };
}
function toURL(q) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (Array.isArray(v)) { if (v.length) p.set(k, v.join(",")); } else if (v) p.set(k, v);
  }
  return `${location.pathname}?${p}`;
}
function fromURL() {
  const p = new URLSearchParams(location.search);
  for (const k of ["flows", "compare"]) if (p.get(k)) state.jobs[k] = p.get(k);
  if (!p.has("from")) return false;
  $("#origin").value = p.get("from") || "";
  $("#destination").value = p.get("to") || "";
  for (const v of (p.get("via") || "").split(",").filter(Boolean)) addVia(v);
  if (p.get("commodity")) $("#commodity").dataset.want = p.get("commodity");
  $("#year").value = p.get("year") || "";
  if (p.get("objective")) $("#objective").value = p.get("objective");
  if (p.get("mode")) $("#mode").value = p.get("mode");
  $("#avoid").value = p.get("avoid") || "";
  const passages = (p.get("passages") || "").split(",");
  document.querySelectorAll("input[name=passage]").forEach((x) => (x.checked = passages.includes(x.value)));
  $("#reliability").checked = p.get("rel") === "1";
  $("#month").value = p.get("month") || "";
  $("#deadline").value = p.get("deadline") || "";
  const modes = (p.get("modes") || "").split(",").filter(Boolean);
  if (modes.length) document.querySelectorAll("input[name=modes]").forEach((x) => (x.checked = modes.includes(x.value)));
  return true;
}

// ------------------------------------------------------------------ routing
function status(text, error = false) { const s = $("#status"); s.textContent = text; s.className = error ? "error" : ""; }

// the years the service covers (GET /api/version: [first, last]); the year boxes take no other
function setYears(years) {
  if (!Array.isArray(years) || years.length !== 2) return;
  state.years = years;
  const [a, b] = years;
  for (const id of ["year", "flows-year"]) {
    const box = $(`#${id}`);
    box.min = a; box.max = b;
    box.title = `The network covers ${a}–${b}`;
    $(`#${id}-range`).textContent = `${a}–${b}`;
  }
  const fy = $("#flows-year");
  if (+fy.value < a || +fy.value > b) fy.value = Math.min(Math.max(+fy.value || b, a), b);
}
function yearProblem(value) {
  if (!value || !state.years) return "";
  const [a, b] = state.years, y = Number(value);
  return Number.isInteger(y) && y >= a && y <= b ? "" : `Year ${value} is not one the network covers: give ${a}–${b}, or none for today's network.`;
}

async function run(pushUrl = true) {
  const q = readForm();
  if (!q.from || !q.to) { status("Give a place to start from and a destination.", true); return; }
  const bad = yearProblem(q.year);
  if (bad) { status(bad, true); showRoutes([]); return; }
  if (pushUrl) history.pushState(null, "", toURL(q));
  const body = {
    origin: q.from,
    destination: q.to, commodity: q.commodity, objective: q.objective,
    avoid_countries: q.avoid, avoid_passages: q.passages, via: q.via,
    ...(q.year ? { year: +q.year } : {}), ...(q.modes.length ? { modes: q.modes } : {}),
    ...(q.rel ? { reliability: true } : {}), ...(q.month ? { month: +q.month } : {}),
    ...(q.deadline ? { deadline_days: +q.deadline } : {}),
  };
  const endpoint = q.mode === "alternatives" ? "/api/alternatives" : q.mode === "pareto" ? "/api/pareto" : "/api/route";
  if (q.mode === "alternatives") body.k = 4;
  status("Routing…");
  $("#go").disabled = true;
  try {
    const r = await fetch(endpoint, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const data = await r.json();
    if (!r.ok) { status(`${data.title}: ${data.detail}`, true); showRoutes([]); return; }
    status(`${data.routes.length} route${data.routes.length === 1 ? "" : "s"} in ${Math.round(data.took_ms)} ms`);
    showRoutes(data.routes);
  } catch (e) {
    status(`The service did not answer (${e.message}).`, true);
  } finally {
    $("#go").disabled = false;
  }
}
$("#planner").addEventListener("submit", (e) => { e.preventDefault(); run(); });
window.addEventListener("popstate", () => { if (fromURL()) run(false); });

const fmt = (x, d = 0) => (x == null ? "–" : Number(x).toLocaleString("en-GB", { maximumFractionDigits: d, minimumFractionDigits: d }));
// a trip's time for people: hours below a day ("1.0 h", not "0.0 days"), days above (serai.reprs.duration_text)
// a leg's hours: one decimal, two below 0.1 h (a 3 km first-mile leg read "0.0"; serai.reprs.hours_text)
const hoursCell = (h) => (h != null && h !== 0 && Math.abs(h) < 0.095 ? fmt(h, 2) : fmt(h, 1));
const duration = (days) => (days == null ? "–" : Math.abs(days * 24) < 23.95 ? `${fmt(days * 24, 1)} h` : `${fmt(days, 1)} days`);

function showRoutes(routes) {
  state.routes = routes; state.selected = 0;
  const el = $("#results");
  if (!routes.length) { el.innerHTML = ""; drawRoutes(); return; }
  const unit = routes[0].unit;
  el.innerHTML = `<h2>${esc(routes[0].from)} → ${esc(routes[0].to)}</h2>
    <div class="cards">${routes.map((r, i) => `<button type="button" class="card" style="--c:${COLOURS[i % COLOURS.length]}" aria-pressed="${i === 0}" data-i="${i}">
      <b>${esc(r.corridor)}</b><span class="nums">${duration(r.days)} · ${fmt(r.km)} km · USD ${fmt(r.usd)} per ${esc(unit)} · ${fmt(r.co2e_kg)} kg CO2e</span>${relLine(r.reliability)}</button>`).join("")}</div>
    <div class="chart" id="chart"></div><h2 id="legs-title">Legs</h2><div id="legs"></div>`;
  el.querySelectorAll(".card").forEach((b) => b.addEventListener("click", () => select(+b.dataset.i)));
  drawChart(routes);
  select(0);
}

function relLine(x) {
  if (!x) return "";
  const ontime = x.on_time_probability == null ? "" : ` · ${fmt(100 * x.on_time_probability)}% within ${fmt(x.deadline_days, 0)} days`;
  return `<span class="rel">P50 ${fmt(x.p50_days, 1)} · P90 ${fmt(x.p90_days, 1)} · P95 ${fmt(x.p95_days, 1)} days${ontime}</span>`;
}

function select(i) {
  state.selected = i;
  document.querySelectorAll(".card").forEach((b) => b.setAttribute("aria-pressed", String(+b.dataset.i === i)));
  const r = state.routes[i];
  $("#legs-title").textContent = `Legs — ${r.corridor}`;
  $("#legs").innerHTML = `<table class="legs"><thead><tr><th>mode / event</th><th>from</th><th>to</th><th>country</th><th class="n">km</th><th class="n">hours</th><th class="n">USD</th><th class="n">kg CO2e</th></tr></thead><tbody>${r.legs.map((l) => `<tr class="${l.kind === "move" ? "" : "event"}"><td>${esc(l.kind === "move" ? l.mode : l.event || l.kind)}</td><td>${esc(l.from_name)}</td><td>${esc(l.to_name)}</td><td>${esc(l.country)}</td><td class="n">${l.km ? fmt(l.km) : ""}</td><td class="n">${hoursCell(l.hours)}</td><td class="n">${fmt(l.usd)}</td><td class="n">${l.co2e_kg ? fmt(l.co2e_kg, 1) : ""}</td></tr>`).join("")}</tbody></table>`;
  drawRoutes();
}

function drawChart(routes) {
  // three small bar groups (days, USD, kg CO2e), one bar per route, each scaled to its own maximum
  const metrics = [["days", "time", duration], ["usd", "USD", (x) => fmt(x)], ["co2e_kg", "kg CO2e", (x) => fmt(x)]];
  const W = 380, rowH = 14, gap = 10, labelW = 60;
  const H = metrics.length * (routes.length * rowH + gap) + 4;
  let y = 2, svg = "";
  for (const [key, label, show] of metrics) {
    const max = Math.max(...routes.map((r) => r[key] || 0)) || 1;
    svg += `<text x="0" y="${y + rowH - 3}">${label}</text>`;
    routes.forEach((r, i) => {
      const w = ((r[key] || 0) / max) * (W - labelW - 70);
      svg += `<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${rowH - 3}" fill="${COLOURS[i % COLOURS.length]}"><title>${esc(r.corridor)}: ${show(r[key])}${key === "days" ? "" : " " + label}</title></rect><text x="${labelW + w + 4}" y="${y + rowH - 4}">${show(r[key])}</text>`;
      y += rowH;
    });
    y += gap;
  }
  $("#chart").innerHTML = `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Time, money and CO2e of each route">${svg}</svg>`;
}

async function drawRoutes() {
  await mapReady;
  for (let i = 0; i < 12; i++) {
    if (map.getLayer(`route-${i}`)) map.removeLayer(`route-${i}`);
    if (map.getLayer(`route-${i}-events`)) map.removeLayer(`route-${i}-events`);
    if (map.getSource(`route-${i}`)) map.removeSource(`route-${i}`);
  }
  const order = state.routes.map((_, i) => i).filter((i) => i !== state.selected).concat(state.routes.length ? [state.selected] : []);
  const bounds = new maplibregl.LngLatBounds();
  for (const i of order) {
    const r = state.routes[i];
    if (!r.geojson) continue;
    map.addSource(`route-${i}`, { type: "geojson", data: r.geojson });
    const sel = i === state.selected;
    map.addLayer({ id: `route-${i}`, type: "line", source: `route-${i}`, filter: ["==", ["geometry-type"], "LineString"],
      layout: { "line-cap": "round", "line-join": "round" },
      paint: { "line-color": COLOURS[i % COLOURS.length], "line-width": sel ? 5 : 3, "line-opacity": sel ? 0.95 : 0.55 } });
    map.addLayer({ id: `route-${i}-events`, type: "circle", source: `route-${i}`, filter: ["==", ["geometry-type"], "Point"],
      paint: { "circle-radius": sel ? 4 : 2.5, "circle-color": "#fff", "circle-stroke-color": COLOURS[i % COLOURS.length], "circle-stroke-width": 2 } });
    if (sel) for (const f of r.geojson.features) {
      const c = f.geometry.coordinates;
      if (f.geometry.type === "Point") bounds.extend(c); else c.forEach((p) => bounds.extend(p));
    }
  }
  if (!bounds.isEmpty()) map.fitBounds(bounds, { padding: 40, duration: 0, maxZoom: 7 });
  document.body.dataset.routesDrawn = String(order.length);
}

// ------------------------------------------------------------------ start
(async () => {
  const fromLink = fromURL();
  try {
    const r = await fetch("/api/version");
    if (r.ok) setYears((await r.json()).years);
  } catch (e) { /* the service checks the year itself (422 naming the range) */ }
  try {
    const r = await fetch("/api/commodities");
    if (r.ok) {
      const sel = $("#commodity");
      sel.innerHTML = (await r.json()).map((c) => `<option value="${esc(c.commodity)}">${esc(c.commodity.replaceAll("_", " "))} (${esc(c.unit)})</option>`).join("");
      sel.value = sel.dataset.want || "container_feu";
    }
  } catch (e) { /* the form still works with the default */ }
  if (fromLink) run(false);
  loadScenarios();
  // a job's permalink opens its section and shows it (the route planner stays above it)
  for (const name of ["flows", "compare"]) {
    if (!state.jobs[name]) continue;
    $(`#${name}-tool`).open = true;
    followJob(name, state.jobs[name]).then(() => { if (!fromLink) $(`#${name}-tool`).scrollIntoView({ block: "start" }); });
  }
})();

// ------------------------------------------------------------------ background jobs (flows, scenario comparison)
const JOBS = {
  flows: { kind: "flows", show: showFlows },
  compare: { kind: "scenario-compare", show: showCompare },
};
function jobUI(name) {
  return { status: $(`#${name}-status`), bar: $(`#${name}-progress`), go: $(`#${name}-go`), out: $(`#${name}-results`) };
}
function jobStatus(name, text, error = false) { const s = jobUI(name).status; s.textContent = text; s.className = "jobstatus" + (error ? " error" : ""); }
function setJobInURL(name, id) {
  if (id) state.jobs[name] = id; else delete state.jobs[name];
  const p = new URLSearchParams(location.search);
  if (id) p.set(name, id); else p.delete(name);
  history.replaceState(null, "", `${location.pathname}?${p}`);
}

async function startJob(name, body) {
  const ui = jobUI(name);
  ui.go.disabled = true;
  jobStatus(name, "Submitting…");
  try {
    const r = await fetch(`/api/jobs/${JOBS[name].kind}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const data = await r.json();
    if (!r.ok) { jobStatus(name, `${data.title}: ${data.detail}`, true); ui.go.disabled = false; return; }
    setJobInURL(name, data.id);
    await followJob(name, data.id);
  } catch (e) {
    jobStatus(name, `The service did not answer (${e.message}).`, true);
    ui.go.disabled = false;
  }
}

async function followJob(name, id) {
  const ui = jobUI(name);
  ui.go.disabled = true; ui.bar.hidden = false;
  document.body.dataset[`${name}Job`] = "running";
  try {
    for (;;) {
      const r = await fetch(`/api/jobs/${id}`);
      const job = await r.json();
      if (!r.ok) { jobStatus(name, `${job.detail} (jobs are kept in the service's memory; run it again)`, true); setJobInURL(name, null); document.body.dataset[`${name}Job`] = "failed"; return; }
      ui.bar.value = job.progress;
      if (job.state === "done") {
        const res = await (await fetch(job.result_url)).json();
        jobStatus(name, `Done in ${fmt(job.finished - job.started, 0)} s.`);
        await JOBS[name].show(res, job);
        document.body.dataset[`${name}Job`] = "done";
        return;
      }
      if (job.state === "failed" || job.state === "cancelled") { jobStatus(name, job.error || job.state, true); document.body.dataset[`${name}Job`] = "failed"; return; }
      jobStatus(name, `${job.state === "queued" ? "Queued" : "Running"} — ${Math.round(100 * job.progress)}%${job.message ? ": " + job.message : ""}`);
      await new Promise((ok) => setTimeout(ok, 1000));
    }
  } finally {
    ui.go.disabled = false; ui.bar.hidden = true;
  }
}

$("#flows-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const bad = yearProblem($("#flows-year").value);
  if (bad) { jobStatus("flows", bad, true); return; }
  startJob("flows", { year: +$("#flows-year").value, method: $("#flows-method").value });
});
$("#compare-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const a = $("#scen-a").value, b = $("#scen-b").value;
  if (a === b) { jobStatus("compare", "Choose two different scenarios.", true); return; }
  startJob("compare", { a, b, method: $("#compare-method").value });
});

async function loadScenarios() {
  try {
    const r = await fetch("/api/scenarios");
    if (!r.ok) return;
    const lib = await r.json();
    const opts = lib.map((s) => `<option value="${esc(s.name)}" title="${esc(s.description)}">${esc(s.title || s.name)}${s.year ? " (" + s.year + ")" : ""}</option>`).join("");
    $("#scen-a").innerHTML = opts; $("#scen-b").innerHTML = opts;
    const has = (n) => lib.some((s) => s.name === n);
    if (has("base-2024")) $("#scen-a").value = "base-2024";
    const b = lib.find((s) => s.name !== $("#scen-a").value && s.year === 2024) || lib.find((s) => s.name !== $("#scen-a").value);
    if (b) $("#scen-b").value = b.name;
  } catch (e) { /* the comparison form stays empty */ }
}

const UTIL_COLOUR = ["step", ["coalesce", ["get", "utilisation"], 0], "#2a9d8f", 0.7, "#e9a03b", 0.95, "#c1121f"];

async function showFlows(res, job) {
  await mapReady;
  for (const id of ["flows-lines", "flows-elements"]) if (map.getLayer(id)) map.removeLayer(id);
  if (map.getSource("flows")) map.removeSource("flows");
  const fc = await (await fetch(res.geojson_url)).json();
  map.addSource("flows", { type: "geojson", data: fc });
  map.addLayer({ id: "flows-lines", type: "line", source: "flows", filter: ["==", ["get", "layer"], "flow"],
    layout: { "line-cap": "round", "line-join": "round" },
    paint: { "line-color": ["match", ["get", "mode"], "sea", "#3a86c8", "ferry", "#1d4e89", "road", "#8d8d8d", "#7b2d26"],
      "line-opacity": 0.7,
      "line-width": ["interpolate", ["linear"], ["sqrt", ["get", "tonnes"]], 0, 0.5, 1000, 2, 3000, 5, 8000, 12] } }, firstRouteLayer());
  map.addLayer({ id: "flows-elements", type: "circle", source: "flows", filter: ["==", ["get", "layer"], "element"],
    paint: { "circle-radius": ["case", ["has", "rank"], 7, 4], "circle-color": UTIL_COLOUR, "circle-stroke-color": "#fff", "circle-stroke-width": 1.5 } });
  if (!networkLoaded.flowsPopups) {
    networkLoaded.flowsPopups = true;
    popupOn("flows-lines", (p) => `<b>${esc(p.mode)}</b><br>${fmt(p.tonnes)} t/yr${p.teu ? " · " + fmt(p.teu) + " TEU" : ""}`);
    popupOn("flows-elements", (p) => `<b>${esc(p.name)}</b><br>${esc(p.kind)} · ${esc(p.direction)}<br>load ${fmt(p.load)} of ${fmt(p.capacity)} ${esc(p.measure)} (${fmt(100 * (p.utilisation || 0))}%)${p.rank ? `<br>bottleneck #${p.rank}` : ""}`);
  }
  const box = document.querySelector(".layers input[data-layer=flows]");
  box.disabled = false; box.checked = true;
  const t = res.tables, s = res.summary;
  const lp = s.method === "lp";
  const bn = t.bottlenecks || [];
  const ind = (t.indicators || []).filter((r) => r.value);
  const el = jobUI("flows").out;
  el.innerHTML = `<h2>Flows ${esc(s.year)} — ${lp ? "capacities (LP)" : "equilibrium"}</h2>
    <p class="hint">${fmt(s.demand_tonnes / 1e6, 1)} Mt of demand; ${lp ? "" : `gap ${Number(s.gap).toExponential(1)} after ${s.iterations} iterations; `}line width: tonnes per year; circles: capacity elements by utilisation.</p>
    <div class="legend"><span><i style="background:#2a9d8f"></i>&lt; 70%</span><span><i style="background:#e9a03b"></i>70–95%</span><span><i style="background:#c1121f"></i>≥ 95%</span></div>
    <h2>Bottlenecks</h2>
    ${bn.length ? `<div class="scroll"><table class="data"><thead><tr><th>#</th><th>element</th><th>dir.</th><th class="n">use</th><th class="n">${lp ? "USD per unit" : "delay h"}</th></tr></thead><tbody>
    ${bn.slice(0, 10).map((b) => `<tr><td>${esc(b.rank)}</td><td><button type="button" class="row-link" data-cap="${esc(b.capacity_id)}">${esc(b.name)}</button></td><td>${esc(b.direction)}</td><td class="n">${fmt(100 * b.utilisation)}%</td><td class="n">${lp ? fmt(b.dual, 1) : fmt(b.delay_h, 1)}</td></tr>`).join("")}
    </tbody></table></div>` : "<p class=hint>No capacity binds.</p>"}
    <h2>Indicators</h2>
    <div class="scroll"><table class="data"><thead><tr><th>indicator</th><th>direction</th><th class="n">value</th></tr></thead><tbody>
    ${ind.slice(0, 16).map((r) => `<tr><td>${esc(r.indicator.replaceAll("_", " "))}</td><td>${esc(r.direction)}</td><td class="n">${fmt(r.value)} ${esc(r.unit)}</td></tr>`).join("")}
    </tbody></table></div>
    <p><a href="${esc(job.result_url)}?format=csv&table=links">links.csv</a> · <a href="${esc(job.result_url)}?format=csv&table=elements">elements.csv</a> · <a href="${esc(job.result_url)}?format=csv&table=indicators">indicators.csv</a> · <a href="${esc(res.geojson_url)}">GeoJSON</a></p>`;
  el.querySelectorAll("button[data-cap]").forEach((b) => b.addEventListener("click", () => {
    const f = fc.features.find((x) => x.properties.layer === "element" && x.properties.capacity_id === b.dataset.cap);
    if (f) { map.flyTo({ center: f.geometry.coordinates, zoom: 6 }); new maplibregl.Popup().setLngLat(f.geometry.coordinates).setHTML(`<b>${esc(f.properties.name)}</b><br>${fmt(100 * (f.properties.utilisation || 0))}% used`).addTo(map); }
  }));
  const bounds = new maplibregl.LngLatBounds();
  fc.features.filter((f) => f.properties.layer === "element").forEach((f) => bounds.extend(f.geometry.coordinates));
  if (!bounds.isEmpty() && !state.routes.length) map.fitBounds(bounds, { padding: 40, duration: 0, maxZoom: 5 });
}

// large totals compactly (tonne-km run to 10^12): 2.72 tn, 61.8 bn, 12.3 M
function big(x) {
  if (x == null || x === "") return "–";
  const a = Math.abs(x);
  if (a >= 1e12) return fmt(x / 1e12, 2) + " tn";
  if (a >= 1e9) return fmt(x / 1e9, 1) + " bn";
  if (a >= 1e6) return fmt(x / 1e6, 1) + " M";
  return fmt(x, a >= 100 ? 0 : 1);
}
function diffCell(v) {
  if (v == null || v === "") return `<td class="n">–</td>`;
  // signed, not coloured: more is good for some indicators and bad for others
  return `<td class="n">${v > 0 ? "+" : ""}${big(v)}</td>`;
}

async function showCompare(res) {
  const t = res.tables, s = res.summary;
  const head = t.headline || [], routes = t.routes || [];
  const ind = (t.indicators || []).filter((r) => r.value_diff).sort((a, b) => Math.abs(b.value_diff) - Math.abs(a.value_diff));
  jobUI("compare").out.innerHTML = `<h2>${esc(s.b)} vs ${esc(s.a)}</h2>
    <div class="scroll"><table class="data"><thead><tr><th>headline</th><th class="n">A</th><th class="n">B</th><th class="n">B − A</th></tr></thead><tbody>
    ${head.map((r) => `<tr><td>${esc(String(r.indicator).replaceAll("_", " "))} <small>${esc(r.unit)}</small></td><td class="n">${big(r.value_A)}</td><td class="n">${big(r.value_B)}</td>${diffCell(r.value_diff)}</tr>`).join("")}
    </tbody></table></div>
    ${routes.length ? `<h2>Flagship routes</h2><div class="scroll"><table class="data"><thead><tr><th>question</th><th>A</th><th>B</th><th class="n">days B − A</th></tr></thead><tbody>
    ${routes.map((r) => `<tr><td>${esc(r.question)}${r.variant ? " <small>" + esc(r.variant) + "</small>" : ""}</td><td>${esc(r.corridor_A)}</td><td>${esc(r.corridor_B)}</td>${diffCell(r.days_diff)}</tr>`).join("")}
    </tbody></table></div>` : ""}
    ${ind.length ? `<h2>Largest changes</h2><div class="scroll"><table class="data"><thead><tr><th>indicator</th><th class="n">A</th><th class="n">B − A</th></tr></thead><tbody>
    ${ind.slice(0, 12).map((r) => `<tr><td>${esc(String(r.indicator).replaceAll("_", " "))} <small>${esc(r.direction || "")} ${esc(r.unit || "")}</small></td><td class="n">${big(r.value_A)}</td>${diffCell(r.value_diff)}</tr>`).join("")}
    </tbody></table></div>` : ""}`;
}
