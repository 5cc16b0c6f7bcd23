"""The store as the lookups of one HTTP process see it: their queries go to its query pool.

A lookup's cost grows with the store: the card of a place named in every report, the
neighbours of a sector, the targets of every year. Run in the HTTP process, such a query
takes the process's memory with it (nothing bounds a pyoxigraph query); sent to the query
workers, it runs under the same time and memory limits as any SPARQL query, and one that
needs more is answered 503, saying which limit it hit. Pattern lookups (`quads_for_pattern`:
one index scan, bounded by the caller) stay in the process.
"""
from __future__ import annotations

from pyoxigraph import NamedNode, Store

from kg.backends.remote import parse_answer
from kg.sparql import QueryJob

# A lookup's answer is a page (limit ≤ 1000) or a card: past these the query is wrong, and
# the HTTP process would hold the whole serialized answer while parsing it
MAX_ROWS = 100_000
MAX_BYTES = 32 * 2**20


class PooledStore:
    """`query` through a kg.server.pool.QueryPool, from a thread that is not the event loop's
    (a lookup runs in a worker thread and waits there for the pool's answer)."""

    def __init__(self, store: Store, pool):
        self.store = store  # the version opened read-only in this process (kg.store reads it)
        self._pool = pool

    def query(self, query: str, *, prefixes: dict[str, str] | None = None,
              base_iri: str | None = None, use_default_graph_as_union: bool = False,
              default_graph=None, named_graphs=None):
        """As `pyoxigraph.Store.query`; the merge of all graphs is the default graph unless
        one is named (the worker reads the version as kg.store.default_graph_options says,
        as `use_default_graph_as_union` asked)."""
        head = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in (prefixes or {}).items())
        job = QueryJob(head + query, solutions_format="json", graph_format="nt",
                       default_graphs=_names(default_graph), named_graphs=_names(named_graphs),
                       max_rows=MAX_ROWS, max_bytes=MAX_BYTES, base_iri=base_iri)
        result = self._pool.run_from_thread(job)
        return parse_answer(result.body, result.media_type.split(";")[0].strip())

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None):
        return self.store.quads_for_pattern(subject, predicate, object, graph_name)

    def named_graphs(self):
        return self.store.named_graphs()


def _names(graphs) -> tuple[str, ...]:
    if graphs is None:
        return ()
    if isinstance(graphs, NamedNode):
        return (graphs.value,)
    return tuple(g.value for g in graphs)
