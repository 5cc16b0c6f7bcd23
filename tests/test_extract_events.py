"""Event extraction on passages of real reports: district plan reports (seeds 000, 002),
national government work reports (2024, 1980) and a provincial report (Sichuan 2025)."""
import re
from pathlib import Path

from kg.extract.events import event_name, extract_events
from kg.model import EntityKind, SourceText
from kg.structure import parse_document


def events_in(text: str) -> dict[str, str]:
    doc = parse_document(SourceText(path=Path("passage.txt"), text=text, format="txt"))
    doc = extract_events(doc)
    return {m.text: m.name for m in doc.mentions if m.kind is EntityKind.EVENT}


def test_edition_and_year_are_stripped_from_the_name():  # seed 000, line 19
    found = events_in("策划举办第十八届中国国际山地户外运动公开赛、2023年第十四届仙女山国际露营音乐季。")
    assert found["第十八届中国国际山地户外运动公开赛"] == "中国国际山地户外运动公开赛"
    assert found["2023年第十四届仙女山国际露营音乐季"] == "仙女山国际露营音乐季"
    assert event_name("首届世界蜂疗大会") == "世界蜂疗大会"


def test_forum_and_fair_joined_by_an_ampersand_word():  # seed 002
    found = events_in("成功举办第五届中国·重庆绿色发展实践论坛暨旅游装备博览会、中国产业转移发展对接武隆专场。")
    assert any(name.endswith("绿色发展实践论坛") for name in found.values())


def test_fair_abbreviations_and_party_congress():  # gwr-2024, seed 000 line 226
    found = events_in("成功举办进博会、广交会、服贸会、数贸会、消博会等重大展会。在党的二十大精神科学指引下。"
                      "积极参加智博会、西洽会等交流活动。")
    assert {"进博会", "广交会", "智博会", "西洽会", "党的二十大"} <= set(found)
    assert "重大展会" not in found  # a kind of event, not one


def test_meetings_and_plenums():  # seed 000, lines 84, 87; gwr-1980
    found = events_in("中共中央政治局会议、中央经济工作会议先后分析研究2024年经济工作。"
                      "党的十一届三中全会以来，我们纠正了错误。")
    assert {"中共中央政治局会议", "中央经济工作会议"} <= set(found)
    assert any(t.endswith("十一届三中全会") for t in found)


def test_provincial_expo_and_conference():  # sichuan-2025
    found = events_in("成功举办世界园艺博览会、四川国际友城合作与发展大会等重大活动。")
    assert "世界园艺博览会" in found
    assert not any(t.startswith("成功") for t in found)


def test_quoted_festivals_and_series():  # seed 000, lines 145, 193
    found = events_in("举办武隆旅游三十周年庆典、“五节三赛”（仙女山冰雪节、大地艺术节）。打造“啤酒节”“特色集市”等品牌。")
    assert "“五节三赛”" in found and "大地艺术节" in found
    assert "“啤酒节”" in found and found["“啤酒节”"] == "啤酒节"
    assert "“特色集市”" not in found


def test_a_name_starts_after_the_verb_that_holds_the_meeting():  # Guangdong 2025; gwr-2010; Xizang 2025
    found = events_in("省委召开十三届五次全会，大力弘扬改革开放精神。高规格召开全省旅游发展大会。"
                      "紧紧抓住中国-东盟自贸区全面建成、上海合作组织召开峰会等机遇。"
                      "新的一年，我们将继续以20国集团金融峰会等重大国际活动为平台。"
                      "用好论坛、展会、赛事等重要平台。第四次对口支援西藏工作会议召开十周年。")
    assert "十三届五次全会" in found and "全省旅游发展大会" in found
    assert "20国集团金融峰会" in found and "对口支援西藏工作会议" in found.values()
    assert not any(re.search("召开|继续|用好|^口", t) for t in found), found


def test_clauses_and_kinds_of_events_are_not_names():  # gwr-1997; Guangdong, Xizang 2025
    found = events_in("各级政府都要自觉接受同级人民代表大会及其常委会的监督。"
                      "持续精简规范会议文件、创建示范、节庆展会论坛。"
                      "按照十届自治区党委历次全会部署。办好“粤贸全球”展会。")
    assert not set(found) & {"政府都要自觉接受同级人民代表大会", "节庆展会论坛", "十届自治区党委历次全会"}
    assert "“粤贸全球”展会" in found


def test_a_run_of_plenums_is_one_name():  # Gansu, Guangdong 2025; seed 000 line 87
    found = events_in("全面贯彻落实党的二十大和二十届二中、三中全会精神。深入贯彻市委六届二次、三次、四次全会精神。")
    assert {"二十届二中、三中全会", "市委六届二次、三次、四次全会"} <= set(found)
    assert "三中全会" not in found
