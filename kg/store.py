"""The one owner of Oxigraph on disk: store layout, versions, atomic swap, build lock.

A store directory given as `--store DIR` looks like this:

    DIR/policykg-store.json   marker: format version and the current version's name
    DIR/versions/<id>/        one complete Oxigraph store per build
    DIR/current               symlink to versions/<id>, replaced atomically (rename)
    DIR/cache/                per-document extraction cache (see kg.pipeline)
    DIR/derived/<id>/         files computed from version <id> (the server's analyses);
                              removed with the version
    DIR/build.lock            held (flock) by the one build that may run at a time

A build writes a new version next to the current one and swaps `current` only after the
new store is complete and verified; a failed or killed build leaves the previous version
untouched and serving. Readers resolve `current` once when they open the store.

Each document's statements live in its own named graph; the default graph of every version
holds their RDF merge, each triple once, and is what queries read by default
(`default_graph_options`): the loader writes every quad also as a triple of the default graph
(the same bulk load, so the store's keys make each triple one), and a patch drops the
triples no named graph holds any more. Oxigraph's own union of the named graphs would count
a triple stated in two reports twice (oxigraph#1919).
"""
from __future__ import annotations

import fcntl
import gzip
import json
import os
import re
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from itertools import islice

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, Triple, parse

MARKER = "policykg-store.json"
FORMAT_VERSION = 1
KEEP_VERSIONS = 2  # the current one and the one before, for in-flight readers


class StoreError(Exception):
    """A store directory that cannot be used, with what to do about it."""


class StoreLocked(StoreError):
    pass


@dataclass(frozen=True)
class StoreInfo:
    path: Path
    version: str  # the name of the current version: changes on every build (ETag material)
    version_path: Path


def store_info(path: Path) -> StoreInfo:
    """Check that `path` is a policykg store and say which version is current."""
    path = Path(path)
    if not path.exists():
        raise StoreError(f"{path}: no store here; build one with `kg build REPORTS --store {path}`")
    if not path.is_dir():
        raise StoreError(f"{path}: not a directory, so not a policykg store")
    marker = path / MARKER
    if not marker.is_file():
        raise StoreError(f"{path}: not a policykg store (no {MARKER}); "
                         "pass the directory given to `kg build --store`")
    try:
        meta = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise StoreError(f"{path}: store marker {MARKER} is unreadable ({e})") from e
    if meta.get("format") != FORMAT_VERSION:
        raise StoreError(f"{path}: store format {meta.get('format')!r} is not "
                         f"{FORMAT_VERSION}; rebuild it with `kg build`")
    current = path / "current"
    if not current.is_dir():
        raise StoreError(f"{path}: the store has no complete version yet "
                         "(a first build failed or is running)")
    version_path = current.resolve()
    return StoreInfo(path=path, version=version_path.name, version_path=version_path)


def open_store(path: Path, read_only: bool = True) -> Store:
    """Open the current version of a store; read-only unless a writer is asked for."""
    info = store_info(path)
    try:
        return Store.read_only(str(info.version_path)) if read_only else Store(str(info.version_path))
    except (OSError, RuntimeError) as e:  # pyoxigraph reports corruption as RuntimeError
        raise StoreError(f"{path}: the Oxigraph store in {info.version_path} is corrupt or "
                         f"unreadable ({e}); restore a backup or rebuild") from e


def init_store_dir(path: Path) -> None:
    """Create an empty store directory, or accept an existing store; refuse anything else."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path}: exists and is not a directory")
    if path.is_dir() and any(path.iterdir()) and not (path / MARKER).exists():
        raise StoreError(f"{path}: exists, is not empty and is not a policykg store; "
                         "choose another --store directory")
    (path / "versions").mkdir(parents=True, exist_ok=True)
    (path / "cache").mkdir(exist_ok=True)
    marker = path / MARKER
    if not marker.exists():
        _write_json_atomic(marker, {"format": FORMAT_VERSION})


@contextmanager
def build_lock(path: Path, wait: bool = False) -> Iterator[None]:
    """Only one build at a time per store; a second one fails at once (or waits)."""
    path = Path(path)
    init_store_dir(path)
    fd = os.open(path / "build.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
            raise StoreLocked(f"{path}: another build is running (pid {holder or '?'}); "
                              "wait for it or use --wait") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock, also when the process is killed


# N-Quads bytes per bulk load (~300k quads of a report graph): Oxigraph's loader holds a
# whole call's quads in memory (~1 KB each), but each call adds level-0 files to every
# index that the loader does not compact: 16 MiB batches (160 calls for 12M quads) stalled
# RocksDB's writes for good ("Stalling writes because we have 33 level-0 files"), where
# batches of this size (as many calls as the 250k-quad chunks before) load 36M quads. Each
# batch is loaded twice over in its call (the default graph's merge), so 32 MiB of files
# make a 64 MiB call.
LOAD_BYTES = 32 << 20
QUAD_CHUNK = 20_000  # Python quads per bulk load


def _release_memory() -> None:
    """Hand the loader's freed memory back to the system: glibc keeps it in per-thread
    arenas otherwise, and the process grows with every load."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc


# The graph term that ends an N-Quads line of a named graph: without it, the line is a triple
# of the default graph (files given to write_version hold named-graph quads only).
_GRAPH_TERM = re.compile(rb" <[^<>\s]*> \.(?=\r?\n)")


# Graph files of the build's cache are gzip'd N-Quads (`.nq.gz`): the text of a report's graph
# is ~50× the report's own, and level-1 gzip makes it ~20× smaller at ~500 MB/s each way.
NQ_SUFFIX = ".nq.gz"
NQ_LEVEL = 1


def open_nq(path: Path, mode: str = "rb"):
    """An N-Quads file of the build (gzip'd when its name says so), to use in a `with`."""
    path = Path(path)
    if not path.name.endswith(".gz"):
        return open(path, mode)
    if "w" not in mode:
        return gzip.open(path, mode)
    return _gzip_writer(path)


@contextmanager
def _gzip_writer(path: Path) -> Iterator[gzip.GzipFile]:
    # no name and no time in the gzip header: the same quads make the same bytes
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                compresslevel=NQ_LEVEL, mtime=0) as f:
        yield f


def parse_nq(path: Path) -> Iterator[Quad]:
    """The quads of one of the build's N-Quads files."""
    with open_nq(path) as f:
        yield from parse(input=f, format=RdfFormat.N_QUADS)


class _Loader:
    """Feeds a store's bulk loader in bounded batches: N-Quads files as text, in batches of
    about LOAD_BYTES that Oxigraph parses itself (no Python Quad objects), and Python
    quads in batches of QUAD_CHUNK, as they are (so their blank nodes keep their
    identity: the parser renames a file's blank nodes on each call). Every quad is loaded
    twice in the same call: in its named graph and in the default graph (the merge)."""

    def __init__(self, store: Store):
        self.store = store
        self.parts: list[bytes] = []
        self.size = 0

    def add_text(self, data: bytes) -> None:
        if not data:
            return
        if not data.endswith(b"\n"):
            data += b"\n"
        self.parts.append(data)
        self.size += len(data)
        if self.size >= LOAD_BYTES:
            self.flush()

    def add_file(self, path: Path) -> None:
        with open_nq(path) as f:
            while block := f.read(LOAD_BYTES):
                if not block.endswith(b"\n"):
                    block += f.readline()  # a statement is one line: end on a line break
                self.add_text(block)

    def add_quads(self, quads: Iterable[Quad]) -> None:
        quads, default = iter(quads), DefaultGraph()
        while chunk := list(islice(quads, QUAD_CHUNK)):
            chunk += [Quad(q.subject, q.predicate, q.object, default) for q in chunk]
            self.store.bulk_extend(chunk)

    def flush(self) -> None:
        if self.parts:
            data = b"".join(self.parts)
            self.parts, self.size = [], 0
            data += _GRAPH_TERM.sub(b" .", data)  # the same statements in the default graph
            self.store.bulk_load(data, RdfFormat.N_QUADS)
            del data
            _release_memory()


def write_version(path: Path, quads: Iterable[Quad | Path] = (), verify=None, *,
                  base: Path | None = None, remove: Iterable = (),
                  remove_quads: Iterable[Path] = (), edit=None) -> StoreInfo:
    """Write a complete new version, verify it, then swap it in atomically.

    The version starts empty, or as a copy of the version at `base` (a checkpoint: hard
    links, instant) with the `remove` graphs and the quads of the `remove_quads` N-Quads
    files dropped, so an incremental build writes only what changed. `quads` holds quads
    and N-Quads files (Paths, plain or gzip'd, parsed by Oxigraph; a blank node in a file
    is one node only within a batch, so the build's files hold none), bulk-loaded in
    batches, so memory stays flat however many there are; `edit(store)` may change the
    new store further (a SPARQL update). `verify(store)` may raise to refuse the
    new version; the previous one stays current. Must be called under `build_lock`.
    """
    path = Path(path)
    version = _next_version_name(path)
    tmp = path / "versions" / (version + ".partial")
    final = path / "versions" / version
    try:
        if base is not None:
            source = Store.read_only(str(base))
            source.backup(str(tmp))
            del source
        new = Store(str(tmp))
        # Triples taken out of named graphs: held by none of them any more, they leave the
        # merged default graph too.
        stale: set[Triple] = set()
        for graph in remove:
            stale.update(q.triple for q in new.quads_for_pattern(None, None, None, graph))
            new.remove_graph(graph)
        for nq in remove_quads:
            for q in parse_nq(nq):
                stale.add(q.triple)
                new.remove(q)
        loader, pending = _Loader(new), []
        for item in quads:
            if isinstance(item, Quad):
                stale.discard(item.triple)
                pending.append(item)
                if len(pending) >= QUAD_CHUNK:
                    loader.add_quads(pending)
                    pending = []
            else:  # an N-Quads file
                loader.add_quads(pending)
                pending = []
                loader.add_file(item)
                if stale:  # a patch: what its graphs write again is held, no need to look
                    stale.difference_update(q.triple for q in parse_nq(item))
        loader.add_quads(pending)
        loader.flush()
        if edit is not None:
            edit(new)
        if edit is not None:  # an update may have changed any graph
            merge_after_update(new, base)
        else:
            drop_unheld(new, stale)
        new.flush()  # into the files: the next version is a copy of them
        if verify is not None:
            verify(new)
        if base is None:
            new.optimize()  # a copied version keeps the compaction of its base
        # close before the rename: the loader holds the store too, and a store closed
        # after its directory moved took a second to close (the seed build's 3.1 s → 4.1 s)
        del new, loader
        os.rename(tmp, final)
        link_tmp = path / f"current.{os.getpid()}.tmp"
        if link_tmp.is_symlink() or link_tmp.exists():
            link_tmp.unlink()
        os.symlink(Path("versions") / version, link_tmp)
        os.replace(link_tmp, path / "current")  # the atomic swap
        _fsync_dir(path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _prune_versions(path, keep=final)
    return store_info(path)


def merge_after_update(store: Store, base: Path | None) -> None:
    """Mend the merged default graph after a SPARQL update: add what the named graphs now
    hold and it lacks, and drop what the update took out of them — a triple the default
    graph holds alone that `base` held in a named graph. A triple the update wrote into the
    default graph itself stays."""
    missing = [Quad(r[0], r[1], r[2], DefaultGraph()) for r in store.query(
        "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } }")]
    store.extend(missing)  # read first: an update usually adds few triples to a large store
    alone = [Triple(r[0], r[1], r[2]) for r in store.query(
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }")]
    if alone and base is not None:
        before = Store.read_only(str(base))
        drop_unheld(store, [t for t in alone if _held(before, t)])


def drop_unheld(store: Store, triples: Iterable[Triple]) -> None:
    """Take out of the default graph each triple no named graph holds any more."""
    default = DefaultGraph()
    for t in triples:
        if not _held(store, t):
            store.remove(Quad(t.subject, t.predicate, t.object, default))


def _held(store: Store, t: Triple) -> bool:
    """Whether a named graph holds the triple. What the pattern finds is compared with it
    again: Oxigraph's on-disk store (0.5.13) also finds, for an object whose encoding ends
    in a 0xFF byte (the integers 255, 4095, 8447 …), the quads of the next value — so an
    offset that moved by one character stayed in the merged default graph."""
    default = DefaultGraph()
    return any(q.graph_name != default and q.triple == t
               for q in store.quads_for_pattern(t.subject, t.predicate, t.object, None))


def named_quad_count(store: Store) -> int:
    """Quads in the named graphs: all of them but the default graph's merge."""
    merged = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0]
    return len(store) - int(merged.value)


def default_graph_options(store) -> dict:
    """`store.query` keywords that make the default graph the merge of the named graphs: none
    for a version that holds the merge (written since it exists: its default graph is not
    empty); Oxigraph's union of the named graphs for an older version or another store."""
    store = getattr(store, "store", store)  # a kg.backends.embedded.EmbeddedStore wraps one
    if isinstance(store, Store) and next(store.quads_for_pattern(None, None, None, DefaultGraph()),
                                         None) is not None:
        return {}
    return {"use_default_graph_as_union": True}


def _next_version_name(path: Path) -> str:
    """`v<sequence>-<time>`: names sort in the order versions were written, whatever the
    clock does, so pruning always drops the oldest. Called under the build lock."""
    seqs = [int(m.group(1)) for p in (path / "versions").iterdir()
            if (m := re.match(r"v(\d+)-", p.name))] if (path / "versions").is_dir() else []
    return f"v{max(seqs, default=0) + 1:08d}-{time.strftime('%Y%m%dT%H%M%S')}"


DERIVED = "derived"  # <store>/derived/<version>/: files computed from one version


def derived_dir(path: Path, version: str) -> Path:
    """Where what is computed from a store version is kept: beside the versions, not in the
    version's own directory (RocksDB's)."""
    return Path(path) / DERIVED / version


def _prune_versions(path: Path, keep: Path) -> None:
    versions = sorted(p for p in (path / "versions").iterdir() if p.is_dir())
    stale = [p for p in versions if p.name.endswith(".partial")]  # left by killed builds
    complete = [p for p in versions if not p.name.endswith(".partial") and p != keep]
    stale += complete[:max(0, len(complete) - (KEEP_VERSIONS - 1))]
    for p in stale:
        shutil.rmtree(p, ignore_errors=True)
    prune_derived(path)


def prune_derived(path: Path) -> list[str]:
    """Remove the derived files of versions the store no longer keeps (also those a reader
    of a pruned version wrote after the prune); returns their version names."""
    root, versions = Path(path) / DERIVED, Path(path) / "versions"
    if not root.is_dir():
        return []
    gone = [d for d in root.iterdir() if not (versions / d.name).is_dir()]
    for d in gone:
        shutil.rmtree(d, ignore_errors=True)
    return [d.name for d in gone]


def _write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
