"""Whole-graph analyses and exports in child processes, answered from files on disk.

An analysis reads the whole store into NetworkX (on 10,000 reports: many GiB), so the server
never runs one itself. The first request for an analysis of a store version, with given
parameters, starts a fresh interpreter (`python -m kg.server.offload`) capped in address
space (RLIMIT_AS: `analysis_memory_mb` beyond its imports and open store) and time (`analysis_timeout`); it opens the same
version (the embedded store read-only, or the remote endpoint), writes its files
(kg.server.analysis_jobs) and exits, returning its memory to the system. The server renames
the finished directory into place and serves its files; it keeps nothing but the file names.

    <store>/derived/<version>/<job>[-<hash of parameters>]/     the files of one result
    <store>/derived/<version>/<...>.lock                        held while it is computed

Concurrent first requests for one result start one child, also across HTTP processes (a
file lock); the others wait for it. A child stopped by its memory cap or time limit is a 503
that names the option raising it, a crash a 500; neither leaves a result behind, so the next
request tries again. An entity that is not in the graph (404) or a bad parameter (400) is
a result like any other: asked again, it is answered from its file. Derived files live as
long as their version (kg.store.prune_derived); for a remote store, in a temporary directory
of this process, for the version served only.
"""
from __future__ import annotations

import atexit
import fcntl
import hashlib
import importlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from fastapi import HTTPException

from kg.server.limits import (OUT_OF_MEMORY_EXIT, cap_address_space, child_env,
                              die_with_parent, died_of_memory)

log = logging.getLogger("kg.server")

REFUSED = "refused.json"  # a result that is a client error: {"status": 400|404, "detail": ...}
CHILD = "child.json"  # how the child ran: pid, seconds, peak resident memory
ERROR_TAIL = 2000  # characters of a failed child's stderr kept for the log


def result_key(job: str, params: dict) -> str:
    """The directory name of one result: the job, and a hash of its parameters if any."""
    if not params:
        return job
    text = json.dumps(params, sort_keys=True, ensure_ascii=False)
    return f"{job}-{hashlib.sha1(text.encode()).hexdigest()[:16]}"


def _is_remote(info) -> bool:
    return hasattr(info.version_path, "put_graph")  # a kg.backends.remote.RemoteStore


@cache
def _remote_root() -> Path:
    """This process's directory for the results of a remote store (removed at exit)."""
    root = Path(tempfile.mkdtemp(prefix="policykg-derived-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


def derived_dir(info) -> Path:
    """Where the results of the store version `info` (kg.store.StoreInfo) live."""
    if _is_remote(info):
        return _remote_root() / info.version
    from kg.store import derived_dir as of_store
    return of_store(info.path, info.version)


def sweep(info) -> None:
    """Remove the results of versions no longer kept (the remote store: no longer served)."""
    if not _is_remote(info):
        from kg.store import prune_derived
        prune_derived(info.path)
        return
    for d in _remote_root().iterdir():
        if d.name != info.version:
            shutil.rmtree(d, ignore_errors=True)


def store_size(info) -> int | None:
    """Bytes of the version on disk; None for a remote store (its size is not ours to see)."""
    if _is_remote(info):
        return None
    return sum(f.stat().st_size for f in Path(info.version_path).rglob("*") if f.is_file())


@contextmanager
def _locked(path: Path):
    """An exclusive lock on a file: one holder across threads and processes."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class Runner:
    """Starts the analysis children of one server process, a bounded number at a time."""

    def __init__(self, settings):
        self.memory_limit = settings.analysis_memory() * 2**20 or None
        self.timeout = settings.analysis_timeout
        self.warm_bytes = settings.analysis_warm_mb * 2**20
        self._slots = threading.BoundedSemaphore(settings.analysis_processes)
        self.started = self.failed = 0  # children, for /health and tests

    def result(self, info, job: str, **params) -> Path:
        """The directory of the result of `job` on version `info`, computed if missing;
        raises HTTPException for a refused request or a failed child."""
        final = derived_dir(info) / result_key(job, params)
        if not final.is_dir():
            final.parent.mkdir(parents=True, exist_ok=True)
            with _locked(final.parent / (final.name + ".lock")):
                if not final.is_dir():  # not computed meanwhile by another request
                    self._compute(info, job, params, final)
        refused = final / REFUSED
        if refused.is_file():
            answer = json.loads(refused.read_text(encoding="utf-8"))
            raise HTTPException(answer["status"], answer["detail"])
        return final

    def _compute(self, info, job: str, params: dict, final: Path) -> None:
        sweep(info)
        if not self._slots.acquire(timeout=self.timeout):
            raise HTTPException(503, "every analysis process stayed busy for "
                                f"{self.timeout:g} s; try again later (the server's "
                                "--analysis-processes runs more at once)",
                                headers={"Retry-After": "30"})
        try:
            self._run_child(info, job, params, final)
        finally:
            self._slots.release()

    def _run_child(self, info, job: str, params: dict, final: Path) -> None:
        partial = final.with_name(final.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)  # a killed server's: we hold the lock
        spec = {"job": job, "params": params, "out": str(partial), "store": _store_spec(info),
                "memory_limit": self.memory_limit, "timeout": self.timeout}
        self.started += 1
        try:
            done = subprocess.run([sys.executable, "-m", "kg.server.offload", json.dumps(spec)],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, env=child_env(), timeout=self.timeout)
        except subprocess.TimeoutExpired:  # run() has killed it
            self._failed(partial)
            raise HTTPException(503, f"the analysis ran longer than its time limit of "
                                f"{self.timeout:g} s and was stopped; the server's "
                                "--analysis-timeout (setting analysis_timeout) raises it",
                                headers={"Retry-After": "60"}) from None
        if done.returncode != 0:
            self._failed(partial)
            raise self._failure(job, done)
        os.rename(partial, final)

    def _failed(self, partial: Path) -> None:
        self.failed += 1
        shutil.rmtree(partial, ignore_errors=True)

    def _failure(self, job: str, done: subprocess.CompletedProcess) -> HTTPException:
        """The answer to a child that ended badly: its memory cap (503) or a bug (500)."""
        err = done.stderr.decode("utf-8", "replace")[-ERROR_TAIL:]
        if self.memory_limit and died_of_memory(done.returncode):
            log.warning("the analysis %s ran out of its %d MiB", job, self.memory_limit // 2**20)
            return HTTPException(503, f"the analysis needed more memory than it may use "
                                 f"({self.memory_limit // 2**20} MiB) and was stopped; the "
                                 "server's --analysis-memory (setting analysis_memory_mb) or "
                                 "--memory-budget raises the limit", headers={"Retry-After": "60"})
        log.error("the analysis %s failed (exit %s):\n%s", job, done.returncode, err)
        # the exception's type only: its message may hold paths of the server's machine
        last = err.strip().splitlines()[-1].split(":")[0] if err.strip() else \
            f"exit {done.returncode}"
        return HTTPException(500, f"the analysis failed ({last}); see the server log")

    def warm(self, info, jobs: tuple[str, ...]) -> None:
        """Compute `jobs` (without parameters) ahead, one after the other, in children, when
        the version is small enough (analysis_warm_mb); otherwise each is computed when
        first asked. Results of versions no longer kept are removed either way."""
        sweep(info)
        size = store_size(info)
        if size is None or size > self.warm_bytes:
            return
        for job in jobs:
            try:
                self.result(info, job)
            except HTTPException as e:  # the route will say so when asked
                log.warning("warming the analysis %s failed: %s", job, e.detail)

    def stats(self) -> dict:
        return {"children_started": self.started, "children_failed": self.failed,
                "memory_limit_mb": (self.memory_limit or 0) // 2**20, "timeout": self.timeout}


def _store_spec(info) -> dict:
    """How a child opens the version: its directory, or the remote endpoint's URL."""
    if _is_remote(info):
        return {"endpoint": info.version_path.url}
    return {"path": str(info.version_path)}


_runners: dict[Path, Runner] = {}


def configure(info, settings) -> Runner:
    """The Runner of the server over `info`'s store, with its settings (kg.server.app)."""
    _runners[Path(info.path)] = runner = Runner(settings)
    return runner


def runner_for(info) -> Runner:
    """The configured Runner of this store; the default settings' for an app not made by
    create_app (a bare router in tests)."""
    found = _runners.get(Path(info.path))
    if found is None:
        from kg.server.settings import Settings
        found = _runners.setdefault(Path(info.path), Runner(Settings()))
    return found


# --- the child ----------------------------------------------------------------------------

# what the jobs of kg.server.analysis_jobs import when they run
ANALYSIS_MODULES = ("networkx", "kg.analysis.linkage", "kg.analysis.plan_actual",
                    "kg.analysis.structure", "kg.analysis.views", "kg.export")


def _child_main(spec: dict) -> None:
    """Open the version, run the job into spec["out"], note how it ran, exit."""
    die_with_parent()
    try:
        _run_job(spec)
    except MemoryError:
        sys.stderr.write("MemoryError: the analysis reached its address-space limit\n")
        sys.exit(OUT_OF_MEMORY_EXIT)


def _run_job(spec: dict) -> None:
    import resource

    from kg.server.analysis_jobs import JOBS, write_json

    started = time.monotonic()
    if "endpoint" in spec["store"]:
        from kg.backends.remote import RemoteStore
        store = RemoteStore(spec["store"]["endpoint"], timeout=spec["timeout"])
    else:
        from kg.backends import open_version
        store = open_version(spec["store"]["path"])
    for module in ANALYSIS_MODULES:  # imported before the cap: what it limits is the job's data
        importlib.import_module(module)
    cap_address_space(spec["memory_limit"])
    out = Path(spec["out"])
    out.mkdir()
    try:
        JOBS[spec["job"]](store, out, **spec["params"])
    except KeyError as e:  # an entity the graph does not hold
        write_json(out / REFUSED, {"status": 404, "detail": e.args[0] if e.args else str(e)})
    except ValueError as e:
        write_json(out / REFUSED, {"status": 400, "detail": str(e)})
    write_json(out / CHILD, {"pid": os.getpid(), "seconds": round(time.monotonic() - started, 3),
                             "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                             // 1024})


if __name__ == "__main__":
    _child_main(json.loads(sys.argv[1]))
