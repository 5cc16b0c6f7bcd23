"""Reads the text layer of PDF reports (pypdf). Scanned PDFs without one are refused.

A PDF's text layer breaks lines where the page is full, not where the report does:
"接待游客4494万人\\n次". Left so, every later stage would cut sentences, names and units
in two. So wrapped lines are joined again: a line as wide as the page's full lines that
runs on into the next one, across page breaks too, unless the next line is indented (a
new paragraph) or opens a heading or 专栏, or it ends a sentence in a PDF whose
paragraphs show no indent; bare page numbers ("- 3 -") between pages are dropped.
"""
from __future__ import annotations

import io
import logging
import re
import unicodedata
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from kg.ingest.errors import DocumentError

# A page with fewer real characters than this is taken to be an image.
MIN_CHARS_PER_PAGE = 20

# A line ending in one of these closes its sentence (or heading): the next line is new.
LINE_ENDS = "。！？；：!?;:"
# A line counts as full when it is at most this many half-width cells (one Chinese
# character = 2) narrower than the page's full lines: a paragraph's first line is two
# characters indented, and justification and punctuation squeezing move a character.
FULL_LINE_SLACK = 6
# Full lines are measured among lines at least this wide (headings, table cells and
# paragraph ends are shorter and must not set the measure).
MIN_MEASURED_WIDTH = 30
# Indented lines needed before indentation is taken to mark every paragraph start.
MIN_INDENTED_LINES = 3
# Lines that begin a new block even after a full line: a 专栏 title or a numbered heading.
NEW_BLOCK = re.compile(r"^(专栏\s*[0-9一二三四五六七八九十]|[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)])")
PAGE_NUMBER = re.compile(r"^[-—–－·\s]*(?:第\s*)?\d{1,4}(?:\s*页)?[-—–－·\s]*$|^\d{1,4}\s*/\s*\d{1,4}$")


def read_pdf(data: bytes, path: Path) -> str:
    """The text layer of all pages, wrapped lines joined, pages separated by a blank line
    unless a sentence runs on across the break."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns loudly on odd fonts
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:
                raise DocumentError(path, "encrypted PDF; remove the password first") from None
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(path, f"corrupt PDF: {exc}") from None
    if not pages:
        raise DocumentError(path, "corrupt PDF: no pages")
    if sum(1 for ch in "".join(pages) if not ch.isspace()) < MIN_CHARS_PER_PAGE * len(pages) / 4:
        raise DocumentError(path, "PDF has no text layer (scanned image?); run OCR first")
    return join_wrapped_lines(pages)


def join_wrapped_lines(pages: list[str]) -> str:
    """Join the lines a PDF wrapped at the page edge back into the report's paragraphs."""
    page_lines = [_content_lines(page) for page in pages]
    full = _full_width([line for lines in page_lines for _, line in lines])
    # When paragraphs show their indent, an unindented line after a full one continues the
    # paragraph even after a full stop; without that signal a full stop ends the line.
    indents = sum(indented for lines in page_lines for indented, _ in lines)
    marks_paragraphs = indents >= MIN_INDENTED_LINES
    out: list[str] = []
    for lines in page_lines:
        if not lines:
            continue
        if out:
            out.append("")  # a page break; removed below when a sentence runs across it
        for indented, line in lines:
            last = next((x for x in reversed(out[-2:]) if x), "") if out else ""
            if last and not indented and _runs_on(last, line, full, marks_paragraphs):
                if not out[-1]:
                    out.pop()
                out[-1] = _join(out[-1], line)
            else:
                out.append(line)
    return "\n".join(out)


def _content_lines(page: str) -> list[tuple[bool, str]]:
    """A page's non-blank lines, stripped, without a page number at its top or bottom;
    each says whether it was indented (pypdf writes a paragraph's indent as spaces)."""
    lines = [(line[:1].isspace(), line.strip()) for line in page.splitlines() if line.strip()]
    while lines and PAGE_NUMBER.match(lines[-1][1]):
        lines.pop()
    while lines and PAGE_NUMBER.match(lines[0][1]):
        lines.pop(0)
    return lines


def display_width(line: str) -> int:
    """Width in half-width cells: Chinese characters and full-width forms count 2, and so
    do the ambiguous ones (“ ” — … ·), which Chinese fonts set full width."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in line)


def _full_width(lines: list[str]) -> int | None:
    """The width of a full line: the most common width among the wide lines (binned by
    the slack), or None when too few lines are wide enough to tell."""
    widths = [display_width(line) for line in lines]
    wide = [w for w in widths if w >= MIN_MEASURED_WIDTH]
    if len(wide) < 3:
        return None
    bins: dict[int, int] = {}
    for w in wide:
        bins[w // FULL_LINE_SLACK] = bins.get(w // FULL_LINE_SLACK, 0) + 1
    top = max(bins, key=lambda b: (bins[b], b))
    in_top = sorted(w for w in wide if w // FULL_LINE_SLACK == top)
    return in_top[len(in_top) // 2]


def _runs_on(line: str, following: str, full: int | None, marks_paragraphs: bool) -> bool:
    if full is None or NEW_BLOCK.match(following):
        return False
    if line[-1] in LINE_ENDS and not marks_paragraphs:
        return False
    return display_width(line) >= full - FULL_LINE_SLACK


def _join(line: str, following: str) -> str:
    """Chinese runs on without a space; two Latin words or numbers keep one between them."""
    if line[-1].isascii() and line[-1].isalnum() and following[0].isascii() and following[0].isalpha():
        return f"{line} {following}"
    return line + following
