"""A small, real knowledge graph written by hand in the RDF shape kg/rdf.py produces.

Passages come from real reports: a district's 2024 plan report and government work
report (data/000_*, data/002_*) and the national government work reports of 2023 and
2024 (corpus). Offsets are computed from the passages, so they are exact. Used by
tests/test_validate.py and tests/test_queries.py.
"""
from __future__ import annotations

from decimal import Decimal

from pyoxigraph import Literal, NamedNode, Quad, Store

from kg.ontology import load_ontology_quads
from kg.vocab import (BASE, DCTERMS, KGO, RDF, RDFS, SKOS, XSD, document_part_iri, entity_iri,
                      graph_iri, iri_key)

GAZETTEER_GRAPH = NamedNode(BASE + "graph/gazetteer")


def zh(text: str) -> Literal:
    return Literal(text, language="zh")


def integer(n: int) -> Literal:
    return Literal(str(n), datatype=XSD.integer)


def gyear(n: int) -> Literal:
    return Literal(str(n), datatype=XSD.gYear)


# Entities (IRIs minted by kg.vocab, as the build does)
CHONGQING = entity_iri("place", "500000")
WULONG = entity_iri("place", "500156")
CHINA = entity_iri("place", iri_key("中国"))
CHENGYU = entity_iri("strategy", iri_key("成渝地区双城经济圈建设"))
LUHAI = entity_iri("strategy", iri_key("西部陆海新通道"))
YANGTZE = entity_iri("strategy", iri_key("长江经济带高质量发展"))
BAIMA_HYDRO = entity_iri("project", iri_key("白马航电"))
YINPAN = entity_iri("project", iri_key("银盘抽水蓄能"))
YAJIANG_STATION = entity_iri("project", iri_key("鸭江火车站"))
GDP = entity_iri("indicator", iri_key("地区生产总值"))
NATIONAL_GDP = entity_iri("indicator", iri_key("国内生产总值"))
CPI = entity_iri("indicator", iri_key("居民消费价格"))
TOURISM_INCOME = entity_iri("indicator", iri_key("旅游综合收入"))
ENERGY = entity_iri("sector", "energy")
TRANSPORT = entity_iri("sector", "transport")
LOGISTICS = entity_iri("sector", "logistics")


class SampleDocument:
    """Writes one document's quads into its own named graph, like kg/rdf.py."""

    def __init__(self, store: Store, key: str, source_file: str, title: str, *,
                 review_years=(), plan_years=(), about: NamedNode | None = None):
        self.store, self.key = store, key
        self.graph = graph_iri(key)
        self.iri = entity_iri("document", key)
        self.text = ""
        self.counts: dict[str, int] = {}
        self.described: set[NamedNode] = set()
        self.add(self.iri, RDF.type, KGO.Document)
        self.add(self.iri, KGO.sourceFile, Literal(source_file))
        self.add(self.iri, KGO["format"], Literal("txt"))
        self.add(self.iri, DCTERMS.title, zh(title))
        for y in review_years:
            self.add(self.iri, KGO.reviewYear, gyear(y))
        for y in plan_years:
            self.add(self.iri, KGO.planYear, gyear(y))
        if about is not None:
            self.add(self.iri, KGO.aboutPlace, about)
        self.section = self.part("section")
        self.add(self.section, RDF.type, KGO.Section)
        self.add(self.section, KGO.inDocument, self.iri)
        self.add(self.section, KGO.sectionLevel, integer(1))
        self.add(self.section, KGO.heading, zh(title))
        self.add(self.section, KGO.sectionMode, Literal("plan"))
        self.add(self.iri, KGO.hasSection, self.section)
        self.spans: dict[NamedNode, tuple[int, str]] = {}

    def add(self, s, p, o) -> None:
        self.store.add(Quad(s, p, o, self.graph))

    def part(self, kind: str) -> NamedNode:
        n = self.counts.get(kind, 0)
        self.counts[kind] = n + 1
        return document_part_iri(self.key, kind, n)

    def sentence(self, text: str) -> NamedNode:
        start = len(self.text)
        self.text += text
        s = self.part("sentence")
        self.add(s, RDF.type, KGO.Sentence)
        self.add(s, KGO.text, zh(text))
        self.add(s, KGO.startOffset, integer(start))
        self.add(s, KGO.endOffset, integer(start + len(text)))
        self.add(s, KGO.inSection, self.section)
        self.add(s, KGO.inDocument, self.iri)
        self.spans[s] = (start, text)
        return s

    def close(self) -> None:
        self.add(self.section, KGO.startOffset, integer(0))
        self.add(self.section, KGO.endOffset, integer(len(self.text)))
        self.add(self.iri, KGO.textLength, integer(len(self.text)))

    def mention(self, sentence: NamedNode, surface: str, thing: NamedNode,
                kind: str = "mention") -> NamedNode:
        start, text = self.spans[sentence]
        offset = start + text.index(surface)
        m = self.part(kind)
        self.add(m, RDF.type, KGO.Mention)
        self.add(m, KGO.inDocument, self.iri)
        self.add(m, KGO.inSentence, sentence)
        self.add(m, KGO.surface, zh(surface))
        self.add(m, KGO.startOffset, integer(offset))
        self.add(m, KGO.endOffset, integer(offset + len(surface)))
        self.add(m, KGO.mentionOf, thing)
        self.add(m, KGO.extractedBy, Literal("rule"))
        self.add(thing, KGO.hasMention, m)
        return m

    def entity(self, iri: NamedNode, cls: NamedNode, label: str, sentence: NamedNode,
               surface: str | None = None, **attrs: str) -> NamedNode:
        if iri not in self.described:
            self.described.add(iri)
            self.add(iri, RDF.type, cls)
            self.add(iri, RDFS.label, zh(label))
            self.add(iri, KGO.mentionedIn, self.iri)
            for prop, value in attrs.items():
                self.add(iri, KGO[prop], Literal(value))
        surface = surface or label
        if surface != label:
            self.add(iri, SKOS.altLabel, zh(surface))
        self.mention(sentence, surface, iri)
        self.add(self.section, KGO.mentions, iri)
        return iri

    def link(self, subject: NamedNode, predicate: NamedNode, obj: NamedNode,
             sentence: NamedNode) -> NamedNode:
        self.add(subject, predicate, obj)
        a = self.part("assertion")
        self.add(a, RDF.type, KGO.Assertion)
        self.add(a, RDF.subject, subject)
        self.add(a, RDF.predicate, predicate)
        self.add(a, RDF.object, obj)
        self.add(a, KGO.evidence, sentence)
        self.add(a, KGO.extractedBy, Literal("rule"))
        return a

    def quantity(self, role: str, indicator: NamedNode, indicator_label: str, year: int,
                 value: str, unit: str, sentence: NamedNode, surface: str, *,
                 comparator: str = "eq", measure: str = "level",
                 ref_area: NamedNode | None = None) -> NamedNode:
        n = self.counts.get(role, 0) + 1
        self.counts[role] = n
        t = entity_iri(role, f"{self.key}-{n}")
        if indicator not in self.described:
            self.described.add(indicator)
            self.add(indicator, RDF.type, KGO.Indicator)
            self.add(indicator, RDFS.label, zh(indicator_label))
            self.add(indicator, KGO.mentionedIn, self.iri)
        self.add(t, RDF.type, KGO.Target if role == "target" else KGO.Observation)
        self.add(t, KGO.indicator, indicator)
        self.add(t, KGO.year, gyear(year))
        self.add(t, KGO.value, Literal(str(Decimal(value)), datatype=XSD.decimal))
        self.add(t, KGO.unit, Literal(unit))
        self.add(t, KGO.comparator, Literal(comparator))
        self.add(t, KGO.measureKind, Literal(measure))
        self.add(t, RDFS.label, zh(f"{indicator_label} {year} {surface}"))
        if ref_area is not None:
            self.add(t, KGO.refArea, ref_area)
        self.add(t, KGO.mentionedIn, self.iri)
        self.add(t, KGO.evidence, sentence)
        self.mention(sentence, surface, t, kind="quantity")
        return t


def place(store: Store, iri: NamedNode, label: str, code: str, place_type: str,
          parent: NamedNode | None = None) -> None:
    """A gazetteer place: no document mentions it, so it lives in the gazetteer graph."""
    for p, o in ((RDF.type, KGO.Place), (RDFS.label, zh(label)), (KGO.adminCode, Literal(code)),
                 (KGO.placeType, Literal(place_type))):
        store.add(Quad(iri, p, o, GAZETTEER_GRAPH))
    if parent is not None:
        store.add(Quad(iri, KGO.locatedIn, parent, GAZETTEER_GRAPH))


# Facts the tests look up by name
FACTS: dict[str, NamedNode] = {}


def build_sample_store(with_ontology: bool = True) -> Store:
    store = Store()
    if with_ontology:
        store.extend(load_ontology_quads())
    place(store, CHONGQING, "重庆市", "500000", "province")
    store.add(Quad(WULONG, KGO.locatedIn, CHONGQING, GAZETTEER_GRAPH))

    # A district's plan report: 专栏1 "落实重大战略", review 2023, plan 2024
    d = SampleDocument(store, "000_418089195a410d60", "000_418089195a410d60.txt",
                       "重庆市武隆区2023年国民经济和社会发展计划执行情况与2024年计划草案的报告",
                       review_years=[2023], plan_years=[2024], about=WULONG)
    s0 = d.sentence("全年实现地区生产总值273.46亿元、同比增长5.5%；")
    FACTS["gdp_2023_level"] = d.quantity("observation", GDP, "地区生产总值", 2023, "273.46", "亿元",
                                         s0, "273.46亿元", ref_area=WULONG)
    FACTS["gdp_2023_growth"] = d.quantity("observation", GDP, "地区生产总值", 2023, "5.5", "%",
                                          s0, "增长5.5%", measure="growth_rate", ref_area=WULONG)
    s1 = d.sentence("成渝地区双城经济圈建设")
    d.entity(CHENGYU, KGO.Strategy, "成渝地区双城经济圈建设", s1, level="national", strategyKind="strategy")
    s2 = d.sentence("重大项目：白马航电、银盘抽水蓄能、傲得集团通用航空飞行器研发生产及配套产业项目等。")
    d.entity(BAIMA_HYDRO, KGO.Project, "白马航电", s2, status="under_construction")
    d.entity(YINPAN, KGO.Project, "银盘抽水蓄能", s2, status="planned")
    FACTS["baima_implements"] = d.link(BAIMA_HYDRO, KGO.implements, CHENGYU, s2)
    d.link(YINPAN, KGO.implements, CHENGYU, s2)
    d.link(BAIMA_HYDRO, KGO.inSector, ENERGY, s2)
    d.link(YINPAN, KGO.inSector, ENERGY, s2)
    s3 = d.sentence("开通鸭江火车站80万吨货运业务，盘活客运站资产，加快扩能改建130万吨货运业务的前期工作；")
    d.entity(YAJIANG_STATION, KGO.Project, "鸭江火车站", s3, status="operating")
    FACTS["station_in_wulong"] = d.link(YAJIANG_STATION, KGO.locatedIn, WULONG, s3)
    d.link(YAJIANG_STATION, KGO.inSector, TRANSPORT, s3)
    d.link(YAJIANG_STATION, KGO.inSector, LOGISTICS, s3)
    s4 = d.sentence("推动南涪铁路鸭江货运站纳入西部陆海新通道重要节点。")
    d.entity(LUHAI, KGO.Strategy, "西部陆海新通道", s4, level="national", strategyKind="strategy")
    s5 = d.sentence("长江经济带高质量发展")
    d.entity(YANGTZE, KGO.Strategy, "长江经济带高质量发展", s5, level="national", strategyKind="strategy")
    s6 = d.sentence("新培育“规上”文旅企业5家，带动文化、旅游产业增加值分别增长10%、8%，"
                    "全年旅游人次增长10%，旅游综合收入220亿元以上")
    FACTS["tourism_income_2024"] = d.quantity("target", TOURISM_INCOME, "旅游综合收入", 2024, "220", "亿元",
                                              s6, "220亿元以上", comparator="ge", ref_area=WULONG)
    d.entity(WULONG, KGO.Place, "武隆区", d.sentence("重庆市武隆区发展和改革委员会"), placeType="district",
             adminCode="500156")
    d.close()

    # The same district's government work report of 2024: its targets for 2024
    w = SampleDocument(store, "002_772683341a126a07", "002_772683341a126a07.txt",
                       "重庆市武隆区人民政府工作报告", review_years=[2023], plan_years=[2024],
                       about=WULONG)
    t0 = w.sentence("融入“成渝地区双城经济圈”建设")
    w.entity(CHENGYU, KGO.Strategy, "成渝地区双城经济圈建设", t0, surface="成渝地区双城经济圈",
             level="national", strategyKind="strategy")
    t1 = w.sentence("预期目标是:地区生产总值增长6.5%;")
    FACTS["gdp_2024_target"] = w.quantity("target", GDP, "地区生产总值", 2024, "6.5", "%", t1,
                                          "增长6.5%", measure="growth_rate", ref_area=WULONG)
    t2 = w.sentence("居民消费价格涨幅3%以内;")
    w.quantity("target", CPI, "居民消费价格", 2024, "3", "%", t2, "涨幅3%以内", comparator="le",
               measure="growth_rate", ref_area=WULONG)
    t3 = w.sentence("全年接待游客4494万人次、旅游综合收入217亿元,均增长10%以上,")
    FACTS["tourism_income_2023"] = w.quantity("observation", TOURISM_INCOME, "旅游综合收入", 2023, "217",
                                              "亿元", t3, "217亿元", ref_area=WULONG)
    w.entity(WULONG, KGO.Place, "武隆区", w.sentence("重庆市武隆区人民政府工作报告"), placeType="district",
             adminCode="500156")
    w.close()

    # National reports: the 2023 target for GDP growth and the 2023 result reported in 2024
    n23 = SampleDocument(store, "gwr-2023", "gwr-2023.txt", "2023年政府工作报告",
                         review_years=[2022], plan_years=[2023], about=CHINA)
    u0 = n23.sentence("今年发展主要预期目标是：国内生产总值增长5%左右；")
    n23.entity(CHINA, KGO.Place, "中国", n23.sentence("2023年中华人民共和国国务院政府工作报告"),
               surface="中华人民共和国", placeType="country")
    FACTS["national_target_2023"] = n23.quantity(
        "target", NATIONAL_GDP, "国内生产总值", 2023, "5", "%", u0, "增长5%左右",
        comparator="approx", measure="growth_rate", ref_area=CHINA)
    n23.close()
    n24 = SampleDocument(store, "gwr-2024", "gwr-2024.txt", "2024年政府工作报告",
                         review_years=[2023], plan_years=[2024], about=CHINA)
    v0 = n24.sentence("国内生产总值超过126万亿元，增长5.2%，增速居世界主要经济体前列。")
    FACTS["national_actual_2023"] = n24.quantity(
        "observation", NATIONAL_GDP, "国内生产总值", 2023, "5.2", "%", v0, "增长5.2%",
        measure="growth_rate", ref_area=CHINA)
    n24.quantity("observation", NATIONAL_GDP, "国内生产总值", 2023, "126", "万亿元", v0, "超过126万亿元",
                 comparator="ge", ref_area=CHINA)
    n24.close()
    return store
