"""Where a name written in running Chinese text starts and stops.

Chinese reports have no spaces, so a rule that has found the end of a name (a suffix such as
改革, 大会, 公司, or a closing quote) must still find its left edge. This module owns that:
scan left over characters a name can hold, then strip the verbs, adverbs and function words
that govern the name (深入实施, 持续推进, 一是 ...). Shared by the strategy, event and
organisation extractors; the word lists are data files in ./data.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"

# A character a name can contain; quotes and brackets are handled as blocks.
NAME_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9·•+＋\-]")
OPEN_TO_CLOSE = {"“": "”", "‘": "’", "（": "）", "(": ")", "《": "》"}
CLOSE_TO_OPEN = {v: k for k, v in OPEN_TO_CLOSE.items()}
HAN = re.compile(r"[\u4e00-\u9fff]")
# Characters that may directly follow a name (的 in 改革的成果, 中 in 行动中 ...).
RIGHT_PARTICLES = "的和与及等暨中上下是为在了时后前里内外“‘（("
# Words that may directly follow a name without being part of it (改革工作, 示范工程之一,
# 示范区复核迎检, 标杆城市成果).
RIGHT_WORDS = ("之一", "之首", "工作", "成果", "成效", "复核", "迎检", "经验", "取得", "成为")
NOT_NAME_START = "业化型性者率度"
YEAR_PREFIX = re.compile(r"^(?:专栏[\d一二三四五六七八九十]+|第[\d一二三四五六七八九十]+批|首批|新一批|[（(][一二三四五六七八九十\d]+[）)]|\d{4}(?:[—\-–~～至]\d{4})?年(?:度)?|\d{1,2}月(?:份)?)")


def load_words(name: str) -> list[str]:
    """Whitespace-separated words of a data file, '#' starting a comment."""
    words: list[str] = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0]
        words.extend(line.split())
    return words


def load_table(name: str) -> list[list[str]]:
    """Tab-separated rows of a data file, skipping blank and '#' lines."""
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            rows.append(line.rstrip("\n").split("\t"))
    return rows


@lru_cache(maxsize=None)
def governing_words() -> tuple[str, ...]:
    words = set(load_words("governing_words.txt")) | set(load_words("cut_verbs.txt"))
    return tuple(sorted(words, key=len, reverse=True))


@lru_cache(maxsize=None)
def governing_words_by_length() -> tuple[tuple[int, frozenset[str]], ...]:
    """The governing words grouped by length, longest first: at one position at most one
    word of each length can start, so looking each length up finds the word a scan of
    governing_words() (longest first) finds first."""
    words = governing_words()
    return tuple((n, frozenset(w for w in words if len(w) == n))
                 for n in sorted({len(w) for w in words}, reverse=True))


@lru_cache(maxsize=None)
def cut_verbs() -> tuple[str, ...]:
    return tuple(sorted(set(load_words("cut_verbs.txt")), key=len, reverse=True))


def scan_left(text: str, pos: int, limit: int, floor: int = 0,
              stop_chars: str = "") -> int:
    """Leftmost start s <= pos such that text[s:pos] could be (the head of) one name.

    Quoted and bracketed blocks are taken whole; at most `limit` characters are taken;
    never goes below `floor` (the sentence start).
    """
    i = pos
    while i > floor and pos - i < limit:
        ch = text[i - 1]
        if ch in CLOSE_TO_OPEN and ch != "》":
            j = text.rfind(CLOSE_TO_OPEN[ch], floor, i - 1)
            if j < 0 or pos - j > limit:
                break
            i = j
        elif ch in stop_chars:
            break
        elif NAME_CHAR.match(ch):
            i -= 1
        else:
            break
    return i


def scan_right(text: str, pos: int, limit: int, ceiling: int, stop_chars: str = "") -> int:
    """Rightmost end e >= pos such that text[pos:e] could be (the tail of) one name."""
    i = pos
    while i < ceiling and i - pos < limit:
        ch = text[i]
        if ch in ("（", "("):
            j = text.find(OPEN_TO_CLOSE[ch], i + 1, ceiling)
            if j < 0 or j + 1 - pos > limit:
                break
            i = j + 1
        elif ch in stop_chars:
            break
        elif NAME_CHAR.match(ch):
            i += 1
        else:
            break
    return i


def anchored_left(text: str, pos: int, limit: int, floor: int = 0,
                  stop_chars: str = "") -> int:
    """Like scan_left, but when the window is cut by the limit (not by punctuation), start
    after the rightmost governing word inside it, or not extend at all: a name never starts
    in the middle of a word."""
    start = scan_left(text, pos, limit, floor, stop_chars)
    if start == floor or pos - start < limit:
        return start
    span = text[start:pos]
    best = -1
    for w in governing_words():
        if len(w) < 2:
            continue
        k = span.rfind(w)
        if k >= 0 and not _inside_quotes(span, k):
            best = max(best, k + len(w))
    return start + best if best >= 0 else pos


def strip_left(text: str, start: int, end: int, keep: int = 2) -> int:
    """Move start right past governing words, year prefixes and anything up to a 的.

    Stops when fewer than `keep` characters would remain before `end`.
    """
    span = text[start:end]
    de = span.rfind("的", 0, max(0, len(span) - keep))
    if de >= 0 and not _inside_quotes(span, de):
        start += de + 1
    by_length = governing_words_by_length()
    while True:
        span = text[start:end]
        m = YEAR_PREFIX.match(span)
        if m and len(span) - m.end() >= keep:
            start += m.end()
            continue
        for n, words in by_length:
            # 服务业, 建设者: the word is the head of a longer noun, not a verb before the name
            if (span[:n] in words and len(span) >= n and len(span) - n >= keep
                    and span[n] not in NOT_NAME_START):
                start += n
                break
        else:
            return start


def trim_long_body(text: str, start: int, head: int, longest: int = 14,
                   particles: str = "获于为在将向对由") -> int | None:
    """Start a name's body after the rightmost particle (获, 于, 由 ...) or, when the body is
    still longer than `longest`, after the rightmost governing word; None when such a word
    stands right before the head (改由银行, 进行改革: the head is an object, not a name)."""
    span = text[start:head]
    cuts = [span.rfind(ch) + 1 for ch in particles if ch in span]
    if head - start > longest:
        cuts += [span.rfind(w) + len(w) for w in governing_words() if len(w) > 1 and w in span]
        cuts += [span.rfind(ch) + 1 for ch in "及的" if ch in span]
    if not cuts:
        return start
    cut = max(cuts)
    return None if cut >= len(span) else start + cut


def cut_long(text: str, start: int, head_end: int, max_len: int, end: int) -> int | None:
    """If text[start:end] is longer than max_len, start after the rightmost strong verb
    (or a year: 2024年 is never inside a strategy's name).

    head_end is where the name's own head word begins (its suffix or quote); None when the
    verb stands right before it.
    """
    span = text[start:head_end]
    years = [m.end() for m in re.finditer(r"\d{4}年(?:度)?", span) if len(span) - m.end() >= 2]
    if years:
        start, span = start + years[-1], span[years[-1]:]
    if end - start <= max_len:
        return start
    best = -1
    for w in cut_verbs():
        k = span.rfind(w)
        while k >= 0:
            if not _inside_quotes(span, k):
                best = max(best, k + len(w))
                break
            k = span.rfind(w, 0, k)
    if best >= 0 and len(span) - best < 2:
        return None  # 进行改革, 实行制度: a verb takes the head as its object
    return start + best if best >= 0 else start


def right_boundary_ok(text: str, end: int) -> bool:
    """Whether a name may stop at `end`: punctuation, end of text, or a governing word."""
    if end >= len(text):
        return True
    if not NAME_CHAR.match(text[end]) and text[end] not in "“‘（(":
        return True
    rest = text[end:end + 6]
    return (rest[0] in RIGHT_PARTICLES or rest.startswith(RIGHT_WORDS)
            or rest.startswith(governing_words()))


def _inside_quotes(span: str, k: int) -> bool:
    """Whether position k of span lies inside an open “…” or （…） block."""
    depth = 0
    for ch in span[:k]:
        if ch in "“（(‘":
            depth += 1
        elif ch in "”）)’" and depth:
            depth -= 1
    return depth > 0


def plain(text: str) -> str:
    """A name without quote marks and spaces, to compare forms."""
    return re.sub(r"[\s“”‘’\"'《》]", "", text)


def made_of(text: str, words, longest: int) -> bool:
    """Whether `text` splits wholly into members of `words` (none longer than `longest`):
    a body of kind words only (跨国公司, 节庆展会) is a description, not a name."""
    ok = [True] + [False] * len(text)
    for i in range(len(text)):
        if ok[i]:
            for j in range(i + 1, min(len(text), i + longest) + 1):
                if text[i:j] in words:
                    ok[j] = True
    return ok[len(text)]
