"""Child processes of the server with a memory cap: query workers (kg.server.pool) and
analysis processes (kg.server.offload) start, cap themselves and die alike.

A child caps its own address space (RLIMIT_AS) before it imports anything large, so what
would exhaust memory ends only that child; the server tells a death by the cap from a bug
by its exit (`died_of_memory`).
"""
from __future__ import annotations

import os
import resource
import signal
from pathlib import Path

# A child that ran out of its address space: Python raised MemoryError (and the child exits
# with this code), or the allocator of Rust (Oxigraph) or C++ (RocksDB) aborted, or the
# kernel killed it.
OUT_OF_MEMORY_EXIT = 3
_MEMORY_SIGNALS = (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV)


def cap_address_space(limit: int | None) -> None:
    """Limit this process's address space to `limit` bytes (None or 0: no limit)."""
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def died_of_memory(returncode: int | None) -> bool:
    """Whether a capped child's exit code says it ran out of memory."""
    return returncode == OUT_OF_MEMORY_EXIT or returncode in _MEMORY_SIGNALS


def die_with_parent() -> None:
    """Linux: SIGKILL this child when the server dies, even in the middle of a long task."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # elsewhere the child ends at its next read from the closed socket or pipe


def child_env() -> dict[str, str]:
    """The environment of a child started as `python -m kg.server....`."""
    env = dict(os.environ)
    # Few malloc arenas and one BLAS thread: each reserves address space that would count
    # against RLIMIT_AS.
    env.setdefault("MALLOC_ARENA_MAX", "2")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    root = str(Path(__file__).resolve().parents[2])  # so `-m kg.server.…` finds this kg
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env

