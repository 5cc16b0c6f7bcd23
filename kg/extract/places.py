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
}
# jieba tags of everyday words that a division's abbreviation must not be (幸福 a, 胜利 vn).
COMMON_WORD_TAGS = {"a", "ad", "an", "v", "vn", "vd", "d", "c", "p", "m", "q", "r", "u", "f", "t", "l", "i"}
COMMON_WORD_FREQ = 2000  # a noun this frequent in jieba's dictionary is an everyday word (土地)

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
# Landform suffixes of small local names (龙坝, 张家湾), trusted on a 2-character ns word.
LOCAL_SUFFIXES = ("坪", "坝", "塘", "湾", "沟", "垭", "溪", "岭")
# Built features (水库, 公园) are projects/landmarks; only their stem is taken as a place.
STEM_ONLY_SUFFIXES = {"水库"}
FUNCTION_CHARS = re.compile("[和及与的全各等或在是为对将把被了从向]")
BRIDGE = re.compile("大桥|[一二三四五六七八九十]桥")
# Suffixes that make a 2-4 character word before them a place (江北片区, 大溪河流域).
AREA_SUFFIXES = ("片区", "流域", "经济圈", "山区", "地区")
# Words that end a route description (白马至豹岩段, 江口至文复公路).
ROUTE_CONTEXT = re.compile(r"段|公路|高速|铁路|航道|航线|城际|快速路|连接线|大道|[GS]\d+线|国道|省道|养护|隧道")
# A unit character followed by these starts an ordinary word (宜居乡村, 全市场), not a name's end.
SUFFIX_WORD_STARTS = {"乡村", "乡镇", "乡土", "乡贤", "乡愁", "镇村", "镇街", "镇域", "村民", "村庄", "村级", "村集",
                      "村居", "村镇", "村社", "区域", "区县", "区级", "区位", "区间", "区块", "市场", "市民",
                      "市级", "市区", "市域", "市政", "市县", "县域", "县级", "县城", "县区", "省级", "省市",
                      "省内", "省外", "社区"}
ADMIN_SUFFIX = re.compile(r"(?:省|市|自治区|自治州|地区|盟|区|县|旗|镇|乡|街道|村|社区)$")
HAN = r"\u4e00-\u9fff"


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
    return tag in COMMON_WORD_TAGS or jieba.dt.FREQ.get(word, 0) >= COMMON_WORD_FREQ


class Tokens:
    """jieba's segmentation of the text: word boundaries and part-of-speech tags."""

    def __init__(self, text: str):
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


# ---------------------------------------------------------------- document place

def document_place(doc: Document, gaz: Gazetteer) -> Division | None:
    """The division the report is about: doc.place_name, else the title or first line."""
    head = [line for line in doc.text.lstrip()[:400].split("\n") if line.strip()][:5]
    for source in (doc.place_name, doc.title, doc.issuer, *head):
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
        self.doc, self.text, self.gaz = doc, doc.text, gaz
        self.place = place
        self.context = _context_codes(gaz, place)
        self.tokens = Tokens(doc.text)
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

        for div in list(self.gaz.divisions.values()):
            if div.level in ("province", "city"):
                add(div)
        if prov := self.context.get("province"):
            for div in self.gaz.children(prov):
                for d in ([div] + self.gaz.children(div.code) if div.level == "city" else [div]):
                    if d.level == "district":
                        add(d)
        if district := self.context.get("district"):
            for town in self.gaz.children(district):
                add(town)
                for village in self.gaz.children(town.code):
                    if village.name in self.text:  # 荆竹 only after 荆竹村 was written out
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
        for i in range(len(text)):
            for j in range(min(len(text), i + 12), i + 1, -1):
                word = text[i:j]
                if not ADMIN_SUFFIX.search(word) or not self.gaz.is_name(word) or word in GENERIC_WORDS:
                    continue
                divs = self.gaz.lookup(word, short=False)
                div = self._prefer(divs)
                if div is None or div.level == "village" and not (district and self.gaz.is_within(div.code, district)):
                    continue
                if i not in self.tokens.starts and not self._after_place(i):
                    continue  # 示范县 holds 范县 but does not name it
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
        """Abbreviations of divisions (涪陵, 四川, 白马) on jieba word boundaries."""
        text = self.text
        for i in range(len(text)):
            if i not in self.tokens.starts:
                continue
            for j in range(min(len(text), i + 6), i + 1, -1):
                div = self.short_table.get(text[i:j])
                if div is not None and j in self.tokens.ends:
                    self.add(i, j, div.type, "abbreviation", div)
                    break

    def find_regions_and_countries(self) -> None:
        table = regions()
        names = countries()
        text = self.text
        longest = max(map(len, [*table, *names]))
        for i in range(len(text)):
            for j in range(min(len(text), i + longest), i + 1, -1):
                word = text[i:j]
                if word in table:
                    if not (i in self.tokens.starts or len(word) >= 3):
                        continue
                    typ, parent, canonical = table[word]
                    self.add(i, j, typ, "region", name=canonical, parent=parent)
                    break
                if word in names and (i in self.tokens.starts or len(word) >= 3):
                    self.add(i, j, "region" if "-" in names[word] else "country", "country", name=word)
                    m = re.match(rf"[{HAN}]{{2,6}}?(?:市|州|县|省)", text[j:j + 7])
                    if m and names.get(word) and word != "中国" and not is_common_word(m.group(0)[:-1]):
                        self.add(j, j + m.end(), "foreign_city", "foreign-city", name=m.group(0), parent=word)
                    break

    def find_features(self) -> None:
        """Mountains, rivers, lakes, scenic areas by suffix, on words jieba takes as names."""
        words = self.tokens.words
        for k, (s, e, w, flag) in enumerate(words):
            # one word carrying the suffix itself (黄山, 乌江流域 is two words)
            for suffix, typ in FEATURE_SUFFIXES:
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
                for suffix, typ in FEATURE_SUFFIXES:
                    if nxt == suffix and self._namelike(s, e, w, flag):
                        if suffix in STEM_ONLY_SUFFIXES:
                            self.add(s, e, "other", "feature-stem")
                        else:
                            self.add(s, words[k + 1][1], typ, "feature")
                        break

    @staticmethod
    def _feature_word(word: str, flag: str, suffix: str, stem_len: int) -> bool:
        """A word jieba takes as a place (ns), or as a name (nr, 张家湾) with a landform suffix."""
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
        """Bridges named after a place found already: 乌江大桥, 乌江二桥."""
        ends = {c.end: c for c in self.cands if c.place_type in ("river", "lake", "mountain") or c.division}
        for m in BRIDGE.finditer(self.text):
            if (c := ends.get(m.start())) is not None:
                self.add(c.start, m.end(), "landmark", "bridge")

    def find_areas(self) -> None:
        """Named 片区 and 流域 (江北片区, 大溪河流域) and lists before 等片区."""
        text = self.text
        for m in re.finditer("|".join(AREA_SUFFIXES), text):
            end = m.start()
            if end in self.tokens.ends:
                word = self._word_before(end)
                if word and word[1] - word[0] >= 2:
                    name = text[word[0]:end]
                    if self._local_name(word[0], end) and not name.endswith("等"):
                        self.add(word[0], end, "other", "area", name=name)
            if text[max(0, end - 1):end] == "等":
                self._enumeration_before(end - 1)

    def _local_name(self, start: int, end: int) -> bool:
        """A 2-4 character span that can be a local name: no function characters, not an
        everyday word, and its last word a name, a place word or unknown to jieba (龙宝塘)."""
        name = self.text[start:end]
        if not 2 <= len(name) <= 4 or name in GENERIC_WORDS or is_common_word(name) or FUNCTION_CHARS.search(name):
            return False
        if any(c.start == start and c.end == end for c in self.cands):
            return True
        jieba, _ = _jieba()
        last = [w for w in self.tokens.words if w[1] == end]
        if not last:
            return False
        _, _, w, flag = last[0]
        return flag.startswith(("ns", "nr", "nz", "j")) or jieba.dt.FREQ.get(w, 0) == 0 or len(w) == 1

    def _word_before(self, end: int) -> tuple[int, int] | None:
        """The span of the name that ends at `end`: one jieba word, or two short ones (龙宝 + 塘)."""
        ws = [w for w in self.tokens.words if w[1] == end]
        if not ws:
            return None
        s, e, w, flag = ws[0]
        if re.search(rf"[^{HAN}]", w):
            return None
        prev = [p for p in self.tokens.words if p[1] == s]
        if prev and prev[0][3] not in ("v", "vn", "p", "c", "u", "uj", "m", "d", "r", "q"):
            # a name jieba split in two: 龙宝 + 塘, 南 + 溪沟
            if len(w) == 1 and re.fullmatch(rf"[{HAN}]{{1,2}}", prev[0][2]) or \
                    len(w) == 2 and re.fullmatch(rf"[{HAN}]", prev[0][2]):
                return prev[0][0], end
        return s, end

    def _enumeration_before(self, end: int) -> None:
        """老车站、瓦厂坝、复烤厂等片区: every short item of the list is a place."""
        start = end
        while start > 0 and (re.match(rf"[{HAN}、]", self.text[start - 1])) and end - start < 40:
            start -= 1
        items = self.text[start:end].split("、")
        if len(items) < 2:
            return
        pos = start
        for k, item in enumerate(items):
            if k == 0:  # the first item is glued to the verb before the list (完成老车站)
                ws = [w for w in self.tokens.words if w[1] == pos + len(item)]
                if ws:
                    s = ws[0][0]
                    if len(ws[0][2]) < 2:
                        s = next((w[0] for w in self.tokens.words if w[1] == s), s)
                    item_start = max(s, pos)
                    if 2 <= pos + len(item) - item_start <= 5:
                        self.add(item_start, pos + len(item), "other", "area-list")
            elif 2 <= len(item) <= 5:
                self.add(pos, pos + len(item), "other", "area-list")
            pos += len(item) + 1

    def find_route_ends(self) -> None:
        """Both ends of a route are places: 大罗溪至鹅关, 大竹至垫江至丰都, G353线白马至豹岩段."""
        text = self.text
        for m in re.finditer("至", text):
            i = m.start()
            if not (i in self.tokens.starts and i + 1 in self.tokens.ends):
                continue
            if not ROUTE_CONTEXT.search(text[max(0, i - 12):i + 16]):
                continue
            for span in (self._word_before(i), self._word_after(i + 1)):
                if span is None:
                    continue
                s, e = span
                if text[e - 1] == "界":  # 彭水界: the boundary of 彭水
                    e -= 1
                name = text[s:e]
                if self._local_name(s, e) and not re.search(r"[年月日号个第期桥路]|^[一二三四五六七八九十]", name):
                    # a village or town of the report's district named by its stem (白马至豹岩段)
                    local = self.gaz.lookup(name, within=self.context["district"]) if "district" in self.context else []
                    if local:
                        self.add(s, e, local[0].type, "route-end", local[0])
                    else:
                        self.add(s, e, "other", "route-end")

    def _word_after(self, start: int) -> tuple[int, int] | None:
        """The name that starts at `start`, up to a boundary mark (彭水界 → 彭水)."""
        ws = [w for w in self.tokens.words if w[0] == start]
        if not ws or re.search(rf"[^{HAN}]", ws[0][2]):
            return None
        s, e, w, flag = ws[0]
        if known := [c for c in self.cands if c.start == start]:
            return None if any(c.division for c in known) else (s, max(c.end for c in known))
        if len(w) == 1:
            nxt = [n for n in self.tokens.words if n[0] == e]
            if nxt and len(nxt[0][2]) <= 2 and not nxt[0][3].startswith(("v", "p", "u")):
                e = nxt[0][1]
        if flag.startswith(("v", "p", "u", "m", "q", "d", "a")):
            return None
        return s, e

    # -- choosing

    def choose(self) -> list[Candidate]:
        """Keep the best candidate per span; drop ones inside a longer division name or an
        abbreviation inside a longer place; keep other places nested in features (乌江 in 乌江三桥)."""
        rank = {"gazetteer": 0, "region": 1, "country": 1, "foreign-city": 1, "abbreviation": 2,
                "feature": 3, "area": 4, "feature-stem": 4, "bridge": 3, "area-list": 5, "route-end": 6}
        order = sorted(self.cands, key=lambda c: (-c.length, rank[c.rule], c.start))
        kept: list[Candidate] = []
        for c in order:
            clash = False
            for k in kept:
                if c.end <= k.start or c.start >= k.end:
                    continue
                inside = k.start <= c.start and c.end <= k.end
                if not inside or k.rule == "gazetteer" or c.rule in ("abbreviation", "route-end", "area-list",
                                                                      "area", "feature-stem") \
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
    finder.find_route_ends()
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
    it (白马镇豹岩村), else in the same sentence, else the parent's first mention."""
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
