"""Build-scale benchmark: time per MB, CPU use, peak memory and the triple count, from 10
to N synthetic reports (benchmarks/synthetic_corpus.py), against a floor measured in the
same run on the same files: reading and segmenting them (kg.ingest + kg.structure, on
all cores), the least any build must do.

Each size is built cold (a fresh store and cache) by the real command line,
`python -m kg.cli build DIR --store S --json`, while its process tree is sampled for
memory and CPU time. Results are appended to benchmarks/RESULTS.md (section "Build").

Extraction costs ~20 CPU-seconds per MB, so cold builds of thousands of reports take
hours on two cores. `--seeded N ...` measures the stages after extraction (loading the
cached extractions, resolution, mapping, store) at larger sizes: it makes N cache
entries from the extractions of a cold build (project, organisation and event names
suffixed per copy, so entities multiply as with renamed reports), then builds them.

    python benchmarks/build_scale.py --sizes 10 100 [--corpus /tmp/syn]
    python benchmarks/build_scale.py --seeded 100 1000 --from /tmp/policykg-build-scale/store-100
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
CLK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------- process-tree sampling

def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out.extend(int(c) for c in f.read().split())
    except OSError:
        pass
    return out


def _tree(pid: int) -> list[int]:
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(_children(p))
    return seen


def _rss_and_cpu(pid: int) -> tuple[int, float]:
    """Resident bytes (PSS when readable: shared pages of forked workers count once) and
    CPU seconds of one process."""
    rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    rss = int(line.split()[1]) * 1024
                    break
    except OSError:
        try:
            with open(f"/proc/{pid}/statm") as f:
                rss = int(f.read().split()[1]) * PAGE
        except OSError:
            return 0, 0.0
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / CLK  # utime + stime
    except (OSError, IndexError):
        cpu = 0.0
    return rss, cpu


CODE = ROOT  # where the builds run from: a snapshot of the code for --seeded (see `snapshot`)


def snapshot(work: Path) -> Path:
    """A copy of kg/ and ontology/ that the seeded builds run from: the cache is keyed by a
    hash of the extraction code, so a colleague's commit during a long run would otherwise
    send the build back to extracting every report."""
    code = work / "code"
    shutil.rmtree(code, ignore_errors=True)
    code.mkdir(parents=True)
    for name in ("kg", "ontology"):
        shutil.copytree(ROOT / name, code / name, ignore=shutil.ignore_patterns("__pycache__"))
    (code / ".kg").symlink_to(ROOT / ".kg")  # the installed division dataset and caches
    return code


def run_sampled(cmd: list[str], interval: float = 0.25) -> dict:
    """Run a command; return its wall time and the peak summed PSS of its process tree,
    with the peak of the main process and of the summed workers apart (what grows where)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=CODE)
    peak = peak_main = peak_workers = 0
    while proc.poll() is None:
        sizes = {p: _rss_and_cpu(p)[0] for p in _tree(proc.pid)}
        main = sizes.pop(proc.pid, 0)
        peak = max(peak, main + sum(sizes.values()))
        peak_main, peak_workers = max(peak_main, main), max(peak_workers, sum(sizes.values()))
        time.sleep(interval)
    out, err = proc.communicate()
    return {"wall": time.perf_counter() - t0, "peak_pss": peak, "peak_main": peak_main,
            "peak_workers": peak_workers,
            "returncode": proc.returncode, "stdout": out.decode(), "stderr": err.decode()}


# ---------------------------------------------------------------- the floor

def _read_and_segment(path: Path) -> int:
    from kg.ingest import read_document
    from kg.structure import parse_document

    doc = parse_document(read_document(path))
    return len(doc.sentences)


def floor(files: list[Path], jobs: int) -> float:
    """Seconds to read and segment every file (structure parse), on `jobs` processes."""
    t = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        sum(pool.map(_read_and_segment, files, chunksize=4))
    return time.perf_counter() - t


# ---------------------------------------------------------------- one size

def measure(corpus: Path, n: int, work: Path, jobs: int) -> dict:
    src = sorted(corpus.glob("*.txt"))[:n]
    if len(src) < n:
        raise SystemExit(f"{corpus} holds {len(src)} reports, fewer than {n}")
    folder = work / f"in-{n}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for p in src:
        os.link(p, folder / p.name)
    mb = sum(p.stat().st_size for p in src) / 1e6
    store_dir = work / f"store-{n}"
    shutil.rmtree(store_dir, ignore_errors=True)
    floor_s = floor(sorted(folder.iterdir()), jobs)
    before = _children_cpu()
    r = run_sampled([sys.executable, "-m", "kg.cli", "build", str(folder), "--store", str(store_dir),
                     "--json", "--jobs", str(jobs)])
    cpu = _children_cpu() - before
    if r["returncode"] not in (0, 1):
        raise SystemExit(f"build of {n} failed:\n{r['stderr'][-3000:]}")
    summary = json.loads(r["stdout"])
    from kg.store import open_store

    st = open_store(store_dir)
    held = len(st)
    graphs = sum(1 for _ in st.named_graphs())
    del st
    row = {"n": n, "mb": mb, "wall": r["wall"], "floor": floor_s, "cpu": cpu,
           "cpu_util": cpu / (r["wall"] * jobs), "peak_pss": r["peak_pss"], "peak_main": r["peak_main"], "peak_workers": r["peak_workers"],
           "documents": summary["documents"], "failed": len(summary["failed"]),
           "triples": summary["triples"], "held": held, "graphs": graphs,
           "timings": summary["timings"]}
    return row


def seed_cache(source_store: Path, n: int, folder: Path, store_dir: Path, jobs: int = 1) -> None:
    """N report files whose extractions are already in store_dir's cache (see the module
    doc). Each base extraction is loaded once and copied for every report made from it
    (only the renamed mentions' resolution keys are computed again), on `jobs` processes."""
    from kg import pipeline

    fingerprint = pipeline.code_fingerprint()
    # one extraction per report (any code version: only what follows extraction is measured)
    bases = sorted({p.name.split("-")[0]: p for p in (source_store / "cache").glob("*.pickle")}.values())
    if not bases:
        raise SystemExit(f"{source_store}/cache holds no extraction; "
                         "run a cold build first (--sizes 100)")
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(store_dir, ignore_errors=True)
    folder.mkdir(parents=True)
    from kg.store import init_store_dir

    init_store_dir(store_dir)
    work = [(base, [i for i in range(n) if i % len(bases) == b], folder, store_dir / "cache",
             fingerprint) for b, base in enumerate(bases)]
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_seed_copies, [w for w in work if w[1]]))


def _seed_copies(args: tuple[Path, list[int], Path, Path, str]) -> None:
    """The copies of one base extraction: text tagged (so no copy is dropped as a
    duplicate), project, organisation and event names suffixed with the copy's number."""
    import pickle

    from kg import pipeline
    from kg.model import EntityKind
    from kg.resolve import resolution_key

    base, copies, folder, cache_dir, fingerprint = args
    summary, doc = pipeline.load_cached(base)
    renamed = {EntityKind.PROJECT, EntityKind.ORGANIZATION, EntityKind.EVENT}
    text, stem = doc.text, doc.source.path.stem
    originals = [(m, m.text, m.name) for m in doc.mentions if m.kind in renamed]
    keys = summary.keys.mentions
    for i in copies:
        tag = f"{i:05d}"
        doc.text = text + f"\n{tag}\n"
        for m, t, name in originals:
            m.text, m.name = t + tag, name + tag
        data = doc.text.encode("utf-8")
        path = folder / f"seeded{tag}_{stem}.txt"
        path.write_bytes(data)
        doc.source.path = path
        summary.text_digest = hashlib.sha256(data).hexdigest()
        summary.keys.mentions = [
            (m.kind, resolution_key(m), m.text, m.name, dict(m.attrs)) if m.kind in renamed else k
            for m, k in zip(doc.mentions, keys)]
        with open(pipeline.cache_file_for(data, cache_dir, fingerprint), "wb") as f:
            pickle.dump(summary, f, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(doc, f, protocol=pickle.HIGHEST_PROTOCOL)


def measure_seeded(source_store: Path, n: int, work: Path, jobs: int) -> dict:
    folder, store_dir = work / f"seeded-in-{n}", work / f"seeded-store-{n}"
    t = time.perf_counter()
    seed_cache(source_store, n, folder, store_dir, jobs)
    seeding = time.perf_counter() - t
    mb = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    load_before = os.getloadavg()[0]
    before = _children_cpu()
    r = run_sampled([sys.executable, "-m", "kg.cli", "build", str(folder), "--store", str(store_dir),
                     "--json", "--jobs", str(jobs)])
    cpu = _children_cpu() - before
    if r["returncode"] != 0:
        raise SystemExit(f"seeded build of {n} failed:\n{r['stderr'][-3000:]}")
    summary = json.loads(r["stdout"])
    from kg.store import open_store

    st = open_store(store_dir)
    held, graphs = len(st), sum(1 for _ in st.named_graphs())
    del st
    shutil.rmtree(folder, ignore_errors=True)
    return {"n": n, "mb": mb, "seeding": seeding, "load": [load_before, os.getloadavg()[0]],
            "wall": r["wall"], "cpu": cpu, "cpu_util": cpu / (r["wall"] * jobs),
            "peak_pss": r["peak_pss"], "peak_main": r["peak_main"], "peak_workers": r["peak_workers"], "documents": summary["documents"],
            "cached": summary["cached"], "entities": sum(summary["entities"].values()),
            "triples": summary["triples"], "held": held, "graphs": graphs,
            "timings": summary["timings"]}


def report_seeded(rows: list[dict], jobs: int) -> str:
    base = rows[0]
    lines = [f"\n### Build scale after extraction ({time.strftime('%Y-%m-%d %H:%M')}, {jobs} jobs; "
             "`python benchmarks/build_scale.py --seeded ...`)\n",
             "Every extraction comes from the cache (copies of a cold build's, entities renamed "
             "per copy): this is resolution, mapping and the store, per MB of report text.\n",
             "| reports | MB | entities | wall s | s/MB | ÷ first | CPU s/MB | ÷ first | CPU use "
             "| peak PSS MiB (main + workers) | triples written | held | graphs |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        spm, cpm = r["wall"] / r["mb"], r["cpu"] / r["mb"]
        lines.append(f"| {r['n']} | {r['mb']:.1f} | {r['entities']} | {r['wall']:.1f} | {spm:.2f} | "
                     f"{spm / (base['wall'] / base['mb']):.2f} | {cpm:.2f} | "
                     f"{cpm / (base['cpu'] / base['mb']):.2f} | {r['cpu_util']:.0%} | "
                     f"{r['peak_pss'] / 2**20:.0f} ({r['peak_main'] / 2**20:.0f} + {r['peak_workers'] / 2**20:.0f}) | {r['triples']} | {r['held']} | {r['graphs']} |")
    last = rows[-1]
    stages = ", ".join(f"{k} {v:.1f}" for k, v in last["timings"].items())
    lines.append(f"\nStage seconds at {last['n']} reports: {stages}.\n")
    return "\n".join(lines)


def _children_cpu() -> float:
    import resource

    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def report(rows: list[dict], jobs: int) -> str:
    base = rows[0]
    lines = [f"\n### Build scale ({time.strftime('%Y-%m-%d %H:%M')}, {jobs} jobs, "
             f"{os.cpu_count()} cores; `python benchmarks/build_scale.py`)\n",
             "Cold builds of synthetic reports (benchmarks/synthetic_corpus.py) by `kg build`. "
             "Floor = reading and segmenting the same files on the same cores, same run. "
             f"Per-MB ratio is against the smallest size (goal: ≤ 1.3).\n",
             "| reports | MB | wall s | s/MB | s/MB ÷ first | CPU s/MB | CPU s/MB ÷ first | floor s/MB "
             "| build ÷ floor | CPU use (of all cores) | peak PSS MiB (main + workers) | triples written | held | graphs |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        spm = r["wall"] / r["mb"]
        cpm = r["cpu"] / r["mb"]
        lines.append(f"| {r['n']} | {r['mb']:.1f} | {r['wall']:.1f} | {spm:.2f} | "
                     f"{spm / (base['wall'] / base['mb']):.2f} | {cpm:.2f} | "
                     f"{cpm / (base['cpu'] / base['mb']):.2f} | {r['floor'] / r['mb']:.3f} | "
                     f"{r['wall'] / r['floor']:.0f}× | {r['cpu_util']:.0%} | "
                     f"{r['peak_pss'] / 2**20:.0f} ({r['peak_main'] / 2**20:.0f} + {r['peak_workers'] / 2**20:.0f}) | {r['triples']} | {r['held']} | {r['graphs']} |")
    lines.append("")
    last = rows[-1]
    stages = ", ".join(f"{k} {v:.1f}" for k, v in last["timings"].items())
    lines.append(f"Stage seconds at {last['n']} reports (extraction stages summed over workers): {stages}.\n")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    ap.add_argument("--corpus", type=Path, default=Path("/tmp/policykg-synthetic"))
    ap.add_argument("--work", type=Path, default=Path("/tmp/policykg-build-scale"))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-results", action="store_true", help="do not append to RESULTS.md")
    ap.add_argument("--seeded", type=int, nargs="*", help="sizes built from seeded caches")
    ap.add_argument("--from", dest="source", type=Path,
                    default=Path("/tmp/policykg-build-scale/store-100"),
                    help="a cold-built store whose cache seeds --seeded")
    args = ap.parse_args()
    if args.seeded:
        global CODE
        CODE = snapshot(args.work)
        sys.path.insert(0, str(CODE))  # seeding keys the cache by the snapshot's code
        rows = []
        for n in sorted(args.seeded):
            rows.append(measure_seeded(args.source, n, args.work, args.jobs))
            print(json.dumps(rows[-1]), flush=True)
        text = report_seeded(rows, args.jobs)
        print(text)
        if not args.no_results:
            with open(RESULTS, "a", encoding="utf-8") as f:
                f.write(text)
        return
    need = max(args.sizes)
    if len(list(args.corpus.glob("*.txt"))) < need:
        from synthetic_corpus import generate

        print(f"generating {need} synthetic reports in {args.corpus}", file=sys.stderr)
        generate(args.corpus, need, args.seed)
    rows = []
    for n in sorted(args.sizes):
        row = measure(args.corpus, n, args.work, args.jobs)
        rows.append(row)
        print(json.dumps(row), flush=True)
    text = report(rows, args.jobs)
    print(text)
    if not args.no_results:
        with open(RESULTS, "a", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
