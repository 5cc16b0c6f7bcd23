"""Writing a build into a remote store: only the graphs that changed, then a version stamp.

A build hands over all its quads, graph after graph. Each graph's content gets a digest; a
manifest in the store directory's cache remembers the digest of every graph this directory
last wrote to this endpoint, and the version stamp it left there. On the next build:

- a graph whose digest is unchanged is not sent again;
- a changed or new graph is replaced in one atomic request (RemoteStore.put_graph);
- a graph of the project that the build no longer writes (a removed report) is deleted.

The manifest is trusted only while the endpoint still holds the stamp written with it: a
build that was interrupted (its stamp says "building"), or another writer that stamped the
store since, makes the next build send every graph again. Readers (kg serve) watch the stamp
to know when their cached answers are stale.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.backends.remote import GRAPH_PREFIX, RemoteError, RemoteStore

BUILDING = "building-"  # the stamp while a build writes: nothing it wrote is trusted yet


@dataclass(frozen=True)
class RemoteInfo:
    """What a write left on the endpoint (the counterpart of kg.store.StoreInfo)."""

    endpoint: str
    version: str  # the stamp left on the endpoint: the store version (cache keys, ETags)
    graphs: int  # graphs the build holds
    quads: int
    replaced: tuple[str, ...]  # graphs sent (new or changed)
    unchanged: int  # graphs left as they were
    deleted: tuple[str, ...]  # graphs of the project the build no longer writes


def write_graphs(backend: RemoteStore, store_dir: Path, quads: Iterable[ox.Quad],
                 verify=None) -> RemoteInfo:
    """Write a build's quads graph by graph, only what changed; `verify(backend)` is called
    once the graphs are written and may raise (the stamp then stays "building")."""
    manifest_path = _manifest_path(store_dir, backend.query_url)
    known = _trusted_digests(manifest_path, backend.stamp())
    backend.set_stamp(BUILDING + _version_name())
    digests: dict[str, str | None] = {}
    n, replaced = 0, []
    for graph, triples in graph_runs(quads):
        n += len(triples)
        if graph in digests:  # a graph that came in two runs: add the rest, no digest
            backend.add_to_graph(graph, triples)
            digests[graph] = None
            continue
        digests[graph] = graph_digest(triples)
        if known.get(graph) != digests[graph] or digests[graph] is None:
            backend.put_graph(graph, triples)
            replaced.append(graph)
    previous = known.keys() if known else backend.graphs()
    gone = [g for g in previous if g.startswith(GRAPH_PREFIX) and g not in digests]
    for graph in gone:
        backend.delete_graph(graph)
    if verify is not None:
        verify(backend)
    version = "remote-" + _version_name()
    backend.set_stamp(version)
    _save_manifest(manifest_path, {"endpoint": backend.query_url, "stamp": version,
                                   "graphs": digests})
    info = RemoteInfo(endpoint=backend.query_url, version=version, graphs=len(digests),
                      quads=n, replaced=tuple(replaced),
                      unchanged=len(digests) - len(replaced), deleted=tuple(gone))
    backend.last_write = info
    return info


def graph_runs(quads: Iterable[ox.Quad]) -> Iterator[tuple[str, list[ox.Triple]]]:
    """Consecutive quads of one named graph, run by run: a build writes each graph in one
    piece, so memory holds one graph at a time."""
    graph, run = None, []
    for q in quads:
        if isinstance(q.graph_name, ox.DefaultGraph):
            raise RemoteError("a build writes named graphs only; got a default-graph quad")
        if q.graph_name.value != graph:
            if run:
                yield graph, run
            graph, run = q.graph_name.value, []
        run.append(ox.Triple(q.subject, q.predicate, q.object))
    if run:
        yield graph, run


def graph_digest(triples: list[ox.Triple]) -> str:
    """A digest of a graph's content, the same however its triples are ordered. Blank nodes
    are named by order of first appearance (a parse names them anew each time)."""
    names: dict[str, str] = {}

    def term(t) -> str:
        if isinstance(t, ox.BlankNode):
            return names.setdefault(t.value, f"_:b{len(names)}")
        return str(t)

    lines = sorted(f"{term(t.subject)} {term(t.predicate)} {term(t.object)}" for t in triples)
    h = hashlib.blake2b(digest_size=16)
    for line in lines:
        h.update(line.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def _trusted_digests(path: Path, stamp: str | None) -> dict[str, str | None]:
    """The digests of the last write from here, if the endpoint still holds that write."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not stamp or stamp.startswith(BUILDING) or manifest.get("stamp") != stamp:
        return {}
    return dict(manifest.get("graphs", {}))


def _manifest_path(store_dir: Path, endpoint: str) -> Path:
    name = hashlib.blake2b(endpoint.encode("utf-8"), digest_size=8).hexdigest()
    return Path(store_dir) / "cache" / f"remote-graphs-{name}.json"


def _save_manifest(path: Path, manifest: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(manifest), encoding="utf-8")
    os.replace(tmp, path)


def _version_name() -> str:
    # the random part tells apart two builds within one second
    return time.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
