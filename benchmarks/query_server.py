"""Run the policykg server for benchmarks: as `kg serve` does, minus the per-request access log.

    python benchmarks/query_server.py STORE PORT [HTTP_PROCESSES] [QUERY_WORKERS] [HTTP_SERVER]

QUERY_WORKERS 0 (the default) leaves the server's default (cores + 1).

HTTP_SERVER is uvicorn (the default) or granian, as `kg serve --http-server`.
HTTP_PROCESSES > 1 runs that many HTTP processes on one port (each with its own result
cache and its own QUERY_WORKERS query workers).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def app_factory():
    from kg.server.app import create_app
    workers = int(os.environ.get("KG_BENCH_WORKERS") or 0)  # 0: the server's default
    return create_app(Path(os.environ["KG_BENCH_STORE"]), warm_at_start=True,
                      **({"workers": workers} if workers else {}))


def main() -> None:
    import uvicorn
    store, port = sys.argv[1], int(sys.argv[2])
    processes = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    os.environ["KG_BENCH_STORE"] = store
    os.environ["KG_BENCH_WORKERS"] = sys.argv[4] if len(sys.argv) > 4 else "0"
    if len(sys.argv) > 5 and sys.argv[5] == "granian":
        from granian import Granian
        from granian.constants import HTTPModes, Interfaces
        Granian("query_server:app_factory", factory=True, address="127.0.0.1", port=port,
                interface=Interfaces.ASGI, workers=processes, http=HTTPModes.http1,
                websockets=False, log_level="warning",
                working_dir=Path(__file__).parent).serve()
        return
    uvicorn.run("query_server:app_factory", factory=True, host="127.0.0.1", port=port,
                workers=processes if processes > 1 else None, log_level="warning",
                access_log=False, http="auto", loop="auto", server_header=False,
                app_dir=str(Path(__file__).parent))


if __name__ == "__main__":
    main()
