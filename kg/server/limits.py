"""Child processes of the server with a memory cap: query workers (kg.server.pool) and
analysis processes (kg.server.offload) start, cap themselves and die alike.

A child caps its own address space (RLIMIT_AS) once what it holds at rest is in place (its
imports, the open store): the cap is what its task may add, so what would exhaust memory
ends only that child; the server tells a death by the cap from a bug by its exit
(`died_of_memory`).
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


def cap_address_space(extra: int | None) -> None:
    """Let this process map at most `extra` bytes more than it has mapped now (None or 0:
    no limit)."""
    if extra:
        cap = address_space() + extra
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def address_space() -> int:
    """Bytes of address space this process has mapped (Linux: VmSize)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmSize in /proc/self/status")


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
    # One malloc arena and one BLAS thread: a second arena reserves 64 MiB of address space
    # at once, room a capped child would then grow into unseen.
    env.setdefault("MALLOC_ARENA_MAX", "1")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    root = str(Path(__file__).resolve().parents[2])  # so `-m kg.server.…` finds this kg
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env

