"""Whole-graph analyses on `kg serve` run in child processes (kg/server/offload.py): the
server answers from the files they leave under <store>/derived/<version>/, a child past its
memory cap or time limit is a 503 naming the option that raises it and leaves nothing
behind, and the files of a version go away with the version."""
from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from kg import store
from kg.server.offload import CHILD, REFUSED, result_key
from kg.server.routes_analysis import DEFAULT_JOBS
from tests.fixtures_graph import write_hand_store


@pytest.fixture(scope="module")
def hand_copy(tmp_path_factory):
    """A store of this module's own: its derived files are what the tests look at."""
    return write_hand_store(tmp_path_factory.mktemp("offload") / "store")


@pytest.fixture(scope="module")
def seed_copy(store_dir, tmp_path_factory):
    """The seed build, copied: a store large enough to pass a small memory cap."""
    import shutil
    copy = tmp_path_factory.mktemp("offload-seed") / "store"
    shutil.copytree(store_dir, copy, symlinks=True, ignore=shutil.ignore_patterns("derived"))
    return copy


def health(url: str) -> dict:
    return httpx.get(url + "/health", timeout=10).json()


def derived(store_dir) -> "Path":  # noqa: F821
    info = store.store_info(store_dir)
    return store.derived_dir(store_dir, info.version)


def wait_for(predicate, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


# The first /api/ request warms the lookups and, for a small store, the default analyses:
# analysis_warm_mb=0 keeps those children out of the counts.
QUIET = {"reload_interval": 0, "analysis_warm_mb": 0}


def test_an_analysis_is_computed_once_by_another_process_and_answered_from_its_file(
        server_factory, hand_copy):
    with server_factory(hand_copy, **QUIET) as server:
        url = server.url
        before = health(url)
        assert before["analyses"]["children_started"] == 0
        with ThreadPoolExecutor(4) as pool:  # concurrent first asks: one child
            answers = list(pool.map(lambda _: httpx.get(url + "/api/analysis/centrality",
                                                        params={"top": 2}, timeout=120), range(4)))
        assert {r.status_code for r in answers} == {200}
        assert answers[0].json()["place"][0]["label"] == "武隆区"
        assert all(len(rows) <= 2 for rows in answers[0].json().values())
        assert health(url)["analyses"]["children_started"] == 1
        child = (derived(hand_copy) / "centrality" / CHILD)
        assert child.is_file()
        import json
        assert json.loads(child.read_text())["pid"] not in (before["process"], server.process.pid)
        # another `top` slices the same file: no new child
        wide = httpx.get(url + "/api/analysis/centrality", params={"top": 50}, timeout=60).json()
        assert max(len(rows) for rows in wide.values()) > 2
        assert health(url)["analyses"]["children_started"] == 1


def test_an_entity_not_in_the_graph_is_a_404_answered_again_without_a_child(
        server_factory, hand_copy):
    with server_factory(hand_copy, **QUIET) as server:
        params = {"source": "project/不存在", "target": "place/500000"}
        first = httpx.get(server.url + "/api/analysis/paths", params=params, timeout=60)
        again = httpx.get(server.url + "/api/analysis/paths", params=params, timeout=60)
        assert first.status_code == again.status_code == 404
        assert "不存在" in first.json()["detail"]
        assert health(server.url)["analyses"]["children_started"] == 1
        assert list(derived(hand_copy).glob(f"paths-*/{REFUSED}"))


def test_a_child_past_its_memory_cap_is_a_503_naming_the_option_and_nothing_is_kept(
        server_factory, seed_copy):
    # 1 MiB more than the child holds with its imports and the store open: the seed
    # build's entity graph needs tens
    with server_factory(seed_copy, analysis_memory_mb=1, **QUIET) as server:
        for attempt in (1, 2):  # not remembered: the second ask runs a child again
            r = httpx.get(server.url + "/api/analysis/components", timeout=60)
            assert r.status_code == 503, r.text
            assert "--analysis-memory" in r.json()["detail"] and "(1 MiB)" in r.json()["detail"]
            assert r.headers["retry-after"]
            stats = health(server.url)["analyses"]
            assert stats["children_started"] == stats["children_failed"] == attempt
        assert not (derived(seed_copy) / "components").exists()
        assert not (derived(seed_copy) / "components.partial").exists()


def test_a_child_past_its_time_limit_is_a_503_naming_the_option(server_factory, hand_copy):
    with server_factory(hand_copy, analysis_timeout=0.05, **QUIET) as server:
        r = httpx.get(server.url + "/api/export/dot", params={"view": "project-place"}, timeout=60)
        assert r.status_code == 503 and "--analysis-timeout" in r.json()["detail"]
        key = result_key("export", {"fmt": "dot", "view": "project-place"})
        assert not (derived(hand_copy) / key).exists()


def test_small_stores_are_warmed_in_children_and_old_versions_files_removed(
        server_factory, tmp_path):
    path = write_hand_store(tmp_path / "store")
    first = store.store_info(path).version
    with server_factory(path, warm_at_start=True, reload_interval=0) as server:
        wait_for(lambda: all((derived(path) / job).is_dir() for job in DEFAULT_JOBS))
        assert health(server.url)["analyses"]["children_started"] == len(DEFAULT_JOBS)
        for _ in range(2):  # two builds: the first version is no longer kept
            write_hand_store(path)
        newest = store.store_info(path).version
        assert not store.derived_dir(path, first).exists()  # removed with its version
        orphan = store.derived_dir(path, first) / "linkage"  # as a late child would leave it
        orphan.mkdir(parents=True)
        server.process.send_signal(signal.SIGHUP)  # reload: the new version is warmed
        wait_for(lambda: health(server.url)["store_version"] == newest)
        wait_for(lambda: (store.derived_dir(path, newest) / "linkage").is_dir())
        assert not store.derived_dir(path, first).exists()
        r = httpx.get(server.url + "/api/analysis/linkage", timeout=60)
        assert r.status_code == 200 and r.json()["coverage"] == 0.75


def test_a_large_store_is_not_warmed(server_factory, tmp_path):
    path = write_hand_store(tmp_path / "store")
    with server_factory(path, warm_at_start=True, analysis_warm_mb=0) as server:
        httpx.get(server.url + "/api/search", params={"q": "区"}, timeout=60)  # lookups warmed
        time.sleep(2)
        assert health(server.url)["analyses"]["children_started"] == 0
        # the lookup index (kg.index) only: no analysis was computed
        assert {p.name for p in derived(path).iterdir()} <= {"lookup.sqlite", "lookup.lock"}


def test_a_child_that_crashes_is_a_500_and_nothing_is_kept(tmp_path, hand_copy):
    from fastapi import HTTPException

    from kg.server.offload import Runner
    from kg.server.settings import Settings

    info = store.store_info(hand_copy)
    gone = store.StoreInfo(info.path, "v-removed", info.path / "versions" / "v-removed")
    runner = Runner(Settings())
    for attempt in (1, 2):
        with pytest.raises(HTTPException) as failed:
            runner.result(gone, "discrepancies")
        assert failed.value.status_code == 500 and "see the server log" in failed.value.detail
        assert runner.stats()["children_failed"] == attempt
    assert not (store.derived_dir(info.path, "v-removed") / "discrepancies").exists()
