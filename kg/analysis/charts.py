"""SVG charts drawn in Python for the report: bar charts and a network picture.

Plain SVG strings, no scripts and no external fonts or files, so they embed in the
self-contained HTML report and open on their own next to the Markdown one.
"""
from __future__ import annotations

from html import escape

import networkx as nx

from kg.analysis.layout import force_layout
from kg.export.style import TYPE_NAMES_ZH, colour_of

FONT = 'font-family="Noto Sans CJK SC, WenQuanYi Micro Hei, Microsoft YaHei, sans-serif"'


def bar_chart(pairs: list[tuple[str, float]], title: str, colour: str = "#0072b2",
              width: int = 640, unit: str = "") -> str:
    """Horizontal bars, one per (label, value), largest first as given."""
    bar_h, gap, left, top = 18, 6, 220, 34
    height = top + len(pairs) * (bar_h + gap) + 10
    peak = max((v for _, v in pairs), default=0) or 1
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" {FONT} font-size="12">',
           f'<rect width="100%" height="100%" fill="white"/>',
           f'<text x="8" y="20" font-size="14" font-weight="bold">{escape(title)}</text>']
    for i, (label, value) in enumerate(pairs):
        y = top + i * (bar_h + gap)
        w = (width - left - 60) * value / peak
        short = label if len(label) <= 16 else label[:15] + "…"
        out.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{escape(short)}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
                   f'<title>{escape(label)}: {value:g}</title></rect>')
        out.append(f'<text x="{left + w + 4:.1f}" y="{y + 13}">{value:g}{escape(unit)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def network_picture(g: nx.Graph, title: str, width: int = 1200, height: int = 900,
                    label_top: int = 40) -> str:
    """The graph drawn with a force layout; the `label_top` best-connected nodes are named."""
    pos = force_layout(g, iterations=150)
    margin = 40
    scale = min(width, height - 40) - 2 * margin

    def xy(n):
        x, y = pos[n]
        return margin + x * scale + (width - scale - 2 * margin) / 2, 40 + margin + y * scale

    degree = dict(g.degree())
    named = set(sorted(g, key=lambda n: (-degree[n], str(n)))[:label_top])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" {FONT} font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="12" y="24" font-size="16" font-weight="bold">{escape(title)}</text>']
    types = sorted({d.get("type", "") for _, d in g.nodes(data=True)})
    for i, t in enumerate(types):  # legend
        x = width - 120 * (len(types) - i)
        out.append(f'<circle cx="{x}" cy="20" r="6" fill="{colour_of(t)}"/>'
                   f'<text x="{x + 10}" y="24">{escape(TYPE_NAMES_ZH.get(t, t))} {escape(t)}</text>')
    for a, b in {(a, b) if str(a) < str(b) else (b, a) for a, b in g.edges()}:
        (x1, y1), (x2, y2) = xy(a), xy(b)
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                   'stroke="#888" stroke-opacity="0.45" stroke-width="1"/>')
    for n, d in sorted(g.nodes(data=True), key=lambda nd: degree[nd[0]]):
        x, y = xy(n)
        r = 3 + min(9, degree[n] ** 0.5 * 1.6)
        label = d.get("label", str(n))
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour_of(d.get("type", ""))}" '
                   f'stroke="white" stroke-width="0.8"><title>{escape(label)}</title></circle>')
        if n in named:
            out.append(f'<text x="{x + r + 2:.1f}" y="{y + 4:.1f}" fill="#222" stroke="white" '
                       f'stroke-width="3" paint-order="stroke">{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out)
