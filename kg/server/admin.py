"""Administration of a running server: the bearer token, and reloading a new store version.

A new store version (from `kg build`, `kg restore` or an update) is picked up without
downtime in three ways: SIGHUP, `POST /admin/reload` with the token, and a cheap periodic
check of the store's `current` symlink (one readlink every `reload_interval` seconds). The
pool opens the new version in new workers before it retires the old ones, so requests in
flight finish on the version they started on (kg.store keeps the previous version on disk).
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import os
import signal
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from kg.server import routes_api
from kg.server.errors import RequestError
from kg.store import StoreError, store_info

log = logging.getLogger("kg.server")
router = APIRouter()

REALM = 'Bearer realm="policykg"'


def check_token(request: Request, what: str) -> None:
    """Let the request through only with `Authorization: Bearer <the server's token>`."""
    token = request.app.state.settings.token
    if not token:
        raise RequestError(403, "disabled", f"{what} is disabled on this server: start it with "
                           "a token (--token or KG_TOKEN) to enable it")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    # compare_digest: the time taken does not tell how much of a guess was right.
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(),
                                                             token.encode()):
        raise RequestError(401, "unauthorized",
                           f"{what} needs the header Authorization: Bearer <token>"
                           + (" (the token given is wrong)" if given else ""),
                           headers={"WWW-Authenticate": REALM + (', error="invalid_token"'
                                                                 if given else "")})


def current_target(store_path: Path) -> str | None:
    """Where the store's `current` symlink points: one system call, cheap to poll."""
    try:
        return os.readlink(Path(store_path) / "current")
    except OSError:
        return None


async def reload_store(app: FastAPI, reason: str) -> dict:
    """Serve the store's current version if it is not the one served; one reload at a time."""
    state = app.state
    async with state.reload_lock:
        if hasattr(state.pool, "reload_version"):  # an external store: its stamp is the version
            return await state.pool.reload_version(reason)  # (kg.backends.serving)
        try:
            info = store_info(state.store_info.path)
        except StoreError as e:
            raise RequestError(409, "store unusable", f"the store cannot be reloaded: {e}; "
                               f"still serving version {state.store_version}") from None
        previous = state.store_version
        if info.version != previous and state.api_in_use:  # built while new workers start
            routes_api.warm_lookups(app, info)
        try:
            changed = await state.pool.reload(info.version_path)
        except Exception as e:  # the new version does not open: keep serving the old one
            log.error("reload (%s) of version %s failed: %s", reason, info.version, e)
            raise RequestError(409, "reload failed", f"version {info.version} could not be "
                               f"opened ({e}); still serving version {previous}") from None
        if changed:
            state.store_info, state.store_version = info, info.version
            log.info("reload (%s): now serving store version %s (was %s)", reason,
                     info.version, previous)
        state.watched_target = current_target(info.path)
        return {"reloaded": changed, "store_version": state.store_version,
                "previous_version": previous}


async def _watch(app: FastAPI, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        target = current_target(app.state.store_info.path)
        if target is not None and target != app.state.watched_target:
            try:
                await reload_store(app, "new version detected")
            except RequestError as e:
                log.warning("%s", e.detail)
                app.state.watched_target = target  # not again until it changes again


def start_reloading(app: FastAPI) -> list[asyncio.Task]:
    """SIGHUP and the periodic check; returns the tasks to cancel at shutdown."""
    loop = asyncio.get_running_loop()
    app.state.reload_lock = asyncio.Lock()
    app.state.watched_target = current_target(app.state.store_info.path)
    tasks: list[asyncio.Task] = []

    def on_sighup() -> None:
        task = loop.create_task(_reload_quietly(app, "SIGHUP"))
        tasks.append(task)

    try:
        loop.add_signal_handler(signal.SIGHUP, on_sighup)
    except (RuntimeError, ValueError, NotImplementedError):
        pass  # not the main thread (an embedded app) or no SIGHUP: the other ways remain
    interval = app.state.settings.reload_interval
    if interval and interval > 0:
        tasks.append(loop.create_task(_watch(app, interval)))
    return tasks


async def _reload_quietly(app: FastAPI, reason: str) -> None:
    try:
        await reload_store(app, reason)
    except RequestError as e:
        log.warning("%s", e.detail)


@router.post("/admin/reload", tags=["admin"], summary="serve the store's newest version now",
             responses={200: {"description": "the version served"},
                        401: {"description": "no or wrong bearer token"},
                        403: {"description": "the server has no token"},
                        409: {"description": "the new version cannot be opened"}})
async def admin_reload(request: Request) -> JSONResponse:
    """Open the store's current version in new workers and retire the old ones; requests in
    flight finish on the old version. Needs `Authorization: Bearer <token>`."""
    check_token(request, "the admin route")
    return JSONResponse(await reload_store(request.app, "admin route"))


class HideQueryStrings(logging.Filter):
    """Access log lines show the path only: a GET query (and anything else in the URL) is a
    user's data and stays out of the log; errors are logged without query text as well."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = args[:2] + (args[2].split("?", 1)[0] + "?…",) + args[3:]
        return True


def configure_logging() -> None:
    """Query strings out of the access log; the server's own messages (reloads, refusals)
    through uvicorn's error log handlers when nothing else was configured."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, HideQueryStrings) for f in access.filters):
        access.addFilter(HideQueryStrings())
    if not log.handlers and not logging.getLogger().handlers:
        for handler in logging.getLogger("uvicorn").handlers:  # uvicorn.error propagates to it
            log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
