"""The sector library (行业指标库): sectors, their trigger words and beneficiaries, and indicator
entries per 二级 — all data, in data/sectors/ (one JSON file per sector, `_index.json` for the
order and the tagging weights).

    sector_data() -> SectorData           every sector in priority order (cached)
    library_rows() -> tuple[dict, ...]    one row per entry, for the catalogue's `library` table
    library_version() -> str              changes whenever any sector file changes
    check() -> list[str]                  problems in the data files (empty when all is well)

A sector file holds:
    sector, code (two capital letters), aliases, keywords {word: weight}, patterns {regex: weight},
    beneficiaries (who the sector serves, most typical first: the {对象} of satisfaction names),
    sources {tag: {title, url}} (its own source tags; _sources.json holds the shared ones), entries.
An entry holds:
    code       GX-<sector code>-<二级 code><two-digit sequence>; stable, never renumbered
    level2     canonical 二级
    name       三级 name; may hold the slot {对象} (the project's beneficiary) or {补助对象}
               (whom a subsidy pays, when the project says: the entry is drafted only then)
    unit       the value's unit ("%", "个", "万元", "元/人" …; "" for deadlines and grades)
    value      typical value: ≥95%, =100%, ≥{N}亩, ≤{budget}万元, {year}年12月31日前, 有效提升 …
               ({N} a number the description or the officer gives, {budget} 万元, {year} target year)
    direction  higher | lower | exact — which way a better value goes
    basis      绩效标准: 计划标准 | 历史标准 | 行业标准 | 其他标准
    requires   words one of which the project text must hold for a specialised entry ([] = any)
    explain    one-line 指标解释 ("反映……。")
    source     space-separated source tags (the sector's `sources`, else _sources.json)
Run `python -m jixiao.catalogue.sectors` to check the files, `python -m jixiao.catalogue.sectors --format` to
rewrite them in the house layout (one entry per line).
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from jixiao.corpus.categories import L2, LEVEL1_OF, LEVEL2_CANON

SLOTS = ("{对象}", "{补助对象}")
VALUE_SLOTS = ("{N}", "{budget}", "{year}")
DIRECTIONS = ("higher", "lower", "exact")
BASES = ("计划标准", "历史标准", "行业标准", "其他标准")
# minimum entries per required 二级 of the default profile, per sector (the fallback included)
MIN_PER_REQUIRED = 5
REQUIRED_FOR_COUNT = (L2.QUANTITY, L2.QUALITY, L2.TIMELINESS, L2.COST, L2.SOCIAL, L2.SATISFACTION)
_CODE = re.compile(r"^GX-([A-Z]{2})-(0[1-9])([0-9]{2})$")


@dataclass(frozen=True)
class Sector:
    name: str
    code: str
    aliases: tuple[str, ...]
    keywords: dict
    patterns: dict
    beneficiaries: tuple[str, ...]
    entries: tuple[dict, ...]
    file: str
    sources: dict


@dataclass(frozen=True)
class SectorData:
    sectors: tuple[Sector, ...]          # priority order, the fallback last
    fallback: str
    fallback_reason: str
    name_weight: float
    description_weight: float
    threshold: float
    max_sectors: int
    version: str
    secondary: tuple[str, ...] = ()

    def by_name(self) -> dict[str, Sector]:
        return {s.name: s for s in self.sectors}


def _folder():
    return resources.files("jixiao.catalogue").joinpath("data/sectors")


@lru_cache(maxsize=1)
def _raw_files() -> tuple[tuple[str, str], ...]:
    """(file name, text) of _index.json and every sector file it lists, in its order."""
    folder = _folder()
    index_text = folder.joinpath("_index.json").read_text(encoding="utf-8")
    index = json.loads(index_text)
    out = [("_index.json", index_text)]
    for stem in index["order"]:
        name = f"{stem}.json"
        out.append((name, folder.joinpath(name).read_text(encoding="utf-8")))
    return tuple(out)


@lru_cache(maxsize=1)
def sector_data() -> SectorData:
    files = _raw_files()
    index = json.loads(files[0][1])
    sectors = []
    for fname, text in files[1:]:
        d = json.loads(text)
        sectors.append(Sector(
            name=d["sector"], code=d["code"], aliases=tuple(d.get("aliases", [])),
            keywords=dict(d.get("keywords", {})), patterns=dict(d.get("patterns", {})),
            beneficiaries=tuple(d.get("beneficiaries", [])),
            entries=tuple(d.get("entries", [])), file=fname, sources=dict(d.get("sources", {}))))
    digest = hashlib.sha256("".join(t for _, t in files).encode("utf-8")).hexdigest()[:16]
    return SectorData(tuple(sectors), index["fallback"], index["fallback_reason"],
                      float(index["name_weight"]), float(index["description_weight"]),
                      float(index["threshold"]), int(index["max_sectors"]),
                      f'{index["version"]}:{digest}', tuple(index.get("secondary", ())))


def library_rows() -> tuple[dict, ...]:
    """One row per entry (the catalogue's `library` table): type (the sector), level1, level2,
    name, value, basis, code, explain, source, unit, direction, requires (JSON list)."""
    rows = []
    for s in sector_data().sectors:
        for e in s.entries:
            rows.append({"type": s.name, "level1": LEVEL1_OF[e["level2"]], "level2": e["level2"],
                         "name": e["name"], "value": e["value"], "basis": e["basis"], "code": e["code"],
                         "explain": e["explain"], "source": e.get("source", ""), "unit": e.get("unit", ""),
                         "direction": e["direction"],
                         "requires": json.dumps(e.get("requires", []), ensure_ascii=False)})
    return tuple(rows)


def library_version() -> str:
    return sector_data().version


# -- checking the data -------------------------------------------------------------------------
def _check_value(where: str, e: dict) -> list[str]:
    from jixiao.corpus.values import parse_value

    value = e.get("value", "")
    probe = value.replace("{N}", "8").replace("{budget}", "10").replace("{year}", "2025")
    if "{" in probe:
        return [f"{where}: 指标值 {value!r} 含未知占位符"]
    pv = parse_value(probe)
    probs = []
    if pv.kind not in ("number", "deadline", "grade"):
        probs.append(f"{where}: 指标值 {value!r} 不是数值、时限或定性等级（解析为 {pv.kind}）")
        return probs
    d = e.get("direction")
    if pv.kind == "number":
        op = pv.op or "="
        if d == "higher" and op not in ("≥", ">", "="):
            probs.append(f"{where}: direction=higher 但指标值 {value!r} 的符号是 {op}")
        if d == "lower" and op not in ("≤", "<", "="):
            probs.append(f"{where}: direction=lower 但指标值 {value!r} 的符号是 {op}")
        if d == "exact" and op != "=":
            probs.append(f"{where}: direction=exact 但指标值 {value!r} 的符号是 {op}")
        unit = e.get("unit", "")
        if pv.unit and unit and pv.unit != unit and not (pv.unit.endswith(unit) or unit.endswith(pv.unit)):
            probs.append(f"{where}: unit {unit!r} 与指标值 {value!r} 的单位 {pv.unit!r} 不一致")
        if pv.unit == "%" and pv.number is not None and not (0 <= pv.number <= 100):
            probs.append(f"{where}: 比率 {value!r} 超出 0–100%")
    return probs


def _check_entry(where: str, e: dict, sector_code: str) -> list[str]:
    probs = []
    for key in ("code", "level2", "name", "value", "direction", "basis", "explain", "source"):
        if not isinstance(e.get(key), str) or not e.get(key).strip():
            probs.append(f"{where}: 缺少 {key}")
    if probs:
        return probs
    if e["level2"] not in LEVEL2_CANON:
        probs.append(f"{where}: 未知二级 {e['level2']}")
        return probs
    m = _CODE.match(e["code"])
    from .canonical import level2_code

    if not m or m.group(1) != sector_code or m.group(2) != level2_code(e["level2"]):
        probs.append(f"{where}: 代码 {e['code']} 应为 GX-{sector_code}-{level2_code(e['level2'])}NN")
    name = e["name"]
    bare = name
    for slot in SLOTS:
        bare = bare.replace(slot, "")
    if "{" in bare or "}" in bare:
        probs.append(f"{where}: 名称 {name!r} 含未知占位符")
    if len(bare) > 24:
        probs.append(f"{where}: 名称 {name!r} 过长（三级指标名称应简短）")
    if e["direction"] not in DIRECTIONS:
        probs.append(f"{where}: direction 应为 {'/'.join(DIRECTIONS)}")
    if e["basis"] not in BASES:
        probs.append(f"{where}: basis 应为 {'/'.join(BASES)}")
    req = e.get("requires", [])
    if not isinstance(req, list) or not all(isinstance(w, str) and w for w in req):
        probs.append(f"{where}: requires 应为词语列表")
    if not isinstance(e.get("unit", ""), str):
        probs.append(f"{where}: unit 应为字符串")
    probs += _check_value(where, e)
    return probs


def shared_sources() -> dict:
    text = _folder().joinpath("_sources.json").read_text(encoding="utf-8")
    return json.loads(text)["sources"]


def check() -> list[str]:
    """Every problem found in the sector files, as one Chinese line each."""
    probs: list[str] = []
    try:
        data = sector_data()
        shared = shared_sources()
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"行业指标库无法读取：{exc}"]
    codes: dict[str, str] = {}
    sector_codes: dict[str, str] = {}
    names = set()
    total = 0
    for s in data.sectors:
        if s.name in names:
            probs.append(f"{s.file}: 行业名称重复 {s.name}")
        names.add(s.name)
        if not re.fullmatch(r"[A-Z]{2}", s.code or ""):
            probs.append(f"{s.file}: code 应为两个大写字母")
        if s.code in sector_codes:
            probs.append(f"{s.file}: 行业代码 {s.code} 与 {sector_codes[s.code]} 重复")
        sector_codes[s.code] = s.file
        if s.name != data.fallback and not (s.keywords or s.patterns):
            probs.append(f"{s.file}: 没有触发词（keywords）")
        if not s.beneficiaries:
            probs.append(f"{s.file}: 没有典型服务对象（beneficiaries）")
        for pat in s.patterns:
            try:
                re.compile(pat)
            except re.error as exc:
                probs.append(f"{s.file}: 正则 {pat!r} 无效（{exc}）")
        per: dict[str, int] = {}
        for n, e in enumerate(s.entries):
            where = f"{s.file} 第 {n + 1} 条（{e.get('name', '?')}）"
            probs += _check_entry(where, e, s.code)
            code = e.get("code", "")
            if code in codes:
                probs.append(f"{where}: 代码 {code} 与 {codes[code]} 重复")
            codes[code] = where
            per[e.get("level2", "")] = per.get(e.get("level2", ""), 0) + 1
            for tag in str(e.get("source", "")).split():
                if tag not in s.sources and tag not in shared:
                    probs.append(f"{where}: 来源标记 {tag} 未在本行业 sources 或 _sources.json 中说明")
        total += len(s.entries)
        for l2 in REQUIRED_FOR_COUNT:
            if per.get(l2, 0) < MIN_PER_REQUIRED:
                probs.append(f"{s.file}: {l2} 只有 {per.get(l2, 0)} 条（至少 {MIN_PER_REQUIRED} 条）")
    if data.sectors[-1].name != data.fallback:
        probs.append("_index.json: 兜底行业（fallback）应排在最后")
    return probs


def summary() -> str:
    data = sector_data()
    lines = []
    for s in data.sectors:
        per: dict[str, int] = {}
        for e in s.entries:
            per[e["level2"]] = per.get(e["level2"], 0) + 1
        counts = " ".join(f"{l2[:2]}{per.get(l2, 0)}" for l2 in LEVEL2_CANON)
        lines.append(f"{s.code} {s.name:<10} {len(s.entries):>4} 条  {counts}")
    lines.append(f"共 {len(data.sectors)} 个行业，{sum(len(s.entries) for s in data.sectors)} 条指标")
    return "\n".join(lines)


_TOP_KEYS = ("sector", "code", "aliases", "keywords", "patterns", "beneficiaries", "sources")
_ENTRY_KEYS = ("code", "level2", "name", "unit", "value", "direction", "basis", "requires", "explain", "source")


def format_text(d: dict) -> str:
    """A sector file in the house layout: top fields first, one entry per line, entries in
    二级 order then code order (stable codes, readable diffs)."""
    order = {l2: i for i, l2 in enumerate(LEVEL2_CANON)}
    dump = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731
    lines = ["{"]
    for key in _TOP_KEYS:
        lines.append(f'  {dump(key)}: {dump(d.get(key, [] if key in ("aliases", "beneficiaries") else {}))},')
    entries = sorted(d.get("entries", []), key=lambda e: (order.get(e.get("level2"), 99), e.get("code", "")))
    lines.append('  "entries": [')
    for n, e in enumerate(entries):
        body = {k: e.get(k, [] if k == "requires" else "") for k in _ENTRY_KEYS}
        body.update({k: v for k, v in e.items() if k not in body})
        lines.append(f"    {dump(body)}{',' if n < len(entries) - 1 else ''}")
    lines += ["  ]", "}", ""]
    return "\n".join(lines)


def format_files() -> list[str]:
    """Rewrite every sector file in the house layout; returns the files changed."""
    from pathlib import Path

    folder = Path(str(_folder()))
    changed = []
    for fname, text in _raw_files()[1:]:
        new = format_text(json.loads(text))
        if new != text:
            (folder / fname).write_text(new, encoding="utf-8")
            changed.append(fname)
    return changed


if __name__ == "__main__":      # python -m jixiao.catalogue.sectors [--summary] [--format]
    if "--format" in sys.argv[1:]:
        for f in format_files():
            print(f"已整理 {f}")
        _raw_files.cache_clear()
        sector_data.cache_clear()
    problems = check()
    if "--summary" in sys.argv[1:]:
        print(summary())
    for p in problems:
        print(p)
    print("行业指标库检查通过" if not problems else f"发现 {len(problems)} 个问题")
    sys.exit(1 if problems else 0)
