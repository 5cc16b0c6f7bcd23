"""Plan vs actual: targets met or missed, and figures two reports state differently.

A target for year N is joined with the observations for year N of the same indicator, the
same kind of measure (a growth rate with a growth rate) and the same subject (the place
it is about, or the named subject); the observation usually comes from a later report.
Attainment respects the comparator: 以上 (ge) must be reached, 以内 (le) must not be
exceeded, 左右 (approx) must come within a tolerance; indicators where lower is better
(unemployment, prices, energy use) read 左右 as a ceiling.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from pyoxigraph import Store

from kg.analysis.graph import Evidence, document_key, select

# Indicator words for which a lower figure is the better one: 左右 then means "at most".
LOWER_IS_BETTER = ("失业率", "消费价格", "物价", "能耗", "排放", "死亡率", "赤字率", "负债率",
                   "发生率", "污染", "PM2.5", "PM10", "贫困")
# Scale words of units, so 亿元 and 万元 (or 万人 and 人) compare.
UNIT_SCALES = {"万亿": Decimal(10) ** 12, "亿": Decimal(10) ** 8, "千万": Decimal(10) ** 7,
               "百万": Decimal(10) ** 6, "万": Decimal(10) ** 4, "千": Decimal(10) ** 3}
# 左右 tolerance: percentage points for rates and shares, a relative share for levels
APPROX_POINTS = Decimal("0.5")
APPROX_RELATIVE = Decimal("0.05")
RATE_KINDS = {"growth_rate", "reduction", "share"}


@dataclass
class Figure:
    """A target or observation as stored."""

    iri: str
    role: str  # target | observation
    indicator: str
    indicator_label: str
    year: int
    value: Decimal
    value_max: Decimal | None
    unit: str
    comparator: str
    measure: str
    subject: str  # refArea IRI, else subjectName, else ''
    document: str
    evidence: Evidence

    def to_dict(self) -> dict:
        d = asdict(self)
        d["value"] = float(self.value)
        d["value_max"] = float(self.value_max) if self.value_max is not None else None
        d["evidence"] = self.evidence.to_dict()
        return d


def figures(store: Store) -> list[Figure]:
    rows = select(store, """
        SELECT ?f ?class ?ind ?indLabel ?year ?value ?max ?unit ?cmp ?kind ?area ?subject ?doc ?sent ?text
        WHERE {
          VALUES ?class { kgo:Target kgo:Observation }
          ?f a ?class ; kgo:indicator ?ind ; kgo:year ?year ; kgo:value ?value .
          OPTIONAL { ?ind rdfs:label ?indLabel }
          OPTIONAL { ?f kgo:valueMax ?max } OPTIONAL { ?f kgo:unit ?unit }
          OPTIONAL { ?f kgo:comparator ?cmp } OPTIONAL { ?f kgo:measureKind ?kind }
          OPTIONAL { ?f kgo:refArea ?area } OPTIONAL { ?f kgo:subjectName ?subject }
          OPTIONAL { ?f kgo:mentionedIn ?doc }
          OPTIONAL { ?f kgo:evidence ?sent . OPTIONAL { ?sent kgo:text ?text } }
        }""")
    out, seen = [], set()
    for r in rows:
        if r["f"] in seen:
            continue
        seen.add(r["f"])
        try:
            value = Decimal(r["value"])
            year = int(r["year"][:4])
        except (ArithmeticError, ValueError):
            continue
        doc = document_key(r["doc"]) or document_key(r["sent"])
        out.append(Figure(
            r["f"], "target" if r["class"].endswith("Target") else "observation",
            r["ind"], r["indLabel"] or r["ind"].rsplit("/", 1)[-1], year, value,
            Decimal(r["max"]) if r["max"] else None, r["unit"] or "", r["cmp"] or "eq",
            r["kind"] or "other", r["area"] or r["subject"] or "", doc,
            Evidence(r["sent"] or "", r["text"] or "", doc)))
    return sorted(out, key=lambda f: (f.indicator_label, f.year, f.role, f.document, f.iri))


def unit_scale(unit: str) -> tuple[Decimal, str]:
    """(scale, base unit): 亿元 -> (1e8, 元); % -> (1, %)."""
    for word, scale in UNIT_SCALES.items():
        if unit.startswith(word) and len(unit) > len(word):
            return scale, unit[len(word):]
    return Decimal(1), unit


def comparable(a: Figure, b: Figure) -> bool:
    return (a.indicator == b.indicator and a.year == b.year and a.measure == b.measure
            and a.subject == b.subject and unit_scale(a.unit)[1] == unit_scale(b.unit)[1])


def in_unit_of(fig: Figure, other: Figure) -> Decimal:
    """fig's value expressed in other's unit (亿元 in 万元 ...)."""
    s1, _ = unit_scale(fig.unit)
    s2, _ = unit_scale(other.unit)
    return fig.value * s1 / s2


def lower_is_better(fig: Figure) -> bool:
    if fig.measure == "reduction":  # a bigger cut (能耗降低3%) is the better one
        return False
    return any(w in fig.indicator_label for w in LOWER_IS_BETTER)


@dataclass
class Attainment:
    target: Figure
    observation: Figure | None
    status: str  # met | missed | no data
    ratio: float | None  # observed / target value
    same_document: bool = False
    gap: float | None = None  # observed - target, in the target's unit (points for a rate)

    def to_dict(self) -> dict:
        return {"indicator": self.target.indicator_label, "year": self.target.year,
                "subject": self.target.subject, "status": self.status, "ratio": self.ratio,
                "gap": self.gap,
                "target": self.target.to_dict(),
                "observation": self.observation.to_dict() if self.observation else None,
                "same_document": self.same_document}


def judge(target: Figure, observed: Decimal) -> str:
    """met or missed, by the target's comparator and the kind of indicator."""
    low, high = target.value, target.value_max if target.value_max is not None else target.value
    cmp = target.comparator
    if cmp == "approx":
        tol = APPROX_POINTS if target.measure in RATE_KINDS or target.unit == "%" \
            else abs(target.value) * APPROX_RELATIVE
        if lower_is_better(target):
            return "met" if observed <= high + tol else "missed"
        return "met" if observed >= low - tol else "missed"
    if cmp == "le" or (cmp == "eq" and lower_is_better(target)):
        return "met" if observed <= high else "missed"
    return "met" if observed >= low else "missed"  # ge, eq: a plan figure is a floor


def plan_vs_actual(store: Store, figs: list[Figure] | None = None) -> list[Attainment]:
    """Every target with the observation that answers it (or none: no data)."""
    figs = figs if figs is not None else figures(store)
    observations = defaultdict(list)
    for f in figs:
        if f.role == "observation":
            observations[(f.indicator, f.year)].append(f)
    out = []
    for t in (f for f in figs if f.role == "target"):
        matches = [o for o in observations[(t.indicator, t.year)] if comparable(t, o)]
        # prefer a report other than the one setting the target (the later review)
        matches.sort(key=lambda o: (o.document == t.document, o.document, o.iri))
        if not matches:
            out.append(Attainment(t, None, "no data", None))
            continue
        o = matches[0]
        observed = in_unit_of(o, t)
        ratio = float(observed / t.value) if t.value else None
        out.append(Attainment(t, o, judge(t, observed), round(ratio, 4) if ratio is not None else None,
                              o.document == t.document, round(float(observed - t.value), 4)))
    return out


@dataclass
class Discrepancy:
    role: str
    indicator: str
    year: int
    subject: str
    figures: list[Figure] = field(default_factory=list)  # one per differing value, each with its sentence

    def to_dict(self) -> dict:
        return {"role": self.role, "indicator": self.indicator, "year": self.year,
                "subject": self.subject, "figures": [f.to_dict() for f in self.figures]}


def discrepancies(store: Store, figs: list[Figure] | None = None) -> list[Discrepancy]:
    """The same indicator, year, subject and measure with different values in two reports."""
    figs = figs if figs is not None else figures(store)
    groups: dict[tuple, list[Figure]] = defaultdict(list)
    for f in figs:
        groups[(f.role, f.indicator, f.year, f.measure, f.subject, unit_scale(f.unit)[1])].append(f)
    out = []
    for (role, _, year, _, subject, _), members in sorted(groups.items()):
        if len({f.document for f in members}) < 2:
            continue
        base = members[0]
        per_document: dict[str, dict[Decimal, Figure]] = defaultdict(dict)
        for f in members:
            per_document[f.document].setdefault(in_unit_of(f, base).normalize(), f)
        # a report giving several values under one key is counting different things
        if any(len(values) > 1 for values in per_document.values()):
            continue
        by_value: dict[Decimal, Figure] = {}
        for values in per_document.values():
            for v, f in values.items():
                by_value.setdefault(v, f)
        differing = list(by_value.values())
        if len(differing) > 1:
            out.append(Discrepancy(role, base.indicator_label, year, subject, differing))
    return out
