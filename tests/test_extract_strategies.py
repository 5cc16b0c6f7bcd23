"""Strategy extraction on passages of real reports: a district plan report (seed 000/002),
national government work reports (2024, 1980) and a provincial report (Sichuan 2025)."""
import re
from pathlib import Path

from kg.extract.strategies import document_level, extract_strategies, is_generic
from kg.model import Document, EntityKind, SourceText
from kg.structure import parse_document


def strategies_in(text: str, place: str = "") -> dict[str, dict]:
    doc = parse_document(SourceText(path=Path("passage.txt"), text=text, format="txt"))
    if place:
        doc.place_name = place
    doc = extract_strategies(doc)
    return {m.name: {"text": m.text, **m.attrs} for m in doc.mentions
            if m.kind is EntityKind.STRATEGY}


# -- national list -----------------------------------------------------------------------

def test_national_list_with_synonym_and_tail():  # seed 000, line 11
    found = strategies_in("紧扣把深入推进成渝地区双城经济圈建设作为总抓手总牵引这个“纲”和“魂”。"
                          "加快打造成渝双圈“文旅主力店”。", "重庆市武隆区")
    assert found["成渝地区双城经济圈建设"]["level"] == "national"
    assert found["成渝地区双城经济圈建设"]["strategy_kind"] == "strategy"
    assert "纲" not in found and "魂" not in found  # one-character quotes are not names


def test_national_forms_keep_their_own_name():  # gwr-2024
    found = strategies_in("深入实施区域协调发展战略。推动长江经济带高质量发展。统筹新型城镇化和乡村全面振兴。")
    assert "区域协调发展" in found and found["区域协调发展"]["text"] == "区域协调发展战略"
    assert "长江经济带高质量发展" in found
    assert found["乡村全面振兴"]["canonical"] == "乡村振兴"


def test_listed_name_with_quotes_inside():  # gwr-2024
    found = strategies_in("加强荒漠化综合防治，深入推进“三北”工程建设。学习运用“千村示范、万村整治”工程经验。")
    assert any(v["text"].startswith("“三北”工程") for v in found.values())


# -- quoted programmes ---------------------------------------------------------------------

def test_quoted_name_takes_its_kind_word():  # seed 000, lines 24, 30, 39
    found = strategies_in("实施“企业吹哨·部门报到”专项行动，开展“送策入企”活动。"
                          "持续推进“2332”现代化制造业体系建设，“3+1”产业集群优化升级。"
                          "深入推进“放管服”改革。", "重庆市武隆区")
    assert found["“企业吹哨·部门报到”专项行动"]["strategy_kind"] == "campaign"
    assert "“2332”现代化制造业体系" in found
    assert "“3+1”产业集群" in found
    assert found["“放管服”改革"]["level"] == "national"


def test_quoted_reforms_in_another_district():  # seed 002
    found = strategies_in("扩面深化“三变”改革，迭代开展“三位一体”改革；推进农业“标准地”改革。")
    assert {"“三变”改革", "“三位一体”改革"} <= set(found)
    assert any("标准地" in n for n in found)
    assert all(v["strategy_kind"] == "reform" for v in found.values())


def test_bare_quote_needs_a_governing_verb_or_a_number():  # seed 000, lines 11, 74
    found = strategies_in("落细落实“十件大事”有形载体。严守“三条底线”。大力打造“爱尚武隆”“不夜武隆”等消费品牌。")
    assert "“十件大事”" in found and "“三条底线”" in found
    assert not any("爱尚" in n for n in found)  # a brand slogan, not a programme


def test_quotes_to_avoid_are_not_strategies():  # seed 000, line 180
    found = strategies_in("坚决杜绝和防范“新形象工程”“半拉子工程”“面子工程”“政绩工程”。")
    assert found == {}


def test_quoted_action_plan_in_a_provincial_report():  # sichuan-2025
    found = strategies_in("启动实施“消费+”行动，发放“蜀里安逸”消费券超过5亿元。实施“智改数转”行动计划。")
    assert "“消费+”行动" in found
    assert found["“智改数转”行动计划"]["strategy_kind"] == "plan"
    assert not any("蜀里安逸" in n for n in found)


# -- suffix phrases ------------------------------------------------------------------------

def test_suffix_phrase_strips_governing_verbs():  # seed 000, lines 74, 271
    found = strategies_in("深入实施全民反诈专项行动。深入推进国土绿化行动。实施农民增收致富促进行动。")
    assert "全民反诈专项行动" in found
    assert "农民增收致富促进行动" in found
    assert found["国土绿化行动"]["level"] == "national"


def test_suffix_phrase_lists_and_campaigns():  # seed 000, lines 199, 207
    found = strategies_in("扎实推进国企改革、园区开发区改革、政企分离改革攻坚。打赢国企改革攻坚战。")
    assert "园区开发区改革" in found and "政企分离改革" in found
    assert "国有企业改革" in found  # 国企改革 is a listed synonym; 攻坚战 folds into it
    assert not any(n.endswith("攻坚战") for n in found)


def test_generic_phrases_are_not_names():  # gwr-1980
    found = strategies_in("有些企业进行了试点。所有这些改革的试点，都取得了成效。"
                          "要认真总结经验，搞好经济管理体制改革。建立健全长效机制。")
    assert "经济管理体制改革" in found
    assert not any(n in found for n in ("试点", "长效机制", "所有这些改革"))
    assert is_generic("各项") and not is_generic("国企")


# -- plans and levels ----------------------------------------------------------------------

def test_year_plan_and_its_draft_are_one_plan():  # seed 000, lines 1, 3
    found = strategies_in("现将2023年国民经济和社会发展计划执行情况与2024年计划草案提请大会审查。")
    assert found["2024年国民经济和社会发展计划"]["text"] == "2024年计划草案"
    assert found["2023年国民经济和社会发展计划"]["strategy_kind"] == "plan"


def test_level_from_markers_and_document():  # seed 000 line 58, gwr-2008
    found = strategies_in("三是市级城乡融合发展先行示范区加快建设。", "重庆市武隆区")
    assert found["市级城乡融合发展先行示范区"]["level"] == "municipal"
    doc = Document(source=SourceText(Path("x.txt"), "", "txt"), text="", title="2008年中华人民共和国国务院政府工作报告")
    assert document_level(doc) == "national"
    doc.place_name = "重庆市武隆区"
    assert document_level(doc) == "district"


# -- titles a place works for ---------------------------------------------------------------

def test_titles_pursued_or_kept():  # seed 000, lines 44, 60; Henan 2025
    found = strategies_in("成功创建为国家食品安全示范城市。持续巩固国家卫生城市，全力推进区人民医院“三甲”创建。"
                          "巩固提升营商环境标杆城市成果。", "重庆市武隆区")
    assert {"国家食品安全示范城市", "国家卫生城市", "营商环境标杆城市"} <= set(found)
    assert found["国家卫生城市"]["level"] == "national"
    found = strategies_in("培育10个省级品牌消费集聚区，争创10个全国县域商业“领跑县”。", "河南省")
    assert "全国县域商业“领跑县”" in found


def test_a_city_without_a_title_verb_is_not_a_title():  # gwr-2024
    found = strategies_in("城市更新行动扎实推进，一批城市基础设施项目建成投用。")
    assert not any(n.endswith("城市") for n in found)


# -- numbered systems without quotes ---------------------------------------------------------

def test_numbered_systems():  # seed 000, lines 38, 47; Inner Mongolia 2025
    found = strategies_in("研学、运动、艺术、康养、婚恋、服务六大产业链项目加快推进。"
                          "推进一园五区多点物流体系和1+5+N电商体系建设。", "重庆市武隆区")
    assert {"六大产业链", "一园五区多点物流体系", "1+5+N电商体系"} <= set(found)
    found = strategies_in("我区是国家八大算力枢纽节点和十大数据中心集群之一。", "内蒙古自治区")
    assert "十大数据中心集群" in found


def test_numbered_words_that_go_on_are_not_names():  # seed 000 line 36; Hubei 2025
    found = strategies_in("持续深耕6大文旅产业链条。", "重庆市武隆区")
    assert not any("产业链" in n for n in found)
    found = strategies_in("健全社会保障、养老服务和健康支撑三大体系。", "湖北省")
    assert "三大体系" not in found


# -- a place's branded programme --------------------------------------------------------------

def test_place_brands_take_the_place_level():  # seed 000 line 24; Guangdong, Hubei 2025
    found = strategies_in("一是数字重庆建设扎实推进。", "重庆市武隆区")
    assert found["数字重庆建设"]["level"] == "municipal"
    found = strategies_in("深入推进法治广东、平安广东建设，加快构建“大平安”格局。", "广东省")
    assert {"法治广东", "平安广东建设"} <= set(found)
    assert found["平安广东建设"]["level"] == "provincial"
    found = strategies_in("强化健康教育和健康意识，更高水平推进健康湖北建设。", "湖北省")
    assert "健康湖北建设" in found


# -- named plans (…计划) ------------------------------------------------------------------------

def test_named_plans_and_their_left_edge():  # Gansu 2025; gwr-2008; gwr-1995
    found = strategies_in("全面落实“两新”政策和提振消费专项行动，实施服务业企业三年倍增计划。", "甘肃省")
    assert "服务业企业三年倍增计划" in found  # 服务 is not stripped from 服务业
    found = strategies_in("西部地区基本普及九年义务教育、基本扫除青壮年文盲攻坚计划如期完成。")
    assert "扫除青壮年文盲攻坚计划" in found
    found = strategies_in("努力完成“八五”计划，为“九五”期间的改革和发展打下一个好的基础。")
    assert "“八五”计划" in found and "“九五”" not in found


def test_schedules_and_the_yearly_plan_are_not_named_plans():  # seed 000 line 63
    found = strategies_in("完成武隆区排水设施项目（一期）建设年度计划，全面启动污水管网改建项目建设。"
                          "执行好国民经济和社会发展计划。", "重庆市武隆区")
    assert not any(n.endswith("计划") for n in found)


# -- quoted names: what is not a programme -----------------------------------------------------

def test_quoted_tools_periods_and_place_slogans_dropped():  # seeds 000/002; Hubei 2025
    found = strategies_in("构建国土空间“一张图”，建成“六大系统”。决胜“十四五”。", "重庆市武隆区")
    assert not ({"“一张图”", "“六大系统”", "“十四五”"} & set(found))
    found = strategies_in("办好重大开放活动，打造“投资中国·优选湖北”品牌。", "湖北省")
    assert not any("优选湖北" in n for n in found)


def test_quoted_principles_and_national_reforms_kept():  # seed 000 line 52; Zhejiang 2025
    found = strategies_in("坚持“生态优先、绿色发展”和“共抓大保护、不搞大开发”。", "重庆市武隆区")
    assert "“生态优先、绿色发展”" in found  # 发展 does not end an event name
    found = strategies_in("全面推进政务服务增值化改革，深化“高效办成一件事”。", "浙江省")
    assert found["高效办成一件事"]["level"] == "national"


def test_words_after_a_name_and_one_of_n():  # seed 000 lines 30, 53
    found = strategies_in("全面启动开发区（园区）改革工作，印发总体改革方案。"
                          "荆竹村示范工程被纳入市级10个乡村振兴以工代赈综合示范工程之一。", "重庆市武隆区")
    assert "开发区（园区）改革" in found
    assert "乡村振兴以工代赈综合示范工程" in found


# -- overlap with projects ------------------------------------------------------------------------

def test_site_bound_works_are_left_to_projects():  # seed 000 lines 53, 63; gwr-2024
    from kg.extract.places import extract_places
    text = ("仙女山街道荆竹村乡村振兴以工代赈示范工程被纳入市级示范。完成武隆区G353大罗溪至鹅关修复养护工程。"
            "深入实施文化惠民工程。加强荒漠化综合防治，深入推进“三北”工程建设。")
    doc = parse_document(SourceText(path=Path("passage.txt"), text=text, format="txt"))
    doc.place_name = "重庆市武隆区"
    doc = extract_strategies(extract_places(doc))
    names = {m.name for m in doc.mentions if m.kind is EntityKind.STRATEGY}
    assert not any(n.startswith(("仙女山街道", "武隆区G353")) for n in names)
    assert "文化惠民工程" in names and any("三北" in n for n in names)


# -- general goals and parallel formulas ----------------------------------------------------

def test_general_goals_are_not_strategies_but_named_forms_are():  # gwr-2022, gwr-2024, Anhui 2025
    found = strategies_in("坚持创新驱动发展，推动高质量发展，坚持以供给侧结构性改革为主线。")
    assert "高质量发展" not in found and "供给侧结构性改革" in found
    assert "长江经济带高质量发展" in strategies_in("推动长江经济带高质量发展。")
    assert "改革开放" not in strategies_in("围绕打造改革开放新高地，大力推进自贸试验区建设。")


def test_back_to_back_quotes_of_one_length_are_one_formula():  # seeds 000 and 002, Hubei 2025
    assert "“小升规”“规做精”“精做强”" in strategies_in("推动“小升规”“规做精”“精做强”。")
    found = strategies_in("推进数据共享、业务协同,落实“首问首办”“接件即办”“督查督办”,做到雷厉风行。")
    assert "“首问首办”“接件即办”“督查督办”" in found and "“首问首办”" not in found


def test_quotes_of_unequal_length_stay_separate():  # seed 000
    found = strategies_in("持续深化“放管服”“一窗综办”“一件事一次办”等重点改革。")
    assert {"“放管服”", "“一窗综办”"} <= {n.replace("改革", "") for n in found}


def test_column_row_labels_of_task_columns_are_programmes():  # seed 000, 专栏7/专栏8/专栏6
    from kg.ingest import read_document
    doc = parse_document(read_document(Path(__file__).parent.parent / "data" / "000_418089195a410d60.txt"))
    rows = {m.name for m in extract_strategies(doc).mentions if m.rule == "strategy.row"}
    assert {"城市门户更新", "清洁能源开发利用"} <= rows
    assert "国际创客村" not in rows  # a column of platforms lists things, not programmes
    assert not any(n.startswith(("加快", "持续", "深耕")) for n in rows)  # tasks, not names
    assert "生态工业结构优化" not in rows  # a goal


def test_a_quote_takes_its_demonstration_belt_head():  # seed 000
    assert "“一廊一带”现代农业产业发展示范带" in strategies_in("打造“一廊一带”现代农业产业发展示范带。")


def test_quotes_listed_with_events_before_deng_huodong_are_events():  # seed 000, Zhejiang 2025
    found = strategies_in("持续开展“双创周”“文化科技卫生三下乡”“科技活动周”“全国科普日”等活动。")
    assert "“文化科技卫生三下乡”" not in found
    found = strategies_in("实施新消费品牌培育行动，开展“浙里来消费”“浙夜好生活”等系列活动200场以上。")
    assert "“浙里来消费”" in found  # campaigns alone stay


def test_an_act_before_a_quote_is_not_its_topic():  # Gansu 2025; seed 000
    found = strategies_in("新增“百亿县”4个、总数达到40个。深入学习运用“千万工程”经验。"
                          "深刻领悟“两个确立”的决定性意义。认真履行“一岗双责”。"
                          "大力落实乡村人才振兴“五万计划”。")
    assert not any(t.startswith(("新增", "学习", "深刻", "履行")) for t in found), found
    assert "乡村人才振兴“五万计划”" in found  # a topic may end in a verb (振兴)


def test_results_and_describing_quotes_are_not_programmes():  # Gansu 2025; seed 000
    found = strategies_in("电信网络诈骗犯罪案件发案、损失“双下降”。"
                          "主要表现在：“三个不平衡”的矛盾仍较突出。"
                          "以“时时放心不下”的责任感统筹发展和安全。"
                          "完善“群众提、代表决、政府办、人大评”的民生实事票决制。")
    assert not any(re.search("双下降|三个不平衡|时时放心不下", t) for t in found), found
    assert any("群众提、代表决" in t for t in found)  # a formula of parts still names one
