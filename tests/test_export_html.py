"""The interactive graph page and the analysis report, checked in headless Chromium."""
from __future__ import annotations

import re

from kg.analysis.views import view_graph
from kg.analysis.report import analysis_report, render_markdown, write_report
from kg.export import export
from tests.fixtures_graph import (ARTIFACTS, colour_variety, hand_store, hand_store_dir,  # noqa: F401
                                  rendered_dom, screenshot, seed_store)


def test_the_graph_page_is_self_contained(hand_store):
    page = export(hand_store, "html").body.decode()
    assert "<script src" not in page and "<link" not in page and "http://" not in page.split("graph-data")[0]
    assert "白马航电枢纽" in page and "加快推进白马航电枢纽建设" in page  # label and evidence sentence


def test_the_graph_page_draws_every_node_in_chromium(hand_store, tmp_path):
    path = tmp_path / "graph.html"
    path.write_bytes(export(hand_store, "html").body)
    dom = rendered_dom(path.as_uri(), tmp_path / "chrome")
    drawn = re.search(r'<body data-rendered="(\d+)"', dom)
    assert drawn and int(drawn.group(1)) == view_graph(hand_store, "full").number_of_nodes()
    assert "白马航电枢纽" in dom


def test_seed_graph_page_screenshot(seed_store, tmp_path):
    path = ARTIFACTS / "graph-policy-project.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(export(seed_store, "html", "policy-project").body)
    dom = rendered_dom(path.as_uri(), tmp_path / "chrome")
    drawn = int(re.search(r'data-rendered="(\d+)"', dom).group(1))
    assert drawn > 50
    png = screenshot(path.as_uri(), ARTIFACTS / "graph-policy-project.png", tmp_path / "chrome")
    assert png.stat().st_size > 30_000 and colour_variety(png) > 50


def test_report_markdown_has_every_section(hand_store):
    data = analysis_report(hand_store)
    md = render_markdown(data)
    for heading in ("Policy → project linkage", "Plan vs actual", "Cross-report discrepancies",
                    "Centrality", "Communities", "Projects per sector"):
        assert f"## {heading}" in md
    assert "Coverage 75.0%" in md and "| 社会消费品零售总额 | 2024 |" in md
    assert "| 国内生产总值 | 2022 | approx 5.5% | 3% | missed | 0.5455 | -2.5 | gwr-2023 |" in md


def test_report_html_in_chromium(seed_store, tmp_path):
    out = ARTIFACTS / "report"
    written = write_report(seed_store, out)
    assert {p.name for p in written} == {"report.md", "report.html", "report.json"}
    assert (out / "charts" / "policy_project_network.svg").stat().st_size > 10_000
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 5 and "<script" not in page
    dom = rendered_dom((out / "report.html").as_uri(), tmp_path / "chrome")
    assert "Plan vs actual" in dom and "<table>" in dom
    png = screenshot((out / "report.html").as_uri(), ARTIFACTS / "report.png", tmp_path / "chrome")
    assert png.stat().st_size > 20_000 and colour_variety(png) > 30
