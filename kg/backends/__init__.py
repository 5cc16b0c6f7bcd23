"""Where the graph lives: the embedded Oxigraph store (kg.store) or an external SPARQL store.

Lookups, analyses, exports and the server read a store through the part of the
`pyoxigraph.Store` interface that both backends offer, so they never know which one they have:

    query(sparql, *, prefixes=, use_default_graph_as_union=, base_iri=, default_graph=,
          named_graphs=)          -> QuerySolutions | QueryBoolean | QueryTriples (one call)
    quads_for_pattern(s, p, o, g), dump(output, format), named_graphs(), len(store)
    update(sparql)                  SPARQL 1.1 Update
    put_graph(graph, triples)       replace one named graph atomically
    delete_graph(graph)             remove one named graph (absent: no error)

Implementations: kg.backends.embedded.EmbeddedStore (a pyoxigraph.Store) and
kg.backends.remote.RemoteStore (SPARQL 1.1 Query, Update and Graph Store Protocol over HTTP).
`open_backend` picks one from the command-line options.
"""
from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable


@runtime_checkable
class Backend(Protocol):
    def query(self, query: str, **kwargs): ...
    def update(self, update: str) -> None: ...
    def put_graph(self, graph: str, triples) -> int: ...
    def delete_graph(self, graph: str) -> None: ...
    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None): ...


def open_backend(store_dir: Path | None, sparql_endpoint: str | None = None,
                 read_only: bool = True, timeout: float = 120.0) -> Backend:
    """The store the options name: the endpoint if given, else the store directory's
    current version. Raises kg.store.StoreError or kg.backends.remote.RemoteError."""
    if sparql_endpoint:
        from kg.backends.remote import RemoteStore
        backend = RemoteStore(sparql_endpoint, timeout=timeout)
        backend.stamp()  # reach it now: an unreachable endpoint fails here, clearly
        return backend
    from kg.backends.embedded import EmbeddedStore
    from kg.store import open_store
    return EmbeddedStore(open_store(Path(store_dir), read_only=read_only))


def open_version(version_path):
    """What the server reads for a version it serves: the version's directory opened
    read-only, or the remote store itself (kg.backends.serving puts it in version_path)."""
    if hasattr(version_path, "put_graph"):
        return version_path
    from pyoxigraph import Store
    return Store.read_only(str(version_path))
