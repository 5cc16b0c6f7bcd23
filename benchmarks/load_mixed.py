"""Mixed load on a real `kg serve`: many concurrent clients, light and heavy queries.

    .venv/bin/python benchmarks/load_mixed.py --store STORE [--clients 64] [--heavy-clients 40]
        [--seconds 60] [--timeout 5] [--workers 8] [--memory-limit 512] [--code DIR]

Light clients ask small, varied SELECTs (each differs, so the result cache does not answer
them); heavy clients cycle through joins that take a second or more and one that passes the
time limit (answered 503 by design). A client told 503 waits as long as Retry-After says.

Phases, on one server: warm-up; the light clients alone (their unloaded latency, the
baseline); the mixed load; a pause; one query that exhausts a worker's memory; a pause. The
memory (RSS of the server and all its workers) is taken before, every 0.5 s during, at the end,
after the pause and after the memory-exhausting query. Printed: JSON, and a Markdown block
for benchmarks/RESULTS.md. `--code DIR` runs the server from another checkout (e.g. an older
commit unpacked with `git archive`) for a before/after comparison on the same machine.

tests/test_load.py runs the same functions for a few seconds.
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
sys.path.insert(0, str(ROOT))

LIGHT = [
    "SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {n}",
    "SELECT ?s WHERE {{ ?s a <https://w3id.org/policykg/ontology#Project> }} LIMIT {n}",
    "SELECT ?s ?l WHERE {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }} "
    "LIMIT 20 OFFSET {n}",
    "ASK {{ ?s a <https://w3id.org/policykg/ontology#Document> }} # {n}",
]
# On a store of the size of the seed reports' (56 k triples): the first two take ~0.4 s of CPU
# (1-2 s on a busy machine), the third passes a time limit of a few seconds (503 by design).
HEAVY = [
    "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?c ?d ?e }} # {n}",
    "SELECT ?p (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o . ?o ?q ?r }} GROUP BY ?p "
    "ORDER BY DESC(?n) # {n}",
    "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?c ?d ?e . ?e ?f ?g }} # {n}",
]
# Sorts every pair of triples: exhausts a worker's memory limit long before it ends.
EXHAUSTING = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
ACCEPT = {"Accept": "application/sparql-results+json"}


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


def process_rss(pid: int) -> int:
    """Resident memory in bytes of one process (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def summarize(rows: list[tuple[int, float, str | None, str | None]]) -> dict:
    """Requests, statuses, latency percentiles (ms), error messages and Retry-After values."""
    statuses: dict[str, int] = {}
    for status, *_ in rows:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    lat = [s for _, s, _, _ in rows]
    ok = [s for st, s, _, _ in rows if st == 200]
    ms = lambda q, values=lat: round(1000 * percentile(values, q), 1)  # noqa: E731
    return {"requests": len(rows), "statuses": statuses, "p50_ms": ms(0.5), "p95_ms": ms(0.95),
            "p99_ms": ms(0.99), "max_ms": round(1000 * max(lat, default=0), 1),
            "answered_p50_ms": ms(0.5, ok),  # of the 200s only (a refusal is quick)
            "errors": sorted({e for st, _, e, _ in rows if e and st != 200})[:8],
            "retry_after": sorted({r for st, _, _, r in rows if st == 503 and r is not None})}


async def run_load(url: str, clients: int = 64, seconds: float = 60.0, heavy_clients: int = 40,
                   seed: int = 0, heavy: list[str] | None = None, light: list[str] | None = None,
                   rss_of: int | None = None) -> dict:
    """Drive the server for `seconds`; every request is awaited to its answer.

    `clients` in all, the first `heavy_clients` of them heavy. With `rss_of` (the server's pid),
    the memory of its process tree is sampled every 0.5 s ("rss_max_mb").
    """
    heavy, light = heavy or HEAVY, light or LIGHT
    rng = random.Random(seed)
    stats: dict[str, list] = {"light": [], "heavy": []}  # (status, seconds, error, retry-after)
    stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    rss_max = 0

    async def client(kind: str, n: int, http: httpx.AsyncClient) -> None:
        i = 0
        while time.monotonic() < stop_at:
            i += 1
            if kind == "light":
                query = rng.choice(light).format(n=1 + (n * 7919 + i) % 997)
            else:
                query = heavy[(n + i) % len(heavy)].format(n=f"{n}-{i}")
            t = time.monotonic()
            retry = None
            try:
                r = await http.get(url + "/sparql", params={"query": query}, headers=ACCEPT)
                error = None
                if r.status_code == 200:
                    json.loads(r.content)  # complete, not truncated
                else:
                    error = r.text[:300]
                    retry = r.headers.get("retry-after")
                stats[kind].append((r.status_code, time.monotonic() - t, error, retry))
            except (httpx.HTTPError, ValueError) as e:
                stats[kind].append((0, time.monotonic() - t, f"{type(e).__name__}: {e}", None))
            if retry is not None and retry.isdigit():  # as a polite client does
                await asyncio.sleep(min(int(retry), max(0.0, stop_at - time.monotonic())))

    async def sample_rss() -> None:
        nonlocal rss_max
        while time.monotonic() < stop_at:
            rss_max = max(rss_max, process_tree_rss(rss_of))
            await asyncio.sleep(0.5)

    async with httpx.AsyncClient(timeout=300, limits=limits) as http:
        tasks = [client("heavy" if k < heavy_clients else "light", k, http) for k in range(clients)]
        if rss_of is not None:
            tasks.append(sample_rss())
        await asyncio.gather(*tasks)
    report = {"clients": clients, "heavy_clients": heavy_clients, "seconds": seconds,
              "light": summarize(stats["light"]), "heavy": summarize(stats["heavy"]),
              "requests_per_second": round(sum(map(len, stats.values())) / seconds, 1)}
    if rss_of is not None:
        report["rss_max_mb"] = round(rss_max / 2**20)
    return report


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(args: argparse.Namespace) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    code = args.code.resolve() if args.code else ROOT
    env = {**os.environ, "PYTHONPATH": str(code)}
    server = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(args.store.resolve()),
         "--port", str(port), "--timeout", str(args.timeout), "--workers", str(args.workers),
         "--memory-limit", str(args.memory_limit), "--reload-interval", "0"],
        cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return server, url
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not come up")


def markdown(args: argparse.Namespace, report: dict) -> str:
    light_clients = args.clients - args.heavy_clients
    rows = [("light alone (baseline)", report["baseline"]), ("light, mixed", report["light"]),
            ("heavy, mixed", report["heavy"])]
    lines = [f"Mixed load ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, store "
             f"{args.store.name}, code {args.code or 'this checkout'}): {args.clients} clients "
             f"({args.heavy_clients} heavy, {light_clients} light), {args.seconds:g} s, "
             f"{args.workers} workers, time limit {args.timeout:g} s, worker memory limit "
             f"{args.memory_limit} MiB.", "",
             "| requests | count | statuses | p50 ms | p95 ms | p99 ms | max ms |",
             "|---|---|---|---|---|---|---|"]
    for name, k in rows:
        lines.append(f"| {name} | {k['requests']} | {k['statuses']} | {k['p50_ms']} | "
                     f"{k['p95_ms']} | {k['p99_ms']} | {k['max_ms']} |")
    rss = report["rss_mb"]
    lines += ["", f"Light p95 under load / alone: {report['light_p95_ratio']}×; slowest light / "
              f"median answered heavy: {report['light_max_vs_heavy_p50']}. Heavy 503 messages: "
              f"{[e[:70] for e in report['heavy']['errors']]}.",
              f"Memory (server + workers, RSS MiB): before {rss['before']}, max during "
              f"{report.get('rss_max_mb')}, end {rss['end']}, {args.pause:g} s later "
              f"{rss['after']}, after a memory-exhausting query ({report['exhausting']}) "
              f"{rss['after_exhausting']}; of which the server process alone: "
              f"{rss['server_process_before']} before, {rss['server_process_after']} after. "
              f"Pool: {report['health'].get('pool', report['health'])}.",
              ""]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--heavy-clients", type=int, default=40)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--baseline-seconds", type=float, default=10)
    ap.add_argument("--pause", type=float, default=5, help="seconds before memory is read again")
    ap.add_argument("--timeout", type=float, default=5.0, help="the server's query time limit")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--memory-limit", type=int, default=512, help="MiB per query worker")
    ap.add_argument("--code", type=Path, help="run the server from this checkout")
    ap.add_argument("--json", type=Path, help="also write the report here")
    args = ap.parse_args()
    light_clients = args.clients - args.heavy_clients

    server, url = start_server(args)
    try:
        asyncio.run(run_load(url, args.clients, 3, args.heavy_clients, seed=1))  # warm-up
        baseline = asyncio.run(run_load(url, light_clients, args.baseline_seconds, 0, seed=2))
        time.sleep(args.pause)
        before, server_before = process_tree_rss(server.pid), process_rss(server.pid)
        report = asyncio.run(run_load(url, args.clients, args.seconds, args.heavy_clients,
                                      rss_of=server.pid))
        end = process_tree_rss(server.pid)
        time.sleep(args.pause)
        after, server_after = process_tree_rss(server.pid), process_rss(server.pid)
        r = httpx.get(url + "/sparql", params={"query": EXHAUSTING}, headers=ACCEPT, timeout=300)
        report["exhausting"] = f"{r.status_code} {r.text[:80].strip()}"
        time.sleep(args.pause)
        after_exhausting = process_tree_rss(server.pid)
        report["health"] = httpx.get(url + "/health").json()
    finally:
        server.terminate()
        server.wait(60)
    report["baseline"] = baseline["light"]
    report["light_p95_ratio"] = round(report["light"]["p95_ms"]
                                      / max(baseline["light"]["p95_ms"], 0.1), 1)
    report["light_max_vs_heavy_p50"] = round(report["light"]["max_ms"]
                                             / max(report["heavy"]["answered_p50_ms"], 0.1), 2)
    report["rss_mb"] = {k: round(v / 2**20) for k, v in (
        ("before", before), ("end", end), ("after", after), ("after_exhausting", after_exhausting),
        ("server_process_before", server_before), ("server_process_after", server_after))}
    print(json.dumps(report, indent=1, ensure_ascii=False))
    print(markdown(args, report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    light_ok = set(report["light"]["statuses"]) == {"200"}
    return 0 if light_ok and set(report["heavy"]["statuses"]) <= {"200", "503"} else 1


if __name__ == "__main__":
    sys.exit(main())
