"""Decides what a file really is from its bytes, not from its extension."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from kg.ingest.errors import DocumentError

# Magic numbers of binary formats we recognise only to refuse them with a clear reason.
REFUSED_MAGIC: list[tuple[bytes, str]] = [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office file (.doc/.xls); save it as .docx first"),
    (b"\x89PNG\r\n\x1a\n", "PNG image, not a text document; run OCR first"),
    (b"\xff\xd8\xff", "JPEG image, not a text document; run OCR first"),
    (b"GIF8", "GIF image, not a text document"),
    (b"\x1f\x8b", "gzip archive; unpack it first"),
    (b"Rar!", "RAR archive; unpack it first"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive; unpack it first"),
    (b"{\\rtf", "RTF document is not supported; save it as .docx"),
    (b"\x7fELF", "executable file, not a document"),
    (b"MZ", "Windows executable, not a document"),
]

# How HTML announces itself in the first bytes of a file, whatever its extension.
HTML_MARKERS = ("<!doctype html", "<html", "<head", "<body", "<meta ", "<div", "<p>", "<p ")


def sniff_binary_format(data: bytes, path: Path) -> str | None:
    """Return 'pdf' or 'docx' for those containers, None for (possibly) text.

    Raises DocumentError for binary formats we do not read.
    """
    head = data[:1024]
    # the PDF header may follow up to 1 KB of junk (spec, Annex H)
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(data, path)
    for magic, reason in REFUSED_MAGIC:
        if head.startswith(magic):
            if magic == b"MZ" and not _looks_binary(head):
                continue  # a text file may start with the letters MZ
            raise DocumentError(path, f"unsupported file type: {reason}")
    if b"\x00" not in head and _looks_binary(head) and not _utf16_han_only(data):
        # (with NULs it may be UTF-16 and the decoder decides)
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            raise DocumentError(path, "corrupt PDF: no %PDF header")
        if suffix == ".docx":
            raise DocumentError(path, "corrupt DOCX: not a zip archive")
        raise DocumentError(path, "binary content: not a text, HTML, DOCX or PDF file")
    return None  # text (or UTF-16): a .pdf/.docx holding text is read as text, with a warning


def _sniff_zip(data: bytes, path: Path) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise DocumentError(path, f"corrupt DOCX: broken zip archive ({exc})") from None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        raise DocumentError(path, "unsupported file type: Excel workbook (.xlsx)")
    if "ppt/presentation.xml" in names:
        raise DocumentError(path, "unsupported file type: PowerPoint presentation (.pptx)")
    if path.suffix.lower() == ".docx":
        raise DocumentError(path, "corrupt DOCX: zip archive without word/document.xml")
    raise DocumentError(path, "unsupported file type: zip archive, not a DOCX")


def _utf16_han_only(data: bytes) -> bool:
    """UTF-16 text of Han characters only has no NUL byte but low bytes that look like
    control codes (市 is 02 5E); it decodes to plausible text, binary data does not."""
    from kg.ingest.text import MIN_PLAUSIBLE, plausibility

    sample = data[:4096 - 4096 % 2] if len(data) % 2 == 0 else b""
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            if sample and plausibility(sample.decode(encoding)) >= MIN_PLAUSIBLE:
                return True
        except UnicodeDecodeError:
            continue
    return False


def _looks_binary(head: bytes) -> bool:
    """Control bytes other than tab/newline/CR/formfeed/ESC are rare in any text encoding."""
    if not head:
        return False
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / len(head) > 0.02  # text in any encoding has (almost) none


def looks_like_html(text: str) -> bool:
    """True when decoded text is an HTML page (a .txt saved from a browser, say)."""
    start = text.lstrip("\ufeff \t\r\n")[:2000].lower()
    if start.startswith(("<!doctype html", "<html", "<?xml")) and "<html" in text[:5000].lower():
        return True
    if not start.startswith("<"):
        return False
    return any(marker in start for marker in HTML_MARKERS)
