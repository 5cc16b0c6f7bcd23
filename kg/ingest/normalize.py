"""Normalises report text without touching what the report wrote.

What changes: line endings, zero-width characters, full-width digits/letters/%/+ (to
half-width, so numbers parse), Kangxi radicals and compatibility ideographs (to the
common character, NFC), odd spaces, spaces letter-spacing Chinese words
("政 府 工 作 报 告", "李　强"), page chrome lines (breadcrumbs, 打印, 责任编辑 ...),
table cells wrapped over two lines, line fragments (a line starting with "，"), and runs
of blank lines. What stays: Chinese punctuation （）：，。“” and any half-width
punctuation as written, because extracted names must match the text as written.
Leading tabs stay too: they mark table cells (see docx.py).
Traditional characters stay as well; `segmentation_text` gives a word segmenter the
simplified equivalent, character for character, so offsets into the report still hold.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

# Full-width forms turned half-width: digits, Latin letters and the symbols numbers use.
# Full-width punctuation （）：，；！？ is NOT here on purpose: it is written that way.
_HALF_WIDTH = {chr(0xFF10 + i): chr(0x30 + i) for i in range(10)}
_HALF_WIDTH.update({chr(0xFF21 + i): chr(0x41 + i) for i in range(26)})
_HALF_WIDTH.update({chr(0xFF41 + i): chr(0x61 + i) for i in range(26)})
_HALF_WIDTH.update({"％": "%", "＋": "+", "－": "-", "．": ".", "／": "/", "＝": "=", "＜": "<",
                    "＞": ">", "＠": "@", "＃": "#", "＆": "&", "＊": "*", "＿": "_", "｜": "|"})
# Spaces of every width become an ASCII space (then handled by the rules below).
_SPACES = {c: " " for c in "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
           "\u2008\u2009\u200a\u202f\u205f\u3000"}
_ZERO_WIDTH = {c: None for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"}
# Kangxi radicals and radical supplements that stand for a common character: PDF text
# layers made by Word write "⾏政" (U+2F8F) for "行政"; extraction must see the character.
_RADICALS = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0x2E80, 0x2FE0)
             if unicodedata.normalize("NFKC", chr(c)) != chr(c)}
_TRANSLATE = str.maketrans({**_HALF_WIDTH, **_SPACES, **_ZERO_WIDTH, **_RADICALS, "\u2028": "\n",
                            "\u2029": "\n", "\x0b": "\n", "\x0c": "\n"})

CJK = "\u4e00-\u9fff"
CJK_PUNCT = "，。、；：？！“”‘’（）《》〈〉【】「」『』—…·"
_SPACE_AT_PUNCT = re.compile(rf" +(?=[{CJK_PUNCT}])|(?<=[{CJK_PUNCT}]) +")
# "2024 年", "增长 5.5%": spaces inside a number phrase; "专栏1 标题" keeps its space.
NUMBER_FOLLOWERS = "年月日号时个万亿千百元项家人次户座所条名吨亩倍度米"
_SPACE_DIGIT_CJK = re.compile(rf"(?<=[0-9]) +(?=[{NUMBER_FOLLOWERS}])|(?<=[{CJK}]) +(?=[0-9])")
_SINGLE_CJK_RUN = re.compile(rf"(?<![{CJK}])[{CJK}](?: +[{CJK}](?![{CJK}]))+")

# Whole lines that are page chrome, not report text (kept short to spare real sentences).
CHROME_LINES = [
    re.compile(r"^(您的位置|您现在的位置|当前位置|所在位置)\s*[:：]"),
    re.compile(r"^(?:[\[【(（]?\s*(?:打印本页|打印|关闭窗口|关闭本页|关闭|返回顶部|收藏本页|收藏|分享到?|字号|大\s*中\s*小)"
               r"\s*[\]】)）]?\s*)+$"),
    re.compile(r"^[\[【]?\s*(责任编辑|编辑|作者|来源|信息来源|发布时间|发布日期|发布者|浏览次数|阅读量|点击数)\s*[:：].{0,40}$"),
    re.compile(r"^.{0,40}(阅读量|浏览次数|点击量|访问量)\s*[:：]\s*\d*\s*$"),
    re.compile(r"^(字体|字号)\s*[:：]?\s*[\[【]?\s*大\s*[\]】]?\s*[\[【]?\s*中\s*[\]】]?\s*[\[【]?\s*小"),
]
# Lines that start a licence/footer trailer; everything from there on is dropped.
TRAILER_STARTS = [re.compile(r"^本作品(是|在|来自|不适用)"), re.compile(r"^(版权所有|Copyright ©)")]

# A table cell whose text wrapped onto further lines after blank lines, in text exports of
# Word tables: "\t数字重庆\n\n两级治理\n\n中心建设\n\t<content cell>".
_SHORT_CELL = re.compile(r"^[^\t。；，]{1,20}$")
_NOT_A_FRAGMENT = re.compile(r"^(专栏|[一二三四五六七八九十]+、|[（(]|\d+[.、])")
_OPENERS = "，、“‘《（(【"
_FRAGMENT_STARTS = "，、。；：）》”’！？,;)"


def normalize_text(text: str) -> str:
    """The cleaned text every later stage reads (offsets refer to this string)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_TRANSLATE)
    if not unicodedata.is_normalized("NFC", text):  # compatibility ideographs (U+F900…)
        text = unicodedata.normalize("NFC", text)
    lines = [_normalize_line(line) for line in text.split("\n")]
    lines = _drop_trailer(lines)
    lines = [line for line in lines if not is_chrome_line(line)]
    lines = _join_fragments(lines)
    lines = _join_wrapped_cells(lines)
    text = "\n".join(lines)
    text = re.sub(r"\n(?:[ \t]*\n)+", "\n\n", text)  # at most one blank line
    return text.strip("\n ") + "\n" if text.strip() else ""


def _normalize_line(line: str) -> str:
    tabs = len(line) - len(line.lstrip("\t"))
    body = line.strip(" \t")
    body = re.sub(r"(?<=\S)\t+(?=\S)", "\t", body)
    body = re.sub(r" {2,}", " ", body)
    body = _SINGLE_CJK_RUN.sub(lambda m: m.group(0).replace(" ", ""), body)
    body = _SPACE_AT_PUNCT.sub("", body)
    body = _SPACE_DIGIT_CJK.sub("", body)
    return ("\t" if tabs else "") + body if body else ""


def is_chrome_line(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and len(stripped) <= 80 and any(p.search(stripped) for p in CHROME_LINES)


def _drop_trailer(lines: list[str]) -> list[str]:
    """Cut licence footers (Wikisource's 本作品…) found in the last fifth of the text."""
    cutoff = int(len(lines) * 0.8)
    for i in range(len(lines) - 1, cutoff - 1, -1):
        if any(p.search(lines[i]) for p in TRAILER_STARTS):
            return lines[:i]
    return lines


def _join_wrapped_cells(lines: list[str]) -> list[str]:
    """Join a short tab-prefixed cell with the short untabbed fragments that follow it
    (blank lines between) when the next cell starts right after them."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("\t") and _SHORT_CELL.match(line[1:]):
            j, pieces = i + 1, []
            while j < len(lines) and (not lines[j] or (not lines[j].startswith("\t") and _SHORT_CELL.match(lines[j])
                                                  and not _NOT_A_FRAGMENT.match(lines[j]))):
                if lines[j]:
                    pieces.append(lines[j])
                j += 1
            if pieces and j < len(lines) and lines[j].startswith("\t") and len(pieces) <= 4:
                out.append(line + "".join(pieces))
                i = j
                continue
        out.append(line)
        i += 1
    return out


def _join_fragments(lines: list[str]) -> list[str]:
    """Join line fragments left by link markup: a line cannot start with "，" or end with "、"."""
    out: list[str] = []
    for line in lines:
        if out and out[-1] and line and not line.startswith("\t") and (
            line[0] in _FRAGMENT_STARTS or out[-1][-1] in _OPENERS
        ):
            out[-1] += line
        else:
            out.append(line)
    return out


# ---------------------------------------------------------------- text for segmentation

# Reports in traditional characters (the 1950s national reports) are kept as written, but
# jieba's dictionary is simplified: shown traditional text, it sends every run to its HMM
# (60× slower, and worse words). The table maps one character to one, so offsets hold.
TRADITIONAL_TABLE = Path(__file__).resolve().parents[1] / "data" / "traditional_simplified.tsv"
# Share of Han characters that must be traditional-only for a text to count as traditional;
# simplified reports score 0–0.7% (a stray 於, 乾), a traditional one ≈ 30%.
TRADITIONAL_SHARE = 0.05


@lru_cache(maxsize=1)
def _traditional_table() -> dict[int, str]:
    table: dict[int, str] = {}
    try:
        lines = TRADITIONAL_TABLE.read_text(encoding="utf-8").splitlines()
    except OSError:
        return table  # without the table, text is segmented as written
    for line in lines:
        if line and not line.startswith("#"):
            trad, simp = line.split("\t")
            table[ord(trad)] = simp
    return table


def is_traditional(text: str) -> bool:
    """Whether a text is written in traditional characters (by their share of Han characters)."""
    table = _traditional_table()
    # counted over the distinct characters (Counter counts in C): the same sums as a pass
    # over every character, 3× faster
    counts = Counter(text)
    han = sum(n for ch, n in counts.items() if "\u4e00" <= ch <= "\u9fff")
    return bool(han) and sum(n for ch, n in counts.items() if ord(ch) in table) >= TRADITIONAL_SHARE * han


@lru_cache(maxsize=2)
def segmentation_text(text: str) -> str:
    """The text a word segmenter should see: simplified when the text is traditional, else
    the text itself; always the same length, character for character. (Cached: the
    pipeline's segmentation and the place finder ask for the same document's text.)"""
    return text.translate(_traditional_table()) if is_traditional(text) else text
