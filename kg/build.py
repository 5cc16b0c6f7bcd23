"""`kg build`: report files in, a new verified store version out, with a summary.

The build streams, so its memory does not grow with the number of reports:
1. extract: each file is read, parsed and extracted on its own (in worker processes
   when there are several); the Document is pickled in the cache, and the same worker
   maps it to the body of its named graph (all the graph says that follows from the
   document alone), an N-Quads file in the cache; only its summary (counts and
   resolution keys, see kg.pipeline.DocumentSummary) comes back;
2. resolve: summaries are folded into entities in file order (kg.resolve.StoredResolver),
   starting from the previous build's resolution (kept in the cache): the reports added,
   changed or removed since are folded in or taken out, and only the entities they touch
   are made again;
3. describe: each graph gets a second file with what depends on the whole corpus (its
   entities' labels and attributes, its figures' labels, the link to its own place),
   keyed by what it says, so an unchanged one is reused on the next build (without
   reading its entities, when none of them changed);
4. store: the ontology, those files and the gazetteer graph are streamed into a new
   store version that replaces the current one only when complete and when it holds
   exactly the quads written (see kg.store). A first build loads each body while the
   other reports are still being extracted. When the cache holds the manifest of the
   current version (which files each graph came from) and few graphs changed, the new
   version is a copy of the current one with only those graphs (or descriptions) replaced.
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
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, parse, serialize

from kg import pipeline, rdf, store
from kg.model import Entity, EntityKind
from kg.resolve import Resolution, Resolver, StoredResolution, StoredResolver
from kg.vocab import BASE, KGO, ONTOLOGY_GRAPH, RDF, RDFS, SKOS, graph_iri, iri_key

SUPPORTED_SUFFIXES = {".txt", ".text", ".html", ".htm", ".xhtml", ".docx", ".pdf"}
# Below this many files, worker start-up (each loads jieba and the gazetteer) costs more
# than the second core saves.
PARALLEL_THRESHOLD = 2
RESERVED_KEYS = {"ontology", "gazetteer"}  # graph names the build writes itself
QUADS_DIR = "quads"  # under the cache: one N-Quads file per document graph
# under the cache: the last successful build's resolution, where the next one starts
RESOLUTION_STATE = "resolution.sqlite"


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
    # entities made by this build's resolution: all of them, or on a rebuild those whose
    # mentions were in the reports added, changed or removed
    entities_made: int = 0
    patched: bool = False  # the new version is the previous one with the changed graphs replaced
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage

    @property
    def ok(self) -> bool:
        return not self.failed and self.documents > 0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["ok"] = self.ok
        return d


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[str], list[str]]:
    """Expand folders into report files: (files, problems, skipped) — problems name every
    path that cannot be used, skipped every file in a folder that is not of a report type."""
    files, problems, skipped = [], [], []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file()
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            reports = [f for f in found if f.suffix.lower() in SUPPORTED_SUFFIXES]
            if not reports:
                problems.append(f"{p}: folder holds no report files ({', '.join(sorted(SUPPORTED_SUFFIXES))})")
            skipped.extend(f"{f}: skipped, not a report file type ({f.suffix or 'no suffix'})"
                           for f in found if f.suffix.lower() not in SUPPORTED_SUFFIXES)
            files.extend(reports)
        elif p.is_file():
            files.append(p)
        else:
            problems.append(f"{p}: no such file or folder")
    return files, problems, skipped


# Items submitted ahead of the one being consumed, per worker: enough to keep the workers
# busy, few enough that results waiting for the parent (a summary holds every mention's
# resolution key) stay a bounded number however many reports there are.
AHEAD = 4


def _map(jobs: int, work: Callable, items: list) -> Iterator:
    """work(item) for each item, in workers, yielded in order. Workers are forked at the
    first submit: they inherit what the parent holds (jieba, the gazetteer) for free,
    copy-on-write; the parent's objects are frozen out of the garbage collector meanwhile,
    or each worker's collections would touch (and so copy) every page of them."""
    pending: deque[Future] = deque()
    todo = iter(items)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        gc.freeze()
        try:
            pending.extend(pool.submit(work, item) for item in islice(todo, jobs * AHEAD))
        finally:
            gc.unfreeze()
        while pending:
            result = pending.popleft().result()
            pending.extend(pool.submit(work, item) for item in islice(todo, 1))
            yield result


# ---------------------------------------------------------------- 1. extract (and map)

def _extract(args: tuple[Path, Path, str, str]) -> pipeline.DocumentResult:
    """Extract one file into the cache and write its graph's body (see `ensure_body`),
    keyed as if the document's key were its file stem; return the summary only."""
    path, cache_dir, fingerprint, rdf_fp = args
    r = pipeline.process_file(path, cache_dir, fingerprint, keep_document=False)
    if r.error is None and r.cache_file is not None:
        ensure_body(r.cache_file, path, path.stem, r.summary, rdf_fp)
    return r


def run_pipeline(files: list[Path], cache_dir: Path, jobs: int | None,
                 progress: Callable[[pipeline.DocumentResult], None] | None = None,
                 timings: Counter | None = None) -> Iterator[pipeline.DocumentResult]:
    """Extract every file into the cache; yield the results (summaries) in file order."""
    fingerprint = pipeline.code_fingerprint()
    (cache_dir / QUADS_DIR).mkdir(parents=True, exist_ok=True)
    rdf_fp = rdf_fingerprint()
    work = [(f, cache_dir, fingerprint, rdf_fp) for f in files]
    jobs = min(jobs or os.cpu_count() or 1, len(files))
    done = [_is_done(f, cache_dir, fingerprint, rdf_fp) for f in files]
    if jobs > 1 and sum(1 for d in done if not d) >= PARALLEL_THRESHOLD:
        # workers forked after the warm-up start with jieba and the gazetteer loaded, and
        # share their memory with the parent (copy-on-write); bodies alone need neither
        t = time.perf_counter()
        if any(d is None for d in done):
            pipeline.warm_up()
        if timings is not None:
            timings["warm-up (wall)"] += time.perf_counter() - t
        for r in _map(jobs, _extract, work):
            if progress:
                progress(r)
            yield r
    else:
        for w in work:
            r = _extract(w)
            if progress:
                progress(r)
            yield r


def _is_done(path: Path, cache_dir: Path, fingerprint: str, rdf_fp: str) -> bool | None:
    """Whether a file's extraction and its graph's body are both in the cache: None when
    its extraction is not, False when only its body is missing."""
    try:
        cache_file = pipeline.cache_file_for(path.read_bytes(), cache_dir, fingerprint)
    except OSError:
        return True  # unreadable: the worker reports it, at no cost
    if not cache_file.exists():
        return None  # to extract
    return body_file(cache_file, path.stem, path.name, rdf_fp).exists()


@dataclass
class _Planned:
    """A document that goes into the store: where its extraction is cached, its key."""

    path: Path
    key: str
    cache_file: Path
    cached: bool = False  # its extraction came from the cache


class _Extraction:
    """Extracts the files and folds their summaries into a resolution, in file order,
    yielding each document as it is planned (so the store can take its body at once)."""

    def __init__(self, files: list[Path], cache_dir: Path, jobs: int | None, progress,
                 summary: BuildSummary, stage_times: Counter):
        self.args = files, cache_dir, jobs, progress
        self.summary, self.stage_times = summary, stage_times
        # groups and entities on disk: memory does not grow with the corpus; a rebuild
        # starts from the previous build's
        self.state = cache_dir / RESOLUTION_STATE
        # the working copies of builds that crashed (the build lock rules out a running one)
        for f in cache_dir.glob("resolution-*.sqlite*"):
            f.unlink(missing_ok=True)
        self.resolver = StoredResolver(cache_dir / f"resolution-{os.getpid()}.sqlite",
                                       previous=self.state)
        self.planned: list[_Planned] = []
        self.resolution: StoredResolution | None = None

    def __iter__(self) -> Iterator[_Planned]:
        files, cache_dir, jobs, progress = self.args
        summary, stage_times = self.summary, self.stage_times
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
            plan = _Planned(r.path, key, r.cache_file, r.cached)
            self.planned.append(plan)
            _count(s, r.path.name, summary)
            t = time.perf_counter()
            self.resolver.add(r.cache_file.name, s.keys)
            t_resolve += time.perf_counter() - t
            yield plan
        t = time.perf_counter()
        # with a streaming write, this includes loading the bodies that came first
        stage_times["extract (wall)"] = t - t_start - t_resolve - stage_times["warm-up (wall)"]
        self.resolution = resolution = self.resolver.result()
        self.resolver = None  # its groups are the entities' now
        stage_times["resolve"] = t_resolve + time.perf_counter() - t
        summary.documents = len(self.planned)
        summary.entities_made = resolution.made
        counts = resolution.counts()
        summary.entities = {k.value: counts[k.value] for k in EntityKind if counts.get(k.value)}
        if not self.planned:
            raise BuildError("no document could be built; the store was left as it was:\n  "
                             + "\n  ".join(summary.failed))

    def run(self) -> tuple[list[_Planned], StoredResolution]:
        for _ in self:
            pass
        return self.planned, self.resolution

    def keep(self, version: str) -> None:
        """Keep the resolution as the state the next build starts from."""
        self.resolution.keep(self.state, version)
        self.resolution = None

    def close(self) -> None:
        """Remove the resolution's file (unless kept)."""
        if self.resolution is not None:
            self.resolution.close()
        elif self.resolver is not None:
            self.resolver.close()


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
#
# A document's graph is written as two N-Quads files. The body is all that follows from
# the document alone (entity IRIs follow from its resolution keys), so it is written by
# the worker that extracted it, before resolution. The descriptions hold what depends on
# the whole corpus: each entity's type, labels and attributes (repeated in every graph
# that mentions it, so one report that adds an alias changes many graphs only by these
# quads), the labels of its figures (they start with the indicator's label), and the
# links to the report's own place when that place is an entity.

def rdf_fingerprint() -> str:
    """A hash of the code that shapes the quads, so a change to it remaps every graph."""
    # 4: bodies written before resolution; descriptions hold figure labels and place links
    h = hashlib.sha256(b"rdf-4")
    root = Path(__file__).parent
    for name in ("rdf.py", "vocab.py"):
        h.update((root / name).read_bytes())
    return h.hexdigest()[:12]


def body_file(cache_file: Path, key: str, source_name: str, rdf_fp: str) -> Path:
    """Where a document's body goes: named by its extraction, key, file name and the code."""
    digest = hashlib.blake2b(f"{rdf_fp}\0{key}\0{source_name}\0{cache_file.name}".encode(),
                             digest_size=10).hexdigest()
    return cache_file.parent / QUADS_DIR / f"{cache_file.stem}-{digest}{store.NQ_SUFFIX}"


DESCRIPTION_PREDICATES = {RDF.type, RDFS.label, SKOS.altLabel, *rdf.ATTRIBUTE_PROPERTIES.values()}
ENTITY_PREFIXES = tuple(f"{BASE}id/{k.value}/" for k in EntityKind)
FIGURE_PREFIXES = tuple(f"{BASE}id/{role}/" for role in ("target", "observation"))
PLACE_PREDICATES = {KGO.aboutPlace, KGO.refArea}  # to the report's own place


def _is_description(q: Quad) -> bool:
    return q.predicate in DESCRIPTION_PREDICATES and q.subject.value.startswith(ENTITY_PREFIXES)


def _provisional(keys, place_code: str) -> Resolution:
    """The document's entities on their own: the IRIs are the build's (they follow from
    the resolution keys); what depends on other documents is not written in the body."""
    resolver = Resolver()
    resolver.add(keys)
    res = resolver.result()
    if place_code and (EntityKind.PLACE, place_code) not in res.entities:
        res.entities[(EntityKind.PLACE, place_code)] = Entity(
            kind=EntityKind.PLACE, key=iri_key(place_code), label=place_code)
    return res


def ensure_body(cache_file: Path, path: Path, key: str, doc_summary: pipeline.DocumentSummary,
                rdf_fp: str) -> tuple[Path, dict]:
    """The body file of a document (made from its cached extraction when missing) and its
    header: quad count, described entities, figure labels and place links."""
    body = body_file(cache_file, key, path.name, rdf_fp)
    try:
        return body, _read_header(body)
    except (OSError, EOFError, ValueError, IndexError, KeyError):  # missing or torn
        pass
    _, doc = pipeline.load_cached(cache_file, path)
    doc.attrs["key"] = key
    keys = doc_summary.keys
    res = _provisional(keys, doc_summary.place_code)
    quads = dict.fromkeys(rdf.document_quads(doc, res.for_document(doc, keys)))
    by_iri: dict[str, list[str]] = {}  # entity IRI -> [kind, resolution key]
    for kind, rkey, *_ in keys.mentions:
        by_iri.setdefault(rdf.iri_of(res.mention_entities[(kind, rkey)]).value, [kind.value, rkey])
    for rkey, _ in keys.indicators:
        by_iri.setdefault(rdf.iri_of(res.indicator_entities[rkey]).value,
                          [EntityKind.INDICATOR.value, rkey])
    indicator_of = {q.subject.value: q.object.value for q in quads if q.predicate == KGO.indicator}
    described, labels, places, body_quads = {}, [], [], []
    for q in quads:
        if _is_description(q):
            described.setdefault(q.subject.value)
        elif q.predicate in PLACE_PREDICATES:
            places.append([q.subject.value, q.predicate.value])
        elif q.predicate == RDFS.label and q.subject.value.startswith(FIGURE_PREFIXES):
            kind, rkey = by_iri[indicator_of[q.subject.value]]
            label = res.indicator_entities[rkey].label
            if not q.object.value.startswith(label):  # not the shape this expects
                raise ValueError(f"figure label {q.object.value!r} does not start with {label!r}")
            labels.append([q.subject.value, rkey, q.object.value[len(label):]])
        else:
            body_quads.append(q)
    header = {"quads": len(body_quads), "described": [by_iri[iri] for iri in described],
              "labels": labels, "place": [doc_summary.place_code, places]}
    _write_nq(body, body_quads, f"# {len(body_quads)} quads\n"
                                f"# {json.dumps(header, ensure_ascii=False)}\n")
    return body, header


def _write_nq(target: Path, quads: Iterable[Quad], header: str) -> None:
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp.gz")
    with store.open_nq(tmp, "wb") as f:
        f.write(header.encode())
        serialize(quads, f, RdfFormat.N_QUADS)
    tmp.replace(target)


def _read_header(path: Path) -> dict:
    with store.open_nq(path) as f:
        n = int(f.readline().split()[1])
        header = json.loads(f.readline()[2:])
    if header["quads"] != n:
        raise ValueError(f"{path}: torn header")
    return header


def ensure_descriptions(plan: _Planned, body: Path, header: dict, res: StoredResolution,
                        previous: list | None = None) -> tuple[Path, int, bool]:
    """The descriptions file of a document's graph under the build's resolution (reused
    when what it says is unchanged): its path, quad count, and whether it was reused.
    `previous` is the graph's entry in the manifest of the build `res` started from."""
    if (kept := _kept_descriptions(body, header, res, previous)) is not None:
        return (*kept, True)
    found = [res.get(EntityKind(kind), key) for kind, key in header["described"]]
    entities = [e for e, _ in found]
    code, places = header["place"]
    place = res.entities.get((EntityKind.PLACE, code)) if code and places else None
    h = hashlib.blake2b(digest_size=10)
    for _, digest in found:
        h.update(digest)
    for _, key, _ in header["labels"]:
        h.update(res.indicator_entities[key].label.encode() + b"\0")
    h.update(b"place" if place is not None else b"")
    desc = body.with_name(f"{body.name.removesuffix(store.NQ_SUFFIX)}-{h.hexdigest()}{store.NQ_SUFFIX}")
    try:
        with store.open_nq(desc) as f:
            return desc, int(f.readline().split()[1]), True
    except (OSError, EOFError, ValueError, IndexError):
        pass
    g = graph_iri(plan.key)
    quads = dict.fromkeys(q for e in entities for q in rdf.entity_description(e, g))
    for figure, key, tail in header["labels"]:
        quads[Quad(NamedNode(figure), RDFS.label,
                   rdf.zh(res.indicator_entities[key].label + tail), g)] = None
    if place is not None:
        for s, p in places:
            quads[Quad(NamedNode(s), NamedNode(p), rdf.iri_of(place), g)] = None
    _write_nq(desc, quads, f"# {len(quads)} quads\n")
    return desc, len(quads), False


def _kept_descriptions(body: Path, header: dict, res: StoredResolution,
                       previous: list | None) -> tuple[Path, int] | None:
    """The previous build's descriptions of a graph when they still hold (the same body,
    and no entity they describe, figure indicator or own place changed since): a rebuild
    after one report changed then reads only the entities of the graphs it touched."""
    changed = res.changed
    if previous is None or changed is None or previous[0] != body.name:
        return None
    code, places = header["place"]
    if (any((kind, key) in changed for kind, key in header["described"])
            or any((EntityKind.INDICATOR.value, key) in changed for _, key, _ in header["labels"])
            or (code and places and (EntityKind.PLACE.value, code) in changed)):
        return None
    desc = body.with_name(previous[2])
    return (desc, previous[3]) if desc.is_file() else None


def _body_of(plan: _Planned, rdf_fp: str) -> tuple[Path, dict]:
    body = body_file(plan.cache_file, plan.key, plan.path.name, rdf_fp)
    try:
        return body, _read_header(body)
    except (OSError, EOFError, ValueError, IndexError, KeyError):  # missing or torn
        return _make_body((plan, rdf_fp))


def _make_body(args: tuple[_Planned, str]) -> tuple[Path, dict]:
    plan, rdf_fp = args
    doc_summary, _ = pipeline.load_cached(plan.cache_file, plan.path, document=False)
    return ensure_body(plan.cache_file, plan.path, plan.key, doc_summary, rdf_fp)


def _bodies(planned: list[_Planned], jobs: int | None) -> Iterator[tuple[Path, dict]]:
    """Each planned document's body, in order: made when missing (a document whose key is
    not its stem, or all of them after the RDF code changed), in workers when many are."""
    rdf_fp = rdf_fingerprint()
    missing = [p for p in planned
               if not body_file(p.cache_file, p.key, p.path.name, rdf_fp).is_file()]
    jobs = min(jobs or os.cpu_count() or 1, len(missing))
    if jobs > 1 and len(missing) >= PARALLEL_THRESHOLD:
        for _ in _map(jobs, _make_body, [(p, rdf_fp) for p in missing]):
            pass
    for p in planned:
        yield _body_of(p, rdf_fp)


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

    def record(self, key: str, files: tuple[Path, int, Path, int], reused: bool) -> None:
        body, n_body, desc, n_desc = files
        self.used.update((body.name, desc.name))
        self.graphs[key] = [body.name, n_body, desc.name, n_desc]
        self.n += n_body + n_desc
        self.reused += reused


class _Shared:
    """The two graphs the build writes itself: the ontology and the gazetteer chain."""

    def __init__(self, cache_dir: Path):
        from kg.ontology import ONTOLOGY_FILES, load_ontology_quads, ontology_path

        self.cache_dir = cache_dir
        self.ontology = dict.fromkeys(load_ontology_quads())
        h = hashlib.blake2b(digest_size=10)
        for name in ONTOLOGY_FILES:  # its blank nodes differ on every parse; the files do not
            h.update(ontology_path(name).read_bytes())
        self.ontology_digest = h.hexdigest()
        self.gazetteer: dict = {}
        self.gazetteer_digest = ""

    def add_gazetteer(self, resolution: Resolution) -> None:
        """The gazetteer graph, from the cache when the same places were resolved (so a
        rebuild needs not load the gazetteer)."""
        h = hashlib.blake2b(digest_size=10)
        h.update(rdf_fingerprint().encode())
        for e in resolution.of_kind(EntityKind.PLACE):
            h.update(f"{e.key}\0{e.attrs.get('adcode', '')}\n".encode())
        self.gazetteer_digest = digest = h.hexdigest()
        cached = self.cache_dir / QUADS_DIR / f"gazetteer-{digest}{store.NQ_SUFFIX}"
        if cached.is_file():
            try:
                self.gazetteer = dict.fromkeys(_parse(cached))
                return
            except (OSError, EOFError, SyntaxError, ValueError):
                pass
        self.gazetteer = dict.fromkeys(rdf.gazetteer_quads(resolution))
        _write_nq(cached, self.gazetteer, "")

    def manifest(self) -> dict:
        return {"ontology": [self.ontology_digest, len(self.ontology)],
                "gazetteer": [self.gazetteer_digest, len(self.gazetteer)]}


def _verify(new_store, written: int) -> None:
    # Every source was deduplicated and every graph is written by one source only, so the
    # store must hold exactly what was written.
    held = store.named_quad_count(new_store)  # a patched version holds its base's merge
    if held != written:
        raise BuildError(f"the new store holds {held} quads after writing {written}; "
                         "kept the previous version")


def _verify_graphs(new_store, expected: dict[NamedNode, int]) -> None:
    """A patched version: each graph it wrote or emptied holds what it should (0 for one
    removed); the graphs it copied are its base's, which was verified when written.
    Counting these, not the whole store, keeps a one-report rebuild from reading every quad."""
    values = " ".join(str(g) for g in expected)
    held_by = {r[0]: int(r[1].value) for r in new_store.query(
        f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} "
        "GROUP BY ?g")} if expected else {}
    for graph, n in expected.items():
        held = held_by.get(graph, 0)
        if held != n:
            raise BuildError(f"the new store's graph <{graph.value}> holds {held} quads after "
                             f"writing {n}; kept the previous version")


def _parse(path: Path) -> Iterator[Quad]:
    return store.parse_nq(path)


def _statements(path: Path) -> set[bytes]:
    """The N-Quads lines of one of the build's files, without its header comments."""
    with store.open_nq(path) as f:
        return {line for line in f if not line.startswith(b"#")}


# ---------------------------------------------------------------- writing a version

MANIFESTS_DIR = "manifests"  # under the cache: which file each graph of a version came from
# Patch the current version (copy it, replace the changed graphs) when at most this share
# of the document graphs changed; past it, a fresh bulk load is as fast and stays compact.
PATCH_LIMIT = 0.5


def _write_streaming(store_dir: Path, extraction: _Extraction, shared: _Shared,
                     written: _Written):
    """A new version written while the reports are extracted: each body goes to the store
    as soon as its document is extracted, then, after resolution, every graph's
    descriptions and the gazetteer."""
    rdf_fp = rdf_fingerprint()

    def quads() -> Iterator[Quad | Path]:
        written.n += len(shared.ontology)
        yield from shared.ontology
        bodies = []  # not their headers: those are read again, one at a time
        for plan in extraction:
            body, _ = _body_of(plan, rdf_fp)
            yield body  # the store parses the file itself
            bodies.append((plan, body))
        res = extraction.resolution
        for plan, body in bodies:
            header = _read_header(body)
            desc, n_desc, reused = ensure_descriptions(plan, body, header, res)
            written.record(plan.key, (body, header["quads"], desc, n_desc), reused and plan.cached)
            yield desc
        shared.add_gazetteer(res)
        written.n += len(shared.gazetteer)
        yield from shared.gazetteer

    return store.write_version(store_dir, quads(), verify=lambda s: _verify(s, written.n))


def _write_full(store_dir: Path, results: list, shared: _Shared, written: _Written,
                write=None):
    """A new version from graph files already made, each graph in one piece."""
    def quads() -> Iterator[Quad | Path]:
        written.n += len(shared.ontology) + len(shared.gazetteer)
        yield from shared.ontology
        for key, files, reused in results:
            written.record(key, files, reused)
            yield files[0]
            yield files[2]
        yield from shared.gazetteer

    if write is None:
        return store.write_version(store_dir, quads(), verify=lambda s: _verify(s, written.n))
    # another store takes quads only
    return write(store_dir, _parsed(quads()), verify=lambda s: _verify(s, written.n))


def _parsed(items: Iterable[Quad | Path]) -> Iterator[Quad]:
    for item in items:
        if isinstance(item, Quad):
            yield item
        else:
            yield from _parse(item)


def _read_manifest(store_dir: Path, cache_dir: Path) -> dict | None:
    """The manifest of the store's current version, when this cache wrote it."""
    try:
        info = store.store_info(store_dir)
        manifest = json.loads((cache_dir / MANIFESTS_DIR / f"{info.version}.json").read_text())
    except (store.StoreError, OSError, ValueError):
        return None
    manifest["version_path"] = info.version_path
    manifest["version"] = info.version
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


def _write_patch(store_dir: Path, old: dict, results: list, shared: _Shared,
                 written: _Written):
    """Write the new version as the current one minus the graphs that changed, plus their
    new content; None when too much changed for that to pay."""
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
        return None
    new_shared = shared.manifest()
    remove = [graph_iri(k) for k in changed + gone]
    if old.get("ontology") != new_shared["ontology"]:
        remove.append(ONTOLOGY_GRAPH)
    if old.get("gazetteer") != new_shared["gazetteer"]:
        remove.append(rdf.GAZETTEER_GRAPH)
    files = {r[0]: r[1] for r in results}
    # a graph whose descriptions changed swaps only the quads that differ (an alias added
    # to an entity named in fifty reports changes a few quads in each, not their files)
    # (compared as lines: one serializer wrote both files, so equal quads are equal lines)
    stale, fresh = [], []
    for key in described:
        before = _statements(quads_dir / old_graphs[key][2])
        after = _statements(files[key][2])
        stale.extend(before - after)
        fresh.extend(after - before)
    stale_file = quads_dir / f".stale-{os.getpid()}{store.NQ_SUFFIX}"
    with store.open_nq(stale_file, "wb") as f:
        f.writelines(stale)
    fresh = list(parse(b"".join(fresh), format=RdfFormat.N_QUADS)) if fresh else []

    def quads() -> Iterator[Quad | Path]:
        if ONTOLOGY_GRAPH in remove:
            yield from shared.ontology
        for key in changed:
            yield files[key][0]
            yield files[key][2]
        yield from fresh
        if rdf.GAZETTEER_GRAPH in remove:
            yield from shared.gazetteer

    written.n += len(shared.ontology) + len(shared.gazetteer)
    expected = {graph_iri(k): 0 for k in gone}
    for key in changed + described:
        expected[graph_iri(key)] = sum(written.graphs[key][1::2])  # body + descriptions
    if ONTOLOGY_GRAPH in remove:
        expected[ONTOLOGY_GRAPH] = len(shared.ontology)
    if rdf.GAZETTEER_GRAPH in remove:
        expected[rdf.GAZETTEER_GRAPH] = len(shared.gazetteer)
    try:
        return store.write_version(store_dir, quads(), lambda s: _verify_graphs(s, expected),
                                   base=old["version_path"], remove=remove,
                                   remove_quads=[stale_file])
    finally:
        stale_file.unlink(missing_ok=True)


def _prune_quads(quads_dir: Path, planned: list[_Planned], used: set[str]) -> None:
    """Drop the superseded graph files of this build's documents (older descriptions) and
    gazetteer graphs; the files of documents not in this build stay for later builds."""
    prefixes = {p.cache_file.stem for p in planned}
    for f in quads_dir.glob("*.nq*"):  # plain .nq files are from before the files were gzip'd
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
    files, problems, skipped = collect_files(paths)
    summary.failed.extend(problems)
    summary.warnings.extend(skipped)
    if not files:
        raise BuildError("no report files to build: " + "; ".join(problems or ["no paths given"]))
    try:
        with store.build_lock(store_dir, wait=wait):
            if on_files:
                on_files(len(files))
            # without the cache, extraction results are spooled and dropped at the end
            cache_dir = (store_dir / "cache" if use_cache
                         else Path(tempfile.mkdtemp(prefix=".spool-", dir=store_dir)))
            extraction = None
            try:
                stage_times: Counter[str] = Counter()
                extraction = _Extraction(files, cache_dir, jobs, progress, summary, stage_times)
                shared = _Shared(cache_dir)
                written = _Written()
                old = _read_manifest(store_dir, cache_dir) if use_cache and backend is None else None
                if old is None and backend is None:
                    # a first build: the store takes each body as its report is extracted
                    info = _write_streaming(store_dir, extraction, shared, written)
                    stage_times["map+store"] = (time.perf_counter() - t_start
                                                - sum(v for k, v in stage_times.items() if "wall" in k)
                                                - stage_times["resolve"])
                else:
                    planned, resolution = extraction.run()
                    t = time.perf_counter()
                    shared.add_gazetteer(resolution)
                    # the graphs of the version the resolution started from
                    before = (old.get("graphs", {}) if old is not None
                              and resolution.base == old["version"] else {})
                    results = []
                    for plan, (body, header) in zip(planned, _bodies(planned, jobs)):
                        desc, n_desc, reused = ensure_descriptions(plan, body, header, resolution,
                                                                   before.get(plan.key))
                        results.append((plan.key, (body, header["quads"], desc, n_desc),
                                        reused and plan.cached))
                    info = None
                    if old is not None:
                        info = _write_patch(store_dir, old, results, shared, written)
                        summary.patched = info is not None
                    if info is None:  # a remote store, or too much changed to patch
                        written = _Written()
                        info = _write_full(store_dir, results, shared, written,
                                           backend.write_version if backend is not None else None)
                    stage_times["map+store"] = time.perf_counter() - t
                if use_cache and backend is None:
                    _write_manifest(cache_dir, info.version,
                                    {"graphs": written.graphs, **shared.manifest()})
                if use_cache:
                    extraction.keep(info.version)
                _prune_quads(cache_dir / QUADS_DIR, extraction.planned,
                             written.used | {f"gazetteer-{shared.gazetteer_digest}{store.NQ_SUFFIX}"})
            finally:
                if extraction is not None:
                    extraction.close()
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
