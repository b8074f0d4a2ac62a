"""The resource budget every reader consults before it allocates, and the ranges numbers must
fall in at the model boundary.  The figures live in data/limits.json.

    budget() -> Budget          the limits in force (re-read from the environment on every call,
                                so a test or an officer can lower JIXIAO_MAX_TEXT_MB,
                                JIXIAO_MAX_UNZIPPED_MB or JIXIAO_MAX_CELLS for one run)
    year_problem(year, kind)    None, or why a year cannot be a filing's / a new project's
    budget_problem(amount)      None, or why an amount (万元) cannot be a budget
    position_problem(n)         None, or why an integer cannot be a table / row position

What each limit bounds:

    text_mb              size of a text-like file (.txt .tsv .csv) before decoding
    json_mb              size of a .json / .jsonl file (jixiao's own exports run larger)
    list_mb              size of a project list or budget table (.jsonl .json .csv) for
                         `suggest --from` / `batch --budgets`: its rows are small records read
                         one by one, and 100,000 projects run to about 30 MB
    list_cells           cells of such a list in .csv (100,000 rows of six columns is 600,000)
    unzipped_mb          total inflated size of an .xlsx/.docx
    cells                cells per workbook / document, counted from the XML before loading (cell
                         and merge elements) and again as read: the sheets' data rectangles, the
                         area of every merge clipped to its sheet's data, docx cells with their
                         spans — each span checked before a row is widened
    cell_chars           one cell's text; longer cells are cut with a visible marker
    grid_chars           all cell text of one workbook (a long shared string repeated in many
                         cells would otherwise be copied into every one of them)
    shared_strings       entries of an .xlsx shared-string table (counted before loading) …
    shared_strings_mb    … and the inflated size of that table
    json_containers      objects + arrays in one JSON / JSON Lines file (counted before parsing)
    json_values          values (numbers, strings, …) in one such file: 20 MB of "1," would
                         otherwise become millions of Python objects
    json_depth           nesting of objects and arrays in one JSON value
    json_number_digits   digits of one JSON number
    filings_per_file, indicators_per_file, indicators_per_filing
                         list lengths in one JSON / JSON Lines file
    filing_year          years a past filing may name; project_year: a new project's year
    budget_wan           a budget's range in 万元 (finite)
    position_max         table and row positions (SQLite INTEGER holds far more)
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

MB = 1024 * 1024


@lru_cache(maxsize=1)
def _data() -> dict:
    with resources.files("jixiao.corpus").joinpath("data/limits.json").open(encoding="utf-8") as fh:
        return json.load(fh)


@dataclass(frozen=True)
class Budget:
    text_bytes: int
    json_bytes: int
    list_bytes: int
    list_cells: int
    unzipped_bytes: int
    cells: int
    cell_chars: int
    grid_chars: int
    shared_strings: int
    shared_strings_bytes: int
    json_containers: int
    json_values: int
    json_depth: int
    json_number_digits: int
    filings_per_file: int
    indicators_per_file: int
    indicators_per_filing: int


def _env_number(name: str | None, default: float) -> float:
    raw = os.environ.get(name, "").strip() if name else ""
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if value > 0 and math.isfinite(value) else default


def budget() -> Budget:
    d = _data()
    env = d.get("env", {})

    def get(key: str) -> float:
        return _env_number(env.get(key), d[key])

    return Budget(
        text_bytes=int(get("text_mb") * MB), json_bytes=int(get("json_mb") * MB), list_bytes=int(get("list_mb") * MB), list_cells=int(d["list_cells"]),
        unzipped_bytes=int(get("unzipped_mb") * MB),
        cells=int(get("cells")), cell_chars=int(d["cell_chars"]), grid_chars=int(d["grid_chars"]),
        shared_strings=int(d["shared_strings"]), shared_strings_bytes=int(d["shared_strings_mb"] * MB),
        json_containers=int(d["json_containers"]), json_values=int(d["json_values"]), json_depth=int(d["json_depth"]),
        json_number_digits=int(d["json_number_digits"]), filings_per_file=int(d["filings_per_file"]),
        indicators_per_file=int(d["indicators_per_file"]),
        indicators_per_filing=int(d["indicators_per_filing"]))


def defaults() -> dict:
    """The figures as shipped (no environment overrides): for documentation and tests."""
    return {k: v for k, v in _data().items() if not k.startswith("_") and k != "env"}


# --- numbers at the model boundary -------------------------------------------------------------

def year_range(kind: str = "filing") -> tuple[int, int]:
    lo, hi = _data()["project_year" if kind == "project" else "filing_year"]
    return int(lo), int(hi)


def year_problem(year, kind: str = "filing") -> str | None:
    lo, hi = year_range(kind)
    if isinstance(year, bool) or not isinstance(year, int):
        return "年度应为四位整数年份"
    if not lo <= year <= hi:
        shown = str(year) if -10**12 < year < 10**12 else f"{str(year)[:12]}…"
        return f"年度 {shown} 不在 {lo}–{hi} 之间"
    return None


def budget_range() -> tuple[float, float]:
    lo, hi = _data()["budget_wan"]
    return float(lo), float(hi)


def budget_problem(amount) -> str | None:
    lo, hi = budget_range()
    if isinstance(amount, bool) or not isinstance(amount, (int, float)):
        return "预算金额应为数字（万元）"
    if isinstance(amount, int) and not -2**63 <= amount < 2**63:
        return f"预算金额过大（上限 {hi:.0f} 万元）"
    if not math.isfinite(amount):
        return "预算金额不是有限的数字（NaN / Infinity）"
    if amount < lo:
        return f"预算金额不能为负数（{amount:g}）" if lo == 0 else f"预算金额 {amount:g} 万元低于下限 {lo:.0f} 万元"
    if amount > hi:
        return f"预算金额 {amount:g} 万元过大（上限 {hi:.0f} 万元）"
    return None


def position_problem(n) -> str | None:
    hi = int(_data()["position_max"])
    if isinstance(n, bool) or not isinstance(n, int):
        return "位置应为整数"
    if not 0 <= n <= hi:
        return f"位置 {str(n)[:12]} 不在 0–{hi} 之间"
    return None
