"""The IRIs the code uses, as pyoxigraph terms. The ontology files own them.

Every `kgo:` term named here is declared in `ontology/kgo.ttl`; `tests/test_vocab.py`
checks both directions, so a term cannot be used in code without being defined in the
ontology. Entity and graph IRIs are minted only by the functions below.
"""
from __future__ import annotations

from functools import lru_cache

from pyoxigraph import NamedNode

BASE = "https://w3id.org/policykg/"
ONTOLOGY_IRI = BASE + "ontology"


class Namespace:
    """A closed namespace: only the listed local names resolve, anything else is a bug."""

    def __init__(self, iri: str, terms: tuple[str, ...] = ()):
        self.iri = iri
        self._terms = {t: NamedNode(iri + t) for t in terms}
        self.closed = bool(terms)

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._terms[name]
        except KeyError:
            if self.closed:
                raise AttributeError(f"{name!r} is not a term of <{self.iri}>") from None
            return NamedNode(self.iri + name)

    def __getitem__(self, name: str) -> NamedNode:
        return self.__getattr__(name)

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(self._terms)


KGO_CLASSES = (
    "Document", "Section", "Column", "ColumnRow", "Sentence", "Mention", "Assertion",
    "Project", "Strategy", "Sector", "Place", "Indicator", "Target", "Observation",
    "Event", "Organization",
)
KGO_PROPERTIES = (
    # document
    "sourceFile", "issuedBy", "issuerName", "reviewYear", "planYear", "aboutPlace", "format",
    "textLength",
    # structure
    "inDocument", "hasSection", "parentSection", "sectionLevel", "heading", "order",
    "inSection", "inColumn", "inRow", "hasRow", "columnNumber", "text", "startOffset",
    "endOffset", "sectionYear", "sectionMode",
    # provenance
    "hasMention", "mentionOf", "inSentence", "surface", "evidence", "extractedBy",
    "mentionedIn", "mentions",
    # links
    "implements", "locatedIn", "inSector", "involves", "organizedBy", "organizes", "partOf",
    "relatedTo",
    # quantities
    "indicator", "year", "value", "valueMax", "unit", "comparator", "measureKind",
    "subject", "subjectName", "refArea", "plannedBy",
    # entity attributes
    "level", "strategyKind", "placeType", "adminCode", "status",
)

KGO = Namespace(BASE + "ontology#", KGO_CLASSES + KGO_PROPERTIES)
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#",
                ("type", "Statement", "subject", "predicate", "object"))
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#", ("label", "comment", "subClassOf"))
XSD = Namespace("http://www.w3.org/2001/XMLSchema#",
                ("string", "integer", "decimal", "gYear", "date", "boolean"))
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#",
                 ("Concept", "ConceptScheme", "prefLabel", "altLabel", "notation", "inScheme",
                  "broader", "closeMatch", "exactMatch"))
PROV = Namespace("http://www.w3.org/ns/prov#",
                 ("wasDerivedFrom", "wasQuotedFrom", "value", "generatedAtTime"))
DCTERMS = Namespace("http://purl.org/dc/terms/", ("title", "date", "identifier", "source"))

SECTOR_SCHEME = NamedNode(BASE + "scheme/sector")
# GB/T 4754-2017 国民经济行业分类, its 20 sections (门类 A-T); sectors map to them in sectors.ttl
INDUSTRY_SCHEME = NamedNode(BASE + "scheme/gbt4754-2017")
# The RDF Data Cube structure every kgo:Target and kgo:Observation follows
QUANTITY_STRUCTURE = NamedNode(BASE + "structure/quantity")

PREFIXES = {
    "kgo": KGO.iri,
    "rdf": RDF.iri,
    "rdfs": RDFS.iri,
    "xsd": XSD.iri,
    "skos": SKOS.iri,
    "prov": PROV.iri,
    "dcterms": DCTERMS.iri,
    "qb": "http://purl.org/linked-data/cube#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "id": BASE + "id/",
}

# The path segment of each entity kind in its IRI: id/{type}/{key}
ENTITY_TYPES = ("project", "strategy", "place", "sector", "event", "organization",
                "indicator", "target", "observation", "document")

# What an IRI path segment may hold as written (RFC 3987 ipchar): ASCII unreserved and
# sub-delims, ':' and '@', and the non-ASCII "ucschar" ranges (Chinese among them), so keys
# stay readable; everything else is %-escaped as UTF-8. '/' is escaped: a key is one segment.
_ASCII_KEPT = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@")
_UCSCHAR = ((0xA0, 0xD7FF), (0xF900, 0xFDCF), (0xFDF0, 0xFFEF)) + tuple(
    (plane, plane + 0xFFFD) for plane in range(0x10000, 0xE0000, 0x10000)) + ((0xE1000, 0xEFFFD),)


def _iri_safe(c: str) -> bool:
    if c in _ASCII_KEPT:
        return True
    n = ord(c)
    return n >= 0xA0 and any(lo <= n <= hi for lo, hi in _UCSCHAR) and not c.isspace()


@lru_cache(maxsize=1 << 16)  # the same names recur across mentions and documents
def iri_key(text: str) -> str:
    """A readable IRI path segment for a name: Chinese kept, anything else %-escaped."""
    return "".join(c if _iri_safe(c) else "".join(
        f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass")) for c in text.strip())


def entity_iri(entity_type: str, key: str) -> NamedNode:
    if entity_type not in ENTITY_TYPES:
        raise ValueError(f"unknown entity type {entity_type!r}; one of {ENTITY_TYPES}")
    return NamedNode(f"{BASE}id/{entity_type}/{key}")


def split_iri(iri: str) -> tuple[str, str] | None:
    """(type, key) of an entity IRI minted by entity_iri, else None."""
    base = f"{BASE}id/"
    if not iri.startswith(base):
        return None
    type_, _, key = iri[len(base):].partition("/")
    return (type_, key) if type_ in ENTITY_TYPES and key and "/" not in key else None


def document_part_iri(doc_key: str, part: str, index: int) -> NamedNode:
    """Sections, columns, rows, sentences and mentions live under their document."""
    return NamedNode(f"{BASE}id/document/{doc_key}/{part}/{index}")


def graph_iri(doc_key: str) -> NamedNode:
    """The named graph holding what one document says."""
    return NamedNode(f"{BASE}graph/{doc_key}")


ONTOLOGY_GRAPH = NamedNode(BASE + "graph/ontology")
