"""kg.lookup as Python functions and as `kg` commands, on the seed build (conftest's
store_dir): every lookup of /api/* is also a function and a command with the same answer."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg import lookup

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "https://w3id.org/policykg/id/project/车盘水库"
STRATEGY = "https://w3id.org/policykg/id/strategy/乡村全面振兴"


@pytest.fixture(scope="module")
def store(store_dir):
    from kg.store import open_store
    return open_store(store_dir)


def kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("value,iri", [
    ("project/车盘水库", PROJECT),
    (" strategy/乡村全面振兴 ", STRATEGY),
    (PROJECT, PROJECT),
    ("project/a b", "https://w3id.org/policykg/id/project/a%20b"),  # written as kg.vocab mints it
])
def test_an_entity_is_named_by_type_and_key_or_by_iri(value, iri):
    assert lookup.resolve_ref(value) == iri


@pytest.mark.parametrize("value,says", [
    ("车盘水库", "give type/key"), ("project/", "give type/key"),
    ("bogus/x", "unknown entity type 'bogus'"),
    ("http://example.org/x", "is not an entity IRI"),
])
def test_a_reference_that_names_no_entity_is_a_bad_request(value, says):
    with pytest.raises(lookup.BadRequest, match=says):
        lookup.resolve_ref(value, "source")


def test_paths_step_by_step_with_relation_and_evidence(store):
    found = lookup.paths(store, "project/车盘水库", "strategy/乡村全面振兴", max_length=3)
    assert found["source"]["label"] == "车盘水库" and found["target"]["label"] == "乡村全面振兴"
    assert found["count"] == len(found["paths"]) >= 1
    step = found["paths"][0][0]
    assert step["source"] == PROJECT and step["relation"] == "implements"
    assert any("车盘水库" in e["text"] for e in step["evidence"])


def test_paths_errors(store):
    with pytest.raises(lookup.NotFound, match="target"):
        lookup.paths(store, "project/车盘水库", "strategy/没有这个战略")
    with pytest.raises(lookup.BadRequest, match="max_length"):
        lookup.paths(store, "project/车盘水库", "strategy/乡村全面振兴", max_length=0)


def test_predicate_names():
    assert lookup.predicate_iri("implements").value.endswith("ontology#implements")
    assert lookup.predicate_iri("rdfs:label").value == "http://www.w3.org/2000/01/rdf-schema#label"
    with pytest.raises(lookup.BadRequest, match="not an IRI"):
        lookup.predicate_iri("<x> } DROP")


def kg_json(capsys, *args: str):
    """`kg ARGS` run in this process (kg.cli.main), its JSON output parsed."""
    from kg.cli import main
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_kg_paths_prints_what_the_function_returns(store, store_dir):
    out = kg("paths", "project/车盘水库", STRATEGY, "--max-length", "3", "--store", str(store_dir))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == lookup.paths(store, "project/车盘水库", STRATEGY, 3)


def test_kg_strategy_projects_prints_each_project_with_its_evidence(store, store_dir, capsys):
    projects = kg_json(capsys, "strategy-projects", "乡村全面振兴", "--store", str(store_dir))
    assert projects == lookup.strategy_projects(store, "乡村全面振兴")[0]
    assert "车盘水库" in {p["project"]["label"] for p in projects}
    assert all(p["via"] and p["links"][0]["steps"] for p in projects)


def test_kg_search_entity_relations_and_targets(store, store_dir, capsys):
    at = ("--store", str(store_dir))
    found = kg_json(capsys, "search", "水库", "--type", "project", *at)
    assert found == lookup.search(store, "水库", "project") and "车盘水库" in {f["label"] for f in found}
    card = kg_json(capsys, "entity", "project/车盘水库", *at)
    assert card["label"] == "车盘水库" and card["mentions"][0]["sentence_text"]
    related = kg_json(capsys, "relations", "project/车盘水库", "--direction", "out",
                      "--predicate", "implements", *at)
    assert [r["node"]["iri"] for r in related] == [STRATEGY] and related[0]["evidence"]
    figures = kg_json(capsys, "targets", "--year", "2024", "--document", "000_418089195a410d60", *at)
    assert figures["items"] and all(i["year"] == 2024 and i["document"].startswith("000_")
                                    for i in figures["items"])


@pytest.mark.parametrize("args,says", [
    (("strategy-projects", "没有这个战略"), "no strategy with key '没有这个战略'"),
    (("paths", "project/车盘水库", "车盘水库"), "target: give type/key"),
    (("entity", "project/没有这个项目"), "no project with key"),
    (("relations", "project/车盘水库", "--predicate", "a b"), "is not an IRI"),
])
def test_lookup_commands_fail_with_a_message_and_status_1(store_dir, capsys, args, says):
    from kg.cli import main
    assert main([*args, "--store", str(store_dir)]) == 1
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def test_plans_pair_with_outcomes_of_the_same_place_only():
    """Two provinces set the same kind of target for a year; one reports its outcome: that
    outcome pairs with its own province's target, not with the other's."""
    import pyoxigraph as ox
    from kg.vocab import KGO, RDFS, XSD
    base, s = "https://w3id.org/policykg/", ox.Store()
    g = ox.NamedNode(base + "graph/d")
    doc = ox.NamedNode(base + "id/document/d")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    indicator = ox.NamedNode(base + "id/indicator/城镇新增就业")
    quads = [(doc, KGO.sourceFile, ox.Literal("d.txt")),
             (indicator, RDFS.label, ox.Literal("城镇新增就业", language="zh"))]
    for code, name in (("510000", "四川省"), ("520000", "贵州省")):
        quads.append((ox.NamedNode(base + f"id/place/{code}"), RDFS.label, ox.Literal(name, language="zh")))
    figures = (("target/d-1", "Target", "510000", "100"), ("target/d-2", "Target", "520000", "60"),
               ("observation/d-3", "Observation", "510000", "104"))
    for key, cls, code, value in figures:
        x = ox.NamedNode(base + "id/" + key)
        quads += [(x, rdf_type, ox.NamedNode(KGO.iri + cls)), (x, KGO.indicator, indicator),
                  (x, KGO.year, ox.Literal("2023", datatype=XSD.gYear)),
                  (x, KGO.value, ox.Literal(value, datatype=XSD.decimal)),
                  (x, KGO.unit, ox.Literal("万人")), (x, KGO.mentionedIn, doc),
                  (x, KGO.refArea, ox.NamedNode(base + f"id/place/{code}"))]
    s.extend(ox.Quad(*q, g) for q in quads)
    found = lookup.targets(s, year=2023)
    assert len(found["items"]) == 3
    assert [(p["place"]["label"], p["target"]["value"], p["observation"]["value"])
            for p in found["pairs"]] == [("四川省", 100.0, 104.0)]
    assert [i["value"] for i in lookup.targets(s, place="贵州")["items"]] == [60.0]
