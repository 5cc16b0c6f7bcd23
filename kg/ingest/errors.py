"""The one exception readers raise: a file that cannot be turned into report text."""
from __future__ import annotations

from pathlib import Path


class DocumentError(Exception):
    """A file could not be read as a report.

    The message is one line naming the file and the reason, e.g.
    ``reports/report.pdf: PDF has no text layer (scanned image?); run OCR first``.
    """

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")  # as given: two folders may hold one name
