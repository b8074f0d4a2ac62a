"""The record of one new project in a list for `suggest --from FILE` / a batch budget table, and
the vocabulary of its columns.

Columns/fields: name, description, budget, year, department, type — or their Chinese headers
(项目名称, 项目概况/项目描述/年度绩效目标, 预算金额, 年度, 主管部门, 项目类型).  Reading a list row by
row (bad rows listed, amounts as officers write them) is engine/project_list.py.
"""
from __future__ import annotations

from dataclasses import dataclass

from .categories import squash

_ALIASES = {
    "name": ("name", "项目名称", "项目支出名称", "名称"),
    "description": ("description", "desc", "项目概况", "项目描述", "描述", "年度绩效目标", "绩效目标", "概况"),
    "budget": ("budget", "预算金额", "预算", "预算金额（万元）", "预算金额(万元)", "金额", "资金总额"),
    "year": ("year", "年度", "预算年度", "年份"),
    "department": ("department", "dept", "主管部门", "部门", "预算部门"),
    "type": ("type", "types", "项目类型", "类型"),
}
_LOOKUP = {squash(a).lower(): k for k, names in _ALIASES.items() for a in names}


def column_field(header: str) -> str | None:
    """The ProjectRow field a column header names (项目名称 → name), None when it names none.
    The header is compared squashed and lower-cased, as written in a project list."""
    return _LOOKUP.get(squash(str(header)).lower())


@dataclass
class ProjectRow:
    row: int
    name: str
    description: str = ""
    budget: float | None = None
    year: int | None = None
    department: str | None = None
    type: str | None = None
