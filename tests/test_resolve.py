"""Resolution: streamed document by document, it gives the entities `resolve` gives."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.model import Document, EntityKind, Mention, Quantity, QuantityRole, Sentence, SourceText
from kg.pipeline import process_file
from kg.resolve import (DocumentMentions, Resolver, document_mentions, entity_digest,
                        normalize_name, resolve, resolution_key, route_abbreviation)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "data").glob("*.txt"))


@pytest.fixture(scope="module")
def seeds() -> list[Document]:
    return [process_file(p).document for p in SEEDS]


def passage_doc(name: str, text: str, spans: list[tuple[EntityKind, str, dict]]) -> Document:
    """A one-sentence document with mentions of the given surfaces (first occurrences)."""
    doc = Document(source=SourceText(path=Path(name), text=text, format="txt"), text=text,
                   sentences=[Sentence(0, 0, len(text))])
    for kind, surface, attrs in spans:
        start = text.index(surface)
        doc.add_mention(Mention(kind, start, start + len(surface), 0, surface, attrs=attrs))
    return doc


def test_the_streamed_resolver_equals_resolve_on_the_seeds(seeds):
    whole = resolve(seeds)
    resolver = Resolver()
    for doc in seeds:
        resolver.add(document_mentions(doc))
    streamed = resolver.result()
    assert list(streamed.entities) == list(whole.entities)
    for key, e in whole.entities.items():
        s = streamed.entities[key]
        assert (s.kind, s.key, s.label, s.alt_labels, s.attrs) == (e.kind, e.key, e.label,
                                                                   e.alt_labels, e.attrs)
    # a per-document view binds each mention to the same entity as resolve's table
    for doc in seeds:
        view = streamed.for_document(doc, document_mentions(doc))
        for i in range(len(doc.mentions)):
            assert view.of(doc, i).key == whole.of(doc, i).key
        for i in range(len(doc.quantities)):
            assert view.indicator(doc, i).key == whole.indicator(doc, i).key


def test_one_entity_per_thing_across_documents_with_the_fullest_label():
    # passages of the two seed reports naming one project two ways
    a = passage_doc("a.txt", "加快推进白马航电枢纽建设。", [(EntityKind.PROJECT, "白马航电枢纽", {})])
    b = passage_doc("b.txt", "白马航电项目完成投资。", [(EntityKind.PROJECT, "白马航电", {"status": "在建"})])
    res = resolve([a, b])
    projects = res.of_kind(EntityKind.PROJECT)
    assert len(projects) == 1
    p = projects[0]
    assert p.label == "白马航电枢纽" and p.alt_labels == {"白马航电"}
    assert p.attrs == {"status": "在建"}
    assert res.of(a, 0) is res.of(b, 0) is p
    assert sorted(p.mentions) == [("a.txt", 0), ("b.txt", 0)]


def test_places_resolve_by_division_code_and_sectors_by_code():
    doc = passage_doc("c.txt", "武隆区和武隆县发展旅游业。", [
        (EntityKind.PLACE, "武隆区", {"adcode": "500156"}),
        (EntityKind.PLACE, "武隆县", {"adcode": "500156"}),
        (EntityKind.SECTOR, "旅游业", {"code": "tourism"})])
    assert [resolution_key(m) for m in doc.mentions] == ["500156", "500156", "tourism"]
    res = resolve([doc])
    assert len(res.of_kind(EntityKind.PLACE)) == 1 and res.of_kind(EntityKind.SECTOR)[0].key == "tourism"


def test_indicators_come_from_figures_and_merge_their_wordings():
    text = "地区生产总值增长6%左右，全区地区生产总值增速6.1%。"
    doc = passage_doc("d.txt", text, [])
    for i, word in enumerate(("地区生产总值", "全区地区生产总值增速")):
        doc.quantities.append(Quantity(QuantityRole.TARGET, word, value=6, unit="%",
                                       start=0, end=1, sentence=0, year=2024))
    res = resolve([doc])
    indicators = res.of_kind(EntityKind.INDICATOR)
    assert len(indicators) == 1
    assert res.indicator(doc, 0) is res.indicator(doc, 1) is indicators[0]


def test_the_digest_changes_with_what_the_graph_says_of_an_entity():
    a = passage_doc("a.txt", "推进白马航电枢纽建设。", [(EntityKind.PROJECT, "白马航电枢纽", {})])
    b = passage_doc("b.txt", "白马航电完成投资。", [(EntityKind.PROJECT, "白马航电", {})])
    alone = resolve([a]).of(a, 0)
    both = resolve([a, b]).of(a, 0)
    assert alone.key == both.key
    assert entity_digest(alone) != entity_digest(both)  # another report added an alias
    assert entity_digest(alone) == entity_digest(resolve([a]).of(a, 0))


def test_names_normalise_quotes_width_and_case():
    assert normalize_name("“一带一路”") == normalize_name("一带一路")
    assert normalize_name("ＡＢＣ　园区") == "abc园区"


def test_a_route_written_in_full_and_its_abbreviation_are_one_project():
    # seed 000 names the same motorway both ways, in different sentences
    a = passage_doc("a.txt", "加快建设页岩气勘探开发、武隆至道真高速公路、武隆至两江新区高速公路（平桥至大顺段）。", [
        (EntityKind.PROJECT, "武隆至道真高速公路", {}),
        (EntityKind.PROJECT, "武隆至两江新区高速公路（平桥至大顺段）", {})])
    b = passage_doc("b.txt", "继续推进武两高速（平桥至大顺段）、武道高速、重庆至黔江铁路武隆配套基础设施。", [
        (EntityKind.PROJECT, "武两高速（平桥至大顺段）", {}), (EntityKind.PROJECT, "武道高速", {}),
        (EntityKind.PROJECT, "重庆至黔江铁路武隆配套基础设施", {})])
    res = resolve([a, b])
    assert res.of(a, 0) is res.of(b, 1)
    assert res.of(a, 0).label == "武隆至道真高速公路" and "武道高速" in res.of(a, 0).alt_labels
    assert res.of(a, 1) is res.of(b, 0)
    assert res.of(b, 2) is not res.of(a, 0)
    # a route with more than two endpoints has no two-character abbreviation
    assert route_abbreviation("大竹至垫江至丰都至武隆省际高速") == "大竹至垫江至丰都至武隆省际高速"


def test_a_scenic_stem_and_the_subdistrict_named_after_it_are_two_places():
    from kg.extract.places import extract_places

    text = ("重庆市武隆区2023年国民经济和社会发展计划执行情况与2024年计划草案的报告\n"
            "推进仙女山天文馆建设。全面启动仙女山街道污水管网改建。")
    doc = Document(source=SourceText(path=Path("e.txt"), text=text, format="txt"), text=text,
                   sentences=[Sentence(0, 0, len(text))])
    extract_places(doc)
    res = resolve([doc])
    scenic = res.of(doc, next(i for i, m in enumerate(doc.mentions) if m.text == "仙女山"))
    town = res.of(doc, next(i for i, m in enumerate(doc.mentions) if m.text == "仙女山街道"))
    assert scenic is not town
    assert town.key == "500156003" and "adcode" not in scenic.attrs


def test_the_resolver_on_disk_makes_the_same_entities_as_in_memory(seeds, tmp_path):
    from kg.resolve import StoredResolver

    summaries = [document_mentions(doc) for doc in seeds]
    # a passage adding an alias and a first attribute to a seed's project
    extra = passage_doc("x.txt", "白马航电项目完成投资。", [(EntityKind.PROJECT, "白马航电", {"status": "在建"})])
    summaries.append(document_mentions(extra))
    memory, disk = Resolver(), StoredResolver(tmp_path / "r.sqlite")
    for i, s in enumerate(summaries):
        memory.add(s)
        disk.add(f"doc-{i}", s)
    whole, stored = memory.result(), disk.result()
    for (kind, key), e in whole.entities.items():
        s, digest = stored.get(kind, key)
        assert (s.kind, s.key, s.label, s.alt_labels, s.attrs) == (e.kind, e.key, e.label,
                                                                   e.alt_labels, e.attrs)
        assert digest == entity_digest(e)
        assert stored.entities[(kind, key)].label == e.label
    for key, e in whole.indicator_entities.items():
        assert stored.indicator_entities[key].alt_labels == e.alt_labels
    assert stored.counts() == {k.value: n for k in EntityKind if (n := len(whole.of_kind(k)))}
    places = stored.of_kind(EntityKind.PLACE)
    assert [p.key for p in places] == [p.key for p in whole.of_kind(EntityKind.PLACE)]
    assert (EntityKind.PROJECT, "no such key") not in stored.entities
    stored.close()
    assert not (tmp_path / "r.sqlite").exists()


def test_stored_resolution_finishes_when_the_writer_spills_to_the_file(tmp_path):
    # result() reads the groups through a second connection while the first writes the
    # entities; with a cache too small for them, the writer spills to the file mid-read
    # (a 1000-report build hung there before the write-ahead log)
    import kg.resolve as r

    res = r.StoredResolver(tmp_path / "groups.sqlite")
    res._con.execute("PRAGMA cache_size=-64")  # 64 KiB
    keys = r.DocumentMentions()
    for i in range(30_000):
        keys.mentions.append((EntityKind.PROJECT, f"k{i}", f"工程{i}", f"工程{i}", {}))
    res.add("one report", keys)
    out = res.result()
    assert out.counts() == {"project": 30_000}
    out.close()


# ---------------------------------------------------------------- a rebuild from the kept state

def keys_of(*mentions: tuple[EntityKind, str, str, dict], indicators=()) -> DocumentMentions:
    """A document's resolution keys: (kind, key, surface, attrs) per mention, in order."""
    return DocumentMentions(indicators=list(indicators), mentions=[
        (kind, key, text, text, attrs) for kind, key, text, attrs in mentions])


P, Q, X = (EntityKind.PROJECT, "工程甲"), (EntityKind.PROJECT, "工程乙"), (EntityKind.PLACE, "110000")
# documents by name; a list of names is a build, in build order
DOCS = {
    "a": keys_of((*P, "工程甲", {"status": "在建"}), (*P, "工程甲", {"status": "停建"}),
                 indicators=[("生产总值", "生产总值")]),
    "a-changed": keys_of((*P, "工程甲", {})),  # "a" reworded: it no longer states the status
    "b": keys_of((*P, "工程甲项目", {"status": "竣工"}), (*X, "某市", {"adcode": "110000"}),
                 indicators=[("生产总值", "地区生产总值")]),
    "c": keys_of((*P, "工程甲", {"status": "规划"}), (*Q, "工程乙", {}),
                 indicators=[("生产总值", "GDP")]),
}


def fold(path: Path, names: list[str], previous: Path | None = None) -> "StoredResolution":
    from kg.resolve import StoredResolver

    resolver = StoredResolver(path, previous=previous)
    for name in names:
        resolver.add(name, DOCS[name])
    return resolver.result()


def described(res) -> dict:
    """What the graph would say of every entity of a stored resolution."""
    return {(e.kind, e.key): (e.label, e.alt_labels, e.attrs)
            for kind in EntityKind for e in res.of_kind(kind)}


def rebuilt(tmp_path: Path, before: list[str], after: list[str]):
    """`after` resolved from the state `before` kept, and `after` folded from scratch."""
    tmp_path.mkdir(exist_ok=True)
    state = tmp_path / "state.sqlite"
    fold(tmp_path / "first.sqlite", before).keep(state, "v1")
    return (fold(tmp_path / "again.sqlite", after, previous=state),
            fold(tmp_path / "fresh.sqlite", after))


@pytest.mark.parametrize("before, after, status", [
    (["a", "b"], ["b"], "竣工"),  # the document that stated it first is removed
    (["a", "b"], ["c", "a", "b"], "规划"),  # one added ahead states it first
    (["a", "b"], ["a-changed", "b"], "竣工"),  # the first one, changed, no longer states it
    (["a-changed", "b"], ["a", "b"], "在建"),  # ... and states it again (its first mention's)
    (["a", "b"], ["b", "a"], "竣工"),  # the same documents in another order
    (["a", "c", "b"], ["a", "b"], "在建"),  # the only document naming 工程乙 is removed
    (["a", "b"], ["a", "b", "c"], "在建"),
])
def test_a_rebuild_from_the_kept_state_makes_the_entities_of_a_fold_from_scratch(
        tmp_path, before, after, status):
    again, fresh = rebuilt(tmp_path, before, after)
    assert described(again) == described(fresh)
    assert again.entities[P].attrs["status"] == status
    assert (Q in again.entities) == ("c" in after)
    reordered = [n for n in after if n in before] != [n for n in before if n in after]
    # only the groups the added and removed documents touched are made again
    assert again.made == fresh.made if reordered else again.made < fresh.made


def test_a_rebuild_tells_which_entities_changed(tmp_path):
    again, _ = rebuilt(tmp_path, ["a", "b"], ["a", "b", "c"])
    # 工程甲 is named once more as before, its status is still the first document's
    assert again.changed == {("project", "工程乙"), ("indicator", "生产总值")}
    assert again.base == "v1"
    same, _ = rebuilt(tmp_path / "same", ["a", "b"], ["a", "b"])
    assert same.made == 0 and same.changed == set()


def corrupt(state: Path) -> None:
    state.write_bytes(b"not a database" * 100)


def truncated(state: Path) -> None:
    data = state.read_bytes()
    state.write_bytes(data[: len(data) // 2])


def damaged(state: Path) -> None:
    """A page in the middle overwritten (its header and schema still read)."""
    data = bytearray(state.read_bytes())
    assert len(data) >= 4 * 4096
    data[2 * 4096: 3 * 4096] = b"\x55" * 4096
    state.write_bytes(bytes(data))


def kept_by_other_code(state: Path) -> None:
    import sqlite3

    with sqlite3.connect(state) as con:
        con.execute("UPDATE meta SET value = 'older code' WHERE name = 'code'")


def missing(state: Path) -> None:
    state.unlink()


@pytest.mark.parametrize("spoil", [corrupt, truncated, damaged, kept_by_other_code, missing])
def test_a_spoilt_state_is_folded_again_from_scratch(tmp_path, spoil):
    from kg.resolve import StoredResolver

    state = tmp_path / "state.sqlite"
    fold(tmp_path / "first.sqlite", ["a", "c", "b"]).keep(state, "v1")
    spoil(state)
    resolver = StoredResolver(tmp_path / "again.sqlite", previous=state)
    assert not resolver.incremental
    for name in ["a", "b"]:
        resolver.add(name, DOCS[name])
    again, fresh = resolver.result(), fold(tmp_path / "fresh.sqlite", ["a", "b"])
    assert described(again) == described(fresh) and again.made == fresh.made
    assert again.changed is None


def test_a_failed_rebuild_leaves_the_previous_state_as_it_was(tmp_path):
    state = tmp_path / "state.sqlite"
    fold(tmp_path / "first.sqlite", ["a", "b"]).keep(state, "v1")
    kept = state.read_bytes()
    fold(tmp_path / "again.sqlite", ["c", "b"], previous=state).close()  # the build failed
    assert state.read_bytes() == kept
    assert not (tmp_path / "again.sqlite").exists()
    again, fresh = rebuilt(tmp_path / "later", ["a", "b"], ["c", "b"])
    assert described(again) == described(fresh)
