"""Server settings: `kg serve` flags reach the running server, bad values are refused clearly,
and the pool's defaults queue expensive queries rather than refuse them."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from conftest import ROOT, free_port, stop_server
from kg.server.pool import QUEUE_LENGTH, QueryPool
from kg.server.settings import Settings


def test_serve_flags_reach_the_running_server(sample_store_dir):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(sample_store_dir),
         "--port", str(port), "--workers", "3", "--heavy-workers", "1", "--queue-length", "7",
         "--heavy-queue-length", "5", "--queue-timeout", "4", "--timeout", "9",
         "--http-processes", "2", "--memory-budget", "4096", "--local-query-rows", "11",
         "--warm-at-start", "--reload-interval", "0", "--analysis-memory", "300",
         "--analysis-timeout", "40"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ))
    try:
        health = _wait_health(process, url)
        pool = health["pool"]
        assert (pool["workers"], pool["heavy_workers"]) == (3, 1)
        assert pool["queue_limits"] == {"light": 7, "heavy": 5}
        assert pool["queue_timeout"] == 4
        assert health["local_queries"]["max_rows"] == 11
        assert (health["analyses"]["memory_limit_mb"], health["analyses"]["timeout"]) == (300, 40)
        assert health["serving"] == {"http_processes": 2, "warm_at_start": True,
                                     "query_timeout": 9, "http_server": "uvicorn"}
        # two HTTP processes on the one port: both answer, each with its own pid
        pids = {httpx.get(url + "/health", timeout=5).json()["process"] for _ in range(40)}
        assert pids <= _children(process.pid) and len(pids) >= 1
    finally:
        stop_server(process, grace=20)


def _wait_health(process, url: str) -> dict:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read().decode()
        try:
            r = httpx.get(url + "/health", timeout=1)
            if r.status_code == 200:
                return r.json()
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("kg serve did not come up")


def _children(pid: int) -> set[int]:
    found = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            found.update(int(c) for c in f.read().split())
    return found


def test_a_bad_flag_value_is_a_clear_error(sample_store_dir):
    out = subprocess.run(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(sample_store_dir),
         "--port", str(free_port()), "--heavy-queue-length", "0"],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "heavy_queue_length must be at least 1, not 0" in out.stderr


@pytest.mark.parametrize("name", ["workers", "heavy_workers", "queue_length", "http_processes",
                                  "analysis_processes"])
def test_settings_refuse_counts_below_one(name):
    with pytest.raises(ValueError, match=f"{name} must be at least 1"):
        Settings(**{name: 0})


def test_pool_defaults_queue_expensive_queries_generously(tmp_path):
    """No worker is started: the limits are decided when the pool is made."""
    pool = QueryPool(tmp_path, workers=3, timeout=30)
    assert pool.heavy_workers == min(2, os.cpu_count() or 1)
    assert pool.light_reserve >= 1  # cheap queries keep a worker of their own
    assert pool.queue_limits["heavy"] >= QUEUE_LENGTH >= 64
    assert pool.queue_timeout == 30  # the wait is bounded by the query time limit
    short = QueryPool(tmp_path, workers=3, timeout=30, queue_length=10, heavy_queue_length=2)
    assert short.queue_limits == {"light": 10, "heavy": 2}


def test_default_workers_leave_one_for_cheap_queries_beside_one_per_core():
    assert Settings().workers == (os.cpu_count() or 2) + 1


def test_kg_serve_builds_data_when_there_is_no_store_yet_and_serves_it_on_host_and_port(tmp_path):
    """`kg serve --store DIR --host H --port N --build data/`, as with no store yet: the
    reports are built first, then served (the SPARQL endpoint, a lookup, the API docs)."""
    store, port = tmp_path / "store", free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--host", "127.0.0.1",
         "--port", str(port), "--build", str(ROOT / "data"), "--workers", "1",
         "--reload-interval", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline, "kg serve did not come up"
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        q = ("SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE "
             "{ ?d a <https://w3id.org/policykg/ontology#Document> }")
        assert httpx.get(url + "/sparql", params={"query": q, "format": "csv"}).text.split() == ["n", "2"]
        assert httpx.get(url + "/api/search", params={"q": "水库"}, timeout=60).json()["items"]
        assert httpx.get(url + "/docs").status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        out = process.communicate(timeout=30)[0].decode()
    assert f"no store at {store}: building" in out and "documents  2 built" in out


def test_each_query_and_analysis_gets_its_share_of_the_memory_budget():
    from kg.server.settings import AT_REST_MB, HTTP_PROCESS_MB, Settings
    one = Settings(workers=3, memory_budget_mb=1024)
    pool = 1024 - HTTP_PROCESS_MB - 4 * AT_REST_MB  # 3 workers, 1 analysis process
    assert one.query_memory_mb() == pool // 2 // 3 and one.analysis_memory() == pool // 2
    assert Settings(workers=3, memory_limit_mb=50, analysis_memory_mb=0).query_memory_mb() == 50
    assert Settings(workers=3, analysis_memory_mb=0).analysis_memory() == 0  # no limit
    two = Settings(workers=2, memory_budget_mb=2048, http_processes=2)
    assert two.query_memory_mb() == (1024 - HTTP_PROCESS_MB - 3 * AT_REST_MB) // 2 // 2
    # everything at rest plus every task's share fits the budget
    for s in (one, two):
        at_rest = s.http_processes * (HTTP_PROCESS_MB + (s.workers + s.analysis_processes)
                                      * AT_REST_MB)
        tasks = s.http_processes * (s.workers * s.query_memory_mb()
                                    + s.analysis_processes * s.analysis_memory())
        assert at_rest + tasks <= s.memory_budget_mb


def test_a_budget_too_small_for_the_workers_says_how_much_is_needed():
    from kg.server.settings import Settings
    with pytest.raises(ValueError, match=r"give at least \d+ MiB, fewer workers, or --memory-limit"):
        Settings(workers=3, memory_budget_mb=1024, http_processes=2)
    Settings(workers=3, memory_budget_mb=1024, http_processes=2, memory_limit_mb=64,
             analysis_memory_mb=64)
