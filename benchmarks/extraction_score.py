#!/usr/bin/env python3
"""Extraction quality, measured from outside as the contract says.

Builds the given reports (default: data/) into a fresh store, serves it over SPARQL
(`kg serve`, or the native Oxigraph server with --server oxigraph), runs
../shared/eval/score.py against the gold file(s) and appends the figures to
benchmarks/extraction-results.md.

    .venv/bin/python benchmarks/extraction_score.py [--server kg|oxigraph] [GOLD.json ...]
"""
from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
RESULTS = ROOT / "benchmarks" / "extraction-results.md"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold", nargs="*", type=Path,
                    default=sorted((SHARED / "gold").glob("*.json")))
    ap.add_argument("--data", type=Path, default=ROOT / "data")
    ap.add_argument("--server", choices=("kg", "oxigraph"), default="kg")
    ap.add_argument("--no-append", action="store_true",
                    help="print the figures without appending them to extraction-results.md")
    args = ap.parse_args()
    bin_ = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        subprocess.run([bin_ / "kg", "build", str(args.data), "--store", str(store)], check=True,
                       stdout=subprocess.DEVNULL)
        port = free_port()
        if args.server == "kg":
            cmd = [bin_ / "kg", "serve", "--store", str(store), "--port", str(port)]
        else:
            cmd = [bin_ / "oxigraph", "serve-read-only", "--location", str(store / "current"),
                   "--bind", f"127.0.0.1:{port}"]  # its default graph: the merge of all
        server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}/sparql" if args.server == "kg" else f"http://127.0.0.1:{port}/query"
            wait_for(url)
            out = subprocess.run([sys.executable, str(SHARED / "eval" / "score.py"), "--endpoint", url,
                                  "--json", *map(str, args.gold)], check=True, capture_output=True, text=True)
        finally:
            server.terminate()
            server.wait()
    result = json.loads(out.stdout)
    total = result["total"]
    lines = [f"## {time.strftime('%Y-%m-%d %H:%M')} — {', '.join(g.name for g in args.gold)}", "",
             "| class | P | R | F1 | pred | gold |", "|---|---|---|---|---|---|"]
    for k, v in total.items():
        lines.append(f"| {k} | {v['p']:.3f} | {v['r']:.3f} | {v['f1']:.3f} | {v['pred']} | {v['gold']} |")
    lines += ["", f"macro-F1: **{result['macro_f1']:.3f}**", "", ""]
    text = "\n".join(lines)
    print(text)
    if not args.no_append:
        with open(RESULTS, "a", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
