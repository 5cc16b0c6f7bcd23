"""How entity types look in every picture and export: one colour per type."""
from __future__ import annotations

# Colour-blind-friendly palette (Okabe-Ito and Tableau tones), one per node type.
TYPE_COLOURS = {
    "strategy": "#d55e00",
    "project": "#0072b2",
    "place": "#009e73",
    "sector": "#cc79a7",
    "event": "#e69f00",
    "organization": "#56b4e9",
    "indicator": "#8c8c8c",
}
TYPE_NAMES_ZH = {
    "strategy": "战略", "project": "项目", "place": "地点", "sector": "领域",
    "event": "活动", "organization": "机构", "indicator": "指标",
}
DEFAULT_COLOUR = "#999999"


def colour_of(node_type: str) -> str:
    return TYPE_COLOURS.get(node_type, DEFAULT_COLOUR)


def rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
