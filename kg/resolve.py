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
import json
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby
from pathlib import Path

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


# ---------------------------------------------------------------- on disk

class StoredResolver:
    """A Resolver whose groups, then entities, live in a SQLite file: the same entities,
    with memory that does not grow with the corpus (a 10,000-report build makes about a
    million entities, ~1 KB each as Python objects). The file is the caller's to remove
    (`StoredResolution.close`)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.unlink(missing_ok=True)
        con = self._con = sqlite3.connect(self.path, isolation_level=None)
        # a scratch file: no syncs (a crash loses only this build's run). Write-ahead log:
        # `result` reads the groups through a second connection while this one writes the
        # entities; without it, a writer whose cache spills to the file waits for the
        # reader's lock, which the same thread holds (the 1000-report build hung there)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=OFF")
        con.execute("PRAGMA cache_size=-8000")  # KiB
        # one row per distinct form of an entity, with how often it was written and named
        con.execute("CREATE TABLE form (kind TEXT, key TEXT, form TEXT, surfaces INTEGER,"
                    " names INTEGER, PRIMARY KEY (kind, key, form)) WITHOUT ROWID")
        # the first non-empty value of each attribute, in build order
        con.execute("CREATE TABLE attr (kind TEXT, key TEXT, name TEXT, value TEXT,"
                    " PRIMARY KEY (kind, key, name)) WITHOUT ROWID")
        con.execute("CREATE TABLE indicator (key TEXT, surface TEXT, n INTEGER,"
                    " PRIMARY KEY (key, surface)) WITHOUT ROWID")
        con.execute("BEGIN")

    def add(self, keys: DocumentMentions) -> None:
        surfaces: Counter[tuple[str, str, str]] = Counter()
        names: Counter[tuple[str, str, str]] = Counter()
        attrs: dict[tuple[str, str, str], str] = {}
        for kind, key, text, name, mention_attrs in keys.mentions:
            surfaces[(kind.value, key, text)] += 1
            names[(kind.value, key, name)] += 1
            for k, v in mention_attrs.items():
                if v:
                    attrs.setdefault((kind.value, key, k), v)
        con = self._con
        con.executemany(
            "INSERT INTO form VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
            " surfaces = surfaces + excluded.surfaces, names = names + excluded.names",
            [(*f, surfaces[f], names[f]) for f in surfaces.keys() | names.keys()])
        con.executemany("INSERT OR IGNORE INTO attr VALUES (?, ?, ?, ?)",
                        [(*k, v) for k, v in attrs.items()])
        con.executemany(
            "INSERT INTO indicator VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n",
            [(k, s, n) for (k, s), n in Counter(keys.indicators).items()])

    def result(self) -> "StoredResolution":
        """The entities, made as `Resolver.result` makes them, into the same file."""
        con = self._con
        con.execute("COMMIT")  # so that the reader below sees the groups
        con.execute("BEGIN")
        con.execute("CREATE TABLE entity (kind TEXT, key TEXT, iri_key TEXT, label TEXT,"
                    " alt_labels TEXT, attrs TEXT, digest BLOB, PRIMARY KEY (kind, key))"
                    " WITHOUT ROWID")
        reader = sqlite3.connect(self.path)  # reads the groups while `con` writes entities
        try:
            batch = []
            for rkey, entity in _stored_entities(reader):
                batch.append(_entity_row(rkey, entity))
                if len(batch) >= 10_000:
                    con.executemany("INSERT OR REPLACE INTO entity VALUES (?,?,?,?,?,?,?)", batch)
                    batch = []
            con.executemany("INSERT OR REPLACE INTO entity VALUES (?,?,?,?,?,?,?)", batch)
        finally:
            reader.close()
        con.execute("DROP TABLE form")
        con.execute("DROP TABLE attr")
        con.execute("DROP TABLE indicator")
        con.execute("COMMIT")
        return StoredResolution(con, self.path)

    def close(self) -> None:
        """Drop the file, when no result was asked for (a failed build)."""
        self._con.close()
        self.path.unlink(missing_ok=True)


def _stored_entities(reader: sqlite3.Connection) -> Iterator[tuple[str, Entity]]:
    """(resolution key, entity) from the group tables, in (kind, key) order, then the
    indicators."""
    attrs = groupby(reader.execute("SELECT kind, key, name, value FROM attr ORDER BY kind, key"),
                    key=lambda r: (r[0], r[1]))
    pending = next(attrs, None)
    forms = reader.execute("SELECT kind, key, form, surfaces, names FROM form ORDER BY kind, key")
    for (kind, key), rows in groupby(forms, key=lambda r: (r[0], r[1])):
        group = _Group()
        for *_, form, n_surfaces, n_names in rows:
            if n_surfaces:
                group.surfaces[form] = n_surfaces
            if n_names:
                group.names[form] = n_names
        # both are ordered by (kind, key), and every attribute's group has forms
        while pending is not None and pending[0] < (kind, key):
            pending = next(attrs, None)
        if pending is not None and pending[0] == (kind, key):
            group.attrs = {name: value for *_, name, value in pending[1]}
            group.official = group.attrs.get("official_name")
            pending = next(attrs, None)
        yield key, _make_entity(EntityKind(kind), key, group)
    indicators = reader.execute("SELECT key, surface, n FROM indicator ORDER BY key")
    for key, rows in groupby(indicators, key=lambda r: r[0]):
        surfaces = Counter({surface: n for _, surface, n in rows})
        label = _pick_label(surfaces)
        yield key, Entity(kind=EntityKind.INDICATOR, key=iri_key(key), label=label,
                          alt_labels=set(surfaces) - {label})


def _entity_row(rkey: str, entity: Entity) -> tuple:
    return (entity.kind.value, rkey, entity.key, entity.label,
            json.dumps(sorted(entity.alt_labels), ensure_ascii=False),
            json.dumps(entity.attrs, ensure_ascii=False), entity_digest(entity))


class StoredResolution:
    """The entities of a `StoredResolver`, read from its file on demand (a bounded cache
    keeps the ones many graphs share). Answers what a build asks of a `Resolution`:
    `entities`, `mention_entities` and `indicator_entities` as read-only mappings,
    `of_kind`, and each entity's digest."""

    CACHE = 16_384  # entities kept in memory (places, sectors, indicators recur)

    def __init__(self, con: sqlite3.Connection, path: Path):
        self._con, self.path = con, path
        self._fetch = lru_cache(maxsize=self.CACHE)(self._read)
        self.entities = _EntityTable(self, None)
        self.mention_entities = self.entities
        self.indicator_entities = _EntityTable(self, EntityKind.INDICATOR)

    def _read(self, kind: str, key: str) -> tuple[Entity, bytes] | None:
        row = self._con.execute("SELECT iri_key, label, alt_labels, attrs, digest FROM entity"
                                " WHERE kind = ? AND key = ?", (kind, key)).fetchone()
        if row is None:
            return None
        iri, label, alt, attrs, digest = row
        return Entity(kind=EntityKind(kind), key=iri, label=label, alt_labels=set(json.loads(alt)),
                      attrs=json.loads(attrs)), digest

    def get(self, kind: EntityKind, key: str) -> tuple[Entity, bytes] | None:
        """The entity of a resolution key and its `entity_digest`, or None."""
        return self._fetch(kind.value, key)

    def of_kind(self, kind: EntityKind) -> list[Entity]:
        keys = [k for (k,) in self._con.execute("SELECT key FROM entity WHERE kind = ?",
                                                (kind.value,))]
        return [self.get(kind, k)[0] for k in keys]

    def counts(self) -> dict[str, int]:
        """Entities per kind, for the kinds that have any."""
        return dict(self._con.execute("SELECT kind, count(*) FROM entity GROUP BY kind"))

    def close(self) -> None:
        """Drop the file (the entities are then gone)."""
        self._fetch.cache_clear()
        self._con.close()
        self.path.unlink(missing_ok=True)


class _EntityTable:
    """A read-only mapping over a StoredResolution: (kind, key) -> Entity, or, for one
    kind, key -> Entity."""

    def __init__(self, res: StoredResolution, kind: EntityKind | None):
        self._res, self._kind = res, kind

    def _get(self, k) -> Entity | None:
        kind, key = (self._kind, k) if self._kind is not None else k
        found = self._res.get(kind, key)
        return found[0] if found is not None else None

    def get(self, k, default=None):
        e = self._get(k)
        return default if e is None else e

    def __getitem__(self, k) -> Entity:
        e = self._get(k)
        if e is None:
            raise KeyError(k)
        return e

    def __contains__(self, k) -> bool:
        return self._get(k) is not None
