"""Memory of the analysis routes: what the serving process holds once every analysis has
answered, and the peak of its process tree (the analysis children, when there are any).

Serves the analysis router alone (kg.server.routes_analysis on a bare FastAPI app under
uvicorn: no query workers, no lookups, so what grows is the analyses' own) from a given code
tree, asks each route once in turn and samples the PSS of the server process and of its
tree every 0.1 s. Run it with the code before and after a change on the same store:

    .venv/bin/python benchmarks/analysis_memory.py --store DIR [--code TREE] [--timeout 1800]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_scale import _rss_and_cpu, _tree  # noqa: E402  (the process-tree sampler)
from query_bench import ROOT, free_port  # noqa: E402

MIB = 2 ** 20
_APP = ("import sys, uvicorn; from fastapi import FastAPI; from kg.store import store_info; "
        "from kg.server.routes_analysis import router; app = FastAPI(); "
        "app.state.store_info = store_info(sys.argv[1]); app.include_router(router); "
        "uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[2]), log_level='warning')")
ROUTES = ["/api/analysis/linkage", "/api/analysis/linkage?links=true", "/api/analysis/plan-actual",
          "/api/analysis/discrepancies", "/api/analysis/centrality",
          "/api/analysis/centrality?top=100", "/api/analysis/communities",
          "/api/analysis/components", "/api/export/graphml?view=policy-project",
          "/graph?view=policy-project"]


class Sampler(threading.Thread):
    """Peak PSS of the server process and of its tree, and the server's latest."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.running = pid, True
        self.server = self.server_peak = self.tree_peak = 0

    def run(self) -> None:
        while self.running:
            self.server = _rss_and_cpu(self.pid)[0]
            self.server_peak = max(self.server_peak, self.server)
            self.tree_peak = max(self.tree_peak, sum(_rss_and_cpu(p)[0] for p in _tree(self.pid)))
            time.sleep(0.1)


def measure(store: Path, code: Path, timeout: float) -> list[tuple]:
    shutil.rmtree(store / "derived", ignore_errors=True)  # cold: nothing computed yet
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(code))
    server = subprocess.Popen([sys.executable, "-c", _APP, str(store), str(port)], cwd=code,
                              env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_up(base, server)
        sampler = Sampler(server.pid)
        sampler.start()
        time.sleep(0.3)
        rows = [("start", "", 0.0, 0, sampler.server)]
        for route in ROUTES:
            started = time.monotonic()
            r = httpx.get(base + route, timeout=timeout)
            time.sleep(0.3)  # a sample after the answer
            rows.append((route, r.status_code, time.monotonic() - started, len(r.content),
                         sampler.server))
        for route in ROUTES:  # answered again: from the cache or the file
            r = httpx.get(base + route, timeout=timeout)
        time.sleep(0.5)
        rows.append(("all again", "", 0.0, 0, sampler.server))
        rows.append(("peak: server / tree", "", 0.0, sampler.server_peak, sampler.tree_peak))
        sampler.running = False
        return rows
    finally:
        server.terminate()
        server.wait(30)


def _wait_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited ({server.returncode})")
        try:
            httpx.get(base + "/docs", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the server did not come up")


def markdown(rows: list[tuple]) -> str:
    lines = ["| route | status | seconds | bytes | server PSS MiB after |", "|---|---:|---:|---:|---:|"]
    for route, status, seconds, size, pss in rows[:-1]:
        lines.append(f"| {route} | {status} | {seconds:.1f} | {size} | {pss / MIB:.0f} |")
    _, _, _, server_peak, tree_peak = rows[-1]
    lines.append(f"| peak: server / tree | | | | {server_peak / MIB:.0f} / {tree_peak / MIB:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--code", type=Path, default=ROOT, help="the code tree to serve from")
    ap.add_argument("--timeout", type=float, default=1800.0, help="client timeout per request")
    args = ap.parse_args(argv)
    print(markdown(measure(args.store.resolve(), args.code.resolve(), args.timeout)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
