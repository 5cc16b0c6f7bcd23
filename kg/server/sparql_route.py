"""The SPARQL 1.1 Protocol query endpoint, /sparql: parse the request, run it, render it.

GET ?query=, POST form-encoded, POST application/sparql-query; default-graph-uri and
named-graph-uri; the format by ?format= or Accept. The query itself runs in a worker process
(kg.server.pool); answers are cached per store version and carry an ETag.

The endpoint is a raw ASGI handler (`serve_sparql`), called by kg.server.fastpath before any
FastAPI routing: a light query is mostly HTTP overhead, and routing, dependency injection and
Request/Response objects were a third of it. The FastAPI routes below describe the endpoint
in the OpenAPI document and render the query page for a browser.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import URL

from kg.server.cache import Answer, cache_key, fast_key
from kg.server.errors import RequestError, sparql_error_parts
from kg.server.negotiation import negotiate, prefers_html
from kg.server.pages import query_page
from kg.sparql import NotAcceptable, QueryJob, SparqlError

router = APIRouter()

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
UPDATE_REFUSAL = ("SPARQL Update is not accepted at the query endpoint: this endpoint is "
                  "read-only")
MISSING_QUERY = RequestError(400, "missing query",
                             "no query given: send it as ?query=, as query= in a form body, "
                             "or as an application/sparql-query body")
_BASES_KEPT = 1024  # base IRIs remembered by (scheme, Host, server, path)

_DOC = """SPARQL 1.1 Protocol query endpoint. The default graph is the merge of all graphs:
each triple once, however many reports' graphs state it (`GRAPH ?g` reads them one by one).

- `GET /sparql?query=...`, `POST` with `application/x-www-form-urlencoded` (`query=...`) or
  `application/sparql-query` (the query as the body).
- `default-graph-uri` / `named-graph-uri` (repeatable) set the dataset.
- SELECT/ASK: `application/sparql-results+json`, `application/sparql-results+xml`, `text/csv`,
  `text/tab-separated-values`; CONSTRUCT/DESCRIBE: `text/turtle`, `application/n-triples`,
  `application/rdf+xml`, `application/ld+json`: by `Accept` or `format=` (json, xml, csv, tsv,
  ttl, nt, rdfxml, jsonld).
- Read-only: updates and SERVICE calls are refused (400). A query past the time limit is
  stopped and answered 503. A browser without a query gets the query page.
"""


def _param(name: str, description: str, many: bool = False) -> dict:
    schema = {"type": "array", "items": {"type": "string"}} if many else {"type": "string"}
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema, **({"style": "form", "explode": True} if many else {})}


_PARAMS = [
    _param("query", "the SPARQL query (GET; or in the body of a POST)"),
    _param("default-graph-uri", "a graph of the default graph (replaces the union)", many=True),
    _param("named-graph-uri", "a graph GRAPH patterns may match", many=True),
    _param("format", "json, xml, csv, tsv, ttl, nt, rdfxml or jsonld (overrides Accept)"),
]
_BODY = {"content": {
    FORM: {"schema": {"type": "object", "properties": {
        "query": {"type": "string"}, "default-graph-uri": {"type": "string"},
        "named-graph-uri": {"type": "string"}, "format": {"type": "string"}},
        "required": ["query"]}},
    QUERY: {"schema": {"type": "string"}},
}}


class _Disconnected(Exception):
    """The client went away while sending its body: nobody to answer."""


async def serve_sparql(scope, receive, send, app) -> None:
    """Answer one GET or POST to /sparql from raw ASGI messages.

    A browser asking for the page (text/html preferred, no format) is passed on to `app`,
    whose route renders it; every other request is answered here.
    """
    state = scope["app"].state
    headers = dict(reversed(scope["headers"]))  # the first of repeated headers wins
    raw_accept = headers.get(b"accept")
    accept = raw_accept.decode("latin-1") if raw_accept is not None else None
    if_none_match = headers.get(b"if-none-match")
    version, version_path = state.store_version, state.store_info.version_path
    url_key = fast_key(version, scope, raw_accept)
    answer = state.cache.by_url(url_key) if url_key is not None else None
    if answer is None:  # not a GET asked before with the same URL and Accept
        try:
            params = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
            if scope["method"] == "POST":
                await _add_body_params(params, headers, receive, state.settings)
            if any(k == "update" for k, _ in params):
                raise RequestError(400, "update not allowed", UPDATE_REFUSAL)
            query = _one(params, "query")
            fmt = _one(params, "format") or _one(params, "output")
            if scope["method"] == "GET" and fmt is None and prefers_html(accept):
                await app(scope, receive, send)  # the query page runs ?query= from its URL
                return
            if query is None:
                raise MISSING_QUERY
            _check_length(scope["method"], query, state.settings.max_query_length)
            key, answer = await _answer(state, (version, version_path), scope, headers, params,
                                        query, accept, fmt)
            state.cache.remember_url(url_key, key)  # the next identical GET: answered above
        except (SparqlError, RequestError) as e:
            status, raw, body = sparql_error_parts(accept, e)
            await send({"type": "http.response.start", "status": status, "headers": raw})
            await send({"type": "http.response.body", "body": body})
            return
        except _Disconnected:
            return
    await send_answer(send, answer, if_none_match)


async def send_answer(send, answer: Answer, if_none_match: bytes | None) -> None:
    """The answer, or 304 Not Modified when the client has it already."""
    if if_none_match is not None and answer.matches(if_none_match):
        await send({"type": "http.response.start", "status": 304,
                    "headers": answer.not_modified_headers})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": answer.ok_headers})
    await send({"type": "http.response.body", "body": answer.result.body})


async def _answer(state, version: tuple[str, Path], scope, headers: dict, params, query: str,
                  accept: str | None, fmt: str | None) -> tuple[tuple, Answer]:
    """The cache key of the query and its answer: from the cache, else computed (an entity
    lookup in this process, any other query by a worker) and cached."""
    solutions_format, graph_format = negotiate(accept, fmt)
    if solutions_format is None and graph_format is None:
        raise NotAcceptable(f"no result format matches Accept: {accept}; this endpoint "
                            "answers SPARQL results (JSON, XML, CSV, TSV) and RDF (Turtle, "
                            "N-Triples, RDF/XML, JSON-LD)")
    settings = state.settings
    job = QueryJob(query, solutions_format, graph_format,
                   default_graphs=_iris(params, "default-graph-uri"),
                   named_graphs=_iris(params, "named-graph-uri"),
                   max_rows=settings.max_result_rows, max_bytes=settings.max_result_bytes,
                   allowed_services=settings.allowed_services,
                   base_iri=base_iri(scope, headers.get(b"host")))
    key = cache_key(version[0], job)
    answer = state.cache.get(key)
    if answer is None:
        result = state.local_queries.answer(version[1], job) or await state.pool.run(job)
        answer = state.cache.put(key, result)
    return key, answer


_bases: dict[tuple, str] = {}


def base_iri(scope, host: bytes | None) -> str:
    """The endpoint's own URL (as Starlette reads it: Host header, else the server address):
    relative IRIs in a query resolve against it. Remembered: it is the same for every query."""
    key = (scope.get("scheme"), host, scope.get("server"), scope["path"])
    base = _bases.get(key)
    if base is None:
        base = str(URL(scope={**scope, "query_string": b""}).replace(query=None, fragment=None))
        if len(_bases) >= _BASES_KEPT:
            _bases.clear()
        _bases[key] = base
    return base


async def _add_body_params(params: list, headers: dict, receive, settings) -> None:
    """The protocol parameters of a POST body (form or query), added to those of the URL."""
    content_type = headers.get(b"content-type", b"").decode("latin-1")
    media, _, rest = content_type.partition(";")
    media = media.strip().lower()
    if media == UPDATE:
        raise RequestError(400, "update not allowed", UPDATE_REFUSAL)
    if media not in (FORM, QUERY):
        raise RequestError(415, "unsupported media type",
                           f"a POST to /sparql needs Content-Type {FORM} or {QUERY}"
                           + (f", not {media}" if media else " (none was given)"))
    charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in rest.split(";")
                    if p.strip().lower().startswith("charset=")), "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise RequestError(415, "unsupported charset",
                           f"the request body must be UTF-8, not {charset}")
    text = _utf8(await _read_body(headers, receive, settings.max_body_bytes))
    if media == FORM:
        params += parse_qsl(text, keep_blank_values=True)
    else:
        if any(k == "query" for k, _ in params):
            raise RequestError(400, "two queries", "the query is in the body; do not also "
                               "give ?query= in the URL")
        params.append(("query", text))


def _one(params: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        raise RequestError(400, f"several {name} parameters",
                           f"exactly one {name} parameter is allowed, {len(values)} were given")
    return values[0] if values else None


def _iris(params: list[tuple[str, str]], name: str) -> tuple[str, ...]:
    iris = []
    for k, v in params:
        if k != name:
            continue
        try:
            iris.append(ox.NamedNode(v).value)
        except ValueError:
            raise RequestError(400, f"invalid {name}", f"{v!r} is not an absolute IRI") from None
    return tuple(iris)


def _check_length(method: str, query: str, limit: int) -> None:
    if len(query) > limit:
        status = 414 if method == "GET" else 413
        raise RequestError(status, "query too long",
                           f"the query has {len(query)} characters; at most {limit} are allowed")


async def _read_body(headers: dict, receive, limit: int) -> bytes:
    declared = headers.get(b"content-length", b"")
    too_large = RequestError(413, "request too large",
                             f"the request body is larger than {limit} bytes")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def read_request_body(request: Request) -> bytes:
    """_read_body for a routed Starlette request (the /update endpoint)."""
    headers = {k.encode("latin-1"): v.encode("latin-1") for k, v in request.headers.items()}
    return await _read_body(headers, request.receive,
                            request.app.state.settings.max_body_bytes)


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise RequestError(400, "invalid encoding",
                           f"the request body is not valid UTF-8 (byte {e.start})") from None


async def sparql_page(request: Request) -> Response:
    """The query page (a browser's GET); the protocol itself is answered by serve_sparql."""
    return query_page(request)


for _path, _public in (("/sparql", True), ("/sparql/", False)):
    router.add_api_route(_path, sparql_page, methods=["GET"], response_class=Response,
                         include_in_schema=_public, tags=["sparql"], summary="SPARQL query (GET)",
                         description=_DOC, operation_id="sparql_get" if _public else None,
                         openapi_extra={"parameters": _PARAMS})
    router.add_api_route(_path, sparql_page, methods=["POST"], response_class=Response,
                         include_in_schema=_public, tags=["sparql"], summary="SPARQL query (POST)",
                         description=_DOC, operation_id="sparql_post" if _public else None,
                         openapi_extra={"parameters": _PARAMS[1:], "requestBody": _BODY})
