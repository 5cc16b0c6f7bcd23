// The API reference: renders /openapi.json as a list of routes and parameters. No CDN.
"use strict";
(async function () {
  const config = JSON.parse(document.getElementById("kg-config").textContent);
  const main = document.getElementById("api");
  const el = (tag, text, cls) => { const e = document.createElement(tag); if (text) e.textContent = text; if (cls) e.className = cls; return e; };
  try {
    const spec = await (await fetch(config.openapi)).json();
    main.textContent = "";
    main.appendChild(el("h2", `${spec.info.title} ${spec.info.version}`));
    if (spec.info.description) main.appendChild(el("p", spec.info.description));
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const section = el("section", null, "route");
        section.appendChild(el("h3", `${method.toUpperCase()} ${path}`));
        if (op.summary) section.appendChild(el("p", op.summary));
        if (op.description) section.appendChild(el("pre", op.description));
        const params = op.parameters || [];
        if (params.length) {
          const table = el("table");
          const head = table.createTHead().insertRow();
          ["parameter", "in", "required", "description"].forEach((h) => head.appendChild(el("th", h)));
          params.forEach((p) => {
            const row = table.insertRow();
            [p.name, p.in, p.required ? "yes" : "no", p.description || ""].forEach((v) => row.insertCell().textContent = v);
          });
          section.appendChild(table);
        }
        main.appendChild(section);
      }
    }
  } catch (e) {
    main.textContent = "Could not load the OpenAPI description: " + e;
  }
})();
