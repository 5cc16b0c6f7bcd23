"""Never a 500: fuzzing a real server with fixed seeds.

- schemathesis generates requests from the server's own OpenAPI schema (every operation,
  at most MAX_EXAMPLES each, derandomized) and checks that none is answered 5xx (503 is the
  documented answer of a query past its time limit; it must say so).
- a SPARQL mutation fuzzer of our own: the named queries (queries/*.rq) and the queries of
  the W3C protocol tests, mutated byte- and token-wise by random.Random(SEED), sent by GET,
  POST form and POST body with varied Accept headers. Every answer is < 500 (or a 503 that
  says why), every error body is well-formed, every 200 body parses.

benchmarks/fuzz_long.py runs the mutation fuzzer for longer with other seeds.
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path
from urllib.parse import parse_qsl, quote_from_bytes, urlsplit

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from conftest import ROOT, TEST_DATA

SEED = 20240607
MUTANTS = 300  # mutated queries sent by the test (about 900 requests)
MAX_EXAMPLES = 30  # schemathesis examples per operation

OK_503 = ("query timeout", "query out of memory", "endpoint busy")


# --- the corpus and the mutations ---------------------------------------------------------

def seed_queries() -> list[str]:
    """The named queries and every query of the W3C protocol tests' requests."""
    queries = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))]
    manifest = (TEST_DATA / "w3c_protocol" / "manifest.ttl").read_text(encoding="utf-8")
    for path in re.findall(r'http:absolutePath\s+"([^"]*)"', manifest):
        queries += [v for k, v in parse_qsl(urlsplit(path).query) if k == "query"]
    for body in re.findall(r'cnt:chars\s+"""(.*?)"""', manifest, re.S):
        queries += [v for k, v in parse_qsl(body) if k == "query"] if "query=" in body else [body]
    return [q for q in dict.fromkeys(queries) if q.strip()]


# Whitespace is a token too, so an edit elsewhere keeps `"x"@zh` or `^^xsd:int` intact.
TOKENS = re.compile(r"\s+|<[^>\s]*>|\"[^\"]*\"|'[^']*'|\?\w+|\$\w+|\w+:\w*|\w+|\S")
KEYWORDS = [
    "SELECT", "*", "DISTINCT", "WHERE", "{", "}", "(", ")", ".", ";", ",", "OPTIONAL", "UNION",
    "MINUS", "FILTER", "BIND", "VALUES", "GRAPH", "SERVICE", "SERVICE SILENT", "FROM", "FROM NAMED",
    "LOAD", "INSERT DATA", "DELETE WHERE", "CLEAR ALL", "DROP ALL", "CONSTRUCT", "DESCRIBE", "ASK",
    "COUNT(*)", "GROUP BY", "ORDER BY", "LIMIT", "OFFSET", "-1", "99999999999999999999999",
    "1e308", "REGEX(?x, \"(a+)+$\")", "<http://127.0.0.1:9/x>", "<file:///etc/passwd>", "?s",
    "?o", "_:b", "\"\"\"", "'", "\\u0053ERVICE", "\\U0001F600", "@zh", "^^xsd:int", "a",
    "rdf:type", "kgo:Project", "/", "|", "^", "+", "?", "!", "#", "PREFIX x: <", "BASE <",
    "政府工作报告", "\x00", "\u202e", "(((((((((((", "}}}}}}}}", "SELECT * { ?s ?p ?o }",
]
JUNK = [b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"%", b"%zz", b"&", b"=", b"+", b"\r\n",
        b"\\", b"\xe4\xb8", "报".encode(), b"{", b"}", b"<", b">", b'"']


def mutate(query: str, rng: random.Random) -> bytes:
    """One mutant: a few token edits, then maybe byte edits (which may break UTF-8)."""
    tokens = TOKENS.findall(query) or ["ASK", "{", "}"]
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        i = rng.randrange(len(tokens))
        op = rng.randrange(5)
        if op == 0 and len(tokens) > 1:
            del tokens[i]
        elif op == 1:
            tokens.insert(i, f" {rng.choice(KEYWORDS)} ")
        elif op == 2:
            tokens[i] = f" {rng.choice(KEYWORDS)} "
        elif op == 3:
            j = rng.randrange(len(tokens))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        else:
            tokens[i:i] = tokens[i:i + rng.randint(1, 8)]  # repeat a stretch
    data = bytearray("".join(tokens).encode("utf-8"))
    for _ in range(rng.choice((0, 0, 0, 1, 2))):
        i = rng.randrange(len(data) + 1)
        op = rng.randrange(4)
        if op == 0:
            data[i:i] = rng.choice(JUNK)
        elif op == 1:
            del data[i:i + rng.randint(1, 10)]
        elif op == 2 and data:
            data[min(i, len(data) - 1)] = rng.randrange(256)
        else:
            del data[i:]  # truncated
    return bytes(data)


ACCEPTS = [None, "application/sparql-results+json", "application/json", "text/csv",
           "text/turtle", "application/sparql-results+xml", "text/plain", "*/*", "text/html",
           "image/png", "application/json;q=0, text/plain", "a/b/c;;q=x", "\u00e9/\u00e9"]


def mutant_requests(rng: random.Random, n: int):
    """(method, url suffix, headers, body) for n mutants, each sent one of three ways."""
    corpus = seed_queries()
    for _ in range(n):
        body = mutate(rng.choice(corpus), rng)
        accept = rng.choice(ACCEPTS)
        headers = {"Accept": accept} if accept and accept.isascii() else {}
        fmt = rng.choice([None, None, None, "json", "ttl", "csv", "nope", ""])
        extra = f"&format={fmt}" if fmt is not None else ""
        how = rng.randrange(3)
        if how == 0:
            yield "GET", "/sparql?query=" + quote_from_bytes(body) + extra, headers, None
        elif how == 1:
            yield ("POST", "/sparql" + ("?" + extra[1:] if extra else ""),
                   {**headers, "Content-Type": "application/x-www-form-urlencoded"},
                   b"query=" + quote_from_bytes(body).encode())
        else:
            yield ("POST", "/sparql" + ("?" + extra[1:] if extra else ""),
                   {**headers, "Content-Type": rng.choice(["application/sparql-query",
                                                           "application/sparql-query; charset=utf-8",
                                                           "application/sparql-update",
                                                           "text/plain"])}, body)


def problems(response: httpx.Response) -> list[str]:
    """What is wrong with one answer of the endpoint (empty when it is right)."""
    status, text = response.status_code, response.text
    found = []
    if "Traceback" in text or "internal error" in text:
        found.append("a stack trace or internal error in the body")
    if status >= 500 and not (status == 503 and any(e in text for e in OK_503)):
        found.append(f"status {status}")
    media = response.headers.get("content-type", "")
    if status >= 400:
        if media.startswith("application/json"):
            try:
                body = response.json()
                if not (isinstance(body, dict) and body.get("error") and body.get("detail")):
                    found.append("a JSON error without error/detail")
            except ValueError:
                found.append("an error body that is not JSON")
        elif media.startswith("text/plain"):
            if not re.fullmatch(r"[^\n:]+: .+\n", text, re.S):
                found.append("a text error not of the form 'error: detail'")
        else:
            found.append(f"an error body of type {media!r}")
    elif status == 200 and "json" in media:
        try:
            json.loads(response.content)
        except ValueError:
            found.append("a 200 JSON body that does not parse (truncated?)")
    return found


def run_mutants(base_url: str, seed: int, n: int, client: httpx.Client) -> dict:
    """Send n mutants; returns counts by status and the failures found."""
    rng = random.Random(seed)
    statuses: dict[int, int] = {}
    failures = []
    for method, path, headers, body in mutant_requests(rng, n):
        r = client.request(method, base_url + path, headers=headers, content=body)
        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        if found := problems(r):
            failures.append((method, path[:200], body[:200] if body else None, r.status_code,
                             found, r.text[:300]))
    return {"statuses": statuses, "failures": failures}


# --- the tests ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fuzz_server(server_factory, sample_store_dir):
    with server_factory(sample_store_dir, query_timeout=1.0, workers=3, max_result_rows=2000,
                        enable_update=True, token="fuzz-token-0123456789abcdef",
                        reload_interval=0) as server:
        yield server


def test_the_corpus_and_the_mutations_are_varied():
    corpus = seed_queries()
    assert len(corpus) >= 20 and any("SERVICE" not in q and "SELECT" in q for q in corpus)
    mutants = [mutate(q, random.Random(SEED)) for q in corpus]
    assert len(set(mutants)) == len(corpus)
    assert mutate(corpus[0], random.Random(1)) == mutate(corpus[0], random.Random(1))


def test_problems_would_be_seen():
    """The control: a 500, a trace, a malformed error or a truncated 200 would fail the run."""
    def response(status, body, media):
        return httpx.Response(status, content=body.encode(), headers={"content-type": media})
    assert problems(response(500, '{"error":"internal error","detail":"x"}', "application/json"))
    assert problems(response(503, '{"error":"x","detail":"y"}', "application/json"))
    assert problems(response(400, "Traceback (most recent call last):", "text/plain"))
    assert problems(response(400, "oops", "text/html"))
    assert problems(response(200, '{"head":{"vars":[]},"results":{"bind', "application/json"))
    assert not problems(response(400, "malformed query: x\n", "text/plain"))
    assert not problems(response(503, '{"error":"query timeout","detail":"stopped"}',
                                 "application/json"))


def test_sparql_mutation_fuzzer(fuzz_server):
    with httpx.Client(timeout=30) as client:
        report = run_mutants(fuzz_server.url, SEED, MUTANTS, client)
        assert client.get(fuzz_server.url + "/health").status_code == 200
    assert report["failures"] == []
    assert sum(report["statuses"].values()) == MUTANTS
    assert report["statuses"].get(400, 0) > MUTANTS // 4  # most mutants are broken
    assert report["statuses"].get(200, 0) > 10  # and some still run


def test_openapi_fuzz(fuzz_server):
    """Every operation of the schema, MAX_EXAMPLES generated requests each, derandomized.

    Driven from one test (schemathesis' own pytest plugin does not load with this pytest)."""
    schema = schemathesis.openapi.from_url(fuzz_server.url + "/openapi.json")
    failures, sent, operations = [], [0], []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations.append(operation.label)

        @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(operation.as_strategy())
        def fuzz(case):
            response = case.call(base_url=fuzz_server.url, timeout=30)
            sent[0] += 1
            if found := problems_of_any(response):
                failures.append((case.method, case.formatted_path, case.query, found,
                                 response.status_code, response.text[:300]))
        fuzz()
    assert len(operations) >= 15 and "POST /update" in operations and "GET /sparql" in operations
    assert sent[0] >= 5 * len(operations)
    assert failures == []


def problems_of_any(response) -> list[str]:
    status, text = response.status_code, response.text
    found = []
    if status >= 500 and not (status == 503 and any(e in text for e in OK_503)):
        found.append(f"status {status}")
    if "Traceback" in text:
        found.append("a stack trace in the body")
    return found
