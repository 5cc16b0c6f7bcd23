"""The JSON lookups over HTTP: a thin shell over kg.lookup and kg.analysis.

    /api/search?q=&type=&limit=&offset=                   entities by label or alias
    /api/entities/{type}/{key}                            the entity card, with mentions
    /api/entities/{type}/{key}/relations?direction=&predicate=
    /api/paths?source={type}/{key}&target={type}/{key}&max_length=
    /api/strategies/{key}/projects                        stated and carried links, with evidence
    /api/targets?year=&indicator=&place=&document=        figures and their plan/actual pairs

Lists are paged by limit/offset and carry a `next` link (null on the last page). Failures
are {"error": ..., "detail": ...}: 400 for bad parameters, 404 for unknown entities.

The store is opened read-only once per server process and shared by request threads; each
lookup runs and consumes its queries in one thread (pyoxigraph iterators must not cross
threads). A store version never changes, so answers are cached per version: a repeated
lookup is a dictionary read on the event loop, without a thread hop.
"""
from __future__ import annotations

import logging
import subprocess
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from urllib.parse import unquote

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pyoxigraph import Store
from starlette.concurrency import run_in_threadpool

from kg import lookup
from kg.backends import open_version
from kg.index import LookupIndex, index_path, is_index, open_index
from kg.server.errors import RequestError, request_error
from kg.server.limits import child_env
from kg.server.pool import QueryPool
from kg.server.pooled import PooledStore
from kg.sparql import SparqlError
from kg.vocab import entity_iri, iri_key

router = APIRouter(tags=["lookups"])
log = logging.getLogger("kg.server")

# answers kept per server process, before rendering (the encoded responses have their own
# cache, bounded in bytes: kg.server.fastpath.ApiResponses); an entity card can be 100 KB
CACHE_ENTRIES = 512
INDEX_WAIT = 20.0  # seconds a lookup waits for the version's lookup index to be built
MAX_LIMIT = 1000


class Lookups:
    """The read-only store of one version, its lookup index, and cached answers."""

    def __init__(self, info, pool: QueryPool | None = None):
        self.version = info.version
        # the version opened in this process (embedded, or a remote store: kg.backends); the
        # lookup index is built from it by streaming queries (kg.index)
        self._version_path = info.version_path
        self._own_store = open_version(info.version_path)
        # what lookups query: the query workers, under their time and memory limits
        self.store = (PooledStore(self._own_store, pool) if pool is not None
                      and isinstance(self._own_store, Store) else self._own_store)
        self._index_file = index_path(info.path, info.version)
        self._answers: OrderedDict[tuple, tuple[bool, object]] = OrderedDict()
        self._lock = threading.Lock()
        self._index: Future | None = None  # of the LookupIndex, set by one building thread
        self._index_lock = threading.Lock()

    def index(self, wait: float | None = INDEX_WAIT) -> LookupIndex:
        """The version's lookup index (kg.index), from disk. When no server built it before,
        one background thread builds it (minutes on 10,000 reports) and lookups wait for it
        `wait` seconds at most (None: until it is built), then answer 503 with Retry-After
        rather than hold a thread. A failed build is said, and the next ask tries again."""
        with self._index_lock:
            if self._index is None or (self._index.done() and self._index.exception()):
                self._index = Future()
                threading.Thread(target=self._build_index, args=(self._index,), daemon=True,
                                 name=f"kg-index-{self.version}").start()
            building = self._index
        try:
            return building.result(timeout=wait)
        except FutureTimeout:
            raise RequestError(503, "lookup index not ready",
                               f"the lookup index of store version {self.version} is being "
                               "built; ask again shortly", {"Retry-After": "10"}) from None
        except Exception as e:
            raise RequestError(503, "lookup index failed",
                               f"the lookup index of store version {self.version} could not "
                               f"be built: {e}", {"Retry-After": "10"}) from None

    def _build_index(self, building: Future) -> None:
        try:
            if isinstance(self._own_store, Store):  # in a process that ends when it is built
                _build_index_file(self._version_path, self._index_file)
                building.set_result(LookupIndex(self._index_file))
            else:  # a remote store: its queries stream over HTTP, from here
                building.set_result(open_index(self._own_store, self._index_file))
        except Exception as e:
            log.warning("the lookup index of version %s failed: %s", self.version, e)
            building.set_exception(e)

    async def answer(self, key: tuple, compute: Callable[[], object]):
        """compute() in a worker thread, once per key; lookup errors become HTTP errors."""
        with self._lock:
            hit = self._answers.get(key)
            if hit is not None:
                self._answers.move_to_end(key)
        if hit is None:
            try:
                hit = (True, await run_in_threadpool(compute))
            except (lookup.NotFound, lookup.BadRequest) as e:
                hit = (False, e)  # unknown keys are asked again and again: remember them too
            except SparqlError as e:  # a limit of the query workers: said, not remembered
                raise request_error(e) from None
            with self._lock:
                self._answers[key] = hit
                while len(self._answers) > CACHE_ENTRIES:
                    self._answers.popitem(last=False)
        ok, value = hit
        if ok:
            return value
        if isinstance(value, lookup.NotFound):
            raise RequestError(404, "not found", str(value))
        raise RequestError(400, "bad request", str(value))


def _build_index_file(version_path: Path, index_file: Path) -> None:
    """`python -m kg.index`: the lookup index of a version built by a process of its own, so
    what building it takes (minutes and a few hundred MiB on 10,000 reports) is returned to
    the system when it is done, and the GIL stays the requests'."""
    if is_index(index_file):
        return
    proc = subprocess.run([sys.executable, "-m", "kg.index", str(version_path), str(index_file)],
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, env=child_env())
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        raise RuntimeError(f"building {index_file} failed: {last}")


_init_lock = threading.Lock()
KEPT_VERSIONS = 2  # the version served and the one a reload is switching to


def _lookups_of(app, info) -> tuple[Lookups, bool]:
    """The Lookups of one store version, and whether they were made just now."""
    kept = _kept(app)
    found = kept.get(info.version)
    if found is not None:
        return found, False
    with _init_lock:
        found = kept.get(info.version)
        if found is not None:
            return found, False
        pool = getattr(app.state, "pool", None)
        found = kept[info.version] = Lookups(info, pool if isinstance(pool, QueryPool) else None)
        for old in list(kept)[:-KEPT_VERSIONS]:
            del kept[old]
        return found, True


def _kept(app) -> dict[str, Lookups]:
    with _init_lock:
        if not hasattr(app.state, "lookups_by_version"):
            app.state.lookups_by_version = {}
    return app.state.lookups_by_version


def lookups(request: Request) -> Lookups:
    """The Lookups of the store version the app serves now (a reload swaps in a new one;
    requests in flight keep the old one until they finish)."""
    return _lookups_of(request.app, request.app.state.store_info)[0]


def warm_lookups(app, info) -> None:
    """Open the lookups of a store version and build, in a background thread, what lookups
    and analyses derive from it (the lookup index when no server built it before, the
    default analyses), so the first asks do not each pay for it, nor hold up the requests
    behind them. Requests arriving meanwhile wait only for the part they need (built once)."""
    try:
        found, made = _lookups_of(app, info)
    except (OSError, RuntimeError) as e:  # a version that does not open: the reload says so
        log.warning("the lookups of version %s cannot be opened: %s", info.version, e)
        return
    if made or not getattr(found, "warming", False):
        found.warming = True
        threading.Thread(target=_warm, args=(found, info), name="kg-lookups-warm",
                         daemon=True).start()


def _warm(lk: Lookups, info) -> None:
    from kg.server.routes_analysis import warm_analyses
    try:
        lk.index(wait=None)
        warm_analyses(info)
    except Exception as e:  # warming is an optimisation: the first request builds it instead
        log.warning("warming the lookups of version %s failed: %s", lk.version, e)


def path_key(key: str) -> str:
    """The IRI key of a key taken from a URL path or parameter, written as a name (港珠澳大桥)
    or as in an IRI (%-escapes of unsafe characters, or a fully %-encoded form)."""
    return iri_key(unquote(key.strip()))


def checked_type(type_: str) -> str:
    try:
        return lookup.check_type(type_)
    except lookup.BadRequest as e:
        raise RequestError(400, "bad request", str(e)) from None


def page(request: Request, items: list, limit: int, offset: int, **extra) -> JSONResponse:
    """A page of `items` (fetched with one extra to know whether more follow)."""
    more = len(items) > limit
    items = items[:limit]
    nxt = str(request.url.include_query_params(limit=limit, offset=offset + limit)) if more else None
    # JSONResponse directly: json.dumps of the cached values, no jsonable_encoder walk
    return JSONResponse({**extra, "items": items, "count": len(items), "limit": limit,
                         "offset": offset, "next": nxt})


Limit = Query(20, ge=1, le=MAX_LIMIT, description="items per page")
Offset = Query(0, ge=0, le=10_000_000, description="items to skip")


@router.get("/api/search", summary="entities whose label or alias contains q")
async def search(request: Request,
                 q: str = Query(..., min_length=1, max_length=200, description="text to find"),
                 type: str | None = Query(None, description="project, strategy, place, ..."),
                 limit: int = Limit, offset: int = Offset) -> JSONResponse:
    if type:
        checked_type(type)
    lk = lookups(request)
    items = await lk.answer(("search", q.strip(), type, limit, offset), lambda: lookup.search(
        lk.store, q, type, limit + 1, offset, index=lk.index()))
    return page(request, items, limit, offset, q=q, type=type)


@router.get("/api/entities/{type}/{key:path}/relations", summary="neighbours by relation, with evidence")
async def entity_relations(request: Request, type: str, key: str,
                           direction: str = Query("both", pattern="^(both|in|out)$"),
                           predicate: str | None = Query(None, max_length=500,
                                                         description="kgo local name or IRI"),
                           limit: int = Query(100, ge=1, le=MAX_LIMIT), offset: int = Offset) -> JSONResponse:
    checked_type(type)
    lk, k = lookups(request), path_key(key)
    items = await lk.answer(("relations", type, k, direction, predicate, limit, offset),
                            lambda: lookup.relations(lk.store, type, k, direction, predicate,
                                                     limit + 1, offset))
    return page(request, items, limit, offset, entity=entity_iri(type, k).value,
                direction=direction, predicate=predicate)


@router.get("/api/entities/{type}/{key:path}", summary="labels, aliases, types, properties, mentions")
async def entity_card(request: Request, type: str, key: str) -> JSONResponse:
    checked_type(type)
    lk, k = lookups(request), path_key(key)
    return JSONResponse(await lk.answer(("entity", type, k), lambda: lookup.entity(lk.store, type, k)))


def entity_ref(value: str, name: str) -> str:
    """The IRI of a `type/key` (or IRI) parameter; 400 when it is neither. A key may be
    written as a name or %-encoded as in an IRI."""
    type_, sep, key = value.partition("/")
    if sep and not value.startswith(("http://", "https://")):
        value = f"{type_}/{unquote(key.strip())}"
    try:
        return lookup.resolve_ref(value, name)
    except lookup.BadRequest as e:
        raise RequestError(400, "bad request", str(e)) from None


def _paths(lk: Lookups, source: str, target: str, max_length: int, limit: int) -> dict:
    return lookup.paths(lk.store, source, target, max_length, limit, index=lk.index())


@router.get("/api/paths", summary="shortest paths between two entities, with the relation and evidence of each step")
async def paths(request: Request,
                source: str = Query(..., max_length=1000, description="type/key or IRI"),
                target: str = Query(..., max_length=1000, description="type/key or IRI"),
                max_length: int = Query(4, ge=1, le=8, description="steps at most"),
                limit: int = Query(10, ge=1, le=100, description="paths at most")) -> JSONResponse:
    s, t = entity_ref(source, "source"), entity_ref(target, "target")
    lk = lookups(request)
    return JSONResponse(await lk.answer(("paths", s, t, max_length, limit),
                                        lambda: _paths(lk, s, t, max_length, limit)))


@router.get("/api/strategies/{key:path}/projects", summary="projects a strategy reaches, stated or through headings and 专栏, with evidence")
async def strategy_projects(request: Request, key: str, limit: int = Query(100, ge=1, le=MAX_LIMIT),
                            offset: int = Offset) -> JSONResponse:
    lk, k = lookups(request), path_key(key)
    found, total = await lk.answer(("strategy-projects", k, limit, offset),
                                   lambda: lookup.strategy_projects(lk.store, k, limit + 1, offset,
                                                                    index=lk.index()))
    iri = entity_iri("strategy", k).value
    return page(request, found, limit, offset,
                strategy=lookup.entity_ref(iri, lk.index().labels([iri]).get(iri)), total=total)


@router.get("/api/targets", summary="targets and observations, with plan/actual pairs")
async def targets(request: Request,
                  year: int | None = Query(None, ge=1900, le=2200),
                  indicator: str | None = Query(None, max_length=200, description="label contains"),
                  place: str | None = Query(None, max_length=200, description="place label contains"),
                  document: str | None = Query(None, max_length=200, description="doc key or file name"),
                  limit: int = Query(200, ge=1, le=MAX_LIMIT), offset: int = Offset) -> JSONResponse:
    lk = lookups(request)
    found = await lk.answer(("targets", year, indicator, place, document, limit, offset),
                            lambda: lookup.targets(lk.store, year, indicator, place, document,
                                                   limit + 1, offset))
    items = found["items"]
    shown = {it["iri"] for it in items[:limit]}
    # pairs among the figures of this page (figures are ordered by indicator, then year)
    pairs = [p for p in found["pairs"] if p["target"]["iri"] in shown
             and p["observation"]["iri"] in shown]
    return page(request, items, limit, offset, pairs=pairs)
