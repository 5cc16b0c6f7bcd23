"""The /sparql endpoint on a real uvicorn server: protocol, formats, errors, limits, safety,
real clients (SPARQLWrapper, rdflib's SPARQLStore) and the W3C SPARQL 1.1 Protocol tests."""
from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from conftest import TEST_DATA, write_store
from local_listener import connections, listener  # noqa: F401 (fixture)

KGO = "https://w3id.org/policykg/ontology#"
PREFIX = f"PREFIX kgo: <{KGO}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
PROJECTS = PREFIX + "SELECT ?label WHERE { ?p a kgo:Project ; rdfs:label ?label } ORDER BY ?label"
PROJECT_LABELS = ["仙女山度假区智能集中供热配套管网工程", "白马山战役陈列馆"]
GRAPH_QUERY = PREFIX + "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a kgo:Project ; rdfs:label ?l }"
# Slow on any store: a four-way cross product of all triples.
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def url(sample_server_url) -> str:
    return sample_server_url + "/sparql"


def labels_of(response: httpx.Response) -> list[str]:
    return [b["label"]["value"] for b in response.json()["results"]["bindings"]]


# --- the three ways to send a query -----------------------------------------------------------

def test_get(url):
    r = httpx.get(url, params={"query": PROJECTS})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/sparql-results+json; charset=utf-8"
    assert labels_of(r) == PROJECT_LABELS


def test_post_form(url):
    r = httpx.post(url, data={"query": PROJECTS})
    assert r.status_code == 200 and labels_of(r) == PROJECT_LABELS


def test_post_direct(url):
    r = httpx.post(url, content=PROJECTS.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200 and labels_of(r) == PROJECT_LABELS


def test_default_graph_is_the_union(url):
    q = PREFIX + "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a kgo:Document }"
    r = httpx.get(url, params={"query": q})
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "2"


def test_dataset_parameters(url):
    q = PREFIX + "SELECT ?f WHERE { ?d kgo:sourceFile ?f }"
    graph = "https://w3id.org/policykg/graph/002_772683341a126a07"
    r = httpx.get(url, params={"query": q, "default-graph-uri": graph})
    assert [b["f"]["value"] for b in r.json()["results"]["bindings"]] == ["002_772683341a126a07.txt"]
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = httpx.post(url, data={"query": q, "named-graph-uri": graph})
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [graph]


# --- formats: Accept with q-values and ?format= -------------------------------------------------

SELECT_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values"}
GRAPH_TYPES = {"ttl": "text/turtle", "nt": "application/n-triples",
               "rdfxml": "application/rdf+xml", "jsonld": "application/ld+json"}
RDF_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
               "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD}


def select_rows(body: bytes, media_type: str) -> list[str]:
    if media_type == "text/csv":
        return [row[0] for row in list(csv.reader(io.StringIO(body.decode())))[1:]]
    parsed = ox.parse_query_results(body, ox.QueryResultsFormat.from_media_type(media_type))
    return [s["label"].value for s in parsed]


@pytest.mark.parametrize("name,media_type", SELECT_TYPES.items())
def test_select_formats_by_accept_and_by_format(url, name, media_type):
    by_accept = httpx.get(url, params={"query": PROJECTS}, headers={"Accept": media_type})
    by_name = httpx.get(url, params={"query": PROJECTS, "format": name})
    for r in (by_accept, by_name):
        assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media_type
        assert select_rows(r.content, media_type) == PROJECT_LABELS


@pytest.mark.parametrize("name,media_type", GRAPH_TYPES.items())
def test_construct_formats_by_accept_and_by_format(url, name, media_type):
    by_accept = httpx.post(url, data={"query": GRAPH_QUERY}, headers={"Accept": media_type})
    by_name = httpx.post(url, data={"query": GRAPH_QUERY, "format": name})
    for r in (by_accept, by_name):
        assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media_type
        objects = sorted(t.object.value for t in ox.parse(r.content, RDF_FORMATS[name]))
        assert objects == PROJECT_LABELS


DESCRIBE_QUERY = "DESCRIBE <https://w3id.org/policykg/id/project/p1>"


@pytest.mark.parametrize("name,media_type", GRAPH_TYPES.items())
def test_describe_formats_by_accept_and_by_format(url, name, media_type):
    by_accept = httpx.get(url, params={"query": DESCRIBE_QUERY}, headers={"Accept": media_type})
    by_name = httpx.get(url, params={"query": DESCRIBE_QUERY, "format": name})
    for r in (by_accept, by_name):
        assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media_type
        triples = [q.triple for q in ox.parse(r.content, RDF_FORMATS[name])]
        assert len(triples) == len(set(triples)) == int(r.headers["x-result-rows"])
        assert ox.Triple(ox.NamedNode("https://w3id.org/policykg/id/project/p1"),
                         ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                         ox.Literal(PROJECT_LABELS[0], language="zh")) in triples


@pytest.mark.parametrize("name", ["csv", "tsv"])
def test_ask_as_csv_and_tsv(url, name):
    r = httpx.get(url, params={"query": PREFIX + "ASK { ?p a kgo:Project }", "format": name})
    assert r.status_code == 200 and r.headers["content-type"].startswith(SELECT_TYPES[name])
    assert r.text.strip() == "true"


def test_a_results_format_for_a_graph_query_is_refused_clearly(url):
    r = httpx.get(url, params={"query": GRAPH_QUERY, "format": "csv"})
    assert r.status_code == 400 and "not available for CONSTRUCT/DESCRIBE" in r.text
    r = httpx.get(url, params={"query": GRAPH_QUERY}, headers={"Accept": "text/csv"})
    assert r.status_code == 406 and "text/turtle" in r.text
    # json and xml name a family: a graph query asked for json gets JSON-LD
    r = httpx.get(url, params={"query": GRAPH_QUERY, "format": "json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")


def test_chinese_text_in_a_query_survives_every_way_of_sending_it(url):
    q = PREFIX + 'SELECT ?label WHERE { ?p rdfs:label ?label FILTER(CONTAINS(?label, "陈列馆")) }'
    answers = [httpx.get(url, params={"query": q}),
               httpx.post(url, data={"query": q}),
               httpx.post(url, content=q.encode(), headers={
                   "Content-Type": "application/sparql-query; charset=utf-8"})]
    for r in answers:
        assert r.status_code == 200 and labels_of(r) == [PROJECT_LABELS[1]]


def test_q_values_decide(url):
    accept = "application/sparql-results+xml;q=0.5, text/csv;q=0.9, */*;q=0.1"
    r = httpx.get(url, params={"query": PROJECTS}, headers={"Accept": accept})
    assert r.headers["content-type"].startswith("text/csv")
    accept = "text/turtle;q=0.2, application/n-triples"
    r = httpx.get(url, params={"query": GRAPH_QUERY}, headers={"Accept": accept})
    assert r.headers["content-type"].startswith("application/n-triples")
    # q=0 refuses a type; a wildcard's q gives way to a named type's
    accept = "application/sparql-results+json;q=0, text/*;q=0.3, text/tab-separated-values;q=0.2"
    r = httpx.get(url, params={"query": PROJECTS}, headers={"Accept": accept})
    assert r.headers["content-type"].startswith("text/csv")
    r = httpx.get(url, params={"query": PROJECTS}, headers={"Accept": "*/*;q=0.5, application/sparql-results+xml;q=0.4"})
    assert r.headers["content-type"].startswith("application/sparql-results+json")


def test_one_accept_header_serves_both_kinds(url):
    accept = "application/sparql-results+json, text/turtle;q=0.9"
    assert httpx.get(url, params={"query": PROJECTS}, headers={"Accept": accept}
                     ).headers["content-type"].startswith("application/sparql-results+json")
    assert httpx.get(url, params={"query": GRAPH_QUERY}, headers={"Accept": accept}
                     ).headers["content-type"].startswith("text/turtle")


def test_ask_as_json_and_xml(url):
    q = PREFIX + "ASK { ?p kgo:implements ?s }"
    assert httpx.get(url, params={"query": q}).json() == {"head": {}, "boolean": True}
    r = httpx.get(url, params={"query": q, "format": "xml"})
    assert bool(ox.parse_query_results(r.content, ox.QueryResultsFormat.XML)) is True


def test_unsatisfiable_accept_is_406(url):
    r = httpx.get(url, params={"query": PROJECTS}, headers={"Accept": "image/png"})
    assert r.status_code == 406 and "image/png" in r.text
    r = httpx.get(url, params={"query": PROJECTS}, headers={"Accept": "text/turtle"})
    assert r.status_code == 406 and "SELECT/ASK" in r.text


def test_unknown_or_mismatched_format_is_400(url):
    r = httpx.get(url, params={"query": PROJECTS, "format": "yaml"})
    assert r.status_code == 400 and "unknown format 'yaml'" in r.text
    r = httpx.get(url, params={"query": PROJECTS, "format": "ttl"})
    assert r.status_code == 400 and "not available for SELECT/ASK" in r.text


# --- errors ---------------------------------------------------------------------------------

def test_malformed_query_gives_the_parser_message_and_position(url):
    r = httpx.get(url, params={"query": "SELECT ?s\nWHERE { ?s ?p }"}, headers={"Accept": "application/json"})
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "malformed query" and re.search(r"error at 2:\d+", body["detail"])


@pytest.mark.parametrize("send", [
    lambda url, q: httpx.get(url, params={"query": q}, headers={"Accept": "application/json"}),
    lambda url, q: httpx.post(url, data={"query": q}, headers={"Accept": "application/json"}),
    lambda url, q: httpx.post(url, content=q.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": "application/json"}),
], ids=["get", "form", "direct"])
@pytest.mark.parametrize("query,what", [
    ("", "the query is empty"), ("   ", "the query is empty"),
    (PREFIX, "only a prologue"), ("# nothing but a comment", "the query is empty"),
])
def test_an_empty_query_is_malformed_not_an_update(url, send, query, what):
    r = send(url, query)
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "malformed query", body
    assert re.match(r"syntax error at \d+:\d+", body["detail"]) and what in body["detail"]


def test_a_malformed_query_names_an_undeclared_prefix_and_where_it_is(url):
    r = httpx.get(url, params={"query": "SELECT ?l WHERE {\n  ?p rdfs:label ?l }"},
                  headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert r.json()["detail"].startswith("syntax error at 2:6 (near «rdfs:label ?l }»): "
                                         "Prefix not found: rdfs:")


def test_errors_are_text_unless_json_is_accepted(url):
    r = httpx.get(url, params={"query": "SELECT"}, headers={"Accept": "text/plain"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/plain")
    assert r.text.startswith("malformed query: ")


@pytest.mark.parametrize("send", [
    lambda url, u: httpx.post(url, data={"query": u}),
    lambda url, u: httpx.get(url, params={"query": u}),
    lambda url, u: httpx.get(url, params={"update": u}),
    lambda url, u: httpx.post(url, data={"update": u}),
    lambda url, u: httpx.post(url, content=u, headers={"Content-Type": "application/sparql-update"}),
], ids=["form-query", "get-query", "get-update", "form-update", "direct-update"])
def test_updates_are_refused_clearly(url, send):
    r = send(url, "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }")
    assert r.status_code == 400
    assert "SPARQL Update is not accepted at the query endpoint" in r.text
    after = httpx.get(url, params={"query": "ASK { <http://example.org/a> ?p ?o }"})
    assert after.json()["boolean"] is False


def test_missing_query(url):
    r = httpx.get(url, headers={"Accept": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "missing query"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])  # HEAD is a GET
def test_other_methods_are_405(url, method):
    r = httpx.request(method, url, params={"query": "ASK {}"})
    assert r.status_code == 405
    assert r.json() == {"error": "method not allowed", "detail": f"{method} is not allowed on /sparql"}
    assert "GET" in r.headers["allow"]


def test_head_is_get_without_a_body(sample_server_url, url):
    base = sample_server_url
    for target, headers in ((url + "?" + str(httpx.QueryParams({"query": PROJECTS})), {}),
                            (base + "/id/project/p1", {"Accept": "text/turtle"}),
                            (base + "/id/project/p1", {"Accept": "text/html"}),
                            (base + "/api/search?q=" + "陈列馆", {})):
        get, head = httpx.get(target, headers=headers), httpx.head(target, headers=headers)
        assert get.status_code == head.status_code == 200 and head.content == b"", target
        assert head.headers["content-type"] == get.headers["content-type"]
        assert int(head.headers["content-length"]) == len(get.content) > 0
    assert httpx.head(base + "/id/project/nope").status_code == 404


def test_two_queries_are_refused(url):
    r = httpx.get(url + "?query=ASK%20%7B%7D&query=ASK%20%7B%7D")
    assert r.status_code == 400 and "exactly one query" in r.text


def test_wrong_content_type_is_415(url):
    r = httpx.post(url, content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415 and "application/sparql-query" in r.text


def test_body_that_is_not_utf8(url):
    r = httpx.post(url, content="ASK { ?s ?p '\u00e9' }".encode("latin-1"),
                   headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "not valid UTF-8" in r.text


def test_invalid_graph_iri(url):
    r = httpx.get(url, params={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert r.status_code == 400 and "not an absolute IRI" in r.text


def test_non_sparql_routes_answer_json_errors(sample_server_url):
    r = httpx.get(sample_server_url + "/no/such/route")
    assert r.status_code == 404 and set(r.json()) == {"error", "detail"}


# --- caching ----------------------------------------------------------------------------------

def test_etag_and_304(sample_server_url, url):
    query = PROJECTS + " # etag test"
    first = httpx.get(url, params={"query": query})
    etag = first.headers["etag"]
    hits = httpx.get(sample_server_url + "/health").json()["cache"]["hits"]
    again = httpx.get(url, params={"query": query}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert httpx.get(sample_server_url + "/health").json()["cache"]["hits"] == hits + 1
    other = httpx.get(url, params={"query": query, "format": "csv"}, headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag


def test_a_repeated_get_is_answered_before_routing_with_the_same_bytes_and_304(sample_server_url, url):
    """The second identical GET (same URL and Accept) comes from the raw URL cache: same body,
    same headers, and If-None-Match still gives 304 there; another Accept is another answer."""
    query = PROJECTS + " # raw url cache"
    first = httpx.get(url, params={"query": query})
    second = httpx.get(url, params={"query": query})
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
    for name in ("content-type", "x-result-rows", "vary", "cache-control"):
        assert second.headers[name] == first.headers[name]
    assert second.headers["x-result-rows"] == "2"
    weak = "W/" + first.headers["etag"]
    again = httpx.get(url, params={"query": query}, headers={"If-None-Match": f'"x", {weak}'})
    assert again.status_code == 304 and again.content == b""
    xml = httpx.get(url, params={"query": query}, headers={"Accept": "application/sparql-results+xml"})
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    assert xml.headers["etag"] != first.headers["etag"]


def test_post_answers_carry_an_etag_and_304(url):
    query = PROJECTS + " # post etag"
    first = httpx.post(url, data={"query": query})
    assert first.status_code == 200 and labels_of(first) == PROJECT_LABELS
    again = httpx.post(url, content=query.encode(), headers={
        "Content-Type": "application/sparql-query; charset=UTF-8",
        "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]


def test_entity_lookups_are_answered_in_the_server_process(sample_server_url, url):
    """A single triple pattern with a constant streams: the server answers it itself, with
    the same bytes a worker gives (the same query made a join is not a lookup)."""
    entity = "<https://w3id.org/policykg/id/project/p1>"
    lookup = f"SELECT ?p ?o WHERE {{ {entity} ?p ?o }} # in-process"
    joined = f"SELECT ?p ?o WHERE {{ {entity} ?p ?o . {entity} ?q ?r }} # worker"
    before = httpx.get(sample_server_url + "/health").json()["local_queries"]["answered"]
    local = httpx.get(url, params={"query": lookup})
    assert local.status_code == 200
    assert httpx.get(sample_server_url + "/health").json()["local_queries"]["answered"] == before + 1
    rows = local.json()["results"]["bindings"]
    assert {(r["p"]["value"], r["o"]["value"]) for r in rows} >= {
        ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", KGO + "Project"),
        ("http://www.w3.org/2000/01/rdf-schema#label", PROJECT_LABELS[0])}
    for fmt in ("xml", "csv", "tsv"):
        a = httpx.get(url, params={"query": lookup + fmt, "format": fmt})
        assert a.status_code == 200 and a.headers["x-result-rows"] == local.headers["x-result-rows"]
    via_worker = {(r["p"]["value"], r["o"]["value"])
                  for r in httpx.get(url, params={"query": joined}).json()["results"]["bindings"]}
    assert via_worker == {(r["p"]["value"], r["o"]["value"]) for r in rows}


def test_a_lookup_past_the_row_cap_goes_to_a_worker_whole(server_factory, sample_store_dir):
    with server_factory(sample_store_dir, local_query_rows=2) as server:
        r = httpx.get(server.url + "/sparql", params={
            "query": "SELECT ?p ?o WHERE { <https://w3id.org/policykg/id/project/p1> ?p ?o }"})
        assert r.status_code == 200 and int(r.headers["x-result-rows"]) > 2
        assert len(r.json()["results"]["bindings"]) == int(r.headers["x-result-rows"])
        stats = httpx.get(server.url + "/health").json()["local_queries"]
        assert stats == {"answered": 0, "passed_on": 1, "max_rows": 2}


def test_a_malformed_lookup_is_400_from_the_server_process(url):
    r = httpx.get(url, params={"query": "SELECT ?p ?o WHERE { <no-scheme ?p ?o }"},
                  headers={"Accept": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "malformed query"


def test_two_http_processes_share_the_port_and_give_the_same_answers(server_factory,
                                                                     sample_store_dir):
    with server_factory(sample_store_dir, http_processes=2, workers=1) as server:
        pids, etags = set(), set()
        for i in range(40):  # a new connection each time: the kernel spreads them
            health = httpx.get(server.url + "/health").json()
            pids.add(health["process"])
            r = httpx.get(server.url + "/sparql", params={"query": PROJECTS})
            assert r.status_code == 200 and labels_of(r) == PROJECT_LABELS
            etags.add(r.headers["etag"])
            if len(pids) == 2 and i >= 4:
                break
        assert len(pids) == 2 and len(etags) == 1  # ETags are content hashes: one per answer
    assert server.process.returncode is not None  # SIGTERM stopped the supervisor


# --- pages ------------------------------------------------------------------------------------

def test_browser_gets_the_query_page(url):
    browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = httpx.get(url, headers={"Accept": browser_accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    config = json.loads(re.search(r'id="kg-config">(.*?)</script>', r.text, re.S).group(1))
    assert config["prefixes"]["kgo"] == KGO and config["endpoint"] == "/sparql"
    assert not re.search(r'(src|href)="(https?:)?//', r.text)  # nothing from a CDN
    for asset in ("/static/query.js", "/static/query.css"):
        assert httpx.get(url.replace("/sparql", asset)).status_code == 200


def test_docs_page_is_offline(sample_server_url):
    r = httpx.get(sample_server_url + "/docs")
    assert r.status_code == 200 and not re.search(r'(src|href)="(https?:)?//', r.text)
    spec = httpx.get(sample_server_url + "/openapi.json").json()
    assert {"get", "post"} <= set(spec["paths"]["/sparql"])
    assert "query" in [p["name"] for p in spec["paths"]["/sparql"]["get"]["parameters"]]


# --- real clients ---------------------------------------------------------------------------

def test_sparqlwrapper(url):
    from SPARQLWrapper import JSON, POST, TURTLE, XML, SPARQLWrapper
    client = SPARQLWrapper(url)
    client.setQuery(PROJECTS)
    client.setReturnFormat(JSON)
    assert [b["label"]["value"] for b in client.queryAndConvert()["results"]["bindings"]] == PROJECT_LABELS
    client.setMethod(POST)
    client.setReturnFormat(XML)
    doc = client.queryAndConvert()
    assert [n.firstChild.data for n in doc.getElementsByTagName("literal")] == PROJECT_LABELS
    client.setQuery(GRAPH_QUERY)
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.queryAndConvert(), format="turtle")
    assert sorted(str(o) for o in graph.objects()) == PROJECT_LABELS


def test_rdflib_sparqlstore(url):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore
    graph = rdflib.Graph(store=SPARQLStore(query_endpoint=url))
    rows = graph.query(PROJECTS)
    assert [str(r.label) for r in rows] == PROJECT_LABELS
    projects = set(graph.subjects(rdflib.RDF.type, rdflib.URIRef(KGO + "Project")))
    assert len(projects) == 2
    assert graph.query(PREFIX + "ASK { ?p kgo:locatedIn ?place }").askAnswer is True


# --- limits, timeout, memory and SERVICE on servers with their own settings ---------------------



@pytest.fixture(scope="module")
def limited(server_factory, sample_store_dir, listener, tmp_path_factory):
    queries = tmp_path_factory.mktemp("queries")
    (queries / "projects_by_strategy.rq").write_text(
        "# title: Projects by strategy\n# Each project with the strategy it implements.\n" + PROJECTS,
        encoding="utf-8")
    allowed = f"http://127.0.0.1:{listener.getsockname()[1]}/allowed"
    with server_factory(sample_store_dir, query_timeout=1.5, max_query_length=2000,
                        max_body_bytes=5000, max_result_rows=50, queries_dir=str(queries),
                        allowed_services=[allowed]) as server:
        server.allowed = allowed
        yield server


def test_query_too_long_in_a_url_is_414(limited):
    r = httpx.get(limited.url + "/sparql", params={"query": "ASK {} #" + "x" * 3000})
    assert r.status_code == 414 and "at most 2000" in r.text


def test_query_too_long_in_a_body_is_413(limited):
    r = httpx.post(limited.url + "/sparql", data={"query": "ASK {} #" + "x" * 3000})
    assert r.status_code == 413 and "at most 2000" in r.text


def test_huge_body_is_413(limited):
    r = httpx.post(limited.url + "/sparql", content=b"ASK {} #" + b"x" * 100_000,
                   headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413 and "larger than 5000 bytes" in r.text


def test_result_too_large_is_422(limited):
    r = httpx.get(limited.url + "/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
    assert r.status_code == 422 and "more than 50 solutions" in r.text


def test_page_lists_the_named_queries(limited):
    r = httpx.get(limited.url + "/sparql", headers={"Accept": "text/html"})
    config = json.loads(re.search(r'id="kg-config">(.*?)</script>', r.text, re.S).group(1))
    assert [(e["title"], e["description"]) for e in config["examples"]] == [
        ("Projects by strategy", "Each project with the strategy it implements.")]
    assert config["examples"][0]["query"].endswith(PROJECTS)


def test_timeout_is_503_and_other_queries_are_served(limited):
    url = limited.url + "/sparql"
    outcome = {}

    def slow():
        t = time.monotonic()
        outcome["response"] = httpx.get(url, params={"query": SLOW_QUERY}, timeout=30)
        outcome["seconds"] = time.monotonic() - t

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)
    during = httpx.get(url, params={"query": PROJECTS + " # during"})
    assert during.status_code == 200
    assert thread.is_alive(), "the other query was answered only after the slow one ended"
    thread.join()
    r = outcome["response"]
    assert r.status_code == 503 and "time limit of 1.5 s" in r.text
    assert 1.5 <= outcome["seconds"] < 5 and r.headers["retry-after"]
    after = httpx.get(url, params={"query": PROJECTS + " # after"})
    assert after.status_code == 200 and labels_of(after) == PROJECT_LABELS
    assert httpx.get(limited.url + "/health").json()["workers_replaced"] >= 1


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?x ?y ?z { SELECT ?s { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } } }",
    r"SELECT * WHERE { \u0053ERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { BIND(<http://127.0.0.1:{port}/sparql> AS ?e) SERVICE ?e { ?s ?p ?o } }",
])
def test_service_makes_no_connection(limited, listener, query):
    port = listener.getsockname()[1]
    r = httpx.get(limited.url + "/sparql", params={"query": query.replace("{port}", str(port))})
    assert r.status_code == 400 and "no outgoing requests" in r.text
    assert connections(listener) == 0


def test_from_and_dataset_iris_are_never_fetched(limited, listener):
    remote = f"http://127.0.0.1:{listener.getsockname()[1]}/data.ttl"
    r = httpx.get(limited.url + "/sparql", params={"query": f"SELECT * FROM <{remote}> {{ ?s ?p ?o }}"})
    assert r.status_code == 200 and r.json()["results"]["bindings"] == []
    r = httpx.get(limited.url + "/sparql", params={"query": "SELECT * { ?s ?p ?o }",
                                                   "default-graph-uri": remote})
    assert r.status_code == 200 and r.json()["results"]["bindings"] == []
    r = httpx.post(limited.url + "/sparql", data={"update": f"LOAD <{remote}>"})
    assert r.status_code == 400
    assert connections(listener) == 0


def test_the_listener_would_see_a_connection(limited, listener):
    """The control: an allow-listed SERVICE does connect, so the test above can fail."""
    r = httpx.get(limited.url + "/sparql",
                  params={"query": f"SELECT * WHERE {{ SERVICE <{limited.allowed}> {{ ?s ?p ?o }} }}"})
    assert r.status_code == 503  # the listener never answers: the time limit stops the query
    assert connections(listener) >= 1


def test_a_query_that_exhausts_memory_fails_alone(server_factory, sample_store_dir):
    with server_factory(sample_store_dir, memory_limit_mb=400, query_timeout=20) as server:
        url = server.url + "/sparql"
        heavy = "SELECT ?a ?d ?g ?j WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?c ?f ?i ?l"
        r = httpx.get(url, params={"query": heavy}, timeout=30)
        assert r.status_code == 503 and "more memory than one query may use (400 MiB)" in r.text
        after = httpx.get(url, params={"query": PROJECTS})
        assert after.status_code == 200 and labels_of(after) == PROJECT_LABELS


def test_a_query_past_its_share_of_the_memory_budget_says_which_option_raises_it(
        server_factory, sample_store_dir):
    from kg.server.settings import Settings
    budget = dict(memory_budget_mb=600, workers=1)
    share = Settings(**budget).query_memory_mb()
    with server_factory(sample_store_dir, query_timeout=20, **budget) as server:
        heavy = "SELECT ?a ?d ?g ?j WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?c ?f ?i ?l"
        r = httpx.get(server.url + "/sparql", params={"query": heavy}, timeout=30)
        assert r.status_code == 503, r.text
        assert f"more memory than one query may use ({share} MiB)" in r.text
        assert "--memory-budget" in r.text
        after = httpx.get(server.url + "/sparql", params={"query": PROJECTS})
        assert after.status_code == 200 and labels_of(after) == PROJECT_LABELS


# --- the W3C SPARQL 1.1 Protocol tests (query and bad-request tests) ---------------------------

W3C = TEST_DATA / "w3c_protocol"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")


def w3c_tests() -> list[tuple[str, list[dict]]]:
    """(name, requests) of each query_* and bad_* test of the manifest."""
    g = rdflib.Graph().parse(W3C / "manifest.ttl", format="turtle")
    manifest = next(g.subjects(rdflib.RDF.type, MF.Manifest))
    tests = []
    for test in rdflib.collection.Collection(g, g.value(manifest, MF.entries)):
        name = str(test).rsplit("#", 1)[1]
        if not name.startswith(("query_", "bad_")):
            continue  # the update_* tests need an update endpoint, which is off
        action = g.value(test, MF.action)
        requests = []
        for req in rdflib.collection.Collection(g, g.value(action, HT.requests)):
            body = g.value(req, HT.body)
            headers = {}
            if g.value(req, HT.headers) is not None:
                for h in rdflib.collection.Collection(g, g.value(req, HT.headers)):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            resp = g.value(req, HT.resp)
            requests.append({
                "method": str(g.value(req, HT.methodName)),
                "path": str(g.value(req, HT.absolutePath)),
                "headers": headers,
                "body": None if body is None else str(g.value(body, CNT.chars)).encode(
                    str(g.value(body, CNT.characterEncoding) or "UTF-8").lower()),
                "status": {str(s).rsplit("StatusCode", 1)[1] for s in g.objects(resp, MF.expectedStatus)},
                "boolean": g.value(resp, MF.expectedBoolean),
                "format": g.value(resp, MF.expectedFormat),
            })
        tests.append((name, requests))
    return tests


@pytest.fixture(scope="module")
def w3c_server(server_factory, tmp_path_factory):
    quads = []
    for n in (1, 2, 3):
        graph = ox.NamedNode(f"http://kasei.us/2009/09/sparql/data/data{n}.rdf")
        quads += [ox.Quad(t.subject, t.predicate, t.object, graph)
                  for t in ox.parse(path=str(W3C / f"data{n}.nt"))]
    store = write_store(tmp_path_factory.mktemp("w3c") / "store", quads)
    with server_factory(store) as server:
        yield server


W3C_TESTS = w3c_tests()


def test_the_manifest_yields_the_query_tests():
    names = [name for name, _ in W3C_TESTS]
    assert len(names) == 27 and "query_post_form" in names and "bad_query_syntax" in names


@pytest.mark.parametrize("name,requests", W3C_TESTS, ids=[n for n, _ in W3C_TESTS])
def test_w3c_protocol(w3c_server, name, requests):
    for req in requests:
        r = httpx.request(req["method"], w3c_server.url + req["path"], headers=req["headers"],
                          content=req["body"])
        assert f"{r.status_code // 100}xx" in req["status"], (name, r.status_code, r.text)
        media_type = r.headers.get("content-type", "").split(";")[0]
        if req["format"] is not None and str(req["format"]) in ("boolean", "tabular"):
            assert media_type in SELECT_TYPES.values()
        elif req["format"] is not None and str(req["format"]) == "RDF":
            assert media_type in GRAPH_TYPES.values()
            assert list(ox.parse(r.content, ox.RdfFormat.from_media_type(media_type))) is not None
        if req["boolean"] is not None:
            result = ox.parse_query_results(r.content, ox.QueryResultsFormat.from_media_type(media_type))
            assert bool(result) is req["boolean"].toPython()


# --- the seed reports, built by the real pipeline -----------------------------------------------

def test_the_seed_build_is_served(server_url):
    q = PREFIX + "SELECT ?f WHERE { ?d a kgo:Document ; kgo:sourceFile ?f } ORDER BY ?f"
    r = httpx.get(server_url + "/sparql", params={"query": q, "format": "csv"})
    assert r.status_code == 200
    assert r.text.split() == ["f", "000_418089195a410d60.txt", "002_772683341a126a07.txt"]
    q = PREFIX + "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    n = int(httpx.get(server_url + "/sparql", params={"query": q}).json()["results"]["bindings"][0]["n"]["value"])
    assert n >= 3  # one graph per document and the ontology graph
