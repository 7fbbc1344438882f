// ttkg explorer: plain JavaScript over the HTTP API (no build step). The state of a view is
// its URL (?view=...&...), so every view can be shared; the page only reads the API.
(() => {
  "use strict";

  const KINDS = ["university", "company", "government", "hospital", "nonprofit", "individual",
    "other"];
  // the API's filter names; each view sends those its routes take (data-views in the page)
  const FILTERS = ["years", "country", "kind", "partner_country", "partner_kind"];
  const VIEWS = {
    search: { title: "Search", inputs: ["q"] },
    organization: { title: "Organisation", inputs: ["org"] },
    field: { title: "Field profile", inputs: ["field"] },
    bridges: { title: "Bridges between two fields", inputs: ["a", "b"] },
    paths: { title: "Paths between two entities", inputs: ["source", "target", "via", "k",
      "max_hops"] },
  };
  const $ = (sel) => document.querySelector(sel);
  const results = $("#results");
  const status = $("#status");
  let current = null; // the API request behind the view: {path, params, name}

  // -- small DOM helpers --------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k.startsWith("data")) node.setAttribute(k.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase()), v);
      else node.setAttribute(k, v);
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : String(c));
    }
    return node;
  }
  const viewUrl = (view, params) => "/?" + new URLSearchParams({ view, ...params }).toString();

  function patentLink(p) {
    return el("a", {
      href: `https://patents.google.com/patent/US${p.number}`, target: "_blank",
      rel: "noopener noreferrer", title: p.title || "", "data-patent": p.number,
    }, p.year ? `${p.number} (${p.year})` : p.number);
  }

  function evidence(ev) {
    const cell = el("td", { class: "evidence" }, ev.patents.map(patentLink));
    const more = ev.total - ev.patents.length;
    if (more > 0) cell.append(`+${more} more`);
    return cell;
  }

  function orgLink(o) {
    const about = [o.kind, o.country].filter(Boolean).join(", ");
    return el("span", {}, el("a", { href: viewUrl("organization", { org: o.id }) }, o.name),
      about ? ` (${about})` : "");
  }

  function entityLink(e) {
    if (e.label === "Organization") return el("a", { href: viewUrl("organization", { org: e.id }) }, e.name);
    if (e.label === "TechnologyField" || e.label === "CPCClass") {
      return el("a", { href: viewUrl("field", { field: e.id }) }, e.name);
    }
    return el("span", {}, e.name);
  }

  function table(caption, headers, rows, attrs) {
    return el("table", attrs || {}, el("caption", {}, caption),
      el("thead", {}, el("tr", {}, headers.map((h) =>
        el("th", { scope: "col", class: /^(#|A|B|patents|co-owned|count|partners|score)$/.test(h) ? "num" : null }, h)))),
      el("tbody", {}, rows));
  }
  const num = (n) => el("td", { class: "num" }, n.toLocaleString("en"));

  // -- state: the form <-> the URL -------------------------------------------------------------
  function stateFromUrl() {
    const q = new URLSearchParams(location.search);
    const view = VIEWS[q.get("view")] ? q.get("view") : "search";
    return { view, q };
  }

  function showView(view) {
    $("#view-title").textContent = VIEWS[view].title;
    for (const row of document.querySelectorAll("[data-for]")) {
      const on = row.dataset.for === view;
      row.hidden = !on;
      for (const input of row.querySelectorAll("input, select")) input.disabled = !on;
    }
    for (const name of FILTERS) document.getElementById(name).disabled = !applies(name, view);
    for (const a of document.querySelectorAll("nav a[data-view]")) {
      if (a.dataset.view === view) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    document.title = `${VIEWS[view].title} — ttkg explorer`;
  }

  function fillForm({ view, q }) {
    showView(view);
    for (const name of [...VIEWS[view].inputs, ...FILTERS]) {
      const input = document.getElementById(name);
      if (input && q.has(name)) input.value = q.get(name);
    }
  }

  function formParams(view) {
    const params = {};
    for (const name of [...VIEWS[view].inputs, ...FILTERS.filter((n) => applies(n, view))]) {
      const value = (document.getElementById(name).value || "").trim();
      if (value) params[name] = value;
    }
    return params;
  }

  const applies = (name, view) => document.getElementById(name).dataset.views.split(" ").includes(view);

  function filterParams(q, view) {
    const p = {};
    for (const name of FILTERS) if (q.get(name) && applies(name, view)) p[name] = q.get(name);
    for (const name of ["country", "partner_country"]) if (p[name]) p[name] = p[name].toUpperCase();
    return p;
  }

  // -- the API ------------------------------------------------------------------------------
  function apiUrl(path, params) {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      for (const item of Array.isArray(v) ? v : [v]) if (item !== "" && item != null) search.append(k, item);
    }
    return `${path}?${search}`;
  }

  async function api(path, params, accept = "application/json") {
    const response = await fetch(apiUrl(path, params), { headers: { Accept: accept } });
    if (!response.ok) {
      let detail = response.statusText;
      try { detail = (await response.json()).detail || detail; } catch (e) { /* not JSON */ }
      throw new Error(`${response.status}: ${detail}`);
    }
    return accept === "application/json" ? response.json() : response.blob();
  }

  async function download(button) {
    if (!current) return;
    const blob = await api(current.path, current.params, button.dataset.accept);
    const a = el("a", { href: URL.createObjectURL(blob), download: `${current.name}.${button.dataset.ext}` });
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  // -- views --------------------------------------------------------------------------------
  const render = {
    async search(q) {
      const params = { q: q.get("q"), limit: 25 };
      const r = await api("/entities", params);
      current = { path: "/entities", params, name: "search" };
      results.append(table(`${r.hits.length} matches for “${r.query}”`,
        ["#", "name", "type", "id", "match", "score"],
        r.hits.map((h, i) => el("tr", { "data-id": h.entity.id }, el("td", { class: "num" }, i + 1),
          el("td", {}, entityLink(h.entity)), el("td", {}, h.entity.label), el("td", {}, h.entity.id),
          el("td", {}, h.match), el("td", { class: "num" }, h.score.toFixed(2)))),
        { id: "search-results" }));
      return `${r.hits.length} matches`;
    },

    async organization(q) {
      const org = q.get("org");
      const f = filterParams(q, "organization");
      const path = `/organizations/${encodeURIComponent(org)}/overview`;
      const [o, p] = await Promise.all([
        api(path, f),
        api(`/organizations/${encodeURIComponent(org)}/partners`, { ...f, limit: 25, evidence: 3 }),
      ]);
      current = { path, params: f, name: "organization" };
      const who = o.organization;
      results.append(el("h2", {}, who.name),
        el("p", {}, [who.kind, who.country].filter(Boolean).join(", "), " · ",
          `${o.patents.toLocaleString("en")} patents`,
          who.ror_id ? [" · ", el("a", { href: who.ror_id, target: "_blank", rel: "noopener" }, who.ror_id)] : "",
          " · ", el("a", { href: viewUrl("paths", { source: who.id }) }, "paths from here")),
        el("h3", {}, "Patents by grant year"),
        el("div", { id: "timeline", role: "img",
          "aria-label": "Patents by year: " + o.timeline.map((y) => `${y.year}: ${y.count}`).join(", ") }));
      drawTimeline(o.timeline);
      results.append(el("div", { class: "grid" },
        table("Fields", ["field", "patents"], o.fields.map((r) => el("tr", { "data-id": r.entity.id },
          el("td", {}, entityLink(r.entity)), num(r.count)))),
        table("Co-owners' countries", ["country", "partners"], o.partner_countries.map((r) =>
          el("tr", { "data-id": r.entity.id }, el("td", {}, r.entity.name), num(r.count))))),
      table(`Partners (co-owners) — ${p.total} found`, ["#", "partner", "co-owned", "evidence"],
        p.partners.map((x, i) => el("tr", { "data-id": x.organization.id }, el("td", { class: "num" }, i + 1),
          el("td", {}, orgLink(x.organization)), num(x.count), evidence(x.evidence))),
        { id: "partners" }));
      return `${who.name}: ${o.patents} patents, ${p.total} partners`;
    },

    async field(q) {
      const field = q.get("field");
      const path = `/fields/${encodeURIComponent(field)}/profile`;
      const params = { ...filterParams(q, "field"), limit: 15 };
      const r = await api(path, params);
      current = { path, params, name: "profile" };
      const rows = (list) => list.map((x, i) => el("tr", { "data-id": x.entity.id },
        el("td", { class: "num" }, i + 1), el("td", {}, entityLink(x.entity)), num(x.count)));
      results.append(el("h2", {}, r.field.name),
        el("p", {}, `${r.patents.toLocaleString("en")} patents · `,
          el("a", { href: viewUrl("bridges", { a: r.field.name }) }, "bridges to another field")),
        el("div", { class: "grid" },
          table("Top organisations", ["#", "organisation", "patents"], rows(r.organizations)),
          table("Top countries", ["#", "country", "patents"], rows(r.countries)),
          table("Co-occurring fields", ["#", "field", "patents"], rows(r.cooccurring_fields))));
      return `${r.field.name}: ${r.patents} patents`;
    },

    async bridges(q) {
      const params = { field_a: q.get("a"), field_b: q.get("b"), ...filterParams(q, "bridges"),
        limit: 20, evidence: 3 };
      const r = await api("/bridges", params);
      current = { path: "/bridges", params, name: "bridges" };
      const A = r.field_a.name, B = r.field_b.name;
      results.append(
        table(`Organisations active in both ${A} (A) and ${B} (B) — ${r.total_direct} found`,
          ["#", "organisation", "A", "B", "evidence A", "evidence B"],
          r.direct.map((d, i) => el("tr", { "data-id": d.organization.id },
            el("td", { class: "num" }, i + 1), el("td", {}, orgLink(d.organization)), num(d.count_a),
            num(d.count_b), evidence(d.evidence.a), evidence(d.evidence.b))),
          { id: "direct" }),
        table(`Partnerships: co-owners, one active in A, the other in B — ${r.total_partnerships} found`,
          ["#", "active in A", "active in B", "co-owned", "evidence"],
          r.partnerships.map((p, i) => el("tr", { "data-id": p.organizations.map((o) => o.id).join(" ") },
            el("td", { class: "num" }, i + 1), el("td", {}, orgLink(p.organizations[0])),
            el("td", {}, orgLink(p.organizations[1])), num(p.count), evidence(p.evidence))),
          { id: "partnerships" }));
      return `${r.total_direct} direct bridges, ${r.total_partnerships} partnerships`;
    },

    async paths(q) {
      const via = (q.get("via") || "").split(",").map((s) => s.trim()).filter(Boolean);
      const params = { source: q.get("source"), target: q.get("target"), via,
        k: q.get("k") || 3, max_hops: q.get("max_hops") || 4, evidence: 3 };
      const r = await api("/paths", params);
      current = { path: "/paths", params, name: "paths" };
      results.append(el("p", {}, "Every hop lists the patents behind it (paths take no filters)."),
        el("div", { id: "network", role: "img",
          "aria-label": `Network drawing of ${r.paths.length} paths from ${r.source.name} to ${r.target.name}; the same paths are listed below` }));
      const list = el("ol", { id: "path-list" });
      r.paths.forEach((path, i) => {
        list.append(el("li", { "data-path": i + 1 }, `Path ${i + 1} (${path.length} hop${path.length === 1 ? "" : "s"})`,
          el("ol", { class: "hops" }, path.hops.map((h) => el("li", { "data-hop": `${h.source.id} ${h.relation} ${h.target.id}` },
            entityLink(h.source), " ", el("span", { class: "rel" }, h.forward ? `-[${h.relation}]->` : `<-[${h.relation}]-`),
            " ", entityLink(h.target),
            h.evidence.total ? [` · ${h.evidence.total} patent(s): `, h.evidence.patents.map(patentLink),
              h.evidence.total > h.evidence.patents.length ? `+${h.evidence.total - h.evidence.patents.length} more` : ""] : "")))));
      });
      results.append(list);
      drawNetwork(r);
      return `${r.paths.length} paths from ${r.source.name} to ${r.target.name}`;
    },
  };

  // -- pictures -----------------------------------------------------------------------------
  function drawTimeline(timeline) {
    const box = $("#timeline");
    if (!timeline.length || !window.uPlot) return;
    const years = timeline.map((y) => y.year), counts = timeline.map((y) => y.count);
    new uPlot({
      width: Math.max(320, Math.min(box.clientWidth || 800, 1100)), height: 220,
      scales: { x: { time: false, range: (u, min, max) => [min - 0.6, max + 0.6] } },
      axes: [{ values: (u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : "")) }, {}],
      series: [{ label: "year" }, { label: "patents", stroke: "#0550ae", fill: "rgba(5,80,174,.35)",
        paths: uPlot.paths.bars({ size: [0.7, 40] }), points: { show: false } }],
    }, [years, counts], box);
  }

  const COLORS = { Organization: "#0550ae", TechnologyField: "#1a7f37", Country: "#9a6700",
    Patent: "#8250df" };

  function pathPositions(r) {
    const positions = {};
    const longest = Math.max(1, ...r.paths.map((p) => p.length));
    r.paths.forEach((path, row) => {
      path.nodes.forEach((n, col) => {
        if (positions[n.id]) return;
        const end = n.id === r.source.id || n.id === r.target.id;
        const x = n.id === r.target.id ? longest : (col / path.length) * longest;
        // the two ends on top, so that a direct hop does not cross the other paths
        positions[n.id] = { x: x * 260, y: (end ? 0 : row + 1) * 110 };
      });
    });
    return positions;
  }

  function drawNetwork(r) {
    if (!window.cytoscape) return;
    const nodes = new Map(), edges = new Map();
    for (const path of r.paths) {
      for (const n of path.nodes) nodes.set(n.id, n);
      for (const h of path.hops) {
        const [s, t] = h.forward ? [h.source.id, h.target.id] : [h.target.id, h.source.id];
        edges.set(`${s} ${h.relation} ${t}`, { s, t, h });
      }
    }
    const cy = cytoscape({
      container: $("#network"),
      elements: [
        ...[...nodes.values()].map((n) => ({ data: { id: n.id, name: n.name, label: n.label,
          color: COLORS[n.label] || "#57606a", end: n.id === r.source.id || n.id === r.target.id ? 1 : 0 } })),
        ...[...edges.entries()].map(([id, e]) => ({ data: { id, source: e.s, target: e.t,
          label: `${e.h.relation} · ${e.h.evidence.total || e.h.weight}` } })),
      ],
      style: [
        { selector: "node", style: { label: "data(name)", "background-color": "data(color)",
          "font-size": 11, "text-wrap": "wrap", "text-max-width": 150, "text-valign": "bottom",
          "text-margin-y": 4, width: 22, height: 22 } },
        { selector: "node[end = 1]", style: { width: 34, height: 34, "border-width": 3, "border-color": "#f0b400" } },
        { selector: "edge", style: { label: "data(label)", "font-size": 9, width: 2, "line-color": "#8c959f",
          "target-arrow-shape": "triangle", "target-arrow-color": "#8c959f", "curve-style": "bezier",
          "text-rotation": "autorotate", "text-background-color": "#fff", "text-background-opacity": 0.85 } },
      ],
      // columns are hops from the source, rows are paths: each path reads left to right
      layout: { name: "preset", positions: pathPositions(r), fit: true, padding: 40 },
    });
    cy.on("tap", "node", (evt) => {
      const n = evt.target.data();
      if (n.label === "Organization") location.href = viewUrl("organization", { org: n.id });
      else if (n.label === "TechnologyField") location.href = viewUrl("field", { field: n.id });
    });
    window.ttkgNetwork = cy; // for the tests and the console
  }

  // -- suggestions --------------------------------------------------------------------------
  let timer = null;
  function suggest(input) {
    clearTimeout(timer);
    const text = input.value.trim();
    if (text.length < 2) return;
    const fields = input.getAttribute("list") === "field-suggestions";
    timer = setTimeout(async () => {
      try {
        const params = { q: text, limit: 8 };
        if (fields) params.label = ["TechnologyField", "CPCClass"];
        const r = await api("/entities", params);
        const list = document.getElementById(input.getAttribute("list"));
        list.replaceChildren(...r.hits.map((h) => el("option", { value: h.entity.name }, h.entity.label)));
      } catch (e) { /* suggestions are a convenience */ }
    }, 200);
  }

  // -- wiring -------------------------------------------------------------------------------
  async function show() {
    const state = stateFromUrl();
    fillForm(state);
    results.replaceChildren();
    $("#downloads").hidden = true;
    current = null;
    status.className = "";
    const needed = VIEWS[state.view].inputs.filter((n) => document.getElementById(n).required);
    if (needed.some((n) => !state.q.get(n))) {
      status.textContent = "Fill in the form and press Show.";
      return;
    }
    status.textContent = "Loading…";
    document.body.dataset.state = "loading";
    try {
      status.textContent = await render[state.view](state.q);
      $("#downloads").hidden = false;
      document.body.dataset.state = "ready";
    } catch (e) {
      status.textContent = e.message;
      status.className = "error";
      document.body.dataset.state = "error";
    }
  }

  function init() {
    for (const select of [$("#kind"), $("#partner_kind")]) {
      for (const k of KINDS) select.append(el("option", { value: k }, k));
    }
    $("#query").addEventListener("submit", (evt) => {
      evt.preventDefault();
      const { view } = stateFromUrl();
      history.pushState(null, "", viewUrl(view, formParams(view)));
      show();
      $("#main").focus();
    });
    for (const input of document.querySelectorAll("input[list]")) {
      input.addEventListener("input", () => suggest(input));
    }
    for (const button of document.querySelectorAll("#downloads button")) {
      button.addEventListener("click", () => download(button).catch((e) => {
        status.textContent = e.message; status.className = "error";
      }));
    }
    window.addEventListener("popstate", show);
    show();
  }

  init();
})();
