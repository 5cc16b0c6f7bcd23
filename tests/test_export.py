"""Every export reads back: NetworkX reads its GraphML/GEXF/Cytoscape files, rdflib the RDF."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import networkx as nx
import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg.analysis.views import view_graph
from kg.export import FORMATS, NETWORK_WRITERS, export, format_of
from kg.export.rdf_formats import to_nquads
from kg.export.style import colour_of
from tests.fixtures_graph import hand_store, hand_store_dir, seed_store  # noqa: F401


def edge_set(g):
    return sorted((a, b, d.get("relation")) for a, b, d in g.edges(data=True))


@pytest.mark.parametrize("view", ["full", "policy-project", "project-place"])
def test_graphml_and_gexf_read_back_with_the_same_nodes_and_edges(hand_store, tmp_path, view):
    g = view_graph(hand_store, view)
    for fmt, read in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        path = tmp_path / f"g.{fmt}"
        path.write_bytes(export(hand_store, fmt, view).body)
        back = read(path)
        assert set(back.nodes) == set(g.nodes), fmt
        assert edge_set(back) == edge_set(g), fmt
        some = next(iter(g.nodes))
        assert back.nodes[some]["label"] == g.nodes[some]["label"]
        assert back.nodes[some]["type"] == g.nodes[some]["type"]
        assert back.nodes[some]["color"] == colour_of(g.nodes[some]["type"])
        if fmt == "graphml":  # Gephi reads the colour from r, g, b
            assert "#%02x%02x%02x" % tuple(back.nodes[some][c] for c in "rgb") == back.nodes[some]["color"]


def test_gexf_carries_colours_by_type(hand_store, tmp_path):
    path = tmp_path / "g.gexf"
    path.write_bytes(export(hand_store, "gexf").body)
    back = nx.read_gexf(path)
    colours = {(d["type"], tuple(sorted(d["viz"]["color"].items()))) for _, d in back.nodes(data=True)}
    assert len({t for t, _ in colours}) == len(colours)  # one colour per type


def test_cytoscape_json_has_elements_and_reads_back(hand_store):
    data = json.loads(export(hand_store, "cytoscape", "policy-project").body)
    assert data["elements"]["nodes"] and data["elements"]["edges"]
    edge = data["elements"]["edges"][0]["data"]
    assert {"source", "target", "relation", "sentences"} <= set(edge)
    back = nx.cytoscape_graph(data)
    g = view_graph(hand_store, "policy-project")
    assert set(back.nodes) == set(g.nodes) and back.number_of_edges() == g.number_of_edges()


def test_dot_and_csv(hand_store):
    g = view_graph(hand_store, "full")
    dot = export(hand_store, "dot").body.decode()
    assert dot.startswith("digraph policykg {") and dot.count(" -> ") == g.number_of_edges()
    assert "白马航电枢纽" in dot
    z = zipfile.ZipFile(io.BytesIO(export(hand_store, "csv").body))
    nodes = list(csv.DictReader(io.StringIO(z.read("nodes.csv").decode("utf-8-sig"))))
    edges = list(csv.DictReader(io.StringIO(z.read("edges.csv").decode("utf-8-sig"))))
    assert len(nodes) == g.number_of_nodes() and len(edges) == g.number_of_edges()
    located = [e for e in edges if e["relation"] == "locatedIn" and e["evidence"]]
    assert located and all(e["evidence_document"] for e in located)


def test_neighbourhood_export_and_errors(hand_store):
    body = export(hand_store, "cytoscape", "neighbourhood", "place/500156").body
    labels = {n["data"]["label"] for n in json.loads(body)["elements"]["nodes"]}
    assert "武隆区" in labels and "重庆市" in labels
    with pytest.raises(ValueError):
        format_of("xlsx")
    with pytest.raises(KeyError):
        export(hand_store, "dot", "neighbourhood", "project/不存在")


def dataset_from_store(store) -> Dataset:
    ds = Dataset()
    ds.parse(data=to_nquads(store), format="nquads")
    return ds


def named_graphs(ds: Dataset) -> dict[str, Graph]:
    out = {}
    for g in ds.graphs():
        if len(g):
            out[str(g.identifier)] = g
    return out


@pytest.mark.parametrize("fmt,rdflib_format", [("trig", "trig"), ("nq", "nquads"), ("jsonld", "json-ld")])
def test_rdf_exports_parse_to_an_isomorphic_dataset(hand_store, fmt, rdflib_format):
    expected = named_graphs(dataset_from_store(hand_store))
    back = Dataset()
    back.parse(data=export(hand_store, fmt).body, format=rdflib_format)
    got = named_graphs(back)
    assert set(got) == set(expected)
    for name, graph in expected.items():
        assert isomorphic(graph, got[name]), name


def test_turtle_is_the_union_of_all_graphs(hand_store):
    expected = Graph()
    for g in named_graphs(dataset_from_store(hand_store)).values():
        expected += g
    back = Graph().parse(data=export(hand_store, "ttl").body, format="turtle")
    assert len(back) == len(expected) and isomorphic(back, expected)


def test_jsonld_uses_the_project_context(hand_store):
    data = json.loads(export(hand_store, "jsonld").body)
    assert data["@context"]["kgo"] == "https://w3id.org/policykg/ontology#"
    assert "kgo:implements" in json.dumps(data, ensure_ascii=False)


def test_every_network_format_and_view_exports_the_seed_graph(seed_store):
    for view in ("policy-project", "project-place"):
        g = view_graph(seed_store, view)
        assert g.number_of_nodes() > 50, view
        assert export(seed_store, "csv-nodes", view).body == NETWORK_WRITERS["csv-nodes"](g)
        for name, write in NETWORK_WRITERS.items():  # what export() calls on the view
            assert len(write(g)) > 500, (view, name)
        data = json.loads(NETWORK_WRITERS["cytoscape"](g))
        assert len(data["elements"]["edges"]) == g.number_of_edges()
        assert NETWORK_WRITERS["dot"](g).decode().count(" -> ") == g.number_of_edges()


def test_seed_graphml_and_gexf_read_back_with_the_same_nodes_and_edges(seed_store, tmp_path):
    g = view_graph(seed_store, "full")
    for fmt, read in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        path = tmp_path / f"seed.{fmt}"
        path.write_bytes(export(seed_store, fmt).body)
        back = read(path)
        assert set(back.nodes) == set(g.nodes), fmt
        assert edge_set(back) == edge_set(g), fmt
        assert {d["type"] for _, d in back.nodes(data=True)} == {d["type"] for _, d in g.nodes(data=True)}


def ground_and_blank(quads):
    """(quads without blank nodes, {graph: rdflib Graph of the triples with blank nodes})."""
    from rdflib import BNode, Literal
    from rdflib import URIRef as U

    def term(t):
        if isinstance(t, ox.NamedNode):
            return U(t.value)
        if isinstance(t, ox.BlankNode):
            return BNode(t.value)
        if t.language:
            return Literal(t.value, lang=t.language)
        return Literal(t.value, datatype=U(t.datatype.value))
    ground, blank = set(), {}
    for q in quads:
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
            g = blank.setdefault(q.graph_name, Graph())
            g.add((term(q.subject), term(q.predicate), term(q.object)))
        else:
            ground.add(q)
    return ground, blank


def test_seed_rdf_exports_read_back_to_the_same_dataset(seed_store):
    """Read back by Oxigraph's parsers (rdflib takes ~5 s a file on the seed; it reads the
    hand-marked store above): quads without blank nodes equal as sets, the rest isomorphic."""
    ref_ground, ref_blank = ground_and_blank(seed_store.quads_for_pattern(None, None, None))
    assert len(ref_ground) > 40_000 and ref_blank  # the ontology's OWL restrictions are blank
    for fmt, rdf_format in (("nq", ox.RdfFormat.N_QUADS), ("trig", ox.RdfFormat.TRIG),
                            ("jsonld", ox.RdfFormat.JSON_LD)):
        ground, blank = ground_and_blank(ox.parse(export(seed_store, fmt).body, format=rdf_format))
        assert ground == ref_ground, fmt
        assert set(blank) == set(ref_blank), fmt
        assert all(isomorphic(blank[g], ref_blank[g]) for g in ref_blank), fmt
    # Turtle: every graph merged into one
    ground, blank = ground_and_blank(ox.parse(export(seed_store, "ttl").body, format=ox.RdfFormat.TURTLE))
    assert {ox.Triple(q.subject, q.predicate, q.object) for q in ground} == {
        ox.Triple(q.subject, q.predicate, q.object) for q in ref_ground}
    merged = Graph()
    for g in ref_blank.values():
        merged += g
    assert isomorphic(blank[ox.DefaultGraph()], merged)


def test_kg_export_writes_every_format_and_view(hand_store_dir, tmp_path, capsys):
    from kg.cli import main

    for name, f in FORMATS.items():
        views = ("full", "policy-project", "project-place") if f.kind != "rdf" else ("full",)
        for view in views:
            out = tmp_path / f"{view}{f.suffix}"
            assert main(["export", "--store", str(hand_store_dir), "--format", name,
                         "--view", view, "--out", str(out)]) == 0, (name, view)
            assert out.stat().st_size > 200, (name, view)
    back = nx.read_gexf(tmp_path / "policy-project.gexf")
    assert {d["type"] for _, d in back.nodes(data=True)} == {"project", "strategy"}
    assert main(["export", "--store", str(hand_store_dir), "--format", "dot", "--view", "neighbourhood",
                 "--entity", "place/500156", "--radius", "2", "--out", str(tmp_path / "n.dot")]) == 0
    assert "白马航电枢纽" in (tmp_path / "n.dot").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["export", "--store", str(hand_store_dir), "--format", "dot", "--view", "neighbourhood"]) == 1
    assert "needs an entity" in capsys.readouterr().err
    assert main(["export", "--store", str(hand_store_dir), "--format", "dot", "--view", "neighbourhood",
                 "--entity", "project/不存在"]) == 1


def test_kg_analyze_writes_the_report(hand_store_dir, tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "kg.cli", "analyze", "--store", str(hand_store_dir),
                           "--out", str(tmp_path / "report")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert {p.name for p in (tmp_path / "report").iterdir()} == {"report.md", "report.html", "report.json",
                                                                 "charts"}
    md = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert "Coverage 75.0%" in md and "![Policy → project network](charts/policy_project_network.svg)" in md
    assert len(list((tmp_path / "report" / "charts").glob("*.svg"))) == 5
