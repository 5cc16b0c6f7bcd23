"""Targets and observations: which indicator each number measures, for which year, in which role.

Owns the reading of a sentence's numbers (found by `numbers.py`) as facts about indicators:
- the indicator as worded, shortest meaningful form, from the words before the number
  (地区生产总值273.46亿元) or the counted noun after it (引进10家区级首店);
- enumerations: 一、二、三产业增加值分别增长4.8%、6.3%和5.1% gives one value per item,
  均增长10%以上 gives the same value to every subject before it, and a bare 增长5.5% after
  a level belongs to the same indicator;
- the measure kind (growth_rate, reduction, share, level, count);
- the year (an explicit 2023年 / 到2025年 in the sentence, else the section's year, else the
  document's review/plan years) and the role (target for a future period, else observation).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache

from kg.extract.indicators import normalize_indicator
from kg.extract.numbers import NumberPhrase, find_number_phrases, parse_chinese_numeral
from kg.model import (Comparator, Document, EntityKind, MeasureKind, Quantity, QuantityRole,
                      Section, SectionMode)

RULE = "quantities"

CLAUSE_BREAK = re.compile(r"[，,；;。！？!?：:\n]")
# Characters that only join the values of an enumeration (4.8%、6.3%和5.1%).
VALUE_JOINERS = set("、和及与或 ")
ENUM_SPLIT = re.compile(r"[、]|(?<=.)(?:和|及|与)(?=.)")

# Verbs/adverbs between an indicator and its number, stripped from the end of the
# subject; each says something about the measure (longest first per group).
GROWTH_VERBS = ("增长", "增加", "提高", "提升", "上升", "上涨", "扩大", "增速为", "增速", "涨幅")
REDUCTION_VERBS = ("下降", "降低", "减少", "回落", "缩小", "缩减", "压减", "压缩", "降幅")
# 增至27万亩 / 降至3%: the level reached after a change.
REACH_VERBS = ("增至", "增到", "增加到", "增加至", "降至", "降到", "提高到", "提高至", "提升至",
               "提升到", "扩大到", "扩大至", "缩小到", "缩小至", "达到")
TO_WORDS = ("到", "至")  # 提升至4%: a level reached, not a growth rate
# 标准由55元提高到70元, 赤字率从去年的2.1%提高到2.3%: the first value is the baseline the change
# starts from (no fact of the period); the words that open it and the rate's "per" words are
# no part of the indicator (财政补助标准由每人每年320元 -> 财政补助标准).
FROM_WORDS = ("统一由", "分别由", "分别从", "由", "从", "每人每年", "每年每人")
BASELINE_FROM_RE = re.compile(r"(?:由|从)(?:去年|上年|目前|现行|原来|原)?的?(?:每人每年|每年每人)?$")
CHANGED_TO_RE = re.compile(r"^[^\d，,。；;]{0,2}?(?:提高|增加|增长|提升|上升|扩大|降低|下降|减少|缩小|压减|调整|增|降)(?:到|至)")
LINK_WORDS = (
    "保持在", "稳定在", "巩固在", "维持在", "控制在", "稳定", "保持", "巩固", "维持",
    "达到", "达", "为", "是", "占", "突破", "超过", "超", "不低于", "不少于", "不超过",
    "低于", "约", "近", "分别", "均", "实际", "名义", "同比", "比上年", "较上年", "年均", "平均", "累计",
    "了", "在", "共", "总计", "合计", "预计", "力争", "全年", "实现", "完成", "首次",
)
# Words before an indicator that are not part of its name (全年实现地区生产总值).
HEAD_FILLERS = (
    "我们", "我区", "我市", "我省", "我县", "我国", "其中", "全年", "全区", "全市", "全省", "全县", "全镇", "全国", "今年", "明年", "当年",
    "去年", "上年", "本年",
    "年内", "一年来", "同比", "实现", "完成", "力争", "努力", "推动", "带动", "确保", "预计",
    "累计", "共", "并", "和", "及", "与", "、", "，", "将", "要", "使", "让", "促进", "带来",
    "总计", "合计", "大关", "关口", "也", "还", "再", "已", "已经", "首次", "连续", "持续",
)
# Words that, with a future year, make a sentence set a goal even in a review section.
TARGET_CUES = ("力争", "目标", "预期", "预计", "计划", "确保", "争取", "到20", "将")
# A year that is a baseline or a period start, not the year the value is for.
BASELINE_BEFORE = ("较", "比", "与", "同", "从", "自", "于", "截至", "截止")
BASELINE_AFTER = ("以来", "基础上", "的基础", "相比", "同期", "末", "水平")
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})年(?!代)")
# “十四五”末, 十四五时期: a five-year plan named by its ordinal (its last year is the goal year).
FIVE_YEAR_PLAN_RE = re.compile(r"“?((?:十[一二三四五六七八九]?|[三四五六七八九]))五”?(?=规划|时期|期间|期末|末|计划)")
PERIOD_IN_SUBJECT_RE = re.compile(r"“?十?[一二三四五六七八九]?五”?(?:规划)?(?:时期|期间|期末|末)")
PLAN_PERIOD_BASELINE = ("以来", "基础上", "的基础", "相比", "同期", "水平", "规划目标", "目标")
# Years named relative to the report: 今年 is its plan year, 去年 its review year.
RELATIVE_YEAR_RE = re.compile(r"(?:今年|本年(?!度)|去年|上一年|上年(?!同期|末|底))(?![\d一二三四五六七八九十]{1,2}月)")
TITLE_RE = re.compile(r"《[^》]*》")
# Counted nouns that only number the items of a list (33项指标, 7个要素, 3个重点, 10项任务).
LIST_NOUNS = ("指标", "方面", "要素", "领域", "环节", "重点", "大类", "类别")
# ...unless the list itself is reported done (10项化债任务全部完成).
LIST_DONE = ("全部完成", "全面完成", "基本完成", "如期完成", "全部清零", "全部销号")
# Verbs that carry on work already under way (持续推进全区184个行政村帮扶, 狠抓3个重点):
# the count then describes the scope of the work, not an amount to reach.
ONGOING_VERBS = ("推进", "抓好", "狠抓", "抓实", "聚焦", "紧盯", "围绕", "深化", "用好", "做好")
# Adverbs before a clause's governing verb (持续推进, 提速推进, 有序推进).
VERB_ADVERBS = ("持续", "提速", "有序", "深入", "扎实", "加快", "全力", "大力", "着力", "不断",
                "进一步", "积极", "稳步", "全面", "继续", "切实", "重点")
# Words that make a count a goal whatever the verb (拟推进实施重点项目78个).
GOAL_WORDS = ("拟", "力争", "确保", "争取", "目标")
# Result verbs right after an ongoing one make it a goal again (推进实施, 推进建设).
RESULT_AFTER_ONGOING = ("实施", "建设", "完成", "建成", "新建", "开工")
# A rate later in the clause of a count: the count is its base (10个项目现场评价满意度100%).
PERCENT_LATER_RE = re.compile(r"^[^，。；、]{0,40}?(?:率|比例|比重|满意度|占比)[^，。；、\d]{0,12}?\d+(?:\.\d+)?%")
# Counted items that a plan names one by one (A、B等27个重点项目): the named items are
# the goals; their total only measures the list.
LISTED_ITEMS = ("项目", "工程", "任务", "事项")
# 20个民营企业评选为“行业领先企业”: the count is of what they were named as.
NAMED_AS_RE = re.compile(r"^(?:被)?(?:评选为|评为|认定为|命名为|列为|入选)([^，。；、]{2,16})")
# 130万吨货运业务的前期工作: the number sizes a project being prepared, it is no goal.
SPEC_OF_WORK = ("的前期工作", "的前期")
# Time words that end a counted noun phrase (103个区级重点项目全年完成投资).
TIME_WORDS = ("全年", "当年", "年内", "年底", "年末", "今年", "明年", "上年", "同期")
# Action nouns after counted items (15个项目建设): the items are what is counted.
ACTION_NOUNS = ("建设", "实施")
# Organisations whose forecasts reports quote as background (IMF预计2024年全球经济增长2.9%).
FORECASTER_RE = re.compile(r"(?:[A-Z]{2,}|组织|银行|基金|机构|联合国)(?:预计|预测|预期)")
# 年产10万套…线束等项目: a capacity written into a project's name.
CAPACITY_WORDS = ("年产", "年处理", "年加工", "年吞吐")
# Units of how often something was done (3次推送至…): adverbial when a verb follows.
FREQUENCY_UNITS = ("次", "回", "遍")
# A round number passed on the way (突破600亿元大关), not the value reached.
MILESTONE_NOUNS = ("大关", "关口")
# Manner adverbs that end a counted noun phrase (36个项目有序推进 -> 项目).
MANNER_WORDS = ("有序", "序时", "全面", "持续", "逐步", "加快", "顺利", "基本", "全部", "正式",
                "稳步", "相继", "先后", "陆续", "均", "分别", "加速", "提速", "有效", "已",
                "成功", "率先", "首次")
# A threshold inside an indicator: 经营性收入10万元以上村达100% (the villages above 10万元).
QUALIFIER_RE = re.compile(r"^[\u4e00-\u9fff]{1,4}?(?=达到|达|为|占|比例|比重|覆盖率)")
# Verbs of change that belong to a counted indicator (新增规上企业, 引进首店).
CHANGE_VERBS = (
    "新增", "净增", "新建", "新培育", "培育", "引进", "新引进", "招引", "创建", "新创建",
    "新开工", "新签约", "新开通", "新开辟", "新改造", "新认定", "认定", "新设立", "新登记",
)
# Process verbs before an indicator that say how, not what (拟推进实施重点项目78个).
PROCESS_VERBS = (
    "拟", "推进", "有序推进", "提速推进", "加快推进", "加快", "实施", "开展", "扎实", "办好",
    "全力", "狠抓", "抓好", "加强", "积极", "大力", "深入", "着力", "力争", "努力", "成功",
    "进一步", "稳步", "持续", "不断",
)
# Endings of an indicator name (…率, …比重, …总额), to tell indicator lists from item lists.
INDICATOR_HEADS = ("率", "比例", "比重", "占比", "总值", "增加值", "总额", "额", "总量", "产量",
                   "收入", "支出", "产值", "面积", "价格", "指数", "浓度", "天数", "投资", "利润",
                   "营收", "消费", "税收", "规模")
COMPARED_RE = re.compile(r"^(?:比|较|与)(?:上年|去年|上一年)(?:年初|同期)?")
# 等 closing an enumeration (A、B等项目), not inside 高等级 / 中等 / 等于.
ENUM_CLOSER_RE = re.compile(r"(?<![高中初平同对均上下])等(?![级同于])")
LEAD_BRACKET_RE = re.compile(r"^[（(][^）)]{0,3}[）)]")
# A period or baseline before an indicator: 2023年, 到2025年, 较2019年, 比上年.
LEAD_YEAR_RE = re.compile(r"^(?:(?:到|至|截至|较|比|与)?(?:19|20)\d{2}年(?:度|底|末|同期|相比)?"
                          r"|(?:较|比)(?:上年|去年|上一年)(?:同期)?"
                          r"|(?:到|至)?“?十?[一二三四五六七八九]?五”?(?:规划)?(?:时期|期间|期末|末))")
LONG_PAREN_RE = re.compile(r"[（(][^）)]{6,}[）)]")
# Trivial subjects left after stripping: never an indicator on their own.
EMPTY_SUBJECTS = {"", "其", "其中", "分别", "均", "同比", "全年", "累计", "共"}
# Part names for the three components of 三次产业结构 (12.1：38.1：49.8).
SECTOR_PARTS = ("第一产业", "第二产业", "第三产业")
PROJECT_LIKE = (EntityKind.PROJECT, EntityKind.ORGANIZATION)


@dataclass
class _Reading:
    phrase: NumberPhrase
    indicator: str
    measure: MeasureKind
    year: int | None
    role: QuantityRole
    comparator: Comparator
    subject: str | None = None
    rule: str = RULE
    emit: bool = True  # False for a number that only names the topic (突破600亿元大关)
    clause: int = 0
    consumed: int = 0  # characters after the number that belong to this reading
    qualifies_next: bool = False  # a threshold that stays in the next value's subject


@dataclass
class _Run:
    """Consecutive values joined only by 、/和 (4.8%、6.3%和5.1%), read as one group."""

    phrases: list[NumberPhrase] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.phrases[0].start

    @property
    def end(self) -> int:
        return self.phrases[-1].end


@lru_cache(maxsize=1)
def _posseg():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


def extract_quantities(doc: Document) -> Document:
    """Append a Quantity for every targeted or observed value in the document."""
    seen: set[tuple] = set()
    by_sentence: dict[int, list] = {}  # each sentence's mentions, in document order (one pass)
    for m in doc.mentions:
        by_sentence.setdefault(m.sentence, []).append(m)
    for sent in doc.sentences:
        text = doc.sentence_text(sent.index)
        section_year, mode = _section_context(doc, sent.section)
        mentions = by_sentence.get(sent.index, [])
        for r in read_sentence(text, section_year, mode, doc.review_years, doc.plan_years):
            p = r.phrase
            if _names_one_facility(doc, mentions, sent.start + p.num_start, p):
                continue
            subject = r.subject or _subject_from_mentions(doc, mentions, sent.start, p.start)
            # a figure repeated in a summary paragraph is one fact, told where it first appears
            fact = (r.role, normalize_indicator(r.indicator), r.year, p.value, p.unit, subject)
            if fact in seen:
                continue
            seen.add(fact)
            doc.quantities.append(Quantity(
                role=r.role, indicator=r.indicator, value=p.value, unit=p.unit,
                start=sent.start + p.start, end=sent.start + p.end, sentence=sent.index,
                year=r.year, comparator=r.comparator, measure=r.measure,
                value_max=p.value_max, subject=subject, text=p.text, rule=r.rule))
    return doc


def _section_context(doc: Document, index: int | None) -> tuple[int | None, SectionMode]:
    year, mode = None, SectionMode.OTHER
    for sec in doc.section_chain(index):
        if year is None and sec.year is not None:
            year = sec.year
        if mode == SectionMode.OTHER and sec.mode != SectionMode.OTHER:
            mode = sec.mode
    return year, mode


def _names_one_facility(doc: Document, mentions, num_start: int, p: NumberPhrase) -> bool:
    """新建X镇垃圾中转站1座: one named facility is a project, not a count of anything."""
    if p.family != "count" or p.value != 1:
        return False
    for m in mentions:
        if m.kind is EntityKind.PROJECT and 0 <= num_start - m.end <= 1 and any(
                pl.kind is EntityKind.PLACE and m.start <= pl.start and pl.end <= m.end
                for pl in mentions):
            return True
    return False


def _subject_from_mentions(doc: Document, mentions, sent_start: int, pos: int) -> str | None:
    """A project or organisation named in the same clause before the number is its subject."""
    abs_pos = sent_start + pos
    clause_start = sent_start + _clause_start(doc.text[sent_start:abs_pos], len(doc.text[sent_start:abs_pos]))
    for m in reversed(mentions):
        if m.kind in PROJECT_LIKE and clause_start <= m.start and m.end <= abs_pos:
            if ENUM_CLOSER_RE.match(doc.text, m.end) or doc.text.startswith("、", m.end):
                return None  # X航电枢纽等28个项目: an item of the list, not its subject
            return m.name
    return None


def read_sentence(text: str, section_year: int | None = None,
                  mode: SectionMode = SectionMode.OTHER,
                  review_years: list[int] | None = None,
                  plan_years: list[int] | None = None) -> list[_Reading]:
    """Read every quantity of one sentence; offsets in the result are sentence-relative."""
    phrases = [p for p in find_number_phrases(text) if p.family != "fraction" or p.unit]
    if not phrases:
        return []
    years = _explicit_years(text, review_years, plan_years)
    seen: list[_Reading] = []  # every reading so far, anchors included
    prev_end = 0
    for run in _runs(text, phrases):
        clause_from = _clause_start(text, run.start)
        left = text[max(clause_from, prev_end):run.start]
        right = _right_context(text, run.end, phrases)
        context = _Context(text, clause_from, seen, prev_end)
        prev_end = run.end
        for r in _read_run(run, left, right, context):
            if r.qualifies_next:  # the threshold stays in the words before the next value
                prev_end = context.prev_end
                continue
            r.clause = clause_from
            r.year, r.role = _year_and_role(text, r.phrase.start, years, section_year, mode,
                                            review_years or [], plan_years or [])
            if _counts_a_list(text, r, clause_from) or _not_own_figure(text, r.phrase, clause_from) \
                    or _is_baseline(text, r.phrase, clause_from):
                r.emit = False
            seen.append(r)
            prev_end = max(prev_end, run.end + r.consumed)
    return [r for r in seen if r.emit]


@dataclass
class _Context:
    text: str
    clause_from: int
    seen: list[_Reading]
    prev_end: int

    def previous_clause_names(self) -> list[str]:
        """Indicators read in the clause before this one (for 均增长10%)."""
        earlier = [r for r in self.seen if r.clause < self.clause_from]
        if not earlier:
            return []
        last = earlier[-1].clause
        return list(dict.fromkeys(r.indicator for r in earlier if r.clause == last))

    def names_for(self, n: int) -> list[str]:
        """n indicators that 分别 distributes over: clause topics if there are n, else the
        last n distinct indicators of the sentence."""
        topics = list(dict.fromkeys(
            next(r.indicator for r in self.seen if r.clause == c)
            for c in dict.fromkeys(r.clause for r in self.seen)))
        if len(topics) == n:
            return topics
        names = list(dict.fromkeys(r.indicator for r in self.seen))
        return names[-n:] if len(names) >= n else []

    def previous_clause_text(self) -> str:
        """The words of the clause before, when it named a topic without a number."""
        if self.clause_from == 0 or self.seen:
            return ""
        start = _clause_start(self.text, self.clause_from - 1)
        return self.text[start:self.clause_from - 1]


def _is_baseline(text: str, p: NumberPhrase, clause_from: int) -> bool:
    """The from-value of a change written 由A提高到B / 从A降至B."""
    return bool(BASELINE_FROM_RE.search(text[clause_from:p.start])) \
        and bool(CHANGED_TO_RE.match(text[p.end:]))


def _runs(text: str, phrases: list[NumberPhrase]) -> list[_Run]:
    runs: list[_Run] = []
    for p in phrases:
        if runs:
            last = runs[-1].phrases[-1]
            gap = text[last.end:p.start]
            same_ratio = p.part is not None and last.part is not None and p.text == last.text
            if same_ratio or (p.part is None and last.part is None and gap
                              and set(gap) <= VALUE_JOINERS and p.unit == last.unit):
                runs[-1].phrases.append(p)
                continue
        runs.append(_Run([p]))
    return runs


def _clause_start(text: str, pos: int) -> int:
    start = 0
    for m in CLAUSE_BREAK.finditer(text, 0, max(pos, 0)):
        s = m.start()
        if not (s > 0 and text[s - 1].isdigit() and s + 1 < len(text) and text[s + 1].isdigit()):
            start = m.end()  # a ratio's ：is not a clause break
    return start


def _clause_end(text: str, pos: int) -> int:
    for m in CLAUSE_BREAK.finditer(text, pos):
        s = m.start()
        if not (s > 0 and text[s - 1].isdigit() and s + 1 < len(text) and text[s + 1].isdigit()):
            return s
    return len(text)


def _right_context(text: str, pos: int, phrases: list[NumberPhrase]) -> str:
    end = _clause_end(text, pos)
    nxt = next((p.start for p in phrases if p.start >= pos), end)
    return text[pos:min(end, nxt)]


def _read_run(run: _Run, left: str, right: str, ctx: _Context) -> list[_Reading]:
    first = run.phrases[0]
    if first.family == "duration":
        return []
    n = len(run.phrases)
    multi = n > 1 and first.part is None
    subject, verbs = _split_subject(left)
    measure_words = "".join(verbs)
    distributes = "分别" in left
    each = "均" in verbs or left.rstrip().endswith("均")
    tail = verb = ""
    if distributes:
        before, _, after = left.partition("分别")
        subject = _split_subject(before)[0]
        tail = _split_subject(after)[0]
        verb = _change_verb(after)
        if tail and not measure_words.startswith(tail):
            measure_words = after
    # 比上年增加1.1万亿元: the change of the indicator just read, not a new one
    if COMPARED_RE.match(left.lstrip("，、；; ")) and ctx.seen:
        return [_reading(p, ctx.seen[-1].indicator, measure_words, change=True)
                for p in run.phrases]
    same_clause = bool(ctx.seen) and ctx.seen[-1].clause == ctx.clause_from
    # 全区累计达到7家 after …企业4家: the same indicator goes on in the next clause
    same_topic = same_clause or bool(ctx.seen) and ctx.seen[-1].phrase.unit == first.unit
    # 国内生产总值超过126万亿元，增长5.2%: a bare change in the next clause is of the same indicator
    same_topic = same_topic or bool(ctx.seen) and not subject and first.family == "percent" \
        and any(v in GROWTH_VERBS + REDUCTION_VERBS for v in verbs) \
        and ctx.seen[-1].clause == _clause_start(ctx.text, ctx.clause_from - 1)

    # 三次产业结构比12.1：38.1：49.8 -> one value per sector
    if first.part is not None:
        name = _clean_indicator(subject) or (ctx.seen[-1].indicator if ctx.seen else "")
        if not name:
            return []
        parts = SECTOR_PARTS if n == 3 and "产业" in name else ()
        return [_reading(p, f"{name}（{parts[i]}）" if parts else name, measure_words)
                for i, p in enumerate(run.phrases)]

    # 突破600亿元大关: a milestone passed, not the value; it still names the topic
    if right.startswith(MILESTONE_NOUNS):
        name = _clean_indicator(subject)
        return [_reading(first, name, measure_words, emit=False)] if name else []

    # a threshold qualifying the next indicator: 收入10万元以上村达100%
    if not multi and first.comparator != Comparator.EQ and (q := QUALIFIER_RE.match(right)):
        name = _clean_indicator(subject)
        if name:
            r = _reading(first, f"{name}{first.text}{q.group()}", measure_words, emit=False)
            r.consumed = q.end()
            return [r]

    # a size class of the items counted next: 新开工10亿元以上制造业项目248个
    if not multi and first.comparator in (Comparator.GE, Comparator.LE) \
            and first.family in ("money", "amount") and _leads_to_count(ctx.text, first, right):
        r = _reading(first, "", measure_words, emit=False)
        r.qualifies_next = True
        return [r]

    # the counted noun after the number: 引进10家区级首店, 70%以上的企业扭亏
    if not multi:
        noun = _counted_noun(right, single_ok=not subject and not same_clause) \
            if first.family != "percent" or right.startswith("的") else ""
        if noun:
            if _is_list_count(noun, right, first):
                return []
            after = right.lstrip("的")[len(noun):]
            if after.startswith(SPEC_OF_WORK):
                return []  # 扩能改建130万吨货运业务的前期工作: the size of a project
            if (named := NAMED_AS_RE.match(after)) and (title := _clean_indicator(named.group(1))):
                return [_reading(first, title, measure_words)]  # 20个企业评选为“行业领先企业”
            verb = _change_verb(left)
            return [_reading(first, _clean_indicator(verb + noun), measure_words)]
    if first.family == "count" and _is_list_count(subject, right, first):
        return []

    items = _enumerated(subject)
    if multi:
        if len(items) == n:
            return [_reading(p, verb + it, measure_words) for p, it in zip(run.phrases, items)]
        if not subject:  # 收入17175元，纯收入5153元，实际增长9.8%和8.5%
            names = ctx.names_for(n)
            if names:
                return [_reading(p, nm + tail, measure_words) for p, nm in zip(run.phrases, names)]
    elif each and len(items) > 1:
        return [_reading(first, it, measure_words) for it in items]
    elif each and not subject:
        names = ctx.previous_clause_names()
        if names:
            return [_reading(first, nm, measure_words) for nm in names]
    elif len(headed := _headed_items(subject)) > 1:
        # 居民医疗保险参保率、城乡养老保险参保率巩固在95%以上: each item is an indicator
        return [_reading(first, it, measure_words) for it in headed]

    name = _clean_indicator(subject)
    if not name:
        if same_topic:
            name = ctx.seen[-1].indicator  # X273.46亿元、同比增长5.5%: same indicator
            if "累计" in left and "累计" not in name:  # 新增实验室18家、累计38家: the stock
                verb = _change_verb(name)
                name = f"{name[len(verb):] if name.startswith(verb) else name}（累计）"
        else:
            name = _clean_indicator(_split_subject(ctx.previous_clause_text())[0])
            if len(name) > 10:
                name = ""
    if not name:
        return []
    return [_reading(p, name, measure_words) for p in run.phrases]


def _leads_to_count(text: str, p: NumberPhrase, right: str) -> bool:
    """'10亿元以上|制造业项目|248个': a noun phrase, then straight away a count of it."""
    nxt = p.end + len(right)
    if not right or len(right) > 12 or nxt >= len(text) or not text[nxt].isdigit() \
            or CLAUSE_BREAK.search(right) or "、" in right:
        return False
    follow = next((q for q in find_number_phrases(text[nxt:nxt + 12]) if q.num_start == 0), None)
    return follow is not None and follow.family == "count" and bool(_counted_noun(right, True))


def _reading(p: NumberPhrase, indicator: str, measure_words: str, emit: bool = True,
             change: bool = False) -> _Reading:
    measure = MeasureKind.OTHER if change and p.family != "percent" else \
        _measure_kind(p, indicator, measure_words)
    return _Reading(p, indicator, measure, None, QuantityRole.OBSERVATION, p.comparator, emit=emit)


def _split_subject(left: str) -> tuple[str, list[str]]:
    """'全年实现地区生产总值' -> ('地区生产总值', []); '同比增长' -> ('', ['同比', '增长'])."""
    s = TITLE_RE.sub("", left).strip()
    verbs: list[str] = []
    tails = sorted(REACH_VERBS + GROWTH_VERBS + REDUCTION_VERBS + TO_WORDS + LINK_WORDS + FROM_WORDS,
                   key=len, reverse=True)
    changed = True
    while changed and s:
        changed = False
        for w in tails:
            if s.endswith(w):
                verbs.insert(0, w)
                s = s[: -len(w)]
                changed = True
                break
    period = list(PERIOD_IN_SUBJECT_RE.finditer(s))
    if period:  # 提出了“十一五”期间单位GDP能耗 -> 单位GDP能耗
        s = s[period[-1].end():]
    closers = list(ENUM_CLOSER_RE.finditer(s))
    if closers:  # 引进A、B等品牌首店 -> 引进品牌首店
        s = _change_verb(s) + s[closers[-1].end():]
    return _strip_head(s), verbs


def _strip_head(s: str) -> str:
    """Drop years, 全年/全区, 实现/完成 ... before an indicator."""
    fillers = sorted(HEAD_FILLERS + PROCESS_VERBS, key=len, reverse=True)
    changed = True
    while changed and s:
        changed = False
        s2 = LEAD_BRACKET_RE.sub("", LEAD_YEAR_RE.sub("", s)).lstrip("、，,；; ")
        if s2 != s:
            s, changed = s2, True
            continue
        for w in fillers:
            if s.startswith(w):
                s, changed = s[len(w):], True
                break
    return s


def _clean_indicator(name: str) -> str:
    """Trim an indicator to its shortest meaningful form."""
    name = LONG_PAREN_RE.sub("", name).strip("、，,。；; ")
    if name.endswith(("的", "等")):
        name = name[:-1]
    name = BASELINE_FROM_RE.sub("", name)  # 赤字率从去年(的2.1%) -> 赤字率
    if len(name) > 20:  # a long subject holds a predicate: keep what follows the last 的
        cut = name.rfind("的")
        if 0 < cut < len(name) - 2:
            name = name[cut + 1:]
    return "" if name in EMPTY_SUBJECTS else name


def _change_verb(left: str) -> str:
    """新增 / 引进 / 培育 ... at the end or start of the words before a number."""
    s = left.strip("、，, ")
    for v in sorted(CHANGE_VERBS, key=len, reverse=True):
        if s.endswith(v) or s.startswith(v):
            return v
    return ""


def _enumerated(subject: str) -> list[str]:
    """'一、二、三产业增加值' -> 一产业增加值, 二产业增加值, 三产业增加值;
    '文化、旅游产业增加值' -> 文化产业增加值, 旅游产业增加值."""
    items = [i for i in ENUM_SPLIT.split(subject) if i]
    if len(items) < 2:
        return []
    last = items[-1]
    words = _posseg().lcut(last)
    head = words[-1]
    out = []
    for it in items[:-1]:
        if len(it) > 4 or it.endswith(INDICATOR_HEADS) or len(words) < 2:
            out.append(it)  # a whole indicator of its own
        elif "\u4e00" <= words[0].word[0] <= "\u9fff":
            # the item replaces the last item's modifier (文化、旅游产业增加值;
            # 家电、新能源汽车零售额; 一、二、三产业增加值)
            out.append(it + last[len(words[0].word):])
        elif head.flag.startswith("n") and not it.endswith(head.word):
            out.append(it + head.word)  # 科技型、高新技术和“专精特新”企业
        else:
            out.append(it)
    out.append(last)
    return out


def _headed_items(subject: str) -> list[str]:
    """Items of a 、 list that each end like an indicator (…率、…比例): one value for each.
    Parallel items share the last one's head: 城乡养老保险、城乡医疗保险参保率 -> 城乡养老保险参保率,
    城乡医疗保险参保率."""
    items = [_strip_head(i) for i in subject.split("、")]
    if len(items) < 2 or not items[-1].endswith(INDICATOR_HEADS):
        return []
    if all(i.endswith(INDICATOR_HEADS) for i in items):
        return [_clean_indicator(i) for i in items]
    width = len(items[0])
    head = items[-1][width:]
    if all(len(i) == width and not i.endswith(INDICATOR_HEADS) for i in items[:-1]) \
            and 2 <= len(head) <= 4 and head.endswith(INDICATOR_HEADS) and width >= 2:
        return [_clean_indicator(i + head) for i in items[:-1]] + [_clean_indicator(items[-1])]
    return []


def _counted_noun(right: str, single_ok: bool = False) -> str:
    """The noun phrase right after a number (10家区级首店 -> 区级首店), up to the next predicate."""
    r = right.lstrip("的")
    closer = ENUM_CLOSER_RE.search(r, 0, 24)
    if closer and "、" in r[:closer.start()] and not CLAUSE_BREAK.search(r, 0, closer.start()):
        head = _counted_noun(r[closer.end():], single_ok)
        if head:
            return head  # 1—2家银行、保险等金融机构 -> 金融机构
    if not r or not ("\u4e00" <= r[0] <= "\u9fff" or r[0] in "“《" or r[0].isascii() and r[0].isalnum()):
        return ""
    words = _posseg().lcut(r)
    w0 = words[0]
    if w0.flag.startswith(("v", "p", "c", "u", "d", "r", "m", "q", "f")) and w0.flag != "vn":
        return ""
    out = []
    for i, w in enumerate(words):
        if w.word in ("的", "和", "及", "、", "等", "与", "（", "(", "，") or \
                i > 0 and w.word in MANNER_WORDS:
            break
        if i > 0 and (w.flag == "v" and i + 1 < len(words) or w.word in TIME_WORDS):
            break  # a predicate or a time word (103个区级重点项目全年完成投资)
        if w.flag in ("p", "c", "uj", "ul") or (w.flag == "x" and w.word not in "“”"):
            break
        out.append(w.word)
    noun = "".join(out)
    if noun.endswith(ACTION_NOUNS) and noun[:-2].endswith(LISTED_ITEMS):
        noun = noun[:-2]  # 19个项目建设: the projects are counted, not the building
    if len(noun) == 1 and not (single_ok or len(words) == 1 or words[1].word in ("的", "和", "、")):
        return ""
    return noun


def _is_list_count(name: str, right: str, p: NumberPhrase) -> bool:
    """'33项指标', '7项为约束性指标', '11个领域': counts of the items of a list, not goals."""
    if p.family != "count":
        return False
    r = right.lstrip("的")
    for n in LIST_NOUNS:
        if n in ("指标", "方面") and (n in name or n in r[:8]):
            return True
        if name.endswith(n):
            tail = r[len(name) - len(_change_verb(name)):] if name.endswith(r[:2]) else r
            tail = r[r.find(n) + len(n):] if n in r[:len(name) + 2] else tail
            return not tail.lstrip("均已").startswith(LIST_DONE)
        # the list noun heads the words after the number (9个涉农领域实施…, 193项任务及…)
        for k in (0, 2):
            tail = r[k + len(n):]
            if r[k:].startswith(n) and not (tail and _starts_noun(tail)):
                return not tail.lstrip("均已").startswith(LIST_DONE)
    return False


def _starts_noun(text: str) -> bool:
    """'项目…' continues a noun phrase (重点|项目); '实施…', '，' do not."""
    if text[0] in "“《":
        return True  # 1053个事项“跨省通办”: the quote names what the items are
    if not "\u4e00" <= text[0] <= "\u9fff":
        return False
    w = _posseg().lcut(text[:6])[0]
    return w.flag.startswith("n") or w.flag == "vn"


def _counts_a_list(text: str, r: _Reading, clause_from: int) -> bool:
    """A count that only measures a list or the scope of ongoing work, not a figure reached
    (持续推进全区184个行政村帮扶; A、B等27个重点项目 in a plan; “A”“B”“C”3个品牌; 3次推送)."""
    p = r.phrase
    if p.family != "count":
        return False
    clause = text[clause_from:p.num_start]
    right = text[p.end:_clause_end(text, p.end)]
    if p.unit in FREQUENCY_UNITS and right and _posseg().lcut(right[:6])[0].flag.startswith("v"):
        return True  # 3次推送至…: how often, said in passing
    if "之一" in right:
        return True  # 纳入市级10个示范工程之一: the size of a set it joined
    if p.comparator == Comparator.EQ and (_governing_verb_is_ongoing(clause)
                                          or right.endswith(ONGOING_VERBS) and "等" not in right):
        return True  # 持续推进184个行政村帮扶; 193项任务…深入推进
    before = clause.rstrip()
    if r.role is QuantityRole.TARGET and ENUM_CLOSER_RE.search(before[-1:] and before[-2:]) \
            and before.endswith("等") and r.indicator.endswith(LISTED_ITEMS):
        return True
    if not text[clause_from:p.start].strip() and _is_title(text, p):
        return True
    if right and not right.startswith(("的", "以上")) and PERCENT_LATER_RE.search(right):
        return True  # 5个国控断面水质优良比例100%: the count is the base of a rate
    quoted = re.search(r"(?:“[^“”]*”、?)+$", before)
    if quoted:
        items = re.findall(r"“([^“”]*)”", quoted.group())
        n = len(items) if len(items) > 1 else len(re.split(r"[、，,]", items[0]))
        if n > 1 and p.value == n:
            return True  # “品牌、项目、基地”3个要素: the number of names just quoted
    return False


def _governing_verb_is_ongoing(clause: str) -> bool:
    """The clause opens with 推进/抓好/聚焦… and sets no goal (持续推进全区184个行政村帮扶)."""
    s = clause.lstrip("、，,；; ")
    changed = True
    while changed:
        changed = False
        for a in VERB_ADVERBS:
            if s.startswith(a) and len(s) > len(a):
                s, changed = s[len(a):], True
    verb = next((v for v in ONGOING_VERBS if s.startswith(v)), None)
    if verb is None or any(w in clause for w in GOAL_WORDS):
        return False
    return not s[len(verb):].startswith(RESULT_AFTER_ONGOING)  # 推进实施: a result verb


def _is_title(text: str, p: NumberPhrase) -> bool:
    """'10项X工程' on a line of its own: the title of a list, not a figure."""
    rest = text[p.end:].strip()
    return bool(rest) and len(rest) <= 12 and not re.search(r"[，。；、,;]", rest) \
        and not any(w.flag.startswith("v") and w.flag != "vn" for w in _posseg().lcut(rest))


def _not_own_figure(text: str, p: NumberPhrase, clause_from: int) -> bool:
    """Someone else's forecast (IMF预计…) or a capacity in a project's name (年产10万套…等项目)."""
    clause = text[clause_from:p.start]
    if FORECASTER_RE.search(clause):
        return True
    return clause.endswith(CAPACITY_WORDS) and "项目" in text[p.end:_clause_end(text, p.end)]


def _measure_kind(p: NumberPhrase, indicator: str, words: str) -> MeasureKind:
    reaches = words.endswith(TO_WORDS)
    if p.family == "percent":
        if any(w in words for w in REDUCTION_VERBS) and not reaches:
            return MeasureKind.REDUCTION
        if p.unit == "倍" or any(w in words for w in GROWTH_VERBS) and not reaches:
            return MeasureKind.GROWTH_RATE
        if any(k in indicator for k in ("增速", "增长", "涨幅")):
            return MeasureKind.GROWTH_RATE
        if any(k in indicator for k in ("下降", "降幅")):
            return MeasureKind.REDUCTION
        return MeasureKind.SHARE
    if p.family == "ratio":
        return MeasureKind.SHARE if p.part is not None else MeasureKind.OTHER
    if p.family == "count":
        return MeasureKind.COUNT
    if p.family in ("money", "amount", "time"):
        return MeasureKind.LEVEL
    return MeasureKind.OTHER


def five_year_plan_end(ordinal: str) -> int | None:
    """'十四五' -> 2025: the last year of the Nth five-year plan (the 3rd began in 1966)."""
    n = parse_chinese_numeral(ordinal)
    return None if n is None or n < 3 else 1970 + 5 * (int(n) - 3)


def _explicit_years(text: str, review: list[int] | None = None,
                    plan: list[int] | None = None) -> list[tuple[int, int, bool]]:
    """(position, year, is_deadline) for years that say which period a value is for:
    2025年 / 到2025年, “十四五”末 (the plan's last year), 今年 / 去年 (the report's plan and
    review years)."""
    masked = TITLE_RE.sub(lambda m: " " * len(m.group()), text)
    out = []
    for m in FIVE_YEAR_PLAN_RE.finditer(masked):
        end = five_year_plan_end(m.group(1))
        after = masked[m.end():].lstrip("”")
        if end is not None and not after.startswith(PLAN_PERIOD_BASELINE):
            out.append((m.start(), end, True))
    for m in RELATIVE_YEAR_RE.finditer(masked):
        if m.group() in ("今年", "本年") and plan:
            out.append((m.start(), plan[0], False))
        elif m.group() in ("去年", "上年", "上一年") and review and not \
                masked[max(0, m.start() - 1):m.start()] in ("比", "较", "与", "同", "从", "由"):
            out.append((m.start(), review[-1], False))
    for m in YEAR_RE.finditer(masked):
        before = masked[max(0, m.start() - 3):m.start()]
        after = masked[m.end():m.end() + 4]
        if before.endswith(BASELINE_BEFORE) or after.startswith(BASELINE_AFTER):
            continue
        if re.match(r"[—\-~～至到]\d", masked[m.end():m.end() + 2]):
            continue  # start of a period 2023—2025年
        deadline = before.endswith(("到", "至")) or after.startswith(("前", "底"))
        out.append((m.start(), int(m.group(1)), deadline))
    return sorted(out)


def _year_and_role(text: str, pos: int, years: list[tuple[int, int, bool]],
                   section_year: int | None, mode: SectionMode,
                   review: list[int], plan: list[int]) -> tuple[int | None, QuantityRole]:
    explicit = [(y, d) for p, y, d in years if p < pos]
    if explicit:
        year, deadline = explicit[-1]
        if plan and year >= min(plan) or review and year > max(review):
            return year, QuantityRole.TARGET
        if review and year in review or plan and year < min(plan):
            return year, QuantityRole.OBSERVATION
        if deadline or (section_year and year > section_year):
            return year, QuantityRole.TARGET
        if section_year and year < section_year:
            return year, QuantityRole.OBSERVATION
        future = mode == SectionMode.PLAN or any(c in text for c in TARGET_CUES)
        return year, QuantityRole.TARGET if future else QuantityRole.OBSERVATION
    year = section_year
    if mode == SectionMode.PLAN:
        return year or (plan[0] if plan else None), QuantityRole.TARGET
    if mode == SectionMode.REVIEW:
        return year or (review[-1] if review else None), QuantityRole.OBSERVATION
    if year is not None:
        if plan and year in plan:
            return year, QuantityRole.TARGET
        if review and year in review:
            return year, QuantityRole.OBSERVATION
    if any(c in text for c in TARGET_CUES[:4]):
        return year or (plan[0] if plan else None), QuantityRole.TARGET
    return year or (review[-1] if review else None), QuantityRole.OBSERVATION
