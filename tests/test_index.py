"""kg.index: the lookup index of a store version, checked against the whole-graph
computations it replaces (a Python scan of every label, the NetworkX entity graph, the
policy links of kg.analysis.linkage) on the seed build."""
from __future__ import annotations

import random
import sqlite3

import networkx as nx
import pytest

from kg import index as kg_index
from kg import lookup
from kg.analysis.linkage import policy_project_links
from kg.analysis.structure import undirected
from kg.analysis.views import entity_graph
from kg.index import LookupIndex, TooBroad, index_path, open_index
from kg.store import open_store, store_info


@pytest.fixture(scope="module")
def store(store_dir):
    return open_store(store_dir)


@pytest.fixture(scope="module")
def index(store) -> LookupIndex:
    return open_index(store)


@pytest.fixture(scope="module")
def graph(store) -> nx.Graph:
    return undirected(entity_graph(store, co_mentions=True))


def scan(store, q: str) -> set[str]:
    """Entities with a label or alias containing q, by reading every label in Python."""
    rows = lookup._select(store, """SELECT ?e ?hit WHERE {
        ?e rdfs:label ?l . { ?e rdfs:label ?hit } UNION { ?e skos:altLabel ?hit } }""")
    return {r["e"].value for r in rows if q.lower() in r["hit"].value.lower()
            and lookup.split_iri(r["e"].value)}


@pytest.mark.parametrize("q", ["水库", "镇", "建设项目", "a", "GDP", "区", "没有这样的名字", "农业",
                               "Ag", '"""', "a\x00b", "\x00,²Í", "NEAR(水 库)", "*"])
def test_search_finds_what_a_scan_of_every_label_finds(store, index, q):
    found = lookup.search(store, q, limit=100_000, index=index)
    assert {f["iri"] for f in found} == scan(store, q)
    # exact matches, then prefixes, then the rest; each shortest label first
    order = [(0 if f["matched"].lower() == q.lower() else
              1 if f["matched"].lower().startswith(q.lower()) else 2, len(f["label"]), f["iri"])
             for f in found]
    assert order == sorted(order)


@pytest.mark.parametrize("q", ["项目", "武隆区"])  # short names and the full-text index
def test_search_pages_and_types(store, index, q):
    every = lookup.search(store, q, limit=100_000, index=index)
    pages = [lookup.search(store, q, limit=7, offset=o, index=index)
             for o in range(0, len(every), 7)]
    assert [f for p in pages for f in p] == every and len(every) > 7
    projects = lookup.search(store, q, "project", limit=100_000, index=index)
    assert projects and {f["type"] for f in projects} == {"project"}
    assert [f for f in every if f["type"] == "project"] == projects


def test_labels_prefer_chinese(store, index):
    sectors = [r["e"].value for r in lookup._select(store, "SELECT ?e WHERE { ?e a kgo:Sector }")]
    labels = index.labels(sectors)
    assert labels and all(any("\u4e00" <= c <= "\u9fff" for c in l) for l in labels.values())


def test_policy_links_equal_the_whole_store_computation(store, index):
    whole = {(l.strategy, l.project, l.via, l.document) for l in policy_project_links(store)}
    strategies = {s for s, *_ in whole}
    from_index = set()
    for s in strategies:
        found, total = index.strategy_projects(s, -1, 0)
        assert total == len(found)
        from_index |= {(s, p, l.via, l.document) for p, links in found for l in links}
    assert from_index == whole and len(whole) > 50


def test_strategy_projects_pages(store, index):
    key = max((l.strategy for l in policy_project_links(store)),
              key=lambda s: index.strategy_projects(s, -1, 0)[1]).rsplit("/", 1)[1]
    every, total = lookup.strategy_projects(store, key, index=index)
    pages = [lookup.strategy_projects(store, key, 3, o, index=index)[0]
             for o in range(0, total, 3)]
    assert [p for page in pages for p in page] == every and total == len(every) > 3
    assert [p["via"][0] for p in every] == sorted((p["via"][0] for p in every),
                                                  key=("implements", "row", "column", "section").index)


def weight(u: nx.Graph, nodes: list[str]) -> float:
    return sum(u.edges[a, b]["weight"] for a, b in zip(nodes, nodes[1:]))


def test_paths_are_the_lightest_of_the_whole_graph(index, graph):
    random.seed(7)
    nodes = sorted(n for n in graph if graph.degree(n))
    checked = 0
    for _ in range(80):
        s, t = random.sample(nodes, 2)
        found = index.shortest_paths(s, t, 4, 1000)
        try:
            best = nx.shortest_path_length(graph, s, t, weight="weight")
            hops = nx.shortest_path_length(graph, s, t)
        except nx.NetworkXNoPath:
            assert found == []
            continue
        if hops > 4:
            assert found == []
            continue
        paths = [[p[0].source] + [step.target for step in p] for p in found]
        assert paths and all(len(p) - 1 <= 4 for p in paths)
        assert all(nx.is_path(graph, p) for p in paths)
        if len(nx.shortest_path(graph, s, t, weight="weight")) - 1 <= 4:
            assert {weight(graph, p) for p in paths} == {best}
            every = {tuple(p) for p in nx.all_shortest_paths(graph, s, t, weight="weight")
                     if len(p) - 1 <= 4}
            assert {tuple(p) for p in paths} == every
        checked += 1
    assert checked > 20


def test_each_step_shows_its_strongest_relation_with_evidence(index, graph):
    project = "https://w3id.org/policykg/id/project/车盘水库"
    strategy = "https://w3id.org/policykg/id/strategy/乡村全面振兴"
    [step] = index.shortest_paths(project, strategy, 1, 10)[0]
    assert step.relation == "implements" and step.forward
    assert step.evidence and all("车盘水库" in e.text for e in step.evidence)


def test_a_search_past_its_budget_is_a_bad_request(store, index, monkeypatch):
    monkeypatch.setattr(kg_index, "PATH_NODE_BUDGET", 5)
    with pytest.raises(TooBroad, match="more than 5 entities"):
        index.shortest_paths("https://w3id.org/policykg/id/project/车盘水库",
                             "https://w3id.org/policykg/id/strategy/乡村全面振兴", 4, 10)
    with pytest.raises(lookup.BadRequest, match="smaller max_length"):
        lookup.paths(store, "project/车盘水库", "strategy/乡村全面振兴", 4, index=index)


def test_the_file_is_built_once_beside_the_version_and_rebuilt_when_unreadable(store_dir, tmp_path):
    from kg.backends import open_backend
    info = store_info(store_dir)
    path = index_path(tmp_path, info.version)
    assert path.parent == tmp_path / "derived" / info.version
    store = open_backend(store_dir)
    open_index(store, path)
    built = path.stat().st_mtime_ns
    first = open_index(store, path).search("水库", None, 5, 0)
    assert path.stat().st_mtime_ns == built and first  # read, not built again
    path.write_bytes(b"not a database")
    (path.parent / f".{path.name}.999999.tmp").write_bytes(b"left by a killed build")
    assert open_index(store, path).search("水库", None, 5, 0) == first
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = 'old' WHERE name = 'schema'")
    con.commit()
    con.close()
    open_index(store, path)
    assert sqlite3.connect(path).execute("SELECT value FROM meta").fetchone()[0] == kg_index.SCHEMA
    assert not list(path.parent.glob(".*.tmp"))


def test_python_m_kg_index_builds_the_file_of_a_version(store_dir, tmp_path):
    import subprocess
    import sys
    info = store_info(store_dir)
    path = index_path(tmp_path, info.version)
    path.parent.mkdir(parents=True)
    done = subprocess.run([sys.executable, "-m", "kg.index", str(info.version_path), str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert kg_index.is_index(path) and LookupIndex(path).search("水库", "project", 5, 0)
    bad = subprocess.run([sys.executable, "-m", "kg.index", str(tmp_path / "nothing"), str(path)],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and kg_index.is_index(path)  # the built one is left as it was
