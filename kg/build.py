"""`kg build`: report files in, a new verified store version out, with a summary.

Documents are processed independently (in parallel when there are several), resolved
together, mapped to quads and streamed into a new store version that replaces the
current one only when complete (see kg.store).
"""
from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pyoxigraph import Quad

from kg import pipeline, rdf, store
from kg.model import Document, EntityKind, QuantityRole
from kg.resolve import resolve

SUPPORTED_SUFFIXES = {".txt", ".text", ".html", ".htm", ".xhtml", ".docx", ".pdf"}
PARALLEL_THRESHOLD = 4  # below this, process start-up costs more than it saves


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


def _process(args: tuple[Path, Path | None, str]) -> pipeline.DocumentResult:
    return pipeline.process_file(*args)


def run_pipeline(files: list[Path], cache_dir: Path | None, jobs: int | None,
                 progress: Callable[[pipeline.DocumentResult], None] | None = None
                 ) -> list[pipeline.DocumentResult]:
    fingerprint = pipeline.code_fingerprint()
    work = [(f, cache_dir, fingerprint) for f in files]
    jobs = jobs or os.cpu_count() or 1
    results = []
    if jobs > 1 and len(files) >= PARALLEL_THRESHOLD:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for r in pool.map(_process, work, chunksize=1):
                results.append(r)
                if progress:
                    progress(r)
    else:
        for w in work:
            r = _process(w)
            results.append(r)
            if progress:
                progress(r)
    return results


def _assign_keys(docs: list[Document]) -> None:
    """Document keys are file stems, made unique when two folders hold the same name."""
    seen: Counter[str] = Counter()
    for doc in docs:
        stem = doc.source.path.stem
        seen[stem] += 1
        doc.attrs["key"] = stem if seen[stem] == 1 else f"{stem}-{seen[stem]}"


def _drop_duplicates(results: list[pipeline.DocumentResult], summary: BuildSummary
                     ) -> list[Document]:
    docs, by_digest = [], {}
    for r in results:
        if r.document is None:
            continue
        digest = hashlib.sha256(r.document.text.encode()).hexdigest()
        if digest in by_digest:
            summary.warnings.append(f"{r.path.name}: same text as {by_digest[digest]}; "
                                    "built once")
            continue
        by_digest[digest] = r.path.name
        docs.append(r.document)
    return docs


def build(paths: Iterable[Path], store_dir: Path, jobs: int | None = None,
          wait: bool = False, use_cache: bool = True,
          progress: Callable[[pipeline.DocumentResult], None] | None = None,
          on_files: Callable[[int], None] | None = None) -> BuildSummary:
    """Build the reports under `paths` into a new version of the store in `store_dir`."""
    store_dir = Path(store_dir)
    summary = BuildSummary(store=str(store_dir))
    t_start = time.perf_counter()
    files, problems = collect_files(paths)
    summary.failed.extend(problems)
    if not files:
        raise BuildError("no report files to build: " + "; ".join(problems or ["no paths given"]))
    try:
        with store.build_lock(store_dir, wait=wait):
            if on_files:
                on_files(len(files))
            results = run_pipeline(files, store_dir / "cache" if use_cache else None, jobs, progress)
            stage_times: Counter[str] = Counter()
            for r in results:
                stage_times.update(r.timings)
                if r.error:
                    summary.failed.append(r.error)
                summary.cached += r.cached
            docs = _drop_duplicates(results, summary)
            if not docs:
                raise BuildError("no document could be built; the store was left as it was:\n  "
                                 + "\n  ".join(summary.failed))
            _assign_keys(docs)
            t = time.perf_counter()
            resolution = resolve(docs)
            stage_times["resolve"] = time.perf_counter() - t
            _count(docs, resolution, summary)

            counted = _Counter()
            t = time.perf_counter()
            info = store.write_version(store_dir, counted.wrap(all_quads(docs, resolution)),
                                       verify=lambda s: _verify(s, counted.n))
            stage_times["store"] = time.perf_counter() - t
            summary.triples = counted.n
            summary.version = info.version
            summary.timings = {k: round(v, 4) for k, v in stage_times.items()}
    except store.StoreError as e:
        raise BuildError(str(e)) from e
    summary.timings["total"] = round(time.perf_counter() - t_start, 4)
    return summary


def all_quads(docs: list[Document], resolution) -> Iterator[Quad]:
    from kg.validate import load_ontology_quads

    yield from load_ontology_quads()
    for doc in docs:
        yield from rdf.document_quads(doc, resolution)
    yield from rdf.gazetteer_quads(resolution)


class _Counter:
    def __init__(self):
        self.n = 0

    def wrap(self, quads: Iterable[Quad]) -> Iterator[Quad]:
        for q in quads:
            self.n += 1
            yield q


def _verify(new_store, written: int) -> None:
    # Duplicate quads collapse in the store, so it can hold fewer than were written, never more.
    held = len(new_store)
    if held == 0 or held > written:
        raise BuildError(f"the new store holds {held} quads after writing {written}; "
                         "kept the previous version")


def _count(docs: list[Document], resolution, summary: BuildSummary) -> None:
    summary.documents = len(docs)
    for doc in docs:
        summary.sections += len(doc.sections)
        summary.columns += len(doc.columns)
        summary.sentences += len(doc.sentences)
        summary.mentions += len(doc.mentions)
        summary.warnings.extend(f"{doc.source_file}: {w}" for w in doc.warnings)
        for q in doc.quantities:
            if q.year is None:
                continue
            if q.role is QuantityRole.TARGET:
                summary.targets += 1
            else:
                summary.observations += 1
        for rel in doc.relations:
            summary.links[rel.predicate] = summary.links.get(rel.predicate, 0) + 1
    summary.entities = {k.value: len(resolution.of_kind(k)) for k in EntityKind
                        if resolution.of_kind(k)}
