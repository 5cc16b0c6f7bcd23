"""What each whole-graph analysis or export writes, as files the server sends unchanged.

Run by an analysis child process (kg.server.offload), never by the server itself: each job
reads the whole store into NetworkX and would make the server's memory grow with the graph.
`JOBS[name](store, out, **params)` writes its files into the directory `out`; a job refuses
bad parameters with ValueError (400) or an entity not in the graph with KeyError (404).
The answer of a route is one of these files as it is, or a slice of a small one.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

RESULT = "result.json"  # the file of a job that writes one
EXPORT_BODY = "body"  # the bytes of an export
LINKAGE_FULL, LINKAGE_SUMMARY = "full.json", "summary.json"  # with and without the links
# The most that a route's parameters may ask for: computed once, sliced per request.
MOST_CENTRAL = 1000  # /api/analysis/centrality?top=
COMPONENTS_LISTED, MOST_MEMBERS = 100, 10_000  # /api/analysis/components?members=


def strategy_file(strategy_iri: str) -> str:
    """The name of the linkage file of one strategy (IRIs hold characters names must not)."""
    return "strategy-" + hashlib.sha1(strategy_iri.encode()).hexdigest()[:20] + ".json"


def write_json(path: Path, data) -> None:
    """As Starlette's JSONResponse writes it (the body the route used to send)."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                  default=_plain)


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def linkage(store, out: Path) -> None:
    """The report with and without its links, and one file per strategy with its links, so
    `?strategy=` reads one small file on a store of any size."""
    from kg.analysis.linkage import linkage_report

    data = linkage_report(store).to_dict()
    write_json(out / LINKAGE_FULL, data)
    write_json(out / LINKAGE_SUMMARY, {k: v for k, v in data.items() if k != "links"})
    links: dict[str, list] = defaultdict(list)
    for link in data["links"]:
        links[link["strategy"]].append(link)
    coverage = {row["strategy"]: row for row in data["strategies"]}
    for iri in coverage.keys() | links.keys():
        write_json(out / strategy_file(iri), {"strategy": iri, "coverage": coverage.get(iri),
                                              "links": links.get(iri, [])})


def plan_actual(store, out: Path) -> None:
    from kg.analysis.plan_actual import plan_vs_actual

    rows = [a.to_dict() for a in plan_vs_actual(store)]
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    write_json(out / RESULT, {"status": counts, "attainment": rows})


def discrepancies(store, out: Path) -> None:
    from kg.analysis.plan_actual import discrepancies as find

    write_json(out / RESULT, {"discrepancies": [d.to_dict() for d in find(store)]})


def structure_graph(store):
    """The entity graph with co-mentions: what centrality, communities and paths measure."""
    from kg.analysis.views import entity_graph
    return entity_graph(store, co_mentions=True)


def centrality(store, out: Path) -> None:
    from kg.analysis.structure import centrality as measure

    write_json(out / RESULT, {t: [s.to_dict() for s in rows] for t, rows in
                              measure(structure_graph(store), MOST_CENTRAL).items()})


def communities(store, out: Path) -> None:
    from kg.analysis.structure import communities as find

    g = structure_graph(store)
    write_json(out / RESULT, {"communities": [c.to_dict(g) for c in find(g)]})


def components(store, out: Path) -> None:
    from kg.analysis.structure import components as find
    from kg.analysis.views import entity_graph

    found = find(entity_graph(store))
    write_json(out / RESULT, {"count": len(found), "components": [
        {**asdict(c), "members": c.members[:MOST_MEMBERS]} for c in found[:COMPONENTS_LISTED]]})


def paths(store, out: Path, source: str, target: str, max_length: int, limit: int) -> None:
    from kg.analysis.structure import shortest_paths

    found = shortest_paths(store, source, target, max_length, limit,
                           graph=structure_graph(store))
    write_json(out / RESULT, {"source": source, "target": target,
                              "paths": [[step.to_dict() for step in p] for p in found]})


def export(store, out: Path, fmt: str, view: str = "full", entity: str | None = None,
           radius: int = 1) -> None:
    from kg.export import export_to

    export_to(store, out / EXPORT_BODY, fmt, view, entity, radius)


JOBS: dict[str, Callable[..., None]] = {
    "linkage": linkage, "plan-actual": plan_actual, "discrepancies": discrepancies,
    "centrality": centrality, "communities": communities, "components": components,
    "paths": paths, "export": export,
}
