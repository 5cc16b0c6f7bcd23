"""The `kg` command: parses options and calls library functions, nothing more."""
from __future__ import annotations

import argparse
import atexit
import json
import os
import sys
from pathlib import Path

from kg.server.settings import HTTP_SERVERS  # stdlib only: the CLI stays quick to start

DEFAULT_STORE = Path(".kg/store")


def _print_summary(summary) -> None:
    out = sys.stdout
    print(f"store      {summary.store} (version {summary.version})", file=out)
    print(f"documents  {summary.documents} built"
          + (f", {summary.cached} from cache" if summary.cached else "")
          + (f", {len(summary.failed)} failed" if summary.failed else ""), file=out)
    print(f"structure  {summary.sections} sections, {summary.columns} columns, "
          f"{summary.sentences} sentences, {summary.mentions} mentions", file=out)
    ents = ", ".join(f"{v} {k}" for k, v in sorted(summary.entities.items()))
    print(f"entities   {ents or 'none'}", file=out)
    print(f"figures    {summary.targets} targets, {summary.observations} observations", file=out)
    links = ", ".join(f"{v} {k}" for k, v in sorted(summary.links.items()))
    print(f"links      {links or 'none'}", file=out)
    print(f"triples    {summary.triples}", file=out)
    print(f"warnings   {len(summary.warnings)}" + (" (listed below)" if summary.warnings else ""), file=out)
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in summary.timings.items())
    print(f"time       {stages}", file=out)
    for w in summary.warnings:
        print(f"warning: {w}", file=sys.stderr)
    for f in summary.failed:
        print(f"error: {f}", file=sys.stderr)


def cmd_build(args) -> int:
    from tqdm import tqdm

    from kg.build import BuildError, build

    bar = None

    def on_files(n: int) -> None:
        nonlocal bar
        bar = tqdm(total=n, unit="doc", desc="building", disable=args.json or None,
                   file=sys.stderr, leave=False)

    def progress(result) -> None:
        if bar is not None:
            bar.set_postfix_str(result.path.name[-30:], refresh=False)
            bar.update(1)

    try:
        backend = None
        if args.sparql_endpoint:  # write the graphs to an external store instead
            from kg.backends.remote import RemoteStore
            backend = RemoteStore(args.sparql_endpoint)
        summary = build(args.paths, args.store, jobs=args.jobs, wait=args.wait,
                        use_cache=not args.no_cache, progress=progress, on_files=on_files,
                        backend=backend)
    except BuildError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except Exception as e:
        from kg.backends.remote import RemoteError
        if not isinstance(e, RemoteError):
            raise
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=1))
        for f in summary.failed:
            print(f"error: {f}", file=sys.stderr)
    else:
        _print_summary(summary)
    return 0 if summary.ok else 1


def cmd_validate(args) -> int:
    from kg.backends import open_backend
    from kg.backends.remote import RemoteError
    from kg.store import StoreError
    from kg.validate import format_report, validate_store

    try:  # the store directory, or an external SPARQL store (--sparql-endpoint)
        report = validate_store(open_backend(args.store, args.sparql_endpoint))
    except (StoreError, RemoteError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(format_report(report))
    return 0 if report.conforms else 1


def cmd_serve(args) -> int:
    from kg.server.app import serve
    from kg.store import StoreError, store_info

    try:
        if not args.sparql_endpoint:  # an external store needs no store directory
            store_info(args.store)
    except StoreError as e:
        if not args.build:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(f"no store at {args.store}: building {', '.join(map(str, args.build))} first",
              file=sys.stderr)
        from kg.build import build

        summary = build(args.build, args.store)
        _print_summary(summary)
    import os
    settings = {k: v for k, v in (
        ("query_timeout", args.timeout), ("workers", args.workers),
        ("memory_budget_mb", args.memory_budget),
        ("memory_limit_mb", args.memory_limit), ("max_result_rows", args.max_rows),
        ("analysis_memory_mb", args.analysis_memory), ("analysis_timeout", args.analysis_timeout),
        ("analysis_processes", args.analysis_processes), ("analysis_warm_mb", args.analysis_warm),
        ("allowed_services", args.allow_service), ("cors_origins", args.cors_origin),
        ("reload_interval", args.reload_interval), ("heavy_workers", args.heavy_workers),
        ("queue_length", args.queue_length), ("heavy_queue_length", args.heavy_queue_length),
        ("queue_timeout", args.queue_timeout), ("http_processes", args.http_processes),
        ("http_server", args.http_server),
        ("local_query_rows", args.local_query_rows),
        ("warm_at_start", args.warm_at_start or None)) if v is not None}
    # The token from the environment rather than argv, which other local users can read.
    token = args.token or os.environ.get("KG_TOKEN") or None
    if token or args.enable_update:
        settings.update(token=token, enable_update=args.enable_update)
    try:
        if args.sparql_endpoint:  # an external store (kg.backends.serving)
            from kg.backends.serving import serve_remote
            serve_remote(args.sparql_endpoint, args.store, host=args.host, port=args.port,
                         **settings)
        else:
            serve(args.store, host=args.host, port=args.port, **settings)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


def cmd_query(args) -> int:
    from kg.sparql import run_query_text
    from kg.store import StoreError

    from kg.backends.remote import RemoteError

    text = Path(args.query[1:]).read_text(encoding="utf-8") if args.query.startswith("@") else args.query
    try:
        store = args.store
        if args.sparql_endpoint:  # an external SPARQL store instead of the store directory
            from kg.backends import open_backend
            store = open_backend(None, args.sparql_endpoint)
        body, media_type = run_query_text(store, text, args.format)
    except (StoreError, RemoteError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(body if isinstance(body, bytes) else body.encode())
    return 0


def cmd_backup(args) -> int:
    from kg.backup import backup

    def run() -> dict:
        if not getattr(args, "sparql_endpoint", None):
            return backup(args.store, args.file)
        from kg.backends import open_backend
        from kg.backends.backup import backup_remote
        return backup_remote(open_backend(None, args.sparql_endpoint), args.file)

    return _store_file_command(run, lambda h: (
        f"backed up {h['quads']} quads of version {h['version']} to {args.file}"))


def cmd_restore(args) -> int:
    from kg.backup import restore

    return _store_file_command(lambda: restore(args.file, args.store),
                               lambda h: f"restored {h['quads']} quads into {args.store}")


def _store_file_command(run, describe) -> int:
    from kg.backends.remote import RemoteError
    from kg.backup import BackupError
    from kg.store import StoreError

    try:
        header = run()
    except (StoreError, BackupError, RemoteError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(describe(header))
    return 0


def _lookup(args, call) -> int:
    from kg.backends import open_backend
    from kg.backends.remote import RemoteError
    from kg.lookup import BadRequest, NotFound
    from kg.store import StoreError

    try:
        result = call(open_backend(args.store, args.sparql_endpoint))
    except (StoreError, RemoteError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (NotFound, BadRequest) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


def _index(args, store):
    """The lookup index of the store version (built once, kept beside the versions); for a
    remote store, or a store directory this user may not write to, one built in memory."""
    from kg.index import index_path, open_index
    from kg.store import store_info
    if args.sparql_endpoint:
        return open_index(store)
    info = store_info(Path(args.store))
    try:
        return open_index(store, index_path(info.path, info.version))
    except OSError:
        return open_index(store)


def cmd_search(args) -> int:
    from kg.lookup import search
    return _lookup(args, lambda st: search(st, args.q, args.type, args.limit,
                                           index=_index(args, st)))


def cmd_entity(args) -> int:
    from kg.lookup import entity
    type_, _, key = args.ref.partition("/")
    return _lookup(args, lambda st: entity(st, type_, key))


def cmd_relations(args) -> int:
    from kg.lookup import relations
    type_, _, key = args.ref.partition("/")
    return _lookup(args, lambda st: relations(st, type_, key, args.direction, args.predicate))


def cmd_targets(args) -> int:
    from kg.lookup import targets
    return _lookup(args, lambda st: targets(st, args.year, args.indicator, args.place, args.document))


def cmd_paths(args) -> int:
    from kg.lookup import paths
    return _lookup(args, lambda st: paths(st, args.source, args.target, args.max_length,
                                          args.limit, index=_index(args, st)))


def cmd_strategy_projects(args) -> int:
    from kg.lookup import strategy_projects
    from kg.vocab import iri_key
    return _lookup(args, lambda st: strategy_projects(st, iri_key(args.key),
                                                      index=_index(args, st))[0])


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kg", description="Knowledge graphs of Chinese government "
                                "planning reports: build, validate, query, serve.")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build report files/folders into a store")
    b.add_argument("paths", nargs="+", type=Path, help="report files (.txt .html .docx .pdf) or folders")
    b.add_argument("--store", type=Path, default=DEFAULT_STORE, help="store directory (default .kg/store)")
    b.add_argument("--json", action="store_true", help="print a machine-readable summary")
    b.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    b.add_argument("--wait", action="store_true", help="wait for a running build instead of failing")
    b.add_argument("--no-cache", action="store_true", help="re-extract every document")
    b.add_argument("--sparql-endpoint", metavar="URL", default=None,
                   help="write the graphs to this SPARQL 1.1 endpoint (Graph Store Protocol) "
                        "instead of the embedded store; --store then keeps only the cache")
    b.set_defaults(func=cmd_build)

    v = sub.add_parser("validate", help="check the store against the SHACL shapes")
    v.add_argument("--store", type=Path, default=DEFAULT_STORE)
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("serve", help="serve a store: SPARQL endpoint, lookups, pages")
    s.add_argument("--store", type=Path, default=DEFAULT_STORE)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--build", nargs="*", type=Path, default=None,
                   help="when the store does not exist yet, build these paths first")
    s.add_argument("--timeout", type=float, help="seconds one query may run (default 30)")
    s.add_argument("--workers", type=int,
                   help="query worker processes per HTTP process (default: cores + 1)")
    s.add_argument("--memory-budget", type=int, metavar="MB",
                   help="MiB all of the server may use: HTTP processes, query workers, "
                        "analysis processes and what they run (default 1024); each query and "
                        "analysis gets its share")
    s.add_argument("--memory-limit", type=int, metavar="MB",
                   help="MiB one query may use, instead of its share of --memory-budget")
    s.add_argument("--max-rows", type=int, help="rows of one result (default 1000000)")
    s.add_argument("--analysis-memory", type=int, metavar="MB",
                   help="MiB one analysis or export may use, instead of its share of "
                        "--memory-budget (0: no limit)")
    s.add_argument("--analysis-timeout", type=float, metavar="SECONDS",
                   help="seconds one analysis or export may run (default 600)")
    s.add_argument("--analysis-processes", type=int, metavar="N",
                   help="analysis processes running at once (default 1)")
    s.add_argument("--analysis-warm", type=int, metavar="MB",
                   help="compute the default analyses at start and reload when the store "
                        "version is at most this many MiB on disk (default 512; 0: never)")
    s.add_argument("--heavy-workers", type=int, metavar="N",
                   help="workers expensive queries may hold at once (default: all but a "
                        "quarter of --workers, at most one per core; the rest answer cheap "
                        "queries only)")
    s.add_argument("--queue-length", type=int, metavar="N",
                   help="cheap queries that may wait for a worker before 503 + Retry-After "
                        "(default: 64 or 16 per worker)")
    s.add_argument("--heavy-queue-length", type=int, metavar="N",
                   help="expensive queries that may wait for a worker (default: as "
                        "--queue-length)")
    s.add_argument("--queue-timeout", type=float, metavar="SECONDS",
                   help="longest wait for a worker before 503 + Retry-After (default: "
                        "--timeout)")
    s.add_argument("--http-processes", type=int, metavar="N",
                   help="processes parsing HTTP on the one port, each with its own query "
                        "workers and result cache (default 1)")
    s.add_argument("--http-server", choices=HTTP_SERVERS,
                   help="the HTTP server: uvicorn (default) or granian (HTTP parsed and "
                        "written in Rust; faster on many small distinct queries)")
    s.add_argument("--local-query-rows", type=int, metavar="N",
                   help="single-pattern lookups answered in the server process up to this "
                        "many rows, without a worker (default 2000; 0: all go to workers)")
    s.add_argument("--warm-at-start", action="store_true",
                   help="build the lookup indexes and default analyses at start (default: "
                        "at the first /api/ request)")
    s.add_argument("--allow-service", action="append", metavar="URL",
                   help="a SERVICE endpoint queries may call (repeatable; default none)")
    s.add_argument("--cors-origin", action="append", metavar="ORIGIN",
                   help="an origin allowed to call the API from a browser (repeatable; default none)")
    s.add_argument("--reload-interval", type=float, metavar="SECONDS",
                   help="check for a new store version this often (default 2; 0: only on "
                        "SIGHUP or POST /admin/reload)")
    s.add_argument("--enable-update", action="store_true",
                   help="accept SPARQL Update at /update (needs the token)")
    s.add_argument("--token", help="bearer token of /update and /admin (better: KG_TOKEN env)")
    s.add_argument("--sparql-endpoint", metavar="URL", default=None,
                   help="serve this external SPARQL 1.1 store (e.g. an `oxigraph serve`, "
                        "Fuseki or GraphDB) instead of the embedded store in --store")
    s.set_defaults(func=cmd_serve)

    q = sub.add_parser("query", help="run a SPARQL query (text or @file.rq) on a store")
    q.add_argument("query")
    q.add_argument("--store", type=Path, default=DEFAULT_STORE)
    q.add_argument("--format", default="csv", help="json, xml, csv, tsv, ttl, nt, jsonld")
    q.set_defaults(func=cmd_query)

    for name, func, helptext in (("backup", cmd_backup, "write the store to one .nq.gz file"),
                                 ("restore", cmd_restore, "replace the store by a backup")):
        c = sub.add_parser(name, help=helptext)
        c.add_argument("file", type=Path)
        c.add_argument("--store", type=Path, default=DEFAULT_STORE)
        c.set_defaults(func=func)

    c = sub.add_parser("search", help="entities by label or alias (Chinese substrings work)")
    c.add_argument("q")
    c.add_argument("--type", default=None)
    c.add_argument("--limit", type=int, default=20)
    c.set_defaults(func=cmd_search)
    c = sub.add_parser("entity", help="one entity: labels, properties, mentions (TYPE/KEY)")
    c.add_argument("ref", help="type/key, e.g. project/…")
    c.set_defaults(func=cmd_entity)
    c = sub.add_parser("relations", help="an entity's neighbours with evidence (TYPE/KEY)")
    c.add_argument("ref")
    c.add_argument("--direction", default="both", choices=("both", "out", "in"))
    c.add_argument("--predicate", default=None)
    c.set_defaults(func=cmd_relations)
    c = sub.add_parser("targets", help="targets and observations with plan/actual pairs")
    c.add_argument("--year", type=int)
    c.add_argument("--indicator")
    c.add_argument("--place")
    c.add_argument("--document")
    c.set_defaults(func=cmd_targets)
    c = sub.add_parser("paths", help="shortest paths between two entities, each step with "
                       "its relation and evidence (TYPE/KEY or IRI)")
    c.add_argument("source")
    c.add_argument("target")
    c.add_argument("--max-length", type=int, default=4, help="steps at most (1-8, default 4)")
    c.add_argument("--limit", type=int, default=10, help="paths at most (default 10)")
    c.set_defaults(func=cmd_paths)
    c = sub.add_parser("strategy-projects", help="projects linked to a strategy, directly or "
                       "through the sections and columns that carry it, with evidence (KEY)")
    c.add_argument("key", help="the strategy key, e.g. its name")
    c.set_defaults(func=cmd_strategy_projects)
    from kg.analysis.cli_args import add_analyze_parser, add_export_parser

    add_analyze_parser(sub)
    add_export_parser(sub)
    for c in sub.choices.values():
        if c.prog.split()[-1] in ("search", "entity", "relations", "targets", "paths",
                                  "strategy-projects"):
            c.add_argument("--store", type=Path, default=DEFAULT_STORE)
        if c.prog.split()[-1] in ("search", "entity", "relations", "targets", "paths",
                                  "strategy-projects", "analyze", "export",
                                  "query", "validate", "backup"):
            c.add_argument("--sparql-endpoint", metavar="URL", default=None,
                           help="read this external SPARQL 1.1 store instead of --store")
    return p


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    return args.func(args)


def run() -> None:
    """The `kg` command: main(), the exit handlers, then exit without the interpreter's
    teardown. A build's process holds jieba's and the gazetteer's tables (about a million
    small objects) that Python would free one by one: 0.2 s of a 3 s seed build."""
    code = main()
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)  # python -m cProfile / a debugger: they write their output after us
    atexit._run_exitfuncs()  # logging, temporary files, multiprocessing's finalizers
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a reader that went away (kg ... | head)
        code = code or 1
    os._exit(code or 0)


if __name__ == "__main__":
    run()
