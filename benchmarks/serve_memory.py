"""Peak memory of `kg serve` on a built store, beside the Oxigraph server on a copy of it.

Starts `kg serve --store STORE` and `oxigraph serve-read-only` on a copy of the same store
version, samples the PSS of each process tree (shared pages of forked workers count once)
every 0.2 s, and drives both through the same phases:

1. idle, after start;
2. SPARQL: every named query of queries/ once, then entity lookups (`SELECT ?p ?o { <e> ?p ?o }`);
3. index (ours only): the first /api request starts building the store version's lookup
   index (kg.index) when no server built it before; /api/search is asked until it answers;
4. /api (ours only): search, entity, relations, a strategy's projects, targets, paths.

Prints the peak per phase and appends a table to benchmarks/RESULTS.md with --append.

    .venv/bin/python benchmarks/serve_memory.py --store DIR [--lookups 300] [--append]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_scale import _rss_and_cpu, _tree  # noqa: E402  (the process-tree sampler)
from query_bench import (ENTITY_QUERY, LOOKUP, RESULTS, ROOT, VENV_BIN, free_port,  # noqa: E402
                         named_queries, oxigraph_default_graph)

JSON = {"Accept": "application/sparql-results+json"}
MIB = 2 ** 20


class Sampler(threading.Thread):
    """Peak summed PSS of a process tree, per named phase."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.phase, self.peaks, self.running = pid, "start", {}, True

    def run(self) -> None:
        while self.running:
            total = sum(_rss_and_cpu(p)[0] for p in _tree(self.pid))
            self.peaks[self.phase] = max(self.peaks.get(self.phase, 0), total)
            time.sleep(0.2)


def wait_up(url: str, proc: subprocess.Popen, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited ({proc.returncode})")
        try:
            httpx.get(url, params={"query": "ASK {}"}, headers=JSON, timeout=5)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the server did not come up in time")


def sparql_phase(endpoint: str, lookups: int, timeout: float) -> dict:
    statuses: dict[str, int] = {}
    for name, text in named_queries().items():
        try:
            statuses[name] = httpx.get(endpoint, params={"query": text}, headers=JSON,
                                       timeout=timeout).status_code
        except httpx.TimeoutException:
            statuses[name] = 0  # no answer within the client's patience
        except httpx.TransportError as e:  # the server dropped the connection (or died)
            statuses[name] = f"{type(e).__name__}"
    # Entities of every kind, without ORDER BY: sorting millions of them is not the point here.
    try:
        r = httpx.get(endpoint, params={"query": ENTITY_QUERY.split(" ORDER BY")[0]
                                        + f" LIMIT {lookups}"}, headers=JSON, timeout=timeout)
        statuses["entity list"] = r.status_code
        entities = r.json()["results"]["bindings"] if r.status_code == 200 else []
        for b in entities:
            httpx.get(endpoint, params={"query": LOOKUP.format(iri=b["e"]["value"])},
                      headers=JSON, timeout=timeout)
    except httpx.TransportError as e:
        statuses["entity list"], entities = type(e).__name__, []
    return {"named": statuses, "lookups": len(entities)}


def wait_for_index(base: str, timeout: float, patience: float) -> dict:
    """Ask /api/search until the lookup index of the store version is built (503 meanwhile)."""
    t0 = time.monotonic()
    while True:
        r = httpx.get(base + "/api/search", params={"q": "建设", "limit": 20}, timeout=timeout)
        if r.status_code != 503 or time.monotonic() - t0 > patience:
            return {"status": r.status_code, "seconds": round(time.monotonic() - t0, 1)}
        time.sleep(5)


def api_phase(base: str, timeout: float) -> dict[str, int]:
    statuses = {}
    search = httpx.get(base + "/api/search", params={"q": "建设", "limit": 20}, timeout=timeout)
    statuses["search"] = search.status_code
    items = search.json().get("items", []) if search.status_code == 200 else []
    for item in items[:5]:
        key = urllib.parse.quote(item.get("type", "") + "/" + item.get("key", ""), safe="/")
        statuses["entity"] = httpx.get(f"{base}/api/entities/{key}", timeout=timeout).status_code
        statuses["relations"] = httpx.get(f"{base}/api/entities/{key}/relations",
                                          timeout=timeout).status_code
    strategies = httpx.get(base + "/api/search", params={"q": "战略", "type": "strategy"},
                           timeout=timeout)
    for item in (strategies.json().get("items", []) if strategies.status_code == 200 else [])[:3]:
        statuses["strategy projects"] = httpx.get(
            f"{base}/api/strategies/{urllib.parse.quote(item['key'])}/projects",
            timeout=timeout).status_code
    statuses["targets"] = httpx.get(base + "/api/targets", params={"limit": 50},
                                    timeout=timeout).status_code
    refs = [f"{i['type']}/{i['key']}" for i in items if i.get("type") and i.get("key")]
    for source, target in zip(refs, refs[1:4]):
        statuses["paths"] = httpx.get(base + "/api/paths", params={
            "source": source, "target": target, "max_length": 4}, timeout=timeout).status_code
    return statuses


def measure(store: Path, lookups: int, timeout: float, workdir: Path, log: Path,
            copy_store: bool = True, oxigraph: bool = True, index_patience: float = 3600) -> dict:
    from kg.store import store_info
    copy = store_info(store).version_path  # both open it read-only
    if copy_store and oxigraph:
        copy = workdir / "oxigraph-copy"
        shutil.copytree(store_info(store).version_path, copy)
    ours_port, ox_port = free_port(), free_port()
    ours = subprocess.Popen([str(VENV_BIN / "kg"), "serve", "--store", str(store), "--port",
                             str(ours_port), "--reload-interval", "0"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=open(log, "wb"))
    # without the baseline, a process that sleeps: the same code path, nothing measured
    ox = subprocess.Popen([str(VENV_BIN / "oxigraph"), "serve-read-only", "--location",
                           str(copy), "--bind", f"127.0.0.1:{ox_port}",
                           *oxigraph_default_graph(copy)] if oxigraph else ["sleep", "infinity"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samplers = {"ours": Sampler(ours.pid), "oxigraph": Sampler(ox.pid)}
    for s in samplers.values():
        s.start()
    endpoints = {"ours": f"http://127.0.0.1:{ours_port}/sparql"}
    if oxigraph:
        endpoints["oxigraph"] = f"http://127.0.0.1:{ox_port}/query"
    report: dict = {}
    try:
        for name, url in endpoints.items():
            wait_up(url, ours if name == "ours" else ox)
        time.sleep(3)
        for name, url in endpoints.items():
            samplers[name].phase = "sparql"
            report[f"{name} sparql"] = sparql_phase(url, lookups, timeout)
        samplers["ours"].phase = "index"  # the first /api ask starts the lookup index
        base = f"http://127.0.0.1:{ours_port}"
        try:
            report["ours index"] = wait_for_index(base, timeout, index_patience)
            samplers["ours"].phase = "api"
            report["ours api"] = api_phase(base, timeout)
        except httpx.TransportError as e:  # no answer within the client's patience
            report["ours api"] = {"unanswered": f"{type(e).__name__} after {timeout:g} s"}
        time.sleep(2)
        report["alive"] = {"ours": ours.poll() is None, "oxigraph": ox.poll() is None}
    finally:
        for proc in (ours, ox):
            proc.terminate()
        for proc in (ours, ox):
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        for s in samplers.values():
            s.running = False
    report["peaks"] = {name: dict(s.peaks) for name, s in samplers.items()}
    return report


def markdown(store: Path, report: dict) -> str:
    ours, ox = report["peaks"]["ours"], report["peaks"]["oxigraph"]
    lines = [f"### `kg serve` peak memory, {time.strftime('%Y-%m-%d %H:%M')} "
             f"(store {store}; load average {os.getloadavg()[0]:.1f})",
             "", "| phase | kg serve peak PSS MiB | Oxigraph server peak PSS MiB |",
             "|---|---:|---:|"]
    measured_ox = "oxigraph sparql" in report
    for phase in ("start", "sparql", "index", "api"):
        lines.append(f"| {phase} | {ours.get(phase, 0) / MIB:,.0f} | "
                     + (f"{ox.get(phase, 0) / MIB:,.0f} |" if measured_ox and phase in ox
                        else "— |"))
    lines += ["", f"Named queries, status per query (ours): {report['ours sparql']['named']}; "
              f"Oxigraph: {report.get('oxigraph sparql', {}).get('named', 'not run')} (0: no "
              f"answer within the client's timeout). Lookups: "
              f"{report['ours sparql']['lookups']}. Lookup index: "
              f"{report.get('ours index')}. /api statuses: {report.get('ours api')}. Servers "
              f"still running at the end: {report['alive']}.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--lookups", type=int, default=300)
    ap.add_argument("--timeout", type=float, default=120.0, help="client timeout per request")
    ap.add_argument("--log", type=Path, default=Path("serve-memory.log"),
                    help="where kg serve's log goes (default ./serve-memory.log)")
    ap.add_argument("--no-copy", action="store_true",
                    help="the Oxigraph server reads the store version in place (read-only), "
                         "for a store too large to copy")
    ap.add_argument("--no-oxigraph", action="store_true",
                    help="measure kg serve alone (on 10,000 reports the Oxigraph server grew "
                         "past 14 GB on the named queries)")
    ap.add_argument("--append", action="store_true", help="append the table to RESULTS.md")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="kg-serve-memory-") as tmp:
        report = measure(args.store, args.lookups, args.timeout, Path(tmp), args.log,
                         copy_store=not args.no_copy, oxigraph=not args.no_oxigraph)
    text = markdown(args.store, report)
    print(text)
    if args.append:
        with open(RESULTS, "a", encoding="utf-8") as f:
            f.write("\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
