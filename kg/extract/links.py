"""Links from projects to the strategies they implement and the places they are in.

Owns the `implements` (project -> strategy) and `locatedIn` (project -> place) relations
between mentions. It reads the STRATEGY and PLACE mentions the earlier components found
and the document's structure (sections, 专栏 columns and rows, paragraphs); it adds no
mentions (a 专栏 row label naming a programme is the strategies component's strategy.row).

implements, when
- (column) the project is in a 专栏 row whose label, or whose column's title, names a strategy
  (a label that repeats a strategy named elsewhere in the report counts: 十项重大工程; so does a
  label counting a numbered strategy's parts: 深耕“N”大产业链 -> “N+M”产业链); a row whose label is
  an item of another row's list also takes that row's programme; a strategy nested in a longer
  one (城乡融合发展 in 城乡融合发展试验区) yields to it;
- (heading) a heading above the project names a strategy (the section is about it); of an
  outer heading that lists several strategies, only the one an inner heading picks holds, and
  when the sub-headings share them out (一是A… 二是B…), a sub-heading naming none takes none;
- (lead) the lead sentence of the project's paragraph makes a strategy its topic
  (围绕“X”，… / 以“X”为载体… / 实施X战略。/ X深入推进。);
- (topic) the sentence opens with a clause about a strategy (“X”体系不断完善，A、B加快推进;
  实施“X”行动，开工建设A、B…);
- (sentence) one sentence names both and a linking verb (围绕, 融入, 落实 ...) ties them;
- (means) the project is the means and the strategy the goal of one sentence (以P为主体，…打造“S”);
- (name) the strategy lies inside the project's name (X县以工代赈项目 -> 以工代赈).
locatedIn, when
- (name) a place lies inside the project's name (黄山天文馆 -> 黄山);
- (clause) a place in the same clause is introduced as its location (在XX, 位于XX, XX镇的…);
- (row) the project's 专栏 row label names a place (not one inside a strategy's or another project's name);
- (served) the next clause of its sentence says it serves named towns/villages (解决, 惠及, 利用 …),
  with no other project in that clause (实施X工程，重点解决A街道B村、C镇D村…的供电问题).
"""
from __future__ import annotations

import re

from kg.extract.projects import VERB_WORDS
from kg.model import Document, EntityKind, Mention, Relation

# Verbs that put a strategy as the object the project serves (围绕“四新”, 融入…建设).
LINKING_VERBS = ("围绕", "融入", "落实", "服务", "依托", "助力", "推动", "纳入", "支撑", "聚焦", "对接", "以")
# the verb stands at most 4 characters before the strategy (围绕构建贵州“大水网”, 深度融入)
LINKING = re.compile("(?:" + "|".join(LINKING_VERBS) + ")[^，,。；;：:、和及与]{0,4}$")
LINK_REACH = 8
# Verbs that frame everything after them in the sentence (围绕S，建设P…) ...
FRAMING = re.compile("围绕|聚焦|依托|对接|以")
# ... and verbs that give a following clause as the project's purpose (建成P，助力S).
PURPOSE = re.compile("融入|服务|助力|支撑|对接|纳入|落实")
# A clause that is only (adverbs +) a linking verb + the strategy (持续贯彻落实S, 深度融入S).
OPENING = re.compile("^[^，,。；;：:、]{0,4}(?:" + "|".join(LINKING_VERBS) + ")[^，,。；;：:、和及与]{0,4}$")
# A place introduced as a location: 在XX, 位于XX, 落户XX, or XX的 just before the name.
LOCATING_BEFORE = ("在", "位于", "落户", "落地", "于")
# Places below the district that a project can serve from a neighbouring clause (towns, villages).
LOCAL_UNITS = {"town", "township", "subdistrict", "village", "community"}
# ... and the verbs by which that clause says so (重点解决A村…问题, 整合利用B村资源, 覆盖C镇).
SERVING = re.compile(r"解决|惠及|覆盖|利用|辐射|涉及|受益|服务|保障")
# The rest of a list of places that ends "等N个小区的" before the project (完成A、B、C等5个小区的X改造).
PLACES_OF = re.compile(r"^(?:[、和及与][^，,。；;、的]{1,12})*等[\d一二三四五六七八九十两]+[个处座家所][^，,。；;、的]{0,4}的$")
# A part of the whole report (一、2023年…执行情况), as opposed to a section about a subject.
REPORT_PART = re.compile(r"^[一二三四五六七八九十]+、")
CLAUSE_END = re.compile(r"[，,。；;：:！!？?\n]")
# A project as the means of its sentence (以P为主体) and the goal verb of a strategy after it (打造“S”).
MEANS_BEFORE = re.compile(r"以$")
MEANS_AFTER = re.compile(r"^为(?:主体|载体|抓手|依托|龙头|核心|支撑|引领|牵引|重点)$")
GOAL_VERB = re.compile(r"(?:打造|建设|构建|创建|建成|形成|推动|促进)[^，,。；;：:、]{0,6}$")
# A clause that launches a strategy as its whole object: (深入/全面)实施“X”行动 — what follows does X
# (not 开展: 开展X试点 is one more task in a list).
LAUNCHING = re.compile(r"^[^，,。；;：:“”]{0,4}(?:实施|启动)$")
LAUNCH_TAIL = 4  # 实施乡村振兴战略 / 实施“X”行动计划: only a short tail may follow the strategy
# The predicate of a topic clause: what is said of the strategy (不断完善, 深入推进, 项目加快推进).
TOPIC_PREDICATE = re.compile(r"^[^，,。；;：:\d“”\"]{0,10}$")
# ... which says how it is going (不断完善, 迈出实质性步伐, 成效明显), not more of a noun (创新自主权)
PROGRESS = re.compile(r"推进|推动|完善|实施|优化|突破|进展|成效|步伐|落地|提升|加快|深化|见效|启动|开工|建设|"
                      r"发展|加强|明显|显著|良好|有力|扎实|走深|走实|成熟|壮大|增强|铺开|展开|提速|落实")
# the strategy's parts listed before it (A、B、C、D、E、F N大产业链)
PART_LIST = re.compile(r"^(?:[^，,。；;、]{1,4}、)+[^，,。；;、]{1,4}$")
NAME_COVER = 0.8  # strategies covering this share of a project's name make it a list of programmes
QUOTES = re.compile(r"[“”\"‘’《》「」\s]")
# a 专栏 row label counting a strategy's parts: (verb) + number + 大 + head noun (深耕“N”大产业链)
COUNTED_LABEL = re.compile(r"(\d+|[一二三四五六七八九十]+)大?([\u4e00-\u9fff]{2,4})$")


def extract_links(doc: Document) -> Document:
    """Append implements and locatedIn relations for every project mention."""
    strategies = [(i, m) for i, m in enumerate(doc.mentions) if m.kind is EntityKind.STRATEGY]
    places = [(i, m) for i, m in enumerate(doc.mentions) if m.kind is EntityKind.PLACE]
    seen: set[tuple[str, int, int]] = set()

    def add(pred: str, subj: int, obj: int, sentence: int, rule: str) -> None:
        if pred == "implements" and _same_span(doc.mentions[subj], doc.mentions[obj]):
            return  # one span read as both (a row label that is a project and a programme)
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
        for si in _lead_strategies(doc, p, strategies):
            add("implements", pi, si, p.sentence, "links.lead")
        for si in _topic_strategies(doc, p, strategies):
            add("implements", pi, si, p.sentence, "links.topic")
        for si in _sentence_strategies(doc, p, strategies):
            add("implements", pi, si, p.sentence, "links.sentence")
        for si in _means_strategies(doc, p, strategies):
            add("implements", pi, si, p.sentence, "links.means")
        for si in _name_strategies(p, strategies):
            add("implements", pi, si, p.sentence, "links.name")
        for li, rule in _project_places(doc, p, places, strategies):
            add("locatedIn", pi, li, p.sentence, rule)
    return doc


def _same_span(a: Mention, b: Mention) -> bool:
    return (a.start, a.end) == (b.start, b.end)


def _key(name: str) -> str:
    return QUOTES.sub("", name)


def _label_span(doc: Document, sentence: int) -> tuple[int, int] | None:
    """The span of the 专栏 row label above a sentence (the row's first sentence)."""
    sent = doc.sentences[sentence]
    if sent.column is None or sent.row is None:
        return None
    row = doc.columns[sent.column].rows[sent.row]
    first = doc.sentence_at(row.start)
    return (row.start, first.end) if first else (row.start, row.start + len(row.label))


def _outermost(found: list[tuple[int, Mention]]) -> list[tuple[int, Mention]]:
    """Strategies not nested in a longer one found with them: 城乡融合发展 inside
    城乡融合发展试验区 is part of that name, not a second programme."""
    return [(i, m) for i, m in found
            if not any(o is not m and o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start
                       for _, o in found)]


def _column_strategies(doc: Document, p: Mention, strategies: list[tuple[int, Mention]]) -> list[int]:
    sent = doc.sentences[p.sentence]
    if sent.column is None:
        return []
    col = doc.columns[sent.column]
    spans = [(col.start, col.rows[0].start if col.rows else col.start + len(col.title) + 8)]
    label = _label_span(doc, p.sentence)
    if label:
        spans.append(label)
    out = [i for i, _ in _outermost([(i, m) for i, m in strategies if any(s <= m.start < e for s, e in spans)])]
    if label and not any(label[0] <= strategies_m.start < label[1] for _, strategies_m in strategies):
        row_label = doc.columns[sent.column].rows[sent.row].label
        out += _named_elsewhere(row_label, strategies) or _counted_in_label(doc, col, row_label, strategies)
    if sent.row is not None:
        out += _parent_rows(doc, col, col.rows[sent.row], strategies)
    return out


def _parent_rows(doc: Document, col, row, strategies: list[tuple[int, Mention]]) -> list[int]:
    """A row whose label is an item of another row's list (X民生实事: Y、
    Z… / Y: A、B…) is a part of that row's programme."""
    key = _key(row.label)
    if len(key) < 4:
        return []
    for other in col.rows:
        if other is row:
            continue
        cell = other.start + len(other.label)
        if not any(cell <= m.start < other.end and _key(m.name) == key for m in doc.mentions):
            continue
        first = doc.sentence_at(other.start)
        end = first.end if first else cell
        return [i for i, m in strategies if other.start <= m.start < end]
    return []


def _counted_in_label(doc: Document, col, label: str, strategies: list[tuple[int, Mention]]) -> list[int]:
    """A row label that counts the parts of a numbered strategy of the column's section:
    深耕“N”大产业链 for “N+M”产业链, 建好“3”大平台 for “3+N”平台体系 — the label's number opens the
    strategy's number formula and both end on the same head noun."""
    m = COUNTED_LABEL.search(_key(label))
    if not m or col.section is None:
        return []
    num, head = m.group(1), m.group(2)
    sec = doc.sections[col.section]
    formula = re.compile(rf"^{re.escape(num)}[+＋][0-9A-Za-zＮ一二三四五六七八九十]+{re.escape(head)}")
    for i, s in strategies:
        if sec.start <= s.start < sec.end and formula.match(_key(s.name)):
            return [i]
    return []


def _named_elsewhere(label: str, strategies: list[tuple[int, Mention]]) -> list[int]:
    """A row label that is, quotes aside, the name of a strategy the report names elsewhere."""
    key = _key(label)
    if len(key) < 4:
        return []
    for i, m in strategies:
        if _key(m.name) == key or _key(m.text) == key:
            return [i]
    return []


def _heading_strategies(doc: Document, p: Mention, strategies: list[tuple[int, Mention]]) -> list[int]:
    out: list[int] = []
    picked: set[str] = set()  # strategies an inner heading named
    inner = None  # the heading below the current one on the way up
    for sec in doc.section_chain(doc.sentences[p.sentence].section):
        if not sec.heading or sec.parent is None or REPORT_PART.match(sec.heading):
            continue  # the title and the report's parts (一、…执行情况) name the report, not a subject
        if sec.start <= p.start < sec.heading_end:
            continue  # the project is in the heading itself: that is the sentence rule's case
        here = _outermost(_in_heading(sec, strategies))
        if here and any(_names_one_of(picked, m) for _, m in here):
            # an outer heading listing several strategies (融入A、B等重大战略): the inner heading chose
            here = [(i, m) for i, m in here if _names_one_of(picked, m)]
        elif here and inner is not None and _shared_out(doc, sec, inner, here, strategies):
            here = []  # the sub-headings share out the outer strategies, and this one took none
        out += [i for i, _ in here]
        picked |= {_key(m.name) for _, m in here}
        inner = sec
    return out


def _in_heading(sec, strategies: list[tuple[int, Mention]]) -> list[tuple[int, Mention]]:
    return [(i, m) for i, m in strategies if sec.start <= m.start < sec.heading_end]


def _names_one_of(keys: set[str], m: Mention) -> bool:
    """Whether a strategy is one of the keys, or a longer or shorter form of one
    (成渝地区双城经济圈 / 成渝地区双城经济圈建设)."""
    k = _key(m.name)
    return any(k in o or o in k for o in keys if min(len(k), len(o)) >= 4)


def _shared_out(doc: Document, outer, inner, here: list[tuple[int, Mention]],
                strategies: list[tuple[int, Mention]]) -> bool:
    """Whether sibling sub-headings of `inner` take up the outer heading's strategies one by one
    (（五）融入A、B等重大战略 / 一是A… / 二是B… / 三是对外开放…): then a sub-heading naming none of
    them is about something else."""
    keys = {_key(m.name) for _, m in here}
    for sib in doc.sections:
        if sib.parent != outer.index or sib is inner or not sib.heading:
            continue
        if any(_names_one_of(keys, m) for _, m in _in_heading(sib, strategies)):
            return True
    return False


def _paragraph_start(doc: Document, offset: int) -> int:
    return doc.text.rfind("\n", 0, offset) + 1


def _lead_strategies(doc: Document, p: Mention, strategies: list[tuple[int, Mention]]) -> list[int]:
    """Strategies the lead sentence of the project's paragraph is about."""
    sent = doc.sentences[p.sentence]
    if sent.column is not None:
        return []  # 专栏 rows have their own labels
    lead = doc.sentence_at(_paragraph_start(doc, p.start))
    if lead is None or lead.index == p.sentence or _is_heading(doc, lead.start):
        return []
    return [i for i, m in strategies if m.sentence == lead.index and _is_topic(doc, m)]


def _is_heading(doc: Document, offset: int) -> bool:
    return any(sec.heading and sec.start <= offset < sec.heading_end for sec in doc.sections)


def _clause_of(doc: Document, m: Mention) -> tuple[int, int]:
    sent = doc.sentences[m.sentence]
    start = m.start
    while start > sent.start and not CLAUSE_END.match(doc.text[start - 1]):
        start -= 1
    end = CLAUSE_END.search(doc.text, m.end, sent.end)
    return start, end.start() if end else sent.end


def _is_topic(doc: Document, m: Mention) -> bool:
    """Whether the strategy is what its clause is about: the object of a linking verb
    (围绕“X”, 以“X”为载体), the whole object of a clause that launches it (深入实施“X”行动)
    or the subject of a short predicate (X深入推进)."""
    cs, ce = _clause_of(doc, m)
    if LINKING.search(doc.text[max(cs, m.start - LINK_REACH):m.start]):
        return True
    if LAUNCHING.match(doc.text[cs:m.start]) and len(doc.text[m.end:ce]) <= LAUNCH_TAIL:
        return True
    prefix = doc.text[cs:m.start]
    return (len(prefix) <= 2 or bool(PART_LIST.match(prefix))) and not any(prefix.endswith(v) for v in VERB_WORDS) \
        and bool(TOPIC_PREDICATE.match(doc.text[m.end:ce])) and bool(PROGRESS.search(doc.text[m.end:ce]))


def _topic_strategies(doc: Document, p: Mention, strategies: list[tuple[int, Mention]]) -> list[int]:
    """The sentence opens with a clause about a strategy and goes on with projects
    (“X”Y体系不断完善，A、B加快推进); a run of such clauses is a summary
    of many fields, not a heading, and ties nothing."""
    sent = doc.sentences[p.sentence]
    firsts = [(i, m) for i, m in strategies if m.sentence == p.sentence
              and not CLAUSE_END.search(doc.text, sent.start, m.start)]
    out = []
    for i, m in firsts:
        cs, ce = _clause_of(doc, m)
        if ce >= p.start or not _is_topic(doc, m):
            continue
        if any(ce < o.start < p.start and _is_topic(doc, o) for _, o in strategies if o.sentence == p.sentence):
            continue  # another topic between this one and the project
        if any(cs <= o.start < ce for o in _projects_in(doc, p.sentence)):
            continue  # the clause already has a project: the strategy is not a topic
        out.append(i)
    return out


def _projects_in(doc: Document, sentence: int) -> list[Mention]:
    return [m for m in doc.mentions if m.kind is EntityKind.PROJECT and m.sentence == sentence]


def _sentence_strategies(doc: Document, p: Mention, strategies: list[tuple[int, Mention]]) -> list[int]:
    """The strategy is the object of a linking verb in its own clause (围绕“四新”, 融入…建设)
    and that clause ties it to the project: the project stands before the verb in the same
    clause (推动P纳入S); or the verb frames what follows (围绕S…，建设P); or the clause is
    nothing but the verb and the strategy, right before the project's clause (持续贯彻落实S，
    加快推进P) or right after it as its purpose (…P…，助力S). A strategy in a list of tasks
    beside the project (推动S、P和Q; 建设P，推动S取得成果) is a parallel task, not a link."""
    out = []
    p_cs, p_ce = _clause_of(doc, p)
    for i, m in strategies:
        if m.sentence != p.sentence or (m.start < p.end and p.start < m.end):
            continue
        cs, ce = _clause_of(doc, m)
        verb = LINKING.search(doc.text[max(cs, m.start - LINK_REACH):m.start])
        if not verb:
            continue
        framing = FRAMING.match(verb.group())
        opens = bool(OPENING.match(doc.text[cs:m.start]))
        if cs == p_cs:
            linked = p.end <= verb.start() + max(cs, m.start - LINK_REACH) or bool(framing)
        elif ce <= p_cs:
            linked = bool(framing) or opens and p_cs == ce + 1
        else:
            linked = opens and cs == p_ce + 1 and bool(PURPOSE.match(verb.group()))
        if linked:
            out.append(i)
    return out


def _means_strategies(doc: Document, p: Mention, strategies: list[tuple[int, Mention]]) -> list[int]:
    """The project is the means of the sentence and a strategy its goal: 以P为主体，…，打造“S”
    (以P为载体/抓手/依托 … 建设/构建/推动S)."""
    cs, ce = _clause_of(doc, p)
    if not MEANS_BEFORE.search(doc.text[cs:p.start]) or not MEANS_AFTER.match(doc.text[p.end:ce]):
        return []
    return [i for i, m in strategies if m.sentence == p.sentence and m.start >= ce
            and GOAL_VERB.search(doc.text[max(m.start - LINK_REACH, _clause_of(doc, m)[0]):m.start])]


def _name_strategies(p: Mention, strategies: list[tuple[int, Mention]]) -> list[int]:
    """A strategy inside the project's name (乡村振兴X以工代赈工程 -> 乡村振兴, 以工代赈); a "project"
    that is mostly strategy names (“贵州技工”“黔菜师傅”…) is a list of programmes, not a named work."""
    inside = [(i, m) for i, m in strategies if p.start <= m.start and m.end <= p.end]
    covered = len({k for _, m in inside for k in range(m.start, m.end)})
    if covered >= NAME_COVER * (p.end - p.start):
        return []
    return [i for i, _ in inside]


def _project_places(doc: Document, p: Mention, places: list[tuple[int, Mention]],
                    strategies: list[tuple[int, Mention]]) -> list[tuple[int, str]]:
    out = []
    clause_start, clause_end = _clause(doc, p)
    label = _label_span(doc, p.sentence)
    named = False
    for i, m in places:
        if p.start <= m.start and m.end <= p.end:
            out.append((i, "links.name"))
            named = True
        elif clause_start <= m.start and m.end <= p.start and _locates(doc.text, m, p):
            out.append((i, "links.clause"))
        elif label and label[0] <= m.start < label[1] and not _inside_other(doc, m, p, strategies):
            out.append((i, "links.row"))
    if not named:
        out += [(i, "links.served") for i in _served_places(doc, p, places, strategies)]
    return out


def _inside_strategy(m: Mention, strategies: list[tuple[int, Mention]]) -> bool:
    """A place inside a strategy's name (成渝地区 in 成渝地区双城经济圈建设) names the strategy's area."""
    return any(s.start <= m.start and m.end <= s.end for _, s in strategies)


def _inside_other(doc: Document, m: Mention, p: Mention, strategies: list[tuple[int, Mention]]) -> bool:
    """A place inside a strategy's or another project's name names that thing's area."""
    return _inside_strategy(m, strategies) or any(
        o.kind is EntityKind.PROJECT and o is not p and o.start <= m.start and m.end <= o.end
        for o in doc.mentions if o.sentence == m.sentence)


def _served_places(doc: Document, p: Mention, places: list[tuple[int, Mention]],
                   strategies: list[tuple[int, Mention]]) -> list[int]:
    """Towns and villages a later clause of the project's sentence says it serves (争取农网巩固提升
    工程资金…，重点解决A街道B村、C镇D村…的供电问题; 以P为主体，整合利用E村资源): local units,
    when no other project stands between, nor in the place's own clause."""
    _, p_end = _clause_of(doc, p)
    projects = [o for o in doc.mentions if o.kind is EntityKind.PROJECT and o.sentence == p.sentence and o is not p]
    out = []
    for i, m in places:
        if m.sentence != p.sentence or m.start < p_end or m.attrs.get("place_type") not in LOCAL_UNITS:
            continue
        cs, ce = _clause_of(doc, m)
        if cs != p_end + 1 or not SERVING.search(doc.text[cs:m.start]):
            continue  # only the very next clause, and only when it says the project serves the place
        if any(p.end <= o.start < ce for o in projects) or _inside_other(doc, m, p, strategies):
            continue
        out.append(i)
    return out


def _clause(doc: Document, p: Mention) -> tuple[int, int]:
    return _clause_of(doc, p)


def _locates(text: str, place: Mention, project: Mention) -> bool:
    """Whether a place before the project in its clause is given as its location."""
    before = text[max(0, place.start - 2):place.start]
    between = text[place.end:project.start]
    if any(before.endswith(w) for w in LOCATING_BEFORE):
        return True
    return between.startswith("的") and len(between) <= 8 or bool(PLACES_OF.match(between))
