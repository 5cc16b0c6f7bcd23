"""A small LRU cache of answered SPARQL results, keyed by store version, query and format.

A store version never changes once written (kg.store swaps in new versions), so a cached
answer is valid as long as its version is the one served. ETags are content hashes, so a
client's If-None-Match can be answered 304 from here without running the query again, and
every serving process gives the same answer the same ETag. An answer carries its response
headers already encoded: a hit costs a dictionary read and two ASGI messages.
"""
from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict

from kg.sparql import QueryJob, QueryResult

# Functions whose value changes between two runs of the same query: never cached.
MAX_URLS = 10_000  # raw GET URLs remembered for the fast path (they point into the cache)
_VOLATILE = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)
_COMMON = [(b"vary", b"Accept"), (b"cache-control", b"no-cache")]


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def etags_in(header: bytes | str | None) -> set[str]:
    """The entity tags of an If-None-Match header (weak ones compared by their opaque tag)."""
    if not header:
        return set()
    text = header.decode("latin-1") if isinstance(header, bytes) else header
    return {t.strip().removeprefix("W/") for t in text.split(",") if t.strip()}


class Answer:
    """One result with its ETag and the response headers of a 200 and of a 304."""

    __slots__ = ("result", "etag", "ok_headers", "not_modified_headers")

    def __init__(self, result: QueryResult):
        self.result = result
        self.etag = etag_of(result.body)
        self.not_modified_headers = [(b"etag", self.etag.encode()), *_COMMON,
                                     (b"x-result-rows", str(result.rows).encode())]
        self.ok_headers = self.not_modified_headers + [
            (b"content-type", result.media_type.encode()),
            (b"content-length", str(len(result.body)).encode())]

    def matches(self, if_none_match: bytes | str | None) -> bool:
        return bool(if_none_match) and self.etag in etags_in(if_none_match)


def cache_key(version: str, job: QueryJob) -> tuple:
    return (version, job.query, job.solutions_format, job.graph_format, job.default_graphs,
            job.named_graphs, job.base_iri)


class ResultCache:
    def __init__(self, max_bytes: int, max_entry_bytes: int):
        self.max_bytes, self.max_entry_bytes = max_bytes, max_entry_bytes
        self._entries: OrderedDict[tuple, Answer] = OrderedDict()
        self._size = 0
        self._urls: OrderedDict[tuple, tuple] = OrderedDict()  # fast_key -> cache key
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> Answer | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def remember_url(self, url_key: tuple | None, key: tuple) -> None:
        """File a GET's raw URL and Accept under the cache key its answer is kept at."""
        if url_key is None or key not in self._entries:
            return
        with self._lock:
            self._urls[url_key] = key
            self._urls.move_to_end(url_key)
            while len(self._urls) > MAX_URLS:
                self._urls.popitem(last=False)

    def by_url(self, url_key: tuple) -> Answer | None:
        """The cached answer of a GET seen before (None when it or its answer is gone)."""
        key = self._urls.get(url_key)
        return self.get(key) if key is not None else None

    def put(self, key: tuple, result: QueryResult) -> Answer:
        """Remember a result (when it is worth it); the answer, with its ETag and headers."""
        answer = Answer(result)
        size = len(result.body)
        if (self.max_bytes <= 0 or size > self.max_entry_bytes or _VOLATILE.search(key[1])):
            return answer
        with self._lock:
            old = self._entries.pop(key, None)
            if old:
                self._size -= len(old.result.body)
            self._entries[key] = answer
            self._size += size
            while self._size > self.max_bytes and self._entries:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted.result.body)
        return answer


def fast_key(version: str, scope: dict, accept: bytes | None) -> tuple | None:
    """The key of a plain GET /sparql in the raw ASGI scope: URL and Accept, as sent."""
    if scope.get("method") != "GET" or not scope.get("query_string"):
        return None
    return (version, scope.get("path"), scope["query_string"], accept or b"")
