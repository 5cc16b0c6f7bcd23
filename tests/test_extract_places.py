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
