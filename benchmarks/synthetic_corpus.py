"""Generate N synthetic reports from the real ones, for build-scale benchmarks.

Each synthetic report is a real report (the national reports and provincial DOCX under
../shared/corpus/, and data/) with its places and projects renamed, so that a corpus of
thousands of reports has thousands of distinct projects and places, like a real one:
- every division name of the gazetteer (province, city, district, town; 3+ characters)
  found in the text is replaced by another real division of the same level, the same
  replacement throughout one report;
- every project-like name (Han characters before 项目/工程/枢纽/...) gets the two
  characters before its suffix replaced by two others, again consistently per report.
The output is deterministic for a given seed. Files are written as UTF-8 .txt.

    python benchmarks/synthetic_corpus.py OUT_DIR -n 1000 [--seed 7]
"""
from __future__ import annotations

import argparse
import os
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# the shared corpus beside the checkout, or where $POLICYKG_CORPUS says
CORPUS = Path(os.environ.get("POLICYKG_CORPUS", ROOT.parent / "shared" / "corpus"))
SOURCE_GLOBS = [(CORPUS / "national", "*.txt"), (CORPUS / "provinces-2025-docx", "*.docx"),
                (ROOT / "data", "*.txt")]
# Level → the suffixes a division name of that level ends with (others, such as
# 旅游度假区 listed as a town, are skipped: they read as common words).
LEVELS = {"province": ("省", "自治区", "市"), "city": ("市", "自治州", "地区", "盟"),
          "district": ("区", "县", "市", "旗"), "town": ("镇", "乡", "街道")}
# Two characters before a project suffix that make a generic phrase, not a name.
GENERIC = set("重点 建设 推进 推动 实施 民生 储备 配套 形象 示范 试点 产业 招商 大型 骨干 "
              "一批 系列 重大 新建 续建 开工 竣工 投资 政府 公益 安居 惠民 保障 改造 提升 "
              "水利 交通 能源 生态 环境 基础 设施 城市 农村 乡村 振兴 更新 治理 保护 修复 "
              "计划 民心 品牌 人才 科技 创新 文化 体育 教育 卫生 医疗 养老".split())
# Suffixes that end project names in these reports (general kinds of works).
PROJECT = re.compile(r"([\u4e00-\u9fff]{2,10}?)([\u4e00-\u9fff]{2})"
                     r"(项目|工程|枢纽|水库|大桥|隧道|产业园|园区|基地|电站|机场|港区)")
# Characters that read naturally in names of places and works.
NAME_CHARS = "青松河山云龙泉石金银江湖东西南北安平兴华新丰明阳光宝鹤凤林溪桥川源康泰宁和瑞"


def source_texts() -> list[tuple[str, str]]:
    """(stem, clean text) of every real report, in a fixed order."""
    from kg.ingest import read_document

    out = []
    for folder, pattern in SOURCE_GLOBS:
        for path in sorted(folder.glob(pattern)):
            out.append((path.stem, read_document(path).text))
    return out


class Renamer:
    """Finds gazetteer names in a text and swaps them for others of the same level."""

    def __init__(self):
        from kg.gazetteer import Gazetteer

        gaz = Gazetteer.load()
        self.level_of: dict[str, str] = {}
        self.by_level: dict[str, list[str]] = {lv: [] for lv in LEVELS}
        for div in gaz.divisions.values():
            suffixes = LEVELS.get(div.level, ())
            if (len(div.name) >= 3 and div.name.endswith(suffixes)
                    and div.name not in self.level_of):
                self.level_of[div.name] = div.level
                self.by_level[div.level].append(div.name)
        for names in self.by_level.values():
            names.sort()
        self.max_len = max(map(len, self.level_of))

    @staticmethod
    def short(name: str, level: str) -> str:
        for suffix in LEVELS[level]:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                return name[:-len(suffix)]
        return ""

    def places(self, text: str, rng: random.Random) -> str:
        """Full names found in the text, and their short forms (武隆区 → 武隆), swapped."""
        mapping: dict[str, str] = {}
        n = len(text)
        for i in range(n):
            for length in range(min(self.max_len, n - i), 2, -1):
                name = text[i:i + length]
                level = self.level_of.get(name)
                if level and name not in mapping:
                    new = mapping[name] = rng.choice(self.by_level[level])
                    old_short, new_short = self.short(name, level), self.short(new, level)
                    if old_short and new_short:
                        mapping.setdefault(old_short, new_short)
                    break
        if not mapping:
            return text
        pattern = re.compile("|".join(map(re.escape, sorted(mapping, key=len, reverse=True))))
        return pattern.sub(lambda m: mapping[m.group(0)], text)


def rename_projects(text: str, rng: random.Random) -> str:
    mapping: dict[str, str] = {}

    def swap(m: re.Match) -> str:
        old = m.group(2)
        if old in GENERIC:
            return m.group(0)
        if old not in mapping:
            mapping[old] = rng.choice(NAME_CHARS) + rng.choice(NAME_CHARS)
        return m.group(1) + mapping[old] + m.group(3)

    return PROJECT.sub(swap, text)


def generate(out_dir: Path, n: int, seed: int = 7) -> list[Path]:
    """Write n synthetic reports into out_dir; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = source_texts()
    order = list(range(len(sources)))
    random.Random(seed).shuffle(order)  # any prefix of the corpus mixes national and provincial
    renamer = Renamer()
    paths = []
    for i in range(n):
        stem, text = sources[order[i % len(order)]]
        rng = random.Random(f"{seed}-{i}")
        text = rename_projects(renamer.places(text, rng), rng)
        path = out_dir / f"syn{i:05d}_{stem}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("-n", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    paths = generate(args.out_dir, args.n, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} reports, {size / 1e6:.1f} MB in {args.out_dir}")


if __name__ == "__main__":
    main()
