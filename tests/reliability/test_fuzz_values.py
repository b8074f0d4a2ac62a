"""Property tests on the value grammar with mutated real values (issue 6).

tests/corpus/test_values.py already feeds random text and value-like alphabets; here the inputs are the
seeds' own 指标值, 三级指标 names and descriptions, damaged the way forms damage them (stray tabs
and full-width spaces, cut, spliced, full-width digits, formula prefixes, very long), and values
that are not text at all (what loose JSON or a spreadsheet cell hands over).  parse_value,
split_value, roll_years, split_fused and extract_quantities never raise, and what they return
stays inside what they promise.
"""
from __future__ import annotations

import math
import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

from jixiao.corpus.values import (
    Quantity,
    extract_quantities,
    parse_value,
    roll_years,
    split_fused,
    split_value,
    years_in,
)

from .mutants import HOSTILE_TEXT, STRAY, seed_values

VALUES = seed_values()
KINDS = {"number", "deadline", "grade", "text", "empty"}
MAX_CHARS = 120_000      # ten times the longest cell a reader returns (MAX_CELL_CHARS)
OPS = {None, "≥", "≤", "=", ">", "<"}


def _mutate(text: str, ops: list[str], rnd: random.Random) -> str:
    for op in ops:
        i = rnd.randrange(len(text) + 1)
        if op == "stray":
            text = text[:i] + rnd.choice(STRAY) + text[i:]
        elif op == "cut":
            text = text[:i] if rnd.random() < 0.5 else text[i:]
        elif op == "splice":
            other = rnd.choice(VALUES)
            text = text[:i] + other[rnd.randrange(len(other) + 1):]
        elif op == "fullwidth":
            text = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
        elif op == "hostile":
            text = text[:i] + rnd.choice(HOSTILE_TEXT) + text[i:]
        elif op == "digits":
            text = text[:i] + rnd.choice(["2024", "1989", "2101", "99999999999999999999", "0.", ".5", "1e309",
                                          "12月31日", "2021.13.45", "-", "--1", "1-2-3"]) + text[i:]
        elif op == "repeat":
            text = text * rnd.choice([2, 50, 2000])
        elif op == "long":
            text = text + rnd.choice([" ", "\u3000", "9", "年", "达到"]) * rnd.choice([500, 5000, 60_000]) + text
        elif op == "swap" and len(text) > 1:
            j = rnd.randrange(len(text))
            chars = list(text)
            chars[min(i, len(text) - 1)], chars[j] = chars[j], chars[min(i, len(text) - 1)]
            text = "".join(chars)
        text = text[:MAX_CHARS]
    return text


mutated = st.builds(lambda base, ops, seed: _mutate(base, ops, random.Random(seed)),
                    st.sampled_from(VALUES),
                    st.lists(st.sampled_from(["stray", "cut", "splice", "fullwidth", "hostile", "digits",
                                              "repeat", "long", "swap"]), max_size=4),
                    st.integers(0, 2**32 - 1))
not_text = st.one_of(st.none(), st.integers(), st.floats(), st.booleans(), st.binary(max_size=20),
                     st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                     st.decimals(allow_nan=True), st.just(Decimal("1e400")))


def _check_all(text) -> None:
    pv = parse_value(text)
    assert pv.kind in KINDS and pv.op in OPS
    assert pv.number is None or math.isfinite(pv.number)
    assert pv.year is None or 1900 <= pv.year <= 2200

    sign, value, unit = split_value(text)
    assert all(isinstance(x, str) for x in (sign, value, unit))
    if pv.kind == "empty":
        assert (sign, value, unit) == ("", "", "")

    name, val = split_fused(text)
    assert isinstance(name, str) and isinstance(val, str)

    qs = extract_quantities(text)
    assert all(isinstance(q, Quantity) and math.isfinite(q.number) for q in qs)

    for delta in (1, -1, 7, -200, 10**20):
        rolled, n = roll_years(text, delta)
        assert isinstance(rolled, str) and n >= 0

    if isinstance(text, str):
        assert name in text and val in text
        assert all(q.text in text for q in qs)
        assert all(q.number == y for q, y in zip([q for q in qs if q.is_year], years_in(text)))
        rolled, n = roll_years(text, 1)
        assert len(rolled) == len(text)
        if n:
            assert roll_years(rolled, -1) == (text, n)
        else:
            assert rolled == text


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(text=mutated)
def test_mutated_real_values_never_raise(text):
    _check_all(text)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(value=not_text)
def test_values_that_are_not_text_never_raise(value):
    _check_all(value)


@settings(max_examples=150, deadline=None)
@given(text=mutated, delta=st.one_of(st.integers(), st.booleans()))
def test_roll_years_with_any_delta(text, delta):
    rolled, n = roll_years(text, delta)
    assert len(rolled) == len(text)
    if not n:
        assert rolled == text


def test_every_real_value_keeps_its_reading_with_stray_outer_blanks():
    """Forms pad cells with tabs, full-width and no-break spaces: a value reads the same."""
    for text in VALUES:
        for pad in ("\t", "\u3000", " \u3000\t", "\r\n", "\xa0"):
            assert parse_value(pad + text + pad) == parse_value(text), (pad, text)
            assert split_value(pad + text + pad) == split_value(text), (pad, text)
