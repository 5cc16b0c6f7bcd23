"""Number phrases as real reports write them (seeds, national reports, a provincial report)."""
from decimal import Decimal

from kg.extract.numbers import find_number_phrases, parse_chinese_numeral
from kg.model import Comparator


def phrases(text):
    return [(p.value, p.unit, p.comparator, p.value_max) for p in find_number_phrases(text)]


def test_amount_and_growth_keep_the_unit_as_written():
    # seed 000: 全年实现地区生产总值273.46亿元、同比增长5.5%
    assert phrases("全年实现地区生产总值273.46亿元、同比增长5.5%") == [
        (Decimal("273.46"), "亿元", Comparator.EQ, None),
        (Decimal("5.5"), "%", Comparator.EQ, None)]


def test_magnitude_prefix_stays_in_the_unit():
    # seed 000 and national 2010
    assert phrases("举办招聘会33场提供岗位1.68万个")[1][:2] == (Decimal("1.68"), "万个")
    assert phrases("累计接待游客4494万人次")[0][:2] == (Decimal("4494"), "万人次")
    assert phrases("国内生产总值达到33.5万亿元")[0][:2] == (Decimal("33.5"), "万亿元")


def test_composite_units():
    assert phrases("PM2.5浓度30微克/立方米")[0][:2] == (Decimal("30"), "微克/立方米")
    assert phrases("迎峰度夏期间景区游客峰值3万人/天")[0][:2] == (Decimal("3"), "万人/天")
    assert phrases("园区综合融资成本下降0.25个百分点")[0][:2] == (Decimal("0.25"), "个百分点")
    assert phrases("国企综合融资成本下降30个基点")[0][:2] == (Decimal("30"), "个基点")
    assert phrases("完成工业设备更新14.2万台（套）")[0][:2] == (Decimal("14.2"), "万台（套）")


def test_comparators():
    # national 2010 and seed 000
    assert phrases("城镇登记失业率控制在4.6%以内")[0][2] is Comparator.LE
    assert phrases("城镇新增就业900万人以上")[0][2] is Comparator.GE
    assert phrases("居民消费价格涨幅3%左右")[0][2] is Comparator.APPROX
    assert phrases("新建绿色建筑占比不低于70%")[0][2] is Comparator.GE
    assert phrases("撬动社会资本投资约1亿元")[0][2] is Comparator.APPROX
    assert phrases("日产能突破120万方")[0][2] is Comparator.GE
    assert phrases("实施以工代赈吸纳务工群众7920余人")[0][:3] == (Decimal("7920"), "人", Comparator.GE)
    assert phrases("确保PM2.5平均浓度控制在25微克/立方米及以下")[0][2] is Comparator.LE


def test_ranges_take_the_lower_bound_as_value():
    for text in ("增长5%—6%", "增长5%-6%", "增长5%到6%", "增长5—6%"):
        assert phrases(text) == [(Decimal("5"), "%", Comparator.EQ, Decimal("6"))], text
    assert phrases("增长5.5%—6%")[0][3] == Decimal("6")
    assert phrases("新引进1—2家银行、保险等金融机构")[0] == (Decimal("1"), "家", Comparator.EQ, Decimal("2"))


def test_ratios():
    # seed 000: 城乡居民收入比缩小至2.35：1 ; 三次产业结构比调整为12.1：38.1：49.8
    assert phrases("城乡居民收入比缩小至2.35：1") == [(Decimal("2.35"), "：1", Comparator.EQ, None)]
    parts = find_number_phrases("三次产业结构比调整为12.1：38.1：49.8")
    assert [(p.value, p.unit, p.part) for p in parts] == [
        (Decimal("12.1"), "", 0), (Decimal("38.1"), "", 1), (Decimal("49.8"), "", 2)]


def test_chinese_numerals_and_fractions():
    assert parse_chinese_numeral("十万") == 100000
    assert parse_chinese_numeral("三千五百") == 3500
    assert parse_chinese_numeral("二十") == 20
    assert parse_chinese_numeral("两") == 2
    assert phrases("培育二十余家企业")[0][:3] == (Decimal("20"), "家", Comparator.GE)
    assert phrases("带动三千多人就业")[0][:3] == (Decimal("3000"), "人", Comparator.GE)
    assert phrases("力争突破招引一个特级资质建筑企业")[0][:2] == (Decimal("1"), "个")
    assert phrases("新增两个国家级园区")[0][:2] == (Decimal("2"), "个")
    assert find_number_phrases("约三分之一")[0].value == Decimal("0.3333")
    assert find_number_phrases("超过一半")[0].value == Decimal("0.5")


def test_non_quantities_are_skipped():
    # seed 000: years, dates, ordinals, sessions, slogans in quotes, codes
    assert phrases("区十九届人大第三次会议批准的2023年计划草案") == []
    assert phrases("《关于武隆区2023年1—6月国民经济和社会发展计划执行情况的报告》") == []
    assert phrases("以“10项重点工程”为载体") == []
    assert phrases("发放稳经济政策“181+36”条宣传资料") == []
    assert phrases("全面贯彻党的二十大、二十届二中全会精神") == []
    assert phrases("做到“两个维护”") == []
    assert phrases("2023—2025年") == []
    # national 2024: 5G is a name, 50% the value
    assert phrases("5G用户普及率超过50%") == [(Decimal("50"), "%", Comparator.GE, None)]


def test_percent_in_words_of_older_reports():
    # national report 1995: 增长百分之十二点五 is written out in words
    assert phrases("全年进出口总额2367亿美元，增长百分之二十点九")[1][:2] == (Decimal("20.9"), "%")
    assert phrases("物价上涨幅度控制在百分之十五左右")[0][:3] == (Decimal("15"), "%", Comparator.APPROX)


def test_issue_forms_on_more_reports():
    # Anhui 2025: 9000亿元以上 ; national 2022: 2万亿元以上
    assert phrases("全年进出口总额9000亿元以上") == [(Decimal("9000"), "亿元", Comparator.GE, None)]
    assert phrases("支出规模比去年扩大2万亿元以上") == [(Decimal("2"), "万亿元", Comparator.GE, None)]
    # Fujian 2025: a range of growth rates
    assert phrases("全省地区生产总值增长5.0%—5.5%") == [(Decimal("5.0"), "%", Comparator.EQ, Decimal("5.5"))]
    # seed 002: basis points written in words with BP in brackets
    assert phrases("国企综合融资成本下降30个基点(BP)")[0][:2] == (Decimal("30"), "个基点")
    # Guangdong 2025: 超 before a count is a lower bound
    assert phrases("大型产业集聚区新投产亿元以上项目超270个") == [(Decimal("270"), "个", Comparator.GE, None)]


def test_full_width_text_reads_as_written():
    # national report 1956 as stored: full-width digits and ％
    assert phrases("已经占总农户的６０％左右") == [(Decimal("60"), "%", Comparator.APPROX, None)]
    assert phrases("即增长３．６８％") == [(Decimal("3.68"), "%", Comparator.EQ, None)]


def test_fractions_and_old_percent_words_take_their_comparator():
    # national reports 1955/1956 and 1954 (traditional characters)
    p = find_number_phrases("的农户将占全国农户总数的三分之一左右")[0]
    assert (p.value, p.comparator, p.family) == (Decimal("0.3333"), Comparator.APPROX, "fraction")
    assert phrases("在恢復期間工業總産值平均每年遞增百分之三十六點九") == [
        (Decimal("36.9"), "%", Comparator.EQ, None)]


def test_a_numeral_with_yi_before_a_wan_unit_counts_in_wan():  # national 1985
    got = [(p.value, p.unit, p.comparator) for p in
           find_number_phrases("原煤产量达到七亿七千多万吨，原油达到一亿一千四百多万吨，都比上年增长8%")]
    assert got[:2] == [(Decimal("77000"), "万吨", Comparator.GE), (Decimal("11400"), "万吨", Comparator.GE)]
