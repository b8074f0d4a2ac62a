"""Canonical indicator categories (一级 / 二级) and the label spellings that map to them.

The vocabulary lives in data/labels.json; this module only normalises and looks up.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

_NOTE = re.compile(r"[(（][^()（）]{0,12}[)）]")   # (必填硬性指标) (选填) ...
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _data() -> dict:
    with resources.files("jixiao.corpus").joinpath("data/labels.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def squash(text: str) -> str:
    """Remove all whitespace (including full-width spaces and line breaks)."""
    return _SPACE.sub("", (text or "").replace("\u3000", " "))


def label_key(text: str) -> str:
    """Normalise a label cell: drop notes in brackets, asterisks, colons and whitespace."""
    if text and len(text) <= _MEMO_CHARS:      # labels repeat on every row of every filing
        return _label_key_memo(text)
    return _label_key(text)


_MEMO_CHARS = 64


def _label_key(text: str) -> str:
    t = squash(text)
    t = _NOTE.sub("", t)
    return t.strip("*：:·.、")


_label_key_memo = lru_cache(maxsize=4096)(_label_key)


def _build(kind: str) -> dict[str, str]:
    table = {}
    for canon, spellings in _data()[kind].items():
        for s in spellings:
            table[label_key(s)] = canon
    return table


class L1:
    """The canonical 一级 names (docs/domain.md §1)."""
    OUTPUT = "产出指标"
    BENEFIT = "效益指标"
    SATISFACTION = "满意度指标"


class L2:
    """The canonical 二级 names (docs/domain.md §1), in form order; data/labels.json lists the same."""
    QUANTITY = "数量指标"
    QUALITY = "质量指标"
    TIMELINESS = "时效指标"
    COST = "成本指标"
    ECONOMIC = "经济效益指标"
    SOCIAL = "社会效益指标"
    ECOLOGICAL = "生态效益指标"
    SUSTAINABLE = "可持续影响指标"
    SATISFACTION = "服务对象满意度指标"


LEVEL2_CANON: tuple[str, ...] = tuple(_data()["level2"].keys())
LEVEL1_CANON: tuple[str, ...] = (L1.OUTPUT, L1.BENEFIT, L1.SATISFACTION)
LEVEL1_OF: dict[str, str] = dict(_data()["parent"])
SHORT: dict[str, str] = dict(_data()["short"])
_SHORT_TO_CANON: dict[str, str] = {short: canon for canon, short in SHORT.items()}
_L1 = _build("level1")
_L2 = _build("level2")
_BASIS = tuple(label_key(b) for b in _data()["basis"])
_SECTION = frozenset(label_key(s) for s in _data()["section_labels"])


def level1_of(text: str) -> str | None:
    """Canonical 一级 for a label cell, or None. '满意度指标' counts as a 一级 here."""
    return _L1.get(label_key(text))


def level2_of(text: str) -> str | None:
    """Canonical 二级 for a label cell, or None."""
    return _L2.get(label_key(text))


def is_basis(text: str) -> bool:
    k = label_key(text)
    return bool(k) and any(k == b or (k.startswith(b) and len(k) <= len(b) + 4) for b in _BASIS)


def is_section_label(text: str) -> bool:
    k = label_key(text)
    if k in _SECTION:
        return True
    return k.endswith("绩效指标") and len(k) <= 14


def is_satisfaction_name(name: str) -> bool:
    """Does a 三级 name measure satisfaction (docs/domain.md §3)?  Its `satisfaction.word` (满意)
    must remain once the `exclude` words (不满意) are removed: 不满意工单数量 counts complaints."""
    rule = _data()["satisfaction"]
    for word in rule["exclude"]:
        name = name.replace(word, "")
    return rule["word"] in name


def canonical_level2(text: str) -> str | None:
    """Accept either a canonical name, a short name (数量) or any known spelling."""
    if text in LEVEL1_OF:
        return text
    return _SHORT_TO_CANON.get(label_key(text)) or level2_of(text)
