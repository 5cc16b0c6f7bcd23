"""`kg serve --http-server granian`: the same app behind granian's Rust HTTP server.

The whole server suite runs behind granian with KG_TEST_HTTP_SERVER=granian; these tests keep
the parts that differ from uvicorn's front in the default run: the protocol through a
different HTTP parser, the request size limits, the graceful stop and the settings check.
"""
from __future__ import annotations

import signal
import threading
import time

import httpx
import pytest

from conftest import refused_soon, start_server
from kg.server.settings import Settings

JSON = {"Accept": "application/sparql-results+json"}
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { VALUES ?r {1 2 3 4 5 6 7 8} "
        "GRAPH ?a { ?s1 ?p1 ?o1 } GRAPH ?b { ?s2 ?p2 ?o2 } GRAPH ?c { ?s3 ?p3 ?o3 } }")


def count(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def granian(sample_store_dir, tmp_path_factory):
    with start_server(sample_store_dir, tmp_path_factory.mktemp("granian"),
                      http_server="granian", workers=2, query_timeout=30,
                      max_query_length=5000) as server:
        yield server


def test_granian_answers_the_protocol_like_uvicorn(granian, sample_server_url):
    for url in (granian.url, sample_server_url):  # the same answers from both fronts
        get = httpx.get(url + "/sparql", params={"query": COUNT}, headers=JSON)
        form = httpx.post(url + "/sparql", data={"query": COUNT}, headers=JSON)
        body = httpx.post(url + "/sparql", content=COUNT.encode(),
                          headers={**JSON, "Content-Type": "application/sparql-query"})
        assert count(get) == count(form) == count(body) > 0
    ours = httpx.get(granian.url + "/sparql", params={"query": COUNT}, headers=JSON).json()
    theirs = httpx.get(sample_server_url + "/sparql", params={"query": COUNT},
                       headers=JSON).json()
    assert ours == theirs
    bad = httpx.get(granian.url + "/sparql", params={"query": "SELEC * {}"})
    assert bad.status_code == 400 and bad.json()["error"]
    assert "granian" in httpx.get(granian.url + "/health").text


def test_granian_reads_a_long_query_to_give_its_own_limit_message(granian):
    # Percent-encoded CJK text: 9 bytes a character (54 kB here); granian's request buffer
    # must not cut it off before the endpoint counts its characters.
    long_query = "ASK { ?s ?p \"" + "重" * 6000 + "\" }"
    r = httpx.get(granian.url + "/sparql", params={"query": long_query}, timeout=30)
    assert r.status_code == 414 and "at most 5000" in r.text


def test_granian_stops_gracefully_with_the_query_in_flight_answered(sample_store_dir, tmp_path):
    with start_server(sample_store_dir, tmp_path, http_server="granian", workers=1,
                      query_timeout=30) as server:
        n = count(httpx.get(server.url + "/sparql", params={"query": COUNT}, headers=JSON))
        out = {}
        thread = threading.Thread(target=lambda: out.update(r=httpx.get(
            server.url + "/sparql", params={"query": SLOW}, headers=JSON, timeout=30)))
        thread.start()
        time.sleep(0.3)
        server.process.send_signal(signal.SIGTERM)
        assert refused_soon(server.url) and thread.is_alive()  # refused, the query running
        thread.join()
        assert count(out["r"]) == 8 * n ** 3  # answered completely, not cut off
        assert server.process.wait(15) == 0


def test_an_unknown_http_server_is_refused():
    with pytest.raises(ValueError, match="http_server must be one of uvicorn, granian"):
        Settings.from_kwargs(http_server="gunicorn")
