"""Mapping documents and entities to quads: one self-contained graph per document."""
from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from kg import rdf
from kg.model import EntityKind
from kg.pipeline import process_file
from kg.resolve import resolve
from kg.vocab import BASE, KGO, RDF, RDFS

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "data").glob("*.txt"))


@pytest.fixture(scope="module")
def mapped():
    docs = [process_file(p).document for p in SEEDS]
    for doc in docs:
        doc.attrs["key"] = doc.source.path.stem
    res = resolve(docs)
    return docs, res, [list(rdf.document_quads(doc, res)) for doc in docs]


def test_each_document_writes_only_into_its_own_graph(mapped):
    docs, _, graphs = mapped
    for doc, quads in zip(docs, graphs):
        assert {q.graph_name for q in quads} == {NamedNode(f"{BASE}graph/{doc.source.path.stem}")}
        d = rdf.document_iri(doc)
        assert any(q.subject == d and q.predicate == RDF.type and q.object == KGO.Document
                   for q in quads)


def test_mapping_is_deterministic(mapped):
    docs, res, graphs = mapped
    assert [list(rdf.document_quads(doc, res)) for doc in docs] == graphs


def test_every_mentioned_entity_is_described_in_each_graph_that_mentions_it(mapped):
    _, res, graphs = mapped
    for quads in graphs:
        mentioned = {q.object for q in quads if q.predicate == KGO.mentionOf}
        typed = {q.subject for q in quads if q.predicate == RDF.type}
        labelled = {q.subject for q in quads if q.predicate == RDFS.label}
        entities = {m for m in mentioned if "/id/target/" not in m.value
                    and "/id/observation/" not in m.value}
        assert entities and entities <= typed and entities <= labelled
    # an entity named in both reports is described in both graphs, with the same label
    shared = ({q.subject for q in graphs[0] if q.predicate == KGO.mentionedIn}
              & {q.subject for q in graphs[1] if q.predicate == KGO.mentionedIn})
    assert len(shared) > 20
    for e in list(shared)[:50]:
        labels = [{q.object for q in g if q.subject == e and q.predicate == RDFS.label} for g in graphs]
        assert labels[0] == labels[1] and len(labels[0]) == 1


def test_mention_surfaces_are_the_text_at_their_offsets(mapped):
    docs, _, graphs = mapped
    for doc, quads in zip(docs, graphs):
        by_mention: dict = {}
        for q in quads:
            if q.predicate in (KGO.surface, KGO.startOffset, KGO.endOffset):
                by_mention.setdefault(q.subject, {})[q.predicate.value] = q.object.value
        by_mention = {m: p for m, p in by_mention.items() if KGO.surface.value in p}
        assert len(by_mention) > 500
        for props in by_mention.values():
            start, end = int(props[KGO.startOffset.value]), int(props[KGO.endOffset.value])
            assert doc.text[start:end] == props[KGO.surface.value]


def test_the_gazetteer_graph_chains_every_coded_place_up_to_its_province(mapped):
    _, res, _ = mapped
    quads = list(rdf.gazetteer_quads(res))
    assert {q.graph_name for q in quads} == {rdf.GAZETTEER_GRAPH}
    parent = {q.subject: q.object for q in quads if q.predicate == KGO.locatedIn}
    coded = [e for e in res.of_kind(EntityKind.PLACE) if e.attrs.get("adcode")]
    assert coded
    for place in coded:
        node, steps = rdf.iri_of(place), 0
        while node in parent:
            node, steps = parent[node], steps + 1
        assert node.value.endswith("0000") or steps == 0  # a province code (xx0000)


def test_indicators_have_mentions_of_their_own_words_and_sections_name_figures(mapped):
    docs, _, graphs = mapped
    for doc, quads in zip(docs, graphs):
        of = {q.subject: q.object for q in quads if q.predicate == KGO.mentionOf}
        surface = {q.subject: q.object.value for q in quads if q.predicate == KGO.surface}
        indicators = {q.subject for q in quads
                      if q.predicate == RDF.type and q.object == KGO.Indicator}
        with_words = {o for m, o in of.items() if o in indicators}
        # nearly every indicator is worded as such beside its number (the rest were reworded)
        assert len(with_words) >= 0.9 * len(indicators) > 10
        worded = {qty.indicator for qty in doc.quantities}
        for m, o in of.items():
            if o in indicators:  # the words of the mention are the indicator as worded
                assert surface[m] in worded
        figures = {q.subject for q in quads if q.predicate == RDF.type
                   and q.object in (KGO.Target, KGO.Observation)}
        named_by_sections = {q.object for q in quads if q.predicate == KGO.mentions}
        assert figures and figures <= named_by_sections
        assert with_words <= named_by_sections
