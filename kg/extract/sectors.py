"""Sectors of projects: which economic or policy sector(s) each project belongs to.

Owns the inSector relations (project mention -> sector code from the gold guideline's
SECTORS list). Codes come from a keyword map (data/sector_keywords.tsv): the words of the
project's own name first (水库 -> water, 医院 -> health); when the name says nothing, the
nearest heading above it (专栏 row label, 专栏 title, section headings from the innermost
out), since a project listed under a heading about 文旅 is a tourism/culture project.
"""
from __future__ import annotations

from pathlib import Path

from kg.model import Document, EntityKind, Relation

DATA = Path(__file__).parent / "data"

SECTOR_CODES = (
    "tourism", "culture", "agriculture", "manufacturing", "energy", "transport", "water",
    "construction_realestate", "commerce", "finance", "digital", "science", "education",
    "health", "elderly_childcare", "social_security", "environment", "urban", "logistics",
    "sports", "safety", "government",
)


def _load_keywords() -> list[tuple[str, tuple[str, ...]]]:
    rows = []
    for line in (DATA / "sector_keywords.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, codes = line.split("\t")[:2]
        codes_t = tuple(c.strip() for c in codes.split(",") if c.strip())
        unknown = set(codes_t) - set(SECTOR_CODES)
        if unknown:
            raise ValueError(f"sector_keywords.tsv: unknown sector code(s) {unknown} for {word!r}")
        rows.append((word, codes_t))
    return sorted(rows, key=lambda r: len(r[0]), reverse=True)  # longest keyword first


KEYWORDS = _load_keywords()


def sectors_of_text(text: str) -> list[str]:
    """Sector codes named by the words of a text, in order of first appearance; a keyword
    inside a longer matched keyword (馆 in 博物馆) does not count again."""
    hits: list[tuple[int, str]] = []
    covered: list[tuple[int, int]] = []
    for word, codes in KEYWORDS:
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            if not any(s <= start and end <= e for s, e in covered):
                covered.append((start, end))
                hits.extend((start, c) for c in codes)
            start = text.find(word, end)
    out: list[str] = []
    for _, code in sorted(hits):
        if code not in out:
            out.append(code)
    return out


def heading_context(doc: Document, sentence: int) -> list[str]:
    """Headings above a sentence, nearest first: 专栏 row label, 专栏 title, then the
    section headings from the innermost section out."""
    sent = doc.sentences[sentence]
    texts = []
    if sent.column is not None:
        col = doc.columns[sent.column]
        if sent.row is not None:
            texts.append(col.rows[sent.row].label)
        texts.append(col.title)
    texts += [sec.heading for sec in doc.section_chain(sent.section) if sec.heading]
    return texts


def extract_sectors(doc: Document) -> Document:
    """Append inSector relations for every project mention."""
    for i, m in enumerate(doc.mentions):
        if m.kind is not EntityKind.PROJECT:
            continue
        codes, rule = sectors_of_text(m.name), "sectors.name"
        if not codes:
            for heading in heading_context(doc, m.sentence):
                codes = sectors_of_text(heading)
                if codes:
                    rule = "sectors.heading"
                    break
        for code in codes:
            doc.relations.append(Relation(predicate="inSector", subject=i, object=code,
                                          sentence=m.sentence, rule=rule))
    return doc
