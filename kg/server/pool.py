"""Worker processes that run SPARQL queries with a hard time limit and a memory limit.

pyoxigraph has neither a query timeout nor a memory cap, and its result iterators must be read
in the thread that created them. So each query runs AND is serialized in one call of
`kg.sparql.execute` inside a warm worker process that holds the store open read-only. The
server waits for the answer with a deadline; past it the worker is killed (SIGKILL: no core
stays busy), replaced, and the request answered 503 before any byte of a result was sent.
A worker's address space is capped (RLIMIT_AS), so a query that would exhaust memory kills
only its own worker.
"""
from __future__ import annotations

import asyncio
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path

from kg.sparql import (ERRORS, QueryFailed, QueryJob, QueryOutOfMemory, QueryResult,
                       QueryTimeout, SparqlError)

STARTUP_TIMEOUT = 60.0  # seconds for a new worker to open the store


class EndpointBusy(SparqlError):
    """Every worker stayed busy for longer than the queue allows."""


def _worker_main(fd: int, store_path: str, memory_limit: int | None) -> None:
    """The loop of one worker process: receive a QueryJob, send back a result or an error."""
    # The server shuts workers down, not Ctrl-C or a SIGTERM sent to the whole process group
    # (systemd, docker stop): in-flight queries finish during a graceful shutdown.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    conn = Connection(fd)
    _die_with_parent()
    if memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    import pyoxigraph
    import rdflib.plugins.sparql.parser  # noqa: F401  warm: SERVICE/FROM checks parse with it

    from kg.sparql import execute
    try:
        store = pyoxigraph.Store.read_only(store_path)
    except Exception as e:
        conn.send(("failed", f"cannot open the store {store_path}: {e}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the server went away
        if job is None:
            return
        try:
            conn.send(("ok", execute(store, job)))
        except SparqlError as e:
            conn.send(("error", type(e).__name__, str(e)))
        except MemoryError:
            conn.send(("error", "QueryOutOfMemory", "the query needed more memory than one "
                       f"query may use ({memory_limit // 2**20} MiB) and was stopped"))
        except Exception as e:  # an engine failure must not end the worker
            conn.send(("error", "QueryFailed", f"the query failed: {type(e).__name__}: {e}"))


def _die_with_parent() -> None:
    """Linux: SIGKILL this worker when the server dies, even in the middle of a long query."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # elsewhere the worker ends at its next read from the closed socket


class _Worker:
    """One worker: a fresh interpreter (`python -m kg.server.pool`) on one end of a socket pair.

    A plain subprocess rather than multiprocessing, so the worker never re-imports the server's
    __main__ and never inherits the server's threads.
    """

    def __init__(self, store_path: str, memory_limit: int | None):
        parent_sock, child_sock = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg.server.pool", str(child_sock.fileno()), store_path,
             str(memory_limit or 0)],
            pass_fds=(child_sock.fileno(),), stdin=subprocess.DEVNULL, env=_worker_env())
        child_sock.close()
        self.conn = Connection(parent_sock.detach())
        self.ready = False
        self.store_path = store_path  # the store version this worker has open

    def wait_ready(self) -> None:
        if self.ready:
            return
        if not self.conn.poll(STARTUP_TIMEOUT):
            self.kill()
            raise QueryFailed("a query worker did not start in time")
        try:
            message = self.conn.recv()
        except (EOFError, OSError):
            raise QueryFailed("a query worker could not start (see the server log)") from None
        if message[0] != "ready":
            raise QueryFailed(message[1])
        self.ready = True

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.is_alive():
            self.process.kill()
        self.process.wait(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
            self.process.wait(2)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


def _worker_env() -> dict[str, str]:
    env = dict(os.environ)
    # Few malloc arenas: each reserves address space that would count against RLIMIT_AS.
    env.setdefault("MALLOC_ARENA_MAX", "2")
    root = str(Path(__file__).resolve().parents[2])  # so `-m kg.server.pool` finds this kg
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


class QueryPool:
    """A fixed number of warm query workers; `run` is awaited by request handlers."""

    def __init__(self, store_path: Path, workers: int = 2, timeout: float = 30.0,
                 memory_limit: int | None = 4 * 2**30, queue_timeout: float | None = None):
        self.store_path = str(store_path)
        self.size = max(1, workers)
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.queue_timeout = timeout if queue_timeout is None else queue_timeout
        self._threads = ThreadPoolExecutor(self.size, thread_name_prefix="kg-query-wait")
        self._idle: asyncio.Queue[_Worker] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self.kills = 0  # workers killed for time or memory: observable in tests and /health
        self.reloads = 0

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        workers = [self._spawn() for _ in range(self.size)]
        await self._loop.run_in_executor(self._threads, lambda: [w.wait_ready() for w in workers])
        for w in workers:
            self._idle.put_nowait(w)

    def _spawn(self) -> _Worker:
        w = _Worker(self.store_path, self.memory_limit)
        with self._lock:
            self._workers.add(w)
        return w

    async def run(self, job: QueryJob) -> QueryResult:
        """Answer one job; raises a SparqlError (QueryTimeout, EndpointBusy, ...) otherwise."""
        assert self._idle is not None, "QueryPool.start() was not awaited"
        while True:
            try:
                worker = await asyncio.wait_for(self._idle.get(), self.queue_timeout)
            except asyncio.TimeoutError:
                raise EndpointBusy(f"all {self.size} query workers stayed busy for "
                                   f"{self.queue_timeout:g} s; try again later") from None
            if worker.store_path == self.store_path:
                break
            # Released just as a reload swapped versions: it must not serve the new one.
            with self._lock:
                self._workers.discard(worker)
            self._loop.run_in_executor(None, worker.stop)
        # The thread owns the worker until it hands it (or its replacement) back, so a
        # request cancelled by its client never leaks a worker.
        return await self._loop.run_in_executor(self._threads, self._exchange, worker, job)

    def _exchange(self, worker: _Worker, job: QueryJob) -> QueryResult:
        replacement = None
        try:
            worker.wait_ready()
            worker.conn.send(job)
            if not worker.conn.poll(self.timeout):
                replacement = self._replace(worker)
                raise QueryTimeout(f"the query ran longer than the time limit of "
                                   f"{self.timeout:g} s and was stopped; narrow it or add a LIMIT")
            try:
                message = worker.conn.recv()
            except (EOFError, OSError):
                replacement = self._replace(worker)
                code = worker.process.poll()
                if code in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV):
                    raise QueryOutOfMemory(
                        "the query needed more memory than one query may use "
                        f"({(self.memory_limit or 0) // 2**20} MiB) and was stopped") from None
                raise QueryFailed(f"the query worker ended unexpectedly (exit {code})") from None
        except BaseException:
            if replacement is None and not worker.is_alive():
                replacement = self._replace(worker)
            raise
        finally:
            self._release(replacement or worker)
        if message[0] == "ok":
            return message[1]
        raise ERRORS.get(message[1], QueryFailed)(message[2])

    def _replace(self, worker: _Worker) -> _Worker:
        self.kills += 1
        worker.kill()
        with self._lock:
            self._workers.discard(worker)
            if worker.store_path != self.store_path:
                return worker  # a worker of an old version: the reload already replaced it
        return self._spawn()  # becomes ready in the background; wait_ready() before use

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            stale = worker.store_path != self.store_path
            self._workers.discard(worker) if stale else None
        if stale:  # it finished its query on the old version; the new version has its own
            worker.stop()
            return
        self._loop.call_soon_threadsafe(self._idle.put_nowait, worker)

    async def reload(self, store_path: Path) -> bool:
        """Serve another store version without downtime; False if it is the one served.

        New workers open the new version first; only then do they replace the idle old ones.
        A busy old worker finishes its query on the old version and is stopped when released.
        Must be awaited on the pool's event loop, one reload at a time.
        """
        store_path = str(store_path)
        if store_path == self.store_path:
            return False
        fresh = [_Worker(store_path, self.memory_limit) for _ in range(self.size)]
        try:
            await self._loop.run_in_executor(None, lambda: [w.wait_ready() for w in fresh])
        except BaseException:
            for w in fresh:
                w.kill()
            raise
        with self._lock:
            self.store_path = store_path
            self._workers.update(fresh)
        old = []
        while not self._idle.empty():
            old.append(self._idle.get_nowait())
        for w in fresh:
            self._idle.put_nowait(w)
        with self._lock:
            self._workers.difference_update(old)
        for w in old:  # in the background: the reload is done once the new ones serve
            self._loop.run_in_executor(None, w.stop)
        self.reloads += 1
        return True

    async def close(self) -> None:
        with self._lock:
            workers = list(self._workers)
            self._workers.clear()
        for w in workers:
            w.stop()
        self._threads.shutdown(wait=False, cancel_futures=True)




if __name__ == "__main__":
    _worker_main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]) or None)
