"""Reading the RDF store into NetworkX: the one place analyses run SPARQL for entities.

The entity graph has one node per entity (project, strategy, place, sector, event,
organisation, indicator), keyed by IRI, and one edge per link triple (implements,
locatedIn, inSector ...) carrying the sentences that state it. Sentence co-mentions
can be added as weaker `coMention` edges for structural analyses.
Every query is run and consumed in the calling thread (pyoxigraph stores are not shared
across threads here).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from itertools import combinations

import networkx as nx
from pyoxigraph import NamedNode, Store

from kg.store import default_graph_options
from kg.vocab import BASE, ENTITY_TYPES, PREFIXES, entity_iri, iri_key

# kgo class local name -> the node type used in every analysis and export
ENTITY_CLASSES = {
    "Project": "project", "Strategy": "strategy", "Place": "place", "Sector": "sector",
    "Event": "event", "Organization": "organization", "Indicator": "indicator",
}
NODE_TYPES = tuple(ENTITY_CLASSES.values())
# entity-to-entity link properties, by local name (kg.rdf writes them as direct triples)
LINK_RELATIONS = ("implements", "locatedIn", "inSector", "involves", "organizedBy",
                  "organizes", "partOf", "relatedTo")
CO_MENTION = "coMention"

_PREFIX_TEXT = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
DOCUMENT_PREFIX = BASE + "id/document/"


def rows(store: Store, query: str, graph: str | None = None) -> Iterator[tuple[str | None, ...]]:
    """The rows of a SELECT as they come, as lexical values in the order of its projected
    variables, over the merge of all graphs or over one named graph. Consume them in the
    calling thread (pyoxigraph iterators must not cross threads)."""
    return _solutions(store, query, graph)[1]


def select(store: Store, query: str, graph: str | None = None) -> list[dict[str, str | None]]:
    """Run a SELECT over the merge of all graphs (or one named graph); rows map variable ->
    lexical value."""
    names, found = _solutions(store, query, graph)
    return [dict(zip(names, row)) for row in found]


def _solutions(store: Store, query: str, graph: str | None):
    dataset = {"default_graph": NamedNode(graph)} if graph else default_graph_options(store)
    result = store.query(_PREFIX_TEXT + query, **dataset)
    names = [v.value for v in result.variables]
    return names, (tuple(None if t is None else t.value for t in solution) for solution in result)


def document_key(document_iri: str | None) -> str:
    """The doc_key of a document IRI or of any part IRI under it."""
    if not document_iri or not document_iri.startswith(DOCUMENT_PREFIX):
        return ""
    return document_iri[len(DOCUMENT_PREFIX):].split("/", 1)[0]


def resolve_entity(ref: str) -> str:
    """An entity IRI from an IRI or a `type/key` reference (project/利泽航电枢纽)."""
    if ref.startswith(("http://", "https://")):
        return ref
    kind, sep, key = ref.partition("/")
    if not sep or kind not in ENTITY_TYPES or not key:
        raise ValueError(f"{ref!r}: give an entity IRI or type/key with type one of "
                         f"{', '.join(ENTITY_TYPES)}")
    return entity_iri(kind, key if "%" in key else iri_key(key)).value


@dataclass(frozen=True)
class Evidence:
    """The sentence a statement was read from."""

    sentence: str  # sentence IRI ('' when the statement has no sentence, e.g. gazetteer)
    text: str
    document: str  # doc_key

    def to_dict(self) -> dict:
        return asdict(self)


def entity_nodes(store: Store) -> dict[str, dict]:
    """Every entity with its type, canonical label and the documents mentioning it."""
    nodes: dict[str, dict] = {}
    values = " ".join(f"kgo:{c}" for c in ENTITY_CLASSES)
    for r in select(store, f"""
        SELECT ?e ?class (SAMPLE(?l) AS ?label) WHERE {{
          VALUES ?class {{ {values} }}
          ?e a ?class . OPTIONAL {{ ?e rdfs:label ?l FILTER(lang(?l) = "zh" || lang(?l) = "") }}
        }} GROUP BY ?e ?class"""):
        kind = ENTITY_CLASSES[r["class"].rsplit("#", 1)[1]]
        node = nodes.setdefault(r["e"], {"type": kind, "label": "", "documents": []})
        node["label"] = node["label"] or r["label"] or iri_tail(r["e"])
    for r in select(store, "SELECT DISTINCT ?e ?d WHERE { ?e kgo:mentionedIn ?d . ?d a kgo:Document }"):
        if r["e"] in nodes:
            nodes[r["e"]]["documents"].append(document_key(r["d"]))
    for node in nodes.values():
        node["documents"].sort()
    return nodes


def iri_tail(iri: str) -> str:
    """The last path segment of an IRI, unescaped: the name of a thing with no label."""
    from urllib.parse import unquote
    return unquote(iri.rstrip("/").rsplit("/", 1)[-1])


def link_evidence(store: Store) -> dict[tuple[str, str, str], list[Evidence]]:
    """(subject, relation, object) -> the sentences of the assertions stating it."""
    found: dict[tuple[str, str, str], list[Evidence]] = defaultdict(list)
    for r in select(store, """
        SELECT ?s ?p ?o ?sent ?text ?doc WHERE {
          ?a a kgo:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
          OPTIONAL { ?a kgo:evidence ?sent . OPTIONAL { ?sent kgo:text ?text } }
        }"""):
        key = (r["s"], r["p"].rsplit("#", 1)[-1], r["o"])
        ev = Evidence(r["sent"] or "", r["text"] or "", document_key(r["sent"]))
        if ev not in found[key]:
            found[key].append(ev)
    return found


def link_triples(store: Store) -> list[tuple[str, str, str]]:
    values = " ".join(f"kgo:{p}" for p in LINK_RELATIONS)
    rows = select(store, f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o . FILTER(isIRI(?o)) }}")
    return sorted((r["s"], r["p"].rsplit("#", 1)[1], r["o"]) for r in rows)


def load_graph(store: Store, co_mentions: bool = False) -> nx.MultiDiGraph:
    """The entity graph: nodes typed and labelled, link edges with their evidence.

    Nodes: iri, type, label, documents (doc keys). Edges (key = relation): relation,
    evidence (list of Evidence), source ("extracted" when a sentence states it,
    "gazetteer" for administrative nesting with no sentence).
    """
    nodes = entity_nodes(store)
    g = nx.MultiDiGraph()
    for iri, attrs in nodes.items():
        g.add_node(iri, iri=iri, **attrs)
    evidence = link_evidence(store)
    for s, p, o in link_triples(store):
        if s not in nodes or o not in nodes:
            continue
        ev = evidence.get((s, p, o), [])
        g.add_edge(s, o, key=p, relation=p, evidence=ev,
                   source="extracted" if ev else "gazetteer")
    # sectors and places only the ontology or gazetteer describes, and that nothing links to
    g.remove_nodes_from([n for n, d in list(g.nodes(data=True))
                         if not d["documents"] and g.degree(n) == 0])
    if co_mentions:
        add_co_mentions(store, g)
    return g


def add_co_mentions(store: Store, g: nx.MultiDiGraph, max_per_sentence: int = 30) -> None:
    """Link entities named in the same sentence (undirected, weaker than a stated link)."""
    by_sentence: dict[str, set[str]] = defaultdict(set)
    texts: dict[str, str] = {}
    for r in select(store, """
        SELECT ?sent ?e ?text WHERE {
          ?m kgo:mentionOf ?e ; kgo:inSentence ?sent . ?sent kgo:text ?text .
        }"""):
        if r["e"] in g:
            by_sentence[r["sent"]].add(r["e"])
            texts[r["sent"]] = r["text"]
    for sent, members in sorted(by_sentence.items()):
        if len(members) > max_per_sentence:  # long lists say little about each pair
            continue
        ev = Evidence(sent, texts[sent], document_key(sent))
        for a, b in combinations(sorted(members), 2):
            if g.has_edge(a, b, CO_MENTION):
                g.edges[a, b, CO_MENTION]["evidence"].append(ev)
            elif not g.has_edge(b, a, CO_MENTION):
                g.add_edge(a, b, key=CO_MENTION, relation=CO_MENTION, evidence=[ev],
                           source="extracted")


def documents(store: Store) -> list[dict]:
    """The documents of the store: key, title, source file."""
    rows = select(store, """
        SELECT ?d (SAMPLE(?t) AS ?title) (SAMPLE(?f) AS ?file) WHERE {
          ?d a kgo:Document . OPTIONAL { ?d dcterms:title ?t } OPTIONAL { ?d kgo:sourceFile ?f }
        } GROUP BY ?d""")
    return sorted(({"key": document_key(r["d"]), "iri": r["d"], "title": r["title"] or "",
                    "file": r["file"] or ""} for r in rows), key=lambda d: d["key"])


def label_of(g: nx.Graph, iri: str) -> str:
    return g.nodes[iri].get("label", iri_tail(iri)) if iri in g else iri_tail(iri)


__all__ = ["Evidence", "ENTITY_CLASSES", "NODE_TYPES", "LINK_RELATIONS", "CO_MENTION",
           "rows", "select", "load_graph", "entity_nodes", "link_evidence", "add_co_mentions",
           "documents", "document_key", "resolve_entity", "label_of"]
