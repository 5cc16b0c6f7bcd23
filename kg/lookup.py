"""Relationship lookups over a store: search, entity cards, neighbours, figures.

The functions here are what `/api/*` routes and the `kg search|entity|relations|targets`
commands call; each runs its queries and consumes the results in the calling thread
(pyoxigraph iterators must not cross threads) and returns plain dicts.
"""
from __future__ import annotations

import re
from collections import defaultdict

from pyoxigraph import Literal, NamedNode, Store

from kg.analysis.linkage import VIA_ORDER
from kg.index import LookupIndex, TooBroad, open_index
from kg.store import default_graph_options
from kg.vocab import (BASE, ENTITY_TYPES, KGO, PREFIXES, RDFS, SKOS, entity_iri, iri_key,
                      split_iri)

ID_BASE = BASE + "id/"
LOOKUP_TYPES = tuple(t for t in ENTITY_TYPES if t != "document") + ("document",)


class NotFound(LookupError):
    """No entity of that type and key in the store."""


class BadRequest(ValueError):
    """A lookup parameter that cannot be answered (unknown type, bad direction …)."""


def _select(store: Store, query: str, **bindings) -> list[dict]:
    """Run a SELECT over the merge of all graphs, with ?name replaced by the bound terms.

    Bound terms are written into the pattern (N-Triples syntax is valid SPARQL) rather than
    passed as `substitutions`: oxigraph only substitutes projected variables, and a constant
    in a pattern lets the engine start from it.
    """
    head, sep, body = query.partition("WHERE")
    for name, term in bindings.items():
        body = re.sub(r"\?" + name + r"(?![A-Za-z0-9_])", lambda _m, t=str(term): t, body)
    rows = store.query(head + sep + body, prefixes=PREFIXES, **default_graph_options(store))
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


def search(store: Store | None, q: str, type_: str | None = None, limit: int = 20,
           offset: int = 0, index: LookupIndex | None = None) -> list[dict]:
    """Entities whose label or alias contains `q` (Chinese substrings work, case ignored).

    Exact matches first, then prefixes, then shorter labels. `index` is the store's
    kg.index.LookupIndex (the server opens one per store version); without it one is built
    in memory.
    """
    q = q.strip()
    if not q:
        raise BadRequest("the search text q is empty")
    if type_:
        check_type(type_)
    index = index or open_index(store)
    out = []
    for iri, label, hit in index.search(q, type_, limit, offset):
        ref = entity_ref(iri, label)
        ref["matched"] = hit
        out.append(ref)
    return out


def entity(store: Store, type_: str, key: str, max_mentions: int = 200) -> dict:
    """Labels, aliases, types, properties and mentions (with sentences) of one entity."""
    iri = entity_iri(check_type(type_), key)
    # not its mentions (a place of every report has hundreds of thousands): see `mentions`
    props = _select(store, "SELECT DISTINCT ?p ?o WHERE { ?e ?p ?o FILTER(?p != kgo:hasMention) }",
                    e=iri)
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
        else:
            card["properties"][p].append(entity_ref(o.value) if isinstance(o, NamedNode)
                                         else _value(o))
    card["alt_labels"] = sorted(set(card["alt_labels"]))
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


def predicate_iri(predicate: str) -> NamedNode:
    """The IRI a predicate parameter names: a full IRI, a prefixed name (kgo:implements,
    skos:altLabel) or a kgo local name (implements)."""
    text = predicate.strip()
    prefix, sep, local = text.partition(":")
    if sep and not local.startswith("//") and prefix in PREFIXES:
        text = PREFIXES[prefix] + local
    elif not sep:
        text = KGO.iri + text
    try:
        return NamedNode(text) if re.fullmatch(r"[a-z][a-z0-9+.-]*:[^\s<>\"{}|^`\\]+", text) \
            else _bad_predicate(predicate)
    except ValueError:
        return _bad_predicate(predicate)


def _bad_predicate(predicate: str):
    raise BadRequest(f"predicate {predicate!r} is not an IRI, a prefixed name "
                     f"({', '.join(sorted(PREFIXES))}) or a kgo: local name")


def relations(store: Store, type_: str, key: str, direction: str = "both",
              predicate: str | None = None, limit: int = 500, offset: int = 0) -> list[dict]:
    """Neighbours by relation, each with the sentences that state it."""
    if direction not in ("both", "out", "in"):
        raise BadRequest(f"direction must be both, out or in, not {direction!r}")
    iri = entity_iri(check_type(type_), key)
    if not _select(store, "SELECT ?p WHERE { ?e ?p ?o } LIMIT 1", e=iri):
        raise NotFound(f"no {type_} with key {key!r}")
    pred_filter = f"FILTER(?p = {predicate_iri(predicate)})" if predicate else ""
    parts = []
    if direction in ("both", "out"):
        parts.append("{ ?e ?p ?n . BIND(\"out\" AS ?dir) }")
    if direction in ("both", "in"):
        parts.append("{ ?n ?p ?e . BIND(\"in\" AS ?dir) }")
    rows = _select(store, f"""
        SELECT ?dir ?p ?n (SAMPLE(?nl) AS ?label) (GROUP_CONCAT(DISTINCT ?text; SEPARATOR="\\u0001") AS ?evidence) WHERE {{
          {" UNION ".join(parts)}
          FILTER(isIRI(?n) && ?p NOT IN (kgo:hasMention, kgo:mentionOf, rdf:subject, rdf:object))
          # entities only (id/{{type}}/{{key}}): no assertion, mention or part of a document
          FILTER(REGEX(STR(?n), "^{ID_BASE}[a-z]+/[^/]+$"))
          {pred_filter}
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
        filters.append(f"FILTER(STR(?year0) = \"{int(year):04d}\")")
    if indicator:
        filters.append("FILTER(CONTAINS(STR(?il0), STR(?indicator)))")
    if place:
        filters.append("?x kgo:refArea ?pl . ?pl rdfs:label ?plabel . "
                       "FILTER(CONTAINS(STR(?plabel), STR(?place)))")
    if document:  # a doc_key (file stem) or a file name
        filters.append("FILTER(STR(?file0) = STR(?document) || "
                       "STRBEFORE(STR(?file0), \".\") = STR(?document))")
    rows = _select(store, f"""
        SELECT ?x (SAMPLE(?c) AS ?cls) (SAMPLE(?i0) AS ?i) (SAMPLE(?il0) AS ?il)
               (SAMPLE(?year0) AS ?year) (SAMPLE(?value0) AS ?value) (SAMPLE(?unit0) AS ?unit)
               (SAMPLE(?cmp0) AS ?cmp) (SAMPLE(?kind0) AS ?kind) (MIN(?file0) AS ?file)
               (MIN(?text0) AS ?text) (SAMPLE(?area0) AS ?area) (SAMPLE(?al0) AS ?al) WHERE {{
          ?x a ?c ; kgo:indicator ?i0 ; kgo:year ?year0 ; kgo:value ?value0 ; kgo:mentionedIn ?d .
          FILTER(?c IN (kgo:Target, kgo:Observation))
          OPTIONAL {{ ?x kgo:refArea ?area0 OPTIONAL {{ ?area0 rdfs:label ?al0 }} }}
          OPTIONAL {{ ?x kgo:unit ?unit0 }} OPTIONAL {{ ?x kgo:comparator ?cmp0 }}
          OPTIONAL {{ ?x kgo:measureKind ?kind0 }} OPTIONAL {{ ?x kgo:evidence/kgo:text ?text0 }}
          ?i0 rdfs:label ?il0 . ?d kgo:sourceFile ?file0 .
          {" ".join(filters)}
        }} GROUP BY ?x ORDER BY ?il ?year ?x LIMIT {int(limit)} OFFSET {int(offset)}""",
        **{k: Literal(v) for k, v in (("indicator", indicator), ("place", place),
                                      ("document", document)) if v})
    items = []
    for r in rows:
        items.append({"iri": r["x"].value,
                      "role": "target" if r["cls"].value.endswith("Target") else "observation",
                      "indicator": entity_ref(r["i"].value, r["il"].value),
                      "year": int(r["year"].value[:4]), "value": _value(r["value"]),
                      "unit": _value(r["unit"]), "comparator": _value(r["cmp"]),
                      "measure": _value(r["kind"]), "document": r["file"].value,
                      "place": entity_ref(r["area"].value, _value(r["al"])) if r["area"] else None,
                      "evidence": _value(r["text"])})
    pairs = []
    by_key: dict[tuple, dict[str, list]] = defaultdict(lambda: {"target": [], "observation": []})
    for it in items:  # a plan and its outcome: same indicator, year, place, unit and measure
        place_iri = it["place"]["iri"] if it["place"] else None
        by_key[(it["indicator"]["iri"], it["year"], place_iri, it["unit"], it["measure"])][
            it["role"]].append(it)
    for (ind, year_, _, unit, measure), both in by_key.items():
        for t in both["target"]:
            for o in both["observation"]:
                pairs.append({"indicator": t["indicator"], "year": year_, "place": t["place"],
                              "unit": unit, "measure": measure, "target": t, "observation": o})
    return {"items": items, "pairs": pairs}


def resolve_ref(value: str, name: str = "entity") -> str:
    """The IRI of an entity reference: `type/key` (place/330106, project/港珠澳大桥) or an
    entity IRI. BadRequest when it is neither (the entity need not exist)."""
    value = value.strip()
    if value.startswith(("http://", "https://")):
        if split_iri(value) is None:
            raise BadRequest(f"{name}: {value!r} is not an entity IRI")
        return value
    type_, sep, key = value.partition("/")
    if not sep or not key.strip():
        raise BadRequest(f"{name}: give type/key (e.g. place/110000) or an entity IRI, "
                         f"not {value!r}")
    return entity_iri(check_type(type_), iri_key(key)).value


def _exists(store: Store, iri: str) -> bool:
    return any(True for _ in store.quads_for_pattern(NamedNode(iri), None, None))


def paths(store: Store, source: str, target: str, max_length: int = 4, limit: int = 10,
          index: LookupIndex | None = None) -> dict:
    """The shortest paths (at most `max_length` steps, at most `limit` of them) between two
    entities (`type/key` or IRIs), each step with its relation and the sentences stating it.

    `index` is the store's kg.index.LookupIndex; without it one is built in memory.
    """
    if not 1 <= max_length <= 8:
        raise BadRequest(f"max_length must be between 1 and 8, not {max_length}")
    if limit < 1:
        raise BadRequest(f"limit must be at least 1, not {limit}")
    ends = {"source": resolve_ref(source, "source"), "target": resolve_ref(target, "target")}
    for name, iri in ends.items():
        if not _exists(store, iri):
            raise NotFound(f"{name}: no entity {iri}")
    index = index or open_index(store)
    s, t = ends["source"], ends["target"]
    try:
        found = index.shortest_paths(s, t, max_length, limit)
    except TooBroad as e:
        raise BadRequest(str(e)) from None
    labels = index.labels([s, t])
    return {"source": entity_ref(s, labels.get(s)), "target": entity_ref(t, labels.get(t)),
            "max_length": max_length, "count": len(found),
            "paths": [[step.to_dict() for step in p] for p in found]}


def strategy_projects(store: Store, key: str, limit: int | None = None, offset: int = 0,
                      index: LookupIndex | None = None) -> tuple[list[dict], int]:
    """Projects a strategy reaches — stated (kgo:implements) or carried by the heading, 专栏
    column or row that names it — each with the ways it is reached and their evidence:
    stated links first, then by label; a page of them and how many there are in all.

    `index` is the store's kg.index.LookupIndex; without it one is built in memory.
    """
    iri = entity_iri("strategy", key).value
    if not _select(store, "SELECT ?p WHERE { ?e ?p ?o } LIMIT 1", e=NamedNode(iri)):
        raise NotFound(f"no strategy with key {key!r}")
    index = index or open_index(store)
    found, total = index.strategy_projects(iri, -1 if limit is None else limit, offset)
    labels = index.labels(project for project, _ in found)
    out = []
    for project, links in found:
        out.append({"project": entity_ref(project, labels.get(project)),
                    "via": sorted({l.via for l in links}, key=VIA_ORDER.index),
                    "links": [{"via": l.via, "document": l.document,
                               "steps": [s.to_dict() for s in l.steps]} for l in links]})
    return out, total
