"""queries/*.rq: each named query documents itself, parses, and answers correctly on a
small real graph (tests/sample_graph.py), over the union of all graphs as the endpoint does."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Variable
from rdflib.plugins.sparql import prepareQuery

from kg.store import default_graph_options
from kg.vocab import KGO, XSD, entity_iri
from sample_graph import (BAIMA_HYDRO, CHENGYU, CHINA, CHONGQING, ENERGY, FACTS, LUHAI,
                          NATIONAL_GDP, TOURISM_INCOME, WULONG, YAJIANG_STATION, YANGTZE, YINPAN,
                          build_sample_store)

QUERIES = Path(__file__).resolve().parent.parent / "queries"
NAMES = sorted(p.stem for p in QUERIES.glob("*.rq"))
STORE = build_sample_store()


def header(name: str) -> dict[str, str]:
    fields = {}
    for line in (QUERIES / f"{name}.rq").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line.lstrip("# ").partition(":")
        fields[key.strip()] = value.strip()
    return fields


def run(name: str, **params) -> list[dict[str, object]]:
    """Run a named query with its parameters bound (pyoxigraph substitutions)."""
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    rows = STORE.query(text, **default_graph_options(STORE),
                       substitutions={Variable(k): v for k, v in params.items()})
    variables = [v.value for v in rows.variables]
    return [{v: row[v].value if row[v] is not None else None for v in variables} for row in rows]


def gyear(y: int) -> Literal:
    return Literal(str(y), datatype=XSD.gYear)


def test_the_brief_s_queries_are_all_there():
    assert {"projects-by-strategy", "projects-in-place", "targets-of-year-by-sector",
            "plan-vs-actual", "strategies-without-projects", "sentence-behind-a-fact",
            "documents-overview", "indicators-across-years"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_query_documents_itself_and_parses(name):
    fields = header(name)
    assert fields.get("title") and len(fields.get("description", "")) > 40
    assert "parameters" in fields
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    prepareQuery(text)  # standard SPARQL 1.1 for another engine (rdflib) too
    # every declared parameter can be set by editing the VALUES line
    declared = set(re.findall(r"\?(\w+)", fields["parameters"]))
    values = re.search(r"VALUES \(?([?\w ]+?)\)? \{ \(?UNDEF", text)
    assert declared == (set(re.findall(r"\?(\w+)", values.group(1))) if values else set())


@pytest.mark.parametrize("name", NAMES)
def test_query_runs_with_results(name):
    assert run(name), name


def test_projects_by_strategy():
    rows = run("projects-by-strategy")
    assert {(r["strategy"], r["project"]) for r in rows} == {
        (CHENGYU.value, BAIMA_HYDRO.value), (CHENGYU.value, YINPAN.value)}
    first = rows[0]
    assert first["strategyLabel"] == "成渝地区双城经济圈建设" and first["level"] == "national"
    assert first["sentences"] == "1" and first["documents"] == "000_418089195a410d60.txt"
    assert run("projects-by-strategy", strategy=LUHAI) == []


def test_projects_in_place_follow_the_hierarchy():
    rows = run("projects-in-place", place=CHONGQING)
    assert [(r["projectLabel"], r["whereLabel"], r["placeLabel"]) for r in rows] == [
        ("鸭江火车站", "武隆区", "重庆市")]
    assert {r["project"] for r in run("projects-in-place", place=WULONG)} == {YAJIANG_STATION.value}


def test_targets_of_year_by_sector():
    rows = run("targets-of-year-by-sector", year=gyear(2024))
    tourism = [r for r in rows if r["sector"] == entity_iri("sector", "tourism").value]
    assert [(r["indicatorLabel"], r["value"], r["unit"], r["comparator"], r["via"]) for r in tourism] == [
        ("旅游综合收入", "220", "亿元", "ge", "indicator name")]
    assert all(r["year"] == "2024" for r in rows)
    assert run("targets-of-year-by-sector", year=gyear(2024), sector=ENERGY) == []
    assert run("targets-of-year-by-sector", year=gyear(2030)) == []


def test_plan_vs_actual_pairs_target_and_result_of_the_same_year():
    rows = run("plan-vs-actual")
    assert len(rows) == 1  # the 126 万亿元 level is in another unit, so not paired
    row = rows[0]
    assert row["indicator"] == NATIONAL_GDP.value and row["year"] == "2023"
    assert row["area"] == CHINA.value and row["unit"] == "%"
    assert (Decimal(row["planned"]), Decimal(row["actual"])) == (Decimal(5), Decimal("5.2"))
    assert Decimal(row["difference"]) == Decimal("0.2") and row["met"] == "true"
    assert row["comparator"] == "approx"
    assert "5%左右" in row["targetSentence"] and "增长5.2%" in row["actualSentence"]
    assert (row["targetFile"], row["actualFile"]) == ("gwr-2023.txt", "gwr-2024.txt")
    assert run("plan-vs-actual", year=gyear(2024)) == []


def test_strategies_without_projects():
    rows = run("strategies-without-projects")
    assert {r["strategy"] for r in rows} == {LUHAI.value, YANGTZE.value}
    assert all(r["mentions"] == "1" for r in rows)


def test_sentence_behind_a_target():
    rows = run("sentence-behind-a-fact", fact=FACTS["gdp_2024_target"])
    assert len(rows) == 1
    row = rows[0]
    assert row["sentenceText"] == "预期目标是:地区生产总值增长6.5%;"
    assert row["file"] == "002_772683341a126a07.txt" and row["type"] == KGO.Target.value
    assert (row["indicatorLabel"], row["value"], row["unit"], row["year"]) == ("地区生产总值", "6.5", "%", "2024")


def test_sentence_behind_an_assertion():
    rows = run("sentence-behind-a-fact", fact=FACTS["baima_implements"])
    assert [(r["subject"], r["predicate"], r["object"], r["rule"]) for r in rows] == [
        (BAIMA_HYDRO.value, KGO.implements.value, CHENGYU.value, "rule")]
    assert "白马航电" in rows[0]["sentenceText"]
    start, end = int(rows[0]["start"]), int(rows[0]["end"])
    assert end - start == len(rows[0]["sentenceText"])


def test_evidence_of_a_link():
    rows = run("evidence-of-a-link", subject=YAJIANG_STATION, predicate=KGO.locatedIn)
    assert [(r["objectLabel"], r["file"]) for r in rows] == [("武隆区", "000_418089195a410d60.txt")]
    assert rows[0]["sentenceText"].startswith("开通鸭江火车站")


def test_documents_overview_counts():
    rows = {r["file"]: r for r in run("documents-overview")}
    assert set(rows) == {"000_418089195a410d60.txt", "002_772683341a126a07.txt", "gwr-2023.txt", "gwr-2024.txt"}
    plan = rows["000_418089195a410d60.txt"]
    assert (plan["projects"], plan["strategies"], plan["places"], plan["indicators"]) == ("3", "3", "1", "2")
    assert (plan["targets"], plan["observations"], plan["links"], plan["sentences"]) == ("1", "2", "7", "8")
    assert (plan["reviewYears"], plan["planYears"], plan["placeLabel"]) == ("2023", "2024", "武隆区")
    assert rows["gwr-2024.txt"]["observations"] == "2" and rows["gwr-2024.txt"]["targets"] == "0"


def test_indicators_across_years():
    rows = run("indicators-across-years", indicator=TOURISM_INCOME, area=WULONG)
    assert [(r["year"], r["role"], r["value"], r["unit"]) for r in rows] == [
        ("2023", "observation", "217", "亿元"), ("2024", "target", "220", "亿元")]
    # an indicator with values in one year only is not a series
    assert run("indicators-across-years", indicator=NATIONAL_GDP) == []


def test_editing_the_values_line_binds_a_parameter_like_substitution():
    text = (QUERIES / "projects-in-place.rq").read_text(encoding="utf-8")
    edited = text.replace("VALUES ?place { UNDEF }", f"VALUES ?place {{ <{WULONG.value}> }}")
    assert edited != text
    rows = list(STORE.query(edited, **default_graph_options(STORE)))
    assert [r["project"] for r in rows] == [YAJIANG_STATION]
    assert isinstance(rows[0]["place"], NamedNode)
