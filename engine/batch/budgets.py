"""The new year's budget table of a batch: its usable rows, and which matched budgets to doubt.

    BudgetLine(name, amount, row)      one usable row (amount in 万元)
    Problem(file, name, message)       a problem not tied to a draft (budget-table rows; file "")
    read_budgets(path, problems) -> [BudgetLine]
    budget_doubt(filing, match, force) -> str | None
    amount_text(x) -> str              an amount as drafts write it ("" for None)
"""
from __future__ import annotations

from typing import NamedTuple


class BudgetLine(NamedTuple):
    name: str
    amount: float       # 万元
    row: int            # row number in the budget table


class Problem(NamedTuple):
    """A problem listed in the summary and on screen that belongs to no draft."""

    file: str
    name: str
    message: str


def amount_text(x) -> str:
    from jixiao.corpus.values import format_value

    return "" if x is None else format_value(None, x, None)


def read_budgets(path, problems: list) -> list[BudgetLine]:
    """Every usable row; a row without a name or a usable amount (八万, 0, -5) or repeated is a
    problem, listed, and the other rows are used.  InputError when the table cannot be read."""
    from jixiao.engine.carry import name_key
    from jixiao.engine.project_list import read_project_list

    out, seen = [], {}
    table = read_project_list(path, need_budget=True)
    for bad in table.problems:
        problems.append(Problem("", bad.name, f"预算表{bad.text()}；这一行未使用"))
    for r in table.rows:
        key = name_key(r.name)
        if key in seen:
            problems.append(Problem("", r.name, f"预算表第 {r.row} 行「{r.name}」与第 {seen[key]} 行重复，已忽略"))
            continue
        seen[key] = r.row
        out.append(BudgetLine(r.name, float(r.budget), r.row))
    return out


def budget_doubt(filing, match, force: bool) -> str | None:
    """Why a matched budget is not used (20× last year's or more, or under 1/20), or None."""
    from jixiao.engine.carry import budget_jump

    ratio = budget_jump(filing.budget, match.amount) if match else None
    if ratio is None:
        return None
    times = f"{ratio:.0f} 倍" if ratio >= 1 else f"1/{1 / ratio:.0f}"
    what = "元写成了万元" if ratio > 1 else "万元写成了元"
    said = (f"预算表中的 {amount_text(match.amount)} 万元是上年 {amount_text(filing.budget)} 万元的 {times}"
            f"（可能把{what}）")
    if force:
        return said + "，已按 --force 采用"
    return said + "，未采用（预算沿用上年）；核对无误后加 --force 采用"
