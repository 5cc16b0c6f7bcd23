"""Graph stores for the analysis and export tests.

`hand_store`: real report passages (two district reports of one year, national reports of
four consecutive years), marked up by hand with the mentions, links and figures the
extractors would find, then mapped to RDF by the project's own kg.resolve and kg.rdf and
written with kg.store, so the store has exactly the shape `kg build` writes.

`seed_store`: the seed reports in data/ built once by `kg build` (the real pipeline).

Import the fixtures into a test module with `from tests.fixtures_graph import hand_store`.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pyoxigraph import Quad, RdfFormat, parse

from kg import rdf, store
from kg.model import (Column, ColumnRow, Comparator, Document, EntityKind, MeasureKind, Mention,
                      Quantity, QuantityRole, Relation, Section, SectionMode, Sentence, SourceText)
from kg.resolve import resolve
from kg.vocab import ONTOLOGY_GRAPH

ROOT = Path(__file__).resolve().parents[1]
P, S, PL, SE, IND = (EntityKind.PROJECT, EntityKind.STRATEGY, EntityKind.PLACE,
                     EntityKind.SECTOR, EntityKind.INDICATOR)


class DocBuilder:
    """Writes a report line by line and records its structure with exact offsets."""

    def __init__(self, key: str, title: str, place: str, review: int, plan: int):
        self.doc = Document(source=SourceText(path=Path(f"/reports/{key}.txt"), text="",
                                              format="txt"),
                            text="", title=title, review_years=[review], plan_years=[plan])
        self.doc.attrs["key"] = key
        self.doc.attrs["place_code"] = place
        self.parts: list[str] = []
        self.pos = 0
        self.headings: dict[int, int] = {}

    def _write(self, text: str) -> int:
        start = self.pos
        self.parts.append(text + "\n")
        self.pos += len(text) + 1
        return start

    def section(self, heading: str, level: int, parent: int | None = None,
                year: int | None = None, mode=SectionMode.OTHER) -> int:
        start = self._write(heading)
        idx = len(self.doc.sections)
        self.doc.sections.append(Section(idx, level, start, start, heading, start + len(heading),
                                         parent=parent, year=year, mode=mode))
        self.headings[idx] = self._sentence_at(start, heading, idx)
        return idx

    def heading(self, section: int) -> int:
        """The sentence that is the section's heading."""
        return self.headings[section]

    def _sentence_at(self, start: int, text: str, section: int | None,
                     column: int | None = None, row: int | None = None) -> int:
        idx = len(self.doc.sentences)
        self.doc.sentences.append(Sentence(idx, start, start + len(text), section, column, row))
        return idx

    def sentence(self, text: str, section: int, column: int | None = None,
                 row: int | None = None) -> int:
        return self._sentence_at(self._write(text), text, section, column, row)

    def column(self, number: str, title: str, section: int) -> int:
        start = self._write(f"专栏{number}  {title}")
        idx = len(self.doc.columns)
        self.doc.columns.append(Column(idx, number, title, start, start, section=section))
        return idx

    def row(self, column: int, label: str, text: str, section: int) -> int:
        col = self.doc.columns[column]
        start = self._write(label)
        sent = self._sentence_at(start, label, section, column, len(col.rows))
        body = self.sentence(text, section, column, len(col.rows))
        col.rows.append(ColumnRow(len(col.rows), start, self.pos - 1, label))
        col.end = self.pos
        return body

    def mention(self, kind: EntityKind, surface: str, sentence: int, name: str = "",
                nth: int = 0, **attrs) -> int:
        s = self.doc.sentences[sentence]
        text = "".join(self.parts)
        at = s.start
        for _ in range(nth + 1):
            at = text.index(surface, at, s.end) + (1 if _ < nth else 0)
        return self.doc.add_mention(Mention(kind, at, at + len(surface), sentence, surface,
                                            name=name, attrs=attrs, rule="hand"))

    def link(self, predicate: str, subject: int, obj: int | str, sentence: int) -> None:
        self.doc.relations.append(Relation(predicate, subject, obj, sentence, rule="hand"))

    def figure(self, role: QuantityRole, indicator: str, surface: str, sentence: int,
               value: str, unit: str, year: int, comparator=Comparator.EQ,
               measure=MeasureKind.LEVEL, subject: str | None = None) -> None:
        s = self.doc.sentences[sentence]
        at = "".join(self.parts).index(surface, s.start, s.end)
        self.doc.quantities.append(Quantity(role, indicator, Decimal(value), unit, at,
                                            at + len(surface), sentence, year=year,
                                            comparator=comparator, measure=measure,
                                            subject=subject, text=surface, rule="hand"))

    def done(self) -> Document:
        self.doc.text = "".join(self.parts)
        self.doc.source.text = self.doc.text
        for sec in self.doc.sections:  # a section runs until the next one of its level or above
            later = [o.start for o in self.doc.sections
                     if o.start > sec.start and o.level <= sec.level]
            sec.end = min(later, default=len(self.doc.text))
        return self.doc


T, O = QuantityRole.TARGET, QuantityRole.OBSERVATION
GROWTH = MeasureKind.GROWTH_RATE


def district_plan_report() -> Document:
    """Passages of data/000_*.txt (a district's 2023 plan execution and 2024 plan report)."""
    b = DocBuilder("000_418089195a410d60", "重庆市武隆区2023年国民经济和社会发展计划执行情况与2024年计划草案的报告",
                   "500156", 2023, 2024)
    title = b._sentence_at(b._write("重庆市武隆区2023年国民经济和社会发展计划"), "重庆市武隆区2023年国民经济和社会发展计划", None)
    b.mention(PL, "重庆市", title, adcode="500000", place_type="province")
    b.mention(PL, "武隆区", title, adcode="500156", place_type="district")
    review = b.section("一、2023年国民经济和社会发展计划执行情况", 1, year=2023, mode=SectionMode.REVIEW)
    s = b.sentence("全年实现地区生产总值273.46亿元、同比增长5.5%；其中，一、二、三产业增加值分别增长4.8%、6.3%和5.1%，三次产业结构比调整为12.1：38.1：49.8。", review)
    b.figure(O, "地区生产总值", "273.46亿元", s, "273.46", "亿元", 2023)
    b.figure(O, "地区生产总值", "增长5.5%", s, "5.5", "%", 2023, measure=GROWTH)
    plan = b.section("二、2024年国民经济和社会发展计划", 1, year=2024, mode=SectionMode.PLAN)
    focus = b.section("（一）聚焦重大战略，抓牢抓实发展新机遇。", 2, parent=plan, year=2024)
    point1 = b.section("一是深入推动成渝地区双城经济圈建设。", 3, parent=focus, year=2024)
    b.mention(S, "成渝地区双城经济圈", b.heading(point1), level="national")
    s = b.sentence("坚持从全局谋划一域、以一域服务全局，持续贯彻落实《成渝地区双城经济圈建设规划纲要》，加快推进白马航电枢纽建设、扩大武隆喀斯特国际旅游品牌影响力，确保纲要重点工作任务有序推进。", point1)
    baima = b.mention(P, "白马航电枢纽", s)
    wulong = b.mention(PL, "武隆", s, name="武隆区", adcode="500156", place_type="district")
    b.link("locatedIn", baima, wulong, s)
    b.link("inSector", baima, "energy", s)
    point2 = b.section("二是全面融入西部陆海新通道建设。", 3, parent=focus, year=2024)
    b.mention(S, "西部陆海新通道", b.heading(point2), level="national")
    s = b.sentence("聚焦铁路货运基地建设，加快推进南涪铁路鸭江货运站扩能提级，跻入西部陆海新通道重要节点。", point2)
    station = b.mention(P, "南涪铁路鸭江货运站", s)
    corridor = b.mention(S, "西部陆海新通道", s, level="national")
    b.link("implements", station, corridor, s)
    b.link("inSector", station, "transport", s)
    col = b.column("1", "落实重大战略2024年重点任务", focus)
    row = b.row(col, "成渝地区双城经济圈建设", "重大项目：白马航电、银盘抽水蓄能、傲得集团通用航空飞行器研发生产及配套产业项目等。", focus)
    b.mention(S, "成渝地区双城经济圈", row - 1, level="national")
    b.mention(P, "白马航电", row, name="白马航电枢纽")
    yinpan = b.mention(P, "银盘抽水蓄能", row)
    b.link("inSector", yinpan, "energy", row)
    s = b.row(col, "长江经济带高质量发展", "启动芙蓉湖生态修复治理与健康产业（EOD）综合开发项目策划包装。", focus)
    b.mention(S, "长江经济带", s - 1, level="national")
    lake = b.mention(P, "芙蓉湖生态修复治理与健康产业（EOD）综合开发项目", s)
    b.mention(PL, "芙蓉湖", s, place_type="lake")
    b.link("inSector", lake, "ecology", s)
    tourism = b.section("（二）坚持旅游引领，推动“三次创业”走向深入。", 2, parent=plan, year=2024)
    b.mention(S, "三次创业", b.heading(tourism), level="local")
    point = b.section("三是扩大增强旅游品牌世界影响力。", 3, parent=tourism, year=2024)
    s = b.sentence("高标准打造世界蜂疗大会川渝工作站、天尺坪国家级研学基地、重庆武隆乡村旅游学院等平台载体。", point)
    base = b.mention(P, "天尺坪国家级研学基地", s)
    tianchiping = b.mention(PL, "天尺坪", s, place_type="scenic_area")
    b.link("locatedIn", base, tianchiping, s)
    b.link("locatedIn", tianchiping, b.mention(PL, "武隆", s, name="武隆区", adcode="500156"), s)
    b.link("inSector", base, "tourism", s)
    demand = b.section("（三）全力扩大有效需求，推动经济持续回升向好。", 2, parent=plan, year=2024)
    s = b.sentence("加快推动建立全国统一大市场，深度融入国际国内双循环新格局，助力释放消费潜力，社会消费品零售总额增长7%。", demand)
    b.mention(S, "全国统一大市场", s, level="national")
    b.figure(T, "社会消费品零售总额", "增长7%", s, "7", "%", 2024, measure=GROWTH)
    s = b.sentence("实施“重点项目提速行动”，持续开展重点项目“赛马”比拼，开工建设银盘抽水蓄能、东山风电等27个重点项目。", demand)
    b.mention(P, "银盘抽水蓄能", s)
    wind = b.mention(P, "东山风电", s)
    b.link("inSector", wind, "energy", s)
    return b.done()


def district_work_report() -> Document:
    """Passages of data/002_*.txt (the same district's 2024 government work report)."""
    b = DocBuilder("002_772683341a126a07", "重庆市武隆区人民政府工作报告", "500156", 2023, 2024)
    review = b.section("一、2023年工作回顾", 1, year=2023, mode=SectionMode.REVIEW)
    s = b.sentence("实现地区生产总值273.46亿元、增长5.5%。", review)
    b.mention(PL, "武隆", b.sentence("新时代武隆改革发展任务特别繁重。", review), name="武隆区", adcode="500156")
    b.figure(O, "地区生产总值", "273.46亿元", s, "273.46", "亿元", 2023)
    b.figure(O, "地区生产总值", "增长5.5%", s, "5.5", "%", 2023, measure=GROWTH)
    s = b.sentence("融入“成渝地区双城经济圈”建设的70个重大项目完成年度投资70.78亿元;鸭江货运火车站完成(一期)扩容改建,“西部陆海新通道”货运实现“零突破”;", review)
    b.mention(S, "成渝地区双城经济圈", s, level="national")
    station = b.mention(P, "鸭江货运火车站", s)
    corridor = b.mention(S, "西部陆海新通道", s, level="national")
    b.link("implements", station, corridor, s)
    b.link("inSector", station, "transport", s)
    s = b.sentence("加快白马航电枢纽、国家体育综合基地、渝湘高铁武隆段、3条高速公路建设。", review)
    b.mention(P, "白马航电枢纽", s)
    rail = b.mention(P, "渝湘高铁武隆段", s)
    b.link("locatedIn", rail, b.mention(PL, "武隆", s, name="武隆区", adcode="500156"), s)
    b.link("inSector", rail, "transport", s)
    plan = b.section("二、2024年工作安排", 1, year=2024, mode=SectionMode.PLAN)
    s = b.sentence("预期目标是:地区生产总值增长6.5%;工业增加值、固定资产投资、社会消费品零售总额、一般公共预算收入分别增长7.5%、10%、8%、10%;全体居民人均可支配收入增长7%;居民消费价格涨幅3%以内;完成市上下达的主要节能减排任务。", plan)
    b.figure(T, "地区生产总值", "增长6.5%", s, "6.5", "%", 2024, measure=GROWTH)
    b.figure(T, "社会消费品零售总额", "8%", s, "8", "%", 2024, measure=GROWTH)
    b.figure(T, "居民消费价格", "3%以内", s, "3", "%", 2024, comparator=Comparator.LE, measure=GROWTH)
    return b.done()


A, GE, LE = Comparator.APPROX, Comparator.GE, Comparator.LE
COUNT, SHARE, REDUCTION = MeasureKind.COUNT, MeasureKind.SHARE, MeasureKind.REDUCTION
# national reports: year -> ([review sentence, its observations of the year before] ...,
#                             plan sentence, its targets for the year); figures as
# (indicator, surface, value, unit, comparator, measure)
NATIONAL = {
    2022: ([], ("今年发展主要预期目标是：国内生产总值增长5.5%左右；城镇新增就业1100万人以上，城镇调查失业率全年控制在5.5%以内；居民消费价格涨幅3%左右；居民收入增长与经济增长基本同步；进出口保稳提质，国际收支基本平衡；粮食产量保持在1.3万亿斤以上。", [
        ("国内生产总值", "增长5.5%左右", "5.5", "%", A, GROWTH),
        ("城镇新增就业", "1100万人以上", "1100", "万人", GE, COUNT),
        ("城镇调查失业率", "5.5%以内", "5.5", "%", LE, SHARE),
        ("居民消费价格", "涨幅3%左右", "3", "%", A, GROWTH)])),
    2023: ([("全年国内生产总值增长3%，城镇新增就业1206万人，年末城镇调查失业率降到5.5%，居民消费价格上涨2%。", [
        ("国内生产总值", "增长3%", "3", "%", Comparator.EQ, GROWTH),
        ("城镇新增就业", "1206万人", "1206", "万人", Comparator.EQ, COUNT),
        ("城镇调查失业率", "5.5%", "5.5", "%", Comparator.EQ, SHARE),
        ("居民消费价格", "上涨2%", "2", "%", Comparator.EQ, GROWTH)])], None),
    2024: ([], ("今年发展主要预期目标是：国内生产总值增长5%左右；城镇新增就业1200万人以上，城镇调查失业率5.5%左右；居民消费价格涨幅3%左右；居民收入增长和经济增长同步；国际收支保持基本平衡；粮食产量1.3万亿斤以上；单位国内生产总值能耗降低2.5%左右，生态环境质量持续改善。", [
        ("国内生产总值", "增长5%左右", "5", "%", A, GROWTH),
        ("城镇新增就业", "1200万人以上", "1200", "万人", GE, COUNT),
        ("城镇调查失业率", "5.5%左右", "5.5", "%", A, SHARE),
        ("居民消费价格", "涨幅3%左右", "3", "%", A, GROWTH),
        ("粮食产量", "1.3万亿斤以上", "1.3", "万亿斤", GE, MeasureKind.LEVEL),
        ("单位国内生产总值能耗", "降低2.5%左右", "2.5", "%", A, REDUCTION)])),
    2025: ([("主要表现在，经济规模稳步扩大，国内生产总值达到134.9万亿元、增长5%，增速居世界主要经济体前列，对全球经济增长的贡献率保持在30%左右。", [
        ("国内生产总值", "134.9万亿元", "134.9", "万亿元", Comparator.EQ, MeasureKind.LEVEL),
        ("国内生产总值", "增长5%", "5", "%", Comparator.EQ, GROWTH)]),
            ("就业、物价总体平稳，城镇新增就业1256万人、城镇调查失业率平均为5.1%，居民消费价格上涨0.2%。", [
        ("城镇新增就业", "1256万人", "1256", "万人", Comparator.EQ, COUNT),
        ("城镇调查失业率", "5.1%", "5.1", "%", Comparator.EQ, SHARE),
        ("居民消费价格", "上涨0.2%", "0.2", "%", Comparator.EQ, GROWTH)]),
            ("主要表现在，产业升级有新进展，粮食产量首次跃上1.4万亿斤新台阶、亩产提升10.1斤。", [
        ("粮食产量", "1.4万亿斤", "1.4", "万亿斤", Comparator.EQ, MeasureKind.LEVEL)])], None),
}


def national_report(year: int) -> Document:
    """Passages of the national government work report gwr-{year}."""
    b = DocBuilder(f"gwr-{year}", f"{year}年国务院政府工作报告", "中国", year - 1, year)
    review = b.section(f"一、{year - 1}年工作回顾", 1, year=year - 1, mode=SectionMode.REVIEW)
    b.mention(PL, "全国", b.sentence("全国各族人民团结奋斗。", review), name="中国",
              place_type="country")
    observed, planned = NATIONAL[year]
    for text, figs in observed:
        s = b.sentence(text, review)
        for indicator, surface, value, unit, cmp, measure in figs:
            b.figure(O, indicator, surface, s, value, unit, year - 1, cmp, measure)
    plan = b.section(f"二、{year}年经济社会发展总体要求和政策取向", 1, year=year, mode=SectionMode.PLAN)
    if planned:
        text, figs = planned
        s = b.sentence(text, plan)
        for indicator, surface, value, unit, cmp, measure in figs:
            b.figure(T, indicator, surface, s, value, unit, year, cmp, measure)
    return b.done()


def hand_documents() -> list[Document]:
    return [district_plan_report(), district_work_report()] + [national_report(y) for y in NATIONAL]


def ontology_quads():
    for name in ("kgo.ttl", "sectors.ttl"):
        path = ROOT / "ontology" / name
        if path.exists():
            for t in parse(path=str(path), format=RdfFormat.TURTLE):
                yield Quad(t.subject, t.predicate, t.object, ONTOLOGY_GRAPH)


def write_hand_store(path: Path) -> Path:
    docs = hand_documents()
    res = resolve(docs)

    def quads():
        yield from ontology_quads()
        for doc in docs:
            yield from rdf.document_quads(doc, res)
        yield from rdf.gazetteer_quads(res)

    with store.build_lock(path):
        store.write_version(path, quads())
    return path


@pytest.fixture(scope="session")
def hand_store_dir(tmp_path_factory) -> Path:
    return write_hand_store(tmp_path_factory.mktemp("hand") / "store")


@pytest.fixture(scope="session")
def hand_store(hand_store_dir):
    return store.open_store(hand_store_dir)


@pytest.fixture(scope="session")
def seed_store(store_dir):
    """The seed reports built by `kg build` (conftest's store_dir), opened read-only."""
    return store.open_store(store_dir)


# --- headless Chromium, for the pages --------------------------------------------------

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--window-size=1400,900"]


def chromium() -> str:
    import shutil
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    raise RuntimeError("no Chromium: install it with `apt-get install -y chromium` "
                       "(scripts/setup.sh --test does)")


def _run_chromium(args: list[str], tmp: Path) -> str:
    import subprocess
    out = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp}", *args],
                         capture_output=True, text=True, timeout=90)
    return out.stdout


def screenshot(url: str, png: Path, tmp: Path) -> Path:
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    _run_chromium(["--virtual-time-budget=5000", f"--screenshot={png}", url], tmp)
    return png


def rendered_dom(url: str, tmp: Path) -> str:
    return _run_chromium(["--virtual-time-budget=5000", "--dump-dom", url], tmp)


def colour_variety(png: Path) -> int:
    """How many distinct colours the picture has (a blank page has one or two)."""
    from PIL import Image
    with Image.open(png) as im:
        return len(set(im.convert("RGB").resize((350, 225)).getdata()))
