"""One canonical key per measured quantity, across reports and years.

Owns indicator identity: 规上工业增加值 and 规模以上工业增加值 are one indicator, as are
社零总额 and 社会消费品零售总额, 全区GDP增速 and 地区生产总值. Synonyms of general statistics
terms are data (data/indicators.tsv); the rules here strip what varies with the sentence,
not the quantity: area and period prefixes (全区, 全年), reporting verbs (实现, 完成), the
growth suffix (增速, 增长) and punctuation. National and regional output stay apart.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

SYNONYMS_FILE = Path(__file__).parent / "data" / "indicators.tsv"

# Words before an indicator that say where/when/how it was reported, not what it measures.
PREFIXES = (
    "全区", "全市", "全省", "全县", "全州", "全盟", "全镇", "全国", "全年", "今年", "当年",
    "年度", "实现", "完成", "同比", "其中", "累计", "力争", "预计", "确保", "推动", "带动",
)
# Words after an indicator that name its change rather than the quantity itself.
SUFFIXES = ("同比增长率", "增长率", "同比增长", "增速", "增幅", "增长", "涨幅", "年均增长")
PUNCTUATION = re.compile(r"[\s“”‘’\"'「」『』《》〈〉·•、,，。:：;；!！?？]")
# Whole-area words inside an indicator (占全区GDP比重) never tell two indicators apart.
AREA_WORDS = re.compile(r"全(?:区|市|省|县|州|盟|镇|国)(?=.)")


@lru_cache(maxsize=1)
def synonym_table() -> tuple[re.Pattern, dict[str, str], dict[str, str]]:
    """(pattern of the 'part' forms, longest first; part form -> canonical;
    whole form -> canonical)."""
    parts: dict[str, str] = {}
    wholes: dict[str, str] = {}
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        canonical, written, scope = (line.split("\t") + ["whole"])[:3]
        (parts if scope == "part" else wholes)[_fold(written)] = _fold(canonical)
    forms = sorted(parts, key=len, reverse=True)
    return re.compile("|".join(re.escape(f) for f in forms)), parts, wholes


def _fold(text: str) -> str:
    """NFKC (全角 -> 半角, （ -> ( ), upper-case Latin (gdp -> GDP)."""
    return unicodedata.normalize("NFKC", text).upper().replace(" ", "")


def normalize_indicator(text: str) -> str:
    """The canonical key of an indicator as worded: '全区规上工业增加值增速' -> '规模以上工业增加值'."""
    s = PUNCTUATION.sub("", _fold(text))
    changed = True
    while changed and s:
        changed = False
        for p in PREFIXES:
            if s.startswith(p) and len(s) > len(p) + 1:
                s, changed = s[len(p):], True
        for suf in SUFFIXES:
            if s.endswith(suf) and len(s) > len(suf) + 1:
                s, changed = s[: -len(suf)], True
    s = AREA_WORDS.sub("", s) or s
    pattern, parts, wholes = synonym_table()
    if s in wholes:
        return wholes[s]
    s = pattern.sub(lambda m: parts[m.group()], s)
    return wholes.get(s, s)
