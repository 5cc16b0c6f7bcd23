"""Strategy extraction on passages of real reports: a district plan report (seed 000/002),
national government work reports (2024, 1980) and a provincial report (Sichuan 2025)."""
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
