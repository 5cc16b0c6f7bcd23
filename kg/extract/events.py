"""Event extraction: named festivals, fairs, forums, competitions, meetings and campaigns of days.

Rule families, each over one sentence:
- suffix: a name ending in an event word (音乐节, 博览会, 论坛, 公开赛, 工作会议 ... data/event_suffixes.tsv);
- fair abbreviations: 数博会, 东博会, 进博会 (one to three characters before 博会/洽会/交会/贸会);
- party congresses: 党的二十大;
- quoted: a quoted name that ends in an event word (“五五购物节”, “中国航天日”), or a numbered
  one (“N节M赛”).
The surface keeps what is written; the name drops the year and edition (2024年第十九届X -> X)
so that every edition of an event resolves to one entity.
"""
from __future__ import annotations

import re
from functools import lru_cache

from kg.extract.phrases import (
    HAN, made_of, load_table, right_boundary_ok, scan_left, strip_left, trim_long_body,
)
from kg.model import Document, EntityKind, Mention

NUMERAL = "一二三四五六七八九十百零〇\\d"
EDITION = re.compile(rf"^(?:\d{{4}}年(?:度)?)?(?:第[{NUMERAL}]+[届次期]|首届)?")
FAIR_ABBREVIATION = re.compile(r"[\u4e00-\u9fff](?:博会|洽会|交会|贸会)")  # 数博会, 东博会, 广交会
PARTY_CONGRESS = re.compile(rf"党的[{NUMERAL}]+大")
QUOTE = re.compile(r"“([^“”]{2,20})”")
QUOTED_ENDINGS = ("节", "赛", "周", "日", "大会", "展会", "博会", "论坛", "季", "下乡")
# Bodies that only say what sort of event it is (各类博览会, 系列论坛, 本届大会).
GENERIC_BODIES = {"各类", "系列", "重大", "大型", "重要", "品牌", "特色", "节会", "赛事", "体育",
                  "文化", "专题", "主题", "相关", "各种", "一批", "多场", "本届", "该", "本次",
                  "此次", "各项", "国际性", "全国性", "区域性", "年度", "季度", "本年", "系列化",
                  "招商", "专场", "线上", "线下", "重点", "各级", "这次", "上述"}
# Words of a body that are kinds of events, not names (节庆展会论坛); a body made only of
# these and GENERIC_BODIES is a category.
KIND_WORDS = {"节庆", "展会", "展示", "展演", "会议", "论坛", "活动", "百场", "历次", "同级"}
# Verbs that hold a meeting: a name starts after them (省委召开十三届五次全会, 用好论坛).
CONVENING = ("召开", "举办", "举行", "承办", "主办", "办好", "用好", "开好", "出席", "参加")
# Words of a clause, never of a name (政府都要自觉接受同级人民代表大会, 十届党委历次全会).
CLAUSE_WORDS = ("要", "都", "接受", "历次", "同级", "各级")
# A run of plenums of one Party committee term is one name as written (二十届二中、三中全会,
# 省委十四届六次、七次、八次全会): its last item alone (三中全会) would lose whose it is.
PLENUM_RUN = re.compile(rf"(?:自治区党委|[省市区县州]委|党的|中共中央)?[{NUMERAL}]+届"
                        rf"(?:[{NUMERAL}]+[中次](?:全会)?[、和及]?){{2,}}全会")
# Words before 博会/洽会 that make an ordinary noun, not a fair (商会 is an organisation).
NOT_FAIRS = ("商", "协", "学", "议", "社", "工", "委", "都", "机", "宴", "约")


@lru_cache(maxsize=None)
def event_suffixes() -> tuple[dict[str, int], re.Pattern]:
    table = {row[0]: int(row[1]) for row in load_table("event_suffixes.tsv")}
    return table, re.compile("|".join(map(re.escape, sorted(table, key=len, reverse=True))))


def event_name(surface: str) -> str:
    """The edition-free name: 2025年第十五届全国运动会 -> 全国运动会."""
    name = re.sub(r"[“”]", "", surface)  # quote marks are not part of the name
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
        start = trim_long_body(text, start, m.start(), longest=16, particles="获于为在将向由以")
        if start is None:
            continue
        held = max((text.rfind(v, start, m.start()) + len(v) for v in CONVENING
                    if text.rfind(v, start, m.start()) >= 0), default=start)
        start = strip_left(text, held, m.start(), keep=min(table[m.group()], 2) or 1)
        if text.count("”", start, m.end()) > text.count("“", start, m.end()) and start > lo \
                and text[start - 1] == "“":
            start -= 1  # “粤贸全球”展会: the quote opens before the name
        year = re.search(r"\d{4}年$", text[max(lo, start - 5):start])
        if year:  # the surface keeps the year the edition was held (2023年第十四届…)
            start -= len(year.group())
        body = event_name(text[start:m.start()] + "□")[:-1]  # the body without its edition
        minimum = table[m.group()]
        if len(body) < minimum or (minimum and _generic(body)) or (body and not HAN.search(body)):
            continue
        if any(w in body for w in CLAUSE_WORDS):
            continue
        out.append((start, m.end(), "event.suffix"))
    return out


def _generic(body: str) -> bool:
    """Whether a body is made only of generic and kind words (节庆展会, 各类, 重大)."""
    words = GENERIC_BODIES | KIND_WORDS
    return made_of(body, words, 4)


def _other_events(text: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    out = []
    for m in PLENUM_RUN.finditer(text, lo, hi):
        out.append((m.start(), m.end(), "event.plenum_run"))
    for m in FAIR_ABBREVIATION.finditer(text, lo, hi):
        if m.group()[0] in NOT_FAIRS or not right_boundary_ok(text, m.end()):
            continue
        out.append((m.start(), m.end(), "event.fair_abbreviation"))
    for m in PARTY_CONGRESS.finditer(text, lo, hi):
        out.append((m.start(), m.end(), "event.party_congress"))
    for m in QUOTE.finditer(text, lo, hi):
        inner = m.group(1)
        numbered = re.match(rf"^[{NUMERAL}]+[节赛][{NUMERAL}]+[节赛会]$", inner)  # “N节M赛”
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
