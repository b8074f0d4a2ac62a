"""Validated records for past filings: a Filing holds project facts and its Indicators.

These are the only shapes that leave the corpus layer; the catalogue stores them and the
engine reads them back.  Field names are the ones `jixiao parse --format json` prints.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .categories import L1, L2, LEVEL1_OF
from .limits import budget_problem, position_problem, year_problem
from .safe_text import clean_text

ValueKind = Literal["number", "deadline", "grade", "text", "empty"]
FilingKind = Literal["project", "department"]


class ParsedValue(BaseModel):
    """A target value split the way budget systems store it (计算符号 / 指标值 / 计量单位).

    kind:
      number   — op + number + unit ("≥95%", "≤25万元", "14个")
      deadline — a date or period phrase ("2024年底前", "年底前", "每月末", "3小时内")
      grade    — a qualitative grade from the closed list ("有效提高", "显著提升", "是")
      text     — anything else (a sentence, a vague slogan)
      empty    — nothing written
    """

    model_config = ConfigDict(frozen=True)

    kind: ValueKind = "empty"
    op: Optional[str] = None          # one of ≥ ≤ = > <, None when not numeric
    number: Optional[float] = None
    unit: Optional[str] = None        # "%", "个", "万元", "元/人·年" ...
    year: Optional[int] = None        # the year a deadline names, if any


class Source(BaseModel):
    """Where a record came from: file path, table index in that file, row index in that table."""

    model_config = ConfigDict(frozen=True)

    file: str = ""
    table: int = 0
    row: int = 0

    @field_validator("file", mode="after")
    @classmethod
    def _file(cls, name: str) -> str:
        return clean_text(name)      # a file name's undecodable bytes cannot be stored as text

    @field_validator("table", "row", mode="after")
    @classmethod
    def _position(cls, n: int) -> int:
        problem = position_problem(n)
        if problem:
            raise ValueError(problem)
        return n


class Indicator(BaseModel):
    level1: str                       # canonical 一级 (产出指标 / 效益指标 / 满意度指标)
    level2: str                       # canonical 二级 (数量指标 … 服务对象满意度指标)
    level1_raw: str = ""              # the label as the form wrote it
    level2_raw: str = ""
    name: str                         # 三级指标
    value: str = ""                   # 指标值 as written
    parsed: ParsedValue = Field(default_factory=ParsedValue)
    basis: Optional[str] = None       # 绩效标准 / 指标值设定依据
    source: Optional[Source] = None

    def model_post_init(self, __context) -> None:  # keep level1 consistent with level2
        parent = LEVEL1_OF.get(self.level2)
        if parent and self.level1 != parent:
            object.__setattr__(self, "level1", parent)


class Filing(BaseModel):
    name: str
    department: Optional[str] = None
    year: Optional[int] = None
    budget: Optional[float] = None    # 万元
    period: Optional[str] = None      # 实施期 as written ("2021.01.01-2021.12.31", "1 年")
    description: str = ""             # 年度绩效目标 / 概况
    kind: FilingKind = "project"
    indicators: list[Indicator] = Field(default_factory=list)
    source: Optional[Source] = None

    # numbers are checked here, at the model boundary, so nothing out of range reaches SQLite,
    # JSON output or a draft: years 1949–2100, finite budgets in range (data/limits.json)
    @field_validator("year", mode="before")
    @classmethod
    def _year(cls, value):
        if value is None or value == "":
            return None
        year = _whole_number(value)
        problem = year_problem(year) if year is not None else "年度应为四位整数年份"
        if problem:
            raise ValueError(problem)
        return year

    @field_validator("budget", mode="before")
    @classmethod
    def _budget(cls, value):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = float(value.strip().replace(",", ""))
            except ValueError:
                raise ValueError("预算金额应为数字（万元）") from None
        problem = budget_problem(value)
        if problem:
            raise ValueError(problem)
        return float(value)


def _whole_number(value) -> int | None:
    """An integer from an int, an integral float or a string of digits; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) <= 8:
        return int(value.strip())
    return None


def _assemble(cls, values: dict):
    m = cls.__new__(cls)
    object.__setattr__(m, "__dict__", values)
    object.__setattr__(m, "__pydantic_fields_set__", set(values))
    object.__setattr__(m, "__pydantic_extra__", None)
    object.__setattr__(m, "__pydantic_private__", None)
    return m


@lru_cache(maxsize=1)
def _assembly_matches() -> bool:
    """Whether _assemble builds what pydantic's model_construct builds (checked once, on first
    use, so another pydantic version falls back to model_construct instead of breaking)."""
    values = {"level1": L1.OUTPUT, "level2": L2.QUANTITY, "level1_raw": "产出", "level2_raw": "数量",
              "name": "受理件数", "value": "≥10件", "parsed": ParsedValue(kind="number", op="≥", number=10.0, unit="件"),
              "basis": None, "source": Source(file="f", table=1, row=2)}
    try:
        a, b = _assemble(Indicator, dict(values)), Indicator.model_construct(**values)
        return (a == b and a.model_fields_set == b.model_fields_set and a.model_dump() == b.model_dump()
                and list(a.__dict__) == list(Indicator.model_fields))
    except Exception:
        return False



def trusted_indicator(level1: str, level2: str, level1_raw: str, level2_raw: str, name: str, value: str,
                      parsed: ParsedValue, basis: str | None, source: Source | None) -> Indicator:
    """An Indicator from fields the caller made with the right types (the layout interpreter):
    no validation, several times faster than the constructor, for the millions of rows a
    province's ingest reads.  level1 must already be level2's parent."""
    values = {"level1": level1, "level2": level2, "level1_raw": level1_raw, "level2_raw": level2_raw,
              "name": name, "value": value, "parsed": parsed, "basis": basis, "source": source}
    return _assemble(Indicator, values) if _assembly_matches() else Indicator.model_construct(**values)
