"""Where the ontology files live and how they are loaded (ontology/*.ttl).

The files: `kgo.ttl` (classes and properties), `sectors.ttl` (the SKOS sector scheme and
the GB/T 4754-2017 sections) and `shapes.ttl` (SHACL constraints). The first two are
written into every store's ontology graph; the shapes are only read by `kg validate`.

The directory is found, first match wins:
1. `$POLICYKG_ONTOLOGY_DIR`, to test another version of the files;
2. `kg/data/ontology/` inside the installed package (package data, when packaging copies
   or links the files there; pyproject's package-data globs already cover kg/data/**);
3. `ontology/` beside the `kg` package: a repository checkout or an editable install;
4. `<sys.prefix>/share/policykg/ontology` (when installed as setuptools data-files).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from pyoxigraph import Quad, RdfFormat, parse

from kg.vocab import ONTOLOGY_GRAPH

ENV_VAR = "POLICYKG_ONTOLOGY_DIR"
# The files whose statements go into the store's ontology graph, in this order.
ONTOLOGY_FILES = ("kgo.ttl", "sectors.ttl")
SHAPES_FILE = "shapes.ttl"


class OntologyNotFound(FileNotFoundError):
    """No directory holding the ontology files was found."""


def _candidates() -> list[Path]:
    package = Path(__file__).resolve().parent
    found = [Path(os.environ[ENV_VAR])] if os.environ.get(ENV_VAR) else []
    return found + [package / "data" / "ontology", package.parent / "ontology",
                    Path(sys.prefix) / "share" / "policykg" / "ontology"]


def ontology_dir() -> Path:
    """The directory holding kgo.ttl, sectors.ttl and shapes.ttl."""
    candidates = _candidates()
    for path in candidates:
        if (path / ONTOLOGY_FILES[0]).is_file():
            return path
    tried = ", ".join(str(p) for p in candidates)
    raise OntologyNotFound(f"no ontology directory with {ONTOLOGY_FILES[0]} found (tried {tried}); "
                           f"set {ENV_VAR} to the repository's ontology/ folder")


def ontology_path(name: str) -> Path:
    path = ontology_dir() / name
    if not path.is_file():
        raise OntologyNotFound(f"{path}: missing ontology file")
    return path


def shapes_path() -> Path:
    return ontology_path(SHAPES_FILE)


def load_ontology_quads() -> list[Quad]:
    """The ontology and the sector schemes as quads of the ontology graph, for the build."""
    quads: list[Quad] = []
    for name in ONTOLOGY_FILES:
        path = ontology_path(name)
        quads.extend(Quad(t.subject, t.predicate, t.object, ONTOLOGY_GRAPH)
                     for t in parse(path=str(path), format=RdfFormat.TURTLE))
    return quads


def load_ontology_graph() -> "rdflib.Graph":
    """The same statements as an rdflib graph (for pyshacl and for tests)."""
    import rdflib  # here, so that a build (which needs only the quads) does not load it

    graph = rdflib.Graph()
    for name in ONTOLOGY_FILES:
        graph.parse(ontology_path(name), format="turtle")
    return graph
