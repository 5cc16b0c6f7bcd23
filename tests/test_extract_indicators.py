"""One key per indicator across reports: forms taken from the seeds, national and provincial reports."""
from kg.extract.indicators import normalize_indicator


def test_regional_output_forms_share_one_key():
    # seed 000 (地区生产总值, 占全区GDP比重), Zhejiang 2025 (全省生产总值)
    assert normalize_indicator("地区生产总值") == normalize_indicator("全省生产总值") == \
        normalize_indicator("GDP") == normalize_indicator("地区生产总值增速") == "地区生产总值"
    assert normalize_indicator("民营经济增加值占全区GDP比重") == \
        normalize_indicator("民营经济增加值占地区生产总值比重")


def test_national_output_stays_apart_from_regional():
    # national reports write 国内生产总值
    assert normalize_indicator("国内生产总值") == "国内生产总值"
    assert normalize_indicator("国内生产总值") != normalize_indicator("地区生产总值")


def test_abbreviations_of_statistical_terms():
    assert normalize_indicator("规上工业增加值") == normalize_indicator("规模以上工业增加值")
    assert normalize_indicator("全区规上工业增加值增速") == "规模以上工业增加值"
    assert normalize_indicator("社零总额") == normalize_indicator("社会消费品零售总额")
    assert normalize_indicator("全社会R&D投入") == normalize_indicator("全社会研发经费投入")
    assert normalize_indicator("进出口总值") == normalize_indicator("进出口总额")
    assert normalize_indicator("一产业增加值") == normalize_indicator("第一产业增加值") == "第一产业增加值"


def test_prefixes_and_growth_suffixes_are_stripped():
    assert normalize_indicator("全年实现社会消费品零售总额") == "社会消费品零售总额"
    assert normalize_indicator("一般公共预算收入增长") == "一般公共预算收入"
    assert normalize_indicator("“四好农村路”") == "四好农村路"


def test_whole_forms_do_not_rewrite_longer_indicators():
    # 城镇化率 alone means the resident-population rate; 户籍人口城镇化率 is another indicator
    assert normalize_indicator("城镇化率") == "常住人口城镇化率"
    assert normalize_indicator("户籍人口城镇化率") == "户籍人口城镇化率"
    assert normalize_indicator("现代服务业增加值") == "现代服务业增加值"
    assert normalize_indicator("PM2.5浓度") == normalize_indicator("PM2.5平均浓度")


def test_plan_and_actual_of_one_report_join_on_one_key():
    # Zhejiang 2025 plan writes 生产总值, its review 全省生产总值; Fujian 2025 全省地区生产总值;
    # seed 000 地区生产总值 and GDP: one indicator node for all
    forms = ["生产总值", "全省生产总值", "全省地区生产总值", "地区生产总值", "GDP", "全区GDP增速"]
    assert {normalize_indicator(f) for f in forms} == {"地区生产总值"}
