"""The SPARQL mutation fuzzer of tests/test_fuzz.py, longer and with other seeds.

    .venv/bin/python benchmarks/fuzz_long.py --store STORE [--seeds 1-20] [--mutants 2000]

Starts `kg serve` on STORE (time limit 2 s), sends MUTANTS mutated queries per seed and
prints the statuses; any 5xx other than a timeout/busy 503, any stack trace, malformed error
body or truncated 200 is printed and makes the exit status 1.
"""
from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from test_fuzz import run_mutants  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--seeds", default="1-20", help="a range A-B of seeds")
    ap.add_argument("--mutants", type=int, default=2000)
    args = ap.parse_args()
    first, _, last = args.seeds.partition("-")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(args.store),
                               "--port", str(port), "--timeout", "2", "--reload-interval", "0"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    failures, totals = [], {}
    try:
        for _ in range(600):
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        with httpx.Client(timeout=60) as client:
            for seed in range(int(first), int(last or first) + 1):
                t = time.monotonic()
                report = run_mutants(url, seed, args.mutants, client)
                for status, n in report["statuses"].items():
                    totals[status] = totals.get(status, 0) + n
                failures += report["failures"]
                print(f"seed {seed}: {report['statuses']} in {time.monotonic() - t:.1f} s, "
                      f"{len(report['failures'])} failures", flush=True)
    finally:
        server.terminate()
        server.wait(30)
    for f in failures[:50]:
        print(json.dumps(f, default=repr, ensure_ascii=False))
    print(f"total {sum(totals.values())} requests: {totals}; {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
