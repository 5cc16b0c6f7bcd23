"""`kg serve --sparql-endpoint URL`: the server's query pool and store version for a remote store.

kg/server/app.py takes this branch when an endpoint is given; everything else of the server
(routes, caches, lookups, analyses) runs unchanged on the RemoteStore, which stands where
the embedded store's version directory stands (`info.version_path`, see
kg.backends.open_version).

- RemotePool has the QueryPool interface but no worker processes: the remote engine runs the
  query (its own limits apply; ours is the HTTP timeout), a thread waits for the answer
  (execute_remote): SERVICE calls are refused before anything is sent, as for the embedded
  store (the remote store is the user's own; the server makes it fetch nothing); an answer
  in the client's format whose rows can be counted in its bytes passes through unchanged,
  any other is parsed and serialized by kg.sparql as for the embedded store.
- The store version is the stamp a build leaves on the endpoint (kg.backends.sync); the pool
  reads it again every `reload_interval` seconds, on SIGHUP and on POST /admin/reload
  (reload_version) and, when it changed, the server serves a new version: cached answers of
  the old one are no longer used.
- Failures of the remote become 502 (refused or unreachable) or 504 (timed out) answers with
  the endpoint's message, never a traceback.
"""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from kg.backends.remote import (N_TRIPLES, RESULTS_JSON, RemoteError, RemoteRefused,
                                RemoteStore, RemoteTimeout)
from kg.sparql import (QueryJob, QueryResult, QuerySyntaxError, UpdateNotAllowed, check_services,
                       has_dataset_clause, is_update, serialize_results, counted_result)

log = logging.getLogger("kg.server")

THREADS_PER_WORKER = 4  # requests in flight to the remote per configured worker


@dataclass(frozen=True)
class RemoteServed:
    """The counterpart of kg.store.StoreInfo for a remote store."""

    path: Path  # the --store directory (unused: there is no `current` version to watch)
    version: str
    version_path: RemoteStore


def remote_service(endpoint: str, store_path: Path | None, settings) -> tuple[RemoteServed, "RemotePool"]:
    """The version served and the query pool of `kg serve --sparql-endpoint`; raises
    ValueError with the reason when the endpoint cannot be served."""
    if settings.enable_update:
        raise ValueError("--enable-update serves updates of the embedded store; with "
                         "--sparql-endpoint, send updates to the SPARQL store itself")
    backend = RemoteStore(endpoint, timeout=settings.query_timeout)
    try:
        version = _version_of(backend)
    except RemoteError as e:
        backend.close()
        raise ValueError(str(e)) from None
    info = RemoteServed(Path(store_path or ".kg/store"), version, backend)
    pool = RemotePool(backend, workers=settings.workers, queue_timeout=settings.queue_timeout
                      if settings.queue_timeout is not None else settings.query_timeout,
                      reload_interval=settings.reload_interval)
    return info, pool


def _version_of(backend: RemoteStore) -> str:
    # a store no build stamped: one version for the life of this server
    return backend.stamp() or "remote-unstamped"


class RemotePool:
    """Runs query jobs against the remote store, a bounded number at a time."""

    def __init__(self, backend: RemoteStore, workers: int = 2, queue_timeout: float = 30.0,
                 reload_interval: float = 2.0):
        self.store_path = backend
        self.backend = backend
        self.size = max(1, workers) * THREADS_PER_WORKER
        self.queue_timeout = queue_timeout
        self.reload_interval = reload_interval
        self.kills = 0  # no workers to kill: kept for /health
        self.reloads = 0
        self._threads = ThreadPoolExecutor(self.size, thread_name_prefix="kg-remote-query")
        self._slots: asyncio.Semaphore | None = None
        self._app = None
        self._watch: asyncio.Task | None = None

    def attach(self, app) -> None:
        """Serve through this pool: remote failures become 502/504 answers, and a new
        stamp on the endpoint a new store version of the app."""
        from fastapi.responses import JSONResponse

        self._app = app

        async def remote_error(request, exc: RemoteError):
            status = 504 if isinstance(exc, RemoteTimeout) else 502
            return JSONResponse({"error": "SPARQL store error", "detail": str(exc)}, status)

        app.add_exception_handler(RemoteError, remote_error)

    async def start(self) -> None:
        self._slots = asyncio.Semaphore(self.size)
        if self._app is not None and self.reload_interval and self.reload_interval > 0:
            self._watch = asyncio.get_running_loop().create_task(self._watch_stamp())

    async def run(self, job: QueryJob) -> QueryResult:
        from kg.server.errors import RequestError
        from kg.server.pool import EndpointBusy

        assert self._slots is not None, "RemotePool.start() was not awaited"
        try:
            await asyncio.wait_for(self._slots.acquire(), self.queue_timeout)
        except asyncio.TimeoutError:
            raise EndpointBusy(f"all {self.size} requests to the SPARQL store stayed busy for "
                               f"{self.queue_timeout:g} s; try again later") from None
        try:
            return await asyncio.get_running_loop().run_in_executor(
                self._threads, execute_remote, self.backend, job)
        except RemoteTimeout as e:
            raise RequestError(504, "SPARQL store timeout", str(e)) from None
        except RemoteRefused as e:
            if e.status == 400:  # the remote's parser refused it: the client's error
                if is_update(job.query):
                    raise UpdateNotAllowed("SPARQL Update is not accepted at the query "
                                           "endpoint: this endpoint is read-only") from None
                raise QuerySyntaxError(f"the SPARQL store refused the query: {e.detail}") from None
            raise RequestError(502, "SPARQL store error", str(e)) from None
        except RemoteError as e:
            raise RequestError(502, "SPARQL store error", str(e)) from None
        finally:
            self._slots.release()

    async def reload(self, store_path) -> bool:
        """Nothing to reopen: every request goes to the endpoint; see reload_version."""
        return False

    async def reload_version(self, reason: str) -> dict:
        """Serve the endpoint's current stamp as the store version (SIGHUP, POST
        /admin/reload and the periodic check, under the app's reload lock): answers cached
        for the old version are no longer used. Answers as kg.server.admin.reload_store."""
        from kg.server.errors import RequestError

        state = self._app.state
        previous = state.store_version
        try:
            version = await asyncio.get_running_loop().run_in_executor(
                self._threads, _version_of, self.backend)
        except RemoteError as e:
            raise RequestError(502, "SPARQL store error", f"the store version cannot be read: "
                               f"{e}; still serving version {previous}") from None
        changed = version != previous
        if changed:
            state.store_info = replace(state.store_info, version=version)
            state.store_version = version
            self.reloads += 1
            # lookups of the new version are built when first asked (over the network)
            log.info("reload (%s): now serving store version %s (was %s)", reason, version,
                     previous)
        return {"reloaded": changed, "store_version": version, "previous_version": previous}

    async def _watch_stamp(self) -> None:
        from kg.server.errors import RequestError

        while True:
            await asyncio.sleep(self.reload_interval)
            lock = getattr(self._app.state, "reload_lock", None) or asyncio.Lock()
            try:
                async with lock:
                    await self.reload_version("new version detected")
            except RequestError as e:
                log.warning("%s", e.detail)

    async def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
        self._threads.shutdown(wait=False, cancel_futures=True)
        self.backend.close()


# Answers passed through as the store sent them: the client's format, whose rows can be
# counted exactly in the bytes (the row cap holds). Smaller answers (ASK among them) and
# other formats are parsed and written again, as for the embedded store.
PASS_THROUGH = {"json": RESULTS_JSON, "xml": "application/sparql-results+xml",
                "tsv": "text/tab-separated-values", "nt": N_TRIPLES}
PASS_THROUGH_MIN_BYTES = 2048
# Oxigraph's compact JSON: a solution opens with `{"` after `[` or `,` (a term's object
# follows a `:`); a `"` inside a value is escaped, so `{"` cannot occur inside one.
_JSON_COMPACT_HEAD = b'{"head":{"vars":['


def execute_remote(backend: RemoteStore, job: QueryJob) -> QueryResult:
    """kg.sparql.execute for the remote store: the same checks and dataset; the answer
    passes through unchanged when the store gave it in the client's format and its rows
    are counted exactly in the bytes, else it is parsed and serialized as for the
    embedded store (then the row cap holds as there)."""
    check_services(job.query, job.allowed_services)
    kwargs: dict = {"base_iri": job.base_iri} if job.base_iri else {}
    if job.default_graphs or job.named_graphs:  # the protocol's dataset overrides FROM
        from pyoxigraph import NamedNode
        kwargs["default_graph"] = [NamedNode(g) for g in job.default_graphs]
        kwargs["named_graphs"] = [NamedNode(g) for g in job.named_graphs]
    elif not has_dataset_clause(job.query):
        kwargs["use_default_graph_as_union"] = True
    accept = [PASS_THROUGH[n] for n in (job.solutions_format, job.graph_format)
              if n in PASS_THROUGH]
    accept += [f"{RESULTS_JSON};q=0.9", f"{N_TRIPLES};q=0.8"]
    body, media = backend.query_raw(job.query, ", ".join(accept), **kwargs)
    passed = _passed_through(body, media, job)
    if passed is not None:
        return passed
    return serialize_results(backend.parse_answer(body, media), job)


def _passed_through(body: bytes, media: str, job: QueryJob) -> QueryResult | None:
    """The answer as it came, if it is in the client's format and its rows are counted."""
    wanted = {PASS_THROUGH.get(job.solutions_format): job.solutions_format,
              PASS_THROUGH.get(job.graph_format): job.graph_format}
    name = wanted.get(media) if media else None
    if name is None or len(body) < PASS_THROUGH_MIN_BYTES:
        return None
    rows = _rows_in(body, name)
    if rows is None:
        return None
    return counted_result(body, name, "graph" if name == "nt" else "select", rows, job)


def _rows_in(body: bytes, name: str) -> int | None:
    """Solutions or triples in an answer, counted in its bytes; None: not countable so."""
    if name in ("tsv", "nt"):  # one line each (line breaks in values are escaped)
        return body.count(b"\n") - (name == "tsv") if body.endswith(b"\n") else None
    if name == "xml":  # `<` in values is escaped
        return body.count(b"<result>") + body.count(b"<result/>")
    if not body.startswith(_JSON_COMPACT_HEAD) or b"{}" in body:  # pretty or empty solutions
        return None
    return body.count(b'[{"') + body.count(b',{"')


def serve_remote(endpoint: str, store_path: Path | None, host: str = "127.0.0.1",
                 port: int = 8000, **settings) -> None:
    """`kg serve --sparql-endpoint`: the app over the external store, run with uvicorn in
    this process (the remote store does the heavy work; one HTTP process is enough to
    relay it). Raises ValueError when the endpoint cannot be served."""
    import uvicorn

    from kg.server.app import create_app

    app = create_app(store_path, sparql_endpoint=endpoint, **settings)
    cfg = app.state.settings
    uvicorn.run(app, host=host, port=port, log_level="info",
                # as kg.server.app.serve: a long query must reach the endpoint to get its 414
                h11_max_incomplete_event_size=max(64 * 1024, cfg.max_query_length * 9 + 16 * 1024),
                timeout_graceful_shutdown=int(cfg.query_timeout) + 5, server_header=False)
