"""SPARQL 1.1 Update at /update: off unless the server runs with enable_update and a token.

One writer, and the served store never changes under a reader: an update makes a NEW store
version. The writer (a child process, so it can be stopped at the time limit and capped in
memory like a query worker) takes the store's build lock, checkpoints the current version
(`Store.backup`: hard links, fast), applies the update to the copy, and swaps `current` to it
atomically, as a build does. The server then reloads (kg.server.admin): queries in flight
finish on the old version, later ones see the update. Updates are serialized twice: an
asyncio lock in the server and the store's flock (which also keeps `kg build` out).

LOAD and SERVICE are refused (no outgoing requests on a user's behalf, as for queries).
"""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from kg import store
from kg.server.admin import check_token, reload_store
from kg.server.errors import RequestError
from kg.server.limits import cap_address_space, child_env
from kg.server.sparql_route import FORM, UPDATE, _check_length, _utf8, read_request_body

router = APIRouter()


def check_update(text: str, allowed_services: tuple[str, ...] = ()) -> None:
    """Refuse a malformed update, LOAD (it fetches a URL) and SERVICE calls not allowed."""
    from rdflib.plugins.sparql.parser import parseUpdate

    from kg.sparql import _short_parse_error, _walk, expand_unicode_escapes
    try:
        tree = parseUpdate(expand_unicode_escapes(text))
    except Exception as e:
        raise RequestError(400, "malformed update", f"malformed update: {_short_parse_error(e)}")
    for node in _walk(tree):
        name = getattr(node, "name", None)
        if name == "Load":
            raise RequestError(400, "LOAD not allowed", "LOAD is not allowed: this endpoint "
                               "makes no outgoing requests on a user's behalf")
        if name == "ServiceGraphPattern":
            term = dict.get(node, "term")
            if term is None or type(term).__name__ != "URIRef" or str(term) not in allowed_services:
                raise RequestError(400, "SERVICE not allowed", "SERVICE is not allowed in an "
                                   "update: this endpoint makes no outgoing requests")


def apply_update(store_dir: Path, text: str) -> str:
    """Write a new store version = the current one + the update; returns its name.

    Runs in the writer process; a kill at any moment leaves the current version serving
    (the .partial copy is removed by the next build or update).
    """
    with store.build_lock(store_dir):
        info = store.store_info(store_dir)
        return store.write_version(store_dir, base=info.version_path,
                                   edit=lambda st: st.update(text)).version


def _writer_main(store_dir: str, memory_limit: int) -> None:
    cap_address_space(memory_limit)
    text = sys.stdin.buffer.read().decode("utf-8")
    try:
        out = {"version": apply_update(Path(store_dir), text)}
    except store.StoreLocked as e:
        out = {"status": 409, "error": "store busy", "detail": str(e)}
    except store.StoreError as e:
        out = {"status": 409, "error": "store unusable", "detail": str(e)}
    except SyntaxError as e:
        out = {"status": 400, "error": "malformed update", "detail": " ".join(str(e).split())}
    except MemoryError:
        out = {"status": 503, "error": "update out of memory",
               "detail": "the update needed more memory than allowed and was not applied"}
    except Exception as e:  # the engine refused it: nothing was swapped in
        out = {"status": 400, "error": "update failed",
               "detail": f"the update was not applied: {type(e).__name__}: "
                         + " ".join(str(e).split())[:300]}
    sys.stdout.write(json.dumps(out))


def _run_writer(store_dir: Path, text: str, timeout: float, memory_limit_mb: int) -> dict:
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.server.update", str(store_dir), str(memory_limit_mb * 2**20)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env())
    try:
        out, err = process.communicate(text.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return {"status": 503, "error": "update timeout",
                "detail": f"the update ran longer than the time limit of {timeout:g} s and "
                          "was stopped; nothing was changed"}
    try:
        return json.loads(out)
    except ValueError:
        return {"status": 503, "error": "update failed",
                "detail": f"the writer ended unexpectedly (exit {process.returncode}); "
                          "nothing was changed"}


async def _update_text(request: Request) -> str:
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media not in (UPDATE, FORM):
        raise RequestError(415, "unsupported media type",
                           f"a POST to /update needs Content-Type {UPDATE} or {FORM}")
    text = _utf8(await read_request_body(request))
    params = list(request.query_params.multi_items())
    if media == FORM:
        params += parse_qsl(text, keep_blank_values=True)
        updates = [v for k, v in params if k == "update"]
        if len(updates) != 1:
            raise RequestError(400, "missing update" if not updates else "several updates",
                               "give exactly one update= parameter")
        text = updates[0]
    if any(k in ("using-graph-uri", "using-named-graph-uri") for k, _ in params):
        raise RequestError(400, "not supported", "using-graph-uri and using-named-graph-uri "
                           "are not supported; use USING / WITH in the update")
    _check_length(request.method, text, request.app.state.settings.max_query_length)
    return text


@router.post("/update", tags=["sparql"], summary="SPARQL 1.1 Update (needs the token)",
             responses={200: {"description": "applied; the new store version"},
                        400: {"description": "malformed or refused update"},
                        401: {"description": "no or wrong bearer token"},
                        403: {"description": "the server is read-only"}},
             openapi_extra={"requestBody": {"content": {
                 UPDATE: {"schema": {"type": "string"}},
                 FORM: {"schema": {"type": "object", "properties": {
                     "update": {"type": "string"}}, "required": ["update"]}}}}})
async def sparql_update(request: Request) -> Response:
    """SPARQL 1.1 Protocol update: `application/sparql-update` body or `update=` form field,
    with `Authorization: Bearer <token>`. Off (403) unless the server enables updates."""
    settings = request.app.state.settings
    if not settings.enable_update:
        raise RequestError(403, "read-only", "this server is read-only: SPARQL Update is off "
                           "(start it with --enable-update and a token)")
    check_token(request, "SPARQL Update")
    text = await _update_text(request)
    check_update(text, settings.allowed_services)
    app = request.app
    if not hasattr(app.state, "update_lock"):
        app.state.update_lock = asyncio.Lock()
    async with app.state.update_lock:  # one writer
        loop = asyncio.get_running_loop()
        out = await loop.run_in_executor(
            None, _run_writer, app.state.store_info.path, text, settings.query_timeout,
            settings.query_memory_mb())
        if "version" not in out:
            headers = {"Retry-After": "5"} if out["status"] in (409, 503) else None
            return JSONResponse({"error": out["error"], "detail": out["detail"]}, out["status"],
                                headers=headers)
        reloaded = await reload_store(app, "update")
    return JSONResponse({"applied": True, "store_version": reloaded["store_version"]})


if __name__ == "__main__":
    _writer_main(sys.argv[1], int(sys.argv[2]))
