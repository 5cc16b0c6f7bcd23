"""Reads DOCX reports: body paragraphs and tables in document order.

专栏 boxes are often tables, so tables matter as much as paragraphs. Each table cell
becomes a tab-prefixed line and each row ends with a blank line: the same shape the
text and HTML readers give table rows, so structure parsing sees one form.

Paragraph text is read from the XML rather than python-docx's `Paragraph.text`, which
drops text a reviewer inserted with tracked changes on (w:ins) and never looks into
text boxes (a 专栏 drawn as a box) or content controls (w:sdt). Deleted text (w:del),
field codes and the fallback copy of a text box (mc:Fallback) are not report text.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from docx import Document as open_docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table

from kg.ingest.errors import DocumentError

W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# Elements whose text is not the report's: deletions, field codes, the fallback copy.
SKIPPED = {W_NS + "del", W_NS + "delText", W_NS + "instrText", MC_FALLBACK}


def read_docx(data: bytes, path: Path) -> str:
    """The text of a DOCX file, paragraphs one per line, tables as tab-prefixed cells."""
    try:
        document = open_docx(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError) as exc:
        raise DocumentError(path, f"corrupt DOCX: {exc}") from None
    except Exception as exc:  # lxml XMLSyntaxError and friends: broken parts
        raise DocumentError(path, f"corrupt DOCX: unreadable document part ({type(exc).__name__}: {exc})") from None
    return "\n".join(_block_lines(document.element.body, document))


def _block_lines(container, document) -> list[str]:
    """Lines of the paragraphs and tables directly in a container (body, content control)."""
    lines: list[str] = []
    for element in container.iterchildren():
        if element.tag == W_NS + "p":
            lines.extend(paragraph_lines(element))
        elif element.tag == W_NS + "tbl":
            lines.extend(_table_lines(Table(element, document)))
        elif element.tag == W_NS + "sdt":
            for content in element.iterchildren(W_NS + "sdtContent"):
                lines.extend(_block_lines(content, document))
    return lines


def paragraph_lines(p) -> list[str]:
    """A w:p element's text (line breaks kept), then the paragraphs of its text boxes."""
    parts: list[str] = []
    boxes: list[str] = []

    def walk(element) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in SKIPPED:
                continue
            if tag == W_NS + "t":
                parts.append(child.text or "")
            elif tag == W_NS + "tab":
                parts.append(" ")  # a leading tab would read as a table cell
            elif tag in (W_NS + "br", W_NS + "cr"):
                if child.get(W_NS + "type") != "page":
                    parts.append("\n")
            elif tag == W_NS + "txbxContent":
                for inner in child.iterchildren(W_NS + "p"):
                    boxes.extend(paragraph_lines(inner))
            else:
                walk(child)

    walk(p)
    return ["".join(parts)] + boxes


def _table_lines(table: Table) -> list[str]:
    lines: list[str] = [""]
    for row in table.rows:
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is repeated once per grid column
                continue
            seen.add(id(cell._tc))
            text = "\n".join(line for p in cell._tc.iterchildren(W_NS + "p")
                             for line in paragraph_lines(p)).strip()
            if text:
                lines.append("\t" + text.replace("\n", "\n\t"))
        lines.append("")
    return lines
