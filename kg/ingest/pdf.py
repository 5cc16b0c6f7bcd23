"""Reads the text layer of PDF reports (pypdf). Scanned PDFs without one are refused."""
from __future__ import annotations

import io
import logging
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from kg.ingest.errors import DocumentError

# A page with fewer real characters than this is taken to be an image.
MIN_CHARS_PER_PAGE = 20


def read_pdf(data: bytes, path: Path) -> str:
    """The text layer of all pages, pages separated by a blank line."""
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
    text = "\n\n".join(pages)
    if sum(1 for ch in text if not ch.isspace()) < MIN_CHARS_PER_PAGE * len(pages) / 4:
        raise DocumentError(path, "PDF has no text layer (scanned image?); run OCR first")
    return text
