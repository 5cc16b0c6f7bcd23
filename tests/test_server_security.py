"""Read-only by default, updates only with the token, CORS, headers, logs, `kg serve` flags.

Real servers over real stores (the sample graph written by kg.store), real HTTP.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pyoxigraph as ox
import pytest

from conftest import ROOT, TEST_DATA, free_port, write_store
from local_listener import connections, listener  # noqa: F401 (fixture)

TOKEN = "security-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EX = "https://example.org/sec#"
UPDATE_TYPE = {"Content-Type": "application/sparql-update"}


def values(url: str, predicate: str) -> list[str]:
    r = httpx.get(url + "/sparql", params={"query": f"SELECT ?v {{ ?s <{EX}{predicate}> ?v }}"})
    assert r.status_code == 200, r.text
    return sorted(b["v"]["value"] for b in r.json()["results"]["bindings"])


@pytest.fixture(scope="module")
def sample_copy(tmp_path_factory):
    return write_store(tmp_path_factory.mktemp("sec") / "store",
                       ox.parse(path=str(TEST_DATA / "sample.trig")))


@pytest.fixture(scope="module")
def writable(server_factory, sample_copy):
    # one worker: every update reloads the server, which starts that many processes
    with server_factory(sample_copy, enable_update=True, token=TOKEN, reload_interval=0,
                        query_timeout=5, workers=1) as server:
        yield server




# --- read-only by default ---------------------------------------------------------------------

def test_update_is_off_by_default(sample_server_url):
    r = httpx.post(sample_server_url + "/update", content=f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}",
                   headers={**UPDATE_TYPE, **AUTH})
    assert r.status_code == 403 and "read-only" in r.json()["detail"]
    r = httpx.post(sample_server_url + "/sparql", data={"update": "CLEAR ALL"})
    assert r.status_code == 400
    assert httpx.get(sample_server_url + "/sparql",
                     params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_update_needs_the_right_bearer_token(writable):
    body = f"INSERT DATA {{ <{EX}x> <{EX}denied> 'no' }}"
    for headers in ({}, {"Authorization": "Bearer wrong-wrong-wrong-wrong"},
                    {"Authorization": f"Basic {TOKEN}"}, {"Authorization": TOKEN}):
        r = httpx.post(writable.url + "/update", content=body, headers={**UPDATE_TYPE, **headers})
        assert r.status_code == 401, headers
        assert r.headers["www-authenticate"].startswith('Bearer realm="policykg"')
        assert r.json()["error"] == "unauthorized"
    assert values(writable.url, "denied") == []


def test_update_with_the_token_makes_a_new_version(writable):
    before = httpx.get(writable.url + "/health").json()["store_version"]
    r = httpx.post(writable.url + "/update", headers={**UPDATE_TYPE, **AUTH}, timeout=30,
                   content=f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}x> <{EX}added> 'yes' }} }}")
    assert r.status_code == 200, r.text
    assert r.json()["store_version"] != before
    assert values(writable.url, "added") == ["yes"]
    r = httpx.post(writable.url + "/update", headers=AUTH, timeout=30,
                   data={"update": f"DELETE WHERE {{ GRAPH ?g {{ ?s <{EX}added> ?o }} }}"})
    assert r.status_code == 200, r.text
    assert values(writable.url, "added") == []
    # the sample graph is still all there
    assert httpx.get(writable.url + "/sparql", params={
        "query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"}).json()[
        "results"]["bindings"][0]["n"]["value"] == "110"


def test_concurrent_updates_are_not_lost(writable):
    def insert(i: int) -> int:
        return httpx.post(writable.url + "/update", headers={**UPDATE_TYPE, **AUTH}, timeout=60,
                          content=f"INSERT DATA {{ <{EX}c{i}> <{EX}counted> {i} }}").status_code

    with ThreadPoolExecutor(5) as ex:
        assert list(ex.map(insert, range(5))) == [200] * 5
    assert values(writable.url, "counted") == [str(i) for i in range(5)]


@pytest.mark.parametrize("update, message", [
    ("INSERT DATA { <a> <b> ", "malformed update"),
    ("LOAD <http://127.0.0.1:{port}/data.ttl>", "LOAD is not allowed"),
    ("LOAD SILENT <http://127.0.0.1:{port}/data.ttl> INTO GRAPH <http://x/g>", "LOAD is not allowed"),
    ("INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
     "SERVICE is not allowed"),
    (r"\u004cOAD <http://127.0.0.1:{port}/data.ttl>", "LOAD is not allowed"),
])
def test_refused_updates_make_no_connection(writable, listener, update, message):
    port = listener.getsockname()[1]
    r = httpx.post(writable.url + "/update", headers={**UPDATE_TYPE, **AUTH},
                   content=update.replace("{port}", str(port)))
    assert r.status_code == 400 and message in r.json()["detail"]
    assert connections(listener) == 0


def test_update_protocol_errors(writable):
    url = writable.url + "/update"
    assert httpx.post(url, headers={"Content-Type": "text/plain", **AUTH},
                      content="CLEAR ALL").status_code == 415
    assert httpx.post(url, headers=AUTH, data={"query": "ASK {}"}).status_code == 400
    assert httpx.post(url, headers=AUTH, data={"update": "CLEAR ALL"},
                      params={"using-graph-uri": "http://x/"}).status_code == 400
    r = httpx.post(url, headers={**UPDATE_TYPE, **AUTH}, content=b"CLEAR \xff ALL")
    assert r.status_code == 400 and "UTF-8" in r.json()["detail"]
    assert httpx.get(url, headers=AUTH).status_code == 405


def test_updates_need_a_long_enough_token(sample_copy):
    from kg.server.app import create_app
    with pytest.raises(ValueError, match="need a token"):
        create_app(sample_copy, enable_update=True)
    with pytest.raises(ValueError, match="at least 16"):
        create_app(sample_copy, enable_update=True, token="short")


# --- CORS, headers, logs ---------------------------------------------------------------------

def test_cors_is_off_by_default(sample_server_url):
    r = httpx.get(sample_server_url + "/sparql", params={"query": "ASK {}"},
                  headers={"Origin": "https://evil.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    pre = httpx.options(sample_server_url + "/sparql", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers


def test_html_pages_carry_security_headers(sample_server_url):
    for path in ("/", "/sparql", "/docs"):
        r = httpx.get(sample_server_url + path, headers={"Accept": "text/html"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "server" not in r.headers


def kg_serve(store, *flags: str, env: dict | None = None):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", str(port),
         *flags], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})})
    return process, f"http://127.0.0.1:{port}"


def wait_up(process, url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read().decode()
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("kg serve did not come up")


def test_kg_serve_flags(sample_copy):
    """Every flag reaches the server; the token comes from KG_TOKEN; CORS only for the origin
    given; the access log shows no query text."""
    process, url = kg_serve(sample_copy, "--timeout", "1.5", "--workers", "1", "--max-rows", "5",
                            "--memory-limit", "1024", "--cors-origin", "https://app.example",
                            "--allow-service", "http://127.0.0.1:9/sparql", "--enable-update",
                            "--reload-interval", "0", env={"KG_TOKEN": TOKEN})
    try:
        wait_up(process, url)
        assert httpx.get(url + "/health").json()["workers"] == 1
        r = httpx.get(url + "/sparql", params={"query": "SELECT * { ?s ?p ?o } # SECRET-TEXT"})
        assert r.status_code == 422 and "more than 5 solutions" in r.text
        slow = ("SELECT (COUNT(*) AS ?n) { GRAPH ?a {?a1 ?b1 ?c1} GRAPH ?b {?a2 ?b2 ?c2} "
                "GRAPH ?c {?a3 ?b3 ?c3} GRAPH ?d {?a4 ?b4 ?c4} }")
        r = httpx.get(url + "/sparql", params={"query": slow}, timeout=20)
        assert r.status_code == 503 and "time limit of 1.5 s" in r.text
        r = httpx.get(url + "/sparql", params={"query": "ASK {}"},
                      headers={"Origin": "https://app.example"})
        assert r.headers["access-control-allow-origin"] == "https://app.example"
        r = httpx.get(url + "/sparql", params={"query": "ASK {}"},
                      headers={"Origin": "https://other.example"})
        assert "access-control-allow-origin" not in r.headers
        r = httpx.post(url + "/update", content="CLEAR SILENT GRAPH <urn:none>",
                       headers={**UPDATE_TYPE, **AUTH}, timeout=30)
        assert r.status_code == 200, r.text
        assert httpx.post(url + "/update", content="CLEAR SILENT GRAPH <urn:none>",
                          headers=UPDATE_TYPE).status_code == 401
    finally:
        process.terminate()
        out = process.communicate(timeout=20)[0].decode()
    assert "GET /sparql?… HTTP/1.1" in out and "SECRET-TEXT" not in out and "COUNT" not in out


def test_kg_serve_refuses_update_without_token(sample_copy):
    env = {k: v for k, v in os.environ.items() if k != "KG_TOKEN"}
    out = subprocess.run([sys.executable, "-m", "kg.cli", "serve", "--store", str(sample_copy),
                          "--port", str(free_port()), "--enable-update"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 2 and "updates need a token" in out.stderr
