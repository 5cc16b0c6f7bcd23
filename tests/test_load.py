"""Under load: 64 concurrent clients mixing light and heavy queries on a real server (~8 s).

benchmarks/load_mixed.py is the 60 s version (results in benchmarks/RESULTS.md). Here: every
request is answered, light queries are never refused, heavy ones get 200 or the 503 of the
time limit, and memory (server and workers) does not grow.
"""
from __future__ import annotations

import asyncio
import sys
import time

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from load_mixed import process_tree_rss, run_load  # noqa: E402


def test_mixed_load(server_factory, sample_store_dir):
    with server_factory(sample_store_dir, workers=6, query_timeout=1.0, reload_interval=0) as server:
        asyncio.run(run_load(server.url, clients=16, seconds=1.5, heavy_clients=2, seed=1))
        before = process_tree_rss(server.process.pid)
        report = asyncio.run(run_load(server.url, clients=64, seconds=8, heavy_clients=2))
        time.sleep(1)
        after = process_tree_rss(server.process.pid)
    light, heavy = report["light"], report["heavy"]
    assert light["statuses"] == {"200": light["requests"]}, light["errors"]
    assert set(heavy["statuses"]) <= {"200", "503"}, heavy["errors"]
    assert all("time limit" in e for e in heavy["errors"])
    assert light["requests"] >= 62 and heavy["requests"] >= 2  # every client was answered
    assert light["max_ms"] < 20_000  # none starved
    assert after < before * 1.5 + 100 * 2**20, (before, after)
