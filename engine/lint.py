"""Review rules for a finished table (docs/domain.md §5), run on every draft and by `jixiao lint`.

Rule texts, severities and word lists live in data/lint.json; this module holds the checks.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from jixiao.corpus.categories import L2, LEVEL2_CANON, is_satisfaction_name
from jixiao.corpus.textkeys import unpunctuated_name
from jixiao.corpus.values import parse_value, years_in

from .draft import Draft, DraftIndicator, LintFinding
from .profiles import profile as get_profile

_OP_WRITTEN = re.compile(r"[≥≤=<>≧≦]|不低于|不少于|达到|以上|以内|不超过|不高于|不超|至少|低于|高于")
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@lru_cache(maxsize=1)
def _cfg() -> dict:
    with resources.files("jixiao.engine").joinpath("data/lint.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def _finding(rule: str, index: int | None = None, **fields) -> LintFinding:
    spec = _cfg()["rules"][rule]
    return LintFinding(
        rule=f"{rule} {spec['name']}",
        severity=spec["severity"],
        message=spec["message"].format(**fields),
        indicator=index,
    )


def _money_wan(unit: str | None, number: float | None) -> float | None:
    """A total amount in 万元, or None for per-unit costs and non-money values."""
    if number is None or not unit or "/" in unit:
        return None
    if unit in ("万元", "万"):
        return number
    if unit == "元":
        return number / 10000
    if unit == "亿元":
        return number * 10000
    return None


def lint_draft(draft: Draft, profile: str = "default") -> list[LintFinding]:
    """All findings for a draft or a filing converted to one, errors first."""
    cfg = _cfg()
    out: list[LintFinding] = []
    budget, year = draft.project.budget, draft.project.year
    inds = draft.indicators
    present = {i.level2 for i in inds if i.name}
    for l2 in get_profile(profile)["required"]:
        if l2 not in present:
            out.append(_finding("L01", None, level2=l2))
    placeholder = re.compile(cfg["placeholder_re"])
    lo, hi = cfg["satisfaction_band"]
    for idx, ind in enumerate(inds):
        out.extend(_check_one(idx, ind, budget, year, placeholder, lo, hi))
    out.extend(_duplicates(inds))
    core = sum(1 for i in inds if i.level2 in (L2.QUANTITY, L2.QUALITY))
    if len(inds) < 3 or core < 2:
        out.append(_finding("L24", None, total=len(inds), core=core))
    out.sort(key=lambda f: (_SEVERITY_ORDER[f.severity], f.indicator if f.indicator is not None else -1))
    return out


def _check_one(idx, ind: DraftIndicator, budget, year, placeholder, lo, hi) -> list[LintFinding]:
    cfg = _cfg()
    f = []
    name, value, l2 = ind.name, (ind.value or "").strip(), ind.level2
    pv = parse_value(value)
    ctx = dict(name=name, value=value, level2=l2)
    if not value:
        if name:
            f.append(_finding("L02", idx, **ctx))
        return f + _name_checks(idx, ind)
    if placeholder.match(value):
        f.append(_finding("L03", idx, **ctx))
        return f
    is_rate = pv.kind == "number" and pv.unit == "%"
    if l2 in cfg["quantitative_slots"] and pv.kind in ("grade", "text") and any(
            w in value for w in cfg["vague_words"]):
        f.append(_finding("L04", idx, **ctx))
    if is_rate and l2 in (L2.QUALITY, L2.SATISFACTION, L2.TIMELINESS) and not _OP_WRITTEN.search(value):
        f.append(_finding("L06", idx, **ctx))
    if pv.kind == "number" and not pv.unit:
        f.append(_finding("L07", idx, **ctx))
    if pv.kind == "number" and pv.unit and pv.unit not in ("%", "‰") and (
            name.endswith(("率", "满意度")) or l2 == L2.SATISFACTION):
        f.append(_finding("L08", idx, **ctx))
    if l2 == L2.COST:
        wan = _money_wan(pv.unit, pv.number)
        if budget is not None and wan is not None and pv.op in ("=", "≤", "<", None) and wan > budget + 1e-6:
            f.append(_finding("L11", idx, budget=f"{budget:g}", **ctx))
        if pv.op in ("≥", ">"):
            f.append(_finding("L12", idx, op=pv.op, **ctx))
        money = bool(pv.unit) and ("元" in pv.unit or pv.unit.startswith("万"))
        if pv.kind == "number" and not money and pv.unit != "%":
            f.append(_finding("L13", idx, **ctx))
    if year is not None and (l2 == L2.TIMELINESS or pv.kind == "deadline"):
        if any(y < year for y in years_in(value)):
            f.append(_finding("L14", idx, year=year, **ctx))
    if is_rate and pv.number is not None and (
            pv.number > 100 or pv.number < 0 or (pv.op == ">" and pv.number >= 100)):
        f.append(_finding("L20", idx, **ctx))
    elif l2 == L2.SATISFACTION and is_rate and pv.number is not None and not (lo <= pv.number <= hi):
        f.append(_finding("L21", idx, **ctx))
    if any(w in value for w in cfg["long_term_words"]):
        f.append(_finding("L25", idx, **ctx))
    return f + _name_checks(idx, ind)


def _name_checks(idx, ind: DraftIndicator) -> list[LintFinding]:
    cfg = _cfg()
    f = []
    name, l2 = ind.name, ind.level2
    ctx = dict(name=name, value=ind.value, level2=l2)
    if not name:
        return f
    sat = is_satisfaction_name(name)
    if sat and l2 != L2.SATISFACTION:
        f.append(_finding("L09", idx, **ctx))
    if not sat and l2 == L2.SATISFACTION:
        f.append(_finding("L10", idx, **ctx))
    if l2 == L2.ECOLOGICAL and not any(w in name for w in cfg["environment_words"]):
        f.append(_finding("L17", idx, **ctx))
    if l2 in (L2.QUANTITY, L2.QUALITY) and any(w in name for w in cfg["input_words"]) \
            and not any(w in name for w in cfg["input_exempt"]):
        pv = parse_value(ind.value or "")
        if (pv.unit and "元" in pv.unit) or any(w in name for w in ("经费", "费用", "资金投入", "投入")):
            f.append(_finding("L18", idx, **ctx))
    if len(name) > cfg["sentence_max_chars"] or "，" in name or "," in name:
        short = name if len(name) <= 18 else name[:16] + "…"
        f.append(_finding("L22", idx, short=short, **ctx))
    return f


def _duplicates(inds: list[DraftIndicator]) -> list[LintFinding]:
    """L16: a line whose name repeats (or nearly repeats) an earlier line of another category.

    Each line is reported once, against the first such earlier line, and each pair of names once
    (the second copy of a repeated pair is not reported again).  Near-linear: see
    engine.near_duplicates — a filing of 20,000 lines is checked in well under a second."""
    from .near_duplicates import earlier_duplicates

    limit = _cfg()["fuzzy_duplicate"]
    keys = [unpunctuated_name(i.name) for i in inds]
    codes: dict[str, int] = {}
    groups = [codes.setdefault(i.level2, len(codes)) for i in inds]
    out, seen = [], set()
    for b, a in enumerate(earlier_duplicates(keys, groups, limit)):
        if a is None or (keys[a], keys[b]) in seen:
            continue
        seen.add((keys[a], keys[b]))
        out.append(_finding("L16", b, name=inds[b].name, value=inds[b].value,
                            level2=inds[a].level2, other=inds[b].level2))
    return out


def summary(findings: list[LintFinding]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f.severity] += 1
    return counts


__all__ = ["lint_draft", "summary", "LEVEL2_CANON"]
