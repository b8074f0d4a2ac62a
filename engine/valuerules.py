"""The rule layer: a value and a basis (绩效标准) for each suggested indicator.

Rules come from data/rules.json (first match on 二级 + name pattern wins).  Value sources, in
the order a rule allows them:
  * the project itself — the budget for cost, the target year for deadlines, a number with a
    matching unit found in the description ("14个窗口");
  * history — the value the most similar past filing used, year references rolled forward;
    basis 按照上年 when it is the same project's filing, else 历史标准;
  * the common-indicator library (共性指标) — its typical value and basis;
  * nothing — the indicator is marked needs_input rather than given an invented number.
Every decision is written into `rules` as a short Chinese sentence with the rule id.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from corpus.values import extract_quantities, parse_value, roll_years, years_in

from .profiles import rules_data

_TEMPLATE_HOLE = re.compile(r"\{(?!budget\}|year\})[^}]*\}")
_BARE_YEAR_END = re.compile(r"^(年底前?|年末前?|年内)$")


class History(NamedTuple):
    """One past use of an indicator (a tuple: suggest makes hundreds per project)."""
    value: str
    year: int | None
    filing: str
    similarity: float = 0.0
    same_project: bool = False


@dataclass
class Filled:
    value: str = ""
    basis: str | None = None
    rules: list[str] = field(default_factory=list)
    needs_input: bool = False
    origin: str = ""          # "project" | "history" | "library" | "rule" | ""
    from_history: History | None = None


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def match_rule(level2: str, name: str) -> dict:
    for rule in rules_data()["value_rules"]:
        if rule["level2"] in (level2, "*") and _compiled(rule["name_re"]).search(name):
            return rule
    return rules_data()["value_rules"][-1]


def _fmt_num(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".")


def _roll(h: History, year: int | None) -> tuple[str, int]:
    if year is None or h.year is None or year == h.year:
        return h.value, 0
    return roll_years(h.value, year - h.year)


def _as_rate(value: str, clamp: list | None) -> str | None:
    """A history value usable as a rate target: '90%' → '≥90%', '100%' → '=100%'."""
    pv = parse_value(value)
    if pv.kind != "number" or pv.unit != "%" or pv.number is None:
        return None
    n = pv.number
    if n > 100 or n < 0:
        return None
    if clamp and not (clamp[0] <= n <= clamp[1]):
        return None
    op = pv.op or "="
    if op in ("≤", "<"):
        return None
    if op == "=" and n < 100:
        op = "≥"
    if op == ">":
        op = "≥"
    return f"{op}{_fmt_num(n)}%"


def _fill_template(template: str, budget, year) -> str | None:
    if "{budget}" in template and budget is None:
        return None
    if "{year}" in template and year is None:
        return None
    if _TEMPLATE_HOLE.search(template):
        return None
    return template.replace("{budget}", _fmt_num(budget) if budget is not None else "").replace(
        "{year}", str(year) if year is not None else "")


def _basis_for(h: History) -> str:
    return rules_data()["carried_basis"] if h.same_project else "历史标准"


def _history_note(h: History, rolled: int, value: str) -> str:
    src = f"{h.filing}（{h.year}年）" if h.year else h.filing
    roll = f"，年份已顺延 {rolled} 处" if rolled else ""
    return f"沿用 {src} 的指标值 {value}{roll}"


def unit_from_name(name: str) -> str | None:
    """The unit an indicator's name implies (…面积 → 平方米), from rules.json unit_from_name."""
    for ending, unit in rules_data()["unit_from_name"].items():
        if not ending.startswith("_") and name.endswith(ending):
            return unit
    return None


def _quantity(name: str, description: str, unit_hint: str | None):
    """A number with a unit in the description that fits this indicator, if any."""
    from rapidfuzz import fuzz

    best, best_score = None, 0.0
    for q in extract_quantities(description or ""):
        if getattr(q, "is_year", False) or getattr(q, "is_money", False) or not q.unit or q.unit == "%":
            continue
        score = fuzz.partial_ratio(q.noun or "", name) / 100 if q.noun else 0.0
        if unit_hint and q.unit == unit_hint:
            score += 0.5
        if q.unit and q.unit in name:
            score += 0.3
        if score > best_score:
            best, best_score = q, score
    return best if best_score >= 0.75 else None


def fill_value(level2: str, name: str, *, budget: float | None, year: int | None,
               description: str = "", history: list[History] = (),
               library_value: str | None = None, library_basis: str | None = None) -> Filled:
    """Decide the value and basis of one indicator and say why."""
    rule = match_rule(level2, name)
    rid, why = rule["id"], rule["why"].replace("{budget}", _fmt_num(budget) if budget is not None else "?").replace(
        "{year}", str(year) if year is not None else "?")
    clamp = rule.get("clamp")
    hist = list(history)

    def from_history(kind: str | None = None) -> Filled | None:
        for h in hist:
            value, rolled = _roll(h, year)
            if not value.strip():
                continue
            pv = parse_value(value)
            if year is not None and any(y < year for y in years_in(value)):
                continue                    # still names a past year: not usable as a target
            if level2 == "成本指标" and pv.op in ("≥", ">"):
                continue                    # a floor on spending is a filing error (lint L12)
            note = ""
            if pv.kind == "number" and not pv.unit:
                unit = unit_from_name(name)
                if unit is None:
                    continue                # a bare number is not a target (lint L07)
                value, note = f"{value}{unit}", f"；按指标名称补上计量单位「{unit}」"
            if kind == "rate":
                rate = _as_rate(value, clamp)
                if rate is None:
                    continue
                value = rate
            elif pv.kind == "text":
                continue                    # sentences are not targets
            elif _BARE_YEAR_END.match(value.strip()) and year is not None:
                value = f"{year}年底前"
            return Filled(value=value, basis=_basis_for(h), origin="history", from_history=h,
                          rules=[f"{rid}：{_history_note(h, rolled, value)}{note}"])
        return None

    def from_library() -> Filled | None:
        if not library_value:
            return None
        v = _fill_template(library_value, budget, year)
        if not v:
            return None
        return Filled(value=v, basis=library_basis or rules_data()["library_basis_default"],
                      origin="library", rules=[f"{rid}：取共性指标库典型值 {v}"])

    if "value" in rule:
        template = rule.get("value_by_name", {})
        template = next((v for k, v in template.items() if k in name), rule["value"])
        if rule.get("keep_history_rate"):
            got = from_history("rate")
            if got:
                return got
        if rule.get("keep_history_kind"):
            got = from_history()
            if got:
                return got
        v = _fill_template(template, budget, year)
        if v:
            return Filled(value=v, basis=rule["basis"], origin="rule", rules=[f"{rid}：{why}"])
        lack = "预算金额" if "{budget}" in template else "目标年度"
        return Filled(needs_input=True, rules=[f"{rid}：{why}；缺少{lack}，待填写"])

    if rule.get("action") == "quantity":
        unit_hint = None
        for h in hist:
            pv = parse_value(h.value)
            if pv.unit:
                unit_hint = pv.unit
                break
        if library_value and not unit_hint:
            unit_hint = parse_value(library_value.replace("{N}", "1")).unit
        q = _quantity(name, description, unit_hint)
        if q is not None:
            v = f"{_fmt_num(q.number)}{q.unit}"
            return Filled(value=v, basis=rule["basis"], origin="project",
                          rules=[f"{rid}：项目描述写明「{(q.noun or '')}{v}」"])

    got = from_history() or from_library()
    if got:
        return got
    if level2 in rules_data()["grade_categories"] and not name.endswith("率"):
        grade = rules_data()["default_grade"]
        return Filled(value=grade, basis=rules_data()["library_basis_default"], origin="rule",
                      rules=[f"{rid}：效益类指标无可量化依据，按分级定性写法取「{grade}」"])
    return Filled(needs_input=True, rules=[f"{rid}：{why}；没有可用的历史值或描述数字，待填写"])
