"""Sectors of projects from their names and the headings above them, on passages of the
seed reports, a national report and a provincial report."""
from pathlib import Path

from kg.extract.projects import extract_projects
from kg.extract.sectors import SECTOR_CODES, extract_sectors, sectors_of_text
from kg.model import Document, EntityKind, SourceText
from kg.structure import parse_document


def doc_of(text: str) -> Document:
    return parse_document(SourceText(path=Path("passage.txt"), text=text, format="txt"))


def sectors(text: str) -> dict[str, set[str]]:
    doc = extract_sectors(extract_projects(doc_of(text)))
    out: dict[str, set[str]] = {m.name: set() for m in doc.mentions if m.kind is EntityKind.PROJECT}
    for r in doc.relations:
        if r.predicate == "inSector":
            out[doc.mentions[r.subject].name].add(r.object)
    return out


def test_name_keywords_give_the_sector():
    found = sectors("力争开工建设英武水库、玉龙水库和夹岩大型灌区。")  # Guizhou 2025
    assert found["英武水库"] == {"water"}
    assert sectors("粤港澳大湾区规划建设迈出实质性步伐，港珠澳大桥建成通车。")["港珠澳大桥"] == {"transport"}  # national 2019


def test_a_name_can_belong_to_several_sectors():
    found = sectors("武隆旅游景区封闭式基础设施证券投资基金（REITs）试点项目成功申报。")  # seed 000
    assert {"tourism", "finance"} <= next(iter(found.values()))


def test_heading_gives_the_sector_when_the_name_says_nothing():
    text = "（三）突出提质增效，助推现代产业高效发展。\n一是持续优化生态工业结构。加快亿航、逸满舱、康旅房车等项目落地建设。"
    found = sectors(text)
    assert "manufacturing" in found["逸满舱"]


def test_longest_keyword_wins_and_codes_are_from_the_guideline():
    assert sectors_of_text("喀斯特世界自然遗产博物馆") == ["culture"]
    assert sectors_of_text("黔南抽水蓄能电站") == ["energy"]
    assert set(sectors_of_text("区妇幼保健院儿科大楼养老托育中心")) <= set(SECTOR_CODES)
