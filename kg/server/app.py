"""The web application: wires settings, the query worker pool, the result cache and the routes.

`create_app(store_path, **settings)` builds the FastAPI app over one store version (resolved
once at start); `serve(store_path, host, port, **settings)` runs it with uvicorn (`kg serve`).
Routes live in one module per concern (sparql_route, pages); errors in errors.py.
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from kg.server import admin, pages, routes_analysis, sparql_route, update
from kg.server import routes_api, routes_ld
from kg.server.cache import CachedGetFastPath, ResultCache
from kg.server.errors import install_error_handlers
from kg.server.pool import QueryPool
from kg.server.settings import Settings
from kg.store import store_info

API_DESCRIPTION = (
    "Knowledge graphs of Chinese government planning reports. The SPARQL 1.1 endpoint is "
    "/sparql (its default graph is the union of all graphs); the query page is /sparql in a "
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
                         memory_limit=cfg.memory_limit_mb * 2**20 if cfg.memory_limit_mb else None,
                         queue_timeout=cfg.queue_timeout)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
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
    if sparql_endpoint:
        pool.attach(app)  # remote failures as 502/504; a new build stamp is a new version

    install_error_handlers(app)
    app.add_middleware(CachedGetFastPath)  # first, so CORS (if any) still wraps it
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
                "cache": {"hits": app.state.cache.hits, "misses": app.state.cache.misses}}

    return app


def serve(store_path: Path, host: str = "127.0.0.1", port: int = 8000, **settings) -> None:
    """Run the server until interrupted; in-flight requests finish on shutdown."""
    import uvicorn

    app = create_app(store_path, **settings)
    cfg: Settings = app.state.settings
    uvicorn.run(
        app, host=host, port=port, log_level="info",
        # A query too long for a URL must reach the endpoint to get its 414 and message, not
        # die in the HTTP parser: percent-encoded CJK text is up to 9 bytes per character.
        h11_max_incomplete_event_size=max(64 * 1024, cfg.max_query_length * 9 + 16 * 1024),
        timeout_graceful_shutdown=int(cfg.query_timeout) + 5,
        server_header=False,
    )
