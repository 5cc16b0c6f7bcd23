"""The extraction pipeline: one report file in, one enriched Document out.

Components run in a fixed order, each a callable `Document -> Document` that adds what
it finds and knows nothing of the ones after it (spaCy's model). The list below is the
one place where the order is configured.
"""
from __future__ import annotations

import hashlib
import importlib
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.model import Document

Component = Callable[[Document], Document]

# (stage name, "module:function"): places first, since later components use them as
# context; links last, since they connect what the others found.
COMPONENTS: list[tuple[str, str]] = [
    ("places", "kg.extract.places:extract_places"),
    ("strategies", "kg.extract.strategies:extract_strategies"),
    ("events", "kg.extract.events:extract_events"),
    ("organizations", "kg.extract.organizations:extract_organizations"),
    ("projects", "kg.extract.projects:extract_projects"),
    ("sectors", "kg.extract.sectors:extract_sectors"),
    ("quantities", "kg.extract.quantities:extract_quantities"),
    ("links", "kg.extract.links:extract_links"),
]

# Bump when extraction changes in a way that invalidates cached results.
PIPELINE_VERSION = "1"


def load_component(spec: str) -> Component:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass
class DocumentResult:
    """One file's outcome: a Document, or the reason it could not be read."""

    path: Path
    document: Document | None = None
    error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    cached: bool = False


def code_fingerprint() -> str:
    """A hash of the extraction code and its data, so a code change invalidates the cache."""
    h = hashlib.sha256(PIPELINE_VERSION.encode())
    root = Path(__file__).parent
    for sub in ("ingest", "extract", "data"):
        for p in sorted((root / sub).rglob("*")):
            if p.is_file() and p.suffix in {".py", ".txt", ".tsv", ".json", ".csv"}:
                h.update(p.name.encode())
                h.update(p.read_bytes())
    for name in ("structure.py", "model.py", "gazetteer.py", "pipeline.py"):
        p = root / name
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def process_file(path: Path, cache_dir: Path | None = None, fingerprint: str = "",
                 components: list[tuple[str, str]] | None = None) -> DocumentResult:
    """Read, parse and extract one report; a DocumentError becomes a result with an error."""
    from kg.ingest import DocumentError, read_document
    from kg.structure import parse_document

    result = DocumentResult(path=path)
    t0 = time.perf_counter()
    try:
        data = path.read_bytes()
    except OSError as e:
        result.error = f"{path.name}: cannot read the file ({e.strerror or e})"
        return result
    cache_file = None
    if cache_dir is not None:
        digest = hashlib.sha256(data).hexdigest()
        cache_file = cache_dir / f"{digest}-{fingerprint}.pickle"
        if cache_file.exists():
            try:
                with open(cache_file, "rb") as f:
                    doc = pickle.load(f)
                doc.source.path = path  # the same bytes may come from another path
                result.document, result.cached = doc, True
                result.timings["cache"] = time.perf_counter() - t0
                return result
            except Exception:  # a torn cache entry is only a missed cache
                cache_file.unlink(missing_ok=True)
    stage = "read"
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
    except DocumentError as e:
        result.error = str(e)
        return result
    except Exception as e:  # a bug on one report must not stop the others
        result.error = (f"{path.name}: internal error in stage {stage!r}: "
                        f"{type(e).__name__}: {e} (please report it)")
        return result
    result.document = doc
    if cache_file is not None:
        tmp = cache_file.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            pickle.dump(doc, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache_file)
    return result
