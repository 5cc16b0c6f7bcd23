"""The /api lookups on a real server over the seed build (conftest's server_url), and on a
small build of two national reports for plan/actual pairs."""
from __future__ import annotations

import statistics
import time
from pathlib import Path

import httpx
import pytest

from kg.lookup import split_iri

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = Path("/work/shared/corpus/national")


@pytest.fixture(scope="module")
def api(server_url):
    with httpx.Client(base_url=server_url, timeout=60) as client:
        yield client


def ok(response: httpx.Response) -> dict:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


# --- search -----------------------------------------------------------------------------

def test_search_finds_reservoir_projects_by_substring(api):
    body = ok(api.get("/api/search", params={"q": "水库"}))
    assert body["items"], body
    assert all("水库" in item["matched"] for item in body["items"])
    projects = [i for i in body["items"] if i["type"] == "project"]
    assert any(i["label"] == "车盘水库" for i in projects)
    assert all(i["iri"].endswith(f"/id/{i['type']}/{i['key']}") for i in body["items"])


def test_search_by_type_finds_the_district_as_a_place_with_its_division_code(api):
    body = ok(api.get("/api/search", params={"q": "武隆", "type": "place"}))
    assert body["items"][0]["label"] == "武隆区"
    assert body["items"][0]["key"] == "500156"
    assert all(i["type"] == "place" for i in body["items"])


def test_lookups_read_an_index_kept_beside_the_served_version(api, store_dir):
    from kg.index import index_path
    from kg.store import store_info
    ok(api.get("/api/search", params={"q": "水库"}))
    info = store_info(store_dir)
    assert index_path(store_dir, info.version).is_file()


def test_search_exact_match_comes_first(api):
    body = ok(api.get("/api/search", params={"q": "车盘水库"}))
    assert body["items"][0]["label"] == "车盘水库"


def test_search_pages_with_a_next_link(api):
    first = ok(api.get("/api/search", params={"q": "旅游", "limit": 2}))
    assert first["count"] == 2 and first["limit"] == 2 and first["offset"] == 0
    assert first["next"] and "offset=2" in first["next"]
    second = ok(api.get(first["next"]))
    assert second["offset"] == 2
    assert {i["iri"] for i in first["items"]}.isdisjoint(i["iri"] for i in second["items"])
    everything = ok(api.get("/api/search", params={"q": "旅游", "limit": 1000}))
    assert everything["next"] is None
    assert [i["iri"] for i in everything["items"][:4]] == \
        [i["iri"] for i in first["items"] + second["items"]]


# --- entities ---------------------------------------------------------------------------

def test_entity_card_has_labels_types_and_mentions_whose_sentence_slice_is_the_surface(api):
    card = ok(api.get("/api/entities/project/车盘水库"))
    assert card["label"] == "车盘水库"
    assert "https://w3id.org/policykg/ontology#Project" in card["types"]
    assert card["mentions"]
    for m in card["mentions"]:
        a, b = m["in_sentence"]
        assert m["sentence_text"][a:b] == m["surface"], m
        assert m["end"] - m["start"] == len(m["surface"])
        assert m["document"].endswith(".txt")
    assert "https://w3id.org/policykg/ontology#implements" in card["properties"]


def test_entity_key_may_be_percent_encoded_as_in_an_iri(api):
    plain = ok(api.get("/api/entities/project/车盘水库"))
    encoded = ok(api.get("/api/entities/project/%25E8%25BD%25A6%25E7%259B%2598%25E6%25B0%25B4%25E5%25BA%2593"))
    assert plain["iri"] == encoded["iri"]


def test_place_card_by_division_code(api):
    card = ok(api.get("/api/entities/place/500156"))
    assert card["label"] == "武隆区"
    assert card["properties"]["https://w3id.org/policykg/ontology#adminCode"] == ["500156"]


def test_relations_carry_the_sentences_that_state_them(api):
    body = ok(api.get("/api/entities/project/车盘水库/relations"))
    implements = [r for r in body["items"] if r["predicate"].endswith("#implements")]
    assert implements and implements[0]["direction"] == "out"
    assert implements[0]["node"]["type"] == "strategy"
    assert any("车盘" in text for text in implements[0]["evidence"])
    # only entities as neighbours: no assertions, mentions or report parts
    assert all(split_iri(r["node"]["iri"]) for r in body["items"])


def test_relations_by_direction_and_predicate(api):
    out = ok(api.get("/api/entities/project/车盘水库/relations",
                     params={"direction": "out", "predicate": "inSector"}))
    assert out["items"] and all(r["predicate"].endswith("#inSector") for r in out["items"])
    assert out["items"][0]["node"]["type"] == "sector"
    incoming = ok(api.get("/api/entities/strategy/乡村全面振兴/relations", params={"direction": "in"}))
    assert incoming["items"] and all(r["direction"] == "in" for r in incoming["items"])
    assert any(r["node"]["label"] == "车盘水库" for r in incoming["items"])


def test_a_predicate_may_be_a_local_name_a_prefixed_name_or_an_iri(api):
    answers = [ok(api.get("/api/entities/project/车盘水库/relations", params={"predicate": p}))
               for p in ("implements", "kgo:implements",
                         "https://w3id.org/policykg/ontology#implements")]
    assert answers[0]["items"] and all(r["predicate"].endswith("#implements")
                                       for r in answers[0]["items"])
    assert answers[0]["items"] == answers[1]["items"] == answers[2]["items"]


def test_search_with_a_percent_encoded_chinese_substring(api):
    encoded = ok(api.get("/api/search?q=%E6%B0%B4%E5%BA%93"))  # 水库
    assert encoded["q"] == "水库" and encoded["items"]
    assert encoded["items"] == ok(api.get("/api/search", params={"q": "水库"}))["items"]


def test_relations_page_with_a_next_link(api):
    everything = ok(api.get("/api/entities/place/500156/relations", params={"limit": 1000}))
    assert len(everything["items"]) > 3 and everything["next"] is None
    first = ok(api.get("/api/entities/place/500156/relations", params={"limit": 2}))
    second = ok(api.get(first["next"]))
    assert [r["node"]["iri"] for r in first["items"] + second["items"]] == \
        [r["node"]["iri"] for r in everything["items"][:4]]


# --- paths, strategies, targets ---------------------------------------------------------

def test_paths_between_a_project_and_a_strategy_step_by_step_with_evidence(api):
    body = ok(api.get("/api/paths", params={"source": "project/车盘水库",
                                            "target": "strategy/乡村全面振兴", "max_length": 3}))
    assert body["source"]["label"] == "车盘水库" and body["target"]["label"] == "乡村全面振兴"
    assert body["paths"]
    for path in body["paths"]:
        assert 1 <= len(path) <= 3
        assert path[0]["source"] == body["source"]["iri"]
        assert path[-1]["target"] == body["target"]["iri"]
        for a, b in zip(path, path[1:]):
            assert a["target"] == b["source"]
        assert all(step["relation"] for step in path)
    assert any(e["text"] for step in body["paths"][0] for e in step["evidence"])


def test_paths_accept_iris(api):
    body = ok(api.get("/api/paths", params={
        "source": "https://w3id.org/policykg/id/project/车盘水库",
        "target": "https://w3id.org/policykg/id/place/500156"}))
    assert body["paths"] and body["paths"][0][-1]["target_label"] == "武隆区"


def test_strategy_projects_with_the_way_each_is_reached_and_its_evidence(api):
    body = ok(api.get("/api/strategies/乡村全面振兴/projects"))
    assert body["strategy"]["label"] == "乡村全面振兴"
    assert body["total"] >= 1 and body["items"]
    labels = {p["project"]["label"] for p in body["items"]}
    assert "车盘水库" in labels
    for p in body["items"]:
        assert p["via"] and set(p["via"]) <= {"implements", "row", "column", "section"}
        for link in p["links"]:
            assert link["steps"] and link["steps"][-1]["target"] == p["project"]["iri"] \
                or link["steps"][0]["source"] == p["project"]["iri"]
            assert all(s["evidence"]["text"] for s in link["steps"] if s["evidence"])


def test_strategy_projects_page_with_a_next_link_and_a_total(api):
    everything = ok(api.get("/api/strategies/乡村全面振兴/projects"))
    assert everything["total"] == len(everything["items"]) >= 2 and everything["next"] is None
    first = ok(api.get("/api/strategies/乡村全面振兴/projects", params={"limit": 1}))
    assert first["count"] == 1 and first["total"] == everything["total"] and first["next"]
    second = ok(api.get(first["next"]))
    assert second["offset"] == 1
    assert [p["project"]["iri"] for p in first["items"] + second["items"]] == \
        [p["project"]["iri"] for p in everything["items"][:2]]


def test_targets_of_a_year_and_a_document(api):
    body = ok(api.get("/api/targets", params={"year": 2024, "limit": 50}))
    assert body["items"] and all(i["year"] == 2024 for i in body["items"])
    assert {i["role"] for i in body["items"]} == {"target"}
    assert all(i["evidence"] for i in body["items"])
    assert body["next"]
    doc = ok(api.get("/api/targets", params={"document": "000_418089195a410d60", "limit": 1000}))
    assert doc["items"] and all(i["document"] == "000_418089195a410d60.txt" for i in doc["items"])
    here = ok(api.get("/api/targets", params={"place": "武隆", "year": 2024, "limit": 1000}))
    assert here["items"] and all("武隆" in i["place"]["label"] for i in here["items"])
    elsewhere = ok(api.get("/api/targets", params={"place": "没有这个地方", "limit": 1000}))
    assert elsewhere["items"] == [] and elsewhere["pairs"] == []
    gdp = ok(api.get("/api/targets", params={"indicator": "地区生产总值", "limit": 1000}))
    assert gdp["items"] and all("地区生产总值" in i["indicator"]["label"] for i in gdp["items"])


def _excerpt(text: str, needle: str, heading: str) -> str:
    """The title lines, and the section paragraph holding `needle`, of a national report."""
    head = text[:text.index("各位代表")]
    at = text.index(needle)
    start = text.rindex(heading, 0, at)
    return head + "各位代表：\n\n" + text[start:text.find("\n", at)] + "\n"


@pytest.fixture(scope="module")
def national_server(tmp_path_factory, server_factory):
    """The 2023 national report's targets and the 2024 report's review of 2023, built."""
    from kg.build import build
    src = tmp_path_factory.mktemp("national-src")
    t23 = (NATIONAL / "gwr-2023.txt").read_text(encoding="utf-8")
    t24 = (NATIONAL / "gwr-2024.txt").read_text(encoding="utf-8")
    (src / "gwr-2023.txt").write_text(_excerpt(t23, "城镇新增就业1200万人左右", "\n二、"), encoding="utf-8")
    (src / "gwr-2024.txt").write_text(_excerpt(t24, "城镇新增就业1244万人", "\n一、"), encoding="utf-8")
    store = tmp_path_factory.mktemp("national") / "store"
    assert build([src], store, jobs=1).ok
    with server_factory(store) as server:
        yield server.url


def test_targets_pair_plans_with_what_was_achieved(national_server):
    body = ok(httpx.get(national_server + "/api/targets", params={"year": 2023}, timeout=60))
    pairs = {p["indicator"]["label"]: p for p in body["pairs"]}
    jobs = pairs["城镇新增就业"]
    assert jobs["target"]["value"] == 1200 and jobs["observation"]["value"] == 1244
    assert jobs["unit"] == "万人" and jobs["year"] == 2023
    assert jobs["target"]["document"] == "gwr-2023.txt"
    assert jobs["observation"]["document"] == "gwr-2024.txt"
    assert "1200万人" in jobs["target"]["evidence"] and "1244万人" in jobs["observation"]["evidence"]
    # a plan and its outcome are of one place
    assert jobs["place"] == jobs["target"]["place"] == jobs["observation"]["place"]
    assert all(p["target"]["place"] == p["observation"]["place"] for p in body["pairs"])


# --- errors -----------------------------------------------------------------------------

@pytest.mark.parametrize("path,status", [
    ("/api/search", 400),  # q missing
    ("/api/search?q=", 400),
    ("/api/search?q=%20%20", 400),  # blank
    ("/api/search?q=水库&type=bogus", 400),
    ("/api/search?q=水库&limit=0", 400),
    ("/api/search?q=水库&limit=100000", 400),
    ("/api/search?q=水库&offset=-1", 400),
    ("/api/entities/bogus/x", 400),
    ("/api/entities/project/没有这个项目", 404),
    ("/api/entities/place/999999", 404),
    ("/api/entities/project/没有这个项目/relations", 404),
    ("/api/entities/project/车盘水库/relations?direction=sideways", 400),
    ("/api/entities/project/车盘水库/relations?predicate=<x>", 400),
    ("/api/entities/project/车盘水库/relations?predicate=a%20b", 400),
    ("/api/entities/project/车盘水库/relations?limit=0", 400),
    ("/api/entities/project/车盘水库/relations?limit=-5", 400),
    ("/api/targets?limit=0", 400),
    ("/api/targets?limit=1001", 400),
    ("/api/strategies/乡村全面振兴/projects?offset=-1", 400),
    ("/api/paths?source=project/车盘水库&target=strategy/乡村全面振兴&limit=0", 400),
    ("/api/paths?source=project/车盘水库", 400),  # target missing
    ("/api/paths?source=project/车盘水库&target=strategy/乡村全面振兴&max_length=0", 400),
    ("/api/paths?source=project/车盘水库&target=strategy/乡村全面振兴&max_length=99", 400),
    ("/api/paths?source=车盘水库&target=strategy/乡村全面振兴", 400),  # no type
    ("/api/paths?source=bogus/x&target=strategy/乡村全面振兴", 400),
    ("/api/paths?source=http://example.org/x&target=strategy/乡村全面振兴", 400),
    ("/api/paths?source=project/没有这个项目&target=strategy/乡村全面振兴", 404),
    ("/api/strategies/没有这个战略/projects", 404),
    ("/api/targets?year=abc", 400),
    ("/api/targets?year=99999", 400),
])
def test_errors_are_json_with_error_and_detail(api, path, status):
    response = api.get(path)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "detail"} and body["detail"]


def test_unknown_entity_detail_names_the_key(api):
    body = api.get("/api/entities/project/没有这个项目").json()
    assert body == {"error": "not found", "detail": "no project with key '没有这个项目'"}


def test_lookups_are_in_the_openapi_schema(api):
    paths = ok(api.get("/openapi.json"))["paths"]
    for p in ("/api/search", "/api/paths", "/api/targets", "/api/entities/{type}/{key}",
              "/api/entities/{type}/{key}/relations", "/api/strategies/{key}/projects",
              "/id/{type}/{key}"):
        assert p in paths, sorted(paths)


def test_repeated_lookups_are_answered_from_the_cache_quickly(api):
    """Answers are cached per store version: a repeated lookup does not query again."""
    urls = ["/api/search?q=水库", "/api/entities/project/车盘水库",
            "/api/entities/project/车盘水库/relations", "/api/targets?year=2024"]
    for u in urls:
        ok(api.get(u))
    times = []
    for _ in range(25):
        for u in urls:
            t = time.perf_counter()
            ok(api.get(u))
            times.append(time.perf_counter() - t)
    # generous bound (shared test machines); the benchmark measures the real figures
    assert statistics.median(times) < 0.05, statistics.median(times)


def test_repeated_lookups_are_sent_from_the_answer_cache_before_routing(api):
    """The first ask of a URL goes through the route; the next ones are the same bytes from
    the raw answer cache (unknown entities too: they are asked again and again)."""
    urls = ["/api/entities/project/车盘水库?x=1", "/api/entities/project/no-such-project?x=1"]
    first = [api.get(u) for u in urls]
    assert [r.status_code for r in first] == [200, 404]
    hits = api.get("/health").json()["api_cache"]["hits"]
    again = [api.get(u) for u in urls]
    assert [r.content for r in again] == [r.content for r in first]
    assert [r.headers["content-type"] for r in again] == [r.headers["content-type"] for r in first]
    assert api.get("/health").json()["api_cache"]["hits"] == hits + 2


def test_lookups_wait_for_an_index_being_built_then_answer_503_and_retry_a_failed_one(
        store_dir, tmp_path, monkeypatch):
    import dataclasses
    import threading

    from kg.server import routes_api
    from kg.server.errors import RequestError
    from kg.store import store_info

    info = dataclasses.replace(store_info(store_dir), path=tmp_path)  # its own index file
    assert not routes_api.is_index(routes_api.index_path(tmp_path, info.version))
    release, real = threading.Event(), routes_api._build_index_file

    def slow(version_path, index_file):
        release.wait(30)
        real(version_path, index_file)

    monkeypatch.setattr(routes_api, "_build_index_file", slow)
    lk = routes_api.Lookups(info)
    with pytest.raises(RequestError) as e:
        lk.index(wait=0.2)
    assert e.value.status == 503 and e.value.headers["Retry-After"]
    assert "being built" in e.value.detail
    release.set()
    assert lk.index(wait=30).search("水库", None, 1, 0)

    def broken(version_path, index_file):
        raise OSError("disk full")

    monkeypatch.setattr(routes_api, "_build_index_file", broken)
    lk = routes_api.Lookups(info)
    with pytest.raises(RequestError, match="disk full") as e:
        lk.index(wait=30)
    assert e.value.status == 503
    monkeypatch.setattr(routes_api, "_build_index_file", real)
    assert lk.index(wait=30).search("水库", None, 1, 0)  # the next ask builds it again


def test_lookups_run_in_the_query_workers_under_their_limits(server_factory, store_dir):
    with server_factory(store_dir) as server:
        health = lambda: httpx.get(server.url + "/health", timeout=10).json()["pool"]  # noqa: E731
        before = health()["shapes_learned"]
        card = ok(httpx.get(server.url + "/api/entities/project/车盘水库", timeout=30))
        assert card["label"] == "车盘水库" and card["mentions"]
        assert health()["shapes_learned"] > before  # the worker pool saw the card's queries
    with server_factory(store_dir, query_timeout=0.001, queue_timeout=5) as server:
        r = httpx.get(server.url + "/api/targets", params={"limit": 50}, timeout=30)
        assert r.status_code == 503 and r.headers["Retry-After"]
        assert r.json()["error"] == "query timeout" and "time limit" in r.json()["detail"]
        assert httpx.get(server.url + "/health", timeout=10).status_code == 200
