"""Parsing report text into a Document: metadata, sections with periods, 专栏, sentences."""
from __future__ import annotations

from pathlib import Path

import docx
import pytest

from kg.ingest import read_document, read_text
from kg.model import Document, SectionMode
from kg.structure import find_report_place, parse_document, split_sentences

ROOT = Path(__file__).resolve().parents[1]
SEED_PLAN = ROOT / "data" / "000_418089195a410d60.txt"  # plan-execution report (发改委)
SEED_GWR = ROOT / "data" / "002_772683341a126a07.txt"  # government work report
NATIONAL = Path("/work/shared/corpus/national")
PROVINCES = Path("/work/shared/corpus/provinces-2025-docx")

REVIEW, PLAN = SectionMode.REVIEW, SectionMode.PLAN


@pytest.fixture(scope="module")
def plan_report() -> Document:
    return parse_document(read_document(SEED_PLAN))


@pytest.fixture(scope="module")
def work_report() -> Document:
    return parse_document(read_document(SEED_GWR))


def parts(doc: Document):
    return [s for s in doc.sections if s.heading and s.parent == 0]


def section_by_heading(doc: Document, start: str):
    return next(s for s in doc.sections if s.heading.startswith(start))


def assert_offsets_consistent(doc: Document) -> None:
    """Sentences are ordered, disjoint, trimmed and inside their section; sections nest."""
    last_end = 0
    for sentence in doc.sentences:
        text = doc.text[sentence.start:sentence.end]
        assert text and text == text.strip()
        assert sentence.start >= last_end
        last_end = sentence.end
        section = doc.sections[sentence.section]
        assert section.start <= sentence.start and sentence.end <= section.end
        assert doc.sentence_at(sentence.start) is sentence
    for section in doc.sections[1:]:
        parent = doc.sections[section.parent]
        assert parent.start <= section.start <= section.end <= parent.end
        assert section.level == parent.level + 1
        assert doc.text[section.start:section.heading_end].rstrip("。；！？，,：:") == section.heading


# -- seed 000: plan-execution report ----------------------------------------------------------


def test_plan_report_metadata(plan_report):
    doc = plan_report
    assert doc.title == "重庆市武隆区2023年国民经济和社会发展计划执行情况与2024年计划草案的报告"
    assert doc.issuer == "重庆市武隆区发展和改革委员会"
    assert doc.place_name == "重庆市武隆区"
    assert doc.date is None  # the report states none
    assert (doc.review_years, doc.plan_years) == ([2023], [2024])


def test_plan_report_parts_and_their_periods(plan_report):
    headings = [(s.heading, s.year, s.mode) for s in parts(plan_report)]
    assert headings == [
        ("一、2023年国民经济和社会发展计划执行情况", 2023, REVIEW),
        ("二、2024年国民经济和社会发展计划总体考虑", 2024, PLAN),
        ("三、2024年实现国民经济和社会发展计划的重点工作", 2024, PLAN),
    ]


def test_plan_report_sections_inherit_periods(plan_report):
    doc = plan_report
    review = section_by_heading(doc, "（一）聚焦“三次创业”")
    assert (review.year, review.mode, review.level) == (2023, REVIEW, 2)
    # "落实重点任务" alone would read as a plan, but "取得新成效" says it looks back
    mixed = section_by_heading(doc, "（四）落实重点任务")
    assert (mixed.year, mixed.mode) == (2023, REVIEW)
    point = section_by_heading(doc, "一是文旅产业链业态不断成熟")
    assert (point.parent, point.level, point.mode) == (review.index, 3, REVIEW)
    plan = section_by_heading(doc, "（一）聚焦重大战略")
    assert (plan.year, plan.mode) == (2024, PLAN)
    assert review.end <= section_by_heading(doc, "（二）切实扩大内需").start
    assert [s.heading for s in doc.section_chain(point.index)][1:] == [
        review.heading, "一、2023年国民经济和社会发展计划执行情况", doc.title]


def test_plan_report_columns_with_rows(plan_report):
    doc = plan_report
    assert [c.number for c in doc.columns] == [str(n) for n in range(1, 10)]
    first = doc.columns[0]
    assert first.title == "落实重大战略2024年重点任务"
    assert doc.sections[first.section].heading == "（一）聚焦重大战略，抓牢抓实发展新机遇"
    assert [r.label for r in first.rows] == ["成渝地区双城经济圈建设", "西部陆海新通道建设", "长江经济带高质量发展",
                                             "10项重点工程"]
    row = first.rows[0]
    assert doc.text[row.start:row.end].startswith("成渝地区双城经济圈建设\n\t重大项目：白马航电")
    # a label wrapped over several lines in the text file comes out whole
    assert [r.label for r in doc.columns[4].rows][1] == "数字重庆两级治理中心建设"
    assert all(c.rows for c in doc.columns)
    assert all(first.start <= r.start < r.end <= first.end for r in first.rows)


def test_plan_report_sentences_in_columns_know_column_and_row(plan_report):
    doc = plan_report
    in_row = [s for s in doc.sentences if s.column == 0 and s.row == 0]
    assert doc.sentence_text(in_row[0].index) == "成渝地区双城经济圈建设"
    assert doc.sentence_text(in_row[1].index) == "重大项目：白马航电、银盘抽水蓄能、傲得集团通用航空飞行器研发生产及配套产业项目等。"
    title = next(s for s in doc.sentences if s.column == 0)
    assert (doc.sentence_text(title.index), title.row) == ("专栏1 落实重大战略2024年重点任务", None)
    assert doc.sections[in_row[0].section].mode == PLAN


def test_plan_report_sentences_and_offsets(plan_report):
    doc = plan_report
    assert_offsets_consistent(doc)
    text = "全年实现地区生产总值273.46亿元、同比增长5.5%；"
    start = doc.text.index(text)
    sentence = doc.sentence_at(start)
    assert (sentence.start, doc.sentence_text(sentence.index)) == (start, text)
    assert doc.sections[sentence.section].mode == REVIEW
    assert doc.sections[sentence.section].year == 2023


def test_paragraph_opening_with_a_past_year_in_a_plan_part(plan_report):
    doc = plan_report
    # under "二、2024年…总体考虑 / （一）宏观形势判断" the paragraph speaks of 2024 itself
    paragraph = doc.sections[doc.sentence_at(doc.text.index("2024年，我区发展面临")).section]
    assert (paragraph.heading, paragraph.year, paragraph.mode) == ("", 2024, PLAN)


# -- seed 002: government work report, half-width punctuation ---------------------------------


def test_work_report_metadata(work_report):
    doc = work_report
    assert doc.title == "重庆市武隆区人民政府工作报告"
    assert doc.issuer == "重庆市武隆区人民政府区长 左军"
    assert doc.date == "2024-01-31"
    assert doc.place_name == "重庆市武隆区"
    assert (doc.review_years, doc.plan_years) == ([2023], [2024])
    assert doc.columns == []


def test_work_report_parts_with_half_width_brackets(work_report):
    doc = work_report
    assert [(s.heading, s.year, s.mode) for s in parts(doc)] == [
        ("一、2023年工作回顾", 2023, REVIEW),
        ("二、2024年工作安排", 2024, PLAN),
        ("三、全面加强政府自身建设", 2024, PLAN),  # no year or cue: follows the plan part
    ]
    sections = [s for s in doc.sections if s.heading.startswith("(")]
    assert len(sections) == 7 + 10 + 4
    first = sections[0]
    assert first.heading == "(一)千方百计促增长,内需持续有效释放"
    body = doc.sentence_at(first.heading_end + 1)  # the body on the heading's own line
    assert body.section == first.index and doc.sentence_text(body.index).startswith("抓项目促投资")
    assert_offsets_consistent(doc)


def test_work_report_review_paragraphs(work_report):
    doc = work_report
    sentence = doc.sentence_at(doc.text.index("——过去一年,我们坚持把落实国家战略"))
    section = doc.sections[sentence.section]
    assert (section.year, section.mode) == (2023, REVIEW)
    assert doc.sentence_text(sentence.index) == ("——过去一年,我们坚持把落实国家战略、服务全市大局和推动武隆高质量发展"
                                                 "高度统一起来,确保中央和市委市政府各项决策部署落地生根、开花结果。")


def test_parsing_is_deterministic():
    # Speed is measured in benchmarks/ (build stage times), not asserted in unit tests.
    sources = [read_document(SEED_PLAN), read_document(SEED_GWR)]
    for source in sources:
        a, b = parse_document(source), parse_document(source)
        assert [(s.start, s.end) for s in a.sentences] == [(s.start, s.end) for s in b.sentences]
        assert [(s.level, s.heading, s.year) for s in a.sections] == \
            [(s.level, s.heading, s.year) for s in b.sections]


# -- corpus: national and provincial reports ---------------------------------------------------


def test_national_report_2024():
    doc = parse_document(read_document(NATIONAL / "gwr-2024.txt"))
    assert doc.title == "2024年中华人民共和国国务院政府工作报告"
    assert doc.place_name == "中华人民共和国"
    assert doc.issuer == "国务院总理 李强"
    assert doc.date == "2024-03-05"
    assert [(s.heading, s.mode) for s in parts(doc)] == [
        ("一、2023年工作回顾", REVIEW),
        ("二、2024年经济社会发展总体要求和政策取向", PLAN),
        ("三、2024年政府工作任务", PLAN),
    ]
    point = section_by_heading(doc, "一是加大宏观调控力度")  # 一是 directly under a part
    assert (doc.sections[point.parent].heading, point.year, point.mode) == ("一、2023年工作回顾", 2023, REVIEW)
    assert "本作品" not in doc.text  # Wikisource licence footer cut
    assert_offsets_consistent(doc)


def test_national_report_2000_parts_without_years_follow_the_review():
    doc = parse_document(read_document(NATIONAL / "gwr-2000.txt"))
    modes = [(s.year, s.mode) for s in parts(doc)]
    assert len(modes) == 10
    assert modes[0] == (1999, REVIEW)
    assert set(modes[1:]) == {(2000, PLAN)}


def test_national_report_1980_ordinal_points():
    doc = parse_document(read_document(NATIONAL / "gwr-1980.txt"))
    assert [s.heading[:2] for s in parts(doc)] == ["一、", "二、", "三、"]
    ordinals = [s for s in doc.sections if s.heading.startswith("第")]
    assert [s.heading[:2] for s in ordinals] == ["第一", "第二", "第三", "第四", "第五", "第六",
                                                 "第一", "第二", "第三", "第四"]
    assert ordinals[0].mode == REVIEW and ordinals[-1].mode == PLAN
    assert section_by_heading(doc, "二、1981年").year == 1981


def test_provincial_docx_report():
    doc = parse_document(read_document(PROVINCES / "anhui-2025.docx"))
    assert doc.title == "2025年安徽省政府工作报告"
    assert doc.place_name == "安徽省"
    assert doc.date == "2025-01-20"
    assert doc.issuer == "安徽省人民政府省长 王清宪"
    assert (doc.review_years, doc.plan_years) == ([2024], [2025])
    assert [(s.heading, s.year, s.mode) for s in parts(doc)] == [
        ("一、2024年工作回顾", 2024, REVIEW),
        ("二、2025年工作总体要求和主要目标任务", 2025, PLAN),
        ("三、2025年重点工作", 2025, PLAN),
    ]
    assert len([s for s in doc.sections if s.heading.startswith("（")]) == 8 + 11
    assert_offsets_consistent(doc)


def test_provincial_parts_without_years_get_periods_from_cues():
    doc = parse_document(read_document(PROVINCES / "fujian-2025.docx"))
    assert [(s.year, s.mode) for s in parts(doc)] == [(2024, REVIEW), (2025, PLAN), (2025, PLAN)]
    assert parts(doc)[0].heading == "一、牢记殷殷嘱托，在接续奋斗中新福建建设取得新成效"


@pytest.mark.parametrize("title, place", [
    ("重庆市武隆区2023年国民经济和社会发展计划执行情况与2024年计划草案的报告", "重庆市武隆区"),
    ("2025年贵州省政府工作报告", "贵州省"),
    ("2025年内蒙古自治区政府工作报告", "内蒙古自治区"),
    ("2025年广西政府工作报告", "广西"),
    ("1980年中华人民共和国国务院政府工作报告", "中华人民共和国"),
    ("政府工作报告", ""),
])
def test_find_report_place(title, place):
    assert find_report_place(title) == place


# -- robustness ----------------------------------------------------------------------------


def test_text_without_headings_has_a_root_section_and_sentences():
    source = read_text("全年实现地区生产总值273.46亿元、同比增长5.5%；其中，一、二、三产业增加值分别增长4.8%、6.3%和5.1%。"
                       "常住人口城镇化率提高1个百分点！\n固定资产投资增长13.8%")
    doc = parse_document(source)
    assert len([s for s in doc.sections if s.heading]) == 0
    assert doc.sections[0].level == 0 and doc.sections[0].end == len(doc.text)
    assert [doc.sentence_text(s.index) for s in doc.sentences] == [
        "全年实现地区生产总值273.46亿元、同比增长5.5%；",
        "其中，一、二、三产业增加值分别增长4.8%、6.3%和5.1%。",
        "常住人口城镇化率提高1个百分点！",
        "固定资产投资增长13.8%",
    ]
    assert all(doc.sections[s.section].heading == "" for s in doc.sentences)


def test_empty_text_gives_an_empty_document():
    doc = parse_document(read_text(""))
    assert (doc.title, doc.sentences, len(doc.sections)) == ("", [], 1)


def test_out_of_sequence_numbers_are_not_headings():
    doc = parse_document(read_text("一、2023年工作回顾\n全年完成投资。\n3.新建学校2所。\n三、二产业增加值增长。\n"
                                   "二、2024年工作安排\n1.新建学校3所。\n2.新增就业1万人。\n"))
    assert [s.heading for s in doc.sections if s.heading] == [
        "一、2023年工作回顾", "二、2024年工作安排", "1.新建学校3所", "2.新增就业1万人"]


def test_split_sentences_keeps_closing_quotes():
    text = "持续深耕“6+4”产业链。“文旅主力店”打造成效初显！下一步？"
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "持续深耕“6+4”产业链。", "“文旅主力店”打造成效初显！", "下一步？"]
    quoted = "他说：“要加快建设。”随后开工。"
    assert [quoted[s:e] for s, e in split_sentences(quoted)] == ["他说：“要加快建设。”", "随后开工。"]


def test_docx_table_column_is_parsed_into_rows(tmp_path):
    document = docx.Document()
    document.add_paragraph("2024年某县国民经济和社会发展计划草案的报告")
    document.add_paragraph("一、2024年重点工作")
    document.add_paragraph("（一）聚焦重大战略，抓牢抓实发展新机遇。")
    document.add_paragraph("专栏1 落实重大战略2024年重点任务")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "成渝地区双城经济圈建设"
    table.cell(0, 1).text = "重大项目：白马航电、银盘抽水蓄能等。重大政策：推进川渝两省市协同招商。"
    table.cell(1, 0).text = "西部陆海新通道建设"
    table.cell(1, 1).text = "开通鸭江火车站80万吨货运业务。"
    document.add_paragraph("（二）坚持旅游引领，推动“三次创业”走向深入。")
    path = tmp_path / "plan.docx"
    document.save(path)
    doc = parse_document(read_document(path))
    (column,) = doc.columns
    assert (column.number, column.title) == ("1", "落实重大战略2024年重点任务")
    assert [r.label for r in column.rows] == ["成渝地区双城经济圈建设", "西部陆海新通道建设"]
    assert doc.sections[column.section].heading == "（一）聚焦重大战略，抓牢抓实发展新机遇"
    rows = [(doc.sentence_text(s.index), s.row) for s in doc.sentences if s.column == 0 and s.row is not None]
    assert rows[1] == ("重大项目：白马航电、银盘抽水蓄能等。", 0)
    assert rows[-1] == ("开通鸭江火车站80万吨货运业务。", 1)
    assert section_by_heading(doc, "（二）坚持旅游引领").parent == section_by_heading(doc, "一、").index
    assert (doc.plan_years, doc.sections[column.section].mode) == ([2024], PLAN)
