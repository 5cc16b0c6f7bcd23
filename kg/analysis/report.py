"""The `kg analyze` report: every analysis of the store as Markdown and self-contained HTML.

`analysis_report(store)` computes the figures once (a plain dict, also the JSON twin);
`render_markdown` and `render_html` lay them out with tables and SVG charts
(kg.analysis.charts): projects per strategy, sector and place; target attainment; the
policy → project network.
The README's docs/policy-project-network.png is charts/policy_project_network.svg of the seed
build drawn by Chromium: tests/test_export_html.py::test_report_html_in_chromium writes it to
tests/artifacts/policy-project-network.png at every run.
"""
from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path

from pyoxigraph import Store

from kg.analysis import charts
from kg.analysis.graph import documents, label_of
from kg.analysis.linkage import linkage_report
from kg.analysis.plan_actual import discrepancies, figures, plan_vs_actual
from kg.analysis.structure import centrality, communities, components
from kg.analysis.views import entity_graph, policy_project_view

TOP = 20  # rows per table


def analysis_report(store: Store) -> dict:
    """Every analysis as plain data; charts are SVG strings under "charts"."""
    g = entity_graph(store, co_mentions=True)
    stated = entity_graph(store)
    link = linkage_report(store, graph=stated)
    figs = figures(store)
    attain = plan_vs_actual(store, figs)
    discrep = discrepancies(store, figs)
    types = Counter(d["type"] for _, d in stated.nodes(data=True))
    sectors, places = Counter(), Counter()
    for a, b, d in stated.edges(data=True):
        if stated.nodes[a]["type"] != "project":
            continue
        if d["relation"] == "inSector":
            sectors[label_of(stated, b)] += 1
        elif d["relation"] == "locatedIn":
            places[label_of(stated, b)] += 1
    status = Counter(a.status for a in attain)
    comps = components(stated)
    pp = policy_project_view(stated)
    data = {
        "documents": documents(store),
        "entities": dict(types.most_common()),
        "linkage": link.to_dict(),
        "projects_per_sector": sectors.most_common(),
        "projects_per_place": places.most_common(),
        "attainment": [a.to_dict() for a in attain],
        "attainment_status": dict(status),
        "discrepancies": [d.to_dict() for d in discrep],
        "centrality": {t: [s.to_dict() for s in rows] for t, rows in centrality(g).items()},
        "communities": [c.to_dict(g) for c in communities(g)[:TOP]],
        "components": {"count": len(comps), "sizes": [c.size for c in comps[:TOP]],
                       "largest": [label_of(stated, m) for m in comps[0].members[:10]] if comps else []},
        "policy_project_network": {"nodes": pp.number_of_nodes(), "edges": pp.number_of_edges()},
    }
    per_strategy = [(s["label"], len(s["projects"])) for s in data["linkage"]["strategies"][:TOP]]
    data["charts"] = {
        "projects_per_strategy": charts.bar_chart(per_strategy, "Projects per strategy 各战略关联项目数", "#d55e00"),
        "projects_per_sector": charts.bar_chart(sectors.most_common(TOP), "Projects per sector 各领域项目数", "#cc79a7"),
        "projects_per_place": charts.bar_chart(places.most_common(TOP), "Projects per place 各地点项目数", "#009e73"),
        "attainment": charts.bar_chart([(k, status.get(k, 0)) for k in ("met", "missed", "no data")],
                                       "Target attainment 目标完成情况", "#0072b2"),
        "policy_project_network": charts.network_picture(pp, "Policy → project network 政策—项目网络"),
    }
    return data


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _top(counts: dict, n: int = 3) -> str:
    """'海淀区 6, 中关村 4': the n biggest of a breakdown, with their project counts."""
    return ", ".join(f"{k} {v}" for k, v in list(counts.items())[:n])


def _sections(data: dict) -> list[tuple[str, str, list[str], list[list], str | None]]:
    """(heading, intro, table headers, table rows, chart name) in report order."""
    link = data["linkage"]
    out = []
    out.append(("Documents", f"{len(data['documents'])} documents; entities: "
                + ", ".join(f"{v} {k}" for k, v in data["entities"].items()),
                ["key", "title", "file"], [[d["key"], d["title"], d["file"]] for d in data["documents"]], None))
    out.append(("Policy → project linkage",
                f"Coverage {link['coverage']:.1%}: {link['projects_linked']} of {link['projects_total']} "
                f"projects are reached by at least one strategy; {len(link['orphan_projects'])} orphan projects; "
                f"{len(link['strategies_without_projects'])} strategies reach no project.",
                ["strategy", "projects", "how", "top places", "top sectors"],
                [[s["label"], len(s["projects"]),
                  ", ".join(f"{k} {v}" for k, v in Counter(v for p in s["projects"] for v in p["via"]).most_common()),
                  _top(s["by_place"]), _top(s["by_sector"])]
                 for s in link["strategies"][:TOP]], "projects_per_strategy"))
    out.append(("Orphan projects", "Projects no strategy reaches (first rows).", ["project"],
                [[p["label"]] for p in link["orphan_projects"][:TOP]], None))
    out.append(("Projects per sector", "", ["sector", "projects"],
                [list(r) for r in data["projects_per_sector"][:TOP]], "projects_per_sector"))
    out.append(("Projects per place", "", ["place", "projects"],
                [list(r) for r in data["projects_per_place"][:TOP]], "projects_per_place"))
    status = data["attainment_status"]
    judged = [a for a in data["attainment"] if a["status"] != "no data"]
    out.append(("Plan vs actual",
                f"{len(data['attainment'])} targets: {status.get('met', 0)} met, {status.get('missed', 0)} missed, "
                f"{status.get('no data', 0)} with no observation of the same indicator, year and place.",
                ["indicator", "year", "target", "observed", "status", "ratio", "gap", "observed in"],
                [[a["indicator"], a["year"], f"{a['target']['comparator']} {a['target']['value']:g}{a['target']['unit']}",
                  f"{a['observation']['value']:g}{a['observation']['unit']}", a["status"], a["ratio"],
                  f"{a['gap']:+g}", a["observation"]["document"]] for a in judged[:TOP * 2]], "attainment"))
    out.append(("Cross-report discrepancies",
                "The same indicator, year and subject stated with different values in two reports.",
                ["indicator", "year", "values", "sentences"],
                [[d["indicator"], d["year"],
                  "; ".join(f"{f['value']:g}{f['unit']} ({f['document']})" for f in d["figures"]),
                  " / ".join(f["evidence"]["text"][:80] for f in d["figures"])] for d in data["discrepancies"][:TOP]],
                None))
    rows = [[t, s["label"], s["degree"], f"{s['betweenness']:.4f}", f"{s['pagerank']:.4f}"]
            for t, scores in data["centrality"].items() for s in scores[:5]]
    out.append(("Centrality", "The most central entities of each type (PageRank, with stated links "
                "and sentence co-mentions).", ["type", "entity", "degree", "betweenness", "PageRank"], rows, None))
    out.append(("Communities", "Thematic clusters (Louvain, fixed seed), named by their most central members.",
                ["#", "name", "size", "types"],
                [[c["index"], c["name"], c["size"], ", ".join(f"{k} {v}" for k, v in c["types"].items())]
                 for c in data["communities"]], None))
    comp = data["components"]
    out.append(("Policy → project network",
                f"{data['policy_project_network']['nodes']} strategies and projects, "
                f"{data['policy_project_network']['edges']} links. The stated-link graph has {comp['count']} "
                f"connected components; the largest holds {comp['sizes'][0] if comp['sizes'] else 0} entities.",
                [], [], "policy_project_network"))
    return out


def render_markdown(data: dict, chart_dir: str = "charts") -> str:
    parts = ["# policykg analysis report", ""]
    for heading, intro, headers, rows, chart in _sections(data):
        parts += [f"## {heading}", ""]
        if intro:
            parts += [intro, ""]
        if chart:
            parts += [f"![{heading}]({chart_dir}/{chart}.svg)", ""]
        if headers and rows:
            parts += [_table(headers, rows), ""]
    return "\n".join(parts)


CSS = """body{font:14px/1.5 system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;max-width:1250px;margin:24px auto;padding:0 16px;color:#222}
table{border-collapse:collapse;margin:8px 0 20px;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}svg{max-width:100%;height:auto}"""


def render_html(data: dict) -> str:
    e = html.escape
    parts = ['<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">',
             "<title>policykg analysis report</title>", f"<style>{CSS}</style></head><body>",
             "<h1>policykg analysis report</h1>"]
    for heading, intro, headers, rows, chart in _sections(data):
        parts.append(f"<h2>{e(heading)}</h2>")
        if intro:
            parts.append(f"<p>{e(intro)}</p>")
        if chart:
            parts.append(f'<figure class="chart" data-chart="{chart}">{data["charts"][chart]}</figure>')
        if headers and rows:
            parts.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in headers) + "</tr>")
            parts += ["<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows]
            parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(store: Store, out_dir: Path, formats: tuple[str, ...] = ("md", "html")) -> list[Path]:
    """Write report.md (+ charts/*.svg), report.html and report.json into out_dir."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = analysis_report(store)
    written = []
    if "md" in formats:
        (out_dir / "charts").mkdir(exist_ok=True)
        for name, svg in data["charts"].items():
            (out_dir / "charts" / f"{name}.svg").write_text(svg, encoding="utf-8")
        (out_dir / "report.md").write_text(render_markdown(data), encoding="utf-8")
        written.append(out_dir / "report.md")
    if "html" in formats:
        (out_dir / "report.html").write_text(render_html(data), encoding="utf-8")
        written.append(out_dir / "report.html")
    plain = {k: v for k, v in data.items() if k != "charts"}
    (out_dir / "report.json").write_text(json.dumps(plain, ensure_ascii=False, indent=1, default=str),
                                         encoding="utf-8")
    written.append(out_dir / "report.json")
    return written
