"""The least a Python HTTP server can do per SPARQL lookup: an RSGI app for Granian with no
framework, no checks, no cache and no row cap, that runs the query on the store and answers
with Oxigraph's own JSON writer. benchmarks/light_floor.py measures it beside our server
and the Oxigraph server: what no Python-side change to our server can go below.

    PROBE_STORE=DIR granian --interface rsgi light_floor_app:app
"""
from __future__ import annotations

import os
import urllib.parse

from pyoxigraph import QueryResultsFormat, Store

STORE = Store.read_only(os.environ["PROBE_STORE"])
HEADERS = [("content-type", "application/sparql-results+json")]


async def app(scope, protocol):
    query = urllib.parse.parse_qs(scope.query_string).get("query", ["ASK {}"])[0]
    body = STORE.query(query).serialize(format=QueryResultsFormat.JSON)
    protocol.response_bytes(200, HEADERS, body)
