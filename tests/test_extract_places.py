"""Place extraction on passages of real reports (seed district reports, national and provincial)."""
import re
from pathlib import Path

from kg.extract.places import extract_places
from kg.model import Document, EntityKind, Sentence, SourceText

WULONG_TITLE = "重庆市武隆区2023年国民经济和社会发展计划执行情况与2024年计划草案的报告\n"


def run(text: str, place_name: str = "") -> Document:
    doc = Document(source=SourceText(Path("x.txt"), text, "txt"), text=text, place_name=place_name)
    for m in re.finditer(r"[^。！？\n]+[。！？]?", text):
        doc.sentences.append(Sentence(len(doc.sentences), m.start(), m.end()))
    return extract_places(doc)


def places(doc: Document) -> dict[str, dict]:
    return {m.text: {"name": m.name, **m.attrs} for m in doc.mentions if m.kind is EntityKind.PLACE}


def test_document_place_from_title_line():
    doc = run(WULONG_TITLE + "各位代表：")
    assert doc.attrs["place_code"] == "500156"
    assert doc.attrs["place_name"] == "武隆区"


def test_document_place_from_place_name_field():
    doc = run("现在，我代表省人民政府，向大会报告政府工作。", place_name="安徽省")
    assert doc.attrs["place_code"] == "340000"


def test_full_names_prefer_the_reports_district_and_link_town_to_village():
    doc = run(WULONG_TITLE + "有力助推凤来镇高寿村创建“全国全军乡村振兴和军民共建示范村”。")
    p = places(doc)
    assert p["凤来镇"]["adcode"] == "500156113" and p["凤来镇"]["place_type"] == "town"
    assert p["高寿村"]["place_type"] == "village" and p["高寿村"]["parent"] == "500156113"
    village = next(i for i, m in enumerate(doc.mentions) if m.text == "高寿村")
    town = next(i for i, m in enumerate(doc.mentions) if m.text == "凤来镇")
    assert any(r.predicate == "locatedIn" and r.subject == village and r.object == town for r in doc.relations)
    assert "全军乡" not in p  # 全军乡村 is not a township


def test_abbreviations_of_towns_and_neighbouring_districts():
    doc = run(WULONG_TITLE + "完成凤山、芙蓉、羊角、江口4个镇街的三维实景图建设。建立与涪陵、南川高层互访。")
    p = places(doc)
    assert p["凤山"]["name"] == "凤山街道" and p["凤山"]["place_type"] == "subdistrict"
    assert p["江口"]["name"] == "江口镇"
    assert p["涪陵"]["name"] == "涪陵区" and p["涪陵"]["parent_name"] == "重庆市"
    assert p["南川"]["adcode"] == "500119"


def test_town_abbreviations_are_not_taken_outside_their_district():
    doc = run("2025年四川省政府工作报告\n完成凤山、芙蓉、羊角、江口4个镇街的三维实景图建设。")
    assert "羊角" not in places(doc)


def test_provinces_cities_and_regions():
    doc = run(WULONG_TITLE + "“四张清单”193项任务及四川地区43项年度重点合作事项深入推进，"
              "落实武隆、乐山二级以上医疗机构检查检验结果互认，办理“川渝通办”9746件。")
    p = places(doc)
    assert p["四川"]["place_type"] == "province"
    assert p["乐山"]["name"] == "乐山市"
    assert p["川渝"]["place_type"] == "region"


def test_national_regions_and_new_areas():
    doc = run("支持京津冀、长三角、粤港澳大湾区等经济发展优势地区更好发挥高质量发展动力源作用。"
              "抓好标志性项目在雄安新区落地建设。")
    p = places(doc)
    assert {"京津冀", "长三角", "粤港澳大湾区", "雄安新区"} <= set(p)
    assert p["粤港澳大湾区"]["place_type"] == "region"


def test_scenic_areas_mountains_and_rivers_in_a_provincial_report():
    doc = run("2025年安徽省政府工作报告\n深化新安江—千岛湖生态环境共同保护合作区建设，"
              "皖苏、皖赣长江流域横向生态保护补偿机制签约实施。加快皖西大别山革命老区振兴发展。")
    p = places(doc)
    assert p["新安江"]["place_type"] == "river"
    assert p["千岛湖"]["place_type"] == "lake"
    assert p["大别山"]["place_type"] == "mountain"
    assert p["长江流域"]["place_type"] == "region"


def test_places_inside_project_names():
    doc = run(WULONG_TITLE + "白马山战役陈列馆、仙女山度假区智能集中供热配套管网工程加快推进。")
    p = places(doc)
    assert p["白马山"]["place_type"] == "mountain"
    assert p["仙女山度假区"]["place_type"] == "scenic_area"
    assert "仙女山" in p  # the mountain inside the resort's name is kept too


def test_rivers_and_bridges():
    doc = run(WULONG_TITLE + "推进乌江航道整治工程。北岸乌江二桥至乌江大桥段防护工程。")
    p = places(doc)
    assert p["乌江"]["place_type"] == "river"
    assert p["乌江大桥"]["place_type"] == "landmark"


def test_foreign_countries_and_cities():
    doc = run(WULONG_TITLE + "巩固与日本泉佐野市、秘鲁马丘比丘市等国外城市友好关系。共赴蒙古国考察洽谈煤炭进口。")
    p = places(doc)
    assert p["日本"]["place_type"] == "country"
    assert p["泉佐野市"]["place_type"] == "foreign_city" and p["泉佐野市"]["parent"] == "日本"
    assert p["蒙古国"]["place_type"] == "country"


def test_route_ends_and_areas():
    doc = run(WULONG_TITLE + "完成武隆区G353大罗溪至鹅关修复养护工程。开工建设南溪沟片区开发项目。")
    p = places(doc)
    assert "鹅关" in p and "大罗溪" in p
    assert p["南溪沟"]["place_type"] == "other"


def test_generic_words_are_not_places():
    doc = run("2025年广西政府工作报告\n深度融入新发展格局，推进以县城为重要载体的城镇化建设，"
              "统筹城市和农村、城乡区域协调发展，全区基层社区治理能力提升，国家和地区之间合作加强。")
    p = places(doc)
    for word in ("城市", "深度", "县城", "农村", "城乡", "区域", "全区", "基层", "社区", "地区", "国家和"):
        assert word not in p, word


def test_everyday_words_are_not_town_abbreviations():
    # 土地乡 is a township of the district, but 土地 in 土地出让 is land
    doc = run(WULONG_TITLE + "全年完成土地出让收入12亿元。")
    assert "土地" not in places(doc)


# ---------------------------------------------------------------- session 2 rules

def test_feature_stem_of_a_subdistrict_is_the_scenic_place():
    # seed 000: 仙女山 the mountain/resort vs 仙女山街道 the subdistrict named after it
    doc = run(WULONG_TITLE + "推进仙女山天文馆建设，仙女山机场新开通8条航线。"
              "仙女山街道荆竹村乡村振兴以工代赈示范工程完工。")
    stems = [m for m in doc.mentions if m.text == "仙女山"]
    assert len(stems) == 2 and all("adcode" not in m.attrs and m.attrs["place_type"] == "mountain" for m in stems)
    full = next(m for m in doc.mentions if m.text == "仙女山街道")
    assert full.attrs["adcode"] == "500156003"


def test_feature_stem_followed_by_a_village_stays_the_subdistrict():
    doc = run(WULONG_TITLE + "打造仙女山荆竹村“世界最佳旅游乡村”。")
    stem = next(m for m in doc.mentions if m.text == "仙女山")
    assert stem.attrs.get("adcode") == "500156003"


def test_estates_listed_before_a_count_of_compounds():
    doc = run(WULONG_TITLE + "完成隆城国际、实验中学、戴斯大卫营等5个小区的居民供电设施改造，"
              "启动老粮食局等片区配套基础设施改造。")
    p = places(doc)
    assert {"隆城国际", "戴斯大卫营", "老粮食局"} <= set(p)
    assert "实验中学" not in p  # a school, even in a list of compounds
    assert "启动老粮食局" not in p


def test_facility_sites_are_places_but_descriptive_words_are_not():
    doc = run(WULONG_TITLE + "开工建设银盘抽水蓄能、东山风电等27个重点项目，加快推进磨槽湾水库等项目建设，"
              "完工四眼平三期风电。")
    p = places(doc)
    assert {"银盘", "东山", "磨槽湾", "四眼平"} <= set(p)
    # Guizhou 2025: 病险水库 is a kind of reservoir, not a place
    doc = run("2025年贵州省政府工作报告\n扎实抓好地质灾害避险搬迁、病险水库除险加固等工作。")
    assert "病险" not in places(doc)


def test_route_endpoints_after_a_division_and_at_a_boundary():
    doc = run(WULONG_TITLE + "新开工G353线白马大罗溪至长坝鹅冠段修复养护、国道319线彭水界至江口黄桷门段地灾整治，"
              "S205线火炉至土地徐家湾段预防性养护。")
    p = places(doc)
    assert {"大罗溪", "鹅冠", "黄桷门", "徐家湾"} <= set(p)
    assert p["彭水"]["adcode"] == "500243"  # a neighbouring county, from 彭水界
    assert p["土地"]["name"] == "土地乡"  # an everyday word, but the route slot makes it the township
    assert p["长坝"]["name"] == "长坝镇"


def test_other_provinces_counties_in_routes():
    doc = run(WULONG_TITLE + "加快推进大竹至垫江至丰都至武隆省际高速公路项目、武隆至道真高速公路重庆段。")
    p = places(doc)
    assert p["大竹"]["name"] == "大竹县"
    assert p["道真"]["name"] == "道真仡佬族苗族自治县"
    # Sichuan 2025: county seats of other prefectures joined by a motorway
    doc = run("2025年四川省政府工作报告\n新建成高速公路507公里，开江至梁平、乐山至马边、美姑至昭觉等高速公路通车。")
    p = places(doc)
    assert {"梁平", "马边", "昭觉"} <= set(p)


def test_route_names_made_of_abbreviations_are_not_places():
    doc = run(WULONG_TITLE + "G353中嘴至渝湘高速公路复线武隆段加快建设。国家级渝东黑山羊保种场项目开工。")
    p = places(doc)
    assert "渝湘" not in p and "黑山" not in p
    assert p["渝东"]["place_type"] == "region"
    # Shaanxi 2025: 陕川界 is the Shaanxi-Sichuan border, 陕川 no place
    doc = run("2025年陕西省政府工作报告\n开工洋县至西乡和镇巴至陕川界等高速项目。")
    assert "陕川" not in places(doc)


def test_county_seat_and_parks_listed_as_works():
    doc = run(WULONG_TITLE + "乌江白马电航枢纽工程库区武隆县城段防护工程。完成舒河公园、特色小吃街、滨河公园等项目，"
              "完成龙山公园桃花山片区品质提升。")
    p = places(doc)
    assert p["武隆县城"]["parent"] == "500156"
    assert "舒河公园" not in p and "滨河公园" not in p
    assert "龙山公园" in p  # used as the location of 桃花山片区


def test_direction_regions_in_a_provincial_report():
    # Fujian 2025
    doc = run("2025年福建省政府工作报告\n做强做优临海蓝色、闽西北绿色、闽东南高优三大特色农业产业带。")
    p = places(doc)
    assert p["闽西北"]["place_type"] == "region" and p["闽西北"]["parent"] == "福建省"
    assert "闽东南" in p


def test_traditional_text_is_searched_in_simplified_form():
    # national report 1954, written in traditional characters
    text = Path("/work/shared/corpus/national/gwr-1954.txt")
    passage = ("依靠汛區人民的奮鬥和全國人民的支援，我們保持了武漢、南京、蚌埠、天津等重要城市、"
               "蘇北平原、淮北平原和荊江大堤的安全。")
    if text.is_file():
        assert passage[:20] in text.read_text(encoding="utf-8")
    doc = run(passage)
    p = places(doc)
    assert p["武漢"]["name"] == "武汉市" and p["武漢"]["place_type"] == "city"
    assert p["蘇北"]["name"] == "苏北"
    assert all(doc.text[m.start:m.end] == m.text for m in doc.mentions)


def test_the_state_councils_report_has_no_division_as_its_place():
    # national report 2025: the body's first paragraph names places, the report is national
    doc = run("2025年中华人民共和国国务院政府工作报告\n各位代表：\n现在，我代表国务院，向大会报告政府工作。\n"
              "过去一年，重庆、四川等地经济回升向好。")
    assert "place_code" not in doc.attrs
    assert places(doc)["重庆"]["name"] == "重庆市"


def test_a_route_word_before_the_first_endpoint_is_not_part_of_it():
    # Hubei 2025
    doc = run("2025年湖北省政府工作报告\n沿江高铁宜昌至涪陵段、燕矶长江大桥、蒲圻电厂三期等3296个重大基础设施项目加快建设。")
    p = places(doc)
    assert p["宜昌"]["name"] == "宜昌市" and p["涪陵"]["name"] == "涪陵区"
    assert not any("高铁" in name for name in p)


def test_a_mountain_name_split_by_jieba_is_not_the_subdistrict_inside_it():
    # seed 000: 双凤山 holds 凤山 (凤山街道) but names a mountain
    doc = run(WULONG_TITLE + "打造双凤山高山生态茶产业园。完成凤山、芙蓉、羊角、江口4个镇街的三维实景图建设。")
    p = places(doc)
    assert p["双凤山"]["place_type"] == "mountain" and "adcode" not in p["双凤山"]
    assert p["凤山"]["name"] == "凤山街道"
    # ... and a river is not guessed that way: 高山番茄谷双河片区 is the 双河 area
    doc = run(WULONG_TITLE + "完成高山番茄谷双河片区建设。")
    assert places(doc)["双河"]["name"] == "双河镇"


def test_an_attributive_word_is_not_a_countys_short_name():  # Guangdong and Heilongjiang 2025
    doc = run("积极推动重点领域和新兴领域立法，提升政府立法质量和效率。", place_name="广东省")
    assert "新兴" not in places(doc)  # 新兴县 is a county of Guangdong, 新兴领域 no place
    doc = run("在生物制造、航空航天等新兴领域，高标准农田、城市地下管网等传统领域，谋划实施标志性、引领性项目。",
              place_name="黑龙江省")
    assert "新兴" not in places(doc)


def test_a_city_after_a_country_ends_on_a_word_end():  # Heilongjiang 2025
    doc = run("支持企业开拓欧盟、南美、东南亚、非洲等多元化国际市场，扩大汽车及零部件、农业机械等地产品出口。",
              place_name="黑龙江省")
    p = places(doc)
    assert p["非洲"]["place_type"] == "region"
    assert not any(v["place_type"] == "foreign_city" for v in p.values())  # 等多元化国际市(场)


def test_a_country_name_in_a_concept_is_no_place():  # Gansu 2025, national 2015
    doc = run("坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神。", place_name="甘肃省")
    assert "中国" not in places(doc)
    doc = run("中国与冰岛、瑞士自贸区启动实施，中韩、中澳自贸区完成谈判。")
    assert {"中国", "冰岛", "瑞士"} <= set(places(doc))


def test_a_region_cut_from_a_longer_word_and_modifiers_of_areas_are_no_places():
    # Heilongjiang 2025: 东北 of 东北亚
    doc = run("推动哈尔滨国际航空枢纽建设，加密俄远东、东北亚和东南亚客运航线。", place_name="黑龙江省")
    assert "东北" not in places(doc) and "哈尔滨" in places(doc)
    # national 2015: 边远 of 边远山区
    doc = run("新建改建农村公路20万公里，全面完成西部边远山区溜索改桥任务。")
    assert "西部" in places(doc) and "边远" not in places(doc)
    # Gansu 2025: 清洁小 of 生态清洁小流域
    doc = run("加强陇中陇东黄土高原水土流失综合治理，实施坡耕地、淤地坝、固沟保塬、生态清洁小流域等项目。",
              place_name="甘肃省")
    assert "黄土高原" in places(doc) and not any("清洁" in k for k in places(doc))


def test_a_provinces_literary_name_is_the_province_not_a_county():  # Heilongjiang 2025
    doc = run("我们要全力打造“投资龙江”品牌，形成招商引资竞相发展的良好态势。", place_name="黑龙江省")
    p = places(doc)
    assert p["龙江"]["place_type"] == "region" and "adcode" not in p["龙江"]  # not 龙江县
