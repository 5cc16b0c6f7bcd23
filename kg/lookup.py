"""Relationship lookups over a store: search, entity cards, neighbours, figures.

The functions here are what `/api/*` routes and the `kg search|entity|relations|targets`
commands call; each runs its queries and consumes the results in the calling thread
(pyoxigraph iterators must not cross threads) and returns plain dicts.
"""
from __future__ import annotations

from collections import defaultdict

from pyoxigraph import Literal, NamedNode, Store, Variable

from kg.vocab import BASE, ENTITY_TYPES, KGO, PREFIXES, RDFS, SKOS, entity_iri

ID_BASE = BASE + "id/"
LOOKUP_TYPES = tuple(t for t in ENTITY_TYPES if t != "document") + ("document",)


class NotFound(LookupError):
    """No entity of that type and key in the store."""


class BadRequest(ValueError):
    """A lookup parameter that cannot be answered (unknown type, bad direction …)."""


def _select(store: Store, query: str, **bindings) -> list[dict]:
    rows = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True,
                       substitutions={Variable(k): v for k, v in bindings.items()} or None)
    names = [v.value for v in rows.variables]
    return [{n: row[n] for n in names} for row in rows]


def _value(term) -> str | int | float | None:
    if term is None:
        return None
    if isinstance(term, Literal):
        dt = term.datatype.value if term.datatype else ""
        if dt.endswith("#integer"):
            return int(term.value)
        if dt.endswith("#decimal"):
            return float(term.value)
        return term.value
    return term.value


def split_iri(iri: str) -> tuple[str, str] | None:
    """(type, key) of an entity IRI minted by kg.vocab, else None."""
    if not iri.startswith(ID_BASE):
        return None
    type_, _, key = iri[len(ID_BASE):].partition("/")
    return (type_, key) if type_ in ENTITY_TYPES and key and "/" not in key else None


def entity_ref(iri: str, label: str | None = None) -> dict:
    ref = {"iri": iri, "label": label}
    parts = split_iri(iri)
    if parts:
        ref["type"], ref["key"] = parts
    return ref


def check_type(type_: str) -> str:
    if type_ not in LOOKUP_TYPES:
        raise BadRequest(f"unknown entity type {type_!r}; one of {', '.join(LOOKUP_TYPES)}")
    return type_


def search(store: Store, q: str, type_: str | None = None, limit: int = 20,
           offset: int = 0) -> list[dict]:
    """Entities whose label or alias contains `q` (Chinese substrings work); exact first."""
    q = q.strip()
    if not q:
        raise BadRequest("the search text q is empty")
    class_filter = ""
    if type_:
        check_type(type_)
        class_filter = f"FILTER(STRSTARTS(STR(?e), \"{ID_BASE}{type_}/\"))"
    rows = _select(store, f"""
        SELECT ?e (SAMPLE(?label) AS ?l) (MIN(?rank) AS ?r) (SAMPLE(?hit) AS ?matched) WHERE {{
          {{ ?e rdfs:label ?hit }} UNION {{ ?e skos:altLabel ?hit }}
          FILTER(CONTAINS(LCASE(STR(?hit)), LCASE(STR(?q))))
          {class_filter}
          ?e rdfs:label ?label .
          FILTER NOT EXISTS {{ ?e a kgo:Sentence }}
          BIND(IF(STR(?hit) = STR(?q), 0, IF(STRSTARTS(STR(?hit), STR(?q)), 1, 2)) AS ?rank)
        }} GROUP BY ?e ORDER BY ?r STRLEN(STR(?l)) ?e LIMIT {int(limit)} OFFSET {int(offset)}""",
        q=Literal(q))
    out = []
    for r in rows:
        if split_iri(r["e"].value) is None:
            continue
        ref = entity_ref(r["e"].value, _value(r["l"]))
        ref["matched"] = _value(r["matched"])
        out.append(ref)
    return out


def entity(store: Store, type_: str, key: str, max_mentions: int = 200) -> dict:
    """Labels, aliases, types, properties and mentions (with sentences) of one entity."""
    iri = entity_iri(check_type(type_), key)
    props = _select(store, "SELECT ?p ?o WHERE { ?e ?p ?o }", e=iri)
    if not props:
        raise NotFound(f"no {type_} with key {key!r}")
    card: dict = {"iri": iri.value, "type": type_, "key": key, "label": None,
                  "alt_labels": [], "types": [], "properties": defaultdict(list)}
    for r in props:
        p, o = r["p"].value, r["o"]
        if p == RDFS.label.value:
            card["label"] = o.value
        elif p == SKOS.altLabel.value:
            card["alt_labels"].append(o.value)
        elif p == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type":
            card["types"].append(o.value)
        elif p != KGO.hasMention.value:
            card["properties"][p].append(entity_ref(o.value) if isinstance(o, NamedNode)
                                         else _value(o))
    card["alt_labels"].sort()
    card["properties"] = dict(card["properties"])
    card["mentions"] = mentions(store, iri, limit=max_mentions)
    return card


def mentions(store: Store, iri: NamedNode, limit: int = 200) -> list[dict]:
    rows = _select(store, f"""
        SELECT ?m ?surface ?ms ?me ?s ?text ?ss ?file WHERE {{
          ?e kgo:hasMention ?m . ?m kgo:inSentence ?s ; kgo:startOffset ?ms ; kgo:endOffset ?me ;
             kgo:surface ?surface ; kgo:inDocument ?d .
          ?s kgo:text ?text ; kgo:startOffset ?ss . ?d kgo:sourceFile ?file .
        }} ORDER BY ?file ?ms LIMIT {int(limit)}""", e=iri)
    out = []
    for r in rows:
        ss = int(r["ss"].value)
        out.append({"document": r["file"].value, "sentence": r["s"].value,
                    "sentence_text": r["text"].value, "surface": r["surface"].value,
                    "start": int(r["ms"].value), "end": int(r["me"].value),
                    "sentence_start": ss,
                    # offsets of the mention inside the sentence, for highlighting
                    "in_sentence": [int(r["ms"].value) - ss, int(r["me"].value) - ss]})
    return out


def relations(store: Store, type_: str, key: str, direction: str = "both",
              predicate: str | None = None, limit: int = 500, offset: int = 0) -> list[dict]:
    """Neighbours by relation, each with the sentences that state it."""
    if direction not in ("both", "out", "in"):
        raise BadRequest(f"direction must be both, out or in, not {direction!r}")
    iri = entity_iri(check_type(type_), key)
    if not _select(store, "SELECT ?p WHERE { ?e ?p ?o } LIMIT 1", e=iri):
        raise NotFound(f"no {type_} with key {key!r}")
    pred_filter = ""
    if predicate:
        pred_iri = predicate if ":" in predicate and "//" in predicate else KGO.iri + predicate.removeprefix("kgo:")
        pred_filter = f"FILTER(?p = <{NamedNode(pred_iri).value}>)"
    parts = []
    if direction in ("both", "out"):
        parts.append("{ ?e ?p ?n . BIND(\"out\" AS ?dir) }")
    if direction in ("both", "in"):
        parts.append("{ ?n ?p ?e . BIND(\"in\" AS ?dir) }")
    rows = _select(store, f"""
        SELECT ?dir ?p ?n (SAMPLE(?nl) AS ?label) (GROUP_CONCAT(DISTINCT ?text; SEPARATOR="\\u0001") AS ?evidence) WHERE {{
          {" UNION ".join(parts)}
          FILTER(isIRI(?n) && STRSTARTS(STR(?n), "{ID_BASE}") && ?p NOT IN (kgo:hasMention, kgo:mentionOf))
          {pred_filter}
          FILTER NOT EXISTS {{ ?n a kgo:Mention }}
          OPTIONAL {{ ?n rdfs:label ?nl }}
          OPTIONAL {{
            ?a rdf:predicate ?p ; kgo:evidence/kgo:text ?text .
            {{ ?a rdf:subject ?e ; rdf:object ?n }} UNION {{ ?a rdf:subject ?n ; rdf:object ?e }}
          }}
        }} GROUP BY ?dir ?p ?n ORDER BY ?dir ?p ?n LIMIT {int(limit)} OFFSET {int(offset)}""", e=iri)
    out = []
    for r in rows:
        evidence = r["evidence"].value.split("\u0001") if r["evidence"] and r["evidence"].value else []
        out.append({"direction": r["dir"].value, "predicate": r["p"].value,
                    "node": entity_ref(r["n"].value, _value(r["label"])), "evidence": evidence})
    return out


def targets(store: Store, year: int | None = None, indicator: str | None = None,
            place: str | None = None, document: str | None = None, limit: int = 500,
            offset: int = 0) -> dict:
    """Targets and observations, filtered, with plan/actual pairs of the same indicator and year."""
    filters = []
    if year is not None:
        filters.append(f"FILTER(STR(?year) = \"{int(year):04d}\")")
    if indicator:
        filters.append("FILTER(CONTAINS(STR(?il), STR(?indicator)))")
    if place:
        filters.append("?x kgo:refArea ?pl . ?pl rdfs:label ?plabel . FILTER(CONTAINS(STR(?plabel), STR(?place)))")
    if document:
        filters.append("FILTER(STR(?file) = STR(?document))")
    rows = _select(store, f"""
        SELECT ?x ?cls ?i ?il ?year ?value ?unit ?cmp ?kind ?file ?text WHERE {{
          ?x a ?cls ; kgo:indicator ?i ; kgo:year ?year ; kgo:value ?value ; kgo:unit ?unit ;
             kgo:comparator ?cmp ; kgo:mentionedIn ?d ; kgo:evidence/kgo:text ?text .
          FILTER(?cls IN (kgo:Target, kgo:Observation))
          OPTIONAL {{ ?x kgo:measureKind ?kind }}
          ?i rdfs:label ?il . ?d kgo:sourceFile ?file .
          {" ".join(filters)}
        }} ORDER BY ?il ?year ?x LIMIT {int(limit)} OFFSET {int(offset)}""",
        **{k: Literal(v) for k, v in (("indicator", indicator), ("place", place),
                                      ("document", document)) if v})
    items = []
    for r in rows:
        items.append({"iri": r["x"].value,
                      "role": "target" if r["cls"].value.endswith("Target") else "observation",
                      "indicator": entity_ref(r["i"].value, r["il"].value),
                      "year": int(r["year"].value[:4]), "value": _value(r["value"]),
                      "unit": r["unit"].value, "comparator": r["cmp"].value,
                      "measure": _value(r["kind"]), "document": r["file"].value,
                      "evidence": r["text"].value})
    pairs = []
    by_key: dict[tuple, dict[str, list]] = defaultdict(lambda: {"target": [], "observation": []})
    for it in items:
        by_key[(it["indicator"]["iri"], it["year"], it["unit"], it["measure"])][it["role"]].append(it)
    for (ind, year_, unit, measure), both in by_key.items():
        for t in both["target"]:
            for o in both["observation"]:
                pairs.append({"indicator": t["indicator"], "year": year_, "unit": unit,
                              "measure": measure, "target": t, "observation": o})
    return {"items": items, "pairs": pairs}
