"""SPARQL queries over a policykg store: what a query may do, what it runs on, what it returns.

Owns three things, none of them HTTP:
- the safety checks: no SERVICE call (federated query, a server-side request forgery vector)
  unless its endpoint is on an allow-list, and no SPARQL Update at the query entry point;
- the dataset: the default graph is the merge of all graphs (kg.store keeps it in every
  version) unless the query (FROM) or the protocol (default-graph-uri / named-graph-uri) names
  graphs;
- the serialization of results in the SPARQL results and RDF formats, bounded in rows and bytes.

`execute(store, job)` runs one query AND serializes it in the calling thread (pyoxigraph result
iterators must be read in the thread that created them); the server calls it in worker
processes with a time and memory limit (kg.server.pool); `kg query` calls `run_query_text`.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape, quoteattr

import pyoxigraph as ox

from kg.store import default_graph_options

SOLUTIONS = "solutions"  # SELECT and ASK results
GRAPH = "graph"  # CONSTRUCT and DESCRIBE results


@dataclass(frozen=True)
class ResultFormat:
    name: str  # the value of ?format=
    media_type: str  # the Content-Type answered
    kind: str  # SOLUTIONS or GRAPH
    also_accepts: tuple[str, ...] = ()  # other media types an Accept header may name for it
    extension: str = ""

    @property
    def content_type(self) -> str:
        textual = self.media_type.startswith("text/") or self.media_type.endswith(("json", "xml"))
        return self.media_type + ("; charset=utf-8" if textual else "")


# Order matters: the first format of a kind is the default when the client states no preference.
FORMATS = (
    ResultFormat("json", "application/sparql-results+json", SOLUTIONS, ("application/json",), "srj"),
    ResultFormat("xml", "application/sparql-results+xml", SOLUTIONS,
                 ("application/xml", "text/xml"), "srx"),
    ResultFormat("csv", "text/csv", SOLUTIONS, (), "csv"),
    ResultFormat("tsv", "text/tab-separated-values", SOLUTIONS, (), "tsv"),
    ResultFormat("ttl", "text/turtle", GRAPH, ("application/x-turtle",), "ttl"),
    ResultFormat("nt", "application/n-triples", GRAPH, ("text/plain",), "nt"),
    ResultFormat("rdfxml", "application/rdf+xml", GRAPH, ("application/xml", "text/xml"), "rdf"),
    ResultFormat("jsonld", "application/ld+json", GRAPH, ("application/json",), "jsonld"),
)
FORMATS_BY_NAME = {f.name: f for f in FORMATS}
# Other spellings of ?format= seen in other endpoints (Fuseki's output=, Virtuoso's names).
FORMAT_ALIASES = {
    "turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "rdf": "rdfxml", "rdf+xml": "rdfxml",
    "json-ld": "jsonld", "srj": "json", "srx": "xml", "text/csv": "csv",
}
# A generic name asked for a query of the other kind: the same family of format.
CROSS_KIND = {"json": "jsonld", "jsonld": "json", "xml": "rdfxml", "rdfxml": "xml"}

_OX_RDF_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                   "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD}


class SparqlError(ValueError):
    """A query that cannot be answered; the message tells the user what to change."""


class QuerySyntaxError(SparqlError):
    """The parser's message, with line and column."""


class UpdateNotAllowed(SparqlError):
    pass


class ServiceNotAllowed(SparqlError):
    pass


class NotAcceptable(SparqlError):
    """No format the client accepts exists for this kind of result."""


class UnknownFormat(SparqlError):
    pass


class ResultTooLarge(SparqlError):
    pass


class QueryTimeout(SparqlError):
    pass


class QueryOutOfMemory(SparqlError):
    pass


class QueryFailed(SparqlError):
    """The engine failed for a reason that is not the query's syntax."""


ERRORS = {cls.__name__: cls for cls in (
    SparqlError, QuerySyntaxError, UpdateNotAllowed, ServiceNotAllowed, NotAcceptable,
    UnknownFormat, ResultTooLarge, QueryTimeout, QueryOutOfMemory, QueryFailed)}


def format_named(name: str, kind: str | None = None) -> ResultFormat:
    """The format a ?format= value names (a short name or a media type)."""
    key = name.strip().lower()
    key = FORMAT_ALIASES.get(key, key)
    if "/" in key:
        matches = [f for f in FORMATS if key == f.media_type or key in f.also_accepts]
        matches.sort(key=lambda f: f.kind != kind)
        if matches:
            return matches[0]
    elif key in FORMATS_BY_NAME:
        fmt = FORMATS_BY_NAME[key]
        if kind and fmt.kind != kind and key in CROSS_KIND:
            return FORMATS_BY_NAME[CROSS_KIND[key]]
        return fmt
    raise UnknownFormat(f"unknown format {name!r}; use one of "
                        + ", ".join(f.name for f in FORMATS))


@dataclass(frozen=True)
class QueryJob:
    """One query with everything needed to answer it; picklable, so it can cross processes."""

    query: str
    solutions_format: str | None = "json"  # None: the client accepts no SELECT/ASK format
    graph_format: str | None = "ttl"  # None: the client accepts no CONSTRUCT/DESCRIBE format
    default_graphs: tuple[str, ...] = ()  # protocol default-graph-uri
    named_graphs: tuple[str, ...] = ()  # protocol named-graph-uri
    max_rows: int = 1_000_000
    max_bytes: int = 256 * 1024 * 1024
    allowed_services: tuple[str, ...] = ()
    base_iri: str | None = None  # relative IRIs in the query resolve against it (the endpoint)


@dataclass(frozen=True)
class QueryResult:
    body: bytes
    format: str  # a FORMATS name
    media_type: str  # with charset when textual
    form: str  # "select", "ask" or "graph"
    rows: int  # solutions or triples (1 for ASK)


# --- checks on the parsed query ---------------------------------------------------------

_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def expand_unicode_escapes(query: str) -> str:
    """SPARQL decodes \\uXXXX escapes before parsing, so `\\u0053ERVICE` is SERVICE."""
    return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)


def _parse_with_rdflib(query: str):
    from rdflib.plugins.sparql.parser import parseQuery
    return parseQuery(query)


def _walk(node) -> Iterator:
    """Every node of an rdflib parse tree (CompValue, ParseResults, lists)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, dict):
            stack.extend(n.values())
        elif isinstance(n, (list, tuple)) or type(n).__name__ == "ParseResults":
            stack.extend(list(n))


# What can hide a keyword: strings (long ones first), IRIs and comments. Leftmost match wins,
# so a '#' inside a string or an IRI is no comment, and a quote inside a comment no string.
_NOT_KEYWORDS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*", re.DOTALL)


def mentions_keyword(query: str, word: str) -> bool:
    """Whether `word` may be a keyword of the query: False only when it cannot be.

    A cheap lexical pre-check before the slow rdflib parse (~0.1-0.4 s): outside strings,
    IRIs and comments, and not part of a name or variable. "from" in a comment or a label
    costs nothing; a real or doubtful occurrence still goes to the parser.
    """
    text = expand_unicode_escapes(query)
    if word.lower() not in text.lower():
        return False
    bare = _NOT_KEYWORDS.sub(" ", text)
    return re.search(rf"(?<![A-Za-z0-9_:?$]){word}(?![A-Za-z0-9_:])", bare,
                     re.IGNORECASE) is not None


# One triple pattern, read as it streams: `SELECT ?p ?o WHERE { <entity> ?p ?o } LIMIT 50`.
# Each matching triple is one solution, so the work done is proportional to the solutions
# read (no sort, no offset, no join, no aggregate, no repeated variable that filters).
_IRI = r'<[^<>"{}|^`\\\x00-\x20]*>'
_PNAME = r"(?:[A-Za-z][\w.-]*)?:[\w-]*"  # a prefixed name (no dots: they would end the pattern)
_VAR = r"[?$]\w+"
_CONSTANT = rf'(?:{_IRI}|{_PNAME}|"[^"\\\n\r]*"(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^(?:{_IRI}|{_PNAME}))?|\d+)'
_STREAMING_LOOKUP = re.compile(
    rf"\s*(?:PREFIX\s+(?:[A-Za-z][\w.-]*)?:\s*{_IRI}\s*)*"
    rf"SELECT\s+(?:\*|(?:{_VAR}\s*)+?)\s*(?:WHERE\s*)?\{{\s*"
    rf"(?P<s>{_VAR}|{_IRI}|{_PNAME})\s+(?P<p>{_VAR}|{_IRI}|{_PNAME}|a)\s+(?P<o>{_VAR}|{_CONSTANT})"
    rf"\s*\.?\s*\}}\s*(?:LIMIT\s+\d+\s*)?", re.IGNORECASE)
_COMMENT_LINE = re.compile(r"#[^\n\r<>\"']*$", re.MULTILINE)  # a comment with no quote or IRI in it


def is_streaming_lookup(query: str) -> bool:
    """Whether the query is a single triple pattern with a constant, read as it streams.

    Such a query costs time in proportion to the solutions it returns, so it can run under a
    row cap instead of a clock (kg.server runs these in its own process). Decided lexically
    and strictly: anything else, or anything doubtful, is False.
    """
    return _streaming_lookup(query) is not None


def _streaming_lookup(query: str) -> re.Match | None:
    if "\\" in query:
        return None  # \u escapes could spell anything: not worth decoding here
    m = _STREAMING_LOOKUP.fullmatch(_COMMENT_LINE.sub("", query))
    if m is None:
        return None
    terms = [m["s"], m["p"], m["o"]]
    variables = [t for t in terms if t[0] in "?$"]
    if len(variables) < 3 and len({v[1:] for v in variables}) == len(variables):
        return m
    return None


def service_endpoints(query: str) -> list[str | None]:
    """The endpoints of the SERVICE patterns of a query (None for `SERVICE ?var`).

    Decided on the parse tree, never on the text alone: "service" inside a string, an IRI or
    a prefixed name is no SERVICE call. The text is only used to skip parsing when the word
    cannot occur at all (the common case stays fast).
    """
    if not mentions_keyword(query, "SERVICE"):
        return []
    try:
        tree = _parse_with_rdflib(query)
    except Exception as e:  # rdflib could not parse it: refuse rather than guess
        raise ServiceNotAllowed(
            "the query contains the word SERVICE and could not be checked for federated "
            f"calls ({_one_line(e)}); this endpoint makes no outgoing requests") from None
    endpoints: list[str | None] = []
    for node in _walk(tree):
        if getattr(node, "name", None) == "ServiceGraphPattern":
            term = dict.get(node, "term")
            endpoints.append(str(term) if term is not None and type(term).__name__ == "URIRef"
                             else None)
    return endpoints


def check_services(query: str, allowed: Iterable[str] = ()) -> None:
    """Refuse a query whose SERVICE calls are not all to allowed endpoints."""
    allowed = set(allowed)
    for endpoint in service_endpoints(query):
        if endpoint is None:
            raise ServiceNotAllowed("SERVICE with a variable endpoint is not allowed: this "
                                    "endpoint makes no outgoing requests on a user's behalf")
        if endpoint not in allowed:
            raise ServiceNotAllowed(
                f"SERVICE <{endpoint}> is not allowed: this endpoint makes no outgoing "
                "requests (federated query is off"
                + (", and that endpoint is not on the allow-list)" if allowed else ")"))


def has_dataset_clause(query: str) -> bool:
    """True when the query names its own dataset with FROM / FROM NAMED."""
    if not mentions_keyword(query, "FROM"):
        return False
    try:
        tree = _parse_with_rdflib(query)
    except Exception:
        return False  # then the union default graph is the safe reading
    # dict.get, not CompValue.get: the latter answers the key's name for a missing key.
    return any(isinstance(n, dict) and dict.get(n, "datasetClause") for n in _walk(tree))


def is_update(text: str) -> bool:
    """True when the text is a SPARQL Update request with at least one operation (checked
    after a query parse failed). An empty text, or a prologue alone, is a valid but empty
    Update: that is a malformed query, not an update."""
    from rdflib.plugins.sparql.parser import parseUpdate
    try:
        tree = parseUpdate(text)
    except Exception:
        return False
    return bool(dict.get(tree, "request"))


def _short_parse_error(e: Exception) -> str:
    """A parser's message with its position, the list of expected tokens kept short (for
    rdflib's messages on updates; queries get describe_syntax_error)."""
    message = " ".join(str(e).split())
    head, sep, expected = message.partition("expected one of ")
    if sep and len(expected) > 120:
        items = expected.split(", ")
        expected = ", ".join(items[:12]) + (", …" if len(items) > 12 else "")
    return head + sep + expected


# What is left of a query once its prologue (PREFIX, BASE) and comments are taken away.
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s*(?:[A-Za-z][\w.-]*)?:\s*|BASE\s*)<[^<>]*>\s*)*",
                       re.IGNORECASE)
_POSITION = re.compile(r"^error at (\d+):(\d+): ?(.*)$", re.DOTALL)
_CHARACTER_CLASS = re.compile(r"^\[.*\]$", re.DOTALL)  # ['0'..='9'], [_] (any character)
_EXCERPT_CHARS = 24


def _expected_items(text: str) -> list[str]:
    """The items of the parser's `expected one of A, B, [...]` list (commas inside brackets
    and quotes are no separators)."""
    items, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(text[start:i].strip())
            start = i + 1
    items.append(text[start:].strip())
    return [i for i in items if i]


def _without_comments(text: str) -> str:
    """The text with its comments blanked ('#' inside an IRI or a string is no comment)."""
    return _NOT_KEYWORDS.sub(lambda m: " " if m.group().startswith("#") else m.group(), text)


_RDFLIB_FOUND = re.compile(r"found (.+?) \(at char \d+\), \(line:(\d+), col:(\d+)\)")


def _rdflib_error_position(query: str) -> tuple[int, int, str] | None:
    """(line, column, token) where rdflib's parser stops reading the query, if it does."""
    try:
        _parse_with_rdflib(query)
    except Exception as e:
        m = _RDFLIB_FOUND.search(" ".join(str(e).split()))
        if m and m.group(1) != "end of text":
            return int(m.group(2)), int(m.group(3)), m.group(1)
    return None


_PREFIX_DECLARATION = re.compile(r"PREFIX\s+((?:[A-Za-z][\w.-]*)?):", re.IGNORECASE)
_PREFIXED_NAME = re.compile(r"(?<![\w?$:.-])((?:[A-Za-z][\w.-]*)?):(?=[\w%])")


def _undeclared_prefix(query: str) -> tuple[str, int] | None:
    """The first prefix used but not declared, and where (outside strings, IRIs, comments)."""
    bare = _NOT_KEYWORDS.sub(lambda m: " " * len(m.group()), query)  # offsets kept
    declared = set(_PREFIX_DECLARATION.findall(bare))
    for m in _PREFIXED_NAME.finditer(bare):
        if m.group(1) not in declared and not bare[:m.start()].rstrip().upper().endswith("PREFIX"):
            return m.group(1), m.start()
    return None


def describe_syntax_error(query: str, e: Exception) -> str:
    """The parser's message for a user: its position (line:column), the text there, what the
    parser says went wrong (an unknown prefix, an unbound variable) or the tokens it
    expected, with character classes left out."""
    message = " ".join(str(e).split())
    m = _POSITION.match(message)
    if m is None:
        return f"syntax error: {message[:500]}"
    line, column, rest = int(m.group(1)), int(m.group(2)), m.group(3)
    lines = query.splitlines() or [""]
    text_line = lines[line - 1] if 0 < line <= len(lines) else ""
    at_end = line >= len(lines) and column > len(text_line.rstrip())
    where = ("at the end of the query" if at_end else
             "near «" + text_line[max(0, column - 1):column - 1 + _EXCERPT_CHARS].strip() + "»")
    bare = _without_comments(query)
    if not _PROLOGUE.sub("", bare, count=1).strip():
        what = "the query is empty" if not bare.strip() else \
            "the query has only a prologue (PREFIX, BASE)"
        return (f"syntax error at {line}:{column} ({where}): {what}; a query needs a "
                "SELECT, CONSTRUCT, ASK or DESCRIBE form")
    undeclared = _undeclared_prefix(query)
    if undeclared is not None:  # Oxigraph reports some of these as a missing OPTIONAL
        name, at = undeclared
        line, column = query.count("\n", 0, at) + 1, at - (query.rfind("\n", 0, at) + 1) + 1
        excerpt = query[at:at + _EXCERPT_CHARS].split("\n")[0].strip()
        return (f"syntax error at {line}:{column} (near «{excerpt}»): Prefix not found: "
                f"{name}: is not declared; add PREFIX {name}: <…> before the query")
    _, sep, listed = rest.partition("expected one of ")
    items = _expected_items(listed) if sep else [rest.removeprefix("expected ").strip()]
    # rust-peg lists the parser's own messages among the tokens: "Prefix not found"
    said = [i for i in items if " " in i and not _CHARACTER_CLASS.match(i)
            and not i.startswith(("'", '"'))]
    tokens = [i for i in items if i not in said and not _CHARACTER_CLASS.match(i)]
    if at_end and not said:
        # Oxigraph's parser reports its farthest attempt, often the end of the text: a second
        # parser (rdflib) names the first token it could not read, where it is.
        found = _rdflib_error_position(query)
        if found is not None:
            line, column, token = found
            text_line = lines[line - 1] if 0 < line <= len(lines) else ""
            excerpt = text_line[max(0, column - 1):column - 1 + _EXCERPT_CHARS].strip()
            return f"syntax error at {line}:{column} (near «{excerpt}»): unexpected {token}"
    parts = [f"syntax error at {line}:{column} ({where})"]
    if said:
        parts.append("; ".join(said))
    if tokens:
        shown = ", ".join(tokens[:15]) + (", …" if len(tokens) > 15 else "")
        parts.append(f"expected {'one of ' if len(tokens) > 1 else ''}{shown}")
    elif not said:
        parts.append("the query ends too early" if at_end else "unexpected text")
    return ": ".join(parts[:2]) + ("; " + parts[2] if len(parts) > 2 else "")


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())[:300]


# --- execution -----------------------------------------------------------------------------

def _dataset(store, job: QueryJob, query_names_dataset: bool) -> dict:
    """store.query keyword arguments: base IRI and dataset (the merge of all graphs unless
    one is named)."""
    kwargs: dict = {"base_iri": job.base_iri} if job.base_iri else {}
    if job.default_graphs or job.named_graphs:  # the protocol's dataset overrides FROM
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    elif not query_names_dataset:
        kwargs.update(default_graph_options(store))
    return kwargs


def execute(store: ox.Store, job: QueryJob) -> QueryResult:
    """Check, run and serialize one query on an open store, in this thread."""
    check_services(job.query, job.allowed_services)
    kwargs = _dataset(store, job, has_dataset_clause(job.query))
    try:
        results = store.query(job.query, **kwargs)
    except SyntaxError as e:
        if is_update(job.query):
            raise UpdateNotAllowed("SPARQL Update is not accepted at the query endpoint: "
                                   "this endpoint is read-only") from None
        raise QuerySyntaxError(describe_syntax_error(job.query, e)) from None
    except ValueError as e:  # an argument the engine refuses (a graph name, the base IRI)
        raise SparqlError(f"the query cannot run: {_one_line(e)}") from None
    except OSError as e:
        raise QueryFailed(f"the query could not be evaluated: {_one_line(e)}") from None
    try:
        return serialize_results(results, job)
    except SparqlError:
        raise
    except (OSError, ValueError, RuntimeError) as e:  # evaluation errors surface while reading
        raise QueryFailed(f"the query could not be evaluated: {_one_line(e)}") from None


# Oxigraph's own SPARQL results writers, used for streaming lookups (execute_lookup).
_NATIVE_SOLUTIONS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                     "tsv": ox.QueryResultsFormat.TSV}
# What a quoted triple looks like in each: then the rows are counted the slow way.
_NATIVE_TRIPLE_TERM = {"json": b'"type":"triple"', "xml": b"<triple>", "tsv": b"<<"}


def execute_lookup(store: ox.Store, job: QueryJob) -> QueryResult:
    """`execute` for a query is_streaming_lookup accepts, faster: the engine reads at most
    job.max_rows + 1 solutions (a LIMIT added to the text) and Oxigraph's own writer
    serializes them (no Python object per term). The rows are counted in the bytes, exactly:
    every solution binds the same variables (one pattern, no OPTIONAL), and a term's opening
    (`{"type":"` in JSON, `<result>` in XML, a line in TSV) cannot occur escaped inside a
    value. Anything else (CSV, a LIMIT in the query, quoted triples, an error) goes through
    `execute`, which words the errors.
    """
    m = _streaming_lookup(job.query)
    name = job.solutions_format
    if m is None or name not in _NATIVE_SOLUTIONS or re.search(r"LIMIT\s+\d+\s*$", m.group(),
                                                                re.IGNORECASE):
        return execute(store, job)
    pattern_vars = {t[1:] for t in (m["s"], m["p"], m["o"]) if t[0] in "?$"}
    head = m.group()[:m.start("s")]
    projected = re.search(r"SELECT\s+(.*?)\s*(?:WHERE\s*)?\{", head, re.IGNORECASE | re.DOTALL)
    chosen = projected.group(1) if projected else "*"
    bound = len(pattern_vars) if chosen.strip() == "*" else \
        len(set(re.findall(r"[?$](\w+)", chosen)) & pattern_vars)
    if bound == 0:
        return execute(store, job)
    try:
        results = store.query(f"{job.query}\nLIMIT {job.max_rows + 1}", **_dataset(store, job, False))
        body = results.serialize(format=_NATIVE_SOLUTIONS[name])
    except (SyntaxError, ValueError, OSError, RuntimeError):
        return execute(store, job)  # the same failure, worded for the user
    if _NATIVE_TRIPLE_TERM[name] in body:
        return execute(store, job)
    if name == "json":
        rows = body.count(b'{"type":"') // bound
    elif name == "xml":
        rows = body.count(b"<result>")
    else:
        rows = body.count(b"\n") - 1
    return counted_result(body, name, "select", rows, job)


def counted_result(body: bytes, name: str, kind: str, rows: int, job: QueryJob) -> QueryResult:
    """A result already written (by Oxigraph or a remote store) in format `name`, within
    the job's row and byte limits."""
    what = "solutions" if kind == "select" else "triples"
    if rows > job.max_rows:
        raise ResultTooLarge(f"the result has more than {job.max_rows} {what}; "
                             "add a LIMIT or narrow the query")
    if len(body) > job.max_bytes:
        raise ResultTooLarge(f"the result is larger than {job.max_bytes} bytes; "
                             "add a LIMIT or narrow the query")
    fmt = FORMATS_BY_NAME[name]
    return QueryResult(body, fmt.name, fmt.content_type, kind, rows)


def serialize_results(results, job: QueryJob) -> QueryResult:
    if isinstance(results, ox.QueryTriples):
        fmt, form = _chosen(job.graph_format, GRAPH), "graph"
    else:
        fmt = _chosen(job.solutions_format, SOLUTIONS)
        form = "ask" if isinstance(results, ox.QueryBoolean) else "select"
    out = _BoundedBuffer(job.max_bytes)
    if form == "ask":
        rows = 1
        _BOOLEAN_WRITERS[fmt.name](bool(results), out)
    elif form == "select":
        counter = _RowCounter(job.max_rows, "solutions")
        variables = [v.value for v in results.variables]
        _SOLUTION_WRITERS[fmt.name](variables, counter.count(results), out)
        rows = counter.n
    else:
        counter = _RowCounter(job.max_rows, "triples")
        try:
            ox.serialize(counter.count(_distinct(results)), out, _OX_RDF_FORMATS[fmt.name],
                         prefixes=_prefixes() if fmt.name in ("ttl", "rdfxml") else None)
        except Exception:
            out.raise_if_exceeded()
            counter.raise_if_exceeded()
            raise
        rows = counter.n
    return QueryResult(out.getvalue(), fmt.name, fmt.content_type, form, rows)


def _distinct(triples: Iterable) -> Iterator:
    """Each triple once: a graph is a set, and DESCRIBE over Oxigraph's union of the document
    graphs (a remote store, an older version) gives a triple once per graph holding it."""
    seen = set()
    for t in triples:
        if t not in seen:
            seen.add(t)
            yield t


def _chosen(name: str | None, kind: str) -> ResultFormat:
    if name is None:
        what = "SELECT/ASK" if kind == SOLUTIONS else "CONSTRUCT/DESCRIBE"
        offers = ", ".join(f.media_type for f in FORMATS if f.kind == kind)
        raise NotAcceptable(f"this {what} query's results are available as {offers}; "
                            "the request's Accept header allows none of them")
    fmt = format_named(name, kind)
    if fmt.kind != kind:
        what = "SELECT/ASK" if kind == SOLUTIONS else "CONSTRUCT/DESCRIBE"
        raise UnknownFormat(f"format {name!r} is not available for {what} results; use one of "
                            + ", ".join(f.name for f in FORMATS if f.kind == kind))
    return fmt


def _prefixes() -> dict[str, str]:
    from kg.vocab import PREFIXES
    return dict(PREFIXES)


class _BoundedBuffer(io.RawIOBase):
    """A byte sink that stops the serialization once the result passes max_bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.parts: list[bytes] = []
        self.size = 0
        self.exceeded = False

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        n = len(b)
        self.size += n
        if self.size > self.max_bytes:
            self.exceeded = True
            raise ResultTooLarge(f"the result is larger than {self.max_bytes} bytes; "
                                 "add a LIMIT or narrow the query")
        self.parts.append(bytes(b))
        return n

    def raise_if_exceeded(self) -> None:
        if self.exceeded:
            self.write(b"")

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


class _RowCounter:
    def __init__(self, max_rows: int, what: str):
        self.max_rows, self.what, self.n = max_rows, what, 0

    def count(self, items: Iterable) -> Iterator:
        for item in items:
            self.n += 1
            self.raise_if_exceeded()
            yield item

    def raise_if_exceeded(self) -> None:
        if self.n > self.max_rows:
            raise ResultTooLarge(f"the result has more than {self.max_rows} {self.what}; "
                                 "add a LIMIT or narrow the query")


# --- SPARQL results writers (JSON, XML, CSV, TSV) -------------------------------------------

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _term_json(term) -> dict:
    """A term as a SPARQL JSON results object (the general form, quoted triples included)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        d = {"type": "literal", "value": term.value}
        if term.language:
            d["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            d["datatype"] = term.datatype.value
        return d
    return {"type": "triple", "value": {"subject": _term_json(term.subject),
                                        "predicate": _term_json(term.predicate),
                                        "object": _term_json(term.object)}}


def _term_json_text(term) -> str:
    """_term_json already serialized: string concatenation with the C string encoder is
    several times faster than json.dumps of a dict per term (light queries are mostly this)."""
    cls = type(term)
    if cls is _NAMED_NODE:
        return '{"type":"uri","value":' + _json_str(term.value) + "}"
    if cls is _LITERAL:
        language = term.language
        if language:
            return ('{"type":"literal","value":' + _json_str(term.value) + ',"xml:lang":'
                    + _json_str(language) + "}")
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return '{"type":"literal","value":' + _json_str(term.value) + "}"
        return ('{"type":"literal","value":' + _json_str(term.value) + ',"datatype":'
                + _json_str(datatype) + "}")
    if cls is _BLANK_NODE:
        return '{"type":"bnode","value":' + _json_str(term.value) + "}"
    return json.dumps(_term_json(term), ensure_ascii=False, separators=(",", ":"))


_NAMED_NODE, _LITERAL, _BLANK_NODE = ox.NamedNode, ox.Literal, ox.BlankNode
_json_str = json.encoder.encode_basestring  # JSON string literal, non-ASCII kept (C version)
_CHUNK_ROWS = 512  # rows serialized between two writes (the byte bound is checked per write)


def _write_json(variables: list[str], rows: Iterable, out) -> None:
    out.write(('{"head":{"vars":' + json.dumps(variables, ensure_ascii=False, separators=(",", ":"))
               + '},"results":{"bindings":[').encode())
    keys = [_json_str(v) + ":" for v in variables]
    chunk: list[str] = []
    first = True
    for row in rows:  # a solution iterates its values in the order of `variables`
        cells = ",".join([k + _term_json_text(t) for k, t in zip(keys, row) if t is not None])
        chunk.append(("{" if first else ",{") + cells + "}")
        first = False
        if len(chunk) >= _CHUNK_ROWS:
            out.write("".join(chunk).encode())
            chunk.clear()
    out.write(("".join(chunk) + "]}}").encode())


def _term_xml(term) -> str:
    cls = type(term)
    if cls is _NAMED_NODE:
        return "<uri>" + xml_escape(term.value) + "</uri>"
    if cls is _LITERAL:
        language = term.language
        if language:
            return f"<literal xml:lang={quoteattr(language)}>{xml_escape(term.value)}</literal>"
        datatype = term.datatype.value
        if datatype != _XSD_STRING:
            return f"<literal datatype={quoteattr(datatype)}>{xml_escape(term.value)}</literal>"
        return "<literal>" + xml_escape(term.value) + "</literal>"
    if cls is _BLANK_NODE:
        return "<bnode>" + xml_escape(term.value) + "</bnode>"
    return (f"<triple><subject>{_term_xml(term.subject)}</subject><predicate>"
            f"{_term_xml(term.predicate)}</predicate><object>{_term_xml(term.object)}"
            "</object></triple>")


_XML_HEAD = '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'


def _write_xml(variables: list[str], rows: Iterable, out) -> None:
    out.write((_XML_HEAD + "<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
               + "</head><results>").encode())
    opens = [f"<binding name={quoteattr(v)}>" for v in variables]
    chunk: list[str] = []
    for row in rows:
        chunk.append("<result>" + "".join([o + _term_xml(t) + "</binding>"
                                           for o, t in zip(opens, row) if t is not None])
                     + "</result>")
        if len(chunk) >= _CHUNK_ROWS:
            out.write("".join(chunk).encode())
            chunk.clear()
    out.write(("".join(chunk) + "</results></sparql>").encode())


def _term_csv(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def _write_csv(variables: list[str], rows: Iterable, out) -> None:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_term_csv(t) for t in row])
        if text.tell() > 65536:
            out.write(text.getvalue().encode())
            text.seek(0)
            text.truncate()
    out.write(text.getvalue().encode())


def _write_tsv(variables: list[str], rows: Iterable, out) -> None:
    # TSV carries terms in their Turtle/N-Triples form, so types and languages survive.
    out.write(("\t".join("?" + v for v in variables) + "\n").encode())
    chunk: list[str] = []
    for row in rows:
        chunk.append("\t".join(["" if t is None else str(t) for t in row]) + "\n")
        if len(chunk) >= _CHUNK_ROWS:
            out.write("".join(chunk).encode())
            chunk.clear()
    out.write("".join(chunk).encode())


def _boolean_json(value: bool, out) -> None:
    out.write(('{"head":{},"boolean":' + ("true" if value else "false") + "}").encode())


def _boolean_xml(value: bool, out) -> None:
    out.write((_XML_HEAD + "<head/><boolean>" + ("true" if value else "false")
               + "</boolean></sparql>").encode())


def _boolean_text(value: bool, out) -> None:
    out.write(b"true\n" if value else b"false\n")


_SOLUTION_WRITERS = {"json": _write_json, "xml": _write_xml, "csv": _write_csv, "tsv": _write_tsv}
_BOOLEAN_WRITERS = {"json": _boolean_json, "xml": _boolean_xml, "csv": _boolean_text,
                    "tsv": _boolean_text}


# --- for `kg query` -------------------------------------------------------------------------

def run_query_text(store_path: Path, query: str, format: str | None = None) -> tuple[bytes, str]:
    """Run one query on a store directory (or an opened store: kg.backends) and return
    (body, media type); no time limit."""
    from kg.store import open_store
    store = store_path if hasattr(store_path, "query") else open_store(Path(store_path))
    if format:
        fmt = format_named(format)
        solutions = format_named(fmt.name, SOLUTIONS).name
        graph = format_named(fmt.name, GRAPH).name
        job = QueryJob(query, solutions if FORMATS_BY_NAME[solutions].kind == SOLUTIONS else None,
                       graph if FORMATS_BY_NAME[graph].kind == GRAPH else None)
    else:
        job = QueryJob(query)
    result = execute(store, job)
    return result.body, result.media_type
