"""Exports of the graph: network files of a view, RDF files of the whole dataset, the HTML view.

`export(store, fmt, view, entity)` is what `kg export` and `/api/export/{format}` call.
Network formats (graphml, gexf, cytoscape, dot, csv, csv-nodes, csv-edges, html) follow
the chosen view; RDF formats (ttl, trig, nq, jsonld) are always the whole dataset.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pyoxigraph import Store



@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    suffix: str
    kind: str  # network (a view of the entity graph) | rdf (the whole dataset) | page
    description: str


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("graphml", "application/graphml+xml", ".graphml", "network", "GraphML (Gephi, yEd, Cytoscape)"),
    Format("gexf", "application/gexf+xml", ".gexf", "network", "GEXF (Gephi)"),
    Format("cytoscape", "application/json", ".cyjs", "network", "Cytoscape.js JSON (elements)"),
    Format("dot", "text/vnd.graphviz; charset=utf-8", ".dot", "network", "Graphviz DOT"),
    Format("csv", "application/zip", ".zip", "network", "nodes.csv and edges.csv in a zip"),
    Format("csv-nodes", "text/csv; charset=utf-8", ".nodes.csv", "network", "nodes as CSV"),
    Format("csv-edges", "text/csv; charset=utf-8", ".edges.csv", "network", "edges as CSV"),
    Format("html", "text/html; charset=utf-8", ".html", "page", "interactive self-contained HTML view"),
    Format("ttl", "text/turtle; charset=utf-8", ".ttl", "rdf", "Turtle (all graphs merged)"),
    Format("trig", "application/trig; charset=utf-8", ".trig", "rdf", "TriG (named graphs)"),
    Format("nq", "application/n-quads; charset=utf-8", ".nq", "rdf", "N-Quads (named graphs)"),
    Format("jsonld", "application/ld+json", ".jsonld", "rdf", "JSON-LD with a @context (named graphs)"),
)}
ALIASES = {"turtle": "ttl", "nquads": "nq", "n-quads": "nq", "json-ld": "jsonld",
           "cyjs": "cytoscape", "graphviz": "dot"}

@cache
def writers() -> dict[str, dict[str, Callable]]:
    """The writers by kind, imported on first use: the network ones import networkx (0.13 s),
    which the command line's parser (FORMATS for --format) need not wait for."""
    from kg.export import networks, rdf_formats

    return {
        "network": {
            "graphml": networks.to_graphml, "gexf": networks.to_gexf,
            "cytoscape": networks.to_cytoscape, "dot": networks.to_dot,
            "csv": networks.to_csv_zip, "csv-nodes": networks.to_nodes_csv,
            "csv-edges": networks.to_edges_csv,
        },
        "rdf": {
            "ttl": rdf_formats.to_turtle, "trig": rdf_formats.to_trig,
            "nq": rdf_formats.to_nquads, "jsonld": rdf_formats.to_jsonld,
        },
    }


def __getattr__(name: str):
    if name == "NETWORK_WRITERS":
        return writers()["network"]
    if name == "RDF_WRITERS":
        return writers()["rdf"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def format_of(name: str) -> Format:
    key = ALIASES.get(name.lower(), name.lower())
    if key not in FORMATS:
        raise ValueError(f"unknown export format {name!r}; one of {', '.join(FORMATS)}")
    return FORMATS[key]


@dataclass
class Export:
    body: bytes
    format: Format

    @property
    def media_type(self) -> str:
        return self.format.media_type


def export(store: Store, fmt: str, view: str = "full", entity: str | None = None,
           radius: int = 1) -> Export:
    """The bytes of one export. Raises ValueError (bad format/view) or KeyError (no entity)."""
    from kg.analysis.graph import documents
    from kg.analysis.views import view_graph

    f = format_of(fmt)
    if f.kind == "rdf":
        return Export(writers()["rdf"][f.name](store), f)
    g = view_graph(store, view, entity, radius)
    if f.kind == "page":
        from kg.export.html_view import render_graph_page

        title = "policykg · " + (view if view != "neighbourhood" else f"neighbourhood of {entity}")
        return Export(render_graph_page(g, documents(store), title).encode(), f)
    return Export(writers()["network"][f.name](g), f)


def export_to(store: Store, path, fmt: str, view: str = "full", entity: str | None = None,
              radius: int = 1) -> None:
    """One export written into the file `path`. N-Quads and TriG go from the store straight
    into the file, so a dataset of any size is exported in flat memory; the other formats
    are made in memory first (they need the whole graph: a view, a sort, a compaction)."""
    from kg.export.rdf_formats import STREAMED

    f = format_of(fmt)
    if f.name in STREAMED:
        STREAMED[f.name](store, str(path))
        return
    Path(path).write_bytes(export(store, fmt, view, entity, radius).body)


__all__ = ["FORMATS", "Format", "Export", "export", "export_to", "format_of"]
