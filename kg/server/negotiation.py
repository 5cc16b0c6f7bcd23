"""Content negotiation: which format answers a request, from Accept (with q-values) and ?format=."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from kg.sparql import FORMATS, GRAPH, SOLUTIONS, ResultFormat, format_named


@dataclass(frozen=True)
class MediaRange:
    type: str  # "text", "*"
    subtype: str  # "turtle", "*"
    q: float

    def matches(self, media_type: str) -> int:
        """How specifically this range matches media_type: 2 exact, 1 type/*, 0 */*, -1 no."""
        t, _, s = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != t:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == s else -1


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed parts are ignored, bad q counts as 1."""
    ranges = []
    for part in (header or "").split(","):
        media, *params = [p.strip() for p in part.split(";")]
        if "/" not in media:
            continue
        t, _, s = media.lower().partition("/")
        q = 1.0
        for p in params:
            k, _, v = p.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(v)))
                except ValueError:
                    q = 1.0
        ranges.append(MediaRange(t, s, q))
    return ranges


def quality(ranges: list[MediaRange], media_type: str, explicit: bool = False) -> float:
    """The q the client gives media_type: that of the most specific matching range."""
    best, best_q = -1, 0.0
    for r in ranges:
        m = r.matches(media_type)
        if explicit and m < 2:
            continue
        if m > best:
            best, best_q = m, r.q
    return best_q if best >= 0 else 0.0


def choose(ranges: list[MediaRange], offers: list[ResultFormat]) -> ResultFormat | None:
    """The acceptable offer with the highest q; ties go to the earlier offer."""
    if not ranges:
        return offers[0]
    best, best_q = None, 0.0
    for fmt in offers:
        # another name of a format counts only when named: text/* must not pick the XML
        # results (answered as application/sparql-results+xml) for text/xml's sake
        q = max([quality(ranges, fmt.media_type)]
                + [quality(ranges, mt, explicit=True) for mt in fmt.also_accepts])
        if q > best_q:
            best, best_q = fmt, q
    return best


# Clients send a handful of distinct Accept headers: each is parsed and decided once.
@lru_cache(maxsize=512)
def negotiate(accept: str | None, format_param: str | None) -> tuple[str | None, str | None]:
    """The format names for a SELECT/ASK and for a CONSTRUCT/DESCRIBE answer (None: none fits).

    ?format= wins over Accept; a query's form is only known once it is parsed, so both kinds
    are decided here and the worker picks the one that applies.
    """
    if format_param:
        return format_named(format_param, SOLUTIONS).name, format_named(format_param, GRAPH).name
    ranges = parse_accept(accept)
    picks = []
    for kind in (SOLUTIONS, GRAPH):
        fmt = choose(ranges, [f for f in FORMATS if f.kind == kind])
        picks.append(fmt.name if fmt else None)
    return picks[0], picks[1]


@lru_cache(maxsize=512)
def prefers_html(accept: str | None) -> bool:
    """A browser: text/html named explicitly and liked at least as much as any result format."""
    ranges = parse_accept(accept)
    html = quality(ranges, "text/html", explicit=True)
    if html <= 0:
        return False
    results = max(quality(ranges, mt, explicit=True)
                  for f in FORMATS for mt in (f.media_type, *f.also_accepts))
    return html >= results


@lru_cache(maxsize=512)
def prefers_json(accept: str | None) -> bool:
    """For error bodies: JSON when the client accepts JSON over plain text."""
    ranges = parse_accept(accept)
    js = max(quality(ranges, mt) for mt in ("application/json", "application/sparql-results+json"))
    return js > 0 and js >= quality(ranges, "text/plain", explicit=True)
