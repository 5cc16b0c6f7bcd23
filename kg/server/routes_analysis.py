"""HTTP routes of the analyses and exports: a thin shell over files computed elsewhere.

    /api/analysis/linkage | plan-actual | discrepancies | centrality | communities |
                  components | paths       JSON twins of the `kg analyze` report sections
    /api/export/{format}?view=&entity=     the `kg export` files
    /graph?view=&entity=                   the interactive graph page

Each answer is a file a child process wrote for the store version served
(kg.server.offload, kg.server.analysis_jobs), sent as it is; `?top=` and `?members=` slice
a small file computed for their largest value. The server holds no graph. Routes are plain
`def`s: FastAPI runs each in a worker thread, which waits there for a child when the file
is not written yet. Included by kg/server/app.py with `app.include_router(router)`.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from kg.server import analysis_jobs as jobs
from kg.server.fastpath import API_ENTRY_BYTES
from kg.server.offload import runner_for

router = APIRouter(tags=["analysis"])

# What a start or a reload computes ahead (for a small store): the routes' default answers.
DEFAULT_JOBS = ("linkage", "plan-actual", "discrepancies", "centrality", "communities",
                "components")
SMALL_FILE = 4 * 2**20  # parsed results kept in memory, for slicing, up to this size each
SMALL_FILES_KEPT = 8
_small: OrderedDict[Path, object] = OrderedDict()
_small_lock = threading.Lock()


def warm_analyses(info) -> None:
    """Compute the default analyses of a version ahead, in child processes, when the store is
    small; remove the results of versions no longer kept (called at start and reload)."""
    runner_for(info).warm(info, DEFAULT_JOBS)


def _result(request: Request, job: str, **params) -> Path:
    info = request.app.state.store_info
    return runner_for(info).result(info, job, **params)


def _file(path: Path, media_type: str, filename: str | None = None) -> Response:
    """A result file: read into one body when small, so kg.server.fastpath keeps the answer
    for the next ask (a dashboard's repeated asks are answered from memory, not from the
    file); streamed when larger."""
    headers = {"Content-Disposition": f'inline; filename="{filename}"'} if filename else None
    if path.stat().st_size <= API_ENTRY_BYTES:
        return Response(path.read_bytes(), media_type=media_type, headers=headers)
    return FileResponse(path, media_type=media_type, headers=headers)


def _json_file(path: Path) -> Response:
    return _file(path, "application/json")


def _small_json(path: Path):
    """A small result file, parsed once (a result file never changes)."""
    with _small_lock:
        if path in _small:
            _small.move_to_end(path)
            return _small[path]
    value = json.loads(path.read_bytes())
    if path.stat().st_size <= SMALL_FILE:
        with _small_lock:
            _small[path] = value
            while len(_small) > SMALL_FILES_KEPT:
                _small.popitem(last=False)
    return value


def _entity(ref: str) -> str:
    from kg.analysis.graph import resolve_entity

    try:
        return resolve_entity(ref)
    except ValueError as e:
        raise HTTPException(400, str(e)) from e


@router.get("/api/analysis/linkage", summary="policy → project linkage: coverage, orphans, per strategy")
def linkage(request: Request, strategy: str | None = Query(None, description="IRI or strategy/key: only this strategy, with its link paths"),
            links: bool = Query(False, description="include every link with its path and evidence")) -> Response:
    iri = _entity(strategy) if strategy else None
    found = _result(request, "linkage")
    if iri is None:
        return _json_file(found / (jobs.LINKAGE_FULL if links else jobs.LINKAGE_SUMMARY))
    one = found / jobs.strategy_file(iri)
    if not one.is_file():  # a strategy no report links
        return JSONResponse({"strategy": iri, "coverage": None, "links": []})
    return _json_file(one)


@router.get("/api/analysis/plan-actual", summary="targets joined with observations: met, missed, no data")
def plan_actual(request: Request) -> Response:
    return _json_file(_result(request, "plan-actual") / jobs.RESULT)


@router.get("/api/analysis/discrepancies", summary="same indicator, year and subject, different values")
def discrepancies(request: Request) -> Response:
    return _json_file(_result(request, "discrepancies") / jobs.RESULT)


@router.get("/api/analysis/centrality", summary="degree, betweenness and PageRank per entity type")
def centrality(request: Request, top: int = Query(10, ge=1, le=jobs.MOST_CENTRAL)) -> dict:
    scores = _small_json(_result(request, "centrality") / jobs.RESULT)
    return {t: rows[:top] for t, rows in scores.items()}


@router.get("/api/analysis/communities", summary="thematic clusters named by their most central members")
def communities(request: Request) -> Response:
    return _json_file(_result(request, "communities") / jobs.RESULT)


@router.get("/api/analysis/components", summary="connected components of the stated-link graph")
def components(request: Request, members: int = Query(20, ge=0, le=jobs.MOST_MEMBERS)) -> dict:
    found = _small_json(_result(request, "components") / jobs.RESULT)
    return {"count": found["count"], "components": [
        {**c, "members": c["members"][:members]} for c in found["components"]]}


@router.get("/api/analysis/paths", summary="shortest paths between two entities, with evidence per step")
def paths(request: Request, source: str = Query(..., description="IRI or type/key"),
          target: str = Query(..., description="IRI or type/key"),
          max_length: int = Query(4, ge=1, le=8), limit: int = Query(10, ge=1, le=100)) -> Response:
    s, t = _entity(source), _entity(target)
    return _json_file(_result(request, "paths", source=s, target=t, max_length=max_length,
                              limit=limit) / jobs.RESULT)


def _export(request: Request, fmt: str, view: str, entity: str | None, radius: int) -> Path:
    """The file of one export; RDF formats are the whole dataset whatever the view."""
    from kg.analysis import VIEWS
    from kg.export import format_of

    f = format_of(fmt)
    if f.kind == "rdf":
        return _result(request, "export", fmt=f.name) / jobs.EXPORT_BODY
    if view not in VIEWS:
        raise HTTPException(400, f"unknown view {view!r}; one of {', '.join(VIEWS)}")
    if view != "neighbourhood":
        return _result(request, "export", fmt=f.name, view=view) / jobs.EXPORT_BODY
    if not entity:
        raise HTTPException(400, "the neighbourhood view needs an entity: entity=type/key or an IRI")
    return _result(request, "export", fmt=f.name, view=view, entity=_entity(entity),
                   radius=radius) / jobs.EXPORT_BODY


@router.get("/api/export/{fmt}", summary="the graph as a file: graphml gexf cytoscape dot csv html ttl trig nq jsonld")
def export_file(request: Request, fmt: str, view: str = "full", entity: str | None = None,
                radius: int = Query(1, ge=1, le=4)) -> Response:
    from kg.export import format_of

    try:
        f = format_of(fmt)
    except ValueError as e:
        raise HTTPException(404, str(e)) from e
    return _file(_export(request, f.name, view, entity, radius), f.media_type,
                 filename=f"policykg-{view}{f.suffix}")


@router.get("/graph", response_class=HTMLResponse, summary="the interactive graph view")
def graph_page(request: Request, view: str = "full", entity: str | None = None,
               radius: int = Query(1, ge=1, le=4)) -> Response:
    from kg.export import format_of

    return _file(_export(request, "html", view, entity, radius), format_of("html").media_type)
