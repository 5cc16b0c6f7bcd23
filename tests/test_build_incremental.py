"""Incremental builds: after one report changes or is added, only it is extracted again,
the other graphs come from the cache, the resolution starts from the previous build's
(only the entities the report touches are made again), and the store equals a build from
scratch."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, NamedNode

from kg.build import ENTITY_PREFIXES, RESOLUTION_STATE, build
from kg.store import open_store, store_info
from kg.vocab import RDF, graph_iri

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ROOT.parent / "shared" / "corpus" / "national"
# Short real reports, so that the builds are quick: the national reports of 1960 and 1975,
# and the one of 1980 to add.
REPORTS = [NATIONAL / "gwr-1960.txt", NATIONAL / "gwr-1975.txt"]
ADDED = NATIONAL / "gwr-1980.txt"
# a report that adds names to entities gwr-1960 describes, so it changes that graph too
RENAMING = NATIONAL / "gwr-1958.txt"


def content(store_dir: Path) -> set:
    """The store's quads, without the ontology's blank-node structures (their labels
    differ on every parse of the ontology files)."""
    return {q for q in open_store(store_dir).quads_for_pattern(None, None, None, None)
            if not isinstance(q.subject, BlankNode) and not isinstance(q.object, BlankNode)}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Two reports built once into a store whose cache later builds reuse."""
    root = tmp_path_factory.mktemp("incremental")
    reports = root / "reports"
    reports.mkdir()
    for p in REPORTS:
        shutil.copy(p, reports / p.name)
    summary = build([reports], root / "store")
    return root, reports, summary


def test_an_unchanged_rebuild_extracts_nothing_and_patches_the_version(built):
    root, reports, first = built
    before = store_info(root / "store").version
    crashed = root / "store" / "cache" / "resolution-999999.sqlite"  # a crashed build's copy
    crashed.write_bytes(b"")
    again = build([reports], root / "store")
    assert not crashed.exists()
    assert again.cached == len(REPORTS)
    assert again.graphs_reused == len(REPORTS) and again.patched
    assert again.triples == first.triples
    assert store_info(root / "store").version != before
    assert again.entities_made == 0 < first.entities_made == sum(first.entities.values())


def test_a_changed_report_alone_is_extracted_and_the_store_equals_a_fresh_build(built, tmp_path):
    root, reports, _ = built
    changed = reports / REPORTS[0].name
    # reword one passage: the report's text and its graph change, the other's does not
    text = changed.read_text(encoding="utf-8")
    assert "农业" in text
    changed.write_text(text.replace("农业", "农林业", 2), encoding="utf-8")
    summary = build([reports], root / "store")
    assert summary.cached == len(REPORTS) - 1  # only the changed report was extracted
    assert summary.patched
    assert 0 < summary.entities_made < sum(summary.entities.values())
    fresh = build([reports], tmp_path / "fresh", use_cache=False)
    assert summary.triples == fresh.triples
    assert content(root / "store") == content(tmp_path / "fresh")


def test_an_added_report_is_extracted_and_its_graph_joins_the_others(built, tmp_path):
    root, reports, _ = built
    shutil.copy(ADDED, reports / ADDED.name)
    summary = build([reports], root / "store")
    assert summary.documents == len(REPORTS) + 1
    assert summary.cached == len(REPORTS)
    assert 0 < summary.entities_made < sum(summary.entities.values())
    graphs = {g.value for g in open_store(root / "store").named_graphs()}
    assert "https://w3id.org/policykg/graph/gwr-1980" in graphs
    fresh = build([reports], tmp_path / "fresh", use_cache=False)
    assert content(root / "store") == content(tmp_path / "fresh")


def entities_only_in(store_dir: Path, key: str) -> set[str]:
    """The entities that the graph of one report alone describes."""
    typed: dict[str, set] = {}
    for q in open_store(store_dir).quads_for_pattern(None, RDF.type, None, None):
        if q.subject.value.startswith(ENTITY_PREFIXES) and isinstance(q.graph_name, NamedNode):
            typed.setdefault(q.subject.value, set()).add(q.graph_name)
    return {e for e, graphs in typed.items() if graphs == {graph_iri(key)}}


def test_a_removed_report_leaves_the_store(built, tmp_path):
    root, reports, _ = built
    (reports / ADDED.name).unlink(missing_ok=True)
    own = entities_only_in(root / "store", ADDED.stem)
    assert own
    summary = build([reports], root / "store")
    assert 0 < summary.entities_made < sum(summary.entities.values())
    graphs = {g.value for g in open_store(root / "store").named_graphs()}
    assert "https://w3id.org/policykg/graph/gwr-1980" not in graphs
    assert not own & {q.subject.value for q in open_store(root / "store")
                      .quads_for_pattern(None, None, None, None)}  # its own entities are gone
    fresh = build([reports], tmp_path / "fresh", use_cache=False)
    assert content(root / "store") == content(tmp_path / "fresh")


def test_a_graph_body_follows_from_its_report_alone_and_figure_labels_from_the_corpus(tmp_path):
    """The body of a report's graph is written when it is extracted, before resolution,
    so building it alone or among others gives the same file; a figure's label starts
    with its indicator's label over the whole corpus (kept with the descriptions)."""
    def bodies(store_dir: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in (store_dir / "cache" / "quads").glob("*.nq.gz")
                if p.name.count("-") == 2}  # cache-file stem + body digest

    alone, both = tmp_path / "alone", tmp_path / "both"
    alone.mkdir(), both.mkdir()
    shutil.copy(ADDED, alone / ADDED.name)  # gwr-1980 states figures, the other two none
    for p in (REPORTS[1], ADDED):
        shutil.copy(p, both / p.name)
    build([alone], tmp_path / "store-alone", jobs=1)
    build([both], tmp_path / "store-both")
    first, among = bodies(tmp_path / "store-alone"), bodies(tmp_path / "store-both")
    assert len(first) == 1 and len(among) == 2
    assert first.items() <= among.items()
    labels = open_store(tmp_path / "store-both").query(
        "SELECT ?label ?indicator WHERE { GRAPH ?g { "
        "?t <https://w3id.org/policykg/ontology#indicator> ?i ; "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?label . "
        "?i <http://www.w3.org/2000/01/rdf-schema#label> ?indicator } }")
    rows = [(r["label"].value, r["indicator"].value) for r in labels]
    assert rows and all(label.startswith(indicator + " ") for label, indicator in rows)


def test_a_patched_version_is_checked_graph_by_graph(built):
    """A patch counts the graphs it wrote or removed, not the whole store: the counts of a
    built store pass, one quad more or less in any of them refuses the version."""
    from kg.build import BuildError, _verify_graphs
    from kg.vocab import RDF, graph_iri

    root, _, _ = built
    st = open_store(root / "store")
    graphs = [graph_iri(p.stem) for p in REPORTS]
    counts = {g: sum(1 for _ in st.quads_for_pattern(None, None, None, g)) for g in graphs}
    assert all(counts.values())
    _verify_graphs(st, {**counts, graph_iri("gone-report"): 0})
    for graph, n in counts.items():
        for wrong in (n - 1, n + 1):
            with pytest.raises(BuildError, match="kept the previous version"):
                _verify_graphs(st, {**counts, graph: wrong})
    with pytest.raises(BuildError, match=REPORTS[0].stem):
        _verify_graphs(st, {graph_iri(REPORTS[0].stem): 0})  # a graph that should be gone


def test_a_spoilt_resolution_state_is_folded_again_and_the_store_is_right(built, tmp_path):
    root, reports, _ = built
    state = root / "store" / "cache" / RESOLUTION_STATE
    assert state.is_file()
    state.write_bytes(b"not a database" * 100)
    shutil.copy(ADDED, reports / ADDED.name)
    summary = build([reports], root / "store")
    assert summary.ok and summary.entities_made == sum(summary.entities.values())
    fresh = build([reports], tmp_path / "fresh", use_cache=False)
    assert content(root / "store") == content(tmp_path / "fresh")
    (reports / ADDED.name).unlink()


def test_a_report_that_renames_others_entities_changes_their_graphs_even_from_an_older_state(
        tmp_path):
    """A report that adds names to entities other graphs describe changes those graphs'
    descriptions (the others keep theirs). A build that stopped after writing its version
    but before keeping its resolution leaves the state of the build before: what changed
    since is then relative to that one, and the current version's descriptions must not
    be taken as they are."""
    reports = tmp_path / "reports"
    reports.mkdir()
    for p in REPORTS:
        shutil.copy(p, reports / p.name)
    store_dir = tmp_path / "store"
    build([reports], store_dir)
    state = store_dir / "cache" / RESOLUTION_STATE
    first_state = state.read_bytes()
    shutil.copy(RENAMING, reports / RENAMING.name)
    second = build([reports], store_dir)
    assert second.graphs_reused == 1  # gwr-1960's descriptions changed, gwr-1975's did not
    assert content(store_dir) == content(build_fresh(reports, tmp_path / "fresh-2"))
    state.write_bytes(first_state)  # as if the second build had stopped before keeping it
    (reports / RENAMING.name).unlink()
    third = build([reports], store_dir)
    assert third.entities_made == 0  # the same reports as the state's build
    assert content(store_dir) == content(build_fresh(reports, tmp_path / "fresh-3"))


def build_fresh(reports: Path, store_dir: Path) -> Path:
    build([reports], store_dir, use_cache=False)
    return store_dir
