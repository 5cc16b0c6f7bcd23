"""Status codes and error bodies: every failure is a 4xx/503 with a message, never a 500 trace.

Non-SPARQL routes answer {"error": ..., "detail": ...}; the SPARQL endpoint answers the same
JSON or text/plain, whichever the client's Accept prefers.
"""
from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg import sparql
from kg.server.negotiation import prefers_json
from kg.server.pool import EndpointBusy

log = logging.getLogger("kg.server")


class RequestError(Exception):
    """A request the endpoint refuses before running anything (protocol-level)."""

    def __init__(self, status: int, error: str, detail: str, headers: dict | None = None):
        super().__init__(detail)
        self.status, self.error, self.detail, self.headers = status, error, detail, headers or {}


# What each query error means in HTTP.
SPARQL_STATUS: dict[type, tuple[int, str]] = {
    sparql.QuerySyntaxError: (400, "malformed query"),
    sparql.UpdateNotAllowed: (400, "update not allowed"),
    sparql.ServiceNotAllowed: (400, "SERVICE not allowed"),
    sparql.UnknownFormat: (400, "unknown format"),
    sparql.NotAcceptable: (406, "not acceptable"),
    sparql.ResultTooLarge: (422, "result too large"),
    sparql.QueryTimeout: (503, "query timeout"),
    sparql.QueryOutOfMemory: (503, "query out of memory"),
    EndpointBusy: (503, "endpoint busy"),
    sparql.QueryFailed: (503, "query failed"),
}


def request_error(exc: Exception) -> RequestError:
    """A failed query (kg.sparql.SparqlError, EndpointBusy) as the RequestError a route
    raises: the status SPARQL_STATUS gives it, Retry-After when it is 503."""
    status, error = next((v for cls, v in SPARQL_STATUS.items() if isinstance(exc, cls)),
                         (400, "bad request"))
    headers = {}
    if status == 503:  # EndpointBusy knows when a worker may be free; the rest: soon
        headers["Retry-After"] = str(exc.retry_after if isinstance(exc, EndpointBusy) else 5)
    return RequestError(status, error, str(exc), headers)


def sparql_error_parts(accept: str | None, exc: Exception) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, raw headers and body of a failed SPARQL request: JSON or text per Accept."""
    if not isinstance(exc, RequestError):
        exc = request_error(exc)
    status, error, detail, headers = exc.status, exc.error, exc.detail, dict(exc.headers)
    if status == 503:
        log.warning("sparql %s: %s", error, detail)  # the query text stays out of the log
    if prefers_json(accept):
        body = json.dumps({"error": error, "detail": detail}, ensure_ascii=False,
                          separators=(",", ":")).encode()
        media = b"application/json"
    else:
        body, media = f"{error}: {detail}\n".encode(), b"text/plain; charset=utf-8"
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    raw += [(b"content-type", media), (b"content-length", str(len(body)).encode())]
    return status, raw, body


def sparql_error_response(request: Request, exc: Exception) -> Response:
    """sparql_error_parts as a Starlette response (for routes that return one)."""
    status, raw, body = sparql_error_parts(request.headers.get("accept"), exc)
    response = Response(body, status)
    response.raw_headers = raw
    return response


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        error = {404: "not found", 405: "method not allowed"}.get(exc.status_code, "error")
        detail = exc.detail
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no route {request.url.path}; see /docs for the API"
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}"
        return JSONResponse({"error": error, "detail": detail}, exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        problems = "; ".join(f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg')}"
                             for e in exc.errors())
        return JSONResponse({"error": "invalid parameters", "detail": problems}, 400)

    @app.exception_handler(RequestError)
    async def request_error(request: Request, exc: RequestError):
        return JSONResponse({"error": exc.error, "detail": exc.detail}, exc.status,
                            headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "internal error",
                             "detail": f"{type(exc).__name__}; see the server log"}, 500)
