"""Seed-build benchmark: the two reports of data/ built cold from the command line (goal:
≤ 3 s), beside the floor measured in the same run (a fresh Python that reads and parses
both reports, then loads jieba and segments them), with the stage times the build reports.

Cold means a new store and extraction cache; the installed data (the division dataset
and jieba's table cache under .kg/cache) stay, as after `scripts/run.sh`. The machine is
shared, so each figure is given with the CPU seconds of all the build's processes and the
load average, and the build is read against the floor of the same run.

    python benchmarks/build_seed.py [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data"
FLOOR = """
import sys
from pathlib import Path
from kg.ingest import read_document
from kg.structure import parse_document
from kg.pipeline import load_jieba
import jieba.posseg
docs = [parse_document(read_document(p)) for p in sorted(Path(sys.argv[1]).glob('*.txt'))]
load_jieba()
print(sum(1 for d in docs for _ in jieba.posseg.cut(d.text)))
"""


def _children_cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """Wall and CPU seconds (the command and all its processes) and its output."""
    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed:\n{proc.stderr[-2000:]}")
    return wall, cpu, proc.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    rows = []
    for _ in range(args.runs):
        load = os.getloadavg()[0]
        floor_wall, floor_cpu, _ = timed([sys.executable, "-c", FLOOR, str(SEEDS)])
        work = Path(tempfile.mkdtemp(prefix="kg-seed-"))
        try:
            wall, cpu, out = timed([sys.executable, "-m", "kg.cli", "build", str(SEEDS),
                                    "--store", str(work / "store"), "--json"])
        finally:
            shutil.rmtree(work, ignore_errors=True)
        summary = json.loads(out)
        rows.append({"load": load, "wall": wall, "cpu": cpu, "floor_wall": floor_wall,
                     "floor_cpu": floor_cpu, "triples": summary["triples"],
                     "timings": summary["timings"]})
        print(json.dumps(rows[-1]), flush=True)
    med = {k: statistics.median(r[k] for r in rows)
           for k in ("load", "wall", "cpu", "floor_wall", "floor_cpu")}
    print(f"median of {len(rows)}: build {med['wall']:.2f} s wall, {med['cpu']:.2f} CPU s; "
          f"floor {med['floor_wall']:.2f} s wall, {med['floor_cpu']:.2f} CPU s; "
          f"build ÷ floor {med['wall'] / med['floor_wall']:.2f} (wall), "
          f"{med['cpu'] / med['floor_cpu']:.2f} (CPU); load average {med['load']:.1f}")


if __name__ == "__main__":
    main()
