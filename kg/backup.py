"""`kg backup` / `kg restore`: a store as one portable, verifiable file.

A backup is a gzip'd N-Quads dump of the named graphs (the default graph, their merge, is
made again on restore) preceded by a one-line JSON header (format, quad count, store version). Restoring writes a new store version through the same atomic swap as a
build, and only after the quad count has been checked: a truncated or foreign file is
refused and the store stays as it was.
"""
from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from pyoxigraph import DefaultGraph, Quad, RdfFormat, parse, serialize

from kg import store

HEADER_KIND = "policykg-backup"


class BackupError(Exception):
    pass


def backup(store_dir: Path, dest: Path) -> dict:
    """Write every quad of the current store version to `dest`; returns the header."""
    st = store.open_store(store_dir)
    info = store.store_info(store_dir)
    dest = Path(dest)
    tmp = dest.with_name(dest.name + ".partial")
    header = {"kind": HEADER_KIND, "format": store.FORMAT_VERSION,
              "quads": store.named_quad_count(st), "version": info.version}
    named = (q for q in st if q.graph_name != DefaultGraph())
    with gzip.open(tmp, "wb") as f:
        f.write(b"# " + json.dumps(header).encode() + b"\n")  # a comment line to N-Quads
        while chunk := list(islice(named, 100_000)):
            f.write(serialize(chunk, format=RdfFormat.N_QUADS))
    tmp.replace(dest)
    return header


def read_header(src: Path) -> dict:
    try:
        with gzip.open(src, "rb") as f:
            line = f.readline()
    except (OSError, EOFError) as e:
        raise BackupError(f"{src}: not a readable policykg backup ({e})") from e
    try:
        header = json.loads(line[2:]) if line.startswith(b"# ") else None
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("kind") != HEADER_KIND:
        raise BackupError(f"{src}: not a policykg backup (no header line)")
    return header


def restore(src: Path, store_dir: Path) -> dict:
    """Replace the store's content by the backup's, atomically; returns the header."""
    src = Path(src)
    header = read_header(src)

    def quads() -> Iterator[Quad]:
        with gzip.open(src, "rb") as f:
            try:
                yield from parse(f, RdfFormat.N_QUADS)
            except (OSError, EOFError, SyntaxError) as e:
                raise BackupError(f"{src}: backup is truncated or damaged ({e})") from e

    def verify(new_store) -> None:
        held = store.named_quad_count(new_store)
        if held != header["quads"]:
            raise BackupError(f"{src}: backup holds {held} quads where its header "
                              f"says {header['quads']}: truncated or altered")

    with store.build_lock(store_dir):
        store.write_version(store_dir, quads(), verify=verify)
    return header
