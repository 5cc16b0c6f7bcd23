"""Decodes plain-text files, detecting the encoding from the bytes.

Chinese reports come as UTF-8 (with or without BOM), GBK/GB2312 (decoded as GB18030,
their superset), UTF-16 (with or without BOM) and occasionally Big5. The extension says
nothing about which, so the bytes decide.
"""
from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

from kg.ingest.errors import DocumentError

BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF32_LE, "utf-32"),  # checked before UTF-16 LE: it shares the first bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]

# Below this share of plausible characters a decoding is taken to be wrong.
MIN_PLAUSIBLE = 0.97


def decode_text(data: bytes, path: Path) -> tuple[str, str]:
    """Return (text, encoding name) or raise DocumentError if no encoding fits."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise DocumentError(path, f"undecodable text: {encoding} BOM but invalid bytes at {exc.start}") from None
    if b"\x00" in data:
        return _decode_utf16_without_bom(data, path)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if plausibility(text) >= MIN_PLAUSIBLE:
            return text, encoding
    best = from_bytes(data).best()
    if best is not None:
        text = str(best)
        if plausibility(text) >= MIN_PLAUSIBLE:
            return text, codecs.lookup(best.encoding).name  # utf_16_le -> utf-16-le
    raise DocumentError(path, "undecodable text: not UTF-8, UTF-16, GB18030 or Big5; re-save it as UTF-8")


def _decode_utf16_without_bom(data: bytes, path: Path) -> tuple[str, str]:
    """NUL bytes never occur in UTF-8/GB text; they do in UTF-16 (ASCII chars, CJK U+4E00...)."""
    best: tuple[float, str, str] | None = None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data[: len(data) - len(data) % 2].decode(encoding)
        except UnicodeDecodeError:
            continue
        score = plausibility(text)
        if best is None or score > best[0]:
            best = (score, text, encoding)
    if best is None or best[0] < MIN_PLAUSIBLE:
        raise DocumentError(path, "binary content: contains NUL bytes and is not UTF-16 text")
    return best[1], best[2]


def plausibility(text: str) -> float:
    """Share of characters a Chinese report plausibly contains.

    Wrong decodings produce control characters, private-use and rare CJK extension
    characters, or replacement characters; right ones are almost all common CJK, ASCII
    and punctuation.
    """
    if not text:
        return 0.0
    sample = text[:20000]
    good = sum(1 for ch in sample if _is_common(ch))
    return good / len(sample)


def _is_common(ch: str) -> bool:
    code = ord(ch)
    return (
        (32 <= code < 127)
        or ch in "\n\r\t\f"
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0x3000 <= code <= 0x303F  # CJK punctuation
        or 0xFF01 <= code <= 0xFF5E  # full-width forms
        or 0x2010 <= code <= 0x2027  # dashes, quotes, ellipsis
        or 0x00A0 <= code <= 0x00FF and code not in range(0x80, 0xA0)
        or 0x2150 <= code <= 0x218F  # roman numerals
        or 0x2460 <= code <= 0x24FF  # circled numbers
        or 0x0391 <= code <= 0x03C9  # Greek (units, formulas)
        or ch in "·•×÷°‰℃№"
    )
