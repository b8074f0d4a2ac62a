"""JSON and JSON Lines read within the resource budget (corpus/limits.py), before anything of
their content is trusted.

    load_json(text, path) -> object                        one JSON document
    json_lines(text, path) -> iterator of JsonLine         one value (or problem) per non-blank line

Checked on the text before parsing: how many values (json_values) and objects and arrays
(json_containers) it holds and how deeply they nest (json_depth) — strings are skipped, so
commas and brackets inside text do not count.  Checked while parsing: numbers of more than json_number_digits digits, and the
non-standard constants NaN / Infinity (refused: `parse --format json` must write standard JSON).
After parsing, lone surrogates ("\\ud800" escapes, which no UTF-8 file can otherwise hold) are
replaced by U+FFFD in every string and key, so the text can be stored, printed and written.

A whole-document problem raises InputError; in JSON Lines a bad line is reported for that line
(JsonLine.problem) and the other lines are read.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import accumulate
from typing import Iterator

from .errors import InputError
from .limits import budget
from .safe_text import clean_text

_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class _NumberError(ValueError):
    pass


@dataclass
class JsonLine:
    line: int                      # 1-based line number
    value: object = None
    problem: str | None = None     # why the line could not be read (Chinese), else None


def _check_shape(text: str, path) -> None:
    """Refuse more containers than json_containers, more values than json_values, or nesting
    deeper than json_depth — counted outside strings, before json builds a single object."""
    b = budget()
    quick = text.count("{") + text.count("[")
    if quick <= b.json_depth and text.count(",") < b.json_values:
        return                                       # cannot be too many nor too deep
    outside = _STRING.sub('""', text)
    brackets = _NOT_BRACKET.sub("", outside)
    opened = brackets.count("{") + brackets.count("[")
    values = outside.count(",") + opened + 1            # every value but a container's first follows a comma
    if values > b.json_values:
        raise InputError(path, f"JSON 数据项过多（约 {values} 个值，上限 {b.json_values}），拒绝读取")
    if opened > b.json_containers:
        raise InputError(path, f"JSON 结构过多（{opened} 个对象和数组，上限 {b.json_containers}），拒绝读取")
    deepest = max(accumulate(map(_STEP.__getitem__, brackets)), default=0)
    if deepest > b.json_depth:
        raise InputError(path, f"JSON 嵌套过深（{deepest} 层，上限 {b.json_depth} 层），拒绝读取")


def _hooks() -> dict:
    digits = budget().json_number_digits

    def parse_int(s: str) -> int:
        if len(s.lstrip("-")) > digits:
            raise _NumberError(f"数字过长（{len(s)} 位，上限 {digits} 位）")
        return int(s)

    def parse_float(s: str) -> float:
        if len(s) > digits + 8:
            raise _NumberError(f"数字过长（{len(s)} 个字符）")
        value = float(s)
        if value in (float("inf"), float("-inf")):
            raise _NumberError(f"数字 {s[:20]} 超出范围")
        return value

    def parse_constant(name: str):
        raise _NumberError(f"含非标准的 {name}（JSON 不允许 NaN / Infinity）")

    return {"parse_int": parse_int, "parse_float": parse_float, "parse_constant": parse_constant}


def _clean(value):
    """The value with lone surrogates replaced in every string and key (iterative: no recursion)."""
    if isinstance(value, str):
        return clean_text(value)
    if not isinstance(value, (dict, list)):
        return value
    root = [value]
    stack = [(root, 0)]
    while stack:
        container, key = stack.pop()
        item = container[key]
        if isinstance(item, str):
            container[key] = clean_text(item)
        elif isinstance(item, list):
            stack.extend((item, i) for i in range(len(item)))
        elif isinstance(item, dict):
            if any(type(k) is str and clean_text(k) is not k for k in item):
                fixed = {clean_text(k): v for k, v in item.items()}
                container[key] = item = fixed
            stack.extend((item, k) for k in item)
    return root[0]


def _loads(text: str, hooks: dict):
    value = json.loads(text, **hooks)
    return _clean(value) if _SURROGATE_ESCAPE.search(text) else value


def load_json(text: str, path) -> object:
    _check_shape(text, path)
    try:
        return _loads(text, _hooks())
    except json.JSONDecodeError as exc:
        raise InputError(path, f"不是合法的 JSON（第 {exc.lineno} 行）：{exc.msg}") from None
    except _NumberError as exc:
        raise InputError(path, f"不是合法的 JSON：{exc}") from None
    except RecursionError:
        raise InputError(path, f"JSON 嵌套过深（上限 {budget().json_depth} 层），拒绝读取") from None
    except ValueError as exc:                     # e.g. Python's limit on integer digits
        raise InputError(path, f"不是合法的 JSON：{str(exc)[:80]}") from None


def json_lines(text: str, path) -> Iterator[JsonLine]:
    _check_shape(text, path)
    hooks = _hooks()
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield JsonLine(n, _loads(line, hooks))
        except json.JSONDecodeError as exc:
            yield JsonLine(n, problem=f"第 {n} 行不是合法的 JSON：{exc.msg}")
        except _NumberError as exc:
            yield JsonLine(n, problem=f"第 {n} 行不是合法的 JSON：{exc}")
        except RecursionError:
            yield JsonLine(n, problem=f"第 {n} 行 JSON 嵌套过深")
        except ValueError as exc:
            yield JsonLine(n, problem=f"第 {n} 行不是合法的 JSON：{str(exc)[:80]}")
