"""Query-service benchmark: the policykg server against Oxigraph's own Rust server.

Both servers serve copies of the same store on loopback; the same client (wrk, with a Lua
script written here) sends the same query mix at 1, 8 and 64 connections. Three scenarios:

- repeated: the named queries in queries/*.rq plus entity lookups, re-issued (dashboards);
- heavy: distinct multi-join aggregates (the named GROUP BY queries, each request made unique
  by a trailing comment, so no cache can answer it);
- light: distinct entity lookups (`SELECT ?p ?o { <entity> ?p ?o }`, made unique the same way).

Figures are RATIOS against the Oxigraph server measured in the same run (the machines are
shared and noisy). `/api/*` lookups are measured at 32 connections when those routes exist.

    .venv/bin/python benchmarks/query_bench.py [--store DIR] [--duration 5] [--append]

Needs `wrk` (Debian: apt-get install wrk) and the `oxigraph` command (PyPI oxigraph).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTION = "## Query service"
JSON_ACCEPT = "application/sparql-results+json"

# Goals of issue 6: (minimum throughput ratio, p99 must be <= Oxigraph's)
GOALS = {"repeated": (1.5, True), "heavy": (0.9, False), "light": (0.5, False)}

HEAVY_SECONDS = 15.0  # heavy queries take 0.1-0.4 s each: enough of them must finish
LOOKUP = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"
ENTITY_QUERY = """PREFIX kgo: <https://w3id.org/policykg/ontology#>
SELECT ?e WHERE { VALUES ?t { kgo:Project kgo:Strategy kgo:Place kgo:Indicator kgo:Organization }
  ?e a ?t } ORDER BY ?e"""

# wrk script: cycle through the request paths of paths.txt; each thread starts at its own
# offset; with UNIQUE a comment "#t<thread>n<counter>" makes every query text distinct.
WRK_LUA = r"""
local paths, counter, tid = {}, 0, 0
local accept = "%(accept)s"
local unique = %(unique)s
local threads_made = 0
function setup(thread)
  threads_made = threads_made + 1
  thread:set("tid", threads_made)
end
function init(args)
  for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
  counter = (tid or 1) * 7919
end
function request()
  counter = counter + 1
  local path = paths[(counter %% #paths) + 1]
  if unique then path = path .. "%%0A%%23t" .. tid .. "n" .. counter end
  return wrk.format("GET", path, {["Accept"] = accept})
end
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%f, "p50": %%f, "p99": %%f, "non2xx": %%d, "socket": %%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
"""


@dataclass
class Run:
    requests: int
    seconds: float
    p50: float  # milliseconds
    p99: float
    non2xx: int
    socket: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def oxigraph_default_graph(version_path: Path) -> list[str]:
    """The Oxigraph server's flag for the dataset our server reads: none for a version whose
    default graph holds the merge of its named graphs (kg.store), its union for an older one."""
    import pyoxigraph

    from kg.store import default_graph_options
    return (["--union-default-graph"]
            if default_graph_options(pyoxigraph.Store.read_only(str(version_path))) else [])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                r.read()
                return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:g} s")


def get(url: str, accept: str = JSON_ACCEPT) -> bytes:
    req = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.read()


class Servers:
    """The Oxigraph server and ours, each on a copy of one store version, on loopback."""

    def __init__(self, store: Path, workdir: Path, http_processes: int = 1,
                 query_workers: int = 0, http_server: str = "uvicorn"):
        from kg.store import store_info
        info = store_info(store)
        self.ox_copy = workdir / "oxigraph-copy"
        shutil.copytree(info.version_path, self.ox_copy)
        self.ox_port, self.our_port = free_port(), free_port()
        self.procs: list[subprocess.Popen] = []
        self.procs.append(subprocess.Popen(
            [str(VENV_BIN / "oxigraph"), "serve-read-only", "--location", str(self.ox_copy),
             "--bind", f"127.0.0.1:{self.ox_port}", *oxigraph_default_graph(self.ox_copy)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        # Our server as `kg serve` runs it, without the per-request access log.
        self.procs.append(subprocess.Popen(
            [sys.executable, str(ROOT / "benchmarks" / "query_server.py"), str(store),
             str(self.our_port), str(http_processes), str(query_workers), http_server],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(workdir / "server.log", "wb")))
        self.ox = f"http://127.0.0.1:{self.ox_port}/query"
        self.ours = f"http://127.0.0.1:{self.our_port}/sparql"
        wait_http(self.ox + "?query=" + urllib.parse.quote("ASK {}"))
        wait_http(self.ours + "?query=" + urllib.parse.quote("ASK {}"))

    def close(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def named_queries() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))}


def entity_iris(endpoint: str) -> list[str]:
    body = json.loads(get(endpoint + "?query=" + urllib.parse.quote(ENTITY_QUERY)))
    return [b["e"]["value"] for b in body["results"]["bindings"]]


def query_mix(iris: list[str]) -> dict[str, list[str]]:
    named = named_queries()
    heavy = [q for q in named.values() if "GROUP BY" in q.upper()]
    step = max(1, len(iris) // 11)
    some = iris[::step][:11]
    return {
        "repeated": list(named.values()) + [LOOKUP.format(iri=i) for i in some],
        "heavy": heavy,
        "light": [LOOKUP.format(iri=i) for i in iris],
    }


def rows_of(endpoint: str, query: str) -> int:
    return len(json.loads(get(endpoint + "?query=" + urllib.parse.quote(query)))
               ["results"]["bindings"])


def drain(endpoint: str, limit: float = 120.0) -> None:
    """Wait until the server answers a fresh trivial query quickly: queries that a previous
    run left queued (its clients gone) must not count against the next run."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        t = time.perf_counter()
        get(endpoint + "?query=" + urllib.parse.quote(f"ASK {{}} #{time.monotonic_ns()}"))
        if time.perf_counter() - t < 0.05:
            return
        time.sleep(0.5)


def check_same_answers(servers: Servers, queries: list[str]) -> None:
    """Both servers must answer every query of the mix with the same number of rows."""
    for q in queries:
        a, b = rows_of(servers.ox, q), rows_of(servers.ours, q)
        if a != b:
            raise RuntimeError(f"row counts differ (oxigraph {a}, ours {b}) for:\n{q}")


def wrk(base_url: str, paths: list[str], connections: int, duration: float, unique: bool,
        workdir: Path, accept: str = JSON_ACCEPT) -> Run:
    paths_file = workdir / "paths.txt"
    paths_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
    script = workdir / "bench.lua"
    script.write_text(WRK_LUA % {"paths": paths_file, "unique": "true" if unique else "false",
                                 "accept": accept}, encoding="utf-8")
    threads = min(connections, 2)
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration:g}s",
         "--timeout", "30s", "-s", str(script), base_url],
        capture_output=True, text=True, timeout=duration + 120)
    line = next((l for l in out.stdout.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result:\n{out.stdout}\n{out.stderr}")
    return Run(**json.loads(line[len("RESULT "):]))


def sparql_paths(endpoint: str, queries: list[str]) -> tuple[str, list[str]]:
    parsed = urllib.parse.urlsplit(endpoint)
    base = f"{parsed.scheme}://{parsed.netloc}"
    return base, [parsed.path + "?query=" + urllib.parse.quote(q, safe="") for q in queries]


def bench_scenarios(servers: Servers, mix: dict[str, list[str]], connections: list[int],
                    duration: float, workdir: Path, scenarios: list[str]) -> list[dict]:
    rows = []
    for scenario in scenarios:
        unique = scenario != "repeated"
        for c in connections:
            runs = {}
            for name, endpoint in (("oxigraph", servers.ox), ("ours", servers.ours)):
                base, paths = sparql_paths(endpoint, mix[scenario])
                drain(endpoint)
                if scenario == "repeated":  # dashboards: each query was asked before
                    for q in mix[scenario]:
                        get(endpoint + "?query=" + urllib.parse.quote(q))
                    # ... by every serving process (each keeps its own cache): steady state
                    wrk(base, paths, 8, 2.0, False, workdir)
                seconds = max(duration, HEAVY_SECONDS) if scenario == "heavy" else duration
                runs[name] = wrk(base, paths, c, seconds, unique, workdir)
            rows.append({"scenario": scenario, "connections": c, **runs})
            o, x = runs["ours"], runs["oxigraph"]
            print(f"{scenario:9} c={c:<3} ours {o.rps:8.0f}/s p50 {o.p50:7.2f} p99 {o.p99:7.2f} ms"
                  f" | oxigraph {x.rps:8.0f}/s p50 {x.p50:7.2f} p99 {x.p99:7.2f} ms"
                  f" | ratio {o.rps / max(x.rps, 1e-9):5.2f}"
                  + (f" | errors ours {o.non2xx + o.socket} ox {x.non2xx + x.socket}"
                     if o.non2xx + o.socket + x.non2xx + x.socket else ""), flush=True)
    return rows


def api_paths(servers: Servers, iris: list[str]) -> list[str] | None:
    """Paths of /api/* lookups when the server has them (from its OpenAPI description)."""
    try:
        spec = json.loads(get(f"http://127.0.0.1:{servers.our_port}/openapi.json",
                              "application/json"))
    except Exception:
        return None
    api = [p for p in spec.get("paths", {}) if p.startswith("/api/")]
    if not api:
        return None
    paths = []
    for p in api:
        if "{" not in p:
            paths.append(p)
        elif p.count("{") == 1 and ("iri" in p or "id" in p or "key" in p):
            for iri in iris[:50]:
                tail = iri.rsplit("/id/", 1)[-1]
                param = p[p.index("{"):p.index("}") + 1]
                value = iri if "iri" in param else tail.rsplit("/", 1)[-1]
                if ":path}" in param or "/" not in value:
                    paths.append(p.replace(param, urllib.parse.quote(value, safe="/")))
    ok = []
    for path in paths:
        try:
            get(f"http://127.0.0.1:{servers.our_port}{path}", "application/json")
            ok.append(path)
        except Exception:
            continue
    return ok or None


def markdown(rows: list[dict], api: Run | None, api_count: int, meta: dict) -> str:
    lines = [f"### Run {meta['date']} ({meta['cpus']} CPUs, {meta['triples']} triples, "
             f"{meta['duration']:g} s per measurement, wrk; {meta['note']})", "",
             "| scenario | conns | ours req/s | Oxigraph req/s | **ratio** | goal | ours p50 / p99 ms "
             "| Oxigraph p50 / p99 ms | p99 ratio | ours non-2xx | met |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|"]
    for r in rows:
        o, x = r["ours"], r["oxigraph"]
        ratio = o.rps / max(x.rps, 1e-9)
        p99_ratio = o.p99 / max(x.p99, 1e-9)
        goal, p99_goal = GOALS[r["scenario"]]
        met = ratio >= goal and (not p99_goal or p99_ratio <= 1.0) and not (o.non2xx + o.socket)
        lines.append(
            f"| {r['scenario']} | {r['connections']} | {o.rps:,.0f} | {x.rps:,.0f} | "
            f"**{ratio:.2f}×** | ≥{goal}×{' & p99≤' if p99_goal else ''} | "
            f"{o.p50:.2f} / {o.p99:.2f} | {x.p50:.2f} / {x.p99:.2f} | {p99_ratio:.2f} | "
            f"{o.non2xx + o.socket} | "
            f"{'yes' if met else 'NO'} |")
    if api is not None:
        met = api.p50 <= 5 and api.p99 <= 50 and not api.non2xx
        lines += ["", f"/api/* lookups ({api_count} distinct paths), 32 connections: "
                  f"{api.rps:,.0f} req/s, p50 {api.p50:.2f} ms, p99 {api.p99:.2f} ms "
                  f"(goal p50 ≤ 5 ms, p99 ≤ 50 ms: {'met' if met else 'NOT met'})"]
    else:
        lines += ["", "/api/* lookups: no /api/ routes in this server yet; not measured."]
    return "\n".join(lines) + "\n"


def append_results(text: str) -> None:
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if SECTION not in current:
        current = current.rstrip("\n") + f"\n\n{SECTION}\n\nWritten by benchmarks/query_bench.py.\n"
    # Insert this run at the end of our section (before the next "## " heading, if any).
    start = current.index(SECTION)
    nxt = current.find("\n## ", start + len(SECTION))
    end = len(current) if nxt < 0 else nxt + 1
    section = current[start:end].rstrip("\n") + "\n\n" + text
    RESULTS.write_text(current[:start] + section + ("\n" + current[end:] if nxt >= 0 else ""),
                       encoding="utf-8")


def build_seed_store(workdir: Path) -> Path:
    store = workdir / "store"
    subprocess.run([str(VENV_BIN / "kg"), "build", str(ROOT / "data"), "--store", str(store)],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return store


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, help="a built store (default: build data/ afresh)")
    ap.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    ap.add_argument("--connections", default="1,8,64")
    ap.add_argument("--scenarios", default="repeated,heavy,light")
    ap.add_argument("--http-processes", type=int, default=1,
                    help="HTTP processes of our server (each with its own cache)")
    ap.add_argument("--http-server", choices=("uvicorn", "granian"), default="uvicorn",
                    help="our server's HTTP front, as `kg serve --http-server`")
    ap.add_argument("--query-workers", type=int, default=0,
                    help="query worker processes (default: the server's, cores + 1)")
    ap.add_argument("--append", action="store_true", help="append the table to RESULTS.md")
    ap.add_argument("--note", default="", help="a note for the results heading")
    args = ap.parse_args(argv)
    if shutil.which("wrk") is None:
        print("error: wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="kg-query-bench-") as tmp:
        workdir = Path(tmp)
        store = args.store or build_seed_store(workdir)
        servers = Servers(store, workdir, args.http_processes, args.query_workers,
                          args.http_server)
        try:
            iris = entity_iris(servers.ox)
            mix = query_mix(iris)
            check_same_answers(servers, mix["repeated"] + mix["heavy"] + mix["light"][:20])
            triples = json.loads(get(servers.ox + "?query=" + urllib.parse.quote(
                "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")))["results"]["bindings"][0]["n"]["value"]
            rows = bench_scenarios(servers, mix, [int(c) for c in args.connections.split(",")],
                                   args.duration, workdir, args.scenarios.split(","))
            api, paths = None, api_paths(servers, iris)
            if paths:
                wrk(f"http://127.0.0.1:{servers.our_port}", paths, 4, 1.0, False, workdir,
                    "application/json")
                api = wrk(f"http://127.0.0.1:{servers.our_port}", paths, 32, args.duration,
                          False, workdir, "application/json")
                print(f"api       c=32  {api.rps:8.0f}/s p50 {api.p50:.2f} p99 {api.p99:.2f} ms")
        finally:
            servers.close()
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(), "triples": triples,
            "duration": args.duration,
            "note": (args.note or f"{args.http_processes} {args.http_server} process(es)")
            + f"; load average {load_before:.1f} at start, {os.getloadavg()[0]:.1f} at end"}
    text = markdown(rows, api, len(paths or []), meta)
    print(text)
    if args.append:
        append_results(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
