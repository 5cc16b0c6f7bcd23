"""The store keeps the last good version whatever happens to a build."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from kg import store

EX = "https://example.org/"


def quads(n: int, graph: str = "g"):
    g = NamedNode(EX + graph)
    for i in range(n):
        yield Quad(NamedNode(f"{EX}s{i}"), NamedNode(EX + "p"), Literal(str(i)), g)


def count(path) -> int:
    return store.named_quad_count(store.open_store(path))


def test_a_written_version_becomes_current_and_opens_read_only(tmp_path):
    d = tmp_path / "store"
    with store.build_lock(d):
        info = store.write_version(d, quads(10))
    assert count(d) == 10
    assert store.store_info(d).version == info.version
    assert (d / "current").is_symlink()


def write_versions(d, sizes, each=lambda version: None) -> list[str]:
    """One version per size, in order; each(version) after it is written."""
    versions = []
    for n in sizes:
        with store.build_lock(d):
            versions.append(store.write_version(d, quads(n)).version)
        each(versions[-1])
    return versions


def test_a_second_version_replaces_the_first_and_old_ones_are_pruned(tmp_path):
    d = tmp_path / "store"
    versions = write_versions(d, (3, 5, 7))
    assert count(d) == 7
    kept = sorted(p.name for p in (d / "versions").iterdir())
    assert versions[-1] in kept and versions[0] not in kept
    assert len(kept) == store.KEEP_VERSIONS


def test_what_was_derived_from_a_pruned_version_goes_with_it(tmp_path):
    d = tmp_path / "store"

    def derive(version: str) -> None:
        store.derived_dir(d, version).mkdir(parents=True)
        (store.derived_dir(d, version) / "lookup.sqlite").write_text("x")

    versions = write_versions(d, (3, 5, 7), derive)
    kept = sorted(p.name for p in (d / "versions").iterdir())
    assert sorted(p.name for p in (d / store.DERIVED).iterdir()) == kept
    assert versions[0] not in kept


def test_a_failing_verification_keeps_the_previous_version(tmp_path):
    d = tmp_path / "store"
    with store.build_lock(d):
        first = store.write_version(d, quads(4)).version

    def refuse(_):
        raise RuntimeError("refused")

    with pytest.raises(RuntimeError), store.build_lock(d):
        store.write_version(d, quads(9), verify=refuse)
    assert store.store_info(d).version == first
    assert count(d) == 4
    assert not [p for p in (d / "versions").iterdir() if p.name.endswith(".partial")]


def test_a_second_build_fails_clearly_while_one_holds_the_lock(tmp_path):
    d = tmp_path / "store"
    with store.build_lock(d):
        with pytest.raises(store.StoreLocked, match="another build is running"):
            with store.build_lock(d):
                pass


def test_a_foreign_directory_is_refused_with_a_clear_message(tmp_path):
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "cat.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(store.StoreError, match="not a policykg store"):
        store.open_store(foreign)
    with pytest.raises(store.StoreError, match="not a policykg store"):
        store.init_store_dir(foreign)
    with pytest.raises(store.StoreError, match="no store here"):
        store.open_store(tmp_path / "missing")


def test_a_corrupted_store_gets_a_clear_error(tmp_path):
    d = tmp_path / "store"
    with store.build_lock(d):
        store.write_version(d, quads(3))
    version = store.store_info(d).version_path
    for f in version.iterdir():
        if f.is_file():
            f.write_bytes(b"garbage")
    with pytest.raises(store.StoreError, match="corrupt or unreadable"):
        store.open_store(d)


def test_sigkill_during_a_build_leaves_the_previous_store_serving(tmp_path):
    d = tmp_path / "store"
    with store.build_lock(d):
        store.write_version(d, quads(5))
    before = store.store_info(d).version
    # A child process writes a large version slowly; kill it mid-write.
    script = textwrap.dedent(f"""
        import time
        from pyoxigraph import Literal, NamedNode, Quad
        from kg import store
        def slow():
            for i in range(10**7):
                if i % 1000 == 0:
                    time.sleep(0.001)
                yield Quad(NamedNode("{EX}s%d" % i), NamedNode("{EX}p"), Literal("x"), NamedNode("{EX}g"))
        with store.build_lock({str(d)!r}):
            print("writing", flush=True)
            store.write_version({str(d)!r}, slow())
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                             cwd=os.getcwd())
    assert child.stdout.readline().strip() == b"writing"
    time.sleep(0.5)
    child.kill()
    child.wait()
    assert store.store_info(d).version == before
    assert count(d) == 5
    # The lock died with the process: the next build runs and cleans the partial version.
    with store.build_lock(d):
        store.write_version(d, quads(6))
    assert count(d) == 6
    assert not [p for p in (d / "versions").iterdir() if p.name.endswith(".partial")]


def test_n_quads_files_and_quads_load_together_in_batches_with_nothing_lost(tmp_path, monkeypatch):
    from pyoxigraph import BlankNode, DefaultGraph, RdfFormat, serialize

    # small batches, so files are cut at line breaks and quads spill across batches
    monkeypatch.setattr(store, "LOAD_BYTES", 300)
    monkeypatch.setattr(store, "QUAD_CHUNK", 3)
    files = []
    for name in ("a", "b"):
        f = tmp_path / f"{name}.nq"
        f.write_bytes(b"# 40 quads\n" + serialize(list(quads(40, name)), format=RdfFormat.N_QUADS))
        files.append(f)
    last = tmp_path / "c.nq"  # no line break at the end of the file
    last.write_bytes(serialize(list(quads(2, "c")), format=RdfFormat.N_QUADS).rstrip(b"\n"))
    # a blank node given as Python quads stays one node across batches
    b = BlankNode("shared")
    blank = [Quad(b, NamedNode(EX + "p"), Literal(str(i)), NamedNode(EX + "o")) for i in range(8)]
    d = tmp_path / "store"
    with store.build_lock(d):
        store.write_version(d, [*quads(7, "m"), files[0], *blank, files[1], last])
    st = store.open_store(d)
    assert store.named_quad_count(st) == 7 + 40 + 8 + 40 + 2
    # the default graph holds the merge: files a and b state the same 40 triples, m and c
    # some of them again; the blank node's 8 triples stay about one node there too
    merged = list(st.quads_for_pattern(None, None, None, DefaultGraph()))
    assert len(merged) == 40 + 8 and len({q.subject for q in merged if q.subject == b}) == 1
    assert {q for q in st.quads_for_pattern(None, None, None, NamedNode(EX + "a"))} == set(quads(40, "a"))
    assert len({q.subject for q in st.quads_for_pattern(None, None, None, NamedNode(EX + "o"))}) == 1


def test_the_default_graph_is_the_merge_of_the_named_graphs_each_triple_once(tmp_path):
    from pyoxigraph import DefaultGraph, RdfFormat, serialize

    def triples(st):
        return [q.triple for q in st.quads_for_pattern(None, None, None, DefaultGraph())]

    shared = (NamedNode(EX + "s"), NamedNode(EX + "p"), Literal("said by both"))
    a, b = NamedNode(EX + "a"), NamedNode(EX + "b")
    d = tmp_path / "store"
    with store.build_lock(d):
        store.write_version(d, [Quad(*shared, a), Quad(*shared, b), *quads(3, "a")])
    st = store.open_store(d)
    assert sorted(map(str, triples(st))) == sorted({str(q.triple) for q in
                                                    [Quad(*shared, a), *quads(3, "a")]})
    assert store.default_graph_options(st) == {}  # queried as it is, not as Oxigraph's union
    counted = st.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **store.default_graph_options(st))
    assert int(next(iter(counted))[0].value) == 4  # the union of the two graphs would say 5
    # a patch that removes one graph keeps what the other still states, and drops the rest
    drop = tmp_path / "drop.nq"
    drop.write_bytes(serialize([Quad(*shared, b)], format=RdfFormat.N_QUADS))
    with store.build_lock(d):
        store.write_version(d, [], base=store.store_info(d).version_path, remove=[a])
    assert [t.object.value for t in triples(store.open_store(d))] == ["said by both"]
    with store.build_lock(d):
        store.write_version(d, [*quads(2, "c")], base=store.store_info(d).version_path,
                            remove_quads=[drop])
    assert sorted(t.object.value for t in triples(store.open_store(d))) == ["0", "1"]


def test_a_patch_drops_from_the_merge_a_value_replaced_by_the_next_one(tmp_path):
    # Oxigraph's on-disk store finds the quads of 256 when asked for 255 (an encoding that
    # ends in a 0xFF byte): an offset moved by one character must still leave the merge
    from pyoxigraph import DefaultGraph

    xsd_integer = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    g = NamedNode(EX + "g")

    def offsets(shift: int):
        return [Quad(NamedNode(f"{EX}s{v}"), NamedNode(EX + "offset"),
                     Literal(str(v + shift), datatype=xsd_integer), g) for v in (127, 255, 4095)]

    d = tmp_path / "store"
    with store.build_lock(d):
        store.write_version(d, offsets(0))
    with store.build_lock(d):
        store.write_version(d, offsets(1), base=store.store_info(d).version_path, remove=[g])
    merged = {q.object.value for q in store.open_store(d).quads_for_pattern(
        None, None, None, DefaultGraph())}
    assert merged == {"128", "256", "4096"}


def test_an_update_keeps_the_merge_and_what_it_writes_into_the_default_graph(tmp_path):
    from pyoxigraph import DefaultGraph

    d = tmp_path / "store"
    with store.build_lock(d):
        store.write_version(d, [*quads(2, "a")])
    edit = (f"DELETE DATA {{ GRAPH <{EX}a> {{ <{EX}s0> <{EX}p> \"0\" }} }} ; "
            f"INSERT DATA {{ GRAPH <{EX}b> {{ <{EX}s9> <{EX}p> \"9\" }} <{EX}x> <{EX}p> \"own\" }}")
    with store.build_lock(d):
        store.write_version(d, base=store.store_info(d).version_path,
                            edit=lambda st: st.update(edit))
    merged = {q.object.value for q in store.open_store(d).quads_for_pattern(
        None, None, None, DefaultGraph())}
    assert merged == {"1", "9", "own"}  # "0" left with its only graph; "own" was written there
