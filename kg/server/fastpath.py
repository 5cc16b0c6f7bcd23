"""The raw ASGI layer in front of FastAPI: which requests skip routing, and how.

- GET/POST /sparql: the protocol handler kg.server.sparql_route.serve_sparql (a browser's
  page request goes on to routing);
- GET /api/*: answers are a function of the store version and the URL, so a repeated lookup
  is sent from encoded bytes kept here (`ApiResponses`), before routing, parameter
  validation and JSON encoding; the first ask of a URL goes through FastAPI and is kept.
- HEAD: answered as GET without the body.
Everything else passes through untouched.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from kg.server.routes_api import warm_lookups
from kg.server.sparql_route import serve_sparql

SPARQL_PATHS = frozenset(("/sparql", "/sparql/"))
API_PREFIX = "/api/"
KEPT_STATUSES = frozenset((200, 400, 404, 422))  # answers that only depend on version and URL
API_ENTRY_BYTES = 1 << 20  # larger answers (exports) are not kept
API_CACHE_BYTES = 32 << 20


class ApiResponses:
    """Encoded /api/* responses by (store version, scheme, Host, path, query string), LRU."""

    def __init__(self, max_bytes: int = API_CACHE_BYTES, max_entry_bytes: int = API_ENTRY_BYTES):
        self.max_bytes, self.max_entry_bytes = max_bytes, max_entry_bytes
        self._entries: OrderedDict[tuple, tuple[int, list, bytes]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> tuple[int, list, bytes] | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
        else:
            self.hits += 1
        return entry

    def put(self, key: tuple, status: int, headers: list, body: bytes) -> None:
        if len(body) > self.max_entry_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            self._size += len(body) - (len(old[2]) if old else 0)
            self._entries[key] = (status, headers, body)
            while self._size > self.max_bytes and self._entries:
                _, (_, _, evicted) = self._entries.popitem(last=False)
                self._size -= len(evicted)


def api_key(version: str, scope) -> tuple:
    host = next((v for k, v in scope["headers"] if k == b"host"), b"")
    return (version, scope.get("scheme"), host, scope["path"], scope["query_string"])


def _without_body(send):
    async def send_head(message):
        if message["type"] == "http.response.body":
            if message.get("more_body"):
                return
            message = {"type": "http.response.body", "body": b""}
        await send(message)
    return send_head


class FastPath:
    """ASGI middleware: the SPARQL protocol and repeated /api/* lookups before routing."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "HEAD":
            # HEAD is GET without the body (RFC 9110 9.3.2): the same status and headers,
            # Content-Length included; linked-data clients check an IRI this way.
            scope = {**scope, "method": "GET"}
            send = _without_body(send)
        if scope["type"] == "http":
            path, method = scope["path"], scope["method"]
            if path in SPARQL_PATHS and method in ("GET", "POST"):
                await serve_sparql(scope, receive, send, self.app)
                return
            if method == "GET" and path.startswith(API_PREFIX):
                await self._api(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _api(self, scope, receive, send):
        state = scope["app"].state
        responses: ApiResponses = state.api_responses
        key = api_key(state.store_version, scope)
        hit = responses.get(key)
        if hit is not None:
            status, headers, body = hit
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        if not state.api_in_use:  # the lookups are wanted: build what they share, once
            state.api_in_use = True
            warm_lookups(scope["app"], state.store_info)
        start: dict = {}

        async def keeping_send(message):
            if message["type"] == "http.response.start":
                start.update(message)
            elif (message["type"] == "http.response.body" and not message.get("more_body")
                  and start.get("status") in KEPT_STATUSES and "body" not in start):
                start["body"] = message.get("body", b"")
                responses.put(key, start["status"], list(start.get("headers", ())),
                              start["body"])
            elif message["type"] == "http.response.body":
                start["body"] = None  # streamed in parts: not kept
            await send(message)

        await self.app(scope, receive, keeping_send)
