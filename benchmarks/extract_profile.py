"""Extraction CPU profile: read → parse → each pipeline component over a set of reports,
with CPU seconds (time.process_time, not wall: the machine is shared) per component and
per megabyte of report text, and a canonical fingerprint of everything extraction produced.

The components and their order are kg.pipeline's (COMPONENTS, load_component); this script
only times them. The fingerprint lists, per report, every mention, quantity and relation
(with offsets, names, attributes, rules) plus the document fields extraction may touch,
in a stable JSON form, so two versions of the code can be compared report by report:

    python benchmarks/extract_profile.py                        # seeds + a dozen corpus reports
    python benchmarks/extract_profile.py --all --fingerprint before.json
    python benchmarks/extract_profile.py --all --fingerprint after.json
    python benchmarks/extract_profile.py --compare before.json after.json
    python benchmarks/extract_profile.py --profile extract.prof  # cProfile of the components
    python benchmarks/extract_profile.py --kg-root /tmp/old      # time another copy of kg/

Read and parse are timed too, as the floor beside segmentation.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from dataclasses import fields, is_dataclass
from decimal import Decimal
from enum import Enum
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data"
CORPUS = ROOT.parent / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus")


def all_reports() -> list[Path]:
    """The 85 real reports: the seeds, the national and the provincial corpus."""
    return (sorted(SEEDS.glob("*.txt")) + sorted((CORPUS / "national").glob("gwr-*.txt"))
            + sorted((CORPUS / "provinces-2025-docx").glob("*.docx")))


def default_reports() -> list[Path]:
    """The seeds and a dozen corpus reports spread over years and provinces."""
    national = sorted((CORPUS / "national").glob("gwr-*.txt"))
    provincial = sorted((CORPUS / "provinces-2025-docx").glob("*.docx"))
    return (sorted(SEEDS.glob("*.txt")) + national[::len(national) // 7 or 1][:7]
            + provincial[::len(provincial) // 5 or 1][:5])


def canonical(value):
    """A JSON-ready form of model objects: dataclasses as field dicts, enums by value,
    decimals as strings (exact), paths by name."""
    if is_dataclass(value):
        return {f.name: canonical(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Path):
        return value.name
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, set):
        return sorted(canonical(v) for v in value)
    return value


def fingerprint_of(doc) -> dict:
    """Everything extraction produced for one document (tokens excepted: the pipeline
    drops them), with the text and structure as digests."""
    record = {}
    for f in fields(doc):
        if f.name in ("tokens", "source"):
            continue
        value = getattr(doc, f.name)
        if f.name == "text":
            record["text_sha256"] = hashlib.sha256(value.encode()).hexdigest()
        elif f.name in ("sections", "columns", "sentences"):
            blob = json.dumps(canonical(value), ensure_ascii=False, sort_keys=True)
            record[f"{f.name}_sha256"] = hashlib.sha256(blob.encode()).hexdigest()
        else:
            record[f.name] = canonical(value)
    record["source_warnings"] = list(doc.source.warnings)
    blob = json.dumps(record, ensure_ascii=False, sort_keys=True)
    record["sha256"] = hashlib.sha256(blob.encode()).hexdigest()
    return record


def run(paths: list[Path], repeat: int, profile: str | None):
    """Run the pipeline over the reports; CPU seconds per stage (best of `repeat` for each
    report and stage), text megabytes, and each report's last Document."""
    from kg.ingest import read_document
    from kg.pipeline import COMPONENTS, load_component, load_jieba
    from kg.structure import parse_document

    load_jieba()
    components = [(stage, load_component(spec)) for stage, spec in COMPONENTS]
    # the first call of each component loads its tables (gazetteer, lexicons): not per MB
    t = time.process_time()
    warm = parse_document(read_document(paths[0]))
    for _, fn in components:
        warm = fn(warm)
    warm_up = time.process_time() - t

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    cpu: dict[str, float] = {}
    megabytes = 0.0
    docs = {}
    for path in paths:
        best: dict[str, float] = {}
        for _ in range(repeat):
            t = time.process_time()
            source = read_document(path)
            t1 = time.process_time()
            doc = parse_document(source)
            t2 = time.process_time()
            times = {"read": t1 - t, "parse": t2 - t1}
            for stage, fn in components:
                t = time.process_time()
                if profiler is not None and stage != "segment":
                    profiler.enable()
                    doc = fn(doc)
                    profiler.disable()
                else:
                    doc = fn(doc)
                times[stage] = time.process_time() - t
            for stage, s in times.items():
                best[stage] = min(best.get(stage, s), s)
        for stage, s in best.items():
            cpu[stage] = cpu.get(stage, 0.0) + s
        megabytes += len(doc.text.encode()) / 1e6
        doc.tokens = None
        docs[path] = doc
    if profiler is not None:
        profiler.dump_stats(profile)
    return cpu, megabytes, docs, warm_up


def compare(a: str, b: str) -> int:
    """Report by report (those in both files): same sha256, or the first differing field."""
    old = json.loads(Path(a).read_text())
    new = json.loads(Path(b).read_text())
    same = differ = 0
    for name in sorted(set(old) & set(new)):
        if old[name]["sha256"] == new[name]["sha256"]:
            same += 1
            continue
        differ += 1
        for key in sorted(set(old[name]) | set(new[name])):
            if key == "sha256" or old[name].get(key) == new[name].get(key):
                continue
            o, n = old[name].get(key), new[name].get(key)
            if isinstance(o, list) and isinstance(n, list):
                first = next((i for i, (x, y) in enumerate(zip(o, n)) if x != y), min(len(o), len(n)))
                print(f"{name}: {key} differ ({len(o)} vs {len(n)} items; first at {first}:"
                      f" {o[first] if first < len(o) else None} vs {n[first] if first < len(n) else None})")
            else:
                print(f"{name}: {key} differ: {str(o)[:200]} vs {str(n)[:200]}")
    missing = len(set(old) ^ set(new))
    print(f"{same} reports identical, {differ} differ" + (f", {missing} in one file only" if missing else ""))
    return 1 if differ else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reports", nargs="*", type=Path, help="report files (default: seeds + a dozen)")
    ap.add_argument("--all", action="store_true", help="all 85 real reports")
    ap.add_argument("--repeat", type=int, default=1, help="runs per report (best CPU is kept)")
    ap.add_argument("--fingerprint", help="write the canonical output of every report here")
    ap.add_argument("--profile", help="write a cProfile of the extract components here")
    ap.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"), help="compare two fingerprints")
    ap.add_argument("--kg-root", help="import kg from this directory (another copy of the code)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = ap.parse_args()
    if args.compare:
        raise SystemExit(compare(*args.compare))
    if args.kg_root:
        sys.path.insert(0, str(Path(args.kg_root).resolve()))
        os.environ.setdefault("KG_CACHE_DIR", str(ROOT / ".kg" / "cache"))
    else:
        sys.path.insert(0, str(ROOT))
    paths = args.reports or (all_reports() if args.all else default_reports())
    cpu, megabytes, docs, warm_up = run(paths, args.repeat, args.profile)
    extract = sum(s for stage, s in cpu.items() if stage not in ("read", "parse", "segment"))
    if args.json:
        print(json.dumps({"reports": len(paths), "mb": round(megabytes, 4), "cpu": cpu,
                          "extract": extract, "warm_up": warm_up}))
    else:
        print(f"{len(paths)} reports, {megabytes:.2f} MB of text; first-call tables {warm_up:.2f} CPU s")
        print(f"{'stage':<14}{'CPU s':>9}{'CPU s/MB':>10}")
        for stage, s in cpu.items():
            print(f"{stage:<14}{s:>9.2f}{s / megabytes:>10.2f}")
        print(f"{'extract_*':<14}{extract:>9.2f}{extract / megabytes:>10.2f}")
        total = sum(cpu.values())
        print(f"{'total':<14}{total:>9.2f}{total / megabytes:>10.2f}")
    if args.fingerprint:
        out = {p.name: fingerprint_of(d) for p, d in docs.items()}
        Path(args.fingerprint).write_text(json.dumps(out, ensure_ascii=False, sort_keys=True))
        print(f"fingerprint of {len(out)} reports written to {args.fingerprint}")


if __name__ == "__main__":
    main()
