"""A small LRU cache of answered SPARQL results, keyed by store version, query and format.

A store version never changes once written (kg.store swaps in new versions), so a cached
answer is valid as long as its version is the one served. ETags are content hashes, so a
client's If-None-Match can be answered 304 from here without running the query again.
"""
from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict

from kg.sparql import QueryJob, QueryResult

# Functions whose value changes between two runs of the same query: never cached.
_VOLATILE = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def cache_key(version: str, job: QueryJob) -> tuple:
    return (version, job.query, job.solutions_format, job.graph_format, job.default_graphs,
            job.named_graphs, job.base_iri)


class ResultCache:
    def __init__(self, max_bytes: int, max_entry_bytes: int):
        self.max_bytes, self.max_entry_bytes = max_bytes, max_entry_bytes
        self._entries: OrderedDict[tuple, tuple[QueryResult, str]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> tuple[QueryResult, str] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: tuple, result: QueryResult) -> str:
        """Remember a result (when it is worth it) and return its ETag."""
        etag = etag_of(result.body)
        size = len(result.body)
        if (self.max_bytes <= 0 or size > self.max_entry_bytes or _VOLATILE.search(key[1])):
            return etag
        with self._lock:
            old = self._entries.pop(key, None)
            if old:
                self._size -= len(old[0].body)
            self._entries[key] = (result, etag)
            self._size += size
            while self._size > self.max_bytes and self._entries:
                _, (evicted, _) = self._entries.popitem(last=False)
                self._size -= len(evicted.body)
        return etag
