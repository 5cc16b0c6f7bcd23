"""The extraction pipeline: one report file in, one enriched Document out.

Components run in a fixed order, each a callable `Document -> Document` that adds what
it finds and knows nothing of the ones after it (spaCy's model). The list below is the
one place where the order is configured.
"""
from __future__ import annotations

import hashlib
import importlib
import os
import pickle
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.model import Document, QuantityRole
from kg.resolve import DocumentMentions, document_mentions

Component = Callable[[Document], Document]

# (stage name, "module:function"): segmentation first, then places, since later
# components use them as context; links last, since they connect what the others found.
COMPONENTS: list[tuple[str, str]] = [
    ("segment", "kg.pipeline:segment_words"),  # jieba once, shared by the components
    ("places", "kg.extract.places:extract_places"),
    ("strategies", "kg.extract.strategies:extract_strategies"),
    ("events", "kg.extract.events:extract_events"),
    ("organizations", "kg.extract.organizations:extract_organizations"),
    ("projects", "kg.extract.projects:extract_projects"),
    ("sectors", "kg.extract.sectors:extract_sectors"),
    ("quantities", "kg.extract.quantities:extract_quantities"),
    ("links", "kg.extract.links:extract_links"),
]

# Bump when extraction changes in a way that invalidates cached results, or when the
# cache file's layout changes (2: a DocumentSummary pickled before the Document;
# 3: traditional reports segmented as simplified text).
PIPELINE_VERSION = "3"


def jieba_cache_dir() -> Path:
    """Where jieba's caches go: beside the gazetteer's (.kg/cache or $KG_CACHE_DIR)."""
    from kg.gazetteer import cache_path

    return cache_path().parent


def load_jieba() -> None:
    """Load jieba's dictionaries once per process, from one cache, before components use it.

    jieba rebuilds its prefix dictionary from a marshal cache (0.6–0.8 CPU s: marshal reads
    big dicts slowly) and jieba.posseg re-reads its word→tag table from the 350k-line
    dict.txt on every import. Both tables are pickled here once (≈ 3× faster to read),
    keyed by the dictionary file's path, size and time; they are the tables jieba builds
    itself, so segmentation is the same.
    """
    if "jieba.posseg" in sys.modules:
        return
    import io
    import logging

    # jieba imports pkg_resources (0.07 CPU s) only to open its own data files, and opens
    # them by path when that import fails: make it fail, for jieba's import only
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        import jieba
    finally:
        if blocked:
            del sys.modules["pkg_resources"]

    jieba.setLogLevel(logging.WARNING)
    cache_dir = jieba_cache_dir()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        if jieba.dt.tmp_dir is None and jieba.dt.cache_file is None:
            jieba.dt.tmp_dir = str(cache_dir)
    except OSError:
        pass  # jieba falls back to its default temporary directory
    dict_path = (Path(jieba.dt.dictionary) if isinstance(jieba.dt.dictionary, str)
                 else Path(jieba.__file__).with_name("dict.txt"))
    try:
        st = dict_path.stat()
        key = hashlib.sha256(f"{dict_path.resolve()}\0{st.st_size}\0{st.st_mtime_ns}".encode())
        table_cache = cache_dir / f"jieba-tables-{key.hexdigest()[:16]}.pickle"
    except OSError:
        table_cache = None
    tables = None
    if table_cache is not None and table_cache.is_file():
        try:
            with open(table_cache, "rb") as f:
                tables = pickle.load(f)
        except Exception:  # a torn cache is only a miss
            tables = None
    if tables is None:
        jieba.initialize()
        import jieba.posseg  # reads dict.txt itself

        if table_cache is not None:
            try:
                tmp = table_cache.with_suffix(f".{os.getpid()}.tmp")
                with open(tmp, "wb") as f:
                    pickle.dump((jieba.dt.FREQ, jieba.dt.total, jieba.posseg.dt.word_tag_tab), f,
                                protocol=pickle.HIGHEST_PROTOCOL)
                tmp.replace(table_cache)
            except OSError:
                pass
        return
    jieba.dt.FREQ, jieba.dt.total, tags = tables
    jieba.dt.initialized = True
    # import jieba.posseg with an empty dictionary to read, then give it the cached table
    get_dict_file = jieba.dt.get_dict_file
    jieba.dt.get_dict_file = lambda: io.BytesIO()
    try:
        import jieba.posseg
    finally:
        jieba.dt.get_dict_file = get_dict_file
    jieba.posseg.dt.word_tag_tab = tags


def warm_up(components: list[tuple[str, str]] | None = None) -> None:
    """Load what every component shares (jieba, the gazetteer) and import the components,
    so that worker processes forked afterwards start ready and share that memory."""
    import kg.ingest  # noqa: F401
    import kg.structure  # noqa: F401

    load_jieba()
    for _, spec in components or COMPONENTS:
        load_component(spec)
    try:
        from kg.gazetteer import Gazetteer

        Gazetteer.load()
    except Exception:  # a missing dataset is reported by the component that needs it
        pass


def segment_words(doc: Document) -> Document:
    """Segment the whole text once with jieba (words and part-of-speech tags, HMM on) into
    doc.tokens, for every component to share; a traditional report is segmented as
    simplified text (same offsets, see kg.ingest.normalize.segmentation_text)."""
    import jieba.posseg

    from kg.ingest.normalize import segmentation_text

    load_jieba()
    tokens, pos = [], 0
    for pair in jieba.posseg.cut(segmentation_text(doc.text), HMM=True):
        end = pos + len(pair.word)
        tokens.append((pos, end, pair.word, pair.flag))
        pos = end
    doc.tokens = tokens
    return doc


def cache_file_for(data: bytes, cache_dir: Path, fingerprint: str) -> Path:
    """The cache entry of a file's bytes under the current code."""
    return cache_dir / f"{hashlib.sha256(data).hexdigest()}-{fingerprint}.pickle"


def load_component(spec: str) -> Component:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass
class DocumentSummary:
    """The little a build keeps of a document while others are processed: its counts,
    warnings, and the resolution keys of its mentions (see kg.resolve)."""

    text_digest: str  # of the clean text: two files with the same text are built once
    sections: int = 0
    columns: int = 0
    sentences: int = 0
    mentions: int = 0
    targets: int = 0
    observations: int = 0
    links: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    place_code: str = ""  # the division the report is about, when known
    keys: DocumentMentions = field(default_factory=DocumentMentions)


def summarize(doc: Document) -> DocumentSummary:
    s = DocumentSummary(text_digest=hashlib.sha256(doc.text.encode()).hexdigest(),
                        sections=len(doc.sections), columns=len(doc.columns),
                        sentences=len(doc.sentences), mentions=len(doc.mentions),
                        warnings=list(doc.warnings), place_code=doc.attrs.get("place_code", ""),
                        keys=document_mentions(doc))
    for q in doc.quantities:
        if q.year is None:
            continue
        if q.role is QuantityRole.TARGET:
            s.targets += 1
        else:
            s.observations += 1
    for rel in doc.relations:
        s.links[rel.predicate] = s.links.get(rel.predicate, 0) + 1
    return s


@dataclass
class DocumentResult:
    """One file's outcome: a Document (or just its summary, when the build streams), or
    the reason it could not be read."""

    path: Path
    document: Document | None = None
    error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    cached: bool = False
    summary: DocumentSummary | None = None
    cache_file: Path | None = None  # where the Document is pickled, after its summary


def load_cached(cache_file: Path, path: Path | None = None, document: bool = True
                ) -> tuple[DocumentSummary, Document | None]:
    """Read a cache entry: the summary, and the Document unless `document` is False."""
    with open(cache_file, "rb") as f:
        summary = pickle.load(f)
        doc = pickle.load(f) if document else None
    if doc is not None and path is not None:
        doc.source.path = path  # the same bytes may come from another path
    return summary, doc


def code_fingerprint() -> str:
    """A hash of the extraction code and its data, so a code change invalidates the cache."""
    h = hashlib.sha256(PIPELINE_VERSION.encode())
    root = Path(__file__).parent
    for sub in ("ingest", "extract", "data"):
        for p in sorted((root / sub).rglob("*")):
            if p.is_file() and p.suffix in {".py", ".txt", ".tsv", ".json", ".csv"}:
                h.update(p.name.encode())
                h.update(p.read_bytes())
    for name in ("structure.py", "model.py", "gazetteer.py", "pipeline.py", "resolve.py"):
        p = root / name
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def process_file(path: Path, cache_dir: Path | None = None, fingerprint: str = "",
                 components: list[tuple[str, str]] | None = None,
                 keep_document: bool = True) -> DocumentResult:
    """Read, parse and extract one report; a DocumentError becomes a result with an error.

    With a cache directory, the result is pickled there (summary, then Document) under
    the file's content hash and the code fingerprint, and read back instead of being
    extracted again. `keep_document=False` returns only the summary and the cache file
    (a streaming build reads the Document back when it maps it to RDF).
    """
    result = DocumentResult(path=path)
    t0 = time.perf_counter()
    try:
        data = path.read_bytes()
    except OSError as e:
        result.error = f"{path}: cannot read the file ({e.strerror or e})"
        return result
    cache_file = None
    if cache_dir is not None:
        cache_file = cache_file_for(data, cache_dir, fingerprint)
        if cache_file.exists():
            try:
                result.summary, result.document = load_cached(cache_file, path, keep_document)
                result.cached, result.cache_file = True, cache_file
                result.timings["cache"] = time.perf_counter() - t0
                return result
            except Exception:  # a torn cache entry is only a missed cache
                cache_file.unlink(missing_ok=True)
    from kg.ingest import DocumentError, read_document  # not needed for cache hits
    from kg.structure import parse_document

    stage = "read"
    load_jieba()  # once per process, from its caches
    t0 = time.perf_counter()
    try:
        source = read_document(path)
        t1 = time.perf_counter()
        result.timings["read"] = t1 - t0
        doc = parse_document(source)
        t2 = time.perf_counter()
        result.timings["parse"] = t2 - t1
        stage = "parse"
        for stage, spec in components or COMPONENTS:
            t = time.perf_counter()
            doc = load_component(spec)(doc)
            result.timings[stage] = time.perf_counter() - t
        doc.tokens = None  # shared within the pipeline only; the cache need not hold them
        stage = "summary"
        t = time.perf_counter()
        result.summary = summarize(doc)
        result.timings["keys"] = time.perf_counter() - t
    except DocumentError as e:
        result.error = str(e)
        return result
    except Exception as e:  # a bug on one report must not stop the others
        result.error = (f"{path}: internal error in stage {stage!r}: "
                        f"{type(e).__name__}: {e} (please report it)")
        return result
    result.document = doc
    if cache_file is not None:
        tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            pickle.dump(result.summary, f, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(doc, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache_file)
        result.cache_file = cache_file
        if not keep_document:
            result.document = None
    return result
