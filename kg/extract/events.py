"""Event extraction: named festivals, fairs, forums, competitions, meetings and campaigns of days.

Rule families, each over one sentence:
- suffix: a name ending in an event word (音乐节, 博览会, 论坛, 公开赛, 工作会议 ... data/event_suffixes.tsv);
- fair abbreviations: 智博会, 西洽会, 进博会 (one to three characters before 博会/洽会/交会/贸会);
- party congresses: 党的二十大;
- quoted: a quoted name that ends in an event word (“啤酒节”, “全国科普日”, “五节三赛”).
The surface keeps what is written; the name drops the year and edition (2024年第十九届X -> X)
so that every edition of an event resolves to one entity.
"""
from __future__ import annotations

import re
from functools import lru_cache

from kg.extract.phrases import (
    HAN, load_table, right_boundary_ok, scan_left, strip_left, trim_long_body,
)
from kg.model import Document, EntityKind, Mention

NUMERAL = "一二三四五六七八九十百零〇\\d"
EDITION = re.compile(rf"^(?:\d{{4}}年(?:度)?)?(?:第[{NUMERAL}]+[届次期]|首届)?")
FAIR_ABBREVIATION = re.compile(r"[\u4e00-\u9fff](?:博会|洽会|交会|贸会)")  # 智博会, 西洽会, 广交会
PARTY_CONGRESS = re.compile(rf"党的[{NUMERAL}]+大")
QUOTE = re.compile(r"“([^“”]{2,20})”")
QUOTED_ENDINGS = ("节", "赛", "周", "日", "大会", "展会", "博会", "论坛", "季", "下乡")
# Bodies that only say what sort of event it is (各类博览会, 系列论坛, 本届大会).
GENERIC_BODIES = {"各类", "系列", "重大", "大型", "重要", "品牌", "特色", "节会", "赛事", "体育",
                  "文化", "专题", "主题", "相关", "各种", "一批", "多场", "本届", "该", "本次",
                  "此次", "各项", "国际性", "全国性", "区域性", "年度", "季度", "本年", "系列化",
                  "招商", "专场", "线上", "线下", "重点", "各级", "这次", "上述"}
# Words before 博会/洽会 that make an ordinary noun, not a fair (商会 is an organisation).
NOT_FAIRS = ("商", "协", "学", "议", "社", "工", "委", "都", "机", "宴", "约")


@lru_cache(maxsize=None)
def event_suffixes() -> tuple[dict[str, int], re.Pattern]:
    table = {row[0]: int(row[1]) for row in load_table("event_suffixes.tsv")}
    return table, re.compile("|".join(map(re.escape, sorted(table, key=len, reverse=True))))


def event_name(surface: str) -> str:
    """The edition-free name: 2024年第十九届中国国际山地户外运动公开赛 -> 中国国际山地户外运动公开赛."""
    name = surface.strip("“”")
    m = EDITION.match(name)
    rest = name[m.end():] if m else name
    return rest if len(rest) >= 2 else name


def _suffix_events(text: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    table, pattern = event_suffixes()
    out = []
    for m in pattern.finditer(text, lo, hi):
        if not right_boundary_ok(text, m.end()):
            continue
        start = scan_left(text, m.start(), 24, lo, stop_chars="等、和与及暨")
        start = strip_left(text, start, m.start(), keep=min(table[m.group()], 2) or 1)
        start = trim_long_body(text, start, m.start(), longest=16)
        if start is None:
            continue
        year = re.search(r"\d{4}年$", text[max(lo, start - 5):start])
        if year:  # the surface keeps the year the edition was held (2023年第十四届…)
            start -= len(year.group())
        body = event_name(text[start:m.start()] + "□")[:-1]  # the body without its edition
        minimum = table[m.group()]
        if len(body) < minimum or (minimum and body in GENERIC_BODIES) or (body and not HAN.search(body)):
            continue
        out.append((start, m.end(), "event.suffix"))
    return out


def _other_events(text: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    out = []
    for m in FAIR_ABBREVIATION.finditer(text, lo, hi):
        if m.group()[0] in NOT_FAIRS or not right_boundary_ok(text, m.end()):
            continue
        out.append((m.start(), m.end(), "event.fair_abbreviation"))
    for m in PARTY_CONGRESS.finditer(text, lo, hi):
        out.append((m.start(), m.end(), "event.party_congress"))
    for m in QUOTE.finditer(text, lo, hi):
        inner = m.group(1)
        numbered = re.match(rf"^[{NUMERAL}]+[节赛][{NUMERAL}]+[节赛会]$", inner)  # “五节三赛”
        if inner.endswith(QUOTED_ENDINGS) or numbered:
            out.append((m.start(), m.end(), "event.quoted"))
    return out


def extract_events(doc: Document) -> Document:
    """Append an EVENT mention for every named event in every sentence."""
    text = doc.text
    for sent in doc.sentences:
        spans = _suffix_events(text, sent.start, sent.end) + _other_events(text, sent.start, sent.end)
        spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        kept: list[tuple[int, int, str]] = []
        for s in spans:
            if any(k[0] <= s[0] and s[1] <= k[1] for k in kept):
                continue  # inside a longer event name already taken
            kept.append(s)
        for start, end, rule in kept:
            surface = text[start:end]
            doc.add_mention(Mention(kind=EntityKind.EVENT, start=start, end=end,
                                    sentence=sent.index, text=surface,
                                    name=event_name(surface), rule=rule))
    return doc
