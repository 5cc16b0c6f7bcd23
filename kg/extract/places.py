"""Place extraction: administrative units, regions, natural and scenic places, foreign places.

Owns `extract_places(doc)`, which appends Mention(kind=PLACE) with attrs
place_type, adcode (when the gazetteer resolves it), parent (code or name), and
Relation(locatedIn) from a place to its parent place when both are mentioned; it also
resolves the document's own place into doc.attrs["place_code"] / ["place_name"].

Evidence, strongest first: full division names from the gazetteer (preferring divisions
inside the report's own place); abbreviations of divisions near the report's place (towns of
its district, districts of its province, all provinces and cities); a data list of
macro-regions and major rivers; countries (pycountry's Chinese names); suffix rules for
mountains, rivers, lakes, scenic areas and 片区; endpoints of routes (X至Y段). jieba's word
boundaries veto matches that cut through a word (新乡 in 新乡村), and its dictionary vetoes
abbreviations that are everyday words (土地, 幸福).
"""
from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.gazetteer import Division, Gazetteer, short_name_of
from kg.model import Document, EntityKind, Mention, Relation

DATA = Path(__file__).resolve().parent.parent / "data" / "places"

# Words that look like places (or that jieba tags ns) but name no particular place.
GENERIC_WORDS = {
    "城市", "全区", "全市", "全县", "全省", "全国", "乡村", "农村", "地区", "基层", "城乡", "区域", "县城",
    "社区", "城区", "郊区", "矿区", "新区", "园区", "景区", "山区", "片区", "城镇", "乡镇", "镇街", "街道",
    "村居", "各地", "本地", "当地", "外地", "异地", "内地", "两江", "高山", "山水", "江山", "青山", "下山",
    "上山", "大山", "名山", "河湖", "江河", "湖泊", "河流", "山川", "沿江", "沿河", "滨江", "城中村",
    "中心镇", "旧城", "旧城区", "老城", "老城区", "新城", "主城", "东西部", "南北", "东南", "西南", "东北",
    "国家", "祖国", "海外", "境外", "国外", "国内", "省内", "省外", "市内", "市外", "区内", "县内",
    "全域", "流域", "天街", "南站", "北站", "东站", "西站", "西路", "东路", "南路", "北路", "中路",
    "大桥", "三桥", "古镇", "湿地", "公园", "山城", "江城", "水乡", "家乡", "故乡", "老区", "特区",
    "陆海", "深度", "美丽", "宜居", "满意度", "普及", "上市", "英雄", "新建", "山羊", "溪沟", "绿水青山",
    "金山银山", "滨河", "门户", "下道", "城市门户", "双城", "大湾", "大坝", "坪坝", "山坝", "平坝", "河坝", "加密",
    "病险", "货运", "客运", "中小型", "小型", "大型", "骨干", "互通", "国境线", "边境线",
}
# jieba tags of everyday words that a division's abbreviation must not be (幸福 a, 胜利 vn).
COMMON_WORD_TAGS = {"a", "ad", "an", "v", "vn", "vd", "d", "c", "p", "m", "q", "r", "u", "f", "t", "l", "i"}
COMMON_WORD_FREQ = 2000  # a noun this frequent in jieba's dictionary is an everyday word (土地)
# an attributive word (jieba's b) this frequent is an everyday modifier: 新兴 of 新兴领域/产业/市场,
# not 新兴县 (a county's bare short name loses to the far commoner word)
ATTRIBUTIVE_FREQ = 1000

# Natural and built features by suffix (longest first): suffix → place_type.
FEATURE_SUFFIXES = [
    ("风景名胜区", "scenic_area"), ("国家公园", "scenic_area"), ("森林公园", "scenic_area"),
    ("地质公园", "scenic_area"), ("湿地公园", "scenic_area"), ("旅游度假区", "scenic_area"),
    ("度假区", "scenic_area"), ("风景区", "scenic_area"), ("景区", "scenic_area"), ("古镇", "scenic_area"),
    ("湿地", "scenic_area"), ("大桥", "landmark"), ("公园", "landmark"), ("广场", "landmark"),
    ("水库", "lake"), ("湖", "lake"), ("江", "river"), ("河", "river"), ("溪", "river"),
    ("山", "mountain"), ("峰", "mountain"), ("岭", "mountain"), ("峡", "scenic_area"), ("洞", "scenic_area"),
    ("坪", "other"), ("坝", "other"), ("塘", "other"), ("湾", "other"), ("沟", "other"), ("垭", "other"),
]
# Landform suffixes of small local names (长塘, 袁湾), trusted on a 2-character ns word.
# (the same list by a word's last character, in the list's order; and by whole word)
FEATURE_SUFFIXES_BY_LAST: dict[str, list[tuple[str, str]]] = {}
for _suffix, _typ in FEATURE_SUFFIXES:
    FEATURE_SUFFIXES_BY_LAST.setdefault(_suffix[-1], []).append((_suffix, _typ))
FEATURE_SUFFIX_TYPE: dict[str, str] = {}
for _suffix, _typ in FEATURE_SUFFIXES:
    FEATURE_SUFFIX_TYPE.setdefault(_suffix, _typ)
LOCAL_SUFFIXES = ("坪", "坝", "塘", "湾", "沟", "垭", "溪", "岭")
# Built features (水库, 公园) are projects/landmarks; only their stem is taken as a place.
STEM_ONLY_SUFFIXES = {"水库"}
FUNCTION_CHARS = re.compile("[和及与的全各等或在是为对将把被了从向]")
BRIDGE = re.compile("大桥|[一二三四五六七八九十]桥")
# Suffixes that make a 2-4 character word before them a place (昝岗片区, 万泉河流域).
# (not 山区: its stem is a mountain's name cut short or a modifier — 边远山区, 贫困山区)
AREA_SUFFIXES = ("片区", "流域", "经济圈", "地区")
# Words that end a route description (林芝至拉萨段, 简阳至资阳公路).
ROUTE_CONTEXT = re.compile(r"段|公路|高速|铁路|航道|航线|城际|快速路|连接线|大道|[GS]\d+线|国道|省道|养护|隧道")
# A unit character followed by these starts an ordinary word (宜居乡村, 全市场), not a name's end.
SUFFIX_WORD_STARTS = {"乡村", "乡镇", "乡土", "乡贤", "乡愁", "镇村", "镇街", "镇域", "村民", "村庄", "村级", "村集",
                      "村居", "村镇", "村社", "区域", "区县", "区级", "区位", "区间", "区块", "市场", "市民",
                      "市级", "市区", "市域", "市政", "市县", "县域", "县级", "县城", "县区", "省级", "省市",
                      "省内", "省外", "社区"}
ADMIN_SUFFIX = re.compile(r"(?:省|市|自治区|自治州|地区|盟|区|县|旗|镇|乡|街道|村|社区)$")
# The characters a word ADMIN_SUFFIX matches can end with ($ also matches before a final \n):
# only words ending there are looked up, which skips the regex on nearly every position.
ADMIN_LAST_CHARS = set("省市区州盟县旗镇乡道村\n")
HAN = r"\u4e00-\u9fff"
# A division named after a natural feature (峨眉山市, 五台山镇): its bare stem of 3+ characters
# ending in one of these names the feature itself unless the context is administrative.
NATURAL_SUFFIXES = {"山": "mountain", "峰": "mountain", "岭": "mountain", "峡": "scenic_area",
                    "洞": "scenic_area", "湖": "lake", "江": "river", "河": "river", "溪": "river"}
# ... administrative context: the stem followed by these (峨眉山镇街, 峨眉山辖区)
ADMIN_FOLLOWERS = ("镇街", "乡镇", "街道", "辖区", "场镇")
# Built features that are places only where used as a location (在柳林公园, 柳林公园X片区);
# listed among works (五大道公园、柳林公园三期…建成开放) they are projects.
BUILT_SUFFIXES = ("公园", "广场")
LOCATIVE_BEFORE = set("在于至到从")
# Facilities named after their site (大伙房水库, 镇安抽水蓄能): the modifier is a place.
FACILITY_AFTER = re.compile(r"(?:[一二三四五六七八九十\d]+期)?(?:水库|风电场?|抽水蓄能|水电站|电站|码头|光伏电站|光伏发电)")
# Items of "A、B等N个小区" and "X等片区" are neighbourhoods, estates or landmarks.
ESTATE_LIST_END = re.compile(r"等(?:[\d一二三四五六七八九十两]+个)?(?:小区|片区|安置区|居民区|院落|社区)")
# Institutions and works are not estates even in an estate list (X中学, 华西医院).
INSTITUTION_SUFFIX = re.compile(r"(?:中学|小学|学校|学院|大学|幼儿园|医院|公司|集团|银行|工程|项目)$")
# jieba tags that end a name when walking back from a suffix: verbs, adverbs, function words.
STOP_TAGS = ("v", "vn", "vd", "d", "p", "c", "u", "uj", "r", "q", "f")
# A route endpoint is cut at these on its right (A至B段, 遵义至重庆高速公路).
ROUTE_END = re.compile(r"段|高速|高铁|铁路|公路|城际|快速路|连接线|航道|航线|[（(，。、；]|至|等|和")
# Words after a route endpoint that make a two-character unknown word a pair of abbreviations
# (沪昆高铁, 京沪高速), not a place.
ROUTE_NAME_HEAD = re.compile(r"高速|高铁|铁路|城际|快速路")
# jieba tags of a dictionary word that describes rather than names (中型, 改扩建, 新建).
DESCRIPTIVE_TAGS = ("a", "b", "v", "vn", "j", "m", "d")
# A numeral opens a count, not a name (三期, 五个) — but 三道岭, 五指山 are names.
COUNT_START = re.compile(r"^(?:第|[一二三四五六七八九十百\d]+[期个年月日号条次批项座级届类])")
# Four cardinal and intercardinal directions after a province's one-character abbreviation
# make a region (渝东, 川西, 鄂西南).
DIRECTIONS = ("东南", "东北", "西南", "西北", "东", "西", "南", "北")
# A report of the nation, not of a division (the State Council's 政府工作报告).
NATIONAL_ISSUER = re.compile(r"^(?:\d{4}年)?(?:中华人民共和国|国务院)")
NOT_REGIONS = {"京东"}  # a company, not "east of Beijing"
# A country name followed by these names a concept, not the place (中国特色社会主义, 中国式现代化).
CONCEPT_AFTER = ("特色", "式")


@dataclass
class Candidate:
    start: int
    end: int
    name: str  # normalised name (official full name when resolved)
    place_type: str
    rule: str
    division: Division | None = None
    parent: str = ""  # parent code or name

    @property
    def length(self) -> int:
        return self.end - self.start


# ---------------------------------------------------------------- data

@lru_cache(maxsize=1)
def regions() -> dict[str, tuple[str, str, str]]:
    """Macro-regions, new areas and major rivers from regions.tsv: name → (type, parent, canonical)."""
    out = {}
    for line in (DATA / "regions.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, typ, parent, *canonical = line.split("\t")
            out[name] = (typ, parent, canonical[0] if canonical else name)
    return out


@lru_cache(maxsize=1)
def countries() -> dict[str, str]:
    """Chinese country names → ISO code, from pycountry's zh_CN locale plus countries.tsv."""
    import pycountry

    zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)
    out: dict[str, str] = {}
    for c in pycountry.countries:
        if c.alpha_2 in ("CN", "TW", "HK", "MO"):
            continue  # Chinese divisions come from the gazetteer
        for attr in ("name", "common_name", "official_name"):
            if (en := getattr(c, attr, None)) and (cn := zh.gettext(en)) != en and len(cn) >= 2:
                out.setdefault(cn, c.alpha_2)
    for line in (DATA / "countries.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, code = line.split("\t")
            out[name] = code
    out["中国"] = "CN"
    return out


@lru_cache(maxsize=1)
def province_abbreviations() -> dict[str, str]:
    """One-character province abbreviations → province name, from province_abbreviations.tsv."""
    out = {}
    for line in (DATA / "province_abbreviations.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            abbr, name = line.split("\t")
            out[abbr] = name
    return out


def search_text(text: str) -> str:
    """The text names are looked for in: the text itself, or, for a report written in
    traditional characters (the 1950s), its character-for-character simplified form from
    kg.ingest.normalize. Same length, so offsets hold; jieba and the gazetteer are simplified."""
    try:
        from kg.ingest.normalize import segmentation_text
    except ImportError:
        return text
    simple = segmentation_text(text)
    return simple if len(simple) == len(text) else text


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba, jieba.posseg


def is_common_word(word: str) -> bool:
    """An everyday word per jieba's dictionary (土地, 幸福), so not a bare place abbreviation."""
    jieba, posseg = _jieba()
    tag = posseg.dt.word_tag_tab.get(word)
    if tag is None or tag.startswith("ns"):
        return False
    freq = jieba.dt.FREQ.get(word, 0)
    return tag in COMMON_WORD_TAGS or freq >= COMMON_WORD_FREQ or tag == "b" and freq >= ATTRIBUTIVE_FREQ


class Tokens:
    """jieba's segmentation of the text: word boundaries and part-of-speech tags."""

    def __init__(self, text: str, words: list[tuple[int, int, str, str]] | None = None):
        if words is not None:  # the pipeline's segmentation, shared (Document.tokens)
            self.words, self.starts, self.ends = words, {w[0] for w in words}, {w[1] for w in words}
            return
        _, posseg = _jieba()
        self.starts: set[int] = set()
        self.ends: set[int] = set()
        self.words: list[tuple[int, int, str, str]] = []
        pos = 0
        for pair in posseg.cut(text, HMM=True):
            end = pos + len(pair.word)
            self.words.append((pos, end, pair.word, pair.flag))
            self.starts.add(pos)
            self.ends.add(end)
            pos = end

    def aligned(self, start: int, end: int) -> bool:
        return start in self.starts and end in self.ends


def _province_city_short_names(gaz: Gazetteer) -> list[tuple[str, Division]]:
    """The usable abbreviations of every province and city, in the gazetteer's order: the
    same for every report, so worked out once per gazetteer (villages loaded later come
    after them and are no provinces or cities)."""
    cached = _PROVINCE_CITY_SHORT.get(id(gaz))
    if cached is not None and cached[0] is gaz:
        return cached[1]
    out = []
    for div in list(gaz.divisions.values()):
        if div.level in ("province", "city"):
            s = short_name_of(div.name, div.level)
            if s and s not in GENERIC_WORDS and not is_common_word(s):
                out.append((s, div))
    _PROVINCE_CITY_SHORT[id(gaz)] = (gaz, out)
    return out


_PROVINCE_CITY_SHORT: dict[int, tuple[Gazetteer, list[tuple[str, Division]]]] = {}


# ---------------------------------------------------------------- document place

def document_place(doc: Document, gaz: Gazetteer) -> Division | None:
    """The division the report is about: doc.place_name, else the title or first line."""
    # title-like first lines only: a paragraph of the body names other places (我国…重庆…)
    head = [line for line in doc.text.lstrip()[:400].split("\n") if line.strip() and len(line) <= 40][:5]
    for source in (doc.place_name, doc.title, doc.issuer, *head):
        if source and NATIONAL_ISSUER.search(source):
            return None  # the State Council's report is about the whole country
        if source and (div := gaz.resolve_document_place(source)):
            return div
    return None


def _context_codes(gaz: Gazetteer, place: Division | None) -> dict[str, str]:
    """The report's district, city and province codes, where they exist."""
    if place is None:
        return {}
    chain = [place, *gaz.ancestors(place.code)]
    return {d.level: d.code for d in chain}


# ---------------------------------------------------------------- candidate rules

class PlaceFinder:
    """Collects place candidates in one document's text."""

    def __init__(self, doc: Document, gaz: Gazetteer, place: Division | None):
        self.doc, self.text, self.gaz = doc, search_text(doc.text), gaz
        self.place = place
        self.context = _context_codes(gaz, place)
        self.tokens = Tokens(self.text, getattr(doc, "tokens", None))
        self.word_ending = {w[1]: w for w in self.tokens.words}
        self.word_starting = {w[0]: w for w in self.tokens.words}
        self.first_word_ending: dict[int, tuple[int, int, str, str]] = {}  # not a scan per look-up
        for w in self.tokens.words:
            self.first_word_ending.setdefault(w[1], w)
        self.cands: list[Candidate] = []
        self.short_table = self._short_table()

    # -- choosing among divisions of one name

    def _prefer(self, divs: list[Division]) -> Division | None:
        """The division nearest the report's place: inside its district, city, province, else unique."""
        for level in ("district", "city", "province"):
            if code := self.context.get(level):
                inside = [d for d in divs if self.gaz.is_within(d.code, code)]
                if inside:
                    return inside[0]
        top = [d for d in divs if d.rank <= 2]
        if len(top) == 1:
            return top[0]
        return divs[0] if len(divs) == 1 else None

    def _short_table(self) -> dict[str, Division]:
        """Abbreviations usable in this report: provinces and cities everywhere, districts of the
        report's province, towns and villages of the report's district."""
        table: dict[str, list[Division]] = {}

        def add(div: Division) -> None:
            s = short_name_of(div.name, div.level)
            if s and s not in GENERIC_WORDS and not is_common_word(s):
                table.setdefault(s, []).append(div)

        for s, div in _province_city_short_names(self.gaz):
            table.setdefault(s, []).append(div)
        if prov := self.context.get("province"):
            for div in self.gaz.children(prov):
                for d in ([div] + self.gaz.children(div.code) if div.level == "city" else [div]):
                    if d.level == "district":
                        add(d)
        if district := self.context.get("district"):
            for town in self.gaz.children(district):
                add(town)
                for village in self.gaz.children(town.code):
                    if village.name in self.text:  # X only after X村 was written out
                        add(village)
        out = {}
        for s, divs in table.items():
            best = self._prefer(divs) if len(divs) > 1 else divs[0]
            if best is not None:
                out[s] = best
        return out

    def add(self, start: int, end: int, place_type: str, rule: str, division: Division | None = None,
            name: str = "", parent: str = "") -> None:
        name = division.name if division else (name or self.text[start:end])
        if division and not parent:
            parent = division.parent or ""
        self.cands.append(Candidate(start, end, name, place_type, rule, division, parent))

    def find_full_names(self) -> None:
        """Division names written in full (四川省, 都江堰市, 青城山镇, 泰安村)."""
        text = self.text
        district = self.context.get("district")
        if district:
            self.gaz.load_villages(district)
        # the spans of 2–12 characters that end where ADMIN_SUFFIX can match and are names,
        # by start: the only (i, j) a scan of every start and length would go further with
        # (the gazetteer's names do not change during the scan: lookups here load nothing)
        ends_at: dict[int, list[int]] = {}
        for p, ch in enumerate(text):
            if ch in ADMIN_LAST_CHARS:
                j = p + 1
                for i in range(max(0, j - 12), j - 1):
                    if self.gaz.is_name(text[i:j]):
                        ends_at.setdefault(i, []).append(j)
        for i in sorted(ends_at):
            for j in sorted(ends_at[i], reverse=True):
                word = text[i:j]
                if not ADMIN_SUFFIX.search(word) or not self.gaz.is_name(word) or word in GENERIC_WORDS:
                    continue
                divs = self.gaz.lookup(word, short=False)
                div = self._prefer(divs)
                if div is None or div.level == "village" and not (district and self.gaz.is_within(div.code, district)):
                    continue
                if i not in self.tokens.starts and not self._after_place(i):
                    continue  # 示范县 holds 范县 but does not name it
                if div.rank >= 4 and district and not self.gaz.is_within(div.code, district):
                    # X乡 for the district's own X苗族土家族乡, not another district's X乡
                    home = self.short_table.get(short_name_of(word, div.level) or "")
                    if home is not None and home.level == div.level and self.gaz.is_within(home.code, district):
                        div = home
                if div.rank >= 4 and not self._town_name_ok(div, word):
                    continue
                if text[j - 1:j + 1] in SUFFIX_WORD_STARTS and j not in self.tokens.ends:
                    continue
                self.add(i, j, div.type, "gazetteer", div)
                break

    def _town_name_ok(self, div: Division, word: str) -> bool:
        """A town-level name outside the report's district must look like one: a standard
        suffix and not an everyday word (小城镇, 综合保税区 are names of some towns too)."""
        district = self.context.get("district")
        if district and self.gaz.is_within(div.code, district):
            return True
        _, posseg = _jieba()
        tag = posseg.dt.word_tag_tab.get(word)
        return word.endswith(("镇", "乡", "街道", "村")) and len(word) >= 3 and (tag is None or tag.startswith("ns"))

    def _after_place(self, i: int) -> bool:
        """Whether a full place name ends at i (the 青城山镇 of 青城山镇泰安村)."""
        return any(c.end == i and c.division is not None for c in self.cands)

    def find_short_names(self) -> None:
        """Abbreviations of divisions (绵阳, 四川, 太平) on jieba word boundaries."""
        text = self.text
        heads = {s[:2] for s in self.short_table}  # the first two characters of every name
        for i in sorted(self.tokens.starts):  # word starts, in text order
            if i >= len(text) or text[i:i + 2] not in heads:
                continue
            for j in range(min(len(text), i + 6), i + 1, -1):
                if j not in self.tokens.ends:
                    continue
                div = self.short_table.get(text[i:j])
                if div is not None:
                    self.add(i, j, div.type, "abbreviation", div)
                    self._split_feature_name(i, j)
                    break

    def _split_feature_name(self, i: int, j: int) -> None:
        """A feature name jieba split before a division's short name: X + 眉山 is X眉山 (a
        mountain), not 眉山市. Taken when one noun-like character precedes a short name that
        ends in 山/峰/岭 and the three together are no dictionary word (rivers are left out:
        中美|龙江 is no river)."""
        w = self.word_ending.get(i)
        if w is None or len(w[2]) != 1 or not re.match(rf"[{HAN}]", w[2]) or FUNCTION_CHARS.search(w[2]):
            return
        jieba, _ = _jieba()
        name = self.text[i - 1:j]
        if w[3] in ("n", "ng", "nr", "ns", "nz") and name[-1] in "山峰岭" and not jieba.dt.FREQ.get(name):
            self.add(i - 1, j, NATURAL_SUFFIXES[name[-1]], "feature")

    def find_regions_and_countries(self) -> None:
        table = regions()
        names = countries()
        text = self.text
        # only the lengths and first characters of the names can match: same words, far
        # fewer slices than every length at every position
        lengths = sorted({len(w) for w in [*table, *names] if len(w) >= 2}, reverse=True)
        firsts = re.compile("[" + "".join(sorted(re.escape(w[0]) for w in {*table, *names} if w)) + "]")
        heads = {w[:2] for w in [*table, *names] if len(w) >= 2}
        for first in firsts.finditer(text):
            i = first.start()
            if text[i:i + 2] not in heads:
                continue  # no name of 2+ characters starts here
            for n in lengths:
                j = i + n
                if j > len(text):
                    continue
                word = text[i:j]
                if word in table:
                    if not (i in self.tokens.starts or len(word) >= 3):
                        continue
                    if len(word) == 2 and j not in self.tokens.ends:
                        continue  # 东北 of 东北亚
                    typ, parent, canonical = table[word]
                    self.add(i, j, typ, "region", name=canonical, parent=parent)
                    break
                if word in names and (len(word) >= 3 or i in self.tokens.starts and j in self.tokens.ends):
                    if text.startswith(CONCEPT_AFTER, j):
                        break
                    # 黑山 in 黑山羊 is a goat breed, not Montenegro
                    self.add(i, j, "region" if "-" in names[word] else "country", "country", name=word)
                    m = re.match(rf"[{HAN}]{{2,6}}?(?:市|州|县|省)", text[j:j + 7])
                    # the city's unit ends a word (not the 市 of 市场: 非洲等多元化国际市场)
                    if m and names.get(word) and word != "中国" and not is_common_word(m.group(0)[:-1]) \
                            and j + m.end() in self.tokens.ends and not FUNCTION_CHARS.search(m.group(0)):
                        self.add(j, j + m.end(), "foreign_city", "foreign-city", name=m.group(0), parent=word)
                    break

    def find_features(self) -> None:
        """Mountains, rivers, lakes, scenic areas by suffix, on words jieba takes as names."""
        words = self.tokens.words
        for k, (s, e, w, flag) in enumerate(words):
            # one word carrying the suffix itself (黄山, 万泉河流域 is two words)
            for suffix, typ in FEATURE_SUFFIXES_BY_LAST.get(w[-1:], ()):
                if w.endswith(suffix) and len(w) > len(suffix):
                    stem_len = len(w) - len(suffix)
                    if self._feature_word(w, flag, suffix, stem_len):
                        if suffix in STEM_ONLY_SUFFIXES:
                            if stem_len >= 2:
                                self.add(s, e - len(suffix), "other", "feature-stem")
                        else:
                            self.add(s, e, typ, "feature")
                    break
            # a name word followed by a suffix word (西 + 湖, 黄山 + 风景区, 三峡 + 水库)
            if k + 1 < len(words) and len(w) >= 2 and w not in GENERIC_WORDS:
                nxt = words[k + 1][2]
                typ = FEATURE_SUFFIX_TYPE.get(nxt)
                if typ is not None and self._namelike(s, e, w, flag):
                    if nxt in STEM_ONLY_SUFFIXES:
                        self.add(s, e, "other", "feature-stem")
                    else:
                        self.add(s, words[k + 1][1], typ, "feature")

    @staticmethod
    def _feature_word(word: str, flag: str, suffix: str, stem_len: int) -> bool:
        """A word jieba takes as a place (ns), or as a name (nr, 袁湾) with a landform suffix."""
        if word in GENERIC_WORDS or re.search("[省市区县镇乡村]", word[:-1]):
            return False
        if flag.startswith("ns"):
            return stem_len >= 2 or len(suffix) > 1 or suffix in LOCAL_SUFFIXES
        return flag == "nr" and stem_len >= 2 and suffix in LOCAL_SUFFIXES + ("山", "河")

    def _namelike(self, s: int, e: int, word: str, flag: str) -> bool:
        """A word that can be a proper name: a place tag, a division or feature already found,
        or a word jieba does not know (local names are rarely in its dictionary)."""
        if flag.startswith("ns") or any(c.start == s and c.end == e for c in self.cands):
            return True
        jieba, _ = _jieba()
        return not re.search(rf"[^{HAN}]", word) and jieba.dt.FREQ.get(word, 0) == 0 and len(word) <= 4

    def find_bridges(self) -> None:
        """Bridges named after a place found already: 龙门大桥, X二桥."""
        ends = {c.end: c for c in self.cands if c.place_type in ("river", "lake", "mountain") or c.division}
        for m in BRIDGE.finditer(self.text):
            if (c := ends.get(m.start())) is not None:
                self.add(c.start, m.end(), "landmark", "bridge")

    def find_areas(self) -> None:
        """Named 片区 and 流域 (昝岗片区, 万泉河流域) and lists before 等片区."""
        text = self.text
        for m in re.finditer("|".join(AREA_SUFFIXES), text):
            end = m.start()
            if end in self.tokens.ends:
                word = self._word_before(end)
                if word and word[1] - word[0] >= 2:
                    for k in range(word[0] + 1, end - 1):
                        if (div := self.short_table.get(text[k:end])) is not None:
                            self.add(k, end, div.type, "abbreviation", div)
                            word = None
                            break
                if word and word[1] - word[0] >= 2:
                    name = text[word[0]:end]
                    if self._local_name(word[0], end) and not name.endswith("等"):
                        self.add(word[0], end, "other", "area", name=name)

    def find_estates(self) -> None:
        """Items of "A、B等N个小区" and "X等片区" (X等片区): estates, neighbourhoods, landmarks."""
        for m in ESTATE_LIST_END.finditer(self.text):
            self._enumeration_before(m.start())

    def _local_name(self, start: int, end: int) -> bool:
        """A 2-4 character span that can be a local name: no function characters, not an
        everyday word, and its last word a name, a place word or unknown to jieba (长塘)."""
        name = self.text[start:end]
        if not 2 <= len(name) <= 4 or name in GENERIC_WORDS or is_common_word(name) or FUNCTION_CHARS.search(name):
            return False
        if any(c.start == start and c.end == end for c in self.cands):
            return True
        jieba, _ = _jieba()
        last = self.first_word_ending.get(end)
        if last is None:
            return False
        _, _, w, flag = last
        return flag.startswith(("ns", "nr", "nz", "j")) or jieba.dt.FREQ.get(w, 0) == 0 or len(w) == 1

    def _word_before(self, end: int) -> tuple[int, int] | None:
        """The span of the name that ends at `end`: one jieba word, or two short ones (龙宝 + 塘)."""
        first = self.first_word_ending.get(end)
        if first is None:
            return None
        s, e, w, flag = first
        if re.search(rf"[^{HAN}]", w):
            return None
        prev = self.first_word_ending.get(s)
        if prev and prev[3] not in ("v", "vn", "p", "c", "u", "uj", "m", "d", "r", "q", "a", "ad", "an"):
            # a name jieba split in two: 龙宝 + 塘, 南 + 溪沟
            if len(w) == 1 and re.fullmatch(rf"[{HAN}]{{1,2}}", prev[2]) or \
                    len(w) == 2 and re.fullmatch(rf"[{HAN}]", prev[2]):
                return prev[0], end
        return s, end

    def _enumeration_before(self, end: int) -> None:
        """A、B、C等片区: every short item of the list is a place."""
        start = end
        while start > 0 and (re.match(rf"[{HAN}、]", self.text[start - 1])) and end - start < 40:
            start -= 1
        items = self.text[start:end].split("、")
        pos = start
        for k, item in enumerate(items):
            item_end = pos + len(item)
            # the first item is glued to the verb before the list (完成A, 启动B)
            item_start = self._name_start(item_end, 6, floor=pos) if k == 0 else pos
            if item_start is not None and 2 <= item_end - item_start <= 6:
                name = self.text[item_start:item_end]
                if not (INSTITUTION_SUFFIX.search(name) or name in GENERIC_WORDS or FUNCTION_CHARS.search(name)
                        or is_common_word(name) or COUNT_START.match(name)):
                    self.add(item_start, item_end, "other", "area-list")
            pos = item_end + 1

    def _name_start(self, end: int, max_len: int, floor: int = 0) -> int | None:
        """Where the name ending at `end` starts: walking back over jieba words to a verb,
        function word, generic word, punctuation or a place found already (建成|袁湾,
        济源|逢石河); None when no such edge comes within max_len characters."""
        pos = end
        while pos > floor:
            if pos < end and any(c.end == pos for c in self.cands):
                return pos
            w = self.word_ending.get(pos)
            if w is None:
                return None
            s, _, word, flag = w
            if re.search(rf"[^{HAN}]", word) or word in GENERIC_WORDS or flag in ("m", "q") and len(word) == 1 or \
                    len(word) >= 2 and flag.startswith(STOP_TAGS):  # other one-character words: jieba's guesses
                return pos if pos < end else None
            if end - s > max_len:
                return None
            pos = s
        return pos if pos < end else None

    def find_facility_sites(self) -> None:
        """The site before a facility named after it: 大伙房水库, 镇安抽水蓄能, 逢石河抽水蓄能电站."""
        text = self.text
        for m in FACILITY_AFTER.finditer(text):
            end = m.start()
            if end not in self.tokens.ends:
                continue
            start = self._name_start(end, 4)
            if start is None:
                continue
            # a division written just before the name ends it (梅州|长潭水库)
            start = max([start] + [c.end for c in self.cands if c.division and start < c.end < end])
            name = text[start:end]
            if not 2 <= len(name) <= 4 or re.search("[电站库厂场港局能]", name) or not self._proper(name):
                continue
            if (div := self.short_table.get(name)) is not None:
                self.add(start, end, div.type, "abbreviation", div)
            else:
                self.add(start, end, "other", "facility-site")

    def _proper(self, name: str) -> bool:
        """A word that can be a proper name: not generic, not an everyday or descriptive
        dictionary word (中型, 改扩建), not a count (二通道 = 二 + 通道)."""
        _, posseg = _jieba()
        tag = posseg.dt.word_tag_tab.get(name)
        if name in GENERIC_WORDS or is_common_word(name) or FUNCTION_CHARS.search(name) or COUNT_START.match(name) \
                or tag is not None and tag.startswith(DESCRIPTIVE_TAGS):
            return False
        return not (re.match("[一二三四五六七八九十两]", name) and is_common_word(name[1:]))

    def find_county_seats(self) -> None:
        """A district or county's seat, written <its short name>县城 (X县 → X县城)."""
        text = self.text
        for m in re.finditer("县城", text):
            for n in (4, 3, 2):
                stem = text[max(0, m.start() - n):m.start()]
                div = self.short_table.get(stem)
                if div is not None and div.level == "district" and len(stem) == n:
                    self.add(m.start() - n, m.end(), "other", "county-seat", name=stem + "县城", parent=div.code)
                    break

    def find_direction_regions(self) -> None:
        """A province's one-character abbreviation and a direction: 渝东, 川西, 鄂西南, 苏北."""
        text, abbr = self.text, province_abbreviations()
        table = regions()
        for i, ch in enumerate(text):
            if ch not in abbr or i not in self.tokens.starts:
                continue
            for d in DIRECTIONS:
                word = text[i:i + 1 + len(d)]
                j = i + len(word)
                if word[1:] != d or j not in self.tokens.ends or word in table or word in NOT_REGIONS:
                    continue
                if self.gaz.lookup(word) or word in countries():
                    break  # 云南, 陕西, 甘南: a division's own name
                _, posseg = _jieba()
                tag = posseg.dt.word_tag_tab.get(word)
                if tag is None or tag.startswith("ns"):
                    self.add(i, j, "region", "direction-region", name=word, parent=abbr[ch])
                break

    def find_route_ends(self) -> None:
        """Both ends of a route are places: 龙泉驿至简阳, 简阳至资阳至内江, G318线林芝至拉萨段,
        A界至B界段 (the boundary of A), <town><village>段 (the village in the town)."""
        text = self.text
        for m in re.finditer("至", text):
            i = m.start()
            if not (i in self.tokens.starts and i + 1 in self.tokens.ends):
                continue  # 至今, 以至
            if not ROUTE_CONTEXT.search(text[max(0, i - 12):i + 16]):
                continue
            left = self._route_left(i)
            if left is not None:
                self._route_endpoint(*left, head="")
            right = ROUTE_END.search(text, i + 1, min(len(text), i + 11))
            if right is not None and right.start() - i > 2 \
                    and self._route_endpoint(i + 1, right.start(), head=right.group(0)):
                continue
            if right is not None and right.start() - i <= 6:
                continue  # a closed span that is no name (X河桥段): its words are no better
            if (span := self._word_after(i + 1)) is not None:
                self._route_endpoint(*span, head="")

    def _route_left(self, end: int) -> tuple[int, int] | None:
        """The span before 至 back to punctuation, a road number (G353线) or leading verbs
        (开工建设波密至 → 波密)."""
        text = self.text
        start = end
        while start > max(0, end - 10) and re.match(rf"[{HAN}]", text[start - 1]) and text[start - 1] not in "线至经":
            start -= 1
        if heads := list(re.finditer(r"高速|高铁|铁路|公路|城际|快速路", text[start:end])):
            start += heads[-1].end()  # 沿江高铁|武汉至宜昌段
        while (w := self.word_starting.get(start)) is not None and w[1] < end and len(w[2]) >= 2 \
                and w[3].startswith(STOP_TAGS):
            start = w[1]
        return (start, end) if end - start >= 2 else None

    def _route_endpoint(self, s: int, e: int, head: str) -> bool:
        """One route endpoint: peel the places written before it (太平龙溪, 龙泉街道三岔口),
        drop 界/场镇, and take the rest as a division (other districts' too: 宿城,
        泗洪) or a local name."""
        text = self.text
        if text[e - 1:e] == "界":
            e -= 1
        elif text[e - 2:e] in ("场镇", "互通"):  # X场镇: the town's centre; 美兰互通: the interchange at 美兰
            e -= 2
        while s < e:
            j = self._division_prefix(s, e)
            if j is None or j == e:
                break
            s = j
        if text[s:s + 1] == "经" and e - s > 2:  # A经B至C: via B
            s += 1
        name = text[s:e]
        if not 2 <= len(name) <= 4 or re.search(rf"[^{HAN}]|[年月日号个第期桥路]", name) or COUNT_START.match(name) \
                or name in GENERIC_WORDS or FUNCTION_CHARS.search(name):
            return False
        div = self._route_division(name)
        if div is not None:
            self.add(s, e, div.type, "route-end", div)
            return True
        if not self._proper(name) or not head and not self._local_name(s, e):
            return False  # a span closed by a route word (林芝段) is a name; an open one must look like one
        abbr = province_abbreviations()
        if len(name) == 2 and name not in regions() and (
                ROUTE_NAME_HEAD.match(head or text[e:e + 2]) or name[0] in abbr and name[1] in abbr):
            return True  # 沪昆高铁, 陕川: two places' abbreviations naming a road, not a place
        self.add(s, e, "other", "route-end")
        return True

    def _division_prefix(self, s: int, e: int) -> int | None:
        """The end of a division written at s inside an endpoint (太平 of 太平龙溪), adding it."""
        for j in [e, *range(e - 2, s + 1, -1)]:  # the rest keeps 2+ characters (XY门 is no XY村 + 门)
            div = self._route_division(self.text[s:j], prefix=True)
            if div is not None:
                if j < e:
                    self.add(s, j, div.type, "route-end", div)
                return j
        return None

    def _route_division(self, name: str, prefix: bool = False) -> Division | None:
        """A division a route endpoint names: one of the district's towns or villages, by full
        or short name (everyday words like 土地 included: the slot says it is a place), a short
        name usable in this report, or another county named by its short name (泗洪, 兴化)."""
        if len(name) < 2:
            return None
        if div := self.short_table.get(name):
            return div
        district = self.context.get("district")
        if district:
            local = [d for d in self.gaz.lookup(name, within=district) if d.rank >= 4]
            if local:
                return local[0]
        if prefix:
            return None
        counties = [d for d in self.gaz.lookup(name) if d.level == "district" and d.name != name]
        if len(counties) > 1 and (province := self.context.get("province")):
            counties = [d for d in counties if self.gaz.is_within(d.code, province)] or counties
        return counties[0] if len(counties) == 1 else None

    def _word_after(self, start: int) -> tuple[int, int] | None:
        """The name that starts at `start` when no route word closes it (至拉萨修复养护工程)."""
        w = self.word_starting.get(start)
        if w is None or re.search(rf"[^{HAN}]", w[2]):
            return None
        s, e, word, flag = w
        if known := [c for c in self.cands if c.start == start]:
            return None if any(c.division for c in known) else (s, max(c.end for c in known))
        if len(word) == 1:
            nxt = self.word_starting.get(e)
            if nxt and len(nxt[2]) <= 2 and not nxt[3].startswith(("v", "p", "u")):
                e = nxt[1]
        if flag.startswith(("v", "p", "u", "m", "q", "d", "a")):
            return None
        return s, e

    # -- second looks

    def reclassify_feature_stems(self) -> None:
        """A bare stem like 峨眉山 of a division named after a feature (峨眉山市) is the
        feature (a scenic area, mountain, river) unless the text is administrative there:
        a village follows (X山Y村), 镇街/辖区 follows, or it is listed among divisions."""
        for c in self.cands:
            surface = self.text[c.start:c.end]
            if c.rule != "abbreviation" or c.division is None or len(surface) < 3 \
                    or surface[-1] not in NATURAL_SUFFIXES or self._administrative_at(c):
                continue
            c.division, c.parent, c.name = None, "", surface
            c.place_type, c.rule = NATURAL_SUFFIXES[surface[-1]], "feature"

    def _administrative_at(self, c: Candidate) -> bool:
        text = self.text
        if text[c.end:c.end + 2] in ADMIN_FOLLOWERS:
            return True

        def division_at(pos: int, ends: bool = False) -> bool:
            return any((k.end if ends else k.start) == pos and k is not c and k.division is not None
                       and k.division.rank >= 4 for k in self.cands)

        return division_at(c.end) or text[c.end:c.end + 1] == "、" and division_at(c.end + 1) \
            or c.start > 0 and text[c.start - 1] == "、" and division_at(c.start - 1, ends=True)

    def drop_listed_works(self) -> None:
        """Parks and squares not used as a location are works (projects), not places."""
        text = self.text
        starts = {c.start for c in self.cands}
        self.cands = [c for c in self.cands if not (
            c.rule == "feature" and c.name.endswith(BUILT_SUFFIXES)
            and not (c.start > 0 and text[c.start - 1] in LOCATIVE_BEFORE or c.end in starts
                     or text[c.end:c.end + 2] in AREA_SUFFIXES))]

    # -- choosing

    def choose(self) -> list[Candidate]:
        """Keep the best candidate per span; drop ones inside a longer division name or an
        abbreviation inside a longer place; keep other places nested in features (龙门 in 龙门大桥)."""
        rank = {"gazetteer": 0, "region": 1, "country": 1, "foreign-city": 1, "abbreviation": 2,
                "direction-region": 2, "county-seat": 2, "feature": 3, "area": 4, "feature-stem": 4, "bridge": 3,
                "area-list": 5, "facility-site": 5, "route-end": 6}
        order = sorted(self.cands, key=lambda c: (-c.length, rank[c.rule], c.start))
        kept: list[Candidate] = []
        for c in order:
            clash = False
            for k in kept:
                if c.end <= k.start or c.start >= k.end:
                    continue
                inside = k.start <= c.start and c.end <= k.end
                if not inside or k.rule == "gazetteer" or c.rule in ("abbreviation", "route-end", "area-list",
                                                                      "area", "feature-stem", "facility-site") \
                        or k.place_type == c.place_type or (k.start, k.end) == (c.start, c.end):
                    clash = True
                    break
            if not clash:
                kept.append(c)
        return sorted(kept, key=lambda c: c.start)


# ---------------------------------------------------------------- the component

def extract_places(doc: Document) -> Document:
    """Append place mentions and locatedIn relations; resolve the document's own place."""
    gaz = Gazetteer.load()
    place = document_place(doc, gaz)
    if place is not None:
        doc.attrs["place_code"] = place.code
        doc.attrs["place_name"] = place.name
    finder = PlaceFinder(doc, gaz, place)
    finder.find_full_names()
    finder.find_short_names()
    finder.find_regions_and_countries()
    finder.find_features()
    finder.find_bridges()
    finder.find_areas()
    finder.find_estates()
    finder.find_facility_sites()
    finder.find_county_seats()
    finder.find_direction_regions()
    finder.find_route_ends()
    finder.reclassify_feature_stems()
    finder.drop_listed_works()
    chosen = finder.choose()

    first_of: dict[str, int] = {}  # adcode or name → index of its first mention
    added: list[tuple[int, Candidate]] = []
    for c in chosen:
        sent = doc.sentence_at(c.start)
        attrs = {"place_type": c.place_type}
        if c.division:
            attrs["adcode"] = c.division.code
            attrs["level"] = c.division.level
        elif place is not None and c.place_type in ("other", "scenic_area", "mountain", "river", "lake", "landmark") \
                and c.rule != "region":
            attrs["context_place"] = place.code  # a local name: most likely inside the report's place
        if c.parent:
            attrs["parent"] = c.parent
        if c.division and c.parent and (parent := gaz.get(c.parent)):
            attrs["parent_name"] = parent.name
        idx = doc.add_mention(Mention(EntityKind.PLACE, c.start, c.end, sent.index if sent else -1,
                                      doc.text[c.start:c.end], c.name, attrs, f"places:{c.rule}"))
        first_of.setdefault(attrs.get("adcode", c.name), idx)
        added.append((idx, c))
    _link_parents(doc, gaz, added, first_of)
    return doc


def _link_parents(doc: Document, gaz: Gazetteer, added: list[tuple[int, Candidate]],
                  first_of: dict[str, int]) -> None:
    """locatedIn from a place to the nearest mention of its parent: the one written just before
    it (太平镇龙溪村), else in the same sentence, else the parent's first mention."""
    by_key: dict[str, list[int]] = {}
    for idx, c in added:
        by_key.setdefault(c.division.code if c.division else c.name, []).append(idx)
    for idx, c in added:
        m = doc.mentions[idx]
        parents = []
        if c.division:
            parents = [a.code for a in gaz.ancestors(c.division.code)]
        elif c.parent:
            parents = [c.parent] + [d.code for d in gaz.lookup(c.parent) if d.level == "province"][:1]
        target = None
        for key in parents:
            cands = by_key.get(key, [])
            if not cands:
                continue
            same = [k for k in cands if doc.mentions[k].sentence == m.sentence]
            adjacent = [k for k in same if doc.mentions[k].end == m.start]
            target = (adjacent or same or cands)[0]
            break
        if target is not None and target != idx:
            doc.relations.append(Relation("locatedIn", idx, target, m.sentence, "places:parent"))
