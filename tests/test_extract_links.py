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
    found = {(p, s) for p, s, _ in links(doc, "implements")}
    assert ("观音水库", "“大水网”") in found
    assert ("花滩子水库", "“大水网”") in found


def test_sentence_opening_on_a_strategy_ties_the_projects_after_it():  # national 2019, seed 000, Guizhou 2025
    doc = doc_of("粤港澳大湾区规划建设迈出实质性步伐，港珠澳大桥建成通车。")
    mention(doc, EntityKind.STRATEGY, "粤港澳大湾区规划建设")
    assert ("港珠澳大桥", "粤港澳大湾区规划建设", "links.topic") in links(doc, "implements")
    doc = doc_of("“公铁水空”立体开放通道体系不断完善，渝湘高速复线（武隆段）、武道高速、乌江航道整治工程加快推进，"
                 "南涪铁路鸭江货运站有序扩容改建。")
    mention(doc, EntityKind.STRATEGY, "“公铁水空”立体开放通道体系")
    found = {p for p, s, r in links(doc, "implements") if r == "links.topic"}
    assert {"渝湘高速复线（武隆段）", "武道高速", "乌江航道整治工程", "南涪铁路鸭江货运站"} <= found
    doc = doc_of("“一局四中心”功能逐步完善，贵阳国际陆港枢纽功能进一步增强。")
    mention(doc, EntityKind.STRATEGY, "“一局四中心”")
    assert {s for _, s, _ in links(doc, "implements")} == {"“一局四中心”"}


def test_a_run_of_strategy_clauses_is_a_summary_and_ties_nothing():  # seed 000
    doc = doc_of("旅游“三次创业”深入推进，制造业“2332”集群加快打造，“一主两辅多元”产业结构持续优化，"
                 "银盘抽水蓄能、小火车风景线等一批标志性大项目开工。")
    for name in ("旅游“三次创业”", "制造业“2332”集群", "“一主两辅多元”"):
        mention(doc, EntityKind.STRATEGY, name)
    assert links(doc, "implements") == set()


def test_a_strategy_that_is_not_the_clause_topic_is_no_topic():  # national 2019
    doc = doc_of("赋予自贸试验区更大改革创新自主权，增设上海自贸试验区新片区，推进海南自贸试验区建设。")
    mention(doc, EntityKind.STRATEGY, "赋予自贸试验区更大改革")
    assert links(doc, "implements") == set()


def test_linking_verb_must_be_in_the_strategy_clause():  # seed 000
    doc = doc_of("三是增强发展支撑。旅游“三次创业”深入推进，银盘抽水蓄能项目开工。"
                 "建立重点项目报批“一对一”服务机制和推进“好中差”评价机制，白马航电枢纽等28个市级重点项目完成投资23.5亿元。")
    mention(doc, EntityKind.STRATEGY, "“好中差”评价机制")
    assert links(doc, "implements") == set()


def test_lead_sentence_of_the_paragraph_scopes_its_projects():  # seed 002 (district work report)
    doc = doc_of("——过去一年,我们聚焦“双招双引”主题、加快打通“大通道”,高质量发展基础不断夯实。"
                 "收获“水风光储”一体化项目“百亿大单”,签约傲得航空器等项目44个,到位资金70.9亿元。\n"
                 "白马航电枢纽加快建设。\n")
    mention(doc, EntityKind.STRATEGY, "“双招双引”")
    found = {(p, s, r) for p, s, r in links(doc, "implements")}
    assert ("“水风光储”一体化项目", "“双招双引”", "links.lead") in found
    assert not any(p == "白马航电枢纽" for p, _, _ in found)  # another paragraph


def test_inner_heading_picks_one_of_the_outer_headings_strategies():  # seed 000
    text = ("一、2023年国民经济和社会发展计划执行情况\n"
            "（五）践行区域协同，深度融入成渝地区双城经济圈建设、西部陆海新通道建设等重大战略，对外开放开创新局面。\n"
            "二是西部陆海新通道建设加快融入。渝湘高速复线（武隆段）、武道高速加快推进。\n")
    doc = doc_of(text)
    mention(doc, EntityKind.STRATEGY, "成渝地区双城经济圈建设")
    mention(doc, EntityKind.STRATEGY, "西部陆海新通道建设")
    mention(doc, EntityKind.STRATEGY, "西部陆海新通道建设", occurrence=1)
    found = {(p, s) for p, s, _ in links(doc, "implements")}
    assert ("武道高速", "西部陆海新通道建设") in found
    assert ("武道高速", "成渝地区双城经济圈建设") not in found


def test_row_label_repeating_a_strategy_named_earlier():  # seed 000, 专栏1
    text = ("以“10项重点工程”为载体，不折不扣落实重大战略。\n专栏1  落实重大战略2024年重点任务\n\t10项重点工程\n"
            "\t开工建设水风光储一体化示范项目、全线开工小火车风景线项目、开工建设南溪沟片区开发项目。\n")
    doc = doc_of(text)
    mention(doc, EntityKind.STRATEGY, "“10项重点工程”")
    found = {(p, s) for p, s, r in links(doc, "implements") if r == "links.column"}
    assert ("南溪沟片区开发项目", "“10项重点工程”") in found


def test_strategy_inside_the_project_name():  # seed 000, Guangdong 2025, Guizhou 2025
    doc = doc_of("仙女山街道荆竹村乡村振兴以工代赈示范工程被纳入市级示范。")
    mention(doc, EntityKind.STRATEGY, "以工代赈")
    assert ("仙女山街道荆竹村乡村振兴以工代赈示范工程", "以工代赈", "links.name") in links(doc, "implements")
    doc = doc_of("加快建设“万亩千亿”产业平台，新增8个省产业园。")
    mention(doc, EntityKind.STRATEGY, "“万亩千亿”")
    assert ("“万亩千亿”产业平台", "“万亩千亿”", "links.name") in links(doc, "implements")
    doc = doc_of("深入实施“贵州技工”“黔菜师傅”“黔灵家政”“黔旅工匠”等培训工程，开展职业技能培训61.75万人次。")
    for name in ("“贵州技工”", "“黔菜师傅”", "“黔灵家政”", "“黔旅工匠”"):
        mention(doc, EntityKind.STRATEGY, name)
    assert not any(r == "links.name" for _, _, r in links(doc, "implements"))


def test_place_inside_a_strategy_row_label_is_not_the_row_place():  # seed 000, 专栏1
    text = ("专栏1  落实重大战略2024年重点任务\n\t成渝地区双城经济圈建设\n"
            "\t重大项目：白马航电、银盘抽水蓄能等。\n")
    doc = doc_of(text)
    mention(doc, EntityKind.STRATEGY, "成渝地区双城经济圈建设")
    mention(doc, EntityKind.PLACE, "成渝地区")
    assert not any(pl == "成渝地区" for _, pl, _ in links(doc, "locatedIn"))


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
