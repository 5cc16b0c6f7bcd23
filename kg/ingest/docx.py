"""Reads DOCX reports: body paragraphs and tables in document order.

专栏 boxes are often tables, so tables matter as much as paragraphs. Each table cell
becomes a tab-prefixed line and each row ends with a blank line: the same shape the
text and HTML readers give table rows, so structure parsing sees one form.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from docx import Document as open_docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from kg.ingest.errors import DocumentError

W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(data: bytes, path: Path) -> str:
    """The text of a DOCX file, paragraphs one per line, tables as tab-prefixed cells."""
    try:
        document = open_docx(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError) as exc:
        raise DocumentError(path, f"corrupt DOCX: {exc}") from None
    except Exception as exc:  # lxml XMLSyntaxError and friends: broken parts
        raise DocumentError(path, f"corrupt DOCX: unreadable document part ({type(exc).__name__}: {exc})") from None
    lines: list[str] = []
    for element in document.element.body.iterchildren():
        if element.tag == W_NS + "p":
            lines.append(Paragraph(element, document).text)
        elif element.tag == W_NS + "tbl":
            lines.extend(_table_lines(Table(element, document)))
    return "\n".join(lines)


def _table_lines(table: Table) -> list[str]:
    lines: list[str] = [""]
    for row in table.rows:
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is repeated once per grid column
                continue
            seen.add(id(cell._tc))
            text = cell.text.strip()
            if text:
                lines.append("\t" + text.replace("\n", "\n\t"))
        lines.append("")
    return lines
