"""Policy → project linkage on a hand-marked store of real passages and on the seed build."""
from __future__ import annotations

from kg.analysis.graph import label_of
from kg.analysis.linkage import (NameFinder, linkage_report, names_the_report_itself,
                                 policy_project_links)
from tests.fixtures_graph import hand_store, hand_store_dir, seed_store  # noqa: F401


def by_label(report, kind="strategies"):
    g = report.graph
    return {label_of(g, s.strategy): {label_of(g, p): v for p, v in s.projects.items()}
            for s in report.strategies}


def test_a_stated_implements_link_comes_with_its_sentence(hand_store):
    links = [l for l in policy_project_links(hand_store) if l.via == "implements"]
    station = [l for l in links if l.document == "000_418089195a410d60"]
    assert len(station) == 1
    step = station[0].steps[0]
    assert step.relation == "implements" and step.source == station[0].project
    assert "南涪铁路鸭江货运站扩能提级" in step.evidence.text


def test_a_project_under_a_point_heading_is_reached_by_the_strategy_it_names(hand_store):
    r = linkage_report(hand_store)
    reached = by_label(r)
    assert "section" in reached["成渝地区双城经济圈"]["白马航电枢纽"]
    link = next(l for l in r.links if l.via == "section" and label_of(r.graph, l.project) == "白马航电枢纽")
    heading, mention = link.steps
    assert heading.relation == "heading" and heading.evidence.text == "一是深入推动成渝地区双城经济圈建设。"
    assert mention.relation == "mentions" and "加快推进白马航电枢纽建设" in mention.evidence.text


def test_a_section_heading_carries_its_strategy_down_to_the_points_below_it(hand_store):
    reached = by_label(linkage_report(hand_store))
    # （二）坚持旅游引领，推动“三次创业”走向深入 → 三是… → 天尺坪国家级研学基地
    assert reached["三次创业"] == {"天尺坪国家级研学基地": ["section"]}


def test_a_column_row_labelled_with_a_strategy_reaches_the_projects_it_lists(hand_store):
    r = linkage_report(hand_store)
    reached = by_label(r)
    assert reached["成渝地区双城经济圈"]["银盘抽水蓄能"] == ["row"]
    assert "row" in reached["长江经济带"]["芙蓉湖生态修复治理与健康产业（EOD）综合开发项目"]
    row_link = next(l for l in r.links if l.via == "row" and label_of(r.graph, l.project) == "银盘抽水蓄能")
    assert row_link.steps[0].relation == "rowLabel" and row_link.steps[0].evidence.text == "成渝地区双城经济圈建设"
    # the surrounding heading （一）聚焦重大战略 names no strategy, so the row is the only way
    assert [l.via for l in r.links if label_of(r.graph, l.project) == "银盘抽水蓄能"] == ["row"]


def test_coverage_orphans_and_strategies_without_projects(hand_store):
    r = linkage_report(hand_store)
    g = r.graph
    assert r.projects_total == 8 and r.projects_linked == 6 and abs(r.coverage - 0.75) < 1e-9
    assert {label_of(g, p) for p in r.orphan_projects} == {"东山风电", "渝湘高铁武隆段"}
    assert [label_of(g, s) for s in r.strategies_without_projects] == ["全国统一大市场"]


def test_breakdowns_by_place_and_sector(hand_store):
    r = linkage_report(hand_store)
    rows = {s.label: s for s in r.strategies}
    assert rows["成渝地区双城经济圈"].by_sector == {"能源": 2}
    assert rows["成渝地区双城经济圈"].by_place == {"武隆区": 1}
    assert rows["西部陆海新通道"].by_sector == {"交通": 2}
    d = r.to_dict()
    assert d["coverage"] == 0.75 and d["strategies"][0]["projects"][0]["label"]


def test_strategy_names_match_inside_headings_not_short_fragments():
    names = {"s1": {"成渝地区双城经济圈", "双城"}, "s2": {"长江经济带"}}
    named_in = NameFinder(names)
    assert named_in("一是深入推动成渝地区双城经济圈建设。") == [("s1", "成渝地区双城经济圈")]
    assert named_in("二是全面融入西部陆海新通道建设。") == []
    assert named_in("长江经济带、成渝地区双城经济圈") == [("s1", "成渝地区双城经济圈"),
                                                   ("s2", "长江经济带")]


def test_seed_build_links_most_projects_to_strategies_with_evidence(seed_store):
    r = linkage_report(seed_store)
    assert r.projects_total > 100
    assert 0.3 < r.coverage <= 1.0
    assert {l.via for l in r.links} >= {"implements", "section", "row"}
    for link in r.links:
        assert link.steps and link.steps[-1].target == link.project or link.steps[-1].source == link.project
        assert all(s.evidence is None or s.evidence.text for s in link.steps)
    assert len(r.orphan_projects) == r.projects_total - r.projects_linked


def test_names_of_the_report_itself():
    for name in ("2024年国民经济和社会发展计划", "2024年计划草案", "政府工作报告", "2023年预算执行情况"):
        assert names_the_report_itself(name), name
    for name in ("老年人照顾服务计划", "强基计划", "“十四五”规划", "成渝地区双城经济圈建设规划纲要"):
        assert not names_the_report_itself(name), name


def test_the_annual_plan_heading_the_report_carries_no_project(seed_store):
    # 一、2023年国民经济和社会发展计划执行情况 heads a whole part of the seed plan report
    r = linkage_report(seed_store)
    g = r.graph
    plans = [s for s, d in g.nodes(data=True)
             if d["type"] == "strategy" and names_the_report_itself(d["label"])]
    assert plans
    carried = [l for l in r.links if l.strategy in plans and l.via != "implements"]
    assert carried == []
    assert not names_the_report_itself(r.strategies[0].label)
    top = r.strategies[0]  # breakdowns count the projects the strategy reaches
    assert sum(top.by_sector.values()) >= len(top.projects) // 2
