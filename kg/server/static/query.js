// The SPARQL query page: examples, editor, run, results as a table, download links.
// Plain JS, no libraries, no network but this server.
"use strict";
(function () {
  const config = JSON.parse(document.getElementById("kg-config").textContent);
  const $ = (id) => document.getElementById(id);
  const editor = $("query"), status = $("status"), results = $("results"), downloads = $("downloads");
  const prefixes = Object.entries(config.prefixes).map(([p, iri]) => `PREFIX ${p}: <${iri}>`).join("\n");
  const shortForms = Object.entries(config.prefixes).sort((a, b) => b[1].length - a[1].length);

  function defaultQuery() {
    return prefixes + "\n\nSELECT ?class (COUNT(?s) AS ?n)\nWHERE { ?s a ?class }\nGROUP BY ?class\nORDER BY DESC(?n)\nLIMIT 50\n";
  }

  // Examples from queries/*.rq
  const select = $("examples");
  config.examples.forEach((ex, i) => {
    const opt = document.createElement("option");
    opt.value = String(i);
    opt.textContent = ex.title;
    select.appendChild(opt);
  });
  select.addEventListener("change", () => {
    const ex = config.examples[Number(select.value)];
    $("example-description").textContent = ex ? ex.description : "";
    if (ex) editor.value = ex.query;
  });

  function shorten(iri) {
    for (const [p, ns] of shortForms) if (iri.startsWith(ns) && iri.length > ns.length) return p + ":" + iri.slice(ns.length);
    return iri;
  }

  // An entity IRI (…/id/{type}/{key}) or a report part's (…/id/document/{key}/sentence/{n})
  // has its page on this server; other IRIs link out.
  function localHref(iri) {
    if (!config.entity_base || !iri.startsWith(config.entity_base)) return iri;
    const rest = iri.slice(config.entity_base.length);
    const part = /^document\/[^\/]+\/(section|column|row|sentence|mention|assertion)\/\d+$/;
    return /^[a-z]+\/[^\/]+$/.test(rest) || part.test(rest) ? "/id/" + rest : iri;
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const a = document.createElement("a");
      a.href = localHref(term.value); a.textContent = shorten(term.value); a.title = term.value;
      td.appendChild(a);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else if (term.type === "triple") {
      td.textContent = "<< " + [term.value.subject, term.value.predicate, term.value.object].map((t) => t.value).join(" ") + " >>";
    } else {
      td.appendChild(document.createTextNode(term.value));
      const extra = term["xml:lang"] ? "@" + term["xml:lang"] : term.datatype ? "^^" + shorten(term.datatype) : "";
      if (extra) { const s = document.createElement("span"); s.className = term["xml:lang"] ? "lang" : "dt"; s.textContent = extra; td.appendChild(s); }
    }
    return td;
  }

  function renderTable(data) {
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    data.head.vars.forEach((v) => { const th = document.createElement("th"); th.textContent = "?" + v; head.appendChild(th); });
    const body = table.createTBody();
    data.results.bindings.forEach((b) => {
      const tr = body.insertRow();
      data.head.vars.forEach((v) => tr.appendChild(cell(b[v])));
    });
    results.appendChild(table);
    return data.results.bindings.length;
  }

  function renderDownloads(query, kind) {
    downloads.textContent = "Download: ";
    config.formats.filter((f) => f.kind === kind).forEach((f) => {
      const a = document.createElement("a");
      a.href = config.endpoint + "?" + new URLSearchParams({ query, format: f.name }).toString();
      a.download = "result." + f.extension;
      a.textContent = f.name.toUpperCase();
      a.title = f.media_type;
      downloads.appendChild(a);
    });
  }

  async function run(event) {
    if (event) event.preventDefault();
    const query = editor.value;
    const button = $("run");
    button.disabled = true;
    results.textContent = ""; downloads.textContent = "";
    status.className = ""; status.textContent = "Running…";
    const started = performance.now();
    history.replaceState(null, "", "?" + new URLSearchParams({ query }).toString());
    try {
      const response = await fetch(config.endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded",
                   "Accept": "application/sparql-results+json, application/n-triples;q=0.9, application/json;q=0.5" },
        body: new URLSearchParams({ query }).toString(),
      });
      const type = response.headers.get("content-type") || "";
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      if (!response.ok) {
        let message = await response.text();
        try { const err = JSON.parse(message); message = err.error + ": " + err.detail; } catch (e) { /* plain text */ }
        status.className = "error"; status.textContent = `${response.status} ${message}`;
        return;
      }
      if (type.startsWith("application/sparql-results+json")) {
        const data = await response.json();
        if ("boolean" in data) {
          status.textContent = `ASK: ${data.boolean} (${seconds} s)`;
          renderDownloads(query, "solutions");
        } else {
          const n = renderTable(data);
          status.textContent = `${n} result${n === 1 ? "" : "s"} in ${seconds} s`;
          renderDownloads(query, "solutions");
        }
      } else {
        const text = await response.text();
        const pre = document.createElement("pre"); pre.textContent = text; results.appendChild(pre);
        const n = text.split("\n").filter((l) => l.trim()).length;
        status.textContent = `${n} triple${n === 1 ? "" : "s"} in ${seconds} s`;
        renderDownloads(query, "graph");
      }
    } catch (e) {
      status.className = "error"; status.textContent = "The request failed: " + e;
    } finally {
      button.disabled = false;
    }
  }

  $("query-form").addEventListener("submit", run);
  editor.addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run(e); });

  const fromUrl = new URLSearchParams(location.search).get("query");
  editor.value = fromUrl || defaultQuery();
  if (fromUrl) run();
})();
