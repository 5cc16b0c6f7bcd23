"""Light distinct queries: where the time goes between the Oxigraph server and ours.

Runs the `light` scenario of query_bench.py (distinct entity lookups, each text unique) at
1, 8 and 64 connections against, on copies of one store version and in the same run:
- the Oxigraph server (`oxigraph serve-read-only`), the anchor;
- the floor: benchmarks/light_floor_app.py, a bare RSGI app on Granian (1 and 2 processes)
  that only runs the query and writes Oxigraph's JSON — no policykg code at all;
- our server (`kg serve`, uvicorn and granian fronts).
The ratios of the floor say how much of the gap any Python front keeps, whatever our server
does; the rest is ours.

    .venv/bin/python benchmarks/light_floor.py [--store DIR] [--duration 4]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import query_bench as qb  # noqa: E402


def start_floor(store: Path, port: int, processes: int) -> subprocess.Popen:
    env = dict(os.environ, PROBE_STORE=str(store))
    return subprocess.Popen(
        [str(qb.VENV_BIN / "granian"), "--interface", "rsgi", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(processes), "--no-ws", "--log-level", "warning",
         "light_floor_app:app"],
        cwd=Path(__file__).resolve().parent, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", type=Path, help="a built store (default: build the seeds)")
    ap.add_argument("--duration", type=float, default=4.0)
    ap.add_argument("--connections", default="1,8,64")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="kg-light-floor-"))
    procs: list[subprocess.Popen] = []
    servers: list[qb.Servers] = []
    try:
        store = args.store or qb.build_seed_store(work)
        uvicorn = qb.Servers(store, work / "u")
        servers.append(uvicorn)
        granian = qb.Servers(store, work / "g", http_server="granian")
        servers.append(granian)
        endpoints = {"oxigraph": uvicorn.ox, "ours (uvicorn)": uvicorn.ours,
                     "ours (granian)": granian.ours}
        for processes in (1, 2):
            port = qb.free_port()
            procs.append(start_floor(uvicorn.ox_copy, port, processes))
            endpoints[f"floor, {processes} process{'es' if processes > 1 else ''}"] = \
                f"http://127.0.0.1:{port}/sparql"
        for url in endpoints.values():
            qb.wait_http(url + "?query=" + urllib.parse.quote("ASK {}"))
        mix = qb.query_mix(qb.entity_iris(uvicorn.ox))["light"]
        load = os.getloadavg()[0]
        print(f"light distinct, {len(mix)} lookups, {args.duration:g} s each, load {load:.1f}")
        print("| connections | " + " | ".join(endpoints) + " |")
        print("|---:|" + "---:|" * len(endpoints))
        for c in (int(x) for x in args.connections.split(",")):
            runs = {}
            for name, url in endpoints.items():
                base, paths = qb.sparql_paths(url, mix)
                runs[name] = qb.wrk(base, paths, c, args.duration, True, work)
            ox = runs["oxigraph"].rps
            cells = [f"{runs['oxigraph'].rps:,.0f} req/s, p50 {runs['oxigraph'].p50:.2f} ms"]
            cells += [f"{r.rps:,.0f} (**{r.rps / ox:.2f}×**), p50 {r.p50:.2f} ms"
                      for name, r in runs.items() if name != "oxigraph"]
            print(f"| {c} | " + " | ".join(cells) + " |", flush=True)
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)
        for s in servers:
            s.close()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
