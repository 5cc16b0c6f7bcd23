"""The interactive graph page: one self-contained HTML file (data, script and style inline).

The script (static/graph_view.js) draws a force layout on a canvas, filters by type and
document, searches labels and shows a clicked node's relations with their sentences. It
loads nothing from the network, so the file works offline and from `/graph`.
"""
from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path
from string import Template

import networkx as nx

from kg.analysis.layout import force_layout
from kg.export.style import TYPE_COLOURS, TYPE_NAMES_ZH, colour_of

STATIC = Path(__file__).parent / "static"
MAX_EVIDENCE_PER_EDGE = 5  # enough to read why; the full list is in the JSON exports
LAYOUT_UP_TO = 4000  # nodes; bigger graphs start from random positions in the browser


def graph_payload(g: nx.MultiDiGraph, documents: list[dict], title: str = "") -> dict:
    """The JSON the page reads: nodes with start positions, edges with evidence."""
    order = sorted(g.nodes, key=str)
    index = {n: i for i, n in enumerate(order)}
    pos = force_layout(g, iterations=80) if len(order) <= LAYOUT_UP_TO else {}
    nodes = []
    for n in order:
        d = g.nodes[n]
        node = {"id": n, "label": d.get("label", n), "type": d.get("type", ""),
                "docs": list(d.get("documents", []))}
        if n in pos:
            node["x"], node["y"] = round(pos[n][0], 4), round(pos[n][1], 4)
        nodes.append(node)
    edges = []
    for a, b, k, d in g.edges(keys=True, data=True):
        evidence = d.get("evidence") or []
        edges.append({"s": index[a], "t": index[b], "rel": d.get("relation", k),
                      "via": d.get("via", "statement"),
                      "ev": [{"text": e.text, "doc": e.document}
                             for e in evidence[:MAX_EVIDENCE_PER_EDGE]]})
    counts = Counter(n["type"] for n in nodes)
    types = {t: {"colour": colour_of(t), "name": TYPE_NAMES_ZH.get(t, t), "count": counts[t]}
             for t in list(TYPE_COLOURS) + sorted(set(counts) - set(TYPE_COLOURS)) if counts[t]}
    return {"title": title, "types": types, "documents": documents, "nodes": nodes, "edges": edges}


def _script_safe(text: str) -> str:
    # inside <script>, "</" could close the element early
    return text.replace("</", "<\\/")


def render_graph_page(g: nx.MultiDiGraph, documents: list[dict],
                      title: str = "policykg graph", subtitle: str = "") -> str:
    payload = graph_payload(g, documents, title)
    template = Template((STATIC / "graph_view.html").read_text(encoding="utf-8"))
    return template.substitute(
        title=html.escape(title),
        subtitle=html.escape(subtitle or f"{g.number_of_nodes()} nodes · {g.number_of_edges()} links"),
        css=(STATIC / "graph_view.css").read_text(encoding="utf-8"),
        data=_script_safe(json.dumps(payload, ensure_ascii=False)),
        js=_script_safe((STATIC / "graph_view.js").read_text(encoding="utf-8")))
