"""The rule layer: a value and a basis (绩效标准) for each suggested indicator.

Rules come from data/rules.json (first match on 二级 + name pattern wins).  Value sources, first
that gives one:
  1. the description — a target or number the officer wrote, kept as written (计划标准);
  2. the budget — only on the one total-cost line (R03, ≤{budget}万元);
  3. a unit cost worked out from the budget and the description's quantities (R01);
  4. history — but only the same project's or the same unit's past filing, year references
     rolled forward (按照上年 for the same project, else 历史标准); another unit's numbers are
     never carried;
  5. the sector library's typical value (≥95%, =100%, {year}年12月31日前 …) and its basis;
  6. the rule's own default (验收合格率 =100%, satisfaction ≥90% …);
  7. nothing — the line is marked needs_input (待填写) rather than given an invented number.
Every decision is written into `rules` as a short Chinese sentence with the rule id.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import NamedTuple

from jixiao.corpus.categories import L2
from jixiao.corpus.values import parse_value, roll_years, years_in

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
    same_unit: bool = False

    @property
    def carries(self) -> bool:
        """Whether its value may be carried: the same project's or the same unit's filing."""
        return self.same_project or self.same_unit


class Origin(str, Enum):
    """Where a filled value came from (the library's typical value is LIBRARY)."""
    NONE = ""            # nothing gave one: the line waits for input
    PROJECT = "project"  # the description, the budget, or worked out from them
    HISTORY = "history"  # a past filing's value (rolled forward)
    LIBRARY = "library"  # the sector library entry's typical value
    RULE = "rule"        # a value rule's template or default grade


@dataclass
class Filled:
    value: str = ""
    basis: str | None = None
    rules: list[str] = field(default_factory=list)
    needs_input: bool = False
    origin: Origin = Origin.NONE
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


def _as_rate(value: str, clamp: list | None, direction: str | None = None) -> str | None:
    """A history value usable as a rate target: '90%' → '≥90%', '100%' → '=100%'; for a
    lower-is-better rate (投诉率) '3%' → '≤3%'."""
    pv = parse_value(value)
    if pv.kind != "number" or pv.unit != "%" or pv.number is None:
        return None
    n = pv.number
    if n > 100 or n < 0:
        return None
    if clamp and not (clamp[0] <= n <= clamp[1]):
        return None
    op = pv.op or "="
    if direction == "lower":
        return f"≤{_fmt_num(n)}%" if op in ("≤", "<", "=") else None
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


def is_total_cost(name: str, library_value: str | None = None) -> bool:
    """The one line a project's whole budget belongs on (项目总成本, 控制在预算内 …)."""
    if library_value and "{budget}" in library_value:
        return True
    if library_value and "{N}" in library_value:
        return False                  # a number to fill: a part or a unit cost, not the budget
    return match_rule(L2.COST, name)["id"] == "R03"


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


def fill_value(level2: str, name: str, *, budget: float | None, year: int | None,
               history: list[History] = (), library_value: str | None = None,
               library_basis: str | None = None, stated=None, computed: tuple[str, str] | None = None,
               description: str = "") -> Filled:
    """Decide the value and basis of one indicator and say why.

    `stated` is what the description says for this line (engine.reading.Stated), `computed` a
    (value, reason) worked out from the budget and the description (unit costs)."""
    rule = match_rule(level2, name)
    rid = rule["id"]
    why = rule["why"].replace("{budget}", _fmt_num(budget) if budget is not None else "?").replace(
        "{year}", str(year) if year is not None else "?")
    clamp = rule.get("clamp")
    hist = [h for h in history if h.carries]
    data = rules_data()

    if stated is not None:
        return Filled(value=stated.value, basis="计划标准", origin=Origin.PROJECT,
                      rules=[f"D01：项目描述写明「{_quote(stated.clause)}」，指标值按原文取 {stated.value}"])
    template = rule.get("value", "")
    template = next((v for k, v in rule.get("value_by_name", {}).items() if k in name), template)
    if rid == "R03" or (library_value and "{budget}" in library_value):
        v = _fill_template(template or library_value, budget, year)
        if v:
            return Filled(value=v, basis=rule.get("basis", "计划标准"), origin=Origin.RULE, rules=[f"{rid}：{why}"])
        return Filled(needs_input=True, rules=[f"{rid}：{why}；缺少预算金额，待填写"])
    if computed is not None:
        value, reason = computed
        return Filled(value=value, basis="计划标准", origin=Origin.PROJECT, rules=[f"{rid}：{reason}"])

    def from_history(kind: str | None = None) -> Filled | None:
        for h in hist:
            value, rolled = _roll(h, year)
            if not value.strip():
                continue
            pv = parse_value(value)
            if year is not None and any(y < year for y in years_in(value)):
                continue                    # still names a past year: not usable as a target
            if level2 == L2.COST and pv.op in ("≥", ">"):
                continue                    # a floor on spending is a filing error (lint L12)
            note = ""
            if pv.kind == "number" and not pv.unit:
                unit = unit_from_name(name)
                if unit is None:
                    continue                # a bare number is not a target (lint L07)
                value, note = f"{value}{unit}", f"；按指标名称补上计量单位「{unit}」"
            if kind == "rate":
                rate = _as_rate(value, clamp, rule.get("direction"))
                if rate is None:
                    continue
                value = rate
            elif pv.kind == "text":
                continue                    # sentences are not targets
            elif _BARE_YEAR_END.match(value.strip()) and year is not None:
                value = f"{year}年底前"
            return Filled(value=value, basis=_basis_for(h), origin=Origin.HISTORY, from_history=h,
                          rules=[f"{rid}：{_history_note(h, rolled, value)}{note}"])
        return None

    def from_library() -> Filled | None:
        if not library_value or "{N}" in library_value:
            return None
        v = _fill_template(library_value, budget, year)
        if not v:
            return None
        return Filled(value=v, basis=library_basis or data["library_basis_default"],
                      origin=Origin.LIBRARY, rules=[f"{rid}：取指标库典型值 {v}"])

    rate_rule = bool(rule.get("keep_history_rate")) or rule.get("direction") == "lower" or rid == "R24"
    got = from_history("rate" if rate_rule and name.endswith(("率", "度")) else None)
    if got is None and rid != "R30":          # satisfaction: ≥90% unless stated or the unit's own
        got = from_library()
    if got:
        return got
    if template:
        v = _fill_template(template, budget, year)
        if v:
            return Filled(value=v, basis=rule["basis"], origin=Origin.RULE, rules=[f"{rid}：{why}"])
    if level2 in data["grade_categories"] and not name.endswith("率") \
            and not (library_value and "{N}" in library_value):
        grade = data["default_grade"]
        return Filled(value=grade, basis=data["library_basis_default"], origin=Origin.RULE,
                      rules=[f"{rid}：效益类指标无可量化依据，按分级定性写法取「{grade}」"])
    return Filled(needs_input=True, rules=[f"{rid}：{why}；描述和本单位历史都没有给出数值，待填写"])


def _quote(clause: str, limit: int = 40) -> str:
    clause = clause.strip()
    return clause if len(clause) <= limit else clause[:limit] + "…"
