"""Project mentions: the specific, nameable works a report says are planned or built.

Owns recognising project names (Mention kind PROJECT), their construction status, and
the alias key the resolver uses to merge differently worded names of one project.

Recognition works from context and structure, never from a list of names:
- a clause is cut into items at 、 (outside brackets and quotes);
- an item is a project when it ends in a project suffix (水库, 高速, 产业园, 工程 ... see
  data/project_suffixes.txt) preceded by a distinctive modifier, the name starting after
  the last introducing verb (data/project_boundaries.txt);
- the other items of an enumeration become projects too when the enumeration is closed by
  等…项目/工程, introduced by a 项目： label, or mostly made of suffix-recognised items;
- a category made only of generic words (重点项目, 特色精品产业园) or a count (22个改造项目)
  is rejected (data/project_generic_words.txt).
The status comes from the nearest construction verb (data/project_status_verbs.tsv).
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import jieba
import jieba.posseg

from kg.extract.phrases import right_boundary_ok
from kg.model import Document, EntityKind, Mention, SectionMode

jieba.setLogLevel(60)

DATA = Path(__file__).parent / "data"


def _read_lines(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


SUFFIXES = sorted(set(_read_lines("project_suffixes.txt")), key=len, reverse=True)
BOUNDARIES = sorted(set(_read_lines("project_boundaries.txt")), key=len, reverse=True)
GENERIC_WORDS = set(_read_lines("project_generic_words.txt"))
STATUS_VERBS = sorted((tuple(ln.split("\t")[:2]) for ln in _read_lines("project_status_verbs.tsv")),
                      key=lambda vs: len(vs[0]), reverse=True)

VERB_WORDS = set(BOUNDARIES) | {v for v, _ in STATUS_VERBS}
CUT_WORDS = sorted(VERB_WORDS, key=len, reverse=True)  # a name starts after any of these
CUT_PATTERNS = [(w, re.compile(re.escape(w))) for w in CUT_WORDS]  # compiled once, not per item
CUT_TUPLE = tuple(CUT_WORDS)
SUFFIX_TUPLE = tuple(SUFFIXES)
# Suffix lookup by the character a suffix ends with, then by length, longest first: at one
# end position at most one suffix of each length can match, so this finds what a scan of
# SUFFIXES (longest first) finds, without testing every suffix at every position.
SUFFIX_SET = set(SUFFIXES)
SUFFIX_LAST_CHARS = {x[-1] for x in SUFFIXES}
SUFFIX_LENGTHS = sorted({len(x) for x in SUFFIXES}, reverse=True)

# Verbs that introduce a name and never sit inside one before 项目/工程/中心 ...
INTRODUCING_VERBS = VERB_WORDS - {"建设", "改造", "升级改造", "提档升级", "迁建", "升级", "巩固", "新建",
                                  "续建", "发展", "服务", "保障", "开发", "利用", "改建"}
# Verbs that govern a name and never stand inside one (提升, 改造, 服务 may: 综合提升项目)
GOVERNING_VERBS = {"加快", "打造", "推进", "推动", "狠抓", "聚焦", "实施", "开展", "加强", "强化",
                   "围绕", "依托", "引进", "招引", "签约", "争取", "力争", "落实", "加快推进", "加快打造"}
FUNCTION_WORDS = {"让", "从", "把", "被", "对", "向", "使", "给", "由", "以", "为", "这个", "是", "还是", "无论", "或", "或者",
                  "要", "今年", "明年", "我国", "标志着", "安排", "用于", "投向", "防止", "防止出现", "出现", "杜绝"}

# Suffixes that are project words in general; they only make a name with a real modifier.
WEAK_SUFFIXES = {"项目", "工程", "中心", "平台", "园", "站", "馆", "港", "桥", "市场", "基地", "园区"}

OPEN, CLOSE = "（(“‘《【〔[", "）)”’》】〕]"
CLAUSE_SEPS = set("，,。；;：:！!？?\n\t")
ITEM_SEPS = set("、")

# What may follow a suffix and still belong to the name: a bracketed section (（内江段）),
# a phase (一期, （二期）), a kind of works (提档升级, 改造), a trailing 项目/工程.
TAIL = re.compile(
    r"(?:（[^（）]{1,40}）|\([^()]{1,40}\))?"
    r"(?:[一二三四五六七八九十\d]{1,2}期)?"
    r"(?:升级改造|提档升级|提质升级|提质改造|扩能提级|改扩建|扩建|迁建|改造|整治)?"
    r"(?:[及和]配套(?:项目|工程|设施))?"
    r"(?:项目|工程)?"
    r"(?:（[^（）]{1,20}）|\([^()]{1,20}\))?")
# 等 ends an enumeration (等28个市级重点项目, 等一批项目, 等大型水库) unless part of a word (高等).
DENG = re.compile(r"(?<![高中平同初对])等(?!级)")
ANY_DENG = DENG
ENUM_CLOSE = re.compile(r"等(?:[\d一二三四五六七八九十两多]+[个项批]|一批|多个)?[^，。；：、]{0,10}?(?:"
                        + "|".join(map(re.escape, SUFFIXES + ["载体"])) + ")")
# A、B等片区改造 / C、D等5个小区的居民配电设施改造: the works
# after 等 apply to each item (A片区改造).
DISTRIBUTED = re.compile(r"等(?:[\d一二三四五六七八九十两多]+[个项处座])?(?:[^，。；、的\d]{1,6}的)?"
                         r"(?P<works>[^，。；、\d的]{0,10}(?:改造|治理|整治|修复|搬迁|养护|提升|提质))")
COUNTED_WORKS = re.compile(r"(?<=[\u4e00-\u9fff])[\d一二三四五六七八九十两]+[个项处座]"
                           r"(?P<works>[^，。；、\d的]{0,10}(?:改造|治理|整治|修复|搬迁|养护|提升|提质))")
# 启动X等片区配套基础设施改造及Y等片区房屋主体改造: one site per 等, named by the area word
# after it (片区, 小区, 地块), the works applying to the site.
SITE_WORKS = re.compile(r"(?P<item>[^，。；：、等及和与]{2,12})等(?P<works>(?:片区|小区|地块|街区)"
                        r"[^，。；、\d的及和等]{0,10}?(?:改造|治理|整治|修复|搬迁|提升|提质|更新))")
# a count right after a name: the name is a kind of works being counted (口袋公园2处)
COUNTED_AFTER = re.compile(r"\d+(?:\.\d+)?(?:处|个|条|座|所|家|公里|千米|km|米)")
COUNT = re.compile(r"(?:\d+|[一二三四五六七八九十两几多]+)(?:个|项|件|批|座|所|处|大|类|条|家|户|名|人|年)")
QUOTED_DIGITS = re.compile(r"[“\"][^”\"]*\d[^”\"]*[”\"]")
LEAD_JUNK = re.compile(r"^(?:全区|我区|我市|我县|我省|全市|全县|全省|一批|一个)+")
LEAD_CHARS = set("的了将把对为在以与和及并又再等新好")
# characters that end a word (沉浸式, 创新型, 产业化) and so never start a name
RESIDUE_STARTS = set("式型性化")
ORG_ENDINGS = ("公司", "集团", "银行", "大学", "协会", "委员会", "政府", "部门")
# a heading or a year is never part of a project's name
NOT_A_NAME = re.compile(r"专栏|的|不|未|或者|以上|以下|\d+(?:\.\d+)?(?:亿|万|%)|^[（(][一二三四五六七八九十\d]+[）)]|\d{4}年")
NOT_PROJECT_ENDINGS = ("行动", "计划", "改革", "战略", "机制", "体系", "政策", "活动", "工作")
# An enumerated item ending in these is a region, a field or a goal, not a works
# (民族地区、革命老区…工程; 节能工程、循环经济…; 科技创新和学术发展紧密结合).
NOT_WORKS_ENDINGS = ("地区", "区域", "经济", "发展", "结合", "转型", "产业", "领域", "行业")
# The left side of 'X和Y工程' that is no works (a programme, a policy, a rate, an
# investment, a kind of body): 节能行动和…, 奖励扶助制度和…, 普及率和…, 对外直接投资和对外工程.
NOT_JOINED_ENDINGS = NOT_PROJECT_ENDINGS + ("制度", "率", "投资", "机构", "网络", "搬迁", "精品", "办法")
# A place's positioning goal (打造全国区域性现代制造业基地, 建设国际科技创新中心) is not a works:
# a scope word opens it and a verb of becoming stands right before it.
GOAL_SCOPES = ("全国", "全球", "世界", "国际", "区域性")
GOAL_HEADS = ("基地", "中心", "高地", "枢纽", "节点", "城市", "目的地", "门户")
GOAL_VERBS = ("打造", "建成", "建设成", "成为", "建设成为", "打造成")


def extract_projects(doc: Document) -> Document:
    """Append a PROJECT mention for every project name in the document's sentences."""
    taken = [(m.start, m.end) for m in doc.mentions if _owns_span(m)]
    place_names = {m.text for m in doc.mentions if m.kind is EntityKind.PLACE}
    place_spans = [(m.start, m.end) for m in doc.mentions if m.kind is EntityKind.PLACE]
    for sent in doc.sentences:
        found = [(s, e, st, "projects.road", w) for s, e, st, w in _road_sections(doc.text, sent.start, sent.end)]
        found += [(s, e, st, "projects.app", "") for s, e, st in quoted_apps(doc.text, sent.start, sent.end)]
        for cs, ce in split_spans(doc.text, sent.start, sent.end, CLAUSE_SEPS):
            found += [f for f in _clause_projects(doc.text, cs, ce, sent.end)
                      if not any(r[0] <= f[0] < r[1] or f[0] <= r[0] < f[1] for r in found)]
        planning = _in_plan(doc, sent)
        found = [g for f in found for g in _split_bracket_list(doc.text, f)]
        for start, end, status, rule, works in found:
            if planning:
                status = PLAN_STATUS.get(status, status)
            if any(ts <= start and end <= te for ts, te in taken):
                continue  # another component already owns this span (a strategy, event ...)
            text = doc.text[start:end]
            if rule == "projects.suffix" and COUNTED_AFTER.match(doc.text, end) and not (
                    any(start <= ps < end for ps, _ in place_spans) or _has_proper_noun(text)):
                continue  # 完成口袋公园2处, 改建污水管网35km: a kind of works being counted
            if rule in ("projects.enumeration", "projects.bracket_list") and text in place_names:
                continue  # 贵阳、遵义等…项目: a list of places, not of projects
            if rule == "projects.enumeration" and text.endswith(NOT_WORKS_ENDINGS):
                continue
            if rule == "projects.suffix" and any(start < ps < end - 1 and pe == end for ps, pe in place_spans):
                continue  # 对香港: the suffix (港) is the end of a place's name
            if text.startswith(GOAL_SCOPES) and text.endswith(GOAL_HEADS) and doc.text[max(0, start - 4):start].endswith(GOAL_VERBS):
                continue  # 打造全国…基地: a positioning goal
            if rule not in ("projects.road", "projects.app") and _reads_as_clause(text):
                continue  # 更好发挥国际性交通枢纽: an adverb and its verb make it a clause
            doc.add_mention(Mention(kind=EntityKind.PROJECT, start=start, end=end, sentence=sent.index,
                                        text=text, name=project_name(text + works),
                                        attrs={"status": status}, rule=rule))
    return doc


# 市政道路（A路、B路、C路）及X广场: a category whose bracket lists the works by
# name; each listed item is a project, and so is a suffix name joined after the bracket.
# A bracket of sections or phases (（北岸A至B段、C至D段）) belongs to the name.
BRACKET_LIST = re.compile(r"（([^（）]{2,40}、[^（）]{2,40})）")


def _split_bracket_list(text: str, found: tuple) -> list[tuple]:
    start, end, status, rule, works = found
    m = BRACKET_LIST.search(text, start, end)
    if not m or rule == "projects.road":
        return [found]
    items = split_spans(text, m.start(1), m.end(1), ITEM_SEPS)
    if any(text[a:b].endswith(("段", "期", "标")) or not 2 <= b - a <= 12 for a, b in items):
        return [found]
    out = [(a, b, status, "projects.bracket_list", "") for a, b in items]
    rest = re.match(r"[及和与]", text[m.end():end])
    if rest:
        tail = _suffix_name(text, m.end() + 1, end, at_end=True)
        if tail:
            out.append((tail[0], tail[1], status, rule, works))
    return out


# In a plan section a verb states a goal, not a fact: 开工建设X means X is still planned,
# 建成X means X is being built this year.
PLAN_STATUS = {"started": "planned", "completed": "under_construction", "operating": "under_construction"}


def _in_plan(doc: Document, sent) -> bool:
    return any(sec.mode is SectionMode.PLAN for sec in doc.section_chain(sent.section))


def _owns_span(m: Mention) -> bool:
    """Whether another component's mention rules out a project inside it: an event or
    organisation always; a strategy unless it is itself worded like a project
    (…示范工程 without quotes may be both a programme and a works)."""
    if m.kind in (EntityKind.EVENT, EntityKind.ORGANIZATION):
        return True
    if m.kind is not EntityKind.STRATEGY:
        return False
    if m.rule == "strategy.row":
        return True  # a 专栏 row label names the programme its row's projects belong to
    return bool(re.search(r"[“”\"《》]", m.text)) or not m.text.endswith(SUFFIX_TUPLE)


# A numbered road and its section: G318线林芝至拉萨段预防性养护, 国道319线…段地灾整治.
ROAD = re.compile(r"(?:[GSXY]\d{2,4}|(?:国道|省道|县道)\d{2,4})线?[^，。；、（）()和及]{1,30}?段"
                  r"(?P<works>(?:预防性|修复|大中修)?养护|[^，。；、和及]{0,8}?(?:改造|整治|治理|工程|建设))?")


def _road_sections(text: str, s: int, e: int) -> list[tuple[int, int, str, str]]:
    """Road sections in a sentence; 'A段和B段养护' gives A the works of B."""
    found = list(ROAD.finditer(text, s, e))
    out = []
    for k, m in enumerate(found):
        works = ""
        if not m["works"] and k + 1 < len(found) and text[m.end():found[k + 1].start()] in ("和", "及", "、"):
            works = found[k + 1]["works"] or ""
        status = _status(text, s, e, e, [(m.start(), m.end())])
        out.append((m.start(), m.end(), status, works))
    return out


# Quoted names of apps, platforms and service brands: 市级应用“X”“Y”, 特色应用建设：“X”,
# 打造“X”“Y”等品牌, “X”小程序. A quote right after an app word, or a run of quotes closed by
# one, names a thing being built; a count-coded quote (“1+4”算力平台) is a programme instead.
APP_WORDS = ("应用", "平台", "小程序", "app", "APP", "App")
APP_BEFORE = re.compile(r"(?:级|特色|创新|推广|上线|推出|开发)(?:应用|小程序)(?:建设)?[：:]?$")
# service brands end in what the service does for a user (皖事通, 渝快办, 鲁通码, 信易贷)
SERVICE_ENDINGS = ("游", "购", "码", "宝", "办", "贷", "通", "融")
APP_AFTER = re.compile(r"(?:等)?(?:[\d一二三四五六七八九十]+[个款项])?(?:品牌|(?:特色)?应用|小程序|app|APP|App)(?!体系|场景|建设|活动|试点|示范)")
QUOTE_RUN = re.compile(r"(?:“[^“”，。；]{2,20}”)+")
QUOTE_ONE = re.compile(r"“[^“”]+”")
CODED = re.compile(r"[\d+＋]|^[一二三四五六七八九十两双]")


def quoted_apps(text: str, s: int, e: int) -> list[tuple[int, int, str]]:
    """Quoted app, platform and brand names in text[s:e], each with its status."""
    out = []
    for run in QUOTE_RUN.finditer(text, s, e):
        before = text[max(s, run.start() - 8):run.start()]
        after = APP_AFTER.match(text, run.end(), e)
        if not (APP_BEFORE.search(before) or after):
            continue
        quotes = [q for q in QUOTE_ONE.finditer(text, run.start(), run.end())]
        if after and not APP_BEFORE.search(before) and "品牌" in after.group() and \
                not all(q.group()[1:-1].endswith(SERVICE_ENDINGS) for q in quotes):
            continue  # “草原村排”等品牌: a brand of events or goods, not a service
        if not right_boundary_ok(text, run.end()) and not after:
            continue  # 应用“扬帆”行动: the quote modifies a programme
        for q in quotes:
            if CODED.search(q.group()[1:-1]):
                continue
            out.append((q.start(), q.end(), _status(text, s, e, e, [(q.start(), q.end())])))
    return out


BRACKET_CHAR = re.compile("[" + re.escape(OPEN + CLOSE) + "]")
_SEPARATOR_PATTERNS: dict[frozenset[str], re.Pattern[str]] = {}


def split_spans(text: str, start: int, end: int, seps: set[str]) -> list[tuple[int, int]]:
    """Cut text[start:end] at separator characters outside brackets and quotes."""
    spans, s = [], start
    for i in _cuts(text, start, end, seps):
        if i > s:
            spans.append((s, i))
        s = i + 1
    if end > s:
        spans.append((s, end))
    return spans


def _cuts(text: str, start: int, end: int, seps: set[str]) -> Iterator[int]:
    """Where split_spans cuts: each separator at bracket depth 0."""
    key = frozenset(seps)
    if not BRACKET_CHAR.search(text, start, end) and all(len(c) == 1 for c in key):
        # no bracket or quote: every separator cuts (a regex finds them, not a loop in Python)
        pattern = _SEPARATOR_PATTERNS.get(key)
        if pattern is None:
            pattern = _SEPARATOR_PATTERNS[key] = re.compile("[" + re.escape("".join(sorted(key))) + "]")
        return (m.start() for m in pattern.finditer(text, start, end))
    return _cuts_outside_brackets(text, start, end, seps)


def _cuts_outside_brackets(text: str, start: int, end: int, seps: set[str]) -> Iterator[int]:
    depth = 0
    for i in range(start, end):
        ch = text[i]
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(0, depth - 1)
        elif ch in seps and depth == 0:
            yield i


def _clause_projects(text: str, cs: int, ce: int, sent_end: int) -> list[tuple[int, int, str, str, str]]:
    """Project spans in one clause, with their status, the rule that found them and the
    works words a distributive enumeration adds to each name."""
    items = split_spans(text, cs, ce, ITEM_SEPS)
    # the last item of an enumeration usually runs on into 等…项目 or a predicate
    found: list[list[tuple[int, int]]] = [_suffix_names(text, s, e) for s, e in items]
    closed = False
    last_s, last_e = items[-1]
    deng = DENG.search(text, last_s, last_e)
    if deng and ENUM_CLOSE.match(text, deng.start(), ce):
        closed = True
    labelled = cs > 0 and text[cs - 1] in "：:" and re.search(r"(?:项目|工程|载体)$", _label_before(text, cs - 1))
    n_suffix = sum(1 for f in found if f)
    enumerate_all = (closed or labelled or len(items) >= 2 and n_suffix * 2 >= len(items))
    out: list[tuple[int, int, str, str]] = []
    dist = DISTRIBUTED.match(text, deng.start(), ce) if deng and len(items) >= 2 else None
    if not deng and len(items) >= 2:
        # A、B、C5个地灾工程治理: a count without 等 closes the list the same way
        count = COUNTED_WORKS.search(text, last_s, last_e)
        if count and count.end() == last_e:
            dist = count
            items = items[:-1] + [(last_s, count.start())]
    if dist and not re.search(r"项目|重点", dist["works"]):
        for s, e in items:
            span = _enumerated_name(text, s, e)
            if span and 3 <= span[1] - span[0] <= 12:  # 有色、煤矿等行业…: sectors, not sites
                out.append((span[0], span[1], dist["works"], "projects.distributive"))
        status = _status(text, cs, ce, sent_end, out)
        return [(s, e, status, r, w) for s, e, w, r in out]
    shared = _shared_heads(text, items, found)
    sites = _site_works(text, cs, ce)
    if sites:
        status = _status(text, cs, ce, sent_end, sites)
        return [(s, e, status, "projects.distributive", w) for s, e, w in sites]
    # 观音、宣威、花滩子等大型水库 / 盘州至兴义、黄桶至百色等铁路: the kind names each item
    kind = ""
    if closed:
        close = ENUM_CLOSE.match(text, deng.start(), ce)
        kind = _suffix_ending(close.group(0), 0, len(close.group(0))) or ""
        kind = "" if kind in WEAK_SUFFIXES else kind
    for k, ((s, e), names) in enumerate(zip(items, found)):
        if k in shared:
            out += shared[k]
            continue
        if not names and enumerate_all:
            span = _enumerated_name(text, s, e)
            if span and kind:
                out.append((span[0], span[1], kind, "projects.enumeration_kind"))
                continue
            if span:
                names = [span]
                rule = "projects.enumeration"
            else:
                continue
        else:
            rule = "projects.suffix"
        for ns, ne in names:
            out.append((ns, ne, "", rule))
    status = _status(text, cs, ce, sent_end, out)
    return [(s, e, status, r, w) for s, e, w, r in out]


def _shared_heads(text: str, items: list[tuple[int, int]],
                  found: list[list[tuple[int, int]]]) -> dict[int, list[tuple[int, int, str, str]]]:
    """Abbreviated items sharing the kind of the item that closes them: 兰合、平庆、天陇、西成铁路
    (or …天陇和西成铁路) names 兰合铁路, 平庆铁路 … Each head is two or three characters that
    are no common word (交通、能源、水利工程 is a list of fields), and the kind is a strong
    suffix (铁路, 高速, 机场), never 工程/项目; two heads at least, as one short item before a
    name is more often a name of its own. Returns the names of each item it rewrites."""
    out: dict[int, list[tuple[int, int, str, str]]] = {}
    pending: list[int] = []
    for k, names in enumerate(found):
        if not names:
            pending.append(k)
            continue
        ns, ne = names[-1]
        suf = _suffix_ending(text, ns, ne) or ""
        pending_now, pending = pending, []
        if not suf or suf in WEAK_SUFFIXES or suf in ("工程", "项目"):
            continue
        heads = [_abbreviation(text, *items[i], first=(i == 0)) for i in pending_now]
        core_s, inner = ns, []
        joined = re.fullmatch(r"(.{2,3})和(.{2,3})", text[ns:ne - len(suf)])
        if joined:
            inner = [_abbreviation(text, ns, ns + len(joined[1]), first=False)]
            core_s = ns + len(joined[1]) + 1
        if len(heads + inner) < 2 or not all(heads + inner) or not _is_abbreviation(text[core_s:ne - len(suf)]):
            continue  # one short item before a name (A、B滑雪场: A) is a name of its own
        for i, h in zip(pending_now, heads):
            out[i] = [(h[0], h[1], suf, "projects.shared_head")]
        out[k] = [(a, b, suf, "projects.shared_head") for a, b in inner] + [(core_s, ne, "", "projects.suffix")]
    return out


def _abbreviation(text: str, s: int, e: int, first: bool) -> tuple[int, int] | None:
    """The abbreviated head an item of a shared-kind list is (the first item may carry the
    verb before it: 加快建设兰合)."""
    if first:
        span = _enumerated_name(text, s, e)
        if not span:
            return None
        s, e = span
    return (s, e) if _is_abbreviation(text[s:e]) else None


def _is_abbreviation(word: str) -> bool:
    """Two or three characters jieba knows as no common word (an abbreviated proper name:
    兰合, 平庆; 京沪 is tagged as an abbreviation; 交通 is a common word)."""
    if not (2 <= len(word) <= 3 and re.fullmatch(r"[\u4e00-\u9fff]+", word)):
        return False
    if word in GENERIC_WORDS:
        return False
    tag = jieba.posseg.dt.word_tag_tab.get(word)
    return not jieba.dt.FREQ.get(word) or tag in ("j", "nr", "ns", "nz")


def _site_works(text: str, cs: int, ce: int) -> list[tuple[int, int, str]]:
    """Single sites of 'X等片区…改造' in a clause without an enumeration comma."""
    if "、" in text[cs:ce]:
        return []
    out = []
    for m in SITE_WORKS.finditer(text, cs, ce):
        span = _enumerated_name(text, m.start("item"), m.end("item"))
        if span and 2 <= span[1] - span[0] <= 10:
            out.append((span[0], span[1], m["works"]))
    return out


def _label_before(text: str, colon: int) -> str:
    """The words before a colon (a 专栏 row lead-in such as 重大项目：)."""
    s = colon
    while s > 0 and text[s - 1] not in CLAUSE_SEPS and text[s - 1] not in "。" and colon - s < 12:
        s -= 1
    return text[s:colon]


def _suffix_names(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Names in one item that end in a project suffix (one, or two joined by 和/及)."""
    d = ANY_DENG.search(text, s, e)
    if d:
        e = d.start()
    span = _suffix_name(text, s, e)
    if not span:
        return []
    # X体育公园和全民健身中心: two names joined by 和/及/与, each with its own suffix
    for m in re.finditer(r"[和及与]", text[span[0]:span[1]]):
        cut = span[0] + m.start()
        left, right = _suffix_name(text, span[0], cut, at_end=True), _suffix_name(text, cut + 1, span[1], at_end=True)
        if left and right and left[1] == cut and right[1] == span[1]:
            return [left, right]
        if not left and right and right[1] == span[1] and text[span[0]:cut].endswith(SUFFIX_TUPLE):
            return [right]  # 电子商务产业园和X中心: the first is a category, the second may be a name
    # 千家企业节能行动和节能产品惠民工程, 农村自来水普及率和规模化供水工程: 和 joins a
    # programme, a rate or a policy to the name; the name is the right-hand part alone.
    conj = _conjunction_at(text, span[0], span[1])
    if conj is not None and text[span[0]:conj].endswith(NOT_JOINED_ENDINGS):
        right = _suffix_name(text, conj + 1, span[1], at_end=True)
        return [right] if right and right[1] == span[1] else []
    return [span]


def _conjunction_at(text: str, s: int, e: int) -> int | None:
    """The offset of the last 和 in text[s:e] that jieba cuts as a word of its own
    (outside brackets), else None."""
    pos, found = s, None
    for tok in _words(text[s:e]):
        if tok == "和" and _depth(text[s:pos]) == 0:
            found = pos + len(tok) - 1
        pos += len(tok)
    return found


def _depth(s: str) -> int:
    depth = 0
    for ch in s:
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(0, depth - 1)
    return depth


def _suffix_ending(text: str, start: int, end: int) -> str | None:
    """The longest project suffix text[start:end] ends with (what the first match of a scan
    of SUFFIXES, longest first, gives), or None."""
    if end <= start or text[end - 1] not in SUFFIX_LAST_CHARS:
        return None
    for n in SUFFIX_LENGTHS:
        if n <= end - start and text[end - n:end] in SUFFIX_SET:
            return text[end - n:end]
    return None


def _token_ending(chunk: str, ends: tuple[int, ...], i: int) -> str:
    """The word of chunk that ends at i: from the last word end before i (ends sorted)."""
    return chunk[_word_start(ends, i):i]


@lru_cache(maxsize=8192)
def _words(text: str) -> tuple[str, ...]:
    """jieba's words of a short text, cached: the same item, core or name is asked about by
    several rules (a third of the calls repeat one)."""
    return tuple(jieba.cut(text))


@lru_cache(maxsize=4096)
def _token_ends(chunk: str) -> frozenset[int]:
    ends, pos = set(), 0
    for tok in _words(chunk):
        pos += len(tok)
        ends.add(pos)
    return frozenset(ends)


@lru_cache(maxsize=4096)
def _sorted_token_ends(chunk: str) -> tuple[int, ...]:
    return tuple(sorted(_token_ends(chunk)))


def _word_start(ends: tuple[int, ...], e: int) -> int:
    """The last word end before e (0 when none): where the word ending at e starts."""
    k = bisect_left(ends, e)
    return ends[k - 1] if k else 0


def _suffix_name(text: str, s: int, e: int, at_end: bool = False) -> tuple[int, int] | None:
    """The rightmost suffix-ended name inside text[s:e], or None."""
    chunk = text[s:e]
    ends = None  # jieba runs only on a chunk that holds a suffix
    for i in range(len(chunk), 1, -1):
        suf = _suffix_ending(chunk, 0, i)
        if not suf:
            continue
        if ends is None:
            ends = _token_ends(chunk)
        if i not in ends and i != len(chunk):
            continue  # the suffix is part of a longer word (站在, 中心城区)
        if _depth(chunk[:i]) > 0:
            continue  # inside a bracket: （建湖至兴化段） is a section, not a bridge
        if _token_ending(chunk, _sorted_token_ends(chunk), i) in VERB_WORDS:
            continue  # 开园, 投运: a verb that happens to end like a suffix
        tail = TAIL.match(chunk, i)
        stop = tail.end() if tail else i
        if at_end and stop != len(chunk):
            continue
        start = _name_start(chunk, i - len(suf), suf)
        if start is None:
            continue
        return s + start, s + stop
    return None


def _name_start(chunk: str, suf_at: int, suf: str) -> int | None:
    """Where the name ending with chunk[suf_at:] begins: after the last introducing verb
    that still leaves a distinctive name, else at the start of the item."""
    cuts = _verb_cuts(chunk[:suf_at])
    for c in sorted(set(cuts), reverse=True):
        c2 = _skip_lead(chunk, c)
        if c2 >= suf_at or _starts_with_verb(chunk[c2:]) or chunk[c2] in RESIDUE_STARTS:
            continue
        if _holds_introducing_verb(chunk[c2:suf_at]):
            break  # 门户枢纽加快打造高铁: a clause, and no name starts further left
        if _distinctive(chunk[c2:suf_at], suf):
            verb = _leading_verb(chunk[c2:suf_at])
            if not verb:
                return c2
            # 做深做实项目, 推广铁路: a verb the lists do not know; the name follows it
            if _distinctive(chunk[c2 + len(verb):suf_at], suf):
                return c2 + len(verb)
            return None
    return None


def _verb_cuts(chunk: str) -> list[int]:
    """Positions after each boundary verb in chunk, except inside a longer one
    (在建: not after 在; 创新开展: not after 新开)."""
    spans = [(m.start(), m.end()) for b, pattern in CUT_PATTERNS if b in chunk for m in pattern.finditer(chunk)]
    # a verb counts only as a word or the end of one (全面完成 ends on 完成): 共建成渝 is
    # 共建/成渝, not a cut after 建成 (渝综合性科学中心); 投运营商 is 投/运营商, not a cut after 投运
    bounds = _token_ends(chunk) | {0}
    ordered = _sorted_token_ends(chunk)
    spans = [(s, e) for s, e in spans if e in bounds and _word_start(ordered, e) <= s
             and not _glued(chunk, s, e, bounds)]
    return [0] + [e for _, e in spans if not any(s2 < e < e2 for s2, e2 in spans)]


def _glued(chunk: str, s: int, e: int, bounds: frozenset[int] | set[int]) -> bool:
    """Whether a verb found by segmentation is better read as two other words: one
    character on each side forms a word with the verb's edges (共/建成/渝 is 共建/成渝,
    the name being 成渝…; 加快/建成/成绵 stays a cut, 加快 being a word of its own)."""
    if s < 1 or e + 1 > len(chunk) or e + 1 not in bounds or s - 1 not in bounds:
        return False
    tags = jieba.posseg.dt.word_tag_tab
    return bool(jieba.dt.FREQ.get(chunk[s - 1:s + 1])) and tags.get(chunk[e - 1:e + 1], "") in ("ns", "nr", "nz", "nt")


def _holds_introducing_verb(core: str) -> bool:
    """Whether a two-character introducing verb stands as a word inside the core."""
    words = _words(core)
    return any(w in GOVERNING_VERBS for w in words[1:])


@lru_cache(maxsize=4096)
def _reads_as_clause(name: str) -> bool:
    """Whether jieba reads an adverb or a conjunction followed by a verb inside the text
    (更好/d 发挥/v, 及时/c 发布/v, 持续/vd 打造/v): a predicate, which no name holds."""
    pairs = [(p.word, p.flag) for p in jieba.posseg.cut(name)]
    # 和/及/与 join two works (仓储及加工), only a longer conjunction (及时) is an adverb here
    lead = [f in ("d", "vd", "ad") or f == "c" and len(w) >= 2 for w, f in pairs]
    return any(a and b[1].startswith("v") for a, b in zip(lead, pairs[1:]))


def _has_proper_noun(name: str) -> bool:
    """Whether jieba tags a word of the name as a place, person or other proper name."""
    return any(p.flag in ("ns", "nr", "nz", "nt") for p in jieba.posseg.cut(name))


def _proper_noun(word: str) -> bool:
    """Whether jieba reads a short text as one place, person or other proper name (a hint)."""
    pairs = list(jieba.posseg.cut(word))
    return len(pairs) == 1 and pairs[0].flag in ("ns", "nr", "nz", "nt")


@lru_cache(maxsize=4096)
def _leading_verb(core: str) -> str:
    """The first word of a text when jieba tags it as a verb (a hint only: two characters
    or more, and never a word the suffix list knows)."""
    for pair in jieba.posseg.cut(core):
        word, flag = pair.word, pair.flag
        return word if flag == "v" and len(word) >= 2 and word not in SUFFIX_SET else ""
    return ""


def _skip_lead(chunk: str, c: int) -> int:
    """Skip scope words (全区, 一批) and a function character that is a word of its own."""
    while c < len(chunk):
        lead = LEAD_JUNK.match(chunk, c)
        if lead and lead.end() > c:
            c = lead.end()
        elif chunk[c] in LEAD_CHARS and min(_token_ends(chunk[c:])) == 1:
            c += 1
        else:
            break
    return c


def _distinctive(core: str, suf: str) -> bool:
    """Whether the words before a suffix make a proper name, not a category or count."""
    if re.fullmatch(r"“[^”]{1,3}”", core):
        return False  # “两重”项目: a quoted category
    if len(core) < 2 or COUNT.search(core) or QUOTED_DIGITS.search(core) or NOT_A_NAME.search(core):
        return False
    if not re.search(r"[\u4e00-\u9fffA-Za-z]", core):
        return False
    if suf in WEAK_SUFFIXES and len(core) < 3 and not _proper_noun(core):
        return False  # 三峡工程 passes, 市重大项目 does not
    words = [w for w in _words(core) if w.strip() and w not in "“”‘’《》·"]
    if any(w in FUNCTION_WORDS for w in words):
        return False  # 让广大群众从项目: a clause, not a name
    if suf in WEAK_SUFFIXES and any(w in INTRODUCING_VERBS for w in words):
        return False  # 分级分类储备推动项目: an activity on projects in general
    return not all(w in GENERIC_WORDS or w in SUFFIX_SET or w in VERB_WORDS for w in words)


def _starts_with_verb(name: str) -> bool:
    return name.startswith(CUT_TUPLE)


def _enumerated_name(text: str, s: int, e: int) -> tuple[int, int] | None:
    """An item of a project enumeration without a suffix (a firm's name, 油气勘探开发)."""
    d = DENG.search(text, s, e)
    if d:
        e = d.start()
    chunk = text[s:e]
    start = 0
    for c in _verb_cuts(chunk):
        # near the start any boundary word; further in only a verb that introduces a
        # name (艺术产业链狠抓X: the topic, then the verb, then the name)
        if len(chunk) - c >= 2 and (c <= 6 or chunk[:c].endswith(tuple(GOVERNING_VERBS))):
            start = max(start, c)
    start = _skip_lead(chunk, start)
    stop = len(chunk)
    for verb, _ in STATUS_VERBS:  # a trailing predicate (…建成投用, …有序推进)
        k = chunk.rfind(verb, start + 2)
        if k > start and k < stop and k + len(verb) >= len(chunk) - 4:
            stop = k
    name = chunk[start:stop].strip()
    if name.endswith("建设") and len(name) > 4:
        stop -= 2
        name = name[:-2]
    if not (2 <= len(name) <= 30) or COUNT.search(name) or QUOTED_DIGITS.search(name) or NOT_A_NAME.search(name):
        return None
    if name.endswith(NOT_PROJECT_ENDINGS + ORG_ENDINGS):
        return None
    if _starts_with_verb(name):
        return None
    words = [w for w in _words(name) if w.strip()]
    if all(w in GENERIC_WORDS or w in SUFFIX_SET or w in VERB_WORDS for w in words):
        return None
    return s + start, s + stop


def _status(text: str, cs: int, ce: int, sent_end: int, spans: list) -> str:
    """The construction stage the clause reports: the verb after the last name, else the
    verb before the first, else the next verb in the sentence."""
    if not spans:
        return "unknown"
    first, last = min(sp[0] for sp in spans), max(sp[1] for sp in spans)
    for window in (text[last:ce], text[cs:first], text[ce:sent_end]):
        best = None
        for verb, status in STATUS_VERBS:
            k = window.find(verb)
            if k >= 0 and (best is None or k < best[0] or (k == best[0] and len(verb) > best[2])):
                best = (k, status, len(verb))
        if best:
            return best[1]
    return "unknown"


def project_name(surface: str) -> str:
    """The name used for resolution: the surface as written, without spaces."""
    return re.sub(r"\s+", "", surface)


# Words of a project name that reports drop or add freely between mentions.
_ALIAS_DROP = re.compile(r"公路|建设|项目|工程|枢纽$")
# Hydro works are named by river and site, and reports drop the river (黄河小浪底水利枢纽 /
# 小浪底水利枢纽, 金沙江向家坝水电站 / 向家坝水电站). Only for works named after their site:
# 黄河堤防加固 and 长江堤防加固 stay apart. 江口/河口 begin place names, not a river's.
_HYDRO_WORKS = re.compile(r"航电|电航|枢纽|水电站|电站|水库|船闸")
_RIVER_LEAD = re.compile(r"^[\u4e00-\u9fff]{1,3}?[江河](?![口])(?=[\u4e00-\u9fff]{4})")
# One term written in either order (a navigation-and-power hub): one spelling in keys.
_TERM_ORDER = {"电航": "航电"}
_BRACKETS = re.compile(r"[（）()\[\]【】“”‘’\"'《》·\s]")


def project_alias_key(name: str, place_prefixes: tuple[str, ...] = ()) -> str:
    """A key under which differently written names of one project coincide.

    Normalisations (all general, none tied to a report):
    - NFKC, and bracket/quote marks removed while their content stays
      (成渝高速复线（内江段） == 成渝高速公路复线内江段 after the next rule);
    - 公路 dropped (高速公路 == 高速), and 建设/项目/工程 dropped anywhere, 枢纽 at the end
      (利泽航电枢纽 == 利泽航电);
    - a leading place prefix of the document's own place dropped (place_prefixes, e.g.
      the district's names with and without 区/县), since reports omit their own name;
    - a leading river of a hydro works dropped (嘉陵江利泽电航枢纽 == 利泽电航枢纽), and the
      order variant 电航 written 航电 (利泽电航 == 利泽航电);
    - the remaining characters are kept in order, so that word order stays meaningful;
      other neighbour swaps are left to `same_project`.
    """
    key = _BRACKETS.sub("", unicodedata.normalize("NFKC", name))
    for p in sorted(place_prefixes, key=len, reverse=True):
        if p and key.startswith(p) and len(key) - len(p) >= 3:
            key = key[len(p):]
            break
    if _HYDRO_WORKS.search(key):
        key = _RIVER_LEAD.sub("", key, count=1)
    prev = None
    while prev != key:
        prev, key = key, _ALIAS_DROP.sub("", key)
    for variant, term in _TERM_ORDER.items():
        key = key.replace(variant, term)
    return key.lower()


def same_project(a: str, b: str, place_prefixes: tuple[str, ...] = ()) -> bool:
    """Whether two names denote one project: equal alias keys, or keys of equal length that
    differ by one swap of neighbouring characters (利泽电航枢纽 / 利泽航电枢纽). A general
    rule, not a list of variants; a leading river or place the other name lacks
    (嘉陵江利泽电航 / 利泽航电) is not bridged here."""
    ka, kb = project_alias_key(a, place_prefixes), project_alias_key(b, place_prefixes)
    if ka == kb:
        return True
    if len(ka) != len(kb) or len(ka) < 4:
        return False
    diff = [i for i in range(len(ka)) if ka[i] != kb[i]]
    # one swap of two neighbouring characters (电航 / 航电)
    return len(diff) == 2 and diff[1] == diff[0] + 1 and ka[diff[0]] == kb[diff[1]] and ka[diff[1]] == kb[diff[0]]
