"""Lists of projects and budget tables, read row by row: the good rows, and the bad ones listed.

    read_project_list(path, need_budget=False) -> ProjectList

Used by `jixiao suggest --from` (one draft per row) and `jixiao batch --budgets` (next year's
budget per project).  Files: .jsonl, .json, .csv, .xlsx with the fields or Chinese headers of
corpus.projects (项目名称, 项目概况, 预算金额, 年度, 主管部门, 项目类型 …).  A header may name the
unit of its amounts — 预算金额（元） — and bare numbers in that column are then read in it.

A row that cannot be used — no name, an amount that is not one (八万, 0, -5), a year outside
the range of a new project (corpus.limits: 2000–2100), a JSON line that is not JSON — becomes a RowProblem (row number and the reason, in
Chinese) and the other rows are read as usual.  Only a file that cannot be a list at all (missing,
wrong format, no header with a name column, no rows) raises InputError.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from jixiao.corpus.categories import squash
from jixiao.corpus.errors import InputError
from jixiao.corpus.projects import ProjectRow, column_field

from .amounts import AmountError, amount_data, parse_amount

_BRACKET = re.compile(r"[（(]\s*(?:单位\s*[:：]?\s*)?([^）)]*?)\s*[）)]")
_YEAR_TEXT = re.compile(r"^\s*([0-9]{4})(?:\.0+)?\s*(?:年度?)?\s*$")


@dataclass
class RowProblem:
    row: int                 # spreadsheet row (the header is row 1), JSON Lines line, or JSON item
    name: str                # the project name on that row ("" when it has none)
    message: str             # why the row is not used, in Chinese (without the row number)

    def text(self) -> str:
        who = f"「{self.name}」" if self.name else ""
        return f"第 {self.row} 行{who}：{self.message}"


@dataclass
class ProjectList:
    path: Path
    rows: list[ProjectRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


@lru_cache(maxsize=512)
def _column(header: str) -> tuple[str | None, str | None]:
    """(field, unit of its amounts) for a header cell: 预算金额（元） → (budget, 元)."""
    key = squash(str(header)).lower()
    hit = column_field(key)
    if hit:
        unit = _BRACKET.search(key)
        return hit, (unit.group(1) if unit and unit.group(1) in amount_data()["to_wan"] else None)
    bare = _BRACKET.sub("", key)
    hit = column_field(bare)
    if hit is None:
        return None, None
    unit = _BRACKET.search(key)
    return hit, (unit.group(1) if unit and unit.group(1) in amount_data()["to_wan"] else None)


def _year(value) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        y = int(value)
    else:
        from jixiao.corpus.textkeys import folded_text

        m = _YEAR_TEXT.match(folded_text(str(value)))
        if not m:
            raise ValueError(f"年度“{str(value)[:30]}”应为四位年份，如 2026")
        y = int(m.group(1))
    from jixiao.corpus.limits import year_problem

    problem = year_problem(y, "project")
    if problem:
        raise ValueError(problem)
    return y


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise ValueError("应为文字，不是 JSON 对象或数组")
    t = str(value).strip()
    return t or None


def _row(n: int, rec: dict, units: dict[str, str | None], need_budget: bool) -> ProjectRow | RowProblem:
    data: dict = {}
    for k, v in rec.items():
        f, _ = _column(k)
        if f and f not in data:
            data[f] = v
    try:
        name = _text(data.get("name")) or ""
    except ValueError as exc:
        return RowProblem(n, "", f"项目名称{exc}")
    if not name:
        return RowProblem(n, "", "缺少项目名称")
    try:
        budget = parse_amount(data.get("budget"), units.get("budget"))
    except AmountError as exc:
        return RowProblem(n, name, f"{exc}")
    if need_budget and budget is None:
        return RowProblem(n, name, "没有预算金额")
    try:
        year = _year(data.get("year"))
        description = _text(data.get("description")) or ""
        department = _text(data.get("department"))
        kind = _text(data.get("type"))
    except ValueError as exc:
        return RowProblem(n, name, f"{exc}")
    return ProjectRow(row=n, name=name, description=description, budget=budget, year=year,
                      department=department, type=kind)


def _records(p: Path, kind: str, problems: list[RowProblem]):
    """(row number, record dict, units of its columns) for every non-empty row of the file."""
    from jixiao.corpus.limits import budget
    from jixiao.corpus.readers.dispatch import read_document
    from jixiao.corpus.readers.textio import read_text

    limits = budget()            # a list of small records may run larger than one filing's file
    if kind in ("json", "jsonl"):
        from jixiao.corpus.json_input import json_lines, load_json

        text = read_text(p, limits.list_bytes)
        if kind == "jsonl":
            for line in json_lines(text, p):
                if line.problem:
                    problems.append(RowProblem(line.line, "", re.sub(r"^第 \d+ 行", "", line.problem)))
                    continue
                yield line.line, line.value, {}
            return
        data = load_json(text, p)
        for n, rec in enumerate(data if isinstance(data, list) else [data], 1):
            yield n, rec, {}
        return
    if kind == "csv":
        from jixiao.corpus.readers.csv_reader import read_csv

        doc = read_csv(p, limits.list_bytes, limits.list_cells)
    else:
        doc = read_document(p)
    table = next((t for t in doc.tables if t.rows), None)
    if table is None:
        raise InputError(p, "没有数据行")
    header = [str(c).strip() for c in table.rows[0]]
    columns = [_column(h) for h in header]
    if not any(f == "name" for f, _ in columns):
        raise InputError(p, "第 1 行应为表头，且包含“项目名称”或 name 列")
    units = {f: u for f, u in columns if f}
    for n, cells in enumerate(table.rows[1:], 2):
        if any(str(c).strip() for c in cells):
            yield n, dict(zip(header, cells)), units


def read_project_list(path: str | Path, need_budget: bool = False) -> ProjectList:
    """Every usable row of a project list or budget table, and the rows that are not (see the
    module doc); InputError when the file as a whole cannot be read as a list."""
    from jixiao.corpus.readers.dispatch import sniff_kind

    p = Path(path)
    if not p.is_file():
        raise InputError(p, "文件不存在" if not p.exists() else "这是一个文件夹，不是文件")
    kind = sniff_kind(p)
    if kind not in ("json", "jsonl", "csv", "xlsx"):
        raise InputError(p, "项目清单应为 .jsonl、.json、.csv 或 .xlsx 文件")
    out = ProjectList(p)
    for n, rec, units in _records(p, kind, out.problems):
        if not isinstance(rec, dict):
            out.problems.append(RowProblem(n, "", "应为 JSON 对象（含 name 等字段）"))
            continue
        got = _row(n, rec, units, need_budget)
        (out.problems if isinstance(got, RowProblem) else out.rows).append(got)
    if not out.rows and not out.problems:
        raise InputError(p, "没有项目")
    out.problems.sort(key=lambda x: x.row)
    return out


__all__ = ["ProjectList", "RowProblem", "read_project_list"]
