"""The extraction pipeline: one report in, one Document (and its summary) out, cached."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kg import pipeline
from kg.model import QuantityRole

ROOT = Path(__file__).resolve().parents[1]
SEED = sorted((ROOT / "data").glob("*.txt"))[1]  # the shorter seed report


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    fingerprint = pipeline.code_fingerprint()
    return cache, fingerprint, pipeline.process_file(SEED, cache, fingerprint)


def test_a_report_is_extracted_summarised_and_cached(extracted):
    cache, _, r = extracted
    assert r.error is None and not r.cached
    doc, s = r.document, r.summary
    assert doc.mentions and doc.quantities and doc.relations
    assert r.cache_file.parent == cache and r.cache_file.exists()
    # the summary counts what the build reports, and holds one resolution key per mention
    assert (s.sections, s.sentences, s.mentions) == (len(doc.sections), len(doc.sentences),
                                                     len(doc.mentions))
    assert len(s.keys.mentions) == len(doc.mentions)
    assert len(s.keys.indicators) == len(doc.quantities)
    targets = sum(1 for q in doc.quantities if q.year is not None and q.role is QuantityRole.TARGET)
    assert s.targets == targets
    assert sum(s.links.values()) == len(doc.relations)


def test_a_cache_hit_returns_the_same_document_or_only_its_summary(extracted, tmp_path):
    cache, fingerprint, first = extracted
    copy = tmp_path / "renamed.txt"  # the same bytes under another name
    copy.write_bytes(SEED.read_bytes())
    again = pipeline.process_file(copy, cache, fingerprint)
    assert again.cached and again.document.source.path == copy
    assert again.document.mentions == first.document.mentions
    light = pipeline.process_file(SEED, cache, fingerprint, keep_document=False)
    assert light.cached and light.document is None
    assert light.summary == first.summary


def test_another_code_fingerprint_misses_the_cache(extracted):
    cache, _, _ = extracted
    r = pipeline.process_file(SEED, cache, "another-code", keep_document=False)
    assert not r.cached and r.document is None and r.cache_file.exists()


def test_a_torn_cache_entry_is_only_a_miss(extracted, tmp_path):
    cache, fingerprint, first = extracted
    torn = tmp_path / "cache"
    torn.mkdir()
    entry = pipeline.cache_file_for(SEED.read_bytes(), torn, fingerprint)
    entry.write_bytes(first.cache_file.read_bytes()[:100])
    r = pipeline.process_file(SEED, torn, fingerprint)
    assert r.error is None and not r.cached
    assert r.document.mentions == first.document.mentions


def test_an_unreadable_file_is_an_error_line_not_an_exception(tmp_path):
    r = pipeline.process_file(tmp_path / "missing.txt")
    assert r.document is None and "missing.txt" in r.error


def test_jieba_loaded_from_the_cache_has_jiebas_own_tables():
    """load_jieba reads the prefix dictionary and the word→tag table from its cache; they
    must equal what jieba and jieba.posseg build from the dictionary (the first run writes
    the cache, the second reads it)."""
    code = ("import hashlib, sys\n"
            "from kg.pipeline import load_jieba\n"
            "if sys.argv[1] == 'cached':\n"
            "    load_jieba()\n"
            "import jieba, jieba.posseg\n"
            "jieba.setLogLevel(60)\n"
            "tab = jieba.posseg.dt.word_tag_tab\n"
            "words = [(p.word, p.flag) for p in jieba.posseg.cut('重庆市加快建设乌江航电枢纽和高速公路')]\n"
            "freq = hashlib.sha256(repr(sorted(jieba.dt.FREQ.items())).encode()).hexdigest()\n"
            "print(len(tab), hashlib.sha256(repr(sorted(tab.items())).encode()).hexdigest(), words,\n"
            "      len(jieba.dt.FREQ), jieba.dt.total, freq)\n")
    runs = [subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True,
                           cwd=ROOT, timeout=120) for mode in ("cached", "cached", "plain")]
    outputs = [r.stdout.strip() for r in runs]
    assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
    assert outputs[0] == outputs[1] == outputs[2]
    assert int(outputs[0].split()[0]) > 300_000


# ---------------------------------------------------------------- shared segmentation

GWR_1954 = ROOT.parent / "shared" / "corpus" / "national" / "gwr-1954.txt"
TRADITIONAL = "我國偉大的人民革命的根本目的，是在於從帝國主義、封建主義和官僚資本主義的壓迫下面解放出來。"


def test_traditional_text_is_segmented_as_simplified_with_the_same_offsets():
    from kg.ingest.normalize import is_traditional, segmentation_text

    simplified = segmentation_text(TRADITIONAL)
    assert is_traditional(TRADITIONAL)
    assert len(simplified) == len(TRADITIONAL)
    assert simplified.startswith("我国伟大的人民革命") and "帝国主义" in simplified
    seed = SEED.read_text(encoding="utf-8")
    assert not is_traditional(seed) and segmentation_text(seed) == seed


def test_words_are_segmented_once_and_places_finds_the_same_with_them():
    from kg.ingest import read_document
    from kg.structure import parse_document

    shared = pipeline.segment_words(parse_document(read_document(SEED)))
    assert shared.tokens and shared.tokens[0][0] == 0 and shared.tokens[-1][1] == len(shared.text)
    assert all(shared.text[s:e] == w for s, e, w, _ in shared.tokens)  # simplified text: as written
    own = parse_document(read_document(SEED))  # places segments by itself when tokens is None
    places = pipeline.load_component("kg.extract.places:extract_places")
    assert places(shared).mentions == places(own).mentions


def test_a_traditional_report_gets_simplified_words_at_its_own_offsets():
    from kg.ingest import read_document
    from kg.structure import parse_document

    doc = pipeline.segment_words(parse_document(read_document(GWR_1954)))
    words = {w for _, _, w, _ in doc.tokens}
    assert "国家" in words and "國家" not in words
    assert all(e - s == len(w) for s, e, w, _ in doc.tokens)


def test_the_cached_document_does_not_keep_the_tokens(extracted):
    _, _, r = extracted
    assert r.document.tokens is None
