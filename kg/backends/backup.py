"""`kg backup --sparql-endpoint URL`: a remote store's dataset as the same backup file as
an embedded store's (kg.backup), so `kg restore` brings it into an embedded store.

Graph by graph: each named graph is read in one request (Graph Store Protocol GET, or a
CONSTRUCT where the store has no graph store), so memory holds one graph at a time. The
store's version stamp (kg.backends.sync) is the backup's version and is not itself backed up.
The quad count of the header is what was written: `kg restore` checks it.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyoxigraph as ox

from kg.backends.remote import RemoteStore


def backup_remote(backend: RemoteStore, dest: Path) -> dict:
    """Write every named graph of the endpoint (but the stamp) to `dest`; returns the header."""
    from kg.backup import HEADER_KIND
    from kg.store import FORMAT_VERSION

    dest = Path(dest)
    tmp = dest.with_name(dest.name + ".partial")
    version = backend.stamp() or "remote-unstamped"
    quads = 0
    with gzip.open(tmp, "wb") as body:
        for graph in backend.graphs():
            name = ox.NamedNode(graph)
            triples = ox.parse(backend.graph_ntriples(graph), format=ox.RdfFormat.N_TRIPLES)
            graph_quads = [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]
            ox.serialize(graph_quads, body, ox.RdfFormat.N_QUADS)
            quads += len(graph_quads)
    header = {"kind": HEADER_KIND, "format": FORMAT_VERSION, "quads": quads,
              "version": version, "endpoint": backend.query_url}
    # the header line comes first (kg.backup.read_header): a small second file, then joined
    with gzip.open(dest.with_name(dest.name + ".head"), "wb") as head:
        head.write(b"# " + json.dumps(header).encode() + b"\n")
    with open(dest.with_name(dest.name + ".head"), "ab") as joined, open(tmp, "rb") as rest:
        while chunk := rest.read(1 << 20):  # gzip members concatenate into one stream
            joined.write(chunk)
    tmp.unlink()
    dest.with_name(dest.name + ".head").replace(dest)
    return header
