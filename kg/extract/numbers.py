"""Number phrases as these reports write them: value, unit as written, comparator, range.

Owns the surface forms of quantities: Arabic and Chinese numerals (十万, 二十余, 三千多),
fractions (三分之一, 一半), ratios (2.35：1, 12.1：38.1：49.8), ranges (5%—6%, 1—2家),
magnitude-prefixed units kept as written (273.46亿元, 1.68万个), and the comparator words
around a number (以上 / 控制在…以内 / 左右). It also decides which digits are *not*
quantities (years, dates, ordinals, codes, slogans in quotes) so that callers only see
measurable amounts. What a number measures is the business of `quantities.py`.

Text is assumed normalised (half-width digits and %).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from kg.model import Comparator

UNITS_FILE = Path(__file__).parent / "data" / "units.tsv"

# Magnitude prefixes written before a unit and kept in it (亿元, 万人次, 千万元).
MAGNITUDES = ("万亿", "千万", "百万", "万", "亿")

# Comparator words after the number phrase (longest first).
POST_COMPARATORS = (
    ("及以上", Comparator.GE), ("以上", Comparator.GE),
    ("及以下", Comparator.LE), ("以下", Comparator.LE), ("以内", Comparator.LE),
    ("之内", Comparator.LE), ("左右", Comparator.APPROX), ("上下", Comparator.APPROX),
)
# Comparator words directly before the number (checked after stripping 在/到/至/达).
PRE_COMPARATORS = (
    ("不低于", Comparator.GE), ("不少于", Comparator.GE), ("超过", Comparator.GE),
    ("突破", Comparator.GE), ("高于", Comparator.GE), ("多于", Comparator.GE),
    ("不超过", Comparator.LE), ("不高于", Comparator.LE), ("低于", Comparator.LE),
    ("少于", Comparator.LE), ("控制在", Comparator.LE), ("控制到", Comparator.LE),
    ("压减到", Comparator.LE), ("压减至", Comparator.LE),
    ("大约", Comparator.APPROX), ("约", Comparator.APPROX), ("近", Comparator.APPROX),
    ("超", Comparator.GE),  # 新投产亿元以上项目超270个 (after 超过, which is matched first)
)
# 余 / 多 after a number (7920余人, 三千多) mean "a little more than".
MORE_THAN = "余多"
RANGE_SEPARATORS = "—–-~～至到"
# Characters after a number that make it a date, year, edition or code, not a quantity.
NON_QUANTITY_AFTER = "年月日号时届"
# Verbs after which a bare Chinese numeral (一个, 两家) is a counted goal, not an idiom
# or slogan (两个确立, 一次性, 五位一体).
COUNT_VERBS = (
    "招引", "新增", "建成", "打造", "培育", "引进", "新建", "建设", "实施", "启动", "创建",
    "完成", "达到", "达", "新开", "开通", "举办", "设立", "组建", "增加", "减少", "累计",
    "共", "超过", "突破", "约", "近", "新培育", "认定", "获批", "争创", "创成", "新开工",
)

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}

# Full-width forms met in text that skipped ingest normalisation (增长５％左右, 2.35：1 stays).
_HALF_WIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                             "％": "%", "．": ".", "－": "-", "～": "~", "／": "/", "＋": "+"})

ARABIC = r"\d+(?:\.\d+)?"
CHINESE = r"[零〇一二两三四五六七八九十百千万亿]+"
NUMBER_RE = re.compile(rf"{ARABIC}|{CHINESE}")
FRACTION_RE = re.compile(rf"({ARABIC}|{CHINESE})分之({ARABIC}|{CHINESE})")
RATIO_RE = re.compile(rf"(?<![\d.])({ARABIC})[:：]({ARABIC})(?:[:：]({ARABIC}))?(?![\d.])")
HALF_RE = re.compile(r"一半")
# 百分之十二点五 in older reports: read as a percentage (unit %).
PERCENT_CN_RE = re.compile(r"百分之([零〇一二两三四五六七八九十百]+)(?:[点點]([零〇一二三四五六七八九]+))?")


@dataclass(frozen=True)
class NumberPhrase:
    """One quantity as written: '3000亿元以上' -> value 3000, unit 亿元, comparator ge."""

    start: int  # span of the phrase, comparator words included
    end: int
    value: Decimal
    unit: str  # exactly as written after the number ('' for ratios of three parts)
    comparator: Comparator = Comparator.EQ
    value_max: Decimal | None = None  # upper bound of a range
    family: str = ""  # percent | money | count | amount | time | ratio | fraction
    num_start: int = -1  # span of the number itself (without comparator words)
    part: int | None = None  # position inside a multi-part ratio (12.1：38.1：49.8)
    text: str = ""


@lru_cache(maxsize=1)
def unit_table() -> dict[str, str]:
    """unit -> family, from data/units.tsv."""
    table = {}
    for line in UNITS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        unit, family = line.split("\t")[:2]
        table[unit] = family
    return table


@lru_cache(maxsize=1)
def _units_longest_first() -> list[str]:
    return sorted(unit_table(), key=len, reverse=True)


@lru_cache(maxsize=1)
def _units_by_length() -> tuple[tuple[int, frozenset[str]], ...]:
    """The units grouped by length, longest first: at one position at most one unit of each
    length can start, so this finds the unit a scan of _units_longest_first() finds."""
    units = _units_longest_first()
    return tuple((n, frozenset(u for u in units if len(u) == n))
                 for n in sorted({len(u) for u in units}, reverse=True))


def parse_chinese_numeral(s: str) -> Decimal | None:
    """十万 -> 100000, 二十 -> 20, 三千五百 -> 3500, 二〇二四 -> 2024; None if not a numeral."""
    if not s or any(c not in _CN_DIGITS and c not in _CN_SMALL and c not in _CN_BIG for c in s):
        return None
    if all(c in _CN_DIGITS for c in s) and len(s) > 1:  # digit by digit: 二〇二四
        return Decimal("".join(str(_CN_DIGITS[c]) for c in s))
    total, section, digit = 0, 0, None
    for c in s:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[c]
            digit = None
        else:  # 万 / 亿 closes a section
            section += digit or 0
            total = (total + section) * _CN_BIG[c] if c == "亿" else total + section * _CN_BIG[c]
            section, digit = 0, None
    return Decimal(total + section + (digit or 0))


def _in_ten_thousands(numeral: str) -> Decimal | None:
    """A numeral written with 亿 before a 万 unit (一亿一千四百多万吨), counted in 万."""
    head, _, tail = numeral.rpartition("亿")
    hi, lo = parse_chinese_numeral(head) or Decimal(1), parse_chinese_numeral(tail) if tail else Decimal(0)
    return None if lo is None else hi * 10_000 + lo


def parse_number(s: str) -> Decimal | None:
    """An Arabic or Chinese numeral as a Decimal that keeps the written precision."""
    try:
        return Decimal(s)
    except InvalidOperation:
        return parse_chinese_numeral(s)


def match_unit(text: str, pos: int) -> str:
    """The unit written at text[pos:], magnitude prefix included; '' if none."""
    mag = next((m for m in MAGNITUDES if text.startswith(m, pos)), "")
    rest = pos + len(mag)
    for n, units in _units_by_length():
        if text[rest:rest + n] in units:
            return mag + text[rest:rest + n]
    return mag


def unit_family(unit: str) -> str:
    base = unit
    for m in MAGNITUDES:
        if base.startswith(m) and base != m:
            base = base[len(m):]
            break
    return unit_table().get(base, "amount" if base in MAGNITUDES else "")


def _pre_comparator(text: str, start: int) -> tuple[Comparator, int]:
    """A comparator word right before the number (控制在3%, 超过100家); returns its start."""
    head = text[max(0, start - 6):start]
    for filler in ("", "在", "到", "至", "达", "了"):
        if filler and not head.endswith(filler):
            continue
        h = head[: len(head) - len(filler)] if filler else head
        for word, cmp in PRE_COMPARATORS:
            if h.endswith(word):
                return cmp, start - len(filler) - len(word)
    return Comparator.EQ, start


def _post_comparator(text: str, pos: int) -> tuple[Comparator | None, int]:
    for word, cmp in POST_COMPARATORS:
        if text.startswith(word, pos):
            return cmp, pos + len(word)
    return None, pos


def _inside_short_quote(text: str, pos: int) -> bool:
    """Inside “...” of a slogan or name (“7个专项行动”, “1+4”), not a measured amount."""
    left = text.rfind("“", max(0, pos - 15), pos)
    if left < 0 or "”" in text[left:pos]:
        return False
    right = text.find("”", pos, pos + 15)
    return right >= 0


def _is_code_context(text: str, start: int, end: int) -> bool:
    """Part of an identifier: PM2.5, 5G, G65, 4A, 1+4, 1/3 written with a slash."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if before and (before.isascii() and before.isalpha() or before in "+·.×*/#"):
        return True
    if after and after in "+×*#" or (after == "/" and end + 1 < len(text) and text[end + 1].isdigit()):
        return True
    return bool(after) and after.isascii() and after.isalpha() and match_unit(text, end) == ""


def _chinese_numeral_allowed(text: str, start: int, value: Decimal, has_more: bool,
                             cmp: Comparator | None) -> bool:
    """Chinese numerals are quantities only where the context says 'a number of things'."""
    if has_more or cmp is not None:
        return True
    head = text[max(0, start - 4):start]
    return any(head.endswith(v) for v in COUNT_VERBS)


def find_number_phrases(text: str) -> list[NumberPhrase]:
    """Every quantity phrase in `text`, left to right, non-quantities skipped."""
    text = text.translate(_HALF_WIDTH)  # one character for one: offsets stay valid
    phrases: list[NumberPhrase] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(p: NumberPhrase) -> None:
        phrases.append(p)
        taken.append((p.start, p.end))

    for m in RATIO_RE.finditer(text):
        if _is_code_context(text, m.start(), m.end()) or _inside_short_quote(text, m.start()):
            continue
        parts = [(g, m.start(i + 1)) for i, g in enumerate(m.groups()) if g is not None]
        if len(parts) == 2 and parts[1][0] == "1":
            add(NumberPhrase(m.start(), m.end(), Decimal(parts[0][0]), text[m.end(1):m.end()],
                             family="ratio", num_start=m.start(), text=m.group()))
        else:
            for i, (g, s) in enumerate(parts):
                phrases.append(NumberPhrase(s, s + len(g), Decimal(g), "", family="ratio",
                                            num_start=s, part=i, text=m.group()))
            taken.append((m.start(), m.end()))

    for m in PERCENT_CN_RE.finditer(text):
        whole = parse_chinese_numeral(m.group(1))
        if whole is None:
            continue
        digits = "".join(str(_CN_DIGITS[c]) for c in m.group(2) or "")
        value = Decimal(f"{whole}.{digits}") if digits else whole
        post, end = _post_comparator(text, m.end())
        pre, pre_start = _pre_comparator(text, m.start())
        start = pre_start if pre != Comparator.EQ else m.start()
        add(NumberPhrase(start, end, value, "%", post or pre, family="percent",
                         num_start=m.start(), text=text[start:end]))
    for m in FRACTION_RE.finditer(text):
        den, num = parse_number(m.group(1)), parse_number(m.group(2))
        if den and num is not None and free(m.start(), m.end()):
            value = (num / den).quantize(Decimal("0.0001"))
            post, end = _post_comparator(text, m.end())  # 三分之一左右
            pre, pre_start = _pre_comparator(text, m.start())
            start = pre_start if pre != Comparator.EQ else m.start()
            add(NumberPhrase(start, end, value, "", post or pre, family="fraction",
                             num_start=m.start(), text=text[start:end]))
    for m in HALF_RE.finditer(text):
        if free(m.start(), m.end()) and not text.startswith("一半", m.start() + 1):
            add(NumberPhrase(m.start(), m.end(), Decimal("0.5"), "", family="fraction",
                             num_start=m.start(), text=m.group()))

    for m in NUMBER_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        p = _phrase_at(text, m)
        if p is not None and free(p.start, p.end):
            add(p)
    return sorted(phrases, key=lambda p: (p.num_start, p.part or 0))


def _split_chinese_magnitude(text: str, m: re.Match) -> tuple[str, int]:
    """'十万人' -> numeral '十', unit starts at 万 (so it reads like 10万人)."""
    s, end = m.group(), m.end()
    if len(s) > 1 and s[-1] in "万亿":
        unit = match_unit(text, end - 1)
        if len(unit) > 1 or (end < len(text) and text[end] in MORE_THAN):
            return s[:-1], end - 1
    return s, end


def _phrase_at(text: str, m: re.Match) -> NumberPhrase | None:
    start = m.start()
    raw, end = m.group(), m.end()
    chinese = not raw[0].isdigit()
    if chinese:
        raw, end = _split_chinese_magnitude(text, m)
        if raw in ("万", "亿", "千", "百", "十"):
            return None
    if start > 0 and text[start - 1] == "第":
        return None  # ordinal: 第十九届, 第4次
    if _is_code_context(text, start, end) or _inside_short_quote(text, start):
        return None
    value = parse_number(raw)
    if value is None:
        return None
    pos = end
    more = pos < len(text) and text[pos] in MORE_THAN
    if more:
        pos += 1
    unit = match_unit(text, pos)
    pos += len(unit)
    if chinese and "亿" in raw[:-1] and unit.startswith("万") and not unit.startswith("万亿"):
        # 七亿七千多万吨: the 亿 part counts in the unit's 万 too -> 77000 万吨
        value = _in_ten_thousands(raw) or value
    if more is False and unit and unit[-1] in "万亿" and pos < len(text) and text[pos] in MORE_THAN:
        more, pos = True, pos + 1  # 3万余人: unit continues after 余
        rest = match_unit(text, pos)
        unit, pos = unit + rest, pos + len(rest)

    value_max = None
    if pos < len(text) and text[pos] in RANGE_SEPARATORS:
        m2 = NUMBER_RE.match(text, pos + 1)
        if m2 and m2.group()[0].isdigit() == (not chinese):
            v2 = parse_number(m2.group())
            p2 = m2.end()
            unit2 = match_unit(text, p2)
            if v2 is not None and (unit2 == unit or (not unit and unit2)) and v2 >= value:
                if p2 + len(unit2) < len(text) and text[p2 + len(unit2)] in NON_QUANTITY_AFTER:
                    return None  # 2023—2025年, 1—6月
                value_max, unit, pos = v2, unit2, p2 + len(unit2)
    if pos < len(text) and text[pos] in NON_QUANTITY_AFTER and not unit:
        return None
    if not unit:
        return None
    family = unit_family(unit)
    if chinese and family == "percent" and unit not in ("成", "倍"):
        return None
    post, pos = _post_comparator(text, pos)
    pre, pre_start = _pre_comparator(text, start)
    if chinese and not _chinese_numeral_allowed(text, start, value, more, post):
        return None
    cmp = post or (Comparator.GE if more else pre)
    if post is None and more:
        cmp = Comparator.GE
    phrase_start = pre_start if pre != Comparator.EQ else start
    return NumberPhrase(phrase_start, pos, value, unit, cmp, value_max, family,
                        num_start=start, text=text[phrase_start:pos])
