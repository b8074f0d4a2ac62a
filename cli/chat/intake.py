"""The project questions a session opens with, and how each answer is read.

Each question has a label, a default shown to the officer (an empty answer takes it) and a
reader that turns the answer into a value or raises AnswerError with one Chinese line.
"""
from __future__ import annotations

from dataclasses import dataclass

from .commands import vocab

FIELDS = ("name", "description", "budget", "year", "department")
YEAR_RANGE = (2000, 2100)


class AnswerError(ValueError):
    """An answer that cannot be used; str(e) says why, in Chinese."""


@dataclass(frozen=True)
class Question:
    field: str
    label: str
    hint: str = ""


QUESTIONS = {
    "name": Question("name", "项目名称"),
    "description": Question("description", "项目描述",
                            "项目概况和年度目标，可写多行，越具体推荐越准；空行结束"),
    "budget": Question("budget", "预算（万元）", "写金额，如 80、80万元 或 800000元；不填直接回车"),
    "year": Question("year", "目标年度"),
    "department": Question("department", "主管部门"),
}

def _none(text: str) -> bool:
    return text.strip().lower() in vocab()["none_words"]


def read_name(text: str) -> str:
    name = text.strip()
    if not name:
        raise AnswerError("项目名称不能为空，请输入项目名称。")
    if len(name) > 200:
        raise AnswerError("项目名称太长（超过 200 字），请写简短的名称，详细内容放在描述里。")
    return name


def read_budget(text: str) -> float | None:
    """万元, read like --budget and budget tables (engine.amounts: 80、80万、80万元、800000元)."""
    from jixiao.engine.amounts import AmountError, parse_amount

    t = text.strip()
    if not t or _none(t):
        return None
    try:
        return parse_amount(t)
    except AmountError as exc:
        raise AnswerError(f"看不懂预算“{t}”：{exc}。不填直接回车。") from None


def read_year(text: str) -> int:
    from jixiao.corpus.textkeys import folded_text

    t = folded_text(text).rstrip("年").strip()
    if not t.isdigit() or not YEAR_RANGE[0] <= int(t) <= YEAR_RANGE[1]:
        raise AnswerError(f"看不懂年度“{text.strip()}”：请写四位年份，如 2026。")
    return int(t)


def read_department(text: str) -> str | None:
    t = text.strip()
    if not t or _none(t):
        return None
    return t
