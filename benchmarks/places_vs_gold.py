"""Places found by kg.extract.places against the gold annotations, scored like eval/score.py.

Mentions are grouped into entities the way kg/resolve.py does (by adcode, else by name), and
each entity carries every surface form as a label; gold and predicted entities are matched
one-to-one when their best name similarity is >= 0.75.

    .venv/bin/python benchmarks/places_vs_gold.py [REPORT GOLD.json] [--show]
"""
from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "shared" / "eval"))

from score import best, greedy, prf  # noqa: E402  (the scorer's own matching)

from kg.extract.places import extract_places  # noqa: E402
from kg.model import Document, Sentence, SourceText  # noqa: E402


def load_document(path: Path) -> Document:
    """The parsed document: kg.structure when it exists, else sentences split on 。！？ and lines."""
    try:
        from kg.ingest import read_document
        from kg.structure import parse_document
        return parse_document(read_document(path))
    except ImportError:
        text = path.read_text(encoding="utf-8")
        doc = Document(source=SourceText(path, text, "txt"), text=text)
        for m in re.finditer(r"[^。！？\n]+[。！？]?", text):
            doc.sentences.append(Sentence(len(doc.sentences), m.start(), m.end()))
        return doc


def predicted_entities(doc: Document) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in doc.mentions:
        key = m.attrs.get("adcode") or m.name
        names = out.setdefault(key, [m.name])
        if m.text not in names:
            names.append(m.text)
    return out


def main(argv: list[str]) -> None:
    show = "--show" in argv
    args = [a for a in argv if not a.startswith("--")]
    report = Path(args[0]) if args else ROOT / "data" / "000_418089195a410d60.txt"
    gold_path = Path(args[1]) if len(args) > 1 else ROOT.parent / "shared" / "gold" / "000_418089195a410d60.json"
    gold = json.loads(gold_path.read_text(encoding="utf-8"))["places"]
    doc = load_document(report)
    t0 = time.perf_counter()
    extract_places(doc)
    elapsed = time.perf_counter() - t0
    graph = predicted_entities(doc)
    gnames = [[g["name"], *g.get("aliases", [])] for g in gold]
    cands = [(s, i, e) for i, names in enumerate(gnames) for e, labels in graph.items()
             if (s := best(names, labels)) >= 0.75]
    match = greedy(cands)
    score = prf(len(match), len(graph), len(gold))
    print(f"places: P={score['p']} R={score['r']} F1={score['f1']} "
          f"(tp={score['tp']} pred={score['pred']} gold={score['gold']}) "
          f"mentions={len(doc.mentions)} relations={len(doc.relations)} place={doc.attrs.get('place_name')} "
          f"in {elapsed:.2f}s")
    if show:
        matched = set(match.values())
        print("missed:", " ".join(g["name"] for i, g in enumerate(gold) if i not in match))
        print("extra:", " ".join(f"{v[0]}" + (f"({'/'.join(v[1:])})" if v[1:] else "")
                                 for k, v in graph.items() if k not in matched))


if __name__ == "__main__":
    main(sys.argv[1:])
