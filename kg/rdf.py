"""Mapping of documents and resolved entities to RDF quads (the ontology's shape).

Each document's statements go into its own named graph; an entity mentioned in several
documents is described (type, label, aliases, attributes) in each of their graphs, so a
document's graph is self-contained and can be replaced alone. Places that no document
mentions but that hold a mentioned place (its district, city, province) go into the
gazetteer graph.
"""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from pyoxigraph import Literal, NamedNode, Quad

from kg.model import Document, Entity, EntityKind, Quantity, QuantityRole
from kg.resolve import Resolution
from kg.vocab import (BASE, DCTERMS, KGO, RDF, RDFS, SKOS, XSD, document_part_iri,
                      entity_iri, graph_iri)

GAZETTEER_GRAPH = NamedNode(BASE + "graph/gazetteer")

CLASS_OF = {
    EntityKind.PROJECT: KGO.Project,
    EntityKind.STRATEGY: KGO.Strategy,
    EntityKind.PLACE: KGO.Place,
    EntityKind.SECTOR: KGO.Sector,
    EntityKind.EVENT: KGO.Event,
    EntityKind.ORGANIZATION: KGO.Organization,
    EntityKind.INDICATOR: KGO.Indicator,
}

# Mention/entity attributes that become literal-valued properties.
ATTRIBUTE_PROPERTIES = {
    "level": KGO.level,
    "strategy_kind": KGO.strategyKind,
    "place_type": KGO.placeType,
    "adcode": KGO.adminCode,
    "status": KGO.status,
}

LINK_PREDICATES = {
    "implements": KGO.implements,
    "locatedIn": KGO.locatedIn,
    "inSector": KGO.inSector,
    "involves": KGO.involves,
    "organizedBy": KGO.organizedBy,
    "relatedTo": KGO.relatedTo,
}


def doc_key(doc: Document) -> str:
    return doc.attrs.get("key") or doc.source.path.stem


def document_iri(doc: Document) -> NamedNode:
    return entity_iri("document", doc_key(doc))


def iri_of(entity: Entity) -> NamedNode:
    return entity_iri(entity.kind.value, entity.key)


def zh(text: str) -> Literal:
    return Literal(text, language="zh")


def integer(n: int) -> Literal:
    return Literal(str(n), datatype=XSD.integer)


def gyear(n: int) -> Literal:
    return Literal(f"{n:04d}", datatype=XSD.gYear)


def decimal(d: Decimal) -> Literal:
    text = format(d.normalize(), "f") if d == d.to_integral() else format(d, "f")
    return Literal(text, datatype=XSD.decimal)


def document_quads(doc: Document, res: Resolution) -> Iterator[Quad]:
    """Everything one document says, in its own named graph."""
    key = doc_key(doc)
    g = graph_iri(key)
    d = document_iri(doc)

    def part(kind: str, index: int) -> NamedNode:
        return document_part_iri(key, kind, index)

    def q(s, p, o) -> Quad:
        return Quad(s, p, o, g)

    def span(node, cls, start: int, end: int, in_document: bool = True) -> Iterator[Quad]:
        """The type and the character span of a part of the document."""
        yield q(node, RDF.type, cls)
        if in_document:
            yield q(node, KGO.inDocument, d)
        yield q(node, KGO.startOffset, integer(start))
        yield q(node, KGO.endOffset, integer(end))

    def mention(node, sentence: int, start: int, end: int, surface: str, of) -> Iterator[Quad]:
        """A mention: the words at [start, end) of a sentence, and what they name."""
        yield from span(node, KGO.Mention, start, end)
        yield q(node, KGO.inSentence, part("sentence", sentence))
        yield q(node, KGO.surface, zh(surface))
        yield q(node, KGO.mentionOf, of)
        yield q(of, KGO.hasMention, node)

    yield q(d, RDF.type, KGO.Document)
    yield q(d, KGO.sourceFile, Literal(doc.source_file))
    yield q(d, KGO["format"], Literal(doc.source.format))
    yield q(d, KGO.textLength, integer(len(doc.text)))
    if doc.title:
        yield q(d, DCTERMS.title, zh(doc.title))
        yield q(d, RDFS.label, zh(doc.title))
    if doc.issuer:
        yield q(d, KGO.issuerName, zh(doc.issuer))
    if doc.date:
        yield q(d, DCTERMS.date, Literal(doc.date, datatype=XSD.date))
    for y in doc.review_years:
        yield q(d, KGO.reviewYear, gyear(y))
    for y in doc.plan_years:
        yield q(d, KGO.planYear, gyear(y))
    if doc.attrs.get("place_code"):
        place = res.entities.get((EntityKind.PLACE, doc.attrs["place_code"]))
        if place is not None:
            yield q(d, KGO.aboutPlace, iri_of(place))

    # structure
    for sec in doc.sections:
        s = part("section", sec.index)
        yield from span(s, KGO.Section, sec.start, sec.end)
        yield q(s, KGO.sectionLevel, integer(sec.level))
        yield q(s, KGO.order, integer(sec.index))
        yield q(s, KGO.sectionMode, Literal(sec.mode.value))
        if sec.heading:
            yield q(s, KGO.heading, zh(sec.heading))
        if sec.year is not None:
            yield q(s, KGO.sectionYear, gyear(sec.year))
        if sec.parent is not None:
            yield q(s, KGO.parentSection, part("section", sec.parent))
        else:
            yield q(d, KGO.hasSection, s)
    for col in doc.columns:
        c = part("column", col.index)
        yield from span(c, KGO.Column, col.start, col.end)
        yield q(c, KGO.columnNumber, Literal(col.number))
        if col.title:
            yield q(c, DCTERMS.title, zh(col.title))
            yield q(c, RDFS.label, zh(col.title))
        if col.section is not None:
            yield q(c, KGO.inSection, part("section", col.section))
        for row in col.rows:
            r = part(f"column/{col.index}/row", row.index)
            yield q(c, KGO.hasRow, r)
            yield from span(r, KGO.ColumnRow, row.start, row.end, in_document=False)
            yield q(r, KGO.order, integer(row.index))
            yield q(r, KGO.text, zh(doc.text[row.start:row.end]))
            if row.label:
                yield q(r, RDFS.label, zh(row.label))
    for sent in doc.sentences:
        s = part("sentence", sent.index)
        yield from span(s, KGO.Sentence, sent.start, sent.end)
        yield q(s, KGO.text, zh(doc.text[sent.start:sent.end]))
        if sent.section is not None:
            yield q(s, KGO.inSection, part("section", sent.section))
        if sent.column is not None:
            yield q(s, KGO.inColumn, part("column", sent.column))
            if sent.row is not None:
                yield q(s, KGO.inRow, part(f"column/{sent.column}/row", sent.row))

    # entities and their mentions
    described: set[tuple[EntityKind, str]] = set()
    section_mentions: set[tuple[int, NamedNode]] = set()
    for i, m in enumerate(doc.mentions):
        entity = res.of(doc, i)
        if entity is None:
            continue
        e = iri_of(entity)
        if (entity.kind, entity.key) not in described:
            described.add((entity.kind, entity.key))
            yield from entity_description(entity, g)
            yield q(e, KGO.mentionedIn, d)
        mi = part("mention", i)
        yield from mention(mi, m.sentence, m.start, m.end, m.text, e)
        if m.rule:
            yield q(mi, KGO.extractedBy, Literal(m.rule))
        section = doc.sentences[m.sentence].section
        if section is not None and (section, e) not in section_mentions:
            section_mentions.add((section, e))
            yield q(part("section", section), KGO.mentions, e)

    # links, each also reified with the sentence it came from
    for n, rel in enumerate(doc.relations):
        subject = res.of(doc, rel.subject)
        if isinstance(rel.object, int):
            target = res.of(doc, rel.object)
            obj = iri_of(target) if target is not None else None
        else:
            obj = entity_iri("sector", rel.object)
        predicate = LINK_PREDICATES.get(rel.predicate)
        if subject is None or obj is None or predicate is None:
            continue
        s = iri_of(subject)
        if s == obj:
            continue
        yield q(s, predicate, obj)
        a = part("assertion", n)
        yield q(a, RDF.type, KGO.Assertion)
        yield q(a, RDF.subject, s)
        yield q(a, RDF.predicate, predicate)
        yield q(a, RDF.object, obj)
        yield q(a, KGO.evidence, part("sentence", rel.sentence))
        if rel.rule:
            yield q(a, KGO.extractedBy, Literal(rel.rule))

    # targets and observations
    counters = {QuantityRole.TARGET: 0, QuantityRole.OBSERVATION: 0}
    place = res.entities.get((EntityKind.PLACE, doc.attrs.get("place_code", "")))
    for i, qty in enumerate(doc.quantities):
        indicator = res.indicator(doc, i)
        if indicator is None or qty.year is None:
            continue
        counters[qty.role] += 1
        t = entity_iri(qty.role.value, f"{key}-{counters[qty.role]}")
        ind = iri_of(indicator)
        if (EntityKind.INDICATOR, indicator.key) not in described:
            described.add((EntityKind.INDICATOR, indicator.key))
            yield from entity_description(indicator, g)
            yield q(ind, KGO.mentionedIn, d)
        yield q(t, RDF.type, KGO.Target if qty.role is QuantityRole.TARGET else KGO.Observation)
        yield q(t, KGO.indicator, ind)
        yield q(t, KGO.year, gyear(qty.year))
        yield q(t, KGO.value, decimal(qty.value))
        if qty.value_max is not None:
            yield q(t, KGO.valueMax, decimal(qty.value_max))
        yield q(t, KGO.unit, Literal(qty.unit))
        yield q(t, KGO.comparator, Literal(qty.comparator.value))
        yield q(t, KGO.measureKind, Literal(qty.measure.value))
        yield q(t, RDFS.label, zh(f"{indicator.label} {qty.year} {qty.text or qty.value}"))
        if qty.subject:
            yield q(t, KGO.subjectName, zh(qty.subject))
        elif place is not None:
            yield q(t, KGO.refArea, iri_of(place))
        yield q(t, KGO.mentionedIn, d)
        yield q(t, KGO.evidence, part("sentence", qty.sentence))
        yield from mention(part("quantity", i), qty.sentence, qty.start, qty.end,
                           doc.text[qty.start:qty.end], t)
        words = indicator_words(doc, qty)
        if words is not None:  # the indicator's own words, so it has a mention too
            yield from mention(part("indicator-mention", i), qty.sentence, *words,
                               doc.text[words[0]:words[1]], ind)
        section = doc.sentences[qty.sentence].section
        if section is not None:
            for named in (t, ind):
                if (section, named) not in section_mentions:
                    section_mentions.add((section, named))
                    yield q(part("section", section), KGO.mentions, named)


def indicator_words(doc: Document, qty: Quantity) -> tuple[int, int] | None:
    """Where the sentence words the quantity's indicator: its last occurrence before the
    number, else the first after it; None when the indicator was reworded (cleaned of
    qualifiers, or put together from two phrases) and is not written as such."""
    if not qty.indicator:
        return None
    sent = doc.sentences[qty.sentence]
    before = doc.text.rfind(qty.indicator, sent.start, qty.start)
    at = before if before >= 0 else doc.text.find(qty.indicator, qty.end, sent.end)
    return (at, at + len(qty.indicator)) if at >= 0 else None


def entity_description(entity: Entity, graph: NamedNode) -> Iterator[Quad]:
    e = iri_of(entity)
    yield Quad(e, RDF.type, CLASS_OF[entity.kind], graph)
    yield Quad(e, RDFS.label, zh(entity.label), graph)
    for alt in sorted(entity.alt_labels):
        yield Quad(e, SKOS.altLabel, zh(alt), graph)
    for attr, prop in ATTRIBUTE_PROPERTIES.items():
        if entity.attrs.get(attr):
            yield Quad(e, prop, Literal(entity.attrs[attr]), graph)


def gazetteer_quads(res: Resolution) -> Iterator[Quad]:
    """The administrative chain above every resolved place, up to its province."""
    coded = [e for e in res.of_kind(EntityKind.PLACE) if e.attrs.get("adcode")]
    if not coded:
        return
    from kg.gazetteer import Gazetteer

    gazetteer = Gazetteer.load()
    described: set[str] = set()
    for place in coded:
        child = iri_of(place)
        for division in gazetteer.ancestors(place.attrs["adcode"]):
            parent = entity_iri("place", division.code)
            yield Quad(child, KGO.locatedIn, parent, GAZETTEER_GRAPH)
            if (EntityKind.PLACE, division.code) not in res.entities and division.code not in described:
                described.add(division.code)
                yield Quad(parent, RDF.type, KGO.Place, GAZETTEER_GRAPH)
                yield Quad(parent, RDFS.label, zh(division.name), GAZETTEER_GRAPH)
                yield Quad(parent, KGO.adminCode, Literal(division.code), GAZETTEER_GRAPH)
                yield Quad(parent, KGO.placeType, Literal(division.type), GAZETTEER_GRAPH)
            child = parent
