"""Incremental-build benchmark: a full cold build of a corpus, then rebuilds after changing
one report and after adding one, each as a share of the full build (goal: ≤ 5%).

The corpus is every report under ../shared/corpus/ (national .txt, provincial .docx) plus
data/. Builds run through the command line (`python -m kg.cli build ... --json`), the way
users run them; wall and CPU time of each are measured in the same run.
Results are appended to benchmarks/RESULTS.md (section "Build").

    python benchmarks/build_incremental.py [--work /tmp/policykg-incremental] [--no-results]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the shared corpus beside the checkout, or where $POLICYKG_CORPUS says
CORPUS = Path(os.environ.get("POLICYKG_CORPUS", ROOT.parent / "shared" / "corpus"))
RESULTS = ROOT / "benchmarks" / "RESULTS.md"


def corpus_files() -> list[Path]:
    return (sorted((CORPUS / "national").glob("*.txt"))
            + sorted((CORPUS / "provinces-2025-docx").glob("*.docx"))
            + sorted((ROOT / "data").glob("*.txt")))


def _cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def kg_build(folder: Path, store_dir: Path, *extra: str) -> dict:
    cpu0, t0 = _cpu(), time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(folder),
                           "--store", str(store_dir), "--json", *extra],
                          capture_output=True, text=True, cwd=ROOT)
    wall, cpu = time.perf_counter() - t0, _cpu() - cpu0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"kg build failed:\n{proc.stderr[-3000:]}")
    summary = json.loads(proc.stdout)
    return {"wall": wall, "cpu": cpu, "documents": summary["documents"],
            "cached": summary["cached"], "reused": summary.get("graphs_reused", 0),
            "patched": summary.get("patched", False), "triples": summary["triples"],
            "timings": summary["timings"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/policykg-incremental"))
    ap.add_argument("--no-results", action="store_true")
    args = ap.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    reports = args.work / "reports"
    reports.mkdir(parents=True)
    files = corpus_files()
    added = files.pop(files.index(CORPUS / "national" / "gwr-2024.txt"))
    for p in files:
        shutil.copy(p, reports / p.name)
    mb = sum(p.stat().st_size for p in files) / 1e6
    store_dir = args.work / "store"

    rows = []
    full = kg_build(reports, store_dir)
    rows.append(("full cold build", full))
    rows.append(("rebuild, nothing changed", kg_build(reports, store_dir)))
    changed = reports / "gwr-2010.txt"
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("农业", "农林业", 3), encoding="utf-8")
    rows.append(("rebuild, one report changed", kg_build(reports, store_dir)))
    shutil.copy(added, reports / added.name)
    rows.append(("rebuild, one report added", kg_build(reports, store_dir)))
    scratch = kg_build(reports, args.work / "scratch", "--no-cache")
    rows.append(("same corpus from scratch (no cache)", scratch))
    same = rows[-2][1]["triples"] == scratch["triples"]

    for name, r in rows:
        print(json.dumps({"step": name, **r}), flush=True)
    lines = [f"\n### Incremental build ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores; "
             "`python benchmarks/build_incremental.py`)\n",
             f"Corpus: {len(files)} reports ({mb:.1f} MB: national .txt, provincial .docx, data/), "
             "built by `kg build --json`. Goal: a rebuild after one change ≤ 5% of the full build.\n",
             "| step | wall s | CPU s | ÷ full (wall) | ÷ full (CPU) | extracted | graphs reused | patched | triples |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in rows:
        lines.append(f"| {name} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['wall'] / full['wall']:.1%} | "
                     f"{r['cpu'] / full['cpu']:.1%} | {r['documents'] - r['cached']} | {r['reused']} | "
                     f"{'yes' if r['patched'] else 'no'} | {r['triples']} |")
    lines.append(f"\nThe store after the last rebuild holds the same number of triples as the "
                 f"build from scratch: {'yes' if same else 'NO'} (tests/test_build_incremental.py "
                 "checks that the content is equal).\n")
    text = "\n".join(lines)
    print(text)
    if not args.no_results:
        with open(RESULTS, "a", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
