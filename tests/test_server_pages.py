"""Linked-data pages /id/{type}/{key} by content negotiation, and the pages in headless
Chromium (the /sparql query page running a query, an entity page), on a real server over
the seed build. Screenshots go to tests/artifacts/ (git-ignored)."""
from __future__ import annotations

import html
import json
import re
from urllib.parse import quote

import httpx
import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS

from tests.fixtures_graph import ARTIFACTS, chromium, colour_variety, rendered_dom, screenshot

ENTITY = "https://w3id.org/policykg/id/project/车盘水库"
KGO = rdflib.Namespace("https://w3id.org/policykg/ontology#")


@pytest.fixture(scope="module")
def web(server_url):
    with httpx.Client(base_url=server_url, timeout=60) as client:
        yield client


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_browsers_get_an_html_page_with_links_and_marked_mentions(web):
    r = web.get("/id/project/车盘水库", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "<title>车盘水库 — policykg</title>" in html
    assert "<mark>车盘水库</mark>" in html
    assert 'href="/id/strategy/乡村全面振兴"' in html  # a relation, as a link to its page
    assert 'href="/id/sector/water"' in html
    assert "<script" not in html
    assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "Accept" in r.headers["Vary"]


def test_html_escapes_what_it_shows(web):
    # a name is shown as text, never as markup (the key is echoed in the 404 page)
    r = web.get("/id/project/" + quote("甲&乙'<b>丙", safe=""), headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "甲&amp;乙&#x27;" in r.text and "甲&乙" not in r.text and "<b>" not in r.text


def test_json_twin_by_format_and_by_accept(web):
    by_param = web.get("/id/project/车盘水库?format=json")
    by_accept = web.get("/id/project/车盘水库", headers={"Accept": "application/json"})
    for r in (by_param, by_accept):
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = by_param.json()
    assert body == by_accept.json()
    assert body["entity"]["label"] == "车盘水库"
    assert any(rel["node"]["label"] == "乡村全面振兴" for rel in body["relations"])
    m = body["entity"]["mentions"][0]
    assert m["sentence_text"][m["in_sentence"][0]:m["in_sentence"][1]] == m["surface"]


def test_turtle_for_rdf_clients_parses_and_describes_the_entity(web):
    r = web.get("/id/project/车盘水库", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    e = URIRef(ENTITY)
    assert (e, RDFS.label, Literal("车盘水库", lang="zh")) in g
    assert (e, rdflib.RDF.type, KGO.Project) in g
    strategy = URIRef("https://w3id.org/policykg/id/strategy/乡村全面振兴")
    assert (e, KGO.implements, strategy) in g
    assert (strategy, RDFS.label, None) in g  # neighbours are labelled
    mentions = list(g.objects(e, KGO.hasMention))
    assert mentions and all((m, KGO.surface, None) in g for m in mentions)
    sentence = g.value(mentions[0], KGO.inSentence)
    assert "车盘" in str(g.value(sentence, KGO.text))


def test_jsonld_ntriples_and_rdfxml_describe_the_same_graph(web):
    graphs = {}
    for accept, fmt in (("application/ld+json", "json-ld"), ("application/n-triples", "nt"),
                        ("application/rdf+xml", "xml"), ("text/turtle", "turtle")):
        r = web.get("/id/project/车盘水库", headers={"Accept": accept})
        assert r.status_code == 200 and r.headers["content-type"].startswith(accept), accept
        graphs[fmt] = rdflib.Graph().parse(data=r.text, format=fmt)
    sizes = {fmt: len(g) for fmt, g in graphs.items()}
    assert len(set(sizes.values())) == 1 and sizes["nt"] > 10, sizes
    assert isomorphic(graphs["json-ld"], graphs["turtle"])
    assert json.loads(web.get("/id/project/车盘水库?format=jsonld").text)


def test_rdflib_dereferences_the_iri_with_its_own_accept_header(server_url):
    g = rdflib.Graph().parse(server_url + "/id/place/500156", format="turtle")
    assert (URIRef("https://w3id.org/policykg/id/place/500156"), RDFS.label,
            Literal("武隆区", lang="zh")) in g


def test_accept_q_values_choose_the_representation(web):
    r = web.get("/id/project/车盘水库",
                headers={"Accept": "text/html;q=0.5, application/ld+json;q=0.9"})
    assert r.headers["content-type"].startswith("application/ld+json")
    r = web.get("/id/project/车盘水库")  # no preference: the page
    assert r.headers["content-type"].startswith("text/html")
    # a wildcard picks a type it matches, never HTML for the sake of XHTML
    r = web.get("/id/project/车盘水库", headers={"Accept": "application/*"})
    assert r.headers["content-type"].startswith("application/ld+json")
    r = web.get("/id/project/车盘水库", headers={"Accept": "text/*;q=0.5, application/ld+json;q=0.4"})
    assert r.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("path,headers,status", [
    ("/id/project/车盘水库", {"Accept": "image/png"}, 406),
    ("/id/project/车盘水库?format=bogus", {}, 400),
    ("/id/bogus/车盘水库", {"Accept": "application/json"}, 400),
    ("/id/project/没有这个项目", {"Accept": "text/turtle"}, 404),
    ("/id/project/没有这个项目?format=json", {}, 404),
])
def test_page_errors(web, path, headers, status):
    r = web.get(path, headers=headers)
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "detail"}


def test_the_evidence_of_a_link_can_be_followed_to_its_sentence(web):
    """Report parts dereference too: the assertion behind 车盘水库 kgo:implements 乡村全面振兴
    links to both entities (by name) and to its sentence, whose page and Turtle give the text."""
    query = (f"SELECT ?a WHERE {{ ?a <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <{ENTITY}> ;"
             f" <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> <{KGO.implements}> }} LIMIT 1")
    assertion = web.get("/sparql", params={"query": query}).json()["results"]["bindings"][0]["a"]["value"]
    path = assertion.removeprefix("https://w3id.org/policykg")
    assert re.fullmatch(r"/id/document/[^/]+/assertion/\d+", path)
    page = web.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "<code>kgo:Assertion</code>" in page.text
    assert '<a href="/id/project/车盘水库" class="entity">车盘水库</a>' in page.text
    sentence = re.search(r'<th>kgo:evidence</th><td><a href="(/id/document/[^"]+/sentence/\d+)"',
                         page.text).group(1)
    html_page = web.get(sentence, headers={"Accept": BROWSER_ACCEPT})
    assert html_page.status_code == 200 and "<code>kgo:Sentence</code>" in html_page.text
    g = rdflib.Graph().parse(data=web.get(sentence, headers={"Accept": "text/turtle"}).text,
                             format="turtle")
    text = str(g.value(URIRef("https://w3id.org/policykg" + sentence), KGO.text))
    assert "车盘水库" in text and text in html_page.text
    assert web.get(sentence.rsplit("/", 1)[0] + "/999999").status_code == 404


def test_document_and_place_pages(web):
    doc = web.get("/id/document/000_418089195a410d60?format=json").json()
    assert doc["entity"]["type"] == "document" and "武隆" in doc["entity"]["label"]
    html = web.get("/id/place/500156", headers={"Accept": "text/html"}).text
    assert "武隆区" in html and "<mark>" in html


# --- headless Chromium ------------------------------------------------------------------

def _is_real_png(path) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert colour_variety(path) > 20, f"{path} looks blank"


def test_entity_page_renders_in_chromium(server_url, tmp_path):
    chromium()  # fails (not skips) when Chromium is missing
    url = server_url + "/id/project/" + quote("车盘水库")
    dom = rendered_dom(url, tmp_path / "profile-dom")
    assert '<h2 id="label">车盘水库</h2>' in dom
    assert "<mark>车盘水库</mark>" in dom
    assert "/id/strategy/" in dom
    png = screenshot(url, ARTIFACTS / "entity-page.png", tmp_path / "profile-shot")
    _is_real_png(png)


def test_query_page_runs_a_query_from_its_url_and_shows_a_table(server_url, tmp_path):
    chromium()
    query = ("PREFIX kgo: <https://w3id.org/policykg/ontology#>\n"
             "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
             "SELECT ?project ?label WHERE { ?project a kgo:Project ; rdfs:label ?label } "
             "ORDER BY ?label LIMIT 10")
    url = server_url + "/sparql?" + str(httpx.QueryParams({"query": query}))
    dom = rendered_dom(url, tmp_path / "profile-dom")
    assert "<table" in dom, dom[-2000:]
    assert dom.count("<tr") >= 11  # the header row and ten projects
    assert "https://w3id.org/policykg/id/project/" in dom
    # entity IRIs link to their page on this server; the results download in each format
    assert re.search(r'<a href="/id/project/[^"/]+" title="https://w3id.org/policykg/id/project/', dom)
    links = dict(re.findall(r'<a href="(/sparql\?[^"]+)" download="result\.(\w+)"', dom))
    assert sorted(links.values()) == ["csv", "srj", "srx", "tsv"], dom[-3000:]
    for href, extension in links.items():
        r = httpx.get(server_url + html.unescape(href))
        media = {"csv": "text/csv", "srj": "application/sparql-results+json",
                 "srx": "application/sparql-results+xml", "tsv": "text/tab-separated-values"}
        assert r.status_code == 200 and r.headers["content-type"].startswith(media[extension])
        assert int(r.headers["x-result-rows"]) == 10
    png = screenshot(url, ARTIFACTS / "query-page.png", tmp_path / "profile-shot")
    _is_real_png(png)


def test_query_page_offers_the_named_queries_and_runs_one_in_chromium(server_url, tmp_path):
    """The examples menu holds every queries/*.rq by title; running one from the page's URL
    shows its rows (the documents overview: one per seed report)."""
    from kg.server.pages import load_examples
    from kg.server.settings import REPO_QUERIES
    examples = load_examples(REPO_QUERIES)
    assert len(examples) == len(list(REPO_QUERIES.glob("*.rq"))) >= 6
    overview = next(e for e in examples if e.name == "documents-overview")
    assert overview.title == "Documents overview" and not overview.description.startswith("description:")
    dom = rendered_dom(server_url + "/sparql?" + str(httpx.QueryParams({"query": overview.query})),
                       tmp_path / "profile")
    for e in examples:
        assert f">{html.escape(e.title, quote=False)}</option>" in dom
    assert "2 results in" in dom and dom.count("<tr") == 3, dom[-2000:]


def test_docs_page_renders_the_routes_in_chromium(server_url, tmp_path):
    chromium()
    dom = rendered_dom(server_url + "/docs", tmp_path / "profile-dom")
    for route in ("GET /sparql", "POST /sparql", "GET /api/search", "GET /api/paths",
                  "GET /api/strategies/{key}/projects", "GET /id/{type}/{key}"):
        assert f"<h3>{route}</h3>" in dom, route
    png = screenshot(server_url + "/docs", ARTIFACTS / "docs-page.png", tmp_path / "profile-shot")
    _is_real_png(png)
