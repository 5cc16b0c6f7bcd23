"""Plan vs actual and cross-report discrepancies, on real figures of national and district reports."""
from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from kg.analysis.plan_actual import (discrepancies, figures, judge, plan_vs_actual, unit_scale)
from tests.fixtures_graph import hand_store, hand_store_dir, seed_store  # noqa: F401


def results(store):
    return {(a.target.indicator_label, a.target.year, a.target.document): a for a in plan_vs_actual(store)}


def test_targets_are_joined_with_the_next_reports_observations(hand_store):
    r = results(hand_store)
    gdp = r[("国内生产总值", 2024, "gwr-2024")]
    assert gdp.observation.document == "gwr-2025" and gdp.status == "met" and gdp.ratio == 1.0
    assert "增长5%" in gdp.observation.evidence.text and "5%左右" in gdp.target.evidence.text
    # the 134.9万亿元 level is not a growth rate, so it does not answer the growth target
    assert gdp.observation.unit == "%"


def test_a_missed_target(hand_store):
    a = results(hand_store)[("国内生产总值", 2022, "gwr-2022")]  # 5.5%左右 planned, 3% reached
    assert a.status == "missed" and abs(a.ratio - 3 / 5.5) < 1e-3


def test_comparators_and_lower_is_better_indicators(hand_store):
    r = results(hand_store)
    assert r[("城镇新增就业", 2024, "gwr-2024")].status == "met"  # 1256万人 ≥ 1200万人以上
    assert r[("城镇调查失业率", 2022, "gwr-2022")].status == "met"  # 5.5% ≤ 5.5%以内
    assert r[("城镇调查失业率", 2024, "gwr-2024")].status == "met"  # 5.1% under 5.5%左右
    assert r[("居民消费价格", 2024, "gwr-2024")].status == "met"  # 0.2% under 3%左右
    assert r[("粮食产量", 2024, "gwr-2024")].status == "met"  # 1.4 ≥ 1.3万亿斤以上


def test_targets_without_an_observation_have_no_data(hand_store):
    r = results(hand_store)
    assert r[("单位国内生产总值能耗", 2024, "gwr-2024")].status == "no data"
    assert r[("地区生产总值", 2024, "002_772683341a126a07")].observation is None


def test_judge_reads_comparators():
    from kg.analysis.plan_actual import Evidence, Figure

    def target(cmp, value, label="地区生产总值", measure="growth_rate"):
        return Figure("t", "target", "i", label, 2024, Decimal(value), None, "%", cmp, measure, "",
                      "d", Evidence("", "", "d"))
    assert judge(target("ge", "6"), Decimal("6.1")) == "met"
    assert judge(target("ge", "6"), Decimal("5.9")) == "missed"
    assert judge(target("approx", "6"), Decimal("5.6")) == "met"  # within 0.5 points
    assert judge(target("approx", "6"), Decimal("5.4")) == "missed"
    assert judge(target("le", "3", "居民消费价格"), Decimal("3.2")) == "missed"
    assert judge(target("approx", "3", "单位地区生产总值能耗", "reduction"), Decimal("3.1")) == "met"


def test_units_with_scale_words_compare():
    assert unit_scale("亿元") == (Decimal(10) ** 8, "元")
    assert unit_scale("万人次") == (Decimal(10) ** 4, "人次")
    assert unit_scale("%") == (Decimal(1), "%")


def test_two_reports_planning_different_growth_for_one_indicator_are_a_discrepancy(hand_store):
    found = discrepancies(hand_store)
    assert len(found) == 1
    d = found[0]
    assert d.indicator == "社会消费品零售总额" and d.year == 2024 and d.role == "target"
    values = {(f.document, float(f.value)) for f in d.figures}
    assert values == {("000_418089195a410d60", 7.0), ("002_772683341a126a07", 8.0)}
    assert all(f.evidence.text for f in d.figures)


def test_the_same_figure_in_two_reports_is_no_discrepancy(hand_store):
    # both district reports say 地区生产总值273.46亿元、增长5.5% for 2023
    assert not any(d.indicator == "地区生产总值" for d in discrepancies(hand_store))


def test_seed_figures_read_back_with_their_sentences(seed_store):
    figs = figures(seed_store)
    assert sum(f.role == "target" for f in figs) > 20 and sum(f.role == "observation" for f in figs) > 20
    assert all(f.evidence.text for f in figs)
    rows = plan_vs_actual(seed_store, figs)
    assert len(rows) == sum(f.role == "target" for f in figs)
    assert {a.status for a in rows} <= {"met", "missed", "no data"}
    for d in discrepancies(seed_store, figs):
        assert len({f.document for f in d.figures}) >= 2


NATIONAL_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "national"


@pytest.fixture(scope="module")
def national_store(tmp_path_factory):
    """gwr-2024 (targets for 2024) and gwr-2025 (what 2024 reached), built by the real pipeline."""
    from kg.build import build
    from kg.store import open_store

    src = tmp_path_factory.mktemp("gwr") / "reports"
    src.mkdir()
    for year in (2024, 2025):
        shutil.copy(NATIONAL_CORPUS / f"gwr-{year}.txt", src)
    path = src.parent / "store"
    assert build([src], path, jobs=1).ok
    return open_store(path)


def test_built_national_reports_give_met_and_missed_by_comparator(national_store):
    rows = {(a.target.indicator_label, a.target.measure): a for a in plan_vs_actual(national_store)
            if a.target.year == 2024 and a.target.document == "gwr-2024"}
    # 国内生产总值增长5%左右 (approx, a growth rate) against 增长5% in the 2025 report
    gdp = rows[("国内生产总值", "growth_rate")]
    assert gdp.observation.document == "gwr-2025" and gdp.status == "met"
    assert gdp.ratio == 1.0 and gdp.gap == 0.0 and gdp.observation.unit == "%"
    # 城镇新增就业1200万人以上 (ge, a count) against 城镇新增就业1256万人
    jobs = rows[("城镇新增就业", "count")]
    assert jobs.target.comparator == "ge" and jobs.status == "met" and jobs.gap == 56.0
    # 城镇调查失业率5.5%左右: lower is better, 5.1% meets it
    unemployment = next(a for (label, _), a in rows.items() if label == "城镇调查失业率")
    assert float(unemployment.observation.value) == 5.1 and unemployment.status == "met"
    assert unemployment.gap == pytest.approx(-0.4)
    # 单位国内生产总值能耗降低2.5%左右 against 降幅超过3%: a bigger cut meets a reduction target
    energy = next(a for (label, _), a in rows.items() if "能耗" in label)
    assert energy.target.measure == "reduction" and energy.status == "met"
    statuses = {a.status for a in rows.values()}
    assert statuses <= {"met", "missed", "no data"} and "no data" in statuses
