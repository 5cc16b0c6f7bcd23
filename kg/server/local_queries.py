"""Queries the server answers in its own process, without the hop to a query worker.

Handing a query to a worker process (pickling, two processes and a thread woken in turn)
costs more than answering an entity lookup such as `SELECT ?p ?o WHERE { <entity> ?p ?o }`.
A query of one triple pattern with a constant (kg.sparql.is_streaming_lookup) streams: its
work is proportional to the solutions read, so a row cap bounds it as the clock bounds the
others (the engine is asked for at most `max_rows` + 1 of them, and Oxigraph's own writer
serializes them: kg.sparql.execute_lookup). Past `max_rows` solutions the answer is dropped
and the query goes to a worker like any other, under the time and memory limits.
"""
from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pyoxigraph as ox

from kg.sparql import (QueryJob, QueryResult, ResultTooLarge, execute_lookup,
                       is_streaming_lookup)

VERSIONS_KEPT = 2  # the version served and the one a reload is switching to


class LocalQueries:
    """Streaming lookups on the read-only store of each version, run in the calling thread."""

    def __init__(self, max_rows: int):
        self.max_rows = max_rows  # 0: every query goes to a worker
        self._stores: dict[str, ox.Store] = {}
        self._lock = threading.Lock()
        self.answered = self.passed_on = 0

    def answer(self, version_path: Path, job: QueryJob) -> QueryResult | None:
        """The result of a streaming lookup within the row cap; None: ask a worker."""
        if self.max_rows <= 0 or not is_streaming_lookup(job.query):
            return None
        capped = dataclasses.replace(job, max_rows=min(job.max_rows, self.max_rows))
        try:
            result = execute_lookup(self._store(version_path), capped)
        except ResultTooLarge:  # larger than a lookup: the worker applies the real limits
            self.passed_on += 1
            return None
        self.answered += 1
        return result

    def _store(self, version_path: Path) -> ox.Store:
        key = str(version_path)
        store = self._stores.get(key)
        if store is None:
            with self._lock:
                store = self._stores.get(key)
                if store is None:
                    store = self._stores[key] = ox.Store.read_only(key)
                    for old in list(self._stores)[:-VERSIONS_KEPT]:
                        del self._stores[old]
        return store
