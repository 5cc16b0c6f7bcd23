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
MAX_URLS = 10_000  # raw GET URLs remembered for the fast path (they point into the cache)
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
        self._urls: OrderedDict[tuple, tuple] = OrderedDict()  # fast_key -> cache key
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

    def remember_url(self, url_key: tuple | None, key: tuple) -> None:
        """File a GET's raw URL and Accept under the cache key its answer is kept at."""
        if url_key is None or key not in self._entries:
            return
        with self._lock:
            self._urls[url_key] = key
            self._urls.move_to_end(url_key)
            while len(self._urls) > MAX_URLS:
                self._urls.popitem(last=False)

    def by_url(self, url_key: tuple) -> tuple[QueryResult, str] | None:
        """The cached answer of a GET seen before (None when it or its answer is gone)."""
        key = self._urls.get(url_key)
        return self.get(key) if key is not None else None

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


def fast_key(version: str, scope: dict) -> tuple | None:
    """The key of a plain GET /sparql in the raw ASGI scope: URL and Accept, as sent."""
    if scope.get("method") != "GET" or not scope.get("query_string"):
        return None
    accept = b""
    for name, value in scope.get("headers", ()):
        if name == b"accept":
            accept = value
            break
    return (version, scope.get("path"), scope["query_string"], accept)


class CachedGetFastPath:
    """ASGI middleware: answers a GET /sparql whose answer is cached before any routing.

    A dashboard re-asking the same URL with the same Accept gets the same bytes; the full
    endpoint decides once (parsing, negotiation, the worker) and files the URL here through
    ResultCache.remember_url. Everything else passes through untouched.
    """

    PATHS = ("/sparql", "/sparql/")

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope.get("path") in self.PATHS:
            state = scope["app"].state
            key = fast_key(state.store_version, scope)
            hit = state.cache.by_url(key) if key is not None else None
            if hit is not None:
                await _send_cached(scope, send, *hit)
                return
        await self.app(scope, receive, send)


async def _send_cached(scope, send, result: QueryResult, etag: str) -> None:
    headers = [(b"etag", etag.encode()), (b"vary", b"Accept"), (b"cache-control", b"no-cache"),
               (b"x-result-rows", str(result.rows).encode())]
    inm = next((v for k, v in scope.get("headers", ()) if k == b"if-none-match"), None)
    if inm is not None and etag in {t.strip().removeprefix("W/") for t in inm.decode("latin-1").split(",")}:
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    headers += [(b"content-type", result.media_type.encode()),
                (b"content-length", str(len(result.body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": result.body})
