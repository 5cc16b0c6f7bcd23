"""`kg analyze` and `kg export`: their options and the functions the CLI calls.

kg/cli.py wires them in with:
    from kg.analysis.cli_args import add_analyze_parser, add_export_parser
    add_analyze_parser(sub); add_export_parser(sub)
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_STORE = Path(".kg/store")


def analyze_command(args) -> int:
    from kg.analysis.report import write_report
    from kg.backends import open_backend
    from kg.backends.remote import RemoteError
    from kg.store import StoreError

    formats = tuple(args.format) if args.format else ("md", "html")
    try:  # the store directory, or an external SPARQL store (--sparql-endpoint)
        store = open_backend(args.store, getattr(args, "sparql_endpoint", None))
        paths = write_report(store, args.out, formats)
    except (StoreError, RemoteError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


def export_command(args) -> int:
    from kg.backends import open_backend
    from kg.backends.remote import RemoteError
    from kg.export import export
    from kg.store import StoreError

    try:  # the store directory, or an external SPARQL store (--sparql-endpoint)
        store = open_backend(args.store, getattr(args, "sparql_endpoint", None))
        result = export(store, args.format, args.view, args.entity, args.radius)
    except (StoreError, RemoteError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (ValueError, KeyError) as e:
        print(f"error: {e.args[0] if e.args else e}", file=sys.stderr)
        return 1
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_bytes(result.body)
        print(f"{args.out} ({len(result.body)} bytes, {result.format.description})", file=sys.stderr)
    else:
        sys.stdout.buffer.write(result.body)
    return 0


def add_analyze_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    a = sub.add_parser("analyze", help="write the analysis report (policy→project linkage, "
                       "plan vs actual, centrality, communities) as Markdown and HTML")
    a.add_argument("--store", type=Path, default=DEFAULT_STORE)
    a.add_argument("--out", type=Path, default=Path("report"), help="output folder (default ./report)")
    a.add_argument("--format", action="append", choices=("md", "html"),
                   help="md and/or html (repeatable; default both)")
    a.set_defaults(func=analyze_command)
    return a


def add_export_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from kg.analysis import VIEWS
    from kg.export import ALIASES, FORMATS

    e = sub.add_parser("export", help="export the graph: graphml gexf cytoscape dot csv html "
                       "(of a view) or ttl trig nq jsonld (the whole dataset)")
    e.add_argument("--store", type=Path, default=DEFAULT_STORE)
    e.add_argument("--format", required=True, choices=sorted(FORMATS) + sorted(ALIASES))
    e.add_argument("--view", default="full", choices=VIEWS)
    e.add_argument("--entity", help="type/key or IRI of the entity (for --view neighbourhood)")
    e.add_argument("--radius", type=int, default=1, help="links around the entity (default 1)")
    e.add_argument("--out", type=Path, help="output file (default: standard output)")
    e.set_defaults(func=export_command)
    return e
