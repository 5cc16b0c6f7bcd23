"""The shape of the entity graph: centrality, communities, components, shortest paths.

All measures run on the undirected simple projection of the entity graph (a link counts
once between two entities whatever its direction). Stated links weigh 1, sentence
co-mentions 2, so a path prefers what a sentence states as a link.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass

import networkx as nx
from pyoxigraph import Store

from kg.analysis.graph import CO_MENTION, Evidence, label_of

SEED = 42  # communities and sampled betweenness are reproducible
BETWEENNESS_SAMPLE_ABOVE = 1500  # nodes; larger graphs use k sampled sources
CO_MENTION_WEIGHT = 2.0


def undirected(g: nx.MultiDiGraph) -> nx.Graph:
    """One edge per connected pair, with the strongest relation and all evidence."""
    u = nx.Graph()
    u.add_nodes_from(g.nodes(data=True))
    for a, b, key, data in g.edges(keys=True, data=True):
        rel = data.get("relation", key)
        weight = CO_MENTION_WEIGHT if rel == CO_MENTION else 1.0
        if u.has_edge(a, b):
            e = u.edges[a, b]
            e["relations"].append((a, rel, b, data.get("evidence", [])))
            e["weight"] = min(e["weight"], weight)
        else:
            u.add_edge(a, b, weight=weight, relations=[(a, rel, b, data.get("evidence", []))])
    return u


def pagerank(u: nx.Graph, alpha: float = 0.85, tol: float = 1e-10,
             max_iter: int = 200) -> dict[str, float]:
    """PageRank by power iteration in pure Python (networkx's own needs numpy/scipy)."""
    n = u.number_of_nodes()
    if n == 0:
        return {}
    rank = dict.fromkeys(u, 1.0 / n)
    degree = dict(u.degree())
    for _ in range(max_iter):
        dangling = alpha * sum(rank[v] for v in u if degree[v] == 0) / n
        new = {}
        for v in u:
            new[v] = (1 - alpha) / n + dangling + alpha * sum(
                rank[w] / degree[w] for w in u.neighbors(v))
        if sum(abs(new[v] - rank[v]) for v in u) < n * tol:
            return new
        rank = new
    return rank


@dataclass
class NodeScore:
    iri: str
    label: str
    type: str
    degree: int
    betweenness: float
    pagerank: float

    def to_dict(self) -> dict:
        return asdict(self)


def node_scores(g: nx.MultiDiGraph) -> list[NodeScore]:
    u = undirected(g)
    if u.number_of_nodes() == 0:
        return []
    k = min(200, u.number_of_nodes()) if u.number_of_nodes() > BETWEENNESS_SAMPLE_ABOVE else None
    between = nx.betweenness_centrality(u, k=k, seed=SEED)
    rank = pagerank(u)
    return [NodeScore(n, d.get("label", n), d.get("type", ""), u.degree(n),
                      round(between[n], 6), round(rank[n], 6)) for n, d in u.nodes(data=True)]


def centrality(g: nx.MultiDiGraph, top: int = 10) -> dict[str, list[NodeScore]]:
    """The most central entities of each type, by PageRank then degree."""
    by_type: dict[str, list[NodeScore]] = {}
    for s in node_scores(g):
        by_type.setdefault(s.type, []).append(s)
    return {t: sorted(rows, key=lambda s: (-s.pagerank, -s.degree, s.label))[:top]
            for t, rows in sorted(by_type.items())}


@dataclass
class Community:
    index: int
    name: str  # its most central members' labels
    size: int
    members: list[str]  # IRIs, most central first
    types: dict[str, int]

    def to_dict(self, g: nx.Graph | None = None) -> dict:
        d = asdict(self)
        if g is not None:
            d["member_labels"] = [label_of(g, m) for m in self.members]
        return d


def communities(g: nx.MultiDiGraph, name_size: int = 3, min_size: int = 2) -> list[Community]:
    """Thematic clusters (Louvain, fixed seed), named by their highest-PageRank members."""
    u = undirected(g)
    u.remove_nodes_from([n for n in list(u) if u.degree(n) == 0])
    if u.number_of_edges() == 0:
        return []
    parts = nx.community.louvain_communities(u, weight="weight", seed=SEED)
    rank = pagerank(u)
    out = []
    for part in parts:
        if len(part) < min_size:
            continue
        members = sorted(part, key=lambda n: (-rank[n], label_of(u, n)))
        name = "、".join(label_of(u, n) for n in members[:name_size])
        types = Counter(u.nodes[n].get("type", "") for n in part)
        out.append(Community(0, name, len(part), members, dict(types.most_common())))
    out.sort(key=lambda c: (-c.size, c.name))
    for i, c in enumerate(out):
        c.index = i
    return out


@dataclass
class Component:
    size: int
    members: list[str]
    types: dict[str, int]


def components(g: nx.MultiDiGraph) -> list[Component]:
    """Connected components, largest first (isolated entities are components of one)."""
    u = undirected(g)
    out = []
    for comp in nx.connected_components(u):
        members = sorted(comp, key=lambda n: (-u.degree(n), label_of(u, n)))
        types = Counter(u.nodes[n].get("type", "") for n in comp)
        out.append(Component(len(comp), members, dict(types.most_common())))
    return sorted(out, key=lambda c: (-c.size, label_of(u, c.members[0])))


@dataclass
class PathStep:
    source: str
    source_label: str
    relation: str  # implements, locatedIn ... or coMention (named in one sentence)
    target: str
    target_label: str
    forward: bool  # False when the stated link runs target -> source
    evidence: list[Evidence]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["evidence"] = [e.to_dict() for e in self.evidence]
        return d


def path_steps(u: nx.Graph, nodes: list[str]) -> list[PathStep]:
    steps = []
    for a, b in zip(nodes, nodes[1:]):
        relations = sorted(u.edges[a, b]["relations"], key=lambda r: r[1] == CO_MENTION)
        s, rel, o, ev = relations[0]
        steps.append(PathStep(a, label_of(u, a), rel, b, label_of(u, b), s == a, list(ev)))
    return steps


def shortest_paths(store: Store, source_iri: str, target_iri: str, max_length: int = 4,
                   limit: int = 10, graph: nx.MultiDiGraph | None = None) -> list[list[PathStep]]:
    """The shortest paths (at most `max_length` steps) between two entities, each step with
    its relation and the sentences stating it; [] when they are not connected that closely.

    Raises KeyError naming the entity that is not in the graph.
    """
    if graph is None:
        from kg.analysis.views import entity_graph
        graph = entity_graph(store, co_mentions=True)
    g = graph
    for iri in (source_iri, target_iri):
        if iri not in g:
            raise KeyError(f"{iri} is not an entity of the graph")
    if source_iri == target_iri:
        return []
    u = undirected(g)
    return [path_steps(u, nodes)
            for nodes in weighted_shortest(u, source_iri, target_iri, max_length, limit)]


def weighted_shortest(u: nx.Graph, source: str, target: str, max_length: int,
                      limit: int) -> list[list[str]]:
    """The lightest paths (stated links before co-mentions) of at most `max_length` steps,
    as node lists; when the lightest is longer, the path of fewest steps if it is short
    enough."""
    try:
        paths = []
        for nodes in nx.all_shortest_paths(u, source, target, weight="weight"):
            if len(nodes) - 1 <= max_length:
                paths.append(nodes)
            if len(paths) >= limit:
                break
        if not paths:  # the lightest path is too long; a shorter one may go through co-mentions
            nodes = nx.shortest_path(u, source, target)
            if len(nodes) - 1 <= max_length:
                paths.append(nodes)
        return paths
    except nx.NetworkXNoPath:
        return []
