"""The `--sparql-endpoint` backend against real Oxigraph servers started here (read-write).

The seed reports are built into a server through the backend (Graph Store Protocol PUTs);
the named queries, the lookups, an analysis and `kg serve --sparql-endpoint` then answer the
same through it as on the embedded store. A rebuild replaces only the graphs that changed.
"""
from __future__ import annotations

import json
import subprocess
from contextlib import contextmanager
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from kg import lookup
from kg.analysis.plan_actual import plan_vs_actual
from kg.backends import open_backend
from kg.backends.remote import (RemoteError, RemoteRefused, RemoteStore, RemoteTimeout,
                                RemoteUnreachable, endpoint_urls)
from kg.build import build
from kg.cli import main
from kg.export import export
from tests.conftest import RunningServer, _wait_until_up, free_port
from tests.local_listener import connections, listener  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parents[1]
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
NATIONAL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "national"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


class OxigraphServer:
    """`oxigraph serve --location DIR --bind 127.0.0.1:PORT`, up until stop()."""

    def __init__(self, location: Path):
        port = free_port()
        self.process = subprocess.Popen(
            [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(self.url + "/query", params={"query": "ASK {}"}, timeout=2)
                return
            except httpx.HTTPError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.process.kill()
                    raise RuntimeError(self.process.stderr.read().decode())
                time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture(scope="module")
def oxigraph_url(tmp_path_factory):
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def remote(oxigraph_url, store_dir):
    """The seeds built into the server; the extraction cache of store_dir makes it quick."""
    with RemoteStore(oxigraph_url) as backend:
        summary = build([ROOT / "data"], store_dir, jobs=1, backend=backend)
        assert summary.ok and summary.version.startswith("remote-")
        assert backend.graph_store is True  # Oxigraph offers the Graph Store Protocol
        yield backend


@pytest.fixture(scope="module")
def embedded(store_dir):
    return open_backend(store_dir)


@contextmanager
def kg_serve(endpoint: str, log_dir: Path, *flags: str):
    """`kg serve --sparql-endpoint URL` in a subprocess, as a user starts it."""
    port = free_port()
    log = log_dir / f"kg-serve-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--sparql-endpoint", endpoint,
             "--port", str(port), "--workers", "1", *flags],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = RunningServer(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.terminate()
        process.wait(15)


@pytest.fixture(scope="module")
def remote_server(remote, oxigraph_url, tmp_path_factory):
    """`kg serve --sparql-endpoint` over the seeds in the Oxigraph server."""
    with kg_serve(oxigraph_url, tmp_path_factory.mktemp("logs")) as server:
        yield server.url


def test_endpoint_urls_of_common_servers():
    assert endpoint_urls("http://h:7878") == ("http://h:7878/query", "http://h:7878/update",
                                              "http://h:7878/store")
    assert endpoint_urls("http://h:3030/ds/sparql") == (
        "http://h:3030/ds/sparql", "http://h:3030/ds/update", "http://h:3030/ds/data")
    assert endpoint_urls("http://h:7200/repositories/kg")[2] == (
        "http://h:7200/repositories/kg/rdf-graphs/service")
    with pytest.raises(RemoteError, match="not an http"):
        endpoint_urls("h:7878")


def test_build_writes_every_quad_graph_by_graph(remote, embedded):
    assert len(remote) == len(embedded)
    local_graphs = sorted(g.value for g in embedded.named_graphs())
    assert remote.graphs() == local_graphs
    assert any(g.endswith("/graph/ontology") for g in local_graphs)
    assert remote.stamp() == remote.last_write.version


@pytest.mark.parametrize("rq", sorted((ROOT / "queries").glob("*.rq")), ids=lambda p: p.stem)
def test_named_queries_answer_the_same(remote, embedded, rq):
    query = rq.read_text(encoding="utf-8")
    local = [tuple(str(t) for t in row) for row in
             embedded.query(query, use_default_graph_as_union=True)]
    through = [tuple(str(t) for t in row) for row in
               remote.query(query, use_default_graph_as_union=True)]
    assert sorted(through) == sorted(local)


def test_a_construct_answers_the_same_type(remote, embedded):
    query = ("CONSTRUCT { ?e ?p ?o } WHERE { ?e a <https://w3id.org/policykg/ontology#Event> ;"
             " ?p ?o }")
    local = embedded.query(query, use_default_graph_as_union=True)
    through = remote.query(query, use_default_graph_as_union=True)
    assert type(through) is type(local) is ox.QueryTriples
    assert sorted(map(str, through)) == sorted(map(str, local))


def test_lookups_run_unchanged_on_the_remote_store(remote, embedded):
    hits = lookup.search(embedded, "发展", limit=5)
    assert hits, "the seed graph has entities labelled with 发展"
    assert lookup.search(remote, "发展", limit=5) == hits
    type_, key = hits[0]["type"], hits[0]["key"]
    assert lookup.entity(remote, type_, key) == lookup.entity(embedded, type_, key)
    assert lookup.relations(remote, type_, key) == lookup.relations(embedded, type_, key)
    assert lookup.targets(remote, year=2024) == lookup.targets(embedded, year=2024)
    with pytest.raises(lookup.NotFound):
        lookup.entity(remote, "project", "no-such-project")


def test_an_analysis_answers_the_same(remote, embedded):
    local = [a.to_dict() for a in plan_vs_actual(embedded)]
    assert local, "the seed reports pair targets with observations"
    assert [a.to_dict() for a in plan_vs_actual(remote)] == local


def test_exports_read_the_remote_store(remote, embedded):
    assert export(remote, "graphml").body == export(embedded, "graphml").body


def test_a_graph_put_replaces_the_graph_atomically(remote):
    graph = "https://w3id.org/policykg/graph/test-replace"
    s = ox.NamedNode("https://w3id.org/policykg/id/project/x")
    remote.put_graph(graph, [ox.Triple(s, RDFS_LABEL, ox.Literal("旧名", language="zh"))])
    remote.put_graph(graph, [ox.Triple(s, RDFS_LABEL, ox.Literal("新名", language="zh"))])
    rows = remote.select(f"SELECT ?l WHERE {{ GRAPH <{graph}> {{ ?s ?p ?l }} }}")
    assert [r["l"].value for r in rows] == ["新名"]
    remote.delete_graph(graph)
    assert graph not in remote.graphs()
    remote.delete_graph(graph)  # deleting a graph that is not there is no error


def test_without_a_graph_store_the_replacement_is_one_update(oxigraph_url):
    graph = "https://w3id.org/policykg/graph/test-update-fallback"
    s = ox.NamedNode("https://w3id.org/policykg/id/place/x")
    with RemoteStore(oxigraph_url, store_url=oxigraph_url + "/no-graph-store") as backend:
        backend.put_graph(graph, [ox.Triple(s, RDFS_LABEL, ox.Literal("甲"))])
        backend.put_graph(graph, [ox.Triple(s, RDFS_LABEL, ox.Literal("乙"))])
        assert backend.graph_store is False
        rows = backend.select(f"SELECT ?l WHERE {{ GRAPH <{graph}> {{ ?s ?p ?l }} }}")
        assert [r["l"].value for r in rows] == ["乙"]
        backend.delete_graph(graph)
        assert graph not in backend.graphs()


def test_errors_of_the_endpoint_are_reported(remote, listener):  # noqa: F811
    with pytest.raises(RemoteRefused, match="400"):
        remote.query("SELECT WHERE {")
    with RemoteStore(f"http://127.0.0.1:{free_port()}") as nowhere:
        with pytest.raises(RemoteUnreachable, match="cannot reach"):
            nowhere.query("ASK {}")
    host, port = listener.getsockname()  # accepts, never answers
    with RemoteStore(f"http://{host}:{port}", timeout=0.5) as silent:
        with pytest.raises(RemoteTimeout, match="did not answer within 0.5 s"):
            silent.query("ASK {}")


def test_cli_lookups_and_analyses_read_the_endpoint(remote, oxigraph_url, store_dir, capsys,
                                                     tmp_path):
    for argv in (["search", "发展", "--limit", "3"], ["targets", "--year", "2023"]):
        assert main(argv + ["--store", str(store_dir)]) == 0
        local = json.loads(capsys.readouterr().out)
        assert main(argv + ["--sparql-endpoint", oxigraph_url]) == 0
        assert json.loads(capsys.readouterr().out) == local
    unreachable = f"http://127.0.0.1:{free_port()}"
    for argv in (["search", "发展"], ["targets"], ["export", "--format", "nq"],
                 ["analyze", "--out", str(tmp_path)], ["serve"]):
        assert main(argv + ["--sparql-endpoint", unreachable]) == 2
        assert "error: cannot reach the SPARQL endpoint" in capsys.readouterr().err


def test_kg_serve_answers_from_the_endpoint_as_from_the_embedded_store(remote_server,
                                                                        server_url):
    for path in ("/api/search?q=发展&limit=5", "/api/targets?year=2024&limit=50",
                 "/api/analysis/plan-actual"):
        local, through = httpx.get(server_url + path), httpx.get(remote_server + path)
        assert through.status_code == 200, through.text
        same_host = lambda body: {k: v for k, v in body.items() if k != "next"}  # noqa: E731
        assert same_host(through.json()) == same_host(local.json()), path
    first = httpx.get(server_url + "/api/search?q=发展&limit=1").json()["items"][0]
    card = f"/api/entities/{first['type']}/{first['key']}"
    assert httpx.get(remote_server + card).json() == httpx.get(server_url + card).json()
    query = ("SELECT ?type (COUNT(?e) AS ?n) WHERE { ?e a ?type } GROUP BY ?type "
             "ORDER BY ?type")
    answers = [httpx.post(url + "/sparql", data={"query": query},
                          headers={"Accept": "text/csv"}) for url in (server_url, remote_server)]
    assert answers[1].status_code == 200 and answers[1].text == answers[0].text


def test_kg_serve_refuses_what_the_embedded_store_refuses(remote_server, listener):  # noqa: F811
    host, port = listener.getsockname()
    connections(listener)  # forget those of earlier tests (the timeout test connects)
    bad = httpx.post(remote_server + "/sparql", data={
        "query": f"SELECT * WHERE {{ SERVICE <http://{host}:{port}/> {{ ?s ?p ?o }} }}"})
    assert bad.status_code == 400 and "SERVICE" in bad.text
    assert connections(listener) == 0  # refused before anything left: the store fetched nothing
    malformed = httpx.post(remote_server + "/sparql", data={"query": "SELECT * WHERE { ?s"},
                           headers={"Accept": "application/json"})
    assert malformed.status_code == 400 and malformed.json()["error"] == "malformed query"
    update = httpx.post(remote_server + "/sparql", data={"query": "CLEAR ALL"})
    assert update.status_code == 400 and "read-only" in update.text
    assert httpx.get(remote_server + "/api/entities/project/no-such").status_code == 404


def _excerpt(src: Path, out: Path, chars: int, extra: str = "") -> Path:
    out.write_text(src.read_text(encoding="utf-8")[:chars] + extra, encoding="utf-8")
    return out


def test_a_rebuild_replaces_only_changed_graphs_and_deletes_removed_ones(tmp_path):
    server = OxigraphServer(tmp_path / "oxigraph")
    reports, store_dir = tmp_path / "reports", tmp_path / "store"
    reports.mkdir()
    a = _excerpt(NATIONAL / "gwr-2024.txt", reports / "gwr-2024.txt", 2500)
    b = _excerpt(NATIONAL / "gwr-2023.txt", reports / "gwr-2023.txt", 2500)
    graph_a, graph_b = (f"https://w3id.org/policykg/graph/{p.stem}" for p in (a, b))
    try:
        with RemoteStore(server.url) as backend:
            build([reports], store_dir, jobs=1, backend=backend)
            first = backend.last_write
            assert {graph_a, graph_b} <= set(first.replaced) and first.deleted == ()

            build([reports], store_dir, jobs=1, backend=backend)  # nothing changed
            assert backend.last_write.replaced == () and backend.last_write.unchanged == first.graphs

            _excerpt(NATIONAL / "gwr-2023.txt", b, 2500, "\n全年粮食产量达到13900亿斤。\n")
            build([reports], store_dir, jobs=1, backend=backend)
            changed = backend.last_write
            assert graph_b in changed.replaced and graph_a not in changed.replaced
            assert not any(g.endswith("/graph/ontology") for g in changed.replaced)
            assert bool(backend.query(f'ASK {{ GRAPH <{graph_b}> {{ ?s ?p ?t '
                                      f'FILTER(CONTAINS(STR(?t), "13900亿斤")) }} }}'))

            b.unlink()
            build([reports], store_dir, jobs=1, backend=backend)
            assert backend.last_write.deleted == (graph_b,)
            assert graph_b not in backend.graphs() and graph_a in backend.graphs()
            assert len(backend) == backend.last_write.quads
    finally:
        server.stop()


def _wait_for_version(url: str, version: str) -> None:
    deadline = time.monotonic() + 10
    while httpx.get(url + "/health").json()["store_version"] != version:
        assert time.monotonic() < deadline, "the server kept the old version"
        time.sleep(0.1)


def test_kg_serve_follows_new_versions_and_reports_a_store_that_went_away(tmp_path):
    server = OxigraphServer(tmp_path / "oxigraph")
    place = ox.NamedNode("https://w3id.org/policykg/id/place/x")
    with RemoteStore(server.url) as backend, \
            kg_serve(server.url, tmp_path, "--reload-interval", "0.2") as kg_server:
        assert httpx.get(kg_server.url + "/health").json()["store_version"] == "remote-unstamped"
        assert httpx.get(kg_server.url + "/api/search?q=某地").json()["count"] == 0
        # what a build does: the graph, then a new stamp; answers of the old version expire
        backend.put_graph("https://w3id.org/policykg/graph/x",
                          [ox.Triple(place, RDFS_LABEL, ox.Literal("某地", language="zh"))])
        backend.set_stamp("remote-test-1")
        _wait_for_version(kg_server.url, "remote-test-1")
        assert httpx.get(kg_server.url + "/api/search?q=某地").json()["count"] == 1

        server.stop()
        gone = httpx.get(kg_server.url + "/api/entities/place/y")  # not answered yet
        assert gone.status_code == 502 and "cannot reach" in gone.json()["detail"]
        query = httpx.post(kg_server.url + "/sparql", data={"query": "ASK { ?s ?p ?o }"},
                           headers={"Accept": "application/json"})
        assert query.status_code == 502 and "cannot reach" in query.json()["detail"]
        assert "Traceback" not in kg_server.log_text()
