"""Reading report files into normalised text: `read_document(path) -> SourceText`.

The format is decided by the bytes (a .txt may really be HTML; DOCX is a zip with
word/document.xml; PDF starts with %PDF), then one reader per format extracts the text
and `normalize.normalize_text` cleans it. Anything that is not a readable report raises
`DocumentError` with a one-line reason.
"""
from __future__ import annotations

import os
from pathlib import Path

from kg.ingest.errors import DocumentError
from kg.ingest.normalize import normalize_text
from kg.ingest.sniff import looks_like_html, sniff_binary_format
from kg.ingest.text import decode_text
from kg.model import SourceText

__all__ = ["DocumentError", "read_document", "read_bytes", "read_text", "MAX_BYTES"]

# Size guard: reports are well under 5 MB; anything huge is a mistake (or an attack).
# Override per call or with the KG_MAX_INPUT_MB environment variable.
MAX_BYTES = int(float(os.environ.get("KG_MAX_INPUT_MB", "50")) * 1024 * 1024)

# Extensions we know; others are read only when their bytes are text/HTML/DOCX/PDF.
KNOWN_SUFFIXES = {".txt", ".text", ".md", ".html", ".htm", ".xhtml", ".shtml", ".docx", ".pdf", ""}


# The readers of DOCX, HTML and PDF load their libraries (python-docx, BeautifulSoup,
# pypdf: a third of a second together) only when a file of their kind comes.
def read_docx(data: bytes, path: Path) -> str:
    from kg.ingest.docx import read_docx as read

    return read(data, path)


def extract_article_text(html: str) -> str:
    from kg.ingest.html import extract_article_text as extract

    return extract(html)


def read_pdf(data: bytes, path: Path) -> str:
    from kg.ingest.pdf import read_pdf as read

    return read(data, path)


def read_document(path: Path | str, max_bytes: int | None = None) -> SourceText:
    """Read one report file into normalised text, or raise DocumentError."""
    path = Path(path)
    limit = MAX_BYTES if max_bytes is None else max_bytes
    if not path.exists():
        raise DocumentError(path, "file not found")
    if path.is_dir():
        raise DocumentError(path, "is a directory, not a file")
    size = path.stat().st_size
    if size == 0:
        raise DocumentError(path, "empty file")
    if size > limit:
        raise DocumentError(
            path, f"file is {size / 1048576:.1f} MB, over the {limit / 1048576:.0f} MB limit "
                  "(raise it with KG_MAX_INPUT_MB)")
    return read_bytes(path.read_bytes(), path)


def read_bytes(data: bytes, path: Path) -> SourceText:
    """Read report bytes (named by path for messages and provenance)."""
    warnings: list[str] = []
    encoding: str | None = None
    kind = sniff_binary_format(data, path)
    if kind == "pdf":
        raw = read_pdf(data, path)
    elif kind == "docx":
        raw = read_docx(data, path)
    else:
        raw, encoding = decode_text(data, path)
        if looks_like_html(raw):
            kind, raw = "html", extract_article_text(raw)
        else:
            kind = "txt"
            if path.suffix.lower() in (".html", ".htm"):
                warnings.append("named .html but contains plain text")
        if path.suffix.lower() in (".pdf", ".docx"):
            warnings.append(f"named {path.suffix} but contains {kind}; read as {kind}")
        elif path.suffix.lower() not in KNOWN_SUFFIXES:
            warnings.append(f"unknown extension {path.suffix!r}; read as {kind}")
    text = normalize_text(raw)
    if not text.strip():
        what = {"txt": "file", "html": "HTML page", "docx": "DOCX", "pdf": "PDF"}[kind]
        reason = "empty file (only whitespace)" if kind == "txt" else f"{what} contains no text"
        raise DocumentError(path, reason)
    if kind in ("docx", "pdf") and path.suffix.lower() not in ("", f".{kind}"):
        warnings.append(f"named {path.suffix} but contains {kind}; read as {kind}")
    return SourceText(path=path, text=text, format=kind, encoding=encoding, warnings=warnings)


def read_text(text: str, name: str = "inline.txt") -> SourceText:
    """Wrap already-decoded text (tests, HTTP uploads) as a SourceText."""
    return SourceText(path=Path(name), text=normalize_text(text), format="txt", encoding=None)
