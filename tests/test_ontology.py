"""ontology/*.ttl: they parse, align to W3C vocabularies, and the sector scheme matches
the codes the guideline and the sector extractor use."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.extract.sectors import SECTOR_CODES
from kg.ontology import ONTOLOGY_FILES, load_ontology_graph, ontology_dir, shapes_path
from kg.vocab import INDUSTRY_SCHEME, KGO, QUANTITY_STRUCTURE, SECTOR_SCHEME

REPO = Path(__file__).resolve().parent.parent
GUIDELINE = REPO.parent / "shared" / "gold" / "GUIDELINE.md"  # beside the checkout in CI
K = rdflib.Namespace(KGO.iri)
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
QB = rdflib.Namespace("http://purl.org/linked-data/cube#")
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
SCHEMA = rdflib.Namespace("https://schema.org/")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
G = load_ontology_graph()
SECTOR_NS = "https://w3id.org/policykg/id/sector/"


def sectors() -> dict[str, rdflib.URIRef]:
    return {str(G.value(s, SKOS.notation)): s for s in G.subjects(RDF.type, K.Sector)}


def test_files_are_found_and_parse():
    assert ontology_dir() == REPO / "ontology"
    for name in ONTOLOGY_FILES + ("shapes.ttl",):
        assert len(rdflib.Graph().parse(ontology_dir() / name)) > 100, name
    assert (rdflib.URIRef("https://w3id.org/policykg/ontology"), RDF.type, OWL.Ontology) in G


def test_environment_variable_points_to_another_copy(tmp_path, monkeypatch):
    for name in ONTOLOGY_FILES + ("shapes.ttl",):
        (tmp_path / name).write_bytes((REPO / "ontology" / name).read_bytes())
    monkeypatch.setenv("POLICYKG_ONTOLOGY_DIR", str(tmp_path))
    assert ontology_dir() == tmp_path and shapes_path() == tmp_path / "shapes.ttl"


@pytest.mark.parametrize("sub, sup", [
    (K.Document, PROV.Entity), (K.Document, SCHEMA.Report), (K.Mention, PROV.Entity),
    (K.Sentence, PROV.Entity), (K.Assertion, RDF.Statement), (K.Strategy, PROV.Plan),
    (K.Sector, SKOS.Concept), (K.Indicator, SKOS.Concept),
    (K.Target, QB.Observation), (K.Observation, QB.Observation),
    (K.Organization, ORG.Organization), (K.Event, SCHEMA.Event), (K.Place, SCHEMA.Place),
    (K.Project, SCHEMA.Project),
])
def test_class_alignments(sub, sup):
    assert (sub, RDFS.subClassOf, sup) in G


@pytest.mark.parametrize("sub, sup", [
    (K.evidence, PROV.wasDerivedFrom), (K.startOffset, OA.start), (K.endOffset, OA.end),
    (K.inDocument, rdflib.URIRef("http://purl.org/dc/terms/isPartOf")),
    (K.organizedBy, SCHEMA.organizer),
])
def test_property_alignments(sub, sup):
    assert (sub, RDFS.subPropertyOf, sup) in G


def test_quantities_form_a_data_cube():
    dsd = rdflib.URIRef(QUANTITY_STRUCTURE.value)
    assert (dsd, RDF.type, QB.DataStructureDefinition) in G
    parts = {(p, o) for c in G.objects(dsd, QB.component) for p, o in G.predicate_objects(c)
             if p in (QB.dimension, QB.measure, QB.attribute)}
    assert {(QB.dimension, K.indicator), (QB.dimension, K.year), (QB.dimension, K.refArea),
            (QB.measure, K.value), (QB.attribute, K.unit)} <= parts
    for prop, kind in ((K.indicator, QB.DimensionProperty), (K.year, QB.DimensionProperty),
                       (K.value, QB.MeasureProperty), (K.unit, QB.AttributeProperty)):
        assert (prop, RDF.type, kind) in G


def test_sector_codes_match_the_extractor():
    assert set(sectors()) == set(SECTOR_CODES)


def test_sector_codes_match_the_guideline():
    # shared/ sits beside the checkout (in CI too); the extractor test above holds without it
    text = GUIDELINE.read_text(encoding="utf-8")
    block = text.split("## SECTORS", 1)[1].split("\n", 1)[1].split("\n\n", 1)[0]
    entries = re.findall(r"([a-z_]+) ([^·\s]+)", block)
    assert len(entries) == 22
    found = sectors()
    assert set(found) == {code for code, _ in entries}
    for code, words in entries:
        names = {str(o) for o in G.objects(found[code], RDFS.label) if o.language == "zh"}
        names |= {str(o) for o in G.objects(found[code], SKOS.altLabel)}
        assert set(words.strip().split("/")) <= names, code


def test_every_sector_concept_is_complete():
    for code, s in sectors().items():
        assert str(s) == SECTOR_NS + code
        assert (s, RDF.type, SKOS.Concept) in G
        assert (s, SKOS.inScheme, rdflib.URIRef(SECTOR_SCHEME.value)) in G
        zh = [o for o in G.objects(s, RDFS.label) if o.language == "zh"]
        en = [o for o in G.objects(s, RDFS.label) if o.language == "en"]
        assert len(zh) == 1 and len(en) == 1, code
        assert (s, SKOS.prefLabel, zh[0]) in G
        assert G.value(s, SKOS.scopeNote) is not None, code  # says why it maps as it does


def test_sectors_map_to_industry_sections():
    scheme = rdflib.URIRef(INDUSTRY_SCHEME.value)
    sections = {str(G.value(c, SKOS.notation)): c for c in G.subjects(SKOS.inScheme, scheme)}
    assert sorted(sections) == list("ABCDEFGHIJKLMNOPQRST")
    assert str(G.value(sections["H"], SKOS.prefLabel)) in {"住宿和餐饮业"}
    labels = {str(o) for c in sections.values() for o in G.objects(c, SKOS.prefLabel) if o.language == "zh"}
    assert {"制造业", "交通运输、仓储和邮政业", "文化、体育和娱乐业", "国际组织"} <= labels
    mapping = (SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
    by_code = sectors()
    for code, s in by_code.items():
        assert any(o in sections.values() for p in mapping for o in G.objects(s, p)), code
    assert (by_code["finance"], SKOS.closeMatch, sections["J"]) in G
    assert (by_code["sports"], SKOS.broadMatch, sections["R"]) in G
    assert (by_code["construction_realestate"], SKOS.narrowMatch, sections["K"]) in G
    # tourism is a cross-section satellite account: related, not close
    assert (by_code["tourism"], SKOS.relatedMatch, sections["H"]) in G
    assert (by_code["tourism"], SKOS.closeMatch, None) not in G


def test_shapes_allow_exactly_the_model_enums():
    from kg.model import Comparator, MeasureKind, SectionMode

    shapes = rdflib.Graph().parse(shapes_path())

    def allowed(path) -> set[str]:
        for prop in shapes.subjects(SH.path, path):
            lst = shapes.value(prop, SH["in"])
            if lst is not None:
                return {str(x) for x in rdflib.collection.Collection(shapes, lst)}
        raise AssertionError(f"no sh:in for {path}")

    assert allowed(K.comparator) == {c.value for c in Comparator}
    assert allowed(K.measureKind) == {m.value for m in MeasureKind}
    assert allowed(K.sectionMode) == {m.value for m in SectionMode}
