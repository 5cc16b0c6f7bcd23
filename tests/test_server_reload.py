"""Reload without downtime and graceful shutdown, on real servers over real store versions.

A new store version is written with the same kg.store.write_version a build uses; the running
server picks it up on SIGHUP, on POST /admin/reload (with the token) and by itself (the
`current` symlink check). A long query started before the reload finishes on the old version:
its count is that of the old data.
"""
from __future__ import annotations

import signal
import threading
import time

import httpx
import pyoxigraph as ox
import pytest

from conftest import TEST_DATA, write_store

TOKEN = "reload-test-token-0123456789"
EX = "https://example.org/reload#"
# ~2 s on the sample graph (110 quads); its count depends on the number of quads: 4·n³.
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { VALUES ?r {1 2 3 4} "
        "GRAPH ?x {?a ?b ?c} GRAPH ?y {?d ?e ?f} GRAPH ?z {?g ?h ?i} }")
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


def version(url: str) -> str:
    return httpx.get(url + "/health").json()["store_version"]


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


@pytest.fixture
def store(tmp_path):
    return write_store(tmp_path / "store", with_mark("one"))


def test_sighup_reloads_and_the_query_in_flight_finishes_on_the_old_version(server_factory, store):
    n_old = len(with_mark("one"))
    with server_factory(store, reload_interval=0, query_timeout=30) as server:
        assert mark(server.url) == ["one"]
        old_version = version(server.url)
        thread, out = in_background(lambda: httpx.get(server.url + "/sparql",
                                                      params={"query": SLOW}, timeout=30))
        time.sleep(0.4)  # the slow query is running on a worker of the old version
        write_store(store, with_mark("two") + with_mark("extra"))  # a new version, more quads
        assert version(server.url) == old_version  # nothing changes without a reload
        server.process.send_signal(signal.SIGHUP)
        wait_for(lambda: version(server.url) != old_version)
        t = time.monotonic()
        assert sorted(mark(server.url)) == ["extra", "two"]  # served while the query runs
        assert time.monotonic() - t < 1.5
        thread.join()
        assert count(out["response"]) == 4 * n_old ** 3  # the old data, completely
        assert httpx.get(server.url + "/health").json()["reloads"] == 1
        # the old version's workers are gone; the pool still has its full size and answers
        for _ in range(6):
            assert sorted(mark(server.url)) == ["extra", "two"]


def test_admin_reload_needs_the_token(server_factory, store):
    with server_factory(store, reload_interval=0, token=TOKEN) as server:
        url = server.url + "/admin/reload"
        write_store(store, with_mark("three"))
        r = httpx.post(url)
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
        r = httpx.post(url, headers={"Authorization": "Bearer wrong-token-wrong-token"})
        assert r.status_code == 401 and "invalid_token" in r.headers["www-authenticate"]
        assert mark(server.url) == ["one"]
        r = httpx.post(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
        assert r.status_code == 200 and r.json()["reloaded"] is True
        assert r.json()["store_version"] == version(server.url) != r.json()["previous_version"]
        assert mark(server.url) == ["three"]
        again = httpx.post(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
        assert again.status_code == 200 and again.json()["reloaded"] is False


def test_admin_route_is_off_without_a_token(server_factory, store):
    with server_factory(store, reload_interval=0) as server:
        r = httpx.post(server.url + "/admin/reload", headers={"Authorization": "Bearer x"})
        assert r.status_code == 403 and "token" in r.json()["detail"]


def test_a_new_version_is_picked_up_by_itself(server_factory, store):
    with server_factory(store, reload_interval=0.2) as server:
        assert mark(server.url) == ["one"]
        write_store(store, with_mark("four"))
        wait_for(lambda: mark(server.url) == ["four"], timeout=10)
        assert "now serving store version" in server.log_text()


def test_a_broken_new_version_keeps_the_old_one_serving(server_factory, store):
    with server_factory(store, reload_interval=0, token=TOKEN) as server:
        bad = store / "versions" / "broken"
        bad.mkdir()
        (bad / "CURRENT").write_text("not rocksdb\n")
        (store / "current").unlink()
        (store / "current").symlink_to("versions/broken")
        r = httpx.post(server.url + "/admin/reload",
                       headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
        assert r.status_code == 409 and "still serving version" in r.json()["detail"]
        assert mark(server.url) == ["one"]


def test_sigterm_lets_the_query_in_flight_finish(server_factory, store):
    n = len(with_mark("one"))
    with server_factory(store, reload_interval=0) as server:
        thread, out = in_background(lambda: httpx.get(server.url + "/sparql",
                                                      params={"query": SLOW}, timeout=30))
        time.sleep(0.4)
        server.process.send_signal(signal.SIGTERM)
        thread.join()
        assert count(out["response"]) == 4 * n ** 3  # complete, not cut off
        # uvicorn re-raises the signal once shut down, so the exit status says SIGTERM
        assert server.process.wait(15) in (0, -signal.SIGTERM)
        assert "Finished server process" in server.log_text()
        with pytest.raises(httpx.TransportError):
            httpx.get(server.url + "/health", timeout=2)
