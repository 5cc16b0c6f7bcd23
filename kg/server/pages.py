"""HTML pages of the server: the SPARQL query page and the offline API docs page.

Pages are static files in kg/server/static (no CDN: they work without a network); what a page
needs from the server (prefixes, example queries) is embedded as a JSON data block.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kg.sparql import FORMATS
from kg.vocab import BASE, PREFIXES

STATIC_DIR = Path(__file__).parent / "static"
router = APIRouter()

# Served with every HTML page: scripts and styles only from this server, no framing.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


@dataclass(frozen=True)
class ExampleQuery:
    name: str  # file stem
    title: str  # from a `# title:` comment line, else the first comment, else the name
    description: str  # the other comment lines
    query: str


def load_examples(queries_dir: Path | None) -> list[ExampleQuery]:
    """The named queries (queries/*.rq), read fresh so edits show without a restart."""
    if queries_dir is None or not Path(queries_dir).is_dir():
        return []
    examples = []
    for path in sorted(Path(queries_dir).glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        title, notes = "", []
        for line in text.splitlines():
            stripped = line.strip()
            if not stripped.startswith("#"):
                continue
            comment = stripped.lstrip("#").strip()
            key, sep, value = comment.partition(":")
            field = key.strip().lower() if sep else ""
            if field == "title":
                title = value.strip()
            elif field == "description":  # the header's own label is not shown
                notes.append(value.strip())
            elif field == "parameters" and value.strip().lower() != "none":
                notes.append("Parameters: " + value.strip())
            elif comment and field != "parameters":
                notes.append(comment)
        if not title and notes:
            title = notes.pop(0)
        examples.append(ExampleQuery(path.stem, title or path.stem, " ".join(notes), text))
    return examples


def _html(name: str, config: dict) -> HTMLResponse:
    page = (STATIC_DIR / name).read_text(encoding="utf-8")
    # A JSON data block is not executed, so the CSP allows it; "</" is escaped so no value can
    # close the script element.
    data = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
    page = page.replace("<!--CONFIG-->",
                        f'<script type="application/json" id="kg-config">{data}</script>')
    return HTMLResponse(page, headers=SECURITY_HEADERS)


def query_page(request: Request) -> HTMLResponse:
    settings = request.app.state.settings
    return _html("query.html", {
        "endpoint": "/sparql",
        "prefixes": PREFIXES,
        "entity_base": BASE + "id/",  # entity IRIs in results link to their page here
        "examples": [asdict(e) for e in load_examples(settings.queries_dir)],
        "formats": [{"name": f.name, "media_type": f.media_type, "kind": f.kind,
                     "extension": f.extension} for f in FORMATS],
        "timeout": settings.query_timeout,
    })


@router.get("/docs", include_in_schema=False)
async def docs_page(request: Request) -> HTMLResponse:
    """The API reference, rendered in the browser from /openapi.json (no CDN)."""
    return _html("docs.html", {"openapi": "/openapi.json"})


@router.get("/", include_in_schema=False)
async def home_page(request: Request) -> HTMLResponse:
    return query_page(request)
