"""`kg build`: report files in, a new verified store version out, with a summary.

The build streams, so its memory does not grow with the number of reports:
1. extract: each file is read, parsed and extracted on its own (in worker processes
   when there are several); the Document is pickled in the cache and only its summary
   (counts and resolution keys, see kg.pipeline.DocumentSummary) comes back;
2. resolve: summaries are folded into entities in file order (kg.resolve.Resolver);
3. map: each document is read back from the cache and mapped to its named graph's
   quads, written as an N-Quads file in the cache, keyed by the document and by what the
   graph says of its entities, so an unchanged graph is reused on the next build;
4. store: the ontology, those files and the gazetteer graph are streamed into a new
   store version that replaces the current one only when complete and when it holds
   exactly the quads written (see kg.store). When the cache holds the manifest of the
   current version (which file each graph came from) and few graphs changed, the new
   version is a copy of the current one with only those graphs replaced.
"""
from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pyoxigraph import Quad, RdfFormat, parse, serialize

from kg import pipeline, rdf, store
from kg.model import EntityKind
from kg.resolve import Resolution, Resolver, entity_digest
from kg.vocab import BASE, ONTOLOGY_GRAPH, RDF, RDFS, SKOS, graph_iri

SUPPORTED_SUFFIXES = {".txt", ".text", ".html", ".htm", ".xhtml", ".docx", ".pdf"}
# Below this many files, worker start-up (each loads jieba and the gazetteer) costs more
# than the second core saves.
PARALLEL_THRESHOLD = 2
RESERVED_KEYS = {"ontology", "gazetteer"}  # graph names the build writes itself
QUADS_DIR = "quads"  # under the cache: one N-Quads file per document graph


class BuildError(Exception):
    """The build as a whole could not run (no input, a locked or foreign store)."""


@dataclass
class BuildSummary:
    store: str = ""
    version: str = ""
    documents: int = 0  # read and built
    failed: list[str] = field(default_factory=list)  # one line per file that was not built
    warnings: list[str] = field(default_factory=list)
    cached: int = 0
    sections: int = 0
    columns: int = 0
    sentences: int = 0
    mentions: int = 0
    entities: dict[str, int] = field(default_factory=dict)
    targets: int = 0
    observations: int = 0
    links: dict[str, int] = field(default_factory=dict)
    triples: int = 0
    graphs_reused: int = 0  # document graphs taken unchanged from the previous build
    patched: bool = False  # the new version is the previous one with the changed graphs replaced
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage

    @property
    def ok(self) -> bool:
        return not self.failed and self.documents > 0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["ok"] = self.ok
        return d


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """Expand folders into report files; name every path that cannot be used."""
    files, problems = [], []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file()
                           and f.suffix.lower() in SUPPORTED_SUFFIXES
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not found:
                problems.append(f"{p}: folder holds no report files ({', '.join(sorted(SUPPORTED_SUFFIXES))})")
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            problems.append(f"{p}: no such file or folder")
    return files, problems


def _pool(jobs: int, work: Callable, items: list) -> tuple[Executor, list[Future]]:
    """Workers forked now, with every item submitted. Fork: workers inherit what the parent
    holds (jieba, the gazetteer, the resolution) for free, copy-on-write; the parent's
    objects are frozen out of the garbage collector meanwhile, or each worker's collections
    would touch (and so copy) every page of them."""
    gc.freeze()
    try:
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"))
        return pool, [pool.submit(work, item) for item in items]  # the first submit forks
    finally:
        gc.unfreeze()


# ---------------------------------------------------------------- 1. extract

def _extract(args: tuple[Path, Path, str]) -> pipeline.DocumentResult:
    path, cache_dir, fingerprint = args
    return pipeline.process_file(path, cache_dir, fingerprint, keep_document=False)


def run_pipeline(files: list[Path], cache_dir: Path, jobs: int | None,
                 progress: Callable[[pipeline.DocumentResult], None] | None = None,
                 timings: Counter | None = None) -> Iterator[pipeline.DocumentResult]:
    """Extract every file into the cache; yield the results (summaries) in file order."""
    fingerprint = pipeline.code_fingerprint()
    work = [(f, cache_dir, fingerprint) for f in files]
    jobs = min(jobs or os.cpu_count() or 1, len(files))
    to_extract = sum(1 for f in files if not _is_cached(f, cache_dir, fingerprint))
    if jobs > 1 and to_extract >= PARALLEL_THRESHOLD:
        # workers forked after the warm-up start with jieba and the gazetteer loaded, and
        # share their memory with the parent (copy-on-write)
        t = time.perf_counter()
        pipeline.warm_up()
        if timings is not None:
            timings["warm-up (wall)"] += time.perf_counter() - t
        pool, futures = _pool(jobs, _extract, work)
        with pool:
            for f in futures:
                r = f.result()
                if progress:
                    progress(r)
                yield r
    else:
        for w in work:
            r = _extract(w)
            if progress:
                progress(r)
            yield r


def _is_cached(path: Path, cache_dir: Path, fingerprint: str) -> bool:
    try:
        return pipeline.cache_file_for(path.read_bytes(), cache_dir, fingerprint).exists()
    except OSError:
        return True  # unreadable: the worker reports it, at no cost


@dataclass
class _Planned:
    """A document that goes into the store: where its extraction is cached, its key."""

    path: Path
    key: str
    cache_file: Path


def _extract_and_resolve(files: list[Path], cache_dir: Path, jobs: int | None,
                         progress, summary: BuildSummary, stage_times: Counter
                         ) -> tuple[list[_Planned], Resolution]:
    resolver = Resolver()
    planned: list[_Planned] = []
    by_digest: dict[str, str] = {}
    stems: Counter[str] = Counter(RESERVED_KEYS)
    t_resolve, t_start = 0.0, time.perf_counter()
    for r in run_pipeline(files, cache_dir, jobs, progress, stage_times):
        stage_times.update(r.timings)
        summary.cached += r.cached
        if r.error:
            summary.failed.append(r.error)
            continue
        s = r.summary
        if s.text_digest in by_digest:
            summary.warnings.append(f"{r.path.name}: same text as {by_digest[s.text_digest]}; "
                                    "built once")
            continue
        by_digest[s.text_digest] = r.path.name
        # document keys are file stems, made unique when two folders hold the same name
        stem = r.path.stem
        stems[stem] += 1
        key = stem if stems[stem] == 1 else f"{stem}-{stems[stem]}"
        planned.append(_Planned(r.path, key, r.cache_file))
        _count(s, r.path.name, summary)
        t = time.perf_counter()
        resolver.add(s.keys)
        t_resolve += time.perf_counter() - t
    t = time.perf_counter()
    stage_times["extract (wall)"] = t - t_start - t_resolve - stage_times["warm-up (wall)"]
    resolution = resolver.result()
    stage_times["resolve"] = t_resolve + time.perf_counter() - t
    summary.documents = len(planned)
    summary.entities = {k.value: n for k in EntityKind if (n := len(resolution.of_kind(k)))}
    return planned, resolution


def _count(s: pipeline.DocumentSummary, name: str, summary: BuildSummary) -> None:
    summary.sections += s.sections
    summary.columns += s.columns
    summary.sentences += s.sentences
    summary.mentions += s.mentions
    summary.targets += s.targets
    summary.observations += s.observations
    for k, v in s.links.items():
        summary.links[k] = summary.links.get(k, 0) + v
    summary.warnings.extend(f"{name}: {w}" for w in s.warnings)


# ---------------------------------------------------------------- 3. map

# The resolution of the running build; set before mapping workers are forked.
_RESOLUTION: Resolution | None = None
_DIGESTS: dict[int, bytes] = {}  # id(entity) -> entity_digest, per process


def rdf_fingerprint() -> str:
    """A hash of the code that shapes the quads, so a change to it remaps every graph."""
    h = hashlib.sha256(b"rdf-2")  # 2: graph file headers name entities by kind and key
    root = Path(__file__).parent
    for name in ("rdf.py", "vocab.py"):
        h.update((root / name).read_bytes())
    return h.hexdigest()[:12]


def _body_digest(doc_summary: pipeline.DocumentSummary, plan: _Planned, res: Resolution,
                 fingerprint: str) -> str:
    """What a document's graph, but for its entity descriptions, depends on: its
    extraction, key, file name and the code (entity IRIs follow from the extraction's
    resolution keys), and whether its own place is an entity (kgo:aboutPlace, refArea)."""
    place = bool(doc_summary.place_code
                 and (EntityKind.PLACE, doc_summary.place_code) in res.entities)
    return hashlib.blake2b(f"{fingerprint}\0{plan.key}\0{plan.path.name}\0"
                           f"{plan.cache_file.name}\0{place}".encode(), digest_size=10).hexdigest()


# An entity's description (type, labels, attributes) is repeated in every graph that
# mentions it, so one report that adds an alias changes many graphs: only by these quads,
# which are kept apart from the rest of each graph so that a rebuild swaps only them.
DESCRIPTION_PREDICATES = {RDF.type, RDFS.label, SKOS.altLabel, *rdf.ATTRIBUTE_PROPERTIES.values()}
ENTITY_PREFIXES = tuple(f"{BASE}id/{k.value}/" for k in EntityKind)


def _is_description(q: Quad) -> bool:
    return q.predicate in DESCRIPTION_PREDICATES and q.subject.value.startswith(ENTITY_PREFIXES)


def _described_keys(quads: Iterable[Quad], res: Resolution, keys) -> list[tuple[str, str]]:
    """The (kind, resolution key) of every entity a graph describes, in order: the graph
    file's header lists them, so that a rebuild finds each entity without an IRI index
    over the whole resolution (which, built in every mapping worker, grew with the corpus)."""
    by_iri: dict[str, tuple[str, str]] = {}
    for kind, key, *_ in keys.mentions:
        if (e := res.mention_entities.get((kind, key))) is not None:
            by_iri.setdefault(rdf.iri_of(e).value, (kind.value, key))
    for key, _ in keys.indicators:
        if (e := res.indicator_entities.get(key)) is not None:
            by_iri.setdefault(rdf.iri_of(e).value, (EntityKind.INDICATOR.value, key))
    described = dict.fromkeys(q.subject.value for q in quads if _is_description(q))
    return [by_iri[iri] for iri in described]


def _digest_of(entity) -> bytes:
    d = _DIGESTS.get(id(entity))
    if d is None:
        d = _DIGESTS[id(entity)] = entity_digest(entity)
    return d


def _write_nq(target: Path, quads: Iterable[Quad], header: str) -> None:
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(header.encode())
        serialize(quads, f, RdfFormat.N_QUADS)
    tmp.replace(target)


def _read_header(path: Path) -> tuple[int, list[str]]:
    """The quad count and the described entities written in a graph file's first lines."""
    with open(path, "rb") as f:
        n = int(f.readline().split()[1])
        line = f.readline()
    described = json.loads(line[len(b"# described "):]) if line.startswith(b"# described ") else []
    return n, described


def _map(args: tuple[_Planned, Path, str]) -> tuple[str, tuple[Path, int, Path, int], bool]:
    """One document's graph as two N-Quads files: its body, and the descriptions of the
    entities it mentions; each reused from the cache when what it depends on is unchanged."""
    plan, quads_dir, fingerprint = args
    res = _RESOLUTION
    doc_summary, _ = pipeline.load_cached(plan.cache_file, plan.path, document=False)
    stem = plan.cache_file.stem
    body = quads_dir / f"{stem}-{_body_digest(doc_summary, plan, res, fingerprint)}.nq"
    reused = body.exists()
    if reused:
        try:
            n_body, described = _read_header(body)
        except (OSError, ValueError, IndexError):
            body.unlink(missing_ok=True)
            reused = False
    if not reused:
        _, doc = pipeline.load_cached(plan.cache_file, plan.path)
        doc.attrs["key"] = plan.key
        quads = dict.fromkeys(rdf.document_quads(doc, res.for_document(doc, doc_summary.keys)))
        body_quads = [q for q in quads if not _is_description(q)]
        described = _described_keys(quads, res, doc_summary.keys)
        n_body = len(body_quads)
        _write_nq(body, body_quads, f"# {n_body} quads\n# described {json.dumps(described)}\n")
    entities = [res.entities[(EntityKind(kind), key)] for kind, key in described]
    h = hashlib.blake2b(digest_size=10)
    for e in entities:
        h.update(_digest_of(e))
    desc = body.with_name(f"{body.stem}-{h.hexdigest()}.nq")
    try:
        n_desc = _read_header(desc)[0]
    except (OSError, ValueError, IndexError):
        g = graph_iri(plan.key)
        desc_quads = dict.fromkeys(q for e in entities for q in rdf.entity_description(e, g))
        n_desc = len(desc_quads)
        _write_nq(desc, desc_quads, f"# {n_desc} quads\n")
        reused = False
    return plan.key, (body, n_body, desc, n_desc), reused


class _Mapper:
    """Maps the documents to N-Quads files, in worker processes when there are several.

    The workers are forked when the mapper is made, so they inherit the resolution, and
    before the store is opened (forking a process that runs RocksDB threads is unsafe).
    """

    def __init__(self, planned: list[_Planned], quads_dir: Path, jobs: int | None):
        fingerprint = rdf_fingerprint()
        self.work = [(p, quads_dir, fingerprint) for p in planned]
        jobs = min(jobs or os.cpu_count() or 1, len(planned))
        self.pool: Executor | None = None
        self.futures: list[Future] = []
        if jobs > 1 and len(planned) >= PARALLEL_THRESHOLD:
            self.pool, self.futures = _pool(jobs, _map, self.work)

    def __iter__(self) -> Iterator[tuple[str, tuple[Path, int, Path, int], bool]]:
        if self.pool is None:
            for w in self.work:
                yield _map(w)
            return
        for f in as_completed(self.futures):
            yield f.result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


# ---------------------------------------------------------------- 4. store

class _Written:
    """The distinct quads sent to the store, source by source, and which graph came from
    which file (the manifest of the version, for the next build to patch)."""

    def __init__(self):
        self.n = 0
        self.reused = 0
        # document key -> [body file, its quads, descriptions file, its quads]
        self.graphs: dict[str, list] = {}
        self.used: set[str] = set()

    def documents(self, mapped: Iterable) -> Iterator[Quad]:
        for key, files, reused in mapped:
            self.record(key, files, reused)
            yield from parse(path=files[0], format=RdfFormat.N_QUADS)
            yield from parse(path=files[2], format=RdfFormat.N_QUADS)

    def record(self, key: str, files: tuple[Path, int, Path, int], reused: bool) -> None:
        body, n_body, desc, n_desc = files
        self.used.update((body.name, desc.name))
        self.graphs[key] = [body.name, n_body, desc.name, n_desc]
        self.n += n_body + n_desc
        self.reused += reused


class _Shared:
    """The two graphs the build writes itself: the ontology and the gazetteer chain."""

    def __init__(self, resolution: Resolution, cache_dir: Path):
        from kg.ontology import ONTOLOGY_FILES, load_ontology_quads, ontology_path

        self.ontology = dict.fromkeys(load_ontology_quads())
        h = hashlib.blake2b(digest_size=10)
        for name in ONTOLOGY_FILES:  # its blank nodes differ on every parse; the files do not
            h.update(ontology_path(name).read_bytes())
        self.ontology_digest = h.hexdigest()
        self.gazetteer, self.gazetteer_digest = self._gazetteer(resolution, cache_dir)

    @staticmethod
    def _gazetteer(resolution: Resolution, cache_dir: Path) -> tuple[dict, str]:
        """The gazetteer graph, from the cache when the same places were resolved (so a
        rebuild needs not load the gazetteer)."""
        h = hashlib.blake2b(digest_size=10)
        h.update(rdf_fingerprint().encode())
        for e in resolution.of_kind(EntityKind.PLACE):
            h.update(f"{e.key}\0{e.attrs.get('adcode', '')}\n".encode())
        digest = h.hexdigest()
        cached = cache_dir / QUADS_DIR / f"gazetteer-{digest}.nq"
        if cached.is_file():
            try:
                return dict.fromkeys(parse(path=cached, format=RdfFormat.N_QUADS)), digest
            except (OSError, SyntaxError, ValueError):
                pass
        quads = dict.fromkeys(rdf.gazetteer_quads(resolution))
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            serialize(quads, f, RdfFormat.N_QUADS)
        tmp.replace(cached)
        return quads, digest

    def manifest(self) -> dict:
        return {"ontology": [self.ontology_digest, len(self.ontology)],
                "gazetteer": [self.gazetteer_digest, len(self.gazetteer)]}


def _verify(new_store, written: int) -> None:
    # Every source was deduplicated and every graph is written by one source only, so the
    # store must hold exactly what was written.
    held = len(new_store)
    if held != written:
        raise BuildError(f"the new store holds {held} quads after writing {written}; "
                         "kept the previous version")


# ---------------------------------------------------------------- writing a version

MANIFESTS_DIR = "manifests"  # under the cache: which file each graph of a version came from
# Patch the current version (copy it, replace the changed graphs) when at most this share
# of the document graphs changed; past it, a fresh bulk load is as fast and stays compact.
PATCH_LIMIT = 0.5


def _write_full(store_dir: Path, mapper: Iterable, shared: _Shared, written: _Written,
                write=None):
    def quads() -> Iterator[Quad]:
        written.n += len(shared.ontology)
        yield from shared.ontology
        yield from written.documents(mapper)
        written.n += len(shared.gazetteer)
        yield from shared.gazetteer

    write = write or store.write_version
    return write(store_dir, quads(), verify=lambda s: _verify(s, written.n))


def _read_manifest(store_dir: Path, cache_dir: Path) -> dict | None:
    """The manifest of the store's current version, when this cache wrote it."""
    try:
        info = store.store_info(store_dir)
        manifest = json.loads((cache_dir / MANIFESTS_DIR / f"{info.version}.json").read_text())
    except (store.StoreError, OSError, ValueError):
        return None
    manifest["version_path"] = info.version_path
    return manifest


def _write_manifest(cache_dir: Path, version: str, manifest: dict) -> None:
    folder = cache_dir / MANIFESTS_DIR
    folder.mkdir(exist_ok=True)
    target = folder / f"{version}.json"
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest), encoding="utf-8")
    tmp.replace(target)
    for f in folder.glob("*.json"):
        if f != target:
            f.unlink(missing_ok=True)


def _write_patch(store_dir: Path, old: dict, mapper: Iterable, shared: _Shared,
                 written: _Written):
    """Write the new version as the current one minus the graphs that changed, plus their
    new content; None when too much changed for that to pay."""
    results = list(mapper)  # mostly graphs reused from the cache: cheap
    for r in results:
        written.record(*r)
    old_graphs = old.get("graphs", {})
    quads_dir = results[0][1][0].parent if results else None
    changed, described, gone = [], [], [k for k in old_graphs if k not in written.graphs]
    for k, v in written.graphs.items():
        was = old_graphs.get(k)
        if was == v:
            continue
        if was and len(was) == 4 and was[0] == v[0] and (quads_dir / was[2]).is_file():
            described.append(k)  # only the descriptions of its entities changed
        else:
            changed.append(k)
    if len(changed) + len(gone) > PATCH_LIMIT * len(written.graphs):
        return None, results
    new_shared = shared.manifest()
    remove = [graph_iri(k) for k in changed + gone]
    if old.get("ontology") != new_shared["ontology"]:
        remove.append(ONTOLOGY_GRAPH)
    if old.get("gazetteer") != new_shared["gazetteer"]:
        remove.append(rdf.GAZETTEER_GRAPH)
    stale = [quads_dir / old_graphs[k][2] for k in described]
    files = {r[0]: r[1] for r in results}

    def quads() -> Iterator[Quad]:
        if ONTOLOGY_GRAPH in remove:
            yield from shared.ontology
        for key in changed:
            yield from parse(path=files[key][0], format=RdfFormat.N_QUADS)
        for key in changed + described:
            yield from parse(path=files[key][2], format=RdfFormat.N_QUADS)
        if rdf.GAZETTEER_GRAPH in remove:
            yield from shared.gazetteer

    written.n += len(shared.ontology) + len(shared.gazetteer)
    info = store.write_version(store_dir, quads(), lambda s: _verify(s, written.n),
                          base=old["version_path"], remove=remove, remove_quads=stale)
    return info, results


def _prune_quads(quads_dir: Path, planned: list[_Planned], used: set[str]) -> None:
    """Drop the superseded graph files of this build's documents (older descriptions) and
    gazetteer graphs; the files of documents not in this build stay for later builds."""
    prefixes = {p.cache_file.stem for p in planned}
    for f in quads_dir.glob("*.nq"):
        if f.name not in used and ("-".join(f.name.split("-")[:2]) in prefixes
                                   or f.name.startswith("gazetteer-")):
            f.unlink(missing_ok=True)


# ---------------------------------------------------------------- the build

def build(paths: Iterable[Path], store_dir: Path, jobs: int | None = None,
          wait: bool = False, use_cache: bool = True,
          progress: Callable[[pipeline.DocumentResult], None] | None = None,
          on_files: Callable[[int], None] | None = None, backend=None) -> BuildSummary:
    """Build the reports under `paths` into a new version of the store in `store_dir`.

    With `backend` (a kg.backends.remote.RemoteStore) the graphs are written to that SPARQL
    endpoint instead; `store_dir` then only holds the extraction cache and the build lock.
    """
    store_dir = Path(store_dir)
    summary = BuildSummary(store=str(store_dir))
    t_start = time.perf_counter()
    files, problems = collect_files(paths)
    summary.failed.extend(problems)
    if not files:
        raise BuildError("no report files to build: " + "; ".join(problems or ["no paths given"]))
    global _RESOLUTION
    try:
        with store.build_lock(store_dir, wait=wait):
            if on_files:
                on_files(len(files))
            # without the cache, extraction results are spooled and dropped at the end
            cache_dir = (store_dir / "cache" if use_cache
                         else Path(tempfile.mkdtemp(prefix=".spool-", dir=store_dir)))
            try:
                stage_times: Counter[str] = Counter()
                planned, resolution = _extract_and_resolve(files, cache_dir, jobs, progress,
                                                           summary, stage_times)
                if not planned:
                    raise BuildError("no document could be built; the store was left as it was:\n  "
                                     + "\n  ".join(summary.failed))
                quads_dir = cache_dir / QUADS_DIR
                quads_dir.mkdir(exist_ok=True)
                written = _Written()
                t = time.perf_counter()
                _RESOLUTION = resolution
                shared = _Shared(resolution, cache_dir)
                old = _read_manifest(store_dir, cache_dir) if use_cache and backend is None else None
                mapper = _Mapper(planned, quads_dir, jobs)
                try:
                    info = None
                    if old is not None:
                        info, mapper_results = _write_patch(store_dir, old, mapper, shared, written)
                        if info is None:  # too much changed: write it all, from the same files
                            written = _Written()
                            info = _write_full(store_dir, mapper_results, shared, written)
                        else:
                            summary.patched = True
                    else:
                        info = _write_full(store_dir, mapper, shared, written,
                                           backend.write_version if backend is not None else None)
                finally:
                    mapper.close()
                stage_times["map+store"] = time.perf_counter() - t
                if use_cache and backend is None:
                    _write_manifest(cache_dir, info.version,
                                    {"graphs": written.graphs, **shared.manifest()})
                _prune_quads(quads_dir, planned,
                             written.used | {f"gazetteer-{shared.gazetteer_digest}.nq"})
            finally:
                _RESOLUTION = None
                _DIGESTS.clear()
                if not use_cache:
                    shutil.rmtree(cache_dir, ignore_errors=True)
            summary.triples = written.n
            summary.graphs_reused = written.reused
            summary.version = info.version
            summary.timings = {k: round(v, 4) for k, v in stage_times.items()}
    except store.StoreError as e:
        raise BuildError(str(e)) from e
    summary.timings["total"] = round(time.perf_counter() - t_start, 4)
    return summary
