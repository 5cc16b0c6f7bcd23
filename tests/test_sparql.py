"""kg.sparql without HTTP: safety checks, dataset, formats and limits on a real store."""
from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

from kg import sparql
from kg.sparql import QueryJob, execute

KGO = "https://w3id.org/policykg/ontology#"
PREFIX = f"PREFIX kgo: <{KGO}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DOC0 = "https://w3id.org/policykg/graph/000_418089195a410d60"
DOC2 = "https://w3id.org/policykg/graph/002_772683341a126a07"


@pytest.fixture(scope="module")
def store(sample_store_dir):
    from kg.store import open_store
    return open_store(sample_store_dir)


def select(store, query, **job) -> list[dict]:
    body = execute(store, QueryJob(PREFIX + query, **job)).body
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(body)["results"]["bindings"]]


def test_default_graph_is_the_union_of_all_graphs(store):
    rows = select(store, "SELECT ?f WHERE { ?d a kgo:Document ; kgo:sourceFile ?f } ORDER BY ?f")
    assert [r["f"] for r in rows] == ["000_418089195a410d60.txt", "002_772683341a126a07.txt"]


def test_an_entity_mentioned_in_two_documents_is_one_node(store):
    rows = select(store, "SELECT ?d WHERE { ?p a kgo:Project ; rdfs:label '仙女山度假区智能集中供热配套管网工程'@zh ;"
                         " kgo:mentionedIn ?d }")
    assert len(rows) == 2


def test_from_names_the_default_graph(store):
    rows = select(store, f"SELECT ?d FROM <{DOC2}> WHERE {{ ?d a kgo:Document }}")
    assert [r["d"] for r in rows] == ["https://w3id.org/policykg/id/document/002_772683341a126a07"]


def test_protocol_dataset_overrides_from(store):
    rows = select(store, f"SELECT ?d FROM <{DOC2}> WHERE {{ ?d a kgo:Document }}",
                  default_graphs=(DOC0,))
    assert [r["d"] for r in rows] == ["https://w3id.org/policykg/id/document/000_418089195a410d60"]


def test_named_graphs_only_leave_the_default_graph_empty(store):
    assert select(store, "SELECT * WHERE { ?s ?p ?o }", named_graphs=(DOC0,)) == []
    rows = select(store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=(DOC0,))
    assert [r["g"] for r in rows] == [DOC0]


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_select_results_round_trip(store, fmt):
    q = PREFIX + "SELECT ?label ?v WHERE { ?o a kgo:Observation ; kgo:value ?v ; kgo:indicator/rdfs:label ?label } ORDER BY ?v"
    result = execute(store, QueryJob(q, solutions_format=fmt))
    assert result.rows == 2 and result.form == "select"
    parsed = ox.parse_query_results(result.body, ox.QueryResultsFormat.from_media_type(
        result.media_type.split(";")[0]))
    rows = [(s["label"], s["v"]) for s in parsed]
    assert rows[0][0] == ox.Literal("地区生产总值", language="zh")
    assert [float(v.value) for _, v in rows] == [5.5, 273.46]


def test_csv_results_are_plain_values(store):
    q = PREFIX + "SELECT ?label ?v WHERE { ?o a kgo:Observation ; kgo:value ?v ; kgo:indicator/rdfs:label ?label } ORDER BY ?v"
    result = execute(store, QueryJob(q, solutions_format="csv"))
    assert result.media_type == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(result.body.decode("utf-8"))))
    assert rows == [["label", "v"], ["地区生产总值", "5.5"], ["地区生产总值", "273.46"]]


@pytest.mark.parametrize("fmt,expected", [("json", b'{"head":{},"boolean":true}'),
                                          ("csv", b"true\n"), ("tsv", b"true\n")])
def test_ask(store, fmt, expected):
    result = execute(store, QueryJob(PREFIX + "ASK { ?p kgo:implements ?s }", solutions_format=fmt))
    assert result.form == "ask" and result.body == expected


def test_ask_xml_is_a_boolean_result(store):
    body = execute(store, QueryJob("ASK { ?s ?p 'no such thing' }", solutions_format="xml")).body
    assert bool(ox.parse_query_results(body, ox.QueryResultsFormat.XML)) is False


@pytest.mark.parametrize("fmt,rdf_format", [("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES),
                                            ("rdfxml", ox.RdfFormat.RDF_XML), ("jsonld", ox.RdfFormat.JSON_LD)])
def test_construct_in_every_rdf_format(store, fmt, rdf_format):
    q = PREFIX + "CONSTRUCT { ?p rdfs:label ?l ; kgo:implements ?s } WHERE { ?p a kgo:Project ; rdfs:label ?l OPTIONAL { ?p kgo:implements ?s } }"
    result = execute(store, QueryJob(q, graph_format=fmt))
    triples = list(ox.parse(result.body, rdf_format))
    assert result.form == "graph" and result.rows == 3 and len(triples) == 3
    assert ox.Literal("白马山战役陈列馆", language="zh") in {t.object for t in triples}


def test_turtle_uses_the_ontology_prefixes(store):
    body = execute(store, QueryJob(PREFIX + "DESCRIBE ?s WHERE { ?s a kgo:Strategy }", graph_format="ttl")).body
    assert b"@prefix kgo: <https://w3id.org/policykg/ontology#>" in body and b"kgo:Strategy" in body


def test_format_names_media_types_and_aliases():
    assert sparql.format_named("turtle").name == "ttl"
    assert sparql.format_named("application/sparql-results+json").name == "json"
    assert sparql.format_named("json", sparql.GRAPH).name == "jsonld"
    assert sparql.format_named("xml", sparql.GRAPH).name == "rdfxml"
    with pytest.raises(sparql.UnknownFormat, match="unknown format 'yaml'"):
        sparql.format_named("yaml")


def test_a_graph_format_for_a_select_is_refused(store):
    with pytest.raises(sparql.UnknownFormat, match="not available for SELECT/ASK"):
        execute(store, QueryJob("SELECT * {}", solutions_format="ttl"))


def test_no_acceptable_format(store):
    with pytest.raises(sparql.NotAcceptable, match="CONSTRUCT/DESCRIBE"):
        execute(store, QueryJob("CONSTRUCT WHERE { ?s ?p ?o }", graph_format=None))


def test_syntax_error_gives_the_position(store):
    with pytest.raises(sparql.QuerySyntaxError, match=r"error at 2:\d+"):
        execute(store, QueryJob("SELECT ?s\nWHERE { ?s ?p ?o . FILTER( }"))


@pytest.mark.parametrize("text,what", [
    ("", "the query is empty"),
    ("  \n ", "the query is empty"),
    ("# only a comment, with a # inside", "the query is empty"),
    (PREFIX, "only a prologue"),
    (f"BASE <http://example.org/>\nPREFIX kgo: <{KGO}> # the ontology#\n", "only a prologue"),
])
def test_an_empty_query_is_malformed_not_an_update(store, text, what):
    """An empty text parses as an Update with no operation: it is still no update."""
    with pytest.raises(sparql.QuerySyntaxError, match=r"syntax error at \d+:\d+") as e:
        execute(store, QueryJob(text))
    assert what in str(e.value) and "SELECT, CONSTRUCT, ASK or DESCRIBE" in str(e.value)


@pytest.mark.parametrize("query,position,says", [
    # the parser's own words, not buried in its list of character classes
    ("SELECT * WHERE { ?s nope:p ?o }", "1:21", "Prefix not found: nope:"),
    ("PREFIX a: <http://a.example/#x>\nSELECT * { ?s a:p 'b:c' . b:x ?p ?o }", "2:27",
     "Prefix not found: b:"),
    ("SELECT * { ?s ?p ?o . FILTER(?o = :x) }", "1:35", "Prefix not found: :"),
    ("SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?s", "1:", "variable that is unbound"),
    # where reading stops, with the text there (not the end of the query)
    ('SELECT * WHERE {\n  ?s ?p "水库" ?x }', "2:14", "near «?x }»"),
    ("ASK { ?s ?p ?o } }", "1:18", "unexpected '}'"),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT -1", "1:35", "near «-1»"),
])
def test_syntax_errors_say_where_and_what(store, query, position, says):
    with pytest.raises(sparql.QuerySyntaxError) as e:
        execute(store, QueryJob(query))
    message = str(e.value)
    assert message.startswith(f"syntax error at {position}") and says in message, message
    assert "'\\u{" not in message and "[_]" not in message  # no character classes


def test_describe_gives_each_triple_once():
    """An entity named in two reports has its label in both graphs; DESCRIBE over their
    union lists it once, in every graph format."""
    s = ox.Store()
    entity, label = ox.NamedNode("http://example.org/e"), ox.NamedNode(f"{RDFS}label")
    for g in ("http://example.org/g1", "http://example.org/g2"):
        s.add(ox.Quad(entity, label, ox.Literal("水库", language="zh"), ox.NamedNode(g)))
        s.add(ox.Quad(entity, ox.NamedNode(f"{KGO}mentionedIn"), ox.NamedNode(g + "/doc"),
                      ox.NamedNode(g)))
    for fmt, rdf_format in (("nt", ox.RdfFormat.N_TRIPLES), ("ttl", ox.RdfFormat.TURTLE),
                            ("jsonld", ox.RdfFormat.JSON_LD), ("rdfxml", ox.RdfFormat.RDF_XML)):
        result = execute(s, QueryJob(f"DESCRIBE {entity}", graph_format=fmt))
        triples = list(ox.parse(result.body, rdf_format))
        assert len(triples) == len(set(triples)) == result.rows == 3, fmt
        assert sum(t.predicate == label for t in triples) == 1


@pytest.mark.parametrize("update", ["INSERT DATA { <http://a> <http://b> <http://c> }",
                                    "CLEAR ALL", "LOAD <http://127.0.0.1:9/data.ttl>",
                                    "DELETE WHERE { ?s ?p ?o }"])
def test_updates_are_refused(store, update):
    with pytest.raises(sparql.UpdateNotAllowed, match="SPARQL Update is not accepted"):
        execute(store, QueryJob(update))


@pytest.mark.parametrize("query,endpoints", [
    ("SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", ["http://127.0.0.1:9/sparql"]),
    ("SELECT * { ?x ?y ?z . SERVICE SILENT <http://h/s> { ?s ?p ?o } }", ["http://h/s"]),
    ("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", [None]),
    ("SELECT * { { SELECT ?s { SERVICE <http://h/a> { ?s ?p ?o } } } }", ["http://h/a"]),
    (r"SELECT * { \u0053ERVICE <http://h/e> { ?s ?p ?o } }", ["http://h/e"]),
    ("select * { service <http://h/l> { ?s ?p ?o } }", ["http://h/l"]),
    ("SELECT * { ?s ?p 'SERVICE <http://h/x> { }' }", []),
    ("PREFIX service: <http://h/> SELECT * { ?s service:p ?o }", []),
    ("SELECT * { ?s ?p ?o }", []),
])
def test_service_calls_are_found_on_the_parse_tree(query, endpoints):
    assert sparql.service_endpoints(query) == endpoints


def test_service_is_refused_unless_allowed(store):
    query = "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    with pytest.raises(sparql.ServiceNotAllowed, match="makes no outgoing requests"):
        execute(store, QueryJob(query))
    with pytest.raises(sparql.ServiceNotAllowed, match="not on the allow-list"):
        execute(store, QueryJob(query, allowed_services=("http://other/sparql",)))
    with pytest.raises(sparql.ServiceNotAllowed, match="variable endpoint"):
        execute(store, QueryJob("SELECT * { SERVICE ?e { ?s ?p ?o } }", allowed_services=("http://x/",)))


def test_dataset_clause_detection():
    assert sparql.has_dataset_clause("SELECT * FROM <http://g> { ?s ?p ?o }")
    assert sparql.has_dataset_clause("SELECT * FROM NAMED <http://g> { GRAPH ?g { ?s ?p ?o } }")
    assert not sparql.has_dataset_clause("SELECT * { ?s ?p 'from here' }")


@pytest.mark.parametrize("query", ["SELECT * WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"])
def test_row_limit(store, query):
    with pytest.raises(sparql.ResultTooLarge, match="more than 10"):
        execute(store, QueryJob(query, max_rows=10))


@pytest.mark.parametrize("query,fmt", [("SELECT * WHERE { ?s ?p ?o }", "json"),
                                       ("SELECT * WHERE { ?s ?p ?o }", "csv"),
                                       ("CONSTRUCT WHERE { ?s ?p ?o }", "nt")])
def test_byte_limit(store, query, fmt):
    job = QueryJob(query, solutions_format=fmt, graph_format=fmt, max_bytes=2000)
    with pytest.raises(sparql.ResultTooLarge, match="larger than 2000 bytes"):
        execute(store, job)


def test_run_query_text_on_a_store_directory(sample_store_dir):
    body, media_type = sparql.run_query_text(
        sample_store_dir, PREFIX + "SELECT (COUNT(?p) AS ?n) { ?p a kgo:Project }", "csv")
    assert media_type.startswith("text/csv") and body.decode().splitlines() == ["n", "2"]
    body, media_type = sparql.run_query_text(sample_store_dir, "CONSTRUCT WHERE { ?s a <%sPlace> }" % KGO)
    assert media_type.startswith("text/turtle") and body.count(b"kgo:Place") == 2


def test_keyword_precheck_skips_the_parser_only_when_the_word_cannot_be_a_keyword():
    # "from"/"service" in comments, strings, IRIs and names: no parse needed (the fast path)
    assert not sparql.mentions_keyword("# rows from the report\nSELECT * { ?s ?p 'from' }", "FROM")
    assert not sparql.mentions_keyword("SELECT ?from { ?from <http://x/#service> ?o }", "FROM")
    assert not sparql.mentions_keyword("SELECT * { ?s ex:service ?o }", "SERVICE")
    # a real keyword, also escaped or glued to punctuation, still goes to the parser
    assert sparql.mentions_keyword("SELECT * FROM <http://g> { ?s ?p ?o }", "FROM")
    assert sparql.mentions_keyword("SELECT * { ?s ?p ?o .\\u0053ERVICE <http://x> {} }", "SERVICE")
    assert sparql.mentions_keyword("SELECT * { ?s ?p '#' SERVICE<http://x>{} }", "SERVICE")


# Streaming lookups: Oxigraph's own writer, the rows counted in its bytes (execute_lookup).
LOOKUPS = [
    "SELECT ?p ?o WHERE { <https://w3id.org/policykg/id/document/000_418089195a410d60> ?p ?o }",
    "SELECT * WHERE { ?s a kgo:Project }",
    "SELECT ?s ?unbound { ?s rdfs:label ?l }  # ?unbound is never bound",
    "SELECT ?s?l { ?s rdfs:label ?l }",
    'SELECT ?s WHERE { ?s kgo:sourceFile "000_418089195a410d60.txt" }',
    "SELECT ?s ?p WHERE { ?s ?p kgo:Project }\n# a comment at the end",
]


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
@pytest.mark.parametrize("query", LOOKUPS)
def test_lookups_answer_what_the_general_path_answers(store, query, fmt):
    assert sparql.is_streaming_lookup(PREFIX + query)
    job = QueryJob(PREFIX + query, solutions_format=fmt)
    fast, general = sparql.execute_lookup(store, job), execute(store, job)
    assert fast.rows == general.rows and fast.rows > 0
    assert (fast.format, fast.media_type, fast.form) == (general.format, general.media_type,
                                                         "select")
    if fmt == "json":  # the same writer output, byte for byte
        assert fast.body == general.body
    else:
        assert len(fast.body.splitlines()) == len(general.body.splitlines()) or fmt == "xml"


def test_a_lookup_past_its_row_cap_is_too_large(store):
    job = QueryJob(PREFIX + "SELECT ?s ?l { ?s rdfs:label ?l }", max_rows=3)
    with pytest.raises(sparql.ResultTooLarge, match="more than 3 solutions"):
        sparql.execute_lookup(store, job)
    assert sparql.execute_lookup(store, QueryJob(job.query, max_rows=10_000)).rows > 3


def test_a_lookup_with_a_literal_that_looks_like_a_term_counts_right():
    s = ox.Store()
    g = ox.NamedNode("http://example.org/g")
    s.add(ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p"),
                  ox.Literal('x"}},{"type":"uri"\n<result>'), g))
    s.add(ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/q"),
                  ox.BlankNode("b"), g))
    for fmt in ("json", "xml", "tsv"):
        job = QueryJob("SELECT ?p ?o { <http://example.org/a> ?p ?o }", solutions_format=fmt)
        assert sparql.execute_lookup(s, job).rows == 2


def test_a_lookup_with_an_unknown_prefix_is_worded_by_the_general_path(store):
    with pytest.raises(sparql.QuerySyntaxError, match="Prefix not found"):
        sparql.execute_lookup(store, QueryJob("SELECT ?o { nope:x ?p ?o }"))
