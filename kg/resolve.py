"""Resolution: one Entity per real-world thing, within and across documents.

Mentions are grouped by kind and a resolution key. The key comes from the component
that knows the kind best (a division code for places, an alias key for projects, the
normalised indicator for quantities); everything else falls back to a normalised name.
The entity's IRI key is derived from its resolution key, so it is the same on every
rebuild of the same reports.

Resolution streams: each document is first reduced to its `DocumentMentions` (the
resolution key and the few fields an entity is made of, per mention and per figure),
and a `Resolver` folds those in, one document at a time, in build order. So a build of
thousands of reports holds one small record per entity, never the documents. A build
resolves with `StoredResolver`, the same on disk, whose file is kept for the next build
to start from: a rebuild folds in or takes out only the reports added, changed or removed.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
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

# Bump when the tables below change: a resolution file of another layout is not reused.
STATE_VERSION = "1"

_TABLES = (
    # the documents folded in, named by their content (their cache file), with their place
    # in this build's order
    "CREATE TABLE doc (doc INTEGER PRIMARY KEY, source TEXT UNIQUE NOT NULL, rank INTEGER)",
    # per document, one row per distinct form of an entity: how often it was written and named
    "CREATE TABLE form (kind TEXT, key TEXT, form TEXT, doc INTEGER, surfaces INTEGER,"
    " names INTEGER, PRIMARY KEY (kind, key, form, doc)) WITHOUT ROWID",
    # per document, the first non-empty value it gives an attribute (of these, the value
    # of the first document in build order wins)
    "CREATE TABLE attr (kind TEXT, key TEXT, name TEXT, doc INTEGER, value TEXT,"
    " PRIMARY KEY (kind, key, name, doc)) WITHOUT ROWID",
    "CREATE TABLE indicator (key TEXT, surface TEXT, doc INTEGER, n INTEGER,"
    " PRIMARY KEY (key, surface, doc)) WITHOUT ROWID",
    "CREATE TABLE entity (kind TEXT, key TEXT, iri_key TEXT, label TEXT, alt_labels TEXT,"
    " attrs TEXT, digest BLOB, PRIMARY KEY (kind, key)) WITHOUT ROWID",
    # the groups a rebuild touched, with their entity's digest before it (emptied after)
    "CREATE TABLE dirty (kind TEXT, key TEXT, digest BLOB, PRIMARY KEY (kind, key)) WITHOUT ROWID",
    # code: who made the entities (see _state_fingerprint); version: the store version the
    # file was kept with
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)",
)


def _state_fingerprint() -> str:
    """The tables' layout and the code that makes entities from them (which is not all in
    the documents' names: `iri_key` lives in kg.vocab), so a file kept by other code is
    folded again rather than trusted."""
    h = hashlib.blake2b(STATE_VERSION.encode(), digest_size=10)
    root = Path(__file__).parent
    for name in ("resolve.py", "vocab.py"):
        h.update((root / name).read_bytes())
    return h.hexdigest()


def _connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None)
    # no syncs: the file becomes the next build's state only by a rename once the build
    # succeeded (a crash loses only this build's copy). Write-ahead log: `result` reads the
    # groups through a second connection while this one writes the entities; without it, a
    # writer whose cache spills to the file waits for the reader's lock, which the same
    # thread holds (the 1000-report build hung there)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-8000")  # KiB
    return con


def _remove(path: Path) -> None:
    """A SQLite file and its log: a stale log beside a new file must not be replayed."""
    for f in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        f.unlink(missing_ok=True)


def _open_previous(path: Path, previous: Path) -> sqlite3.Connection | None:
    """A copy of the previous build's file at `path`, opened, when it is whole and was kept
    by this code; else None (the build folds every document again). The copy is what
    changes: the previous file stays the state until this build succeeds."""
    con = None
    try:
        shutil.copyfile(previous, path)
        con = _connect(path)
        if (con.execute("PRAGMA quick_check").fetchone() == ("ok",)
                and con.execute("SELECT value FROM meta WHERE name = 'code'").fetchone()
                == (_state_fingerprint(),)):
            return con
    except (OSError, sqlite3.Error):
        pass
    if con is not None:
        con.close()
    _remove(path)
    return None


def _contributions(keys: DocumentMentions) -> tuple[dict, dict, Counter]:
    """What one document gives the groups: per (kind, key, form) how often it was written
    and named, per (kind, key, attribute) its first non-empty value in document order, per
    (indicator key, surface) how often."""
    forms: dict[tuple[str, str, str], list[int]] = {}
    attrs: dict[tuple[str, str, str], str] = {}
    for kind, key, text, name, mention_attrs in keys.mentions:
        forms.setdefault((kind.value, key, text), [0, 0])[0] += 1
        forms.setdefault((kind.value, key, name), [0, 0])[1] += 1
        for k, v in mention_attrs.items():
            if v:
                attrs.setdefault((kind.value, key, k), v)
    return forms, attrs, Counter(keys.indicators)


class StoredResolver:
    """A Resolver whose groups, then entities, live in a SQLite file: the same entities,
    with memory that does not grow with the corpus (a 10,000-report build makes about a
    million entities, ~1 KB each as Python objects).

    The groups are kept per document, so the file is also where the next build starts:
    given the previous build's file (`previous`), a rebuild works on a copy of it, takes
    out what the documents no longer built gave, folds in only the new ones, and makes
    again only the entities of the groups those touched — the same entities as a fold of
    every document. The file is the caller's to keep (`StoredResolution.keep`) or remove
    (`StoredResolution.close`)."""

    def __init__(self, path: Path, previous: Path | None = None):
        self.path = Path(path)
        _remove(self.path)
        con = (_open_previous(self.path, previous)
               if previous is not None and previous.is_file() else None)
        self.incremental = con is not None
        if con is None:
            con = _connect(self.path)
            for sql in _TABLES:
                con.execute(sql)
            con.execute("INSERT INTO meta VALUES ('code', ?)", (_state_fingerprint(),))
        self._con = con
        self._ranks: dict[int, int] = {}  # document number -> its place in this build
        # the previous build's places of the documents it shares with this one, in this
        # build's order: when they are not increasing, attributes may change hands anywhere
        self._kept: list[int] = []
        con.execute("BEGIN")

    def add(self, source: str, keys: DocumentMentions) -> None:
        """Fold in the next document in build order; `source` names its content. A document
        the previous build folded in is only given its new place (its rows are there)."""
        con = self._con
        row = con.execute("SELECT doc, rank FROM doc WHERE source = ?", (source,)).fetchone()
        if row is not None:
            if row[0] not in self._ranks:
                self._ranks[row[0]] = len(self._ranks)
                self._kept.append(row[1])
            return
        doc = con.execute("INSERT INTO doc (source, rank) VALUES (?, ?)",
                          (source, len(self._ranks))).lastrowid
        self._ranks[doc] = len(self._ranks)
        forms, attrs, indicators = _contributions(keys)
        con.executemany("INSERT INTO form VALUES (?, ?, ?, ?, ?, ?)",
                        [(*f, doc, *n) for f, n in forms.items()])
        con.executemany("INSERT INTO attr VALUES (?, ?, ?, ?, ?)",
                        [(*a, doc, v) for a, v in attrs.items()])
        con.executemany("INSERT INTO indicator VALUES (?, ?, ?, ?)",
                        [(k, s, doc, n) for (k, s), n in indicators.items()])
        if self.incremental:
            con.executemany("INSERT OR IGNORE INTO dirty (kind, key) VALUES (?, ?)",
                            {(kind, key) for kind, key, _ in forms}
                            | {(EntityKind.INDICATOR.value, k) for k, _ in indicators})

    def _drop_unseen(self) -> None:
        """Take out what the previous build's documents that are not in this one gave (a
        changed report is one of them: its new text is another document), marking the
        groups they touched."""
        con = self._con
        gone = [(d,) for (d,) in con.execute("SELECT doc FROM doc") if d not in self._ranks]
        if not gone:
            return
        con.execute("CREATE TEMP TABLE gone (doc INTEGER PRIMARY KEY)")
        con.executemany("INSERT INTO gone VALUES (?)", gone)
        con.execute("INSERT OR IGNORE INTO dirty (kind, key)"
                    " SELECT DISTINCT kind, key FROM form WHERE doc IN gone")
        con.execute("INSERT OR IGNORE INTO dirty (kind, key)"
                    " SELECT DISTINCT ?, key FROM indicator WHERE doc IN gone",
                    (EntityKind.INDICATOR.value,))
        for table in ("form", "attr", "indicator", "doc"):
            con.execute(f"DELETE FROM {table} WHERE doc IN gone")
        con.execute("DROP TABLE gone")

    def result(self) -> "StoredResolution":
        """The entities, made as `Resolver.result` makes them, into the same file: all of
        them on a first build; on a rebuild, those of the groups it touched (all of them
        when the documents it kept are in another order)."""
        con = self._con
        everything = not self.incremental or self._kept != sorted(self._kept)
        if self.incremental:
            self._drop_unseen()
        con.executemany("UPDATE doc SET rank = ? WHERE doc = ?",
                        [(rank, doc) for doc, rank in self._ranks.items()])
        if everything:
            con.execute("DELETE FROM dirty")
            con.execute("DELETE FROM entity")
        else:  # noting each digest before, to tell which entities changed
            con.execute("UPDATE dirty SET digest = (SELECT digest FROM entity"
                        " WHERE entity.kind = dirty.kind AND entity.key = dirty.key)")
            con.execute("DELETE FROM entity WHERE (kind, key) IN (SELECT kind, key FROM dirty)")
        con.execute("COMMIT")  # so that the reader below sees the groups
        con.execute("BEGIN")
        made = self._make_entities(only_dirty=not everything)
        changed = None if everything else {
            (kind, key) for kind, key in con.execute(
                "SELECT dirty.kind, dirty.key FROM dirty LEFT JOIN entity USING (kind, key)"
                " WHERE entity.digest IS NOT dirty.digest")}
        con.execute("DELETE FROM dirty")
        base = con.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()
        con.execute("COMMIT")
        return StoredResolution(con, self.path, made=made, changed=changed,
                                base=base[0] if base else None)

    def _make_entities(self, only_dirty: bool) -> int:
        """Write the entities of the groups (the dirty ones only, or all); how many."""
        con, made, batch = self._con, 0, []
        reader = sqlite3.connect(self.path)  # reads the groups while `con` writes entities
        try:
            for rkey, entity in _stored_entities(reader, only_dirty):
                batch.append(_entity_row(rkey, entity))
                made += 1
                if len(batch) >= 10_000:
                    con.executemany("INSERT OR REPLACE INTO entity VALUES (?,?,?,?,?,?,?)", batch)
                    batch = []
            con.executemany("INSERT OR REPLACE INTO entity VALUES (?,?,?,?,?,?,?)", batch)
        finally:
            reader.close()
        return made

    def close(self) -> None:
        """Drop the file, when no result was asked for (a failed build)."""
        self._con.close()
        _remove(self.path)


def _stored_entities(reader: sqlite3.Connection, only_dirty: bool = False
                     ) -> Iterator[tuple[str, Entity]]:
    """(resolution key, entity) from the group tables, in (kind, key) order, then the
    indicators; with `only_dirty`, those of the groups marked dirty. A form's counts are
    summed over the documents; an attribute takes the value of the first document in build
    order that gives one (SQLite takes a bare column from the row of the MIN)."""
    def rows_of(table: str) -> str:
        # CROSS JOIN: SQLite then looks up the dirty groups' rows rather than scan them all
        return f"dirty CROSS JOIN {table} USING (kind, key)" if only_dirty else table

    attrs = groupby(reader.execute(
        f"SELECT kind, key, name, value, MIN(rank) FROM {rows_of('attr')} JOIN doc USING (doc)"
        " GROUP BY kind, key, name ORDER BY kind, key, name"), key=lambda r: (r[0], r[1]))
    pending = next(attrs, None)
    forms = reader.execute("SELECT kind, key, form, SUM(surfaces), SUM(names)"
                           f" FROM {rows_of('form')}"
                           " GROUP BY kind, key, form ORDER BY kind, key, form")
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
            group.attrs = {name: value for _, _, name, value, _ in pending[1]}
            group.official = group.attrs.get("official_name")
            pending = next(attrs, None)
        yield key, _make_entity(EntityKind(kind), key, group)
    only = (f" WHERE key IN (SELECT key FROM dirty WHERE kind = '{EntityKind.INDICATOR.value}')"
            if only_dirty else "")
    indicators = reader.execute(f"SELECT key, surface, SUM(n) FROM indicator{only}"
                                " GROUP BY key, surface ORDER BY key")
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
    `of_kind`, and each entity's digest; and what a rebuild changed: `made`, the entities
    made (again), and `changed`, the (kind, key) of those whose digest differs from the
    previous build's, which appeared or which are gone — None when every entity was made
    (a first build) — relative to the build that kept the file as store version `base`."""

    CACHE = 16_384  # entities kept in memory (places, sectors, indicators recur)

    def __init__(self, con: sqlite3.Connection, path: Path, made: int = 0,
                 changed: set[tuple[str, str]] | None = None, base: str | None = None):
        self._con, self.path = con, path
        self.made, self.changed, self.base = made, changed, base
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

    def keep(self, target: Path, version: str) -> None:
        """Make the file the state the next build starts from (`StoredResolver(previous=
        target)`), noting the store version it resolved: its log is folded into it, then it
        replaces the previous state in one rename."""
        self._fetch.cache_clear()
        con = self._con
        con.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (version,))
        con.execute("PRAGMA journal_mode=DELETE")
        con.close()
        self.path.replace(target)

    def close(self) -> None:
        """Drop the file (the entities are then gone)."""
        self._fetch.cache_clear()
        self._con.close()
        _remove(self.path)


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
