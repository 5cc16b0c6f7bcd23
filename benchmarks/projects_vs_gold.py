"""Measure project extraction (and its implements/locatedIn links) against gold annotations.

Matching follows /work/shared/eval/score.py, whose norm/sim functions are imported from it
by path at run time: a predicted project matches a gold one when their names are at least
0.75 similar, one-to-one, best first.

Usage: .venv/bin/python benchmarks/projects_vs_gold.py [GOLD.json] [--report PATH] [--show]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCORE_PY = Path("/work/shared/eval/score.py")
GOLD = Path("/work/shared/gold/000_418089195a410d60.json")

from kg.model import Document, EntityKind, Sentence, SourceText  # noqa: E402


def load_score():
    spec = importlib.util.spec_from_file_location("policykg_score", SCORE_PY)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def parse(path: Path) -> Document:
    """The real parser when it exists, else one sentence per 。！？ or line."""
    try:
        from kg.ingest import read_document
        from kg.structure import parse_document
        return parse_document(read_document(path))
    except ImportError:
        text = path.read_text(encoding="utf-8")
        doc = Document(source=SourceText(path=path, text=text, format="txt"), text=text)
        for m in re.finditer(r"[^。！？\n]+[。！？]?", text):
            doc.sentences.append(Sentence(index=len(doc.sentences), start=m.start(), end=m.end()))
        return doc


def run_components(doc: Document) -> Document:
    """Run the components before and including links that exist in this checkout."""
    from kg.pipeline import COMPONENTS, load_component
    for stage, spec in COMPONENTS:
        try:
            doc = load_component(spec)(doc)
        except (ImportError, AttributeError):
            continue
    return doc


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold", nargs="?", default=str(GOLD))
    ap.add_argument("--report", help="report file (default: data/<doc> of the gold file)")
    ap.add_argument("--show", action="store_true", help="print misses and false positives")
    args = ap.parse_args()
    score = load_score()
    gold = json.loads(Path(args.gold).read_text(encoding="utf-8"))
    doc = run_components(parse(Path(args.report or ROOT / "data" / gold["doc"])))

    # one predicted entity per alias key, as the resolver merges them
    from kg.extract.projects import project_alias_key
    from kg.resolve import normalize_name
    names: dict[str, list[int]] = {}
    labels: dict[str, list[str]] = {}
    for i, m in enumerate(doc.mentions):
        if m.kind == EntityKind.PROJECT:
            key = project_alias_key(m.name)
            names.setdefault(key, []).append(i)
            labels.setdefault(key, []).append(m.name)
    graph = labels
    match, res = score.match_entities(gold["projects"], graph)
    print(f"projects   P={res['p']:.3f} R={res['r']:.3f} F1={res['f1']:.3f}  "
          f"(tp={res['tp']} pred={res['pred']} gold={res['gold']})")

    inv_proj = {n: gi for gi, n in match.items()}
    # sectors and status of matched projects (not scored by score.py; a sanity signal)
    codes: dict[str, set[str]] = {}
    for r in doc.relations:
        if r.predicate == "inSector":
            codes.setdefault(project_alias_key(doc.mentions[r.subject].name), set()).add(r.object)
    tp = n_pred = n_gold = same_status = 0
    for gi, key in match.items():
        g = gold["projects"][gi]
        pred_codes, gold_codes = codes.get(key, set()), set(g["sectors"])
        tp, n_pred, n_gold = tp + len(pred_codes & gold_codes), n_pred + len(pred_codes), n_gold + len(gold_codes)
        same_status += doc.mentions[names[key][0]].attrs.get("status") == g["status"]
    sres = score.prf(tp, n_pred, n_gold)
    print(f"sectors    P={sres['p']:.3f} R={sres['r']:.3f} F1={sres['f1']:.3f}  (codes of matched projects)")
    print(f"status     {same_status}/{len(match)} matched projects with the gold status")
    for pred, field, kind, key in [("implements", "strategies", EntityKind.STRATEGY, "strategies"),
                                   ("locatedIn", "places", EntityKind.PLACE, "places")]:
        # one entity per resolver key (quotes and spaces aside), as kg/resolve.py merges them
        others: dict[str, list[str]] = {}
        for m in doc.mentions:
            if m.kind == kind:
                others.setdefault(normalize_name(m.name), []).append(m.name)
        omatch, _ = score.match_entities(gold.get(key, []), others)
        inv_other = {n: gi for gi, n in omatch.items()}
        pairs = {(project_alias_key(doc.mentions[r.subject].name), normalize_name(doc.mentions[r.object].name))
                 for r in doc.relations if r.predicate == pred and isinstance(r.object, int)
                 and doc.mentions[r.subject].kind == EntityKind.PROJECT}
        gpairs = score.gold_links(gold["projects"], field, gold.get(key, []))
        lres = score.match_links(gpairs, pairs, inv_proj, inv_other)
        print(f"{pred:10} P={lres['p']:.3f} R={lres['r']:.3f} F1={lres['f1']:.3f}  "
              f"(tp={lres['tp']} pred={lres['pred']} gold={lres['gold']}; {len(pairs)} pairs, "
              f"{len(others)} {key} mentions)")
    if args.show:
        matched = set(match.values())
        print("\n-- false positives")
        for n in names:
            if n not in matched:
                m = doc.mentions[names[n][0]]
                print("  +", labels[n][0], m.attrs.get("status"), m.rule)
        print("\n-- misses")
        for gi, g in enumerate(gold["projects"]):
            if gi not in match:
                print("  -", g["name"], "|", g["evidence"][:60])
    return 0


if __name__ == "__main__":
    sys.exit(main())
