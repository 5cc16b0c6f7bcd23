"""Named views of the graph that analyses, reports and exports share.

- full: every entity, every stated link, and the policy links carried by headings and
  专栏 rows (relation implements, `via` section/row/column);
- policy-project: strategies and the projects they reach;
- project-place: projects and the places they are in, with the places' own nesting;
- neighbourhood: one entity and everything within `radius` links of it.
"""
from __future__ import annotations

import networkx as nx
from pyoxigraph import Store

from kg.analysis import VIEWS
from kg.analysis.graph import load_graph, resolve_entity
from kg.analysis.linkage import PolicyLink, policy_project_links


def add_policy_links(g: nx.MultiDiGraph, links: list[PolicyLink]) -> None:
    """Carried strategy links as `implements` edges (project -> strategy) with their path."""
    for link in links:
        if link.via == "implements" or link.project not in g or link.strategy not in g:
            continue
        key = f"implements-{link.via}"
        evidence = [s.evidence for s in link.steps if s.evidence]
        if g.has_edge(link.project, link.strategy, key):
            data = g.edges[link.project, link.strategy, key]
            data["evidence"].extend(e for e in evidence if e not in data["evidence"])
        else:
            g.add_edge(link.project, link.strategy, key=key, relation="implements",
                       via=link.via, evidence=evidence, source="structure")


def entity_graph(store: Store, co_mentions: bool = False) -> nx.MultiDiGraph:
    """The full view: stated links plus policy links carried by the report's structure."""
    g = load_graph(store, co_mentions=co_mentions)
    add_policy_links(g, policy_project_links(store))
    for _, _, data in g.edges(data=True):
        data.setdefault("via", "statement")
    return g


def policy_project_view(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    keep = [n for n, d in g.nodes(data=True) if d["type"] in ("strategy", "project")]
    sub = nx.MultiDiGraph()
    sub.add_nodes_from((n, g.nodes[n]) for n in keep)
    sub.add_edges_from((a, b, k, d) for a, b, k, d in g.edges(keys=True, data=True)
                       if d["relation"] == "implements" and a in sub and b in sub)
    sub.remove_nodes_from([n for n in list(sub) if sub.degree(n) == 0])
    return sub


def project_place_view(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    sub = nx.MultiDiGraph()
    for a, b, k, d in g.edges(keys=True, data=True):
        if d["relation"] != "locatedIn":
            continue
        if g.nodes[a]["type"] in ("project", "place") and g.nodes[b]["type"] == "place":
            sub.add_node(a, **g.nodes[a])
            sub.add_node(b, **g.nodes[b])
            sub.add_edge(a, b, key=k, **d)
    return sub


def neighbourhood_view(g: nx.MultiDiGraph, entity: str, radius: int = 1) -> nx.MultiDiGraph:
    iri = resolve_entity(entity)
    if iri not in g:
        raise KeyError(f"{entity}: no such entity in the graph")
    around = nx.ego_graph(g.to_undirected(as_view=True), iri, radius=radius)
    return g.subgraph(around.nodes).copy()


def view_graph(store: Store, view: str = "full", entity: str | None = None,
               radius: int = 1) -> nx.MultiDiGraph:
    """The graph of a named view; `entity` (IRI or type/key) is required for neighbourhood."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; one of {', '.join(VIEWS)}")
    if view == "neighbourhood" and not entity:
        raise ValueError("the neighbourhood view needs an entity: --entity type/key or an IRI")
    g = entity_graph(store)
    if view == "policy-project":
        return policy_project_view(g)
    if view == "project-place":
        return project_place_view(g)
    if view == "neighbourhood":
        return neighbourhood_view(g, entity, radius)
    return g
