"""The SPARQL 1.1 Protocol query endpoint, /sparql: parse the request, run it, render it.

GET ?query=, POST form-encoded, POST application/sparql-query; default-graph-uri and
named-graph-uri; the format by ?format= or Accept. The query itself runs in a worker process
(kg.server.pool); answers are cached per store version and carry an ETag.
"""
from __future__ import annotations

from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from kg.server.cache import cache_key, fast_key
from kg.server.errors import RequestError, sparql_error_response
from kg.server.negotiation import negotiate, prefers_html
from kg.server.pages import query_page
from kg.sparql import NotAcceptable, QueryJob, SparqlError

router = APIRouter()

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
UPDATE_REFUSAL = ("SPARQL Update is not accepted at the query endpoint: this endpoint is "
                  "read-only")

_DOC = """SPARQL 1.1 Protocol query endpoint. The default graph is the union of all graphs.

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


async def sparql_endpoint(request: Request) -> Response:
    accept = request.headers.get("accept")
    try:
        params = await _protocol_params(request)
        query = _one(params, "query")
        fmt = _one(params, "format") or _one(params, "output")
        if request.method == "GET" and fmt is None and prefers_html(accept):
            return query_page(request)  # the page itself runs ?query= from its URL
        if query is None:
            raise RequestError(400, "missing query",
                               "no query given: send it as ?query=, as query= in a form body, "
                               "or as an application/sparql-query body")
        _check_length(request, query)
        solutions_format, graph_format = negotiate(accept, fmt)
        if solutions_format is None and graph_format is None:
            raise NotAcceptable(f"no result format matches Accept: {accept}; this endpoint "
                                "answers SPARQL results (JSON, XML, CSV, TSV) and RDF (Turtle, "
                                "N-Triples, RDF/XML, JSON-LD)")
        settings = request.app.state.settings
        job = QueryJob(query, solutions_format, graph_format,
                       default_graphs=_iris(params, "default-graph-uri"),
                       named_graphs=_iris(params, "named-graph-uri"),
                       max_rows=settings.max_result_rows, max_bytes=settings.max_result_bytes,
                       allowed_services=settings.allowed_services,
                       base_iri=str(request.url.replace(query=None, fragment=None)))
        key = cache_key(request.app.state.store_version, job)
        cached = request.app.state.cache.get(key)
        if cached:
            result, etag = cached
        else:
            result = await request.app.state.pool.run(job)
            etag = request.app.state.cache.put(key, result)
        # the next identical GET is answered before routing (cache.CachedGetFastPath)
        request.app.state.cache.remember_url(
            fast_key(request.app.state.store_version, request.scope), key)
    except (SparqlError, RequestError) as e:
        return sparql_error_response(request, e)
    headers = {"ETag": etag, "Vary": "Accept", "Cache-Control": "no-cache",
               "X-Result-Rows": str(result.rows)}
    if etag in _etags(request.headers.get("if-none-match")):
        return Response(status_code=304, headers=headers)
    return Response(result.body, media_type=result.media_type, headers=headers)


async def _protocol_params(request: Request) -> list[tuple[str, str]]:
    """The protocol parameters of a request, from its URL and (for POST) its body."""
    params = list(request.query_params.multi_items())
    if request.method == "POST":
        content_type = request.headers.get("content-type", "")
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
        text = _utf8(await _read_body(request))
        if media == FORM:
            params += parse_qsl(text, keep_blank_values=True)
        else:
            if any(k == "query" for k, _ in params):
                raise RequestError(400, "two queries", "the query is in the body; do not also "
                                   "give ?query= in the URL")
            params.append(("query", text))
    if any(k == "update" for k, _ in params):
        raise RequestError(400, "update not allowed", UPDATE_REFUSAL)
    return params


def _one(params: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        raise RequestError(400, f"several {name} parameters",
                           f"exactly one {name} parameter is allowed, {len(values)} were given")
    return values[0] if values else None


def _iris(params: list[tuple[str, str]], name: str) -> tuple[str, ...]:
    iris = []
    for _, v in filter(lambda kv: kv[0] == name, params):
        try:
            iris.append(ox.NamedNode(v).value)
        except ValueError:
            raise RequestError(400, f"invalid {name}", f"{v!r} is not an absolute IRI") from None
    return tuple(iris)


def _check_length(request: Request, query: str) -> None:
    limit = request.app.state.settings.max_query_length
    if len(query) > limit:
        status = 414 if request.method == "GET" else 413
        raise RequestError(status, "query too long",
                           f"the query has {len(query)} characters; at most {limit} are allowed")


async def _read_body(request: Request) -> bytes:
    limit = request.app.state.settings.max_body_bytes
    declared = request.headers.get("content-length", "")
    too_large = RequestError(413, "request too large",
                             f"the request body is larger than {limit} bytes")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise RequestError(400, "invalid encoding",
                           f"the request body is not valid UTF-8 (byte {e.start})") from None


def _etags(header: str | None) -> set[str]:
    return {t.strip().removeprefix("W/") for t in (header or "").split(",") if t.strip()}


for _path, _public in (("/sparql", True), ("/sparql/", False)):
    router.add_api_route(_path, sparql_endpoint, methods=["GET"], response_class=Response,
                         include_in_schema=_public, tags=["sparql"], summary="SPARQL query (GET)",
                         description=_DOC, operation_id="sparql_get" if _public else None,
                         openapi_extra={"parameters": _PARAMS})
    router.add_api_route(_path, sparql_endpoint, methods=["POST"], response_class=Response,
                         include_in_schema=_public, tags=["sparql"], summary="SPARQL query (POST)",
                         description=_DOC, operation_id="sparql_post" if _public else None,
                         openapi_extra={"parameters": _PARAMS[1:], "requestBody": _BODY})
