"""The lookup index of a store version: what search, paths and a strategy's projects read,
in one SQLite file beside the version.

The server answers `/api/search`, `/api/paths` and `/api/strategies/{key}/projects` from
this file instead of holding labels, the entity graph and the policy links in its memory:
on 10,000 reports they are millions of rows (1.3 GiB per process at 1000 reports), on disk
they cost the page cache. The index is built once per version, streaming: store-wide
queries whose rows go straight into SQLite (labels, types, stated links and their
evidence), per-document queries for what a report holds alone (sentence co-mentions, links
carried by headings and 专栏). It says nothing the store does not; delete it and it is
built again.

Tables: entity (IRI, type, canonical label); name_text (full-text, trigram: every label
and alias of an entity, lower-cased); edge (the undirected entity graph of
kg.analysis.structure, one row per stated link, carried policy link or co-mention);
evidence (edge → sentence, or the 专栏 row or column that carries a link); source (IRI →
text of those sentences, rows and columns); link (kg.analysis.linkage.PolicyLink rows).
"""
from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from itertools import combinations
from pathlib import Path

import networkx as nx

from kg.analysis.graph import (CO_MENTION, ENTITY_CLASSES, LINK_RELATIONS, Evidence,
                               document_key, iri_tail, rows, select)
from kg.analysis.linkage import (VIA_ORDER, NameFinder, PolicyLink, Step, carried_links,
                                 carrier_names, strategy_names)
from kg.analysis.structure import CO_MENTION_WEIGHT, PathStep, weighted_shortest
from kg.vocab import BASE, graph_iri, split_iri

SCHEMA = "2"  # bump when the tables change: an index of another schema is built again
FILE_NAME = "lookup.sqlite"
ID_BASE = BASE + "id/"
MAX_CO_MENTIONS = 30  # entities named in one sentence; longer lists say little about each pair
PATH_NODE_BUDGET = 200_000  # entities a path search may visit before it gives up

# kinds of edge, strongest first: a path step shows the strongest relation between two nodes
STATED, CARRIED, CO_MENTIONED = 0, 1, 2

_TABLES = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE entity (iri TEXT PRIMARY KEY, type TEXT, label TEXT, foreign_label INTEGER)
    WITHOUT ROWID;
CREATE TABLE name (iri TEXT, hit TEXT, low TEXT, PRIMARY KEY (iri, hit)) WITHOUT ROWID;
CREATE TABLE edge (id INTEGER PRIMARY KEY, src TEXT, dst TEXT, rel TEXT, kind INTEGER,
                   UNIQUE (src, dst, rel, kind));
CREATE TABLE evidence (edge INTEGER, source TEXT, PRIMARY KEY (edge, source)) WITHOUT ROWID;
CREATE TABLE edge_in (src TEXT, dst TEXT, rel TEXT, kind INTEGER, source TEXT);
CREATE TABLE source (iri TEXT PRIMARY KEY, text TEXT) WITHOUT ROWID;
CREATE TABLE link (strategy TEXT, project TEXT, via INTEGER, target TEXT, document TEXT,
                   steps TEXT, PRIMARY KEY (strategy, project, via, target, document))
                   WITHOUT ROWID;
"""


class TooBroad(ValueError):
    """A path search that would visit more entities than PATH_NODE_BUDGET."""


def index_path(store_dir: Path, version: str) -> Path:
    """Where the index of a store version lives (kg.store.derived_dir)."""
    from kg.store import derived_dir
    return derived_dir(store_dir, version) / FILE_NAME


def open_index(store, path: Path | None = None) -> "LookupIndex":
    """The index of `store` at `path`, built first when absent or of another schema
    (processes building the same file wait for one another); in memory when path is None."""
    if path is None:
        con = sqlite3.connect(":memory:", check_same_thread=False)
        _build(store, con)
        return LookupIndex(con)
    path = Path(path)
    if not is_index(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not is_index(path):
                for stale in path.parent.glob(f".{path.name}.*.tmp"):  # of a killed build
                    stale.unlink(missing_ok=True)
                tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
                con = sqlite3.connect(tmp)
                try:
                    _build(store, con)
                finally:
                    con.close()
                os.replace(tmp, path)
    return LookupIndex(path)


def is_index(path: Path) -> bool:
    """Whether `path` holds a complete index of the current schema."""
    if not path.is_file():
        return False
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError:  # not an index (a crash cannot leave one: it is renamed in)
        return False
    return row is not None and row[0] == SCHEMA


# ---------------------------------------------------------------- building

def _build(store, con: sqlite3.Connection) -> None:
    con.execute("PRAGMA journal_mode=OFF")  # a scratch file until it is renamed into place
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-32768")  # KiB: the tables' upper pages stay in memory
    con.executescript(_TABLES)
    with con:
        _add_names(store, con)
        _add_types(store, con)
        _add_stated_links(store, con)
        _add_documents(store, con)
        _add_edges(con)
        _add_direct_links(con)
        _drop_non_entities(con)
        _add_search_tables(con)
        con.execute("CREATE INDEX edge_dst ON edge (dst)")
        con.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA,))


def _add_documents(store, con) -> None:
    """What each document says alone (co-mentions, carried links), read on both cores
    (pyoxigraph runs queries without the GIL) and written here, in order, by the one
    connection."""
    names = NameFinder(carrier_names(strategy_names(store)))
    documents = [graph_iri(document_key(r["d"])).value
                 for r in select(store, "SELECT ?d WHERE { ?d a kgo:Document }")]
    read = partial(_read_document, store, names)
    for pairs, texts, links in _in_order(read, sorted(set(documents))):
        _add_co_mentions(con, pairs, texts)
        for link in links:
            _add_link(con, link)


def _add_search_tables(con) -> None:
    """The names search reads: `labelled` (each label or alias with its entity's canonical
    label), indexed by the lower-cased name (exact and prefix matches) and by label length
    (the shortest first, for names of one or two characters), and `name_text`, a trigram
    full-text index over it (substrings of three characters or more)."""
    con.execute("CREATE TABLE labelled AS SELECT n.iri, e.label, n.hit, n.low"
                " FROM name n JOIN entity e USING (iri) WHERE e.label IS NOT NULL")
    con.execute("DROP TABLE name")
    con.execute("CREATE INDEX labelled_low ON labelled (low)")
    con.execute("CREATE INDEX labelled_shortest ON labelled (length(label), iri, hit)")
    con.execute("CREATE VIRTUAL TABLE name_text USING fts5(low, iri UNINDEXED, label UNINDEXED,"
                " hit UNINDEXED, content='labelled', tokenize='trigram')")
    con.execute("INSERT INTO name_text (name_text) VALUES ('rebuild')")


def _add_names(store, con) -> None:
    """Labels and aliases. The canonical label of an entity is the least of its Chinese (or
    untagged) labels, of its other labels when it has none (sectors have English ones too)."""
    found = ((iri, prop.endswith("#label"), text, lang not in ("", "zh"))
             for iri, prop, text, lang in rows(store, """
                 SELECT ?e ?p ?hit (LANG(?hit) AS ?lang) WHERE {
                   VALUES ?p { rdfs:label skos:altLabel } ?e ?p ?hit }""") if split_iri(iri))
    for batch in _batches(found):
        con.executemany("INSERT OR IGNORE INTO name VALUES (?, ?, ?)",
                        [(iri, text, text.lower()) for iri, _, text, _ in batch])
        con.executemany("INSERT INTO entity VALUES (?, NULL, ?, ?) ON CONFLICT DO UPDATE"
                        " SET label = excluded.label, foreign_label = excluded.foreign_label"
                        " WHERE label IS NULL OR (excluded.foreign_label, excluded.label)"
                        " < (foreign_label, label)",
                        [(iri, text, foreign) for iri, is_label, text, foreign in batch if is_label])


def _add_types(store, con) -> None:
    values = " ".join(f"kgo:{c}" for c in ENTITY_CLASSES)
    found = rows(store, f"SELECT ?e ?c WHERE {{ VALUES ?c {{ {values} }} ?e a ?c }}")
    for batch in _batches(found):
        con.executemany("INSERT INTO entity VALUES (?, ?, ?, 2) ON CONFLICT DO UPDATE"
                        " SET type = coalesce(type, excluded.type)",
                        [(iri, ENTITY_CLASSES[cls.rsplit("#", 1)[1]], iri_tail(iri))
                         for iri, cls in batch])


def _batches(items, size: int = 10_000):
    """Lists of `size` items: one executemany per list instead of one call per row."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _stage(con, rows) -> None:
    """Edges (src, dst, rel, kind, source of the evidence or None) as they are read,
    appended: the tables of edges and evidence are made from them at the end, in key order
    (on 10,000 reports, inserting each into its B-trees as it came wrote the file ten times
    over)."""
    con.executemany("INSERT INTO edge_in VALUES (?, ?, ?, ?, ?)", rows)


def _add_edges(con) -> None:
    """`edge` and `evidence` from the staged rows, each once, inserted in key order."""
    con.execute("INSERT INTO edge (src, dst, rel, kind) SELECT DISTINCT src, dst, rel, kind"
                " FROM edge_in ORDER BY src, dst, rel, kind")
    con.execute("INSERT OR IGNORE INTO evidence SELECT e.id, i.source FROM edge_in i"
                " JOIN edge e ON (e.src, e.dst, e.rel, e.kind) = (i.src, i.dst, i.rel, i.kind)"
                " WHERE i.source IS NOT NULL ORDER BY e.id, i.source")
    con.execute("DROP TABLE edge_in")


def _add_stated_links(store, con) -> None:
    """Entity-to-entity links as written, then the sentences of the assertions stating them."""
    values = " ".join(f"kgo:{p}" for p in LINK_RELATIONS)
    for batch in _batches(rows(store, f"""
            SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o . FILTER(isIRI(?o)) }}""")):
        _stage(con, [(s, o, p.rsplit("#", 1)[1], STATED, None) for s, p, o in batch])
    for batch in _batches(rows(store, f"""
            SELECT ?s ?p ?o ?sent ?text WHERE {{
              VALUES ?p {{ {values} }}
              ?a a kgo:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                 kgo:evidence ?sent . OPTIONAL {{ ?sent kgo:text ?text }}
            }}""")):
        _stage(con, [(s, o, p.rsplit("#", 1)[1], STATED, sent) for s, p, o, sent, _ in batch])
        con.executemany("INSERT OR IGNORE INTO source VALUES (?, ?)",
                        [(sent, text or "") for *_, sent, text in batch])


def _read_document(store, names: NameFinder, graph: str) -> tuple[list, list, list]:
    """What one document's graph says alone: pairs of entities named in one sentence (a < b,
    with the sentence), those sentences' texts, and the links its headings and 专栏 carry."""
    members: dict[str, set[str]] = defaultdict(set)
    for sent, entity in rows(store, """
            SELECT ?sent ?e WHERE { ?m kgo:mentionOf ?e ; kgo:inSentence ?sent }""", graph):
        members[sent].add(entity)
    pairs = [(a, b, sent) for sent, found in members.items() if 1 < len(found) <= MAX_CO_MENTIONS
             for a, b in combinations(sorted(found), 2)]
    texts = []  # of the sentences that make pairs only: a text is read once, not per mention
    for batch in _batches(sorted({sent for *_, sent in pairs}), 500):
        values = " ".join(f"<{s}>" for s in batch)
        texts += rows(store, f"""
            SELECT ?sent ?text WHERE {{ VALUES ?sent {{ {values} }} ?sent kgo:text ?text }}""",
            graph)
    return pairs, texts, carried_links(store, names, graph)


def _in_order(read, items: list, threads: int = 2, ahead: int = 8):
    """read(item) for each item on `threads` threads, yielded in the items' order, with at
    most `ahead` results waiting (memory stays that of a few documents)."""
    with ThreadPoolExecutor(threads, thread_name_prefix="kg-index") as pool:
        pending = deque()
        for item in items:
            pending.append(pool.submit(read, item))
            if len(pending) >= ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _add_co_mentions(con, pairs: list, texts: list) -> None:
    _stage(con, [(a, b, CO_MENTION, CO_MENTIONED, sent) for a, b, sent in pairs])
    con.executemany("INSERT OR IGNORE INTO source VALUES (?, ?)", texts)


def _add_link(con, link: PolicyLink) -> None:
    """A policy link, and the edge it makes in the entity graph (project → strategy)."""
    con.execute("INSERT OR IGNORE INTO link VALUES (?, ?, ?, ?, ?, ?)",
                (link.strategy, link.project, VIA_ORDER.index(link.via), link.steps[0].target,
                 link.document, json.dumps([s.to_dict() for s in link.steps], ensure_ascii=False)))
    if link.via == "implements":
        return
    evidence = [s.evidence for s in link.steps if s.evidence]
    _stage(con, [(link.project, link.strategy, "implements", CARRIED, e.sentence) for e in evidence]
           or [(link.project, link.strategy, "implements", CARRIED, None)])
    con.executemany("INSERT OR IGNORE INTO source VALUES (?, ?)",
                    [(e.sentence, e.text) for e in evidence])


def _add_direct_links(con) -> None:
    """Stated `project implements strategy` links, one per sentence stating them."""
    rows = con.execute("""
        SELECT e.src, e.dst, v.source, s.text FROM edge e
          JOIN entity p ON p.iri = e.src AND p.type = 'project'
          JOIN entity t ON t.iri = e.dst AND t.type = 'strategy'
          LEFT JOIN evidence v ON v.edge = e.id LEFT JOIN source s ON s.iri = v.source
        WHERE e.rel = 'implements' AND e.kind = ?
        ORDER BY e.id, length(v.source), v.source""", (STATED,)).fetchall()  # first sentence first
    for project, strategy, sent, text in rows:
        ev = Evidence(sent, text, document_key(sent)) if sent else None
        _add_link(con, PolicyLink(strategy, project, "implements", ev.document if ev else "",
                                  [Step(project, "implements", strategy, ev)]))


def _drop_non_entities(con) -> None:
    """Edges and links whose ends are not typed entities (kg.analysis.graph.load_graph)."""
    typed = "SELECT iri FROM entity WHERE type IS NOT NULL"
    con.execute(f"DELETE FROM edge WHERE src NOT IN ({typed}) OR dst NOT IN ({typed})")
    con.execute("DELETE FROM evidence WHERE edge NOT IN (SELECT id FROM edge)")
    con.execute(f"DELETE FROM link WHERE strategy NOT IN ({typed}) OR project NOT IN ({typed})")


# ---------------------------------------------------------------- reading

class LookupIndex:
    """Read access to an index file (one SQLite connection per thread), or to an index
    built in memory (one connection, for a command that runs in one thread)."""

    def __init__(self, source: Path | sqlite3.Connection):
        self._source = source
        self._local = threading.local()

    def _con(self) -> sqlite3.Connection:
        if isinstance(self._source, sqlite3.Connection):
            return self._source
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = sqlite3.connect(f"file:{self._source}?mode=ro", uri=True)
            con.execute("PRAGMA cache_size=-2000")  # KiB per thread: the page cache does the rest
        return con

    def search(self, q: str, type_: str | None, limit: int, offset: int) -> list[tuple[str, str, str]]:
        """(IRI, label, the label or alias matched) of entities whose label or alias contains q
        (case ignored): exact matches first, then prefixes, then shorter labels."""
        needle = q.lower()
        if "\x00" in needle:  # no name holds one, and the full-text query syntax cannot
            return []
        params = {"q": needle, "prefix": f"{ID_BASE}{type_}/", "limit": limit, "offset": offset}
        of_type = "AND substr(iri, 1, length(:prefix)) = :prefix" if type_ else ""
        if len(needle) < 3:  # the trigram index finds substrings of three characters or more
            return self._search_short(params, of_type)
        params["phrase"] = '"' + needle.replace('"', '""') + '"'
        return self._con().execute(f"""
            SELECT iri, label, substr(best, 3) FROM (
              SELECT iri, label, MIN(CASE WHEN low = :q THEN 0
                                          WHEN substr(low, 1, length(:q)) = :q THEN 1 ELSE 2 END
                                     || char(1) || hit) AS best
              FROM name_text WHERE name_text MATCH :phrase AND instr(low, :q) > 0 {of_type}
              GROUP BY iri)
            ORDER BY substr(best, 1, 1), length(label), iri LIMIT :limit OFFSET :offset""",
            params).fetchall()

    def _search_short(self, params: dict, of_type: str) -> list[tuple[str, str, str]]:
        """`search` for one or two characters, which too many names contain to rank them all:
        exact and prefix matches from the index of names, then names that contain q, read
        shortest label first and only as far as the page needs."""
        con, wanted = self._con(), params["offset"] + params["limit"]
        best: dict[str, tuple[int, str, str]] = {}  # iri -> (rank, hit, label)
        for rank, where in ((0, "low = :q"), (1, "low > :q AND low < :q || char(1114111)")):
            for iri, label, hit in con.execute(
                    f"SELECT iri, label, hit FROM labelled WHERE {where} {of_type}", params):
                if (rank, hit) < best.get(iri, (3, ""))[:2]:
                    best[iri] = (rank, hit, label)
        ranked = sorted(((r, len(label), iri, label, hit) for iri, (r, hit, label) in best.items()))
        out = [(iri, label, hit) for *_, iri, label, hit in ranked]
        for iri, label, hit in con.execute(f"""
                SELECT iri, label, hit FROM labelled INDEXED BY labelled_shortest
                WHERE instr(low, :q) > 0 {of_type} ORDER BY length(label), iri, hit""", params):
            if len(out) >= wanted:
                break
            if iri not in best:
                best[iri] = (2, hit, label)
                out.append((iri, label, hit))
        return out[params["offset"]:wanted]

    def labels(self, iris) -> dict[str, str]:
        """Canonical labels of the IRIs that have one."""
        iris, out = list(iris), {}
        for i in range(0, len(iris), 500):
            part = iris[i:i + 500]
            out.update(self._con().execute(
                f"SELECT iri, label FROM entity WHERE iri IN ({','.join('?' * len(part))})"
                " AND label IS NOT NULL", part))
        return out

    def strategy_projects(self, strategy: str, limit: int, offset: int) -> tuple[list, int]:
        """A page of the projects a strategy reaches, strongest way first, then by label:
        [(project IRI, [PolicyLink ...])], and how many there are in all."""
        con = self._con()
        total = con.execute("SELECT count(DISTINCT project) FROM link WHERE strategy = ?",
                            (strategy,)).fetchone()[0]
        page = [p for (p,) in con.execute("""
            SELECT l.project FROM link l LEFT JOIN entity e ON e.iri = l.project
            WHERE l.strategy = ? GROUP BY l.project
            ORDER BY MIN(l.via), coalesce(e.label, ''), l.project LIMIT ? OFFSET ?""",
            (strategy, limit, offset))]
        out = []
        for project in page:
            links = [PolicyLink(strategy, project, VIA_ORDER[via], doc,
                                [_step(s) for s in json.loads(steps)])
                     for via, doc, steps in con.execute(
                         "SELECT via, document, steps FROM link WHERE strategy = ? AND project = ?"
                         " ORDER BY via, document, target", (strategy, project))]
            out.append((project, links))
        return out, total

    def _neighbours(self, nodes: list[str]) -> dict[str, dict[str, float]]:
        """node → {neighbour: weight} (a stated or carried link weighs 1, a co-mention 2)."""
        out: dict[str, dict[str, float]] = {n: {} for n in nodes}
        con = self._con()
        for i in range(0, len(nodes), 500):
            part = nodes[i:i + 500]
            marks = ",".join("?" * len(part))
            for a, b, kind in con.execute(
                    f"SELECT src, dst, kind FROM edge WHERE src IN ({marks})"
                    f" UNION ALL SELECT dst, src, kind FROM edge WHERE dst IN ({marks})", part + part):
                if a == b:
                    continue
                weight = CO_MENTION_WEIGHT if kind == CO_MENTIONED else 1.0
                out[a][b] = min(out[a].get(b, weight), weight)
        return out

    def path_graph(self, source: str, target: str, max_length: int) -> nx.Graph:
        """The part of the entity graph that paths of at most `max_length` steps between the
        two can use: a search from both ends at once (the smaller frontier first), so a hub
        near one end is crossed once, not from both. TooBroad past PATH_NODE_BUDGET nodes."""
        dist = {source: {source: 0}, target: {target: 0}}
        frontier = {source: [source], target: [target]}
        radius = {source: 0, target: 0}
        adjacency: dict[str, dict[str, float]] = {}
        while radius[source] + radius[target] < max_length:
            side = min((source, target), key=lambda e: (len(frontier[e]), e != source))
            if not frontier[side]:
                break
            found = self._neighbours(frontier[side])
            adjacency.update(found)
            frontier[side] = []
            for nbrs in found.values():
                for n in nbrs:
                    if n not in dist[side]:
                        dist[side][n] = radius[side] + 1
                        frontier[side].append(n)
            radius[side] += 1
            if len(dist[source]) + len(dist[target]) > PATH_NODE_BUDGET:
                raise TooBroad(f"more than {PATH_NODE_BUDGET:,} entities lie within "
                               f"{max_length} steps of the two ends; ask with a smaller max_length")
        g = nx.Graph()
        g.add_nodes_from((source, target))
        for a, nbrs in adjacency.items():
            g.add_weighted_edges_from((a, b, w) for b, w in nbrs.items()
                                      if b in dist[source] or b in dist[target])
        # keep the nodes some walk of at most max_length steps goes through
        near_s = nx.single_source_shortest_path_length(g, source, cutoff=max_length)
        near_t = nx.single_source_shortest_path_length(g, target, cutoff=max_length)
        return g.subgraph(n for n, d in near_s.items()
                          if n in near_t and d + near_t[n] <= max_length).copy()

    def path_steps(self, nodes: list[str]) -> list[PathStep]:
        """Each step of a path with its strongest relation (stated, carried, co-mention) and
        the sentences stating it."""
        con = self._con()
        labels = self.labels(nodes)
        steps = []
        for a, b in zip(nodes, nodes[1:]):
            edge, src, rel = con.execute("""
                SELECT id, src, rel FROM edge WHERE (src = ?1 AND dst = ?2) OR (src = ?2 AND dst = ?1)
                ORDER BY kind, id LIMIT 1""", (a, b)).fetchone()
            evidence = [Evidence(iri, text, document_key(iri)) for iri, text in con.execute(
                "SELECT v.source, s.text FROM evidence v JOIN source s ON s.iri = v.source"
                " WHERE v.edge = ? ORDER BY v.source", (edge,))]
            steps.append(PathStep(a, labels.get(a, iri_tail(a)), rel, b,
                                  labels.get(b, iri_tail(b)),
                                  src == a, evidence))
        return steps

    def shortest_paths(self, source: str, target: str, max_length: int,
                       limit: int) -> list[list[PathStep]]:
        """kg.analysis.structure.shortest_paths over the index instead of a graph in memory."""
        if source == target:
            return []
        g = self.path_graph(source, target, max_length)
        if source not in g or target not in g:
            return []
        return [self.path_steps(nodes)
                for nodes in weighted_shortest(g, source, target, max_length, limit)]

    def close(self) -> None:
        if isinstance(self._source, sqlite3.Connection):
            self._source.close()


def _step(d: dict) -> Step:
    ev = d.get("evidence")
    return Step(d["source"], d["relation"], d["target"], Evidence(**ev) if ev else None)


def main(argv: list[str]) -> int:
    """`python -m kg.index VERSION_DIR INDEX_FILE`: build the index of a store version in a
    process of its own (the server's: its memory goes back to the system when it ends)."""
    from pyoxigraph import Store
    version_dir, path = argv
    open_index(Store.read_only(version_dir), Path(path))
    return 0


if __name__ == "__main__":
    import sys
    raise SystemExit(main(sys.argv[1:]))
