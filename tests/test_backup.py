"""A backup restores to the same store; a damaged one is refused and changes nothing."""
from __future__ import annotations

import gzip

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from kg import store
from kg.backup import BackupError, backup, restore

EX = "https://example.org/"


def make_store(path, n):
    with store.build_lock(path):
        store.write_version(path, (Quad(NamedNode(f"{EX}s{i}"), NamedNode(EX + "p"),
                                        Literal(f"值{i}", language="zh"), NamedNode(EX + "g"))
                                   for i in range(n)))


def test_backup_then_restore_gives_the_same_quads(tmp_path):
    make_store(tmp_path / "a", 50)
    header = backup(tmp_path / "a", tmp_path / "a.nq.gz")
    assert header["quads"] == 50
    make_store(tmp_path / "b", 3)
    restore(tmp_path / "a.nq.gz", tmp_path / "b")
    a = set(store.open_store(tmp_path / "a"))
    b = set(store.open_store(tmp_path / "b"))
    assert a == b and store.named_quad_count(store.open_store(tmp_path / "b")) == 50


def test_a_truncated_backup_is_refused_and_the_store_is_kept(tmp_path):
    make_store(tmp_path / "a", 2000)
    backup(tmp_path / "a", tmp_path / "a.nq.gz")
    raw = gzip.decompress((tmp_path / "a.nq.gz").read_bytes())
    (tmp_path / "cut.nq.gz").write_bytes(gzip.compress(raw[: len(raw) // 2]))
    make_store(tmp_path / "b", 7)
    version = store.store_info(tmp_path / "b").version
    with pytest.raises(BackupError, match="truncated|damaged"):
        restore(tmp_path / "cut.nq.gz", tmp_path / "b")
    assert store.store_info(tmp_path / "b").version == version
    assert store.named_quad_count(store.open_store(tmp_path / "b")) == 7


def test_a_foreign_file_is_not_a_backup(tmp_path):
    (tmp_path / "x.gz").write_bytes(gzip.compress(b"<a> <b> <c> .\n"))
    (tmp_path / "y.gz").write_bytes(b"plain bytes")
    for f in ("x.gz", "y.gz"):
        with pytest.raises(BackupError, match="not a"):
            restore(tmp_path / f, tmp_path / "b")
