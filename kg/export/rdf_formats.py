"""The whole dataset as RDF files: N-Quads, TriG (named graphs kept), Turtle (all graphs
merged into one), JSON-LD with a context (named graphs kept).

N-Quads, TriG and Turtle are written by Oxigraph itself; JSON-LD by rdflib, whose writer
compacts IRIs with the project's prefixes as the @context.
"""
from __future__ import annotations

from pyoxigraph import RdfFormat, Store, Triple, serialize

from kg.vocab import PREFIXES


def to_nquads(store: Store) -> bytes:
    return store.dump(format=RdfFormat.N_QUADS)


def to_trig(store: Store) -> bytes:
    return store.dump(format=RdfFormat.TRIG, prefixes=PREFIXES)


def union_triples(store: Store) -> list[Triple]:
    """Every distinct triple of every graph (Turtle has no named graphs)."""
    seen = {Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None)}
    return sorted(seen, key=str)


def to_turtle(store: Store) -> bytes:
    return serialize(union_triples(store), format=RdfFormat.TURTLE, prefixes=PREFIXES)


def jsonld_context() -> dict[str, str]:
    return dict(PREFIXES)


def to_jsonld(store: Store) -> bytes:
    from rdflib import Dataset

    ds = Dataset()
    ds.parse(data=to_nquads(store), format="nquads")
    text = ds.serialize(format="json-ld", context=jsonld_context(), indent=1, ensure_ascii=False)
    return text.encode() if isinstance(text, str) else text
