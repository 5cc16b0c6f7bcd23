"""Parses a report's normalised text into a `Document`: metadata, sections, 专栏, sentences.

Owns the reading of report layout, not of content:
- metadata: title, issuer, date, the place the report is about, review and plan years;
- sections: one per heading (一、 / （一） / 一是 / 1. / （1） / 第一，, nested by the order the
  numbering kinds appear) and one per plain paragraph (heading ''), all under a root
  section (index 0, level 0) spanning the whole text;
- each section's year and mode (REVIEW looks back, PLAN looks forward), inherited from
  its parent unless its own heading (or a paragraph's opening words) says otherwise;
- 专栏 columns with their rows (a row is a label cell followed by its content);
- sentences split on 。！？； (and ASCII !?;) and line breaks.

All offsets are half-open character offsets into `Document.text` (= SourceText.text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.model import Column, ColumnRow, Document, Section, SectionMode, Sentence, SourceText

CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# Heading numbering kinds, tried in this order. Nesting is not fixed: a kind seen for the
# first time nests under the current heading, a kind already open closes back to it.
HEADING_KINDS: list[tuple[str, re.Pattern[str]]] = [
    # 一、  (but not the enumeration "一、二、三产业")
    ("part", re.compile(r"^([一二三四五六七八九十]{1,3})、(?![一二三四五六七八九十]{1,3}[、是])")),
    ("section", re.compile(r"^[（(]([一二三四五六七八九十]{1,3})[）)]")),
    ("ordinal", re.compile(r"^第([一二三四五六七八九十]{1,3})[，,、：:]")),  # 第一，
    ("point", re.compile(r"^([一二三四五六七八九十]{1,3})是(?=\S)")),  # 一是
    ("number", re.compile(r"^(\d{1,2})[.．、](?!\d)")),  # 1. / 1、
    ("paren_number", re.compile(r"^[（(](\d{1,2})[）)]")),  # （1）
    ("circled", re.compile(rf"^([{CIRCLED}])")),
]
POINT_KINDS = ("ordinal", "point", "number", "paren_number", "circled")  # below （一） sections
HEADING_MAX_CHARS = 80  # a "heading" with no full stop within this is a paragraph

COLUMN_TITLE = re.compile(r"^专栏\s*([0-9]{1,2}|[一二三四五六七八九十]{1,3})(?![0-9])\s*[：:.、]?\s*(.{0,60})$")
ROW_LABEL_MAX = 25  # a row's label cell (strategy/category) is short

SENTENCE = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』）)》]*|\n|$)")
TERMINAL = "。！？；!?;"

# Words in a heading that say it looks back or forward. STRONG ones also decide for a
# sub-heading; the rest only for a top-level part (where "任务" or "取得" is unambiguous).
REVIEW_STRONG = ("回顾", "执行情况", "完成情况", "工作总结")
PLAN_STRONG = ("计划草案", "工作安排", "总体要求", "主要目标", "预期目标", "工作任务", "总体考虑",
               "主要任务", "重点任务", "工作思路", "计划安排")
REVIEW_WEAK = ("过去", "成就", "成绩", "取得", "成效", "进展", "一年来", "五年来")
PLAN_WEAK = ("安排", "任务", "目标", "要求", "打算", "思路", "部署", "重点工作", "展望", "建议",
             "今年", "明年", "计划的")
# Relative year words: offset from the plan (report) year.
RELATIVE_YEARS = {"今年": 0, "本年": 0, "明年": 1, "去年": -1, "上年": -1, "过去一年": -1, "过去五年": -1,
                  "过去的一年": -1, "一年来": -1, "五年来": -1}
# Openings of a paragraph that move it to another period than its heading's.
PARAGRAPH_REVIEW_OPENINGS = re.compile(r"^(?:——)?(过去一年|过去的一年|一年来|去年|过去五年|五年来|回顾过去)")
PARAGRAPH_PLAN_OPENINGS = re.compile(r"^(?:——)?(今年|新的一年|明年)")
PARAGRAPH_YEAR_OPENING = re.compile(r"^(?:——)?((?:19|20)\d\d)年(?:[，,是以上下前全]|[1-9]—)")

YEAR = re.compile(r"((?:19|20)\d\d)年")
DATE = re.compile(r"((?:19|20)\d\d)年(\d{1,2})月(\d{1,2})日")
TITLE_WORDS = ("报告", "草案", "纲要", "规划")
ISSUER_HINT = re.compile(r"(政府|委员会|局|厅|办公室|总理|省长|市长|区长|县长|州长|旗长|盟长|主席)")
OFFICE_END = re.compile(r"(总理|省长|市长|区长|县长|州长|旗长|盟长|主席)$")
ISSUER_IN_DATELINE = [
    re.compile(r"会议上[，,]?(.{2,30}?)(?:同志)?作.{0,8}报告"),
    re.compile(r"\d{1,2}日(.{2,30}?)在.{2,40}?会议上"),
]
ISSUER_IN_SPEECH = re.compile(r"我(?:代表|受)(.{2,12}?)(?:的)?(?:委托|[，,向])")
# The place a report is about: a chain of administrative units at the start of the title.
PLACE_UNIT = re.compile(
    r"((?!关于)[\u4e00-\u9fff]{1,8}?(?:特别行政区|自治区|自治州|自治县|自治旗|省|市|地区|盟|州|区|县|旗))")
PLACE_STOP = ("人民", "政府", "国民", "经济", "社会", "发展", "工作", "计划", "报告", "执行", "年")
UNIT_CHARS = "省市区县州旗盟"
COUNTRY_NAMES = ("中华人民共和国", "全国")


@dataclass
class _Line:
    start: int  # offset of the first non-blank character
    end: int  # offset after the last non-blank character
    tabbed: bool  # starts with a tab: a table cell

    def text(self, full: str) -> str:
        return full[self.start:self.end]


def parse_document(source: SourceText) -> Document:
    """Parse a SourceText into a Document with metadata, sections, columns and sentences."""
    doc = Document(source=source, text=source.text, warnings=list(source.warnings))
    lines = _split_lines(doc.text)
    _Builder(doc, lines).build()
    _fill_metadata(doc, lines)
    _assign_periods(doc)
    return doc


def _split_lines(text: str) -> list[_Line | None]:
    """Lines with stripped offsets; None for blank lines."""
    out: list[_Line | None] = []
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            out.append(_Line(pos + lead, pos + lead + len(stripped), raw.startswith("\t")))
        else:
            out.append(None)
        pos += len(raw) + 1
    return out


def cn_number(token: str) -> int:
    """一..九十九 or digits or circled numbers as int."""
    if token.isdigit():
        return int(token)
    if token in CIRCLED:
        return CIRCLED.index(token) + 1
    if "十" in token:
        tens, _, ones = token.partition("十")
        return (CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (CN_DIGITS.get(ones, 0) if ones else 0)
    return CN_DIGITS.get(token, 0)


class _Builder:
    """Walks the lines once, keeping a stack of open headings."""

    def __init__(self, doc: Document, lines: list[_Line | None]) -> None:
        self.doc = doc
        self.lines = lines
        self.stack: list[tuple[str, int]] = []  # (numbering kind, section index)
        self.last_number: dict[tuple[int, str], int] = {}  # (parent, kind) -> last number
        self.last_end = 0

    def build(self) -> None:
        doc = self.doc
        doc.sections.append(Section(index=0, level=0, start=0, end=len(doc.text), heading="", heading_end=0))
        self.stack = [("root", 0)]
        i = 0
        while i < len(self.lines):
            line = self.lines[i]
            if line is None:
                i += 1
                continue
            content = line.text(doc.text)
            column = COLUMN_TITLE.match(content)
            if column and "。" not in column.group(2):
                i = self._read_column(i, column)
                continue
            if not self._read_heading(line, content):
                self._read_paragraph(line)
            self.last_end = line.end
            i += 1
        while len(self.stack) > 1:
            self._close()

    # -- headings and paragraphs -------------------------------------------------------

    def _read_heading(self, line: _Line, content: str) -> bool:
        for kind, pattern in HEADING_KINDS:
            m = pattern.match(content)
            if not m:
                continue
            number = cn_number(m.group(1))
            open_kinds = [k for k, _ in self.stack]
            depth = open_kinds.index(kind) if kind in open_kinds else len(self.stack)
            parent = self.stack[depth - 1][1]
            if number != 1 and self.last_number.get((parent, kind)) != number - 1:
                return False  # out of sequence: "3. " inside a sentence list, not a heading
            heading_end = _heading_end(content)
            if heading_end is None:
                return False
            while len(self.stack) > depth:
                self._close()
            self.last_number[(parent, kind)] = number
            index = len(self.doc.sections)
            text = content[:heading_end].rstrip(TERMINAL + "，,：:")
            self.doc.sections.append(Section(
                index=index, level=depth, start=line.start, end=line.end, heading=text,
                heading_end=line.start + heading_end, parent=parent))
            self.stack.append((kind, index))
            self._add_sentences(line.start, line.end, index)
            return True
        return False

    def _read_paragraph(self, line: _Line) -> None:
        _, parent = self.stack[-1]
        index = len(self.doc.sections)
        self.doc.sections.append(Section(
            index=index, level=self.doc.sections[parent].level + 1, start=line.start, end=line.end,
            heading="", heading_end=line.start, parent=parent))
        self._add_sentences(line.start, line.end, index)

    def _close(self) -> None:
        _, index = self.stack.pop()
        section = self.doc.sections[index]
        section.end = max(section.end, self.last_end)

    # -- 专栏 columns ---------------------------------------------------------------------

    def _read_column(self, i: int, m: re.Match[str]) -> int:
        """Read a 专栏 from line i; return the index of the first line after it."""
        doc = self.doc
        title_line = self.lines[i]
        assert title_line is not None
        while len(self.stack) > 2 and self.stack[-1][0] in POINT_KINDS:
            self._close()  # a 专栏 boxes its whole section, not the last 一是 point before it
        title = m.group(2).strip()
        column = Column(index=len(doc.columns), number=str(cn_number(m.group(1))), title=title,
                        start=title_line.start, end=title_line.end, section=self.stack[-1][1])
        doc.columns.append(column)
        self._add_sentences(title_line.start, title_line.end, self.stack[-1][1], column=column.index)
        j = i + 1
        following = [ln for ln in self.lines[j:j + 3] if ln is not None]
        if not title and following and not following[0].tabbed:
            # title on its own line after "专栏1"
            column.title = following[0].text(doc.text)
            self._add_sentences(following[0].start, following[0].end, self.stack[-1][1], column=column.index)
            column.end = following[0].end
            j = self.lines.index(following[0], j) + 1
            following = [ln for ln in self.lines[j:j + 3] if ln is not None]
        tabbed = bool(following) and following[0].tabbed
        groups: list[list[_Line]] = []
        current: list[_Line] = []
        while j < len(self.lines):
            line = self.lines[j]
            if line is None:
                if tabbed and current:
                    groups.append(current)
                    current = []
                j += 1
                continue
            content = line.text(doc.text)
            if COLUMN_TITLE.match(content) or (not line.tabbed and self._starts_heading(content)):
                break
            if tabbed and not line.tabbed:
                break  # the table is over: back to running text
            if tabbed:
                current.append(line)
            else:
                groups.append([line])  # untabbed column: one row per line
            j += 1
        if current:
            groups.append(current)
        for cells in groups:
            self._add_row(column, cells)
        if column.rows:
            column.end = column.rows[-1].end
        self.last_end = column.end
        return j

    def _starts_heading(self, content: str) -> bool:
        return any(pattern.match(content) for kind, pattern in HEADING_KINDS[:2])

    def _add_row(self, column: Column, cells: list[_Line]) -> None:
        text = self.doc.text
        first = cells[0].text(text)
        label = ""
        if len(cells) > 1 and len(first) <= ROW_LABEL_MAX and not any(c in first for c in "。；"):
            label = first
        else:
            head, sep, _ = first.partition("：")
            if sep and len(head) <= ROW_LABEL_MAX:
                label = head
        row = ColumnRow(index=len(column.rows), start=cells[0].start, end=cells[-1].end, label=label)
        column.rows.append(row)
        for cell in cells:
            self._add_sentences(cell.start, cell.end, self.stack[-1][1], column=column.index, row=row.index)

    # -- sentences ------------------------------------------------------------------------

    def _add_sentences(self, start: int, end: int, section: int,
                       column: int | None = None, row: int | None = None) -> None:
        for s, e in split_sentences(self.doc.text, start, end):
            self.doc.sentences.append(Sentence(index=len(self.doc.sentences), start=s, end=e,
                                               section=section, column=column, row=row))


def _heading_end(content: str) -> int | None:
    """Where a heading line's heading stops: after its first full stop, or the whole line."""
    cut = min((content.find(p) for p in "。；！？" if p in content), default=-1)
    if cut >= 0:
        return cut + 1 if cut < HEADING_MAX_CHARS else None
    return len(content) if len(content) <= HEADING_MAX_CHARS * 2 else None


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans in text[start:end]: split after 。！？； (with closing quotes) and at
    line breaks, trimmed of surrounding whitespace, pure punctuation dropped."""
    end = len(text) if end is None else end
    spans = []
    for m in SENTENCE.finditer(text, start, end):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s and not all(ch in TERMINAL + "”’」』）)》，、" for ch in text[s:e]):
            spans.append((s, e))
        if m.end() == m.start():
            break
    return spans


# -- metadata -------------------------------------------------------------------------------


def _front_lines(doc: Document, lines: list[_Line | None]) -> list[str]:
    """Non-blank lines before the first heading and the salutation (各位代表), at most 12."""
    first_heading = next((s.start for s in doc.sections[1:] if s.heading), len(doc.text))
    out = []
    for line in lines:
        if line is None:
            continue
        if line.start >= first_heading or len(out) >= 12:
            break
        content = line.text(doc.text)
        if content.startswith("各位代表"):
            break
        out.append(content)
    return out


def _fill_metadata(doc: Document, lines: list[_Line | None]) -> None:
    front = _front_lines(doc, lines)
    title, title_count = _find_title(front)
    doc.title = title
    rest = front[title_count:]
    doc.date = _find_date(front)
    doc.issuer = _find_issuer(rest, title, doc.text[:3000])
    doc.place_name = find_report_place(title) or find_report_place(doc.issuer)
    root = doc.sections[0]
    root.heading = title
    if title:
        root.heading_end = doc.text.find(front[title_count - 1]) + len(front[title_count - 1])


def _find_title(front: list[str]) -> tuple[str, int]:
    """The title and how many front lines it takes (titles can wrap onto a second line)."""
    if not front:
        return "", 0
    first = front[0]
    if any(p in first for p in TERMINAL) or len(first) > 100:
        return "", 0  # a sentence, not a title: the text starts without one
    if first.endswith(TITLE_WORDS) or len(front) == 1:
        return first, 1
    second = front[1]
    if second.endswith(TITLE_WORDS) and not second.startswith(("—", "-")) and "会议" not in second:
        return first + second, 2
    return first, 1


def _find_date(front: list[str]) -> str | None:
    candidates = [ln for ln in front if "会议" in ln or ln.startswith(("—", "-"))] + front
    for line in candidates:
        m = DATE.search(line)
        if m:
            year, month, day = (int(g) for g in m.groups())
            if 1 <= month <= 12 and 1 <= day <= 31:
                return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _find_issuer(rest: list[str], title: str, opening: str) -> str:
    """Who delivers the report: an issuer line, the speaker in the date line, or 我代表X."""
    for k, line in enumerate(rest):
        if DATE.search(line) or "报告" in line or "会议" in line or line in title:
            continue
        if len(line) <= 40 and ISSUER_HINT.search(line):
            if OFFICE_END.search(line) and k + 1 < len(rest) and len(rest[k + 1]) <= 5:
                return f"{line} {rest[k + 1]}"  # "国务院总理" / "李强" on two lines
            return line
    for line in rest:
        for pattern in ISSUER_IN_DATELINE:
            m = pattern.search(line)
            if m:
                return m.group(1).strip("，, ")
    m = ISSUER_IN_SPEECH.search(opening)
    return m.group(1) if m else ""


def find_report_place(title: str) -> str:
    """The place a report is about, as written at the start of its title
    ("四川省都江堰市", "安徽省", "中华人民共和国"), or ''."""
    text = re.sub(r"^(关于)?((?:19|20)\d\d年(?:度)?)?", "", title)
    for country in COUNTRY_NAMES:
        if text.startswith(country):
            return "中华人民共和国"
    place = ""
    pos = 0
    while True:
        m = PLACE_UNIT.match(text, pos)
        if not m or any(w in m.group(1) for w in PLACE_STOP):
            break
        pos = m.end()
        while pos < len(text) and text[pos] in UNIT_CHARS:  # 贵州省, 杭州市: "州" was not the unit
            pos += 1
        place += text[m.start():pos]
    if place:
        return place
    m = re.match(r"^([\u4e00-\u9fff]{2,8}?)(?:人民政府|政府工作|国民经济)", text)
    return m.group(1) if m else ""


# -- periods: section years and modes --------------------------------------------------------


def report_plan_year(doc: Document) -> int | None:
    """The year the report plans for (= the year it is delivered in, for annual reports)."""
    title_years = [int(y) for y in YEAR.findall(doc.title)]
    if title_years:
        return max(title_years)
    if doc.date:
        return int(doc.date[:4])
    heading_years = [int(y) for s in doc.sections if s.heading and s.level == 1 for y in YEAR.findall(s.heading)]
    return max(heading_years) if heading_years else None


def classify_heading(heading: str, plan_year: int | None, top_level: bool) -> tuple[int | None, SectionMode | None]:
    """The (year, mode) a heading states, each None when it says nothing."""
    year = None
    m = YEAR.search(heading)
    if m:
        year = int(m.group(1))
    elif plan_year is not None:
        for word, offset in RELATIVE_YEARS.items():
            if word in heading:
                year = plan_year + offset
                break
    review = sum(w in heading for w in REVIEW_STRONG) * 2
    plan = sum(w in heading for w in PLAN_STRONG) * 2
    weak_review = sum(w in heading for w in REVIEW_WEAK)
    weak_plan = sum(w in heading for w in PLAN_WEAK)
    if top_level:
        review, plan = review + weak_review, plan + weak_plan
    elif (review and weak_plan) or (plan and weak_review):
        review = plan = 0  # "落实重点任务……取得新成效": a sub-heading with mixed cues says nothing
    mode = None
    if review and plan and year is not None and plan_year is not None:
        review, plan = (1, 0) if year < plan_year else (0, 1)  # "1998年工作回顾和1999年…要求"
    if review > plan:
        mode = SectionMode.REVIEW
    elif plan > review:
        mode = SectionMode.PLAN
    elif year is not None and plan_year is not None:
        mode = SectionMode.REVIEW if year < plan_year else SectionMode.PLAN
    return year, mode


def _paragraph_period(opening: str, plan_year: int | None) -> tuple[int | None, SectionMode | None]:
    if plan_year is None:
        return None, None
    if PARAGRAPH_REVIEW_OPENINGS.match(opening):
        return plan_year - 1, SectionMode.REVIEW
    if PARAGRAPH_PLAN_OPENINGS.match(opening):
        return plan_year + (1 if opening.lstrip("—").startswith("明年") else 0), SectionMode.PLAN
    m = PARAGRAPH_YEAR_OPENING.match(opening)
    if m:
        year = int(m.group(1))
        return year, SectionMode.REVIEW if year < plan_year else SectionMode.PLAN
    return None, None


def _assign_periods(doc: Document) -> None:
    """Give every section a year and mode: its own cue, else its parent's; top-level parts
    without a cue follow the report's order (review first, then plan)."""
    plan_year = report_plan_year(doc)
    review_year = plan_year - 1 if plan_year else None
    seen_part_mode = False
    for section in doc.sections[1:]:
        parent = doc.sections[section.parent or 0]
        if section.heading:
            top = section.parent == 0
            year, mode = classify_heading(section.heading, plan_year, top)
            if top and mode is None:
                mode = SectionMode.PLAN if seen_part_mode else _mode_from_body(doc, section)
            if top and mode is not None:
                seen_part_mode = True
        else:
            year, mode = _paragraph_period(doc.text[section.start:section.start + 16], plan_year)
        if mode is None:
            mode = parent.mode
        if year is None:
            if mode == parent.mode and parent.year is not None:
                year = parent.year
            else:
                year = {SectionMode.REVIEW: review_year, SectionMode.PLAN: plan_year}.get(mode)
        section.year, section.mode = year, mode
    tops = [s for s in doc.sections if s.heading and s.level <= 2 and s.year is not None]
    doc.review_years = sorted({s.year for s in tops if s.mode == SectionMode.REVIEW})
    doc.plan_years = sorted({s.year for s in tops if s.mode == SectionMode.PLAN})


def _mode_from_body(doc: Document, section: Section) -> SectionMode | None:
    """A first part whose heading gives no cue: look at how its text opens."""
    body = doc.text[section.heading_end:section.heading_end + 300]
    review = sum(body.count(w) for w in ("过去一年", "一年来", "去年", "过去五年", "取得", "完成"))
    plan = sum(body.count(w) for w in ("今年", "要", "将", "力争", "目标"))
    if review > plan:
        return SectionMode.REVIEW
    if plan > review:
        return SectionMode.PLAN
    return None
