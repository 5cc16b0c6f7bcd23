"""implements and locatedIn links of projects, on passages of the seed reports, a national
report and a provincial report. Strategy and place mentions are added as fixtures, so the
link rules are tested alone."""
from pathlib import Path

from kg.extract.links import extract_links
from kg.extract.projects import extract_projects
from kg.model import Document, EntityKind, Mention, SourceText
from kg.structure import parse_document


def doc_of(text: str) -> Document:
    return parse_document(SourceText(path=Path("passage.txt"), text=text, format="txt"))


def mention(doc: Document, kind: EntityKind, name: str, occurrence: int = 0) -> int:
    start = -1
    for _ in range(occurrence + 1):
        start = doc.text.index(name, start + 1)
    sent = doc.sentence_at(start)
    return doc.add_mention(Mention(kind=kind, start=start, end=start + len(name), sentence=sent.index, text=name))


def links(doc: Document, predicate: str) -> set[tuple[str, str, str]]:
    doc = extract_links(extract_projects(doc))
    return {(doc.mentions[r.subject].name, doc.mentions[r.object].name, r.rule)
            for r in doc.relations if r.predicate == predicate}


def test_column_row_label_names_the_strategy():  # seed 000, 专栏1
    text = ("（一）聚焦重大战略，抓牢抓实发展新机遇。\n专栏1  落实重大战略2024年重点任务\n\t成渝地区双城经济圈建设\n"
            "\t重大项目：白马航电、银盘抽水蓄能、傲得集团通用航空飞行器研发生产及配套产业项目等。\n")
    doc = doc_of(text)
    mention(doc, EntityKind.STRATEGY, "成渝地区双城经济圈建设")
    found = links(doc, "implements")
    assert ("白马航电", "成渝地区双城经济圈建设", "links.column") in found
    assert ("银盘抽水蓄能", "成渝地区双城经济圈建设", "links.column") in found


def test_heading_about_a_strategy_links_the_projects_below():  # seed 000
    text = ("（一）聚焦“三次创业”，文旅项目加快推进，旅游发展迈上新台阶。\n"
            "一是文旅产业链业态不断成熟。白马山战役陈列馆、仙女山度假区智能集中供热配套管网工程基本完工。\n")
    doc = doc_of(text)
    mention(doc, EntityKind.STRATEGY, "“三次创业”")
    found = {(p, s) for p, s, _ in links(doc, "implements")}
    assert ("白马山战役陈列馆", "“三次创业”") in found
    assert ("仙女山度假区智能集中供热配套管网工程", "“三次创业”") in found


def test_linking_verb_ties_strategy_and_project_in_one_sentence():  # Guizhou 2025
    doc = doc_of("围绕构建贵州“大水网”，加快建设观音、宣威、花滩子等大型水库。")
    mention(doc, EntityKind.STRATEGY, "“大水网”")
    found = links(doc, "implements")
    assert ("观音水库", "“大水网”", "links.sentence") in found


def test_no_link_without_a_linking_verb():  # national 2019
    doc = doc_of("粤港澳大湾区规划建设迈出实质性步伐，港珠澳大桥建成通车。")
    mention(doc, EntityKind.STRATEGY, "粤港澳大湾区规划建设")
    assert links(doc, "implements") == set()


def test_place_inside_the_name_and_place_introduced_by_zai():  # seed 000 and 002
    doc = doc_of("研学产业链推进仙女山天文馆。在渝中企业天地落户飞地产业园总部办公大楼，春节前完成挂牌入驻。")
    mention(doc, EntityKind.PLACE, "仙女山")
    mention(doc, EntityKind.PLACE, "渝中企业天地")
    found = links(doc, "locatedIn")
    assert ("仙女山天文馆", "仙女山", "links.name") in found
    assert ("飞地产业园总部办公大楼", "渝中企业天地", "links.clause") in found


def test_a_place_elsewhere_in_the_sentence_is_not_the_location():  # seed 002
    doc = doc_of("学习借鉴济南经验，喀斯特博物馆加快建设。")
    mention(doc, EntityKind.PLACE, "济南")
    assert links(doc, "locatedIn") == set()
