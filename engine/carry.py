"""Last year's filing → next year's draft (the engine behind `jixiao batch`).

    carry_forward(filing, year, budget=None, *, fill=None, profile="default", scale_costs=False)
        -> (Draft, CarryCounts)
    budget_jump(old, new) -> ratio | None     a new budget 20× or under 1/20 of last year's

Steps, each leaving a Chinese sentence (with its id, data/carry.json "notes") in the rules of
every indicator it changed:
  1. every indicator is carried (status "carried", basis 按照上年 — rules.json "carried_basis");
     an indicator without a value is carried as needs_input;
  2. year references in names, values, the period, the project name and the description are
     rolled by (year − the filing's year), except years that describe the past ("较2023年增长",
     "2020年以来" — data/carry.json past_before / past_after); a deadline that still names a year
     before the target year after rolling (a stale date copied into last year's table) is moved
     into the target year;
  3. misfiled indicators move (status "moved"): names with the satisfaction word outside
     服务对象满意度指标 (lint L09), names without it inside (lint L10 → 社会效益指标), spending
     amounts under 效益 (→ 成本指标); an exact duplicate created by a move is merged;
  4. with a budget, every total-cost value in 成本指标 (value rule R03: the rule for the name uses
     {budget}) becomes the budget, keeping the filer's upper-bound or bare style ("≤", "不超过…",
     "…以内", bare) and turning a lower bound into ≤; basis 计划标准 (C05).  Component and unit
     costs (培训费 ≤0.3万元, 2000元/人) keep their amount — a floor on them becomes a ceiling (C12) —
     or, with scale_costs, are multiplied by new budget / last year's budget (C13);
  5. required categories (the profile) with no indicator that has a value are filled by
     `fill(project, level2)` (status "new"), skipping names already in the table;
  6. lint findings are attached.

CarryCounts (all per filing, recomputable from the written draft):
  carried    indicators taken from last year's table (status carried or moved)
  rolled     indicators whose name or value had a year rolled (notes C02/C04)
  recosted   total-cost values reset to the new budget (C05)
  cost_changed  other cost lines changed: a floor made a ceiling (C12) or scaled (C13)
  added      indicators added for empty required categories (status new)
  moved      indicators moved to another category (status moved)
  flagged    lint findings of severity error or warning
  needs_input, lint_errors   indicators still to be filled in / lint errors alone
  notes      filing-level sentences (period rolled, no budget, duplicates merged …)
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Callable, Optional

from jixiao.corpus.categories import L1, L2, LEVEL1_OF, LEVEL2_CANON, is_satisfaction_name
from jixiao.corpus.textkeys import FULL_WIDTH_ASCII as _FOLD
from jixiao.corpus.textkeys import project_name_key, unpunctuated_name
from jixiao.corpus.values import format_value, parse_value, roll_years, years_in

from .draft import Draft, DraftIndicator, Project, draft_from_filing
from .lint import lint_draft
from .profiles import profile as get_profile
from .profiles import rules_data
from .valuerules import match_rule

FillFn = Callable[[Project, str], list]

_MASK = "\ue000"                 # stands in for a protected year's digits while rolling
_MONEY_HEAD = re.compile(r"^(亿元|万元|千元|元|万|亿)$")
_MONEY_SPAN = re.compile(r"(?<![0-9.])([0-9][0-9,]*(?:\.[0-9]+)?|\.[0-9]+)\s*(亿元|万元|千元|元|万|亿)?")


@lru_cache(maxsize=1)
def carry_data() -> dict:
    with resources.files("jixiao.engine").joinpath("data/carry.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


@lru_cache(maxsize=1)
def _past_res() -> tuple[re.Pattern, re.Pattern]:
    d = carry_data()
    year = r"(?<![0-9])(?P<y>(?:19|20|21)[0-9]{2})(?![0-9])"
    tail = r"\s*年(?:度)?(?:[0-9]{1,2}月(?:[0-9]{1,2}[日号])?)?(?:底|末)?\s*"
    before = re.compile(rf"(?P<m>{_alt(d['past_before'])})\s*{year}(?=\s*[年.\-/])")
    after = re.compile(rf"{year}{tail}(?P<m>{_alt(d['past_after'])})")
    return before, after


def _note(key: str, **fields) -> str:
    return carry_data()["notes"][key].format(**fields)


def _fmt(x: float) -> str:
    return format_value(None, x, None)


# ---------------------------------------------------------------------------------- years

@dataclass
class Rolled:
    text: str
    count: int = 0                                        # year references rolled
    kept: list[tuple[int, str]] = field(default_factory=list)   # (year, marker) left as the past


def past_years(text: str) -> list[tuple[int, int, int, str]]:
    """Year references that describe the past: (start, end, year, marker), in order."""
    if not text:
        return []
    folded = text.translate(_FOLD)
    spans = {}
    for rx in _past_res():
        for m in rx.finditer(folded):
            spans[m.start("y")] = (m.start("y"), m.end("y"), int(m.group("y")), m.group("m"))
    return [spans[k] for k in sorted(spans)]


def roll_forward(text: str, delta: int) -> Rolled:
    """Roll every year reference by delta except those that describe the past."""
    if not text or not delta:
        return Rolled(text or "")
    past = past_years(text)
    masked = text
    for start, end, _, _ in past:
        masked = masked[:start] + _MASK * (end - start) + masked[end:]
    new, n = roll_years(masked, delta)
    if len(new) != len(masked):          # years keep their width; anything else: roll nothing
        return Rolled(text)
    for start, end, _, _ in past:
        new = new[:start] + text[start:end] + new[end:]
    return Rolled(new, n, [(y, m) for _, _, y, m in past])


def _live_years(text: str) -> list[int]:
    """Years in text that do not describe the past."""
    past = {y for _, _, y, _ in past_years(text)}
    return [y for y in years_in(text) if y not in past]


def _into_year(text: str, year: int) -> str:
    """A deadline whose live years all lie before `year`, shifted so the latest is `year`."""
    live = _live_years(text)
    if not live or max(live) >= year:
        return text
    return roll_forward(text, year - max(live)).text


# ---------------------------------------------------------------------------------- counts

@dataclass
class CarryCounts:
    carried: int = 0
    rolled: int = 0
    recosted: int = 0
    cost_changed: int = 0
    added: int = 0
    moved: int = 0
    flagged: int = 0
    needs_input: int = 0
    lint_errors: int = 0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in (
            "carried", "rolled", "recosted", "cost_changed", "added", "moved", "flagged", "needs_input",
            "lint_errors", "notes")}


def note_id(rule: str) -> str:
    """The id a rules sentence starts with ("C02：…" → "C02"), or ""."""
    m = re.match(r"([A-Z][0-9]{2})：", rule)
    return m.group(1) if m else ""


def count_changes(draft: Draft, notes: list[str] = ()) -> CarryCounts:
    """The per-filing counts, read off a carried draft (so a written draft can be recounted)."""
    c = CarryCounts(notes=list(notes))
    for ind in draft.indicators:
        ids = {note_id(r) for r in ind.rules}
        c.carried += ind.status in ("carried", "moved")
        c.moved += ind.status == "moved"
        c.added += ind.status == "new"
        c.rolled += bool(ids & {"C02", "C04"})
        c.recosted += "C05" in ids
        c.cost_changed += "C05" not in ids and bool(ids & {"C12", "C13"})
        c.needs_input += bool(ind.needs_input)
    c.flagged = sum(1 for f in draft.lint if f.severity in ("error", "warning"))
    c.lint_errors = sum(1 for f in draft.lint if f.severity == "error")
    return c


# ---------------------------------------------------------------------------------- steps

def _roll_indicator(ind: DraftIndicator, delta: int, year: int) -> None:
    changed = False
    for attr in ("name", "value"):
        text = getattr(ind, attr) or ""
        r = roll_forward(text, delta)
        for y, marker in r.kept:
            ind.rules.append(_note("C03", text=text, year=y, marker=marker))
        if r.count:
            ind.rules.append(_note("C02", delta=delta, old=text, new=r.text))
            setattr(ind, attr, r.text)
            changed = True
    value = ind.value or ""
    if value and (ind.level2 == L2.TIMELINESS or parse_value(value).kind == "deadline"):
        fixed = _into_year(value, year)
        if fixed != value:
            ind.rules.append(_note("C04", old=value, new=fixed))
            ind.value = fixed
            changed = True
    if changed:
        ind.parsed = parse_value(ind.value)


def _is_spending(ind: DraftIndicator) -> bool:
    d = carry_data()
    pv = parse_value(ind.value or "")
    if pv.kind != "number" or not pv.unit:
        return False
    head = pv.unit.split("/", 1)[0]
    if not (_MONEY_HEAD.match(head) or head.endswith("元")):
        return False
    return any(w in ind.name for w in d["cost_words"]) and not any(w in ind.name for w in d["saving_words"])


def _move_target(ind: DraftIndicator) -> tuple[str, str] | None:
    """(new 二级, note) for a misfiled indicator, else None."""
    name, l2 = ind.name, ind.level2
    if not name:
        return None
    sat = is_satisfaction_name(name)
    if sat and l2 != L2.SATISFACTION:
        return L2.SATISFACTION, _note("C06", name=name, source=l2)
    if not sat and l2 == L2.SATISFACTION:
        target = carry_data()["non_satisfaction_target"]
        return target, _note("C07", name=name, target=target)
    if LEVEL1_OF.get(l2) == L1.BENEFIT and _is_spending(ind):
        return L2.COST, _note("C08", name=name, value=ind.value, source=l2)
    return None


def _move(inds: list[DraftIndicator]) -> tuple[list[DraftIndicator], int]:
    """Misfiled indicators moved; a move onto an identical indicator merges into it."""
    out: list[DraftIndicator] = []
    merged = 0
    moves = []
    for ind in inds:
        target = _move_target(ind)
        if target is None:
            out.append(ind)
        else:
            moves.append((ind, *target))
    for ind, l2, note in moves:
        twin = next((o for o in out if o.level2 == l2 and unpunctuated_name(o.name) == unpunctuated_name(ind.name)
                     and parse_value(o.value) == parse_value(ind.value)), None)
        if twin is not None:
            twin.rules.append(_note("C09", source=ind.level2, value=ind.value))
            merged += 1
            continue
        ind.level2, ind.level1 = l2, LEVEL1_OF[l2]
        ind.status = "moved"
        ind.rules.append(note)
        out.append(ind)
    return out, merged


def _is_total_cost(ind: DraftIndicator) -> bool:
    if ind.level2 != L2.COST or not ind.name:
        return False
    if "{budget}" not in str(match_rule(ind.level2, ind.name).get("value", "")):
        return False                                  # unit costs, control rates
    value = (ind.value or "").strip()
    pv = parse_value(value)
    if pv.kind == "empty":
        return True
    if pv.kind == "grade":
        return pv.op == "≤"                           # 控制在预算内, 不超预算
    if pv.kind != "number" or not pv.unit:
        return False
    head, _, per = pv.unit.partition("/")
    if not (_MONEY_HEAD.match(head) or (head.endswith("元") and len(head) <= 2)):
        return False
    return not per or per in carry_data()["total_period_divisors"]


def _cost_value(old: str, budget: float) -> tuple[str, str]:
    """The budget written in the filer's style; (value, direction note)."""
    amount = f"{_fmt(budget)}万元"
    text = (old or "").strip()
    pv = parse_value(text)
    if pv.kind == "number" and pv.op in ("≥", ">"):
        return f"≤{amount}", carry_data()["direction_fixed"].format(op=pv.op)
    if pv.kind == "number":
        folded = text.translate(_FOLD)
        m = _MONEY_SPAN.search(folded)
        if m:
            rest = folded[m.end():].strip()
            rest = re.sub(r"^/\s*[\u4e00-\u9fff]{1,2}", "", rest).strip()   # 30万/年 → total
            candidate = folded[:m.start()].strip() + amount + rest
            got = parse_value(candidate)
            if got.kind == "number" and got.unit == "万元" and got.number == float(_fmt(budget)) \
                    and got.op == pv.op:
                return candidate, ""
    return f"≤{amount}", ""


def _cost_floor_to_ceiling(ind: DraftIndicator, scaled: bool = False) -> None:
    """A part of the cost written as a floor (租车费用 ≥5万元) becomes a ceiling of the same
    amount; only the total-cost line takes the new budget (lint L12)."""
    from jixiao.corpus.values import format_value

    pv = parse_value(ind.value or "")
    if pv.kind != "number" or pv.op not in ("≥", ">") or pv.number is None or not pv.unit:
        return
    old, new = ind.value, format_value("≤", pv.number, pv.unit)
    ind.value, ind.parsed = new, parse_value(new)
    tail = carry_data()["c12_tail"]["scaled" if scaled else "kept"]
    ind.rules.append(_note("C12", name=ind.name, old=old, new=new, tail=tail))


def _scaled_number(x: float, unit: str, ratio: float) -> float:
    """x × ratio, rounded to the unit's smallest sensible step (data: scale_decimals)."""
    decimals = carry_data()["scale_decimals"]
    head = unit.split("/", 1)[0]
    places = decimals.get(head, decimals["_other"])
    return round(x * ratio, places)


def _scale_cost(ind: DraftIndicator, ratio: float, old_budget: float, budget: float) -> None:
    """A component or unit cost in money (租车费用 ≤5万元, 2000元/人) multiplied by ratio."""
    pv = parse_value(ind.value or "")
    if pv.kind != "number" or pv.number is None or not pv.unit or ratio == 1:
        return
    head = pv.unit.split("/", 1)[0]
    if not (_MONEY_HEAD.match(head) or (head.endswith("元") and len(head) <= 2)):
        return                                         # rates, counts: not money
    number = _scaled_number(pv.number, pv.unit, ratio)
    if number == pv.number:
        return
    old = ind.value
    new = _restyled(old, pv, number)
    ind.value, ind.parsed, ind.needs_input = new, parse_value(new), False
    ind.basis = carry_data()["scaled_basis"]
    ind.rules = [r for r in ind.rules if note_id(r) != "C01"]
    ind.rules.append(_note("C13", name=ind.name, old=old, new=new, ratio=_fmt(round(ratio, 4)),
                           old_budget=_fmt(old_budget), budget=_fmt(budget), basis=ind.basis))


def _restyled(old: str, pv, number: float) -> str:
    """old with its number replaced by `number`, in the filer's words when that parses back to
    the same op and unit; else the value written plainly."""
    folded = (old or "").strip().translate(_FOLD)
    m = re.search(r"(?<![0-9.])[0-9][0-9,]*(?:\.[0-9]+)?|(?<![0-9])\.[0-9]+", folded)
    if m:
        candidate = folded[:m.start()] + _fmt(number) + folded[m.end():]
        got = parse_value(candidate)
        if got.kind == "number" and got.number == number and got.unit == pv.unit and got.op == pv.op:
            return candidate
    return format_value(pv.op if pv.op != "=" else None, number, pv.unit)


def budget_jump(old: float | None, new: float | None) -> float | None:
    """new / old when the new budget is more than max_ratio times last year's or less than its
    1/max_ratio (likely 元 written for 万元, or the reverse); else None."""
    if not old or not new or old <= 0 or new <= 0:
        return None
    limit = carry_data()["budget_check"]["max_ratio"]
    ratio = new / old
    return ratio if ratio > limit or ratio < 1 / limit else None


def _recost(ind: DraftIndicator, budget: float, year: int) -> None:
    old = ind.value or ""
    new, direction = _cost_value(old, budget)
    basis = match_rule(ind.level2, ind.name).get("basis", "计划标准")
    ind.value, ind.parsed, ind.basis, ind.needs_input = new, parse_value(new), basis, False
    ind.rules = [r for r in ind.rules if note_id(r) not in ("C01", "C11")]   # no longer last year's
    ind.rules.append(_note("C05", year=year, budget=_fmt(budget), old=old or "（空）", new=new,
                           basis=basis, direction=direction))


def _has_value(inds: list[DraftIndicator], l2: str) -> bool:
    return any(i.level2 == l2 and i.name and (i.value or "").strip() for i in inds)


def _add_missing(draft: Draft, fill: Optional[FillFn], profile: str) -> None:
    if fill is None:
        return
    for l2 in get_profile(profile)["required"]:
        if _has_value(draft.indicators, l2):
            continue
        taken = {unpunctuated_name(i.name) for i in draft.indicators}
        for ind in fill(draft.project, l2) or []:
            if ind.level2 != l2 or not ind.name or unpunctuated_name(ind.name) in taken:
                continue
            ind = ind.model_copy(deep=True)
            ind.status = "new"
            ind.rules = [_note("C10", level2=l2), *ind.rules]
            draft.indicators.append(ind)
            taken.add(unpunctuated_name(ind.name))


def _sorted(inds: list[DraftIndicator]) -> list[DraftIndicator]:
    order = {l2: i for i, l2 in enumerate(LEVEL2_CANON)}
    return sorted(inds, key=lambda i: order.get(i.level2, len(order)))


# ---------------------------------------------------------------------------------- main

def carry_forward(filing, year: int, budget: float | None = None, *, fill: Optional[FillFn] = None,
                  profile: str = "default", scale_costs: bool = False) -> tuple[Draft, CarryCounts]:
    """Next year's draft from last year's Filing, and what changed (see the module doc).

    scale_costs: component and unit costs in money are multiplied by budget / filing.budget
    (the officer asked for it: `batch --scale-costs`); without it they keep their amount."""
    get_profile(profile)                     # unknown profile → ValueError before any work
    pn = carry_data()["project_notes"]
    notes: list[str] = []
    src_year = filing.year
    if src_year is None:
        src_year = year - 1
        notes.append(pn["no_source_year"].format(src_year=src_year))
    delta = year - src_year
    if delta <= 0:
        notes.append(pn["not_forward"].format(src_year=src_year, year=year))
        delta = 0

    draft = draft_from_filing(filing)
    p = draft.project
    p.year = year
    for attr in ("name", "period"):
        old = getattr(p, attr) or ""
        r = roll_forward(old, delta)
        new = _into_year(r.text, year) if attr == "period" else r.text
        if new != old:
            setattr(p, attr, new)
            notes.append(pn[attr].format(old=old, new=new))
    r = roll_forward(p.description, delta)
    if r.count:
        p.description = r.text
        notes.append(pn["description"].format(n=r.count))
    if budget is not None:
        p.budget = float(budget)
    elif p.budget is not None:
        notes.append(pn["no_budget"].format(year=year, budget=_fmt(p.budget)))
    else:
        notes.append(pn["no_budget_at_all"].format(year=year))

    carried_basis = rules_data()["carried_basis"]
    for ind, src in zip(draft.indicators, filing.indicators):
        ind.status = "carried"
        if (ind.value or "").strip():
            was = ""
            if src.basis and src.basis.strip() and src.basis.strip() != carried_basis:
                was = carry_data()["basis_was"].format(basis=src.basis.strip())
            ind.basis = carried_basis
            ind.rules.append(_note("C01", src_year=src_year, value=ind.value, basis=carried_basis, was=was))
        else:
            ind.basis, ind.needs_input = None, True
            ind.rules.append(_note("C11"))
        _roll_indicator(ind, delta, year)

    inds, merged = _move(draft.indicators)
    if merged:
        notes.append(pn["merged"].format(n=merged))
    ratio = None
    if scale_costs and budget is not None:
        if filing.budget and filing.budget > 0:
            ratio = float(budget) / float(filing.budget)
        else:
            notes.append(pn["no_scale"])
    for ind in inds:
        if budget is not None and _is_total_cost(ind):
            _recost(ind, float(budget), year)
        elif ind.level2 == L2.COST:
            _cost_floor_to_ceiling(ind, scaled=ratio is not None and ratio != 1)
            if ratio is not None:
                _scale_cost(ind, ratio, float(filing.budget), float(budget))
    draft.indicators = _sorted(inds)
    _add_missing(draft, fill, profile)
    draft.indicators = _sorted(draft.indicators)
    draft.lint = lint_draft(draft, profile)
    return draft, count_changes(draft, notes)


# ---------------------------------------------------------------------------------- budgets

@dataclass(frozen=True)
class BudgetMatch:
    row: int                 # index into the budget list
    name: str                # the name the budget table wrote
    amount: float            # 万元
    how: str                 # "exact" | "fuzzy"
    score: float = 100.0


@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """A project name for matching: full-width folded, no spaces, punctuation or year labels
    (corpus.textkeys.project_name_key with the carry rules' strip pattern)."""
    return project_name_key(name, _compiled_strip())


@lru_cache(maxsize=1)
def _compiled_strip() -> re.Pattern:
    return re.compile(carry_data()["budget_match"]["strip_re"])


def match_budgets(names: list[list[str]], budgets: list[tuple[str, float]],
                  min_ratio: float | None = None) -> tuple[list[Optional[BudgetMatch]], list[int]]:
    """Budgets for filings by project name.

    names[i] are the names filing i may be listed under (next year's name first, then last
    year's); budgets are (name, 万元) rows.  Exact key matches first — a row may serve several
    filings of the same project — then fuzzy pairs (rapidfuzz ratio ≥ min_ratio) best first,
    each row and each filing used at most once, ties between rows or filings left unmatched.
    Returns one match or None per filing and the indexes of rows no filing took.
    """
    from rapidfuzz import fuzz

    if min_ratio is None:
        min_ratio = carry_data()["budget_match"]["min_ratio"]
    fkeys = [[k for k in dict.fromkeys(name_key(n) for n in ns) if k] for ns in names]
    bkeys = [name_key(n) for n, _ in budgets]
    first_row: dict[str, int] = {}
    for j, k in enumerate(bkeys):
        if k:
            first_row.setdefault(k, j)
    out: list[Optional[BudgetMatch]] = [None] * len(names)
    used: set[int] = set()            # rows taken, or left out as ambiguous
    assigned: set[int] = set()
    for i, keys in enumerate(fkeys):
        j = next((first_row[k] for k in keys if k in first_row), None)
        if j is not None:
            out[i] = BudgetMatch(j, budgets[j][0], budgets[j][1], "exact")
            used.add(j)
            assigned.add(j)
    free_rows = [j for j, k in enumerate(bkeys) if k and j not in used and first_row.get(k) == j]
    same = re.compile(carry_data()["budget_match"]["same_re"])
    pairs = []
    for i, keys in enumerate(fkeys):
        if out[i] is not None:
            continue
        for j in free_rows:
            marks = same.findall(bkeys[j])
            score = max((fuzz.ratio(k, bkeys[j]) for k in keys if same.findall(k) == marks), default=0.0)
            if score >= min_ratio:
                pairs.append((score, i, j))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    taken_f: set[int] = set()
    for score, i, j in pairs:
        if i in taken_f or j in used:
            continue
        rivals = [p for p in pairs if p[0] == score and (p[1] == i) != (p[2] == j)
                  and p[1] not in taken_f and p[2] not in used]
        if rivals:                        # as good a match elsewhere: do not guess
            if any(p[2] == j for p in rivals):
                used.add(j)               # the row fits two filings equally
            if any(p[1] == i for p in rivals):
                taken_f.add(i)            # the filing fits two rows equally
            continue
        out[i] = BudgetMatch(j, budgets[j][0], budgets[j][1], "fuzzy", round(score, 1))
        taken_f.add(i)
        used.add(j)
        assigned.add(j)
    unmatched = [j for j in range(len(budgets)) if j not in assigned]
    return out, unmatched


def nearest_names(name: str, names: list[str], n: int | None = None) -> list[str]:
    """The names of `names` closest to `name` (rapidfuzz WRatio on name keys, at least
    budget_match.suggest_min), best first: offered when a project name matches nothing."""
    from rapidfuzz import fuzz, process

    cfg = carry_data()["budget_match"]
    n = cfg["suggest_n"] if n is None else n
    key = name_key(name)
    by_key: dict[str, str] = {}
    for other in names:
        k = name_key(other)
        if k and k != key:
            by_key.setdefault(k, other)
    if not key or not by_key:
        return []
    got = process.extract(key, list(by_key), scorer=fuzz.WRatio, limit=n, score_cutoff=cfg["suggest_min"])
    return [by_key[k] for k, _, _ in got]


__all__ = ["BudgetMatch", "CarryCounts", "budget_jump", "carry_forward", "count_changes", "match_budgets",
           "name_key", "nearest_names",
           "note_id", "past_years", "roll_forward"]
