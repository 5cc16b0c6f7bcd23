"""Mixed load on a real `kg serve`: many concurrent clients, light and heavy queries.

    .venv/bin/python benchmarks/load_mixed.py --store STORE [--clients 64] [--seconds 60]
        [--heavy-clients 8] [--timeout 2] [--workers 6] [--report benchmarks/RESULTS.md]

Light clients ask small, varied SELECTs (each differs, so the result cache does not answer
them); heavy clients alternate a join that takes a while and one that passes the time limit
(answered 503 by design). Reported: requests, statuses, latency percentiles per kind, the
slowest light request (starvation), and the memory (RSS of the server and its workers)
before, at the end and after a pause. tests/test_load.py runs the same for ~10 s.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]

LIGHT = [
    "SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {n}",
    "SELECT ?s WHERE {{ ?s a <https://w3id.org/policykg/ontology#Project> }} LIMIT {n}",
    "SELECT ?s ?l WHERE {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }} LIMIT 20 OFFSET {n}",
    "ASK {{ ?s a <https://w3id.org/policykg/ontology#Document> }} # {n}",
]
# A join over three copies of the graph: slow on purpose. The second is several times slower
# than the first and passes a short time limit (then 503 is the right answer).
HEAVY = [
    "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?x {{ ?a ?b ?c }} GRAPH ?y {{ ?d ?e ?f }} "
    "FILTER(?b = ?e) }} # {n}",
    "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?x {{ ?a ?b ?c }} GRAPH ?y {{ ?d ?e ?f }} "
    "GRAPH ?z {{ ?g ?h ?i }} }} # {n}",
]


def process_tree_rss(pid: int) -> int:
    """Resident memory in bytes of a process and all its descendants (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def run_load(url: str, clients: int = 64, seconds: float = 60.0, heavy_clients: int = 3,
                   seed: int = 0) -> dict:
    """Drive the server for `seconds`; every request is awaited to its answer."""
    rng = random.Random(seed)
    stats = {"light": [], "heavy": []}  # (status, seconds, error or None)
    stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(kind: str, n: int, http: httpx.AsyncClient) -> None:
        i = 0
        while time.monotonic() < stop_at:
            i += 1
            if kind == "light":
                query = rng.choice(LIGHT).format(n=1 + (n * 7919 + i) % 997)
            else:
                query = HEAVY[i % 2].format(n=f"{n}-{i}")
            t = time.monotonic()
            try:
                r = await http.get(url + "/sparql", params={"query": query},
                                   headers={"Accept": "application/sparql-results+json"})
                error = None
                if r.status_code == 200:
                    json.loads(r.content)  # complete, not truncated
                else:
                    error = r.text[:200]
                stats[kind].append((r.status_code, time.monotonic() - t, error))
            except (httpx.HTTPError, ValueError) as e:
                stats[kind].append((0, time.monotonic() - t, f"{type(e).__name__}: {e}"))

    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        await asyncio.gather(*(client("heavy" if k < heavy_clients else "light", k, http)
                               for k in range(clients)))
    report = {"clients": clients, "heavy_clients": heavy_clients, "seconds": seconds}
    for kind, rows in stats.items():
        statuses: dict[str, int] = {}
        for status, _, _ in rows:
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        lat = [s for _, s, _ in rows]
        report[kind] = {
            "requests": len(rows), "statuses": statuses,
            "p50_ms": round(1000 * percentile(lat, 0.5), 1),
            "p95_ms": round(1000 * percentile(lat, 0.95), 1),
            "max_ms": round(1000 * max(lat, default=0), 1),
            "errors": sorted({e for st, _, e in rows if e and st != 200})[:5],
        }
    report["requests_per_second"] = round(sum(len(r) for r in stats.values()) / seconds, 1)
    return report


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--heavy-clients", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--timeout", type=float, default=2.0, help="the server's query time limit")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--report", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = ap.parse_args()

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(args.store), "--port", str(port),
         "--timeout", str(args.timeout), "--workers", str(args.workers),
         "--reload-interval", "0"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        warm = asyncio.run(run_load(url, args.clients, 3, args.heavy_clients, seed=1))
        del warm
        rss_before = process_tree_rss(server.pid)
        report = asyncio.run(run_load(url, args.clients, args.seconds, args.heavy_clients))
        rss_end = process_tree_rss(server.pid)
        time.sleep(3)
        rss_after = process_tree_rss(server.pid)
        report["rss_mb"] = {"before": round(rss_before / 2**20), "end": round(rss_end / 2**20),
                            "after_3s": round(rss_after / 2**20)}
        report["health"] = httpx.get(url + "/health").json()
    finally:
        server.terminate()
        server.wait(30)
    print(json.dumps(report, indent=1))
    lines = [
        f"\n## Mixed load ({time.strftime('%Y-%m-%d %H:%M')}): {args.clients} clients "
        f"({args.heavy_clients} heavy), {args.seconds:g} s, {args.workers} workers, "
        f"time limit {args.timeout:g} s, store {args.store.name}\n",
        "| kind | requests | statuses | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|---|",
    ]
    for kind in ("light", "heavy"):
        k = report[kind]
        lines.append(f"| {kind} | {k['requests']} | {k['statuses']} | {k['p50_ms']} | "
                     f"{k['p95_ms']} | {k['max_ms']} |")
    lines += ["", f"Throughput {report['requests_per_second']} requests/s. Memory (server and "
              f"workers, RSS MiB): before {report['rss_mb']['before']}, at the end "
              f"{report['rss_mb']['end']}, 3 s later {report['rss_mb']['after_3s']}. "
              f"Workers replaced after a time-out: {report['health']['workers_replaced']}.", ""]
    with open(args.report, "a", encoding="utf-8") as f:
        f.write("\n".join(lines))
    light = report["light"]["statuses"]
    return 0 if set(light) == {"200"} and set(report["heavy"]["statuses"]) <= {"200", "503"} else 1


if __name__ == "__main__":
    sys.exit(main())
