"""HTTP routes of the analyses and exports: a thin shell over kg.analysis and kg.export.

    /api/analysis/linkage | plan-actual | discrepancies | centrality | communities |
                  components | paths       JSON twins of the `kg analyze` report sections
    /api/export/{format}?view=&entity=     the `kg export` files
    /graph?view=&entity=                   the interactive graph page

Included by kg/server/app.py with `app.include_router(routes_analysis.router)`. Routes are
plain `def`s: FastAPI runs each in a worker thread, which opens the store read-only and
runs and consumes its queries in that same thread. Results are cached per store version.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from threading import Lock

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pyoxigraph import Store

from kg.backends import open_version

router = APIRouter(tags=["analysis"])

CACHE_ENTRIES = 32
_cache: OrderedDict[tuple, object] = OrderedDict()
_cache_lock = Lock()


def _cached(request: Request, key: tuple, compute: Callable[[Store], object]):
    """compute(store) once per store version and key."""
    return cached_for(request.app.state.store_info, key, compute)


def cached_for(info, key: tuple, compute: Callable[[Store], object]):
    """compute(store) once per store version (info: kg.store.StoreInfo) and key."""
    full_key = (info.version,) + key
    with _cache_lock:
        if full_key in _cache:
            _cache.move_to_end(full_key)
            return _cache[full_key]
    try:
        value = compute(open_version(info.version_path))  # embedded or remote (kg.backends)
    except KeyError as e:
        raise HTTPException(404, e.args[0] if e.args else str(e)) from e
    except ValueError as e:
        raise HTTPException(400, str(e)) from e
    with _cache_lock:
        _cache[full_key] = value
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
    return value


def warm_analyses(info) -> None:
    """Compute the analyses the routes answer by default (in the calling thread), so the
    first ask does not hold other requests up behind a computation of seconds."""
    from kg.analysis.linkage import linkage_report
    from kg.analysis.plan_actual import discrepancies, plan_vs_actual
    from kg.analysis.structure import centrality, communities, components
    from kg.analysis.views import entity_graph

    cached_for(info, ("linkage",), lambda st: linkage_report(st).to_dict())
    cached_for(info, ("plan-actual",), lambda st: [a.to_dict() for a in plan_vs_actual(st)])
    cached_for(info, ("discrepancies",), lambda st: [d.to_dict() for d in discrepancies(st)])
    graph = cached_for(info, ("structure-graph",), _structure_graph)
    cached_for(info, ("centrality", 10), lambda st: {
        t: [s.to_dict() for s in rows] for t, rows in centrality(graph, 10).items()})
    cached_for(info, ("communities",), lambda st: [c.to_dict(graph) for c in communities(graph)])
    cached_for(info, ("components",), lambda st: components(entity_graph(st)))


@router.get("/api/analysis/linkage", summary="policy → project linkage: coverage, orphans, per strategy")
def linkage(request: Request, strategy: str | None = Query(None, description="IRI or strategy/key: only this strategy, with its link paths"),
            links: bool = Query(False, description="include every link with its path and evidence")) -> dict:
    from kg.analysis.graph import resolve_entity
    from kg.analysis.linkage import linkage_report

    data = _cached(request, ("linkage",), lambda st: linkage_report(st).to_dict())
    if strategy:
        try:
            iri = resolve_entity(strategy)
        except ValueError as e:
            raise HTTPException(400, str(e)) from e
        rows = [s for s in data["strategies"] if s["strategy"] == iri]
        return {"strategy": iri, "coverage": rows[0] if rows else None,
                "links": [l for l in data["links"] if l["strategy"] == iri]}
    return data if links else {k: v for k, v in data.items() if k != "links"}


@router.get("/api/analysis/plan-actual", summary="targets joined with observations: met, missed, no data")
def plan_actual(request: Request) -> dict:
    from kg.analysis.plan_actual import plan_vs_actual

    rows = _cached(request, ("plan-actual",), lambda st: [a.to_dict() for a in plan_vs_actual(st)])
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return {"status": counts, "attainment": rows}


@router.get("/api/analysis/discrepancies", summary="same indicator, year and subject, different values")
def discrepancies(request: Request) -> dict:
    from kg.analysis.plan_actual import discrepancies as find

    return {"discrepancies": _cached(request, ("discrepancies",), lambda st: [d.to_dict() for d in find(st)])}


def _structure_graph(st: Store):
    from kg.analysis.views import entity_graph
    return entity_graph(st, co_mentions=True)


@router.get("/api/analysis/centrality", summary="degree, betweenness and PageRank per entity type")
def centrality(request: Request, top: int = Query(10, ge=1, le=1000)) -> dict:
    from kg.analysis.structure import centrality as measure

    return _cached(request, ("centrality", top), lambda st: {
        t: [s.to_dict() for s in rows] for t, rows in measure(_structure_graph(st), top).items()})


@router.get("/api/analysis/communities", summary="thematic clusters named by their most central members")
def communities(request: Request) -> dict:
    from kg.analysis.structure import communities as find

    def compute(st):
        g = _structure_graph(st)
        return [c.to_dict(g) for c in find(g)]
    return {"communities": _cached(request, ("communities",), compute)}


@router.get("/api/analysis/components", summary="connected components of the stated-link graph")
def components(request: Request, members: int = Query(20, ge=0, le=10000)) -> dict:
    from kg.analysis.structure import components as find
    from kg.analysis.views import entity_graph

    comps = _cached(request, ("components",), lambda st: find(entity_graph(st)))
    return {"count": len(comps), "components": [
        {"size": c.size, "types": c.types, "members": c.members[:members]} for c in comps[:100]]}


@router.get("/api/analysis/paths", summary="shortest paths between two entities, with evidence per step")
def paths(request: Request, source: str = Query(..., description="IRI or type/key"),
          target: str = Query(..., description="IRI or type/key"),
          max_length: int = Query(4, ge=1, le=8), limit: int = Query(10, ge=1, le=100)) -> dict:
    from kg.analysis.graph import resolve_entity
    from kg.analysis.structure import shortest_paths

    try:
        s, t = resolve_entity(source), resolve_entity(target)
    except ValueError as e:
        raise HTTPException(400, str(e)) from e
    graph = _cached(request, ("structure-graph",), _structure_graph)
    found = _cached(request, ("paths", s, t, max_length, limit),
                    lambda st: shortest_paths(st, s, t, max_length, limit, graph=graph))
    return {"source": s, "target": t, "paths": [[step.to_dict() for step in p] for p in found]}


@router.get("/api/export/{fmt}", summary="the graph as a file: graphml gexf cytoscape dot csv html ttl trig nq jsonld")
def export_file(request: Request, fmt: str, view: str = "full", entity: str | None = None,
                radius: int = Query(1, ge=1, le=4)) -> Response:
    from kg.export import export, format_of

    try:
        f = format_of(fmt)
    except ValueError as e:
        raise HTTPException(404, str(e)) from e
    result = _cached(request, ("export", f.name, view, entity, radius),
                     lambda st: export(st, f.name, view, entity, radius))
    name = f"policykg-{view}{f.suffix}"
    return Response(result.body, media_type=f.media_type,
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


@router.get("/graph", response_class=HTMLResponse, summary="the interactive graph view")
def graph_page(request: Request, view: str = "full", entity: str | None = None,
               radius: int = Query(1, ge=1, le=4)) -> HTMLResponse:
    from kg.export import export

    result = _cached(request, ("export", "html", view, entity, radius),
                     lambda st: export(st, "html", view, entity, radius))
    return HTMLResponse(result.body)
