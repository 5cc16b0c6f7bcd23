"""Resolution: one Entity per real-world thing, within and across documents.

Mentions are grouped by kind and a resolution key. The key comes from the component
that knows the kind best (a division code for places, an alias key for projects, the
normalised indicator for quantities); everything else falls back to a normalised name.
The entity's IRI key is derived from its resolution key, so it is the same on every
rebuild of the same reports.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kg.model import Document, Entity, EntityKind, Mention
from kg.vocab import iri_key

# Quote marks and brackets do not change what a name refers to.
_NOISE = re.compile(r"[\s“”‘’\"'「」『』《》〈〉·•]")


def normalize_name(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


def _project_key(name: str) -> str:
    try:
        from kg.extract.projects import project_alias_key
    except ImportError:
        return normalize_name(name)
    return project_alias_key(name) or normalize_name(name)


def _indicator_key(name: str) -> str:
    try:
        from kg.extract.indicators import normalize_indicator
    except ImportError:
        return normalize_name(name)
    return normalize_indicator(name) or normalize_name(name)


KEY_FUNCTIONS: dict[EntityKind, Callable[[str], str]] = {
    EntityKind.PROJECT: _project_key,
    EntityKind.INDICATOR: _indicator_key,
}


def resolution_key(mention: Mention) -> str:
    if mention.kind is EntityKind.PLACE and mention.attrs.get("adcode"):
        return mention.attrs["adcode"]
    if mention.kind is EntityKind.SECTOR:
        return mention.attrs.get("code", normalize_name(mention.name))
    return KEY_FUNCTIONS.get(mention.kind, normalize_name)(mention.name)


@dataclass
class Resolution:
    """What resolution produced: the entities and where each mention went."""

    entities: dict[tuple[EntityKind, str], Entity] = field(default_factory=dict)
    # (source_file, mention index) -> entity
    by_mention: dict[tuple[str, int], Entity] = field(default_factory=dict)
    # (source_file, quantity index) -> indicator entity
    indicator_of: dict[tuple[str, int], Entity] = field(default_factory=dict)

    def of(self, doc: Document, mention_index: int) -> Entity | None:
        return self.by_mention.get((doc.source_file, mention_index))

    def of_kind(self, kind: EntityKind) -> list[Entity]:
        return [e for (k, _), e in self.entities.items() if k is kind]


def resolve(documents: Iterable[Document]) -> Resolution:
    """Group every mention and indicator of every document into entities."""
    groups: dict[tuple[EntityKind, str], list[tuple[Document, int, Mention]]] = defaultdict(list)
    indicator_groups: dict[str, list[tuple[Document, int, str]]] = defaultdict(list)
    for doc in documents:
        for i, m in enumerate(doc.mentions):
            groups[(m.kind, resolution_key(m))].append((doc, i, m))
        for i, q in enumerate(doc.quantities):
            indicator_groups[_indicator_key(q.indicator)].append((doc, i, q.indicator))

    res = Resolution()
    for (kind, key), members in sorted(groups.items(), key=lambda kv: (kv[0][0].value, kv[0][1])):
        entity = _make_entity(kind, key, [m for _, _, m in members])
        res.entities[(kind, key)] = entity
        for doc, i, _ in members:
            entity.mentions.append((doc.source_file, i))
            res.by_mention[(doc.source_file, i)] = entity
    for key, members in sorted(indicator_groups.items()):
        surfaces = Counter(name for _, _, name in members)
        label = _pick_label(surfaces)
        entity = Entity(kind=EntityKind.INDICATOR, key=iri_key(key), label=label,
                        alt_labels=set(surfaces) - {label})
        res.entities[(EntityKind.INDICATOR, key)] = entity
        for doc, i, _ in members:
            res.indicator_of[(doc.source_file, i)] = entity
    return res


def _pick_label(surfaces: Counter) -> str:
    """The fullest form as written; ties go to the most frequent, then the first in order."""
    return sorted(surfaces, key=lambda s: (-len(s), -surfaces[s], s))[0]


def _make_entity(kind: EntityKind, key: str, mentions: list[Mention]) -> Entity:
    surfaces = Counter(m.text for m in mentions)
    names = Counter(m.name for m in mentions)
    official = [m.attrs["official_name"] for m in mentions if m.attrs.get("official_name")]
    label = official[0] if official else _pick_label(names + surfaces)
    attrs: dict[str, str] = {}
    for m in mentions:  # the first mention that states an attribute wins
        for k, v in m.attrs.items():
            if v and k not in attrs:
                attrs[k] = v
    return Entity(kind=kind, key=iri_key(key), label=label,
                  alt_labels=(set(surfaces) | set(names)) - {label}, attrs=attrs)
