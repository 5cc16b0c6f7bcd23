"""`kg build` end to end on the real seed reports, and on bad input."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from kg.build import BuildError, build
from kg.store import default_graph_options, open_store, parse_nq, store_info

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SEEDS = sorted(DATA.glob("*.txt"))
KG = [sys.executable, "-m", "kg.cli"]
PREFIX = """PREFIX kgo: <https://w3id.org/policykg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def select(store, query: str) -> list[dict]:
    rows = store.query(PREFIX + query, **default_graph_options(store))
    return [{v.value: row[v] for v in rows.variables} for row in rows]


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory):
    d = tmp_path_factory.mktemp("seed") / "store"
    summary = build(SEEDS, d)
    return d, summary


def test_the_seed_reports_build_into_one_graph_per_document(seed_store):
    d, summary = seed_store
    assert summary.ok and summary.documents == 2 and not summary.failed
    assert summary.sentences > 500 and summary.sections > 20
    for kind in ("project", "strategy", "place", "indicator"):
        assert summary.entities.get(kind, 0) > 10, kind
    assert summary.targets > 30 and summary.observations > 30
    assert summary.links.get("implements", 0) > 0 and summary.links.get("locatedIn", 0) > 0
    st = open_store(d)
    graphs = {g.value for g in st.named_graphs()}
    assert {f"https://w3id.org/policykg/graph/{p.stem}" for p in SEEDS} <= graphs
    assert "https://w3id.org/policykg/graph/ontology" in graphs
    files = {r["f"].value for r in select(st, "SELECT ?f WHERE { ?d a kgo:Document ; kgo:sourceFile ?f }")}
    assert files == {p.name for p in SEEDS}


def test_the_cache_keeps_each_graph_as_gzip_d_n_quads_that_add_up_to_the_store(seed_store):
    """The graph files are ~50× the report text as N-Quads: kept gzip'd, they are a few
    times the text, and what they hold is what the store's document graphs hold."""
    d, _ = seed_store
    files = sorted((d / "cache" / "quads").iterdir())
    assert files and all(f.name.endswith(".nq.gz") for f in files)
    assert all(f.read_bytes()[:2] == b"\x1f\x8b" for f in files)  # gzip's magic number
    text = sum(p.stat().st_size for p in SEEDS)
    assert sum(f.stat().st_size for f in files) < 8 * text
    quads = {q for f in files for q in parse_nq(f)}
    st = open_store(d)
    held = {q for q in st if isinstance(q.graph_name, NamedNode)
            and q.graph_name.value != "https://w3id.org/policykg/graph/ontology"}
    assert quads == held


def test_every_mention_points_at_the_exact_words_of_its_sentence(seed_store):
    st = open_store(seed_store[0])
    rows = select(st, """
        SELECT ?surface ?ms ?me ?text ?ss WHERE {
          ?m a kgo:Mention ; kgo:surface ?surface ; kgo:startOffset ?ms ; kgo:endOffset ?me ;
             kgo:inSentence ?s .
          ?s kgo:text ?text ; kgo:startOffset ?ss .
        }""")
    assert len(rows) > 1000
    for r in rows:
        start = int(r["ms"].value) - int(r["ss"].value)
        end = int(r["me"].value) - int(r["ss"].value)
        assert r["text"].value[start:end] == r["surface"].value


def test_every_link_and_figure_has_an_evidence_sentence(seed_store):
    st = open_store(seed_store[0])
    missing = select(st, """
        SELECT ?x WHERE {
          { ?x a kgo:Target } UNION { ?x a kgo:Observation } UNION { ?x a kgo:Assertion }
          FILTER NOT EXISTS { ?x kgo:evidence ?s . ?s a kgo:Sentence ; kgo:text ?t }
        }""")
    assert missing == []


def test_one_node_per_thing_mentioned_in_both_reports(seed_store):
    st = open_store(seed_store[0])
    shared = select(st, """
        SELECT ?e WHERE { ?e kgo:mentionedIn ?a, ?b . ?a kgo:sourceFile ?fa . ?b kgo:sourceFile ?fb .
                          FILTER(?fa < ?fb) }""")
    assert len(shared) > 20
    labels = select(st, """
        SELECT ?e (COUNT(DISTINCT ?l) AS ?n) WHERE {
          ?e rdfs:label ?l . ?e kgo:mentionedIn ?d } GROUP BY ?e HAVING (COUNT(DISTINCT ?l) > 1)""")
    assert labels == [], "an entity has two canonical labels"


def test_a_rebuild_gives_the_same_entity_iris(seed_store, tmp_path):
    first = open_store(seed_store[0])
    again = tmp_path / "again"
    build(SEEDS, again, use_cache=False)
    q = "SELECT ?e WHERE { ?e a ?c . FILTER(?c IN (kgo:Project, kgo:Strategy, kgo:Place, kgo:Target)) }"
    assert {r["e"] for r in select(first, q)} == {r["e"] for r in select(open_store(again), q)}


def test_a_second_build_reuses_cached_extraction(tmp_path):
    d = tmp_path / "store"
    build(SEEDS, d)
    v1 = store_info(d).version
    summary = build(SEEDS, d)
    assert summary.cached == 2
    assert store_info(d).version != v1


def make_bad_inputs(folder: Path) -> dict[str, str]:
    """Each bad file, with a word its error line must contain."""
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    with zipfile.ZipFile(folder / "nodocument.docx", "w") as z:
        z.writestr("hello.txt", "no word/document.xml here")
    (folder / "truncated.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n")
    (folder / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    return {"empty.txt": "empty", "binary.txt": "", "broken.docx": "", "nodocument.docx": "",
            "truncated.pdf": "", "sheet.xlsx": ""}


def test_bad_files_get_one_line_each_and_the_rest_is_built(tmp_path):
    bad = make_bad_inputs(tmp_path / "bad")
    shutil.copy(SEEDS[0], tmp_path / "bad" / SEEDS[0].name)
    d = tmp_path / "store"
    proc = subprocess.run(KG + ["build", str(tmp_path / "bad"), str(tmp_path / "bad" / "sheet.xlsx"),
                                "--store", str(d), "--json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 1, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["documents"] == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    for name, word in bad.items():
        lines = [e for e in errors if name in e]
        assert lines, f"no error line names {name}: {errors}"
        assert word in lines[0]
    st = open_store(d)
    assert select(st, "SELECT ?f WHERE { ?d kgo:sourceFile ?f }")[0]["f"].value == SEEDS[0].name


def test_when_nothing_builds_the_previous_store_stays(tmp_path, seed_store):
    d = tmp_path / "store"
    build(SEEDS[:1], d)
    before = store_info(d).version
    bad = tmp_path / "bad"
    make_bad_inputs(bad)
    with pytest.raises(BuildError, match="no document could be built"):
        build([bad], d)
    assert store_info(d).version == before
    assert len(open_store(d)) > 1000


def test_the_cli_prints_a_summary_and_exits_zero(tmp_path):
    proc = subprocess.run(KG + ["build", str(DATA), "--store", str(tmp_path / "s")],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for word in ("documents  2 built", "entities", "targets", "links", "time"):
        assert word in proc.stdout


def test_a_missing_path_and_a_foreign_store_are_clear_errors(tmp_path):
    proc = subprocess.run(KG + ["build", str(tmp_path / "nope"), "--store", str(tmp_path / "s")],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2 and "no such file or folder" in proc.stderr
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "x").write_text("x")
    proc = subprocess.run(KG + ["build", str(SEEDS[0]), "--store", str(foreign)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2 and "not a policykg store" in proc.stderr
    assert (foreign / "x").read_text() == "x"
