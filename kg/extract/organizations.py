"""Organisation extraction: companies, universities, hospitals, banks, offices, associations.

Rule families, each over one sentence:
- suffix: a name ending in an organisation word (有限公司, 集团, 大学, 医院, 银行, 委员会, 局,
  协会, 合作社 ... data/organization_suffixes.tsv), with generic ones skipped (平台公司, 各级医院);
- known: central bodies and international organisations written without a suffix
  (国务院, 商务部, IMF ... data/organizations_known.txt);
- short company names: a 2–8 character name ending in a trade word (实业, 科技, 食品, 建材 ...)
  where the sentence treats it as a company: in a list followed by N家…企业, or after 引进,
  联合, 与 … 合作/签约, 支持 …;
- newspapers: 《…报》.
"""
from __future__ import annotations

import re
from functools import lru_cache

from kg.extract.phrases import (
    HAN, made_of, cut_long, governing_words, load_table, trim_long_body, load_words, right_boundary_ok, scan_left, strip_left,
)
from kg.model import Document, EntityKind, Mention

# Bodies that make a suffix generic: 平台公司, 国有公司, 各级医院, 商业银行 ...
GENERIC_BODIES = {"各", "各级", "各类", "相关", "国有", "平台", "民营", "龙头", "金融", "保险", "村级",
                  "乡镇", "该", "子", "分", "母", "控股", "省属", "市属", "区属", "县属", "国企",
                  "上市", "规上", "本地", "商业", "企业", "投资", "建设", "运营", "专业", "新",
                  "一批", "多家", "这些", "其他", "外资", "合资", "独资", "科技型", "村民", "居民",
                  "业主", "专门", "工作", "领导", "管理", "项目", "农民专业", "专业合作", "人民",
                  "高等", "职业", "普通", "公立", "民办", "定点", "基层", "乡镇卫生", "社区卫生",
                  "三甲", "综合", "专科", "农民", "农民专业合作社", "家庭", "合作", "股份", "有限", "有限责任", "股份有限", "全资",
                  "政府", "党政", "区政府", "市政府", "县政府"}
# Offices whose own names hold 和 (发展和改革委员会, 住房和城乡建设局).
JOINED_NAME_SUFFIXES = ("委员会", "局", "委", "厅", "部", "办公室")
# Words that make a body a description, not a name (国外一些石油公司, 国内银行).
VAGUE_WORDS = ("一些", "一部分", "部分", "国内", "国外", "外国", "各地", "有关", "这些", "其他", "所有",
               "多家", "一批", "大型", "中小", "小型", "该", "本")
ADMIN_PREFIX = re.compile(r"^(?:国家|中国|中央|省|市|区|县|州|自治区|[\u4e00-\u9fff]{1,6}(?:省|市|区|县|州))")
# Words a company's short name ends with (X新能源汽车, X实业, X建材 ...).
TRADE_WORDS = ("实业", "科技", "机械", "机械制造", "食品", "电力", "能源", "新能源", "建材", "制造",
               "智能", "物流", "文化", "传媒", "药业", "医药", "电子", "汽车", "动力", "商贸", "置业",
               "地产", "风电", "股份", "粮油", "矿业", "化工", "钢铁", "纺织", "服饰", "酒业", "茶业",
               "航空", "材料", "新材料", "生物", "环保", "水务", "燃气", "机电", "联运",
               "咖啡", "比萨", "集团", "控股", "电器", "光电", "信息", "网络", "数据", "重工", "船舶",
               "装备", "包装", "印务", "旅业", "文旅", "建工", "路桥", "供应链")
TRADE_WORD = re.compile("|".join(map(re.escape, TRADE_WORDS)))  # is any of them there at all
COMPANY_CONTEXT_BEFORE = ("引进", "联合", "支持", "新培育", "与", "同", "携手", "引入", "招引")
# What a company does next in a sentence (N家 counts firms; N个 counts projects, not firms).
COMPANY_CONTEXT_AFTER = re.compile(
    r"^(?:等)?(?:\d+|[一二三四五六七八九十]+)(?:[家户]|个[\u4e00-\u9fff]{0,4}企业)|^(?:深度|战略|全面)?合作|^签约|^落户|^投资|^董事长"
    r"|^总经理|^扩建|^技改|^开拓")
# A trade word followed by these is a modifier of a place or a programme (农业科技园区,
# 科技专家大院), not the end of a company's name.
NOT_COMPANY_AFTER = ("园区", "园", "专家", "示范", "企业", "产业", "创新", "成果", "人才", "项目",
                     "特派员", "小院", "大院", "服务", "平台", "基地")
# Two names joined by 与/和 before a verb of cooperation are both companies (A与B深度合作).
PARTNERS = re.compile(r"([\u4e00-\u9fffA-Za-z]{2,10}?)(?:与|和|同)([\u4e00-\u9fffA-Za-z]{2,8}?)"
                      r"(?:深度|战略|全面)?(?:合作|签约|签署|共推|共建|联合)")
LIST_ITEM = re.compile(r"[\u4e00-\u9fffA-Za-z]{2,10}")
# A count (建强30家…, 3个城市医疗集团, 57户企业集团) or a clause word (包括, 选派, 到) in a body
# makes it a description of some organisations, not a name.
COUNTED_BODY = re.compile(r"[\d一二三四五六七八九十两几百千万]+(?:多)?[个家户所名位批]")
CLAUSE_WORDS = ("包括", "了", "到", "选派", "聘请", "已经", "要", "传承", "弘扬", "建强", "继续")
NEWSPAPER = re.compile(r"《([^《》]{2,12}(?:日报|报|杂志|电视台))》")


@lru_cache(maxsize=None)
def organization_suffixes() -> tuple[dict[str, int], re.Pattern]:
    table = {row[0]: int(row[1]) for row in load_table("organization_suffixes.tsv")}
    return table, re.compile("|".join(map(re.escape, sorted(table, key=len, reverse=True))))


@lru_cache(maxsize=None)
def generic_words() -> frozenset[str]:
    return frozenset(load_words("organization_generic_words.txt")) | GENERIC_BODIES


def is_generic_body(body: str) -> bool:
    """Whether a body is made only of words that describe a kind of organisation
    (高水平, 资产管理, 行业): a category such as 跨国公司, not a name."""
    body = re.sub(r"[“”‘’\s]", "", body)
    words = generic_words()
    return made_of(body, words, 6)


def is_description(body: str) -> bool:
    """Whether a body describes organisations instead of naming one: a count or a clause."""
    return bool(COUNTED_BODY.search(body)) or any(w in body for w in CLAUSE_WORDS)


@lru_cache(maxsize=None)
def known_organizations() -> re.Pattern:
    words = sorted(set(load_words("organizations_known.txt")), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


@lru_cache(maxsize=None)
def national_companies() -> re.Pattern:
    """Known national companies, each optionally followed by a trade word (京东物流)."""
    words = sorted(set(load_words("companies_national.txt")), key=len, reverse=True)
    trades = "|".join(map(re.escape, sorted(TRADE_WORDS, key=len, reverse=True)))
    return re.compile(f"(?:{'|'.join(map(re.escape, words))})(?:{trades})?")


# Organisations that are also buildings: followed by a construction verb or closing a list
# of projects they are the works, not the body (left to the projects extractor).
FACILITY_SUFFIXES = ("医院", "卫生院", "学院", "学校", "中学", "小学", "幼儿园")
BEING_BUILT = re.compile(r"(?:建成|投用|投运|开工|竣工|迁建|改扩建|主体完工|等(?:[^，。；、]{0,6})(?:项目|载体))")


def _suffix_orgs(text: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    table, pattern = organization_suffixes()
    out = []
    for m in pattern.finditer(text, lo, hi):
        suffix = m.group()
        # an organisation often heads a longer name (宁夏妇女儿童医院综合楼), so only words
        # that extend the suffix itself (集团化, 银行业) rule it out
        if m.end() < hi and text[m.end()] in "化业制式界":
            continue
        if suffix == "商会" and m.start() > lo and text[m.start() - 1] == "招":
            continue  # 招商会: a fair (an event), not a chamber of commerce
        start = scan_left(text, m.start(), 24, lo, stop_chars="等、+＋")
        start = strip_left(text, start, m.start(), keep=table[suffix])
        start = trim_long_body(text, start, m.start(), particles="获于为在将向对由的")
        start = None if start is None else cut_long(text, start, m.start(), 0, m.end())
        if start is None:
            continue  # 充分发挥银行: the suffix is a verb's object, not a name
        joined = max(text.rfind(ch, start, m.start()) for ch in "和与及")
        if joined >= 0 and suffix not in JOINED_NAME_SUFFIXES and m.start() - joined > 2:
            start = joined + 1  # 川投集团和省能投集团: two names
        known = known_organizations().match(text, start, m.start())
        if (known and m.start() - known.end() >= table[suffix]
                and not text.startswith(("直属", "所属", "下属", "主管", "部属"), known.end())):
            start = known.end()  # 商务部X报: the ministry's newspaper, two names
        body = text[start:m.start()]
        if not body or any(w in body for w in VAGUE_WORDS) or is_description(body):
            continue
        if is_generic_body(body):
            continue  # 跨国公司, 证券交易所, 高水平大学: a kind of organisation
        if suffix == "局" and text[m.end():m.end() + 1] in ("势", "面", "部", "限"):
            continue  # 局势, 局面: a word that starts with 局
        if suffix == "局" and (len(body) > 10 or body[-1] in "大格布开结全破变新当时战残"):
            continue
        if suffix == "局" and (body.startswith("老") or "老" in body[-4:]
                              or re.match(r"(?:等)?片区|旧址|地块", text[m.end():m.end() + 3])):
            continue  # 老X局等片区: the site of a former office
        if (len(body) < table[suffix] or body in GENERIC_BODIES or body in governing_words() or not HAN.search(body + suffix)
                or body[0].isdigit()):
            continue
        if suffix.endswith(FACILITY_SUFFIXES) and BEING_BUILT.match(text, m.end()):
            continue  # 某某医院建成投用, 某学院等项目: a facility being built is a project
        if suffix in ("局", "委员会", "办公室") and not ADMIN_PREFIX.match(body):
            continue  # 格局, 布局; a committee or office is named by whose it is
        out.append((start, m.end(), "organization.suffix"))
    return out


def _known_orgs(text: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    out = []
    for m in known_organizations().finditer(text, lo, hi):
        if text.startswith("门", m.end()):
            continue  # 国家安全部门: departments of a field, not the ministry
        out.append((m.start(), m.end(), "organization.known"))
    for m in NEWSPAPER.finditer(text, lo, hi):
        out.append((m.start() + 1, m.end() - 1, "organization.newspaper"))
    for m in national_companies().finditer(text, lo, hi):
        before = text[m.start() - 1] if m.start() > lo else ""
        after = text[m.end()] if m.end() < hi else ""
        # a whole word only: not inside a longer name (大唐 in 盛大唐…, 中交 in 集中交付)
        governed = text[lo:m.start()].endswith(governing_words())
        if HAN.match(before) and before not in "与和及、" and not governed or \
                (after and HAN.match(after) and not right_boundary_ok(text, m.end())
                 and after not in "兴·" and not text.startswith(("水电", "风电", "集团"), m.end())):
            continue
        out.append((m.start(), m.end(), "organization.national_company"))
    return out


def _company_short_names(text: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    """Short company names in a list that the sentence treats as companies."""
    out = []
    for run in re.finditer(r"[\u4e00-\u9fffA-Za-z0-9、]+", text[lo:hi]):
        items = list(re.finditer(r"[^、]+", run.group()))
        base = lo + run.start()
        for k, item in enumerate(items):
            start, end = base + item.start(), base + item.end()
            after = text[end:end + 8]
            last = k == len(items) - 1
            in_company_list = len(items) > 1 and _list_names_firms(text, items, base)
            if not TRADE_WORD.search(text, start, end) and not (
                    in_company_list and (not last or _count_follows(text, end))):
                continue  # no trade word and no list of firms: nothing below can name a firm
            # trim the lead-in verb of the first item and the tail after the last one
            if k == 0:
                start = strip_left(text, start, end, keep=2)
            name_end = _trade_word_end(text, start, end if not last else min(end, start + 10))
            if name_end is None and in_company_list and (not last or _count_follows(text, end)):
                name_end = _item_end(text, start, end)  # X苕粉 in “A、B、C4家…企业”
            if name_end is None:
                continue
            after = text[name_end:name_end + 8]
            if after.startswith(NOT_COMPANY_AFTER):
                continue
            before = text[max(lo, base - 4):base] + text[base:start]
            in_list = len(items) > 1
            ok_context = (COMPANY_CONTEXT_AFTER.match(after)
                          or any(before.endswith(w) for w in COMPANY_CONTEXT_BEFORE)
                          or (in_list and _list_is_companies(text, items, base)))
            trade_at = max((name_end - len(w) for w in TRADE_WORDS if text.startswith(w, name_end - len(w))),
                           default=name_end)
            body = text[start:trade_at]
            if is_description(body) or (body and is_generic_body(body)):
                continue  # 弘扬中华文化, 节能环保: a clause or a field, not a company
            if ok_context and 2 <= name_end - start <= 9 and not re.search("[的和对与及]", text[start:name_end]):
                out.append((start, name_end, "organization.short_name"))
    return out


FIRMS_COUNT = re.compile(r"^(?:等)?(?:\d+|[一二三四五六七八九十]+)家[^，。；、]{0,8}?(?:企业|国企|民企|公司|集团|银行)")


def _list_is_firms_tail(text: str, pos: int) -> bool:
    return bool(FIRMS_COUNT.match(text[pos:pos + 16]))


def _list_names_firms(text: str, items: list[re.Match], base: int) -> bool:
    """A 、-list closed by a count of firms (A、B、C等6家地方国企; …4家市级“专精特新”企业):
    N家 alone also counts parks, sites and scenic areas, so the firm word is required."""
    last = items[-1]
    item = text[base + last.start():base + last.end()]
    k = re.search(r"(?:等)?(?:\d+|[一二三四五六七八九十]+)家", item)
    return bool(k) and _list_is_firms_tail(text, base + last.start() + k.start())


def _count_follows(text: str, end: int) -> bool:
    return bool(re.match(r"(?:等)?(?:\d+|[一二三四五六七八九十]+)家", text[end - 3:end + 6])) or \
        bool(re.search(r"\d+家$|[一二三四五六七八九十]家$", text[end - 4:end]))


def _item_end(text: str, start: int, end: int) -> int | None:
    """End of a list item that is a bare company name: the item without a count (…4家)."""
    item = text[start:end]
    m = re.match(r"^([\u4e00-\u9fffA-Za-z]{2,8}?)(?:等)?(?:\d+|[一二三四五六七八九十]+家.*)?$", item)
    if not m or re.search("[的和对与及在为]", m.group(1)):
        return None
    return start + len(m.group(1))


def _partners(text: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    """Both sides of A与B合作 when one of them ends in a trade word (A科技与B智能深度合作)."""
    out = []
    for m in PARTNERS.finditer(text, lo, hi):
        a_start = strip_left(text, m.start(1), m.end(1), keep=2)
        names = [(a_start, m.end(1)), (m.start(2), m.end(2))]
        if not any(_trade_word_end(text, s, e) == e for s, e in names):
            continue
        for s, e in names:
            if 2 <= e - s <= 10 and not re.search("[的对及在为]", text[s:e]):
                out.append((s, e, "organization.partner"))
    return out


def _trade_word_end(text: str, start: int, end: int) -> int | None:
    """Where a company name ending in a trade word stops inside text[start:end], if any."""
    span = text[start:end]
    if not TRADE_WORD.search(span, 2):
        return None  # no trade word starts at 2 or later (most spans)
    best = None
    for w in TRADE_WORDS:
        k = span.rfind(w, 2)  # its last occurrence from 2 on ends furthest right
        if k >= 0 and (best is None or k + len(w) > best):
            best = k + len(w)
    return start + best if best is not None else None


def _list_is_companies(text: str, items: list[re.Match], base: int) -> bool:
    """A 、-list whose last item is followed by N家…企业 or 等企业."""
    tail_end = base + items[-1].end()
    last = text[base + items[-1].start():tail_end]
    m = re.search(r"(?:等)?(?:\d+|[一二三四五六七八九十]+)家", last + text[tail_end:tail_end + 6])
    return bool(m) or text.startswith("等企业", tail_end)


def extract_organizations(doc: Document) -> Document:
    """Append an ORGANIZATION mention for every named organisation in every sentence."""
    text = doc.text
    taken = {(m.start, m.end) for m in doc.mentions if m.kind is not EntityKind.ORGANIZATION}
    for sent in doc.sentences:
        spans = (_suffix_orgs(text, sent.start, sent.end) + _known_orgs(text, sent.start, sent.end)
                 + _company_short_names(text, sent.start, sent.end)
                 + _partners(text, sent.start, sent.end))
        spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        kept: list[tuple[int, int, str]] = []
        for s in spans:
            if (s[0], s[1]) in taken or any(k[0] <= s[0] and s[1] <= k[1] for k in kept):
                continue
            if any(k[0] < s[1] and s[0] < k[1] for k in kept):
                continue  # crossing an organisation already taken
            kept.append(s)
        for start, end, rule in kept:
            doc.add_mention(Mention(kind=EntityKind.ORGANIZATION, start=start, end=end,
                                    sentence=sent.index, text=text[start:end], rule=rule))
    return doc
