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
    // the inputs are element ids; the URL and the API use each input's name (from, to, field)
    flows: { title: "Flows: co-owned patents between countries or groups",
      inputs: ["from", "to", "flow_field", "by_year"] },
    brokers: { title: "Brokers between two fields, themes or sides",
      inputs: ["broker_a", "broker_b", "broker_from", "broker_to", "broker_field"],
      ready: (q) => (q.get("a") && q.get("b")) || (q.get("from") && q.get("to")),
      hint: "Give fields or themes A and B, or two sides From and To, and press Show." },
  };
  // OpenAlex's 26 research fields (the API's field inputs take them; the search index does not
  // list them, so they are suggested from here) and the bundled themes (docs/cooperation.md)
  const RESEARCH_FIELDS = ["Agricultural and Biological Sciences", "Arts and Humanities",
    "Biochemistry, Genetics and Molecular Biology", "Business, Management and Accounting",
    "Chemical Engineering", "Chemistry", "Computer Science", "Decision Sciences",
    "Earth and Planetary Sciences", "Economics, Econometrics and Finance", "Energy", "Engineering",
    "Environmental Science", "Immunology and Microbiology", "Materials Science", "Mathematics",
    "Medicine", "Neuroscience", "Nursing", "Pharmacology, Toxicology and Pharmaceutics",
    "Physics and Astronomy", "Psychology", "Social Sciences", "Veterinary", "Dentistry",
    "Health Professions"];
  const THEMES = ["AI", "agriculture", "digital security", "energy and renewables", "health",
    "climate", "water", "microelectronics", "telecom"];
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
    if (e.label === "TechnologyField" || e.label === "CPCClass" || e.label === "ResearchField") {
      return el("a", { href: viewUrl("field", { field: e.id }) }, e.name);
    }
    return el("span", {}, e.name);
  }

  function table(caption, headers, rows, attrs) {
    return el("table", attrs || {}, el("caption", {}, caption),
      el("thead", {}, el("tr", {}, headers.map((h) =>
        el("th", { scope: "col", class: /^(#|A|B|patents|works|co-owned|count|partners|score)$/.test(h) ? "num" : null }, h)))),
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
    // the filters this view does not take are hidden (and disabled: not in the URL)
    for (const name of FILTERS) {
      const off = !applies(name, view);
      document.getElementById(name).disabled = off;
      document.getElementById(name).hidden = off;
      document.querySelector(`label[for=${name}]`).hidden = off;
    }
    for (const hint of document.querySelectorAll(".side-hint")) hint.hidden = !["flows", "brokers"].includes(view);
    for (const a of document.querySelectorAll("nav a[data-view]")) {
      if (a.dataset.view === view) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    document.title = `${VIEWS[view].title} — ttkg explorer`;
  }

  function fillForm({ view, q }) {
    showView(view);
    for (const id of [...VIEWS[view].inputs, ...FILTERS]) {
      const input = document.getElementById(id);
      if (!input) continue;
      if (input.type === "checkbox") input.checked = q.get(input.name) === "true";
      else if (q.has(input.name)) input.value = q.get(input.name);
    }
  }

  function formParams(view) {
    const params = {};
    for (const id of [...VIEWS[view].inputs, ...FILTERS.filter((n) => applies(n, view))]) {
      const input = document.getElementById(id);
      const value = input.type === "checkbox" ? (input.checked ? "true" : "") : (input.value || "").trim();
      if (value) params[input.name] = value;
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

  // which files a view downloads as (flows and brokers have no subgraph: no GraphML)
  function showDownloads() {
    const formats = (current && current.formats) || ["csv", "json", "graphml"];
    for (const button of document.querySelectorAll("#downloads button")) {
      button.hidden = !formats.includes(button.dataset.ext);
    }
    $("#downloads").hidden = !current;
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


  // -- flows and brokers: cooperation between countries or groups -------------------------------
  const fmt = (n) => n.toLocaleString("en");
  const yearsText = (list) => list.map((y) => `${y.year ?? "no date"}: ${y.patents}${y.partial ? " (partial)" : ""}`).join(", ");

  // one side of a flow as the API echoed it: each group with its members, then lone countries
  function side(label, id, countries, groups, kinds) {
    const inGroups = new Set(groups.flatMap((g) => g.members));
    const alone = countries.filter((c) => !inGroups.has(c));
    return el("li", { id },
      el("strong", {}, label), " ",
      groups.map((g) => el("span", { class: "group", "data-group": g.code },
        `${g.code} — ${g.name}: ${g.members.length} countries (${g.members.join(", ")}; source: ${g.source}${g.as_of ? ", as of " + g.as_of : ""}) `)),
      alone.length ? alone.join(", ") : (groups.length ? "" : "any country"),
      kinds.length ? ` · kinds: ${kinds.join(", ")}` : " · any kind");
  }

  function selections(list) {
    return list.map((f) => `${f.name} (${f.kind}${f.parts.length && f.kind === "theme"
      ? ": " + f.parts.map((x) => x.value || x.name).join(", ") : ""})`).join("; ");
  }

  const add = (...nodes) => results.append(...nodes.filter((n) => n !== null && n !== undefined));

  function notes(list) {
    return el("ul", { id: "notes", class: "notes" }, list.map((n) => el("li", {}, n)));
  }

  // a work cited as evidence: its DOI page, else its OpenAlex page
  function workLink(x) {
    const href = x.doi ? `https://doi.org/${x.doi}` : `https://openalex.org/${x.id.replace(/^work:/, "")}`;
    return el("a", { href, target: "_blank", rel: "noopener noreferrer", title: x.title || "",
      "data-work": x.id }, x.year ? `${x.title || x.id} (${x.year})` : (x.title || x.id));
  }

  function workEvidence(ev) {
    const cell = el("td", { class: "evidence" }, ev.works.map((x) => el("span", { class: "work" }, workLink(x))));
    const more = ev.total - ev.works.length;
    if (more > 0) cell.append(`+${more} more`);
    return cell;
  }

  // the works half of a flow: co-authored works (OpenAlex) beside co-owned patents
  function coAuthored(w, byYear) {
    const worksYears = (list) => list.map((y) => `${y.year ?? "no date"}: ${y.works}`).join(", ");
    return [
      el("h3", { id: "works" }, "Co-authored works"),
      el("p", { id: "works-total", class: "total" },
        el("strong", { "data-works": w.works }, fmt(w.works)),
        ` co-authored work${w.works === 1 ? "" : "s"} (OpenAlex) between the two sides, `,
        el("span", { "data-pairs": w.total_organization_pairs }, fmt(w.total_organization_pairs)),
        " organisation pairs"),
      w.works ? table(`Co-authored works per country pair — ${w.country_pairs.length}`,
        ["from", "to", "works", "organisation pairs", ...(byYear ? ["per year"] : [])],
        w.country_pairs.map((c) => el("tr", { "data-id": `${c.country} ${c.partner_country}` },
          el("td", {}, c.country ?? "?"), el("td", {}, c.partner_country ?? "?"), num(c.works),
          num(c.organization_pairs), byYear ? el("td", {}, worksYears(c.by_year)) : null)),
        { id: "works-country-pairs" }) : null,
      w.works ? table(`Top organisation pairs by co-authored works — ${w.organization_pairs.length} of ${fmt(w.total_organization_pairs)}`,
        ["#", "from", "to", "works", "years", "evidence"],
        w.organization_pairs.map((x, i) => el("tr", { "data-id": x.organizations.map((o) => o.id).join(" ") },
          el("td", { class: "num" }, i + 1), el("td", {}, orgLink(x.organizations[0])),
          el("td", {}, orgLink(x.organizations[1])), num(x.works),
          el("td", {}, x.first_year === x.last_year ? String(x.first_year ?? "") : `${x.first_year}–${x.last_year}`),
          workEvidence(x.evidence))),
        { id: "works-org-pairs" }) : null,
    ];
  }

  Object.assign(render, {
    async flows(q) {
      const byYear = q.get("by_year") === "true";
      const params = { from: q.get("from"), to: q.get("to"), field: q.get("field"),
        ...filterParams(q, "flows"), by_year: byYear ? "true" : null, limit: 20, evidence: 3 };
      const r = await api("/flows", params);
      current = { path: "/flows", params, name: "flows", formats: ["csv", "json"] };
      const f = r.filters;
      const names = Object.fromEntries(r.fields.map((x) => [x.id, x.name]));
      add(
        el("h2", {}, `${q.get("from")} → ${q.get("to")}`),
        el("ul", { class: "sides" },
          side("From:", "side-from", f.countries, f.country_groups, f.kinds),
          side("To:", "side-to", f.partner_countries, f.partner_country_groups, f.partner_kinds),
          el("li", {}, el("strong", {}, "Fields: "), r.fields.length ? selections(r.fields) : "any field",
            f.years ? ` · years ${f.years[0] ?? ""}-${f.years[1] ?? ""}` : "")),
        el("p", { id: "flow-total", class: "total" },
          el("strong", { "data-patents": r.patents }, fmt(r.patents)),
          ` co-owned patent${r.patents === 1 ? "" : "s"} between the two sides, `,
          el("span", { "data-pairs": r.total_organization_pairs }, fmt(r.total_organization_pairs)),
          " organisation pairs · ",
          el("a", { href: viewUrl("brokers", Object.fromEntries(Object.entries({ from: q.get("from"),
            to: q.get("to"), field: q.get("field") || "" }).filter(([, v]) => v))) },
          "who brokers between these sides")),
        r.patents < 5 ? el("p", { class: "thin", role: "note" }, r.patents === 0
          ? "No co-owned patent between the two sides in this data. What the data holds:"
          : "The data holds few co-owned patents between these sides; read the counts with care:") : null,
        notes(r.notes));
      if (r.by_year.length) {
        const partial = r.by_year.filter((y) => y.partial).map((y) => y.year);
        add(el("h3", {}, "Co-owned patents by grant year"),
          el("div", { id: "flow-chart", role: "img", "aria-label": "Co-owned patents by year: " + yearsText(r.by_year) }),
          partial.length ? el("p", { class: "hint" }, `${partial.join(", ")} is partial: the data stops at ${r.coverage.last_grant} (lighter bar).`) : null);
        drawYears($("#flow-chart"), r.by_year);
      } else if (!byYear && r.patents) {
        add(el("p", {}, el("a", { href: viewUrl("flows", { ...Object.fromEntries(q), by_year: "true" }) },
          "Show by year")));
      }
      const fieldCols = r.fields.length > 0;
      const w = r.co_authored;
      if (r.patents) add(
        table(`Per country pair — ${r.country_pairs.length}`,
          ["from", "to", "patents", "organisation pairs", ...(fieldCols ? ["per field"] : []), ...(byYear ? ["per year"] : [])],
          r.country_pairs.map((c) => el("tr", { "data-id": `${c.country} ${c.partner_country}` },
            el("td", {}, c.country ?? "?"), el("td", {}, c.partner_country ?? "?"), num(c.patents),
            num(c.organization_pairs),
            fieldCols ? el("td", {}, Object.entries(c.by_field).map(([k, v]) => `${names[k] || k}: ${v}`).join(", ")) : null,
            byYear ? el("td", {}, yearsText(c.by_year)) : null)),
          { id: "country-pairs" }),
        r.by_field.length ? table("Per field or theme", ["field", "kind", "patents", ...(w ? ["works"] : []), ...(byYear ? ["per year"] : [])],
          r.by_field.map((x) => el("tr", { "data-id": x.field.id }, el("td", {}, x.field.name),
            el("td", {}, x.field.kind), num(x.patents),
            w ? (x.works === null ? el("td", { class: "num", title: "no research field is mapped to it" }, "–") : num(x.works)) : null,
            byYear ? el("td", {}, yearsText(x.by_year)) : null)),
          { id: "flow-fields" }) : null,
        table(`Top organisation pairs — ${r.organization_pairs.length} of ${fmt(r.total_organization_pairs)}`,
          ["#", "from", "to", "patents", "years", "evidence"],
          r.organization_pairs.map((x, i) => el("tr", { "data-id": x.organizations.map((o) => o.id).join(" ") },
            el("td", { class: "num" }, i + 1), el("td", {}, orgLink(x.organizations[0])),
            el("td", {}, orgLink(x.organizations[1])), num(x.patents),
            el("td", {}, x.first_year === x.last_year ? String(x.first_year ?? "") : `${x.first_year}–${x.last_year}`),
            evidence(x.evidence))),
          { id: "org-pairs" }));
      if (w) add(...coAuthored(w, byYear));
      if (!r.patents && !(w && w.works)) {
        return w ? "0 co-owned patents and 0 co-authored works between the two sides"
          : "0 co-owned patents between the two sides";
      }
      return `${fmt(r.patents)} co-owned patents, ${fmt(r.total_organization_pairs)} organisation pairs` +
        (w ? `; ${fmt(w.works)} co-authored works` : "");
    },

    async brokers(q) {
      const params = { a: q.get("a"), b: q.get("b"), from: q.get("from"), to: q.get("to"),
        field: q.get("field"), ...filterParams(q, "brokers"), limit: 20, evidence: 2 };
      const r = await api("/brokers", params);
      current = { path: "/brokers", params, name: "brokers", formats: ["csv", "json"] };
      const f = r.filters, m = r.method;
      const A = r.side_a.length ? r.side_a.map((x) => x.name).join(", ") : q.get("from") || "any";
      const B = r.side_b.length ? r.side_b.map((x) => x.name).join(", ") : q.get("to") || "any";
      add(el("h2", {}, `Brokers between ${A} (A) and ${B} (B)`),
        r.mode === "countries" ? el("ul", { class: "sides" },
          side("A:", "side-from", f.countries, f.country_groups, f.kinds),
          side("B:", "side-to", f.partner_countries, f.partner_country_groups, f.partner_kinds),
          el("li", {}, el("strong", {}, "Network: "), r.fields.length ? selections(r.fields) : "co-owned patents in any field")) : null,
        el("p", { id: "method" }, `Score: ${m.measure}; ${m.exact ? "exact" : m.how}; `,
          `${fmt(m.a_organizations)} organisations in A, ${fmt(m.b_organizations)} in B, `,
          `network of ${fmt(m.network_organizations)} organisations and ${fmt(m.network_links)} links.`),
        r.brokers.length ? null : el("p", { id: "brokers-note", class: "thin", role: "note" },
          `No broker in this data: ${r.note || "no organisation lies on a path between the two ends"}.`),
        table(`Organisations ranked by brokerage — ${r.brokers.length}`,
          ["#", "organisation", "score", "in", "path from A to B, every hop with its patents"],
          r.brokers.map((x, i) => el("tr", { "data-id": x.organization.id, "data-path": x.path.map((o) => o.id).join(" ") },
            el("td", { class: "num" }, i + 1), el("td", {}, orgLink(x.organization)),
            el("td", { class: "num" }, x.score.toFixed(1) + (x.standard_error ? ` ± ${x.standard_error.toFixed(1)}` : "")),
            el("td", {}, [x.in_a ? "A" : "", x.in_b ? "B" : ""].filter(Boolean).join(", ") || "neither"),
            el("td", {}, el("ol", { class: "hops" }, x.hops.map((h) => el("li", {},
              orgLink(h.source), " — ", orgLink(h.target), ": ", h.evidence.patents.map(patentLink),
              h.evidence.total > h.evidence.patents.length ? `+${h.evidence.total - h.evidence.patents.length} more` : "")))))),
          { id: "brokers" }));
      return r.brokers.length ? `${r.brokers.length} brokers` : "No broker";
    },
  });

  // -- pictures -----------------------------------------------------------------------------
  function drawYears(box, byYear) {
    const dated = byYear.filter((y) => y.year !== null);
    if (!dated.length || !window.uPlot) return;
    const years = dated.map((y) => y.year);
    const full = dated.map((y) => (y.partial ? null : y.patents));
    const partial = dated.map((y) => (y.partial ? y.patents : null));
    new uPlot({
      width: Math.max(320, Math.min(box.clientWidth || 800, 1100)), height: 220,
      scales: { x: { time: false, range: (u, min, max) => [min - 0.6, max + 0.6] },
        y: { range: (u, min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] } },
      axes: [{ values: (u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : "")) },
        { values: (u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : "")) }],
      series: [{ label: "year" },
        { label: "co-owned patents", stroke: "#0550ae", fill: "rgba(5,80,174,.35)",
          paths: uPlot.paths.bars({ size: [0.7, 40] }), points: { show: false } },
        { label: "partial year", stroke: "#9a6700", dash: [4, 3], fill: "rgba(154,103,0,.15)",
          paths: uPlot.paths.bars({ size: [0.7, 40] }), points: { show: false } }],
    }, [years, full, partial], box);
  }

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
    const listId = input.getAttribute("list");
    if (listId === "group-suggestions") return; // a fixed list in the page
    // a comma-separated list (flows, brokers): suggest for its last item
    const many = listId === "selection-suggestions";
    const items = input.value.split(",");
    const text = (many ? items[items.length - 1] : input.value).trim();
    if (text.length < 2) return;
    const prefix = many ? items.slice(0, -1).map((s) => s.trim() + ",").join("") : "";
    const fields = listId !== "suggestions";
    const matching = (names) => names.filter((n) => n.toLowerCase().includes(text.toLowerCase()));
    timer = setTimeout(async () => {
      try {
        const params = { q: text, limit: 8 };
        if (fields) params.label = ["TechnologyField", "CPCClass"];
        const r = await api("/entities", params);
        const list = document.getElementById(listId);
        list.replaceChildren(
          ...(many ? matching(THEMES).map((t) => el("option", { value: prefix + t }, "theme")) : []),
          ...(fields ? matching(RESEARCH_FIELDS).map((n) => el("option", { value: prefix + n }, "research field (OpenAlex)")) : []),
          ...r.hits.map((h) => el("option", { value: prefix + h.entity.name }, h.entity.label)));
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
    const needed = VIEWS[state.view].inputs.map((id) => document.getElementById(id))
      .filter((input) => input.required);
    const ready = VIEWS[state.view].ready || ((q) => needed.every((input) => q.get(input.name)));
    if (!ready(state.q)) {
      status.textContent = VIEWS[state.view].hint || "Fill in the form and press Show.";
      return;
    }
    status.textContent = "Loading…";
    document.body.dataset.state = "loading";
    try {
      status.textContent = await render[state.view](state.q);
      showDownloads();
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
