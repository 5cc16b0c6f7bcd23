"""Linked data: entity IRIs dereference on this server, `GET /id/{type}/{key}`.

The parts of a report (/id/document/{doc_key}/sentence/{n}, section, column, row, mention,
assertion) dereference the same way, so the evidence of a fact can be followed.
One resource, several representations chosen by content negotiation (Accept, or ?format=):
- text/html (browsers): labels, properties, relations as links to other /id pages, and the
  sentences that mention the entity with the mention highlighted;
- application/json: the same data as JSON (the entity card and its relations);
- text/turtle, application/ld+json, application/n-triples, application/rdf+xml: a bounded
  description of the entity from the store (CBD-like: its own triples, the links to it from
  other entities, its mentions with their sentences, and the labels of its neighbours).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from urllib.parse import quote, unquote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pyoxigraph import NamedNode, RdfFormat, serialize
from starlette.concurrency import run_in_threadpool

from kg import lookup
from kg.server.errors import RequestError
from kg.server.negotiation import parse_accept, quality
from kg.server.pages import SECURITY_HEADERS
from kg.server.routes_api import checked_type, lookups, path_key
from kg.store import default_graph_options
from kg.vocab import BASE, PREFIXES, entity_iri

router = APIRouter(tags=["linked data"])

ID_BASE = BASE + "id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL_WAIT = 2.0  # seconds an HTML card waits for the lookup index's labels


@dataclass(frozen=True)
class Representation:
    name: str  # ?format= value
    media_type: str
    aliases: tuple[str, ...] = ()  # other ?format= values
    also_accepts: tuple[str, ...] = ()  # other media types meaning the same
    rdf: RdfFormat | None = None


# In order of preference when a client accepts several equally (a browser's */* gets HTML).
REPRESENTATIONS = (
    Representation("html", "text/html", also_accepts=("application/xhtml+xml",)),
    Representation("ttl", "text/turtle", ("turtle",), ("application/x-turtle",), RdfFormat.TURTLE),
    Representation("jsonld", "application/ld+json", ("json-ld",), (), RdfFormat.JSON_LD),
    Representation("rdfxml", "application/rdf+xml", ("rdf", "xml"), (), RdfFormat.RDF_XML),
    Representation("nt", "application/n-triples", ("ntriples", "n-triples"), (), RdfFormat.N_TRIPLES),
    Representation("json", "application/json"),
)

# The description of an entity: its triples, links from other entities (not from the
# reification, mentions or report parts), its mentions and their sentences, neighbours' labels.
DESCRIBE = """
CONSTRUCT { ?e ?p ?o . ?s ?q ?e . ?m ?mp ?mo . ?sent kgo:text ?text . ?n rdfs:label ?nl . }
WHERE {
  { ?e ?p ?o }
  UNION { ?s ?q ?e . FILTER(REGEX(STR(?s), "^ID_BASE[a-z]+/[^/]+$")) }
  UNION { ?e kgo:hasMention ?m . ?m ?mp ?mo . OPTIONAL { ?m kgo:inSentence ?sent . ?sent kgo:text ?text } }
  UNION { { ?e ?p2 ?n } UNION { ?n ?q2 ?e } FILTER(isIRI(?n) && REGEX(STR(?n), "^ID_BASE[a-z]+/[^/]+$")) ?n rdfs:label ?nl }
}""".replace("ID_BASE", ID_BASE)


def choose_representation(accept: str | None, fmt: str | None) -> Representation:
    if fmt:
        for r in REPRESENTATIONS:
            if fmt.lower() in (r.name, *r.aliases):
                return r
        names = ", ".join(r.name for r in REPRESENTATIONS)
        raise RequestError(400, "unknown format", f"format {fmt!r}; one of {names}")
    ranges = parse_accept(accept)
    if not ranges:
        return REPRESENTATIONS[0]
    best, best_q = None, 0.0
    for r in REPRESENTATIONS:
        # an alias counts only when named (application/* must not pick HTML for XHTML's sake)
        q = max([quality(ranges, r.media_type)]
                + [quality(ranges, mt, explicit=True) for mt in r.also_accepts])
        if q > best_q:
            best, best_q = r, q
    if best is None:
        offered = ", ".join(r.media_type for r in REPRESENTATIONS)
        raise RequestError(406, "not acceptable", f"this resource is available as {offered}")
    return best


def describe(store, iri: str) -> list:
    """The triples describing one entity (run and consumed in the calling thread)."""
    query = re.sub(r"\?e(?![A-Za-z0-9_])", lambda _m: str(NamedNode(iri)), DESCRIBE)
    return list(store.query(query, prefixes=PREFIXES, **default_graph_options(store)))


# The parts of a report (kg.vocab.document_part_iri): /id/document/{doc_key}/{part}/{n}.
DOCUMENT_PART = re.compile(r"(?P<doc>[^/]+)/(?P<part>section|column|row|sentence|mention|"
                           r"assertion)/(?P<n>\d+)")


def part_key(type_: str, key: str) -> str | None:
    """The key of a part of a report (`{doc_key}/sentence/12`) as its IRI writes it, or None
    when `key` names no part: sentences, sections and assertions dereference like entities."""
    if type_ != "document":
        return None
    m = DOCUMENT_PART.fullmatch(unquote(key.strip()))
    return f"{path_key(m['doc'])}/{m['part']}/{m['n']}" if m else None


def local_href(iri: str) -> str | None:
    """The path of an entity (or report part) page on this server, or None for IRIs that
    have none."""
    parts = lookup.split_iri(iri)
    if parts is not None:
        return f"/id/{parts[0]}/{parts[1]}"
    if iri.startswith(ID_BASE + "document/") and DOCUMENT_PART.fullmatch(
            iri[len(ID_BASE + "document/"):]):
        return "/id/" + iri[len(ID_BASE):]
    return None


def short(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _link(ref: dict) -> str:
    href = local_href(ref["iri"])
    text = escape(ref.get("label") or short(ref["iri"]))
    if href is None:
        return f'<span class="iri">{text}</span>'
    kind = escape(ref.get("type", ""))
    return f'<a href="{escape(href)}" class="entity">{text}</a> <span class="kind">{kind}</span>'


def highlight(text: str, start: int, end: int, surface: str) -> str:
    """The sentence with the mention marked; found by its surface if the offsets disagree."""
    if not (0 <= start < end <= len(text)) or text[start:end] != surface:
        at = text.find(surface) if surface else -1
        if at < 0:
            return escape(text)
        start, end = at, at + len(surface)
    return f"{escape(text[:start])}<mark>{escape(text[start:end])}</mark>{escape(text[end:])}"


def render_page(card: dict, relations: list[dict], base_path: str) -> str:
    """The HTML page of an entity (everything escaped; no script)."""
    title = card.get("label") or card["key"].replace("/", " ")
    formats = " ".join(f'<a href="{escape(base_path)}?format={r.name}" type="{r.media_type}">{r.name}</a>'
                       for r in REPRESENTATIONS if r.name != "html")
    out = [f"""<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} — policykg</title>
<link rel="stylesheet" href="/static/query.css">
<link rel="stylesheet" href="/static/entity.css">
<link rel="alternate" type="text/turtle" href="{escape(base_path)}?format=ttl">
<link rel="alternate" type="application/ld+json" href="{escape(base_path)}?format=jsonld">
</head>
<body>
<header>
  <h1>policykg <span>{escape(card["type"])}</span></h1>
  <nav><a href="/sparql">Query</a> <a href="/docs">API</a></nav>
</header>
<main class="entity-page">
<h2 id="label">{escape(title)}</h2>
<p class="iri"><code>{escape(card["iri"])}</code></p>
<p class="formats">Also as: {formats}</p>
"""]
    if card.get("alt_labels"):
        out.append('<p class="aliases">Also written: ' + "、".join(
            f"<span>{escape(a)}</span>" for a in card["alt_labels"]) + "</p>")
    if card.get("types"):
        out.append('<p class="types">Types: ' + ", ".join(
            f"<code>{escape(short(t))}</code>" for t in card["types"]) + "</p>")
    props = card.get("properties") or {}
    if props:
        out.append('<section id="properties"><h3>Properties</h3><table><tbody>')
        for p, values in sorted(props.items()):
            cells = []
            for v in values:
                cells.append(_link(v) if isinstance(v, dict) else escape(str(v)))
            out.append(f"<tr><th>{escape(short(p))}</th><td>{'<br>'.join(cells)}</td></tr>")
        out.append("</tbody></table></section>")
    out.append(f'<section id="relations"><h3>Relations ({len(relations)})</h3>')
    if relations:
        out.append("<table><thead><tr><th>relation</th><th>entity</th><th>evidence</th></tr></thead><tbody>")
        for r in relations:
            arrow = "→" if r["direction"] == "out" else "←"
            evidence = "".join(f"<li>{escape(t)}</li>" for t in r["evidence"][:5])
            out.append(f'<tr class="relation"><td>{arrow} {escape(short(r["predicate"]))}</td>'
                       f'<td>{_link(r["node"])}</td><td><ul class="evidence">{evidence}</ul></td></tr>')
        out.append("</tbody></table>")
    else:
        out.append("<p>No relations.</p>")
    out.append("</section>")
    mentions = card.get("mentions") or []
    out.append(f'<section id="mentions"><h3>Mentions ({len(mentions)})</h3><ol class="mentions">')
    for m in mentions:
        a, b = m["in_sentence"]
        out.append(f'<li><span class="doc">{escape(m["document"])}</span> '
                   f'<span class="offsets">[{m["start"]}–{m["end"]}]</span>'
                   f'<p class="sentence">{highlight(m["sentence_text"], a, b, m["surface"])}</p></li>')
    out.append("</ol></section></main></body></html>")
    return "\n".join(out)


def not_found_page(detail: str) -> HTMLResponse:
    body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found — policykg</title>'
            f'<link rel="stylesheet" href="/static/query.css"></head><body><main>'
            f'<h2>Not found</h2><p>{escape(detail)}</p><p><a href="/sparql">Query the graph</a></p>'
            f"</main></body></html>")
    return HTMLResponse(body, 404, headers=SECURITY_HEADERS)


@router.get("/id/{type}/{key:path}", summary="an entity as HTML, JSON or RDF (content negotiation)")
async def entity_page(request: Request, type: str, key: str,
                      format: str | None = Query(None, description="html json ttl jsonld nt rdfxml")):
    rep = choose_representation(request.headers.get("accept"), format)
    checked_type(type)
    lk, k = lookups(request), part_key(type, key) or path_key(key)
    iri = entity_iri(type, k).value
    vary = {"Vary": "Accept"}
    try:
        card = await lk.answer(("entity", type, k), lambda: lookup.entity(lk.store, type, k))
    except RequestError as e:
        if rep.name == "html" and e.status == 404:
            return not_found_page(e.detail)
        raise
    if rep.rdf is not None:
        body = await lk.answer(("describe", iri, rep.name), lambda: serialize(
            describe(lk.store, iri), format=rep.rdf,
            **({"prefixes": PREFIXES} if rep.rdf in (RdfFormat.TURTLE, RdfFormat.RDF_XML) else {})))
        return Response(body, media_type=rep.media_type, headers=vary)
    relations = await lk.answer(("ld-relations", type, k), lambda: lookup.relations(
        lk.store, type, k, "both", None, 500, 0))
    if rep.name == "json":
        return JSONResponse({"entity": card, "relations": relations}, headers=vary)
    path = f"/id/{type}/{quote(k, safe='%/')}"
    # linked entities by name, not by IRI (the cached card is not changed); while the lookup
    # index is still being built, by IRI
    linked = [v["iri"] for values in card["properties"].values() for v in values
              if isinstance(v, dict)]
    try:
        labels = await run_in_threadpool(lambda: lk.index(wait=LABEL_WAIT).labels(linked))
    except RequestError:
        labels = {}
    shown = {**card, "properties": {p: [{**v, "label": v.get("label") or labels.get(v["iri"])}
                                        if isinstance(v, dict) else v for v in values]
                                    for p, values in card["properties"].items()}}
    return HTMLResponse(render_page(shown, relations, path), headers={**SECURITY_HEADERS, **vary})
