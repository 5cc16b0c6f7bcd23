"""The `--sparql-endpoint` backend against real Oxigraph servers started here (read-write).

The seed reports are built once into one server through the backend (Graph Store Protocol
PUTs); the named queries, the lookups, an analysis, `kg query`, exports and two `kg serve
--sparql-endpoint` processes (started while the seeds are built) then answer the same through
it as the embedded store. Tests that write use graphs of their own and put back the stamp;
a rebuild, which owns every graph of its dataset, gets a server of its own on small excerpts.
"""
from __future__ import annotations

import asyncio
import gzip
import json
import re
import signal
import subprocess
from contextlib import contextmanager
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from kg import lookup, store
from kg.analysis.plan_actual import plan_vs_actual
from kg.backends import open_backend
from kg.backends.remote import (RemoteError, RemoteRefused, RemoteStore, RemoteTimeout,
                                RemoteUnreachable, endpoint_urls)
from kg.build import build
from kg.cli import main
from kg.export import export
from kg.store import open_store
from tests.conftest import RunningServer, _wait_until_up, free_port, write_store
from tests.local_listener import connections, listener  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parents[1]
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
NATIONAL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "national"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
KGO = "https://w3id.org/policykg/ontology#"
TOKEN = "remote-test-token"
POLL = 0.02  # seconds between two looks at something that is about to happen


def _poll(ready, what: str, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        value = ready()
        if value:
            return value
        assert time.monotonic() < deadline, what
        time.sleep(POLL)


class OxigraphServer:
    """`oxigraph serve --location DIR --bind 127.0.0.1:PORT`; stop() and start() again keep
    the port and the data."""

    def __init__(self, location: Path):
        self.location, self.port = location, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(OXIGRAPH), "serve", "--location", str(self.location),
             "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

        def up() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode())
            try:
                return httpx.get(self.url + "/query", params={"query": "ASK {}"},
                                 timeout=2).status_code == 200
            except httpx.HTTPError:
                return False
        _poll(up, "oxigraph serve did not come up", 30)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@contextmanager
def oxigraph_server(location: Path):
    server = OxigraphServer(location)
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def kg_serve(endpoint: str, log_dir: Path, *flags: str, wait: bool = True):
    """`kg serve --sparql-endpoint URL` in a subprocess, as a user starts it."""
    port = free_port()
    log = log_dir / f"kg-serve-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--sparql-endpoint", endpoint,
             "--port", str(port), "--workers", "1", *flags],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**__import__("os").environ, "KG_TOKEN": TOKEN})
    server = RunningServer(f"http://127.0.0.1:{port}", process, log)
    try:
        if wait:
            _wait_until_up(server)
        yield server
    finally:
        process.terminate()
        process.wait(15)


def _version(url: str) -> str:
    return httpx.get(url + "/health").json()["store_version"]


def _wait_for_version(url: str, version: str) -> None:
    _poll(lambda: _version(url) == version, f"the server kept an old version, not {version}")


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as server:
        yield server


@pytest.fixture(scope="module")
def seeded(oxigraph, store_dir, tmp_path_factory):
    """The seeds built into the server (the extraction cache of store_dir makes it quick),
    and two `kg serve --sparql-endpoint` over it, started before the build so that their
    start overlaps it: `watching` checks the stamp every 0.2 s, `manual` only on SIGHUP or
    POST /admin/reload, and caps results at 2000 rows."""
    logs = tmp_path_factory.mktemp("logs")
    with kg_serve(oxigraph.url, logs, "--reload-interval", "0.2", wait=False) as watching, \
            kg_serve(oxigraph.url, logs, "--reload-interval", "0", "--max-rows", "2000",
                     wait=False) as manual, \
            RemoteStore(oxigraph.url) as backend:
        summary = build([ROOT / "data"], store_dir, jobs=1, backend=backend)
        assert summary.ok and summary.version.startswith("remote-")
        assert backend.graph_store is True  # Oxigraph offers the Graph Store Protocol
        for server in (watching, manual):
            _wait_until_up(server)
        _wait_for_version(watching.url, summary.version)
        httpx.post(manual.url + "/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
        yield {"backend": backend, "watching": watching, "manual": manual}
        for server in (watching, manual):  # both shut down at once
            server.process.terminate()


@pytest.fixture(scope="module")
def remote(seeded):
    return seeded["backend"]


@pytest.fixture(scope="module")
def remote_server(seeded):
    """`kg serve --sparql-endpoint` over the seeds in the Oxigraph server."""
    return seeded["watching"].url


@pytest.fixture(scope="module")
def embedded(store_dir):
    return open_backend(store_dir)


def _excerpt(src: Path, out: Path, chars: int, extra: str = "") -> Path:
    out.write_text(src.read_text(encoding="utf-8")[:chars] + extra, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A server of its own holding two short excerpts of national reports, built through
    the backend; tests that change it put it back."""
    tmp = tmp_path_factory.mktemp("small")
    reports, store_dir = tmp / "reports", tmp / "store"
    reports.mkdir()
    a = _excerpt(NATIONAL / "gwr-2024.txt", reports / "gwr-2024.txt", 1000)
    b = _excerpt(NATIONAL / "gwr-2023.txt", reports / "gwr-2023.txt", 1000)
    with oxigraph_server(tmp / "oxigraph") as server, RemoteStore(server.url) as backend:
        build([reports], store_dir, jobs=1, backend=backend)
        yield {"server": server, "backend": backend, "reports": reports,
               "store_dir": store_dir, "a": a, "b": b}


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
    assert len(remote) == store.named_quad_count(embedded)  # the remote has no merged default
    local_graphs = sorted(g.value for g in embedded.named_graphs())
    assert remote.graphs() == local_graphs
    assert any(g.endswith("/graph/ontology") for g in local_graphs)
    assert remote.stamp() == remote.last_write.version


@pytest.mark.parametrize("rq", sorted((ROOT / "queries").glob("*.rq")), ids=lambda p: p.stem)
def test_named_queries_answer_the_same(remote, embedded, rq):
    # The same rows, each once: the embedded store reads its merged default graph, the remote
    # one Oxigraph's union of the named graphs, which repeats a row per graph stating it.
    query = rq.read_text(encoding="utf-8")
    local = {tuple(str(t) for t in row) for row in
             embedded.query(query, **store.default_graph_options(embedded))}
    through = {tuple(str(t) for t in row) for row in
               remote.query(query, use_default_graph_as_union=True)}
    assert through == local


def test_a_construct_answers_the_same_type(remote, embedded):
    query = ("CONSTRUCT { ?e ?p ?o } WHERE { ?e a <https://w3id.org/policykg/ontology#Event> ;"
             " ?p ?o }")
    local = embedded.query(query, **store.default_graph_options(embedded))
    through = remote.query(query, use_default_graph_as_union=True)
    assert type(through) is type(local) is ox.QueryTriples
    assert set(map(str, through)) == set(map(str, local))


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
    graph = "https://w3id.org/policykg/test/replace"  # no graph of a build
    s = ox.NamedNode("https://w3id.org/policykg/id/project/x")
    remote.put_graph(graph, [ox.Triple(s, RDFS_LABEL, ox.Literal("旧名", language="zh"))])
    remote.put_graph(graph, [ox.Triple(s, RDFS_LABEL, ox.Literal("新名", language="zh"))])
    rows = remote.select(f"SELECT ?l WHERE {{ GRAPH <{graph}> {{ ?s ?p ?l }} }}")
    assert [r["l"].value for r in rows] == ["新名"]
    remote.delete_graph(graph)
    assert graph not in remote.graphs()
    remote.delete_graph(graph)  # deleting a graph that is not there is no error


def test_without_a_graph_store_the_replacement_is_one_update(oxigraph):
    oxigraph_url = oxigraph.url
    graph = "https://w3id.org/policykg/test/update-fallback"
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
    with RemoteStore(f"http://{host}:{port}", timeout=0.2) as silent:
        with pytest.raises(RemoteTimeout, match="did not answer within 0.2 s"):
            silent.query("ASK {}")


def test_cli_lookups_and_analyses_read_the_endpoint(remote, oxigraph, store_dir, capsys,
                                                     tmp_path):
    oxigraph_url = oxigraph.url
    for argv in (["search", "发展", "--limit", "3"], ["targets", "--year", "2023"]):
        assert main(argv + ["--store", str(store_dir)]) == 0
        local = json.loads(capsys.readouterr().out)
        assert main(argv + ["--sparql-endpoint", oxigraph_url]) == 0
        assert json.loads(capsys.readouterr().out) == local
    unreachable = f"http://127.0.0.1:{free_port()}"
    for argv in (["search", "发展"], ["targets"], ["export", "--format", "nq"],
                 ["analyze", "--out", str(tmp_path)], ["serve"], ["query", "ASK {}"],
                 ["validate"], ["backup", str(tmp_path / "b.nq.gz")]):
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
    # DISTINCT: the remote union repeats a triple per graph stating it (oxigraph#1919), the
    # embedded store's merged default graph does not
    query = ("SELECT ?type (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?type } GROUP BY ?type "
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




def test_kg_query_reads_the_endpoint(remote, oxigraph, store_dir, capsys):
    # DISTINCT: the remote union repeats a triple per graph stating it (oxigraph#1919), the
    # embedded store's merged default graph does not
    query = ("SELECT ?type (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?type } GROUP BY ?type "
             "ORDER BY ?type")
    for fmt in ("csv", "json"):
        assert main(["query", query, "--format", fmt, "--store", str(store_dir)]) == 0
        local = capsys.readouterr().out
        assert main(["query", query, "--format", fmt, "--sparql-endpoint", oxigraph.url]) == 0
        assert capsys.readouterr().out == local and local.count(KGO) > 5
    assert main(["query", "SELECT WHERE {", "--sparql-endpoint", oxigraph.url]) == 2
    assert "answered 400" in capsys.readouterr().err


def test_answers_in_the_clients_format_pass_through_unchanged(seeded, oxigraph):
    """What Oxigraph answers in the format asked is what the client gets, byte for byte,
    with its rows counted; the row cap (2000 on `manual`) still holds."""
    manual = seeded["manual"].url
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 1500"  # the same order each time
    for accept in ("application/sparql-results+json", "application/sparql-results+xml",
                   "text/tab-separated-values", "text/csv"):
        direct = httpx.post(oxigraph.url + "/query", params={"union-default-graph": ""},
                            content=query.encode(), headers={
                                "Content-Type": "application/sparql-query", "Accept": accept})
        through = httpx.post(manual + "/sparql", data={"query": query},
                             headers={"Accept": accept})
        assert through.status_code == 200, through.text
        assert through.headers["x-result-rows"] == "1500", accept
        if accept == "text/csv":  # written here (its rows cannot be counted in the bytes)
            assert through.text.count("\r\n") >= 1501 and through.text.startswith("s,p,o\r\n")
            continue
        rows = ox.parse_query_results(through.content, format=ox.QueryResultsFormat
                                      .from_media_type(accept))
        assert len(list(rows)) == 1500
        assert through.content == direct.content, accept
    construct = "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1200"
    nt = httpx.post(manual + "/sparql", data={"query": construct},
                    headers={"Accept": "application/n-triples"})
    assert nt.status_code == 200 and nt.headers["x-result-rows"] == "1200"
    assert len(list(ox.parse(nt.content, format=ox.RdfFormat.N_TRIPLES))) == 1200
    for accept in ("application/sparql-results+json", "text/tab-separated-values"):
        over = httpx.post(manual + "/sparql", headers={"Accept": accept}, data={
            "query": query.replace("LIMIT 1500", "LIMIT 2001")})
        assert over.status_code == 422 and "more than 2000 solutions" in over.text
    over = httpx.post(manual + "/sparql", data={"query": construct.replace("1200", "2001")},
                      headers={"Accept": "application/n-triples"})
    assert over.status_code == 422 and "more than 2000 triples" in over.text


def test_admin_reload_and_sighup_read_the_new_stamp(seeded, remote):
    manual, built = seeded["manual"], remote.last_write.version
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert _version(manual.url) == built
    try:
        remote.set_stamp("remote-test-reload")
        time.sleep(0.3)  # `manual` does not look by itself (--reload-interval 0)
        assert _version(manual.url) == built
        answer = httpx.post(manual.url + "/admin/reload", headers=auth)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"reloaded": True, "store_version": "remote-test-reload",
                                 "previous_version": built}
        assert httpx.post(manual.url + "/admin/reload", headers=auth).json()["reloaded"] is False
        assert httpx.post(manual.url + "/admin/reload").status_code == 401
        remote.set_stamp("remote-test-sighup")
        manual.process.send_signal(signal.SIGHUP)
        _wait_for_version(manual.url, "remote-test-sighup")
    finally:
        remote.set_stamp(built)
    manual.process.send_signal(signal.SIGHUP)
    _wait_for_version(manual.url, built)
    assert "Traceback" not in manual.log_text()


def test_kg_validate_checks_the_remote_graph(small, capsys, tmp_path):
    """SHACL on the remote graph reports what it reports on an embedded copy of it: here a
    project without its Chinese name."""
    backend, url = small["backend"], small["server"].url
    graph, project = ("https://w3id.org/policykg/test/unlabelled",
                      ox.NamedNode("https://w3id.org/policykg/id/project/unlabelled"))
    backend.put_graph(graph, [ox.Triple(project, RDF_TYPE, ox.NamedNode(KGO + "Project"))])
    try:
        copy = write_store(tmp_path / "copy", backend.quads_for_pattern())
        reports = []
        for where in (["--store", str(copy)], ["--sparql-endpoint", url]):
            assert main(["validate", *where]) == 1
            reports.append(re.sub(r"checked in [\d.]+ s", "", capsys.readouterr().out))
    finally:
        backend.delete_graph(graph)
    assert reports[1] == reports[0]
    assert reports[1].startswith("Validation: the graph does NOT conform")
    assert "OneChineseLabel" in reports[1] and "project/unlabelled" in reports[1]


def test_kg_backup_of_the_endpoint_restores_into_an_embedded_store(small, capsys, tmp_path):
    backend, url = small["backend"], small["server"].url
    dump = tmp_path / "remote.nq.gz"
    assert main(["backup", str(dump), "--sparql-endpoint", url]) == 0
    assert f"of version {backend.stamp()}" in capsys.readouterr().out
    with gzip.open(dump, "rb") as f:
        header = json.loads(f.readline()[2:])
    assert header["quads"] == len(backend) and header["endpoint"].startswith(url)
    assert main(["restore", str(dump), "--store", str(tmp_path / "restored")]) == 0
    restored = open_store(tmp_path / "restored")
    named = [q for q in restored if q.graph_name != ox.DefaultGraph()]  # the rest: their merge
    assert sorted(map(str, named)) == sorted(map(str, backend.quads_for_pattern()))
    assert sorted(g.value for g in restored.named_graphs()) == backend.graphs()


def test_a_rebuild_replaces_only_changed_graphs_and_deletes_removed_ones(small):
    backend, reports, store_dir = small["backend"], small["reports"], small["store_dir"]
    a, b = small["a"], small["b"]
    graph_a, graph_b = (f"https://w3id.org/policykg/graph/{p.stem}" for p in (a, b))
    first = backend.last_write
    assert {graph_a, graph_b} <= set(first.replaced) and first.deleted == ()
    original_b = b.read_text(encoding="utf-8")
    try:
        build([reports], store_dir, jobs=1, backend=backend)  # nothing changed
        assert backend.last_write.replaced == () and backend.last_write.unchanged == first.graphs

        b.write_text(original_b + "\n全年粮食产量达到13900亿斤。\n", encoding="utf-8")
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
    finally:  # as it was, for the other tests of `small`
        b.write_text(original_b, encoding="utf-8")
        build([reports], store_dir, jobs=1, backend=backend)
    assert graph_b in backend.graphs()


def test_a_store_no_build_stamped_is_served_as_one_version(tmp_path):
    from kg.server.app import create_app

    async def health(app) -> dict:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://kg") as client:
            return (await client.get("/health")).json()

    with oxigraph_server(tmp_path / "oxigraph") as server:
        app = create_app(None, sparql_endpoint=server.url)
        try:
            assert asyncio.run(health(app))["store_version"] == "remote-unstamped"
        finally:
            app.state.pool.backend.close()


def test_kg_serve_follows_new_versions_and_reports_a_store_that_went_away(seeded, oxigraph,
                                                                          remote):
    """Last: the store goes away (and comes back for whatever runs after)."""
    kg_server, built = seeded["watching"], remote.last_write.version
    graph = "https://w3id.org/policykg/test/new-version"
    place = ox.NamedNode("https://w3id.org/policykg/id/place/test-new-version")
    search = kg_server.url + "/api/search?q=某测试地"
    assert _version(kg_server.url) == built
    assert httpx.get(search).json()["count"] == 0
    try:  # what a build does: the graph, then a new stamp; answers of the old version expire
        remote.put_graph(graph, [ox.Triple(place, RDFS_LABEL,
                                           ox.Literal("某测试地", language="zh"))])
        remote.set_stamp("remote-test-1")
        _wait_for_version(kg_server.url, "remote-test-1")
        assert httpx.get(search).json()["count"] == 1
    finally:
        remote.delete_graph(graph)
        remote.set_stamp(built)
    _wait_for_version(kg_server.url, built)

    oxigraph.stop()
    try:
        gone = httpx.get(kg_server.url + "/api/entities/place/y")  # not answered yet
        assert gone.status_code == 502 and "cannot reach" in gone.json()["detail"]
        query = httpx.post(kg_server.url + "/sparql", data={"query": "ASK { ?s ?p ?o }"},
                           headers={"Accept": "application/json"})
        assert query.status_code == 502 and "cannot reach" in query.json()["detail"]
    finally:
        oxigraph.start()
    assert httpx.get(kg_server.url + "/api/entities/place/z").status_code == 404  # back
    assert "Traceback" not in kg_server.log_text()
