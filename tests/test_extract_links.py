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


def place(doc: Document, name: str, place_type: str, occurrence: int = 0) -> int:
    i = mention(doc, EntityKind.PLACE, name, occurrence)
    doc.mentions[i].attrs["place_type"] = place_type
    return i


def test_row_label_naming_a_programme_links_the_projects_of_its_row():  # seed 000, 专栏7
    text = ("（七）强化统筹协调，实现城乡发展协同并进。\n专栏7  城乡发展2024年重点任务\n\t城市门户更新\n"
            "\t建成喀斯特文化休闲中心、高速路收费站改造、舒河公园、滨河公园等项目。\n")
    doc = doc_of(text)
    mention(doc, EntityKind.STRATEGY, "城市门户更新")  # strategies' strategy.row finds it
    found = links(doc, "implements")
    assert ("喀斯特文化休闲中心", "城市门户更新", "links.column") in found
    assert ("舒河公园", "城市门户更新", "links.column") in found


def test_a_row_label_naming_no_strategy_links_nothing():  # seed 000, 专栏3
    """Links add no strategies of their own: a goal label (…结构优化) ties its row's projects
    to nothing."""
    text = ("专栏3  “三次产业”2024年重点任务及重点项目\n\t生态工业结构优化\n\t加快亿航智能飞行器项目建设。\n"
            "\t建筑业质效提升\n\t持续推进海城·御江上院、中铭·山水华府等29个房地产项目建设。\n")
    doc = doc_of(text)
    found = links(doc, "implements")
    assert any(m.kind is EntityKind.PROJECT for m in doc.mentions)  # the rows do list projects
    assert not any(m.kind is EntityKind.STRATEGY for m in doc.mentions) and found == set()


def test_row_listed_in_another_row_takes_its_programme_too():  # seed 000, 专栏9
    text = ("专栏9  2024年重点民生实事工作任务\n\t区级重点民生实事\n"
            "\t乡镇（街道）竞争性民生项目、农网巩固提升工程、农村入户路建设项目、地质灾害搬迁金土工程。\n\n"
            "\t乡镇（街道）竞争性民生项目\n"
            "\t火炉镇场镇公共服务功能提升项目、长坝镇旧城提档升级改造项目（一期）、黄莺乡场镇综合提升民生项目、"
            "庙垭场镇功能完善项目。\n")
    doc = doc_of(text)
    mention(doc, EntityKind.STRATEGY, "区级重点民生实事")
    mention(doc, EntityKind.STRATEGY, "乡镇（街道）竞争性民生项目", occurrence=1)  # the second row's label
    found = {(p, s) for p, s, _ in links(doc, "implements")}
    assert ("农村入户路建设项目", "区级重点民生实事") in found
    assert ("火炉镇场镇公共服务功能提升项目", "乡镇（街道）竞争性民生项目") in found
    assert ("火炉镇场镇公共服务功能提升项目", "区级重点民生实事") in found
    assert ("农村入户路建设项目", "乡镇（街道）竞争性民生项目") not in found


def test_row_label_counting_the_parts_of_a_numbered_strategy():  # seed 000, 专栏2
    text = ("三、2024年实现国民经济和社会发展计划的重点工作\n\n（一）聚焦重大战略，抓牢抓实发展新机遇。\n\n"
            "（二）坚持旅游引领，推动“三次创业”走向深入。\n\n一是提升“6+4”产业链贡献度。不断完善产业链发展扶持政策体系。\n\n"
            "二是加快推进全域旅游国际化。畅通外籍人员来武旅游通道。\n\n专栏2 深入推进“三次创业”2024年重点任务\n\n"
            "\t深耕“6”大产业链\n\t研学产业链推进仙女山天文馆、白马山国家研学基地等项目；运动产业链加快推进卡宾滑雪场等项目。\n\n"
            "\t办好“9”大活动\n\t举办武隆旅游三十周年庆典，建成华邦音乐乐园。\n")
    doc = doc_of(text)
    mention(doc, EntityKind.STRATEGY, "“三次创业”")
    mention(doc, EntityKind.STRATEGY, "“6+4”产业链")
    mention(doc, EntityKind.STRATEGY, "“三次创业”", occurrence=1)
    found = {(p, s) for p, s, _ in links(doc, "implements")}
    assert ("仙女山天文馆", "“6+4”产业链") in found
    assert ("卡宾滑雪场", "“6+4”产业链") in found
    assert ("华邦音乐乐园", "“6+4”产业链") not in found  # “9”大活动 counts no strategy
    assert ("华邦音乐乐园", "“三次创业”") in found


def test_clause_launching_a_strategy_ties_the_projects_after_it():  # seed 000, Sichuan, Guizhou, Henan 2025
    doc = doc_of("实施“重点项目提速行动”，持续开展重点项目“赛马”比拼，开工建设银盘抽水蓄能、东山风电等27个重点项目。")
    mention(doc, EntityKind.STRATEGY, "“重点项目提速行动”")
    mention(doc, EntityKind.STRATEGY, "项目“赛马”比拼")
    found = {(p, s) for p, s, _ in links(doc, "implements")}
    assert ("东山风电", "“重点项目提速行动”") in found
    assert not any(s == "项目“赛马”比拼" for _, s in found)
    doc = doc_of("实施“智改数转”行动计划，建成运行四川数智化绿色化发展促进中心，新增上云企业近4万户。")
    mention(doc, EntityKind.STRATEGY, "“智改数转”行动计划")
    assert ("四川数智化绿色化发展促进中心", "“智改数转”行动计划", "links.topic") in links(doc, "implements")
    doc = doc_of("实施降低全社会物流成本专项行动，加快贵阳、遵义国家物流枢纽建设，大力发展多式联运。")
    mention(doc, EntityKind.STRATEGY, "降低全社会物流成本专项行动")
    assert {s for _, s, _ in links(doc, "implements")} == {"降低全社会物流成本专项行动"}
    doc = doc_of("深入实施“净水入黄河”工程，推进矿山环境综合整治和生态修复，全面完成泰岭东段洛河流域保护和修复工程。")
    mention(doc, EntityKind.STRATEGY, "“净水入黄河”工程")
    assert ("泰岭东段洛河流域保护和修复工程", "“净水入黄河”工程", "links.topic") in links(doc, "implements")


def test_a_pilot_started_is_one_task_of_a_list_and_no_topic():  # Sichuan 2025
    doc = doc_of("开展公立医院“一次挂号管三天”试点，启动省级区域公共卫生中心建设。")
    mention(doc, EntityKind.STRATEGY, "公立医院“一次挂号管三天”试点")
    assert links(doc, "implements") == set()


def test_sub_headings_share_out_the_outer_headings_strategies():  # seed 000
    text = ("一、2023年国民经济和社会发展计划执行情况\n"
            "（一）践行区域协同，深度融入成渝地区双城经济圈建设、西部陆海新通道建设等重大战略，对外开放开创新局面。\n"
            "一是成渝地区双城经济圈建设不断深化。川渝通办事项深入推进。\n"
            "二是西部陆海新通道建设加快融入。武道高速加快推进。\n"
            "三是对外开放水平进一步提升。西部首个贸易促进中心深度考察“景区一体化”项目。\n")
    doc = doc_of(text)
    mention(doc, EntityKind.STRATEGY, "成渝地区双城经济圈建设")
    mention(doc, EntityKind.STRATEGY, "西部陆海新通道建设")
    mention(doc, EntityKind.STRATEGY, "成渝地区双城经济圈建设", occurrence=1)
    mention(doc, EntityKind.STRATEGY, "西部陆海新通道建设", occurrence=1)
    found = {(p, s) for p, s, _ in links(doc, "implements")}
    assert ("武道高速", "西部陆海新通道建设") in found
    assert not any(p == "“景区一体化”项目" for p, _ in found)


def test_a_strategy_nested_in_a_longer_one_yields_to_it():  # seed 000, 专栏7
    text = ("专栏7  城乡发展2024年重点任务\n\t市级城乡融合发展先行示范区\n"
            "\t加快建设江口至文复公路升级改造工程、石拱坝水库等项目。\n")
    doc = doc_of(text)
    mention(doc, EntityKind.STRATEGY, "市级城乡融合发展先行示范区")
    mention(doc, EntityKind.STRATEGY, "城乡融合发展")
    found = {(p, s) for p, s, _ in links(doc, "implements")}
    assert ("石拱坝水库", "市级城乡融合发展先行示范区") in found
    assert ("石拱坝水库", "城乡融合发展") not in found


def test_next_clause_naming_the_villages_a_project_serves():  # seed 000 (plan and review parts)
    doc = doc_of("以创客服务中心为主体，整合利用荆竹村资源，打造创业型基地。")
    place(doc, "荆竹村", "village")
    assert ("创客服务中心", "荆竹村", "links.served") in links(doc, "locatedIn")
    doc = doc_of("实施农网巩固提升工程，2024年重点解决沧沟乡大水村、长坝镇胜利村等12个乡镇街道15个村社的低电压问题。")
    mention(doc, EntityKind.PROJECT, "农网巩固提升工程")
    for name, kind in (("沧沟乡", "township"), ("大水村", "village"), ("长坝镇", "town"), ("胜利村", "village")):
        place(doc, name, kind)
    assert {pl for p, pl, _ in links(doc, "locatedIn") if p == "农网巩固提升工程"} == {"沧沟乡", "大水村", "长坝镇", "胜利村"}


def test_towns_in_a_distant_clause_are_not_served():  # seed 000
    doc = doc_of("武隆区数字化城市运行和治理中心试点建成投用，探索梳理区治理中心核心业务6项，"
                 "完成凤山、芙蓉4个镇街的三维实景图建设。")
    place(doc, "凤山", "subdistrict")
    place(doc, "芙蓉", "subdistrict")
    assert not any(r == "links.served" for _, _, r in links(doc, "locatedIn"))


def test_places_listed_before_the_works_done_in_them():  # seed 000
    doc = doc_of("争取居民配电改造资金1300万元，完成隆城国际、实验中学、戴斯大卫营等5个小区的居民供电设施改造。")
    mention(doc, EntityKind.PROJECT, "居民供电设施改造")
    place(doc, "隆城国际", "other")
    place(doc, "戴斯大卫营", "other")
    found = {pl for p, pl, r in links(doc, "locatedIn") if p == "居民供电设施改造" and r == "links.clause"}
    assert found == {"隆城国际", "戴斯大卫营"}


def test_project_as_the_means_of_a_strategy_named_after_it():  # seed 000, 专栏6
    doc = doc_of("以创客服务中心为主体，整合利用荆竹村资源，打造创业型基地，在全区范围打造“一中心、两基地、N园”。")
    mention(doc, EntityKind.STRATEGY, "“一中心、两基地、N园”")
    found = links(doc, "implements")
    assert ("创客服务中心", "“一中心、两基地、N园”", "links.means") in found
    assert not any(p == "创业型基地" and r == "links.means" for p, _, r in found)  # not the means


def test_a_strategy_listed_beside_projects_is_a_parallel_task():
    # Fujian 2025: 推动S、P和Q — the pilot is one more item of the list
    doc = doc_of("加快中医药传承创新发展，推动中西医协同“旗舰”医院试点、国家中医药传承创新中心和国家中医疫病防治基地等项目建设。")
    mention(doc, EntityKind.STRATEGY, "中西医协同“旗舰”医院试点")
    mention(doc, EntityKind.PROJECT, "国家中医药传承创新中心")
    assert not {p for p, s, _ in links(doc, "implements") if s == "中西医协同“旗舰”医院试点"}
    # Hunan 2025: the inland port joins the corridor, the rail hub a clause before does not
    doc = doc_of("着力拓通道、强平台，推动“五大通道”联动三湘、畅达四海，支持长沙申报建设中欧班列国家集结中心，"
                 "推进怀化国际陆港全面融入西部陆海新通道。")
    mention(doc, EntityKind.STRATEGY, "西部陆海新通道")
    mention(doc, EntityKind.PROJECT, "中欧班列国家集结中心")
    mention(doc, EntityKind.PROJECT, "怀化国际陆港")
    found = {(p, s) for p, s, _ in links(doc, "implements")}
    assert ("怀化国际陆港", "西部陆海新通道") in found
    assert ("中欧班列国家集结中心", "西部陆海新通道") not in found


def test_a_framing_verb_or_a_purpose_clause_ties_the_projects():
    # Qinghai 2025: 围绕S…，建设A、B…
    doc = doc_of("全力推进绿色算电协同一体化示范，围绕“1+2+N”绿色算力基地发展布局，高质高效建设西宁绿电智算融合示范园、"
                 "柴达木绿色微电网算力中心示范项目，加快万卡算力集群等项目建设。")
    mention(doc, EntityKind.STRATEGY, "“1+2+N”")
    mention(doc, EntityKind.PROJECT, "西宁绿电智算融合示范园")
    found = {(p, s) for p, s, _ in links(doc, "implements")}
    assert ("西宁绿电智算融合示范园", "“1+2+N”") in found
    # Guangdong 2025: …P…，融入S (the clause right after the project's, only the verb and S)
    doc = doc_of("优化物流基础设施布局，推进广州、深圳、珠海国家综合货运枢纽补链强链，融入国家“通道+枢纽+网络”现代物流运行体系。")
    mention(doc, EntityKind.STRATEGY, "国家“通道+枢纽+网络”现代物流运行体系")
    mention(doc, EntityKind.PROJECT, "珠海国家综合货运枢纽")
    assert ("珠海国家综合货运枢纽", "国家“通道+枢纽+网络”现代物流运行体系") in {
        (p, s) for p, s, _ in links(doc, "implements")}
