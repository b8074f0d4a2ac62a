"""corpus.categories.L1 / L2: the constants the code uses are the names in data/labels.json."""
from __future__ import annotations

from jixiao.corpus.categories import L1, L2, LEVEL1_CANON, LEVEL1_OF, LEVEL2_CANON, canonical_level2


def _values(ns) -> tuple[str, ...]:
    return tuple(v for k, v in vars(ns).items() if k.isupper())


def test_level2_constants_are_the_data_names_in_form_order():
    assert _values(L2) == LEVEL2_CANON


def test_level1_constants_are_the_parents():
    assert _values(L1) == LEVEL1_CANON
    assert set(LEVEL1_OF.values()) == set(LEVEL1_CANON)
    assert LEVEL1_OF[L2.COST] == L1.OUTPUT and LEVEL1_OF[L2.SUSTAINABLE] == L1.BENEFIT
    assert LEVEL1_OF[L2.SATISFACTION] == L1.SATISFACTION


def test_short_names_resolve_to_the_constants():
    assert canonical_level2("满意度") == L2.SATISFACTION
    assert canonical_level2("数量") == L2.QUANTITY
