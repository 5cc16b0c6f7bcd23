"""kg.validate: a correct graph conforms; each kind of damage gives its precise result."""
from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad

from kg.validate import ValidationReport, format_report, load_ontology_quads, validate_store
from kg.vocab import KGO, ONTOLOGY_GRAPH, RDF, RDFS, graph_iri
from sample_graph import (BAIMA_HYDRO, CHENGYU, CHONGQING, FACTS, WULONG, YANGTZE,
                          build_sample_store, zh)

DOC_GRAPH = graph_iri("000_418089195a410d60")


def results(report: ValidationReport, severity: str = "Violation") -> set[tuple[str, str | None, str]]:
    """(focus node, path, shape local name) of each result of one severity."""
    return {(v.focus_node, v.path, (v.shape or "").rsplit("#", 1)[-1])
            for v in report.violations if v.severity == severity}


def test_sample_graph_conforms():
    report = validate_store(build_sample_store())
    assert report.conforms, format_report(report)
    assert report.errors == [] and report.warnings == []
    # the gazetteer's province is not mentioned by any document: an info, not an error
    assert results(report, "Info") == {(CHONGQING.value, KGO.mentionedIn.value, "UnmentionedPlaceShape")}
    assert report.triples > 1000


def test_store_without_ontology_graph_still_validates():
    # the ontology files are added to the data graph, so sh:class kgo:Sector still resolves
    report = validate_store(build_sample_store(with_ontology=False))
    assert report.conforms, format_report(report)


def test_two_chinese_labels_violate():
    store = build_sample_store()
    store.add(Quad(BAIMA_HYDRO, RDFS.label, zh("白马航电枢纽"), DOC_GRAPH))
    report = validate_store(store)
    assert not report.conforms
    assert results(report) == {(BAIMA_HYDRO.value, RDFS.label.value, "OneChineseLabel")}


def test_english_label_besides_the_chinese_one_is_allowed():
    store = build_sample_store()
    store.add(Quad(BAIMA_HYDRO, RDFS.label, Literal("Baima hydropower", language="en"), DOC_GRAPH))
    assert validate_store(store).conforms


def test_target_without_evidence_violates():
    store = build_sample_store()
    target = FACTS["gdp_2024_target"]
    evidence = next(store.quads_for_pattern(target, KGO.evidence, None))
    store.remove(evidence)
    report = validate_store(store)
    assert results(report) == {(target.value, KGO.evidence.value, "QuantityShape")}
    assert "kgo:evidence" in report.errors[0].message


def test_implements_to_a_non_strategy_violates():
    store = build_sample_store()
    store.add(Quad(BAIMA_HYDRO, KGO.implements, WULONG, DOC_GRAPH))
    report = validate_store(store)
    assert results(report) == {(BAIMA_HYDRO.value, KGO.implements.value, "ImplementsShape")}
    assert report.errors[0].value == WULONG.value


def test_implements_from_a_non_project_violates():
    store = build_sample_store()
    store.add(Quad(YANGTZE, KGO.implements, CHENGYU, DOC_GRAPH))
    report = validate_store(store)
    assert results(report) == {(YANGTZE.value, None, "ImplementsShape")}


def test_malformed_quantity_values_violate():
    store = build_sample_store()
    target = FACTS["gdp_2024_target"]
    for p in (KGO.year, KGO.comparator):
        store.remove(next(store.quads_for_pattern(target, p, None)))
    store.add(Quad(target, KGO.year, Literal("2024"), DOC_GRAPH))  # a plain string, not gYear
    store.add(Quad(target, KGO.comparator, Literal("gt"), DOC_GRAPH))  # not eq|ge|le|approx
    report = validate_store(store)
    assert results(report) == {(target.value, KGO.year.value, "QuantityShape"),
                               (target.value, KGO.comparator.value, "QuantityShape")}


def test_mention_offsets_outside_the_sentence_violate():
    store = build_sample_store()
    mention = next(store.quads_for_pattern(None, KGO.mentionOf, BAIMA_HYDRO)).subject
    for p, shift in ((KGO.startOffset, 500), (KGO.endOffset, 504)):
        old = next(store.quads_for_pattern(mention, p, None))
        store.remove(old)
        store.add(Quad(mention, p, Literal(str(shift), datatype=old.object.datatype), old.graph_name))
    report = validate_store(store)
    assert results(report) == {(mention.value, None, "MentionShape")}
    # the surface still spans as many characters as its offsets: no warning
    assert report.warnings == []


def test_mention_start_after_end_violates():
    store = build_sample_store()
    mention = next(store.quads_for_pattern(None, KGO.mentionOf, BAIMA_HYDRO)).subject
    old = next(store.quads_for_pattern(mention, KGO.endOffset, None))
    store.remove(old)
    store.add(Quad(mention, KGO.endOffset, Literal("1", datatype=old.object.datatype), old.graph_name))
    found = results(validate_store(store))
    assert (mention.value, KGO.startOffset.value, "MentionShape") in found


def test_assertion_without_its_direct_triple_violates():
    store = build_sample_store()
    assertion = FACTS["station_in_wulong"]
    store.remove(next(store.quads_for_pattern(
        NamedNode(next(store.quads_for_pattern(assertion, RDF.subject, None)).object.value),
        KGO.locatedIn, WULONG)))
    report = validate_store(store)
    assert results(report) == {(assertion.value, None, "AssertionShape")}


def test_located_in_cycle_violates():
    store = build_sample_store()
    store.add(Quad(CHONGQING, KGO.locatedIn, WULONG, DOC_GRAPH))
    found = results(validate_store(store))
    assert found == {(CHONGQING.value, None, "PlaceShape"), (WULONG.value, None, "PlaceShape")}


def test_unexpected_controlled_value_is_only_a_warning():
    store = build_sample_store()
    store.add(Quad(YANGTZE, KGO.strategyKind, Literal("slogan"), DOC_GRAPH))
    store.remove(Quad(YANGTZE, KGO.strategyKind, Literal("strategy"), DOC_GRAPH))
    report = validate_store(store)
    assert report.conforms
    assert results(report, "Warning") == {(YANGTZE.value, KGO.strategyKind.value, "StrategyShape")}


def test_format_report_names_shape_path_and_node():
    store = build_sample_store()
    store.add(Quad(BAIMA_HYDRO, KGO.implements, WULONG, DOC_GRAPH))
    text = format_report(validate_store(store))
    assert "does NOT conform" in text and "1 violation," in text
    assert "kgo:implements must point to a kgo:Strategy" in text
    assert "[kgsh:ImplementsShape]" in text
    assert "id:project/白马航电 -> id:place/500156" in text  # IRIs shown decoded


def test_load_ontology_quads_fill_the_ontology_graph():
    quads = load_ontology_quads()
    assert {q.graph_name for q in quads} == {ONTOLOGY_GRAPH}
    subjects = {q.subject for q in quads}
    assert KGO.Project in subjects and NamedNode("https://w3id.org/policykg/id/sector/tourism") in subjects
