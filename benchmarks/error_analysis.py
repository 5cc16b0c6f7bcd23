"""Link errors (implements, locatedIn) of one report against its gold, sorted by cause.

The per-entity benchmarks list missed and spurious entities; this script explains the link
figures, which depend on both ends: a gold link is lost when its project is not found, when
its strategy/place is not found, or when both are found but the link is not drawn. Matching
is score.py's own (imported by path), run on the in-process pipeline like projects_vs_gold.py.

    .venv/bin/python benchmarks/error_analysis.py [GOLD.json] [--examples N]
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from projects_vs_gold import GOLD, load_score, parse, run_components  # noqa: E402

from kg.model import EntityKind  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold", nargs="?", default=str(GOLD))
    ap.add_argument("--examples", type=int, default=6)
    args = ap.parse_args()
    score = load_score()
    gold = json.loads(Path(args.gold).read_text(encoding="utf-8"))
    doc = run_components(parse(ROOT / "data" / gold["doc"]))

    from kg.extract.projects import project_alias_key
    from kg.resolve import normalize_name
    projects: dict[str, list[str]] = {}
    for m in doc.mentions:
        if m.kind == EntityKind.PROJECT:
            projects.setdefault(project_alias_key(m.name), []).append(m.name)
    pmatch, _ = score.match_entities(gold["projects"], projects)
    inv_p = {k: gi for gi, k in pmatch.items()}

    for pred, field, kind in [("implements", "strategies", EntityKind.STRATEGY),
                              ("locatedIn", "places", EntityKind.PLACE)]:
        others: dict[str, list[str]] = {}
        for m in doc.mentions:
            if m.kind == kind:
                others.setdefault(normalize_name(m.name), []).append(m.name)
        omatch, _ = score.match_entities(gold.get(field, []), others)
        inv_o = {k: gi for gi, k in omatch.items()}
        rules: dict[tuple[str, str], set[str]] = {}
        for r in doc.relations:
            if r.predicate == pred and isinstance(r.object, int) and doc.mentions[r.subject].kind == EntityKind.PROJECT:
                key = (project_alias_key(doc.mentions[r.subject].name), normalize_name(doc.mentions[r.object].name))
                rules.setdefault(key, set()).add(r.rule)
        pairs = set(rules)
        gpairs = score.gold_links(gold["projects"], field, gold.get(field, []))
        mapped = {(inv_p[a], inv_o[b]) for a, b in pairs if a in inv_p and b in inv_o}
        gname = lambda i: gold["projects"][i]["name"]  # noqa: E731
        oname = lambda j: gold[field][j]["name"]  # noqa: E731

        missed: dict[str, list[str]] = {}
        for gi, gj in sorted(gpairs - mapped):
            cause = ("project not found" if gi not in pmatch else
                     f"{kind.value} not found" if gj not in omatch else "both found, no link")
            missed.setdefault(cause, []).append(f"{gname(gi)} -> {oname(gj)}")
        spurious: dict[str, list[str]] = {}
        for a, b in sorted(pairs):
            if a in inv_p and b in inv_o:
                if (inv_p[a], inv_o[b]) not in gpairs:
                    spurious.setdefault("both in gold, pair not in gold", []).append(
                        f"{projects[a][0]} -> {others[b][0]}")
            else:
                cause = "project not in gold" if a not in inv_p else f"{kind.value} not in gold"
                spurious.setdefault(cause + " (not scored)", []).append(f"{projects[a][0]} -> {others[b][0]}")
        tp = len(gpairs & mapped)
        print(f"== {pred}: tp={tp} scored_pred={len(mapped)} gold={len(gpairs)}")
        # which rules draw the scored links, right and wrong (a pair drawn by two rules counts for both)
        by_rule: dict[str, list[int]] = {}
        for (a, b), rs in rules.items():
            if a in inv_p and b in inv_o:
                for rule in rs:
                    by_rule.setdefault(rule, [0, 0])[(inv_p[a], inv_o[b]) not in gpairs] += 1
        print("  by rule (right/wrong):", "; ".join(f"{r} {t}/{f}" for r, (t, f) in sorted(by_rule.items())))
        for title, groups in (("missed", missed), ("spurious", spurious)):
            for cause, items in sorted(groups.items(), key=lambda kv: -len(kv[1])):
                print(f"  {title:8} {len(items):4}  {cause}")
                for x in items[:args.examples]:
                    print(f"{'':18}{x}")
        # which gold strategies/places carry most missed links: the rule families to look at
        top = Counter(x.split(" -> ")[1] for items in missed.values() for x in items).most_common(8)
        print("  most-missed objects:", "; ".join(f"{n} ({c})" for n, c in top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
