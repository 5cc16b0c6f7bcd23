"""Strategies, events and organisations found in a report, measured against gold annotations.

Matching is the scorer's own (/work/shared/eval/score.py, imported by path at run time):
mentions are grouped into entities the way kg/resolve.py does (by normalised name), each
entity carries its names and surfaces as labels, and gold items are matched one-to-one with
name similarity >= 0.75.

    .venv/bin/python benchmarks/entities_vs_gold.py                  # P/R/F1 per class
    .venv/bin/python benchmarks/entities_vs_gold.py --show strategies # plus misses and extras
    .venv/bin/python benchmarks/entities_vs_gold.py --list FILE       # what is found in any report
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.model import Document, EntityKind, Sentence, SourceText  # noqa: E402
from kg.extract.events import extract_events  # noqa: E402
from kg.extract.places import extract_places  # noqa: E402
from kg.extract.organizations import extract_organizations  # noqa: E402
from kg.extract.strategies import extract_strategies  # noqa: E402

SCORE_PY = Path("/work/shared/eval/score.py")
GOLD = Path("/work/shared/gold/000_418089195a410d60.json")
SEED = ROOT / "data" / "000_418089195a410d60.txt"
CLASSES = {"strategies": EntityKind.STRATEGY, "events": EntityKind.EVENT,
           "organizations": EntityKind.ORGANIZATION}


def load_scorer():
    spec = importlib.util.spec_from_file_location("policykg_score", SCORE_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_text(path: Path) -> str:
    if path.suffix == ".docx":
        import docx
        return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    return path.read_text(encoding="utf-8")


def parse(path: Path) -> Document:
    """The project's parser when it exists; else lines split at sentence ends."""
    try:
        from kg.ingest import read_document
        from kg.structure import parse_document
        return parse_document(read_document(path))
    except ImportError:
        pass
    text = read_text(path)
    doc = Document(source=SourceText(path=path, text=text, format=path.suffix[1:]), text=text)
    first = text.strip().splitlines()[0] if text.strip() else ""
    doc.title = first
    m = re.match(r"^(?:\d{4}年)?(.+?(?:省|自治区|市|区|县|旗))", first)
    doc.place_name = m.group(1) if m and "国务院" not in first else ""
    for m in re.finditer(r"[^。！？；\n]+[。！？；]?", text):
        doc.sentences.append(Sentence(index=len(doc.sentences), start=m.start(), end=m.end()))
    return doc


def extract(path: Path) -> Document:
    doc = parse(path)
    # places first, as in kg/pipeline.py: strategies and organisations read place mentions
    for component in (extract_places, extract_strategies, extract_events, extract_organizations):
        doc = component(doc)
    return doc


def entities(doc: Document, kind: EntityKind) -> dict[str, list[str]]:
    """Mentions grouped as kg/resolve.py groups them: name key -> labels."""
    from kg.resolve import normalize_name
    groups: dict[str, set[str]] = defaultdict(set)
    for m in doc.mentions:
        if m.kind is kind:
            groups[normalize_name(m.name)].update({m.name, m.text})
    return {k: sorted(v) for k, v in groups.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--show", choices=list(CLASSES), action="append", default=[])
    ap.add_argument("--list", type=Path, help="list what is found in this report instead")
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--doc", type=Path, default=SEED)
    args = ap.parse_args()
    if args.list:
        doc = extract(args.list)
        for key, kind in CLASSES.items():
            ents = entities(doc, kind)
            print(f"== {key}: {len(ents)}")
            for labels in ents.values():
                print("  ", " | ".join(labels))
        return 0
    score = load_scorer()
    gold = json.loads(args.gold.read_text(encoding="utf-8"))
    doc = extract(args.doc)
    print(f"{'':14}{'P':>7}{'R':>7}{'F1':>7}{'pred':>7}{'gold':>7}")
    for key, kind in CLASSES.items():
        graph = entities(doc, kind)
        match, res = score.match_entities(gold.get(key, []), graph)
        print(f"{key:14}{res['p']:7.3f}{res['r']:7.3f}{res['f1']:7.3f}{res['pred']:7d}{res['gold']:7d}")
        if key in args.show:
            matched = set(match.values())
            print("  missed:", "; ".join(g["name"] for i, g in enumerate(gold[key]) if i not in match))
            print("  extra: ", "; ".join(graph[k][0] for k in graph if k not in matched))
    return 0


if __name__ == "__main__":
    sys.exit(main())
