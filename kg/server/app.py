"""The web application: wires settings, the query worker pool, the result cache and the routes.

`create_app(store_path, **settings)` builds the FastAPI app over one store version (resolved
once at start); `serve(store_path, host, port, **settings)` runs it with uvicorn or granian (`kg serve`),
in `http_processes` processes on one port when asked (each with its own query workers,
result cache and reload watcher). Routes live in one module per concern (sparql_route,
pages); the raw ASGI layer in front of routing in fastpath.py; errors in errors.py.
"""
from __future__ import annotations

import json
import os
from contextlib import asynccontextmanager
from dataclasses import asdict
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from kg.server import admin, offload, pages, routes_analysis, sparql_route, update
from kg.server import routes_api, routes_ld
from kg.server.cache import ResultCache
from kg.server.fastpath import ApiResponses, FastPath
from kg.server.local_queries import LocalQueries
from kg.server.errors import install_error_handlers
from kg.server.pool import QueryPool
from kg.server.settings import Settings
from kg.store import store_info

API_DESCRIPTION = (
    "Knowledge graphs of Chinese government planning reports. The SPARQL 1.1 endpoint is "
    "/sparql (its default graph is the merge of all graphs); the query page is /sparql in a "
    "browser. Errors are JSON objects {\"error\": ..., \"detail\": ...}."
)


def create_app(store_path: Path, sparql_endpoint: str | None = None, **settings) -> FastAPI:
    """The app serving the current version of the store at store_path (read-only), or the
    external SPARQL store at `sparql_endpoint` (then store_path is not read)."""
    cfg = Settings.from_kwargs(**settings)
    if sparql_endpoint:  # an external store: kg.backends.serving owns this branch
        from kg.backends.serving import remote_service
        info, pool = remote_service(sparql_endpoint, store_path, cfg)
    else:
        info = store_info(Path(store_path))  # a missing or foreign store fails here, clearly
        pool = QueryPool(info.version_path, workers=cfg.workers, timeout=cfg.query_timeout,
                         memory_limit=cfg.query_memory_mb() * 2**20,
                         queue_timeout=cfg.queue_timeout, heavy_workers=cfg.heavy_workers,
                         queue_length=cfg.queue_length,
                         heavy_queue_length=cfg.heavy_queue_length)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if cfg.warm_at_start:  # in a thread, while the query workers start
            routes_api.warm_lookups(app, info)
        await pool.start()
        reloading = admin.start_reloading(app)  # SIGHUP and new-version checks
        admin.configure_logging()
        try:
            yield
        finally:
            for task in reloading:
                task.cancel()
            await pool.close()

    app = FastAPI(title="policykg", version="0.1.0", description=API_DESCRIPTION,
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.settings = cfg
    app.state.store_info = info
    app.state.store_version = info.version
    app.state.pool = pool
    app.state.cache = ResultCache(cfg.cache_bytes, cfg.cache_entry_bytes)
    app.state.api_responses = ApiResponses()
    app.state.api_in_use = cfg.warm_at_start  # then a reload warms the new version too
    app.state.local_queries = LocalQueries(cfg.local_query_rows)
    analyses = offload.configure(info, cfg)  # whole-graph analyses in child processes
    if sparql_endpoint:
        pool.attach(app)  # remote failures as 502/504; a new build stamp is a new version

    install_error_handlers(app)
    app.add_middleware(FastPath)  # first, so CORS (if any) still wraps it
    if cfg.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cfg.cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["Accept", "Content-Type"])
    app.include_router(sparql_route.router)
    app.include_router(pages.router)
    app.include_router(admin.router)
    app.include_router(update.router)
    app.include_router(routes_analysis.router)
    app.include_router(routes_api.router)  # /api lookups
    app.include_router(routes_ld.router)  # /id pages
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")

    @app.get("/health", tags=["service"], summary="liveness and the store version served")
    async def health() -> dict:
        return {"status": "ok", "store_version": app.state.store_version,
                "workers": pool.size, "workers_replaced": pool.kills, "reloads": pool.reloads,
                "pool": pool.stats() if hasattr(pool, "stats") else {},  # admission, recycling
                "cache": {"hits": app.state.cache.hits, "misses": app.state.cache.misses},
                "local_queries": {"answered": app.state.local_queries.answered,
                                  "passed_on": app.state.local_queries.passed_on,
                                  "max_rows": app.state.local_queries.max_rows},
                "serving": {"http_server": cfg.http_server,
                            "http_processes": cfg.http_processes,
                            "warm_at_start": cfg.warm_at_start,
                            "query_timeout": cfg.query_timeout},
                "analyses": analyses.stats(),
                "api_cache": {"hits": app.state.api_responses.hits,
                              "misses": app.state.api_responses.misses},
                "process": os.getpid()}

    return app


SERVE_ENV = "KG_SERVE_CONFIG"  # how `serve` hands store and settings to its HTTP processes


def serve(store_path: Path, host: str = "127.0.0.1", port: int = 8000, **settings) -> None:
    """Run the server until interrupted; in-flight requests finish on shutdown.

    With http_processes > 1, a supervisor runs that many processes on one listening socket
    (both cores parse HTTP); SIGHUP to it restarts them one by one on the store's current
    version, SIGTERM/SIGINT shut them down gracefully. http_server picks uvicorn or granian.
    """
    cfg = Settings.from_kwargs(**settings)  # wrong settings fail here, in this process
    store_info(Path(store_path))
    # A query too long for a URL must reach the endpoint to get its 414 and message, not
    # die in the HTTP parser: percent-encoded CJK text is up to 9 bytes per character.
    max_head = max(64 * 1024, cfg.max_query_length * 9 + 16 * 1024)
    grace = int(cfg.query_timeout) + 5  # the longest query may finish on shutdown
    if cfg.http_server == "granian":
        _serve_granian(store_path, host, port, cfg, max_head, grace)
        return
    import uvicorn

    options = dict(host=host, port=port, log_level="info", h11_max_incomplete_event_size=max_head,
                   timeout_graceful_shutdown=grace, server_header=False)
    if cfg.http_processes <= 1:
        uvicorn.run(create_app(store_path, **settings), **options)
        return
    _settings_to_environment(store_path, cfg)
    uvicorn.run("kg.server.app:app_from_environment", factory=True,
                workers=cfg.http_processes, **options)


def _serve_granian(store_path: Path, host: str, port: int, cfg: Settings, max_head: int,
                   grace: int) -> None:
    """Granian's Rust HTTP/1.1 server in front of the same ASGI app: its supervisor always
    runs the app in worker processes (http_processes of them), which it respawns on SIGHUP."""
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.http import HTTP1Settings

    _settings_to_environment(store_path, cfg)
    Granian("kg.server.app:app_from_environment", factory=True, address=host, port=port,
            interface=Interfaces.ASGI, workers=cfg.http_processes, loop=Loops.auto,
            http=HTTPModes.http1, websockets=False,
            http1_settings=HTTP1Settings(max_buffer_size=max_head),
            workers_kill_timeout=grace, log_level="info").serve()


def _settings_to_environment(store_path: Path, cfg: Settings) -> None:
    # Server processes start afresh (spawn) from an import string: the store and the
    # settings travel in the environment (the token too: /proc/PID/environ is private).
    os.environ[SERVE_ENV] = json.dumps({"store": str(store_path), "settings": asdict(cfg)},
                                       default=str)


def app_from_environment() -> FastAPI:
    """create_app for one of serve's HTTP processes (from the SERVE_ENV variable)."""
    given = json.loads(os.environ[SERVE_ENV])
    return create_app(Path(given["store"]), **given["settings"])
