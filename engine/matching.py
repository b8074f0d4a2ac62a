"""The strict rule `jixiao eval` uses to say a suggested line covers a filed indicator.

    match_key(name) -> str               the name as compared (numbering, template residue,
                                          digits, punctuation and whitespace removed)
    names_match(a, b) -> bool             two names of the same 二级 count as the same indicator
    match_count(suggested, filed) -> int  one-to-one matches between two lists of (二级, name)

The rule and its thresholds are data (data/eval_match.json) and the README states them; the
baselines and jixiao are scored with the same function.
"""
from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import NamedTuple


class _Rule(NamedTuple):
    short_max: int
    ratio: float
    partial: float
    numbering: re.Pattern
    residue: re.Pattern
    groups: tuple[tuple[str, re.Pattern, re.Pattern], ...]
    generic_table: dict[str, list[str]]


@lru_cache(maxsize=1)
def _rule() -> _Rule:
    with resources.files("jixiao.engine").joinpath("data/eval_match.json").open(encoding="utf-8") as fh:
        data = json.load(fh)
    groups = tuple((key, re.compile(g["match"]), re.compile(g["exclude"]))
                   for key, g in data["synonyms"].items())
    table = {k: list(v) for k, v in data["generic_table"].items() if not k.startswith("_")}
    return _Rule(int(data["short_name_max"]), float(data["ratio"]), float(data["partial_ratio"]),
                 re.compile(data["numbering_re"]), re.compile(data["residue_re"]), groups, table)


def _keep(ch: str) -> bool:
    return unicodedata.category(ch)[0] not in "NPSZC"


@lru_cache(maxsize=1 << 14)
def match_key(name: str) -> str:
    """The name as the rule compares it: '1.★补助各类粮食作物种植面积(≥**亩)' → '补助各类粮食作物种植面积'."""
    rule = _rule()
    text = unicodedata.normalize("NFKC", name or "").strip().lower()
    text = rule.numbering.sub("", text, count=1)
    text = rule.residue.sub("", text)
    return "".join(ch for ch in text if _keep(ch))


@lru_cache(maxsize=1 << 14)
def synonym_group(name: str) -> str | None:
    """The narrow synonym group a name falls in (total cost, completion deadline, public or
    beneficiary satisfaction), or None."""
    key = match_key(name)
    for group, match, exclude in _rule().groups:
        if match.search(key) and not exclude.search(key):
            return group
    return None


def names_match(a: str, b: str) -> bool:
    """Whether two indicator names (already known to share a 二级) count as the same."""
    from rapidfuzz import fuzz

    ka, kb = match_key(a), match_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    ga = synonym_group(a)
    if ga is not None and ga == synonym_group(b):
        return True
    rule = _rule()
    short, long_ = (ka, kb) if len(ka) <= len(kb) else (kb, ka)
    if len(short) <= rule.short_max:
        return short in long_
    return fuzz.ratio(ka, kb) >= rule.ratio or fuzz.partial_ratio(ka, kb) >= rule.partial


def matched_pairs(suggested: list[tuple[str, str]], filed: list[tuple[str, str]]) -> list[tuple[int, int]]:
    """A maximum one-to-one matching between suggested and filed (二级, name) lines: each
    suggested line credits at most one filed indicator and the other way round.  Returns
    (suggested index, filed index) pairs (augmenting paths; tables are small)."""
    edges = [[j for j, (l2f, nf) in enumerate(filed) if l2f == l2s and names_match(ns, nf)]
             for l2s, ns in suggested]
    owner: dict[int, int] = {}          # filed index → suggested index

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(suggested)):
        if edges[i]:
            augment(i, set())
    return sorted((i, j) for j, i in owner.items())


def generic_table() -> dict[str, list[str]]:
    """二级 → names of the fixed generic table (the same lines for every project)."""
    return {k: list(v) for k, v in _rule().generic_table.items()}
