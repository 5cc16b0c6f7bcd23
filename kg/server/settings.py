"""The server's settings: limits, workers, allow-lists. One dataclass, defaults that are safe
to put on a network (read-only, no outgoing requests, bounded cost)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

REPO_QUERIES = Path(__file__).resolve().parents[2] / "queries"
MIN_TOKEN_LENGTH = 16  # a bearer token shorter than this is too easy to guess
HTTP_SERVERS = ("uvicorn", "granian")
# What the processes of `kg serve` hold at rest, in MiB, measured on a 10,000-report store:
# an HTTP process with its caches (results 64, encoded /api answers 32, lookup answers), and
# a query worker or an analysis child with the store open. The rest of the memory budget is
# the queries' and the analyses'.
HTTP_PROCESS_MB = 224
AT_REST_MB = 64
MIN_TASK_MB = 64


@dataclass(frozen=True)
class Settings:
    query_timeout: float = 30.0  # seconds one query may run before it is stopped (503)
    # Query worker processes (per HTTP process): one per core for expensive queries, plus one
    # that only cheap queries may use, so a burst of expensive ones never starves lookups.
    workers: int = (os.cpu_count() or 2) + 1
    # Workers expensive (heavy) queries may hold at once; default: all but a quarter (at least
    # one is kept for cheap ones), at most one per core.
    heavy_workers: int | None = None
    # Queries that may wait for a worker, per class (cheap, expensive); default: 64 or 16 per
    # worker, whichever is more. Past it, or past queue_timeout, the answer is 503 + Retry-After.
    queue_length: int | None = None
    heavy_queue_length: int | None = None  # default: queue_length
    queue_timeout: float | None = None  # seconds to wait for a free worker; default: query_timeout
    http_processes: int = 1  # processes parsing HTTP on one port (kg serve: --http-processes)
    # The HTTP server: "uvicorn" (Python's httptools parser and asyncio sockets) or "granian"
    # (Rust's hyper parses and writes; the app still answers in Python). kg serve: --http-server
    http_server: str = "uvicorn"
    # All of `kg serve` — its HTTP processes, their query workers and analysis children —
    # stays under this many MiB: each query or analysis may use its share of what the
    # processes at rest leave (task_pool_mb).
    memory_budget_mb: int = 1024
    # MiB one query may use in its worker, beyond the worker at rest; default: its share
    # of memory_budget_mb. A query that needs more is stopped (503).
    memory_limit_mb: int | None = None
    # Whole-graph analyses and exports (/api/analysis/*, /api/export/*, /graph) run each in a
    # child process per store version and parameters, which writes its result to a file
    # (kg.server.offload) and exits: past this memory (MiB beyond its imports and open store;
    # default: its share of memory_budget_mb; 0: no limit) or time the answer is 503.
    analysis_memory_mb: int | None = None
    analysis_timeout: float = 600.0
    analysis_processes: int = 1  # analysis children running at once, per HTTP process
    # At start and reload the default analyses are computed ahead only for a store version of
    # at most this many MiB on disk (0: never); a larger one computes each when first asked.
    analysis_warm_mb: int = 512
    max_query_length: int = 100_000  # characters of query text (414 in a URL, 413 in a body)
    max_body_bytes: int = 1_000_000  # request body (413)
    max_result_rows: int = 1_000_000  # solutions or triples of one result
    max_result_bytes: int = 256 * 2**20  # serialized size of one result
    allowed_services: tuple[str, ...] = ()  # SERVICE endpoints a query may call; none by default
    # Single-pattern lookups answered in the server process up to this many solutions
    # (kg.server.local_queries); 0: every query goes to a worker.
    local_query_rows: int = 2000
    # Build lookup indexes and default analyses at start; otherwise at the first /api/ request
    # (servers that never answer one pay nothing). Reloads rebuild them once /api/ is in use.
    warm_at_start: bool = False
    cache_bytes: int = 64 * 2**20  # answered results kept for repeated queries (0: no cache)
    cache_entry_bytes: int = 8 * 2**20  # results larger than this are not cached
    cors_origins: tuple[str, ...] = ()  # origins allowed to call the API from a browser
    queries_dir: Path | None = field(default=REPO_QUERIES)  # named example queries (*.rq)
    enable_update: bool = False  # SPARQL Update at /update (needs token); read-only otherwise
    token: str | None = field(default=None, repr=False)  # bearer token of /update and /admin
    reload_interval: float = 2.0  # seconds between checks for a new store version (0: never)

    def __post_init__(self):
        for name in ("workers", "heavy_workers", "queue_length", "heavy_queue_length",
                     "http_processes", "analysis_processes"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1, not {value}")
        if self.http_server not in HTTP_SERVERS:
            raise ValueError(f"http_server must be one of {', '.join(HTTP_SERVERS)}, "
                             f"not {self.http_server!r}")
        defaults = [share() for given, share in ((self.memory_limit_mb, self.query_memory_mb),
                                                 (self.analysis_memory_mb, self.analysis_memory))
                    if given is None]
        if defaults and min(defaults) < MIN_TASK_MB:
            sharers = self.workers + self.analysis_processes
            least = self.http_processes * (HTTP_PROCESS_MB + sharers * AT_REST_MB + 2 * MIN_TASK_MB
                                           * max(self.workers, self.analysis_processes))
            raise ValueError(f"a memory budget of {self.memory_budget_mb} MiB leaves less than "
                             f"{MIN_TASK_MB} MiB per query or analysis with {self.workers} "
                             f"workers, {self.analysis_processes} analysis process(es) and "
                             f"{self.http_processes} HTTP process(es): give at least {least} "
                             "MiB, fewer workers, or --memory-limit and --analysis-memory")
        if self.memory_limit_mb is not None and self.memory_limit_mb < 1:
            raise ValueError(f"memory_limit_mb must be at least 1, not {self.memory_limit_mb}")
        for name in ("analysis_memory_mb", "analysis_timeout", "analysis_warm_mb"):
            if (getattr(self, name) or 0) < 0:
                raise ValueError(f"{name} must be 0 or more, not {getattr(self, name)}")
        if self.local_query_rows < 0:
            raise ValueError(f"local_query_rows must be 0 or more, not {self.local_query_rows}")
        if self.enable_update and not self.token:
            raise ValueError("updates need a token: give --token or set KG_TOKEN")
        if self.token is not None and len(self.token) < MIN_TOKEN_LENGTH:
            raise ValueError(f"the token must have at least {MIN_TOKEN_LENGTH} characters")

    def task_pool_mb(self) -> int:
        """MiB of the budget left, in each HTTP process, by the processes at rest: half of
        it is for queries, half for analyses (an export of a few reports through rdflib
        takes 200 MiB where a query takes tens)."""
        sharers = self.workers + self.analysis_processes
        return self.memory_budget_mb // self.http_processes - HTTP_PROCESS_MB - AT_REST_MB * sharers

    def query_memory_mb(self) -> int:
        """MiB one query may use beyond its worker at rest."""
        if self.memory_limit_mb is not None:
            return self.memory_limit_mb
        return self.task_pool_mb() // 2 // self.workers

    def analysis_memory(self) -> int:
        """MiB one analysis child may use beyond its imports and open store (0: no limit)."""
        if self.analysis_memory_mb is not None:
            return self.analysis_memory_mb
        return self.task_pool_mb() // 2 // self.analysis_processes

    @classmethod
    def from_kwargs(cls, **kwargs) -> "Settings":
        known = {f.name for f in fields(cls)}
        unknown = set(kwargs) - known
        if unknown:
            raise TypeError(f"unknown server settings: {', '.join(sorted(unknown))}; "
                            f"known: {', '.join(sorted(known))}")
        for key in ("allowed_services", "cors_origins"):
            if key in kwargs and kwargs[key] is not None:
                kwargs[key] = tuple(kwargs[key])
        if kwargs.get("queries_dir") is not None:
            kwargs["queries_dir"] = Path(kwargs["queries_dir"])
        return cls(**kwargs)
