"""Centrality, communities, components and shortest paths of the entity graph."""
from __future__ import annotations

import networkx as nx
import pytest

from kg.analysis.graph import label_of, load_graph, resolve_entity
from kg.analysis.structure import (centrality, communities, components, pagerank, shortest_paths,
                                   undirected)
from kg.analysis.views import entity_graph, view_graph
from tests.fixtures_graph import hand_store, hand_store_dir, seed_store  # noqa: F401


def iri_of(g, label):
    return next(n for n, d in g.nodes(data=True) if d["label"] == label)


def test_the_graph_holds_entities_with_documents_and_links_with_sentences(hand_store):
    g = load_graph(hand_store)
    baima = iri_of(g, "白马航电枢纽")
    assert g.nodes[baima]["type"] == "project"
    assert g.nodes[baima]["documents"] == ["000_418089195a410d60", "002_772683341a126a07"]
    located = g.edges[baima, resolve_entity("place/500156"), "locatedIn"]
    assert "加快推进白马航电枢纽建设" in located["evidence"][0].text
    # the district sits in its province through the gazetteer, a link no sentence states
    assert g.edges[resolve_entity("place/500156"), resolve_entity("place/500000"), "locatedIn"]["source"] == "gazetteer"


def test_pagerank_matches_networkx_definition_on_a_small_graph():
    g = nx.path_graph(["a", "b", "c"])
    rank = pagerank(g)
    assert abs(sum(rank.values()) - 1) < 1e-9
    assert rank["b"] > rank["a"] == pytest.approx(rank["c"])


def test_centrality_ranks_each_type(hand_store):
    scores = centrality(entity_graph(hand_store, co_mentions=True), top=3)
    assert scores["place"][0].label == "武隆区"
    assert {"project", "strategy", "sector", "place"} <= set(scores)
    assert all(0 <= s.betweenness <= 1 and s.pagerank > 0 for rows in scores.values() for s in rows)


def test_communities_are_reproducible_and_named_by_members(hand_store):
    g = entity_graph(hand_store, co_mentions=True)
    first, second = communities(g), communities(g)
    assert [c.members for c in first] == [c.members for c in second]
    assert all(c.size >= 2 and c.name.split("、")[0] == label_of(g, c.members[0]) for c in first)
    eod = next(c for c in first if any("芙蓉湖" in label_of(g, m) for m in c.members))
    assert eod.size <= 4  # the lake project sits apart from the corridor and the dam


def test_components_largest_first(hand_store):
    comps = components(entity_graph(hand_store))
    assert comps[0].size >= comps[-1].size and comps[-1].size == 1
    assert sum(c.size for c in comps) == entity_graph(hand_store).number_of_nodes()


def test_shortest_paths_give_relation_and_evidence_per_step(hand_store):
    g = entity_graph(hand_store, co_mentions=True)
    paths = shortest_paths(hand_store, iri_of(g, "天尺坪国家级研学基地"), resolve_entity("place/500000"), 4, graph=g)
    assert paths
    path = paths[0]
    assert [s.relation for s in path][-1] == "locatedIn" and path[-1].target_label == "重庆市"
    assert all(s.evidence for s in path[:-1])  # only the gazetteer step has no sentence
    assert path[0].source_label == "天尺坪国家级研学基地"


def test_shortest_paths_respect_the_length_limit_and_unknown_entities(hand_store):
    g = entity_graph(hand_store, co_mentions=True)
    a, b = iri_of(g, "三次创业"), resolve_entity("place/500000")
    assert shortest_paths(hand_store, a, b, 1, graph=g) == []
    assert shortest_paths(hand_store, a, b, 6, graph=g)
    with pytest.raises(KeyError):
        shortest_paths(hand_store, a, resolve_entity("project/不存在的项目"), graph=g)


def test_views(hand_store):
    pp = view_graph(hand_store, "policy-project")
    assert {d["type"] for _, d in pp.nodes(data=True)} == {"project", "strategy"}
    assert {d["via"] for *_, d in pp.edges(data=True)} == {"statement", "section", "row"}
    place = view_graph(hand_store, "project-place")
    assert all(d["relation"] == "locatedIn" for *_, d in place.edges(data=True))
    around = view_graph(hand_store, "neighbourhood", "place/500156")
    assert {d["label"] for _, d in around.nodes(data=True)} >= {"武隆区", "重庆市", "白马航电枢纽"}
    with pytest.raises(ValueError):
        view_graph(hand_store, "neighbourhood")


def test_seed_graph_structure(seed_store):
    g = entity_graph(seed_store, co_mentions=True)
    assert g.number_of_nodes() > 300
    comms = communities(g)
    assert len(comms) > 3 and comms[0].size >= comms[-1].size
    scores = centrality(g, top=5)
    assert len(scores["project"]) == 5
    u = undirected(g)
    a, b = comms[0].members[0], comms[0].members[1]
    paths = shortest_paths(seed_store, a, b, 4, graph=g)
    assert paths and all(step.relation for p in paths for step in p)
