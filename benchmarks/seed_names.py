"""Names of the seed reports found in the package: a check that kg/, ontology/, queries/ stay general.

The package must not name the seed district's places, projects, organisations, events or
local slogans (not in rules, word lists, data files, nor in comments and examples). This
script looks for them three ways:

- gold: every name and alias of the gold annotation of data/000 (projects, places, events,
  organisations, and strategies not annotated as national), length >= 3;
- mentions: every project, place, event, organisation and strategy name the pipeline
  itself finds in data/*.txt, length >= 3 (covers the second seed, which has no gold);
- short: the 2-character local places among those mentions and their short forms;
- ngrams (with --ngrams): every CJK string of length >= 3 in the package that occurs in a
  seed report, holds a character pair found in no other report, and occurs in none of the
  83 other real reports (52 national, 31 provincial 2025; the Chongqing report excluded,
  as it is the seed district's own province). Noisy: phrases copied from a seed show up.

A hit is "general" when the name also occurs in the national or non-Chongqing provincial
reports, is a common word of jieba's dictionary, or was reviewed as general (a national
body, company or region: REVIEWED_GENERAL); a local place's 2-character name is general only
as an everyday word. Otherwise it is "LOCAL" and must go. Each hit says where it sits in a .py file: comment, docstring, string (logic)
or code.

    .venv/bin/python benchmarks/seed_names.py            # all hits, LOCAL first
    .venv/bin/python benchmarks/seed_names.py --local    # only LOCAL hits (exit 1 if any)
    .venv/bin/python benchmarks/seed_names.py --ngrams   # plus phrases copied from a seed
"""
from __future__ import annotations

import argparse
import io
import json
import re
import sys
import tokenize
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOLD = Path("/work/shared/gold/000_418089195a410d60.json")
NATIONAL = Path("/work/shared/corpus/national")
PROVINCES = Path("/work/shared/corpus/provinces-2025-docx")
SEED_PROVINCE = "chongqing"  # the seeds' own province: its report is not "elsewhere"
SCANNED = ("kg", "ontology", "queries")
TEXT_SUFFIXES = {".py", ".txt", ".tsv", ".ttl", ".rq", ".md", ".json", ".html", ".js",
                 ".css", ".csv", ".yaml", ".yml", ".toml"}
GOLD_CLASSES = ("projects", "places", "events", "organizations", "strategies")
MENTION_KINDS = ("project", "place", "event", "organization", "strategy")
CJK_RUN = re.compile(r"[\u3400-\u9fff]{3,}")
CJK_WORD = re.compile(r"[\u3400-\u9fff]+")
WIDE_PLACE_TYPES = {"country", "province", "city", "region", "foreign_city", "river"}
COMMON_FREQ = 2000  # a jieba word this frequent is an everyday word (土地, 幸福), as in kg/extract/places.py
PROPER_TAGS = {"ns", "nr", "nrt", "nrfg", "nt", "nz", "j"}  # jieba's tags for names
# Names checked by hand: national or international bodies, companies, regions and
# generic words that happen not to occur in the other 83 reports (word -> why).
REVIEWED_GENERAL: dict[str, str] = {
    # national bodies, international organisations, national companies and newspapers
    "商务部": "national ministry", "国家发改委": "national commission", "IMF": "international organisation",
    "联合国世界旅游组织": "international organisation", "京东物流": "national company",
    "中广核": "national company", "九龙仓": "national company", "碧桂园": "national company",
    # countries, provinces, national regions (kg/data/places: general geography)
    "蒙古国": "country", "重庆市": "province-level municipality (national division list)",
    "渝东南": "sub-provincial region in the all-province list of kg/data/places/regions.tsv",
    "两江新区": "national-level new area (国家级新区), one of the national list",
    "江北": "江北新区 (Jiangsu), a national-level new area", "两江": "everyday word (two rivers)",
    # national strategies and programmes and their common aliases
    "成渝双圈": "alias of a national strategy (成渝地区双城经济圈)",
    "巩固脱贫攻坚和乡村振兴有效衔接": "alias of a national strategy",
    "巩固脱贫攻坚成果": "alias of a national strategy", "扫黑除恶专项行动": "national campaign",
    "保交楼、保民生、保稳定": "national campaign", "耕地地力保护补贴": "national subsidy",
    "农机购置补贴": "national subsidy",
    "2024年国民经济和社会发展计划": "the title every plan report has",
    # generic words: event and project suffixes, everyday words
    "冰雪节": "event suffix", "越野赛": "event suffix", "陈列馆": "project/sector suffix",
    "发改委": "organisation suffix", "全民健身中心": "generic facility", "江口": "everyday word (river mouth)",
    "新华": "新华社, the national news agency", "大水": "大水网 of the Guizhou report",
}
MIN_LEN = 3
MAX_NGRAM = 16  # longer seed strings are still caught by their first 16 characters


def gold_names(path: Path = GOLD) -> set[str]:
    """Names and aliases of the gold annotation (national strategies left out)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for cls in GOLD_CLASSES:
        for item in data.get(cls, []):
            if cls == "strategies" and item.get("level") == "national":
                continue
            for name in [item["name"], *item.get("aliases", [])]:
                name = name.strip("“”\"《》")
                if len(name) >= MIN_LEN:
                    names.add(name)
    return names


def mention_names(seeds: list[Path]) -> tuple[set[str], set[str]]:
    """Names the pipeline itself finds in the seed reports (length >= 3), and the
    2-character local places (county and below, local features) and their short forms."""
    from kg.gazetteer import short_name_of
    from kg.pipeline import process_file
    names: set[str] = set()
    short: set[str] = set()
    for path in seeds:
        result = process_file(path)
        if result.document is None:
            continue
        for m in result.document.mentions:
            if m.kind.value in MENTION_KINDS:
                for name in {m.name, m.text}:
                    name = name.strip("“”\"《》")
                    if len(name) >= MIN_LEN:
                        names.add(name)
                if m.kind.value == "place" and m.attrs.get("place_type") not in WIDE_PLACE_TYPES:
                    forms = {name} | {short_name_of(name, lvl) for lvl in ("district", "town", "village")}
                    short |= {f for f in forms if f and len(f) == 2}
                    if m.attrs.get("adcode"):
                        short.add(m.attrs["adcode"])  # the division code (a key in IRIs and examples)
    return names, short


def docx_text(path: Path) -> str:
    import docx
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.append(" ".join(c.text for c in row.cells))
    return "\n".join(parts)


def elsewhere_text() -> str:
    """The 83 other real reports, one string (national + provinces but the seeds' own)."""
    parts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(NATIONAL.glob("gwr-*.txt"))]
    parts += [docx_text(p) for p in sorted(PROVINCES.glob("*.docx")) if SEED_PROVINCE not in p.name]
    return "\n".join(parts)


def package_files() -> list[Path]:
    files = []
    for top in SCANNED:
        for p in sorted((ROOT / top).rglob("*")):
            if p.is_file() and p.suffix in TEXT_SUFFIXES and "__pycache__" not in p.parts:
                files.append(p)
    return files


def python_line_roles(text: str) -> dict[int, set[str]]:
    """For each line of a Python file, what it holds: comment, docstring, string, code."""
    roles: dict[int, set[str]] = defaultdict(set)
    prev = tokenize.NEWLINE
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                roles[tok.start[0]].add("comment")
            elif tok.type == tokenize.STRING or tok.type == getattr(tokenize, "FSTRING_START", -1):
                role = "docstring" if prev in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                                               tokenize.NL, tokenize.ENCODING) else "string"
                for line in range(tok.start[0], tok.end[0] + 1):
                    roles[line].add(role)
            elif tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                roles[tok.start[0]].add("code")
            if tok.type not in (tokenize.COMMENT, tokenize.NL):
                prev = tok.type
    except (tokenize.TokenError, SyntaxError):
        pass
    return roles


def seed_only_ngrams(text: str, seed_ngrams: set[str], elsewhere: str, cache: dict[str, bool]) -> set[str]:
    """Maximal CJK substrings (length >= 3) of `text` found in a seed and in no other report."""
    found: set[str] = set()
    for run in CJK_RUN.findall(text):
        n = len(run)
        i = 0
        while i <= n - MIN_LEN:
            best = ""
            for j in range(min(n, i + MAX_NGRAM), i + MIN_LEN - 1, -1):  # longest first
                s = run[i:j]
                if s not in cache:
                    cache[s] = s in seed_ngrams and s not in elsewhere
                if cache[s]:
                    best = s
                    break
            if best:
                found.add(best)
                i += len(best)
            else:
                i += 1
    return found


def ngrams(text: str) -> set[str]:
    out: set[str] = set()
    for run in CJK_RUN.findall(text):
        for i in range(len(run)):
            for j in range(i + MIN_LEN, min(len(run), i + MAX_NGRAM) + 1):
                out.add(run[i:j])
    return out


def common_words() -> dict[str, str]:
    """jieba's dictionary words that are not proper names (word -> part of speech)."""
    import jieba.posseg
    from kg.pipeline import load_jieba
    load_jieba()
    jieba.posseg.dt.tokenizer.check_initialized()
    return {w: t for w, t in jieba.posseg.dt.word_tag_tab.items() if t not in PROPER_TAGS}


def distinctive_words(seed_text: str, elsewhere: str, common: dict[str, str]) -> set[str]:
    """Character pairs of the seeds found in no other report and in no common word."""
    pairs = {run[i:i + 2] for run in CJK_WORD.findall(seed_text) for i in range(len(run) - 1)}
    return {p for p in pairs if p not in elsewhere and p not in common}


def why_general(name: str, sources: set[str], elsewhere: str, common: dict[str, str]) -> str:
    if name in REVIEWED_GENERAL:
        return "reviewed: " + REVIEWED_GENERAL[name]
    if sources == {"short"}:  # a local place's 2-character name: only an everyday word is general
        import jieba
        freq = jieba.dt.FREQ.get(name, 0)
        return f"everyday word (jieba {freq})" if name in common and freq >= COMMON_FREQ else ""
    if name in elsewhere:
        return "in other reports"
    if name in common:
        return f"common word ({common[name]})"
    return ""


def scan(names: dict[str, set[str]], seed_text: str, elsewhere: str, with_ngrams: bool) -> list[dict]:
    hits = []
    cache: dict[str, bool] = {}
    seed_ngrams = ngrams(seed_text)
    common = common_words()
    distinctive = distinctive_words(seed_text, elsewhere, common)
    for path in package_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        in_file = {n: s for n, s in names.items() if n in text}
        roles = python_line_roles(text) if path.suffix == ".py" else {}
        for lineno, line in enumerate(text.splitlines(), 1):
            line_names: dict[str, set[str]] = {}
            for name, sources in in_file.items():
                if name in line:
                    line_names[name] = set(sources)
            for s in seed_only_ngrams(line, seed_ngrams, elsewhere, cache) if with_ngrams else ():
                # a seed-only string counts when it holds a word of the seeds' own
                if any(s[i:i + 2] in distinctive for i in range(len(s) - 1)):
                    line_names.setdefault(s, set()).add("ngram")
            # keep the longest: a name inside another name found on the line is the same hit
            for name in sorted(line_names, key=len, reverse=True):
                if any(name != o and name in o for o in line_names):
                    continue
                role = ",".join(sorted(roles.get(lineno, set()))) if roles else "data"
                hits.append({"file": str(path.relative_to(ROOT)), "line": lineno, "name": name,
                             "sources": sorted(line_names[name]), "role": role,
                             "general": why_general(name, line_names[name], elsewhere, common),
                             "text": line.strip()[:110]})
    return hits


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--local", action="store_true", help="only names found in no other report")
    ap.add_argument("--ngrams", action="store_true",
                    help="also seed-only strings that are no name (phrases copied from a seed; noisy)")
    ap.add_argument("--no-mentions", action="store_true", help="skip running the pipeline on the seeds")
    args = ap.parse_args()
    seeds = sorted((ROOT / "data").glob("*.txt"))
    seed_text = "\n".join(p.read_text(encoding="utf-8") for p in seeds)
    names: dict[str, set[str]] = defaultdict(set)
    for n in gold_names():
        names[n].add("gold")
    if not args.no_mentions:
        found, short = mention_names(seeds)
        for n in found:
            names[n].add("mention")
        for n in short:
            names[n].add("short")
    elsewhere = elsewhere_text()
    hits = scan(names, seed_text, elsewhere, args.ngrams)
    hits.sort(key=lambda h: (bool(h["general"]), h["file"], h["line"]))
    local = [h for h in hits if not h["general"]]
    shown = local if args.local else hits
    for h in shown:
        tag = "general" if h["general"] else "LOCAL"
        why = f" <{h['general']}>" if h["general"] else ""
        print(f"{tag:7} {h['file']}:{h['line']} [{h['role']}] {h['name']} "
              f"({'+'.join(h['sources'])}){why}  | {h['text']}")
    print(f"\n{len(local)} LOCAL hits, {len(hits) - len(local)} general hits; "
          f"{len(names)} seed names checked over {', '.join(SCANNED)}")
    return 1 if local else 0


if __name__ == "__main__":
    sys.exit(main())
