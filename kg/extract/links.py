"""Links from projects to the strategies they implement and the places they are in.

Owns the `implements` (project -> strategy) and `locatedIn` (project -> place) relations
between mentions. It reads the STRATEGY and PLACE mentions the earlier components found
and the document's structure (sections, 专栏 columns and rows); it adds no mentions.

implements, when
- (column) the project is in a 专栏 row whose label, or whose column's title, names a strategy;
- (heading) a heading above the project names a strategy (the section is about it);
- (sentence) one sentence names both and a linking verb (围绕, 融入, 落实 ...) ties them.
locatedIn, when
- (name) a place lies inside the project's name (仙女山天文馆 -> 仙女山);
- (clause) a place in the same clause is introduced as its location (在XX, 位于XX, XX镇的…);
- (row) the project's 专栏 row label names a place.
"""
from __future__ import annotations

import re

from kg.model import Document, EntityKind, Mention, Relation

# Verbs that tie a project to a strategy in one sentence.
LINKING_VERBS = ("围绕", "融入", "落实", "服务", "依托", "助力", "推动", "纳入", "支撑", "聚焦", "对接",
                 "深化", "实施", "推进", "打造", "建设")
LINKING = re.compile("|".join(LINKING_VERBS[:9]))
# A place introduced as a location: 在XX, 位于XX, 落户XX, or XX的 just before the name.
LOCATING_BEFORE = ("在", "位于", "落户", "落地", "于")
# A part of the whole report (一、2023年…执行情况), as opposed to a section about a subject.
REPORT_PART = re.compile(r"^[一二三四五六七八九十]+、")
CLAUSE_END = re.compile(r"[，,。；;：:！!？?\n]")


def extract_links(doc: Document) -> Document:
    """Append implements and locatedIn relations for every project mention."""
    strategies = [(i, m) for i, m in enumerate(doc.mentions) if m.kind is EntityKind.STRATEGY]
    places = [(i, m) for i, m in enumerate(doc.mentions) if m.kind is EntityKind.PLACE]
    seen: set[tuple[str, int, int]] = set()

    def add(pred: str, subj: int, obj: int, sentence: int, rule: str) -> None:
        if (pred, subj, obj) not in seen:
            seen.add((pred, subj, obj))
            doc.relations.append(Relation(predicate=pred, subject=subj, object=obj, sentence=sentence, rule=rule))

    for pi, p in enumerate(doc.mentions):
        if p.kind is not EntityKind.PROJECT:
            continue
        for si in _column_strategies(doc, p, strategies):
            add("implements", pi, si, p.sentence, "links.column")
        for si in _heading_strategies(doc, p, strategies):
            add("implements", pi, si, p.sentence, "links.heading")
        for si in _sentence_strategies(doc, p, strategies):
            add("implements", pi, si, p.sentence, "links.sentence")
        for li, rule in _project_places(doc, p, places):
            add("locatedIn", pi, li, p.sentence, rule)
    return doc


def _label_span(doc: Document, sentence: int) -> tuple[int, int] | None:
    """The span of the 专栏 row label above a sentence (the row's first sentence)."""
    sent = doc.sentences[sentence]
    if sent.column is None or sent.row is None:
        return None
    row = doc.columns[sent.column].rows[sent.row]
    first = doc.sentence_at(row.start)
    return (row.start, first.end) if first else (row.start, row.start + len(row.label))


def _column_strategies(doc: Document, p: Mention, strategies: list[tuple[int, Mention]]) -> list[int]:
    sent = doc.sentences[p.sentence]
    if sent.column is None:
        return []
    col = doc.columns[sent.column]
    spans = [(col.start, col.rows[0].start if col.rows else col.start + len(col.title) + 8)]
    label = _label_span(doc, p.sentence)
    if label:
        spans.append(label)
    return [i for i, m in strategies if any(s <= m.start < e for s, e in spans)]


def _heading_strategies(doc: Document, p: Mention, strategies: list[tuple[int, Mention]]) -> list[int]:
    out = []
    for sec in doc.section_chain(doc.sentences[p.sentence].section):
        if not sec.heading or sec.parent is None or REPORT_PART.match(sec.heading):
            continue  # the title and the report's parts (一、…执行情况) name the report, not a subject
        if sec.start <= p.start < sec.heading_end:
            continue  # the project is in the heading itself: that is the sentence rule's case
        out += [i for i, m in strategies if sec.start <= m.start < sec.heading_end]
    return out


def _sentence_strategies(doc: Document, p: Mention, strategies: list[tuple[int, Mention]]) -> list[int]:
    # the strategy must be the object of a linking verb (围绕“三次创业”, 融入…建设)
    return [i for i, m in strategies if m.sentence == p.sentence and not (m.start < p.end and p.start < m.end)
            and LINKING.search(doc.text[max(0, m.start - 6):m.start + 2])]


def _project_places(doc: Document, p: Mention, places: list[tuple[int, Mention]]) -> list[tuple[int, str]]:
    out = []
    clause_start, clause_end = _clause(doc, p)
    label = _label_span(doc, p.sentence)
    for i, m in places:
        if p.start <= m.start and m.end <= p.end:
            out.append((i, "links.name"))
        elif clause_start <= m.start and m.end <= p.start and _locates(doc.text, m, p):
            out.append((i, "links.clause"))
        elif label and label[0] <= m.start < label[1]:
            out.append((i, "links.row"))
    return out


def _clause(doc: Document, p: Mention) -> tuple[int, int]:
    sent = doc.sentences[p.sentence]
    start = p.start
    while start > sent.start and not CLAUSE_END.match(doc.text[start - 1]):
        start -= 1
    m = CLAUSE_END.search(doc.text, p.end, sent.end)
    return start, m.start() if m else sent.end


def _locates(text: str, place: Mention, project: Mention) -> bool:
    """Whether a place before the project in its clause is given as its location."""
    before = text[max(0, place.start - 2):place.start]
    between = text[place.end:project.start]
    if any(before.endswith(w) for w in LOCATING_BEFORE):
        return True
    return between.startswith("的") and len(between) <= 8
