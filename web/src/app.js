// serai web app: route planner and network map over the serai HTTP API (same origin).
// Built with `npm run build` in web/ into serai/api/static/app.js (MapLibre GL JS bundled).
import * as maplibregl from "maplibre-gl";

maplibregl.setWorkerUrl(new URL("/static/maplibre-gl-worker.mjs", location.href).href);

const COLOURS = ["#0b5cad", "#d1495b", "#2a9d8f", "#e9a03b", "#6a4c93", "#3d405b", "#8ab17d", "#bc6c25"];
const MODE_COLOUR = { rail: "#222", road: "#9a9a9a", sea: "#5fa8d3", ferry: "#1d4e89", transfer: "#e07a1f" };
const $ = (sel) => document.querySelector(sel);
const state = { routes: [], selected: 0, vias: [] };

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
  const layerIds = { rail: ["net-rail"], road: ["net-road"], sea: ["net-sea"], ferry: ["net-ferry"], planned: ["net-planned"], borders: ["net-borders"], places: ["net-places"] }[name];
  await ensureNetwork(["borders", "places"].includes(name) ? name : "links");
  for (const id of layerIds) if (map.getLayer(id)) map.setLayoutProperty(id, "visibility", on ? "visible" : "none");
}
if (window.matchMedia("(max-width: 820px)").matches) $("#layers").open = false;  // phones: folded
document.querySelectorAll(".layers input").forEach((box) => {
  box.addEventListener("change", () => setLayer(box.dataset.layer, box.checked));
  if (box.checked) setLayer(box.dataset.layer, true);
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
      const yr = $("#year").value;
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
  const modes = (p.get("modes") || "").split(",").filter(Boolean);
  if (modes.length) document.querySelectorAll("input[name=modes]").forEach((x) => (x.checked = modes.includes(x.value)));
  return true;
}

// ------------------------------------------------------------------ routing
function status(text, error = false) { const s = $("#status"); s.textContent = text; s.className = error ? "error" : ""; }

async function run(pushUrl = true) {
  const q = readForm();
  if (!q.from || !q.to) { status("Give a place to start from and a destination.", true); return; }
  if (pushUrl) history.pushState(null, "", toURL(q));
  const body = {
    origin: q.from,
    destination: q.to, commodity: q.commodity, objective: q.objective,
    avoid_countries: q.avoid, avoid_passages: q.passages, via: q.via,
    ...(q.year ? { year: +q.year } : {}), ...(q.modes.length ? { modes: q.modes } : {}),
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

function showRoutes(routes) {
  state.routes = routes; state.selected = 0;
  const el = $("#results");
  if (!routes.length) { el.innerHTML = ""; drawRoutes(); return; }
  const unit = routes[0].unit;
  el.innerHTML = `<h2>${esc(routes[0].from)} → ${esc(routes[0].to)}</h2>
    <div class="cards">${routes.map((r, i) => `<button type="button" class="card" style="--c:${COLOURS[i % COLOURS.length]}" aria-pressed="${i === 0}" data-i="${i}">
      <b>${esc(r.corridor)}</b><span class="nums">${fmt(r.days, 1)} days · ${fmt(r.km)} km · USD ${fmt(r.usd)} per ${esc(unit)} · ${fmt(r.co2e_kg)} kg CO2e</span></button>`).join("")}</div>
    <div class="chart" id="chart"></div><h2 id="legs-title">Legs</h2><div id="legs"></div>`;
  el.querySelectorAll(".card").forEach((b) => b.addEventListener("click", () => select(+b.dataset.i)));
  drawChart(routes);
  select(0);
}

function select(i) {
  state.selected = i;
  document.querySelectorAll(".card").forEach((b) => b.setAttribute("aria-pressed", String(+b.dataset.i === i)));
  const r = state.routes[i];
  $("#legs-title").textContent = `Legs — ${r.corridor}`;
  $("#legs").innerHTML = `<table class="legs"><thead><tr><th>mode / event</th><th>from</th><th>to</th><th>country</th><th class="n">km</th><th class="n">hours</th><th class="n">USD</th><th class="n">kg CO2e</th></tr></thead><tbody>${r.legs.map((l) => `<tr class="${l.kind === "move" ? "" : "event"}"><td>${esc(l.kind === "move" ? l.mode : l.event || l.kind)}</td><td>${esc(l.from_name)}</td><td>${esc(l.to_name)}</td><td>${esc(l.country)}</td><td class="n">${l.km ? fmt(l.km) : ""}</td><td class="n">${fmt(l.hours, 1)}</td><td class="n">${fmt(l.usd)}</td><td class="n">${l.co2e_kg ? fmt(l.co2e_kg, 1) : ""}</td></tr>`).join("")}</tbody></table>`;
  drawRoutes();
}

function drawChart(routes) {
  // three small bar groups (days, USD, kg CO2e), one bar per route, each scaled to its own maximum
  const metrics = [["days", "days", 1], ["usd", "USD", 0], ["co2e_kg", "kg CO2e", 0]];
  const W = 380, rowH = 14, gap = 10, labelW = 60;
  const H = metrics.length * (routes.length * rowH + gap) + 4;
  let y = 2, svg = "";
  for (const [key, label, d] of metrics) {
    const max = Math.max(...routes.map((r) => r[key] || 0)) || 1;
    svg += `<text x="0" y="${y + rowH - 3}">${label}</text>`;
    routes.forEach((r, i) => {
      const w = ((r[key] || 0) / max) * (W - labelW - 70);
      svg += `<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${rowH - 3}" fill="${COLOURS[i % COLOURS.length]}"><title>${esc(r.corridor)}: ${fmt(r[key], d)} ${label}</title></rect><text x="${labelW + w + 4}" y="${y + rowH - 4}">${fmt(r[key], d)}</text>`;
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
    const r = await fetch("/api/commodities");
    if (r.ok) {
      const sel = $("#commodity");
      sel.innerHTML = (await r.json()).map((c) => `<option value="${esc(c.commodity)}">${esc(c.commodity.replaceAll("_", " "))} (${esc(c.unit)})</option>`).join("");
      sel.value = sel.dataset.want || "container_feu";
    }
  } catch (e) { /* the form still works with the default */ }
  if (fromLink) run(false);
})();
