"""Shared fixtures: real stores and real servers (uvicorn in a subprocess on a free port).

- `store_dir`: the seed reports (data/) built with `kg.build.build`, session-wide.
- `server_url`: `kg serve` over `store_dir`, session-wide, e.g. "http://127.0.0.1:41234".
- `sample_store_dir` / `sample_server_url`: a small hand-written graph (tests/data/sample.trig)
  in the shape kg/rdf.py writes, for tests whose expected answers must be exact.
- `start_server(store, **settings)`: a context manager for a server with its own settings
  (a short time limit, an allow-list, ...); yields a RunningServer with `.url`.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = Path(__file__).parent / "data"


def write_store(store_dir: Path, quads: Iterable[ox.Quad]) -> Path:
    """A policykg store directory (kg.store layout) holding exactly these quads."""
    from kg import store
    with store.build_lock(store_dir):
        store.write_version(store_dir, quads)
    return store_dir


def store_from_file(store_dir: Path, rdf_file: Path) -> Path:
    return write_store(store_dir, ox.parse(path=str(rdf_file)))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


_SERVE = ("import json, sys; from kg.server.app import serve; "
          "serve(sys.argv[1], '127.0.0.1', int(sys.argv[2]), **json.loads(sys.argv[3]))")


@contextmanager
def start_server(store_dir: Path, log_dir: Path | None = None, **settings) -> Iterator[RunningServer]:
    """Run `serve(store_dir, **settings)` in a subprocess until the block ends."""
    settings.setdefault("workers", 2)
    # KG_TEST_HTTP_SERVER=granian runs the server tests behind granian instead of uvicorn.
    settings.setdefault("http_server", os.environ.get("KG_TEST_HTTP_SERVER", "uvicorn"))
    port = free_port()
    log = Path(log_dir or store_dir.parent) / f"server-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", _SERVE, str(store_dir), str(port),
             json.dumps(settings, default=str)],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = RunningServer(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_until_up(server)
        yield server
    finally:
        stop_server(process)


def stop_server(process: subprocess.Popen, grace: float = 15.0) -> None:
    """SIGTERM (a graceful stop), then SIGKILL past `grace` seconds."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def refused_soon(url: str, within: float = 10.0) -> bool:
    """Whether the server at url stops taking connections within `within` seconds (it was
    told to stop): /health is asked until a connection fails."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/health", timeout=1)
            time.sleep(0.02)
        except httpx.TransportError:
            return True
    return False


def _wait_until_up(server: RunningServer, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited ({server.process.returncode}):\n"
                               + server.log_text())
        try:
            if httpx.get(server.url + "/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    server.process.kill()
    raise RuntimeError("the server did not come up in time:\n" + server.log_text())


@pytest.fixture(scope="session")
def sample_store_dir(tmp_path_factory) -> Path:
    return store_from_file(tmp_path_factory.mktemp("sample") / "store", TEST_DATA / "sample.trig")


@pytest.fixture(scope="session")
def sample_server(sample_store_dir) -> Iterator[RunningServer]:
    with start_server(sample_store_dir) as server:
        yield server


@pytest.fixture(scope="session")
def sample_server_url(sample_server) -> str:
    return sample_server.url


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory) -> Path:
    """The seed reports built by the real pipeline."""
    from kg.build import build
    path = tmp_path_factory.mktemp("seed") / "store"
    summary = build([ROOT / "data"], path, jobs=1)
    assert summary.ok, summary.failed
    return path


@pytest.fixture(scope="session")
def server_url(store_dir) -> Iterator[str]:
    with start_server(store_dir) as server:
        yield server.url


@pytest.fixture(scope="session")
def server_factory(tmp_path_factory):
    """start_server bound to a temporary log directory."""
    log_dir = tmp_path_factory.mktemp("server-logs")

    def factory(store_dir: Path, **settings):
        return start_server(store_dir, log_dir=log_dir, **settings)
    return factory
