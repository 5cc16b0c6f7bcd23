"""Checking a built store against the SHACL shapes (ontology/shapes.ttl): `kg validate`.

The data graph is the union of all the store's graphs plus the ontology files, so
`sh:class` sees the sector concepts and the subclass axioms without a reasoner
(inference stays off: the build states every type it means). Core constraints run in
pyshacl. SHACL-SPARQL constraints (`sh:sparql`) compare nodes across the whole graph
(offsets, cycles, mirrored triples); run per focus node in rdflib they would dominate the
time, so they run here once, on Oxigraph, over the union graph. Each such query binds
`$this` to its target itself, so both ways of running it give the same results.
"""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pyshacl
import rdflib
from pyoxigraph import RdfFormat, Store
from rdflib.namespace import RDF as R_RDF, SH

from kg.ontology import load_ontology_graph, load_ontology_quads, shapes_path as default_shapes
from kg.store import default_graph_options
from kg.vocab import PREFIXES

__all__ = ["Violation", "ValidationReport", "validate_store", "format_report",
           "load_ontology_quads"]

SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class Violation:
    """One SHACL validation result (of any severity)."""

    focus_node: str  # IRI (or blank node id) of the node that fails
    path: str | None  # the property IRI, when the constraint is on one
    message: str
    severity: str  # Violation | Warning | Info
    shape: str | None = None  # IRI of the shape that reported it
    value: str | None = None  # the offending value, when there is one


@dataclass
class ValidationReport:
    conforms: bool  # True when no result has severity Violation (warnings allowed)
    violations: list[Violation] = field(default_factory=list)
    triples: int = 0  # size of the data graph checked (store union + ontology)
    seconds: float = 0.0

    def count(self, severity: str) -> int:
        return sum(1 for v in self.violations if v.severity == severity)

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "Violation"]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "Warning"]


def validate_store(store: Store, shapes_path: Path | str | None = None) -> ValidationReport:
    """Validate everything in `store` against the shapes (default: ontology/shapes.ttl)."""
    started = time.perf_counter()
    shapes = rdflib.Graph().parse(shapes_path or default_shapes(), format="turtle")
    sparql_constraints = _take_sparql_constraints(shapes)

    data = union_graph(store)
    data += load_ontology_graph()
    _, results_graph, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True, allow_infos=True,
        inplace=True, abort_on_first=False, meta_shacl=False, advanced=False)
    results = _read_results(results_graph, shapes)
    for constraint in sparql_constraints:
        results.extend(_run_sparql_constraint(store, constraint))

    results.sort(key=lambda v: (SEVERITIES.index(v.severity), v.shape or "", v.focus_node))
    return ValidationReport(
        conforms=not any(v.severity == "Violation" for v in results),
        violations=results, triples=len(data), seconds=time.perf_counter() - started)


def union_graph(store: Store) -> rdflib.Graph:
    """All triples of all the store's graphs as one rdflib graph (duplicates merged)."""
    # the version stamp an external store holds (kg.backends.remote.STAMP_GRAPH) is no data
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } "
                          "FILTER(?g != <https://w3id.org/policykg/store>) } }")
    graph = rdflib.Graph()
    graph.parse(data=triples.serialize(format=RdfFormat.N_TRIPLES), format="nt")
    return graph


@dataclass(frozen=True)
class _SparqlConstraint:
    shape: str
    select: str
    message: str
    severity: str


def _severity(graph: rdflib.Graph, node, predicate=SH.severity) -> str:
    value = graph.value(node, predicate)
    return str(value).rsplit("#", 1)[-1] if value is not None else "Violation"


def _take_sparql_constraints(shapes: rdflib.Graph) -> list[_SparqlConstraint]:
    """Remove the sh:sparql constraints from the shapes graph and return them to run here."""
    found = []
    for shape, constraint in list(shapes.subject_objects(SH.sparql)):
        select = shapes.value(constraint, SH.select)
        message = shapes.value(constraint, SH.message) or shapes.value(shape, SH.message)
        found.append(_SparqlConstraint(str(shape), str(select), str(message or "SPARQL constraint"),
                                       _severity(shapes, shape)))
        shapes.remove((shape, SH.sparql, constraint))
    return sorted(found, key=lambda c: c.shape)


def _run_sparql_constraint(store: Store, c: _SparqlConstraint) -> list[Violation]:
    out = []
    for row in store.query(c.select, **default_graph_options(store)):
        value = _get(row, "value")
        path = _get(row, "path")
        out.append(Violation(focus_node=row["this"].value, path=path.value if path else None,
                             message=c.message, severity=c.severity, shape=c.shape,
                             value=_term_text(value) if value is not None else None))
    return out


def _get(row, name: str):
    try:
        return row[name]
    except (KeyError, IndexError):
        return None


def _term_text(term) -> str:
    return term.value if hasattr(term, "value") else str(term)


def _read_results(results: rdflib.Graph, shapes: rdflib.Graph) -> list[Violation]:
    out = []
    for result in results.subjects(R_RDF.type, SH.ValidationResult):
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        shape = results.value(result, SH.sourceShape)
        if isinstance(shape, rdflib.BNode):  # an inline property shape: name its node shape
            shape = shapes.value(predicate=SH.property, object=shape) or shape
        out.append(Violation(
            focus_node=str(results.value(result, SH.focusNode)),
            path=str(path) if isinstance(path, rdflib.URIRef) else None,
            message=messages[0] if messages else "",
            severity=_severity(results, result, SH.resultSeverity),
            shape=str(shape) if isinstance(shape, rdflib.URIRef) else None,
            value=str(value) if value is not None else None))
    return out


def _short(iri: str | None) -> str:
    """A compact, readable form of an IRI: prefixed, with percent-escapes decoded."""
    if not iri:
        return "-"
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{prefix}:{unquote(iri[len(ns):])}"
    if iri.startswith("https://w3id.org/policykg/shapes#"):
        return "kgsh:" + iri.rsplit("#", 1)[1]
    return unquote(iri)


def format_report(report: ValidationReport, examples: int = 5) -> str:
    """A human-readable summary: counts, then each failing constraint with a few examples."""
    counts = Counter(v.severity for v in report.violations)
    verdict = "conforms" if report.conforms else "does NOT conform"
    lines = [f"Validation: the graph {verdict} — "
             + ", ".join(f"{counts.get(s, 0)} {s.lower()}{'s' if counts.get(s, 0) != 1 else ''}"
                         for s in SEVERITIES)
             + f" ({report.triples} triples checked in {report.seconds:.1f} s)"]
    groups: dict[tuple[str, str, str, str], list[Violation]] = defaultdict(list)
    for v in report.violations:
        groups[(v.severity, v.shape or "", v.path or "", v.message)].append(v)
    for (severity, shape, path, message), items in groups.items():
        where = f" on {_short(path)}" if path else ""
        lines.append(f"\n{severity}: {message}{where} [{_short(shape)}] x{len(items)}")
        for v in items[:examples]:
            value = f" -> {_short(v.value) if v.value and '://' in v.value else v.value}" if v.value else ""
            lines.append(f"  {_short(v.focus_node)}{value}")
        if len(items) > examples:
            lines.append(f"  ... and {len(items) - examples} more")
    return "\n".join(lines)
