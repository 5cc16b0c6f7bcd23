"""A store behind a SPARQL 1.1 endpoint: the `--sparql-endpoint URL` backend.

The same build, lookups, analyses and server run against an external triple store that users
scale out (Oxigraph server, Apache Jena Fuseki, GraphDB, Virtuoso) instead of the embedded
Oxigraph. RemoteStore speaks three W3C protocols over HTTP and nothing else:

- SPARQL 1.1 Query: answers are parsed by pyoxigraph into the very objects
  `pyoxigraph.Store.query` returns (QuerySolutions, QueryBoolean, QueryTriples), so code
  written for the embedded store runs unchanged;
- SPARQL 1.1 Graph Store Protocol: `put_graph` replaces one named graph in one PUT (atomic:
  readers see the old graph or the new one); where the endpoint offers no graph store, the
  same replacement is one SPARQL Update request (DROP + INSERT DATA);
- SPARQL 1.1 Update: `update`, and the fallback above.

Every failure is a RemoteError saying which URL failed and why (unreachable, timed out, or
the status and message the endpoint answered): callers print it, never a traceback.

Tested against the Oxigraph server (tests/test_backend_remote.py); the Fuseki, GraphDB and
Virtuoso URL layouts of `endpoint_urls` are written from their documentation, never run here.

The default graph must be the union of the named graphs (Oxigraph: the `union-default-graph`
parameter, sent when a query asks for the union; Fuseki: `tdb2:unionDefaultGraph true`;
GraphDB and Virtuoso: their default without FROM).
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from kg.vocab import BASE

GRAPH_PREFIX = BASE + "graph/"  # every graph a build writes
# The store's own bookkeeping: one triple naming the version a build left (kg.backends.sync).
STAMP_GRAPH = ox.NamedNode(BASE + "store")
VERSION_INFO = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
# Oxigraph server's paths, the most common layout; others are given explicitly.
DEFAULT_PATHS = {"query": "/query", "update": "/update", "store": "/store"}
# Answers to a graph-store request that mean "no graph store here": fall back to Update.
NO_GRAPH_STORE = {404, 405, 406, 415, 501}


class RemoteError(RuntimeError):
    """The endpoint refused a request or could not be reached; says which and why."""


class RemoteUnreachable(RemoteError):
    pass


class RemoteTimeout(RemoteError):
    pass


class RemoteRefused(RemoteError):
    """The endpoint answered with an error status (kept in `status`)."""

    def __init__(self, message: str, status: int, detail: str):
        super().__init__(message)
        self.status, self.detail = status, detail


def endpoint_urls(url: str, update: str | None = None, store: str | None = None
                  ) -> tuple[str, str, str]:
    """The query, update and graph-store URLs of an endpoint given by its query URL.

    `http://h:7878` or `http://h:7878/query` (Oxigraph) give /query, /update, /store;
    `http://h:3030/ds/sparql` or `/ds/query` (Fuseki) give /ds/update and /ds/data.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RemoteError(f"{url!r} is not an http(s) URL of a SPARQL endpoint "
                          "(e.g. http://127.0.0.1:7878 or http://host:3030/dataset/sparql)")
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


def replace_graph_update(graph: str, triples: Iterable[ox.Triple]) -> str:
    """One SPARQL Update that replaces a named graph (atomic: one request, one transaction)."""
    body = _ntriples(triples).decode("utf-8")
    return f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}"


def _ntriples(triples: Iterable[ox.Triple]) -> bytes:
    return ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b""


class RemoteStore:
    """A pyoxigraph-Store-like view of a remote SPARQL endpoint: query, update, graphs."""

    def __init__(self, url: str, update_url: str | None = None, store_url: str | None = None,
                 timeout: float = 120.0, union_default_graph: bool = True):
        self.url = url
        self.query_url, self.update_url, self.store_url = endpoint_urls(url, update_url,
                                                                        store_url)
        self.union_default_graph = union_default_graph
        self.timeout = timeout
        self.graph_store: bool | None = None  # unknown until the first graph write
        self.last_write = None  # the kg.backends.sync.RemoteInfo of the last build
        self._http = httpx.Client(timeout=timeout, trust_env=False)

    def __str__(self) -> str:
        return self.query_url

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "RemoteStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------

    def query(self, query: str, *, base_iri: str | None = None,
              prefixes: dict[str, str] | None = None, use_default_graph_as_union: bool = False,
              default_graph=None, named_graphs=None, **unsupported):
        """Run a query in one request; the same arguments and answers as
        `pyoxigraph.Store.query` (the dataset ones become protocol parameters)."""
        body, media = self.query_raw(
            query, f"{RESULTS_JSON}, {N_TRIPLES};q=0.9", base_iri=base_iri, prefixes=prefixes,
            use_default_graph_as_union=use_default_graph_as_union,
            default_graph=default_graph, named_graphs=named_graphs, **unsupported)
        return self.parse_answer(body, media)

    def query_raw(self, query: str, accept: str, *, base_iri: str | None = None,
                  prefixes: dict[str, str] | None = None,
                  use_default_graph_as_union: bool = False, default_graph=None,
                  named_graphs=None, **unsupported) -> tuple[bytes, str]:
        """The endpoint's answer to a query as it came: (body, media type without
        parameters). `accept` is the Accept header: the formats asked for, in order."""
        if any(v is not None for v in unsupported.values()):  # substitutions, custom functions
            raise TypeError(f"a remote store cannot take {', '.join(sorted(unsupported))}: "
                            "write the values into the query")
        head = f"BASE <{base_iri}>\n" if base_iri else ""
        if prefixes:
            head += "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items())
        params: list[tuple[str, str]] = []
        if default_graph is not None or named_graphs is not None:
            graphs = default_graph if isinstance(default_graph, list) else [default_graph]
            params += [("default-graph-uri", g.value) for g in graphs if g is not None]
            params += [("named-graph-uri", g.value) for g in named_graphs or ()]
        elif use_default_graph_as_union and self.union_default_graph:
            params.append(("union-default-graph", ""))  # Oxigraph's switch; others ignore it
        response = self._request(
            "POST", self.query_url, params=params, content=(head + query).encode("utf-8"),
            headers={"Content-Type": "application/sparql-query; charset=utf-8",
                     "Accept": accept})
        return response.content, response.headers.get("content-type", "").split(";")[0].strip()

    def parse_answer(self, body: bytes, media: str):
        """A query answer (SPARQL results in JSON, XML or TSV, or N-Triples) as the object
        `pyoxigraph.Store.query` returns."""
        try:
            return parse_answer(body, media)
        except (SyntaxError, ValueError) as e:
            raise RemoteError(f"the answer of {self.query_url} ({media or 'no type'}) is "
                              f"not SPARQL results or N-Triples: {e}") from None

    def select(self, query: str, **kwargs) -> list[dict[str, object]]:
        """Rows of a SELECT as {variable: pyoxigraph term or None}."""
        rows = self.query(query, **kwargs)
        names = [v.value for v in rows.variables]
        return [{n: row[n] for n in names} for row in rows]

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None
                          ) -> list[ox.Quad]:
        """The quads matching a pattern (None: any), as `pyoxigraph.Store.quads_for_pattern`."""
        def term(value, name: str) -> str:
            return str(value) if value is not None else "?" + name

        triple = f"{term(subject, 's')} {term(predicate, 'p')} {term(object, 'o')}"
        if isinstance(graph_name, ox.DefaultGraph):
            where = f"{{ {triple} }}"
        elif graph_name is not None:
            where = f"GRAPH {graph_name} {{ {triple} }} BIND({graph_name} AS ?g)"
        else:
            where = (f"{{ {triple} }} UNION {{ GRAPH ?g {{ {triple} }} "
                     f"FILTER(?g != {STAMP_GRAPH}) }}")  # the stamp is no data
        out = []
        for r in self.select(f"SELECT * WHERE {{ {where} }}"):
            g = r.get("g")
            out.append(ox.Quad(r.get("s") or subject, r.get("p") or predicate,
                               r.get("o") or object, g if g is not None else ox.DefaultGraph()))
        return out

    def dump(self, output=None, format: ox.RdfFormat = ox.RdfFormat.N_QUADS, *,
             prefixes: dict[str, str] | None = None, from_graph=None):
        """Every quad (or one graph's triples) serialized, as `pyoxigraph.Store.dump`."""
        quads = self.quads_for_pattern(graph_name=from_graph)
        data = [ox.Triple(q.subject, q.predicate, q.object) for q in quads] \
            if from_graph is not None else quads
        return ox.serialize(data, output, format, prefixes=prefixes)

    def named_graphs(self) -> list[ox.NamedNode]:
        return [ox.NamedNode(g) for g in self.graphs()]

    def graphs(self) -> list[str]:
        """The named graphs held by the endpoint (without its version stamp)."""
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(r["g"].value for r in rows if r["g"].value != STAMP_GRAPH.value)

    def graph_ntriples(self, graph: str) -> bytes:
        """One named graph's triples as N-Triples: a Graph Store Protocol GET, or a
        CONSTRUCT where the endpoint has no graph store."""
        if self.graph_store is not False:
            try:
                response = self._request("GET", self.store_url, params={"graph": graph},
                                         headers={"Accept": N_TRIPLES})
                media = response.headers.get("content-type", "").split(";")[0].strip()
                if media in (N_TRIPLES, "text/plain"):
                    return response.content
            except RemoteRefused as e:
                if e.status == 404 and self.graph_store:  # a graph store without this graph
                    return b""
                if e.status not in NO_GRAPH_STORE:
                    raise
        body, _ = self.query_raw(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> "
                                 "{ ?s ?p ?o } }", N_TRIPLES)
        return body

    def __len__(self) -> int:
        """Quads in the project's named graphs (what a build writes): other data the store
        may hold, and the version stamp, are not counted."""
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                           f'FILTER(STRSTARTS(STR(?g), "{GRAPH_PREFIX}")) }}')
        return int(rows[0]["n"].value)

    def stamp(self) -> str | None:
        """The version the last build through kg.backends.sync left, if any."""
        rows = self.select(f"SELECT ?v WHERE {{ GRAPH {STAMP_GRAPH} {{ {STAMP_GRAPH} "
                           f"{VERSION_INFO} ?v }} }}")
        return rows[0]["v"].value if rows else None

    def set_stamp(self, version: str) -> None:
        self.put_graph(STAMP_GRAPH.value, [ox.Triple(STAMP_GRAPH, VERSION_INFO,
                                                     ox.Literal(version))])

    # -- writing -------------------------------------------------------------------------

    def update(self, update: str) -> None:
        self._request("POST", self.update_url, content=update.encode("utf-8"),
                      headers={"Content-Type": "application/sparql-update; charset=utf-8"})

    def put_graph(self, graph: str, triples: Iterable[ox.Triple]) -> int:
        """Replace one named graph by `triples` atomically: a Graph Store Protocol PUT, or
        one SPARQL Update where the endpoint has no graph store. Returns the triple count."""
        triples = list(triples)
        if self.graph_store is not False:
            body = _ntriples(triples)
            if self._graph_store_request("PUT", graph, content=body,
                                         headers={"Content-Type": N_TRIPLES}):
                return len(triples)
        self.update(replace_graph_update(graph, triples))
        return len(triples)

    def add_to_graph(self, graph: str, triples: Iterable[ox.Triple]) -> int:
        """Add triples to a named graph (Graph Store Protocol POST, or INSERT DATA)."""
        triples = list(triples)
        if self.graph_store is not False:
            if self._graph_store_request("POST", graph, content=_ntriples(triples),
                                         headers={"Content-Type": N_TRIPLES}):
                return len(triples)
        body = _ntriples(triples).decode("utf-8")
        self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}")
        return len(triples)

    def delete_graph(self, graph: str) -> None:
        """Remove one named graph; a graph that is not there is no error."""
        if self.graph_store is not False:
            try:
                if self._graph_store_request("DELETE", graph):
                    return
            except RemoteRefused as e:
                if e.status == 404:  # the graph was not there: nothing to delete
                    return
                raise
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def write_version(self, store_dir: Path, quads: Iterable[ox.Quad], verify=None):
        """Write a build's quads, replacing only the graphs that changed since the last
        build from this store directory; same signature as kg.store.write_version."""
        from kg.backends.sync import write_graphs
        return write_graphs(self, Path(store_dir), quads, verify)

    def _graph_store_request(self, method: str, graph: str, **kwargs) -> bool:
        """A Graph Store Protocol request; False (and no more such requests) when the
        endpoint turns out to have no graph store at its URL."""
        try:
            self._request(method, self.store_url, params={"graph": graph}, **kwargs)
        except RemoteRefused as e:
            if self.graph_store is None and e.status in NO_GRAPH_STORE and not (
                    method == "DELETE" and e.status == 404):
                self.graph_store = False
                return False
            raise
        self.graph_store = True
        return True

    def _request(self, method: str, url: str, **kwargs) -> httpx.Response:
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise RemoteTimeout(f"the SPARQL endpoint {url} did not answer within "
                                f"{self.timeout:g} s") from None
        except httpx.HTTPError as e:
            raise RemoteUnreachable(f"cannot reach the SPARQL endpoint {url}: "
                                    f"{e or type(e).__name__}") from None
        if response.status_code >= 400:
            detail = " ".join(response.text[:500].split())
            raise RemoteRefused(f"{method} {url} answered {response.status_code}"
                                + (f": {detail}" if detail else ""),
                                response.status_code, detail)
        return response


def parse_answer(body: bytes, media: str):
    """A serialized query answer (SPARQL results in JSON, XML or TSV, or N-Triples) as the
    object `pyoxigraph.Store.query` returns; SyntaxError or ValueError when it is not one."""
    if media in (N_TRIPLES, "text/plain"):
        return _query_triples(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
    fmt = ox.QueryResultsFormat.from_media_type(media) if media else None
    return ox.parse_query_results(body, format=fmt or ox.QueryResultsFormat.JSON)


def _query_triples(triples: Iterable[ox.Triple]) -> ox.QueryTriples:
    """Triples as the QueryTriples a CONSTRUCT on the embedded store answers (through a
    small in-memory store: pyoxigraph offers no other way to make one)."""
    scratch = ox.Store()
    scratch.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                        for t in triples)
    return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
