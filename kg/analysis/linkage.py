"""Policy → project linkage: which projects each strategy reaches, how, and on what evidence.

A strategy reaches a project
- directly, when a sentence states it (`<project> kgo:implements <strategy>`);
- through a section: the project is named under a heading (a part, section or point 一是…)
  that names the strategy — the nearest such heading above the sentence counts;
- through a 专栏 column: the project is listed in a row labelled with the strategy, or in a
  column whose title names it.
The report's own kind (2024年国民经济和社会发展计划, 计划草案, 政府工作报告) names the parts of
the report it heads; it carries nothing by heading, only where a sentence states the link.
Each link carries its path as steps (source, relation, target) with the sentence of each step.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

import networkx as nx
from pyoxigraph import Store

from kg.analysis.graph import Evidence, document_key, label_of, link_evidence, load_graph, select

MIN_NAME_LENGTH = 3  # shorter strategy names (两个字) match too much text by accident

# Names of the report itself (an annual plan, a work report, a budget): every project of its
# review or plan part sits under a heading naming it, which says nothing about policy.
REPORT_ITSELF = re.compile(r"(\d{4}年度?)?(国民经济和社会发展|经济社会发展)?"
                           r"(计划(执行情况|草案)?|政府工作报告|(财政)?预算(执行情况|草案)?)")

# how a strategy reaches a project, strongest first
VIA_ORDER = ("implements", "row", "column", "section")


@dataclass
class Step:
    source: str
    relation: str  # implements | heading | rowLabel | columnTitle | mentions
    target: str
    evidence: Evidence | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["evidence"] = self.evidence.to_dict() if self.evidence else None
        return d


@dataclass
class PolicyLink:
    strategy: str
    project: str
    via: str  # one of VIA_ORDER
    document: str  # doc_key where the link is made
    steps: list[Step] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"strategy": self.strategy, "project": self.project, "via": self.via,
                "document": self.document, "steps": [s.to_dict() for s in self.steps]}


def strategy_names(store: Store) -> dict[str, set[str]]:
    """Every written form of every strategy: label, aliases and mention surfaces."""
    names: dict[str, set[str]] = defaultdict(set)
    for r in select(store, """
        SELECT DISTINCT ?s ?name WHERE {
          ?s a kgo:Strategy .
          { ?s rdfs:label ?name } UNION { ?s skos:altLabel ?name }
          UNION { ?s kgo:hasMention/kgo:surface ?name }
        }"""):
        name = r["name"].strip("“”\"‘’《》 ")
        if len(name) >= MIN_NAME_LENGTH:
            names[r["s"]].add(name)
    return names


def names_the_report_itself(name: str) -> bool:
    return REPORT_ITSELF.fullmatch(name) is not None


def carrier_names(names: dict[str, set[str]]) -> dict[str, set[str]]:
    """The names that carry a strategy down a heading or a 专栏: not the report's own kind."""
    return {strategy: forms for strategy, forms in names.items()
            if not any(names_the_report_itself(n) for n in forms)}


class NameFinder:
    """Which strategies a text (a heading, a 专栏 row label or title) names: each substring
    of the text is looked up among the strategies' written forms. A heading is short and
    the forms of a large store are many, so this costs the text's length, not the forms'
    number."""

    def __init__(self, names: dict[str, set[str]]):
        self._by_form: dict[str, set[str]] = defaultdict(set)
        for strategy, forms in names.items():
            for form in forms:
                self._by_form[form].add(strategy)
        self._lengths = sorted({len(f) for f in self._by_form})

    def __call__(self, text: str) -> list[tuple[str, str]]:
        """(strategy, the longest of its names found) for every strategy the text names."""
        found: dict[str, str] = {}
        for start in range(len(text)):
            for length in self._lengths:
                if start + length > len(text):
                    break
                form = text[start:start + length]
                for strategy in self._by_form.get(form, ()):
                    if len(form) > len(found.get(strategy, "")):
                        found[strategy] = form
        return sorted(found.items())


def direct_links(store: Store) -> list[PolicyLink]:
    evidence = link_evidence(store)
    links = []
    for r in select(store, """
        SELECT DISTINCT ?p ?s WHERE { ?p kgo:implements ?s . ?p a kgo:Project . ?s a kgo:Strategy }"""):
        evs = evidence.get((r["p"], "implements", r["s"])) or [None]
        for ev in evs:
            links.append(PolicyLink(r["s"], r["p"], "implements", ev.document if ev else "",
                                    [Step(r["p"], "implements", r["s"], ev)]))
    return links


def _project_mentions(store: Store, graph: str | None) -> list[dict]:
    return select(store, """
        SELECT DISTINCT ?proj ?sent ?text ?sec ?col ?row WHERE {
          ?proj a kgo:Project ; kgo:hasMention ?m . ?m kgo:inSentence ?sent .
          ?sent kgo:text ?text .
          OPTIONAL { ?sent kgo:inSection ?sec } OPTIONAL { ?sent kgo:inColumn ?col }
          OPTIONAL { ?sent kgo:inRow ?row }
        }""", graph)


def _heading_sentences(store: Store, graph: str | None) -> dict[str, tuple[str, str]]:
    """section -> (sentence, text) of the sentence its heading is in (the first one)."""
    first: dict[str, tuple[int, str, str]] = {}
    for r in select(store, """
        SELECT ?sec ?sent ?text ?so WHERE {
          ?sec a kgo:Section ; kgo:startOffset ?start .
          ?sent kgo:inSection ?sec ; kgo:startOffset ?so ; kgo:text ?text .
          FILTER(?so <= ?start + 2)
        }""", graph):
        so = int(r["so"])
        if r["sec"] not in first or so < first[r["sec"]][0]:
            first[r["sec"]] = (so, r["sent"], r["text"])
    return {sec: (sent, text) for sec, (_, sent, text) in first.items()}


def carried_links(store: Store, names: NameFinder | None = None,
                  graph: str | None = None) -> list[PolicyLink]:
    """Links through headings, 专栏 row labels and column titles that name a strategy.

    `names`: NameFinder(carrier_names(strategy_names(store))) when already made; `graph`:
    one document's named graph (a heading carries links only within its report, so the
    links of a store are those of each of its documents)."""
    if names is None:
        names = NameFinder(carrier_names(strategy_names(store)))
    parents = {r["sec"]: r["parent"] for r in select(store, """
        SELECT ?sec ?parent WHERE { ?sec a kgo:Section . OPTIONAL { ?sec kgo:parentSection ?parent } }""",
        graph)}
    heading_of = {r["sec"]: r["heading"] for r in select(store, """
        SELECT ?sec ?heading WHERE { ?sec a kgo:Section ; kgo:heading ?heading }""", graph)}
    carriers = {sec: names(h) for sec, h in heading_of.items()}
    heading_sentence = _heading_sentences(store, graph)
    row_label = {r["row"]: r["label"] for r in select(store, """
        SELECT ?row ?label WHERE { ?col kgo:hasRow ?row . ?row rdfs:label ?label }""", graph)}
    column_title = {r["col"]: r["title"] for r in select(store, """
        SELECT ?col ?title WHERE { ?col a kgo:Column ; dcterms:title ?title }""", graph)}

    def heading_step(strategy: str, name: str, sec: str) -> Step:
        sent, text = heading_sentence.get(sec, (sec, heading_of[sec]))
        return Step(strategy, "heading", sec, Evidence(sent, text, document_key(sec)))

    links: list[PolicyLink] = []
    for m in _project_mentions(store, graph):
        proj, doc = m["proj"], document_key(m["sent"])
        mention_ev = Evidence(m["sent"], m["text"], doc)
        if m["col"]:  # inside a 专栏: its row label and title speak, not the surrounding heading
            if m["row"] and m["row"] in row_label:
                for strategy, name in names(row_label[m["row"]]):
                    links.append(PolicyLink(strategy, proj, "row", doc, [
                        Step(strategy, "rowLabel", m["row"],
                             Evidence(m["row"], row_label[m["row"]], doc)),
                        Step(m["row"], "mentions", proj, mention_ev)]))
            for strategy, name in names(column_title.get(m["col"], "")):
                links.append(PolicyLink(strategy, proj, "column", doc, [
                    Step(strategy, "columnTitle", m["col"],
                         Evidence(m["col"], column_title[m["col"]], doc)),
                    Step(m["col"], "mentions", proj, mention_ev)]))
            continue
        sec = m["sec"]
        while sec is not None and not carriers.get(sec):
            sec = parents.get(sec)
        if sec is None:
            continue
        for strategy, name in carriers[sec]:
            steps = [heading_step(strategy, name, sec)]
            if m["sent"] != steps[0].evidence.sentence:  # a project named in the heading itself
                steps.append(Step(sec, "mentions", proj, mention_ev))
            links.append(PolicyLink(strategy, proj, "section", doc, steps))
    return links


def policy_project_links(store: Store) -> list[PolicyLink]:
    """Every (strategy, project) link, direct and carried, one per container and way."""
    seen, out = set(), []
    for link in direct_links(store) + carried_links(store):
        key = (link.strategy, link.project, link.via, link.steps[0].target, link.document)
        if key not in seen:
            seen.add(key)
            out.append(link)
    return sorted(out, key=lambda l: (l.strategy, l.project, VIA_ORDER.index(l.via), l.document))


@dataclass
class StrategyCoverage:
    strategy: str
    label: str
    projects: dict[str, list[str]]  # project -> ways it is reached (via)
    by_place: Counter
    by_sector: Counter

    def to_dict(self, g: nx.Graph | None = None) -> dict:
        return {"strategy": self.strategy, "label": self.label,
                "projects": [{"project": p, "label": label_of(g, p) if g is not None else p,
                              "via": v} for p, v in sorted(self.projects.items())],
                "by_place": dict(self.by_place.most_common()),
                "by_sector": dict(self.by_sector.most_common())}


@dataclass
class LinkageReport:
    links: list[PolicyLink]
    strategies: list[StrategyCoverage]  # strategies reaching at least one project
    strategies_without_projects: list[str]
    projects_total: int
    projects_linked: int
    orphan_projects: list[str]
    graph: nx.MultiDiGraph = field(repr=False, default=None)

    @property
    def coverage(self) -> float:
        return self.projects_linked / self.projects_total if self.projects_total else 0.0

    def to_dict(self) -> dict:
        g = self.graph
        lab = (lambda i: label_of(g, i)) if g is not None else (lambda i: i)
        return {
            "coverage": round(self.coverage, 4),
            "projects_total": self.projects_total,
            "projects_linked": self.projects_linked,
            "orphan_projects": [{"project": p, "label": lab(p)} for p in self.orphan_projects],
            "strategies_without_projects": [{"strategy": s, "label": lab(s)}
                                            for s in self.strategies_without_projects],
            "strategies": [s.to_dict(g) for s in self.strategies],
            "links": [l.to_dict() for l in self.links],
        }


def linkage_report(store: Store, graph: nx.MultiDiGraph | None = None) -> LinkageReport:
    """Coverage, orphans and per-strategy breakdowns by place and sector."""
    g = graph if graph is not None else load_graph(store)
    links = policy_project_links(store)
    reached: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for link in links:
        vias = reached[link.strategy][link.project]
        if link.via not in vias:
            vias.append(link.via)
    projects = sorted(n for n, d in g.nodes(data=True) if d["type"] == "project")
    strategies = sorted(n for n, d in g.nodes(data=True) if d["type"] == "strategy")
    linked = {p for per in reached.values() for p in per}
    rows = []
    for strategy, per in reached.items():
        places, sectors = Counter(), Counter()
        for p in per:
            for _, o, rel in g.out_edges(p, keys=True):
                if rel == "locatedIn":
                    places[label_of(g, o)] += 1
                elif rel == "inSector":
                    sectors[label_of(g, o)] += 1
        rows.append(StrategyCoverage(strategy, label_of(g, strategy),
                                     {p: v for p, v in per.items()}, places, sectors))
    rows.sort(key=lambda s: (-len(s.projects), s.label))
    return LinkageReport(links, rows, [s for s in strategies if s not in reached],
                         len(projects), len(linked & set(projects)),
                         [p for p in projects if p not in linked], g)
