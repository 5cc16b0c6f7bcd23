"""Targets and observations read from real report passages (both seeds, national reports of
2010 and 2024, Zhejiang's 2025 provincial report) and from real parses of the seeds."""
import re
from decimal import Decimal
from pathlib import Path

import pytest

from kg.extract.quantities import extract_quantities
from kg.ingest import read_document
from kg.model import (Comparator, Document, MeasureKind, QuantityRole, Section, SectionMode,
                      Sentence, SourceText)
from kg.structure import parse_document

DATA = Path(__file__).resolve().parents[1] / "data"


def passage_doc(text: str, year: int | None, mode: SectionMode,
                review: list[int] = (2023,), plan: list[int] = (2024,)) -> Document:
    """One section with a year and mode; sentences split at 。！？."""
    doc = Document(source=SourceText(path=Path("passage.txt"), text=text, format="txt"), text=text,
                   review_years=list(review), plan_years=list(plan))
    doc.sections.append(Section(0, 1, 0, len(text), "", 0, year=year, mode=mode))
    for m in re.finditer(r"[^。！？]+[。！？]?", text):
        doc.sentences.append(Sentence(len(doc.sentences), m.start(), m.end(), section=0))
    return doc


def read(text, year=2023, mode=SectionMode.REVIEW, **kw):
    doc = extract_quantities(passage_doc(text, year, mode, **kw))
    return [(q.indicator, q.value, q.unit) for q in doc.quantities], doc.quantities


def test_level_and_growth_of_one_indicator():
    # seed 000, review part
    got, qs = read("全年实现地区生产总值273.46亿元、同比增长5.5%。")
    assert got == [("地区生产总值", Decimal("273.46"), "亿元"), ("地区生产总值", Decimal("5.5"), "%")]
    assert [q.measure for q in qs] == [MeasureKind.LEVEL, MeasureKind.GROWTH_RATE]
    assert all(q.role is QuantityRole.OBSERVATION and q.year == 2023 for q in qs)
    assert qs[0].start < qs[0].end and qs[0].text == "273.46亿元"


def test_respectively_maps_values_to_enumerated_indicators():
    # seed 000 and seed 002
    got, _ = read("一、二、三产业增加值分别增长4.8%、6.3%和5.1%。")
    assert [g[0] for g in got] == ["一产业增加值", "二产业增加值", "三产业增加值"]
    assert [g[1] for g in got] == [Decimal("4.8"), Decimal("6.3"), Decimal("5.1")]
    got, _ = read("规上工业增加值、固定资产投资、一般公共预算收入、社会消费品零售总额分别增长7%、13.8%、33.7%、7.5%。")
    assert [g[0] for g in got] == ["规上工业增加值", "固定资产投资", "一般公共预算收入", "社会消费品零售总额"]


def test_respectively_without_subject_uses_the_values_before():
    # seed 000: 较2019年分别增长 refers to the three values just read; 2019 is a baseline
    got, qs = read("景区接待持票游客545.7万人、其中境外游客9.1万人次，实现景区收入5.2亿元，"
                   "较2019年分别增长3.2%、2.6%、7.1%，均创历史新高。")
    growth = [(g[0], g[1]) for g in got if g[2] == "%"]
    assert growth == [("景区接待持票游客", Decimal("3.2")), ("境外游客", Decimal("2.6")),
                      ("景区收入", Decimal("7.1"))]
    assert {q.year for q in qs} == {2023}


def test_both_applies_one_value_to_each_subject():
    # seed 000: 均增长10%以上
    got, qs = read("2023年累计接待游客4494万人次、旅游综合收入217亿元，均增长10%以上。")
    growth = [(q.indicator, q.comparator) for q in qs if q.unit == "%"]
    assert growth == [("接待游客", Comparator.GE), ("旅游综合收入", Comparator.GE)]


def test_national_targets_with_comparators_in_plan_section():
    # national report 2010, 今年 targets
    _, qs = read("国内生产总值增长8%左右；城镇新增就业900万人以上，城镇登记失业率控制在4.6%以内；"
                 "居民消费价格涨幅3%左右。", year=2010, mode=SectionMode.PLAN, review=[2009], plan=[2010])
    assert [(q.indicator, q.value, q.comparator.value) for q in qs] == [
        ("国内生产总值", Decimal("8"), "approx"), ("城镇新增就业", Decimal("900"), "ge"),
        ("城镇登记失业率", Decimal("4.6"), "le"), ("居民消费价格", Decimal("3"), "approx")]
    assert all(q.role is QuantityRole.TARGET and q.year == 2010 for q in qs)
    assert qs[2].measure is MeasureKind.SHARE and qs[0].measure is MeasureKind.GROWTH_RATE


def test_growth_values_after_two_levels_go_to_both():
    # national report 2010: 实际增长9.8%和8.5% after two incomes
    _, qs = read("城镇居民人均可支配收入17175元，农村居民人均纯收入5153元，实际增长9.8%和8.5%。",
                 year=2009, review=[2009], plan=[2010])
    growth = [(q.indicator, q.value) for q in qs if q.unit == "%"]
    assert growth == [("城镇居民人均可支配收入", Decimal("9.8")), ("农村居民人均纯收入", Decimal("8.5"))]


def test_percentage_points_and_reduction():
    # seed 000 plan and seed 002 plan
    _, qs = read("园区综合融资成本下降0.25个百分点。", year=2024, mode=SectionMode.PLAN)
    assert (qs[0].indicator, qs[0].unit, qs[0].measure) == ("园区综合融资成本", "个百分点", MeasureKind.REDUCTION)
    _, qs = read("居民消费价格指数下降0.5%，城镇登记失业率2.71%。")
    assert [(q.indicator, q.measure) for q in qs] == [
        ("居民消费价格指数", MeasureKind.REDUCTION), ("城镇登记失业率", MeasureKind.SHARE)]


def test_counted_noun_after_the_number():
    # seed 000 plan: 引进10家区级首店 ; 完成263栋C级危房全覆盖智慧监测
    got, _ = read("引进10家区级首店。", year=2024, mode=SectionMode.PLAN)
    assert got == [("引进区级首店", Decimal("10"), "家")]
    got, _ = read("力争突破招引一个特级资质建筑企业。", year=2024, mode=SectionMode.PLAN)
    assert got == [("招引特级资质建筑企业", Decimal("1"), "个")]


def test_provincial_report_targets_and_respectively():
    # Zhejiang 2025: 主要预期目标 and 家电、新能源汽车零售额分别增长
    _, qs = read("主要预期目标为：生产总值增长5.5%左右，城镇调查失业率控制在5%以内，居民消费价格涨幅2%左右。",
                 year=2025, mode=SectionMode.PLAN, review=[2024], plan=[2025])
    assert [(q.indicator, q.value, q.year, q.role.value) for q in qs] == [
        ("生产总值", Decimal("5.5"), 2025, "target"), ("城镇调查失业率", Decimal("5"), 2025, "target"),
        ("居民消费价格", Decimal("2"), 2025, "target")]
    got, _ = read("争取设备更新资金95亿元，完成工业设备更新14.2万台（套）、电梯更新10025台。",
                  year=2024, review=[2024], plan=[2025])
    assert got == [("争取设备更新资金", Decimal("95"), "亿元"), ("工业设备更新", Decimal("14.2"), "万台（套）"),
                   ("电梯更新", Decimal("10025"), "台")]


def test_explicit_future_year_makes_a_target_in_a_review_section():
    _, qs = read("到2025年，常住人口城镇化率达到60%。")
    assert (qs[0].year, qs[0].role) == (2025, QuantityRole.TARGET)
    _, qs = read("2023年新增规上工业企业9家。", year=2024, mode=SectionMode.PLAN)
    assert (qs[0].year, qs[0].role) == (2023, QuantityRole.OBSERVATION)


def test_lists_of_indicators_and_milestones_are_not_quantities():
    # seed 000: 33项指标 counts the items of a list; seed 002: 突破600亿元大关 is a milestone
    got, _ = read("区十九届人大第三次会议批准的2023年计划草案明确的33项指标总体完成情况：森林覆盖率、城镇登记失业率15项指标如期完成。")
    assert got == []
    got, _ = read("金融机构存贷款规模突破600亿元大关、增长10.1%。")
    assert got == [("金融机构存贷款规模", Decimal("10.1"), "%")]


def test_durations_are_not_indicators():
    # seed 000 plan: a rule's time limit
    got, _ = read("对下达计划3个月后未开工的项目调整资金。", year=2024, mode=SectionMode.PLAN)
    assert got == []


@pytest.fixture(scope="module")
def seed_000():
    return extract_quantities(parse_document(read_document(DATA / "000_418089195a410d60.txt")))


def test_real_parse_review_part_gives_observations_of_the_review_year(seed_000):
    gdp = [q for q in seed_000.quantities if q.indicator == "地区生产总值"]
    assert (gdp[0].value, gdp[0].unit, gdp[0].year, gdp[0].role) == (
        Decimal("273.46"), "亿元", 2023, QuantityRole.OBSERVATION)


def test_real_parse_plan_part_gives_targets_of_the_plan_year(seed_000):
    income = [q for q in seed_000.quantities if q.indicator == "旅游综合收入" and q.year == 2024]
    assert [(q.value, q.unit, q.comparator, q.role) for q in income] == [
        (Decimal("220"), "亿元", Comparator.GE, QuantityRole.TARGET)]
    ratio = [q for q in seed_000.quantities if q.unit == "：1"]
    assert [(q.indicator, q.value, q.role) for q in ratio] == [
        ("城乡居民收入比", Decimal("2.35"), QuantityRole.TARGET)]


def test_real_parse_of_seed_002_offsets_point_at_the_number():
    doc = extract_quantities(parse_document(read_document(DATA / "002_772683341a126a07.txt")))
    assert len(doc.quantities) > 200
    for q in doc.quantities[:50]:
        assert doc.text[q.start:q.end] == q.text
        s = doc.sentences[q.sentence]
        assert s.start <= q.start and q.end <= s.end


def test_cumulative_value_after_a_new_one_is_the_stock():
    # Zhejiang 2025: 新增全国重点实验室18家、累计38家
    got, _ = read("新增全国重点实验室18家、累计38家。", year=2024, review=[2024], plan=[2025])
    assert got == [("新增全国重点实验室", Decimal("18"), "家"), ("全国重点实验室（累计）", Decimal("38"), "家")]


def test_change_against_last_year_belongs_to_the_indicator_before():
    # national report 1995: 粮食总产量4445亿公斤，比上年减产120亿公斤 ; 高等级公路 is not an enumeration
    got, qs = read("粮食总产量4445亿公斤，比上年减产120亿公斤；高等级公路1900公里。",
                   year=1994, review=[1994], plan=[1995])
    assert got == [("粮食总产量", Decimal("4445"), "亿公斤"), ("粮食总产量", Decimal("120"), "亿公斤"),
                   ("高等级公路", Decimal("1900"), "公里")]
    assert qs[1].measure is MeasureKind.OTHER


# --- counts that only measure a list, and figures that are not the report's own ---

def plan(text, **kw):
    return read(text, year=2024, mode=SectionMode.PLAN, **kw)


def test_counts_of_listed_or_ongoing_work_are_not_targets():
    # seed 000 plan: scope of ongoing work, named projects totalled, abstract list nouns
    got, _ = plan("聚焦特色产业，强化种业创质、农产品深加工等应用技术攻关，选派区级科技特派员100名以上，"
                  "持续推进全区184个行政村帮扶全覆盖，为全区产业发展提供扎实科技创新支撑。")
    assert got == [("选派区级科技特派员", Decimal("100"), "名")]
    got, _ = plan("开工建设银盘抽水蓄能、东山风电等27个重点项目，加快建设页岩气勘探开发、武隆至道真高速公路重庆段"
                  "等33个重点项目，带动固定资产投资增长10%以上。")
    assert got == [("固定资产投资", Decimal("10"), "%")]
    got, _ = plan("聚焦“品牌、项目、基地、活动、主体、贡献、特色”7个要素，做深“+旅游”大文章。")
    assert got == []
    got, _ = plan("扎实推进自然资源确权登记和生态产品普查、健全生态保护补偿制度等10项具体工作任务。")
    assert got == []


def test_counts_set_as_goals_stay_targets():
    # seed 000 plan: 拟 makes a goal of 推进实施; 新增 / 以上 are goals whatever the verb
    got, _ = plan("区级重点项目方面：拟推进实施重点项目78个、总投资973.5亿元。")
    assert got[0] == ("重点项目", Decimal("78"), "个")
    got, _ = plan("推进特殊困难老年人家庭适老化改造300户以上。")
    assert got == [("特殊困难老年人家庭适老化改造", Decimal("300"), "户")]
    got, _ = plan("开展龙城大厦、糖酒小区等5个小区的居民配电设施改造。")
    assert got == [("小区", Decimal("5"), "个")]


def test_review_counts_of_lists_reported_done_or_named_projects_stay():
    # seed 000 review: a list reported done; A等28个项目完成投资 is a reported figure
    got, _ = read("债务风险等级“脱红转橙”，10项化债任务全部完成，累计化债27.12亿元。")
    assert ("化债任务", Decimal("10"), "项") in got
    got, _ = read("白马航电枢纽等28个市级重点项目完成投资23.5亿元。")
    assert got[0] == ("市级重点项目", Decimal("28"), "个")
    # seed 002 review: tasks moving on schedule only describe the work
    got, _ = read("“长江经济带高质量发展”49项任务序时推进。")
    assert got == []


def test_provincial_reform_items_introduced_are_counted():
    # Jiangsu 2025: 推出 reports a result, unlike 推进
    got, _ = read("推出85项年度营商环境改革事项，“高效办成一件事”重点事项清单全面落地。",
                  year=2024, review=[2024], plan=[2025])
    assert got[0] == ("年度营商环境改革事项", Decimal("85"), "项")


def test_the_base_of_a_rate_is_not_a_count():
    # seed 000 review: 5个国控断面 is the population the 100% is measured on
    got, _ = read("境内5个国控水质监测断面和2个市控水质监测断面地表水水质优良（达到或优于Ⅲ类）比例达100%。")
    assert [(g[1], g[2]) for g in got] == [(Decimal("100"), "%")]


def test_frequency_in_passing_and_set_membership_are_not_counts():
    # seed 000 review
    got, _ = read("武隆旅游景区封闭式基础设施证券投资基金（REITs）试点项目于国家发改委开门办公会进行2次推介。")
    assert got == []
    got, _ = read("仙女山街道荆竹村乡村振兴以工代赈示范工程被纳入市级10个乡村振兴以工代赈综合示范工程之一。")
    assert got == []


def test_an_external_forecast_is_not_a_target():
    # seed 000 plan: the IMF's figure is background
    got, _ = plan("不确定性进一步增加，IMF预计2024年全球经济增长2.9%，仍远低于疫情前水平。")
    assert got == []


def test_a_size_class_qualifies_the_count_after_it():
    # Anhui 2025 review and Fujian 2025 plan: 10亿元以上 is a class of projects, not a value
    got, _ = read("扩大有效益的投资，新开工10亿元以上制造业项目248个。", year=2024, review=[2024], plan=[2025])
    assert got == [("新开工10亿元以上制造业项目", Decimal("248"), "个")]
    got, _ = read("引进落地总投资10亿元以上项目50个。", year=2025, mode=SectionMode.PLAN,
                  review=[2024], plan=[2025])
    assert [(g[1], g[2]) for g in got] == [(Decimal("50"), "个")]


def test_counted_noun_boundaries():
    # seed 000: the head after 等; a time word ends the noun; 项目建设 counts projects
    _, qs = plan("新引进1—2家银行、保险等金融机构在武设立分支机构。")
    assert [(q.indicator, q.value, q.value_max) for q in qs] == [("新引进金融机构", Decimal("1"), Decimal("2"))]
    got, _ = read("页岩气勘探开发等103个区级重点项目全年完成投资78.9亿元。")
    assert got[0] == ("区级重点项目", Decimal("103"), "个")
    got, _ = read("支持高标准农田建设等5个领域、5个项目建设。")
    assert got == [("项目", Decimal("5"), "个")]
    got, _ = read("强化氛围营造，博献实业等20个民营企业评选为区级“行业领先企业”。")
    assert got == [("区级“行业领先企业”", Decimal("20"), "个")]
    got, _ = plan("开通鸭江火车站80万吨货运业务，加快扩能改建130万吨货运业务的前期工作。")
    assert got == [("货运业务", Decimal("80"), "万吨")]


def test_parallel_items_share_the_indicator_head():
    # seed 000 review: two rates, one value
    got, _ = read("城乡养老保险、城乡医疗保险参保率稳定保持在95%以上。")
    assert [g[0] for g in got] == ["城乡养老保险参保率", "城乡医疗保险参保率"]


# --- years: five-year plans, 今年 / 去年 ---

def test_five_year_plan_periods_give_their_last_year():
    # national reports 2006 and 2016
    _, qs = read("《国民经济和社会发展第十一个五年规划纲要》提出了“十一五”期间单位国内生产总值能源消耗降低20%左右、"
                 "主要污染物排放总量减少10%等目标。", year=2005, review=[2005], plan=[2006])
    assert [(q.indicator, q.value, q.year, q.role, q.measure) for q in qs] == [
        ("单位国内生产总值能源消耗", Decimal("20"), 2010, QuantityRole.TARGET, MeasureKind.REDUCTION),
        ("主要污染物排放总量", Decimal("10"), 2010, QuantityRole.TARGET, MeasureKind.REDUCTION)]
    _, qs = read("“十三五”时期经济年均增长保持在6.5%以上。", year=None, mode=SectionMode.OTHER,
                 review=[2015], plan=[2016])
    assert (qs[0].year, qs[0].role, qs[0].comparator) == (2020, QuantityRole.TARGET, Comparator.GE)


def test_this_year_and_last_year_follow_the_report():
    # national report 2024, in a part without a year of its own
    _, qs = read("今年发展主要预期目标是：国内生产总值增长5%左右。", year=None, mode=SectionMode.OTHER,
                 review=[2023], plan=[2024])
    assert (qs[0].indicator, qs[0].year, qs[0].role) == ("国内生产总值", 2024, QuantityRole.TARGET)
    _, qs = read("去年国内生产总值超过126万亿元，增长5.2%。", year=None, mode=SectionMode.OTHER,
                 review=[2023], plan=[2024])
    assert [(q.indicator, q.year, q.role) for q in qs] == [
        ("国内生产总值", 2023, QuantityRole.OBSERVATION)] * 2


def test_five_year_plan_end_year():
    from kg.extract.quantities import five_year_plan_end
    assert five_year_plan_end("十四") == 2025
    assert five_year_plan_end("十一") == 2010
    assert five_year_plan_end("九") == 2000


# --- the whole extraction chain on seed 000 (mentions from the extractors before) ---

@pytest.fixture(scope="module")
def seed_000_chain():
    from kg.pipeline import COMPONENTS, process_file
    res = process_file(DATA / "000_418089195a410d60.txt",
                       components=[c for c in COMPONENTS if c[0] != "links"])
    return res.document


def test_a_figure_repeated_in_a_summary_is_one_fact(seed_000_chain):
    facts = [q for q in seed_000_chain.quantities
             if q.indicator == "市级重点项目" and q.value == 28 and q.year == 2023]
    assert len(facts) == 1


def test_one_named_facility_is_not_a_count(seed_000_chain):
    # 新建双河镇生活垃圾中转站1座: a project, already a Project entity
    assert not [q for q in seed_000_chain.quantities if q.unit == "座" and q.value == 1]
    assert any(q.indicator == "新创建生活垃圾分类示范村" and q.value == 31 for q in seed_000_chain.quantities)


def test_the_from_value_of_a_change_is_no_fact():  # national 2015, plan part
    got, qs = read("企业退休人员基本养老金标准提高10%。城乡居民基础养老金标准统一由55元提高到70元。"
                   "完善城乡居民基本医保，财政补助标准由每人每年320元提高到380元，基本实现居民医疗费用省内直接结算。",
                   year=2015, mode=SectionMode.PLAN, review=(2014,), plan=(2015,))
    assert ("城乡居民基础养老金标准", Decimal("70"), "元") in got
    assert ("财政补助标准", Decimal("380"), "元") in got
    assert not any(v in (Decimal("55"), Decimal("320")) for _, v, _ in got)  # baselines
    got, qs = read("今年拟安排财政赤字1.62万亿元，比去年增加2700亿元，赤字率从去年的2.1%提高到2.3%。",
                   year=None, mode=SectionMode.PLAN, review=(2014,), plan=(2015,))
    rate = [q for q in qs if q.unit == "%"]
    assert [(q.indicator, q.value, q.year, q.role) for q in rate] == [
        ("赤字率", Decimal("2.3"), 2015, QuantityRole.TARGET)]
