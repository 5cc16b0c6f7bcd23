"""`kg serve --sparql-endpoint URL`: the server's query pool and store version for a remote store.

kg/server/app.py takes this branch when an endpoint is given; everything else of the server
(routes, caches, lookups, analyses) runs unchanged on the RemoteStore, which stands where
the embedded store's version directory stands (`info.version_path`, see
kg.backends.open_version).

- RemotePool has the QueryPool interface but no worker processes: the remote engine runs the
  query (its own limits apply; ours is the HTTP timeout), a thread waits for the answer and
  serializes it with kg.sparql.execute, which also refuses SERVICE calls as for the embedded
  store (the remote store is the user's own; the server makes it fetch nothing).
- The store version is the stamp a build leaves on the endpoint (kg.backends.sync); the pool
  checks it every `reload_interval` seconds and, when it changed, the server serves a new
  version: cached answers of the old one are no longer used.
- Failures of the remote become 502 (refused or unreachable) or 504 (timed out) answers with
  the endpoint's message, never a traceback.
"""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from kg.backends.remote import RemoteError, RemoteRefused, RemoteStore, RemoteTimeout
from kg.sparql import QueryJob, QueryResult, QuerySyntaxError, UpdateNotAllowed, execute, is_update

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
                self._threads, execute, self.backend, job)
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
        """Nothing to reopen: every request goes to the endpoint; see _watch_stamp."""
        return False

    async def _watch_stamp(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.reload_interval)
            try:
                version = await loop.run_in_executor(self._threads, _version_of, self.backend)
            except RemoteError as e:
                log.warning("cannot check the SPARQL store's version: %s", e)
                continue
            state = self._app.state
            if version != state.store_version:
                log.info("the SPARQL store has a new version %s (was %s)", version,
                         state.store_version)
                state.store_info = replace(state.store_info, version=version)
                state.store_version = version
                self.reloads += 1

    async def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
        self._threads.shutdown(wait=False, cancel_futures=True)
        self.backend.close()


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
