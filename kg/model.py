"""The typed document model every pipeline stage reads and enriches.

Data flows one way: a file is read into a `SourceText`, parsed into a `Document`
(clean text, sections, columns, sentences, all with character offsets into
`Document.text`), enriched by extraction components with `Mention`s, `Quantity`s and
`Relation`s, then resolved into `Entity`s across documents and mapped to RDF.

Offsets are always half-open `[start, end)` character offsets into `Document.text`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from pathlib import Path


class EntityKind(str, Enum):
    """The kinds of named things extraction finds; each maps to one ontology class."""

    PROJECT = "project"
    STRATEGY = "strategy"
    PLACE = "place"
    SECTOR = "sector"
    EVENT = "event"
    ORGANIZATION = "organization"
    INDICATOR = "indicator"


class QuantityRole(str, Enum):
    TARGET = "target"  # a goal for a period not yet over when the report was written
    OBSERVATION = "observation"  # a reported, achieved value for a past period


class Comparator(str, Enum):
    EQ = "eq"
    GE = "ge"  # 以上, 超过, 不低于
    LE = "le"  # 以内, 以下, 控制在, 不超过
    APPROX = "approx"  # 左右


class MeasureKind(str, Enum):
    GROWTH_RATE = "growth_rate"
    REDUCTION = "reduction"
    LEVEL = "level"
    SHARE = "share"
    COUNT = "count"
    OTHER = "other"


class SectionMode(str, Enum):
    """Whether a stretch of the report looks back (review) or forward (plan)."""

    REVIEW = "review"
    PLAN = "plan"
    OTHER = "other"


@dataclass
class SourceText:
    """What a reader returns: the text of one file, before structure parsing."""

    path: Path
    text: str  # normalised: NFC, half-width digits and %, \n line endings
    format: str  # txt | html | docx | pdf
    encoding: str | None = None  # detected encoding for byte formats
    warnings: list[str] = field(default_factory=list)

    @property
    def source_file(self) -> str:
        return self.path.name


@dataclass
class Section:
    """A heading or paragraph of the report: one policy statement with its scope.

    level: 1 part (一、), 2 section (（一）), 3 point (一是 / 1.), 4 paragraph.
    """

    index: int
    level: int
    start: int
    end: int  # end of the whole section, including its children
    heading: str  # the heading text ('' for a plain paragraph)
    heading_end: int  # offset where the heading stops
    parent: int | None = None
    year: int | None = None  # the year the section speaks about
    mode: SectionMode = SectionMode.OTHER


@dataclass
class ColumnRow:
    """One row of a 专栏 box, usually a strategy/category followed by its projects."""

    index: int
    start: int
    end: int
    label: str = ""  # the row's lead-in (e.g. the strategy or category before ：)


@dataclass
class Column:
    """A 专栏 (boxed column) of the report, with its rows."""

    index: int
    number: str  # as written, e.g. "1" for 专栏1
    title: str
    start: int
    end: int
    section: int | None = None
    rows: list[ColumnRow] = field(default_factory=list)


@dataclass
class Sentence:
    index: int
    start: int
    end: int
    section: int | None = None  # innermost section containing it
    column: int | None = None
    row: int | None = None


@dataclass
class Mention:
    """A typed span of the clean text: something the report names."""

    kind: EntityKind
    start: int
    end: int
    sentence: int
    text: str  # the surface form exactly as in Document.text[start:end]
    name: str = ""  # the normalised name used for resolution; defaults to text
    attrs: dict[str, str] = field(default_factory=dict)  # e.g. place_type, adcode, level
    rule: str = ""  # the component/rule that produced it, for explanations

    def __post_init__(self) -> None:
        if not self.name:
            self.name = self.text


@dataclass
class Quantity:
    """A number the report states about an indicator: a target or an observation."""

    role: QuantityRole
    indicator: str  # the indicator as worded
    value: Decimal
    unit: str  # exactly as written after the number
    start: int  # span of the number phrase
    end: int
    sentence: int
    year: int | None = None
    comparator: Comparator = Comparator.EQ
    measure: MeasureKind = MeasureKind.OTHER
    value_max: Decimal | None = None  # upper bound of a range (5%—6%)
    subject: str | None = None  # whose value it is, when not the document's place
    text: str = ""  # surface of the number phrase
    rule: str = ""


@dataclass
class Relation:
    """A link between two mentions (or a mention and a sector code) in one document.

    predicate is one of the ontology's link properties by local name:
    implements, locatedIn, inSector, partOf, organizes, involves.
    """

    predicate: str
    subject: int  # index into Document.mentions
    object: int | str  # index into Document.mentions, or a sector code for inSector
    sentence: int
    rule: str = ""


@dataclass
class Document:
    """One report: clean text, structure, and what extraction found in it."""

    source: SourceText
    text: str
    title: str = ""
    issuer: str = ""
    date: str | None = None  # ISO date (YYYY-MM-DD) when the report states one
    place_name: str = ""  # the place the report is about, as written (北京市XX区)
    review_years: list[int] = field(default_factory=list)
    plan_years: list[int] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)  # e.g. place adcode once resolved
    # jieba's words over the whole text, (start, end, word, part-of-speech flag), set once by
    # the pipeline before the components (kg.pipeline.segment_words) so they need not segment
    # the text again; words come from simplified text when the report is traditional, offsets
    # from Document.text. None outside the pipeline, and dropped before a Document is cached.
    tokens: list[tuple[int, int, str, str]] | None = None

    @property
    def source_file(self) -> str:
        return self.source.source_file

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence containing a character offset (binary search)."""
        lo, hi = 0, len(self.sentences)
        while lo < hi:
            mid = (lo + hi) // 2
            s = self.sentences[mid]
            if offset < s.start:
                hi = mid
            elif offset >= s.end:
                lo = mid + 1
            else:
                return s
        return None

    def sentence_text(self, index: int) -> str:
        s = self.sentences[index]
        return self.text[s.start:s.end]

    def section_chain(self, index: int | None) -> list[Section]:
        """The section and its ancestors, innermost first."""
        chain = []
        while index is not None:
            sec = self.sections[index]
            chain.append(sec)
            index = sec.parent
        return chain

    def add_mention(self, mention: Mention) -> int:
        self.mentions.append(mention)
        return len(self.mentions) - 1


@dataclass
class Entity:
    """One real-world thing after resolution, across all documents of a build."""

    kind: EntityKind
    key: str  # stable, readable IRI key
    label: str  # canonical Chinese name
    alt_labels: set[str] = field(default_factory=set)
    attrs: dict[str, str] = field(default_factory=dict)
    # (source_file, mention index) pairs this entity was resolved from
    mentions: list[tuple[str, int]] = field(default_factory=list)
