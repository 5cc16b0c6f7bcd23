"""Organisation extraction on passages of real reports: district plan reports (seeds 000,
002), national government work reports (2024, 1980) and a provincial report (Sichuan 2025)."""
import re
from pathlib import Path

from kg.extract.organizations import extract_organizations
from kg.model import EntityKind, SourceText
from kg.structure import parse_document


def orgs_in(text: str) -> set[str]:
    doc = parse_document(SourceText(path=Path("passage.txt"), text=text, format="txt"))
    doc = extract_organizations(doc)
    return {m.text for m in doc.mentions if m.kind is EntityKind.ORGANIZATION}


def test_issuer_and_department_abbreviation():  # seed 000, lines 4, 24
    found = orgs_in("重庆市武隆区发展和改革委员会\n\n相关经验做法获市发展改革委3次推送至《重庆日报》。")
    assert {"重庆市武隆区发展和改革委员会", "市发展改革委", "重庆日报"} <= found


def test_known_central_and_international_bodies():  # seed 000 lines 11, 82; gwr-2024
    found = orgs_in("结合国务院推动高质量发展综合督查。IMF预计2024年全球经济增长2.9%。与东盟签署自贸区协定。")
    assert {"国务院", "IMF", "东盟"} <= found


def test_short_company_names_in_a_list_of_companies():  # seed 000, line 30
    found = orgs_in("新培育中苕食品、兴顺风电、武隆苕粉、穗通新能源汽车4家市级“专精特新”企业。")
    assert {"中苕食品", "兴顺风电", "穗通新能源汽车"} <= found


def test_institutions_heading_a_project_name():  # seed 000, line 293
    found = orgs_in("加快区人民医院内科综合大楼建设。高质量推进重庆武隆乡村旅游学院办学。")
    assert {"区人民医院", "重庆武隆乡村旅游学院"} <= found


def test_provincial_groups_and_banks():  # sichuan-2025
    found = orgs_in("实施川投集团和省能投集团战略性重组，组建四川科创投资集团、省储备粮集团，四川农商联合银行开业运营。")
    assert {"川投集团", "四川科创投资集团", "四川农商联合银行"} <= found


def test_generic_and_vague_bodies_are_skipped():  # gwr-1980, seed 002
    found = orgs_in("国外一些石油公司同我们进行了合作。充分发挥银行的作用。组建“强村公司”，深化布局调整。"
                    "区政府各部门和平台公司要各司其职。")
    assert not any(("一些" in o) or o.endswith("银行") or o.endswith("布局") for o in found)
    assert "平台公司" not in found and "区政府" not in found


def test_national_companies_without_suffix():  # Henan, Tianjin 2025; seed 000 line 56
    assert {"比亚迪"} <= orgs_in("支持比亚迪、上汽、奇瑞、宇通等企业扩量提质，力争整车产量200万辆。")
    assert "中远海运" in orgs_in("持续引进船舶运力、航运服务等港航企业，加强与中远海运等合作。")
    assert "京东物流" in orgs_in("完成京东物流（渝东）智能物流港一期主体工程。")


def test_partners_of_a_cooperation():  # seed 000 line 41
    found = orgs_in("贸易业态不断创新，重庆鼎悦科技与通耀智能深度合作，共赴蒙古国考察洽谈煤炭进口。")
    assert {"重庆鼎悦科技", "通耀智能"} <= found


def test_a_list_closed_by_a_count_of_firms():  # Hubei 2025; seed 000 line 30; seed 002
    found = orgs_in("省联投、省交投、省文旅集团等6家地方国企进入中国企业500强。")
    assert {"省联投", "省交投"} <= found
    assert "武隆苕粉" in orgs_in("新培育中苕食品、兴顺风电、武隆苕粉、穗通新能源汽车4家市级“专精特新”企业。")
    # N家 also counts parks and hotels: without a firm word the items are not companies
    assert not orgs_in("武汉东湖、襄阳、宜昌3家高新区进入全国50强。")
    assert "精品酒店" not in orgs_in("开工建设既下山度假酒店,引进精品酒店、特色民宿3家。")


def test_projects_and_sites_are_not_companies():  # seed 000 lines 33, 59, 63
    assert "东山风电" not in orgs_in("开工建设银盘抽水蓄能、东山风电等27个重点项目。")
    assert "农业科技" not in orgs_in("国家农业科技园区创建通过验收。")
    assert not any("公路局" in o for o in orgs_in("启动老粮食局等片区配套基础设施改造及城区老公路局等片区房屋主体改造。"))


def test_newspapers_and_their_owners():  # seed 000 line 48; gwr-2008
    assert {"商务部", "国际商报"} <= orgs_in("长坝镇“商会力量”特色案例获商务部国际商报专版报道。")
    assert "教育部直属师范大学" in orgs_in("2007年开始在教育部直属师范大学实施师范生免费教育试点。")


def test_a_hospital_or_college_being_built_is_no_organisation():  # seed 000, Hainan 2025
    assert "福康医院" not in orgs_in("区妇幼保健院儿科大楼建设等项目有序推进，福康医院建成投用，下派专家座诊2300余人次。")
    assert "北京大学口腔医院三亚医院" not in orgs_in("上海儿童医学中心海南医院、北京大学口腔医院三亚医院竣工。")
    assert "四川大学" in orgs_in("与四川大学签订战略合作协议。")


def test_kinds_of_organisations_are_not_names():  # gwr-2010, Guangdong 2025
    found = orgs_in("鼓励跨国公司在华设立地区总部等各类功能性机构。稳步推进资产管理公司转型。"
                    "深化行业协会商会改革。主要在证券交易所上市交易的标准化金融产品。"
                    "加快高水平医院建设。稳步推进国家开发银行商业化转型和农业银行股份制改革。")
    assert not found & {"跨国公司", "资产管理公司", "行业协会商会", "证券交易所", "高水平医院"}
    assert {"国家开发银行", "农业银行"} <= found  # a field word (开发, 农业) still names a bank


def test_counted_and_clause_bodies_are_not_names():  # Gansu, Guangdong 2025; gwr-2010, gwr-1997
    found = orgs_in("优化3家国家大学科技园，建强30家高校产业研究院。"
                    "总结推广金昌、白银、庆阳3个城市医疗集团建设试点经验。"
                    "拓展文化教育交流，共同弘扬中华文化。"
                    "办好珠三角与粤东西北经贸合作招商会、世界粤商大会。"
                    "切实加强人民武装警察部队、公安和国家安全部门建设。")
    assert not any(re.search(r"\d|个|家|弘扬|招商会", o) for o in found), found
    assert "国家安全部" not in found
