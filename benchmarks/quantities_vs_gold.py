"""Targets and observations of one report against its gold annotations.

    .venv/bin/python benchmarks/quantities_vs_gold.py [REPORT.txt GOLD.json] [--show fp|fn|all]
        [--quantities-only]

Runs the build's extraction chain up to kg.extract.quantities (or, with --quantities-only,
parses the report and runs extract_quantities alone) and matches like /work/shared/eval/score.py: same year, same
normalised unit, same value, indicator similarity >= 0.5, one-to-one best first.
Prints P/R/F1 for targets and actuals separately. A development signal only: nothing in
kg/ may be tuned to this one report.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.extract.quantities import extract_quantities  # noqa: E402
from kg.model import (Document, QuantityRole, Section, SectionMode, Sentence,  # noqa: E402
                      SourceText)

SCORE_PY = Path("/work/shared/eval/score.py")
DEFAULT_REPORT = ROOT / "data" / "000_418089195a410d60.txt"
DEFAULT_GOLD = Path("/work/shared/gold/000_418089195a410d60.json")


def load_scorer():
    spec = importlib.util.spec_from_file_location("score", SCORE_PY)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def fallback_document(path: Path) -> Document:
    """Sentences split at 。！？ and line ends; parts at 一、 headings, year and mode from them."""
    text = path.read_text(encoding="utf-8")
    doc = Document(source=SourceText(path=path, text=text, format="txt"), text=text)
    heads = [m for m in re.finditer(r"^[一二三四五六七八九十]+、(.*)$", text, re.M)]
    bounds = [m.start() for m in heads] + [len(text)]
    doc.sections.append(Section(0, 0, 0, bounds[0], "", 0))
    for i, m in enumerate(heads):
        y = re.search(r"(20\d\d)年", m.group(1))
        mode = SectionMode.REVIEW if re.search(r"执行情况|回顾|过去", m.group(1)) else SectionMode.PLAN
        doc.sections.append(Section(i + 1, 1, m.start(), bounds[i + 1], m.group(1), m.end(),
                                    year=int(y.group(1)) if y else None, mode=mode))
    years = sorted({s.year for s in doc.sections if s.year})
    doc.review_years = [s.year for s in doc.sections if s.year and s.mode == SectionMode.REVIEW][:1]
    doc.plan_years = [y for y in years if y not in doc.review_years][:1]
    for m in re.finditer(r"[^。！？\n]+[。！？]?", text):
        sec = max(i for i, b in enumerate([0] + [h.start() for h in heads]) if b <= m.start())
        doc.sentences.append(Sentence(len(doc.sentences), m.start(), m.end(), section=sec))
    return doc


def parse(path: Path) -> Document:
    try:
        from kg.structure import parse_document
    except ImportError:
        return fallback_document(path)
    from kg.ingest import read_document
    return parse_document(read_document(path))


def extract_all(path: Path) -> Document:
    """The build's extraction chain up to quantities (their subjects and the named
    facilities they skip come from the mentions found before them)."""
    from kg.pipeline import COMPONENTS, process_file
    res = process_file(path, components=[c for c in COMPONENTS if c[0] != "links"])
    if res.document is None:
        raise SystemExit(res.error)
    return res.document


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("report", nargs="?", type=Path, default=DEFAULT_REPORT)
    ap.add_argument("gold", nargs="?", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--show", choices=["fp", "fn", "all"], help="list unmatched items")
    ap.add_argument("--quantities-only", dest="pipeline", action="store_false",
                    help="run extract_quantities alone (no mentions from the other extractors)")
    args = ap.parse_args()
    score = load_scorer()
    gold = json.loads(args.gold.read_text(encoding="utf-8"))
    doc = extract_all(args.report) if args.pipeline else extract_quantities(parse(args.report))
    for key, role in (("targets", QuantityRole.TARGET), ("actuals", QuantityRole.OBSERVATION)):
        preds = [q for q in doc.quantities if q.role is role and q.year is not None]
        graph = [{"indicator": [q.indicator], "year": str(q.year), "value": str(q.value),
                  "unit": q.unit} for q in preds]
        gl = gold.get(key, [])
        cands = []
        for i, g in enumerate(gl):
            gv, gu, gy = score.number(g["value"]), score.norm(g["unit"]), score.year_of(g["year"])
            for j, q in enumerate(graph):
                if score.year_of(q["year"]) == gy and score.norm(q["unit"]) == gu and score.number(q["value"]) == gv:
                    s = score.best([g["indicator"]], q["indicator"])
                    if s >= score.INDICATOR_MATCH:
                        cands.append((s, i, j))
        match = score.greedy(cands)
        r = score.prf(len(match), len(graph), len(gl))
        print(f"{key:8} P {r['p']:.3f}  R {r['r']:.3f}  F1 {r['f1']:.3f}  (tp {r['tp']}, pred {r['pred']}, gold {r['gold']})")
        if args.show in ("fn", "all"):
            for i, g in enumerate(gl):
                if i not in match:
                    print(f"  FN {g['line']:>4} {g['indicator']} {g['value']}{g['unit']} {g['year']} | {g['evidence']}")
        if args.show in ("fp", "all"):
            used = set(match.values())
            for j, q in enumerate(preds):
                if j not in used:
                    line = doc.text.count("\n", 0, q.start) + 1
                    print(f"  FP {line:>4} {q.indicator} {q.value}{q.unit} {q.year} [{q.measure.value}] | {q.text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
