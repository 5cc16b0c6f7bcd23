"""The interactive graph page and the analysis report, checked in headless Chromium."""
from __future__ import annotations

import re
from pathlib import Path

from kg.analysis.views import view_graph
from kg.analysis.report import analysis_report, render_markdown, write_report
from kg.export import export
from tests.fixtures_graph import (ARTIFACTS, ROOT, colour_variety, hand_store, hand_store_dir,  # noqa: F401
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
    # the README's picture (docs/policy-project-network.png) is this chart, drawn by Chromium
    browser = Browser(tmp_path / "chrome-net")
    try:
        browser.open((out / "charts" / "policy_project_network.svg").as_uri())
        browser.send("Emulation.setDeviceMetricsOverride", {"width": 1200, "height": 900,
                                                            "deviceScaleFactor": 1, "mobile": False})
        browser.wait_for("document.querySelectorAll('circle').length > 100")
        png = browser.screenshot(ARTIFACTS / "policy-project-network.png")
    finally:
        browser.close()
    assert png.stat().st_size > 50_000 and colour_variety(png) > 30
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/policy-project-network.png)" in readme and (ROOT / "docs" / "policy-project-network.png").exists()


def test_report_tables_agree_with_the_analyses(hand_store):
    from kg.analysis.linkage import linkage_report
    data = analysis_report(hand_store)
    r = linkage_report(hand_store)
    md = render_markdown(data)
    for s in r.strategies:  # one row per strategy reaching a project, with its project count
        assert f"| {s.label} | {len(s.projects)} |" in md
    for chart in ("projects_per_strategy", "projects_per_sector", "projects_per_place", "attainment"):
        assert data["charts"][chart].count("<rect x=") == len(
            {"projects_per_strategy": r.strategies, "projects_per_sector": data["projects_per_sector"],
             "projects_per_place": data["projects_per_place"], "attainment": "abc"}[chart]), chart
    pp = data["policy_project_network"]
    assert data["charts"]["policy_project_network"].count("<circle") - 2 == pp["nodes"]  # 2 legend dots
    # 2022: 3 met and GDP 5.5% missed; 2024: 5 met and 能耗 no data; the districts' 4 targets
    # for 2024 have no later report
    assert data["attainment_status"] == {"met": 8, "missed": 1, "no data": 5}


# --- the page used as a person would: Chromium driven over the DevTools protocol ------------

class Browser:
    """Headless Chromium spoken to over --remote-debugging-pipe (fds 3 and 4, messages ended
    by NUL): real mouse and key events, no driver package needed."""

    def __init__(self, tmp: Path):
        import os
        import subprocess

        from tests.fixtures_graph import CHROMIUM_FLAGS, chromium
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire():  # the child's fd 3 reads our commands, its fd 4 writes the answers
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)
        self.process = subprocess.Popen(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp}", "--remote-debugging-pipe",
             "about:blank"], close_fds=False, preexec_fn=wire,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer, self._next, self.session = b"", 0, None

    def send(self, method: str, params: dict | None = None, session: bool = True) -> dict:
        import json
        import os
        self._next += 1
        message = {"id": self._next, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self._buffer:
                chunk = os.read(self._from_child, 1 << 16)
                assert chunk, "Chromium closed the pipe"
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            answer = json.loads(raw)
            if answer.get("id") == self._next:
                assert "error" not in answer, answer["error"]
                return answer.get("result", {})

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", {"url": url}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]

    def eval(self, expression: str):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result["result"].get("value")

    def wait_for(self, expression: str, seconds: float = 20.0):
        import time
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            value = self.eval(expression)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"still false after {seconds} s: {expression}")

    def click(self, x: float, y: float) -> None:
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y,
                                                   "button": "left", "clickCount": 1})

    def type(self, text: str) -> None:
        self.send("Input.insertText", {"text": text})

    def press_enter(self) -> None:
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", {"type": kind, "key": "Enter", "code": "Enter",
                                                 "windowsVirtualKeyCode": 13, "text": "\r"})

    def screenshot(self, png: Path) -> Path:
        import base64
        png.parent.mkdir(parents=True, exist_ok=True)
        png.write_bytes(base64.b64decode(self.send("Page.captureScreenshot")["data"]))
        return png

    def close(self) -> None:
        import os
        self.process.kill()
        self.process.wait(10)
        os.close(self._to_child)
        os.close(self._from_child)


def test_the_graph_page_filters_searches_and_explains_a_clicked_node(hand_store, tmp_path):
    page = tmp_path / "graph.html"
    page.write_bytes(export(hand_store, "html").body)
    g = view_graph(hand_store, "full")
    baima = next(n for n, d in g.nodes(data=True) if d["label"] == "白马航电枢纽")
    browser = Browser(tmp_path / "chrome")
    try:
        browser.open(page.as_uri())
        browser.wait_for("window.policykgGraph && policykgGraph.settled()")
        assert browser.eval("policykgGraph.visibleCount()") == g.number_of_nodes()
        # click the project on the canvas: its relations and the sentences behind them
        x, y = browser.eval(f"policykgGraph.screenPosition({baima!r})")
        browser.click(x, y)
        details = browser.wait_for("document.getElementById('details').innerText")
        assert details.startswith("白马航电枢纽") and "→ locatedIn" in details and "武隆区" in details
        assert "加快推进白马航电枢纽建设" in details and "000_418089195a410d60" in details
        browser.screenshot(ARTIFACTS / "graph-view-clicked.png")
        # search by name, Enter focuses the first match
        browser.eval("document.getElementById('search').focus()")
        browser.type("银盘")
        assert browser.eval("document.getElementById('matches').textContent") == "1 found"
        browser.press_enter()
        assert browser.wait_for("document.querySelector('#details h2').textContent") == "银盘抽水蓄能"
        # filter by type: unticking places hides every place
        places = sum(d["type"] == "place" for _, d in g.nodes(data=True))
        box = browser.eval("(() => { const r = document.querySelector('#types input[value=place]')"
                           ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        browser.click(*box)
        assert browser.eval("policykgGraph.visibleCount()") == g.number_of_nodes() - places
        browser.click(*box)
        # filter by document: the national reports' entities leave with gwr-2025 alone
        browser.eval("(() => { const s = document.getElementById('document'); s.value = 'gwr-2025';"
                     " s.dispatchEvent(new Event('change')); })()")
        shown = browser.eval("policykgGraph.visibleCount()")
        assert 0 < shown < g.number_of_nodes()
        assert browser.eval(f"policykgGraph.screenPosition({baima!r})") is None
    finally:
        browser.close()
