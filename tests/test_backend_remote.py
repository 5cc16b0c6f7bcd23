"""The `--sparql-endpoint` backend against a real Oxigraph server started here (read-write).

The seed reports are built into the server through the backend (Graph Store Protocol PUTs);
the named queries and the lookups then answer the same through it as on the embedded store.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from kg import lookup
from kg.backends.remote import RemoteError, RemoteStore, endpoint_urls
from kg.build import build
from kg.store import open_store
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
OXIGRAPH = Path(sys.executable).parent / "oxigraph"


@pytest.fixture(scope="module")
def oxigraph_url(tmp_path_factory):
    port = free_port()
    process = subprocess.Popen(
        [str(OXIGRAPH), "serve", "--location", str(tmp_path_factory.mktemp("oxigraph")),
         "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url + "/query", params={"query": "ASK {}"}, timeout=2)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(process.stderr.read().decode())
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def remote(oxigraph_url, store_dir):
    """The seeds built into the server; the extraction cache of store_dir makes it quick."""
    with RemoteStore(oxigraph_url) as backend:
        summary = build([ROOT / "data"], store_dir, jobs=1, backend=backend)
        assert summary.ok and summary.version.startswith("remote-")
        yield backend


@pytest.fixture(scope="module")
def embedded(store_dir):
    return open_store(store_dir)


def test_endpoint_urls_of_common_servers():
    assert endpoint_urls("http://h:7878") == ("http://h:7878/query", "http://h:7878/update",
                                              "http://h:7878/store")
    assert endpoint_urls("http://h:3030/ds/sparql") == (
        "http://h:3030/ds/sparql", "http://h:3030/ds/update", "http://h:3030/ds/data")
    assert endpoint_urls("http://h:7200/repositories/kg")[2] == (
        "http://h:7200/repositories/kg/rdf-graphs/service")


def test_build_writes_every_quad_graph_by_graph(remote, embedded):
    assert len(remote) == len(embedded)
    local_graphs = sorted({q.graph_name.value for q in embedded.quads_for_pattern(None, None, None)})
    assert remote.graphs() == local_graphs
    assert any(g.endswith("/graph/ontology") for g in local_graphs)


@pytest.mark.parametrize("rq", sorted((ROOT / "queries").glob("*.rq")), ids=lambda p: p.stem)
def test_named_queries_answer_the_same(remote, embedded, rq):
    query = rq.read_text(encoding="utf-8")
    local = [tuple(str(t) for t in row) for row in
             embedded.query(query, use_default_graph_as_union=True)]
    through = [tuple(str(t) for t in row) for row in remote.query(query)]
    assert sorted(through) == sorted(local)


def test_lookups_run_unchanged_on_the_remote_store(remote, embedded):
    hits = lookup.search(embedded, "发展", limit=5)
    assert hits, "the seed graph has entities labelled with 发展"
    assert lookup.search(remote, "发展", limit=5) == hits
    first = hits[0]
    type_, key = first["type"], first["key"]
    assert lookup.entity(remote, type_, key) == lookup.entity(embedded, type_, key)


def test_a_graph_put_replaces_the_graph_atomically(remote):
    graph = "https://w3id.org/policykg/graph/test-replace"
    s, p = ox.NamedNode("https://w3id.org/policykg/id/project/x"), ox.NamedNode(
        "http://www.w3.org/2000/01/rdf-schema#label")
    remote.put_graph(graph, [ox.Triple(s, p, ox.Literal("旧名", language="zh"))])
    remote.put_graph(graph, [ox.Triple(s, p, ox.Literal("新名", language="zh"))])
    rows = remote.select(f"SELECT ?l WHERE {{ GRAPH <{graph}> {{ ?s ?p ?l }} }}",
                         use_default_graph_as_union=False)
    assert [r["l"].value for r in rows] == ["新名"]
    remote.drop_graph(graph)
    assert graph not in remote.graphs()


def test_errors_of_the_endpoint_are_reported(remote):
    with pytest.raises(RemoteError, match="400"):
        remote.query("SELECT WHERE {")
    with RemoteStore(f"http://127.0.0.1:{free_port()}") as nowhere:
        with pytest.raises(RemoteError, match="cannot reach"):
            nowhere.query("ASK {}")
