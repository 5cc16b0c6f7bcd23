"""A store behind a SPARQL 1.1 endpoint: the `--sparql-endpoint URL` backend.

The same build, lookups and analyses run against an external triple store that users scale
out (Oxigraph server, Apache Jena Fuseki, GraphDB, Virtuoso) instead of the embedded Oxigraph:

- reading: SPARQL 1.1 Query Protocol; answers are parsed by pyoxigraph into the same objects
  `pyoxigraph.Store.query` returns, so code written for the embedded store runs unchanged;
- writing: SPARQL 1.1 Graph Store Protocol, one PUT per named graph (a document's graph is
  replaced atomically, as the protocol makes each request atomic); graphs of the project
  that a build no longer writes are dropped with SPARQL 1.1 Update afterwards.

The default graph must be the union of the named graphs (Oxigraph: the `union-default-graph`
parameter, sent with every query; Fuseki: `tdb2:unionDefaultGraph true`; GraphDB and Virtuoso:
their default without FROM).
"""
from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

GRAPH_PREFIX = "https://w3id.org/policykg/graph/"  # every graph a build writes
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
# Oxigraph server's paths, the most common layout; others are given explicitly.
DEFAULT_PATHS = {"query": "/query", "update": "/update", "store": "/store"}


class RemoteError(RuntimeError):
    """The endpoint refused a request or could not be reached; says which and why."""


@dataclass(frozen=True)
class RemoteInfo:
    """What a write left on the endpoint (the counterpart of kg.store.StoreInfo)."""

    endpoint: str
    version: str  # a name for this write: used as the store version (cache keys, ETags)
    graphs: int
    quads: int


def endpoint_urls(url: str, update: str | None = None, store: str | None = None
                  ) -> tuple[str, str, str]:
    """The query, update and graph-store URLs of an endpoint given by its query URL.

    `http://h:7878` or `http://h:7878/query` (Oxigraph) give /query, /update, /store;
    `http://h:3030/ds/sparql` or `/ds/query` (Fuseki) give /ds/update and /ds/data.
    """
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    base, _, last = path.rpartition("/")
    if last in ("query", "sparql") and base:  # Fuseki: /dataset/query
        paths = (path, base + "/update", base + "/data")
    elif last == "query" or not path:  # Oxigraph server
        paths = (DEFAULT_PATHS["query"], DEFAULT_PATHS["update"], DEFAULT_PATHS["store"])
    else:  # GraphDB (/repositories/x), Virtuoso (/sparql): one URL for everything
        paths = (path, path + "/statements" if "/repositories/" in path else path,
                 path + "/rdf-graphs/service" if "/repositories/" in path else path)
    make = lambda p: urlunsplit((parts.scheme, parts.netloc, p, "", ""))  # noqa: E731
    return make(paths[0]), update or make(paths[1]), store or make(paths[2])


class RemoteStore:
    """A pyoxigraph-Store-like view of a remote SPARQL endpoint: query, update, graphs."""

    def __init__(self, url: str, update_url: str | None = None, store_url: str | None = None,
                 timeout: float = 120.0, union_default_graph: bool = True):
        self.query_url, self.update_url, self.store_url = endpoint_urls(url, update_url,
                                                                        store_url)
        self.union_default_graph = union_default_graph
        self._http = httpx.Client(timeout=timeout, trust_env=False)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "RemoteStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------

    def query(self, query: str, prefixes: dict[str, str] | None = None,
              use_default_graph_as_union: bool = True, **_ignored):
        """Run a query; answers as pyoxigraph objects (QuerySolutions, QueryBoolean, or a
        list of Triples for CONSTRUCT/DESCRIBE), like `pyoxigraph.Store.query`."""
        if prefixes:
            query = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items()) + query
        params = {}
        if use_default_graph_as_union and self.union_default_graph:
            params["union-default-graph"] = ""  # Oxigraph's switch; others ignore it
        response = self._request(
            "POST", self.query_url, params=params, content=query.encode("utf-8"),
            headers={"Content-Type": "application/sparql-query; charset=utf-8",
                     "Accept": f"{RESULTS_JSON}, {N_TRIPLES};q=0.9"})
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media == N_TRIPLES or media == "text/plain":
            return list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
        return ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)

    def select(self, query: str, **kwargs) -> list[dict[str, object]]:
        """Rows of a SELECT as {variable: pyoxigraph term or None}."""
        rows = self.query(query, **kwargs)
        names = [v.value for v in rows.variables]
        return [{n: row[n] for n in names} for row in rows]

    def graphs(self) -> list[str]:
        """The named graphs held by the endpoint."""
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                           use_default_graph_as_union=False)
        return sorted(r["g"].value for r in rows)

    def __len__(self) -> int:
        """Quads in named graphs (what a build writes)."""
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                           use_default_graph_as_union=False)
        return int(rows[0]["n"].value)

    # -- writing -------------------------------------------------------------------------

    def update(self, update: str) -> None:
        self._request("POST", self.update_url, content=update.encode("utf-8"),
                      headers={"Content-Type": "application/sparql-update; charset=utf-8"})

    def put_graph(self, graph: str, triples: Iterable[ox.Triple]) -> int:
        """Replace one named graph by `triples` (Graph Store Protocol PUT: atomic)."""
        body = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b""
        self._request("PUT", self.store_url, params={"graph": graph}, content=body,
                      headers={"Content-Type": N_TRIPLES})
        return body.count(b"\n")

    def drop_graph(self, graph: str) -> None:
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def write_version(self, _store_dir, quads: Iterable[ox.Quad], verify=None) -> RemoteInfo:
        """Write a build's quads graph by graph; same signature as kg.store.write_version.

        Each named graph is replaced in one PUT, so a reader sees a document's old graph or
        its new one, never half of it (the whole build is not one transaction: graphs change
        one after the other). Graphs of the project that this build did not write are dropped.
        `verify(self)` is called at the end and may raise.
        """
        written: dict[str, int] = {}
        n = 0
        for graph, triples in _by_graph(quads):
            self.put_graph(graph, triples)
            written[graph] = len(triples)
            n += len(triples)
        for graph in self.graphs():
            if graph.startswith(GRAPH_PREFIX) and graph not in written:
                self.drop_graph(graph)
        if verify is not None:
            verify(self)
        version = "remote-" + time.strftime("%Y%m%dT%H%M%S")
        return RemoteInfo(endpoint=self.query_url, version=version, graphs=len(written), quads=n)

    def _request(self, method: str, url: str, **kwargs) -> httpx.Response:
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.HTTPError as e:
            raise RemoteError(f"cannot reach the SPARQL endpoint {url}: {e}") from e
        if response.status_code >= 400:
            raise RemoteError(f"{method} {url} answered {response.status_code}: "
                              f"{response.text[:300].strip()}")
        return response


def _by_graph(quads: Iterable[ox.Quad]) -> Iterator[tuple[str, list[ox.Triple]]]:
    """The quads grouped by named graph, each graph whole. Held in memory until the end: a
    graph may come from more than one source of the build (the ontology, the gazetteer)."""
    graphs: dict[str, list[ox.Triple]] = {}
    for q in quads:
        if isinstance(q.graph_name, ox.DefaultGraph):
            raise RemoteError("a build writes named graphs only; got a default-graph quad")
        graphs.setdefault(q.graph_name.value, []).append(ox.Triple(q.subject, q.predicate,
                                                                   q.object))
    yield from graphs.items()
