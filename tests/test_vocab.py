"""kg.vocab and ontology/kgo.ttl name the same kgo: terms, and the IRI minting rules."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from kg.vocab import (KGO, KGO_CLASSES, KGO_PROPERTIES, entity_iri, document_part_iri,
                      graph_iri, iri_key)

REPO = Path(__file__).resolve().parent.parent
ONTOLOGY = rdflib.Graph().parse(REPO / "ontology" / "kgo.ttl")
NS = KGO.iri


def declared(kind) -> set[str]:
    return {str(s)[len(NS):] for s in ONTOLOGY.subjects(RDF.type, kind) if str(s).startswith(NS)}


def test_every_class_in_vocab_is_an_owl_class():
    assert set(KGO_CLASSES) == declared(OWL.Class)


def test_every_property_in_vocab_is_an_owl_property():
    properties = declared(OWL.ObjectProperty) | declared(OWL.DatatypeProperty)
    assert set(KGO_PROPERTIES) == properties
    assert not declared(OWL.ObjectProperty) & declared(OWL.DatatypeProperty)


def test_no_kgo_term_in_the_ontology_is_unknown_to_the_code():
    mentioned = {str(t)[len(NS):] for triple in ONTOLOGY for t in triple
                 if isinstance(t, rdflib.URIRef) and str(t).startswith(NS)}
    assert mentioned <= set(KGO.terms), mentioned - set(KGO.terms)


@pytest.mark.parametrize("term", KGO_CLASSES + KGO_PROPERTIES)
def test_every_term_has_chinese_and_english_labels_and_a_comment(term):
    iri = rdflib.URIRef(NS + term)
    labels = {lit.language: str(lit) for lit in ONTOLOGY.objects(iri, RDFS.label)}
    assert set(labels) == {"zh", "en"}, labels
    assert re.search(r"[\u4e00-\u9fff]", labels["zh"])
    comments = {lit.language for lit in ONTOLOGY.objects(iri, RDFS.comment)}
    assert "en" in comments


def test_properties_state_their_range_or_domain():
    for term in KGO_PROPERTIES:
        iri = rdflib.URIRef(NS + term)
        assert (iri, RDFS.range, None) in ONTOLOGY or (iri, RDFS.domain, None) in ONTOLOGY \
            or (iri, RDFS.subPropertyOf, None) in ONTOLOGY, term


def test_kgo_terms_used_in_shapes_sectors_and_queries_exist():
    used = set()
    for path in [REPO / "ontology" / "shapes.ttl", REPO / "ontology" / "sectors.ttl",
                 *sorted((REPO / "queries").glob("*.rq"))]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bkgo:([A-Za-z]+)", text))
        used |= set(re.findall(re.escape(NS) + r"([A-Za-z]+)", text))
    assert used and used <= set(KGO.terms), used - set(KGO.terms)


def test_namespace_is_closed():
    assert KGO.implements.value == NS + "implements"
    assert KGO["format"].value == NS + "format"
    with pytest.raises(AttributeError, match="not a term"):
        KGO.implement  # a typo must fail loudly, not mint a new IRI


def test_entity_iris_are_one_reversible_path_segment():
    iri = entity_iri("project", iri_key("白马航电")).value
    assert unquote(iri) == "https://w3id.org/policykg/id/project/白马航电"
    key = iri_key("渝湘高速复线（武隆段）/二期 #1")
    assert "/" not in key and " " not in key and "#" not in key
    assert unquote(key) == "渝湘高速复线（武隆段）/二期 #1"  # one path segment, nothing lost
    with pytest.raises(ValueError, match="unknown entity type"):
        entity_iri("river", "乌江")


def test_document_parts_and_graphs_live_under_the_document():
    assert document_part_iri("000_x", "sentence", 3).value == \
        "https://w3id.org/policykg/id/document/000_x/sentence/3"
    assert graph_iri("000_x").value == "https://w3id.org/policykg/graph/000_x"
