"""Reload without downtime and graceful shutdown, on real servers over real store versions.

A new store version is written with the same kg.store.write_version a build uses; the running
server picks it up on SIGHUP, on POST /admin/reload (with the token) and by itself (the
`current` symlink check). A long query started before the reload finishes on the old version:
its count is that of the old data.

Two servers for the module (one query worker each, so a reload starts one process): `server`
reloads only when told (tests run in any order: each writes the version it checks), and
`watching` checks for new versions by itself and is shut down by the last test.
"""
from __future__ import annotations

import os
import shutil
import signal
import threading
import time

import httpx
import pyoxigraph as ox
import pytest

from conftest import TEST_DATA, refused_soon, write_store

TOKEN = "reload-test-token-0123456789"
EX = "https://example.org/reload#"
# ~0.8 s of CPU on the sample graph (110 quads); its count depends on the number of quads: 4·n³.
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { VALUES ?r {1 2 3 4} "
        "GRAPH ?x {?a ?b ?c} GRAPH ?y {?d ?e ?f} GRAPH ?z {?g ?h ?i} }")
QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
MARK = f"SELECT ?v WHERE {{ <{EX}s> <{EX}p> ?v }}"


def sample_quads() -> list[ox.Quad]:
    return list(ox.parse(path=str(TEST_DATA / "sample.trig")))


def with_mark(value: str) -> list[ox.Quad]:
    g = ox.NamedNode(EX + "graph")
    return sample_quads() + [ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"),
                                     ox.Literal(value), g)]


def mark(url: str) -> list[str]:
    r = httpx.get(url + "/sparql", params={"query": MARK}, timeout=10)
    assert r.status_code == 200, r.text
    return [b["v"]["value"] for b in r.json()["results"]["bindings"]]


def count(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def health(url: str) -> dict:
    return httpx.get(url + "/health").json()


def version(url: str) -> str:
    return health(url)["store_version"]


def wait_for(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def in_background(call) -> tuple[threading.Thread, dict]:
    out: dict = {}

    def run():
        t = time.monotonic()
        out["response"] = call()
        out["seconds"] = time.monotonic() - t
    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return write_store(tmp_path_factory.mktemp("reload") / "store", with_mark("one"))


@pytest.fixture(scope="module")
def server(server_factory, store):
    with server_factory(store, workers=1, reload_interval=0, token=TOKEN,
                        query_timeout=30) as server:
        yield server


@pytest.fixture(scope="module")
def watched_store(tmp_path_factory):
    return write_store(tmp_path_factory.mktemp("watched") / "store", with_mark("one"))


@pytest.fixture(scope="module")
def watching(server_factory, watched_store):
    with server_factory(watched_store, workers=1, reload_interval=0.2,
                        query_timeout=30) as server:
        yield server


def admin_reload(url: str, **headers) -> httpx.Response:
    return httpx.post(url + "/admin/reload", headers=headers, timeout=60)


def test_sighup_reloads_and_the_query_in_flight_finishes_on_the_old_version(server, store):
    n_old = count(httpx.get(server.url + "/sparql", params={"query": QUADS}))
    old_version, reloads = version(server.url), health(server.url)["reloads"]
    thread, out = in_background(lambda: httpx.get(server.url + "/sparql",
                                                  params={"query": SLOW}, timeout=30))
    time.sleep(0.3)  # the slow query is running on the worker of the old version
    write_store(store, with_mark("two") + with_mark("extra"))  # a new version, more quads
    assert version(server.url) == old_version  # nothing changes without a reload
    server.process.send_signal(signal.SIGHUP)
    wait_for(lambda: version(server.url) != old_version)
    assert sorted(mark(server.url)) == ["extra", "two"]  # served while the old query runs
    thread.join()
    assert count(out["response"]) == 4 * n_old ** 3  # the old data, completely
    assert health(server.url)["reloads"] == reloads + 1
    # the old version's worker is gone; the pool still has its size and answers
    for _ in range(3):
        assert sorted(mark(server.url)) == ["extra", "two"]
    assert health(server.url)["workers"] == 1


def test_admin_reload_needs_the_token(server, store):
    write_store(store, with_mark("three"))
    r = admin_reload(server.url)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    r = admin_reload(server.url, Authorization="Bearer wrong-token-wrong-token")
    assert r.status_code == 401 and "invalid_token" in r.headers["www-authenticate"]
    assert mark(server.url) != ["three"]
    r = admin_reload(server.url, Authorization=f"Bearer {TOKEN}")
    assert r.status_code == 200 and r.json()["reloaded"] is True
    assert r.json()["store_version"] == version(server.url) != r.json()["previous_version"]
    assert mark(server.url) == ["three"]
    again = admin_reload(server.url, Authorization=f"Bearer {TOKEN}")
    assert again.status_code == 200 and again.json()["reloaded"] is False


def test_admin_route_is_off_without_a_token(sample_server_url):
    r = httpx.post(sample_server_url + "/admin/reload", headers={"Authorization": "Bearer x"})
    assert r.status_code == 403 and "token" in r.json()["detail"]


def test_a_broken_new_version_keeps_the_old_one_serving(server, store):
    write_store(store, with_mark("five"))
    assert admin_reload(server.url, Authorization=f"Bearer {TOKEN}").status_code == 200
    good = os.readlink(store / "current")
    bad = store / "versions" / "broken"
    bad.mkdir()
    (bad / "CURRENT").write_text("not rocksdb\n")
    (store / "current").unlink()
    (store / "current").symlink_to("versions/broken")
    try:
        r = admin_reload(server.url, Authorization=f"Bearer {TOKEN}")
        assert r.status_code == 409 and "still serving version" in r.json()["detail"]
        assert mark(server.url) == ["five"]
    finally:  # the good version is current again for the tests after this one
        (store / "current").unlink()
        (store / "current").symlink_to(good)
        shutil.rmtree(bad)


def test_a_new_version_is_picked_up_by_itself(watching, watched_store):
    write_store(watched_store, with_mark("four"))
    wait_for(lambda: mark(watching.url) == ["four"], timeout=10)
    assert "now serving store version" in watching.log_text()


# Last: it shuts `watching` down.
def test_sigterm_refuses_new_connections_and_lets_the_query_in_flight_finish(watching,
                                                                            watched_store):
    n = count(httpx.get(watching.url + "/sparql", params={"query": QUADS}))
    slower = SLOW.replace("{1 2 3 4}", "{1 2 3 4 5 6 7 8}")  # ~1.6 s of CPU
    thread, out = in_background(lambda: httpx.get(watching.url + "/sparql",
                                                  params={"query": slower}, timeout=30))
    time.sleep(0.3)
    watching.process.send_signal(signal.SIGTERM)
    assert refused_soon(watching.url) and thread.is_alive()  # refused while the query runs
    thread.join()
    assert count(out["response"]) == 8 * n ** 3  # then it completed, not cut off
    # uvicorn re-raises the signal once shut down, so the exit status says SIGTERM
    assert watching.process.wait(15) in (0, -signal.SIGTERM)
    assert "Finished server process" in watching.log_text()
