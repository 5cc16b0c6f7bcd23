"""The embedded Oxigraph store (opened by kg.store) behind the backend interface.

Everything of `pyoxigraph.Store` passes through unchanged; the two graph writes are added,
each one Oxigraph transaction. Builds do not use them: they write whole versions with
kg.store.write_version (a new store swapped in atomically).
"""
from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg.backends.remote import replace_graph_update


class EmbeddedStore:
    def __init__(self, store: ox.Store):
        self.store = store

    def __getattr__(self, name: str):
        return getattr(self.store, name)

    def __len__(self) -> int:
        return len(self.store)

    def query(self, query: str, **kwargs):
        return self.store.query(query, **kwargs)

    def update(self, update: str) -> None:
        self.store.update(update)

    def put_graph(self, graph: str, triples: Iterable[ox.Triple]) -> int:
        triples = list(triples)
        self.store.update(replace_graph_update(graph, triples))  # one update: atomic
        return len(triples)

    def delete_graph(self, graph: str) -> None:
        self.store.update(f"DROP SILENT GRAPH <{graph}>")
