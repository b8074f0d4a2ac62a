"""New-project lists for `suggest --from FILE` (.jsonl, .json, .csv, .xlsx).

Columns/fields: name, description, budget, year, department, type — or their Chinese headers
(项目名称, 项目概况/项目描述/年度绩效目标, 预算金额, 年度, 主管部门, 项目类型).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .categories import squash
from .errors import InputError

_ALIASES = {
    "name": ("name", "项目名称", "项目支出名称", "名称"),
    "description": ("description", "desc", "项目概况", "项目描述", "描述", "年度绩效目标", "绩效目标", "概况"),
    "budget": ("budget", "预算金额", "预算", "预算金额（万元）", "预算金额(万元)", "金额", "资金总额"),
    "year": ("year", "年度", "预算年度", "年份"),
    "department": ("department", "dept", "主管部门", "部门", "预算部门"),
    "type": ("type", "types", "项目类型", "类型"),
}
_LOOKUP = {squash(a).lower(): k for k, names in _ALIASES.items() for a in names}


@dataclass
class ProjectRow:
    row: int
    name: str
    description: str = ""
    budget: float | None = None
    year: int | None = None
    department: str | None = None
    type: str | None = None


def _num(path, row, field, value, cast):
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip().replace(",", "").replace("万元", "").replace("年", "")
    try:
        return cast(float(text)) if cast is int else cast(text)
    except ValueError:
        raise InputError(path, f"第 {row} 行的 {field} 不是数字：{str(value)[:30]}") from None


def _project(path, row: int, rec: dict) -> ProjectRow:
    data = {}
    for k, v in rec.items():
        key = _LOOKUP.get(squash(str(k)).lower())
        if key and key not in data:
            data[key] = v
    name = str(data.get("name") or "").strip()
    if not name:
        raise InputError(path, f"第 {row} 行缺少项目名称（name）")
    return ProjectRow(
        row=row, name=name,
        description=str(data.get("description") or "").strip(),
        budget=_num(path, row, "预算金额（budget）", data.get("budget"), float),
        year=_num(path, row, "年度（year）", data.get("year"), int),
        department=(str(data["department"]).strip() or None) if data.get("department") else None,
        type=(str(data["type"]).strip() or None) if data.get("type") else None,
    )


def read_projects(path: str | Path) -> list[ProjectRow]:
    """Every project row of a list file, in input order; InputError names file and row."""
    from .readers.dispatch import read_document, sniff_kind
    from .readers.textio import read_text

    p = Path(path)
    if not p.is_file():
        raise InputError(p, "文件不存在")
    kind = sniff_kind(p)
    records: list[tuple[int, dict]] = []
    if kind in ("json", "jsonl"):
        text = read_text(p)
        if kind == "jsonl":
            for n, line in enumerate(text.splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(p, f"第 {n} 行不是合法的 JSON：{exc.msg}") from None
                records.append((n, rec))
        else:
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InputError(p, f"不是合法的 JSON：{exc.msg}") from None
            records = list(enumerate(data if isinstance(data, list) else [data], 1))
    elif kind in ("csv", "xlsx"):
        doc = read_document(p)
        table = next((t for t in doc.tables if t.rows), None)
        if table is None:
            raise InputError(p, "没有数据行")
        header = [str(c).strip() for c in table.rows[0]]
        if not any(_LOOKUP.get(squash(h).lower()) == "name" for h in header):
            raise InputError(p, "第 1 行应为表头，且包含“项目名称”或 name 列")
        for n, cells in enumerate(table.rows[1:], 2):
            if any(str(c).strip() for c in cells):
                records.append((n, dict(zip(header, cells))))
    else:
        raise InputError(p, "项目清单应为 .jsonl、.json、.csv 或 .xlsx 文件")
    out = []
    for n, rec in records:
        if not isinstance(rec, dict):
            raise InputError(p, f"第 {n} 行应为 JSON 对象")
        out.append(_project(p, n, rec))
    if not out:
        raise InputError(p, "没有项目")
    return out
