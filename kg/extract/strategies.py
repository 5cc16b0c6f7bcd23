"""Strategy extraction: named strategies, plans, programmes, reforms, campaigns, mechanisms.

Four rule families, each a function over one sentence, all feeding `extract_strategies`:
- national: a maintained list of general national strategies (data/national_strategies.tsv);
- quoted: a quoted programme name, with the kind word that follows it (“放管服”改革,
  “1650”产业体系建设) or standing alone after a governing verb (落实“四下基层”);
- suffix: a fixed phrase ending in a strategy word (…战略, …行动, …改革, …机制, …试点);
- plan: the report's own plans (2024年国民经济和社会发展计划, 《…规划纲要》).
Each mention gets attrs level (national | provincial | municipal | district | unknown) and
strategy_kind (strategy | plan | reform | programme | campaign | mechanism).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.extract.phrases import (
    HAN, made_of, anchored_left, cut_long, governing_words, trim_long_body, load_table, load_words, plain, right_boundary_ok, scan_left, scan_right,
    strip_left,
)
from kg.model import Document, EntityKind, Mention

MAX_NAME = 16  # longer candidates are cut after a strong verb, or dropped
QUOTE = re.compile(r"“([^“”]{1,50})”")

# Tails that may follow a listed national strategy and keep its identity (乡村振兴战略),
# and tails that make a distinct programme of it (长江经济带高质量发展).
SAME_TAILS = ("战略", "建设", "国家战略")
OWN_TAILS = ("高质量发展", "绿色发展", "协同发展", "一体化发展", "全面振兴")

# Words after a quoted name that make it a strategy of the given kind (beside the suffix table).
QUOTED_KIND_WORDS = {
    "体系": "strategy", "产业体系": "strategy", "建设": "programme", "模式": "mechanism",
    "集群": "strategy", "产业集群": "strategy", "产业链": "programme", "应用": "programme",
    "整治": "campaign", "示范建设": "programme", "活动": "campaign",
    "清单": "mechanism", "改革突破": "reform", "运行机制": "mechanism", "服务": "programme",
    "比拼": "mechanism", "政策": "programme", "工具箱": "programme",
    "服务机制": "mechanism", "工作机制": "mechanism", "示范带": "programme",
}
# A quote followed by these names a project, an event or a place, not a strategy.
QUOTED_NOT_STRATEGY = ("项目", "平台", "景区", "基地", "公司", "企业家", "单位", "问题", "目标",
                       "要求", "精神", "讲话", "指示", "理念", "号", "站", "馆", "中心")
# A quote governed by these words is something to avoid (杜绝“形象工程”).
NEGATIVE_GOVERNORS = ("杜绝", "防范", "防止", "遏制", "反对", "克服", "破除", "摒弃", "避免",
                      "不搞", "搞", "严禁", "禁止", "纠治", "力戒", "警惕", "坚决遏制", "坚决杜绝")
# 工程 names a policy programme only after these heads; otherwise it is a construction project.
PROGRAMME_WORKS = ("惠民", "健身", "民心", "育人", "治理", "人才", "素质提升", "示范")
# A 计划 after these is a schedule or a budget, not a named plan.
PLAN_NOT_NAMES = ("年度", "年", "投资", "建设", "工作", "生产", "资金", "采购", "用款", "实施",
                  "发展", "财政", "预算", "招生", "出让", "供地", "收支")
EVENT_ENDINGS = ("节", "赛", "周", "日", "会", "展", "季", "周年")
# ...but these words end in an event character without naming an event (绿色发展, 全社会).
NOT_EVENT_ENDINGS = ("发展", "进展", "开展", "拓展", "扩展", "社会", "机会", "体会", "都会", "工作日")
# A bare quoted count of concrete things is a slogan of a tool, not a programme (“一张图”,
# “六大系统”, “四大板块”, “一个专班”); 大事/工程/行动 after a count still name one (“十项重大工程”).
COUNTED_THINGS = ("系统", "板块", "张图", "张网", "图", "专班", "人马", "件事", "个平台", "屏")
# Bare short quotes ending in these are service brands (“X游”, “X购”, “一码”…).
BRAND_ENDINGS = ("游", "购", "码", "宝")
# A 十X五 period in quotes is a period, not a plan (国家“十六五”), unless 规划 follows.
PERIOD = re.compile(r"^十[一二三四五六七八九]?五$")

# Words that make a body a description, not a name (某些改革, 所有这些改革, 尚未试点).
VAGUE_WORDS = ("一些", "某些", "这些", "所有", "尚未", "一部分", "其他", "各项", "各种", "有关", "我们",
               "只有", "是", "把", "处在", "一项", "也", "共享", "了", "确定")

LEVEL_MARKERS = [  # (level, words in the name or just before it)
    ("national", ("全国", "国家", "中央", "中国", "国务院")),
    ("provincial", ("省级", "全省", "省委", "省政府")),
    ("municipal", ("市级", "全市", "市委", "市政府")),
    ("district", ("区级", "全区", "区委", "区政府", "县级", "全县", "县委", "县政府", "区领导")),
]


@dataclass
class Candidate:
    start: int
    end: int
    name: str
    kind: str
    rule: str
    level: str = ""
    canonical: str = ""
    core: tuple[int, int] | None = None  # the quoted span a quoted name was built around


@lru_cache(maxsize=None)
def national_aliases() -> tuple[dict[str, tuple[str, str, bool]], re.Pattern]:
    """form (quote-free) -> (canonical name, kind, whether the form is a mere synonym), and
    one pattern matching any form. A synonym (=京津冀一体化) takes the canonical name; a related
    form (乡村全面振兴) keeps its own name and records the canonical one."""
    table: dict[str, tuple[str, str, bool]] = {}
    for row in load_table("national_strategies.tsv"):
        canonical, kind = row[0], row[1]
        aliases = row[2].split("|") if len(row) > 2 and row[2] else []
        table.setdefault(plain(canonical), (canonical, kind, True))
        for form in aliases:
            # =X marks a synonym; so is the name with a tail that keeps identity (X战略)
            synonym = form.startswith("=") or any(
                plain(form) == plain(canonical) + tail for tail in SAME_TAILS)
            table.setdefault(plain(form.lstrip("=")), (canonical, kind, synonym))
    keys = sorted(table, key=len, reverse=True)
    # quotes may be written around any part of a listed name: allow them between characters
    pattern = re.compile("|".join("[“”‘’]?".join(map(re.escape, k)) for k in keys))
    return table, pattern


@lru_cache(maxsize=None)
def strategy_suffixes() -> tuple[dict[str, str], re.Pattern]:
    table = {row[0]: row[1] for row in load_table("strategy_suffixes.tsv")}
    keys = sorted(table, key=len, reverse=True)
    return table, re.compile("|".join(map(re.escape, keys)))


@lru_cache(maxsize=None)
def stop_names() -> frozenset[str]:
    """Quote-free forms of general goals and slogans (data/strategy_stoplist.txt)."""
    return frozenset(plain(w) for w in load_words("strategy_stoplist.txt"))


@lru_cache(maxsize=None)
def generic_bodies() -> frozenset[str]:
    return frozenset(load_words("strategy_generic_bodies.txt"))


def is_generic(body: str) -> bool:
    """Whether body is made only of generic words (重点, 各项, 体制 ...) or is too short."""
    body = plain(body)
    if len(body) < 2:
        return True
    words = generic_bodies()
    return made_of(body, words, 6)


def national_candidates(text: str, lo: int, hi: int) -> list[Candidate]:
    table, pattern = national_aliases()
    out = []
    for m in pattern.finditer(text, lo, hi):
        start, end = m.start(), m.end()
        if start > lo and text[start - 1] in "“‘" and end < hi and text[end] in "”’":
            start, end = start - 1, end + 1
        # quotes written inside the name (“三北”工程, 新时代“枫桥经验”): keep them balanced
        opened = text.count("“", start, end) - text.count("”", start, end)
        if opened < 0 and start > lo and text[start - 1] == "“":
            start -= 1
        elif opened > 0 and end < hi and text[end] == "”":
            end += 1
        canonical, kind, synonym = table[plain(m.group())]
        name = canonical if synonym else text[start:end]
        for tail in OWN_TAILS:
            if text.startswith(tail, end) and plain(m.group()) + tail not in table:
                name, end = text[start:end + len(tail)], end + len(tail)
                break
        else:
            for tail in SAME_TAILS:
                if text.startswith(tail, end):
                    end += len(tail)
                    break
        out.append(Candidate(start, end, name, kind, "strategy.national", "national",
                             canonical=canonical))
    return out


def quoted_candidates(text: str, lo: int, hi: int) -> list[Candidate]:
    suffixes, _ = strategy_suffixes()
    table, _ = national_aliases()
    from kg.extract.projects import quoted_apps
    apps = {(a, b) for a, b, _ in quoted_apps(text, lo, hi)}
    out = []
    governed = negative = False  # what governs the current run of quotes (“A”“B”“C”)
    prev_end = -1
    formulas = _parallel_formulas(text, lo, hi, apps)
    out.extend(formulas)
    for m in QUOTE.finditer(text, lo, hi):
        inner = m.group(1)
        core = plain(inner)
        if any(f.start <= m.start() < f.end for f in formulas):
            continue
        if m.start() != prev_end:
            governed = _governed(text, m.start(), lo)
            before = text[max(lo, m.start() - 6):m.start()]
            negative = any(before.endswith(w) for w in NEGATIVE_GOVERNORS)
        prev_end = m.end()
        if (len(core) < 2 or core.startswith("零") or core in table or re.search("[，。；？！]", core)
                or (core.endswith(EVENT_ENDINGS) and not core.endswith(NOT_EVENT_ENDINGS))
                or len(core) > (48 if "+" in core else 30)):  # “A+B+C+D” models run long
            continue
        head = text[m.end():m.end() + 4]
        if any(head.startswith(w) for w in QUOTED_NOT_STRATEGY) or (m.start(), m.end()) in apps:
            continue
        if re.match(r"(?:特色)?应用(?!试点|示范)", text[m.end():m.end() + 6]) and not CODED.search(core):
            continue  # “X”应用 is an app (a project); “1+4”算力平台 a programme of platforms
        if negative or _in_event_list(text, m.start(), m.end(), lo, hi):
            continue
        end, kind = _kind_tail(text, m.end(), hi, suffixes)
        if kind is None and (core.isdigit() or PERIOD.match(core)):
            continue  # a bare number in quotes (“6”大) is a count; “十六五” a period
        if kind is None and (RESULT.match(core) or text.startswith("的", end) and "、" not in core):
            continue  # 损失“双下降”: a result; “三个不平衡”的矛盾: a quote describing a noun
            # (a formula of parts, “群众提、代表决…”的机制, still names a programme)
        if kind is None and (
                (NUMBERED.search(core) and core.endswith(COUNTED_THINGS) and "大事" not in core)
                or (len(core) <= 4 and core.endswith(BRAND_ENDINGS))):
            continue
        if kind is None:
            kind = next((k for s, k in sorted(suffixes.items(), key=lambda kv: -len(kv[0]))
                         if core.endswith(s)), "")
            if not (kind or governed or _looks_like_programme(core)):
                continue
            kind = kind or _kind_of_bare(core)
        # a short topic written before the quote belongs to the name (高质量发展“十项行动”)
        # (高等教育“百亿工程”: a quote that ends in its own kind word takes a topic too)
        limit = 12 if end > m.end() else 8 if kind and core.endswith(tuple(suffixes)) else 6
        start = anchored_left(text, m.start(), limit, lo, stop_chars="和与及的、等")
        start = strip_left(text, start, end, keep=end - m.start())
        cut = trim_long_body(text, start, m.start(), longest=0, particles="以对为在")
        start = m.start() if cut is None else cut
        if start < m.start() and (not HAN.match(text[start]) or m.start() - start < 2
                                  or _acts_on(text[start:m.start()])):
            start = m.start()
        out.append(Candidate(start, end, text[start:end], kind, "strategy.quoted",
                             core=(m.start(), m.end())))
    return out


# A counted change in quotes is a result reported, not a programme (“双下降”, “三增长”).
RESULT = re.compile(r"^[双两三四五六七八九十]+(?:增长|下降|提升|提高|减少|突破|增加|降低)$")
# Word classes (jieba) that make a text before a quote an act on it, not its topic:
# 新增“百亿县”, 学习运用“千万工程”, 深刻领悟“两个确立”, 认真履行“一岗双责”.
ACT_FLAGS = ("v", "d", "ad", "p")


@lru_cache(maxsize=4096)
def _acts_on(topic: str) -> bool:
    """Whether the words before a quote open with a verb, adverb or preposition (旅游,
    乡村人才振兴 are topics; 新增, 高效运行, 学习运用 are acts)."""
    import jieba.posseg
    first = next(iter(jieba.posseg.cut(topic)), None)
    return first is not None and first.flag in ACT_FLAGS  # 乡村人才振兴: the verb ends a topic


# Three or more quotes of the same short length written back to back are the parts of one
# formula (“增品种”“提品质”“创品牌”): one name. Parts of unequal length are separate names.
PARALLEL = re.compile(r"(?:“[^“”，。；、]{2,4}”){3,}")


def _parallel_formulas(text: str, lo: int, hi: int, apps: set) -> list[Candidate]:
    out = []
    for m in PARALLEL.finditer(text, lo, hi):
        parts = QUOTE.findall(m.group())
        if len({len(p) for p in parts}) != 1 or any(
                (q.start(), q.end()) in apps for q in QUOTE.finditer(text, m.start(), m.end())):
            continue
        if re.match(r"[\d一二三四五六七八九十]+[大项个类]", text[m.end():m.end() + 3]):
            continue  # “A”“B”“C”三大行动: the count sums up separate names
        out.append(Candidate(m.start(), m.end(), m.group(), "programme", "strategy.quoted",
                             core=(m.start(), m.end())))
    return out


EVENT_RUN_CLOSE = re.compile(r"等(?:[\d一二三四五六七八九十]+[项个场大])?(?:系列)?(?:活动|赛事|节会|展会)")


def _in_event_list(text: str, start: int, end: int, lo: int, hi: int) -> bool:
    """Whether a quote is in a run closed by 等活动 that holds an event (“人才福建周”,
    “中国航天日”): the run lists events then; a run of campaigns alone stays."""
    a = start
    while a > lo and text[a - 1] == "”":
        a = text.rfind("“", lo, a - 1)
        if a < 0:
            return False
    b = _run_end(text, end, hi)
    if not EVENT_RUN_CLOSE.match(text, b):
        return False
    cores = [plain(q) for q in QUOTE.findall(text[a:b])]
    return any(c.endswith(EVENT_ENDINGS) and not c.endswith(NOT_EVENT_ENDINGS) for c in cores)


def _run_end(text: str, pos: int, hi: int) -> int:
    """The end of the run of back-to-back quotes that a quote ending at pos belongs to."""
    while pos < hi and text[pos] == "“":
        close = text.find("”", pos, hi)
        if close < 0:
            break
        pos = close + 1
    return pos


# Verbs that take a programme as object: a quote right after them names one (落实“四下基层”).
PROGRAMME_VERBS = ("落实", "实施", "推进", "推动", "开展", "深化", "坚持", "严守", "用好", "聚焦",
                   "紧盯", "按照", "抓好", "做好", "做实", "创建", "争创", "构建", "践行",
                   "贯彻", "结合", "完善", "建立", "健全", "迭代升级", "落细落实", "打表推进")
CODED = re.compile(r"[\d+＋]|^[一二三四五六七八九十两双]")  # “7+3”, “光伏+行业”, “一件事”
NUMBERED = re.compile(r"^[\dA-Za-z一二三四五六七八九十两双百千万]+[大个张项件条次+＋]?|[\d一二三四五六七八九十两双][大个张项件条]")


def _governed(text: str, pos: int, lo: int) -> bool:
    before = text[max(lo, pos - 6):pos]
    return any(before.endswith(v) for v in PROGRAMME_VERBS) or before.endswith("以")


def _looks_like_programme(core: str) -> bool:
    """Numbered (“十项行动”, “3815”, “一企一策”) or a short formula (“月调度、季评比”)."""
    parts = re.split(r"[、，,+＋·]", core)
    if len(parts) > 1 and max(len(p) for p in parts) <= 5 and all(parts):
        return True
    return bool(NUMBERED.search(core)) and len(core) >= 3


_KIND_WORDS: dict[int, tuple[dict, dict[str, str], tuple[tuple[int, frozenset[str]], ...]]] = {}


def _kind_words(suffixes: dict[str, str]) -> tuple[dict[str, str], tuple[tuple[int, frozenset[str]], ...]]:
    """The quoted kind words and the suffixes (word → kind), and the words grouped by length,
    longest first; made once per suffix table, not per position."""
    cached = _KIND_WORDS.get(id(suffixes))
    if cached is not None and cached[0] is suffixes:
        return cached[1], cached[2]
    words = {**QUOTED_KIND_WORDS, **suffixes}
    by_length = tuple((n, frozenset(w for w in words if len(w) == n))
                      for n in sorted({len(w) for w in words}, reverse=True))
    _KIND_WORDS[id(suffixes)] = (suffixes, words, by_length)
    return words, by_length


def _kind_tail(text: str, pos: int, hi: int, suffixes: dict[str, str]) -> tuple[int, str | None]:
    """The end and kind of a kind word right after a quote (“X”专项行动), if any."""
    run_end = scan_right(text, pos, 12, hi, stop_chars="等和与及的")
    run = text[pos:run_end]
    if re.match(r"[\d一二三四五六七八九十]+[大个项家条类]", run):
        return pos, None  # “A”“B”…N大专项行动: the count closes a list, it is not A's kind
    words, by_length = _kind_words(suffixes)
    best: tuple[int, str] | None = None
    for i in range(1, len(run) + 1):
        # the longest kind word ending at i (one per length can), as a scan longest first
        for n, same_length in by_length:
            if n <= i and (w := run[i - n:i]) in same_length and (n > 1 or right_boundary_ok(text, pos + i)):
                if best is None:
                    best = (i, words[w])
                elif i - n < best[0]:  # a longer word overlapping the first (行动计划)
                    best = (i, words[w])
                break
        if best and i > best[0] + 2:
            break
    if best is None:
        return pos, None
    return pos + best[0], best[1]


def _kind_of_bare(core: str) -> str:
    if re.search(r"(改革|改)$", core):
        return "reform"
    if re.search(r"(机制|制度|清单|库|榜)$", core):
        return "mechanism"
    if re.search(r"(行动|活动|年|整治|攻坚)$", core):
        return "campaign"
    if re.match(r"^[\d一二三四五六七八九十两百千万]+[大个张项件条]", core):
        return "programme"
    return "strategy"


def suffix_candidates(text: str, lo: int, hi: int) -> list[Candidate]:
    suffixes, pattern = strategy_suffixes()
    out = []
    for m in pattern.finditer(text, lo, hi):
        end = m.end()
        if not right_boundary_ok(text, end):
            continue
        start = scan_left(text, m.start(), MAX_NAME + 8, lo, stop_chars="等")
        start = strip_left(text, start, m.start(), keep=2)
        start = cut_long(text, start, m.start(), 0, end)
        if start is None:
            continue
        start = strip_left(text, start, m.start(), keep=2)
        if end - start > MAX_NAME + 4:  # two names joined (…基地和国家…示范区): take the last
            start = _after_conjunction(text, start, m.start())
        counted = COUNT_PREFIX.match(text, start, m.start())
        if counted and m.start() - counted.end() >= 4:
            start = counted.end()  # 市级10个…示范工程之一: one of ten, the name is what follows
        body = text[start:m.start()]
        if (end - start > MAX_NAME + (8 if "“" in body else 4) or is_generic(body) or not HAN.search(body)
                or body in governing_words() or "的" in body.replace("”的", "")
                or any(w in body for w in VAGUE_WORDS)):
            continue
        suffix = m.group()
        if QUOTE_LIST_COUNT.match(body):
            continue  # “A”“B”…N大专项行动: the count sums up a list of named campaigns
        if suffix == "计划" and (len(plain(body)) < 4 or body.startswith("国民经济")
                                or body.endswith(PLAN_NOT_NAMES)):
            continue  # the yearly plan in general, or a schedule (建设年度计划, 投资计划)
        name = text[start:end]
        if suffix in ("攻坚战", "攻坚行动") and body.endswith(tuple(suffixes)):
            name = body  # 污染防治攻坚战 is the campaign to carry out 污染防治
        if suffix == "工程" and not ("”" in body or body.endswith(PROGRAMME_WORKS)
                                    or re.search(r"[\d一二三四五六七八九十]+[大项个]", body)):
            continue
        out.append(Candidate(start, end, name, suffixes[suffix], "strategy.suffix"))
    return out


QUOTE_LIST_COUNT = re.compile(r"^(?:“[^“”]+”[、，和及]?){2,}[\d一二三四五六七八九十两]+[大项个类]?$")
COUNT_PREFIX = re.compile(r"(?:(?:国家|省|市|区|县)级)?[\d一二三四五六七八九十百]+[个项批家]")


def _after_conjunction(text: str, start: int, head: int) -> int:
    """Start after the rightmost 和/及/与 outside quotes that leaves a body of 4+ characters."""
    depth = 0
    best = start
    for i in range(start, head):
        ch = text[i]
        if ch in "“‘（(":
            depth += 1
        elif ch in "”’）)" and depth:
            depth -= 1
        elif ch in "和及与" and not depth and head - (i + 1) >= 4:
            best = i + 1
    return best


PLAN_PATTERNS = [
    re.compile(r"(?:\d{4}年)?国民经济和社会发展(?:第[一二三四五六七八九十]+个五年)?(?:计划|规划)(?:纲要)?"),
    re.compile(r"\d{4}年(?:度)?计划草案"),
    re.compile(r"《[^《》]{2,40}(?:规划|纲要|方案|计划|建议书|意见|决定)》"),
]


def plan_candidates(text: str, lo: int, hi: int) -> list[Candidate]:
    out = []
    for pat in PLAN_PATTERNS:
        for m in pat.finditer(text, lo, hi):
            name = m.group()
            if name.startswith("国民经济"):
                continue  # the plan in general, not one year's or period's plan
            draft = re.match(r"(\d{4})年(?:度)?计划草案$", name)
            if draft:  # the draft is the year's plan under its short name
                name = f"{draft.group(1)}年国民经济和社会发展计划"
            out.append(Candidate(m.start(), m.end(), name, "plan", "strategy.plan"))
    return out


# -- titles a place works for (创建国家物流枢纽承载城市, 争创全国县域商业“领跑县”) ----------------------
# A title is named by who awards it and what kind of place earns it; the verbs say it is
# being pursued or kept. Only these heads: 城市 alone is too common.
TITLE_HEADS = ("示范城市", "标杆城市", "卫生城市", "文明城市", "园林城市", "森林城市", "中心城市",
               "旅游城市", "示范区县", "示范市", "示范县", "示范乡镇", "示范乡村", "示范村",
               "先行示范区", "先行区", "领跑县", "强县", "百强县")
TITLE_VERBS = ("创建", "争创", "创成", "创建为", "成功创建", "成功创建为", "获评", "荣获", "巩固",
               "巩固提升", "打造", "入选", "被评为", "获批", "复核", "守好", "助力")
TITLE_LEVEL = re.compile(r"^(?:国家|全国|国际|省级|市级|区级|县级|世界|[\u4e00-\u9fff]{2,3}(?:省|市))")
TITLE_PATTERN = re.compile("|".join(map(re.escape, sorted(TITLE_HEADS, key=len, reverse=True))))


def title_candidates(text: str, lo: int, hi: int) -> list[Candidate]:
    out = []
    for m in TITLE_PATTERN.finditer(text, lo, hi):
        end = m.end()
        head = m.start() - 1 if m.start() > lo and text[m.start() - 1] == "“" else m.start()
        if head < m.start() and end < hi and text[end] == "”":
            end += 1  # 全国县域商业“领跑县”
        elif text.count("“", lo, m.start()) > text.count("”", lo, m.start()):
            continue  # inside a quoted title: the quoted rule names it as written
        start = scan_left(text, head, 16, lo, stop_chars="、和与及等的，")
        verb_end = -1
        for v in sorted(TITLE_VERBS, key=len, reverse=True):
            k = text.rfind(v, start, head)
            if k >= 0 and k + len(v) > verb_end:
                verb_end = k + len(v)
        if verb_end >= 0:
            start = verb_end
        # a verb before a conjunction governs both titles (争创A和B)
        governed = verb_end >= 0 or any(v in text[max(lo, start - 16):start] for v in TITLE_VERBS)
        start = strip_left(text, start, head, keep=2)
        counted = COUNT_PREFIX.match(text, start, head)
        if counted and head - counted.end() >= 2:
            start = counted.end()  # 争创10个全国县域商业“领跑县”
        name = text[start:end]
        led = bool(TITLE_LEVEL.match(name))
        followed = text.startswith(("创建", "成果"), end)
        if not ((led and (governed or followed)) or (governed and followed)) \
                or len(name) > MAX_NAME + 2:
            continue
        if text.startswith(("培育建设", "建设"), end):
            end += 4 if text.startswith("培育建设", end) else 2  # X中心城市培育建设
        out.append(Candidate(start, end, text[start:end], "programme", "strategy.title"))
    return out


# -- numbered systems written without quotes (N大产业链, 1+N+X体系, 一园N区多点体系) -----------
NUMBERED_SYSTEM = re.compile(
    r"(?:[一二三四五六七八九十两\d]+大|\d+(?:[+＋]\d+)*[+＋][\dN]+|一[\u4e00-\u9fff]{1,2}[两二三四五六七八九十][\u4e00-\u9fff]{1,2}(?:多[\u4e00-\u9fff]{1,2})?)"
    r"(?:[\u4e00-\u9fff]{0,6}?(?:产业链|产业集群)|[\u4e00-\u9fff]{1,6}?(?:体系|集群|格局|攻坚战|行动|工程))")


def numbered_candidates(text: str, lo: int, hi: int) -> list[Candidate]:
    kinds = {"攻坚战": "campaign", "行动": "campaign", "工程": "programme"}
    out = []
    for m in NUMBERED_SYSTEM.finditer(text, lo, hi):
        if m.start() > lo and text[m.start() - 1] in "“”‘’0123456789+＋":
            continue  # part of a quoted or longer formula: the quoted rule owns it
        if not (right_boundary_ok(text, m.end()) or text.startswith(("建设", "项目"), m.end())):
            continue  # N大产业链条: the name goes on
        kind = next((k for w, k in kinds.items() if m.group().endswith(w)), "strategy")
        out.append(Candidate(m.start(), m.end(), m.group(), kind, "strategy.numbered"))
    return out


# -- a place's own branded programme (数字青海建设, 平安中国, 信用浙江, 健康湖北) --------------
BRAND_PREFIXES = ("数字", "平安", "法治", "健康", "美丽", "信用", "智慧")


def place_brand_candidates(text: str, lo: int, hi: int) -> list[Candidate]:
    from kg.gazetteer import Gazetteer
    gazetteer = Gazetteer.load()
    out = []
    for m in re.finditer("(" + "|".join(BRAND_PREFIXES) + r")([\u4e00-\u9fff]{2,3})", text[lo:hi]):
        start = lo + m.start()
        place = m.group(2)
        # the longest place short name after the prefix (数字青海, 平安黑龙江)
        for n in range(len(place), 1, -1):
            found = [d for d in gazetteer.lookup(place[:n]) if d.level in ("province", "city", "district")]
            if found:
                end = start + len(m.group(1)) + n
                break
        else:
            continue
        if end < hi and HAN.match(text[end]) and not text.startswith(("建设", "升级版"), end) \
                and not right_boundary_ok(text, end):
            continue  # 健康江苏 may head a longer word; only a name boundary counts
        if text.startswith("建设", end):
            end += 2
        # a municipality directly under the centre (天津市) is a province-level 市: municipal
        level = ("municipal" if found[0].name.endswith("市") else
                 {"province": "provincial", "city": "municipal", "district": "district"}[found[0].level])
        out.append(Candidate(start, end, text[start:end], "strategy", "strategy.brand", level))
    return out


RULES = (national_candidates, plan_candidates, quoted_candidates, suffix_candidates,
         title_candidates, numbered_candidates, place_brand_candidates)


def document_level(doc: Document) -> str:
    """Who a report speaks for: the level its strategies default to."""
    place = doc.place_name or doc.issuer or doc.title
    if not place or "国务院" in place or "中华人民共和国" in place:
        return "national"
    if re.search(r"(区|县|旗)(人民政府|发展和改革委员会)?$", place):
        return "district"
    if re.search(r"(省|自治区)", place) and not re.search(r"市.{1,6}(区|县)", place):
        return "provincial"
    return "municipal" if "市" in place else "unknown"


def level_of(cand: Candidate, doc: Document, default: str) -> str:
    if cand.level:
        return cand.level
    context = doc.text[max(0, cand.start - 4):cand.end]
    for level, words in LEVEL_MARKERS:
        if any(w in context for w in words):
            return level
    if default == "national":
        return "national"
    # a place named inside the strategy says whose it is
    for m in doc.mentions:
        if m.kind is EntityKind.PLACE and cand.start <= m.start and m.end <= cand.end:
            ptype = m.attrs.get("place_type", "")
            if ptype in ("district", "county"):
                return "district"
            if ptype in ("province",):
                return "provincial"
            if ptype in ("city", "municipality"):
                return "municipal"
    return "unknown"


PRIORITY = {"strategy.national": 0, "strategy.plan": 1, "strategy.brand": 1, "strategy.quoted": 2,
            "strategy.title": 2, "strategy.numbered": 3, "strategy.suffix": 3, "strategy.row": 4}


def _select(cands: list[Candidate]) -> list[Candidate]:
    """One mention per name span. Listed and plan names win over the generic rules; a generic
    span inside a longer kept one is the same name re-found; one that ends where a listed
    name ends, or crosses it, has a wrong left edge. A listed name inside a longer
    programme stays: both are named (乡村振兴 in 乡村振兴X示范工程)."""
    cands.sort(key=lambda c: (PRIORITY[c.rule], -(c.end - c.start), c.start))
    kept: list[Candidate] = []
    for c in cands:
        drop = False
        for k in kept:
            if k.end <= c.start or c.end <= k.start:
                continue
            inside = k.start <= c.start and c.end <= k.end
            contains = c.start <= k.start and k.end <= c.end
            if (c.core and k.rule == "strategy.national" and k.start < c.core[1]
                    and c.core[0] < k.end):
                drop = True  # “十四五”规划指标体系: the quote is a listed name's
            elif inside and (c.rule != "strategy.national" or (k.start, k.end) == (c.start, c.end)):
                drop = True
            elif contains and k.rule == "strategy.title":
                drop = True  # 全国文明城市创建: the title is the name, 创建 the act
            elif contains and k.rule in ("strategy.national", "strategy.plan") and k.end == c.end:
                drop = True
            elif not inside and not contains:
                drop = True
            if drop:
                break
        if not drop:
            kept.append(c)
    return sorted(kept, key=lambda c: c.start)


# Overlap with kg/extract/projects.py: both may claim a name ending in 工程/项目/建设. Policy:
# a programme named by what it does, anywhere, is a strategy (文化惠民工程, “三北”工程,
# 学习运用“千万工程”, 文明建设“五个一工程”); one tied to a site is a construction
# project and is left to the projects extractor: it starts with a local place (town, village,
# subdistrict, scenic area, mountain ...), holds a road number (G353) or a phase (二期), or
# its head is a building act (修复养护工程, 改造工程). A campaign (…行动) is always a strategy.
SITE_TYPES = ("town", "township", "subdistrict", "village", "community", "scenic_area",
              "mountain", "landmark", "lake", "river", "other")
BUILDING_ACTS = re.compile(r"(?:新建|扩建|改建|改造|修复|养护|维修|整治|续建|迁建|加固|提升)(?:建设)?工程$")
ROAD_OR_PHASE = re.compile(r"[GSX]\d{2,4}|[一二三四五六七八九十\d]期")


def is_construction(c: Candidate, doc: Document) -> bool:
    """Whether a 工程/项目/建设 name is a construction project (see the policy above)."""
    if not c.name.endswith(("工程", "项目", "建设")) or c.rule == "strategy.national":
        return False
    if BUILDING_ACTS.search(c.name) or ROAD_OR_PHASE.search(c.name):
        return True
    return any(m.kind is EntityKind.PLACE and m.start == c.start
               and m.attrs.get("place_type") in SITE_TYPES for m in doc.mentions)


def own_place_names(doc: Document) -> tuple[str, ...]:
    """Full and short names of the place a report speaks for and the places above it."""
    from kg.gazetteer import Gazetteer
    gazetteer = Gazetteer.load()
    place = gazetteer.resolve_document_place(doc.place_name or doc.issuer or doc.title or "")
    if place is None:
        return ()
    names: list[str] = []
    for d in [place, *gazetteer.ancestors(place.code)]:
        names += [d.name, *gazetteer.short_names(d, place.code)]
    return tuple(n for n in names if len(n) >= 2)


def is_place_slogan(c: Candidate, own: tuple[str, ...]) -> bool:
    """A bare quote ending in the report's own place (“寻味X”, “青创·X”, “投资中国·优选X”) is
    the place's promotion slogan, not a programme; “数字X”, “平安X” are programmes."""
    if c.rule != "strategy.quoted" or not c.core or c.end != c.core[1]:
        return False
    core = plain(c.name)
    return (bool(own) and core.endswith(own) and not core.startswith(BRAND_PREFIXES)
            and core not in own)


def _canonicalise(c: Candidate) -> None:
    """A name another rule found that is a listed synonym takes the listed name."""
    entry = national_aliases()[0].get(plain(c.name))
    if entry:
        c.canonical = entry[0]
        c.level = "national"
        if entry[2]:
            c.name = entry[0]


# -- 专栏 row labels (X更新, 清洁能源开发利用 …) ------------------------------------
# A boxed column of tasks, mechanisms or measures lists its programmes as row labels, the
# projects of each in the row. Columns of platforms or projects list things, not programmes.
ROW_COLUMNS = re.compile(r"任务|机制|举措|工作")
NOT_ROW_COLUMNS = re.compile(r"平台|载体")
# A label ending in a result (…结构优化, …质效提升) states a goal, not a programme.
FACILITY_ENDINGS = ("中心", "平台", "基地", "园区", "枢纽", "设施")
GOAL_ENDINGS = ("优化", "提升", "增效", "扩容", "提质", "壮大", "增长", "活力", "水平")


def row_candidates(doc: Document) -> list[tuple[int, Candidate]]:
    """(sentence index, candidate) for each programme named by a 专栏 row label."""
    out = []
    for col in doc.columns:
        if not ROW_COLUMNS.search(col.title) or NOT_ROW_COLUMNS.search(col.title):
            continue
        for row in col.rows:
            label = row.label
            if not label or not doc.text.startswith(label, row.start):
                continue
            start, end = row.start, row.start + len(label)
            name = doc.text[start:end]
            if (len(plain(name)) < 4 or name.endswith(GOAL_ENDINGS) or is_generic(name)
                    or any(name.startswith(w) for w in governing_words() if len(w) > 1)
                    or re.sub("建设$", "", name).endswith(FACILITY_ENDINGS)):
                continue  # 加快X, 办好X: a task; 治理中心建设: a facility being built
            sent = next((x for x in doc.sentences if x.start <= start < x.end), None)
            if sent is None:
                continue
            out.append((sent.index, Candidate(start, end, name, "programme", "strategy.row")))
    return out


def extract_strategies(doc: Document) -> Document:
    """Append a STRATEGY mention for every named strategy in every sentence."""
    default = document_level(doc)
    own = own_place_names(doc)
    text = doc.text
    rows: dict[int, list[Candidate]] = {}
    for index, cand in row_candidates(doc):
        rows.setdefault(index, []).append(cand)
    for sent in doc.sentences:
        cands: list[Candidate] = list(rows.get(sent.index, []))
        for rule in RULES:
            cands.extend(rule(text, sent.start, sent.end))
        for c in _select(cands):
            if is_construction(c, doc) or is_place_slogan(c, own) or plain(text[c.start:c.end]) in stop_names():
                continue
            _canonicalise(c)
            attrs = {"level": level_of(c, doc, default), "strategy_kind": c.kind}
            if c.canonical and c.canonical != c.name:
                attrs["canonical"] = c.canonical
            doc.add_mention(Mention(
                kind=EntityKind.STRATEGY, start=c.start, end=c.end, sentence=sent.index,
                text=text[c.start:c.end], name=c.name, rule=c.rule, attrs=attrs))
    return doc
