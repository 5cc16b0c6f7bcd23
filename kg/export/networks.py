"""Network file formats of a graph view: GraphML, GEXF, Cytoscape.js JSON, DOT, CSV.

Every writer takes the MultiDiGraph of a view (kg.analysis.views) and returns bytes.
File formats hold flat values only, so list attributes are joined with ';' and edges
carry their first evidence sentence plus the count of all.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile

import networkx as nx

from kg.export.style import colour_of, rgb

LIST_SEPARATOR = ";"


def node_record(iri: str, data: dict) -> dict:
    return {"id": iri, "label": data.get("label", ""), "type": data.get("type", ""),
            "color": colour_of(data.get("type", "")),
            "documents": LIST_SEPARATOR.join(data.get("documents", []))}


def edge_record(source: str, target: str, key: str, data: dict) -> dict:
    evidence = data.get("evidence") or []
    first = evidence[0] if evidence else None
    return {"id": f"{source}|{key}|{target}", "source": source, "target": target,
            "relation": data.get("relation", key), "via": data.get("via", "statement"),
            "evidence": first.text if first else "",
            "evidence_document": first.document if first else "",
            "evidence_count": len(evidence)}


def flat_graph(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with only string/number attributes, as GraphML and GEXF require."""
    flat = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        rec = node_record(n, d)
        del rec["id"]
        flat.add_node(n, **rec)
    for a, b, k, d in g.edges(keys=True, data=True):
        rec = edge_record(a, b, k, d)
        for f in ("id", "source", "target"):
            del rec[f]
        flat.add_edge(a, b, key=k, **rec)
    return flat


def to_graphml(g: nx.MultiDiGraph) -> bytes:
    flat = flat_graph(g)
    for _, d in flat.nodes(data=True):  # Gephi reads colour from r, g, b attributes
        d["r"], d["g"], d["b"] = rgb(d["color"])
    buf = io.BytesIO()
    nx.write_graphml(flat, buf, encoding="utf-8", named_key_ids=True)
    return buf.getvalue()


def to_gexf(g: nx.MultiDiGraph) -> bytes:
    flat = flat_graph(g)
    for _, d in flat.nodes(data=True):
        r, gr, b = rgb(d["color"])
        d["viz"] = {"color": {"r": r, "g": gr, "b": b, "a": 1.0}}
    buf = io.BytesIO()
    nx.write_gexf(flat, buf, encoding="utf-8")
    return buf.getvalue()


def cytoscape_data(g: nx.MultiDiGraph) -> dict:
    """Cytoscape.js `elements`, in the shape networkx.cytoscape_graph also reads back."""
    nodes = [{"data": {**node_record(n, d), "name": n, "value": n}} for n, d in g.nodes(data=True)]
    edges = []
    for a, b, k, d in g.edges(keys=True, data=True):
        rec = edge_record(a, b, k, d)
        rec["key"] = k
        rec["sentences"] = [e.to_dict() for e in d.get("evidence") or []]
        edges.append({"data": rec})
    return {"data": {"name": "policykg"}, "directed": True, "multigraph": True,
            "elements": {"nodes": nodes, "edges": edges}}


def to_cytoscape(g: nx.MultiDiGraph) -> bytes:
    return json.dumps(cytoscape_data(g), ensure_ascii=False, indent=1).encode()


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def to_dot(g: nx.MultiDiGraph) -> bytes:
    lines = ["digraph policykg {", '  graph [overlap=false, splines=true, fontname="sans-serif"];',
             '  node [style=filled, fontcolor=white, fontname="sans-serif", shape=box];',
             '  edge [fontname="sans-serif", fontsize=9];']
    for n, d in sorted(g.nodes(data=True)):
        lines.append(f"  {_dot_quote(n)} [label={_dot_quote(d.get('label', ''))}, "
                     f"fillcolor={_dot_quote(colour_of(d.get('type', '')))}, "
                     f"type={_dot_quote(d.get('type', ''))}];")
    for a, b, k, d in sorted(g.edges(keys=True, data=True), key=lambda e: e[:3]):
        label = d.get("relation", k) + (f" ({d['via']})" if d.get("via") not in (None, "statement") else "")
        lines.append(f"  {_dot_quote(a)} -> {_dot_quote(b)} [label={_dot_quote(label)}];")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode()


NODE_FIELDS = ("id", "label", "type", "color", "documents")
EDGE_FIELDS = ("source", "target", "relation", "via", "evidence", "evidence_document",
               "evidence_count")


def to_nodes_csv(g: nx.MultiDiGraph) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, NODE_FIELDS, lineterminator="\n")
    w.writeheader()
    for n, d in sorted(g.nodes(data=True)):
        w.writerow(node_record(n, d))
    return buf.getvalue().encode("utf-8-sig")  # the BOM lets spreadsheet programs read Chinese


def to_edges_csv(g: nx.MultiDiGraph) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, EDGE_FIELDS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for a, b, k, d in sorted(g.edges(keys=True, data=True), key=lambda e: e[:3]):
        w.writerow(edge_record(a, b, k, d))
    return buf.getvalue().encode("utf-8-sig")


def to_csv_zip(g: nx.MultiDiGraph) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("nodes.csv", to_nodes_csv(g))
        z.writestr("edges.csv", to_edges_csv(g))
    return buf.getvalue()
