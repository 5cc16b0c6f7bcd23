// The interactive graph view: a force layout drawn on a canvas, with filters by type and
// document, search, and a panel showing a clicked node's relations and their sentences.
// No libraries: the page must work offline from one file. Data comes from #graph-data.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("graph-data").textContent);
  const canvas = document.getElementById("canvas");
  const ctx = canvas.getContext("2d");
  const panel = document.getElementById("details");
  const nodes = data.nodes, edges = data.edges;
  const adjacency = nodes.map(() => []);
  edges.forEach((e, i) => { adjacency[e.s].push(i); adjacency[e.t].push(i); });

  // --- state -----------------------------------------------------------------------
  const shownTypes = new Set(Object.keys(data.types));
  let shownDoc = "";          // "" = every document
  let selected = -1;
  let matches = new Set();
  let view = { x: 0, y: 0, k: 1 };
  let width = 0, height = 0;

  // --- layout: start from the server's positions, then settle with a few force steps ----
  const W = 1000;
  nodes.forEach((n, i) => {
    n.x = (n.x !== undefined ? n.x : Math.random()) * W;
    n.y = (n.y !== undefined ? n.y : Math.random()) * W;
    n.vx = 0; n.vy = 0; n.degree = adjacency[i].length;
  });
  const visible = new Array(nodes.length).fill(true);

  function computeVisible() {
    nodes.forEach((n, i) => {
      visible[i] = shownTypes.has(n.type) && (!shownDoc || n.docs.includes(shownDoc));
    });
    if (shownDoc) {  // places and sectors no document names directly stay with their neighbours
      nodes.forEach((n, i) => {
        if (!visible[i] && shownTypes.has(n.type) && n.docs.length === 0) {
          visible[i] = adjacency[i].some(j => {
            const e = edges[j]; const o = e.s === i ? e.t : e.s; return nodes[o].docs.includes(shownDoc);
          });
        }
      });
    }
  }

  function tick(alpha) {
    const k = W / Math.sqrt(Math.max(nodes.length, 1)) * 0.6, cell = 2 * k, grid = new Map();
    nodes.forEach((n, i) => {
      if (!visible[i]) return;
      const key = Math.floor(n.x / cell) + "," + Math.floor(n.y / cell);
      if (!grid.has(key)) grid.set(key, []);
      grid.get(key).push(i);
    });
    nodes.forEach((n, i) => {
      if (!visible[i]) return;
      const cx = Math.floor(n.x / cell), cy = Math.floor(n.y / cell);
      for (let dx = -1; dx <= 1; dx++) for (let dy = -1; dy <= 1; dy++) {
        const cellNodes = grid.get((cx + dx) + "," + (cy + dy));
        if (!cellNodes) continue;
        for (const j of cellNodes) {
          if (j === i) continue;
          const m = nodes[j]; let ddx = n.x - m.x, ddy = n.y - m.y;
          const d2 = ddx * ddx + ddy * ddy || 0.01;
          if (d2 > cell * cell) continue;
          const f = k * k / d2 * alpha * 0.05;
          n.vx += ddx * f; n.vy += ddy * f;
        }
      }
      n.vx += (W / 2 - n.x) * 0.002 * alpha; n.vy += (W / 2 - n.y) * 0.002 * alpha;
    });
    edges.forEach(e => {
      if (!visible[e.s] || !visible[e.t]) return;
      const a = nodes[e.s], b = nodes[e.t];
      const dx = b.x - a.x, dy = b.y - a.y, d = Math.sqrt(dx * dx + dy * dy) || 0.01;
      const f = (d - k) / d * 0.05 * alpha;
      a.vx += dx * f; a.vy += dy * f; b.vx -= dx * f; b.vy -= dy * f;
    });
    nodes.forEach((n, i) => {
      if (!visible[i] || n.fixed) { n.vx = n.vy = 0; return; }
      n.vx *= 0.6; n.vy *= 0.6;
      const v = Math.sqrt(n.vx * n.vx + n.vy * n.vy), cap = 30;
      if (v > cap) { n.vx *= cap / v; n.vy *= cap / v; }
      n.x += n.vx; n.y += n.vy;
    });
  }

  function fit() {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    nodes.forEach((n, i) => { if (visible[i]) { x0 = Math.min(x0, n.x); y0 = Math.min(y0, n.y); x1 = Math.max(x1, n.x); y1 = Math.max(y1, n.y); } });
    if (x0 === Infinity) { view = { x: 0, y: 0, k: 1 }; return; }
    const k = Math.min(width / (x1 - x0 + 80), height / (y1 - y0 + 80), 4);
    view = { k: k, x: width / 2 - (x0 + x1) / 2 * k, y: height / 2 - (y0 + y1) / 2 * k };
  }

  // --- drawing ---------------------------------------------------------------------
  function radius(n) { return 4 + Math.min(10, Math.sqrt(n.degree) * 2); }

  function draw() {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr * view.k, 0, 0, dpr * view.k, dpr * view.x, dpr * view.y);
    const near = new Set();
    if (selected >= 0) adjacency[selected].forEach(j => { near.add(edges[j].s); near.add(edges[j].t); });
    ctx.lineWidth = 1 / view.k;
    edges.forEach(e => {
      if (!visible[e.s] || !visible[e.t]) return;
      const hot = selected >= 0 && (e.s === selected || e.t === selected);
      ctx.strokeStyle = hot ? "rgba(20,20,20,0.8)" : (e.via && e.via !== "statement" ? "rgba(213,94,0,0.25)" : "rgba(90,90,90,0.25)");
      ctx.beginPath(); ctx.moveTo(nodes[e.s].x, nodes[e.s].y); ctx.lineTo(nodes[e.t].x, nodes[e.t].y); ctx.stroke();
    });
    let drawn = 0;
    const showLabels = view.k > 0.9 || nodes.length < 150;
    ctx.font = (12 / view.k) + "px sans-serif";
    nodes.forEach((n, i) => {
      if (!visible[i]) return;
      drawn++;
      const dim = selected >= 0 && !near.has(i);
      ctx.globalAlpha = dim ? 0.25 : 1;
      ctx.fillStyle = data.types[n.type] ? data.types[n.type].colour : "#999";
      ctx.beginPath(); ctx.arc(n.x, n.y, radius(n) / Math.sqrt(view.k), 0, 2 * Math.PI); ctx.fill();
      if (matches.has(i) || i === selected) {
        ctx.lineWidth = 3 / view.k; ctx.strokeStyle = "#111"; ctx.stroke(); ctx.lineWidth = 1 / view.k;
      }
      if (showLabels || near.has(i) || matches.has(i) || n.degree > 6) {
        ctx.fillStyle = "#222"; ctx.fillText(n.label, n.x + radius(n) / Math.sqrt(view.k) + 2 / view.k, n.y + 4 / view.k);
      }
    });
    ctx.globalAlpha = 1;
    document.body.setAttribute("data-rendered", String(drawn));
    document.getElementById("count").textContent = drawn + " / " + nodes.length;
  }

  let running = 0;
  function animate(steps) {
    running = steps;
    function frame() {
      for (let s = 0; s < 3 && running > 0; s++, running--) tick(Math.max(running / steps, 0.1));
      draw();
      if (running > 0) requestAnimationFrame(frame);
    }
    requestAnimationFrame(frame);
  }

  function resize() {
    const r = canvas.parentElement.getBoundingClientRect(), dpr = window.devicePixelRatio || 1;
    width = r.width; height = r.height;
    canvas.width = width * dpr; canvas.height = height * dpr;
    canvas.style.width = width + "px"; canvas.style.height = height + "px";
  }

  // --- details panel -----------------------------------------------------------------
  function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }

  function showDetails(i) {
    selected = i; panel.innerHTML = "";
    if (i < 0) { panel.appendChild(el("p", "点击节点查看关系与原文证据 · Click a node to see its relations and the sentences behind them.", "hint")); draw(); return; }
    const n = nodes[i];
    const h = el("h2", n.label); h.style.borderColor = data.types[n.type] ? data.types[n.type].colour : "#999"; panel.appendChild(h);
    panel.appendChild(el("p", (data.types[n.type] ? data.types[n.type].name : n.type) + " · " + n.type, "type"));
    panel.appendChild(el("p", n.id, "iri"));
    if (n.docs.length) panel.appendChild(el("p", "documents: " + n.docs.join(", "), "docs"));
    const list = el("ul", undefined, "relations");
    adjacency[i].forEach(j => {
      const e = edges[j], out = e.s === i, other = nodes[out ? e.t : e.s];
      const li = el("li");
      const head = el("div", undefined, "rel");
      head.appendChild(el("span", out ? "→ " + e.rel : "← " + e.rel, "relname"));
      if (e.via && e.via !== "statement") head.appendChild(el("span", " (" + e.via + ")", "via"));
      const a = el("a", " " + other.label); a.href = "#"; a.onclick = ev => { ev.preventDefault(); focusNode(out ? e.t : e.s); };
      head.appendChild(a); li.appendChild(head);
      e.ev.forEach(s => { const q = el("blockquote", s.text); q.appendChild(el("cite", " — " + s.doc)); li.appendChild(q); });
      list.appendChild(li);
    });
    panel.appendChild(el("h3", adjacency[i].length + " relations"));
    panel.appendChild(list);
    draw();
  }

  function focusNode(i) {
    if (!visible[i]) { shownTypes.add(nodes[i].type); shownDoc = ""; syncControls(); computeVisible(); }
    view.x = width / 2 - nodes[i].x * view.k; view.y = height / 2 - nodes[i].y * view.k;
    showDetails(i);
  }

  // --- controls --------------------------------------------------------------------
  const typeBox = document.getElementById("types");
  Object.entries(data.types).forEach(([t, info]) => {
    const label = el("label"); const box = el("input"); box.type = "checkbox"; box.checked = true; box.value = t;
    box.onchange = () => { box.checked ? shownTypes.add(t) : shownTypes.delete(t); computeVisible(); draw(); };
    const sw = el("span", "●"); sw.style.color = info.colour;
    label.append(box, sw, " " + info.name + " (" + info.count + ")"); typeBox.appendChild(label);
  });
  const docSelect = document.getElementById("document");
  data.documents.forEach(d => { const o = el("option", d.key + (d.title ? " · " + d.title : "")); o.value = d.key; docSelect.appendChild(o); });
  docSelect.onchange = () => { shownDoc = docSelect.value; computeVisible(); fit(); draw(); };
  function syncControls() {
    typeBox.querySelectorAll("input").forEach(b => { b.checked = shownTypes.has(b.value); });
    docSelect.value = shownDoc;
  }
  const search = document.getElementById("search");
  search.oninput = () => {
    const q = search.value.trim().toLowerCase(); matches = new Set();
    if (q) nodes.forEach((n, i) => { if (n.label.toLowerCase().includes(q) || n.id.toLowerCase().includes(q)) matches.add(i); });
    document.getElementById("matches").textContent = q ? matches.size + " found" : "";
    draw();
  };
  search.onkeydown = ev => { if (ev.key === "Enter" && matches.size) focusNode([...matches][0]); };

  // --- pointer: pan, zoom, drag, click -------------------------------------------------
  function toGraph(ev) { const r = canvas.getBoundingClientRect(); return [(ev.clientX - r.left - view.x) / view.k, (ev.clientY - r.top - view.y) / view.k]; }
  function hit(ev) {
    const [x, y] = toGraph(ev); let best = -1, bestD = Infinity;
    nodes.forEach((n, i) => { if (!visible[i]) return; const d = (n.x - x) ** 2 + (n.y - y) ** 2, r = radius(n) / Math.sqrt(view.k) + 3 / view.k; if (d < r * r && d < bestD) { best = i; bestD = d; } });
    return best;
  }
  let drag = null;
  canvas.addEventListener("mousedown", ev => { const i = hit(ev); drag = { i: i, x: ev.clientX, y: ev.clientY, moved: false }; if (i >= 0) nodes[i].fixed = true; });
  window.addEventListener("mousemove", ev => {
    if (!drag) return;
    const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
    if (drag.i >= 0) { const [x, y] = toGraph(ev); nodes[drag.i].x = x; nodes[drag.i].y = y; }
    else { view.x += dx; view.y += dy; }
    drag.x = ev.clientX; drag.y = ev.clientY; draw();
  });
  window.addEventListener("mouseup", () => {
    if (drag && !drag.moved) showDetails(drag.i);
    if (drag && drag.i >= 0) nodes[drag.i].fixed = false;
    drag = null;
  });
  canvas.addEventListener("wheel", ev => {
    ev.preventDefault(); const r = canvas.getBoundingClientRect(), f = ev.deltaY < 0 ? 1.15 : 1 / 1.15;
    const mx = ev.clientX - r.left, my = ev.clientY - r.top;
    view.x = mx - (mx - view.x) * f; view.y = my - (my - view.y) * f; view.k *= f; draw();
  }, { passive: false });
  window.addEventListener("resize", () => { resize(); draw(); });

  // --- a handle for scripts and tests: where a node is drawn, and whether the layout is still
  window.policykgGraph = {
    settled: () => running === 0,
    visibleCount: () => visible.filter(Boolean).length,
    screenPosition: id => {
      const i = nodes.findIndex(n => n.id === id); if (i < 0 || !visible[i]) return null;
      const r = canvas.getBoundingClientRect();
      return [r.left + view.x + nodes[i].x * view.k, r.top + view.y + nodes[i].y * view.k];
    },
  };

  // --- start -------------------------------------------------------------------------
  resize(); computeVisible();
  for (let s = 0; s < (nodes.length > 2000 ? 20 : 80); s++) tick(1 - s / 100);
  fit(); showDetails(-1);
  animate(60);
})();
