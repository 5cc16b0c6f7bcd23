"""`kg build` and `kg validate` as a user runs them: a folder of reports in several
encodings and formats, with every kind of bad file beside them.

One build (module fixture) of a short report cut from seed 000 (title, issuer, a review
part with a section and points, a plan part with a 专栏 table) saved as GB18030 and
again as UTF-16 with CRLF line ends, of the opening of seed 002 saved as .html though
it is plain text, and of bad files of each kind; the tests read its exit status, its
lines and its store.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from kg.store import default_graph_options, open_store

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "000_418089195a410d60.txt"
SEED_GWR = ROOT / "data" / "002_772683341a126a07.txt"
KG = [sys.executable, "-m", "kg.cli"]
PREFIX = """PREFIX kgo: <https://w3id.org/policykg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
GRAPH = "https://w3id.org/policykg/graph/"


def short_report() -> str:
    """Title and issuer, part 一 with （一） and 一是 points, the openings of parts 二 and 三,
    and 专栏1 (seed 000)."""
    lines = SEED.read_text(encoding="utf-8").split("\n")

    def first(prefix: str) -> int:
        return next(i for i, line in enumerate(lines) if line.startswith(prefix))

    return "\n".join(lines[:20] + lines[first("二、"):first("二、") + 3] + lines[first("三、"):first("三、") + 3]
                     + lines[first("专栏1"):first("专栏2")]) + "\n"


# Bad files, each with a word its one error line must contain.
def write_bad_files(folder: Path) -> dict[str, str]:
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "unknown-encoding.txt").write_bytes("全年实现".encode() + b"\x80\x81\x8d\x8f\x90\x9d" * 50)
    (folder / "truncated.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    scan = canvas.Canvas(str(folder / "scan.pdf"))
    scan.rect(50, 50, 400, 600, fill=1)  # a page with no text layer
    scan.showPage()
    scan.save()
    return {"empty.txt": "empty file", "binary.txt": "binary content",
            "unknown-encoding.txt": "undecodable text", "truncated.pdf": "corrupt PDF",
            "broken.docx": "corrupt DOCX", "scan.pdf": "no text layer"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    text = short_report()
    (folder / "gb.txt").write_bytes(text.encode("gb18030"))
    (folder / "wide.txt").write_bytes(text.replace("\n", "\r\n").encode("utf-16"))
    lines = SEED_GWR.read_text(encoding="utf-8").split("\n")
    plan = next(i for i, line in enumerate(lines) if line.startswith("二、"))
    opening = lines[:40] + lines[plan:plan + 6]  # the review part's start, the plan part's
    (folder / "plain.html").write_text("\n".join(opening), encoding="utf-8")  # not HTML inside
    bad = write_bad_files(folder)
    (folder / "budget.xlsx").write_bytes(b"PK\x03\x04")  # a folder scan skips it, with a line
    legacy = tmp_path_factory.mktemp("other") / "legacy.doc"  # named explicitly: an error
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    bad["legacy.doc"] = "unsupported file type"
    store = tmp_path_factory.mktemp("store") / "store"
    proc = subprocess.run(KG + ["build", str(folder), str(legacy), "--store", str(store), "--json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    return proc, bad, store


def select(store: Path, query: str) -> list[dict]:
    rows = (st := open_store(store)).query(PREFIX + query, **default_graph_options(st))
    return [{v.value: row[v].value for v in rows.variables if row[v] is not None} for row in rows]


def test_each_bad_file_gets_one_line_naming_it_and_the_reason(built):
    proc, bad, _ = built
    assert proc.returncode == 1  # some documents failed
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == len(bad), errors
    for name, reason in bad.items():  # each line names the file by its path, as found
        paths = {e: Path(e[len("error: "):].split(": ")[0]) for e in errors}
        lines = [e for e, path in paths.items() if path.name == name and path.is_file()]
        assert len(lines) == 1 and reason in lines[0], (name, errors)


def test_the_json_summary_counts_what_was_built(built):
    proc, bad, _ = built
    summary = json.loads(proc.stdout)
    assert summary["ok"] is False and summary["documents"] == 2
    assert len(summary["failed"]) == len(bad)
    # UTF-16 with CRLF decodes to the very text of the GB18030 file: built once
    skipped = [w for w in summary["warnings"] if w.endswith(
        "budget.xlsx: skipped, not a report file type (.xlsx)")]
    assert len(skipped) == 1 and Path(skipped[0].split(": ")[0]).is_file()
    assert sorted(set(summary["warnings"]) - set(skipped)) == sorted([
        "plain.html: named .html but contains plain text",
        "wide.txt: same text as gb.txt; built once"])
    assert summary["sections"] > 10 and summary["columns"] == 1 and summary["sentences"] > 30
    for kind in ("project", "strategy", "place", "indicator"):
        assert summary["entities"][kind] > 0, kind
    assert summary["targets"] > 0 and summary["observations"] > 0
    assert summary["links"]["implements"] > 0
    for stage in ("read", "parse", "projects", "quantities", "links", "resolve", "total"):
        assert summary["timings"][stage] >= 0, stage


def test_only_the_good_documents_are_in_the_store(built):
    _, _, store = built
    graphs = {g.value for g in open_store(store).named_graphs()}
    documents = {g[len(GRAPH):] for g in graphs if g.startswith(GRAPH)} - {"ontology", "gazetteer"}
    assert documents == {"gb", "plain"}
    files = {r["f"] for r in select(store, "SELECT ?f WHERE { ?d a kgo:Document ; kgo:sourceFile ?f }")}
    assert files == {"gb.txt", "plain.html"}


def test_document_metadata_and_place_node(built):
    _, _, store = built
    rows = select(store, """
        SELECT ?f ?title ?issuer ?date ?place ?code ?review ?plan
        WHERE { ?d kgo:sourceFile ?f ; dcterms:title ?title ; kgo:issuerName ?issuer ;
                   kgo:reviewYear ?review ; kgo:planYear ?plan ;
                   kgo:aboutPlace ?p . ?p rdfs:label ?place ; kgo:adminCode ?code .
                OPTIONAL { ?d dcterms:date ?date } }""")
    by_file = {r["f"]: r for r in rows}
    assert by_file["gb.txt"] == {
        "f": "gb.txt", "title": "重庆市武隆区2023年国民经济和社会发展计划执行情况与2024年计划草案的报告",
        "issuer": "重庆市武隆区发展和改革委员会", "place": "武隆区", "code": "500156",
        "review": "2023", "plan": "2024"}
    assert by_file["plain.html"] == {
        "f": "plain.html", "title": "重庆市武隆区人民政府工作报告", "issuer": "重庆市武隆区人民政府区长 左军",
        "date": "2024-01-31", "place": "武隆区", "code": "500156", "review": "2023", "plan": "2024"}


def test_the_column_rows_of_the_plan_part_are_in_the_graph(built):
    _, _, store = built
    rows = select(store, """
        SELECT ?title ?label WHERE { ?d kgo:sourceFile "gb.txt" . ?c a kgo:Column ; dcterms:title ?title ;
               kgo:inSection/kgo:inDocument ?d ; kgo:hasRow ?r . ?r rdfs:label ?label }""")
    assert {r["title"] for r in rows} == {"落实重大战略2024年重点任务"}
    assert {"成渝地区双城经济圈建设", "长江经济带高质量发展"} <= {r["label"] for r in rows}


def test_validate_reports_that_the_built_graph_conforms(built):
    _, _, store = built
    proc = subprocess.run(KG + ["validate", "--store", str(store)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert proc.stdout.startswith("Validation: the graph conforms — 0 violations")


def test_the_text_summary_has_a_line_per_kind_of_figure(tmp_path):
    (tmp_path / "report.txt").write_text(short_report(), encoding="utf-8")
    proc = subprocess.run(KG + ["build", str(tmp_path / "report.txt"), "--store", str(tmp_path / "s")],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    heads = [line.split()[0] for line in proc.stdout.splitlines()]
    assert heads == ["store", "documents", "structure", "entities", "figures", "links", "triples",
                     "warnings", "time"]
    assert "documents  1 built\n" in proc.stdout and "warnings   0\n" in proc.stdout
    assert proc.stderr == ""  # no progress bar when stderr is not a terminal


def test_validate_without_a_store_is_a_clear_error(tmp_path):
    proc = subprocess.run(KG + ["validate", "--store", str(tmp_path / "none")], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and len(proc.stderr.strip().splitlines()) == 1


def test_each_section_links_to_what_its_sentences_mention(built):
    _, _, store = built
    missing = select(store, """
        SELECT ?m WHERE { ?m a kgo:Mention ; kgo:mentionOf ?e ; kgo:inSentence/kgo:inSection ?sec .
                          ?e a ?type . VALUES ?type { kgo:Project kgo:Strategy kgo:Place kgo:Event kgo:Organization }
                          FILTER NOT EXISTS { ?sec kgo:mentions ?e } }""")
    assert missing == []
    linked = select(store, "SELECT DISTINCT ?e WHERE { ?sec a kgo:Section ; kgo:mentions ?e . ?e a kgo:Project }")
    assert len(linked) > 5


def test_a_terminal_sees_a_progress_bar_naming_each_report(tmp_path):
    import fcntl
    import os
    import pty
    import struct
    import termios

    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(short_report(), encoding="utf-8")
    (tmp_path / "b.txt").write_text(short_report() + "\n全年完成投资100亿元。\n", encoding="utf-8")
    master, slave = pty.openpty()  # stderr is a terminal, as in a user's shell
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns
    proc = subprocess.Popen(KG + ["build", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"),
                                  "--store", str(tmp_path / "s")],
                            stdout=subprocess.PIPE, stderr=slave, cwd=ROOT)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(300)
    os.close(master)
    bar = seen.decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "building" in bar and "0/2" in bar and "doc/s" in bar  # tqdm's counter and unit
    assert "a.txt]" in bar or "b.txt]" in bar  # the report just built, in the bar's postfix
    assert bar.rstrip(" ").endswith("\r")  # and the bar is cleared at the end (leave=False)
