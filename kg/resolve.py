"""Resolution: one Entity per real-world thing, within and across documents.

Mentions are grouped by kind and a resolution key. The key comes from the component
that knows the kind best (a division code for places, an alias key for projects, the
normalised indicator for quantities); everything else falls back to a normalised name.
The entity's IRI key is derived from its resolution key, so it is the same on every
rebuild of the same reports.

Resolution streams: each document is first reduced to its `DocumentMentions` (the
resolution key and the few fields an entity is made of, per mention and per figure),
and a `Resolver` folds those in, one document at a time, in build order. So a build of
thousands of reports holds one small record per entity, never the documents.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kg.model import Document, Entity, EntityKind, Mention
from kg.vocab import iri_key

# Quote marks and brackets do not change what a name refers to.
_NOISE = re.compile(r"[\s“”‘’\"'「」『』《》〈〉·•]")


def normalize_name(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


# "A至B高速公路" is abbreviated by the first characters of its two endpoints and its kind:
# 成都至重庆高速 → 成渝-like 成重高速, 遵义至重庆高速公路（A至B段） → 遵重高速（A至B段）.
_ROUTE = re.compile(r"^([\u4e00-\u9fff]{2,6}?)至([\u4e00-\u9fff]{2,6}?)(高速|高铁|铁路|城际|快速路|公路)(.*)$")


def route_abbreviation(key: str) -> str:
    """The key of a two-endpoint route written in full, as its abbreviation would be keyed
    (first character of each endpoint + the route kind + whatever follows), else `key`."""
    m = _ROUTE.match(key)
    if m is None or "至" in m.group(2):
        return key
    return m.group(1)[0] + m.group(2)[0] + m.group(3) + m.group(4)


def _project_key(name: str) -> str:
    try:
        from kg.extract.projects import project_alias_key
    except ImportError:
        return route_abbreviation(normalize_name(name))
    return route_abbreviation(project_alias_key(name) or normalize_name(name))


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


# ---------------------------------------------------------------- per-document summary

@dataclass
class DocumentMentions:
    """What resolution needs of one document, in document order.

    mentions: (kind, resolution key, surface, name, attrs) per Document.mentions entry;
    indicators: (resolution key, indicator as worded) per Document.quantities entry.
    """

    mentions: list[tuple[EntityKind, str, str, str, dict[str, str]]] = field(default_factory=list)
    indicators: list[tuple[str, str]] = field(default_factory=list)

    def mention_key(self, index: int) -> tuple[EntityKind, str]:
        kind, key, *_ = self.mentions[index]
        return kind, key


def document_mentions(doc: Document) -> DocumentMentions:
    """Reduce a document to its resolution keys (the costly part, done once per document)."""
    return DocumentMentions(
        mentions=[(m.kind, resolution_key(m), m.text, m.name, dict(m.attrs)) for m in doc.mentions],
        indicators=[(_indicator_key(q.indicator), q.indicator) for q in doc.quantities])


# ---------------------------------------------------------------- the result

@dataclass
class Resolution:
    """What resolution produced: the entities and where each mention went."""

    entities: dict[tuple[EntityKind, str], Entity] = field(default_factory=dict)
    # (source_file, mention index) -> entity; filled by `resolve`, not by streaming builds
    by_mention: dict[tuple[str, int], Entity] = field(default_factory=dict)
    # (source_file, quantity index) -> indicator entity; likewise
    indicator_of: dict[tuple[str, int], Entity] = field(default_factory=dict)
    # entities by the (kind, key) of the mentions they came from
    mention_entities: dict[tuple[EntityKind, str], Entity] = field(default_factory=dict)
    # indicator entities by the key of the figures they came from
    indicator_entities: dict[str, Entity] = field(default_factory=dict)

    def of(self, doc: Document, mention_index: int) -> Entity | None:
        return self.by_mention.get((doc.source_file, mention_index))

    def indicator(self, doc: Document, quantity_index: int) -> Entity | None:
        return self.indicator_of.get((doc.source_file, quantity_index))

    def of_kind(self, kind: EntityKind) -> list[Entity]:
        return [e for (k, _), e in self.entities.items() if k is kind]

    def for_document(self, doc: Document, keys: DocumentMentions) -> "Resolution":
        """A view with this document's mentions and figures bound to their entities."""
        view = Resolution(entities=self.entities, mention_entities=self.mention_entities,
                          indicator_entities=self.indicator_entities)
        name = doc.source_file
        for i, (kind, key, *_) in enumerate(keys.mentions):
            if (e := self.mention_entities.get((kind, key))) is not None:
                view.by_mention[(name, i)] = e
        for i, (key, _) in enumerate(keys.indicators):
            if (e := self.indicator_entities.get(key)) is not None:
                view.indicator_of[(name, i)] = e
        return view


class _Group:
    """What an entity is made of, accumulated over its mentions in build order."""

    __slots__ = ("surfaces", "names", "official", "attrs")

    def __init__(self):
        self.surfaces: Counter[str] = Counter()
        self.names: Counter[str] = Counter()
        self.official: str | None = None
        self.attrs: dict[str, str] = {}


class Resolver:
    """Folds documents' mention summaries into entities, one document at a time."""

    def __init__(self):
        self._groups: dict[tuple[EntityKind, str], _Group] = {}
        self._indicators: dict[str, Counter[str]] = {}

    def add(self, keys: DocumentMentions) -> None:
        groups = self._groups
        for kind, key, text, name, attrs in keys.mentions:
            g = groups.get((kind, key))
            if g is None:
                g = groups[(kind, key)] = _Group()
            g.surfaces[text] += 1
            g.names[name] += 1
            if g.official is None and attrs.get("official_name"):
                g.official = attrs["official_name"]
            for k, v in attrs.items():  # the first mention that states an attribute wins
                if v and k not in g.attrs:
                    g.attrs[k] = v
        for key, surface in keys.indicators:
            self._indicators.setdefault(key, Counter())[surface] += 1

    def result(self) -> Resolution:
        res = Resolution()
        # each group is dropped once its entity is made, so the two are not both held in
        # memory (a resolver gives its result once)
        for (kind, key) in sorted(self._groups, key=lambda k: (k[0].value, k[1])):
            entity = _make_entity(kind, key, self._groups.pop((kind, key)))
            res.entities[(kind, key)] = res.mention_entities[(kind, key)] = entity
        for key in sorted(self._indicators):
            surfaces = self._indicators.pop(key)
            label = _pick_label(surfaces)
            entity = Entity(kind=EntityKind.INDICATOR, key=iri_key(key), label=label,
                            alt_labels=set(surfaces) - {label})
            res.entities[(EntityKind.INDICATOR, key)] = res.indicator_entities[key] = entity
        return res


def resolve(documents: Iterable[Document]) -> Resolution:
    """Group every mention and indicator of every document into entities."""
    docs = [(doc, document_mentions(doc)) for doc in documents]
    resolver = Resolver()
    for _, keys in docs:
        resolver.add(keys)
    res = resolver.result()
    for doc, keys in docs:
        view = res.for_document(doc, keys)
        for (name, i), entity in view.by_mention.items():
            entity.mentions.append((name, i))
        res.by_mention.update(view.by_mention)
        res.indicator_of.update(view.indicator_of)
    return res


def _pick_label(surfaces: Counter) -> str:
    """The fullest form as written; ties go to the most frequent, then the first in order."""
    return sorted(surfaces, key=lambda s: (-len(s), -surfaces[s], s))[0]


def _make_entity(kind: EntityKind, key: str, group: _Group) -> Entity:
    label = group.official or _pick_label(group.names + group.surfaces)
    return Entity(kind=kind, key=iri_key(key), label=label,
                  alt_labels=(set(group.surfaces) | set(group.names)) - {label},
                  attrs=dict(group.attrs))


def entity_digest(entity: Entity) -> bytes:
    """A fingerprint of what the graph says about an entity (type, key, labels, attributes)."""
    h = hashlib.blake2b(digest_size=12)
    for part in (entity.kind.value, entity.key, entity.label, *sorted(entity.alt_labels),
                 *(f"{k}={v}" for k, v in sorted(entity.attrs.items()))):
        h.update(part.encode())
        h.update(b"\0")
    return h.digest()
