"""Worker processes that run SPARQL queries with a hard time limit and a memory limit, and the
fair admission of queries to them.

pyoxigraph has neither a query timeout nor a memory cap, and its result iterators must be read
in the thread that created them. So each query runs AND is serialized in one call of
`kg.sparql.execute` inside a warm worker process that holds the store open read-only. The
server waits for the answer with a deadline; past it the worker is killed (SIGKILL: no core
stays busy), replaced, and the request answered 503 before any byte of a result was sent.
A worker's address space is capped (RLIMIT_AS) at what it holds at rest, store open, plus what
one query may use, so a query that would exhaust memory kills only its own worker.

Admission is fair between cheap and expensive queries. Each query is classed light or heavy
by its cost: the CPU time learned per normalised query shape (literals, numbers and comments
blanked; CPU time, not wall time, so a busy machine does not make cheap queries look dear),
or, for a shape not seen yet, an estimate from its shape (two or more triple patterns made
only of variables: a scan joined with a scan). Heavy queries may hold at most `heavy_workers`
workers at once (by default all but a quarter, at most one per core): at least one is always
left to light queries, also while killed workers are being replaced, and a light query that
has burnt a heavy one's CPU counts as heavy while it runs. Each class waits in its own FIFO
queue, bounded in length and in time; the oldest eligible waiter gets the next free worker.
Both queues are generous by default (a dashboard's 64 connections of expensive queries wait
their turn, as with any SPARQL server, rather than being refused); a full queue or a wait past
`queue_timeout` (by default the query time limit) is EndpointBusy (503 with Retry-After). Workers
are recycled after `recycle_after` queries, or when their anonymous memory grew by more than
`recycle_growth` bytes since they started, so memory comes back down after a burst or after
a query that ballooned.
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import OrderedDict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from kg.server.limits import cap_address_space, child_env, die_with_parent, died_of_memory
from kg.sparql import (ERRORS, QueryFailed, QueryJob, QueryOutOfMemory, QueryResult,
                       QueryTimeout, SparqlError)

log = logging.getLogger("kg.server")

STARTUP_TIMEOUT = 60.0  # seconds for a new worker to open the store
RESPAWN_DELAY = 1.0  # seconds before trying again when a replacement worker failed to start
LIGHT, HEAVY = "light", "heavy"
SHAPES_KEPT = 4096  # query shapes whose cost is remembered (least recently used dropped)
HEAVY_AFTER = 0.1  # CPU seconds from which a query counts as heavy (a lookup takes ~1 ms)
RECYCLE_AFTER = 10_000  # queries one worker answers before it is replaced by a fresh one
RECYCLE_GROWTH = 256 * 2**20  # anonymous memory a worker may gain before it is replaced
# Waiting queries per class, at least: a dashboard's connections queue rather than get a 503.
QUEUE_LENGTH = 64


class EndpointBusy(SparqlError):
    """No worker could take the query: its queue was full or it waited too long.

    `retry_after` (seconds) is a fair guess of when to try again, for the Retry-After header.
    """

    def __init__(self, message: str, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = retry_after


# --- what a query costs -----------------------------------------------------------------------

_SHAPE_TOKEN = re.compile("|".join([
    r'(?P<iri><[^<>"{}|^`\\\s]*>)',
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|' r"'''(?:[^'\\]|\\.|'(?!''))*'''|"
    r'"(?:[^"\\\n]|\\.)*"|' r"'(?:[^'\\\n]|\\.)*')",
    r"(?P<comment>#[^\n]*)",
    r"(?P<number>(?<![\w?$:])[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)",
    r"(?P<space>\s+)",
]))
_OPEN_PATTERN = re.compile(r"[?$]\w+\s+[?$]\w+\s+[?$]\w+")  # ?s ?p ?o: a scan of everything


def query_shape(query: str) -> str:
    """The query with its literals, numbers and comments blanked and its spaces collapsed:
    `... LIMIT 10 # page 1` and `... LIMIT 20 # page 2` have one shape and about one cost."""
    def blank(m: re.Match) -> str:
        kind = m.lastgroup
        return {"iri": m.group(), "string": '""', "number": "0", "comment": " "}.get(kind, " ")
    return re.sub(r" +", " ", _SHAPE_TOKEN.sub(blank, query)).strip()


def looks_heavy(shape: str) -> bool:
    """A guess for a shape never run: two or more scans of every triple, joined."""
    where = shape[shape.find("{") + 1:] if "{" in shape else shape
    return len(_OPEN_PATTERN.findall(where)) >= 2


class QueryCosts:
    """The CPU seconds of each query shape, learned as queries run (a running mean that follows
    the latest runs), and the light/heavy class it gives. Thread-safe."""

    def __init__(self, heavy_after: float = HEAVY_AFTER, kept: int = SHAPES_KEPT):
        self.heavy_after = heavy_after
        self.kept = kept
        self._seconds: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def classify(self, shape: str) -> str:
        with self._lock:
            seconds = self._seconds.get(shape)
            if seconds is not None:
                self._seconds.move_to_end(shape)
        if seconds is None:
            return HEAVY if looks_heavy(shape) else LIGHT
        return HEAVY if seconds >= self.heavy_after else LIGHT

    def observe(self, shape: str, seconds: float) -> None:
        with self._lock:
            old = self._seconds.pop(shape, None)
            self._seconds[shape] = seconds if old is None else (old + seconds) / 2
            while len(self._seconds) > self.kept:
                self._seconds.popitem(last=False)

    def __len__(self) -> int:
        return len(self._seconds)


RAISE_MEMORY = "kg serve --memory-budget (all of the server) or --memory-limit (per query) raise it"


# --- one worker process -----------------------------------------------------------------------

def _worker_main(fd: int, store_path: str, memory_limit: int | None) -> None:
    """The loop of one worker process: receive a QueryJob, send back a result or an error."""
    # The server shuts workers down, not Ctrl-C or a SIGTERM sent to the whole process group
    # (systemd, docker stop): in-flight queries finish during a graceful shutdown.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    conn = Connection(fd)
    die_with_parent()
    import pyoxigraph
    import rdflib.plugins.sparql.parser  # noqa: F401  warm: SERVICE/FROM checks parse with it

    from kg.sparql import execute
    try:
        store = pyoxigraph.Store.read_only(store_path)
    except Exception as e:
        conn.send(("failed", f"cannot open the store {store_path}: {e}"))
        return
    cap_address_space(memory_limit)  # what one query may add to the worker at rest
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the server went away
        if job is None:
            return
        cpu = time.process_time()
        try:
            answer = ("ok", execute(store, job))
        except SparqlError as e:
            answer = ("error", type(e).__name__, str(e))
        except MemoryError:
            answer = ("error", "QueryOutOfMemory", "the query needed more memory than one "
                      f"query may use ({memory_limit // 2**20} MiB) and was stopped; "
                      f"{RAISE_MEMORY}")
        except Exception as e:  # an engine failure must not end the worker
            answer = ("error", "QueryFailed", f"the query failed: {type(e).__name__}: {e}")
        # The CPU time the query took: its cost, whatever else the machine was doing.
        conn.send((time.process_time() - cpu, *answer))


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def anonymous_memory(pid: int) -> int | None:
    """Bytes of a process's anonymous resident memory (its heap, not the store's mapped files);
    None where /proc does not say."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


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
            pass_fds=(child_sock.fileno(),), stdin=subprocess.DEVNULL, env=child_env())
        child_sock.close()
        self.conn = Connection(parent_sock.detach())
        self.ready = False
        self.store_path = store_path  # the store version this worker has open
        self.queries = 0  # answered so far
        self.start_memory: int | None = None  # anonymous memory once the store was open

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
        self.start_memory = anonymous_memory(self.process.pid)

    def cpu_seconds(self) -> float | None:
        """CPU time the worker has used so far (Linux /proc); None elsewhere."""
        try:
            with open(f"/proc/{self.process.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime + stime
        except (OSError, ValueError, IndexError):
            return None

    def memory_growth(self) -> int:
        now = anonymous_memory(self.process.pid)
        return 0 if now is None or self.start_memory is None else now - self.start_memory

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


# --- the pool ---------------------------------------------------------------------------------

@dataclass
class _Running:
    kind: str  # the class the query was admitted as
    started: float  # time.monotonic() when it got its worker
    cpu: float | None  # the worker's CPU seconds then


@dataclass
class _Waiter:
    future: asyncio.Future
    since: float


class QueryPool:
    """A fixed number of warm query workers, shared fairly; `run` is awaited by handlers.

    Scheduling state (idle workers, queues, running queries) lives on the event loop; the
    threads that talk to workers hand them back with call_soon_threadsafe.
    """

    def __init__(self, store_path: Path, workers: int = 2, timeout: float = 30.0,
                 memory_limit: int | None = 256 * 2**20, queue_timeout: float | None = None, *,
                 heavy_workers: int | None = None, queue_length: int | None = None,
                 heavy_queue_length: int | None = None, heavy_after: float | None = None,
                 recycle_after: int = RECYCLE_AFTER, recycle_growth: int = RECYCLE_GROWTH):
        self.store_path = str(store_path)
        self.size = max(1, workers)
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.queue_timeout = timeout if queue_timeout is None else queue_timeout
        if heavy_workers is None:
            # A quarter (at least one) is left to light queries; and more heavy queries at
            # once than cores would only share the cores and pass the time limit together.
            heavy_workers = min(self.size - max(1, self.size // 4), os.cpu_count() or 1)
        self.heavy_workers = max(1, min(heavy_workers, self.size))
        self.light_reserve = self.size - self.heavy_workers
        default_length = max(QUEUE_LENGTH, 16 * self.size)
        self.queue_limits = {
            LIGHT: queue_length or default_length,
            HEAVY: heavy_queue_length or queue_length or default_length,
        }
        self.costs = QueryCosts(min(HEAVY_AFTER, timeout / 2) if heavy_after is None
                                else heavy_after)
        self.recycle_after = recycle_after
        self.recycle_growth = recycle_growth
        # Old-version workers may finish their queries while new ones already serve.
        self._threads = ThreadPoolExecutor(2 * self.size, thread_name_prefix="kg-query-wait")
        # Workers starting and stopping, apart: a slow start never delays a query's thread.
        self._lifecycle = ThreadPoolExecutor(self.size + 2, thread_name_prefix="kg-worker-life")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._idle: list[_Worker] = []
        self._running: dict[_Worker, _Running] = {}
        self._waiting: dict[str, deque[_Waiter]] = {LIGHT: deque(), HEAVY: deque()}
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.kills = 0  # workers killed for time or memory: observable in tests and /health
        self.recycled = 0  # workers replaced after recycle_after queries or memory growth
        self.reloads = 0
        self.refused = {LIGHT: 0, HEAVY: 0}  # EndpointBusy answers per class
        self._starting = 0  # replacements opening the store

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        workers = [self._spawn() for _ in range(self.size)]
        await self._loop.run_in_executor(self._threads, lambda: [w.wait_ready() for w in workers])
        self._idle.extend(workers)

    def _spawn(self) -> _Worker:
        w = _Worker(self.store_path, self.memory_limit)
        with self._lock:
            self._workers.add(w)
        return w

    # -- admission -----------------------------------------------------------------------------

    async def run(self, job: QueryJob) -> QueryResult:
        """Answer one job; raises a SparqlError (QueryTimeout, EndpointBusy, ...) otherwise."""
        assert self._loop is not None, "QueryPool.start() was not awaited"
        shape = query_shape(job.query)
        worker = await self._admit(self.costs.classify(shape))
        # The thread owns the worker until it hands it (or its replacement) back, so a
        # request cancelled by its client never leaks a worker.
        return await self._loop.run_in_executor(self._threads, self._exchange, worker, job, shape)

    def run_from_thread(self, job: QueryJob) -> QueryResult:
        """`run` called from a thread other than the event loop's (a lookup's worker thread),
        waiting there for the answer."""
        assert self._loop is not None, "QueryPool.start() was not awaited"
        return asyncio.run_coroutine_threadsafe(self.run(job), self._loop).result()

    async def _admit(self, kind: str) -> _Worker:
        if self._closed:
            raise EndpointBusy("the server is shutting down; try again in a moment", 5)
        queue = self._waiting[kind]
        if not self._head(queue) and self._idle and self._may_start(kind, time.monotonic()):
            return self._take(kind)
        if len(queue) >= self.queue_limits[kind]:
            self.refused[kind] += 1
            raise self._full(kind, len(queue))
        waiter = _Waiter(self._loop.create_future(), time.monotonic())
        queue.append(waiter)
        try:
            return await asyncio.wait_for(waiter.future, self.queue_timeout)
        except asyncio.TimeoutError:
            self.refused[kind] += 1
            raise EndpointBusy(
                f"no query worker became free for this {'expensive ' * (kind == HEAVY)}query "
                f"within {self.queue_timeout:g} s ({len(self._running)} of {self.size} busy"
                + (f", at most {self.heavy_workers} with expensive queries" if kind == HEAVY
                   else "") + "); try again later", self._retry_after(kind)) from None
        except asyncio.CancelledError:
            if waiter.future.done() and not waiter.future.cancelled():
                self._hand_back(waiter.future.result())  # given a worker, then cancelled
            raise
        finally:
            if waiter in queue:
                queue.remove(waiter)

    def _full(self, kind: str, waiting: int) -> EndpointBusy:
        if kind == HEAVY:
            return EndpointBusy(
                f"too many expensive queries: {self.heavy_workers} are running, the most this "
                f"server runs at once, and {waiting} more are waiting; try again later "
                "(cheap queries are still answered)", self._retry_after(kind))
        return EndpointBusy(f"{waiting} queries are already waiting for one of the "
                            f"{self.size} query workers; try again in a moment")

    def _retry_after(self, kind: str) -> int:
        return 1 if kind == LIGHT else max(1, min(int(self.timeout), 10))

    def _may_start(self, kind: str, now: float) -> bool:
        if kind == LIGHT:
            return True
        # While killed workers are being replaced, heavy queries get fewer, never the reserve.
        ready = len(self._idle) + len(self._running)
        limit = min(self.heavy_workers, ready - self.light_reserve)
        return self._heavy_running(now) < limit

    def _heavy_running(self, now: float) -> int:
        """Heavy queries running, counting as heavy a light one that has used the CPU time of
        a heavy one already (a shape not seen before that turned out dear)."""
        after = self.costs.heavy_after
        return sum(r.kind == HEAVY or self._ran_long(w, r, now, after)
                   for w, r in self._running.items())

    @staticmethod
    def _ran_long(worker: _Worker, running: _Running, now: float, after: float) -> bool:
        if now - running.started < after:
            return False  # cannot have used more CPU than that
        cpu = worker.cpu_seconds()
        if cpu is None or running.cpu is None:
            return now - running.started >= 4 * after  # no /proc: wall time, with a margin
        return cpu - running.cpu >= after

    @staticmethod
    def _head(queue: deque[_Waiter]) -> _Waiter | None:
        while queue and queue[0].future.done():  # timed out or cancelled
            queue.popleft()
        return queue[0] if queue else None

    def _take(self, kind: str) -> _Worker:
        worker = self._idle.pop()  # the most recently used: its caches are warm
        self._running[worker] = _Running(kind, time.monotonic(), worker.cpu_seconds())
        return worker

    def _dispatch(self) -> None:
        """Give free workers to the oldest waiters that may start (on the event loop)."""
        while self._idle:
            now = time.monotonic()
            light = self._head(self._waiting[LIGHT])
            heavy = self._head(self._waiting[HEAVY]) if self._may_start(HEAVY, now) else None
            if light is None and heavy is None:
                return
            kind = LIGHT if heavy is None or (light is not None and light.since <= heavy.since) \
                else HEAVY
            waiter = self._waiting[kind].popleft()
            waiter.future.set_result(self._take(kind))

    def _hand_back(self, worker: _Worker) -> None:
        """A worker given to a waiter that went away before using it."""
        self._running.pop(worker, None)
        self._idle.append(worker)
        self._dispatch()

    # -- one query on one worker (in a thread) ---------------------------------------------------

    def _exchange(self, worker: _Worker, job: QueryJob, shape: str) -> QueryResult:
        fate = "dead"
        try:
            worker.wait_ready()
            worker.conn.send(job)
            if not worker.conn.poll(self.timeout):
                self.costs.observe(shape, self.timeout)
                self._kill(worker)
                raise QueryTimeout(f"the query ran longer than the time limit of "
                                   f"{self.timeout:g} s and was stopped; narrow it or add a LIMIT")
            try:
                message = worker.conn.recv()
            except (EOFError, OSError):
                self.costs.observe(shape, self.timeout)  # it died of it: never cheap
                self._kill(worker)
                code = worker.process.poll()
                if died_of_memory(code):
                    raise QueryOutOfMemory(
                        "the query needed more memory than one query may use "
                        f"({(self.memory_limit or 0) // 2**20} MiB) and was stopped; "
                        f"{RAISE_MEMORY}") from None
                raise QueryFailed(f"the query worker ended unexpectedly (exit {code})") from None
            cpu_seconds, *message = message
            self.costs.observe(shape, cpu_seconds)
            worker.queries += 1
            fate = "retire" if (worker.queries >= self.recycle_after
                                or worker.memory_growth() > self.recycle_growth) else "idle"
        except BaseException:
            if worker.is_alive() and fate == "dead":
                self._kill(worker)
            raise
        finally:
            try:
                self._loop.call_soon_threadsafe(self._finished, worker, fate)
            except RuntimeError:  # the event loop is gone: the server has shut down
                worker.kill()
        if message[0] == "ok":
            return message[1]
        raise ERRORS.get(message[1], QueryFailed)(message[2])

    def _kill(self, worker: _Worker) -> None:
        self.kills += 1
        worker.kill()

    # -- workers coming back, retiring, starting (on the event loop) ---------------------------

    def _finished(self, worker: _Worker, fate: str) -> None:
        self._running.pop(worker, None)
        if self._closed:  # close() has stopped every worker already
            worker.kill()
            return
        stale = worker.store_path != self.store_path  # a reload already replaced it
        if fate == "idle" and not stale:
            self._idle.append(worker)
        else:
            with self._lock:
                self._workers.discard(worker)
            if fate != "dead":
                self._loop.run_in_executor(self._lifecycle, worker.stop)
            if fate == "retire":
                self.recycled += 1
            if not stale:
                self._start_replacement()
        self._dispatch()

    def _start_replacement(self) -> None:
        """A new worker joins the idle ones once it has opened the store; queries meanwhile
        go to the others rather than wait for it."""
        if self._closed:
            return
        worker = self._spawn()
        self._starting += 1

        def ready() -> None:
            try:
                worker.wait_ready()
            except QueryFailed as e:
                log.error("a replacement query worker failed to start: %s", e)
                worker.kill()
                self._loop.call_soon_threadsafe(self._replacement_failed, worker)
                return
            self._loop.call_soon_threadsafe(self._replacement_ready, worker)
        self._loop.run_in_executor(self._lifecycle, ready)

    def _replacement_ready(self, worker: _Worker) -> None:
        self._starting -= 1
        self._finished(worker, "idle")

    def _replacement_failed(self, worker: _Worker) -> None:
        self._starting -= 1
        with self._lock:
            self._workers.discard(worker)
        if worker.store_path == self.store_path:
            self._loop.call_later(RESPAWN_DELAY, self._start_replacement)

    # -- reload, close, figures ---------------------------------------------------------------

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
        old, self._idle = self._idle, list(fresh)
        with self._lock:
            self.store_path = store_path
            self._workers.update(fresh)
            self._workers.difference_update(old)
        for w in old:  # in the background: the reload is done once the new ones serve
            self._loop.run_in_executor(self._lifecycle, w.stop)
        self.reloads += 1
        self._dispatch()
        return True

    async def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._workers)
            self._workers.clear()
        self._idle.clear()
        for w in workers:
            w.stop()
        self._threads.shutdown(wait=False, cancel_futures=True)
        self._lifecycle.shutdown(wait=False, cancel_futures=True)

    def stats(self) -> dict:
        """What the pool is doing now and has done, for /health and benchmarks."""
        now = time.monotonic()
        return {"workers": self.size, "heavy_workers": self.heavy_workers,
                "queue_limits": dict(self.queue_limits), "queue_timeout": self.queue_timeout,
                "idle": len(self._idle), "busy": len(self._running),
                "heavy_busy": self._heavy_running(now), "starting": self._starting,
                "waiting": {k: len(q) for k, q in self._waiting.items()},
                "refused": dict(self.refused), "replaced": self.kills,
                "recycled": self.recycled, "reloads": self.reloads,
                "shapes_learned": len(self.costs)}


if __name__ == "__main__":
    _worker_main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]) or None)
