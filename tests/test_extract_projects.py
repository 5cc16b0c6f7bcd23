"""Project names, their status and alias keys, on passages of real reports:
the two seed reports (a district of Chongqing, 2023/2024), national government work
reports (1998, 2019) and provincial 2025 reports (Guizhou, Guangdong)."""
import re
from pathlib import Path

from kg.extract.projects import extract_projects, project_alias_key, same_project
from kg.model import Document, EntityKind, Mention, SourceText
from kg.structure import parse_document


def doc_of(text: str) -> Document:
    return parse_document(SourceText(path=Path("passage.txt"), text=text, format="txt"))


def projects(text: str, doc: Document | None = None) -> dict[str, str]:
    doc = extract_projects(doc or doc_of(text))
    return {m.name: m.attrs["status"] for m in doc.mentions if m.kind is EntityKind.PROJECT}


# seed 000 (district plan report)
def test_suffix_names_start_after_the_introducing_verb():
    found = projects("研学产业链推进仙女山天文馆、白马山国家研学基地、龙炎传人国防科普教育实践基地项目、"
                     "华邦音乐乐园、树顶漫步等项目。")
    assert {"仙女山天文馆", "白马山国家研学基地", "龙炎传人国防科普教育实践基地项目", "华邦音乐乐园"} <= set(found)
    assert "研学产业链推进仙女山天文馆" not in found


def test_enumeration_closed_by_deng_xiangmu_makes_every_item_a_project():
    found = projects("专班推进工业项目，加快亿航、逸满舱、康旅房车等项目落地建设。")
    assert {"亿航", "逸满舱", "康旅房车"} <= set(found)


def test_brackets_are_kept_and_status_comes_from_the_verb_after_the_list():
    found = projects("“公铁水空”立体开放通道体系不断完善，渝湘高速复线（武隆段）、渝湘高铁（武隆段）、武道高速、"
                     "武两高速、乌江航道整治工程加快推进，南涪铁路鸭江货运站有序扩容改建，仙女山机场新开通8条航线。")
    assert found["渝湘高速复线（武隆段）"] == "under_construction"
    assert found["渝湘高铁（武隆段）"] == "under_construction"
    assert "乌江航道整治工程" in found and "仙女山机场" in found


def test_counts_and_generic_categories_are_not_projects():
    found = projects("实施“重点项目提速行动”，开工建设银盘抽水蓄能、东山风电等27个重点项目。")
    assert found.get("银盘抽水蓄能") == "started" and found.get("东山风电") == "started"
    assert not any("重点项目" in n for n in found)


def test_works_after_deng_apply_to_each_item():
    found = projects("完成老车站、瓦厂坝、复烤厂、铁厂坡等片区改造600户。")
    assert {"老车站片区改造", "瓦厂坝片区改造", "复烤厂片区改造", "铁厂坡片区改造"} == set(found)
    assert found["老车站片区改造"] == "completed"


# seed 002 (district government work report)
def test_numbered_road_sections():
    found = projects("启动中横街贯通、G353连接线江北段建设,新增公共停车位500个。")
    assert "G353连接线江北段建设" in found


def test_a_quoted_strategy_span_owns_its_words():
    text = "深入实施“四治融合”乡村治理工程，推广沧沟乡经验。"
    doc = doc_of(text)
    name = "“四治融合”乡村治理工程"
    start = text.index(name)
    doc.add_mention(Mention(kind=EntityKind.STRATEGY, start=start, end=start + len(name), sentence=0, text=name))
    assert projects(text, doc) == {}


# national reports
def test_national_1998_railways_and_dam_works():
    assert projects("继续搞好三峡工程及其移民工作。") == {"三峡工程": "unknown"}
    found = projects("一大批重点建设项目建成投产，京九、南昆铁路全线投入运营，长江三峡和黄河小浪底水利水电枢纽工程顺利截流。")
    assert found["南昆铁路"] == "operating"


def test_national_2019_bridge_completed():
    assert projects("粤港澳大湾区规划建设迈出实质性步伐，港珠澳大桥建成通车。") == {"港珠澳大桥": "completed"}


# provincial reports (docx)
def test_kind_after_deng_names_each_item():
    found = projects("围绕构建贵州“大水网”，加快建设观音、宣威、花滩子等大型水库，力争开工建设英武水库、玉龙水库和夹岩大型灌区。")
    assert {"观音水库", "宣威水库", "花滩子水库", "英武水库", "玉龙水库"} <= set(found)
    assert found["英武水库"] == "started"


def test_provincial_railway_and_terminal_status():
    assert projects("开工建设铜仁至吉首铁路，加快盘州至兴义、黄桶至百色等铁路建设。")["铜仁至吉首铁路"] == "started"
    found = projects("汕尾陆丰核电1、2号机组获国家核准，潮州、惠州LNG接收站建成投产。")
    assert found.get("惠州LNG接收站") == "operating"


def test_verbs_jieba_tags_are_cut_from_names():
    found = projects("做深做实项目前期工作，推广铁路货运。")
    assert not any(n.startswith(("做深", "推广")) for n in found)


# aliases
def test_alias_key_merges_bracketed_and_road_variants():
    assert project_alias_key("渝湘高速复线（武隆段）") == project_alias_key("渝湘高速公路复线武隆段")
    assert project_alias_key("白马航电") == project_alias_key("白马航电枢纽")
    assert project_alias_key("仙女山街道污水管网改建项目（一期）") == project_alias_key("仙女山街道污水管网改建一期")
    assert project_alias_key("武隆区数字化城市运行和治理中心", ("武隆区",)) == project_alias_key("数字化城市运行和治理中心")
    assert project_alias_key("仙女山天文馆") != project_alias_key("仙女山机场")


def test_a_hydro_works_is_one_project_with_or_without_its_river_and_in_either_term_order():
    # the issue's own example: short name, with 枢纽, and with river, 电航 order and 工程
    key = project_alias_key("白马航电")
    assert project_alias_key("白马航电枢纽") == project_alias_key("乌江白马电航枢纽工程") == key
    assert project_alias_key("黄河小浪底水利枢纽") == project_alias_key("小浪底水利枢纽")
    assert project_alias_key("金沙江向家坝水电站") == project_alias_key("向家坝水电站")
    # not hydro works named after their site: the river tells them apart
    assert project_alias_key("黄河堤防加固工程") != project_alias_key("长江堤防加固工程")
    # 江口 begins a place name, not a river
    assert project_alias_key("重庆江口水电站").endswith("江口水电站")


def test_same_project_allows_one_swap_of_neighbouring_characters():
    assert same_project("白马电航枢纽工程", "白马航电枢纽")
    assert not same_project("港珠澳大桥", "港澳珠海桥")


def test_in_a_plan_section_a_start_verb_means_planned():  # seed 002: review part, then 2024 plan part
    from kg.ingest import read_document
    doc = extract_projects(parse_document(read_document(Path(__file__).parent.parent / "data" / "002_772683341a126a07.txt")))
    statuses = {m.attrs["status"] for m in doc.mentions if m.kind is EntityKind.PROJECT and m.name == "车盘水库"}
    assert statuses == {"under_construction", "planned"}


# quoted apps, platforms and service brands
def test_quoted_apps_after_an_app_word_are_projects():  # seed 000
    found = projects("加速推动市级应用“渣土车监管一件事”“民呼我为”“情指行”和区级特色应用“文化·安心游”在区治理中心贯通流转运行。")
    assert {"“渣土车监管一件事”", "“民呼我为”", "“情指行”", "“文化·安心游”"} <= set(found)
    found = projects("成功打造“放心游”“信易游”“轻松游”等品牌，带动旅游消费升级。")
    assert {"“放心游”", "“信易游”", "“轻松游”"} <= set(found)


def test_quoted_app_before_an_app_word_and_its_status():  # seed 002, Shandong 2025
    assert projects("“一件事”论证审查和备案位居全市前列,“安心游”特色应用上线运行。") == {"“安心游”": "operating"}
    assert "“鲁通码”" in projects("扎实推进21项“一件事”落地实施。创新应用“鲁通码”，政务服务事项网上可办率90%以上。")


def test_quoted_campaigns_and_pilots_are_not_apps():  # Qinghai, Chongqing 2025
    assert "“跟着赛事去旅行”" not in projects("高水平办好青超联赛等赛事，打造“跟着赛事去旅行”品牌活动。")
    assert not projects("成功入选全国“车路云一体化”应用试点。")


# shared heads of enumerations (seed 000)
def test_a_count_closing_a_list_gives_its_works_to_each_item():
    found = projects("完成后坪乡天池坝、羊角轿子石、白马张家湾、桐梓集镇、羊角贺家湾5个地灾工程治理。")
    assert {"后坪乡天池坝地灾工程治理", "羊角轿子石地灾工程治理", "羊角贺家湾地灾工程治理"} <= set(found)
    assert found["白马张家湾地灾工程治理"] == "completed"


def test_one_site_before_deng_pianqu_takes_the_works():
    found = projects("启动老粮食局等片区配套基础设施改造及城区老公路局等片区房屋主体改造。")
    assert "老粮食局片区配套基础设施改造" in found
    assert any(n.endswith("老公路局片区房屋主体改造") for n in found)


# left edges and generic kinds of works
def test_left_edge_stops_at_governing_verbs_and_residues():  # seed 000, Jilin and Qinghai 2025
    found = projects("艺术产业链狠抓启明东方星聚城、仙女山1003PoloClub、武隆之音文创科技项目等项目。")
    assert "启明东方星聚城" in found and not any("狠抓" in n for n in found)
    assert "东北虎豹国家公园" in projects("推进山水林田湖草沙一体化保护和系统治理，建设好东北虎豹国家公园。")
    found = projects("推进国家综合货运补链强链、西宁商贸服务型国家物流枢纽、多式联运试点建设。")
    assert "西宁商贸服务型国家物流枢纽" in found and "型国家物流枢纽" not in found


def test_a_verb_inside_a_longer_verb_is_no_boundary():  # seed 000
    assert not projects("按照“三张清单”严控新建、严格清理规范在建政府投资项目。")


def test_kinds_of_works_counted_are_not_projects():  # seed 000, Tianjin and Chongqing 2025
    assert not projects("完成口袋公园2处、山城绿道1条、街头绿地提质项目2个。")
    assert not projects("集中力量分年度实施城市管网改造，全年改造燃气管网723公里、供热管网1122公里。")
    assert "双河镇生活垃圾中转站" in projects("新建双河镇生活垃圾中转站1座。")


def test_a_bracketed_list_of_named_works_gives_each_item():  # seed 000
    found = projects("渝湘高铁武隆南站综合交通枢纽完成房屋征收及房屋拆除、市政道路（站南路、站西路、站北路）及站前广场主体建设。")
    assert {"站南路", "站西路", "站北路", "站前广场"} <= set(found)
    assert not any("（" in n for n in found)


def test_a_bracket_of_sections_stays_in_the_name():  # seed 000
    found = projects("乌江白马电航枢纽工程库区武隆县城段防护工程（北岸苏家河至乌江三桥段、北岸乌江二桥至乌江大桥段）开工。")
    assert any(n.endswith("乌江大桥段）") for n in found)


# unseen provincial and national reports (Gansu 2025, gwr-2010, gwr-1997)
def test_categories_of_facilities_are_not_projects():  # Gansu 2025; gwr-2010; gwr-1997
    found = projects("推动各级图书馆、文化馆、博物馆、纪念馆、非遗馆全面达标。加强义务教育学校标准化建设。"
                     "大力发展职业教育，支持中等职业学校建设。严格控制一般加工工业项目。"
                     "培育电子商务产业园和县域直播电商中心。兰张高铁兰武段开通运营。")
    assert not set(found) & {"各级图书馆", "义务教育学校", "中等职业学校", "一般加工工业项目",
                             "电子商务产业园", "电子商务产业园和县域直播电商中心"}, found
    assert "兰张高铁" in found  # a name with a place-like abbreviation stays


def test_positioning_goals_regions_and_fields_are_not_projects():  # Gansu 2025; gwr-2010
    found = projects("聚力打造全国区域性现代制造业基地，运用数字技术改造提升传统产业。"
                     "实施民族地区、革命老区公路交通大突破工程。"
                     "加快实施十大重点节能工程、循环经济等项目。建成世界蜂疗大会川渝工作站。")
    assert not set(found) & {"全国区域性现代制造业基地", "民族地区", "循环经济"}, found
    assert "世界蜂疗大会川渝工作站" in found  # 世界 opens a name that is not a goal


def test_a_place_ending_like_a_suffix_is_not_a_project():  # gwr-1997
    from kg.extract.places import extract_places
    doc = extract_places(doc_of("今年我国将恢复对香港行使主权。这标志着香港进入新纪元。加快港珠澳大桥建设。"))
    found = projects("", doc)
    assert not any(name.endswith("香港") for name in found), found


def test_a_clause_before_a_category_does_not_make_it_a_name():  # gwr-1997
    found = projects("今年要基本完成高等学校管理体制改革。")
    assert not any("要" in name or name == "高等学校" for name in found), found


def test_a_clause_of_spending_or_avoiding_is_not_a_name():  # gwr-2010
    found = projects("中央财政安排保障性安居工程资金632亿元。资金安排主要用于项目建设。"
                     "切实防止出现“半拉子”工程。")
    assert not any(re.search("安排|用于|防止", name) for name in found), found


# Sichuan 2025, Guangdong 2025: a verb cuts a name only at word boundaries
def test_verb_cut_only_at_word_boundaries():
    found = projects("构建和完善川渝合作机制。共建成渝综合性科学中心、成渝中线科创走廊，打造川渝“科创共同体”。")
    assert not any(n.startswith("渝综合") for n in found)
    found = projects("支持创建成都国家植物园，加强古树名木保护。")
    assert "成都国家植物园" in found and "都国家植物园" not in found
    # 建成/渝湘 is a real cut: 加快 before the verb is a word of its own
    assert "渝湘高铁武隆南站站房及配套道路主体工程" in projects("建成渝湘高铁武隆南站站房及配套道路主体工程。")


# national report 2010: 和 joining a programme, a policy or a rate to a works
def test_he_joining_a_programme_or_a_rate_keeps_the_works_alone():
    found = projects("扎实推进十大重点节能工程、千家企业节能行动和节能产品惠民工程，形成全社会节能的良好风气。")
    assert "节能产品惠民工程" in found
    assert not any("行动和" in n for n in found)
    found = projects("继续实施农村部分计划生育家庭奖励扶助制度和西部地区少生快富工程。")
    assert set(found) == {"西部地区少生快富工程"}
    found = projects("企业“走出去”逆势上扬，非金融类对外直接投资和对外工程承包营业额分别增长6.5%和5.9%。")
    assert not found


# Gansu 2025: an abbreviated list shares the kind of the item that closes it
def test_abbreviated_list_shares_the_closing_kind():
    found = projects("柳红铁路建成投运。兰合、平庆、天陇和西成铁路甘肃段建设提速。")
    assert {"兰合铁路", "平庆铁路", "天陇铁路", "西成铁路"} <= set(found)
    assert not any("和" in n for n in found)
    found = projects("加快建设兰合、平庆、天陇、西成铁路甘肃段、兰张高铁武张段。")
    assert {"兰合铁路", "平庆铁路", "天陇铁路", "西成铁路", "兰张高铁"} <= set(found)
    # a list of fields is no abbreviated list
    assert not any(n in ("交通工程", "能源工程") for n in projects("加强交通、能源、水利工程建设。"))
    # seed 000: one short name before a suffix name keeps its own name
    found = projects("推进全民健身中心、仙女山体育场升级改造、亿航、卡宾滑雪场、户外运动高端营地等项目。")
    assert "亿航" in found and "亿航滑雪场" not in found


# Sichuan 2025: an adverb before a verb makes a clause, not a name
def test_adverb_and_verb_make_a_clause_not_a_name():
    found = projects("协同推进降碳、减污、扩绿、增长，更好守护美丽四川生态家园。")
    assert not any("守护" in n for n in found)
    found = projects("坚决破除隐性壁垒，及时发布项目清单，公平保障各类经营主体参与。")
    assert not any("发布" in n for n in found)
    # 及 joining two works stays a name (seed 002)
    assert "标准化粮食仓储及加工项目" in projects("推进标准化粮食仓储及加工项目建设。")
